"""DRF throttles on top of ``govreg.ratelimit`` (one limiter for the pages and the API)."""

from rest_framework.throttling import BaseThrottle

from govreg.ratelimit import API_DOCS


class PublicDocsThrottle(BaseThrottle):
    """The public API schema and docs: ``API_DOCS`` requests a minute per address."""

    limit = API_DOCS

    def allow_request(self, request, view):
        return not self.limit.exceeded(request)

    def wait(self):
        return self.limit.retry_after()

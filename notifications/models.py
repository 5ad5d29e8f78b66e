"""Notifications: what happened that a person should know about, listed on their
notifications page and e-mailed to them by a Celery task (see ``notifications/services.py``)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from govreg.public_ids import PublicIdModel


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user).order_by("-created_at", "-id")

    def unread(self):
        return self.filter(read_at__isnull=True)

    def email_pending(self):
        return self.filter(emailed_at__isnull=True)


class Notification(PublicIdModel):
    """One event for one person: the text they are sent and a link back to GovReg."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("user"),
    )
    event = models.CharField(
        _("event"), max_length=64, help_text=_("What happened, as a code: e.g. concern.raised.")
    )
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("message"))
    url = models.CharField(_("link"), max_length=500)
    language = models.CharField(_("language"), max_length=8, default="en")
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(_("e-mail attempts"), default=0)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"]),
            models.Index(
                fields=["created_at"],
                condition=models.Q(emailed_at__isnull=True),
                name="notification_email_pending",
            ),
        ]

    def __str__(self):
        return self.subject

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

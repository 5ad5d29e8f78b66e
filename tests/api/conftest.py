"""Fixtures for the API tests: token clients for the cast, a clean rate-limit cache, and the
assessments tests' published questionnaire."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from rest_framework.test import APIClient

from api import services
from tests.assessments.conftest import questionnaire  # noqa: F401 - a published AIA questionnaire


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def token_client():
    """``token_client(user, read_only=False)`` → an APIClient sending that user's new token."""

    def make(user, *, read_only: bool = False) -> APIClient:
        _token, raw = services.create_token(user=user, name="tests", read_only=read_only)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client

    return make


@pytest.fixture
def one_window(settings):
    """Rate limits on, and every request of a test in one window (the clock stands still)."""
    settings.GOVREG_RATE_LIMITS_ENABLED = True
    with time_machine.travel(dt.datetime(2026, 3, 1, 12, 0, 5, tzinfo=dt.UTC), tick=False):
        yield

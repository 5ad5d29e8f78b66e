"""Account pages for API tokens (inside the language prefixes: /account/tokens/, /cy/…)."""

from django.urls import path

from .views import tokens

app_name = "api_tokens"

urlpatterns = [
    path("", tokens.token_list, name="list"),
    path("<uuid:pk>/revoke/", tokens.token_revoke, name="revoke"),
]

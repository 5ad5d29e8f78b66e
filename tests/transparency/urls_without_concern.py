"""The public register's URLs without the anonymous concern form (built in consultations), to
show the system page still works, and points elsewhere, when that form is not installed."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path

from govreg import views

urlpatterns = i18n_patterns(
    path("", views.dashboard, name="dashboard"),
    path("accounts/", include("allauth.urls")),
    path("transparency/", include("transparency.urls")),
    path("accessibility/", views.accessibility, name="accessibility"),
    prefix_default_language=False,
)

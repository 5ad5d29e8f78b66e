from allauth.account.decorators import secure_admin_login
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from accounts import idle
from accounts import views as account_views
from govreg import views

# The admin has no sign-in of its own: people sign in through GovReg's (rate-limited, with
# two-factor authentication); anyone signed in who is not staff gets 403.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("api/", include("api.urls")),
    path("", include("transparency.root_urls")),
]

urlpatterns += i18n_patterns(
    path("", views.dashboard, name="dashboard"),
    path("accounts/keep-alive/", idle.keep_alive, name="keep_alive"),
    path("accounts/", include("allauth.urls")),
    path("account/", account_views.account, name="account"),
    path("account/tokens/", include("api.token_urls")),
    path("systems/", include("registers.urls")),
    path("systems/", include("assessments.urls")),
    path("systems/", include("consultations.urls")),
    path("systems/", include("oversight.urls")),
    path("packs/", include("packs.urls")),
    path("notifications/", include("notifications.urls")),
    path("transparency/", include("consultations.public_urls")),
    path("transparency/", include("transparency.urls")),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

from django.urls import path

from . import views

app_name = "transparency"

urlpatterns = [
    path("", views.PublicRegisterView.as_view(), name="register"),
    path("<slug:organisation>/<slug:reference>/", views.PublicSystemView.as_view(), name="system"),
]

"""The public, anonymous concern form, under /transparency/<organisation>/<reference>/."""

from django.urls import path

from . import views

app_name = "public_concerns"

urlpatterns = [
    path(
        "<slug:organisation>/<slug:reference>/concern/",
        views.public_concern,
        name="form",
    ),
    path(
        "<slug:organisation>/<slug:reference>/concern/sent/",
        views.public_concern_sent,
        name="sent",
    ),
]

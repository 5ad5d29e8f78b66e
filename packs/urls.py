from django.urls import path

from . import views

app_name = "packs"

urlpatterns = [
    path("", views.PackListView.as_view(), name="pack_list"),
    path("request/", views.request_collection_pack, name="request_collection"),
    path("systems/<uuid:system_pk>/request/", views.request_system_pack, name="request_system"),
    path("<uuid:pk>/", views.PackDetailView.as_view(), name="pack_detail"),
    path("<uuid:pk>/status/", views.pack_status, name="pack_status"),
    path("<uuid:pk>/download/", views.download_pack, name="pack_download"),
    path("<uuid:pk>/retry/", views.retry_pack, name="pack_retry"),
]

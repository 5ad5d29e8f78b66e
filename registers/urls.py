from django.urls import path

from . import views

app_name = "registers"

urlpatterns = [
    path("", views.SystemListView.as_view(), name="system_list"),
    path("new/", views.SystemCreateView.as_view(), name="system_create"),
    path("<uuid:pk>/", views.SystemDetailView.as_view(), name="system_detail"),
    path("<uuid:pk>/edit/", views.SystemTaskListView.as_view(), name="system_tasks"),
    path("<uuid:pk>/edit/<slug:section>/", views.SectionEditView.as_view(), name="section_edit"),
    path("<uuid:pk>/evidence/", views.EvidenceUploadView.as_view(), name="evidence_upload"),
    path(
        "<uuid:pk>/evidence/<uuid:attachment_pk>/",
        views.EvidenceDownloadView.as_view(),
        name="evidence_download",
    ),
    path("<uuid:pk>/history/", views.SystemHistoryView.as_view(), name="system_history"),
]

from django.urls import path

from . import views

app_name = "registers"

urlpatterns = [
    path("", views.SystemListView.as_view(), name="system_list"),
    path("new/", views.SystemCreateView.as_view(), name="system_create"),
    path("<int:pk>/", views.SystemDetailView.as_view(), name="system_detail"),
    path("<int:pk>/edit/", views.SystemTaskListView.as_view(), name="system_tasks"),
    path("<int:pk>/edit/<slug:section>/", views.SectionEditView.as_view(), name="section_edit"),
    path("<int:pk>/evidence/", views.EvidenceUploadView.as_view(), name="evidence_upload"),
    path(
        "<int:pk>/evidence/<int:attachment_pk>/",
        views.EvidenceDownloadView.as_view(),
        name="evidence_download",
    ),
    path("<int:pk>/history/", views.SystemHistoryView.as_view(), name="system_history"),
]

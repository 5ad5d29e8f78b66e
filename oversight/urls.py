from django.urls import path

from . import views

app_name = "oversight"

urlpatterns = [
    path("<uuid:pk>/sign-off/", views.SignOffView.as_view(), name="signoff"),
    path(
        "<uuid:pk>/sign-off/<uuid:signoff_pk>/",
        views.SignOffDetailView.as_view(),
        name="signoff_detail",
    ),
    path("<uuid:pk>/stage/", views.StageChangeView.as_view(), name="change_stage"),
    path("<uuid:pk>/pause/", views.PauseView.as_view(), name="pause"),
    path("<uuid:pk>/retire/", views.RetireView.as_view(), name="retire"),
    path("<uuid:pk>/restart/", views.RestartView.as_view(), name="restart"),
    path("<uuid:pk>/review/", views.ScheduleReviewView.as_view(), name="schedule_review"),
    path("<uuid:pk>/audits/new/", views.AuditCreateView.as_view(), name="audit_create"),
    path("<uuid:pk>/audits/<uuid:audit_pk>/", views.AuditDetailView.as_view(), name="audit_detail"),
    path(
        "review-intervals/<slug:slug>/",
        views.ReviewPolicyView.as_view(),
        name="review_policy",
    ),
]

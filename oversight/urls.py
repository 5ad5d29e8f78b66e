from django.urls import path

from . import views

app_name = "oversight"

urlpatterns = [
    path("<int:pk>/sign-off/", views.SignOffView.as_view(), name="signoff"),
    path(
        "<int:pk>/sign-off/<int:signoff_pk>/",
        views.SignOffDetailView.as_view(),
        name="signoff_detail",
    ),
    path("<int:pk>/stage/", views.StageChangeView.as_view(), name="change_stage"),
    path("<int:pk>/pause/", views.PauseView.as_view(), name="pause"),
    path("<int:pk>/retire/", views.RetireView.as_view(), name="retire"),
    path("<int:pk>/restart/", views.RestartView.as_view(), name="restart"),
    path("<int:pk>/review/", views.ScheduleReviewView.as_view(), name="schedule_review"),
    path("<int:pk>/audits/new/", views.AuditCreateView.as_view(), name="audit_create"),
    path("<int:pk>/audits/<int:audit_pk>/", views.AuditDetailView.as_view(), name="audit_detail"),
    path(
        "review-intervals/<slug:slug>/",
        views.ReviewPolicyView.as_view(),
        name="review_policy",
    ),
]

"""Pages under /systems/<pk>/: consultation, comments, concerns and rights requests."""

from django.urls import path

from . import views

app_name = "consultations"

C = "<uuid:pk>/consultation/<uuid:consultation_pk>/"

urlpatterns = [
    path("<uuid:pk>/consultation/", views.ConsultationListView.as_view(), name="list"),
    path("<uuid:pk>/consultation/new/", views.ConsultationCreateView.as_view(), name="create"),
    path(C, views.ConsultationDetailView.as_view(), name="detail"),
    path(C + "edit/", views.ConsultationEditView.as_view(), name="edit"),
    path(C + "open/", views.ConsultationOpenView.as_view(), name="open"),
    path(C + "conclude/", views.ConsultationConcludeView.as_view(), name="conclude"),
    path(C + "checklist/", views.ChecklistView.as_view(), name="checklist"),
    path(C + "meetings/new/", views.MeetingFormView.as_view(), name="meeting_create"),
    path(
        C + "meetings/<uuid:meeting_pk>/", views.MeetingDetailView.as_view(), name="meeting_detail"
    ),
    path(
        C + "meetings/<uuid:meeting_pk>/edit/", views.MeetingFormView.as_view(), name="meeting_edit"
    ),
    path(C + "share/", views.ShareView.as_view(), name="share"),
    path(C + "position/", views.PositionView.as_view(), name="position"),
    path("<uuid:pk>/comments/new/", views.CommentCreateView.as_view(), name="comment_create"),
    path(
        "<uuid:pk>/comments/<uuid:comment_pk>/reply/",
        views.CommentReplyView.as_view(),
        name="comment_reply",
    ),
    path(
        "<uuid:pk>/comments/<uuid:comment_pk>/resolve/",
        views.CommentThreadActionView.as_view(action="resolve"),
        name="comment_resolve",
    ),
    path(
        "<uuid:pk>/comments/<uuid:comment_pk>/reopen/",
        views.CommentThreadActionView.as_view(action="reopen"),
        name="comment_reopen",
    ),
    path(
        "<uuid:pk>/comments/<uuid:comment_pk>/concern/",
        views.MarkConcernView.as_view(),
        name="comment_concern",
    ),
    path("<uuid:pk>/concerns/", views.ConcernListView.as_view(), name="concern_list"),
    path("<uuid:pk>/concerns/new/", views.ConcernCreateView.as_view(), name="concern_create"),
    path(
        "<uuid:pk>/concerns/<uuid:concern_pk>/",
        views.ConcernDetailView.as_view(),
        name="concern_detail",
    ),
    path(
        "<uuid:pk>/concerns/<uuid:concern_pk>/respond/",
        views.ConcernRespondView.as_view(),
        name="concern_respond",
    ),
    path(
        "<uuid:pk>/concerns/<uuid:concern_pk>/escalate/",
        views.ConcernActionView.as_view(action="escalate"),
        name="concern_escalate",
    ),
    path(
        "<uuid:pk>/concerns/<uuid:concern_pk>/resolve/",
        views.ConcernActionView.as_view(action="resolve"),
        name="concern_resolve",
    ),
    path(
        "<uuid:pk>/concerns/<uuid:concern_pk>/reopen/",
        views.ConcernActionView.as_view(action="reopen"),
        name="concern_reopen",
    ),
    path("<uuid:pk>/rights-requests/", views.RightsListView.as_view(), name="rights_list"),
    path("<uuid:pk>/rights-requests/new/", views.RightsCreateView.as_view(), name="rights_create"),
    path(
        "<uuid:pk>/rights-requests/<uuid:request_pk>/",
        views.RightsDetailView.as_view(),
        name="rights_detail",
    ),
    path(
        "<uuid:pk>/rights-requests/<uuid:request_pk>/edit/",
        views.RightsEditView.as_view(),
        name="rights_edit",
    ),
    path(
        "<uuid:pk>/rights-requests/<uuid:request_pk>/extend/",
        views.RightsExtendView.as_view(),
        name="rights_extend",
    ),
    path(
        "<uuid:pk>/rights-requests/<uuid:request_pk>/close/",
        views.RightsCloseView.as_view(),
        name="rights_close",
    ),
]

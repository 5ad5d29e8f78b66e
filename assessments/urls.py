from django.urls import path

from . import views

app_name = "assessments"

A = "<uuid:pk>/assessments/<uuid:aid>/"

urlpatterns = [
    path("<uuid:pk>/assessments/", views.OverviewView.as_view(), name="overview"),
    path("<uuid:pk>/assessments/start/<slug:kind>/", views.StartView.as_view(), name="start"),
    path(A, views.DetailView.as_view(), name="detail"),
    path(A + "check/", views.CheckView.as_view(), name="check"),
    path(A + "review/", views.ReviewView.as_view(), name="review"),
    path(A + "result/", views.ResultView.as_view(), name="result"),
    path(A + "compare/", views.CompareView.as_view(), name="compare"),
    path(A + "sections/<str:section>/", views.SectionView.as_view(), name="section"),
    path(A + "sections/<str:section>/add/", views.RowEditView.as_view(), name="row_add"),
    path(
        A + "sections/<str:section>/rows/<str:row>/", views.RowEditView.as_view(), name="row_edit"
    ),
    path(
        A + "sections/<str:section>/rows/<str:row>/remove/",
        views.RowDeleteView.as_view(),
        name="row_delete",
    ),
    path("<uuid:pk>/risks/", views.RiskListView.as_view(), name="risk_list"),
    path("<uuid:pk>/risks/new/", views.RiskCreateView.as_view(), name="risk_create"),
    path("<uuid:pk>/risks/<uuid:rid>/", views.RiskDetailView.as_view(), name="risk_detail"),
    path("<uuid:pk>/risks/<uuid:rid>/edit/", views.RiskEditView.as_view(), name="risk_edit"),
    path("<uuid:pk>/risks/<uuid:rid>/accept/", views.RiskAcceptView.as_view(), name="risk_accept"),
    path("<uuid:pk>/actions/", views.ActionListView.as_view(), name="action_list"),
    path("<uuid:pk>/actions/new/", views.ActionCreateView.as_view(), name="action_create"),
    path("<uuid:pk>/actions/<uuid:xid>/", views.ActionDetailView.as_view(), name="action_detail"),
    path("<uuid:pk>/actions/<uuid:xid>/edit/", views.ActionEditView.as_view(), name="action_edit"),
]

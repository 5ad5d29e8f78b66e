from django.urls import path

from . import views

app_name = "assessments"

A = "<int:pk>/assessments/<int:aid>/"

urlpatterns = [
    path("<int:pk>/assessments/", views.OverviewView.as_view(), name="overview"),
    path("<int:pk>/assessments/start/<slug:kind>/", views.StartView.as_view(), name="start"),
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
    path("<int:pk>/risks/", views.RiskListView.as_view(), name="risk_list"),
    path("<int:pk>/risks/new/", views.RiskCreateView.as_view(), name="risk_create"),
    path("<int:pk>/risks/<int:rid>/", views.RiskDetailView.as_view(), name="risk_detail"),
    path("<int:pk>/risks/<int:rid>/edit/", views.RiskEditView.as_view(), name="risk_edit"),
    path("<int:pk>/risks/<int:rid>/accept/", views.RiskAcceptView.as_view(), name="risk_accept"),
    path("<int:pk>/actions/", views.ActionListView.as_view(), name="action_list"),
    path("<int:pk>/actions/new/", views.ActionCreateView.as_view(), name="action_create"),
    path("<int:pk>/actions/<int:xid>/", views.ActionDetailView.as_view(), name="action_detail"),
    path("<int:pk>/actions/<int:xid>/edit/", views.ActionEditView.as_view(), name="action_edit"),
]

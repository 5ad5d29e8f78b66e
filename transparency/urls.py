from django.urls import path

from . import views

app_name = "transparency"

urlpatterns = [
    path("", views.register, name="register"),
    path("register.json", views.register_data, {"fmt": "json"}, name="register_json"),
    path("register.csv", views.register_data, {"fmt": "csv"}, name="register_csv"),
    path("schema.json", views.schema, name="schema"),
    path("<slug:organisation>/", views.register, name="body"),
    path(
        "<slug:organisation>/register.json",
        views.register_data,
        {"fmt": "json"},
        name="body_register_json",
    ),
    path(
        "<slug:organisation>/register.csv",
        views.register_data,
        {"fmt": "csv"},
        name="body_register_csv",
    ),
    path("<slug:organisation>/<slug:reference>/", views.system_page, name="system"),
]

"""Routes of the organisation-wide action item pages (included from secondstory/urls.py)."""

from django.urls import URLPattern, path

from secondstory.actions import views

app_name = "actions"
urlpatterns: list[URLPattern] = [
    path("", views.action_list, name="list"),
    path("export.csv", views.action_csv, name="csv"),
    path("figures/", views.figures_page, name="figures"),
    path("saved/", views.save_filter, name="save_filter"),
    path("saved/<int:pk>/delete/", views.delete_filter, name="delete_filter"),
]

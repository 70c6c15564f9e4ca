"""Routes of the library app (included from secondstory/urls.py)."""

from django.urls import URLPattern, path

from secondstory.library import views

app_name = "library"
urlpatterns: list[URLPattern] = [
    path("search/", views.search_page, name="search"),
    path("search/facets/", views.search_facets, name="facets"),
    path("ask", views.ask_page, name="ask"),
    path("similar/<str:key>/", views.similar_panel, name="similar"),
]

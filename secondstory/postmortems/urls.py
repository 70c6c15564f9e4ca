from django.urls import include, path

from secondstory.postmortems import home, views

app_name = "postmortems"
urlpatterns = [
    path("", home.home, name="home"),
    path("postmortems/", views.postmortem_list, name="list"),
    path("postmortems/<str:key>/", views.postmortem_detail, name="detail"),
    # The writing workspace, one module per topic (each defines its own routes).
    path("", include("secondstory.postmortems.urls_writing")),
    path("", include("secondstory.postmortems.urls_review")),
    path("", include("secondstory.incidents.urls_timeline")),
    path("", include("secondstory.postmortems.urls_document")),
]

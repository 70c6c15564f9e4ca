from django.urls import path

from secondstory.postmortems import views

app_name = "postmortems"
urlpatterns = [
    path("", views.postmortem_list, name="list"),
    path("postmortems/<str:key>/", views.postmortem_detail, name="detail"),
]

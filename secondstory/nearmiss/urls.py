from django.urls import path

from secondstory.nearmiss import views

app_name = "nearmiss"

urlpatterns = [
    path("", views.near_miss_list, name="list"),
    path("new", views.report_new, name="new"),
    path("thanks", views.thanks, name="thanks"),
    path("<int:pk>/", views.near_miss_detail, name="detail"),
    path("<int:pk>/triage", views.near_miss_triage, name="triage"),
    path("<int:pk>/incident", views.near_miss_incident, name="incident"),
]

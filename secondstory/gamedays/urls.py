from django.urls import path

from secondstory.gamedays import views

app_name = "gamedays"

urlpatterns = [
    path("", views.game_day_list, name="list"),
    path("suggestions/", views.suggestions, name="suggestions"),
    path("new/", views.game_day_new, name="new"),
    path("<str:key>/", views.game_day_detail, name="detail"),
    path("<str:key>/edit/", views.game_day_edit, name="edit"),
    path("<str:key>/status/", views.game_day_status, name="status"),
    path("<str:key>/verify/", views.game_day_verify, name="verify"),
]

"""Routes of the learning check (included under /postmortems/<key>/learning-check/)."""

from django.urls import URLPattern, path

from secondstory.learningcheck import views

app_name = "learningcheck"
urlpatterns: list[URLPattern] = [
    path("", views.survey_page, name="survey"),
    path("answer", views.answer, name="answer"),
    path("open", views.open_check, name="open"),
    path("close", views.close_check, name="close"),
]

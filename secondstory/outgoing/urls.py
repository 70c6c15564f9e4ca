"""Routes of outgoing webhooks (included from secondstory/urls.py at /webhooks/)."""

from django.urls import URLPattern, path

from secondstory.outgoing import views

app_name = "outgoing"
urlpatterns: list[URLPattern] = [
    path("", views.endpoint_list, name="endpoints"),
    path("<int:endpoint_id>/", views.endpoint_log, name="log"),
    path("<int:endpoint_id>/test", views.send_test, name="test"),
    path("<int:endpoint_id>/deliveries/<int:delivery_id>/retry", views.retry, name="retry"),
]

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "secondstory.api"
    label = "api"
    verbose_name = "REST API"

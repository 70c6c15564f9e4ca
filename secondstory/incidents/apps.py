from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "secondstory.incidents"
    label = "incidents"

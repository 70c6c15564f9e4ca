from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "secondstory.operations"
    label = "operations"
    verbose_name = "Operations"

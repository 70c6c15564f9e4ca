from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "secondstory.actions"
    label = "actions"
    verbose_name = "Action items"

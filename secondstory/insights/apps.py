from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "secondstory.insights"
    label = "insights"
    verbose_name = "Learning insights"

from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "secondstory.feeds"
    label = "feeds"
    verbose_name = "Calendar feeds and metrics"

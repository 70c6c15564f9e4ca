from django.apps import AppConfig


class TrackersConfig(AppConfig):
    name = "secondstory.trackers"
    label = "trackers"
    verbose_name = "Issue trackers"

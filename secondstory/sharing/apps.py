from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "secondstory.sharing"
    label = "sharing"
    verbose_name = "Sharing what was learned"

from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "secondstory.library"
    label = "library"
    verbose_name = "Learning library"

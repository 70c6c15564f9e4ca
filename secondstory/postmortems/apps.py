from django.apps import AppConfig


class PostmortemsConfig(AppConfig):
    name = "secondstory.postmortems"
    label = "postmortems"

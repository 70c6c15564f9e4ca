from django.apps import AppConfig


class GameDaysConfig(AppConfig):
    name = "secondstory.gamedays"
    label = "gamedays"
    verbose_name = "Game days and chaos experiments"

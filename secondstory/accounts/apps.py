from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "secondstory.accounts"
    label = "accounts"
    verbose_name = "People and teams"

from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "secondstory.notify"
    label = "notify"
    verbose_name = "Reminders and notifications"

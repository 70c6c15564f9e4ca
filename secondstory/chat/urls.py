"""Routes of live chat capture (included from secondstory/urls.py at /integrations/)."""

from django.urls import URLPattern, path

from secondstory.chat import mattermost_views, slack_views

app_name = "chat"
urlpatterns: list[URLPattern] = [
    path("slack/events", slack_views.events, name="slack_events"),
    path("slack/commands", slack_views.command, name="slack_commands"),
    path("mattermost/commands", mattermost_views.command, name="mattermost_commands"),
    path("mattermost/webhook", mattermost_views.webhook, name="mattermost_webhook"),
]

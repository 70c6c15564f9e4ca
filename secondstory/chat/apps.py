from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "secondstory.chat"
    label = "chat"
    verbose_name = "Chat capture"

    def ready(self) -> None:
        from secondstory.audit.capture import Tracked, track
        from secondstory.chat.models import ChannelLink, ChatWorkspace

        secrets = frozenset(
            {"signing_secret_encrypted", "bot_token_encrypted", "command_token_encrypted",
             "webhook_token_encrypted"}
        )  # fmt: skip
        track(ChatWorkspace, Tracked("name", secret=secrets))
        track(ChannelLink, Tracked("channel_name"))

"""The Atom feed of published postmortems behind a feed token."""

from __future__ import annotations

from datetime import datetime

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from secondstory.lib import site
from secondstory.lib.markdown import render_markdown
from secondstory.postmortems.models import Postmortem
from secondstory.sharing import services
from secondstory.sharing.models import FeedToken


def _absolute(path: str) -> str:
    return site.base_url() + path


class PostmortemFeed(Feed):  # type: ignore[type-arg]
    """Published postmortems of one feed token's scope that its creator may read."""

    feed_type = Atom1Feed

    def __init__(self, token: FeedToken) -> None:
        super().__init__()
        self.token = token

    def get_object(self, request: HttpRequest, *args: object, **kwargs: object) -> FeedToken:
        return self.token

    def title(self, obj: FeedToken) -> str:
        return f"secondstory: published postmortems of {obj.scope_label}"

    def subtitle(self, obj: FeedToken) -> str:
        return "Newly published postmortems, newest first."

    def link(self, obj: FeedToken) -> str:
        return _absolute(reverse("postmortems:list"))

    def feed_guid(self, obj: FeedToken) -> str:
        return f"urn:secondstory:feed:{obj.pk}"

    def items(self, obj: FeedToken) -> QuerySet[Postmortem]:
        return services.published_for(obj.created_by, obj)[: services.FEED_LENGTH]

    def item_title(self, item: Postmortem) -> str:
        # A game day's review is published like any postmortem, labelled (docs/game-days.md).
        label = "Exercise: " if item.is_exercise else ""
        return f"{label}{item.key}: {item.title}"

    def item_categories(self, item: Postmortem) -> list[str]:
        return ["exercise"] if item.is_exercise else []

    def item_link(self, item: Postmortem) -> str:
        return _absolute(reverse("postmortems:detail", args=[item.key]))

    def item_guid(self, item: Postmortem) -> str:
        return self.item_link(item)

    def item_description(self, item: Postmortem) -> str:
        return str(render_markdown(item.summary))

    def item_pubdate(self, item: Postmortem) -> datetime | None:
        return item.published_at

    def item_updateddate(self, item: Postmortem) -> datetime:
        return item.updated_at

    def item_author_name(self, item: Postmortem) -> str:
        return item.owner.name

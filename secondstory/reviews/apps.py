from __future__ import annotations

from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "secondstory.reviews"
    label = "reviews"
    verbose_name = "Review meetings"

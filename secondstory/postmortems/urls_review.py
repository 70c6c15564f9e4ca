"""Routes of the reviewing workspace: factors, action items, lifecycle and comments.

Included inside the "postmortems" namespace (see postmortems/urls.py).
"""

from django.urls import URLPattern, path

from secondstory.postmortems import (
    action_views,
    comment_views,
    factor_views,
    item_review_views,
    lifecycle_views,
    review_views,
)

_PM = "postmortems/<str:key>/"

urlpatterns: list[URLPattern] = [
    path(f"{_PM}factors/add/", factor_views.factor_add, name="factor_add"),
    path(f"{_PM}factors/events/", factor_views.factor_events, name="factor_events"),
    path(f"{_PM}factors/<str:factor_key>/edit/", factor_views.factor_edit, name="factor_edit"),
    path(
        f"{_PM}factors/<str:factor_key>/remove/",
        factor_views.factor_remove,
        name="factor_remove",
    ),
    path(f"{_PM}actions/add/", action_views.action_add, name="action_add"),
    path(f"{_PM}actions/<str:item_key>/edit/", action_views.action_edit, name="action_edit"),
    path(f"{_PM}actions/<str:item_key>/status/", action_views.action_status, name="action_status"),
    path(f"{_PM}submit/", lifecycle_views.lifecycle_submit, name="lifecycle_submit"),
    path(f"{_PM}review/", lifecycle_views.lifecycle_review, name="lifecycle_review"),
    path(f"{_PM}blameless/", review_views.blameless_review, name="blameless_review"),
    path(
        f"{_PM}item-review/dismiss/",
        item_review_views.item_review_dismiss,
        name="item_review_dismiss",
    ),
    path(f"{_PM}item-review/<str:kind>/", item_review_views.item_review, name="item_review"),
    path(f"{_PM}publish/", lifecycle_views.lifecycle_publish, name="lifecycle_publish"),
    path(
        f"{_PM}not-required/",
        lifecycle_views.lifecycle_not_required,
        name="lifecycle_not_required",
    ),
    path(f"{_PM}reopen/", lifecycle_views.lifecycle_reopen, name="lifecycle_reopen"),
    path(f"{_PM}comments/", comment_views.comment_add, name="comment_add"),
    path(
        f"{_PM}comments/<int:comment_id>/resolve/",
        comment_views.comment_resolve,
        name="comment_resolve",
    ),
    path(
        f"{_PM}comments/<int:comment_id>/accept/",
        comment_views.comment_accept,
        name="comment_accept",
    ),
    path(
        f"{_PM}comments/<int:comment_id>/reopen/",
        comment_views.comment_reopen,
        name="comment_reopen",
    ),
]

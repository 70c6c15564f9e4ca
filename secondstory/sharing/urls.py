"""Routes of the sharing app (included from secondstory/urls.py)."""

from django.urls import path, re_path

from secondstory.sharing import views

app_name = "sharing"
urlpatterns = [
    path("", views.index, name="index"),
    path("feeds/new/", views.create_feed, name="create_feed"),
    path("feeds/<int:pk>/revoke/", views.revoke_feed, name="revoke_feed"),
    re_path(r"^feeds/(?P<token>[A-Za-z0-9_-]{16,128})\.atom$", views.atom, name="atom"),
    path("subscriptions/new/", views.subscribe, name="subscribe"),
    path("subscriptions/<int:pk>/delete/", views.unsubscribe, name="unsubscribe"),
    path(
        "postmortems/<str:key>/customer-summary/",
        views.edit_customer_summary,
        name="edit_customer_summary",
    ),
    path(
        "postmortems/<str:key>/customer-summary/view/",
        views.customer_summary,
        name="customer_summary",
    ),
    path(
        "postmortems/<str:key>/customer-summary.md",
        views.customer_summary_markdown,
        name="customer_summary_markdown",
    ),
]

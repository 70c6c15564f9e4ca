from django.urls import path

from secondstory.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.audit_log, name="log"),
    path("audit.csv", views.audit_download, {"fmt": "csv"}, name="csv"),
    path("audit.jsonl", views.audit_download, {"fmt": "jsonl"}, name="jsonl"),
]

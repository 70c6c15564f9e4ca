from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from secondstory.outgoing.models import EVENT_KINDS, WebhookDelivery, WebhookEndpoint


class EndpointForm(forms.ModelForm):  # type: ignore[type-arg]
    url = forms.URLField(max_length=500, assume_scheme="https")
    kinds = forms.MultipleChoiceField(
        choices=EVENT_KINDS, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = WebhookEndpoint
        fields = ("name", "url", "secret", "kinds", "active")


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = EndpointForm
    list_display = ("name", "url", "active", "created_at", "delivery_log")
    list_filter = ("active",)
    search_fields = ("name", "url")

    @admin.display(description="Deliveries")
    def delivery_log(self, endpoint: WebhookEndpoint) -> str:
        url = reverse("outgoing:log", args=[endpoint.pk])
        return format_html('<a href="{}">Delivery log and test</a>', url)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("created_at", "endpoint", "kind", "status", "attempts", "response_code")
    list_filter = ("status", "kind", "endpoint")
    list_select_related = ("endpoint",)
    search_fields = ("event_id", "key", "error")
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

"""The worker's part: send the invites a request queued."""

from __future__ import annotations

from django_tasks import task


@task()
def send_invites(delivery_ids: list[int]) -> dict[str, int]:
    from secondstory.notify.services import send_queued

    tried = send_queued(delivery_ids)
    return {
        "sent": sum(1 for d in tried if d.status == "sent"),
        "failed": sum(1 for d in tried if d.status != "sent"),
    }

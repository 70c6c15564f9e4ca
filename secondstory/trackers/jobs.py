"""The worker's periodic tracker job."""

from __future__ import annotations

import logging

from secondstory.trackers import services

logger = logging.getLogger("secondstory.trackers")


def pull_sync() -> services.PullReport:
    """Pull every linked issue's state from its tracker (the fallback for missed webhooks)."""
    report = services.pull_sync()
    logger.info(
        "tracker pull sync: %d checked, %d changed, %d failed, %d skipped",
        report.checked, report.changed, report.failed, report.skipped,
    )  # fmt: skip
    return report

"""The learning-health diagnostic: named checks over plain data, with no Django in them.

One module per check; ``registry.CHECK_IDS`` lists them in order; ``config.Thresholds``
holds the documented defaults; ``render`` writes the results as text, Markdown,
JSON or a self-contained HTML page.
"""

from secondstory.core.insights.health.config import Thresholds
from secondstory.core.insights.health.model import (
    CheckResult,
    FactorRow,
    HealthData,
    ItemRow,
    MonthRow,
    PostmortemRow,
)
from secondstory.core.insights.health.registry import CHECK_IDS, by_severity, evaluate

__all__ = [
    "CHECK_IDS",
    "CheckResult",
    "FactorRow",
    "HealthData",
    "ItemRow",
    "MonthRow",
    "PostmortemRow",
    "Thresholds",
    "by_severity",
    "evaluate",
]

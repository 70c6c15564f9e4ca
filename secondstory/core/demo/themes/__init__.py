"""The recurring incident themes of the demo company."""

from __future__ import annotations

from secondstory.core.demo.theme import Theme
from secondstory.core.demo.themes.alert_fatigue import ALERT_FATIGUE
from secondstory.core.demo.themes.cert_expiry import CERT_EXPIRY
from secondstory.core.demo.themes.checkout_config import CHECKOUT_CONFIG
from secondstory.core.demo.themes.credential_leak import CREDENTIAL_LEAK
from secondstory.core.demo.themes.db_pool import DB_POOL
from secondstory.core.demo.themes.deploy_pipeline import DEPLOY_PIPELINE
from secondstory.core.demo.themes.dns_ttl import DNS_TTL
from secondstory.core.demo.themes.failed_failover import FAILED_FAILOVER
from secondstory.core.demo.themes.payment_provider import PAYMENT_PROVIDER
from secondstory.core.demo.themes.runaway_batch import RUNAWAY_BATCH

# Each theme with how often it occurs (relative weight; also the count in the base demo).
WEIGHTED_THEMES: tuple[tuple[Theme, int], ...] = (
    (CHECKOUT_CONFIG, 9),
    (DB_POOL, 8),
    (ALERT_FATIGUE, 9),
    (PAYMENT_PROVIDER, 7),
    (RUNAWAY_BATCH, 7),
    (CERT_EXPIRY, 6),
    (DEPLOY_PIPELINE, 6),
    (DNS_TTL, 5),
    (FAILED_FAILOVER, 4),
    (CREDENTIAL_LEAK, 4),
)

THEMES: tuple[Theme, ...] = tuple(theme for theme, _ in WEIGHTED_THEMES)
BY_CODE: dict[str, Theme] = {theme.code: theme for theme in THEMES}

__all__ = ["BY_CODE", "THEMES", "WEIGHTED_THEMES"]

"""Theme: the third-party card processor has an outage of its own."""

from __future__ import annotations

from secondstory.core.demo.theme import ActionTemplate, FactorTemplate, Step, Theme

PAYMENT_PROVIDER = Theme(
    code="payment-provider",
    name="Third-party payment provider outage",
    titles=(
        "Card payments failing during a Kestrel Pay outage",
        "Payment authorisations timing out: Kestrel Pay {region} degraded",
        "Checkout degraded by card processor errors",
    ),
    services=("payments-gateway", "checkout-api"),
    tags=("payments", "third-party", "kestrel-pay"),
    severity_weights=(2, 7, 9, 3),
    options=(
        (
            {"region": "EU", "region_in": "in the EU", "vendor_err": "upstream_timeout"},
            {"region": "US", "region_in": "in the US", "vendor_err": "issuer_unavailable"},
            {
                "region": "global",
                "region_in": "in all regions",
                "vendor_err": "503 service_unavailable",
            },
        ),
        (
            {"alert": "PaymentsAuthSuccessRateLow", "metric": "authorisation success rate"},
            {"alert": "PaymentsGatewayLatencyHigh", "metric": "authorisation latency"},
        ),
        ({"symptom": "paying by card"},),
        ({"case": "KP-48213"}, {"case": "KP-51877"}, {"case": "KP-60342"}, {"case": "KP-39120"}),
    ),
    steps=(
        Step(
            anchor="impact",
            lo=-20,
            hi=-3,
            kind="status",
            source="kestrel-status",
            tag="vendor-status",
            known=False,
            star=True,
            texts=(
                "Kestrel Pay status page: 'Investigating elevated latency for card "
                "authorisations {region_in}' (we were not subscribed; found afterwards)",
            ),
        ),
        Step(
            anchor="impact",
            lo=-2,
            hi=-0.2,
            kind="alert",
            source="alertmanager",
            tag="warning",
            texts=("[FIRING] PaymentsGatewayLatencyHigh (warning) for payments-gateway",),
        ),
        Step(
            anchor="impact",
            lo=0.5,
            hi=4,
            kind="observation",
            source="grafana",
            tag="workers",
            known=False,
            texts=(
                "checkout-api worker pool fully occupied by requests waiting on Kestrel Pay "
                "(seen in saturation graphs afterwards)",
            ),
        ),
        Step(
            anchor="~acknowledged",
            lo=0.05,
            hi=0.25,
            kind="chat",
            source="slack",
            role="oncall",
            tag="diagnosis",
            texts=(
                "auth success rate is down to {pct_ok}%. every failure is `{vendor_err}` from "
                "Kestrel",
                "it's not us: Kestrel Pay returns `{vendor_err}` for most authorisations",
            ),
        ),
        Step(
            anchor="~acknowledged",
            lo=0.2,
            hi=0.4,
            kind="comms",
            source="email",
            role="oncall",
            tag="vendor-case",
            texts=("Support case {case} opened with Kestrel Pay, priority urgent",),
        ),
        Step(
            anchor="~acknowledged",
            lo=0.4,
            hi=0.55,
            kind="decision",
            source="slack",
            role="ic",
            tag="decision",
            star=True,
            texts=(
                "Decision: switch checkout to 'pay later' for returning customers and show the "
                "payment banner. We can't fix Kestrel, so we limit the damage.",
                "Decision: lower the auth timeout to 5 s so checkout workers stop piling up; "
                "banner on.",
            ),
        ),
        Step(
            anchor="~acknowledged",
            lo=0.55,
            hi=0.75,
            kind="action",
            source="flags",
            role="oncall",
            tag="fix",
            texts=("Feature flag `checkout.payment_degraded_mode` enabled",),
        ),
        Step(
            anchor="~acknowledged",
            lo=0.8,
            hi=1.0,
            kind="status",
            source="kestrel-status",
            texts=("Kestrel Pay status page: 'A fix has been implemented and we are monitoring'",),
        ),
    ),
    factors=(
        FactorTemplate(
            code="vendor",
            category="external_dependency",
            core=True,
            tags=("vendor-status", "diagnosis"),
            descriptions=(
                "Kestrel Pay had an outage {region_in}; all card payments depend on it and "
                "there is no second processor.",
            ),
            evidence=("Kestrel Pay incident notice and support case {case}.",),
        ),
        FactorTemplate(
            code="timeouts",
            category="technical",
            tags=("workers",),
            descriptions=(
                "Checkout waits for the full 30-second provider timeout, so slow "
                "authorisations tie up workers and slow down checkout for everyone.",
            ),
            evidence=("Worker saturation graph during the incident.",),
        ),
        FactorTemplate(
            code="vendor-signal",
            category="detection",
            tags=("vendor-status",),
            descriptions=(
                "The provider's status page is not connected to any of our channels; we "
                "learned about their incident from our own alerts.",
            ),
            evidence=("No subscription to the Kestrel Pay status feed exists.",),
        ),
        FactorTemplate(
            code="second-acquirer",
            category="goal_conflict",
            descriptions=(
                "A second processor was evaluated last year and postponed because of its cost; "
                "resilience and cost pulled in different directions.",
            ),
            evidence=("Decision record on payment processors, status 'postponed'.",),
        ),
        FactorTemplate(
            code="escalation",
            category="response",
            tags=("vendor-case",),
            descriptions=(
                "Nobody on the rota knew the provider's escalation path; the case was opened "
                "through the general support form.",
            ),
            evidence=("Support case {case} was opened at normal priority and raised later.",),
        ),
    ),
    actions=(
        ActionTemplate(
            titles=("Add a circuit breaker around Kestrel Pay authorisation calls",),
            type="mitigate",
            priority="P1",
            factors=("timeouts",),
            done="A provider slowdown no longer exhausts checkout workers in a load test.",
        ),
        ActionTemplate(
            titles=("Subscribe the payments channel to Kestrel Pay's status feed",),
            type="detect",
            priority="P2",
            factors=("vendor-signal",),
        ),
        ActionTemplate(
            titles=("Evaluate a secondary card processor",),
            type="investigate",
            priority="P1",
            factors=("vendor", "second-acquirer"),
        ),
        ActionTemplate(
            titles=("Agree escalation contacts with Kestrel Pay and add them to the runbook",),
            type="process",
            priority="P2",
            factors=("escalation",),
        ),
        ActionTemplate(
            titles=("Lower the authorisation timeout to 8 seconds",),
            type="mitigate",
            priority="P2",
            factors=("timeouts",),
        ),
    ),
    summary=(
        "On {date}, our card processor Kestrel Pay had an outage {region_in}. About {pct}% "
        "of card payments failed for {impact_dur}, and waiting on the provider slowed "
        "checkout for other customers too.",
        "A Kestrel Pay outage ({region}) made card authorisations fail or time out. Checkout "
        "switched to a degraded mode, which limited the impact to {n} failed payments over "
        "{impact_dur}.",
    ),
    trigger=("An outage at Kestrel Pay affecting card authorisations {region_in}.",),
    background=(
        "All card payments go through Kestrel Pay. Checkout waits for the authorisation "
        "result before confirming an order.",
    ),
    impact=(
        "- {n} card payments failed (source: payments-gateway authorisation log).",
        "- {n2} customers completed their order later using 'pay later' (source: orders report).",
        "- Success rate fell to {pct_ok}% at worst (source: Grafana, Payments dashboard).",
    ),
    detection_text=(
        "{alert} paged the checkout on-call. The provider's own status page had shown a "
        "problem a few minutes earlier, but nothing of ours watches it.",
    ),
    response_text=(
        "The on-call quickly established that errors came from the provider and opened a "
        "support case. The incident commander chose to limit the damage with the degraded "
        "payment mode while the provider recovered.",
    ),
    went_well=(
        "The degraded payment mode worked as designed on its first real use.",
        "Support had a customer macro ready within 20 minutes.",
    ),
    went_poorly=(
        "Finding the provider's escalation contact took too long.",
        "Slow provider responses affected customers who were not paying by card.",
    ),
    got_lucky=("The outage ended before the evening peak.",),
    surprises=("A provider slowdown hurt us more than a provider outage would have.",),
    open_questions=("What does a second processor cost compared with an hour of failed payments?",),
    volume=120.0,
    mitigate_factor=1.3,
)

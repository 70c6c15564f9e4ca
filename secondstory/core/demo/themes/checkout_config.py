"""Theme: a config change that skipped the canary takes checkout down."""

from __future__ import annotations

from secondstory.core.demo.theme import ActionTemplate, FactorTemplate, Step, Theme

CHECKOUT_CONFIG = Theme(
    code="checkout-config",
    name="Config change without canary on checkout",
    titles=(
        "Checkout failures after a config change to {cfg_key}",
        "Checkout errors following a {cfg_key} change",
        "Failed checkouts: config change reached all regions at once",
    ),
    services=("checkout-api",),
    tags=("checkout", "config-change", "no-canary"),
    severity_weights=(2, 6, 12, 6),
    options=(
        (
            {
                "cfg_key": "payment_auth_timeout_ms",
                "cfg_old": "8000",
                "cfg_new": "800",
                "cfg_effect": "authorisation calls to the payments gateway timed out before "
                "the card network answered",
                "err_log": "AuthorisationTimeout after 800ms",
                "svc2": "payments-gateway",
            },
            {
                "cfg_key": "fraud_check_mode",
                "cfg_old": "async",
                "cfg_new": "sync",
                "cfg_effect": "every checkout waited on fraud scoring, which could not absorb "
                "the synchronous load",
                "err_log": "fraud-score: 429 Too Many Requests",
                "svc2": "payments-gateway",
            },
            {
                "cfg_key": "tax_quote_endpoint",
                "cfg_old": "tax-v2.internal",
                "cfg_new": "tax-v3.internal",
                "cfg_effect": "the new tax endpoint rejected baskets that contained gift cards",
                "err_log": "tax quote rejected: unsupported line type GIFT_CARD",
            },
            {
                "cfg_key": "basket_max_lines",
                "cfg_old": "200",
                "cfg_new": "20",
                "cfg_effect": "baskets above the new limit failed validation with a generic error",
                "err_log": "BasketValidationError: too many lines",
            },
        ),
        (
            {"alert": "CheckoutHigh5xxRate", "metric": "5xx rate on POST /checkout"},
            {"alert": "CheckoutConversionDrop", "metric": "checkout conversion"},
            {"alert": "CheckoutErrorBudgetBurn", "metric": "checkout error budget burn"},
        ),
        (
            {"why": "to unblock the spring promotion"},
            {"why": "as part of the tax provider migration"},
            {"why": "after a recommendation from the payments vendor"},
            {"why": "to reduce load during the weekend sale"},
        ),
        ({"symptom": "paying for an order"}, {"symptom": "completing checkout"}),
    ),
    steps=(
        Step(
            anchor="impact",
            lo=-45,
            hi=-8,
            kind="change",
            source="github",
            role="author",
            tag="trigger",
            star=True,
            texts=(
                "PR #{pr} merged in larkspur/checkout-config: `{cfg_key}` {cfg_old} → {cfg_new} "
                "({why})",
                "Merged #{pr}: change `{cfg_key}` from {cfg_old} to {cfg_new}, {why}",
            ),
            ref="larkspur/checkout-config#{pr}",
            url="https://github.example.com/larkspur/checkout-config/pull/{pr}",
        ),
        Step(
            anchor="impact",
            lo=-2,
            hi=-0.3,
            kind="change",
            source="argo",
            tag="rollout",
            texts=(
                "checkout-config synced to production: all regions in one step "
                "(config changes skip the canary stage)",
                "Argo CD: checkout-config Synced/Healthy in eu-west, us-east and ap-south",
            ),
        ),
        Step(
            anchor="impact",
            lo=0.2,
            hi=2,
            kind="observation",
            source="loki",
            tag="logs",
            known=False,
            texts=(
                "First `{err_log}` lines in checkout-api logs (found while writing the postmortem)",
            ),
        ),
        Step(
            anchor="~acknowledged",
            lo=0.05,
            hi=0.25,
            kind="chat",
            source="slack",
            role="oncall",
            texts=(
                "{metric} is at {pct}%. no deploys of checkout-api today — did anything "
                "change in config?",
                "seeing `{err_log}` all over the logs. who has touched checkout-config today?",
            ),
        ),
        Step(
            anchor="~acknowledged",
            lo=0.25,
            hi=0.45,
            kind="chat",
            source="slack",
            role="author",
            texts=(
                "that lines up with #{pr}, I changed `{cfg_key}` a few minutes before. happy "
                "to revert",
                "#{pr} is mine — `{cfg_key}` went to {cfg_new}. reverting?",
            ),
        ),
        Step(
            anchor="~acknowledged",
            lo=0.45,
            hi=0.6,
            kind="decision",
            source="slack",
            role="ic",
            tag="decision",
            star=True,
            texts=(
                "Decision: revert #{pr} now and investigate afterwards. {author_first} opens the "
                "revert, {sre_first} watches the error rate.",
                "We roll back the config first, questions later. {author_first}, go ahead.",
            ),
        ),
        Step(
            anchor="~acknowledged",
            lo=0.65,
            hi=0.8,
            kind="change",
            source="github",
            role="author",
            texts=("Revert PR #{pr2} merged: `{cfg_key}` back to {cfg_old}",),
            ref="larkspur/checkout-config#{pr2}",
        ),
        Step(
            anchor="~acknowledged",
            lo=0.85,
            hi=0.98,
            kind="action",
            source="argo",
            tag="revert",
            texts=("checkout-config re-synced with the previous values in all regions",),
        ),
    ),
    factors=(
        FactorTemplate(
            code="no-canary",
            category="process",
            core=True,
            tags=("rollout",),
            descriptions=(
                "Config changes to checkout go to every region at once; only code deploys pass "
                "through the canary stage.",
                "The pipeline treats a config change as low risk and skips the canary that code "
                "changes get, so the new `{cfg_key}` reached all traffic in one step.",
            ),
            evidence=(
                "Argo CD history: the sync applied to all three regions within 90 seconds; the "
                "canary stage only appears for image changes.",
                "Pipeline definition: `canary: true` is set for the image job, not for the "
                "config job.",
            ),
        ),
        FactorTemplate(
            code="validation",
            category="tooling",
            tags=("trigger",),
            descriptions=(
                "Nothing checks config values against what the service can tolerate; "
                "`{cfg_new}` was a valid value as far as the schema was concerned.",
                "The config schema types `{cfg_key}` but has no bounds or allowed values.",
            ),
            evidence=(
                "checkout-config/schema.yaml declares the field with a type and no range.",
                "CI for #{pr} passed: lint and schema checks only.",
            ),
        ),
        FactorTemplate(
            code="review",
            category="knowledge",
            tags=("trigger",),
            descriptions=(
                "The effect of `{cfg_key}` only shows under production traffic; the diff in "
                "review looked like a one-line tuning change.",
                "What `{cfg_key}` does at runtime is documented in code comments only, so the "
                "review could not see that {cfg_effect}.",
            ),
            evidence=("Review thread on #{pr}: one approval, no questions about runtime effect.",),
        ),
        FactorTemplate(
            code="pressure",
            category="production_pressure",
            tags=("trigger",),
            descriptions=(
                "The change was made {why}; a config change was the fast path and a full deploy "
                "would have taken most of a day.",
            ),
            evidence=("Planning notes for the week list the change as blocking other work.",),
        ),
        FactorTemplate(
            code="slow-alert",
            category="detection",
            tags=("alert", "logs"),
            descriptions=(
                "{alert} evaluates over a 10-minute window, so it fired {ttd} after the errors "
                "began.",
            ),
            evidence=(
                "Loki shows the first errors at {impact_hm} UTC; the alert fired at "
                "{detected_hm} UTC.",
            ),
        ),
    ),
    actions=(
        ActionTemplate(
            titles=(
                "Route checkout config changes through the canary stage",
                "Canary config-only changes to checkout-api",
            ),
            type="prevent",
            priority="P1",
            factors=("no-canary",),
            done="A config-only change reaches the canary region for 15 minutes before others.",
            team="platform",
        ),
        ActionTemplate(
            titles=("Add range checks for checkout timeouts and limits to the config schema",),
            type="prevent",
            priority="P1",
            factors=("validation",),
            done="CI rejects out-of-range values for every numeric checkout setting.",
        ),
        ActionTemplate(
            titles=("Shorten the {alert} evaluation window to 3 minutes",),
            type="detect",
            priority="P2",
            factors=("slow-alert",),
            done="The alert fires within 5 minutes in a replayed incident.",
        ),
        ActionTemplate(
            titles=("Document the runtime effect of each checkout setting next to its schema",),
            type="process",
            priority="P2",
            factors=("review", "validation"),
        ),
        ActionTemplate(
            titles=("Investigate a staged rollout for config that must ship quickly",),
            type="investigate",
            priority="P2",
            factors=("pressure", "no-canary"),
        ),
    ),
    summary=(
        "On {date}, a configuration change set `{cfg_key}` on checkout-api to {cfg_new}; "
        "{cfg_effect}. For {impact_dur}, around {pct}% of checkout attempts failed. Reverting "
        "the change restored checkout at {mitigated_hm} UTC.",
        "A config-only change to checkout-api (`{cfg_key}`: {cfg_old} → {cfg_new}) reached all "
        "regions at once. As a result {cfg_effect}, and {n} checkout attempts failed over "
        "{impact_dur} until the change was reverted.",
    ),
    trigger=(
        "Merging PR #{pr}, which changed `{cfg_key}` from {cfg_old} to {cfg_new} {why}. "
        "Argo CD applied it to every region within two minutes.",
    ),
    background=(
        "checkout-api reads its runtime settings from the checkout-config repository. Argo CD "
        "applies changes within a minute or two. Code deploys pass through a 15-minute canary; "
        "config changes do not, because they were considered low risk when the pipeline was "
        "built.",
    ),
    impact=(
        "- {n} checkout attempts failed (source: checkout-api access logs, HTTP 5xx on "
        "`POST /checkout`).",
        "- Peak failure rate {pct}% (source: Grafana, Checkout overview dashboard).",
        "- About {n2} customers saw at least one error (source: session analytics).",
    ),
    detection_text=(
        "{alert} paged the checkout on-call. The alert evaluates over ten minutes, which is "
        "most of the time to detect.",
        "The page came from {alert}; the config change itself produced no signal anywhere "
        "the on-call would look.",
    ),
    response_text=(
        "The on-call found no recent deploy of checkout-api and asked in the channel about "
        "config. The author of #{pr} connected the timing, and {lead} chose "
        "to revert before investigating further. The revert synced within two minutes.",
    ),
    went_well=(
        "The author of the change joined the channel within minutes and offered the revert.",
        "Reverting a config change is one click in Argo CD and everyone knew how.",
        "The decision to revert first and investigate later kept the impact short.",
    ),
    went_poorly=(
        "Config changes do not appear in the deploy channel, so the first question was "
        "'what changed?' and it took a while to answer.",
        "The alert window added most of the time to detect.",
    ),
    got_lucky=(
        "The change landed outside the evening peak; at peak traffic the failure count would "
        "have been about three times higher.",
    ),
    surprises=(
        "Several responders assumed config changes went through the canary like code does.",
        "The schema accepted a value that the service cannot work with.",
    ),
    open_questions=(
        "Which other services share the 'config skips canary' shortcut?",
        "Should config and code share one pipeline?",
    ),
    volume=180.0,
)

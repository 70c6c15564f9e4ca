"""Theme: a batch export runs away and starves the orders database."""

from __future__ import annotations

from secondstory.core.demo.theme import ActionTemplate, FactorTemplate, Step, Theme

RUNAWAY_BATCH = Theme(
    code="runaway-batch",
    name="Runaway batch job",
    titles=(
        "Slow checkout while {job} saturated orders-db",
        "{job} ran away and starved the orders database",
        "Orders database saturated by a batch export",
    ),
    services=("nightly-exports", "orders-db"),
    tags=("batch", "database", "exports"),
    severity_weights=(0, 4, 12, 8),
    options=(
        (
            {"job": "finance-ledger-export"},
            {"job": "warehouse-snapshot"},
            {"job": "vat-report"},
            {"job": "refunds-reconciliation"},
        ),
        (
            {
                "cause": "a date filter defaulted to 'all time' after a library upgrade",
                "cause_short": "an unbounded date range",
                "learned": "the job logged a window of 1970-01-01 to today",
                "auto": "The export's date filter silently changed meaning after the upgrade, "
                "and the job read every order ever placed.",
            },
            {
                "cause": "a retry loop restarted the export from the beginning after every timeout",
                "cause_short": "a retry loop",
                "learned": "the job logged seven restarts from offset 0",
                "auto": "The job's retry wrapper restarted the whole export after each timeout, "
                "so the load kept coming back.",
            },
            {
                "cause": "the job was moved from 02:00 to 14:00 UTC to meet a new finance deadline",
                "cause_short": "a daytime schedule",
                "learned": "the scheduler config shows the new 14:00 cron from PR #{pr}",
                "auto": "The scheduler started the job at the new time with no check for "
                "the load already on the database.",
            },
        ),
        (
            {"alert": "CheckoutLatencyP99High", "metric": "p99 latency"},
            {"alert": "OrdersDbCPUSaturated", "metric": "orders-db CPU"},
        ),
        ({"symptom": "placing orders"}, {"symptom": "loading order history"}),
    ),
    steps=(
        Step(
            anchor="impact",
            lo=-600,
            hi=-120,
            kind="change",
            source="github",
            role="author",
            tag="change",
            texts=(
                "PR #{pr} merged in larkspur/nightly-exports: update {job}",
                "Merged #{pr}: library upgrade and schedule tidy-up for {job}",
            ),
            ref="larkspur/nightly-exports#{pr}",
            url="https://github.example.com/larkspur/nightly-exports/pull/{pr}",
        ),
        Step(
            anchor="impact",
            lo=-40,
            hi=-15,
            kind="action",
            source="airflow",
            tag="start",
            star=True,
            texts=("DAG run {job} started",),
        ),
        Step(
            anchor="impact",
            lo=-14,
            hi=-2,
            kind="alert",
            source="alertmanager",
            tag="warning",
            texts=(
                "[FIRING] OrdersDbIOHigh (warning) — routed to #data-alerts, which does not page",
            ),
        ),
        Step(
            anchor="impact",
            lo=5,
            hi=60,
            kind="observation",
            source="loki",
            tag="learned",
            known=False,
            texts=("{job} logs: {learned} (found during the postmortem)",),
        ),
        Step(
            anchor="~acknowledged",
            lo=0.05,
            hi=0.3,
            kind="chat",
            source="slack",
            role="sre",
            tag="diagnosis",
            texts=(
                "top queries on orders-db are all from {job}: sequential scans over orders",
                "orders-db CPU at 98%, and pg_stat_statements points straight at {job}",
            ),
        ),
        Step(
            anchor="~acknowledged",
            lo=0.3,
            hi=0.5,
            kind="decision",
            source="slack",
            role="ic",
            tag="decision",
            star=True,
            texts=(
                "Decision: stop {job} now and rerun it tonight against the replica. Finance "
                "gets the export late; I'll let them know.",
            ),
        ),
        Step(
            anchor="~acknowledged",
            lo=0.5,
            hi=0.7,
            kind="action",
            source="airflow",
            role="oncall",
            tag="fix",
            texts=("DAG run {job} marked failed; worker pods terminated",),
        ),
        Step(
            anchor="~acknowledged",
            lo=0.7,
            hi=0.9,
            kind="comms",
            source="slack",
            role="ic",
            chance=0.7,
            texts=(
                "#finance: today's {job} is paused to protect checkout; a rerun is planned "
                "for tonight",
            ),
        ),
    ),
    factors=(
        FactorTemplate(
            code="primary",
            category="technical",
            core=True,
            tags=("start", "diagnosis"),
            descriptions=(
                "{job} reads from the orders-db primary rather than the replica, so its load "
                "competes with checkout.",
            ),
            evidence=("Connection string in the job config points at the primary host.",),
        ),
        FactorTemplate(
            code="runaway",
            category="automation_surprise",
            core=True,
            tags=("learned",),
            descriptions=("{auto}",),
            evidence=("Job logs: {learned}.",),
        ),
        FactorTemplate(
            code="limits",
            category="process",
            descriptions=(
                "Batch roles on orders-db have no statement timeout or resource limits, so a "
                "runaway query runs until someone stops it.",
            ),
            evidence=("`SHOW statement_timeout` for the exports role returns 0.",),
        ),
        FactorTemplate(
            code="deadline",
            category="goal_conflict",
            tags=("change",),
            descriptions=(
                "Finance needed exports earlier in the day, and checkout needs the database "
                "quiet during the day; no one arbitrates between the two.",
            ),
            evidence=("Finance request in the data team's queue, agreed without a load review.",),
        ),
        FactorTemplate(
            code="warning-route",
            category="detection",
            tags=("warning",),
            descriptions=(
                "The IO warning fired before customer impact but routes to a channel that "
                "does not page.",
            ),
            evidence=("Alertmanager route: severity=warning → #data-alerts.",),
        ),
    ),
    actions=(
        ActionTemplate(
            titles=("Point batch exports at the orders-db replica",),
            type="prevent",
            priority="P1",
            factors=("primary",),
            done="No batch role can connect to the primary.",
        ),
        ActionTemplate(
            titles=("Set a statement timeout for the exports role on orders-db",),
            type="mitigate",
            priority="P1",
            factors=("limits", "runaway"),
        ),
        ActionTemplate(
            titles=("Add a row-count guard to {job}",),
            type="prevent",
            priority="P2",
            factors=("runaway",),
            done="The job stops if it selects more than twice yesterday's row count.",
        ),
        ActionTemplate(
            titles=("Agree an export window with finance outside peak hours",),
            type="process",
            priority="P2",
            factors=("deadline",),
        ),
        ActionTemplate(
            titles=("Page on sustained IO saturation on orders-db",),
            type="detect",
            priority="P2",
            factors=("warning-route",),
        ),
    ),
    summary=(
        "On {date}, the {job} batch job saturated the orders database because of "
        "{cause_short}. Checkout and order history slowed down or failed for {impact_dur}, "
        "until the job was stopped.",
        "{job} read far more data than usual ({cause}) from the orders-db primary. About "
        "{pct}% of checkout requests timed out for {impact_dur}.",
    ),
    trigger=("The {job} run that started shortly before impact; {cause}.",),
    background=(
        "Exports for finance, tax and the warehouse run as Airflow jobs against orders-db. "
        "They were written when order volume was a tenth of today's.",
    ),
    impact=(
        "- {n} checkout requests timed out (source: checkout-api access logs).",
        "- Finance received the {job} output the next morning instead of the same day "
        "(source: Airflow run history).",
    ),
    detection_text=(
        "A warning fired before impact in a channel that does not page. {alert} paged the "
        "on-call once checkout slowed down.",
    ),
    response_text=(
        "An SRE identified the job from the database's query statistics. The incident "
        "commander chose to stop the job and accept a late export rather than try to tune "
        "it live.",
    ),
    went_well=(
        "Query statistics pointed at the job within minutes.",
        "Finance were told early and planned around the late export.",
    ),
    went_poorly=(
        "The early warning went to a channel nobody watches in real time.",
        "Stopping the job required finding the right Airflow permissions.",
    ),
    got_lucky=("It happened on a weekday, not during the month-end close.",),
    surprises=("A change to a batch job can hurt checkout.", "The replica sat almost idle."),
    open_questions=(
        "Should batch jobs have their own database?",
        "Who decides when heavy jobs may run?",
    ),
    volume=160.0,
    detect_factor=1.4,
)

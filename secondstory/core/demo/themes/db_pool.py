"""Theme: scaling out exhausts the orders database's connections."""

from __future__ import annotations

from secondstory.core.demo.theme import ActionTemplate, FactorTemplate, Step, Theme

DB_POOL = Theme(
    code="db-pool",
    name="Connection-pool exhaustion on the orders database",
    titles=(
        "Orders database out of connections during {load_short}",
        "Checkout timeouts: orders-db connection slots exhausted",
        "Connection-pool exhaustion on orders-db after checkout-api scaled out",
    ),
    services=("orders-db", "checkout-api"),
    tags=("database", "connection-pool", "autoscaling"),
    severity_weights=(2, 6, 12, 5),
    options=(
        (
            {
                "load": "the weekend-sale email going out",
                "load_short": "the weekend sale",
                "traffic_up": "240",
            },
            {
                "load": "a retry storm after a short payments-gateway blip",
                "load_short": "a retry storm",
                "traffic_up": "180",
            },
            {
                "load": "a partner's catalogue sync hitting the public API",
                "load_short": "a partner sync",
                "traffic_up": "150",
            },
            {
                "load": "a television advert airing in the evening",
                "load_short": "the TV advert",
                "traffic_up": "320",
            },
        ),
        (
            {"pool": "20", "pods_from": "12", "pods_to": "36", "max_conn": "600", "cap": "24"},
            {"pool": "25", "pods_from": "10", "pods_to": "30", "max_conn": "700", "cap": "22"},
            {"pool": "16", "pods_from": "16", "pods_to": "48", "max_conn": "700", "cap": "34"},
        ),
        (
            {"alert": "OrdersDbConnectionsNearLimit", "metric": "connection wait time"},
            {"alert": "CheckoutLatencyP99High", "metric": "p99 latency"},
        ),
        ({"symptom": "placing orders"}, {"symptom": "viewing order history or paying"}),
    ),
    steps=(
        Step(
            anchor="impact",
            lo=-25,
            hi=-8,
            kind="observation",
            source="grafana",
            tag="load",
            texts=("checkout-api traffic up {traffic_up}% in ten minutes ({load})",),
        ),
        Step(
            anchor="impact",
            lo=-6,
            hi=-0.5,
            kind="change",
            source="kubernetes",
            tag="scale",
            star=True,
            texts=(
                "HorizontalPodAutoscaler scaled checkout-api from {pods_from} to {pods_to} "
                "replicas",
            ),
        ),
        Step(
            anchor="impact",
            lo=0.1,
            hi=1.5,
            kind="observation",
            source="loki",
            tag="logs",
            known=False,
            texts=(
                "orders-db log: `remaining connection slots are reserved` — first occurrence "
                "(found afterwards)",
            ),
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
                "orders-db is at {max_conn}/{max_conn} connections. every new checkout pod "
                "opens {pool} more",
                "connection count on orders-db is flat at the limit and checkout-api keeps "
                "adding pods",
            ),
        ),
        Step(
            anchor="~acknowledged",
            lo=0.3,
            hi=0.45,
            kind="chat",
            source="slack",
            role="oncall",
            texts=(
                "the connections runbook says restart pgbouncer, but we don't run pgbouncer "
                "any more?",
                "{metric} is climbing and more pods make it worse, not better",
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
                "Decision: cap checkout-api at {cap} replicas and pause the export jobs so "
                "orders-db gets its connections back.",
            ),
        ),
        Step(
            anchor="~acknowledged",
            lo=0.6,
            hi=0.8,
            kind="action",
            source="kubernetes",
            role="sre",
            tag="fix",
            texts=("HPA maxReplicas for checkout-api set to {cap}",),
        ),
        Step(
            anchor="~acknowledged",
            lo=0.8,
            hi=0.95,
            kind="observation",
            source="grafana",
            chance=0.7,
            texts=("orders-db connections down to 70% of the limit; {metric} falling",),
        ),
    ),
    factors=(
        FactorTemplate(
            code="per-pod-pool",
            category="technical",
            core=True,
            tags=("scale", "diagnosis"),
            descriptions=(
                "Each checkout-api pod holds a fixed pool of {pool} connections, so scaling "
                "out multiplies connections: {pods_to} pods want more than the {max_conn} "
                "orders-db allows.",
                "Connection demand grows linearly with pods ({pool} each) and nothing caps it "
                "at the database's limit of {max_conn}.",
            ),
            evidence=(
                "pg_stat_activity sampled during the incident: all slots held by checkout-api.",
            ),
        ),
        FactorTemplate(
            code="autoscaler",
            category="automation_surprise",
            tags=("scale",),
            descriptions=(
                "The autoscaler reacted to slower responses by adding pods, which made the "
                "connection shortage worse.",
            ),
            evidence=("HPA events: three scale-ups while latency rose.",),
        ),
        FactorTemplate(
            code="runbook",
            category="knowledge",
            tags=("diagnosis",),
            descriptions=(
                "The orders-db connections runbook predates the removal of PgBouncer and "
                "suggests restarting it.",
            ),
            evidence=("Runbook last edited 14 months before the incident.",),
        ),
        FactorTemplate(
            code="late-alert",
            category="detection",
            tags=("logs",),
            descriptions=(
                "The connections alert fires at 95% of the limit, which leaves seconds, not "
                "minutes, before refusals.",
            ),
            evidence=("Alert rule: `connections / max_connections > 0.95 for 2m`.",),
        ),
        FactorTemplate(
            code="deferred-pooler",
            category="production_pressure",
            descriptions=(
                "A transaction pooler in front of orders-db was planned last year and "
                "deferred in favour of the checkout redesign.",
            ),
            evidence=("Roadmap history: the pooler item moved out of two quarters.",),
        ),
    ),
    actions=(
        ActionTemplate(
            titles=("Put a transaction pooler in front of orders-db",),
            type="prevent",
            priority="P1",
            factors=("per-pod-pool", "deferred-pooler"),
            done="All application connections to orders-db go through the pooler.",
            team="data",
        ),
        ActionTemplate(
            titles=("Derive checkout-api maxReplicas from the database connection budget",),
            type="mitigate",
            priority="P0",
            factors=("per-pod-pool", "autoscaler"),
            team="checkout",
        ),
        ActionTemplate(
            titles=("Alert on orders-db connections at 80% with a 2-minute window",),
            type="detect",
            priority="P2",
            factors=("late-alert",),
            team="data",
        ),
        ActionTemplate(
            titles=("Rewrite the orders-db connections runbook",),
            type="process",
            priority="P2",
            factors=("runbook",),
            team="data",
        ),
        ActionTemplate(
            titles=("Investigate smaller per-pod pools for checkout-api",),
            type="investigate",
            priority="P2",
            factors=("per-pod-pool",),
            team="checkout",
        ),
    ),
    summary=(
        "On {date}, {load} made checkout-api scale from {pods_from} to {pods_to} pods. Each "
        "pod opens its own pool of connections, and orders-db ran out of connection slots. "
        "Checkout requests timed out for {impact_dur}.",
        "During {load_short}, the orders database reached its connection limit because "
        "checkout-api scaled out. About {pct}% of checkout requests failed or timed out "
        "until the replica count was capped.",
    ),
    trigger=("A traffic increase from {load}, which made the autoscaler add pods.",),
    background=(
        "orders-db is a PostgreSQL cluster shared by checkout, payments and exports. "
        "Applications connect directly; the pooler that used to sit in between was removed "
        "during the move to Kubernetes.",
    ),
    impact=(
        "- {n} checkout requests failed or timed out (source: checkout-api access logs).",
        "- {n2} orders placed late after customers retried (source: orders funnel report).",
        "- Peak failure rate {pct}% (source: Grafana, Orders DB dashboard).",
    ),
    detection_text=(
        "{alert} paged the {svc} on-call. The 95% threshold meant the alert and the "
        "first refused connections arrived almost together.",
    ),
    response_text=(
        "An SRE saw the connection count flat at the limit. The runbook pointed at a "
        "component that no longer exists, so the team reasoned from the graphs. The incident "
        "commander capped the replicas and paused exports, which freed connections.",
    ),
    went_well=(
        "The connection graph made the problem visible within minutes of joining.",
        "Pausing the exports was quick and reversible.",
    ),
    went_poorly=(
        "The runbook sent responders towards a component that no longer exists.",
        "The autoscaler kept adding pods while the team worked on the problem.",
    ),
    got_lucky=("The spike started during working hours in Europe, with the data team online.",),
    surprises=(
        "More pods made latency worse.",
        "The connection limit had not been changed since the cluster was created.",
    ),
    open_questions=(
        "What is the real connection budget for each service that shares orders-db?",
        "Should autoscaling consider downstream limits?",
    ),
    volume=220.0,
)

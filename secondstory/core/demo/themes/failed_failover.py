"""Theme: the orders database fails over, and the failover does not go to plan."""

from __future__ import annotations

from secondstory.core.demo.theme import ActionTemplate, FactorTemplate, Step, Theme

FAILED_FAILOVER = Theme(
    code="failed-failover",
    name="Failed database failover",
    titles=(
        "Orders database failover left checkout without a writable primary",
        "Extended outage during orders-db failover",
        "orders-db failover did not complete: {failure_short}",
    ),
    services=("orders-db", "checkout-api"),
    tags=("database", "failover", "high-availability"),
    severity_weights=(4, 7, 5, 0),
    options=(
        (
            {"cause": "a host failure under the primary"},
            {"cause": "scheduled maintenance on the primary's host by the cloud provider"},
            {"cause": "a kernel panic on the primary"},
        ),
        (
            {
                "failure": "the replica was 40 minutes behind because of a stuck replication "
                "slot, so the failover manager refused to promote it",
                "failure_short": "replica too far behind",
                "auto": "The failover manager refused to promote a lagging replica; this is "
                "safe, but nobody expected it to wait.",
            },
            {
                "failure": "the replica was promoted, but checkout-api kept its connections "
                "to the old primary address until its pods were restarted",
                "failure_short": "clients kept the old primary",
                "auto": "The failover completed, but clients held on to connections to the "
                "old primary, so it looked as if nothing had happened.",
            },
            {
                "failure": "the replica had been created on a smaller instance and could not "
                "take the full write load once promoted",
                "failure_short": "undersized replica",
                "auto": "The automation promoted the only candidate, which was undersized; "
                "nothing checks the replica's size.",
            },
        ),
        (
            {"alert": "OrdersDbPrimaryDown", "metric": "write errors"},
            {"alert": "CheckoutHigh5xxRate", "metric": "5xx rate"},
        ),
        ({"symptom": "placing orders"},),
    ),
    steps=(
        Step(
            anchor="impact",
            lo=-20160,
            hi=-2880,
            kind="change",
            source="alertmanager",
            tag="muted",
            texts=(
                "Silence created for ReplicationLagHigh during a maintenance window "
                "(expiry set to 30 days)",
            ),
        ),
        Step(
            anchor="impact",
            lo=-240,
            hi=-30,
            kind="alert",
            source="alertmanager",
            tag="lag",
            known=False,
            texts=(
                "ReplicationLagHigh condition true for orders-db-2 (silenced; seen in "
                "Prometheus history afterwards)",
            ),
        ),
        Step(
            anchor="impact",
            lo=-1,
            hi=-0.1,
            kind="observation",
            source="provider-events",
            tag="trigger",
            star=True,
            texts=("Cloud provider event for orders-db-1's host: {cause}",),
        ),
        Step(
            anchor="impact",
            lo=0.5,
            hi=2,
            kind="action",
            source="patroni",
            tag="failover",
            texts=(
                "Patroni: leader lock for orders-db expired; evaluating orders-db-2 for promotion",
            ),
        ),
        Step(
            anchor="~acknowledged",
            lo=0.05,
            hi=0.25,
            kind="chat",
            source="slack",
            role="sre",
            tag="diagnosis",
            texts=(
                "primary is gone and the failover has not finished. looks like {failure_short}",
                "patroni status is odd: {failure_short}. checking replication",
            ),
        ),
        Step(
            anchor="~acknowledged",
            lo=0.25,
            hi=0.4,
            kind="chat",
            source="slack",
            role="oncall",
            texts=(
                "the failover runbook still describes the old manual process. doing it from "
                "first principles",
                "do we have anyone who has done a real failover on this cluster?",
            ),
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
                "Decision: finish the failover by hand and accept the risk of losing a few "
                "seconds of writes. {sre_first} drives, {oncall_first} checks.",
                "We put checkout in maintenance mode while {sre_first} completes the "
                "promotion manually.",
            ),
        ),
        Step(
            anchor="~acknowledged",
            lo=0.6,
            hi=0.8,
            kind="action",
            source="kubernetes",
            role="oncall",
            tag="fix",
            texts=(
                "rollout restart deployment/checkout-api to drop connections to the old primary",
            ),
        ),
        Step(
            anchor="~acknowledged",
            lo=0.8,
            hi=0.95,
            kind="status",
            source="statuspage",
            role="comms",
            when="public",
            texts=("Identified — We have found the cause and are restoring checkout.",),
        ),
    ),
    factors=(
        FactorTemplate(
            code="failover",
            category="technical",
            core=True,
            tags=("failover", "diagnosis"),
            descriptions=("The failover did not complete as designed: {failure}.",),
            evidence=("Patroni logs and orders-db metrics between {impact_hm} and {ack_hm} UTC.",),
        ),
        FactorTemplate(
            code="drills",
            category="knowledge",
            tags=("diagnosis",),
            descriptions=(
                "The failover had not been exercised since the cluster moved to Patroni, and "
                "the runbook still described the previous manual procedure.",
            ),
            evidence=("No failover drill recorded in the last 18 months.",),
        ),
        FactorTemplate(
            code="automation",
            category="automation_surprise",
            tags=("failover",),
            descriptions=("{auto}",),
            evidence=("Patroni log excerpt attached to the incident channel.",),
        ),
        FactorTemplate(
            code="muted",
            category="tooling",
            tags=("muted", "lag"),
            descriptions=(
                "The replication lag alert was silenced during earlier maintenance, with an "
                "expiry long after the maintenance ended.",
            ),
            evidence=("Alertmanager silence list at the time of the incident.",),
        ),
        FactorTemplate(
            code="shared",
            category="organisational",
            descriptions=(
                "orders-db is shared by three teams and failover drills fall between them.",
            ),
            evidence=("Service catalogue lists the data team as owner; drills are not listed.",),
        ),
    ),
    actions=(
        ActionTemplate(
            titles=("Run a failover drill on orders-db every quarter",),
            type="process",
            priority="P1",
            factors=("drills", "shared"),
            done="A drill has run and its notes are in the handbook.",
            team="data",
        ),
        ActionTemplate(
            titles=("Make checkout-api reconnect when the primary changes",),
            type="prevent",
            priority="P1",
            factors=("failover", "automation"),
            team="checkout",
        ),
        ActionTemplate(
            titles=("Cap silence durations at 24 hours for database alerts",),
            type="detect",
            priority="P1",
            factors=("muted",),
            team="platform",
        ),
        ActionTemplate(
            titles=("Rewrite the orders-db failover runbook for Patroni",),
            type="process",
            priority="P1",
            factors=("drills",),
            team="data",
        ),
        ActionTemplate(
            titles=("Investigate keeping replicas the same size as the primary",),
            type="investigate",
            priority="P2",
            factors=("failover",),
            team="data",
        ),
    ),
    summary=(
        "On {date}, the orders-db primary was lost to {cause}. The automatic failover did "
        "not complete as expected: {failure}. Checkout could not write orders for "
        "{impact_dur}.",
        "A failover of the orders database after {cause} left checkout without a working "
        "primary for {impact_dur}, because {failure}.",
    ),
    trigger=("{cause}.",),
    background=(
        "orders-db runs as a two-node PostgreSQL cluster managed by Patroni. Failover is "
        "automatic in theory; in practice it had never happened in production.",
    ),
    impact=(
        "- {n} checkout attempts failed (source: checkout-api access logs).",
        "- Checkout was unavailable for {impact_dur} (source: incident milestones).",
        "- {n2} payment authorisations were voided because orders could not be saved "
        "(source: payments-gateway reconciliation).",
    ),
    detection_text=("{alert} paged the data on-call within a minute of the primary's loss.",),
    response_text=(
        "An SRE found the failover stuck and, with no current runbook, reasoned it through "
        "with the on-call. {Lead} accepted a small risk of lost writes to "
        "finish the promotion by hand.",
    ),
    went_well=(
        "Detection was fast.",
        "{Lead} made the trade-off about lost writes explicit.",
        "Status page updates went out every 15 minutes.",
    ),
    went_poorly=(
        "The runbook described a procedure that no longer applies.",
        "The replication lag alert had been silenced for weeks.",
    ),
    got_lucky=("No writes were lost in the manual promotion.",),
    surprises=("The failover machinery behaved safely but not helpfully.",),
    open_questions=("What would a third node cost, and what would it buy?",),
    volume=200.0,
    n2_ratio=(0.1, 0.35),
    detect_factor=0.4,
    mitigate_factor=1.5,
)

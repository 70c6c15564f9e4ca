"""Theme: a DNS change meets a long TTL and a decommissioned address."""

from __future__ import annotations

from secondstory.core.demo.theme import ActionTemplate, FactorTemplate, Step, Theme

DNS_TTL = Theme(
    code="dns-ttl",
    name="DNS TTL surprise",
    titles=(
        "{host} unreachable for some customers after a load balancer move",
        "Stale DNS answers for {host} after the old address was removed",
        "Partial outage of {host}: long TTL outlived the old load balancer",
    ),
    services=("edge",),
    tags=("dns", "migration", "ttl"),
    severity_weights=(1, 4, 9, 4),
    options=(
        (
            {
                "host": "login.example.com",
                "svc2": "identity",
                "migration": "moving the sign-in hostname to the new load balancer",
                "symptom": "signing in",
            },
            {
                "host": "api.example.com",
                "svc2": "checkout-api",
                "migration": "moving the public API to the new load balancer",
                "symptom": "using the mobile app",
            },
            {
                "host": "links.example.com",
                "svc2": "notifications",
                "migration": "moving email click-tracking to a new CDN",
                "symptom": "opening links in our emails",
            },
        ),
        (
            {"ttl": "86400", "ttl_human": "a day"},
            {"ttl": "43200", "ttl_human": "twelve hours"},
            {"ttl": "21600", "ttl_human": "six hours"},
        ),
        (
            {"alert": "EdgeRegionalAvailabilityLow", "metric": "availability from outside"},
            {"alert": "SyntheticCheckFailedExternal", "metric": "external probe success"},
        ),
    ),
    steps=(
        Step(
            anchor="impact",
            lo=-300,
            hi=-90,
            kind="change",
            source="github",
            role="author",
            tag="dns-change",
            texts=(
                "PR #{pr} merged in larkspur/edge-dns: point {host} at the new load balancer "
                "(TTL left at {ttl} s)",
            ),
            ref="larkspur/edge-dns#{pr}",
            url="https://github.example.com/larkspur/edge-dns/pull/{pr}",
        ),
        Step(
            anchor="impact",
            lo=-85,
            hi=-60,
            kind="change",
            source="argo",
            texts=("edge-dns applied: {host} now answers with the new address",),
        ),
        Step(
            anchor="impact",
            lo=-3,
            hi=-0.2,
            kind="change",
            source="terraform",
            role="author",
            tag="trigger",
            star=True,
            texts=(
                "terraform apply: old load balancer for {host} destroyed as the last step of "
                "{migration}",
            ),
        ),
        Step(
            anchor="~impact",
            lo=0.3,
            hi=0.9,
            kind="observation",
            source="resolver-logs",
            tag="resolvers",
            known=False,
            texts=(
                "Public resolvers of several large ISPs still answered {host} with the old "
                "address (found in probe data afterwards)",
            ),
        ),
        Step(
            anchor="~acknowledged",
            lo=0.05,
            hi=0.3,
            kind="chat",
            source="slack",
            role="oncall",
            texts=(
                "failures are only from some networks. every failing probe resolves {host} "
                "to the old LB address",
                "our own checks are green but support has reports. the reports all come from "
                "two ISPs",
            ),
        ),
        Step(
            anchor="~acknowledged",
            lo=0.3,
            hi=0.45,
            kind="chat",
            source="slack",
            role="sre",
            tag="diagnosis",
            texts=(
                "TTL on {host} was {ttl}. anyone who resolved it before the change can hold "
                "the old address for up to {ttl_human}",
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
                "Decision: bring the old address back in front of the new backends instead of "
                "waiting out the TTL.",
            ),
        ),
        Step(
            anchor="~acknowledged",
            lo=0.7,
            hi=0.95,
            kind="action",
            source="terraform",
            role="sre",
            tag="fix",
            texts=("terraform apply: old address re-attached, forwarding to the new backends",),
        ),
    ),
    factors=(
        FactorTemplate(
            code="ttl",
            category="technical",
            core=True,
            tags=("dns-change", "resolvers"),
            descriptions=(
                "{host} had a TTL of {ttl} s, so resolvers could keep the old address for "
                "{ttl_human} after the change.",
            ),
            evidence=("edge-dns zone file at the time of the change: `ttl: {ttl}`.",),
        ),
        FactorTemplate(
            code="plan",
            category="process",
            tags=("trigger",),
            descriptions=(
                "The migration plan removed the old load balancer on the day of the cutover; "
                "it did not account for cached answers.",
            ),
            evidence=("Migration ticket: 'decommission old LB' scheduled for the same day.",),
        ),
        FactorTemplate(
            code="assumption",
            category="knowledge",
            tags=("diagnosis",),
            descriptions=(
                "Lowering the TTL ahead of an address change is not on any checklist; the team "
                "treats DNS changes as taking effect within minutes.",
            ),
            evidence=("The platform handbook has no DNS migration page.",),
        ),
        FactorTemplate(
            code="resolvers",
            category="external_dependency",
            tags=("resolvers",),
            descriptions=(
                "Some ISP resolvers served the cached answer for its full TTL, and a few for "
                "longer.",
            ),
            evidence=("Probe data from 40 networks; 6 returned the old address.",),
        ),
        FactorTemplate(
            code="probes",
            category="detection",
            tags=("resolvers",),
            descriptions=(
                "Synthetic checks resolve through our own resolvers, which had the new record, "
                "so they stayed green while customers failed.",
            ),
            evidence=("Synthetic check history for {host}: no failures during the incident.",),
        ),
    ),
    actions=(
        ActionTemplate(
            titles=("Lower TTLs to 300 s a week before any address change",),
            type="process",
            priority="P1",
            factors=("ttl", "assumption"),
        ),
        ActionTemplate(
            titles=("Keep old load balancers for twice the TTL after a cutover",),
            type="prevent",
            priority="P1",
            factors=("plan",),
        ),
        ActionTemplate(
            titles=("Add a DNS migration checklist to the platform handbook",),
            type="process",
            priority="P2",
            factors=("assumption", "plan"),
        ),
        ActionTemplate(
            titles=("Run synthetic checks through public resolvers",),
            type="detect",
            priority="P2",
            factors=("probes",),
            done="Probes in at least five external networks alert on failure.",
        ),
        ActionTemplate(
            titles=("Investigate which resolvers held the old record past its TTL",),
            type="investigate",
            priority="P2",
            factors=("resolvers",),
        ),
    ),
    summary=(
        "On {date}, {migration} left some customers with a cached DNS answer pointing at the "
        "old load balancer, which had just been removed. Customers on affected networks could "
        "not reach {host} for {impact_dur}.",
        "After {migration}, the old address for {host} was decommissioned while resolvers "
        "still held it (TTL {ttl} s). Around {pct}% of requests to {host} failed until the "
        "old address was brought back.",
    ),
    trigger=("Destroying the old load balancer, about an hour after the DNS change for {host}.",),
    background=(
        "Public hostnames are managed as code in larkspur/edge-dns. Most records still carry "
        "the long TTLs chosen when the zone was first set up.",
    ),
    impact=(
        "- About {pct}% of requests to {host} failed (source: CDN logs, connection errors "
        "by client network).",
        "- Roughly {n2} customers affected (source: support tickets and session analytics).",
    ),
    detection_text=(
        "{alert} fired from an external vantage point. Internal probes stayed green, because "
        "they use our own resolvers.",
    ),
    response_text=(
        "The on-call noticed that all failures came from a few networks. An SRE connected "
        "this to the TTL. Rather than wait for caches to expire, {lead} chose "
        "to re-attach the old address in front of the new backends.",
    ),
    went_well=(
        "Re-attaching the old address took minutes, because the Terraform change was small.",
        "Support grouped the tickets by network, which pointed at DNS early.",
    ),
    went_poorly=(
        "Internal checks showed green throughout, which delayed detection.",
        "The decommissioning step had no waiting period after the cutover.",
    ),
    got_lucky=("The old address had not yet been reassigned by the cloud provider.",),
    surprises=(
        "A few resolvers kept the answer longer than its TTL.",
        "The TTL on {host} was far longer than anyone remembered.",
    ),
    open_questions=(
        "Which other records carry long TTLs, and should they?",
        "Do we need DNS changes to go through the change calendar?",
    ),
    volume=90.0,
    detect_factor=1.6,
)

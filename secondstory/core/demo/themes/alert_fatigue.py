"""Theme: a real problem hides behind an alert everybody has learned to tune out."""

from __future__ import annotations

from secondstory.core.demo.theme import ActionTemplate, FactorTemplate, Step, Theme

ALERT_FATIGUE = Theme(
    code="alert-fatigue",
    name="Noisy alert tuned out because of alert fatigue",
    titles=(
        "{mail_kind} delayed for hours behind a stuck queue",
        "Notification backlog behind a long-noisy {alert} alert",
        "Delayed {mail_short}: {alert} had become background noise",
    ),
    services=("notifications",),
    tags=("alerting", "alert-fatigue", "notifications"),
    severity_weights=(0, 1, 8, 15),
    options=(
        (
            {
                "mail_kind": "Order confirmation emails",
                "mail_short": "order confirmations",
                "svc2": "checkout-api",
            },
            {
                "mail_kind": "Password reset emails",
                "mail_short": "password resets",
                "svc2": "identity",
            },
            {"mail_kind": "Shipping notifications", "mail_short": "shipping updates"},
        ),
        (
            {"alert": "NotificationsQueueBacklog", "fires": "31"},
            {"alert": "NotificationsConsumerLag", "fires": "24"},
            {"alert": "EmailSendRateLow", "fires": "18"},
        ),
        (
            {
                "blocker": "a message with a malformed template blocked the consumer, which "
                "retried it forever",
                "blocker_short": "a poison message",
                "fix": "Blocking message moved to a holding queue; consumers scaled from 2 to 8",
                "blocker_factor": "The consumer has no way to set aside a message it cannot "
                "process, so one malformed message stopped the whole queue.",
                "blocker_action": "Add a dead-letter queue to the notifications consumer",
            },
            {
                "blocker": "the email provider's rate limit was lowered and the consumer "
                "backed off for ever-longer intervals",
                "blocker_short": "provider rate limiting",
                "fix": "Consumer restarted with a send rate under the new provider limit; "
                "backlog draining",
                "blocker_factor": "The consumer's back-off has no upper bound, so a lower "
                "provider rate limit turned into hours of delay.",
                "blocker_action": "Cap the notifications consumer's back-off at one minute",
            },
        ),
        ({"symptom": "receiving emails from us"},),
        ({"metric": "queue depth"},),
    ),
    steps=(
        Step(
            anchor="impact",
            lo=-180,
            hi=-30,
            kind="alert",
            source="alertmanager",
            tag="noisy",
            texts=("[FIRING] {alert} (fired {fires} times in the last 7 days, all auto-resolved)",),
        ),
        Step(
            anchor="impact",
            lo=-25,
            hi=-2,
            kind="page",
            source="pagerduty",
            role="oncall",
            tag="snooze",
            texts=(
                "{alert} snoozed for 4 hours, as the runbook note for this alert suggests",
                "{alert} acknowledged and snoozed (the usual response to this alert)",
            ),
        ),
        Step(
            anchor="impact",
            lo=0,
            hi=3,
            kind="observation",
            source="grafana",
            tag="stuck",
            known=False,
            texts=(
                "Consumer throughput drops to zero while the queue keeps growing ({blocker_short})",
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
                "queue depth is {n} and climbing. it's not the usual flapping this time",
                "this is the same {alert} from earlier, but the backlog is real now",
            ),
        ),
        Step(
            anchor="~acknowledged",
            lo=0.25,
            hi=0.5,
            kind="observation",
            source="loki",
            tag="diagnosis",
            role="oncall",
            texts=("Consumer logs: {blocker}",),
        ),
        Step(
            anchor="~acknowledged",
            lo=0.5,
            hi=0.65,
            kind="decision",
            source="slack",
            role="ic",
            tag="decision",
            star=True,
            texts=(
                "Decision: get the consumer moving first, then work out the ordering. "
                "Oldest {mail_short} go first.",
            ),
        ),
        Step(
            anchor="~acknowledged",
            lo=0.65,
            hi=0.9,
            kind="action",
            source="kubernetes",
            role="oncall",
            tag="fix",
            texts=("{fix}",),
        ),
    ),
    detection=Step(
        anchor="detected",
        lo=0,
        hi=0,
        kind="chat",
        source="slack",
        role="comms",
        tag="alert",
        texts=(
            "#support: several customers say {mail_short} never arrived. anything going on?",
            "#support: ticket volume about missing {mail_short} is up sharply in the last hour",
        ),
    ),
    factors=(
        FactorTemplate(
            code="noise",
            category="detection",
            core=True,
            tags=("noisy", "snooze"),
            descriptions=(
                "{alert} fired {fires} times in the week before and resolved on its own every "
                "time; responders had learned that it meant nothing.",
                "The alert that could have shown the backlog was indistinguishable from its "
                "usual flapping.",
            ),
            evidence=("Alertmanager history: {fires} firings in 7 days, median duration 4 min.",),
        ),
        FactorTemplate(
            code="snooze",
            category="workaround",
            tags=("snooze",),
            descriptions=(
                "Snoozing {alert} had become the standard response, and the runbook note "
                "recommended it.",
            ),
            evidence=("Runbook page for {alert}: 'usually transient, snooze if it recurs'.",),
        ),
        FactorTemplate(
            code="load",
            category="production_pressure",
            descriptions=(
                "The on-call handled many pages that week; low-value pages crowd out "
                "attention for the ones that matter.",
            ),
            evidence=("PagerDuty: 46 pages for the notifications rotation that week.",),
        ),
        FactorTemplate(
            code="blocker",
            category="technical",
            core=True,
            tags=("stuck", "diagnosis"),
            descriptions=("{blocker_factor}",),
            evidence=("Consumer logs from {impact_hm} UTC onwards.",),
        ),
        FactorTemplate(
            code="hygiene",
            category="organisational",
            descriptions=(
                "Alert hygiene has no owner; retiring or fixing noisy alerts is nobody's job.",
            ),
            evidence=("The alert was flagged as noisy in two previous retrospectives.",),
        ),
    ),
    actions=(
        ActionTemplate(
            titles=("Rewrite {alert} to fire only on sustained backlog growth",),
            type="detect",
            priority="P1",
            factors=("noise",),
            done="The alert fires fewer than two times a week with no real backlog.",
        ),
        ActionTemplate(
            titles=("{blocker_action}",),
            type="prevent",
            priority="P1",
            factors=("blocker",),
        ),
        ActionTemplate(
            titles=("Remove the 'snooze if it recurs' note from the runbook",),
            type="process",
            priority="P2",
            factors=("snooze",),
        ),
        ActionTemplate(
            titles=("Review the ten noisiest alerts every month",),
            type="process",
            priority="P2",
            factors=("hygiene", "load"),
            team="platform",
        ),
        ActionTemplate(
            titles=("Track pages per on-call shift and act above ten",),
            type="process",
            priority="P2",
            factors=("load",),
            team="platform",
        ),
    ),
    summary=(
        "On {date}, {mail_short} were delayed for {impact_dur} because {blocker}. The alert "
        "that could have shown the backlog had fired {fires} times that week without a real "
        "problem, so it was treated as noise. Customer reports led to detection.",
        "{mail_kind} stopped going out for {impact_dur}. {alert} fired, but in the same way "
        "it had fired dozens of times before; support tickets raised the alarm.",
    ),
    trigger=("{blocker}.",),
    background=(
        "Notifications are queued and sent by a small pool of consumers. {alert} has "
        "flapped for months because it uses a short window on a naturally bursty queue.",
    ),
    impact=(
        "- {n} {mail_short} delayed, the longest by {impact_dur} (source: queue metrics).",
        "- {n2} support contacts about missing emails (source: support ticket tags).",
    ),
    detection_text=(
        "The backlog was detected through support tickets. {alert} had fired earlier, but "
        "looked exactly like its usual false alarms.",
    ),
    response_text=(
        "Once support raised it, the on-call saw the queue depth and found the blocking "
        "behaviour in the consumer logs. The consumer was unblocked and scaled up to drain "
        "the backlog oldest first.",
    ),
    went_well=(
        "Support spotted the pattern in tickets and raised it quickly.",
        "The backlog drained in order, so the oldest messages went first.",
    ),
    went_poorly=(
        "The only alert on the queue had lost its meaning through months of flapping.",
        "Time to detect was measured in hours.",
    ),
    got_lucky=("No messages were lost; they were only late.",),
    surprises=("The team had stopped expecting this alert to mean anything.",),
    open_questions=("How many other alerts are in the same state?",),
    volume=60.0,
    n2_ratio=(0.03, 0.12),
    detect_factor=4.0,
)

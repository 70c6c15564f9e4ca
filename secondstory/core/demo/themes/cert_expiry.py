"""Theme: a certificate expires because its renewal had been failing quietly."""

from __future__ import annotations

from secondstory.core.demo.theme import ActionTemplate, FactorTemplate, Step, Theme

CERT_EXPIRY = Theme(
    code="cert-expiry",
    name="Certificate expiry",
    titles=(
        "Expired {cert_label} certificate",
        "TLS handshake failures after the {cert_label} certificate expired",
        "{svc2_name} unreachable: certificate renewal had been failing",
    ),
    services=("edge",),
    tags=("tls", "certificates", "expiry"),
    severity_weights=(2, 5, 8, 3),
    options=(
        (
            {
                "cert": "the wildcard certificate on the edge proxies",
                "cert_short": "the edge wildcard certificate",
                "cert_label": "edge wildcard",
                "cert_name": "wildcard-example-com",
                "svc2": "identity",
                "symptom": "signing in or loading the site",
                "renew_failure": "the DNS provider token used for the DNS-01 challenge had "
                "been rotated, and cert-manager could not create the TXT record",
                "err": "DNS-01 challenge: 401 Unauthorized from DNS provider",
            },
            {
                "cert": "the mTLS client certificate checkout-api presents to the payments gateway",
                "cert_short": "the checkout mTLS certificate",
                "cert_label": "checkout mTLS",
                "cert_name": "checkout-payments-mtls",
                "svc2": "payments-gateway",
                "symptom": "paying for an order",
                "renew_failure": "the internal CA's issuer had been renamed and the "
                "Certificate resource still referenced the old name",
                "err": "issuer 'internal-ca' not found",
            },
            {
                "cert": "the certificate for links.example.com used in our emails",
                "cert_short": "the email links certificate",
                "cert_label": "email links",
                "cert_name": "links-example-com",
                "svc2": "notifications",
                "symptom": "opening links in order emails",
                "renew_failure": "the HTTP-01 challenge path was caught by a new redirect rule "
                "on the edge",
                "err": "HTTP-01 challenge: got 301, expected 200",
            },
        ),
        (
            {"alert": "BlackboxSSLHandshakeFailing", "metric": "TLS handshake failures"},
            {"alert": "EdgeUpstreamTLSErrors", "metric": "TLS errors"},
        ),
    ),
    steps=(
        Step(
            anchor="impact",
            lo=-20160,
            hi=-10080,
            kind="observation",
            source="cert-manager",
            tag="renewal-failed",
            known=False,
            texts=(
                "cert-manager: renewal of {cert_name} failed: {err} (retrying daily; found "
                "in controller logs afterwards)",
            ),
        ),
        Step(
            anchor="impact",
            lo=-10079,
            hi=-4320,
            kind="comms",
            source="email",
            tag="expiry-mail",
            texts=(
                "Expiry notice for {cert_name} ('expires in 7 days') delivered to the shared "
                "certs@ mailbox",
            ),
        ),
        Step(
            anchor="impact",
            lo=-4300,
            hi=-1440,
            kind="observation",
            source="cert-manager",
            known=False,
            chance=0.6,
            texts=("cert-manager: {cert_name} still not renewed; last error: {err}",),
        ),
        Step(
            anchor="impact",
            lo=-0.2,
            hi=0,
            kind="observation",
            source="x509",
            tag="expired",
            star=True,
            texts=("{cert_name} reached its notAfter time",),
        ),
        Step(
            anchor="~acknowledged",
            lo=0.05,
            hi=0.25,
            kind="chat",
            source="slack",
            role="oncall",
            texts=(
                "handshakes failing: `certificate has expired`. it's {cert_short}",
                "openssl s_client says the cert expired at {impact_hm} UTC. why didn't it renew?",
            ),
        ),
        Step(
            anchor="~acknowledged",
            lo=0.25,
            hi=0.45,
            kind="chat",
            source="slack",
            role="sre",
            tag="diagnosis",
            texts=(
                "cert-manager has been failing to renew for two weeks: {err}",
                "found it in the controller logs — {err}. every retry since the rotation failed",
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
            texts=("Decision: issue a certificate by hand now, fix the automation afterwards.",),
        ),
        Step(
            anchor="~acknowledged",
            lo=0.65,
            hi=0.85,
            kind="action",
            source="cert-manager",
            role="sre",
            tag="fix",
            texts=("Manual issuance of {cert_name} succeeded; secret updated",),
        ),
        Step(
            anchor="~acknowledged",
            lo=0.86,
            hi=0.98,
            kind="change",
            source="argo",
            texts=("Edge proxies reloaded with the new certificate",),
        ),
    ),
    factors=(
        FactorTemplate(
            code="silent-renewal",
            category="tooling",
            core=True,
            tags=("renewal-failed",),
            descriptions=(
                "Renewal failures are logged by cert-manager but raise no alert, so two weeks "
                "of failures went unseen.",
                "Nothing turns a failing renewal into a signal anybody receives.",
            ),
            evidence=("cert-manager controller logs: daily failures starting 14 days before.",),
        ),
        FactorTemplate(
            code="renew-cause",
            category="technical",
            core=True,
            tags=("renewal-failed", "diagnosis"),
            descriptions=("The renewal failed because {renew_failure}.",),
            evidence=("Controller log line: `{err}`.",),
        ),
        FactorTemplate(
            code="mailbox",
            category="organisational",
            tags=("expiry-mail",),
            descriptions=(
                "Expiry notices go to a shared mailbox with no owner; it receives hundreds of "
                "automated messages a week.",
            ),
            evidence=("certs@ mailbox: 2,300 unread messages at the time of the incident.",),
        ),
        FactorTemplate(
            code="manual-steps",
            category="knowledge",
            tags=("fix",),
            descriptions=(
                "The steps to issue a certificate by hand were not written down; responders "
                "worked them out during the incident.",
            ),
            evidence=("Channel history: 20 minutes between the decision and the new certificate.",),
        ),
    ),
    actions=(
        ActionTemplate(
            titles=("Alert when any certificate is within 14 days of expiry",),
            type="detect",
            priority="P0",
            factors=("silent-renewal",),
            done="A test certificate 13 days from expiry pages the platform on-call.",
            team="platform",
        ),
        ActionTemplate(
            titles=("Include the DNS and issuer credentials in the rotation checklist",),
            type="repair",
            priority="P1",
            factors=("renew-cause",),
            team="platform",
        ),
        ActionTemplate(
            titles=("Route expiry notices to the platform on-call queue",),
            type="process",
            priority="P1",
            factors=("mailbox",),
            team="platform",
        ),
        ActionTemplate(
            titles=("Document manual certificate issuance in the runbook",),
            type="process",
            priority="P2",
            factors=("manual-steps",),
            team="platform",
        ),
        ActionTemplate(
            titles=("Inventory certificates that cert-manager does not manage",),
            type="investigate",
            priority="P2",
            factors=("silent-renewal",),
            team="platform",
        ),
    ),
    summary=(
        "On {date}, {cert} expired. Its automatic renewal had been failing for two weeks "
        "because {renew_failure}. Customers had trouble {symptom} for {impact_dur}.",
        "{cert_short} expired at {impact_hm} UTC after a fortnight of silently failing "
        "renewals. About {pct}% of requests failed until a certificate was issued by hand.",
    ),
    trigger=("The certificate reaching its expiry time.",),
    background=(
        "Certificates are issued and renewed by cert-manager, normally 30 days before "
        "expiry. Expiry notices from the CA go to a shared mailbox.",
    ),
    impact=(
        "- {n} requests failed the TLS handshake (source: edge proxy logs).",
        "- {n2} customers contacted support (source: support ticket tags).",
    ),
    detection_text=(
        "{alert} fired once handshakes began failing. The renewal failures before that "
        "produced log lines only.",
    ),
    response_text=(
        "The on-call recognised the expiry within minutes. An SRE found the renewal errors in "
        "the controller logs. Issuing a certificate by hand took longer than expected because "
        "the steps were not written down.",
    ),
    went_well=(
        "The expiry was recognised almost immediately.",
        "The fix did not need a deploy of any application.",
    ),
    went_poorly=(
        "Issuing a certificate by hand took time because the steps were not written down.",
        "Two weeks of warnings went to places nobody looks.",
    ),
    got_lucky=("Another certificate using the same credentials was not due for months.",),
    surprises=("Renewal had been failing for two weeks without a single alert.",),
    open_questions=(
        "Which other credentials does the certificate automation depend on?",
        "Should certificate lifetimes be shorter, so failures surface sooner?",
    ),
    volume=150.0,
    n2_ratio=(0.01, 0.04),
    detect_factor=0.6,
)

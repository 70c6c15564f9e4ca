"""Theme: a secret is printed into CI logs (restricted visibility)."""

from __future__ import annotations

from secondstory.core.demo.theme import ActionTemplate, FactorTemplate, Step, Theme

CREDENTIAL_LEAK = Theme(
    code="credential-leak",
    name="Secret exposed in build logs",
    titles=(
        "{token_short} exposed in CI build logs",
        "Credential printed to build output for {build_step}",
        "Secret exposure in the deploy pipeline's logs",
    ),
    services=("identity", "deploy-pipeline"),
    tags=("security", "secrets", "ci"),
    severity_weights=(0, 4, 8, 4),
    visibility="restricted",
    public=False,
    skip=("recovery", "support"),
    options=(
        (
            {
                "token": "a staff API token for the identity admin API",
                "token_short": "Identity admin API token",
            },
            {
                "token": "a deploy key with write access to the image registry",
                "token_short": "Registry deploy key",
            },
            {"token": "the SMTP relay password", "token_short": "SMTP relay password"},
        ),
        (
            {"build_step": "the integration-test stage", "mask_gap": "injected from a file"},
            {"build_step": "the image-signing stage", "mask_gap": "read from a mounted volume"},
        ),
        ({"alert": "SecretPatternInCILog", "symptom": "none expected", "metric": "exposure"},),
    ),
    steps=(
        Step(
            anchor="impact",
            lo=-90,
            hi=-10,
            kind="change",
            source="github",
            role="author",
            tag="trigger",
            star=True,
            texts=(
                "PR #{pr} merged in larkspur/ci-templates: verbose logging for {build_step} to "
                "debug flaky runs",
            ),
            ref="larkspur/ci-templates#{pr}",
            url="https://github.example.com/larkspur/ci-templates/pull/{pr}",
        ),
        Step(
            anchor="impact",
            lo=0,
            hi=0.5,
            kind="observation",
            source="ci",
            tag="exposure",
            known=False,
            texts=(
                "Build {build} printed its environment, including {token}, to a log readable "
                "by everyone with CI access (established afterwards)",
            ),
        ),
        Step(
            anchor="~acknowledged",
            lo=0.14,
            hi=0.22,
            kind="decision",
            source="slack",
            role="ic",
            tag="decision",
            star=True,
            texts=(
                "Decision: rotate first, investigate second. {sre_first} revokes the token; "
                "I'll handle the log purge.",
            ),
        ),
        Step(
            anchor="~acknowledged",
            lo=0.2,
            hi=0.45,
            kind="action",
            source="identity-admin",
            role="sre",
            tag="rotate",
            texts=("Exposed credential revoked and a new one issued to the build environment",),
        ),
        Step(
            anchor="~acknowledged",
            lo=0.45,
            hi=0.7,
            kind="action",
            source="ci",
            role="ic",
            texts=("Logs for build {build} and later builds purged from CI storage",),
        ),
        Step(
            anchor="~acknowledged",
            lo=0.7,
            hi=0.95,
            kind="observation",
            source="audit-log",
            role="oncall",
            tag="audit",
            texts=(
                "Audit log review: no use of the credential from unknown addresses during the "
                "exposure window",
            ),
        ),
        Step(
            anchor="~mitigated",
            lo=0.2,
            hi=0.8,
            kind="chat",
            source="slack",
            role="oncall",
            chance=0.7,
            texts=(
                "checked the other pipelines using the same template: two more print their "
                "environment, neither has secrets today",
            ),
        ),
    ),
    detection=Step(
        anchor="detected",
        lo=0,
        hi=0,
        kind="alert",
        source="secret-scanner",
        tag="alert",
        texts=("Secret scanner: credential pattern found in the log of CI build {build}",),
    ),
    factors=(
        FactorTemplate(
            code="masking",
            category="tooling",
            core=True,
            tags=("exposure",),
            descriptions=(
                "CI masks only secrets declared as masked variables; this one was {mask_gap}, "
                "so the log printed it in clear text.",
            ),
            evidence=("CI settings for the project: masked variables do not include the file.",),
        ),
        FactorTemplate(
            code="checklist",
            category="process",
            tags=("trigger",),
            descriptions=(
                "Reviews of build changes have no prompt about secrets in output; verbose "
                "logging looked like a harmless debugging aid.",
            ),
            evidence=("Review of #{pr}: approved, no discussion of log content.",),
        ),
        FactorTemplate(
            code="masking-docs",
            category="knowledge",
            tags=("trigger",),
            descriptions=(
                "The difference between masked variables and secrets {mask_gap} is not "
                "documented anywhere engineers look.",
            ),
            evidence=("CI handbook page on secrets covers variables only.",),
        ),
        FactorTemplate(
            code="scanner-delay",
            category="detection",
            tags=("alert",),
            descriptions=(
                "The secret scanner reads CI logs in batches, so the exposure lasted "
                "{ttd} before detection.",
            ),
            evidence=("Scanner configuration: batch interval 60 minutes.",),
        ),
    ),
    actions=(
        ActionTemplate(
            titles=("Mask file-injected secrets in CI output",),
            type="prevent",
            priority="P0",
            factors=("masking",),
            done="A test secret injected from a file appears as *** in build logs.",
            team="platform",
        ),
        ActionTemplate(
            titles=("Scan CI logs for secrets as they are written",),
            type="detect",
            priority="P1",
            factors=("scanner-delay",),
            team="platform",
        ),
        ActionTemplate(
            titles=("Add a question about secrets in output to the build-change checklist",),
            type="process",
            priority="P2",
            factors=("checklist", "masking-docs"),
            team="platform",
        ),
        ActionTemplate(
            titles=("Rotate the remaining long-lived tokens in the build environment",),
            type="repair",
            priority="P1",
            factors=("masking",),
            team="identity",
        ),
        ActionTemplate(
            titles=("Investigate whether earlier builds printed secrets",),
            type="investigate",
            priority="P1",
            factors=("masking", "scanner-delay"),
            team="identity",
        ),
    ),
    summary=(
        "On {date}, {token} was printed into the log of CI build {build} and was readable by "
        "everyone with CI access for {ttd}. It was revoked within {ttm} of exposure; the audit "
        "log shows no use from unknown addresses.",
        "A debugging change made {build_step} print its environment, which exposed {token} "
        "in CI logs. The credential was rotated and the logs purged; no misuse was found.",
    ),
    trigger=("PR #{pr}, which turned on verbose logging for {build_step}.",),
    background=(
        "Build secrets reach CI either as masked variables or as files; only the former are "
        "masked in logs.",
    ),
    impact=(
        "- One credential exposed to about 60 people with CI access for {ttd} (source: CI "
        "access list, scanner timestamps).",
        "- No misuse found (source: identity audit log for the exposure window).",
    ),
    detection_text=("The secret scanner's {alert} rule found the pattern on its next batch run.",),
    response_text=(
        "{Lead} prioritised rotation over investigation. The credential "
        "was revoked, logs were purged, and the audit log was reviewed for the exposure "
        "window.",
    ),
    went_well=(
        "Rotation happened before anything else, as the security runbook asks.",
        "The audit log made it possible to rule out misuse with confidence.",
    ),
    went_poorly=("The exposure window depended on the scanner's batch interval.",),
    got_lucky=("The build ran on a quiet day, when few people were looking at CI.",),
    surprises=("Secrets injected as files are not masked.",),
    open_questions=("Should build logs be retained at all beyond a week?",),
    volume=1.0,
    detect_factor=2.0,
)

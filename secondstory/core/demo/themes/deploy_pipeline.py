"""Theme: the deploy pipeline does something nobody expected."""

from __future__ import annotations

from secondstory.core.demo.theme import ActionTemplate, FactorTemplate, Step, Theme

DEPLOY_PIPELINE = Theme(
    code="deploy-pipeline",
    name="Deploy-pipeline surprise",
    titles=(
        "{svc2_name} running an unexpected build after a deploy",
        "Deploy pipeline rolled out the wrong image of {svc2}",
        "{svc2_name} errors after a pipeline run: {surprise_short}",
    ),
    services=("deploy-pipeline",),
    extra_services=("checkout-api", "identity", "notifications"),
    tags=("deploys", "pipeline", "automation"),
    severity_weights=(1, 4, 12, 7),
    options=(
        (
            {
                "surprise": "two pipeline runs for the same service overlapped and the older "
                "one finished last, rolling production back to the previous release",
                "surprise_short": "overlapping runs",
                "mechanism": "lack of per-service locking",
                "learned": "run {build} finished 40 s after run {build}-1 and re-applied the "
                "older manifest",
            },
            {
                "surprise": "the `stable` image tag still pointed at a build from a release "
                "branch, so the rollout used an image nobody had reviewed for main",
                "surprise_short": "stale image tag",
                "mechanism": "tag-based image resolution",
                "learned": "the registry shows `stable` was last moved by the release-branch job",
            },
            {
                "surprise": "the base-image cache served a layer without the updated CA bundle, "
                "so outbound TLS calls from the new pods failed",
                "surprise_short": "stale base image",
                "mechanism": "base-image caching",
                "learned": "build {build} pulled `base:2024.1` from cache, digest from March",
            },
            {
                "surprise": "the automatic rollback fired on a readiness flap and rolled the "
                "code back behind a database migration that had already run",
                "surprise_short": "automatic rollback",
                "mechanism": "automatic rollback rules",
                "learned": "the rollback controller logged `readiness below 80% for 30s`",
            },
        ),
        (
            {"alert": "DeployedServiceErrorRate", "metric": "error rate"},
            {"alert": "SLOBurnRateFast", "metric": "SLO burn rate"},
        ),
        ({"symptom": "using parts of the site"},),
    ),
    steps=(
        Step(
            anchor="impact",
            lo=-50,
            hi=-12,
            kind="change",
            source="github",
            role="author",
            tag="merge",
            texts=(
                "PR #{pr} merged to main in larkspur/{svc2}",
                "Merged #{pr} ({svc2}): routine dependency bump",
            ),
            ref="larkspur/{svc2}#{pr}",
            url="https://github.example.com/larkspur/{svc2}/pull/{pr}",
        ),
        Step(
            anchor="impact",
            lo=-10,
            hi=-3,
            kind="change",
            source="argo",
            tag="sync",
            texts=("Argo CD: sync of {svc2} started, revision {sha}",),
        ),
        Step(
            anchor="impact",
            lo=-1.5,
            hi=-0.1,
            kind="change",
            source="argo",
            tag="trigger",
            star=True,
            texts=(
                "Argo CD: {svc2} Synced/Healthy — the running image differs from the one CI "
                "built for {sha}",
                "Argo CD: {svc2} rollout complete (readiness passed)",
            ),
        ),
        Step(
            anchor="impact",
            lo=1,
            hi=30,
            kind="observation",
            source="loki",
            tag="learned",
            known=False,
            texts=("Pipeline logs: {learned} (found during the postmortem)",),
        ),
        Step(
            anchor="~acknowledged",
            lo=0.05,
            hi=0.3,
            kind="chat",
            source="slack",
            role="oncall",
            texts=(
                "the pods are running an image I don't recognise. `kubectl describe` shows a "
                "digest that isn't from {sha}",
                "errors started right after the {svc2} deploy but the diff in #{pr} is tiny. "
                "something else is running",
            ),
        ),
        Step(
            anchor="~acknowledged",
            lo=0.3,
            hi=0.5,
            kind="chat",
            source="slack",
            role="sre",
            tag="diagnosis",
            texts=(
                "found it: {surprise_short}. the pipeline did exactly what it is configured "
                "to do, just not what any of us expected",
                "looking at the pipeline history — {surprise_short}. pausing auto-sync for {svc2}",
            ),
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
                "Decision: freeze the pipeline for {svc2} and pin the last known good digest "
                "by hand. No other deploys until we understand this.",
            ),
        ),
        Step(
            anchor="~acknowledged",
            lo=0.7,
            hi=0.95,
            kind="action",
            source="argo",
            role="sre",
            tag="fix",
            texts=("Manual sync of {svc2} to the last known good digest",),
        ),
    ),
    detection=Step(
        anchor="detected",
        lo=0,
        hi=0,
        kind="alert",
        source="alertmanager",
        tag="alert",
        texts=("[FIRING] {alert} for {svc2} (fired after a deploy)",),
    ),
    factors=(
        FactorTemplate(
            code="surprise",
            category="automation_surprise",
            core=True,
            tags=("trigger", "learned"),
            descriptions=(
                "The pipeline behaved as configured but not as expected: {surprise}.",
                "Because of the pipeline's {mechanism}, {surprise}.",
            ),
            evidence=("Pipeline logs: {learned}.",),
        ),
        FactorTemplate(
            code="healthy",
            category="tooling",
            tags=("trigger",),
            descriptions=(
                "Argo CD reports a sync as healthy once pods pass readiness, whichever image "
                "they run; nothing compares the running digest with the merged commit.",
            ),
            evidence=("Argo CD showed Synced/Healthy for {svc2} throughout the incident.",),
        ),
        FactorTemplate(
            code="docs",
            category="knowledge",
            tags=("diagnosis",),
            descriptions=(
                "Few people know the pipeline's {mechanism}; it is described only in the "
                "pipeline repository's commit history.",
            ),
            evidence=("Three of four responders said in the review they had not known this.",),
        ),
        FactorTemplate(
            code="verify",
            category="process",
            tags=("merge",),
            descriptions=(
                "Deploy verification relies on the author watching dashboards; there is no "
                "automated check after a rollout.",
            ),
            evidence=("Deploy checklist in the handbook: 'watch the dashboards for a while'.",),
        ),
        FactorTemplate(
            code="ownership",
            category="organisational",
            descriptions=(
                "The deploy pipeline has had no dedicated owner since the platform team "
                "reorganised; changes to it happen as side work.",
            ),
            evidence=("The pipeline repository's last ten changes have eight different authors.",),
        ),
    ),
    actions=(
        ActionTemplate(
            titles=("Deploy by image digest instead of tag", "Pin every rollout to a digest"),
            type="prevent",
            priority="P1",
            factors=("surprise",),
            team="platform",
        ),
        ActionTemplate(
            titles=("Allow one pipeline run per service at a time",),
            type="prevent",
            priority="P1",
            factors=("surprise",),
            team="platform",
        ),
        ActionTemplate(
            titles=("Compare the running digest with the merged commit after each rollout",),
            type="detect",
            priority="P1",
            factors=("healthy", "verify"),
            done="A mismatch raises a warning in the deploy channel within 2 minutes.",
            team="platform",
        ),
        ActionTemplate(
            titles=("Document the pipeline's {mechanism} in the platform handbook",),
            type="process",
            priority="P2",
            factors=("docs",),
            team="platform",
        ),
        ActionTemplate(
            titles=("Name an owner for the deploy pipeline",),
            type="process",
            priority="P2",
            factors=("ownership",),
            team="platform",
        ),
    ),
    summary=(
        "On {date}, a routine deploy of {svc2} ended with production running a different "
        "build from the one that was merged: {surprise}. {svc2_name} served errors for "
        "{impact_dur} until the last known good image was pinned by hand.",
        "A deploy pipeline run for {svc2} completed 'healthy', but {surprise}. About {pct}% "
        "of requests to {svc2} failed for {impact_dur}.",
    ),
    trigger=("The pipeline run for PR #{pr} in {svc2}; the change itself was not at fault.",),
    background=(
        "Every service deploys through the same pipeline: CI builds an image, Argo CD syncs "
        "it to the cluster and an automatic rollback watches readiness for five minutes.",
    ),
    impact=(
        "- {n} requests to {svc2} failed (source: edge proxy logs, 5xx by upstream).",
        "- Error rate peaked at {pct}% (source: Grafana, {svc2_name} dashboard).",
    ),
    detection_text=(
        "{alert} fired on {svc2}. The pipeline itself reported success, so the first "
        "suspect was the code change, which turned out to be fine.",
    ),
    response_text=(
        "Responders first reviewed the diff of #{pr}, which was small and harmless. An SRE "
        "compared the running digest with the CI build and found the mismatch. The incident "
        "commander froze the pipeline and the last known good digest was pinned manually.",
    ),
    went_well=(
        "Freezing the pipeline early stopped other services from picking up the same behaviour.",
        "Responders shared commands and output in the channel, which made the timeline "
        "easy to rebuild.",
    ),
    went_poorly=(
        "Time went into reviewing a code change that was not involved.",
        "Finding the last known good digest took several minutes of searching the registry.",
    ),
    got_lucky=("The issue hit a single service; other deploys were queued behind it.",),
    surprises=(
        "A green, healthy sync can still be running the wrong build.",
        "The pipeline's {mechanism} was new to most of the responders.",
    ),
    open_questions=(
        "How many services could be affected by the same {mechanism} today?",
        "Should the automatic rollback be aware of migrations?",
    ),
    volume=140.0,
)

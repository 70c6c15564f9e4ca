"""GitHub webhook payloads: deployment, deployment_status, release and workflow_run.

A file holds one payload, a JSON array of payloads, JSON lines, or payloads wrapped with
their event name: ``{"event": "deployment", "payload": {...}}`` or a delivery as recorded
``{"headers": {"X-GitHub-Event": ...}, "body": {...}}``. Without a name the event is told by
the payload's keys. Other events (push, ping, ...) are skipped with a warning.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from secondstory.core.timeline.event import TimelineEvent
from secondstory.core.timeline.sources.base import (
    ParseOptions,
    Source,
    Where,
    actor_name,
    clip,
    stable_ref,
)
from secondstory.core.timeline.sources.documents import (
    child,
    dict_at,
    first_key,
    head_text,
    instant_at,
    int_at,
    objects,
    text_at,
    url,
)

NAME = "github"
DESCRIPTION = "GitHub webhook payloads: deployment, deployment_status, release, workflow_run"
EVENTS = ("deployment", "deployment_status", "release", "workflow_run")

_KEYS = re.compile(
    r'"(?:deployment_status|workflow_run)"\s*:\s*\{'
    r'|"deployment"\s*:\s*\{[^{}]*"(?:sha|environment|task)"'
    r'|"x-github-event"\s*:',
    re.IGNORECASE,
)

_RELEASE = re.compile(r'"release"\s*:\s*\{')
_TAG_NAME = re.compile(r'"tag_name"\s*:')


def sniff(source: Source) -> bool:
    try:
        if source.is_dir:
            return False
        head = head_text(source)
        if not first_key(head):
            return False
        # A release's "tag_name" comes after nested objects ("author"), so it is looked for
        # on its own.
        return _KEYS.search(head) is not None or (
            _RELEASE.search(head) is not None and _TAG_NAME.search(head) is not None
        )
    except Exception:
        return False


def parse(source: Source, options: ParseOptions) -> Iterator[TimelineEvent]:
    for where, value in objects(source):
        name, payload, where = _unwrap(value, where)
        if name not in EVENTS:
            shown = f"a {name!r} event" if name else "not a recognised payload"
            source.warn(f"{shown}; skipped", line=where.line, path=where.path)
            continue
        event = _READERS[name](payload, where, source)
        if event is not None and options.in_window(event.at):
            yield event


def _unwrap(value: Any, where: Where) -> tuple[str, dict[str, Any], Where]:
    if not isinstance(value, dict):
        raise where.error("payload", f"expected a JSON object, got {type(value).__name__}")
    if isinstance(value.get("payload"), dict) and isinstance(value.get("event"), str):
        return value["event"].strip(), value["payload"], child(where, "payload")
    if "headers" in value and "body" in value:
        headers = dict_at(value, "headers", where)
        name = ""
        for key, header in headers.items():
            if key.casefold() == "x-github-event" and isinstance(header, str):
                name = header.strip()
        body, body_where = value["body"], child(where, "body")
        if isinstance(body, str):
            try:
                body = json.loads(body)
            except (ValueError, RecursionError) as exc:
                raise body_where.error("body", f"not valid JSON: {clip(str(exc), 80)}") from exc
        if not isinstance(body, dict):
            raise body_where.error("body", f"expected a JSON object, got {type(body).__name__}")
        return name or _guess(body), body, body_where
    return _guess(value), value, where


def _guess(payload: dict[str, Any]) -> str:
    # A deployment made by a workflow also carries "workflow_run", so it is looked at first.
    for name in ("deployment_status", "deployment", "release", "workflow_run"):
        if isinstance(payload.get(name), dict):
            return name
    return ""


def _login(obj: dict[str, Any], key: str, where: Where) -> str:
    return text_at(dict_at(obj, key, where), "login", child(where, key))


def _required_time(obj: dict[str, Any], keys: tuple[str, ...], where: Where) -> datetime:
    for key in keys:
        moment = instant_at(obj, key, where)
        if moment is not None:
            return moment
    raise child(where, keys[0]).error(keys[0], "is missing")


def _repository(payload: dict[str, Any], where: Where) -> tuple[str, str]:
    repo = dict_at(payload, "repository", where)
    repo_where = child(where, "repository")
    return text_at(repo, "full_name", repo_where), text_at(repo, "html_url", repo_where)


def _in_repo(text: str, repo: str) -> str:
    return f"{repo}: {text}" if repo else text


def _deployment_words(deployment: dict[str, Any], where: Where) -> tuple[str, str, str]:
    ref = text_at(deployment, "ref", where)
    sha = text_at(deployment, "sha", where)
    environment = text_at(deployment, "environment", where) or "an environment"
    what = ref or sha[:12] or "a commit"
    if ref and sha and not sha.startswith(ref):
        what += f" ({sha[:7]})"
    return what, environment, sha


def _deployment(payload: dict[str, Any], where: Where, source: Source) -> TimelineEvent:
    here = child(where, "deployment")
    deployment = dict_at(payload, "deployment", where)
    ident = text_at(deployment, "id", here) or text_at(deployment, "node_id", here)
    if not ident:
        raise child(here, "id").error("id", "is missing")
    what, environment, sha = _deployment_words(deployment, here)
    repo, repo_url = _repository(payload, where)
    text = f"Deployment of {what} to {environment} created"
    task = text_at(deployment, "task", here)
    if task and task != "deploy":
        text += f" (task {task})"
    description = text_at(deployment, "description", here).strip()
    if description:
        text += f": {description}"
    actor = _login(deployment, "creator", here) or _login(payload, "sender", where)
    evidence = f"{repo_url}/commit/{sha}" if repo_url and sha else ""
    return TimelineEvent(
        at=_required_time(deployment, ("created_at", "updated_at"), here),
        kind="change",
        source=NAME,
        source_ref=stable_ref("deployment", ident),
        text=_in_repo(text, repo),
        actor=actor_name(actor),
        evidence_url=url(evidence, source, where),
        raw=payload,
    )


_STATE_WORDS = {
    "pending": "pending",
    "queued": "queued",
    "in_progress": "in progress",
    "success": "succeeded",
    "failure": "failed",
    "error": "errored",
    "inactive": "inactive (replaced by a newer deployment)",
}


def _deployment_status(payload: dict[str, Any], where: Where, source: Source) -> TimelineEvent:
    here = child(where, "deployment_status")
    status = dict_at(payload, "deployment_status", where)
    deployment = dict_at(payload, "deployment", where)
    ident = text_at(status, "id", here) or text_at(status, "node_id", here)
    if not ident:
        raise child(here, "id").error("id", "is missing")
    state = text_at(status, "state", here).strip()
    if not state:
        raise child(here, "state").error("state", "is missing")
    what, environment, _sha = _deployment_words(deployment, child(where, "deployment"))
    environment = text_at(status, "environment", here) or environment
    repo, _repo_url = _repository(payload, where)
    text = f"Deployment of {what} to {environment} {_STATE_WORDS.get(state, state)}"
    description = text_at(status, "description", here).strip()
    if description:
        text += f": {description}"
    actor = _login(status, "creator", here) or _login(payload, "sender", where)
    link = (
        text_at(status, "target_url", here)
        or text_at(status, "log_url", here)
        or text_at(status, "environment_url", here)
    )
    return TimelineEvent(
        at=_required_time(status, ("created_at", "updated_at"), here),
        kind="change",
        source=NAME,
        source_ref=stable_ref("deployment_status", ident),
        text=_in_repo(text, repo),
        actor=actor_name(actor),
        evidence_url=url(link, source, where),
        raw=payload,
    )


_RELEASE_TIMES = {
    "published": ("published_at", "created_at"),
    "released": ("published_at", "created_at"),
    "prereleased": ("published_at", "created_at"),
    "created": ("created_at", "published_at"),
    "": ("published_at", "created_at"),
}


def _release(payload: dict[str, Any], where: Where, source: Source) -> TimelineEvent | None:
    here = child(where, "release")
    release = dict_at(payload, "release", where)
    action = text_at(payload, "action", where).strip()
    if action not in _RELEASE_TIMES:
        source.warn(
            f"release action {clip(action, 30)!r} carries no time of its own; skipped",
            line=where.line,
            path=where.path,
        )
        return None
    ident = text_at(release, "id", here) or text_at(release, "node_id", here)
    if not ident:
        raise child(here, "id").error("id", "is missing")
    tag = text_at(release, "tag_name", here)
    title = text_at(release, "name", here).strip()
    repo, _repo_url = _repository(payload, where)
    text = f"Release {tag or ident}"
    if title and title != tag:
        text += f" “{title}”"
    text += f" {action or 'published'}"
    flags = [
        word
        for word, key in (("pre-release", "prerelease"), ("draft", "draft"))
        if release.get(key)
    ]
    if flags:
        text += f" ({', '.join(flags)})"
    actor = _login(release, "author", here) or _login(payload, "sender", where)
    return TimelineEvent(
        at=_required_time(release, _RELEASE_TIMES[action], here),
        kind="change",
        source=NAME,
        source_ref=stable_ref("release", ident, action or "published"),
        text=_in_repo(text, repo),
        actor=actor_name(actor),
        evidence_url=url(text_at(release, "html_url", here), source, where),
        raw=payload,
    )


_RUN_TIMES = {
    "requested": ("created_at", "run_started_at", "updated_at"),
    "in_progress": ("run_started_at", "updated_at", "created_at"),
    "completed": ("updated_at", "run_started_at", "created_at"),
}


def _workflow_run(payload: dict[str, Any], where: Where, source: Source) -> TimelineEvent:
    here = child(where, "workflow_run")
    run = dict_at(payload, "workflow_run", where)
    ident = text_at(run, "id", here) or text_at(run, "node_id", here)
    if not ident:
        raise child(here, "id").error("id", "is missing")
    action = text_at(payload, "action", where).strip()
    status = text_at(run, "status", here).strip()
    stage = action or status or "requested"
    attempt = int_at(run, "run_attempt", here) or 1
    name = text_at(run, "name", here) or text_at(dict_at(payload, "workflow", where), "name", where)
    number = text_at(run, "run_number", here)
    branch = text_at(run, "head_branch", here)
    sha = text_at(run, "head_sha", here)
    text = f"Workflow {name or 'run'}"
    if number:
        text += f" #{number}"
    if attempt > 1:
        text += f" (attempt {attempt})"
    if branch:
        text += f" on {branch}"
    if sha:
        text += f" ({sha[:7]})"
    if stage == "completed":
        conclusion = text_at(run, "conclusion", here).strip()
        text += f" completed: {conclusion}" if conclusion else " completed"
    elif stage == "in_progress":
        text += " started"
    else:
        text += f" {stage.replace('_', ' ')}"
    trigger = text_at(run, "event", here)
    if trigger and stage == "requested":
        text += f" by {trigger}"
    repo, _repo_url = _repository(payload, where)
    actor = (
        _login(run, "triggering_actor", here)
        or _login(run, "actor", here)
        or _login(payload, "sender", where)
    )
    return TimelineEvent(
        at=_required_time(run, _RUN_TIMES.get(stage, _RUN_TIMES["completed"]), here),
        kind="change",
        source=NAME,
        source_ref=stable_ref("workflow_run", ident, stage, attempt),
        text=_in_repo(text, repo),
        actor=actor_name(actor),
        evidence_url=url(text_at(run, "html_url", here), source, where),
        raw=payload,
    )


_READERS: dict[str, Any] = {
    "deployment": _deployment,
    "deployment_status": _deployment_status,
    "release": _release,
    "workflow_run": _workflow_run,
}

"""Local HTTP servers answering with the documented request and response shapes of GitHub,
GitLab, Jira Cloud and Linear, plus signed webhook deliveries as each tracker sends them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

TOKEN = "tok-3f9a1c"
JIRA_ACCOUNT = "ops@example.com"
PROJECTS = {
    "github": "acme/checkout",
    "gitlab": "payments/checkout",
    "jira": "PAY",
    "linear": "team-7",
}


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class FakeTracker:
    kind: str
    port: int = 0
    issues: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    # (status, headers, body) to answer every request with, or "slow" to never answer in time
    failure: Any = None

    @property
    def base_url(self) -> str:
        root = f"http://127.0.0.1:{self.port}"
        return {
            "github": root,
            "gitlab": f"{root}/api/v4",
            "jira": root,
            "linear": f"{root}/graphql",
        }[self.kind]

    def set_state(self, external_id: str, closed: bool) -> None:
        issue = self.issues[external_id]
        issue["closed"] = closed
        issue["closed_at"] = "2026-04-02T10:15:00Z" if closed else None

    # What the tracker answers -------------------------------------------------------------

    def authorised(self, headers: dict[str, str]) -> bool:
        if self.kind == "github":
            return headers.get("authorization") == f"Bearer {TOKEN}"
        if self.kind == "gitlab":
            return headers.get("private-token") == TOKEN
        if self.kind == "jira":
            pair = base64.b64encode(f"{JIRA_ACCOUNT}:{TOKEN}".encode()).decode()
            return headers.get("authorization") == f"Basic {pair}"
        return headers.get("authorization") == TOKEN

    def answer(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        handler = getattr(self, f"_{self.kind}")
        result: tuple[int, Any] = handler(method, path, body)
        return result

    def _new(self, external_id: str, key: str, fields: dict[str, Any]) -> dict[str, Any]:
        issue = {"id": external_id, "key": key, "closed": False, "closed_at": None, **fields}
        self.issues[external_id] = issue
        return issue

    def _github(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        prefix = f"/repos/{PROJECTS['github']}/issues"
        if method == "POST" and path == prefix:
            number = str(len(self.issues) + 1)
            issue = self._new(number, f"#{number}", {"title": body["title"], "body": body["body"]})
            return 201, self._github_issue(issue)
        number = path.removeprefix(prefix + "/")
        if method == "GET" and number in self.issues:
            return 200, self._github_issue(self.issues[number])
        return 404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}

    def _github_issue(self, issue: dict[str, Any]) -> dict[str, Any]:
        number = int(issue["id"])
        return {
            "id": 1000 + number,
            "node_id": f"I_{number}",
            "number": number,
            "html_url": f"https://github.com/{PROJECTS['github']}/issues/{number}",
            "title": issue["title"],
            "body": issue["body"],
            "state": "closed" if issue["closed"] else "open",
            "state_reason": "completed" if issue["closed"] else None,
            "closed_at": issue["closed_at"],
            "updated_at": "2026-04-02T10:15:00Z",
        }

    def _gitlab(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        prefix = f"/api/v4/projects/{PROJECTS['gitlab']}/issues"
        if method == "POST" and path == prefix:
            iid = str(len(self.issues) + 1)
            issue = self._new(
                iid, f"#{iid}", {"title": body["title"], "description": body["description"]}
            )
            return 201, self._gitlab_issue(issue)
        iid = path.removeprefix(prefix + "/")
        if method == "GET" and iid in self.issues:
            return 200, self._gitlab_issue(self.issues[iid])
        return 404, {"message": "404 Not found"}

    def _gitlab_issue(self, issue: dict[str, Any]) -> dict[str, Any]:
        iid = int(issue["id"])
        return {
            "id": 5000 + iid,
            "iid": iid,
            "project_id": 42,
            "title": issue["title"],
            "description": issue["description"],
            "state": "closed" if issue["closed"] else "opened",
            "web_url": f"https://gitlab.com/{PROJECTS['gitlab']}/-/issues/{iid}",
            "closed_at": issue["closed_at"],
        }

    def _jira(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        if method == "POST" and path == "/rest/api/3/issue":
            fields = body["fields"]
            if (
                fields["project"]["key"] != PROJECTS["jira"]
                or fields["description"]["type"] != "doc"
            ):
                return 400, {
                    "errorMessages": [],
                    "errors": {"project": "valid project is required"},
                }
            number = len(self.issues) + 1
            issue_id = str(10000 + number)
            self._new(issue_id, f"PAY-{number}", {"fields": fields})
            return 201, {
                "id": issue_id,
                "key": f"PAY-{number}",
                "self": f"http://127.0.0.1:{self.port}/rest/api/3/issue/{issue_id}",
            }
        issue_id = path.removeprefix("/rest/api/3/issue/")
        if method == "GET" and issue_id in self.issues:
            issue = self.issues[issue_id]
            category = "done" if issue["closed"] else "new"
            return 200, {
                "id": issue_id,
                "key": issue["key"],
                "fields": {
                    "status": {
                        "name": "Done" if issue["closed"] else "To Do",
                        "statusCategory": {"id": 3, "key": category},
                    },
                    "resolutiondate": "2026-04-02T10:15:00.000+0000" if issue["closed"] else None,
                },
            }
        return 404, {
            "errorMessages": ["Issue does not exist or you do not have permission to see it."],
            "errors": {},
        }

    def _linear(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        query = body.get("query", "") if isinstance(body, dict) else ""
        variables = body.get("variables", {}) if isinstance(body, dict) else {}
        if "issueCreate" in query:
            fields = variables["input"]
            number = len(self.issues) + 1
            issue_id = f"9c1f{number:04d}-linear-uuid"
            issue = self._new(issue_id, f"ENG-{number}", {"input": fields})
            return 200, {
                "data": {"issueCreate": {"success": True, "issue": self._linear_issue(issue)}}
            }
        issue = self.issues.get(variables.get("id", ""))
        if issue is None:
            return 200, {
                "errors": [
                    {"message": "Entity not found: Issue", "extensions": {"code": "INVALID_INPUT"}}
                ],
                "data": None,
            }
        return 200, {"data": {"issue": self._linear_issue(issue)}}

    def _linear_issue(self, issue: dict[str, Any]) -> dict[str, Any]:
        closed = issue["closed"]
        return {
            "id": issue["id"],
            "identifier": issue["key"],
            "url": f"https://linear.app/acme/issue/{issue['key']}",
            "completedAt": "2026-04-02T10:15:00.000Z" if closed else None,
            "canceledAt": None,
            "state": {
                "type": "completed" if closed else "started",
                "name": "Done" if closed else "In Progress",
            },
        }


def _handler(tracker: FakeTracker) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            parts = urlsplit(self.path)
            path = unquote(parts.path)
            headers = {k.lower(): v for k, v in self.headers.items()}
            tracker.requests.append(Recorded(method, self.path, headers, body))
            if tracker.failure == "slow":
                time.sleep(1.5)
                status, payload, extra = 200, {}, {}
            elif tracker.failure is not None:
                status, extra, payload = tracker.failure
            elif not tracker.authorised(headers):
                status, payload, extra = 401, {"message": "Bad credentials"}, {}
            else:
                status, payload = tracker.answer(method, path, body)
                extra = {}
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                return

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

    return Handler


@contextmanager
def serve(kind: str) -> Iterator[FakeTracker]:
    tracker = FakeTracker(kind)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(tracker))
    server.daemon_threads = True
    tracker.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield tracker
    finally:
        server.shutdown()
        server.server_close()


# Webhook deliveries, signed as each tracker signs them ------------------------------------

SECRET = "whsec-5d2e"


def hex_signature(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def delivery(
    kind: str, external_id: str, *, closed: bool, at: datetime, secret: str = SECRET
) -> tuple[bytes, dict[str, str]]:
    """The body and headers a tracker sends when an issue is closed (or reopened)."""
    stamp = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    payload: dict[str, Any]
    headers: dict[str, str]
    if kind == "github":
        payload = {
            "action": "closed" if closed else "reopened",
            "issue": {
                "number": int(external_id),
                "state": "closed" if closed else "open",
                "closed_at": stamp if closed else None,
                "updated_at": stamp,
            },
            "repository": {"full_name": PROJECTS["github"]},
        }
        body = json.dumps(payload).encode()
        headers = {
            "X-GitHub-Event": "issues",
            "X-Hub-Signature-256": f"sha256={hex_signature(secret, body)}",
        }
    elif kind == "gitlab":
        payload = {
            "object_kind": "issue",
            "event_type": "issue",
            "project": {"id": 42, "path_with_namespace": PROJECTS["gitlab"]},
            "object_attributes": {
                "iid": int(external_id),
                "action": "close" if closed else "reopen",
                "state": "closed" if closed else "opened",
                "closed_at": at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
                if closed
                else None,
                "updated_at": at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
            },
        }
        body = json.dumps(payload).encode()
        headers = {"X-Gitlab-Event": "Issue Hook", "X-Gitlab-Token": secret}
    elif kind == "jira":
        payload = {
            "timestamp": int(time.time() * 1000),
            "webhookEvent": "jira:issue_updated",
            "issue_event_type_name": "issue_generic",
            "issue": {
                "id": external_id,
                "key": "PAY-1",
                "fields": {
                    "updated": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                    "resolutiondate": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
                    if closed
                    else None,
                    "status": {
                        "name": "Done" if closed else "To Do",
                        "statusCategory": {"key": "done" if closed else "new"},
                    },
                },
            },
            "changelog": {
                "id": "1",
                "items": [
                    {
                        "field": "status",
                        "fieldtype": "jira",
                        "fieldId": "status",
                        "fromString": "To Do" if closed else "Done",
                        "toString": "Done" if closed else "To Do",
                    }
                ],
            },
        }
        body = json.dumps(payload).encode()
        headers = {"X-Hub-Signature": f"sha256={hex_signature(secret, body)}"}
    else:
        payload = {
            "action": "update",
            "type": "Issue",
            "createdAt": stamp,
            "data": {
                "id": external_id,
                "identifier": "ENG-1",
                "updatedAt": stamp,
                "completedAt": stamp if closed else None,
                "state": {"type": "completed" if closed else "started"},
            },
            "updatedFrom": {"stateId": "s-1", "updatedAt": stamp},
            "webhookTimestamp": int(time.time() * 1000),
        }
        body = json.dumps(payload).encode()
        headers = {"Linear-Event": "Issue", "Linear-Signature": hex_signature(secret, body)}
    return body, with_delivery_id(kind, headers)


def with_delivery_id(kind: str, headers: dict[str, str]) -> dict[str, str]:
    """The headers with a new delivery id, in the header ``kind`` sends it in."""
    name = {
        "github": "X-GitHub-Delivery",
        "gitlab": "X-Gitlab-Event-UUID",
        "jira": "X-Atlassian-Webhook-Identifier",
        "linear": "Linear-Delivery",
    }[kind]
    return {**headers, name: str(uuid.uuid4())}


def signed(
    kind: str, payload: dict[str, Any], secret: str = SECRET
) -> tuple[bytes, dict[str, str]]:
    """Any payload, signed the way ``kind`` signs its deliveries."""
    stamp = SENT_AT.get(kind)
    if stamp:
        payload = {**payload, stamp: payload.get(stamp, int(time.time() * 1000))}
    body = json.dumps(payload).encode()
    digest = hex_signature(secret, body)
    headers = {
        "github": {"X-GitHub-Event": "issues", "X-Hub-Signature-256": f"sha256={digest}"},
        "gitlab": {"X-Gitlab-Event": "Issue Hook", "X-Gitlab-Token": secret},
        "jira": {"X-Hub-Signature": f"sha256={digest}"},
        "linear": {"Linear-Event": "Issue", "Linear-Signature": digest},
    }[kind]
    return body, with_delivery_id(kind, headers)


SENT_AT = {"jira": "timestamp", "linear": "webhookTimestamp"}

# Deliveries each tracker sends that do not open or close an issue.
UNRELATED = {
    "github": {"action": "labeled", "issue": {"number": 1, "state": "open"}},
    "gitlab": {"object_kind": "issue", "object_attributes": {"iid": 1, "action": "update"}},
    "jira": {
        "webhookEvent": "jira:issue_updated",
        "issue": {"id": "10001", "fields": {"status": {"statusCategory": {"key": "done"}}}},
        "changelog": {"items": [{"field": "summary", "fieldId": "summary"}]},
    },
    "linear": {
        "action": "update",
        "type": "Issue",
        "data": {"id": "9c1f0001-linear-uuid", "state": {"type": "completed"}},
        "updatedFrom": {"title": "Old title"},
    },
}

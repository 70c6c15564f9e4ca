"""HTTP clients for the trackers' documented APIs: create an issue, read its state.

GitHub REST (``POST /repos/{owner}/{repo}/issues``), GitLab REST
(``POST /projects/:id/issues``), Jira Cloud REST v3 (``POST /rest/api/3/issue``, description
in the Atlassian Document Format) and Linear GraphQL (``issueCreate``). Every failure is a
:class:`TrackerError` with a message for people; a 429 is a :class:`RateLimited` carrying
when to try again.
"""

from __future__ import annotations

import base64
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

import httpx
from django.conf import settings
from django.utils import timezone

from secondstory.trackers.models import TrackerConnection

DEFAULT_TIMEOUT_SECONDS = 10.0
DEFAULT_RETRY_SECONDS = 60


@dataclass(frozen=True)
class Issue:
    external_id: str
    key: str
    url: str
    state: str  # "open", "closed" or "canceled" (Linear)
    closed_at: datetime | None = None


@dataclass(frozen=True)
class NewIssue:
    title: str
    postmortem_url: str
    postmortem_title: str
    done_criterion: str
    due: date

    def lines(self) -> list[str]:
        lines = [
            f"Action item from the postmortem “{self.postmortem_title}”: {self.postmortem_url}"
        ]
        if self.done_criterion:
            lines.append(f"Done when: {self.done_criterion}")
        lines.append(f"Due: {self.due.isoformat()}")
        return lines

    def markdown(self) -> str:
        return "\n\n".join(self.lines())


class TrackerError(Exception):
    """A call to a tracker failed; ``str()`` says how, for the sync log."""


class RateLimited(TrackerError):
    def __init__(self, message: str, retry_at: datetime) -> None:
        super().__init__(message)
        self.retry_at = retry_at


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 time from a tracker ("…Z", "…+0000", GitLab's "… UTC"), or None."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    if text.endswith(" UTC"):
        text = text[:-4] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def retry_at(header: str | None, now: datetime) -> datetime:
    """When to call again after a 429: Retry-After in seconds or as an HTTP date."""
    if header:
        value = header.strip()
        if value.isdigit():
            return now + timedelta(seconds=int(value))
        try:
            return parsedate_to_datetime(value)
        except (TypeError, ValueError):
            pass
    return now + timedelta(seconds=DEFAULT_RETRY_SECONDS)


class Client(ABC):
    """One tracker's API; each subclass speaks one tracker's documented shapes."""

    label = "tracker"

    def __init__(self, connection: TrackerConnection) -> None:
        self.connection = connection
        self.base = connection.base_url.rstrip("/")
        self.timeout = float(
            getattr(settings, "SECONDSTORY_TRACKER_TIMEOUT", DEFAULT_TIMEOUT_SECONDS)
        )

    @abstractmethod
    def headers(self) -> dict[str, str]:
        """Authentication and API-version headers."""

    @abstractmethod
    def create_issue(self, new: NewIssue) -> Issue:
        """Open an issue for an action item."""

    @abstractmethod
    def fetch_issue(self, external_id: str) -> Issue:
        """The issue's current state."""

    def call(self, method: str, url: str, payload: Any = None) -> Any:
        """Send a request and return its JSON, or raise a TrackerError saying what failed."""
        headers = {"Accept": "application/json", "User-Agent": "secondstory", **self.headers()}
        try:
            response = httpx.request(
                method, url, json=payload, headers=headers, timeout=self.timeout
            )
        except httpx.TimeoutException as error:
            raise TrackerError(f"{self.label} did not answer within {self.timeout:g}s") from error
        except httpx.HTTPError as error:
            raise TrackerError(f"could not reach {self.label}: {error}") from error
        status = response.status_code
        if status == 429 or (status == 403 and "Retry-After" in response.headers):
            # GitHub answers its secondary rate limits with 403 and Retry-After
            when = retry_at(response.headers.get("Retry-After"), timezone.now())
            raise RateLimited(f"{self.label} rate limit reached (HTTP {status})", when)
        if status in (401, 403):
            raise TrackerError(f"{self.label} refused the token (HTTP {status})")
        if status == 404:
            raise TrackerError(f"{self.label} does not know this project or issue (HTTP 404)")
        if status >= 400 and not self.errors_in_body(status):
            raise TrackerError(f"{self.label} answered HTTP {status}")
        try:
            return response.json()
        except ValueError as error:
            raise TrackerError(f"{self.label} answered with something other than JSON") from error

    def errors_in_body(self, status: int) -> bool:
        """Whether an HTTP error status carries an answer the client reads itself."""
        return False

    @staticmethod
    def field(data: Any, *path: str) -> Any:
        for name in path:
            if not isinstance(data, dict):
                return None
            data = data.get(name)
        return data

    def need(self, data: Any, *path: str) -> Any:
        value = self.field(data, *path)
        if value is None or value == "":
            raise TrackerError(f"{self.label} answered without {'.'.join(path)}")
        return value


class GitHubClient(Client):
    label = "GitHub"

    def headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.connection.token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        }

    def _issue(self, data: Any) -> Issue:
        number = str(self.need(data, "number"))
        return Issue(
            external_id=number,
            key=f"{self.connection.project}#{number}",
            url=str(self.need(data, "html_url")),
            state="closed" if data.get("state") == "closed" else "open",
            closed_at=parse_time(data.get("closed_at")),
        )

    def create_issue(self, new: NewIssue) -> Issue:
        url = f"{self.base}/repos/{self.connection.project}/issues"
        return self._issue(self.call("POST", url, {"title": new.title, "body": new.markdown()}))

    def fetch_issue(self, external_id: str) -> Issue:
        url = f"{self.base}/repos/{self.connection.project}/issues/{external_id}"
        return self._issue(self.call("GET", url))


class GitLabClient(Client):
    label = "GitLab"

    def headers(self) -> dict[str, str]:
        return {"PRIVATE-TOKEN": self.connection.token}

    def _project_url(self) -> str:
        return f"{self.base}/projects/{quote(self.connection.project, safe='')}/issues"

    def _issue(self, data: Any) -> Issue:
        iid = str(self.need(data, "iid"))
        return Issue(
            external_id=iid,
            key=f"#{iid}",
            url=str(self.need(data, "web_url")),
            state="closed" if data.get("state") == "closed" else "open",
            closed_at=parse_time(data.get("closed_at")),
        )

    def create_issue(self, new: NewIssue) -> Issue:
        payload = {"title": new.title, "description": new.markdown()}
        return self._issue(self.call("POST", self._project_url(), payload))

    def fetch_issue(self, external_id: str) -> Issue:
        return self._issue(self.call("GET", f"{self._project_url()}/{external_id}"))


def adf(lines: list[str], link: str) -> dict[str, Any]:
    """A Jira description in the Atlassian Document Format: one paragraph per line,
    the postmortem address as a link."""
    content: list[dict[str, Any]] = []
    for line in lines:
        nodes: list[dict[str, Any]] = []
        if link and link in line:
            before, after = line.split(link, 1)
            if before:
                nodes.append({"type": "text", "text": before})
            mark = {"type": "link", "attrs": {"href": link}}
            nodes.append({"type": "text", "text": link, "marks": [mark]})
            if after:
                nodes.append({"type": "text", "text": after})
        else:
            nodes.append({"type": "text", "text": line})
        content.append({"type": "paragraph", "content": nodes})
    return {"type": "doc", "version": 1, "content": content}


class JiraClient(Client):
    label = "Jira"

    def headers(self) -> dict[str, str]:
        pair = f"{self.connection.account}:{self.connection.token}".encode()
        return {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}

    def _issue(self, data: Any) -> Issue:
        key = str(self.need(data, "key"))
        category = self.field(data, "fields", "status", "statusCategory", "key")
        return Issue(
            external_id=str(self.need(data, "id")),
            key=key,
            url=f"{self.base}/browse/{key}",
            state="closed" if category == "done" else "open",
            closed_at=parse_time(self.field(data, "fields", "resolutiondate")),
        )

    def create_issue(self, new: NewIssue) -> Issue:
        fields = {
            "project": {"key": self.connection.project},
            "summary": new.title,
            "issuetype": {"name": self.connection.issue_type or "Task"},
            "description": adf(new.lines(), new.postmortem_url),
        }
        created = self.call("POST", f"{self.base}/rest/api/3/issue", {"fields": fields})
        key = str(self.need(created, "key"))
        return Issue(str(self.need(created, "id")), key, f"{self.base}/browse/{key}", "open")

    def fetch_issue(self, external_id: str) -> Issue:
        url = f"{self.base}/rest/api/3/issue/{external_id}?fields=status,resolutiondate"
        return self._issue(self.call("GET", url))


LINEAR_FIELDS = "id identifier url completedAt canceledAt state { type name }"
LINEAR_CREATE = (
    "mutation IssueCreate($input: IssueCreateInput!) "
    f"{{ issueCreate(input: $input) {{ success issue {{ {LINEAR_FIELDS} }} }} }}"
)
LINEAR_ISSUE = f"query Issue($id: String!) {{ issue(id: $id) {{ {LINEAR_FIELDS} }} }}"


def linear_state(state_type: Any) -> str:
    """Linear's workflow state types: completed is closed, canceled is its own case."""
    if state_type == "completed":
        return "closed"
    if state_type == "canceled":
        return "canceled"
    return "open"


class LinearClient(Client):
    label = "Linear"

    def headers(self) -> dict[str, str]:
        return {"Authorization": self.connection.token}

    def errors_in_body(self, status: int) -> bool:
        return status == 400  # GraphQL errors, read by graphql()

    def graphql(self, query: str, variables: dict[str, Any]) -> Any:
        answer = self.call("POST", self.base, {"query": query, "variables": variables})
        errors = self.field(answer, "errors")
        if errors:
            first = errors[0] if isinstance(errors, list) and errors else {}
            code = self.field(first, "extensions", "code")
            message = self.field(first, "message") or "unknown error"
            if code == "RATELIMITED":
                raise RateLimited("Linear rate limit reached", retry_at(None, timezone.now()))
            raise TrackerError(f"Linear refused the request: {message}")
        return self.field(answer, "data")

    def _issue(self, data: Any) -> Issue:
        state = linear_state(self.field(data, "state", "type"))
        return Issue(
            external_id=str(self.need(data, "id")),
            key=str(self.need(data, "identifier")),
            url=str(self.need(data, "url")),
            state=state,
            closed_at=parse_time(data.get("completedAt")),
        )

    def create_issue(self, new: NewIssue) -> Issue:
        variables = {
            "input": {
                "teamId": self.connection.project,
                "title": new.title,
                "description": new.markdown(),
            }
        }
        data = self.graphql(LINEAR_CREATE, variables)
        if not self.field(data, "issueCreate", "success"):
            raise TrackerError("Linear did not create the issue")
        return self._issue(self.need(data, "issueCreate", "issue"))

    def fetch_issue(self, external_id: str) -> Issue:
        data = self.graphql(LINEAR_ISSUE, {"id": external_id})
        return self._issue(self.need(data, "issue"))


CLIENTS: dict[str, type[Client]] = {
    "github": GitHubClient,
    "gitlab": GitLabClient,
    "jira": JiraClient,
    "linear": LinearClient,
}


def client_for(connection: TrackerConnection) -> Client:
    return CLIENTS[connection.kind](connection)

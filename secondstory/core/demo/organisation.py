"""The fictional company behind the demo: Larkspur, an online shop.

People, teams and services, plus the rotas the generator draws responders
from. Every person works at a fixed UTC offset; what they record (chat
messages, acknowledgements, transitions) carries that offset.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta, timezone

from secondstory.core.record import Organisation, Person, Service, Team

DOMAIN = "example.com"


@dataclass(frozen=True, slots=True)
class Staff:
    username: str
    name: str
    team: str
    offset: int  # minutes east of UTC

    @property
    def first(self) -> str:
        return self.name.split()[0]

    @property
    def email(self) -> str:
        return f"{self.username}@{DOMAIN}"

    def person(self) -> Person:
        return Person(self.username, self.name, self.email)


STAFF: tuple[Staff, ...] = (
    Staff("amara.okafor", "Amara Okafor", "checkout", 60),
    Staff("tomas.lindqvist", "Tomas Lindqvist", "checkout", 60),
    Staff("priya.raman", "Priya Raman", "checkout", 330),
    Staff("mei.chen", "Mei Chen", "data", 0),
    Staff("jonas.weber", "Jonas Weber", "data", 60),
    Staff("lucia.fernandez", "Lucía Fernández", "data", 60),
    Staff("kwame.mensah", "Kwame Mensah", "identity", 0),
    Staff("hannah.kowalski", "Hannah Kowalski", "identity", 60),
    Staff("diego.alvarez", "Diego Álvarez", "identity", -300),
    Staff("sofia.rossi", "Sofia Rossi", "platform", 60),
    Staff("yusuf.demir", "Yusuf Demir", "platform", 0),
    Staff("grace.nakamura", "Grace Nakamura", "platform", -480),
    Staff("oliver.bennett", "Oliver Bennett", "messaging", 0),
    Staff("fatima.haddad", "Fatima Haddad", "messaging", 60),
    Staff("sam.taylor", "Sam Taylor", "messaging", -300),
)

BY_USERNAME: dict[str, Staff] = {s.username: s for s in STAFF}

TEAM_NAMES: dict[str, str] = {
    "checkout": "Checkout & Payments",
    "data": "Data Platform",
    "identity": "Identity",
    "platform": "Platform & SRE",
    "messaging": "Customer Messaging",
}

TEAM_MEMBERS: dict[str, tuple[Staff, ...]] = {
    slug: tuple(s for s in STAFF if s.team == slug) for slug in TEAM_NAMES
}

# (slug, name, owning team, description)
SERVICES: tuple[tuple[str, str, str, str], ...] = (
    (
        "checkout-api",
        "Checkout API",
        "checkout",
        "Turns a basket into a paid order: pricing, tax and payment authorisation.",
    ),
    (
        "payments-gateway",
        "Payments Gateway",
        "checkout",
        "Talks to the card processor, Kestrel Pay, and keeps the state of every payment.",
    ),
    (
        "orders-db",
        "Orders database",
        "data",
        "The PostgreSQL cluster behind orders, payments and refunds.",
    ),
    (
        "nightly-exports",
        "Nightly exports",
        "data",
        "Batch jobs that export orders to finance, tax reporting and the warehouse.",
    ),
    (
        "identity",
        "Identity service",
        "identity",
        "Sign-in, sessions and API tokens for customers and staff.",
    ),
    (
        "edge",
        "Edge proxy and DNS",
        "platform",
        "TLS termination, routing and DNS for every public hostname.",
    ),
    (
        "deploy-pipeline",
        "Deploy pipeline",
        "platform",
        "Builds container images and rolls them out with Argo CD.",
    ),
    (
        "notifications",
        "Notifications",
        "messaging",
        "Order, shipping and account emails, text messages and push notifications.",
    ),
)

SERVICE_NAMES: dict[str, str] = {slug: name for slug, name, _, _ in SERVICES}
SERVICE_TEAMS: dict[str, str] = {slug: team for slug, _, team, _ in SERVICES}


# Rotas: who can be incident commander, facilitate a review, review, run comms.
def _staff(*usernames: str) -> tuple[Staff, ...]:
    return tuple(BY_USERNAME[u] for u in usernames)


INCIDENT_COMMANDERS = _staff(
    "amara.okafor", "mei.chen", "hannah.kowalski", "sofia.rossi", "oliver.bennett", "kwame.mensah"
)
FACILITATORS = _staff("lucia.fernandez", "yusuf.demir", "oliver.bennett", "hannah.kowalski")
REVIEWERS = _staff("amara.okafor", "mei.chen", "hannah.kowalski", "sofia.rossi")
SRES = _staff("sofia.rossi", "yusuf.demir", "grace.nakamura")
COMMS = _staff("fatima.haddad", "sam.taylor", "oliver.bennett")

_ZONES: dict[int, timezone] = {}


def zone(minutes: int) -> timezone:
    """A cached fixed-offset timezone."""
    tz = _ZONES.get(minutes)
    if tz is None:
        tz = _ZONES[minutes] = timezone(timedelta(minutes=minutes))
    return tz


# People who read postmortems to learn but respond to no incident: organisation viewers.
READERS: tuple[Person, ...] = (
    Person("nina.park", "Nina Park", f"nina.park@{DOMAIN}"),  # leads customer support
)


def demo_organisation() -> Organisation:
    """The people, teams and services of the fictional company.

    Everybody on a team responds; the first member of each team maintains it (and so
    decides who may see its incidents); the readers are viewers. The demo login is
    made an admin by ``secondstory demo``.
    """
    return Organisation(
        people=[s.person() for s in STAFF] + list(READERS),
        teams=[
            Team(
                slug,
                name,
                [s.username for s in TEAM_MEMBERS[slug]],
                maintainers=[TEAM_MEMBERS[slug][0].username],
            )
            for slug, name in TEAM_NAMES.items()
        ],
        roles={person.username: "viewer" for person in READERS},
        services=[
            Service(slug, name, team, description) for slug, name, team, description in SERVICES
        ],
    )

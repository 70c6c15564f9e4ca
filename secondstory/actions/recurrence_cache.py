"""The recurrences a postmortem's page shows, kept between page views (see
:mod:`secondstory.lib.kept`): dropped when this process writes a table they are read from
(:mod:`secondstory.actions.recurrence` reads these), and after
``SECONDSTORY_KEPT_ANSWERS_SECONDS`` (60 by default) for other processes' writes."""

from __future__ import annotations

from secondstory.lib.kept import Kept

KEPT = Kept(
    (
        "postmortems_contributingfactor",
        "postmortems_factorcategory",
        "postmortems_postmortem_incidents",
        "actions_actionitem",
        "actions_actionitem_factors",
        "incidents_incident",
        "incidents_incident_services",
        "incidents_milestone",
        "incidents_milestonekind",
        "incidents_service",
    ),
    setting="SECONDSTORY_KEPT_ANSWERS_SECONDS",
    default=60,
)

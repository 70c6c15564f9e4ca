"""The built-in postmortem templates: which sections appear, and the question under each.

A template does not change what a postmortem can hold (every section exists on
every postmortem); it decides what the writer is shown and asked. Admins add
their own templates in the app; these are seeded on a new installation.
"""

from __future__ import annotations

from dataclasses import dataclass

from secondstory.core.taxonomy import SECTION_FIELDS


@dataclass(frozen=True, slots=True)
class TemplateSection:
    field: str
    question: str


@dataclass(frozen=True, slots=True)
class WritingTemplate:
    slug: str
    name: str
    description: str
    sections: tuple[TemplateSection, ...]

    def __post_init__(self) -> None:
        unknown = [s.field for s in self.sections if s.field not in SECTION_FIELDS]
        if unknown:
            raise ValueError(f"template {self.slug}: unknown sections {unknown}")


S = TemplateSection

GOOGLE_SRE = WritingTemplate(
    "google-sre",
    "Google SRE style",
    "The full written review: impact with numbers, a trigger kept apart from the "
    "contributing factors, lessons in three lists, and follow-up work.",
    (
        S("summary", "In two or three sentences: what happened, to whom, for how long?"),
        S("impact", "Who was affected and how much? Give numbers and say where they come from."),
        S("trigger", "What change or event set the incident off? (The factors come later.)"),
        S("detection", "How did we find out, and how long after impact began?"),
        S("response", "What did responders do to mitigate and recover, and what helped them?"),
        S("went_well", "What worked that we want to keep?"),
        S("went_poorly", "Where did tools, processes or information let people down?"),
        S("got_lucky", "What could have made this much worse, and did not, by chance?"),
        S("supporting_links", "Dashboards, logs, chat channels and documents worth keeping."),
    ),
)

PAGERDUTY = WritingTemplate(
    "pagerduty",
    "PagerDuty style",
    "A review organised around the response: impact, a narrative of the response, "
    "contributing factors, and what we tell customers.",
    (
        S("summary", "What happened, in plain words a newcomer could follow?"),
        S("background", "What does a reader need to know about the systems involved?"),
        S("impact", "Which customers and functions were affected, for how long, how badly?"),
        S("detection", "Which signal told us first? Would we have caught it without luck?"),
        S("response", "Who was engaged, when, and what did they try? What slowed them down?"),
        S("trigger", "What started it?"),
        S("went_poorly", "Which conditions made the incident possible or worse?"),
        S(
            "messaging",
            "What did we tell customers and colleagues, when, and through which channel?",
        ),
        S("open_questions", "What do we still not understand?"),
    ),
)

ETSY_DEBRIEF = WritingTemplate(
    "etsy-debrief",
    "Etsy debrief style",
    "Learning first: what surprised people, what they knew and expected at each "
    "point, and why their actions made sense at the time.",
    (
        S(
            "summary",
            "What happened, told so that a reader understands the situation people were in?",
        ),
        S("background", "What did people know, assume and expect about these systems beforehand?"),
        S(
            "response",
            "At each decision point: what did people see, what did they expect, and why "
            "did their next step make sense to them then?",
        ),
        S(
            "surprises",
            "What surprised us? Where did the system behave differently from our "
            "mental model of it?",
        ),
        S("got_lucky", "Where did things go right for reasons nobody planned?"),
        S("went_well", "What expertise or improvisation made the response work?"),
        S("open_questions", "What are we still curious or unsure about?"),
        S("supporting_links", "Chat logs, graphs and notes from the debrief."),
    ),
)

SHORT_FORM = WritingTemplate(
    "short-form",
    "Short form (minor incidents)",
    "For minor incidents: enough to learn from and to find again later, in ten minutes.",
    (
        S("summary", "What happened and what was the impact?"),
        S("trigger", "What set it off?"),
        S("response", "How was it fixed?"),
        S("went_poorly", "What would make this less likely or less painful next time?"),
    ),
)

BUILT_IN_TEMPLATES: tuple[WritingTemplate, ...] = (GOOGLE_SRE, PAGERDUTY, ETSY_DEBRIEF, SHORT_FORM)

"""A postmortem's learning check: the survey, who has answered it, and the answers.

Anonymity is kept by the shape of the tables (see docs/learning-check.md):

- ``Answer`` holds the scores and nothing else: no person, no time, a random UUID as its
  key. Each new answer re-writes the survey's answers in a random order, so neither the
  order of the rows nor their row numbers tell which answer came when.
- ``Respondent`` says who has answered (so nobody answers twice) and nothing else: no
  content, no time, a random UUID as its key.

Neither model is audited: an audit event carries the actor and the exact time.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from secondstory.core import learningcheck


class Survey(models.Model):
    """The learning check of one postmortem's review: open from ``opened_at`` until it is
    closed by hand (``closed_at``) or ``closes_at`` passes."""

    postmortem = models.OneToOneField(
        "postmortems.Postmortem", on_delete=models.CASCADE, related_name="learning_check"
    )
    opened_at = models.DateTimeField()
    closes_at = models.DateTimeField(help_text="It closes by itself at this time.")
    closed_at = models.DateTimeField(null=True, blank=True, help_text="Closed by hand.")

    class Meta:
        indexes = [models.Index(fields=["opened_at"], name="learningcheck_opened")]
        verbose_name = "learning check"

    def __str__(self) -> str:
        return f"learning check of {self.postmortem.key}"


class Respondent(models.Model):
    """Who has answered a survey: the person, and nothing about what they answered."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="respondents")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "person"], name="learningcheck_answer_once")
        ]

    def __str__(self) -> str:
        return "a person who answered"


def _score(code: str) -> models.PositiveSmallIntegerField:  # type: ignore[type-arg]
    return models.PositiveSmallIntegerField(verbose_name=learningcheck.item(code).short)


class Answer(models.Model):
    """One anonymous answer: a score from 1 to 7 per item, and nothing that names a person
    or a time."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="answers")
    learned = _score("learned")
    come_again = _score("come_again")
    safe_to_speak = _score("safe_to_speak")
    info_sought = _score("info_sought")
    messengers = _score("messengers")
    shared_responsibility = _score("shared_responsibility")
    collaboration = _score("collaboration")
    failure_inquiry = _score("failure_inquiry")
    new_ideas = _score("new_ideas")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(**{f"{code}__gte": 1, f"{code}__lte": 7}),
                name=f"learningcheck_{code}_on_scale",
            )
            for code in learningcheck.CODES
        ]

    def __str__(self) -> str:
        return "an anonymous answer"

    def scores(self) -> dict[str, int]:
        return {code: getattr(self, code) for code in learningcheck.CODES}

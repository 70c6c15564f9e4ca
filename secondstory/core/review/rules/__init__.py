"""The built-in rules, in chain order (one rule per module)."""

from __future__ import annotations

from secondstory.core.review.ruler import Rule
from secondstory.core.review.rules import (
    counterfactual,
    hindsight,
    human_error,
    judgmental_passive,
    minimisation,
    normative_judgment,
    person_as_cause,
    person_root_cause,
    person_targeted,
    procedure_violation,
    single_root_cause,
)

BUILTIN_RULES: tuple[Rule, ...] = (
    person_root_cause.RULE,
    counterfactual.RULE,
    normative_judgment.RULE,
    human_error.RULE,
    person_as_cause.RULE,
    hindsight.RULE,
    minimisation.RULE,
    procedure_violation.RULE,
    judgmental_passive.RULE,
    person_targeted.RULE,
    single_root_cause.RULE,
)

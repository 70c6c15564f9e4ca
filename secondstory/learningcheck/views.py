"""The learning check in the browser: the survey page of a review (answer it, see its
results), and opening or closing it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from secondstory.accounts import permissions
from secondstory.core import learningcheck
from secondstory.insights.learning import items_chart
from secondstory.learningcheck import services
from secondstory.learningcheck.forms import AnswerForm
from secondstory.postmortems.access import postmortem_for_reader, require, signed_in_user
from secondstory.postmortems.models import Postmortem


def _render(
    request: HttpRequest, postmortem: Postmortem, form: AnswerForm | None = None, status: int = 200
) -> HttpResponse:
    user = signed_in_user(request)
    survey = services.survey_of(postmortem)
    answered = survey is not None and services.has_answered(survey, user)
    may_answer = permissions.may_answer_learning_check(user, postmortem)
    results = services.results(survey) if survey is not None else None
    chart = None
    if results is not None and results.summary is not None:
        chart = items_chart(services.answer_rows(survey))  # type: ignore[arg-type]
    context = {
        "postmortem": postmortem,
        "survey": survey,
        "is_open": services.is_open(survey),
        "answered": answered,
        "may_answer": may_answer,
        "may_manage": permissions.may(user, "learning_check", postmortem),
        "form": form or AnswerForm(),
        "results": results,
        "chart": chart,
        "scale": learningcheck.SCALE,
        "minimum": learningcheck.MIN_ANSWERS,
        "open_days": services.open_days(),
    }
    return render(request, "learningcheck/survey.html", context, status=status)


def survey_page(request: HttpRequest, key: str) -> HttpResponse:
    postmortem = postmortem_for_reader(request, key)
    require(permissions.may_read_learning_check(signed_in_user(request), postmortem))
    return _render(request, postmortem)


def answer(request: HttpRequest, key: str) -> HttpResponse:
    """Send an answer (POST); the page it lands on (GET) is the survey page under the same
    address, which ``secondstory serve`` leaves out of its access log."""
    if request.method != "POST":
        return survey_page(request, key)
    postmortem = postmortem_for_reader(request, key)
    user = signed_in_user(request)
    require(permissions.may_answer_learning_check(user, postmortem))
    survey = services.survey_of(postmortem)
    form = AnswerForm(request.POST)
    if survey is None:
        form.add_error(None, "The learning check of this review has not been opened.")
    elif form.is_valid():
        try:
            services.answer(survey, user, form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("learningcheck:answer", key=postmortem.key)
    return _render(request, postmortem, form, status=400)


@require_POST
def open_check(request: HttpRequest, key: str) -> HttpResponse:
    postmortem = postmortem_for_reader(request, key)
    require(permissions.may(signed_in_user(request), "learning_check", postmortem))
    services.open_learning_check(postmortem)
    messages.success(request, "The learning check is open.")
    return redirect("learningcheck:survey", key=postmortem.key)


@require_POST
def close_check(request: HttpRequest, key: str) -> HttpResponse:
    postmortem = postmortem_for_reader(request, key)
    require(permissions.may(signed_in_user(request), "learning_check", postmortem))
    survey = services.survey_of(postmortem)
    if survey is not None and services.is_open(survey):
        services.close_learning_check(survey)
        messages.success(request, "The learning check is closed.")
    return redirect("learningcheck:survey", key=postmortem.key)

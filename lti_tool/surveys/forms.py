"""Parsing the builder's and the report's forms into plain values, and the messages of error codes.

CSRF: every POST form of the area carries `csrf_token()` (Flask-WTF CSRFProtect checks it).
"""
from __future__ import annotations

from datetime import datetime, timezone

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from ..core.clock import day_in_range
from ..core.ids import parse_id
from .builder import QuestionData
from .models import KINDS
from .roster import Filters


def _float(value: str | None) -> float | None:
    try:
        return float(value.replace(",", ".")) if value and value.strip() else None
    except ValueError:
        return None


def _int(value: str | None) -> int | None:
    """Digits as an int (any size: ids go through core.ids before a query sees them), else None."""
    return int(value) if value and value.strip().isdigit() else None


def _text(form, name: str) -> str | None:
    value = (form.get(name) or "").strip()
    return value or None


def parse_question(form) -> QuestionData:
    """A question from the builder form; options one per line."""
    options = [line.strip() for line in (form.get("options") or "").splitlines() if line.strip()]
    return QuestionData(
        type=form.get("type", "single"), text=form.get("text", ""), help_text=_text(form, "help_text"),
        required=bool(form.get("required")), min_value=_float(form.get("min_value")),
        max_value=_float(form.get("max_value")), scale_min_label=_text(form, "scale_min_label"),
        scale_max_label=_text(form, "scale_max_label"), allow_other=bool(form.get("allow_other")),
        topic_id=_int(form.get("topic_id")), options=options)


def parse_datetime(value: str | None) -> datetime | None:
    """An <input type=datetime-local> value, read as UTC."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value).replace(tzinfo=timezone.utc)
    except ValueError:
        return None
    return moment if day_in_range(moment) else None


def parse_settings(form) -> dict:
    """The survey settings form as keyword arguments for `builder.update_settings`."""
    kind = form.get("kind") if form.get("kind") in KINDS else "other"
    return {"title": (form.get("title") or "").strip(), "description": _text(form, "description"), "kind": kind,
            "anonymous": bool(form.get("anonymous")), "allow_edit_until_close": bool(form.get("allow_edit_until_close")),
            "opens_at": parse_datetime(form.get("opens_at")), "closes_at": parse_datetime(form.get("closes_at")),
            "year_id": _int(form.get("year_id"))}


AUDIENCE_ROLES = {"teacher": _l("Teachers"), "tutor": _l("Tutors"), "methodist": _l("Methodists"),
                  "admin": _l("Administrators")}


def parse_audience(form) -> dict:
    """The audience form as keyword arguments for `audience.set_audience`."""
    return {"roles": [r for r in form.getlist("roles") if r in AUDIENCE_ROLES],
            "organization_ids": [v for v in form.getlist("organization_ids") if v.strip()],
            "cluster_ids": [v for v in form.getlist("cluster_ids") if v.strip()]}


def describe_audience(survey) -> str:
    """Who the survey asks, in words: "Teachers, tutors · organizations: … · clusters: …"."""
    roles = [str(label) for code, label in AUDIENCE_ROLES.items() if code in (survey.audience_roles or ())]
    parts = [", ".join(roles[:1] + [r.lower() for r in roles[1:]])]
    if survey.audience_organizations:
        parts.append(_("organizations: %(names)s", names=", ".join(
            f"{o.number} {o.name}".strip() if o.number and o.number not in o.name else o.name
            for o in survey.audience_organizations)))
    if survey.audience_clusters:
        parts.append(_("clusters: %(names)s", names=", ".join(c.name for c in survey.audience_clusters)))
    return " · ".join(parts)


def parse_offer(form) -> dict:
    """The accept form of an offer as keyword arguments for `offers.accept` (the map validates them)."""
    capacity = _int(form.get("capacity"))
    return {"year_id": _int(form.get("year_id")) or 0, "topic_id": _int(form.get("topic_id")) or 0,
            "form": form.get("form", ""), "title": _text(form, "title"), "description": _text(form, "description"),
            "capacity": capacity, "delivery": form.get("delivery") or "in_person"}


def parse_filters(args) -> Filters:
    """Report filters from the query string."""
    role = args.get("role") if args.get("role") in ("teacher", "tutor") else None
    return Filters(organization_id=parse_id(args.get("organization")), cluster_id=parse_id(args.get("cluster")),
                   role=role)


def error_message(code: str, params: dict | None = None) -> str:
    """The user's-language message of a validation or business-rule code."""
    params = params or {}
    if code == "matrix_incomplete":
        return ngettext("Rate every topic: %(num)d topic is not rated.",
                        "Rate every topic: %(num)d topics are not rated.", params.get("missing", 0))
    messages = {
        "required": _("This question requires an answer."),
        "bad_choice": _("Choose one of the offered answers."),
        "other_required": _("You chose “other”: please specify."),
        "not_a_number": _("Enter a number."),
        "out_of_range": _("Enter a number from %(min)s to %(max)s.", min=params.get("min"), max=params.get("max")),
        "too_long": _("The answer is too long (at most %(max)s characters).", max=params.get("max")),
        "closed": _("This survey is not accepting answers now."),
        "already_submitted": _("You have already submitted this survey."),
        "no_questions": _("Add at least one question before opening the survey."),
        "bad_range": _("The minimum must not exceed the maximum."),
        "no_options": _("A choice question needs at least one option (one per line)."),
        "empty_text": _("The question text is empty."),
        "last_section": _("A survey keeps at least one section."),
        "no_audience": _("Choose at least one role the survey asks."),
        "bad_audience": _("Choose organizations and clusters of this network."),
        "decided": _("This offer has already been decided."),
        "not_in_audience": _("This survey asks other people; your surveys are listed under “Surveys”."),
    }
    return messages.get(code, _("The request could not be completed."))

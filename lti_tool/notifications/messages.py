"""The words of each kind of notification, in the reader's language (no Flask: the worker uses it).

`describe(kind, params, tr)` takes a translator — Flask-Babel's in a request, `rendering.translator`
in the worker — and the notification's `params` (titles, ISO datetimes in UTC, the event's time
zone) and returns a title and the lines of its text. Dates are shown in the zone the params name
(an event's meetings are local times of its network).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

DEFAULT_TZ = "Europe/Moscow"


class Translator(Protocol):
    locale: str

    def gettext(self, message: str) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int) -> str: ...


@dataclass
class Text:
    title: str
    lines: list[str]


def when(value: str | None, params: dict, locale: str) -> str:
    """An ISO datetime of the params, in the params' time zone, written the reader's way."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value)
    tz = ZoneInfo(params.get("tz") or DEFAULT_TZ)
    text = format_datetime(moment.astimezone(tz), "d MMMM y, HH:mm", locale=locale)
    return f"{text} ({tz.key})"


def describe(kind: str, params: dict, tr: Translator) -> Text:
    """Title and lines of a notification of `kind`."""
    gettext, ngettext, loc = tr.gettext, tr.ngettext, tr.locale
    title = params.get("title", "")
    at = when(params.get("at"), params, loc)
    if kind == "survey_opened":
        lines = [gettext("A survey is open for you: %(title)s.") % {"title": title}]
        if params.get("closes"):
            lines.append(gettext("It closes on %(when)s.") % {"when": when(params["closes"], params, loc)})
        return Text(gettext("Survey opened: %(title)s") % {"title": title}, lines)
    if kind == "survey_closing":
        return Text(gettext("Survey closes soon: %(title)s") % {"title": title},
                    [gettext("The survey %(title)s closes on %(when)s.") % {"title": title,
                                                                     "when": when(params.get("closes"), params, loc)}])
    if kind == "survey_reminder":
        return Text(gettext("Reminder: survey %(title)s") % {"title": title},
                    [gettext("You have not answered the survey %(title)s yet.") % {"title": title}]
                    + ([gettext("It closes on %(when)s.") % {"when": when(params["closes"], params, loc)}]
                       if params.get("closes") else []))
    if kind == "event_reminder":
        hours = int(params.get("hours", 0))
        ahead = (ngettext("in %(num)d hour", "in %(num)d hours", hours) % {"num": hours} if hours < 48
                 else ngettext("in %(num)d day", "in %(num)d days", hours // 24) % {"num": hours // 24})
        lines = [gettext("%(title)s starts %(ahead)s: %(when)s.") % {"title": title, "ahead": ahead, "when": at}]
        if params.get("place"):
            lines.append(gettext("Place: %(place)s") % {"place": params["place"]})
        return Text(gettext("Reminder: %(title)s") % {"title": title}, lines)
    if kind == "signup_confirmed":
        return Text(gettext("Registration confirmed: %(title)s") % {"title": title},
                    [gettext("You are registered for %(title)s.") % {"title": title}] + _starts(params, gettext, at))
    if kind == "signup_waitlisted":
        place = int(params.get("position") or 0)  # 1-based place in the waitlist
        return Text(gettext("On the waitlist: %(title)s") % {"title": title},
                    [gettext("The event is full; you are on its waitlist.")]
                    + ([ngettext("%(num)d person is ahead of you.", "%(num)d people are ahead of you.", place - 1)
                        % {"num": place - 1}] if place > 1 else []))
    if kind == "signup_promoted":
        return Text(gettext("A place came free: %(title)s") % {"title": title},
                    [gettext("A place came free and you are now registered for %(title)s.") % {"title": title}]
                    + _starts(params, gettext, at))
    if kind == "signup_cancelled":
        return Text(gettext("Registration cancelled: %(title)s") % {"title": title},
                    [gettext("Your registration for %(title)s is cancelled.") % {"title": title}])
    if kind == "event_changed":
        return Text(gettext("Event changed: %(title)s") % {"title": title},
                    [gettext("The date, time or place of %(title)s changed.") % {"title": title}] + _starts(params, gettext, at))
    if kind == "event_cancelled":
        return Text(gettext("Event cancelled: %(title)s") % {"title": title},
                    [gettext("%(title)s will not take place.") % {"title": title}])
    if kind == "route_published":
        steps = int(params.get("steps", 0))
        return Text(gettext("Your individual route is published"),
                    [ngettext("Your route for the year has %(num)d step.", "Your route for the year has %(num)d steps.",
                       steps) % {"num": steps}])
    if kind == "tutor_commented":
        return Text(gettext("A new comment on your route"),
                    [gettext("%(name)s commented on your route: %(text)s") % {"name": params.get("name", ""),
                                                                      "text": params.get("text", "")}])
    if kind == "grade_failed":
        count = int(params.get("count", 1))
        return Text(ngettext("%(num)d grade did not reach the LMS", "%(num)d grades did not reach the LMS", count)
                    % {"num": count},
                    [gettext("Event: %(title)s.") % {"title": title} if title else gettext("See the failed grades page."),
                     gettext("Error: %(error)s") % {"error": params.get("error", "")}])
    if kind == "commission_decision":
        outcomes = {"awarded": gettext("The Tutor status is awarded to you."),
                    "refused": gettext("The commission did not award the Tutor status this time."),
                    "postponed": gettext("The commission postponed its decision.")}
        return Text(gettext("The commission's decision"), [outcomes.get(params.get("outcome"), "")])
    if kind == "new_offering":
        return Text(gettext("New on your topic: %(title)s") % {"title": title},
                    [gettext("A new offering matches one of your needs: %(topic)s.") % {"topic": params.get("topic", "")}])
    return Text(title or kind, [])


def _starts(params: dict, gettext, at: str) -> list[str]:
    return [gettext("Starts: %(when)s.") % {"when": at}] if at else []

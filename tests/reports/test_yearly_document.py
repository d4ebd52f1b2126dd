"""The report on the association's work as filed, on the fixed data set of `dataset.py`: figures with
notes saying what each count counts, the narrative drafts from the data (tutors thanked, technologies,
problems, plans), the methodist's text surviving new figures, and the DOCX through LibreOffice."""
from __future__ import annotations

import io

from docx import Document as open_docx

from lti_tool.documents import narratives
from lti_tool.documents.docx_writer import to_docx
from lti_tool.events import grading
from lti_tool.events.grading import Mark
from lti_tool.events.models import Event, Participant
from lti_tool.reports import yearly_doc
from lti_tool.reports.period import Period
from tests.documents.office import docx_to_pdf_text, flat, needs_office

from . import dataset

YEAR = Period(dataset.YEAR_START, dataset.YEAR_END, "2025/2026")


def _narrative(doc, key):
    return next(b for b in doc.blocks if getattr(b, "key", None) == key)


def _with_technologies(db_session, data):
    db_session.get(Event, data.events["E1"]).technologies = ["business_game", "coaching"]
    db_session.get(Event, data.events["E2"]).technologies = ["coaching", "Мировое кафе"]
    db_session.commit()


def test_figures_carry_notes_on_what_each_count_counts(data, db_session):
    _with_technologies(db_session, data)
    doc = yearly_doc.yearly_document(db_session, data.network_id, YEAR)
    docx = to_docx(doc)
    paragraphs = [p.text for p in open_docx(io.BytesIO(docx)).paragraphs]
    assert paragraphs[0] == "АМСТ Томск" and "ОТЧЁТ" in paragraphs
    assert "о работе ассоциации за 2025/2026" in paragraphs
    figures = {r.cells[0].text: r.cells[1].text for r in open_docx(io.BytesIO(docx)).tables[0].rows}
    assert figures["Проведено мероприятий"] == "3"
    assert figures["Посещения мероприятий¹"] == "8"  # person–event pairs
    assert figures["Посещения занятий²"] == "9"  # present/late marks at sessions
    assert figures["Разных участников³"] == "5"
    notes = [p for p in paragraphs if p and p[0] in "¹²³"]
    assert len(notes) == 3 and notes[0].startswith("¹ Посещения мероприятий: человек считается один раз")
    assert notes[1].startswith("² Посещения занятий: каждая отметка")


def test_narrative_drafts_are_written_from_the_data(data, db_session):
    _with_technologies(db_session, data)
    doc = yearly_doc.yearly_document(db_session, data.network_id, YEAR)
    assert _narrative(doc, "technologies").text == (
        "На мероприятиях тьюторы использовали: коучинг (2 мероприятия); деловая игра (1 мероприятие); "
        "Мировое кафе (1 мероприятие).")
    # E1 is the best practice of the year, led by A
    assert "Педагог A — Тьюториал «Экологическая тропа»" in _narrative(doc, "thanks").text
    assert "Экологическое воспитание" in _narrative(doc, "plans").text
    for key in yearly_doc.SECTIONS:
        assert not _narrative(doc, key).edited


def test_saved_sections_survive_regeneration_with_new_figures(data, db_session):
    key = yearly_doc.narrative_key(YEAR)
    narratives.save(db_session, data.network_id, yearly_doc.KIND, key, "problems", "Мало выездных семинаров.")
    db_session.commit()
    e3 = db_session.get(Event, data.events["E3"])
    joined = Participant(event_id=e3.id, person_id=data.people["t3"], status="registered")  # added after the fact
    db_session.add(joined)
    db_session.flush()
    grading.grade_meeting(db_session, e3.sessions[0], [Mark(joined.id, "present")], graded_by_id=None)
    db_session.commit()
    doc = yearly_doc.yearly_document(db_session, data.network_id, YEAR)
    figures = {row[0]: row[1] for row in doc.blocks[1].rows}
    assert figures["Посещения мероприятий¹"] == "9"  # the figure moved …
    assert _narrative(doc, "problems").text == "Мало выездных семинаров."  # … her text stayed
    assert _narrative(doc, "problems").edited and not _narrative(doc, "plans").edited


@needs_office
def test_yearly_docx_survives_libreoffice_as_a_pdf(data, db_session):
    _with_technologies(db_session, data)
    text = flat(docx_to_pdf_text(to_docx(yearly_doc.yearly_document(db_session, data.network_id, YEAR))))
    for expected in ("ОТЧЁТ", "Посещения мероприятий¹", "Таблица 1", "Рисунок 1", "коучинг (2 мероприятия)",
                     "Планы на следующий год"):
        assert expected in text, expected


def test_methodist_opens_edits_and_downloads_the_report(client, auth, data, db_session):
    auth.login("methodist", network_id=data.network_id)
    args = "start=2025-09-01&end=2026-08-31"
    page = client.get(f"/reports/yearly/document?{args}")
    assert page.status_code == 200 and "ОТЧЁТ" in page.text and "Посещения мероприятий¹" in page.text
    saved = client.post(f"/reports/yearly/narrative?{args}", data={"section": "plans", "text": "Открыть кластер ИКТ."})
    assert saved.status_code == 302 and "#narrative-plans" in saved.headers["Location"]
    assert "Открыть кластер ИКТ." in client.get(f"/reports/yearly/document?{args}").text
    assert client.post(f"/reports/yearly/narrative?{args}", data={"section": "x", "text": "y"}).status_code == 400
    docx = client.get(f"/reports/yearly.docx?{args}")
    assert docx.status_code == 200
    assert "Открыть кластер ИКТ." in [p.text for p in open_docx(io.BytesIO(docx.data)).paragraphs]
    auth.login("methodist", network_id=data.other_network_id)  # another network does not see her text
    assert "Открыть кластер ИКТ." not in client.get(f"/reports/yearly/document?{args}").text
    auth.login("teacher", network_id=data.network_id)
    assert client.get(f"/reports/yearly.docx?{args}").status_code == 403

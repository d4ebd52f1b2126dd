"""The event protocol as filed (DOCX and print page) on a fixed data set: requisites, agenda with
СЛУШАЛИ / ВЫСТУПИЛИ / РЕШИЛИ, chair and secretary, attendance by role, organizations by name,
scores with a decimal comma, signatures; and the same text after LibreOffice turns it into a PDF."""
from __future__ import annotations

import io

from docx import Document as open_docx

from lti_tool.core.reference import Person
from lti_tool.documents.docx_writer import to_docx
from lti_tool.events import grading, protocol, protocol_doc, signup, technologies
from lti_tool.events.grading import Mark
from lti_tool.events.models import Event, EventMeeting
from lti_tool.web.auth import TEACHER, TUTOR
from tests.documents.office import docx_to_pdf_text, flat, needs_office

from .world import build_world


def fixed_event(db_session):
    """Teacher 01 of «МАДОУ № 69» (present 9, late 8.5), tutor-teacher 02 (absent, present 5), an agenda."""
    w = build_world(db_session, teachers=3, capacity=2)
    db_session.get(Person, w.teachers[0]).organization_id = w.org_id
    db_session.get(Person, w.teachers[1]).is_tutor = True
    event = db_session.get(Event, w.event_id)
    event.technologies = ["business_game", "coaching", "Мировое кафе по-томски"]
    event.protocol_secretary = "Петрова Мария Ивановна"
    p1, p2, _p3 = (signup.sign_up(db_session, w.event_id, p, by_staff=True) for p in w.teachers)
    s1, s2 = (db_session.get(EventMeeting, i) for i in w.session_ids)
    grading.grade_meeting(db_session, s1, [Mark(p1.id, "present", 9), Mark(p2.id, "absent")], graded_by_id=None)
    grading.grade_meeting(db_session, s2, [Mark(p1.id, "late", 8.5), Mark(p2.id, "present", 5)], graded_by_id=None)
    protocol.add_note(db_session, event, "Об опыте экологической тропы", "agenda")
    protocol.add_note(db_session, event, "О планах на ноябрь", "agenda")
    protocol.add_note(db_session, event, "Смирнову О. В. — об экологической тропе МАДОУ № 69", "heard", item=1)
    protocol.add_note(db_session, event, "Педагог 01 — о маршрутах для младшей группы", "spoke", item=1)
    protocol.add_note(db_session, event, "Рекомендовать опыт МАДОУ № 69 к распространению", "decision", item=1)
    protocol.add_note(db_session, event, "Провести следующий тьюториал 12.11.2025", "decision", item=2)
    protocol.issue(db_session, event)
    db_session.commit()
    return w, event


def _paragraphs(docx: bytes) -> list[str]:
    return [p.text for p in open_docx(io.BytesIO(docx)).paragraphs]


def test_protocol_docx_has_requisites_agenda_attendance_and_signatures(db_session):
    _w, event = fixed_event(db_session)
    docx = to_docx(protocol_doc.protocol_document(db_session, event))
    paragraphs = _paragraphs(docx)
    assert paragraphs[0] == "АМСТ"  # the organization, by name
    assert "ПРОТОКОЛ" in paragraphs
    assert "15.10.2025\t№ 1" in paragraphs  # date and number on one line
    assert "МАДОУ № 69" in paragraphs  # the place: the host organization's name
    assert "мероприятия Тьюториал «Экологическая тропа»" in paragraphs  # the title already names the form
    assert "ПРЕДСЕДАТЕЛЬ: Смирнова Ольга Викторовна" in paragraphs  # no chair set: the leading tutor
    assert "СЕКРЕТАРЬ: Петрова Мария Ивановна" in paragraphs
    assert ("ПРИСУТСТВОВАЛИ: 2 человека: тьюторов — 1, педагогов — 1; ведущие: Смирнова Ольга Викторовна."
            in paragraphs)
    assert "ИСПОЛЬЗОВАННЫЕ ТЕХНОЛОГИИ: деловая игра, коучинг, Мировое кафе по-томски" in paragraphs
    agenda = paragraphs.index("Повестка дня")
    assert paragraphs[agenda + 1:agenda + 3] == ["1. Об опыте экологической тропы", "2. О планах на ноябрь"]
    first = paragraphs.index("По вопросу 1 повестки дня")
    assert paragraphs[first + 1:first + 4] == [
        "СЛУШАЛИ: Смирнову О. В. — об экологической тропе МАДОУ № 69",
        "ВЫСТУПИЛИ: Педагог 01 — о маршрутах для младшей группы",
        "РЕШИЛИ: Рекомендовать опыт МАДОУ № 69 к распространению"]
    second = paragraphs.index("По вопросу 2 повестки дня")
    assert paragraphs[second + 1] == "РЕШИЛИ: Провести следующий тьюториал 12.11.2025"
    assert "Таблица 1 — Участники и посещаемость" in paragraphs
    rows = [[c.text for c in r.cells] for r in open_docx(io.BytesIO(docx)).tables[0].rows]
    assert rows[0][:5] == ["№", "Участник", "Организация", "15.10.2025 15:00", "12.11.2025 15:00"]
    assert rows[1] == ["1", "Педагог 01", "МАДОУ № 69", "присутствовал(а) (9)", "опоздал(а) (8,5)", "8,75", "да"]
    assert rows[2][:5] == ["2", "Педагог 02", "", "отсутствовал(а)", "присутствовал(а) (5)"]
    assert "Председатель\t________________\tО. В. Смирнова" in paragraphs
    assert "Секретарь\t________________\tМ. И. Петрова" in paragraphs


@needs_office
def test_protocol_docx_survives_libreoffice_as_a_pdf_with_the_same_text(db_session):
    _w, event = fixed_event(db_session)
    text = flat(docx_to_pdf_text(to_docx(protocol_doc.protocol_document(db_session, event))))
    for expected in ("АМСТ", "ПРОТОКОЛ", "№ 1", "СЛУШАЛИ:", "ВЫСТУПИЛИ:", "РЕШИЛИ: Рекомендовать опыт МАДОУ № 69",
                     "Таблица 1 — Участники и посещаемость", "опоздал(а) (8,5)", "8,75", "О. В. Смирнова"):
        assert expected in text, expected


def test_print_page_and_docx_download_for_the_tutor_not_for_a_teacher(client, auth, db_session):
    w, _event = fixed_event(db_session)
    auth.login(TUTOR, network_id=w.network_id, user_id=w.tutor_user_id)
    page = client.get(f"/events/{w.event_id}/protocol/document")
    assert page.status_code == 200
    for text in ("ПРОТОКОЛ", "СЛУШАЛИ", "РЕШИЛИ", "МАДОУ № 69", "опоздал(а) (8,5)", "М. И. Петрова"):
        assert text in page.text, text
    download = client.get(f"/events/{w.event_id}/protocol.docx")
    assert download.status_code == 200 and download.data[:2] == b"PK"
    assert "attachment" in download.headers["Content-Disposition"]
    assert "СЛУШАЛИ: Смирнову О. В. — об экологической тропе МАДОУ № 69" in _paragraphs(download.data)
    auth.login(TEACHER, network_id=w.network_id)
    assert client.get(f"/events/{w.event_id}/protocol.docx").status_code in (403, 404)


def test_technologies_keep_catalogue_codes_and_own_names_once(db_session):
    # an own name that is a catalogue name is stored as its code; unknown codes are dropped
    assert technologies.parse(["coaching", "business_game", "bogus"], "Мировое кафе, коучинг, , Квиз, квиз") == [
        "business_game", "coaching", "world_cafe", "Квиз"]

"""The commission's protocol of a meeting and the extract for an awarded tutor (DOCX and print page)."""
from __future__ import annotations

import io
from datetime import date

from docx import Document as open_docx

from lti_tool.commission import papers, services
from lti_tool.core.accounts import Network
from lti_tool.core.reference import Organization, Person
from lti_tool.documents.docx_writer import to_docx
from tests.documents.office import docx_to_pdf_text, flat, needs_office

MEMBERS = [{"name": "Петрова Анна Викторовна", "role": "chair"}, {"name": "Иванова Мария Сергеевна", "role": "secretary"},
           {"name": "Кузнецова Елена Павловна", "role": "member"}]


def _meeting(auth, db_session):
    """Two meetings; at the second (№ 2) «№ 11»'s candidate is refused and «№ 2»'s awarded."""
    network_id = auth.network()
    methodist = auth.user("Петрова Анна Викторовна")
    people = []
    for name, number in (("Сидорова Ольга Ивановна", "11"), ("Белова Нина Петровна", "2")):
        org = Organization(network_id=network_id, number=f"№ {number}", name=f"МАДОУ № {number}")
        db_session.add(org)
        db_session.flush()
        people.append(Person(network_id=network_id, full_name=name, organization_id=org.id))
    db_session.add_all(people)
    db_session.flush()
    services.create_meeting(db_session, network_id, date(2026, 3, 1), "Первое заседание", MEMBERS)
    meeting = services.create_meeting(db_session, network_id, date(2026, 5, 20), "Весеннее заседание", MEMBERS)
    files = [services.open_candidacy(db_session, network_id, p.id, methodist) for p in people]
    for code in ("experience", "higher_education", "tutor_training"):
        services.assess_criterion(db_session, files[1], code, True, "Документ в деле")
    services.record_decision(db_session, files[0], meeting, "refused", "Нет курсов по тьюторству.", methodist)
    awarded = services.record_decision(db_session, files[1], meeting, "awarded", "Критерии подтверждены.", methodist)
    db_session.commit()
    return network_id, meeting, awarded


def _paragraphs(docx: bytes) -> list[str]:
    return [p.text for p in open_docx(io.BytesIO(docx)).paragraphs]


def test_meeting_protocol_has_members_each_candidate_heard_and_decided(app, auth, db_session):
    network_id, meeting, _awarded = _meeting(auth, db_session)
    docx = to_docx(papers.meeting_protocol(db_session, meeting))
    paragraphs = _paragraphs(docx)
    assert paragraphs[0] == db_session.get(Network, network_id).name
    assert "ПРОТОКОЛ" in paragraphs and "20.05.2026\t№ 2" in paragraphs  # the network's second meeting
    assert "заседания комиссии по присвоению статуса «Тьютор»: Весеннее заседание" in paragraphs
    assert "ПРЕДСЕДАТЕЛЬ: Петрова Анна Викторовна" in paragraphs
    assert ("ПРИСУТСТВОВАЛИ: 3 члена комиссии: Петрова Анна Викторовна, Иванова Мария Сергеевна, "
            "Кузнецова Елена Павловна." in paragraphs)
    heard = [p for p in paragraphs if p.startswith("СЛУШАЛИ:")]
    assert heard == ["СЛУШАЛИ: О кандидатуре Белова Нина Петровна (МАДОУ № 2): выполнено 3 из 9 критериев п. 3.3.",
                     "СЛУШАЛИ: О кандидатуре Сидорова Ольга Ивановна (МАДОУ № 11): выполнено 0 из 9 критериев п. 3.3."]
    decided = [p for p in paragraphs if p.startswith("РЕШИЛИ:")]
    assert decided == ["РЕШИЛИ: Присвоить статус «Тьютор» Белова Нина Петровна. Критерии подтверждены.",
                       "РЕШИЛИ: Отказать в присвоении статуса «Тьютор»: Сидорова Ольга Ивановна. Нет курсов по тьюторству."]
    rows = [[c.text for c in r.cells] for r in open_docx(io.BytesIO(docx)).tables[0].rows]
    assert rows[1] == ["1", "Белова Нина Петровна (МАДОУ № 2)", "3 / 9", "Статус присвоен"]
    assert "Председатель\t________________\tА. В. Петрова" in paragraphs
    assert "Секретарь\t________________\tМ. С. Иванова" in paragraphs


def test_extract_names_only_the_awarded_tutor(app, auth, db_session):
    _network_id, _meeting_row, awarded = _meeting(auth, db_session)
    paragraphs = _paragraphs(to_docx(papers.extract(db_session, awarded)))
    assert "ВЫПИСКА ИЗ ПРОТОКОЛА" in paragraphs and "20.05.2026\t№ 2" in paragraphs
    assert "РЕШИЛИ: Присвоить статус «Тьютор» Белова Нина Петровна. Критерии подтверждены." in paragraphs
    assert not any("Сидорова" in p for p in paragraphs)
    assert "Выписка верна." in paragraphs


@needs_office
def test_commission_papers_survive_libreoffice(app, auth, db_session):
    _network_id, meeting, awarded = _meeting(auth, db_session)
    protocol = flat(docx_to_pdf_text(to_docx(papers.meeting_protocol(db_session, meeting))))
    assert "СЛУШАЛИ: О кандидатуре Белова Нина Петровна" in protocol and "Статус присвоен" in protocol
    extract = flat(docx_to_pdf_text(to_docx(papers.extract(db_session, awarded))))
    assert "ВЫПИСКА ИЗ ПРОТОКОЛА" in extract and "Выписка верна." in extract


def test_pages_and_downloads_are_for_the_network_s_methodists(app, client, auth, db_session):
    network_id, meeting, awarded = _meeting(auth, db_session)
    auth.login("methodist", network_id=network_id)
    page = client.get(f"/commission/meetings/{meeting.id}/protocol")
    assert page.status_code == 200 and "Белова Нина Петровна" in page.text
    docx = client.get(f"/commission/decisions/{awarded.id}/extract.docx")
    assert docx.status_code == 200 and "ВЫПИСКА ИЗ ПРОТОКОЛА" in _paragraphs(docx.data)
    assert client.get("/commission/decisions/999999/extract").status_code == 404
    auth.login("methodist", network_id=auth.network())  # another network
    assert client.get(f"/commission/meetings/{meeting.id}/protocol").status_code == 404
    assert client.get(f"/commission/decisions/{awarded.id}/extract.docx").status_code == 404
    auth.login("teacher", network_id=network_id)
    assert client.get(f"/commission/meetings/{meeting.id}/protocol.docx").status_code == 403

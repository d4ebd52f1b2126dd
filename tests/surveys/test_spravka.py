"""The analytical report as filed (справка) on the fixed answers of test_reports: requisites, method,
figures with a decimal comma, charts as images, free texts grouped and counted, narrative drafts, and
the methodist's text surviving a regeneration with new figures; the same text through LibreOffice."""
from __future__ import annotations

import io

from docx import Document as open_docx

from lti_tool.documents import narratives
from lti_tool.documents.docx_writer import to_docx
from lti_tool.surveys import answering, spravka
from lti_tool.web.auth import ADMIN, TEACHER
from tests.documents.office import docx_to_pdf_text, flat, needs_office
from tests.surveys.test_reports import answered  # noqa: F401 — the fixture of the fixed answers

NBSP = "\xa0"


def _paragraphs(docx: bytes) -> list[str]:
    return [p.text for p in open_docx(io.BytesIO(docx)).paragraphs]


def _narrative(doc, key):
    return next(b for b in doc.blocks if getattr(b, "key", None) == key)


def test_spravka_docx_has_requisites_method_figures_charts_and_narrative_drafts(db_session, answered):  # noqa: F811
    doc = spravka.spravka_document(db_session, answered)
    docx = to_docx(doc)
    paragraphs = _paragraphs(docx)
    assert paragraphs[0] == "АМСТ" and "АНАЛИТИЧЕСКАЯ СПРАВКА" in paragraphs
    assert "по итогам анкетирования «Анкета»" in paragraphs
    for heading in ("1. Цель", "2. Сроки и метод", "3. Результаты", "4. Выводы", "5. Рекомендации"):
        assert heading in paragraphs, heading
    assert any(p.startswith("Анкетирование проводилось с ") and "6 вопросов" in p for p in paragraphs)
    table = open_docx(io.BytesIO(docx)).tables[0]
    rows = [[c.text for c in r.cells] for r in table.rows]
    # Eco: ratings 5, 4, 5, 3, 1 → mean 3,60 → need (3,6 − 1) / 4 = 65 %
    assert rows[1] == ["Экологическое воспитание", "5", "3,60", f"65{NBSP}%"]
    assert rows[2] == ["ИКТ", "5", "2,80", f"45{NBSP}%"]
    assert "Таблица 1 — Рейтинг направлений по потребности" in paragraphs
    assert "Рисунок 1 — Рейтинг направлений по потребности" in paragraphs
    assert len(open_docx(io.BytesIO(docx)).inline_shapes) == 3  # the ranking and the two choice questions
    assert "– Нужна помощь с ИКТ — 1" in paragraphs and "– Больше практики — 1" in paragraphs
    conclusions = _narrative(doc, "conclusions")
    assert not conclusions.edited
    assert f"Экологическое воспитание (65{NBSP}%)" in conclusions.text
    assert "«Экологическое воспитание»" in _narrative(doc, "recommendations").text


def test_free_text_answers_are_grouped_by_wording_and_counted():
    groups = spravka.group_texts(["Больше практики", "больше  практики!", "ИКТ", "Больше практики.", "ёлка", "Елка"])
    assert groups == [("Больше практики", 3), ("ёлка", 2), ("ИКТ", 1)]


def test_saved_conclusions_survive_regeneration_with_new_figures(db_session, answered, net):  # noqa: F811
    key = spravka.narrative_key(answered)
    narratives.save(db_session, net.id, spravka.KIND, key, "conclusions", "Вывод методиста: экология — главное.")
    db_session.commit()
    matrix = next(q for q in answering.ordered_questions(answered) if q.type == "topic_matrix")
    answering.submit(db_session, answered, net.people[5], {f"q{matrix.id}_t{t}": ["5"] for t in net.topics},
                     net.topics)
    db_session.commit()
    doc = spravka.spravka_document(db_session, answered)
    assert _narrative(doc, "conclusions").text == "Вывод методиста: экология — главное."
    assert _narrative(doc, "conclusions").edited
    table = next(b for b in doc.blocks if type(b).__name__ == "Table")
    # Eco now 5, 4, 5, 3, 1, 5 → mean 3,83 → need 71 %; the figures moved, the text stayed
    assert table.rows[0] == ["Экологическое воспитание", "6", "3,83", f"71{NBSP}%"]
    paragraphs = _paragraphs(to_docx(doc))
    assert "Вывод методиста: экология — главное." in paragraphs
    narratives.save(db_session, net.id, spravka.KIND, key, "conclusions", "  ")  # empty: back to the draft
    db_session.commit()
    assert f"(71{NBSP}%)" in _narrative(spravka.spravka_document(db_session, answered), "conclusions").text


@needs_office
def test_spravka_docx_survives_libreoffice_as_a_pdf(db_session, answered):  # noqa: F811
    text = flat(docx_to_pdf_text(to_docx(spravka.spravka_document(db_session, answered))))
    for expected in ("АНАЛИТИЧЕСКАЯ СПРАВКА", "1. Цель", "5. Рекомендации", "Экологическое воспитание", "3,60",
                     "65 %", "Рисунок 1", "Нужна помощь с ИКТ — 1"):
        assert expected in text, expected


def test_methodist_edits_a_section_on_the_page_and_a_teacher_cannot(client, auth, db_session, answered, net):  # noqa: F811
    from tests.surveys.test_views import _login_as

    _login_as(auth, net, 5, ADMIN)
    page = client.get(f"/surveys/{answered.id}/spravka")
    assert page.status_code == 200 and "АНАЛИТИЧЕСКАЯ СПРАВКА" in page.text and "3,60" in page.text
    assert "<svg" in page.text  # charts inline on the print page
    saved = client.post(f"/surveys/{answered.id}/spravka/narrative",
                        data={"section": "recommendations", "text": "Провести тьюториал по экологии."})
    assert saved.status_code == 302
    assert "Провести тьюториал по экологии." in client.get(f"/surveys/{answered.id}/spravka").text
    assert client.post(f"/surveys/{answered.id}/spravka/narrative",
                       data={"section": "bogus", "text": "x"}).status_code == 400
    docx = client.get(f"/surveys/{answered.id}/spravka.docx")
    assert docx.status_code == 200 and "Провести тьюториал по экологии." in _paragraphs(docx.data)
    _login_as(auth, net, 0, TEACHER)
    assert client.get(f"/surveys/{answered.id}/spravka.docx").status_code == 403
    assert client.post(f"/surveys/{answered.id}/spravka/narrative",
                       data={"section": "conclusions", "text": "x"}).status_code == 403

"""Builder: reorder, duplicate, delete; wording in place vs a new version after responses; templates."""
from __future__ import annotations

import pytest

from lti_tool.surveys import answering, builder, services, templates_ru
from lti_tool.surveys.builder import QuestionData as Q
from lti_tool.surveys.models import Survey


def _texts(survey: Survey) -> list[str]:
    return [q.text for q in answering.ordered_questions(survey)]


def test_move_duplicate_and_delete_questions_and_sections(db_session, survey_factory):
    survey = survey_factory([Q("likert", "A"), Q("likert", "B"), Q("short_text", "C")], open_=False)
    a, b, c = answering.ordered_questions(survey)
    builder.move(db_session, survey, "question", c.id, -1)
    assert _texts(survey) == ["A", "C", "B"]
    builder.duplicate(db_session, survey, "question", a.id)
    assert _texts(survey) == ["A", "A", "C", "B"]
    builder.delete(db_session, survey, "question", a.id)
    assert _texts(survey) == ["A", "C", "B"]
    builder.add_section(db_session, survey, "Второй раздел")
    builder.duplicate(db_session, survey, "section", survey.sections[0].id)
    assert [s.title for s in survey.sections] == ["", "", "Второй раздел"]
    assert _texts(survey) == ["A", "C", "B"] * 2
    builder.move(db_session, survey, "section", survey.sections[2].id, -1)
    assert [s.title for s in survey.sections] == ["", "Второй раздел", ""]
    with pytest.raises(services.SurveyError):
        builder.add_question(db_session, survey, survey.sections[0].id, Q("single", "Без вариантов"))


def test_after_responses_wording_edits_in_place_and_structure_makes_a_new_version(db_session, survey_factory, net):
    survey = survey_factory([Q("single", "Должность", options=["Воспитатель", "Логопед"])])
    q = survey.sections[0].questions[0]
    answering.submit(db_session, survey, net.people[0], {f"q{q.id}": [str(q.options[0].id)]}, net.topics)
    db_session.commit()
    reworded = builder.edit_question(db_session, survey, q.id, Q("single", "Ваша должность",
                                                                 options=["Воспитатель ДОО", "Учитель-логопед"]))
    assert reworded.id == survey.id and q.text == "Ваша должность" and q.options[0].text == "Воспитатель ДОО"
    changed = builder.edit_question(db_session, survey, q.id, Q("single", "Ваша должность", required=True,
                                                                options=["Воспитатель ДОО", "Учитель-логопед"]))
    assert changed.id != survey.id and (changed.version, changed.parent_id, changed.status) == (2, survey.id, "draft")
    assert not q.required and answering.ordered_questions(changed)[0].required  # the answered one is untouched
    moved = builder.add_section(db_session, survey, "Ещё")
    assert moved.version == 3 and len(survey.sections) == 1


def test_settings_change_of_anonymity_after_responses_makes_a_new_version(db_session, survey_factory, net):
    survey = survey_factory([Q("likert", "A")], allow_edit_until_close=True)
    qid = survey.sections[0].questions[0].id
    answering.submit(db_session, survey, net.people[0], {f"q{qid}": ["3"]}, net.topics)
    settings = dict(title="Анкета", description=None, kind="needs", anonymous=True, allow_edit_until_close=True,
                    opens_at=None, closes_at=None, year_id=None)
    new = builder.update_settings(db_session, survey, **settings)
    assert new.id != survey.id and new.anonymous and not new.allow_edit_until_close
    assert not survey.anonymous


def test_templates_build_the_needs_assessment_and_paired_self_assessments(db_session, net):
    needs = templates_ru.needs_assessment(db_session, net.id)
    types = [q.type for q in answering.ordered_questions(needs)]
    assert {"topic_matrix", "multiple", "number", "single", "likert", "long_text"} <= set(types)
    forms = next(q for q in answering.ordered_questions(needs) if q.code == "forms")
    assert [o.value for o in forms.options][:2] == ["consultation", "tutorial"] and forms.allow_other
    start = templates_ru.self_assessment(db_session, net.id, stage="start")
    end = templates_ru.self_assessment(db_session, net.id, stage="end")
    assert [q.code for q in answering.ordered_questions(start)] == [q.code for q in answering.ordered_questions(end)]
    services.set_status(db_session, start, "open")
    assert start.status == "open"

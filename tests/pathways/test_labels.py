"""Needs are read on the survey's 1–5 scale, planner settings as words (issue 25)."""
from __future__ import annotations

from flask_babel import force_locale

from lti_tool.pathways import labels


def test_a_need_reads_as_the_survey_rating_with_the_locales_decimal_mark(app):
    with app.test_request_context():
        with force_locale("ru"):
            assert labels.need_on_scale(0.75) == "4,0"
            assert labels.need_on_scale(0.4) == "2,6"
        with force_locale("en"):
            assert labels.need_on_scale(1.0) == "5.0"


def test_a_stored_setting_is_named_by_the_nearest_choice(app):
    with app.test_request_context(), force_locale("ru"):
        assert labels.choice_label(labels.NEED_THRESHOLDS, 0.5) == "от 3 из 5"
        assert labels.choice_label(labels.NEED_THRESHOLDS, 0.7) == "от 4 из 5 (высокая)"
        assert labels.choice_label(labels.LOCAL_PREFERENCES, None) == "—"

"""Forms of the commission pages (CSRF-protected by Flask-WTF)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from .criteria import OUTCOMES


class NominateForm(FlaskForm):
    person_id = SelectField(_l("Candidate"), coerce=int, validators=[DataRequired()])
    statement = TextAreaField(_l("Grounds for nomination"), validators=[Optional(), Length(max=4000)])


class CriterionForm(FlaskForm):
    met = SelectField(_l("Assessment"), choices=[("", _l("Not assessed")), ("yes", _l("Met")), ("no", _l("Not met"))],
                      validators=[Optional()])
    evidence = TextAreaField(_l("Evidence (links, documents, notes)"), validators=[Optional(), Length(max=4000)])


class MeetingForm(FlaskForm):
    held_on = DateField(_l("Date"), validators=[DataRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=255)])
    members = TextAreaField(_l("Members, one per line: name — role (chair, secretary, member)"),
                            validators=[DataRequired(), Length(max=4000)])


class DecisionForm(FlaskForm):
    meeting_id = SelectField(_l("Meeting"), coerce=int, validators=[DataRequired()])
    outcome = SelectField(_l("Decision"), choices=list(OUTCOMES.items()), validators=[DataRequired()])
    reasons = TextAreaField(_l("Reasons"), validators=[DataRequired(), Length(max=4000)])
    override = BooleanField(_l("Award below the network's threshold of criteria (the override is recorded with your name)"))

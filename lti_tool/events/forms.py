"""Forms of the events area (Flask-WTF: CSRF token and validation)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional

from ..resource_map.catalog import FORMS, form_label
from . import technologies as tech


class EventForm(FlaskForm):
    """Create or edit an event (methodists)."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=512)])
    form = SelectField(_l("Form of work"), choices=[])
    topic_id = SelectField(_l("Topic"), coerce=int, choices=[])
    year_id = SelectField(_l("Academic year"), coerce=int, choices=[])
    host_organization_id = SelectField(_l("Host organization"), coerce=int, choices=[])
    # Not required, and checked by services.create_event/update_event (the network's own, the event's
    # year): a form posted without them keeps working.
    offering_id = SelectField(_l("Delivers the resource map's offering"), coerce=int, choices=[], default=0,
                              validate_choice=False)
    cluster_id = SelectField(_l("Run by the methodological cluster"), coerce=int, choices=[], default=0,
                             validate_choice=False)
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=10000)])
    capacity = IntegerField(_l("Capacity (empty: no limit)"), validators=[Optional(), NumberRange(min=0, max=10000)])
    min_sessions = IntegerField(_l("Sessions to attend for completion"), default=1,
                                validators=[DataRequired(), NumberRange(min=1, max=100)])
    min_score = DecimalField(_l("Minimum score for completion (empty: none)"), places=None,
                             validators=[Optional(), NumberRange(min=0)])
    best_practice = BooleanField(_l("Best practice (shown in reports)"))
    technologies = SelectMultipleField(_l("Technologies used"), choices=[])
    technologies_own = StringField(_l("Other technologies (comma-separated)"), validators=[Optional(), Length(max=500)])
    protocol_chair = StringField(_l("Chair (for the protocol)"), validators=[Optional(), Length(max=255)])
    protocol_secretary = StringField(_l("Secretary (for the protocol)"), validators=[Optional(), Length(max=255)])

    def set_choices(self, topics, years, organizations, offerings=(), clusters=()) -> None:
        """Fill the selects from the network's reference data (offerings of the school years shown)."""
        self.form.choices = [(code, str(label)) for code, label in FORMS.items()]
        self.technologies.choices = [(code, str(label)) for code, label in tech.TECHNOLOGIES.items()]
        self.topic_id.choices = [(0, _l("— none —"))] + [(t.id, t.name) for t in topics]
        self.year_id.choices = [(y.id, y.title) for y in years]
        self.host_organization_id.choices = [(0, _l("— none —"))] + [
            (o.id, " ".join(x for x in (o.number, o.name) if x)) for o in organizations]
        self.offering_id.choices = [(0, _l("— none —"))] + [
            (o.id, offering_label(o, {y.id: y.title for y in years})) for o in offerings]
        self.cluster_id.choices = [(0, _l("— by the offering or the topic —"))] + [(c.id, c.name) for c in clusters]

    def values(self) -> dict:
        """Field values as model attributes."""
        return {
            "title": self.title.data.strip(), "form": self.form.data, "year_id": self.year_id.data,
            "topic_id": self.topic_id.data or None, "host_organization_id": self.host_organization_id.data or None,
            "description": self.description.data or None, "capacity": self.capacity.data,
            "min_sessions": self.min_sessions.data,
            "min_score": float(self.min_score.data) if self.min_score.data is not None else None,
            "best_practice": self.best_practice.data,
            "offering_id": self.offering_id.data or None, "cluster_id": self.cluster_id.data or None,
            "technologies": tech.parse(self.technologies.data or [], self.technologies_own.data),
            "protocol_chair": (self.protocol_chair.data or "").strip() or None,
            "protocol_secretary": (self.protocol_secretary.data or "").strip() or None,
        }

    def show_technologies(self, stored: list | None) -> None:
        """Split an event's stored technologies into the checkboxes and the own-names field."""
        stored = stored or []
        self.technologies.data = [v for v in stored if v in tech.TECHNOLOGIES]
        self.technologies_own.data = ", ".join(v for v in stored if v not in tech.TECHNOLOGIES)


def offering_label(offering, year_titles: dict) -> str:
    """An offering in a picker: year, topic, form, title and who provides it."""
    provider = offering.person or offering.organization or offering.cluster
    who = getattr(provider, "full_name", None) or getattr(provider, "name", None)
    parts = [year_titles.get(offering.year_id), offering.topic.name, form_label(offering.form), offering.title, who]
    return " · ".join(str(p) for p in parts if p)


class MeetingForm(FlaskForm):
    """Add a meeting (date, times, place) to an event."""

    on_date = DateField(_l("Date"), validators=[DataRequired()])
    start_time = TimeField(_l("Starts at"), validators=[Optional()])
    end_time = TimeField(_l("Ends at"), validators=[Optional()])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=512)])
    online_url = StringField(_l("Online link"), validators=[Optional(), URL(), Length(max=1024)])

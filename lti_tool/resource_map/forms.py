"""Editing forms of the resource map (Flask-WTF, CSRF-protected).

Each form knows how to fill itself from a row (`load`) and what to pass to its service (`values`);
choices that depend on the network are set by `setup`.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from .catalog import DELIVERY, FORMS, ORGANIZATION_KINDS
from .map_entries import provider_kind_of
from .queries import filter_choices
from .services import list_people_choices, list_years

NONE = [("", "—")]


def _int_or_none(value):
    return int(value) if value not in (None, "", "None") else None


class _MapForm(FlaskForm):
    fields_from_row: tuple[str, ...] = ()

    def setup(self, session, network_id: int, year_id: int | None) -> None:
        """Set network-dependent choices (none by default)."""

    def load(self, row) -> None:
        """Fill the fields from an existing row."""
        for name in self.fields_from_row:
            getattr(self, name).data = getattr(row, name)

    def values(self) -> dict:
        """Keyword arguments of the save service."""
        return {name: getattr(self, name).data for name in self.fields_from_row}


class TopicForm(_MapForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=255)])
    description = TextAreaField(_l("Description"), validators=[Optional()])
    fields_from_row = ("name", "description")


class YearForm(_MapForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=16)], description="2025/2026")
    starts_on = DateField(_l("Starts on"), validators=[DataRequired()])
    ends_on = DateField(_l("Ends on"), validators=[DataRequired()])
    is_current = BooleanField(_l("Current year"))
    fields_from_row = ("title", "starts_on", "ends_on", "is_current")


class CopyYearForm(FlaskForm):
    to_title = StringField(_l("New year's title"), validators=[DataRequired(), Length(max=16)])
    starts_on = DateField(_l("Starts on"), validators=[DataRequired()])
    ends_on = DateField(_l("Ends on"), validators=[DataRequired()])


class OrganizationForm(_MapForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=512)])
    kind = SelectField(_l("Kind"), choices=[(k, v) for k, v in ORGANIZATION_KINDS.items()])
    number = StringField(_l("Number"), validators=[Optional(), Length(max=32)])
    municipality = StringField(_l("Municipality"), validators=[Optional(), Length(max=255)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=512)])
    latitude = FloatField(_l("Latitude"), validators=[Optional()])
    longitude = FloatField(_l("Longitude"), validators=[Optional()])
    fields_from_row = ("name", "kind", "number", "municipality", "address", "latitude", "longitude")


class PersonForm(_MapForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=255)])
    email = StringField(_l("Email"), validators=[Optional(), Length(max=255)])
    organization_id = SelectField(_l("Organization"), coerce=_int_or_none, validate_choice=False)
    position = StringField(_l("Position"), validators=[Optional(), Length(max=255)])
    is_tutor = BooleanField(_l("Municipal tutor"))
    experience_years = IntegerField(_l("Experience, years"), validators=[Optional(), NumberRange(0, 70)])
    fields_from_row = ("full_name", "email", "organization_id", "position", "is_tutor", "experience_years")

    def setup(self, session, network_id, year_id):
        self.organization_id.choices = NONE + filter_choices(session, network_id)["organizations"]


class ClusterForm(_MapForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=255)])
    topic_id = SelectField(_l("Topic"), coerce=_int_or_none, validate_choice=False)
    coordinator_id = SelectField(_l("Coordinator"), coerce=_int_or_none, validate_choice=False)
    organization_ids = SelectMultipleField(_l("Member organizations"), coerce=int, validate_choice=False)
    person_ids = SelectMultipleField(_l("Member teachers"), coerce=int, validate_choice=False)
    description = TextAreaField(_l("Description"), validators=[Optional()])
    fields_from_row = ("name", "topic_id", "coordinator_id", "description")

    def setup(self, session, network_id, year_id):
        choices = filter_choices(session, network_id)
        people = list_people_choices(session, network_id)
        self.topic_id.choices = NONE + choices["topics"]
        self.coordinator_id.choices = NONE + people
        self.organization_ids.choices = choices["organizations"]
        self.person_ids.choices = people

    def load(self, row):
        super().load(row)
        self.organization_ids.data = [o.id for o in row.organizations]
        self.person_ids.data = [p.id for p in row.people]

    def values(self):
        return {**super().values(), "organization_ids": self.organization_ids.data or [],
                "person_ids": self.person_ids.data or []}


class SiteForm(_MapForm):
    organization_id = SelectField(_l("Organization"), coerce=_int_or_none, validate_choice=False)
    topic_id = SelectField(_l("Topic"), coerce=_int_or_none, validate_choice=False)
    year_id = SelectField(_l("Academic year"), coerce=_int_or_none, validate_choice=False)
    status = SelectField(_l("Status"), choices=[("applied", _l("Applied")), ("active", _l("Active")),
                                                ("closed", _l("Closed"))])
    fields_from_row = ("organization_id", "topic_id", "year_id", "status")

    def setup(self, session, network_id, year_id):
        choices = filter_choices(session, network_id)
        self.organization_id.choices = choices["organizations"]
        self.topic_id.choices = choices["topics"]
        self.year_id.choices = [(y.id, y.title) for y in list_years(session, network_id)]
        if self.year_id.data is None:
            self.year_id.data = year_id


class OfferingForm(_MapForm):
    year_id = SelectField(_l("Academic year"), coerce=_int_or_none, validate_choice=False)
    topic_id = SelectField(_l("Topic"), coerce=_int_or_none, validate_choice=False)
    form = SelectField(_l("Form of support"), choices=[(k, v) for k, v in FORMS.items()])
    provider = SelectField(_l("Provider"), validate_choice=False,
                           description=_l("A tutor, an organization, a cluster or an internship site."))
    title = StringField(_l("Title"), validators=[Optional(), Length(max=512)])
    description = TextAreaField(_l("Description"), validators=[Optional()])
    capacity = IntegerField(_l("Capacity"), validators=[Optional(), NumberRange(min=0)])
    schedule = StringField(_l("Schedule"), validators=[Optional(), Length(max=512)],
                           description=_l("E.g. every second Tuesday, 15:00"))
    starts_on = DateField(_l("Starts on"), validators=[Optional()])
    ends_on = DateField(_l("Ends on"), validators=[Optional()])
    delivery = SelectField(_l("Format"), choices=[(k, v) for k, v in DELIVERY.items()])
    fields_from_row = ("year_id", "topic_id", "form", "title", "description", "capacity", "schedule",
                       "starts_on", "ends_on", "delivery")

    def setup(self, session, network_id, year_id):
        from .services import provider_choices
        self.year_id.choices = [(y.id, y.title) for y in list_years(session, network_id)]
        self.topic_id.choices = filter_choices(session, network_id)["topics"]
        self.provider.choices = provider_choices(session, network_id, year_id)
        if self.year_id.data is None:
            self.year_id.data = year_id

    def load(self, row):
        super().load(row)
        kind = provider_kind_of(row)
        self.provider.data = f"{kind}:{getattr(row, f'{kind}_id')}"

    def values(self):
        kind, _sep, provider_id = (self.provider.data or ":").partition(":")
        return {**super().values(), "provider_kind": kind, "provider_id": provider_id}


class ImportForm(FlaskForm):
    file = FileField(_l("File (.xlsx or .csv)"), validators=[FileRequired()])

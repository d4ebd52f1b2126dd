"""Importing organizations, people, clusters, sites and offerings from rows read by `import_files`.

`run_import` applies every row through the editing services inside the caller's transaction and
collects errors per row; the caller commits only when there is no error (all or nothing) and rolls
back otherwise — the preview is the same run, always rolled back, so it reports exactly what the
commit would do. Rows match existing ones by natural keys, so importing a file twice changes nothing.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from ..core.reference import Organization, Person, Topic
from .formats import (
    DELIVERY_NAMES_RU,
    IMPORT_ORDER,
    KIND_NAMES_RU,
    NO,
    PROVIDER_NAMES_RU,
    SHEETS,
    STATUS_NAMES_RU,
    YES,
    _norm,
    code_for,
    form_code,
    parse_date,
    parse_float,
    parse_int,
    split_list,
)
from .map_entries import provider_kind_of, save_cluster, save_internship_site, save_offering
from .models import Cluster, InternshipSite, Offering
from .services import ValidationError, save_organization, save_person, save_topic


@dataclass
class RowError:
    """One rejected row: where it is and why."""

    sheet: str
    row: int
    message: str


@dataclass
class ImportResult:
    """What an import did (or would do): counts per kind, new topics and row errors."""

    created: dict = field(default_factory=lambda: defaultdict(int))
    updated: dict = field(default_factory=lambda: defaultdict(int))
    new_topics: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


class _Importer:
    """Lookups by natural key over the network's rows, kept current as rows are created."""

    def __init__(self, session: Session, network_id: int, year_id: int, result: ImportResult):
        self.session, self.network_id, self.year_id, self.result = session, network_id, year_id, result
        active = lambda m: sa.select(m).where(m.network_id == network_id, m.retired_at.is_(None))  # noqa: E731
        self.orgs = defaultdict(list)
        for org in session.scalars(active(Organization)):
            self.orgs[_norm(org.name)].append(org)
        self.people = list(session.scalars(active(Person)))
        self.clusters = {_norm(c.name): c for c in session.scalars(active(Cluster))}
        self.topics = {_norm(t.name): t for t in session.scalars(sa.select(Topic).where(Topic.network_id == network_id))}
        self.sites = list(session.scalars(active(InternshipSite).where(InternshipSite.year_id == year_id)))
        self.offerings = {self._offering_key(o): o for o in session.scalars(
            active(Offering).where(Offering.year_id == year_id))}

    # --- references -----------------------------------------------------------------------
    def org(self, name: str, required: bool = True) -> Organization | None:
        if not name:
            if required:
                raise ValidationError(_("The organization is missing."))
            return None
        found = self.orgs.get(_norm(name), [])
        if not found:
            raise ValidationError(_("Organization «%(name)s» not found.", name=name))
        if len(found) > 1:
            raise ValidationError(_("Several organizations are named «%(name)s».", name=name))
        return found[0]

    def person(self, ref: str, email: str = "") -> Person:
        key = _norm(email or ref)
        matches = [p for p in self.people if key in (_norm(p.email), _norm(p.full_name))]
        if not matches:
            raise ValidationError(_("Person «%(name)s» not found.", name=email or ref))
        if len(matches) > 1:
            raise ValidationError(_("Several people match «%(name)s»; give the email.", name=ref))
        return matches[0]

    def topic(self, name: str) -> Topic:
        if not name:
            raise ValidationError(_("The topic is missing."))
        topic = self.topics.get(_norm(name))
        if topic is None:
            topic = save_topic(self.session, self.network_id, name=name)
            self.topics[_norm(name)] = topic
            self.result.new_topics.append(topic.name)
        elif topic.retired_at is not None:
            raise ValidationError(_("The topic «%(name)s» is retired.", name=topic.name))
        return topic

    def site(self, org_name: str, topic: Topic) -> InternshipSite:
        org = self.org(org_name)
        sites = [s for s in self.sites if s.organization_id == org.id]
        exact = [s for s in sites if s.topic_id == topic.id]
        if exact or len(sites) == 1:
            return (exact or sites)[0]
        raise ValidationError(_("No internship site of «%(name)s» on this topic in this year.", name=org_name))

    @staticmethod
    def _offering_key(o: Offering) -> tuple:
        kind = provider_kind_of(o)
        return (o.topic_id, o.form, kind, getattr(o, f"{kind}_id"), _norm(o.title))

    def count(self, kind: str, created: bool) -> None:
        (self.result.created if created else self.result.updated)[kind] += 1

    # --- rows -------------------------------------------------------------------------------
    def organizations(self, v: dict) -> None:
        kind = code_for(KIND_NAMES_RU, v.get("Тип")) if v.get("Тип") else "kindergarten"
        if kind is None:
            raise ValidationError(_("Unknown kind of organization «%(value)s».", value=v["Тип"]))
        lat, lon = _number(parse_float, v.get("Широта")), _number(parse_float, v.get("Долгота"))
        existing = [o for o in self.orgs.get(_norm(v.get("Название")), [])
                    if _norm(o.municipality) == _norm(v.get("Муниципалитет"))]
        org = save_organization(self.session, self.network_id, existing[0] if existing else None,
                                name=v.get("Название", ""), kind=kind, number=v.get("Номер"),
                                municipality=v.get("Муниципалитет"), address=v.get("Адрес"),
                                latitude=lat, longitude=lon)
        if not existing:
            self.orgs[_norm(org.name)].append(org)
        self.count("organizations", not existing)

    def people_row(self, v: dict) -> None:
        org = self.org(v.get("Организация", ""), required=False)
        tutor = v.get("Тьютор") or YES
        if _norm(tutor) not in (YES, NO):
            raise ValidationError(_("«Tutor» must be «да» or «нет»."))
        email = (v.get("Email") or "").lower()
        existing = next((p for p in self.people if (email and _norm(p.email) == _norm(email)) or (
            not email and _norm(p.full_name) == _norm(v.get("ФИО")) and p.organization_id == (org.id if org else None))),
            None)
        person = save_person(self.session, self.network_id, existing, full_name=v.get("ФИО", ""), email=email,
                             organization_id=org.id if org else None, position=v.get("Должность"),
                             is_tutor=_norm(tutor) == YES,
                             experience_years=_number(parse_int, v.get("Стаж, лет")))
        if existing is None:
            self.people.append(person)
        self.count("people", existing is None)

    def clusters_row(self, v: dict) -> None:
        topic = self.topic(v["Тема"]) if v.get("Тема") else None
        coordinator = self.person(v["Координатор"]) if v.get("Координатор") else None
        orgs = [self.org(name) for name in split_list(v.get("Организации"))]
        people = [self.person(ref) for ref in split_list(v.get("Участники"))]
        existing = self.clusters.get(_norm(v.get("Название")))
        cluster = save_cluster(self.session, self.network_id, existing, name=v.get("Название", ""),
                               topic_id=topic.id if topic else None,
                               coordinator_id=coordinator.id if coordinator else None,
                               description=v.get("Описание"), organization_ids=[o.id for o in orgs],
                               person_ids=[p.id for p in people])
        self.clusters[_norm(cluster.name)] = cluster
        self.count("clusters", existing is None)

    def sites_row(self, v: dict) -> None:
        org, topic = self.org(v.get("Организация", "")), self.topic(v.get("Тема", ""))
        status = code_for(STATUS_NAMES_RU, v.get("Статус")) if v.get("Статус") else "active"
        if status is None:
            raise ValidationError(_("Unknown status «%(value)s».", value=v["Статус"]))
        existing = next((s for s in self.sites if s.organization_id == org.id and s.topic_id == topic.id), None)
        site = save_internship_site(self.session, self.network_id, existing, organization_id=org.id,
                                    topic_id=topic.id, year_id=self.year_id, status=status)
        if existing is None:
            self.sites.append(site)
        self.count("sites", existing is None)

    def offerings_row(self, v: dict) -> None:
        topic = self.topic(v.get("Тема", ""))
        form = form_code(v.get("Форма"))
        if form is None:
            raise ValidationError(_("Unknown form of support «%(value)s».", value=v.get("Форма", "")))
        kind = code_for(PROVIDER_NAMES_RU, v.get("Тип поставщика"))
        name = v.get("Поставщик", "")
        if kind is None:
            raise ValidationError(_("Unknown provider type «%(value)s».", value=v.get("Тип поставщика", "")))
        provider = {"person": lambda: self.person(name, v.get("Email поставщика", "")),
                    "organization": lambda: self.org(name),
                    "cluster": lambda: self._cluster(name),
                    "internship_site": lambda: self.site(name, topic)}[kind]()
        delivery = code_for(DELIVERY_NAMES_RU, v.get("Формат")) if v.get("Формат") else "in_person"
        if delivery is None:
            raise ValidationError(_("Unknown format «%(value)s».", value=v["Формат"]))
        key = (topic.id, form, kind, provider.id, _norm(v.get("Название")))
        existing = self.offerings.get(key)
        offering = save_offering(
            self.session, self.network_id, existing, year_id=self.year_id, topic_id=topic.id, form=form,
            provider_kind=kind, provider_id=provider.id, title=v.get("Название"), description=v.get("Описание"),
            capacity=_number(parse_int, v.get("Вместимость")), schedule=v.get("Расписание"),
            starts_on=_date(v.get("Начало")), ends_on=_date(v.get("Окончание")), delivery=delivery)
        self.offerings[key] = offering
        self.count("offerings", existing is None)

    def _cluster(self, name: str) -> Cluster:
        cluster = self.clusters.get(_norm(name))
        if cluster is None:
            raise ValidationError(_("Cluster «%(name)s» not found.", name=name))
        return cluster


def _number(parse, value):
    try:
        return parse(value)
    except ValueError as exc:
        raise ValidationError(_("«%(value)s» is not a number.", value=value)) from exc


def _date(value):
    try:
        return parse_date(value)
    except ValueError as exc:
        raise ValidationError(_("«%(value)s» is not a date (dd.mm.yyyy).", value=value)) from exc


HANDLERS = {"organizations": "organizations", "people": "people_row", "clusters": "clusters_row",
            "sites": "sites_row", "offerings": "offerings_row"}


def run_import(session: Session, network_id: int, year_id: int, sheets: dict[str, list]) -> ImportResult:
    """Apply the rows in dependency order; the caller commits if `result.ok`, else rolls back."""
    result = ImportResult()
    importer = _Importer(session, network_id, year_id, result)
    for kind in IMPORT_ORDER:
        handler = getattr(importer, HANDLERS[kind])
        for number, values in sheets.get(kind, []):
            result.rows += 1
            try:
                with session.no_autoflush:
                    handler(values)
            except ValidationError as exc:
                result.errors.append(RowError(SHEETS[kind][0], int(number), exc.message))
    return result

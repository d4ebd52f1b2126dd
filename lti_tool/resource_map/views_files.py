"""Files: XLSX export of a year's map; XLSX/CSV import with a preview and an all-or-nothing commit.

The preview's rows wait in the database (`CacheEntry`, one hour) under a random token bound to the
network, the user and the year, so any process can finish what another began.
"""
from __future__ import annotations

import json
import secrets
from datetime import timedelta
from io import BytesIO

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..core.cache import CacheEntry
from ..core.clock import as_utc, utcnow
from ..core.reference import AcademicYear
from ..web.auth import ADMIN, METHODIST, require_actor, role_required
from ..web.extensions import db
from . import forms, services
from .blueprint import bp
from .exports import export_year
from .formats import SHEETS, year_title
from .import_files import read_upload
from .imports import run_import
from .view_helpers import selected_year

PREVIEW_TTL = timedelta(hours=1)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/export.xlsx")
def export():
    """The whole map of the selected year as a workbook; people's contacts for staff only."""
    actor = require_actor()
    year = selected_year(actor.network_id) or abort(404)
    data = export_year(db.session, actor.network_id, year, contacts=actor.is_staff)
    filename = year_title(year.title).replace("/", "-").replace(" ", "_") + ".xlsx"
    return send_file(BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=filename)


@bp.route("/import", methods=["GET", "POST"])
@role_required(METHODIST, ADMIN)
def import_upload():
    """Upload a file: parse it, try it inside a transaction that is rolled back, show the preview."""
    actor = require_actor()
    year = selected_year(actor.network_id)
    form = forms.ImportForm()
    if year is None:
        flash(_("Create an academic year first."), "error")
        return redirect(url_for("resource_map.years"))
    if form.validate_on_submit():
        try:
            sheets = read_upload(form.file.data.filename, form.file.data.read())
        except services.ValidationError as exc:
            form.file.errors = [exc.message]
        else:
            result = run_import(db.session, actor.network_id, year.id, sheets)
            db.session.rollback()
            token = _keep(actor, year.id, sheets) if result.ok else None
            return render_template("resource_map/import_preview.html", year=year, result=result,
                                   sheets=sheets, token=token, sheet_names=SHEETS)
    return render_template("resource_map/import.html", form=form, year=year)


@bp.post("/import/<token>/confirm")
@role_required(METHODIST, ADMIN)
def import_confirm(token: str):
    """Import the previewed rows in one transaction: everything or, on any error, nothing."""
    actor = require_actor()
    entry = db.session.get(CacheEntry, _key(token))
    payload = json.loads(entry.value) if entry is not None else None
    if payload is None or _expired(entry) or payload["network_id"] != actor.network_id \
            or payload["user_id"] != actor.user_id:
        flash(_("The preview has expired. Upload the file again."), "error")
        return redirect(url_for("resource_map.import_upload"))
    year = services.get_in_network(db.session, AcademicYear, actor.network_id, payload["year_id"])
    result = run_import(db.session, actor.network_id, year.id, payload["sheets"])
    if not result.ok:
        db.session.rollback()
        return render_template("resource_map/import_preview.html", year=year, result=result,
                               sheets=payload["sheets"], token=None, sheet_names=SHEETS)
    db.session.delete(entry)
    db.session.commit()
    flash(ngettext("Imported: %(num)d new row.", "Imported: %(num)d new rows.", sum(result.created.values()))
          + " " + ngettext("%(num)d row updated.", "%(num)d rows updated.", sum(result.updated.values())), "success")
    return redirect(url_for("resource_map.index", year=year.id))


def _key(token: str) -> str:
    return f"resource_map:import:{token}"


def _expired(entry: CacheEntry) -> bool:
    return as_utc(entry.expires_at) < utcnow()


def _keep(actor, year_id: int, sheets: dict) -> str:
    """Store the parsed rows for the confirmation; returns the token."""
    token = secrets.token_urlsafe(24)
    value = json.dumps({"network_id": actor.network_id, "user_id": actor.user_id, "year_id": year_id,
                        "sheets": sheets}, ensure_ascii=False)
    db.session.add(CacheEntry(key=_key(token), value=value, expires_at=utcnow() + PREVIEW_TTL))
    db.session.commit()
    return token

"""The documents' own pages: the network's letterhead (upload, replace, remove); the DOCX response."""
from __future__ import annotations

from io import BytesIO

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from ..web.auth import ADMIN, METHODIST, require_actor, role_required
from ..web.extensions import db
from . import letterheads
from .docx_writer import to_docx
from .model import Document

bp = Blueprint("documents", __name__, url_prefix="/documents")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def docx_response(doc: Document, network_id: int):
    """The document as a .docx download, on the network's letterhead when it has one."""
    body = to_docx(doc, letterheads.template_for(db.session, network_id))
    return send_file(BytesIO(body), mimetype=DOCX, as_attachment=True, download_name=f"{doc.filename}.docx")


@bp.route("/letterhead", methods=["GET", "POST"])
@role_required(METHODIST, ADMIN)
def letterhead():
    """Upload the network's letterhead (.docx): every document of the network is written on it."""
    actor = require_actor()
    error = None
    if request.method == "POST":
        upload = request.files.get("file")
        try:
            letterheads.save(db.session, actor.network_id, upload.filename if upload else "",
                             upload.read(letterheads.MAX_BYTES + 1) if upload else b"", actor.user_id)
        except letterheads.LetterheadError as exc:
            db.session.rollback()
            error = str(exc)
        else:
            db.session.commit()
            flash(_("The letterhead is saved: documents are now written on it."), "success")
            return redirect(url_for("documents.letterhead"))
    row = letterheads.current(db.session, actor.network_id)
    return render_template("documents/letterhead.html", row=row, error=error,
                           max_mb=letterheads.MAX_BYTES // (1024 * 1024)), (400 if error else 200)


@bp.post("/letterhead/remove")
@role_required(METHODIST, ADMIN)
def letterhead_remove():
    """Go back to plain A4 documents."""
    actor = require_actor()
    if letterheads.remove(db.session, actor.network_id):
        db.session.commit()
        flash(_("The letterhead is removed."), "success")
    return redirect(url_for("documents.letterhead"))

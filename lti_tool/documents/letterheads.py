"""A network's letterhead: an uploaded .docx checked before it is kept, used as the base of its documents.

Checked: size (at most MAX_BYTES), a real Office Open XML word-processing package (python-docx opens
it), no macros (.docm content or a VBA project), no zip bomb (entries and unpacked size bounded), no
template or object that Word would fetch from outside when the document is opened. Each network has
at most one; only its own documents use it.
"""
from __future__ import annotations

import io
import re
import zipfile

import sqlalchemy as sa
from docx import Document as open_docx
from docx.opc.exceptions import OpcError
from lxml.etree import LxmlError
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from .models import Letterhead

MAX_BYTES = 2 * 1024 * 1024
MAX_UNPACKED = 20 * 1024 * 1024
MAX_ENTRIES = 300
MAIN_PART = "word/document.xml"
_EXTERNAL_FETCH = re.compile(rb'Type="[^"]*/(attachedTemplate|oleObject|frame|subDocument)"[^>]*TargetMode="External"'
                             rb'|TargetMode="External"[^>]*Type="[^"]*/(attachedTemplate|oleObject|frame|subDocument)"')


class LetterheadError(ValueError):
    """The upload is not a letterhead this tool keeps (the message says why, in the user's language)."""


def validate(data: bytes) -> None:
    """Raise LetterheadError unless `data` is a small, macro-free .docx that python-docx opens."""
    if not data:
        raise LetterheadError(_l("Choose a .docx file."))
    if len(data) > MAX_BYTES:
        raise LetterheadError(_l("The file is larger than %(mb)d MB.", mb=MAX_BYTES // (1024 * 1024)))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            infos = package.infolist()
            if len(infos) > MAX_ENTRIES or sum(i.file_size for i in infos) > MAX_UNPACKED:
                raise LetterheadError(_l("The file unpacks to too much data for a letterhead."))
            names = {i.filename for i in infos}
            if MAIN_PART not in names or "[Content_Types].xml" not in names:
                raise LetterheadError(_l("This is not a Word document (.docx)."))
            types = package.read("[Content_Types].xml")
            if b"macroEnabled" in types or any(n.lower().endswith("vbaproject.bin") for n in names):
                raise LetterheadError(_l("Documents with macros are not accepted."))
            for name in names:
                if name.endswith(".rels") and _EXTERNAL_FETCH.search(package.read(name)):
                    raise LetterheadError(_l("The document loads a template or object from outside; "
                                             "save it without the link."))
    except zipfile.BadZipFile as error:
        raise LetterheadError(_l("This is not a Word document (.docx).")) from error
    try:
        open_docx(io.BytesIO(data))
    except (OpcError, LxmlError, KeyError, ValueError, zipfile.BadZipFile) as error:  # a broken package
        raise LetterheadError(_l("The Word document cannot be read.")) from error


def current(session: Session, network_id: int) -> Letterhead | None:
    """The network's letterhead row, if it uploaded one."""
    return session.scalar(sa.select(Letterhead).where(Letterhead.network_id == network_id))


def template_for(session: Session, network_id: int) -> bytes | None:
    """The bytes the DOCX writer starts from (None: a plain A4 document)."""
    row = current(session, network_id)
    return row.content if row else None


def save(session: Session, network_id: int, filename: str, data: bytes, user_id: int | None = None) -> Letterhead:
    """Validate and keep the letterhead (replacing the network's previous one)."""
    validate(data)
    name = re.sub(r"[^\w.\- ]", "_", (filename or "letterhead.docx").rsplit("/", 1)[-1].rsplit("\\", 1)[-1])[:200]
    row = current(session, network_id)
    if row is None:
        row = Letterhead(network_id=network_id, filename=name, content=data, size=len(data), uploaded_by_id=user_id)
        session.add(row)
    else:
        row.filename, row.content, row.size, row.uploaded_by_id = name, data, len(data), user_id
    session.flush()
    return row


def remove(session: Session, network_id: int) -> bool:
    """Forget the network's letterhead; True when there was one."""
    row = current(session, network_id)
    if row is not None:
        session.delete(row)
        session.flush()
    return row is not None

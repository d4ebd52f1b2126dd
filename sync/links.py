"""RFC 8288 `Link` header parsing, for NRPS and AGS paging.

Platforms write `rel="next"` (Moodle) or `rel=next` (lti1p3platform); a link may carry several
relation types (`rel="next last"`). URLs keep their case: pylti1p3 2.0.0 lowercased them.
"""
from __future__ import annotations

import re

_LINK = re.compile(r'<([^>]*)>((?:\s*;\s*[^;,]+(?:=(?:"[^"]*"|[^;,]*))?)*)')
_PARAM = re.compile(r';\s*([^\s=;,]+)\s*(?:=\s*("[^"]*"|[^;,]*))?')


def parse_links(header: str | None) -> dict[str, str]:
    """Map each relation type (lowercased) to its URL; the first link of a relation wins."""
    found: dict[str, str] = {}
    for match in _LINK.finditer(header or ""):
        url, params = match.group(1).strip(), match.group(2)
        for name, value in _PARAM.findall(params):
            if name.lower() != "rel":
                continue
            for rel in value.strip().strip('"').split():
                found.setdefault(rel.lower(), url)
    return found


def next_link(header: str | None) -> str | None:
    """The `next` page URL, or None on the last page."""
    return parse_links(header).get("next")

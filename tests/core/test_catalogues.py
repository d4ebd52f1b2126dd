"""Area catalogues are merged at run time: one English phrase must read the same everywhere."""
from __future__ import annotations

from collections import defaultdict

from babel.messages.pofile import read_po

from lti_tool.translations_tool import PACKAGE


def test_shared_phrases_are_translated_consistently():
    seen: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for po_path in sorted(PACKAGE.glob("**/translations/ru/LC_MESSAGES/messages.po")):
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale="ru")
        area = po_path.relative_to(PACKAGE).parts[0]
        for message in catalog:
            if not message.id or not message.string or message.context:
                continue
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            value = message.string if isinstance(message.string, str) else " | ".join(message.string)
            seen[key][value].append(area)
    clashes = {key: dict(values) for key, values in seen.items() if len(values) > 1}
    assert clashes == {}, "the same msgid is translated differently by several areas: " + repr(clashes)

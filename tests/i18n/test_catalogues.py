"""Every Russian catalogue is complete, and every msgid of the source is in its area's catalogue."""
from __future__ import annotations

from babel.messages.pofile import read_po

from lti_tool import translations_tool as tt


def test_no_untranslated_or_fuzzy_entries():
    missing = tt.untranslated("ru")
    assert not missing, "untranslated or fuzzy entries:\n" + "\n".join(
        f"{path}: {', '.join(repr(m) for m in ids[:40])}" for path, ids in sorted(missing.items()))


def test_every_source_msgid_is_in_its_catalogue():
    problems = []
    for area in tt.areas():
        extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in tt.extract(area) if m.id}
        if not extracted:
            continue
        po_path = tt.catalogue_dir(area) / "ru" / "LC_MESSAGES" / "messages.po"
        if not po_path.exists():
            problems.append(f"{area}: no catalogue at {po_path.relative_to(tt.PROJECT_ROOT)} "
                            f"({len(extracted)} strings)")
            continue
        with po_path.open("rb") as fh:
            known = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh, locale="ru") if m.id}
        absent = sorted(extracted - known)
        if absent:
            problems.append(f"{area}: {len(absent)} strings not in the catalogue "
                            f"(run translations_tool update {area}): " + ", ".join(repr(m) for m in absent[:30]))
    assert not problems, "\n".join(problems)

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


# Masculine-only forms said of a person: past-tense verbs (-л, -лся) and the short participles a
# roster or status uses. Most users are women, so a person is «присутствовал(а)», «записан(а)»,
# or the wording avoids the form. The entries below are said of a thing or of «никто».
PERSON_PARTICIPLES = ("записан", "зарегистрирован", "приглашён", "назначен", "зачислен", "отчислен",
                      "исключён", "допущен", "награждён", "переведён", "согласен", "готов", "уведомлён")
NOT_OF_A_PERSON = {
    "TutorNet registered": "the tool",
    "TutorNet is registered": "the tool",
    "TutorNet was not registered": "the tool",
    "not given yet: it is recorded at the first launch": "a grade",
    "Nobody has said so in a survey yet.": "«никто»",
    "Too few responses in this group to show them without revealing who answered.": "«кто»",
    "The %(old)s school year ended on %(end)s: open %(title)s.": "the school year",
    "The preview has expired. Upload the file again.": "the preview",
}
_NON_VERBS = {"материал", "журнал", "раздел", "дел", "тьюториал", "канал", "сигнал", "начал", "стал", "пол", "стол",
              "зал", "балл", "идеал", "потенциал", "интервал", "финал", "оригинал", "профессионал", "персонал",
              "формал", "минимал", "максимал", "арсенал", "протокол", "символ", "ел", "модел", "апрел", "пятил"}


def _masculine_person_words(text: str) -> list[str]:
    import re

    words = re.findall(r"[А-Яа-яЁё]+", text)
    found = []
    for word in words:
        low = word.lower()
        if low in PERSON_PARTICIPLES:
            found.append(word)
        elif re.fullmatch(r"[а-яё]{2,}(?:[аеиоуыяё]л|[аеиоуыяё]лся)", low) and low not in _NON_VERBS:
            found.append(word)
    return found


def test_no_masculine_only_forms_of_a_person():
    problems = []
    for area in tt.areas():
        po_path = tt.catalogue_dir(area) / "ru" / "LC_MESSAGES" / "messages.po"
        if not po_path.exists():
            continue
        with po_path.open("rb") as fh:
            catalogue = read_po(fh, locale="ru")
        for message in catalogue:
            if not message.id:
                continue
            key = message.id if isinstance(message.id, str) else message.id[0]
            if key in NOT_OF_A_PERSON:
                continue
            forms = message.string if isinstance(message.string, (list, tuple)) else [message.string]
            for text in forms:
                if not text or "(а)" in text:
                    continue
                bad = _masculine_person_words(text)
                if bad:
                    problems.append(f"{area}: {key!r} → {text!r}: {', '.join(bad)}")
    assert not problems, "masculine-only forms (write «(а)» or neutral wording):\n" + "\n".join(problems)

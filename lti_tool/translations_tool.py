"""Message catalogues per area: extract, update, compile and check (`python -m lti_tool.translations_tool`).

Each area owns `lti_tool/<area>/translations/ru/LC_MESSAGES/messages.po` (the shared pages and
plumbing — `lti_tool/web/`, the start page, error pages, the layout — own `lti_tool/translations/`), so areas never edit one shared file; Flask-Babel merges them at run
time. Source strings are English; English needs no catalogue. The install step compiles.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from .core.config import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "lti_tool"
TEMPLATES = PROJECT_ROOT / "templates"
LOCALES = ("ru",)
CORE_TEMPLATE_DIRS = ("errors", "home")
# Packages whose strings live in the shared catalogue (`lti_tool.core` has none: it imports no Flask).
SHARED_PACKAGES = ("core", "web", "home")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
            "lazy_ngettext": (1, 2), "pgettext": ((1, "c"), 2)}


def areas() -> list[str]:
    """'core' (the shared catalogue) plus every area package that has a translations folder or templates."""
    names = ["core"]
    for path in sorted(PACKAGE.iterdir()):
        if path.is_dir() and (path / "__init__.py").exists() and path.name not in SHARED_PACKAGES:
            names.append(path.name)
    return names


def catalogue_dir(area: str) -> Path:
    return PACKAGE / "translations" if area == "core" else PACKAGE / area / "translations"


def _rel(path: Path) -> str:
    return str(path.relative_to(PROJECT_ROOT))


def _extract_dir(root: Path, method: str, catalog: Catalog, only_top: bool = False) -> None:
    if not root.exists():
        return
    pattern = "**.py" if method == "python" else "**.html"
    for filename, lineno, message, comments, context in extract_from_dir(
        str(root), method_map=[(pattern, method)], keywords=KEYWORDS, strip_comment_tags=True
    ):
        if only_top and "/" in filename:
            continue
        catalog.add(message, None, [(_rel(root / filename), lineno)], auto_comments=comments, context=context)


def extract(area: str) -> Catalog:
    """All translatable strings of one area's Python modules and templates."""
    catalog = Catalog(project="TutorNet", charset="utf-8")
    if area == "core":
        _extract_dir(PACKAGE, "python", catalog, only_top=True)
        for name in SHARED_PACKAGES:
            _extract_dir(PACKAGE / name, "python", catalog)
        for name in CORE_TEMPLATE_DIRS:
            _extract_dir(TEMPLATES / name, "jinja2", catalog)
        for template in TEMPLATES.glob("*.html"):
            for _fn, lineno, message, comments, context in extract_from_dir(
                str(TEMPLATES), method_map=[(template.name, "jinja2")], keywords=KEYWORDS
            ):
                catalog.add(message, None, [(_rel(template), lineno)], auto_comments=comments, context=context)
    else:
        _extract_dir(PACKAGE / area, "python", catalog)
        _extract_dir(TEMPLATES / area, "jinja2", catalog)
    return catalog


def update(area: str) -> list[str]:
    """Merge new strings into the area's catalogues; return the untranslated msgids."""
    template = extract(area)
    missing: list[str] = []
    for locale in LOCALES:
        po_path = catalogue_dir(area) / locale / "LC_MESSAGES" / "messages.po"
        po_path.parent.mkdir(parents=True, exist_ok=True)
        if po_path.exists():
            with po_path.open("rb") as fh:
                catalog = read_po(fh, locale=locale)
            catalog.update(template, no_fuzzy_matching=True)
        else:
            catalog = Catalog(locale=locale, project="TutorNet", charset="utf-8")
            catalog.update(template, no_fuzzy_matching=True)
        catalog.fuzzy = False
        with po_path.open("wb") as fh:
            write_po(fh, catalog, width=100, omit_header=False, ignore_obsolete=True)
        missing += [str(m.id) for m in catalog if m.id and not _translated(m)]
    return missing


def _translated(message) -> bool:
    if isinstance(message.string, tuple | list):
        return all(message.string)
    return bool(message.string) and not message.fuzzy


def translate(area: str, mapping: dict[str, str | list[str]], locale: str = "ru") -> int:
    """Set translations from a {msgid: msgstr or [plural forms]} mapping; return how many were set."""
    po_path = catalogue_dir(area) / locale / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    count = 0
    for message in catalog:
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if key and key in mapping:
            value = mapping[key]
            message.string = tuple(value) if isinstance(message.id, tuple) else value
            message.flags.discard("fuzzy")
            count += 1
    catalog.fuzzy = False
    with po_path.open("wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False, ignore_obsolete=True)
    return count


def untranslated(locale: str = "ru") -> dict[str, list[str]]:
    """Untranslated msgids per catalogue file (used by the test that keeps pages Russian)."""
    result: dict[str, list[str]] = {}
    for po_path in PACKAGE.glob(f"**/translations/{locale}/LC_MESSAGES/messages.po"):
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=locale)
        missing = [str(m.id) for m in catalog if m.id and not _translated(m)]
        if missing:
            result[_rel(po_path)] = missing
    return result


def compile_all() -> int:
    """Compile every .po under the package to .mo; return how many were written."""
    count = 0
    for po_path in PACKAGE.glob("**/translations/*/LC_MESSAGES/messages.po"):
        with po_path.open("rb") as fh:
            catalog = read_po(fh)
        with po_path.with_suffix(".mo").open("wb") as fh:
            write_mo(fh, catalog)
        count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    up = sub.add_parser("update", help="extract strings of an area into its catalogue")
    up.add_argument("area", nargs="*", help="area names (default: all)")
    sub.add_parser("compile", help="compile all catalogues")
    tr = sub.add_parser("translate", help="apply a JSON file {msgid: msgstr | [forms]} to an area's ru catalogue")
    tr.add_argument("area")
    tr.add_argument("json_file")
    args = parser.parse_args(argv)
    if args.cmd == "compile":
        print(f"compiled {compile_all()} catalogues")
        return 0
    if args.cmd == "translate":
        import json

        mapping = json.loads(Path(args.json_file).read_text(encoding="utf-8"))
        print(f"{translate(args.area, mapping)} translations set")
        return 0
    status = 0
    for area in args.area or areas():
        missing = update(area)
        if missing:
            print(f"{area}: {len(missing)} untranslated: " + "; ".join(missing[:10]))
    return status


if __name__ == "__main__":
    sys.exit(main())

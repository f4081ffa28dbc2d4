"""The document catalogue (``documents.yaml``): which document proves each field.

Pure and lazy: nothing is read until a function is called, and the YAML is
parsed once and cached like the field dictionary (``inputs.yamlcache``).

``document_for("main_business_revenue", "zh", years=[2024, 2025])`` gives
``("2024、2025年经会计师事务所审计的年度财务报告（…）…", "公开文本：ciwh.cn/page/56.html；…")``.

Every entry has a ``basis``: ``seed`` (a seed text says it, cited by file and
clause), ``public_copy`` (an application-materials list read in a public copy,
cited by address; 来源待核实 while only one copy says it) or
``common_practice`` (the usual document, stated plainly).
"""

from __future__ import annotations

import os
import re

CATALOGUE_PATH = os.path.join(os.path.dirname(__file__), "documents.yaml")
BASES = ("seed", "public_copy", "common_practice")
_TOP = {"copies", "schemes", "defaults", "entries"}
_ENTRY_KEYS = {"zh", "en", "basis", "copies", "seeds", "note_zh", "note_en", "fields"}
_SEED_FILE = re.compile(r"^\d{3}_[0-9a-f]{16}\.txt$")
_YEARS = "{years}"


class CatalogueError(ValueError):
    pass


def _str(d: dict, key: str, where: str, required: bool = True) -> None:
    v = d.get(key)
    if v is None and not required:
        return
    if not isinstance(v, str) or not v.strip():
        raise CatalogueError(f"{where}: '{key}' must be non-empty text")


def _seeds(items, where: str) -> list:
    if not isinstance(items, list) or not items:
        raise CatalogueError(f"{where}: 'seeds' must be a non-empty list")
    out = []
    for i, s in enumerate(items):
        w = f"{where}: seeds #{i + 1}"
        if not isinstance(s, dict) or set(s) != {"file", "clause", "quote"}:
            raise CatalogueError(f"{w}: expected {{file, clause, quote}}")
        for k in ("file", "clause", "quote"):
            _str(s, k, w)
        if not _SEED_FILE.match(s["file"]):
            raise CatalogueError(f"{w}: {s['file']!r} is not a seed file name")
        out.append({"file": s["file"], "clause": str(s["clause"]), "quote": s["quote"]})
    return out


def _compile(data, path):
    """Validate ``documents.yaml`` and return plain data (cached by ``load_cached``)."""
    if not isinstance(data, dict) or set(data) != _TOP:
        raise CatalogueError(f"{path}: expected a mapping with keys {sorted(_TOP)}")
    copies = data["copies"]
    if not isinstance(copies, dict):
        raise CatalogueError(f"{path}: 'copies' must be a mapping")
    for cid, c in copies.items():
        if not isinstance(c, dict) or set(c) != {"url", "title"}:
            raise CatalogueError(f"{path}: copy {cid}: expected {{url, title}}")
        _str(c, "url", f"{path}: copy {cid}")
        _str(c, "title", f"{path}: copy {cid}")
    schemes = {}
    for sid, s in (data["schemes"] or {}).items():
        w = f"{path}: scheme {sid}"
        if not isinstance(s, dict) or set(s) != {"zh", "en", "seeds"}:
            raise CatalogueError(f"{w}: expected {{zh, en, seeds}}")
        _str(s, "zh", w)
        _str(s, "en", w)
        schemes[sid] = {"zh": s["zh"], "en": s["en"], "seeds": _seeds(s["seeds"], w)}

    entries: dict = {}
    field_entry: dict = {}
    if not isinstance(data["entries"], dict) or not data["entries"]:
        raise CatalogueError(f"{path}: 'entries' must be a non-empty mapping")
    for eid, e in data["entries"].items():
        w = f"{path}: entry {eid}"
        if not isinstance(e, dict):
            raise CatalogueError(f"{w}: expected a mapping")
        unknown = set(e) - _ENTRY_KEYS
        if unknown:
            raise CatalogueError(f"{w}: unknown key(s) {sorted(unknown)}")
        for k in ("zh", "en", "basis"):
            _str(e, k, w)
        for k in ("note_zh", "note_en"):
            _str(e, k, w, required=False)
        if ("note_zh" in e) != ("note_en" in e):
            raise CatalogueError(f"{w}: give both note_zh and note_en, or neither")
        if (_YEARS in e["zh"]) != (_YEARS in e["en"]):
            raise CatalogueError(f"{w}: {_YEARS} must be in both zh and en, or in neither")
        basis = e["basis"]
        if basis not in BASES:
            raise CatalogueError(f"{w}: basis must be one of {BASES}")
        seeds = _seeds(e["seeds"], w) if "seeds" in e else []
        used = []
        if "copies" in e:
            if not isinstance(e["copies"], list) or not e["copies"]:
                raise CatalogueError(f"{w}: 'copies' must be a non-empty list")
            for i, c in enumerate(e["copies"]):
                cw = f"{w}: copies #{i + 1}"
                if not isinstance(c, dict) or set(c) != {"copy", "item"}:
                    raise CatalogueError(f"{cw}: expected {{copy, item}}")
                _str(c, "item", cw)
                if c.get("copy") not in copies:
                    raise CatalogueError(f"{cw}: unknown copy {c.get('copy')!r}")
                used.append({"copy": c["copy"], "item": c["item"]})
        if basis == "seed" and not seeds:
            raise CatalogueError(f"{w}: basis seed needs 'seeds'")
        if basis == "public_copy" and (not used or seeds):
            raise CatalogueError(f"{w}: basis public_copy needs 'copies' (and no 'seeds')")
        if basis == "common_practice" and (used or seeds):
            raise CatalogueError(f"{w}: basis common_practice cites nothing")
        fields = e.get("fields")
        if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
            raise CatalogueError(f"{w}: 'fields' must be a list of field keys")
        for f in fields:
            if f in field_entry:
                raise CatalogueError(f"{w}: field {f} is already under entry {field_entry[f]}")
            field_entry[f] = eid
        distinct = {c["copy"] for c in used}
        entries[eid] = {
            "zh": e["zh"], "en": e["en"], "basis": basis, "seeds": seeds, "copies": used,
            "note_zh": e.get("note_zh"), "note_en": e.get("note_en"),
            # the project's rule: a source outside the seeds stays 来源待核实 until a second copy agrees
            "unconfirmed": basis == "public_copy" and len(distinct) < 2,
        }

    defaults = data["defaults"]
    if not isinstance(defaults, dict) or set(defaults) != {"by_unit", "by_type"}:
        raise CatalogueError(f"{path}: 'defaults' must have by_unit and by_type")
    for part in ("by_unit", "by_type"):
        for k, eid in (defaults[part] or {}).items():
            if eid not in entries:
                raise CatalogueError(f"{path}: defaults.{part}.{k}: unknown entry {eid!r}")
    return {"copies": copies, "schemes": schemes, "entries": entries, "field_entry": field_entry,
            "by_unit": dict(defaults["by_unit"] or {}), "by_type": dict(defaults["by_type"] or {})}


_DATA: dict | None = None


def catalogue() -> dict:
    """The compiled catalogue (plain data), loaded on first use."""
    global _DATA
    if _DATA is None:
        from zjtx_cli.inputs.yamlcache import load_cached

        _DATA = load_cached(CATALOGUE_PATH, _compile, (__file__,))
    return _DATA


def _fields(fields):
    if fields is None:
        from zjtx_cli.inputs.fields import field_dictionary

        fields = field_dictionary()
    return fields


def entry_id(field_key: str, fields=None) -> str:
    """The catalogue entry for a field: its own, else the default for its unit, then its type.

    Raises ``KeyError`` for a key the field dictionary does not know.
    """
    data = catalogue()
    eid = data["field_entry"].get(field_key)
    if eid is not None:
        return eid
    fields = _fields(fields)
    if field_key not in fields:
        raise KeyError(f"unknown field {field_key!r}")
    f = fields[field_key]
    return data["by_unit"].get(f.unit) or data["by_type"][f.type]


def _years_text(years, lang: str) -> str:
    ys = sorted({int(y) for y in years or ()})
    if not ys:
        return "所用年度" if lang == "zh" else "the years used"
    if lang == "zh":
        return "、".join(str(y) for y in ys) + "年"
    if len(ys) == 1:
        return str(ys[0])
    return ", ".join(str(y) for y in ys[:-1]) + f" and {ys[-1]}"


def entry_for(field_key: str, fields=None) -> dict:
    """The full entry for a field (for JSON output): id, texts, basis, citations, unconfirmed."""
    eid = entry_id(field_key, fields)
    e = catalogue()["entries"][eid]
    return {"id": eid, **e}


def citation(entry: dict, lang: str = "zh") -> str:
    """One line saying what an entry rests on: seed clauses, public copies, or common practice."""
    zh = lang == "zh"
    basis = entry["basis"]
    if basis == "seed":
        cites = []
        for s in entry["seeds"]:
            c = f"{s['file']} {s['clause']}"
            if c not in cites:
                cites.append(c)
        return ("依据 " if zh else "per ") + "; ".join(cites)
    if basis == "public_copy":
        copies = catalogue()["copies"]
        urls = []
        for c in entry["copies"]:
            u = re.sub(r"^https?://(www\.)?", "", copies[c["copy"]]["url"])
            if u not in urls:
                urls.append(u)
        line = ("公开文本：" if zh else "public copy: ") + ("；" if zh else "; ").join(urls)
        if entry["unconfirmed"]:
            line += "（来源待核实）" if zh else " (source unconfirmed)"
        return line
    return "通行做法" if zh else "common practice"


def document_for(field_key: str, lang: str = "zh", years=None, fields=None) -> tuple[str, str]:
    """``(document, basis)`` for a field, in ``lang`` (zh or en).

    ``document`` names the kind of document that proves the field (for yearly
    figures, of ``years`` when given); ``basis`` says what the catalogue rests
    on (:func:`citation`).
    """
    e = entry_for(field_key, fields)
    text = e["zh"] if lang == "zh" else e["en"]
    if _YEARS in text:
        text = text.replace(_YEARS, _years_text(years, lang))
    return text, citation(e, lang)


def scheme_note(scheme_id: str, lang: str = "zh") -> str | None:
    """What a scheme's own text says about application materials, with its clauses; None if nothing."""
    s = catalogue()["schemes"].get(scheme_id)
    if s is None:
        return None
    cites = "; ".join(f"{x['file']} {x['clause']}" for x in s["seeds"])
    return f"{s['zh']}（{cites}）" if lang == "zh" else f"{s['en']} ({cites})"


def coverage_problems(fields=None) -> list[str]:
    """Every way the catalogue and the field dictionary disagree, one line each (empty when they agree).

    A field of the dictionary that no entry lists is a problem (it would fall
    back on a default); so is an entry listing a key the dictionary lacks.
    """
    fields = _fields(fields)
    data = catalogue()
    known = {f.key for f in fields}
    out = []
    for f in fields:
        if f.key not in data["field_entry"]:
            out.append(f"field {f.key} has no entry in documents.yaml "
                       f"(falls back on {entry_id(f.key, fields)})")
    for key, eid in data["field_entry"].items():
        if key not in known:
            out.append(f"entry {eid} lists {key}, which fields.yaml does not define")
    return out

"""The one adapter between `match` / `report` and the assessment engine.

Everything in ``zjtx_cli.match`` and ``zjtx_cli.outputs.deliverable`` is built from the
``assess --format json`` document (format 1.x, pinned by tests/golden), never from engine
objects. :func:`assess_document` is the only place that produces that document, through the
in-process assessment of one file (``zjtx_cli/assessment.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from zjtx_cli.assessment import AssessFailed

__all__ = ["AssessFailed", "Assessment", "assess_document", "read_identity", "catalog"]


@dataclass
class Assessment:
    code: int  # the exit status `assess` would give
    doc: dict  # the assess --format json document
    warnings: list = field(default_factory=list)  # lines `assess` wrote to stderr, without the prefix


def _as_printed(lines):
    """Lines as `assess` prints them (inert, one line each, trimmed), without the prefix."""
    from zjtx_cli.inputs.text import inert

    return [x for x in (inert(line).strip() for line in lines) if x]


def assess_document(file, scheme, tier=None, lang="zh", as_of=None, year=None, sets=(), evidence=(),
                    checklist=False) -> Assessment:
    """``zjtx assess FILE --scheme S [--tier T] --format json`` in-process: the document and its warnings
    (``evidence``: ``--evidence`` values, e.g. ``("required",)``; ``checklist``: ``--checklist``)."""
    from zjtx_cli.assessment import assess_file

    try:
        done = assess_file(file, scheme, tier=tier, lang=lang, year=year, as_of=as_of, sets=list(sets or ()),
                           evidence=tuple(evidence or ()))
    except AssessFailed as exc:
        raise AssessFailed(_as_printed(exc.lines) or [f"{file}: assessment failed"], exc.code) from None
    return Assessment(done.code, done.json_document(checklist), _as_printed(done.warnings))



# fields `match` reads from the input itself: identity, place and titles held
IDENTITY_FIELDS = ("company_name", "credit_code", "registered_region", "sector", "innovation_sme_title",
                   "zjtx_sme_title", "municipal_little_giant", "provincial_zjtx", "national_little_giant",
                   "single_champion")


def read_identity(file, lang="zh", sets=()) -> dict:
    """Company name, credit code, 注册地, sector and titles held, from the input file (and --set)."""
    from zjtx_cli.inputs.fields import field_dictionary
    from zjtx_cli.inputs.model import InputError
    from zjtx_cli.inputs.reader import read_enterprise

    fields = field_dictionary()
    try:
        e = read_enterprise(file, fields)
    except InputError as exc:
        raise AssessFailed([p.line(lang) for p in exc.problems], 2) from None
    except OSError as exc:
        raise AssessFailed([f"{file}: {exc.strerror or exc}"], 2) from None
    out = {k: e.values.get(k) for k in IDENTITY_FIELDS if k in fields}
    from zjtx_cli.inputs.collector import parse_value
    from zjtx_cli.inputs.values import BadValue

    for s in sets or ():  # --set of these fields counts here too (bad values are reported by assess)
        if "=" in s:
            k, v = s.split("=", 1)
            k = fields.lookup(k.strip()) or k.strip()
            if k in out:
                try:
                    out[k] = parse_value(fields[k], v.strip())
                except BadValue:
                    pass
    return out


def _region_of(path):
    """The ruleset's ``region:`` metadata line (``{code: "430400"}``, ``sector:`` for industry schemes)."""
    import re

    import yaml

    text = open(path, encoding="utf-8").read()
    m = re.search(r"^region:\s*(\{.*\})\s*$", text, re.M)
    if not m:
        return None
    reg = yaml.safe_load(m.group(1))
    code = str(reg.get("code", ""))
    if not re.fullmatch(r"\d{6}", code) or set(reg) - {"code", "sector"}:
        raise AssessFailed([f"{path}: region: expected {{code: <6-digit GB/T 2260 code>, sector: <id>}}, "
                            f"not {m.group(1)}"], 2)
    return {"code": code, "sector": reg.get("sector")}


def catalog() -> list[dict]:
    """Every ruleset: id, title, period, programme and dates, region, and its tiers with their tracks."""
    from zjtx_cli.inputs.yamlcache import YamlError
    from zjtx_cli.rules.loader import RulesetError, load_ruleset, ruleset_paths

    out = []
    for sid, path in sorted(ruleset_paths().items()):
        try:
            rs = load_ruleset(path)
        except (RulesetError, YamlError) as exc:
            raise AssessFailed([str(exc)], 2) from None
        d = rs.data
        out.append({
            "id": sid, "title": d["title"], "document_number": d.get("document_number"), "source": d.get("source"),
            "period": {"start": d["period"][0], "end": d["period"][1]}, "programme": d.get("programme"),
            "effective_from": d.get("effective_from"), "effective_to": d.get("effective_to"),
            "region": _region_of(path),
            "tiers": [{"id": t["id"], "name": t["name"], "level": t["level"], "next": t.get("next"),
                       "tracks": [{"id": tr["id"], "name": tr["name"]} for tr in t["tracks"]]} for t in rs.tiers],
        })
    return out

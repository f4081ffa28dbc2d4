"""The one adapter between `match` / `report` and the assessment engine.

Everything in ``zjtx_cli.match`` and ``zjtx_cli.outputs.deliverable`` is built from the
``assess --format json`` document (format 1.x, pinned by tests/golden), never from engine
objects. :func:`assess_document` is the only place that produces that document; when the
engine gains an in-process assessment service, only this function changes.
"""

from __future__ import annotations

import contextlib
import io
import json
from dataclasses import dataclass, field


class AssessFailed(Exception):
    """The assessment could not be made: ``lines`` are the one-line messages, ``code`` the exit status."""

    def __init__(self, lines, code=2):
        super().__init__("; ".join(lines))
        self.lines, self.code = list(lines), code


@dataclass
class Assessment:
    code: int  # the exit status `assess` would give
    doc: dict  # the assess --format json document
    warnings: list = field(default_factory=list)  # lines `assess` wrote to stderr, without the prefix


def _lines(text, prefix):
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        out.append(line[len(prefix):] if line.startswith(prefix) else line)
    return out


def assess_document(file, scheme, tier=None, lang="zh", as_of=None, year=None, sets=()) -> Assessment:
    """``zjtx assess FILE --scheme S [--tier T] --format json`` in-process: the document and its warnings."""
    from zjtx_cli.cli.commands import run_assess

    out, err = io.StringIO(), io.StringIO()
    as_of_s = as_of.isoformat() if hasattr(as_of, "isoformat") else as_of
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = run_assess(file, scheme, tier=tier, fmt="json", lang=lang, year=year, as_of=as_of_s,
                              sets=list(sets or ()))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
        lines = _lines(err.getvalue(), "zjtx: error: ") or [f"{file}: assessment failed"]
        raise AssessFailed([ln for ln in lines if not ln.startswith("zjtx: warning: ")] or lines, code) from None
    text = out.getvalue()
    try:
        doc = json.loads(text)
    except ValueError:
        raise AssessFailed([f"{file}: {scheme}: no assessment document"], 2) from None
    return Assessment(code, doc, _lines(err.getvalue(), "zjtx: warning: "))


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

"""The library API: assess a company from Python.

    import zjtx_cli as zjtx

    r = zjtx.assess("company.xlsx", scheme="hengyang")        # or a dict of indicators
    r.verdict                  # "eligible" | "not_eligible" | "undetermined" | "excluded"
                               # ("conditional" only with evidence_required=True)
    r.focus.gaps               # what is lacking, easiest first
    zjtx.document(r)           # the JSON document of `zjtx assess --format json`

Bad input raises :class:`InputError` (``.problems``: file, field, value, reason); an unknown
scheme or tier raises :class:`LookupError`.
"""

from __future__ import annotations

import datetime as _dt
import os

from zjtx_cli.engine.results import VERDICTS, Assessment
from zjtx_cli.inputs.model import InputError

__all__ = ["assess", "document", "Assessment", "InputError", "VERDICTS"]


def _enterprise(source, fields, data_checks):
    from zjtx_cli.inputs.evidence_cells import evidence_from_json
    from zjtx_cli.inputs.json_reader import read_json
    from zjtx_cli.inputs.model import Enterprise
    from zjtx_cli.inputs.reader import read_enterprise

    if isinstance(source, Enterprise):
        return source
    if isinstance(source, dict):
        import json

        # through the JSON reader: the same labels, units and checks as a .json file
        data = json.loads(json.dumps(source, default=str))
        name = str(source.get("company_name") or "<dict>")
        ev = evidence_from_json(data, name, fields)
        e = read_json(name, fields, data={k: v for k, v in data.items() if k != "evidence"}, checks=data_checks)
        e.evidence = dict(ev.items)
        e.warnings.extend(ev.problems)
        return e
    if isinstance(source, (str, os.PathLike)):
        return read_enterprise(os.fspath(source), fields)  # the reader takes the file's evidence too
    raise TypeError(f"assess() reads a file path, a dict of indicators or an Enterprise, not {type(source).__name__}")


def assess(source, scheme: str, *, tier: str | None = None, as_of=None, year: int | None = None,
           lang: str = "zh", review: bool = False, data_checks: bool = True, evidence=None,
           evidence_required: bool = False) -> Assessment:
    """Assess a company (a ``.xlsx`` / ``.json`` file, a dict of indicators as in a ``.json`` file,
    or an Enterprise) against a scheme, as ``zjtx assess`` does.

    ``scheme`` is a scheme id or a programme (``miit``: the version in force on ``as_of``);
    ``tier`` a tier or track id (default: the whole ladder, or the one track); ``as_of`` a date
    or ``"YYYY-MM-DD"`` (default today); ``year`` the assessment year (default the latest year in
    the data); ``lang`` ``"zh"`` or ``"en"`` for :func:`document`; ``review`` the re-review
    (复核) reading (for a programme with a dated re-review layer, ``miit`` with ``tier="little-giant"``
    in 2026, that layer's rules, as ``zjtx assess --review``). A dict is checked like a file unless
    ``data_checks=False``.

    ``evidence`` names documents for inputs, ``{"own_brand": "商标注册证 …", "main_business_revenue.2025": …}``
    (as a JSON file's ``"evidence"`` object; over what the source names); ``evidence_required`` is officer
    mode (``--evidence required``): a pass resting on inputs without evidence is ``conditional``.
    """
    from zjtx_cli.engine.service import assess as run
    from zjtx_cli.inputs.fields import field_dictionary
    from zjtx_cli.rules.loader import get_ruleset
    from zjtx_cli.rules.versions import resolve

    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
    if isinstance(as_of, str):
        as_of = _dt.date.fromisoformat(as_of)
    as_of = as_of or _dt.date.today()
    rs = get_ruleset(resolve(scheme, as_of))
    if rs is None:
        raise LookupError(f"unknown scheme {scheme!r}")
    from zjtx_cli.rules.versions import review_layer

    layer, _why = review_layer(scheme, rs.id, as_of, tier, review, lang)  # as `zjtx assess --review` (issue 12)
    if layer:
        rs = get_ruleset(layer)
    fields = field_dictionary()
    e = _enterprise(source, fields, data_checks)
    if evidence:
        from zjtx_cli.evidence import parse

        ev = parse.from_json(dict(evidence), fields, source="evidence")
        if any(p.severity == "error" or "unknown" in p.reason for p in ev.problems):
            raise InputError(ev.problems)
        e = e.copy()
        e.evidence = parse.merge(e.evidence, ev.items)
    return run(e, rs, fields=fields, tier=tier, year=year, as_of=as_of, review=review, lang=lang,
               evidence_required=evidence_required)


def document(result: Assessment, lang: str | None = None) -> dict:
    """The JSON document of an assessment (``docs/assessment.schema.json``), as ``zjtx assess
    --format json`` prints it."""
    from zjtx_cli.inputs.fields import field_dictionary
    from zjtx_cli.outputs.report import document as build
    from zjtx_cli.outputs.report import ruleset_meta

    return build(result, field_dictionary(), lang or result.lang, {"scheme_info": ruleset_meta(result.ruleset)})

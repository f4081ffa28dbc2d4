"""Data checks that need the scheme and the assessment year (the rest are in ``inputs/checks.py``).

Each warning names the file, the field (Chinese label and key), the year and the condition
that needs the figure. Only the tiers an assessment looks at are read (``--tier``: that tier and
the ones below it), so a little-giant run names no champion condition (issue 12).
"""

from __future__ import annotations

import datetime as _dt

from zjtx_cli.engine.kinds.common import metrics_tested
from zjtx_cli.engine.metrics import evaluate_metric
from zjtx_cli.inputs.checks import field_label, series_of
from zjtx_cli.inputs.model import Problem


def tracks_in_scope(ruleset, tier=None) -> list:
    """(tier, track) pairs assessed for ``--tier`` (a tier id or a track id): that tier's tracks and
    the tiers below it (assessed for dependencies); every pair for a whole-ladder run (None)."""
    pairs = list(ruleset.tracks())
    if tier is None:
        return pairs
    t, tracks = ruleset.find(tier)
    if t is None:
        return pairs
    ids = {id(tr) for tr in tracks}
    out: list = []
    for lt, tr in pairs:
        if lt is t:
            out.extend((lt, x) for x in lt["tracks"] if id(x) in ids)
            break
        out.append((lt, tr))
    return out


def _metrics_tested(ruleset, tier):
    """(condition, metric keys, year offset) for every figure a condition of the tiers in scope
    tests, at any depth (review readings, points tables included), in ruleset order."""
    if tier is None:
        yield from ruleset.metrics_tested()
        return
    for _t, tr in tracks_in_scope(ruleset, tier):
        for c in tr["conditions"]:
            for keys, offset in metrics_tested(c.check):
                yield c, keys, offset


def scheme_warnings(e, ruleset, ctx, tier=None) -> list[Problem]:
    """Warnings that need the scheme and the assessment year ``ctx.year``.

    - a year missing from a multi-year series a condition of the tiers assessed needs (the
      series has other years, so it is most likely an omission, not a new company);
    - an old input that answered several tests a scheme now tells apart (``inputs/legacy.py``);
    - a founding date after the assessment year.
    """
    fields = ctx.fields
    out: list[Problem] = []
    seen = set()
    # every figure a condition tests, at any depth (review readings, points tables included)
    for c, keys, offset in _metrics_tested(ruleset, tier):
        year = ctx.year + offset
        for k in keys:
            try:
                mv = evaluate_metric(k, ctx, year)
            except Exception:  # a metric that cannot be computed is the engine's to report
                continue
            for fk, fy in mv.missing:
                if fy is None or fk not in fields or not fields[fk].per_year:
                    continue
                have = sorted(series_of(e, fk))
                if not have or (fk, fy) in seen:
                    continue
                seen.add((fk, fy))
                out.append(Problem(e.source, field_label(fields, fk),
                                   f"no figure for {fy} (given: {', '.join(map(str, have))}); "
                                   f"condition {c['id']} needs it", None, fy, severity="warning",
                                   reason_zh=f"缺少 {fy} 年的数据（已填：{'、'.join(map(str, have))}）；"
                                             f"条件 {c['id']} 需要该数据"))
    from zjtx_cli.inputs.legacy import legacy_warnings  # old keys answering several tests (issue 12)

    out.extend(legacy_warnings(e, ruleset, fields))
    founded = e.values.get("founding_date")
    if isinstance(founded, _dt.date) and founded.year > ctx.year:
        out.append(Problem(e.source, field_label(fields, "founding_date"),
                           f"after the assessment year {ctx.year}", founded.isoformat(), severity="warning",
                           reason_zh=f"晚于评价年度 {ctx.year} 年"))
    return out

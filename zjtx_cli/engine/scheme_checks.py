"""Data checks that need the scheme and the assessment year (the rest are in ``inputs/checks.py``).

Each warning names the file, the field (Chinese label and key), the year and the condition
that needs the figure.
"""

from __future__ import annotations

import datetime as _dt

from zjtx_cli.engine.metrics import evaluate_metric
from zjtx_cli.inputs.checks import field_label, series_of
from zjtx_cli.inputs.model import Problem


def scheme_warnings(e, ruleset, ctx) -> list[Problem]:
    """Warnings that need the scheme and the assessment year ``ctx.year``.

    - a year missing from a multi-year series a condition needs (the series
      has other years, so it is most likely an omission, not a new company);
    - a founding date after the assessment year.
    """
    fields = ctx.fields
    out: list[Problem] = []
    seen = set()
    # every figure a condition tests, at any depth (review readings, points tables included)
    for c, keys, offset in ruleset.metrics_tested():
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
    founded = e.values.get("founding_date")
    if isinstance(founded, _dt.date) and founded.year > ctx.year:
        out.append(Problem(e.source, field_label(fields, "founding_date"),
                           f"after the assessment year {ctx.year}", founded.isoformat(), severity="warning",
                           reason_zh=f"晚于评价年度 {ctx.year} 年"))
    return out

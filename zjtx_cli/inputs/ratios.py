"""Declared ratios (资产负债率, 研发费用占营业收入比重, 主营业务收入占比 given as percentages).

A declared ratio stands in for a metric only when the absolute figures are missing
(``engine.formulas.ratio_metric``); figures present always win. When both are given and
disagree, :func:`declared_ratio_warnings` warns: they agree when the computed ratio rounds to
the declared one at the declared figure's own precision (45.3 covers 45.25 to 45.35).
"""

from __future__ import annotations

from decimal import Decimal

from zjtx_cli.inputs.model import Problem


def _tolerance(v: Decimal) -> Decimal:
    exp = v.as_tuple().exponent
    return Decimal(5).scaleb(min(int(exp), 0) - 1) if isinstance(exp, int) else Decimal("0.005")


def declared_ratio_warnings(e, fields) -> list[Problem]:
    from zjtx_cli.engine.metrics import METRICS
    from zjtx_cli.engine.numbers import lower_first

    out: list[Problem] = []
    for m in METRICS.values():
        key = m.declared
        if key is None or key not in fields:
            continue
        given = e.values.get(key)
        if not isinstance(given, dict):
            continue
        (num, _o1), (den, _o2) = m.reads[:2]
        for y, v in sorted(given.items()):
            n, d = e.get(num, y), e.get(den, y)
            if n is None or d is None or d <= 0 or v is None:
                continue
            computed = Decimal(100) * n / d
            if abs(computed - v) > _tolerance(v):
                f = fields[key]
                c = format(computed.quantize(Decimal("0.01")), "f")
                out.append(Problem(
                    e.source, f"{f.zh} ({key})",
                    f"declared {v}% but {lower_first(fields[num].en)} / {lower_first(fields[den].en)} gives {c}%; "
                    f"the figures are used", str(v), y, severity="warning",
                    reason_zh=f"填报 {v}%，但按{fields[num].zh}÷{fields[den].zh}计算为 {c}%；以绝对数为准"))
    return out

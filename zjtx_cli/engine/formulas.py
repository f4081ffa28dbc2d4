"""How each derived metric is computed: the value, the figures it read and the formula shown
with them (:class:`MetricValue`). A factory here builds a metric's ``compute(ctx, year)`` and
declares what it reads (``with_reads``); ``engine/metrics.py`` registers the metrics.

Growth, two readings (recorded on the rules that use them):
- 年均增长 ("average annual growth") is the compound rate, the statistical
  convention for 年均增长速度: (R[Y] / R[Y-2]) ** (1/2) - 1.
- 平均增长率 ("average growth rate") is read literally as the arithmetic mean
  of the two yearly rates: ((R[Y-1]/R[Y-2] - 1) + (R[Y]/R[Y-1] - 1)) / 2.
The compound rate reads only R[Y-2] and R[Y]; the mean of yearly rates reads all three years.
"""

from __future__ import annotations

from decimal import Decimal

from zjtx_cli.engine.numbers import HUNDRED, ONE, mean_ratio_percent


class MetricValue:
    """A metric's value with what it was computed from."""

    __slots__ = ("value", "missing", "inputs", "formula_zh", "formula_en", "unit", "invalid", "declared")

    def __init__(self, value, missing=(), inputs=(), formula_zh="", formula_en="", unit=None, invalid=(),
                 declared=False):
        # declared: the value is a ratio the company gave (the absolute figures being missing)
        self.declared = declared
        self.value = value
        self.missing = list(missing)
        self.inputs = list(inputs)
        self.formula_zh = formula_zh
        self.formula_en = formula_en
        self.unit = unit
        # figures that are given but make the metric meaningless (a zero or negative base):
        # not 'missing' - the company cannot fix them by supplying data
        self.invalid = list(invalid)


def _need(ctx, key, years):
    """Values of a per-year field for several years, and what is missing."""
    vals, missing = [], []
    for y in years:
        v = ctx.raw(key, y)
        if v is None:
            missing.append((key, y))
        vals.append(v)
    return vals, missing


def _inputs(key, years, vals):
    return [(key, y, v) for y, v in zip(years, vals)]


def declared_ratio_value(ctx, key, year, fzh, fen):
    """A ratio the company declared (``key``, a % field) as the metric's value, or None."""
    v = ctx.raw(key, year) if key in ctx.fields else None
    if v is None:
        return None
    return MetricValue(v, (), [(key, year, v)], f"企业填报的比率（{fzh} 的绝对数未全部提供）",
              f"ratio as declared by the company ({fen}: figures not all given)", "%", declared=True)


def with_reads(compute, *spec, declared=None):
    """Attach what a compute function reads: (field, offsets or None), ... (and the field declaring the
    same ratio as a percentage, if any)."""
    compute.reads = tuple(spec)
    if declared is not None:
        compute.declared = declared
    return compute


def ratio_metric(num, den, years_back=0, fzh="", fen="", declared=None):
    """100 * sum(num over the years) / sum(den over the years); ``declared``: a % field giving the same
    ratio, used (and marked declared) only when a figure is missing - never over figures present."""

    def compute(ctx, year):
        ys = list(range(year - years_back, year + 1))
        nv, m1 = _need(ctx, num, ys)
        dv, m2 = _need(ctx, den, ys)
        missing = m1 + m2
        inputs = _inputs(num, ys, nv) + _inputs(den, ys, dv)
        if missing:
            if declared is not None and not years_back:
                mv = declared_ratio_value(ctx, declared, year, fzh, fen)
                if mv is not None:
                    return mv
            return MetricValue(None, missing, inputs, fzh, fen, "%")
        d = sum(dv)
        if d <= 0:
            return MetricValue(None, (), inputs, fzh, fen, "%", invalid=[(den, y) for y in ys])
        return MetricValue(HUNDRED * sum(nv) / d, (), inputs, fzh, fen, "%")

    offs = tuple(range(-years_back, 1))
    return with_reads(compute, (num, offs), (den, offs), declared=declared)


def sum_metric(field, years_back, unit, fzh, fen):
    def compute(ctx, year):
        ys = list(range(year - years_back, year + 1))
        vals, missing = _need(ctx, field, ys)
        inputs = _inputs(field, ys, vals)
        if missing:
            return MetricValue(None, missing, inputs, fzh, fen, unit)
        return MetricValue(sum(vals), (), inputs, fzh, fen, unit)

    return with_reads(compute, (field, tuple(range(-years_back, 1))))


def _growth_years(years, method):
    """Offsets a growth formula reads: the compound rate only the first and last year."""
    return (-years, 0) if method == "compound" else tuple(range(-years, 1))


def growth_compute(field, years, method):
    """Growth over ``years`` years ending at the assessment year, in %."""
    offs = _growth_years(years, method)

    def compute(ctx, year):
        ys = [year + o for o in offs]
        vals, missing = _need(ctx, field, ys)
        inputs = _inputs(field, ys, vals)
        fzh, fen = _growth_formula(field, list(range(year - years, year + 1)), method, ctx)
        if missing:
            return MetricValue(None, missing, inputs, fzh, fen, "%")
        if any(v <= 0 for v in vals[:-1]):
            # growth from a zero or negative base is undefined
            bad = [(field, y) for y, v in zip(ys[:-1], vals[:-1]) if v <= 0]
            return MetricValue(None, (), inputs, fzh + "（基数须为正）", fen + " (base must be positive)", "%",
                               invalid=bad)
        if method == "compound":
            ratio = vals[-1] / vals[0]
            if ratio < 0:
                return MetricValue(None, (), inputs, fzh, fen, "%", invalid=[(field, ys[-1])])
            g = (Decimal(ratio) ** (ONE / years) if years != 2 else ratio.sqrt()) - ONE
            return MetricValue(HUNDRED * g, (), inputs, fzh, fen, "%")
        # arithmetic mean of the yearly rates R[i+1]/R[i] - 1, exactly
        g = mean_ratio_percent([(vals[i + 1], vals[i]) for i in range(years)], minus_one=True)
        return MetricValue(g, (), inputs, fzh, fen, "%")

    return with_reads(compute, (field, offs))


def _growth_formula(field, ys, method, ctx):
    zh_name = ctx.fields[field].zh
    en_name = ctx.fields[field].en
    n = len(ys) - 1
    if method == "compound":
        return (f"({zh_name}{ys[-1]} ÷ {zh_name}{ys[0]})^(1/{n}) − 1（年均复合增长）",
                f"({en_name} {ys[-1]} / {en_name} {ys[0]})^(1/{n}) - 1 (compound annual growth)")
    parts_zh = " + ".join(f"({zh_name}{ys[i + 1]}÷{zh_name}{ys[i]}−1)" for i in range(n))
    parts_en = " + ".join(f"({en_name} {ys[i + 1]}/{ys[i]} - 1)" for i in range(n))
    return (f"[{parts_zh}] ÷ {n}（各年增长率的算术平均）",
            f"[{parts_en}] / {n} (arithmetic mean of yearly rates)")


def mean_ratio_compute(num, den, years_back, fzh, fen):
    """100 * the arithmetic mean of the yearly ratios num / den (not the ratio of the sums)."""

    def compute(ctx, year):
        ys = list(range(year - years_back, year + 1))
        nv, m1 = _need(ctx, num, ys)
        dv, m2 = _need(ctx, den, ys)
        inputs = _inputs(num, ys, nv) + _inputs(den, ys, dv)
        if m1 or m2:
            return MetricValue(None, m1 + m2, inputs, fzh, fen, "%")
        bad = [(den, y) for y, d in zip(ys, dv) if d <= 0]
        if bad:
            return MetricValue(None, (), inputs, fzh, fen, "%", invalid=bad)
        return MetricValue(mean_ratio_percent(list(zip(nv, dv))), (), inputs, fzh, fen, "%")

    offs = tuple(range(-years_back, 1))
    return with_reads(compute, (num, offs), (den, offs))


def anniversary(d, n: int):
    """The day a period of ``n`` years from ``d`` is complete (民法典 第二百零一、二百零二条: it starts the
    day after and ends on the corresponding day; 29 February falls back to the 28th)."""
    import datetime as _dtm

    try:
        return d.replace(year=d.year + n)
    except ValueError:
        return _dtm.date(d.year + n, 2, 28)


def completed_years(d, on) -> int:
    """Whole years from founding date ``d`` to the day ``on`` (the anniversary itself completes a year)."""
    n = on.year - d.year
    if n > 0 and anniversary(d, n) > on:
        n -= 1
    return n


def years_compute(ctx, year):
    """Completed years of operation on the assessment date (--as-of): the clause fixes no cut-off."""
    d = ctx.e.get("founding_date")
    on = ctx.as_of
    fzh = f"成立日期至评价日 {on.isoformat()} 的完整年数"
    fen = f"completed years from the founding date to the assessment date {on.isoformat()}"
    if d is None:
        return MetricValue(None, [("founding_date", None)], [], fzh, fen, "年")
    return MetricValue(Decimal(completed_years(d, on)), (), [("founding_date", None, d)], fzh, fen, "年")


def years_end_compute(ctx, year):
    """Completed years at the end of the assessment year (a clause fixing 截至上年末)."""
    import datetime as _dtm

    d = ctx.e.get("founding_date")
    fzh = f"成立日期至 {year} 年末的完整年数（截至上年末）"
    fen = f"completed years from the founding date to the end of {year} (fixed cut-off)"
    if d is None:
        return MetricValue(None, [("founding_date", None)], [], fzh, fen, "年")
    return MetricValue(Decimal(completed_years(d, _dtm.date(year, 12, 31))), (), [("founding_date", None, d)],
                       fzh, fen, "年")


def founding_year_compute(ctx, year):
    d = ctx.e.get("founding_date")
    fzh, fen = "成立日期所在年份", "year of the founding date"
    if d is None:
        return MetricValue(None, [("founding_date", None)], [], fzh, fen, None)
    return MetricValue(Decimal(d.year), (), [("founding_date", None, d)], fzh, fen, None)

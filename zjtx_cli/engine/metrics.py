"""Derived metrics: computed from raw figures, never typed in.

Each metric knows its formula (shown in the explanation with its inputs) and
how to turn a shortfall against a threshold into something a company can act
on (万元 of revenue, R&D spending, liabilities; people; years).

The formulas are ``engine/formulas.py``'s (growth read as compound or as the mean of yearly rates,
per metric), the shortfalls ``engine/shortfalls.py``'s; this module registers the metrics
(:data:`METRICS`) and evaluates them. Numbers are shown by ``engine/numbers.py``.

Every metric declares once what it reads (``Metric.reads``: field and year offsets); its
computation asks for exactly those figures, and the templates, the loader's "which fields does a
scheme use" and "how many years" all derive from the same declaration (``METRIC_INPUTS``,
``lookback``).
"""

from __future__ import annotations

from zjtx_cli.engine.context import EvaluationContext
from zjtx_cli.engine.formulas import (
    MetricValue,
    founding_year_compute,
    growth_compute,
    mean_ratio_compute,
    ratio_metric,
    sum_metric,
    with_reads,
    years_compute,
    years_end_compute,
)
from zjtx_cli.engine.shortfalls import (
    asset_liability_gap,
    founding_year_gap,
    growth_gap,
    mean_ratio_gap,
    points_gap,
    ratio_gap_numerator,
    raw_gap,
    years_end_gap,
    years_gap,
)


class Metric:
    """A derived metric. ``reads``: ((field, offsets), ...) - the figures the formula reads, offsets
    from the metric's year (None for a field that is not per year); declared by the factory that
    builds ``compute`` (as ``compute.reads``) so that the formula and its inputs cannot diverge."""

    __slots__ = ("key", "zh", "en", "unit", "compute", "gap", "note_zh", "note_en", "reads", "declared")

    def __init__(self, key, zh, en, unit, compute, gap, note_zh="", note_en="", reads=None):
        self.key, self.zh, self.en, self.unit = key, zh, en, unit
        self.compute, self.gap = compute, gap
        self.note_zh, self.note_en = note_zh, note_en
        self.reads = tuple(reads if reads is not None else compute.reads)
        # the field holding the same ratio as a declared percentage, used only when figures are missing
        self.declared = getattr(compute, "declared", None)

    def fields(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f for f, _o in self.reads))


METRICS: dict[str, Metric] = {}


def _register(m: Metric):
    METRICS[m.key] = m


# -- the registered metrics ----------------------------------------------------------
_register(Metric(
    "asset_liability_ratio", "资产负债率", "Asset-liability ratio", "%",
    ratio_metric("total_liabilities", "total_assets", 0,
                  "负债总额 ÷ 资产总额", "total liabilities / total assets", declared="asset_liability_ratio_declared"),
    asset_liability_gap))


_register(Metric(
    "main_business_share", "主营业务收入占营业收入比重", "Main-business share of operating revenue", "%",
    ratio_metric("main_business_revenue", "operating_revenue", 0,
                  "主营业务收入 ÷ 营业收入", "main-business revenue / operating revenue",
                  declared="main_business_share_declared"),
    ratio_gap_numerator("main_business_revenue", "operating_revenue", 0, "主营业务收入",
                         "Main-business revenue", also_in_den=True)))


_register(Metric(
    "leading_product_share", "主导产品销售收入占营业收入比重", "Leading-product share of operating revenue", "%",
    ratio_metric("leading_product_revenue", "operating_revenue", 0,
                  "主导产品销售收入 ÷ 营业收入", "leading-product revenue / operating revenue"),
    ratio_gap_numerator("leading_product_revenue", "operating_revenue", 0, "主导产品销售收入",
                         "Leading-product revenue", also_in_den=True)))


_register(Metric(
    "leading_product_share_of_main", "主导产品销售收入占主营业务收入比重",
    "Leading-product share of main-business revenue", "%",
    ratio_metric("leading_product_revenue", "main_business_revenue", 0,
                  "主导产品销售收入 ÷ 主营业务收入", "leading-product revenue / main-business revenue"),
    ratio_gap_numerator("leading_product_revenue", "main_business_revenue", 0, "主导产品销售收入",
                         "Leading-product revenue", also_in_den=True)))


_register(Metric(
    "rd_intensity", "上年度研发费用占营业收入比重", "R&D intensity (assessment year)", "%",
    ratio_metric("rd_expense", "operating_revenue", 0,
                  "研发费用 ÷ 营业收入", "R&D expenditure / operating revenue", declared="rd_intensity_declared"),
    ratio_gap_numerator("rd_expense", "operating_revenue", 0, "研发费用", "R&D expenditure")))


_register(Metric(
    "rd_intensity_2y", "近2年研发费用占营业收入比重", "2-year R&D intensity (of operating revenue)", "%",
    ratio_metric("rd_expense", "operating_revenue", 1,
                  "近2年研发费用合计 ÷ 近2年营业收入合计", "R&D over 2 years / operating revenue over 2 years"),
    ratio_gap_numerator("rd_expense", "operating_revenue", 1, "研发费用", "R&D expenditure")))


_register(Metric(
    "rd_intensity_2y_main", "近2年研发费用占主营业务收入比重", "2-year R&D intensity (of main-business revenue)", "%",
    ratio_metric("rd_expense", "main_business_revenue", 1,
                  "近2年研发费用合计 ÷ 近2年主营业务收入合计",
                  "R&D over 2 years / main-business revenue over 2 years"),
    ratio_gap_numerator("rd_expense", "main_business_revenue", 1, "研发费用", "R&D expenditure")))


_register(Metric(
    "rd_staff_share", "研发人员占职工总数比重", "R&D staff share of employees", "%",
    ratio_metric("rd_staff", "employees", 0,
                  "研发人员 ÷ 从业人员", "R&D staff / employees"),
    ratio_gap_numerator("rd_staff", "employees", 0, "研发人员", "R&D staff", people=True)))


_register(Metric(
    "rd_expense_2y", "近2年研发费用合计", "R&D expenditure over 2 years", "万元",
    sum_metric("rd_expense", 1, "万元", "近2年研发费用合计", "sum of R&D expenditure over 2 years"),
    None))


_register(Metric(
    "equity_financing_2y", "近2年新增股权融资合计（实缴）", "New equity financing over 2 years (paid in)", "万元",
    sum_metric("equity_financing", 1, "万元", "近2年新增股权融资合计", "sum of new equity financing over 2 years"),
    None))


# -- national gradient standards (工信部企业〔2022〕63号 附件1/2, 〔2026〕2号) --------------
_register(Metric(
    "equity_financing_3y", "近3年新增股权融资合计（实缴）", "New equity financing over 3 years (paid in)", "万元",
    sum_metric("equity_financing", 2, "万元", "近3年新增股权融资合计", "sum of new equity financing over 3 years"),
    None))


_sum3_main = sum_metric("main_business_revenue", 2, "万元", "近3年主营业务收入之和 ÷ 3",
                         "sum of main-business revenue over 3 years / 3")


def _avg3_main(ctx, year):
    mv = _sum3_main(ctx, year)
    if mv.value is not None:
        mv.value = mv.value / 3
    return mv


with_reads(_avg3_main, *_sum3_main.reads)


_register(Metric(
    "main_business_revenue_avg_3y", "近3年平均主营业务收入", "Average main-business revenue over 3 years", "万元",
    _avg3_main, None))


_register(Metric(
    "net_profit_margin", "净利润率", "Net profit margin", "%",
    ratio_metric("net_profit", "operating_revenue", 0,
                  "净利润 ÷ 营业收入", "net profit / operating revenue"),
    ratio_gap_numerator("net_profit", "operating_revenue", 0, "净利润", "Net profit", base_lever=False)))


_register(Metric(
    "main_business_revenue_growth", "主营业务收入增长率（上年度）", "Main-business revenue growth (one year)", "%",
    growth_compute("main_business_revenue", 1, "arithmetic"), growth_gap("main_business_revenue", 1, "arithmetic"),
    "评价年度比上一年度", "assessment year over the year before"))


for _field, _zh, _en in (("main_business_revenue", "主营业务收入", "main-business revenue"),
                         ("operating_revenue", "营业收入", "operating revenue"),
                         ("net_profit", "净利润", "net profit")):
    _register(Metric(
        f"{_field}_cagr_2y", f"近2年{_zh}年均增长率", f"2-year compound growth of {_en}", "%",
        growth_compute(_field, 2, "compound"), growth_gap(_field, 2, "compound"),
        "年均增长按复合增长率计", "年均增长 read as compound growth"))
    _register(Metric(
        f"{_field}_avg_growth_2y", f"近2年{_zh}平均增长率", f"2-year average growth of {_en}", "%",
        growth_compute(_field, 2, "arithmetic"), growth_gap(_field, 2, "arithmetic"),
        "平均增长率按两年增长率的算术平均计", "平均增长率 read as the mean of the two yearly rates"))


_register(Metric("years_in_operation", "经营年限", "Years in operation", "年", years_compute, years_gap,
                 "截至评价日（--as-of）的完整年数", "completed years on the assessment date (--as-of)",
                 reads=(("founding_date", None),)))


_register(Metric("years_in_operation_year_end", "经营年限（截至上年末）",
                 "Years in operation (to the end of last year)",
                 "年", years_end_compute, years_end_gap,
                 "截至评价年度末的完整年数", "completed years at the end of the assessment year",
                 reads=(("founding_date", None),)))


# -- three-year averages (Jiangsu 千企升级 pool and provincial little giant, rulesets/jinhu.yaml) ----
_register(Metric(
    "operating_revenue_avg_growth_3y", "近3年营业收入平均增长率", "3-year average growth of operating revenue", "%",
    growth_compute("operating_revenue", 3, "arithmetic"), growth_gap("operating_revenue", 3, "arithmetic"),
    "平均增长率按近3年各年增长率的算术平均计（需4个年度的数据）",
    "平均增长率 read as the mean of the last three yearly rates (needs four years of figures)"))


_register(Metric(
    "operating_profit_margin_avg_3y", "近3年平均营业利润率", "3-year average operating profit margin", "%",
    mean_ratio_compute("operating_profit", "operating_revenue", 2,
                        "近3年各年（营业利润 ÷ 营业收入）的算术平均",
                        "mean of the yearly operating profit / operating revenue over 3 years"),
    mean_ratio_gap("operating_profit", "operating_revenue", 2, "营业利润", "Operating profit"),
    "各年营业利润率的算术平均", "arithmetic mean of the yearly margins"))


_register(Metric(
    "rd_intensity_avg_3y", "近3年研发费用占营业收入比重均值", "3-year mean R&D intensity (of operating revenue)", "%",
    mean_ratio_compute("rd_expense", "operating_revenue", 2,
                        "近3年各年（研发费用 ÷ 营业收入）的算术平均",
                        "mean of the yearly R&D expenditure / operating revenue over 3 years"),
    mean_ratio_gap("rd_expense", "operating_revenue", 2, "研发费用", "R&D expenditure"),
    "各年比重的算术平均", "arithmetic mean of the yearly ratios"))


_register(Metric("founding_year", "成立年份", "Year founded", None, founding_year_compute, founding_year_gap,
                 "营业执照所载成立日期的年份", "the year of the founding date on the business licence",
                 reads=(("founding_date", None),)))


def metric_or_field(key: str, fields) -> tuple[str, str, str | None]:
    """(zh, en, unit) of a metric or raw field key."""
    m = METRICS.get(key)
    if m:
        return m.zh, m.en, m.unit
    f = fields[key]
    return f.zh, f.en, f.unit


def evaluate_metric(key: str, ctx: EvaluationContext, year: int) -> MetricValue:
    mk = (key, year)
    mv = ctx.memo.get(mk)
    if mv is not None:
        return mv
    m = METRICS.get(key)
    if m is not None:
        mv = m.compute(ctx, year)
    else:
        f = ctx.fields[key]
        v = ctx.raw(key, year)
        yr = year if f.per_year else None
        mv = MetricValue(None, [(key, yr)], [], unit=f.unit) if v is None else \
            MetricValue(v, (), [(key, yr, v)], unit=f.unit)
    ctx.memo[mk] = mv
    return mv


def metric_gap(key: str, ctx: EvaluationContext, year: int, op: str, target, mv: MetricValue):
    m = METRICS.get(key)
    if m is not None and mv.declared:
        return points_gap(m, op, target, mv)
    if m is not None:
        if m.gap is None:
            return raw_gap(key, m.unit)(ctx, year, op, target, mv)
        return m.gap(ctx, year, op, target, mv)
    return raw_gap(key, ctx.fields[key].unit)(ctx, year, op, target, mv)


# raw fields behind each metric (for templates and 'which fields does a scheme use'), from Metric.reads
METRIC_INPUTS: dict[str, tuple[str, ...]] = {k: m.fields() for k, m in METRICS.items()}


# metrics that read no per-year figure (shown without a year), and those no effort can change
STATIC_METRICS = frozenset(k for k, m in METRICS.items() if all(o is None for _f, o in m.reads))


BLOCKER_METRICS = frozenset(("years_in_operation", "years_in_operation_year_end", "founding_year"))


def metric_years(key: str, year: int) -> list[tuple[str, int | None]]:
    """The (field, year) figures a metric reads for ``year`` (a raw field: itself)."""
    m = METRICS.get(key)
    if m is None:
        return [(key, year)]
    return [(f, None if o is None else year + o)
            for f, offs in m.reads for o in (offs if offs is not None else (None,))]


def lookback(key: str, fields) -> int:
    """How many years before the assessment year a metric or field reads (0: that year only)."""
    m = METRICS.get(key)
    if m is None:
        return 0
    offs = [o for _f, oo in m.reads if oo is not None for o in oo]
    return -min(offs) if offs else 0

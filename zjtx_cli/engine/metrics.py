"""Derived metrics: computed from raw figures, never typed in.

Each metric knows its formula (shown in the explanation with its inputs) and
how to turn a shortfall against a threshold into something a company can act
on (万元 of revenue, R&D spending, liabilities; people; years).

Growth, two readings (recorded on the rules that use them):
- 年均增长 ("average annual growth") is the compound rate, the statistical
  convention for 年均增长速度: (R[Y] / R[Y-2]) ** (1/2) - 1.
- 平均增长率 ("average growth rate") is read literally as the arithmetic mean
  of the two yearly rates: ((R[Y-1]/R[Y-2] - 1) + (R[Y]/R[Y-1] - 1)) / 2.
The compound rate reads only R[Y-2] and R[Y]; the mean of yearly rates reads all three years.

Every metric declares once what it reads (``Metric.reads``: field and year offsets); its
computation asks for exactly those figures, and the templates, the loader's "which fields does a
scheme use" and "how many years" all derive from the same declaration (``METRIC_INPUTS``,
``lookback``).
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_EVEN, Decimal

HUNDRED = Decimal(100)
ONE = Decimal(1)


class MV:
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


def mean_ratio_percent(pairs, minus_one: bool = False) -> Decimal:
    """100 × the mean of num/den over ``pairs`` (minus 1 each, for growth rates), exactly.

    Computed in integers and divided once, so that a mean that is exactly 10% compares
    equal to 10 (dividing rate by rate at 28 digits gave 9.999…). Dens must be non-zero.
    """
    scale = max(-min(d.as_tuple().exponent for pair in pairs for d in pair), 0)
    f = 10 ** scale
    ints = [(int(n * f), int(d * f)) for n, d in pairs]
    num, den = 0, 1
    for n, d in ints:  # num/den += n/d
        num, den = num * d + n * den, den * d
    k = len(ints)
    if minus_one:
        num -= k * den
    return Decimal(100 * num) / Decimal(k * den)


class Gap:
    """The smallest change that meets a threshold, in the unit a person acts on.

    ``levers``: when several real changes each meet it (raise main-business revenue, or cut other
    revenue), every one as a Gap, cheapest first; the Gap itself then is the cheapest with a text
    naming them all."""

    __slots__ = ("amount", "unit", "zh", "en", "relative", "levers", "whole")

    def __init__(self, amount, unit, zh, en, relative=None, levers=None, whole=False):
        # whole: the text says everything (no "现为 X，须 ≥ Y" before it), e.g. "no award now"
        self.whole = whole
        self.amount = amount
        self.unit = unit
        self.zh = zh
        self.en = en
        self.relative = relative  # shortfall as a share of the target, for ordering
        self.levers = levers

    def to_json(self):
        d = {"amount": num_json(self.amount), "unit": self.unit, "text_zh": self.zh, "text_en": self.en}
        if self.levers:
            d["levers"] = [dict(g.to_json(), lever=k) for k, g in self.levers]
        return d


def levers_gap(levers) -> Gap | None:
    """One Gap offering each lever [(name, Gap)], cheapest (smallest amount) first."""
    levers = sorted([(k, g) for k, g in levers if g is not None and g.amount is not None and g.amount > 0],
                    key=lambda kg: kg[1].amount)
    if not levers:
        return None
    if len(levers) == 1:
        return levers[0][1]
    first = levers[0][1]
    zh = "以下任一即可（按所需金额从小到大）：" + "；".join(f"({i}) {g.zh}" for i, (_k, g) in enumerate(levers, 1))
    en = "any one of (smallest amount first): " + "; ".join(f"({i}) {g.en}" for i, (_k, g) in enumerate(levers, 1))
    return Gap(first.amount, first.unit, zh, en, first.relative, levers)


def num_json(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, Decimal):
        if v == v.to_integral_value():
            return int(v)
        return float(round(v, 6))
    return v


# money stays in 万元
UNIT_EN = {"项": "items", "年": "years", "人": "people", "家": "firms", "个百分点": "percentage points"}


def fmt(v, unit: str | None = None, places: int = 2, *, lang: str = "zh", up: bool = False) -> str:
    """Human form of a number: up to ``places`` decimals, no trailing zeros; the
    unit in the reader's language (万元 is kept in English: it is the data's unit)."""
    if v is None:
        return "—"
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, (int,)):
        s = f"{v:,}" if abs(v) >= 10000 else str(v)
    else:
        # a shortfall is rounded up, so that the amount shown really reaches the threshold
        from decimal import localcontext

        with localcontext() as lc:  # absurdly large ratios must still print, not raise
            lc.prec = 80
            d = Decimal(v).quantize(Decimal(1).scaleb(-places), rounding=ROUND_CEILING if up else ROUND_HALF_EVEN)
        s = format(d, "f")
        if "." in s:
            s = s.rstrip("0").rstrip(".")
        if s in ("-0", ""):
            s = "0"
    if unit in (None, ""):
        return s
    if unit == "%":
        return s + "%"
    if lang == "en":
        unit = UNIT_EN.get(unit, unit)
    return f"{s} {unit}"


def lc(s: str) -> str:
    """A label in running English text: first letter lowered, acronyms (R&D) kept."""
    return s if s[:2].isupper() else s[:1].lower() + s[1:]


def ceil_int(d: Decimal) -> int:
    return int(d.to_integral_value(rounding=ROUND_CEILING))


# ----------------------------------------------------------------------------- context
class Ctx:
    """What an evaluation needs: the enterprise, the assessment year and date."""

    __slots__ = ("e", "year", "as_of", "fields", "review", "tier_verdicts", "tier_names", "memo",
                 "evidence_required", "tier_inputs")

    def __init__(self, e, year, as_of, fields, review=False, tier_verdicts=None, evidence_required=False):
        self.e = e
        self.year = year
        self.as_of = as_of
        self.fields = fields
        self.review = review
        self.tier_verdicts = tier_verdicts if tier_verdicts is not None else {}
        self.tier_names: dict = {}
        self.memo: dict = {}  # per-enterprise results: metrics by (key, year), conditions by id
        # officer mode (--evidence required), and what each tier's verdict rested on (issue 13)
        self.evidence_required = evidence_required
        self.tier_inputs: dict = {}

    def has_evidence(self, key, year=None) -> bool:
        """Whether the input names evidence (its year's own entry, or the field's all-years one)."""
        ev = getattr(self.e, "evidence", None)
        if not ev:
            return False
        if year is not None and (key, year) in ev:
            return bool(ev[(key, year)])
        return bool(ev.get((key, None)))

    def raw(self, key, year=None):
        f = self.fields[key]
        if f.per_year:
            return self.e.get(key, year if year is not None else self.year)
        return self.e.get(key)


def _label(fields, key, lang):
    return fields[key].zh if lang == "zh" else fields[key].en


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


# ------------------------------------------------------------------------------ metrics
def declared_ratio_mv(ctx, key, year, fzh, fen):
    """A ratio the company declared (``key``, a % field) as the metric's value, or None."""
    v = ctx.raw(key, year) if key in ctx.fields else None
    if v is None:
        return None
    return MV(v, (), [(key, year, v)], f"企业填报的比率（{fzh} 的绝对数未全部提供）",
              f"ratio as declared by the company ({fen}: figures not all given)", "%", declared=True)


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


def _reads(compute, *spec, declared=None):
    """Attach what a compute function reads: (field, offsets or None), ... (and the field declaring the
    same ratio as a percentage, if any)."""
    compute.reads = tuple(spec)
    if declared is not None:
        compute.declared = declared
    return compute


METRICS: dict[str, Metric] = {}


def _register(m: Metric):
    METRICS[m.key] = m


def _ratio_metric(num, den, years_back=0, fzh="", fen="", declared=None):
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
                mv = declared_ratio_mv(ctx, declared, year, fzh, fen)
                if mv is not None:
                    return mv
            return MV(None, missing, inputs, fzh, fen, "%")
        d = sum(dv)
        if d <= 0:
            return MV(None, (), inputs, fzh, fen, "%", invalid=[(den, y) for y in ys])
        return MV(HUNDRED * sum(nv) / d, (), inputs, fzh, fen, "%")

    offs = tuple(range(-years_back, 1))
    return _reads(compute, (num, offs), (den, offs), declared=declared)


def _sum_metric(field, years_back, unit, fzh, fen):
    def compute(ctx, year):
        ys = list(range(year - years_back, year + 1))
        vals, missing = _need(ctx, field, ys)
        inputs = _inputs(field, ys, vals)
        if missing:
            return MV(None, missing, inputs, fzh, fen, unit)
        return MV(sum(vals), (), inputs, fzh, fen, unit)

    return _reads(compute, (field, tuple(range(-years_back, 1))))


def _growth_years(years, method):
    """Offsets a growth formula reads: the compound rate only the first and last year."""
    return (-years, 0) if method == "compound" else tuple(range(-years, 1))


def _growth_compute(field, years, method):
    """Growth over ``years`` years ending at the assessment year, in %."""
    offs = _growth_years(years, method)

    def compute(ctx, year):
        ys = [year + o for o in offs]
        vals, missing = _need(ctx, field, ys)
        inputs = _inputs(field, ys, vals)
        fzh, fen = _growth_formula(field, list(range(year - years, year + 1)), method, ctx)
        if missing:
            return MV(None, missing, inputs, fzh, fen, "%")
        if any(v <= 0 for v in vals[:-1]):
            # growth from a zero or negative base is undefined
            bad = [(field, y) for y, v in zip(ys[:-1], vals[:-1]) if v <= 0]
            return MV(None, (), inputs, fzh + "（基数须为正）", fen + " (base must be positive)", "%", invalid=bad)
        if method == "compound":
            ratio = vals[-1] / vals[0]
            if ratio < 0:
                return MV(None, (), inputs, fzh, fen, "%", invalid=[(field, ys[-1])])
            g = (Decimal(ratio) ** (ONE / years) if years != 2 else ratio.sqrt()) - ONE
            return MV(HUNDRED * g, (), inputs, fzh, fen, "%")
        # arithmetic mean of the yearly rates R[i+1]/R[i] - 1, exactly
        g = mean_ratio_percent([(vals[i + 1], vals[i]) for i in range(years)], minus_one=True)
        return MV(g, (), inputs, fzh, fen, "%")

    return _reads(compute, (field, offs))


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


def _growth_gap(field, years, method):
    def gap(ctx, year, op, target, mv):
        ys = list(range(year - years, year + 1))
        vals = [ctx.raw(field, y) for y in ys]
        g = target / HUNDRED
        if method == "compound":
            need = vals[0] * (ONE + g) ** years
        else:
            earlier = sum(vals[i + 1] / vals[i] - ONE for i in range(years - 1))
            need = vals[-2] * (ONE + g * years - earlier)
        short = need - vals[-1]
        name_zh, name_en = ctx.fields[field].zh, ctx.fields[field].en
        return Gap(short, "万元",
                   f"{name_zh}{ys[-1]}年须达到 {fmt(need, '万元', up=True)}，尚差 {fmt(short, '万元', up=True)}"
                   + ("（须超过）" if op == ">" else ""),
                   f"{name_en} in {ys[-1]} must reach {fmt(need, '万元', lang='en', up=True)}: "
                   f"short by {fmt(short, '万元', lang='en', up=True)}"
                   + (" (must exceed)" if op == ">" else ""),
                   short / need if need else None)

    return gap


def _ratio_gap_numerator(num, den, years_back, unit_word_zh, unit_word_en, also_in_den=False, people=False,
                         base_lever=True):
    """Shortfall of the numerator at unchanged denominator (R&D spend given revenue), and, where it is
    a real lever (``base_lever``), the cut in the rest of the denominator that meets it instead."""

    def gap(ctx, year, op, target, mv):
        ys = list(range(year - years_back, year + 1))
        n = sum(ctx.raw(num, y) for y in ys)
        d = sum(ctx.raw(den, y) for y in ys)
        p = target / HUNDRED
        if also_in_den:
            # the numerator is part of the denominator: adding x to both
            short = (p * d - n) / (ONE - p) if p < 1 else None
        else:
            short = p * d - n
        if short is None:
            return None
        unit = "人" if people else "万元"
        amount = Decimal(ceil_int(short)) if people else short
        span_zh = f"{ys[0]}—{ys[-1]}年合计" if years_back else f"{ys[-1]}年"
        span_en = f"{ys[0]}-{ys[-1]} in total" if years_back else f"in {ys[-1]}"
        if also_in_den:
            base_zh, base_en = "其他业务收入不变", "other revenue unchanged"
        else:
            base_zh, base_en = f"按现有{ctx.fields[den].zh}计", f"at the current {ctx.fields[den].en.lower()}"
        zh = f"{unit_word_zh}须增加 {fmt(amount, unit, up=True)}（{span_zh}，{base_zh}）"
        en = f"{unit_word_en} must rise by {fmt(amount, unit, lang='en', up=True)} ({span_en}, {base_en})"
        if people and not also_in_den:
            # hiring new R&D staff also raises the head count
            hires = ceil_int((p * d - n) / (ONE - p)) if p < 1 else None
            if hires is not None:
                zh += f"；若新招研发人员则须 {hires} 人"
                en += f"; or hire {hires} new R&D staff"
        main = Gap(amount, unit, zh, en, short / (p * d) if p * d else None)
        if people or not base_lever or p <= 0 or n <= 0:
            return main
        # the other lever: a smaller remainder of the base (other revenue cut, the numerator unchanged)
        cut = d - n / p
        if also_in_den:
            other_zh, other_en = f"{ctx.fields[den].zh}中{unit_word_zh}以外的收入", \
                f"{lc(ctx.fields[den].en)} other than {lc(unit_word_en)}"
            czh = f"{other_zh}须减少 {fmt(cut, '万元', up=True)}（{span_zh}，{unit_word_zh}不变）"
            cen = f"cut {other_en} by {fmt(cut, '万元', lang='en', up=True)} ({span_en}, {lc(unit_word_en)} unchanged)"
            rel = cut / (d - n) if d > n else None
        else:
            czh = (f"{ctx.fields[den].zh}不高于 {fmt(n / p, '万元')}，即减少 {fmt(cut, '万元', up=True)}"
                   f"（{span_zh}，{unit_word_zh}不变；仅在收入确会下降时适用）")
            cen = (f"{lc(ctx.fields[den].en)} no higher than {fmt(n / p, '万元', lang='en')}, i.e. "
                   f"{fmt(cut, '万元', lang='en', up=True)} less ({span_en}, {lc(unit_word_en)} unchanged; "
                   f"only where revenue really falls)")
            rel = cut / d if d else None
        return levers_gap([("raise_" + num, main), ("reduce_" + ("other" if also_in_den else den),
                                                    Gap(cut, "万元", czh, cen, rel))])

    return gap


# ranks where 0 means "none" (no award in the last three years), not a rank
NONE_IS_ZERO_RANKS = frozenset(("sci_award_national_rank", "sci_award_provincial_rank"))


def near_or_far(short, target) -> str:
    """Effort of a numeric shortfall: 'near' within 10% of the target, else 'far' (one rule for
    metrics and platform scores alike)."""
    if short is None or not target:
        return "far"
    return "near" if abs(Decimal(short) / Decimal(target)) <= Decimal("0.1") else "far"


def _rank_gap(ctx, key, op, target, mv):
    if mv.value == 0 and op in (">=", ">"):
        return Gap(None, "", "现未获奖（填 0 即未获奖），须获奖",
                   "no award now (0 means none); an award is needed", Decimal(1), whole=True)
    places = mv.value - target + (1 if op == "<" else 0)
    return Gap(places, "", f"现排第 {int(mv.value)} 位，须在前 {int(target) - (1 if op == '<' else 0)} 位："
                           f"须提高 {int(places)} 位",
               f"ranked {int(mv.value)}, needs the top {int(target) - (1 if op == '<' else 0)}: "
               f"{int(places)} place(s) higher",
               places / target if target else None, whole=True)


def rank_range_items(node, items):
    """An award rank tested as 1 ≤ rank ≤ N under one 'all': say "no award now; rank 1–N needed"
    instead of "现为 0，须 ≥ 1：尚差 1" (issue 12). ``node`` is an 'all' of metric checks (the
    'all' kind asks)."""
    checks = node.get("checks") or []
    if len(checks) != 2 or any(len(c.get("metric") or ()) != 1 for c in checks):
        return items
    key = checks[0]["metric"][0]
    if key not in NONE_IS_ZERO_RANKS or checks[1]["metric"][0] != key:
        return items
    los = [c["value"] for c in checks if c["op"] == ">="]
    his = [c["value"] for c in checks if c["op"] == "<="]
    if not los or not his:
        return items
    lo, hi = int(los[0]), int(his[0])
    for it in items:
        g = it.get("gap")
        if it.get("kind") == "numeric" and g is not None and g.whole and g.amount is None:
            g.zh = g.zh.replace("，须获奖", f"，须获奖并在获奖单位中排名第 {lo}–{hi} 位")
            g.en = g.en.replace("an award is needed", f"an award ranked {lo}-{hi} among the winning units is needed")
    return items


def _raw_gap(key, unit):
    def gap(ctx, year, op, target, mv):
        if key in NONE_IS_ZERO_RANKS:
            return _rank_gap(ctx, key, op, target, mv)
        short = target - mv.value if op in (">=", ">") else mv.value - target
        if op in (">", "<") and key in ctx.fields and ctx.fields[key].type == "integer":
            short += 1  # a strict bound on a whole number: one past it (超过 3 is 4; 低于 3 is 2)
        return Gap(short, unit or "", f"尚差 {fmt(short, unit, up=True)}",
                   f"short by {fmt(short, unit, lang='en', up=True)}",
                   short / target if target else None)

    return gap


# -- the registered metrics ----------------------------------------------------------
def _al_gap(ctx, year, op, target, mv):
    """Three levers on L / A: swap debt for equity (L down, A unchanged), add equity (A up), or
    repay debt from the company's own funds (L and A both down)."""
    L, A = ctx.raw("total_liabilities", year), ctx.raw("total_assets", year)
    cap = target / HUNDRED
    eps = Decimal("0.01") if op == "<" else Decimal(0)
    x = L - cap * A + eps
    swap = Gap(x, "万元",
               f"负债须减少 {fmt(x, '万元', up=True)}（资产总额不变，如以股权资金偿还债务或债转股）",
               f"reduce liabilities by {fmt(x, '万元', lang='en', up=True)} at unchanged total assets "
               "(e.g. repay debt from new equity)",
               x / L if L else None)
    if cap <= 0:
        return swap
    y = L / cap - A + eps
    equity = Gap(y, "万元",
                 f"新增所有者权益（增资入股、留存利润）{fmt(y, '万元', up=True)}，负债不变",
                 f"add {fmt(y, '万元', lang='en', up=True)} of owners' equity (new capital, retained profit), "
                 "liabilities unchanged",
                 y / A if A else None)
    levers = [("debt_to_equity", swap), ("add_equity", equity)]
    if cap < 1:
        z = (L - cap * A) / (ONE - cap) + eps
        levers.append(("repay_from_own_funds", Gap(
            z, "万元", f"以自有资金偿还负债 {fmt(z, '万元', up=True)}（负债与资产同时减少）",
            f"repay {fmt(z, '万元', lang='en', up=True)} of debt from the company's own funds "
            "(liabilities and assets both fall)",
            z / L if L else None)))
    return levers_gap(levers)


_register(Metric(
    "asset_liability_ratio", "资产负债率", "Asset-liability ratio", "%",
    _ratio_metric("total_liabilities", "total_assets", 0,
                  "负债总额 ÷ 资产总额", "total liabilities / total assets", declared="asset_liability_ratio_declared"),
    _al_gap))


_register(Metric(
    "main_business_share", "主营业务收入占营业收入比重", "Main-business share of operating revenue", "%",
    _ratio_metric("main_business_revenue", "operating_revenue", 0,
                  "主营业务收入 ÷ 营业收入", "main-business revenue / operating revenue",
                  declared="main_business_share_declared"),
    _ratio_gap_numerator("main_business_revenue", "operating_revenue", 0, "主营业务收入",
                         "Main-business revenue", also_in_den=True)))

_register(Metric(
    "leading_product_share", "主导产品销售收入占营业收入比重", "Leading-product share of operating revenue", "%",
    _ratio_metric("leading_product_revenue", "operating_revenue", 0,
                  "主导产品销售收入 ÷ 营业收入", "leading-product revenue / operating revenue"),
    _ratio_gap_numerator("leading_product_revenue", "operating_revenue", 0, "主导产品销售收入",
                         "Leading-product revenue", also_in_den=True)))

_register(Metric(
    "leading_product_share_of_main", "主导产品销售收入占主营业务收入比重",
    "Leading-product share of main-business revenue", "%",
    _ratio_metric("leading_product_revenue", "main_business_revenue", 0,
                  "主导产品销售收入 ÷ 主营业务收入", "leading-product revenue / main-business revenue"),
    _ratio_gap_numerator("leading_product_revenue", "main_business_revenue", 0, "主导产品销售收入",
                         "Leading-product revenue", also_in_den=True)))

_register(Metric(
    "rd_intensity", "上年度研发费用占营业收入比重", "R&D intensity (assessment year)", "%",
    _ratio_metric("rd_expense", "operating_revenue", 0,
                  "研发费用 ÷ 营业收入", "R&D expenditure / operating revenue", declared="rd_intensity_declared"),
    _ratio_gap_numerator("rd_expense", "operating_revenue", 0, "研发费用", "R&D expenditure")))

_register(Metric(
    "rd_intensity_2y", "近2年研发费用占营业收入比重", "2-year R&D intensity (of operating revenue)", "%",
    _ratio_metric("rd_expense", "operating_revenue", 1,
                  "近2年研发费用合计 ÷ 近2年营业收入合计", "R&D over 2 years / operating revenue over 2 years"),
    _ratio_gap_numerator("rd_expense", "operating_revenue", 1, "研发费用", "R&D expenditure")))

_register(Metric(
    "rd_intensity_2y_main", "近2年研发费用占主营业务收入比重", "2-year R&D intensity (of main-business revenue)", "%",
    _ratio_metric("rd_expense", "main_business_revenue", 1,
                  "近2年研发费用合计 ÷ 近2年主营业务收入合计",
                  "R&D over 2 years / main-business revenue over 2 years"),
    _ratio_gap_numerator("rd_expense", "main_business_revenue", 1, "研发费用", "R&D expenditure")))

_register(Metric(
    "rd_staff_share", "研发人员占职工总数比重", "R&D staff share of employees", "%",
    _ratio_metric("rd_staff", "employees", 0,
                  "研发人员 ÷ 从业人员", "R&D staff / employees"),
    _ratio_gap_numerator("rd_staff", "employees", 0, "研发人员", "R&D staff", people=True)))

_register(Metric(
    "rd_expense_2y", "近2年研发费用合计", "R&D expenditure over 2 years", "万元",
    _sum_metric("rd_expense", 1, "万元", "近2年研发费用合计", "sum of R&D expenditure over 2 years"),
    None))

_register(Metric(
    "equity_financing_2y", "近2年新增股权融资合计（实缴）", "New equity financing over 2 years (paid in)", "万元",
    _sum_metric("equity_financing", 1, "万元", "近2年新增股权融资合计", "sum of new equity financing over 2 years"),
    None))

# -- national gradient standards (工信部企业〔2022〕63号 附件1/2, 〔2026〕2号) --------------
_register(Metric(
    "equity_financing_3y", "近3年新增股权融资合计（实缴）", "New equity financing over 3 years (paid in)", "万元",
    _sum_metric("equity_financing", 2, "万元", "近3年新增股权融资合计", "sum of new equity financing over 3 years"),
    None))

_sum3_main = _sum_metric("main_business_revenue", 2, "万元", "近3年主营业务收入之和 ÷ 3",
                         "sum of main-business revenue over 3 years / 3")


def _avg3_main(ctx, year):
    mv = _sum3_main(ctx, year)
    if mv.value is not None:
        mv.value = mv.value / 3
    return mv


_reads(_avg3_main, *_sum3_main.reads)


_register(Metric(
    "main_business_revenue_avg_3y", "近3年平均主营业务收入", "Average main-business revenue over 3 years", "万元",
    _avg3_main, None))

_register(Metric(
    "net_profit_margin", "净利润率", "Net profit margin", "%",
    _ratio_metric("net_profit", "operating_revenue", 0,
                  "净利润 ÷ 营业收入", "net profit / operating revenue"),
    _ratio_gap_numerator("net_profit", "operating_revenue", 0, "净利润", "Net profit", base_lever=False)))

_register(Metric(
    "main_business_revenue_growth", "主营业务收入增长率（上年度）", "Main-business revenue growth (one year)", "%",
    _growth_compute("main_business_revenue", 1, "arithmetic"), _growth_gap("main_business_revenue", 1, "arithmetic"),
    "评价年度比上一年度", "assessment year over the year before"))

for _field, _zh, _en in (("main_business_revenue", "主营业务收入", "main-business revenue"),
                         ("operating_revenue", "营业收入", "operating revenue"),
                         ("net_profit", "净利润", "net profit")):
    _register(Metric(
        f"{_field}_cagr_2y", f"近2年{_zh}年均增长率", f"2-year compound growth of {_en}", "%",
        _growth_compute(_field, 2, "compound"), _growth_gap(_field, 2, "compound"),
        "年均增长按复合增长率计", "年均增长 read as compound growth"))
    _register(Metric(
        f"{_field}_avg_growth_2y", f"近2年{_zh}平均增长率", f"2-year average growth of {_en}", "%",
        _growth_compute(_field, 2, "arithmetic"), _growth_gap(_field, 2, "arithmetic"),
        "平均增长率按两年增长率的算术平均计", "平均增长率 read as the mean of the two yearly rates"))


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


def _years_compute(ctx, year):
    """Completed years of operation on the assessment date (--as-of): the clause fixes no cut-off."""
    d = ctx.e.get("founding_date")
    on = ctx.as_of
    fzh = f"成立日期至评价日 {on.isoformat()} 的完整年数"
    fen = f"completed years from the founding date to the assessment date {on.isoformat()}"
    if d is None:
        return MV(None, [("founding_date", None)], [], fzh, fen, "年")
    return MV(Decimal(completed_years(d, on)), (), [("founding_date", None, d)], fzh, fen, "年")


def _years_gap(ctx, year, op, target, mv):
    d = ctx.e.get("founding_date")
    need = int(target) + (1 if op == ">" else 0)
    when = anniversary(d, need)
    short = Decimal(need) - mv.value
    days = (when - ctx.as_of).days
    return Gap(short, "年", f"须至 {when.isoformat()} 方满 {need} 年（评价日 {ctx.as_of.isoformat()}，尚差 {days} 天）",
               f"reaches {need} years only on {when.isoformat()} ({days} days after the assessment date "
               f"{ctx.as_of.isoformat()})", short / target if target else None)


def _years_end_compute(ctx, year):
    """Completed years at the end of the assessment year (a clause fixing 截至上年末)."""
    import datetime as _dtm

    d = ctx.e.get("founding_date")
    fzh = f"成立日期至 {year} 年末的完整年数（截至上年末）"
    fen = f"completed years from the founding date to the end of {year} (fixed cut-off)"
    if d is None:
        return MV(None, [("founding_date", None)], [], fzh, fen, "年")
    return MV(Decimal(completed_years(d, _dtm.date(year, 12, 31))), (), [("founding_date", None, d)], fzh, fen, "年")


def _years_end_gap(ctx, year, op, target, mv):
    d = ctx.e.get("founding_date")
    need = int(target) + (1 if op == ">" else 0)
    when = anniversary(d, need)
    short = Decimal(need) - mv.value
    return Gap(short, "年", f"须至 {when.year} 年末方满 {need} 年，尚差 {short} 年",
               f"reaches {need} years only at the end of {when.year}: {short} more year(s)",
               short / target if target else None)


_register(Metric("years_in_operation", "经营年限", "Years in operation", "年", _years_compute, _years_gap,
                 "截至评价日（--as-of）的完整年数", "completed years on the assessment date (--as-of)",
                 reads=(("founding_date", None),)))
_register(Metric("years_in_operation_year_end", "经营年限（截至上年末）",
                 "Years in operation (to the end of last year)",
                 "年", _years_end_compute, _years_end_gap,
                 "截至评价年度末的完整年数", "completed years at the end of the assessment year",
                 reads=(("founding_date", None),)))


# -- three-year averages (Jiangsu 千企升级 pool and provincial little giant, rulesets/jinhu.yaml) ----
def _mean_ratio_compute(num, den, years_back, fzh, fen):
    """100 * the arithmetic mean of the yearly ratios num / den (not the ratio of the sums)."""

    def compute(ctx, year):
        ys = list(range(year - years_back, year + 1))
        nv, m1 = _need(ctx, num, ys)
        dv, m2 = _need(ctx, den, ys)
        inputs = _inputs(num, ys, nv) + _inputs(den, ys, dv)
        if m1 or m2:
            return MV(None, m1 + m2, inputs, fzh, fen, "%")
        bad = [(den, y) for y, d in zip(ys, dv) if d <= 0]
        if bad:
            return MV(None, (), inputs, fzh, fen, "%", invalid=bad)
        return MV(mean_ratio_percent(list(zip(nv, dv))), (), inputs, fzh, fen, "%")

    offs = tuple(range(-years_back, 1))
    return _reads(compute, (num, offs), (den, offs))


def _mean_ratio_gap(num, den, years_back, word_zh, word_en):
    """Shortfall of the numerator in the assessment year, earlier years and the denominator unchanged."""

    def gap(ctx, year, op, target, mv):
        ys = list(range(year - years_back, year + 1))
        earlier = sum(ctx.raw(num, y) / ctx.raw(den, y) for y in ys[:-1])
        d = ctx.raw(den, ys[-1])
        need = (target / HUNDRED * len(ys) - earlier) * d
        short = need - ctx.raw(num, ys[-1])
        more = "（须超过）" if op == ">" else ""
        return Gap(short, "万元",
                   f"{word_zh}{ys[-1]}年须达到 {fmt(need, '万元', up=True)}，尚差 {fmt(short, '万元', up=True)}{more}"
                   f"（{ys[0]}—{ys[-2]}年不变，按{ys[-1]}年现有{ctx.fields[den].zh}计）",
                   f"{word_en} in {ys[-1]} must reach {fmt(need, '万元', lang='en', up=True)}: "
                   f"short by {fmt(short, '万元', lang='en', up=True)}"
                   + (" (must exceed)" if op == ">" else "")
                   + f" ({ys[0]}-{ys[-2]} unchanged, at the current {ctx.fields[den].en.lower()} of {ys[-1]})",
                   short / need if need else None)

    return gap


_register(Metric(
    "operating_revenue_avg_growth_3y", "近3年营业收入平均增长率", "3-year average growth of operating revenue", "%",
    _growth_compute("operating_revenue", 3, "arithmetic"), _growth_gap("operating_revenue", 3, "arithmetic"),
    "平均增长率按近3年各年增长率的算术平均计（需4个年度的数据）",
    "平均增长率 read as the mean of the last three yearly rates (needs four years of figures)"))

_register(Metric(
    "operating_profit_margin_avg_3y", "近3年平均营业利润率", "3-year average operating profit margin", "%",
    _mean_ratio_compute("operating_profit", "operating_revenue", 2,
                        "近3年各年（营业利润 ÷ 营业收入）的算术平均",
                        "mean of the yearly operating profit / operating revenue over 3 years"),
    _mean_ratio_gap("operating_profit", "operating_revenue", 2, "营业利润", "Operating profit"),
    "各年营业利润率的算术平均", "arithmetic mean of the yearly margins"))

_register(Metric(
    "rd_intensity_avg_3y", "近3年研发费用占营业收入比重均值", "3-year mean R&D intensity (of operating revenue)", "%",
    _mean_ratio_compute("rd_expense", "operating_revenue", 2,
                        "近3年各年（研发费用 ÷ 营业收入）的算术平均",
                        "mean of the yearly R&D expenditure / operating revenue over 3 years"),
    _mean_ratio_gap("rd_expense", "operating_revenue", 2, "研发费用", "R&D expenditure"),
    "各年比重的算术平均", "arithmetic mean of the yearly ratios"))


def _founding_year_compute(ctx, year):
    d = ctx.e.get("founding_date")
    fzh, fen = "成立日期所在年份", "year of the founding date"
    if d is None:
        return MV(None, [("founding_date", None)], [], fzh, fen, None)
    return MV(Decimal(d.year), (), [("founding_date", None, d)], fzh, fen, None)


def _founding_year_gap(ctx, year, op, target, mv):
    short = abs(target - mv.value) + (1 if op in (">", "<") else 0)
    zh = f"成立于 {int(mv.value)} 年，不符合 {OP_WORDS_ZH.get(op, op)} {int(target)} 年的要求（成立日期无法改变）"
    en = f"founded in {int(mv.value)}, the rule requires {op} {int(target)} (the founding date cannot change)"
    return Gap(short, "年", zh, en, None)


OP_WORDS_ZH = {">=": "不早于", ">": "晚于", "<=": "不晚于", "<": "早于", "==": "等于"}

_register(Metric("founding_year", "成立年份", "Year founded", None, _founding_year_compute, _founding_year_gap,
                 "营业执照所载成立日期的年份", "the year of the founding date on the business licence",
                 reads=(("founding_date", None),)))


def metric_or_field(key: str, fields) -> tuple[str, str, str | None]:
    """(zh, en, unit) of a metric or raw field key."""
    m = METRICS.get(key)
    if m:
        return m.zh, m.en, m.unit
    f = fields[key]
    return f.zh, f.en, f.unit


def evaluate_metric(key: str, ctx: Ctx, year: int) -> MV:
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
        mv = MV(None, [(key, yr)], [], unit=f.unit) if v is None else MV(v, (), [(key, yr, v)], unit=f.unit)
    ctx.memo[mk] = mv
    return mv


def _points_gap(m, op, target, mv):
    """The shortfall of a declared ratio, in percentage points (no figures to turn it into money)."""
    up = op in (">=", ">")
    short = target - mv.value if up else mv.value - target
    strict_zh, strict_en = ("（须超过）", " (must exceed)") if op == ">" else (
        ("（须低于）", " (must be below)") if op == "<" else ("", ""))
    word_zh, word_en = ("提高", "raise") if up else ("降低", "lower")
    return Gap(short, "个百分点",
               f"{m.zh}须{word_zh} {fmt(short, up=True)} 个百分点{strict_zh}（按企业填报的比率；"
               f"提供所需的绝对数可算出金额）",
               f"{word_en} the {lc(m.en)} by {fmt(short, up=True)} percentage points{strict_en} (from the "
               f"declared ratio; give the figures to see amounts)",
               short / target if target else None)


def metric_gap(key: str, ctx: Ctx, year: int, op: str, target, mv: MV):
    m = METRICS.get(key)
    if m is not None and mv.declared:
        return _points_gap(m, op, target, mv)
    if m is not None:
        if m.gap is None:
            return _raw_gap(key, m.unit)(ctx, year, op, target, mv)
        return m.gap(ctx, year, op, target, mv)
    return _raw_gap(key, ctx.fields[key].unit)(ctx, year, op, target, mv)



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

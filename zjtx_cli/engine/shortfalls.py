"""Shortfalls: the smallest change that meets a threshold, in the unit a person acts on
(万元 of revenue, R&D spending, liabilities; people; years), as a :class:`Gap`. A factory here
builds a metric's ``gap(ctx, year, op, target, value)``; ``engine/metrics.py`` registers them."""

from __future__ import annotations

from decimal import Decimal

from zjtx_cli.engine.formulas import anniversary
from zjtx_cli.engine.numbers import HUNDRED, ONE, ceil_int, format_number, lower_first, num_json


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


def near_or_far(short, target) -> str:
    """Effort of a numeric shortfall: 'near' within 10% of the target, else 'far' (one rule for
    metrics and platform scores alike)."""
    if short is None or not target:
        return "far"
    return "near" if abs(Decimal(short) / Decimal(target)) <= Decimal("0.1") else "far"


# ranks where 0 means "none" (no award in the last three years), not a rank
NONE_IS_ZERO_RANKS = frozenset(("sci_award_national_rank", "sci_award_provincial_rank"))


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


def raw_gap(key, unit):
    def gap(ctx, year, op, target, mv):
        if key in NONE_IS_ZERO_RANKS:
            return _rank_gap(ctx, key, op, target, mv)
        short = target - mv.value if op in (">=", ">") else mv.value - target
        if op in (">", "<") and key in ctx.fields and ctx.fields[key].type == "integer":
            short += 1  # a strict bound on a whole number: one past it (超过 3 is 4; 低于 3 is 2)
        return Gap(short, unit or "", f"尚差 {format_number(short, unit, up=True)}",
                   f"short by {format_number(short, unit, lang='en', up=True)}",
                   short / target if target else None)

    return gap


def points_gap(m, op, target, mv):
    """The shortfall of a declared ratio, in percentage points (no figures to turn it into money)."""
    up = op in (">=", ">")
    short = target - mv.value if up else mv.value - target
    strict_zh, strict_en = ("（须超过）", " (must exceed)") if op == ">" else (
        ("（须低于）", " (must be below)") if op == "<" else ("", ""))
    word_zh, word_en = ("提高", "raise") if up else ("降低", "lower")
    return Gap(short, "个百分点",
               f"{m.zh}须{word_zh} {format_number(short, up=True)} 个百分点{strict_zh}（按企业填报的比率；"
               f"提供所需的绝对数可算出金额）",
               f"{word_en} the {lower_first(m.en)} by {format_number(short, up=True)} percentage points"
               f"{strict_en} (from the "
               f"declared ratio; give the figures to see amounts)",
               short / target if target else None)


def growth_gap(field, years, method):
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
                   f"{name_zh}{ys[-1]}年须达到 {format_number(need, '万元', up=True)}，尚差 "
                   f"{format_number(short, '万元', up=True)}"
                   + ("（须超过）" if op == ">" else ""),
                   f"{name_en} in {ys[-1]} must reach {format_number(need, '万元', lang='en', up=True)}: "
                   f"short by {format_number(short, '万元', lang='en', up=True)}"
                   + (" (must exceed)" if op == ">" else ""),
                   short / need if need else None)

    return gap


def ratio_gap_numerator(num, den, years_back, unit_word_zh, unit_word_en, also_in_den=False, people=False,
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
        zh = f"{unit_word_zh}须增加 {format_number(amount, unit, up=True)}（{span_zh}，{base_zh}）"
        en = f"{unit_word_en} must rise by {format_number(amount, unit, lang='en', up=True)} ({span_en}, {base_en})"
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
                f"{lower_first(ctx.fields[den].en)} other than {lower_first(unit_word_en)}"
            czh = f"{other_zh}须减少 {format_number(cut, '万元', up=True)}（{span_zh}，{unit_word_zh}不变）"
            cen = (f"cut {other_en} by {format_number(cut, '万元', lang='en', up=True)} ({span_en}, "
                   f"{lower_first(unit_word_en)} unchanged)")
            rel = cut / (d - n) if d > n else None
        else:
            czh = (f"{ctx.fields[den].zh}不高于 {format_number(n / p, '万元')}，即减少 "
                   f"{format_number(cut, '万元', up=True)}"
                   f"（{span_zh}，{unit_word_zh}不变；仅在收入确会下降时适用）")
            cen = (f"{lower_first(ctx.fields[den].en)} no higher than {format_number(n / p, '万元', lang='en')}, i.e. "
                   f"{format_number(cut, '万元', lang='en', up=True)} less ({span_en}, "
                   f"{lower_first(unit_word_en)} unchanged; "
                   f"only where revenue really falls)")
            rel = cut / d if d else None
        return levers_gap([("raise_" + num, main), ("reduce_" + ("other" if also_in_den else den),
                                                    Gap(cut, "万元", czh, cen, rel))])

    return gap


def asset_liability_gap(ctx, year, op, target, mv):
    """Three levers on L / A: swap debt for equity (L down, A unchanged), add equity (A up), or
    repay debt from the company's own funds (L and A both down)."""
    L, A = ctx.raw("total_liabilities", year), ctx.raw("total_assets", year)
    cap = target / HUNDRED
    eps = Decimal("0.01") if op == "<" else Decimal(0)
    x = L - cap * A + eps
    swap = Gap(x, "万元",
               f"负债须减少 {format_number(x, '万元', up=True)}（资产总额不变，如以股权资金偿还债务或债转股）",
               f"reduce liabilities by {format_number(x, '万元', lang='en', up=True)} at unchanged total assets "
               "(e.g. repay debt from new equity)",
               x / L if L else None)
    if cap <= 0:
        return swap
    y = L / cap - A + eps
    equity = Gap(y, "万元",
                 f"新增所有者权益（增资入股、留存利润）{format_number(y, '万元', up=True)}，负债不变",
                 f"add "
                 f"{format_number(y, '万元', lang='en', up=True)} of owners' equity (new capital, retained profit), "
                 "liabilities unchanged",
                 y / A if A else None)
    levers = [("debt_to_equity", swap), ("add_equity", equity)]
    if cap < 1:
        z = (L - cap * A) / (ONE - cap) + eps
        levers.append(("repay_from_own_funds", Gap(
            z, "万元", f"以自有资金偿还负债 {format_number(z, '万元', up=True)}（负债与资产同时减少）",
            f"repay {format_number(z, '万元', lang='en', up=True)} of debt from the company's own funds "
            "(liabilities and assets both fall)",
            z / L if L else None)))
    return levers_gap(levers)


def years_gap(ctx, year, op, target, mv):
    d = ctx.e.get("founding_date")
    need = int(target) + (1 if op == ">" else 0)
    when = anniversary(d, need)
    short = Decimal(need) - mv.value
    days = (when - ctx.as_of).days
    return Gap(short, "年", f"须至 {when.isoformat()} 方满 {need} 年（评价日 {ctx.as_of.isoformat()}，尚差 {days} 天）",
               f"reaches {need} years only on {when.isoformat()} ({days} days after the assessment date "
               f"{ctx.as_of.isoformat()})", short / target if target else None)


def years_end_gap(ctx, year, op, target, mv):
    d = ctx.e.get("founding_date")
    need = int(target) + (1 if op == ">" else 0)
    when = anniversary(d, need)
    short = Decimal(need) - mv.value
    return Gap(short, "年", f"须至 {when.year} 年末方满 {need} 年，尚差 {short} 年",
               f"reaches {need} years only at the end of {when.year}: {short} more year(s)",
               short / target if target else None)


def mean_ratio_gap(num, den, years_back, word_zh, word_en):
    """Shortfall of the numerator in the assessment year, earlier years and the denominator unchanged."""

    def gap(ctx, year, op, target, mv):
        ys = list(range(year - years_back, year + 1))
        earlier = sum(ctx.raw(num, y) / ctx.raw(den, y) for y in ys[:-1])
        d = ctx.raw(den, ys[-1])
        need = (target / HUNDRED * len(ys) - earlier) * d
        short = need - ctx.raw(num, ys[-1])
        more = "（须超过）" if op == ">" else ""
        return Gap(short, "万元",
                   f"{word_zh}{ys[-1]}年须达到 {format_number(need, '万元', up=True)}，尚差 "
                   f"{format_number(short, '万元', up=True)}{more}"
                   f"（{ys[0]}—{ys[-2]}年不变，按{ys[-1]}年现有{ctx.fields[den].zh}计）",
                   f"{word_en} in {ys[-1]} must reach {format_number(need, '万元', lang='en', up=True)}: "
                   f"short by {format_number(short, '万元', lang='en', up=True)}"
                   + (" (must exceed)" if op == ">" else "")
                   + f" ({ys[0]}-{ys[-2]} unchanged, at the current {ctx.fields[den].en.lower()} of {ys[-1]})",
                   short / need if need else None)

    return gap


def founding_year_gap(ctx, year, op, target, mv):
    short = abs(target - mv.value) + (1 if op in (">", "<") else 0)
    zh = f"成立于 {int(mv.value)} 年，不符合 {OP_WORDS_ZH.get(op, op)} {int(target)} 年的要求（成立日期无法改变）"
    en = f"founded in {int(mv.value)}, the rule requires {op} {int(target)} (the founding date cannot change)"
    return Gap(short, "年", zh, en, None)


OP_WORDS_ZH = {">=": "不早于", ">": "晚于", "<=": "不晚于", "<": "早于", "==": "等于"}

"""A points table's texts (zh / en): the rule, what it requires, the company's points, the gains."""

from __future__ import annotations

from decimal import Decimal

from zjtx_cli.engine.kinds.score.spec import band_text
from zjtx_cli.engine.metrics import metric_or_field
from zjtx_cli.engine.numbers import format_number
from zjtx_cli.engine.status import OP_SIGN, UNMET
from zjtx_cli.engine.texts import field_name


def _fmt(v, unit=None, lang=None):
    if lang is not None and unit:
        try:  # English units where numbers.format_number knows them (items, years, people); money stays 万元
            return format_number(v, unit, lang=lang)
        except TypeError:
            pass
    return format_number(v, unit)


def _fmt_apart(v, edge, unit=None, lang=None):
    """``v`` with enough decimals not to print as ``edge`` when it differs from it (2.99996% is not 3%)."""
    s = _fmt(v, unit, lang)
    if v is None or edge is None or Decimal(v) == Decimal(edge):
        return s
    places = 2
    while s == _fmt(edge, unit, lang) and places < 8:
        places += 1
        # round away from the edge: a value below it never prints as reaching it
        d = Decimal(v).quantize(Decimal(1).scaleb(-places), rounding="ROUND_FLOOR" if v < edge else "ROUND_CEILING")
        s = _fmt_places(d, unit, lang, places)
    return s


def _fmt_places(d, unit, lang, places):
    try:
        return format_number(d, unit, places=places, lang=lang)
    except TypeError:
        return format_number(d, unit, places=places)




def _op(op):
    return OP_SIGN[op]


def _field_name(key, fields, lang):
    return field_name(key, fields, lang)



def _pass_text(pass_mark, cats, lang):
    mins = [(c["name"][lang], c["min"]) for c in cats if c.get("min") is not None]
    if lang == "zh":
        s = f"评价得分 ≥ {_fmt(Decimal(pass_mark))}分"
        if mins:
            s += "（" + "、".join(f"{n} ≥ {_fmt(Decimal(m))}" for n, m in mins) + "）"
    else:
        s = f"score ≥ {_fmt(Decimal(pass_mark))}"
        if mins:
            s += " (" + ", ".join(f"{n} ≥ {_fmt(Decimal(m))}" for n, m in mins) + ")"
    return s




def describe_required(node, fields, lang) -> str:
    from zjtx_cli.engine.kinds.common import describe_required as dr

    zh = lang == "zh"
    s = _pass_text(node["pass"], node["categories"], lang)
    if node["direct"]:
        alts = ("；" if zh else "; ").join(dr(d, fields, lang) for d in node["direct"])
        s += f"，或满足以下之一：{alts}" if zh else f"; or any of: {alts}"
    return s



def _ind_actual(ind, fields, lang):
    zh = lang == "zh"
    src = ind["source"]
    if ind["points"] is None:
        miss = ", ".join(_missing_text(m, fields, lang) for m in ind["missing"])
        rng = f"{_fmt(ind['lo'])}–{_fmt(ind['hi'])}"
        return (f"缺 {miss}（{rng}分）" if zh else f"missing {miss} ({rng} pts)")
    if src == "metric":
        return _fmt(ind["actual"], ind.get("unit"), lang)
    if src == "choice":
        return fields[ind["field"]].choice_label(ind["actual"], lang)
    if src == "items":
        n = sum(1 for v in ind["items"].values() if v)
        return f"{n}项" if zh else f"{n} item(s)"
    if src == "declared":
        return _fmt(Decimal(ind["actual"])) + ("（自报）" if zh else " (declared)")
    if src == "first":
        if ind.get("option") is None:
            return "均不满足" if zh else "none applies"
        from zjtx_cli.engine.kinds.common import describe_required as dr

        return dr(ind["checks"][ind["option"]], fields, lang)
    return ""


def _missing_text(m, fields, lang):
    key, year = m[0], m[1]
    try:
        name = _field_name(key, fields, lang)
    except KeyError:
        name = key
    return name if year is None else (f"{name}（{year}）" if lang == "zh" else f"{name} ({year})")




def describe_actual(node, fields, lang) -> str:
    from zjtx_cli.engine.kinds.common import describe_actual as da

    zh = lang == "zh"
    if node["total"] is not None:
        head = (f"得分 {_fmt(node['total'])}/{_fmt(node['max'])}" if zh
                else f"score {_fmt(node['total'])}/{_fmt(node['max'])}")
    else:
        lo, hi, top = _fmt(node["total_lo"]), _fmt(node["total_hi"]), _fmt(node["max"])
        head = f"得分 {lo}–{hi}/{top}（部分指标缺数据）" if zh else f"score {lo}-{hi}/{top} (some inputs missing)"
    cats = []
    for cat in node["categories"]:
        val = _fmt(cat["points"]) if cat["points"] is not None else f"{_fmt(cat['lo'])}–{_fmt(cat['hi'])}"
        cats.append(f"{cat['name'][lang]} {val}")
    head += ("（" + "，".join(cats) + "）") if zh else (" (" + ", ".join(cats) + ")")
    lines = [head]
    for cat in node["categories"]:
        for ind in cat["indicators"]:
            p = _fmt(ind["points"]) if ind["points"] is not None else "?"
            lines.append(f"· {ind['name'][lang]}：{_ind_actual(ind, fields, lang)} → {p}/{_fmt(ind['max'])}" if zh else
                         f"· {ind['name'][lang]}: {_ind_actual(ind, fields, lang)} → {p}/{_fmt(ind['max'])}")
    met = node["direct_met"]
    if met:
        names = ("；" if zh else "; ").join(da(node["direct"][i], fields, lang) for i in met)
        from zjtx_cli.engine.kinds.common import describe_required as dr

        req = ("；" if zh else "; ").join(dr(node["direct"][i], fields, lang) for i in met)
        lines.append(f"直通条件满足：{req}（{names}）" if zh else f"direct path met: {req} ({names})")
    return "\n".join(lines)




def _gain_text(item, fields, lang):
    """One point gain: what changes, and the indicator's points before and after."""
    zh = lang == "zh"
    ind = item["indicator"]
    moves = (f"该项由 {_fmt(ind['points'])}分 升至 {_fmt(item['to'])}分（+{_fmt(item['gain'])}）" if zh else
             f"moves this indicator from {_fmt(ind['points'])} to {_fmt(item['to'])} points (+{_fmt(item['gain'])})")
    decl = "（须声明并提供证明材料）" if zh else " (declaration with evidence needed)"
    if "declare" in item:
        key, code = item["declare"]
        label = fields[key].choice_label(code, lang)
        return (f"{ind['name'][lang]}：声明为“{label}”，{moves}{decl}" if zh else
                f"{ind['name'][lang]}: declaring '{label}' {moves}{decl}")
    if "declare_any" in item:
        names = ("、" if zh else ", ").join(_field_name(k, fields, lang) for k in item["declare_any"])
        return (f"{ind['name'][lang]}：再满足一项（{names}），{moves}{decl}" if zh else
                f"{ind['name'][lang]}: one more item ({names}) {moves}{decl}")
    if "via" in item:
        from zjtx_cli.engine.kinds.common import describe_required as dr

        head = (f"{ind['name'][lang]}：{dr(item['via'], fields, lang)}，{moves}" if zh else
                f"{ind['name'][lang]}: {dr(item['via'], fields, lang)} {moves}")
        g = item["gap"]
        if g is None:
            return head + decl
        return f"{head}：{g.zh}" if zh else f"{head}: {g.en}"
    unit = ind.get("unit")
    g = item["gap"]
    actual = _fmt_apart(ind["actual"], item["target"], unit, lang)
    head = (f"{ind['name'][lang]} {actual} → {_op(item['op'])} {_fmt(item['target'], unit, lang)}，{moves}" if zh else
            f"{ind['name'][lang]} {actual} → {_op(item['op'])} {_fmt(item['target'], unit, lang)} {moves}")
    txt = (g.zh if zh else g.en) if g is not None else ""
    if not txt:
        return head
    return f"{head}：{txt}" if zh else f"{head}: {txt}"


def _direct_text(d, fields, lang):
    from zjtx_cli.engine.kinds.common import describe_gap_item as dg
    from zjtx_cli.engine.kinds.common import describe_required as dr

    zh = lang == "zh"
    opts = []
    for o, sub in zip(d["options"], d["option_items"], strict=True):
        if o["status"] == UNMET or not sub:
            opts.append(dr(o, fields, lang))
        else:
            opts.append(("；" if zh else "; ").join(dg(x, fields, lang) for x in sub))
    joined = " | ".join(opts)
    return f"或满足任一直通条件：{joined}" if zh else f"or meet any direct path: {joined}"




def describe_gap_item(item, fields, lang) -> str:
    zh = lang == "zh"
    k = item["kind"]
    node = item["node"]
    if k == "score":
        parts = []
        if item["deficit"] > 0:
            parts.append(f"总分尚差 {_fmt(item['deficit'])}分（现 {_fmt(node['total_lo'])}，须 ≥ {_fmt(node['pass'])}）"
                         if zh else f"total short by {_fmt(item['deficit'])} pts "
                                    f"(now {_fmt(node['total_lo'])}, needs ≥ {_fmt(node['pass'])})")
        names = {c["id"]: c["name"][lang] for c in node["categories"]}
        for cid, short in item["categories_short"]:
            parts.append(f"{names[cid]}尚差 {_fmt(short)}分" if zh else f"{names[cid]} short by {_fmt(short)} pts")
        head = ("；" if zh else "; ").join(parts) or _pass_text(node["pass"], node["categories"], lang)
        lines = [head]
        if item.get("gains"):
            lines.append("最省力的加分：" if zh else "cheapest point gains:")
            lines.extend("  · " + _gain_text(g, fields, lang) for g in item["gains"])
        if item.get("direct"):
            lines.append(_direct_text(item["direct"], fields, lang))
        return "\n      ".join(lines)
    if k == "score_gain":
        return _gain_text(item, fields, lang)
    if k == "score_direct":
        return _direct_text(item, fields, lang)
    return ""




def describe_rule(c, fields, lang) -> str:
    """The points table as text: pass mark, categories, each indicator's scale, direct paths."""
    from zjtx_cli.engine.kinds.common import describe_rule as drule

    zh = lang == "zh"
    cats = [{"name": cat.name, "min": cat.min} for cat in c.categories]
    lines = [_pass_text(c.pass_text, cats, lang) + (f"（满分{_fmt(c.max)}）" if zh else f" (out of {_fmt(c.max)})")]
    for cat in c.categories:
        lines.append(f"{cat.name[lang]}（{_fmt(Decimal(cat.max))}）" if zh else
                     f"{cat.name[lang]} ({_fmt(Decimal(cat.max))})")
        for ind in cat.indicators:
            name = ind.data["name"][lang]
            lines.append(f"  · {name}：{_rule_ind(ind, fields, lang)}" if zh else
                         f"  · {name}: {_rule_ind(ind, fields, lang)}")
    if c.direct:
        lines.append(("或满足以下之一：" if zh else "or any of: ") +
                     ("；" if zh else "; ").join(drule(d, fields, lang) for d in c.direct))
    return "\n".join(lines)



def _rule_ind(indicator, fields, lang):
    zh = lang == "zh"
    sep = "；" if zh else "; "
    ind = indicator.data
    src = ind["source"]
    if src == "metric":
        unit = metric_or_field(ind["metric"], fields)[2]
        return sep.join(f"{band_text(b, lang, unit)} → {_fmt(Decimal(b['points']))}" for b in ind["bands"])
    if src == "choice":
        f = fields[ind["choice"]]
        return sep.join(f"{f.choice_label(k, lang)} → {_fmt(Decimal(v))}" for k, v in ind["points"].items())
    if src == "first":
        from zjtx_cli.engine.kinds.common import describe_rule as drule

        parts = [f"{drule(o.check, fields, lang)} → {_fmt(Decimal(o.points))}" for o in indicator.options]
        parts.append(("否则" if zh else "otherwise") + f" → {_fmt(Decimal(ind['otherwise']))}")
        return sep.join(parts)
    if src == "items":
        names = ("、" if zh else ", ").join(_field_name(k, fields, lang) for k in ind["items"])
        return (f"每项{_fmt(Decimal(ind['per_item']))}分，最高{_fmt(Decimal(ind['max']))}分：{names}" if zh else
                f"{_fmt(Decimal(ind['per_item']))} per item, at most {_fmt(Decimal(ind['max']))}: {names}")
    if src == "declared":
        return (f"自报得分（{_field_name(ind['field'], fields, lang)}，0–{_fmt(Decimal(ind['max']))}）" if zh else
                f"declared score ({_field_name(ind['field'], fields, lang)}, 0-{_fmt(Decimal(ind['max']))})")

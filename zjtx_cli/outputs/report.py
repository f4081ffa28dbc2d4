"""Explain an assessment: texts for people (zh / en) and the JSON document.

Nothing here prints; the CLI decides where text goes. Rich is imported only
by :func:`render_rich`, i.e. only when a person will read a table.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal

from zjtx_cli.engine.evaluate import FORMAT_VERSION, MET, OP_ZH, UNKNOWN, is_declared
from zjtx_cli.engine.metrics import METRICS, fmt, num_json

T = {
    "met": {"zh": "满足", "en": "met"},
    "unmet": {"zh": "不满足", "en": "unmet"},
    "unknown": {"zh": "缺数据", "en": "unknown"},
    "pending": {"zh": "待系统评价", "en": "pending"},
    "not_examined": {"zh": "不考察", "en": "not examined"},
    "priority_met": {"zh": "优先·满足", "en": "priority met"},
    "priority_unmet": {"zh": "优先·不满足", "en": "priority unmet"},
    "priority_unknown": {"zh": "优先·缺数据", "en": "priority unknown"},
    "priority_pending": {"zh": "优先·待系统评价", "en": "priority pending"},
    "excl_pending": {"zh": "排除·待系统评价", "en": "exclusion pending"},
    "excl_met": {"zh": "排除·触发", "en": "exclusion applies"},
    "excl_unmet": {"zh": "排除·未触发", "en": "exclusion clear"},
    "excl_unknown": {"zh": "排除·缺数据", "en": "exclusion unknown"},
    "eligible": {"zh": "符合条件", "en": "eligible"},
    "not_eligible": {"zh": "不符合条件", "en": "not eligible"},
    "undetermined": {"zh": "无法判定（缺数据）", "en": "undetermined (data missing)"},
    "excluded": {"zh": "排除（触发限制条件）", "en": "excluded"},
    "reached": {"zh": "达到", "en": "reached"},
    "not_reached": {"zh": "未达到", "en": "not reached"},
    "yes": {"zh": "是", "en": "yes"},
    "no": {"zh": "否", "en": "no"},
    "missing": {"zh": "未填", "en": "not given"},
    "declared": {"zh": "（自报）", "en": " (self-declared)"},
    "or": {"zh": " 或 ", "en": " or "},
    "and": {"zh": "；且 ", "en": "; and "},
}
LEVEL = {
    "innovation": {"zh": "创新型中小企业", "en": "innovative SME"},
    "county": {"zh": "县级", "en": "county"},
    "municipal": {"zh": "市级", "en": "municipal"},
    "provincial": {"zh": "省级", "en": "provincial"},
    "zjtx_sme": {"zh": "专精特新中小企业", "en": "专精特新 SME"},
    "national": {"zh": "国家级", "en": "national"},
    "champion": {"zh": "单项冠军", "en": "single champion"},
    "industry": {"zh": "行业", "en": "industry"},
}


def t(key, lang):
    return T[key][lang]


def status_key(kind, status, not_examined=False):
    if not_examined:
        return "not_examined"
    if kind == "priority":
        return f"priority_{status}"
    if kind == "exclusion":
        return f"excl_{status}"
    return status


# ------------------------------------------------------------------------ describing
def _name(key, fields, lang):
    m = METRICS.get(key)
    if m is not None:
        return m.zh if lang == "zh" else m.en
    f = fields[key]
    return f.zh if lang == "zh" else f.en


def _year_suffix(node, lang):
    y = node.get("year")
    if y is None:
        return ""
    return f"（{y}）" if lang == "zh" else f" ({y})"


def _metric_name(node, fields, lang):
    keys = node["metric"]
    sep = "、" if lang == "zh" else " + "
    name = sep.join(_name(k, fields, lang) for k in keys)
    if len(keys) > 1:
        name = (name + "合计") if lang == "zh" else f"({name})"
    return name + _year_suffix(node, lang)


def describe_required(node, fields, lang) -> str:
    tp = node["type"]
    if node.get("label"):
        return node["label"][lang]
    if tp == "metric":
        return f"{_metric_name(node, fields, lang)} {OP_ZH[node['op']]} {fmt(node['value'], node['unit'], lang=lang)}"
    if tp == "flag":
        want = t("yes" if node["equals"] else "no", lang)
        return f"{_name(node['field'], fields, lang)}：{want}" if lang == "zh" else \
            f"{_name(node['field'], fields, lang)}: {want}"
    if tp == "choice":
        f = fields[node["field"]]
        opts = "、".join(f.choice_label(v, lang) for v in node["values"]) if lang == "zh" else \
            ", ".join(f.choice_label(v, lang) for v in node["values"])
        return f"{f.label(lang)} ∈ {{{opts}}}"
    if tp in ("all", "any"):
        joiner = t("and" if tp == "all" else "or", lang)
        return joiner.join(describe_required(s, fields, lang) for s in node["checks"])
    if tp == "cases":
        if node.get("then") is not None:
            pre = ""
            if node.get("when") is not None:
                pre = f"[{describe_actual(node['when'], fields, lang)}] "
            return pre + describe_required(node["then"], fields, lang)
        if node.get("no_case"):
            whens = node.get("whens") or []
            if whens:
                only = "；".join(describe_rule(w, fields, lang) for w in whens) if lang == "zh" else \
                    "; ".join(describe_rule(w, fields, lang) for w in whens)
                return (f"本条门槛只对以下情形设定：{only}；本企业不属于其中任何一种" if lang == "zh"
                        else f"this condition sets thresholds only for: {only}; the company is in none of them")
            return "本条门槛不适用于本企业的情形" if lang == "zh" else "no threshold of this condition fits the company"
        return describe_required(node["when"], fields, lang) if node.get("when") else ""
    if tp == "date_within":
        return (f"{_name(node['field'], fields, lang)}起{node['years']}年内" if lang == "zh"
                else f"within {node['years']} years of {_name(node['field'], fields, lang).lower()}")
    if tp == "tier":
        name = node.get("tier_name", {}).get(lang) or node["tier"]
        return f"已达到“{name}”" if lang == "zh" else f"holds the tier '{name}'"
    if tp == "sme":
        return "中小企业（大型企业除外）" if lang == "zh" else "small or medium (not large)"
    if tp in ("score", "declared_value", "review"):
        from zjtx_cli.engine import scoring as scoring

        return scoring.describe_required(node, fields, lang)
    return ""


def _val(v, unit, lang):
    if v is None:
        return t("missing", lang)
    if isinstance(v, bool):
        return t("yes" if v else "no", lang)
    if isinstance(v, _dt.date):
        return v.isoformat()
    if isinstance(v, (Decimal, int)):
        return fmt(v, unit, lang=lang)
    return str(v)


def describe_actual(node, fields, lang) -> str:
    tp = node["type"]
    if tp == "metric":
        if node.get("invalid"):
            figs = "、".join(_missing_name(m, fields, lang) for m in node["invalid"])
            return (f"无法计算（{figs} 为零或负数）" if lang == "zh" else f"cannot be computed ({figs} zero or negative)")
        if node["actual"] is None and node["status"] == UNKNOWN:
            miss = ", ".join(_missing_name(m, fields, lang) for m in node["missing"])
            return ("缺：" if lang == "zh" else "missing: ") + miss
        s = fmt(node["actual"], node["unit"], lang=lang)
        keys = node["metric"]
        if len(keys) == 1 and keys[0] in METRICS and node["inputs"]:
            if lang == "zh":
                ins = "，".join(f"{_name(k, fields, lang)}{'' if y is None else y} {_val(v, fields[k].unit, lang)}"
                               for k, y, v in node["inputs"])
            else:
                ins = ", ".join(f"{_name(k, fields, lang)}{'' if y is None else ' ' + str(y)} "
                                f"{_val(v, fields[k].unit, lang)}" for k, y, v in node["inputs"])
            formula = node.get("formula_zh" if lang == "zh" else "formula_en")
            if formula:
                ins = f"{formula}；{ins}" if lang == "zh" else f"{formula}; {ins}"
            s += f"（{ins}）" if lang == "zh" else f" ({ins})"
        elif len(keys) > 1:
            s += ("（" if lang == "zh" else " (") + ("，" if lang == "zh" else ", ").join(
                f"{_name(k, fields, lang)} {fmt(v)}" for k, _y, v in node["inputs"]) + ("）" if lang == "zh" else ")")
        return s
    if tp == "flag" and node.get("fallback") is not None:
        fb = describe_actual(node["fallback"], fields, lang)
        return (f"未声明；按：{fb}" if lang == "zh" else f"not declared; by: {fb}")
    if tp in ("flag", "choice", "date_within"):
        v = node["actual"]
        if tp == "choice" and v is not None:
            s = fields[node["field"]].choice_label(v, lang)
        else:
            s = _val(v, None, lang)
        return s + (t("declared", lang) if v is not None else "")
    if tp in ("all", "any"):
        sep = "；" if lang == "zh" else "; "
        parts = [describe_actual(s, fields, lang) for s in node["checks"]]
        return sep.join(dict.fromkeys(parts))  # the same figure read by two checks is shown once
    if tp == "cases":
        if node.get("then") is not None:
            return describe_actual(node["then"], fields, lang)
        if node.get("when") is not None:
            return describe_actual(node["when"], fields, lang)
        return ""
    if tp == "tier":
        return t(node["actual"], lang) if node["actual"] in T else t("missing", lang)
    if tp == "sme":
        if node["actual"] is None:
            miss = ", ".join(_missing_name(m, fields, lang) for m in node["missing"])
            return ("缺：" if lang == "zh" else "missing: ") + miss
        if isinstance(node["actual"], bool):
            return t("yes" if node["actual"] else "no", lang) + t("declared", lang)
        return node.get("explain_zh" if lang == "zh" else "explain_en") or str(node["actual"])
    if tp in ("score", "declared_value", "review"):
        from zjtx_cli.engine import scoring as scoring

        return scoring.describe_actual(node, fields, lang)
    return ""


def _missing_name(m, fields, lang):
    key, year = m[0], m[1]
    name = _name(key, fields, lang) if key in fields or key in METRICS else key
    if year is None:
        return name
    return f"{name}（{year}）" if lang == "zh" else f"{name} ({year})"


# ------------------------------------------------------------------------------- gaps
def describe_gap_item(item, fields, lang) -> str:
    kind = item["kind"]
    node = item.get("node")
    if kind == "data":
        names = "、".join(_missing_name(m, fields, lang) for m in item["missing"]) if lang == "zh" else \
            ", ".join(_missing_name(m, fields, lang) for m in item["missing"])
        return f"补充数据：{names}" if lang == "zh" else f"provide: {names}"
    if kind == "invalid":
        figs = "、".join(_missing_name(m, fields, lang) for m in node["invalid"]) if lang == "zh" else \
            ", ".join(_missing_name(m, fields, lang) for m in node["invalid"])
        return (f"{_metric_name(node, fields, lang)} 无法计算：{figs} 为零或负数（基数须为正）"
                if lang == "zh" else
                f"{_metric_name(node, fields, lang)} cannot be computed: {figs} is zero or negative")
    if kind == "numeric":
        g = item.get("gap")
        head = (f"{_metric_name(node, fields, lang)} 现为 {fmt(node['actual'], node['unit'], lang=lang)}，"
                f"须 {OP_ZH[node['op']]} {fmt(node['value'], node['unit'], lang=lang)}") if lang == "zh" else \
            (f"{_metric_name(node, fields, lang)} is {fmt(node['actual'], node['unit'], lang=lang)}, "
             f"needs {OP_ZH[node['op']]} {fmt(node['value'], node['unit'], lang=lang)}")
        if g is None:
            return head
        return f"{head}：{g.zh}" if lang == "zh" else f"{head}: {g.en}"
    if kind == "declaration":
        if node["type"] == "sme":
            return ("须为中小企业：" if lang == "zh" else "must be an SME: ") + describe_actual(node, fields, lang)
        req = describe_required(node, fields, lang)
        actual = node.get("actual")
        if node["type"] == "flag" and actual is not None and actual != node["equals"]:
            # the company declared the opposite: it has to change, not just tick a box
            name = _name(node["field"], fields, lang)
            if node["equals"]:
                return (f"企业自报为“否”：须做到“{name}”并提供证明材料" if lang == "zh"
                        else f"declared 'no': the company must achieve '{name}' and show evidence")
            return (f"企业自报为“是”：须不存在“{name}”的情形" if lang == "zh"
                    else f"declared 'yes': the company must be clear of '{name}'")
        if node["type"] == "choice" and actual is not None:
            return (f"现为“{describe_actual(node, fields, lang).replace('（自报）', '')}”，须为：{req}" if lang == "zh"
                    else f"declared '{describe_actual(node, fields, lang).replace(' (self-declared)', '')}'; needs: {req}")
        return (f"须声明并提供证明材料：{req}" if lang == "zh"
                else f"declaration with supporting evidence needed: {req}")
    if kind == "alternatives":
        parts = []
        for i, opt in enumerate(item["options"], 1):
            txt = ("；" if lang == "zh" else "; ").join(describe_gap_item(x, fields, lang) for x in opt)
            parts.append(f"({i}) {txt}")
        return ("以下任一即可：" if lang == "zh" else "any one of: ") + " ".join(parts)
    if kind == "tier":
        return describe_required(node, fields, lang)
    if kind.startswith("score") or kind == "pending":
        from zjtx_cli.engine import scoring as scoring

        return scoring.describe_gap_item(item, fields, lang)
    if kind == "blocker":
        if node is not None and node["type"] == "cases" and node.get("no_case"):
            return describe_required(node, fields, lang)
        return ("限制条件：" if lang == "zh" else "restriction: ") + describe_required(node, fields, lang)
    return ""


EFFORT = {
    "data": {"zh": "补数据", "en": "data"},
    "declaration": {"zh": "需声明", "en": "declaration"},
    "near": {"zh": "差距小", "en": "close"},
    "far": {"zh": "差距大", "en": "far"},
    "blocker": {"zh": "硬性障碍", "en": "blocker"},
}


# ------------------------------------------------------------------------------- JSON
def _jsonable(v):
    if isinstance(v, Decimal):
        return num_json(v)
    if isinstance(v, (_dt.date, _dt.datetime)):
        return v.isoformat()
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items() if k not in ("cond",)}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if hasattr(v, "to_json"):
        return v.to_json()
    return v


def _node_json(node):
    out = {}
    for k, v in node.items():
        if (k in ("formula_zh", "formula_en") and not v) or k == "whens":
            continue
        if k in ("checks",):
            out[k] = [_node_json(s) for s in v]
        elif k in ("when", "then", "fallback"):
            out[k] = _node_json(v) if v else None
        else:
            out[k] = _jsonable(v)
    return out


def gap_json(g, fields, lang):
    def item_json(it):
        d = {"kind": it["kind"], "effort": it["effort"], "text": describe_gap_item(it, fields, lang)}
        if it["kind"] == "numeric":
            n = it["node"]
            d.update(metric=n["metric"], year=n["year"], actual=num_json(n["actual"]), op=n["op"],
                     required=num_json(n["value"]), unit=n["unit"],
                     shortfall=it["gap"].to_json() if it.get("gap") else None)
        elif it["kind"] == "data":
            d["missing"] = [{"field": m[0], "year": m[1]} for m in it["missing"]]
        elif it["kind"] == "alternatives":
            d["options"] = [[item_json(x) for x in opt] for opt in it["options"]]
        elif it["kind"] == "declaration":
            d["field"] = it["node"].get("field")
        return d

    return {"condition": g["condition"], "status": g["status"], "effort": g["effort"],
            "text": gap_title(g, lang), "citation": g["cond"]["citation"],
            "items": [item_json(i) for i in g["items"]]}


def condition_json(r, fields, lang):
    c = r["cond"]
    return {"id": r["id"], "kind": r["kind"], "status": r["status"], "not_examined": r.get("not_examined", False),
            "declared": is_declared(r),
            "text": c["text"], "citation": c["citation"], "note": c["note"],
            "unconfirmed": c.get("unconfirmed", False),
            "required": describe_required(r["result"], fields, lang),
            "actual": describe_actual(r["result"], fields, lang),
            "detail": _node_json(r["result"])}


def ruleset_meta(rs, lang=None):
    d = rs.data
    return {"id": d["id"], "title": d["title"], "issuer": d["issuer"], "document_number": d["document_number"],
            "issued": d["issued"], "period": {"start": d["period"][0], "end": d["period"][1]},
            "validity_years": d["validity_years"], "source": d["source"], "unconfirmed": d["unconfirmed"],
            "source_urls": d["source_urls"], "programme": d.get("programme"), "effective_from": d["effective_from"],
            "effective_to": d["effective_to"]}


def assessment_json(a, fields, lang, extra=None) -> dict:
    doc = {
        "format_version": FORMAT_VERSION,
        "scheme": a.ruleset.id,
        "scheme_title": a.ruleset.data["title"],
        "tier": a.track["id"],
        "tier_group": a.tier["id"],
        "tier_name": a.track["name"],
        "level": a.tier["level"],
        **_subject(a.ctx),
        "verdict": a.verdict,
        "counts": a.counts,
        "conditions": [condition_json(r, fields, lang) for r in a.results],
        "gaps": [gap_json(g, fields, lang) for g in a.gaps],
    }
    return _finish(doc, a.ctx, lang, extra)


def _subject(ctx) -> dict:
    """What was assessed, and when."""
    e = ctx.e
    return {"company": e.values.get("company_name"), "source_file": e.source, "assessment_year": ctx.year,
            "as_of": ctx.as_of.isoformat()}


def _finish(doc, ctx, lang, extra):
    doc.update(overrides=list(ctx.e.overrides), warnings=[w.line(lang) for w in ctx.e.warnings], lang=lang)
    if extra:
        doc.update(extra)
    return doc


def ladder_json(ladder, fields, lang, extra=None) -> dict:
    rs = ladder.ruleset
    tiers = []
    for tier, group, st in ladder.tiers:
        tiers.append({"id": tier["id"], "name": tier["name"], "level": tier["level"], "status": st,
                      "next": tier.get("next"),
                      "tracks": [{"id": a.track["id"], "name": a.track["name"], "verdict": a.verdict,
                                  "counts": a.counts} for a in group]})
    doc = {
        "format_version": FORMAT_VERSION,
        "scheme": rs.id,
        "scheme_title": rs.data["title"],
        "mode": "ladder",
        **_subject(ladder.ctx),
        "verdict": ladder.verdict,
        "highest_tier": ladder.highest["id"] if ladder.highest else None,
        "next_tier": ladder.next["id"] if ladder.next else ladder.next_external,
        "tiers": tiers,
        "next": assessment_json(ladder.next_assessment, fields, lang) if ladder.next_assessment else None,
    }
    return _finish(doc, ladder.ctx, lang, extra)


# ------------------------------------------------------------------------------- text
_CJK = "\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u3000-\u303f"


def enable_cjk_wrap():
    """Let rich break Chinese text between characters, never inside a number.

    rich wraps on spaces only, so a Chinese sentence is one long 'word' that it
    chops at the column edge, even inside "2000万元". Here a word is a run of
    non-Chinese characters (digits, Latin, ASCII punctuation) with a following
    unit (万元, 亿元, 项, 人, 年), or a single Chinese character.
    """
    import re

    try:
        from rich import _wrap
    except ImportError:  # pragma: no cover - rich's private module moved: plain wrapping
        return
    if getattr(_wrap, "_zjtx_cjk", False) or not hasattr(_wrap, "re_word"):
        return
    units = "万元|亿元|万|元|项|人|年|名|位|分"
    closing = "，。；：、）》」』”’！？%"  # never at the start of a line (标点避头)
    opening = "（《「『“‘"  # never at the end of a line (标点避尾)
    _wrap.re_word = re.compile(rf"\s*[{opening}]*(?:[^\s{_CJK}]+(?: ?(?:{units}))?|\S)[{closing}]*\s*")
    _wrap._zjtx_cjk = True


STYLE = {"met": "green", "unmet": "red", "unknown": "yellow", "pending": "yellow"}


def _inert(text):
    """Text that may come from an applicant's file, safe for the terminal (no control sequences)."""
    from zjtx_cli.inputs.text import inert

    return inert(text)


def render_rich(console, a, fields, lang, title=True):
    """A table of every condition, the verdict line, and the gap report."""
    from rich.table import Table
    from rich.text import Text

    enable_cjk_wrap()
    zh = lang == "zh"
    if title:
        rs = a.ruleset
        console.print(Text(f"{rs.data['title'][lang]} — {a.track['name'][lang]}", style="bold"))
        company = _inert(a.ctx.e.values.get("company_name") or a.ctx.e.source)
        console.print(Text(f"企业：{company}    评价年度：{a.ctx.year}" if zh else
                           f"Company: {company}    Assessment year: {a.ctx.year}"))
    table = Table(show_lines=False, expand=False)
    for h in (("状态", "Status"), ("条件", "Condition"), ("要求", "Required"), ("实际", "Actual"),
              ("出处", "Source")):
        table.add_column(h[0] if zh else h[1], overflow="fold")
    for r in a.results:
        sk = status_key(r["kind"], r["status"], r.get("not_examined", False))
        style = STYLE.get(r["status"], "")
        if r["kind"] == "exclusion":
            style = {"met": "red", "unmet": "green"}.get(r["status"], "yellow")
        if r["kind"] == "priority":
            style = "cyan" if r["status"] == MET else "dim"
        text = r["cond"]["text"][lang]
        if r["cond"].get("unconfirmed"):
            text += "（来源待核实）" if zh else " (source unconfirmed)"
        table.add_row(Text(t(sk, lang), style=style), Text(text),
                      Text(describe_required(r["result"], fields, lang)),
                      Text(_inert(describe_actual(r["result"], fields, lang))), Text(r["cond"]["citation"]))
    console.print(table)
    render_verdict(console, a, lang)
    render_gaps(console, a, fields, lang)


def render_verdict(console, a, lang):
    zh = lang == "zh"
    c = a.counts
    style = {"eligible": "bold green", "not_eligible": "bold red", "undetermined": "bold yellow",
             "excluded": "bold red"}[a.verdict]
    counts = (f"满足 {c['met']} 项，不满足 {c['unmet']} 项，缺数据 {c['unknown']} 项，优先条件满足 {c['priority_met']} 项"
              if zh else f"met {c['met']}, unmet {c['unmet']}, unknown {c['unknown']}, "
                         f"priority met {c['priority_met']}")
    if c.get("not_examined"):
        counts += f"，不考察 {c['not_examined']} 项" if zh else f", not examined {c['not_examined']}"
    console.print(f"[{style}]{'结论：' if zh else 'Verdict: '}{t(a.verdict, lang)}[/]    {counts}")


def gap_title(g, lang) -> str:
    """A gap's heading: the condition's text; an exclusion is said to be one."""
    text = g["cond"]["text"][lang]
    if g["cond"]["kind"] == "exclusion":
        if g["status"] == "excluded":
            return ("限制条件（已触发）：" if lang == "zh" else "exclusion (applies): ") + text
        return ("限制条件（须确认不存在）：" if lang == "zh" else "exclusion (must be ruled out): ") + text
    return text


def render_gaps(console, a, fields, lang):
    zh = lang == "zh"
    if not a.gaps:
        return
    console.print(f"[bold]{'差距' if zh else 'Gaps'}[/]")
    for g in a.gaps:
        text = gap_title(g, lang)
        head = f"  [{EFFORT[g['effort']][lang]}] {text}（{g['cond']['citation']}）" if zh else \
            f"  [{EFFORT[g['effort']][lang]}] {text} ({g['cond']['citation']})"
        console.print(head, markup=False, highlight=False)
        if g["status"] == "excluded":
            console.print("    " + ("触发限制条件，无法通过补充材料改变" if zh else "an exclusion applies"),
                          markup=False)
        for it in g["items"]:
            console.print("    - " + _inert(describe_gap_item(it, fields, lang)), markup=False, highlight=False)


def render_ladder(console, ladder, fields, lang):
    from rich.table import Table
    from rich.text import Text

    enable_cjk_wrap()
    zh = lang == "zh"
    rs = ladder.ruleset
    console.print(Text(rs.data["title"][lang], style="bold"))
    company = _inert(ladder.ctx.e.values.get("company_name") or ladder.ctx.e.source)
    console.print(Text(f"企业：{company}    评价年度：{ladder.ctx.year}" if zh else
                       f"Company: {company}    Assessment year: {ladder.ctx.year}"))
    table = Table()
    for h in (("层级", "Tier"), ("类别", "Track"), ("结果", "Result"), ("满足", "Met"), ("不满足", "Unmet"),
              ("缺数据", "Unknown")):
        table.add_column(h[0] if zh else h[1])
    for tier, group, st in ladder.tiers:
        for i, a in enumerate(group):
            style = {"eligible": "green", "not_eligible": "red", "excluded": "red"}.get(a.verdict, "yellow")
            table.add_row(tier["name"][lang] if i == 0 else "", a.track["name"][lang] if len(group) > 1 else "—",
                          Text(t(a.verdict, lang), style=style), str(a.counts["met"]), str(a.counts["unmet"]),
                          str(a.counts["unknown"]))
    console.print(table)
    if ladder.highest:
        console.print(Text(f"{'已达到的最高层级：' if zh else 'Highest tier reached: '}{ladder.highest['name'][lang]}",
                           style="bold green"))
    else:
        console.print(f"[bold red]{'尚未达到任何层级' if zh else 'No tier reached'}[/]")
    if ladder.next_assessment is not None:
        a = ladder.next_assessment
        console.print()
        console.print(Text(f"{'下一层级：' if zh else 'Next tier: '}{a.track['name'][lang]}", style="bold"))
        render_rich(console, a, fields, lang, title=False)
    elif ladder.next_external:
        console.print(Text(f"{'下一层级：' if zh else 'Next tier: '}{ladder.next_external}"))


def describe_rule(c, fields, lang) -> str:
    """A compiled check, before evaluation, as text (for 'zjtx rules')."""
    tp = c["type"]
    zh = lang == "zh"
    if c.get("label"):
        return c["label"][lang]
    if tp == "metric":
        sep = "、" if zh else " + "
        name = sep.join(_name(k, fields, lang) for k in c["metric"])
        if len(c["metric"]) > 1:
            name = name + "合计" if zh else f"({name})"
        off = c.get("year", 0)
        if off:
            name += f"（评价年度{off}年）" if zh else f" (assessment year {off})"
        unit = METRICS[c["metric"][0]].unit if c["metric"][0] in METRICS else fields[c["metric"][0]].unit
        return f"{name} {OP_ZH[c['op']]} {fmt(Decimal(c['value']), unit, lang=lang)}"
    if tp == "flag":
        text = describe_required({"type": "flag", "field": c["flag"], "equals": c["equals"]}, fields, lang)
        if c.get("if_missing"):
            fb = describe_rule(c["if_missing"], fields, lang)
            text += f"（未声明时：{fb}）" if zh else f" (if not declared: {fb})"
        return text
    if tp == "choice":
        return describe_required({"type": "choice", "field": c["choice"], "values": c["values"]}, fields, lang)
    if tp in ("all", "any"):
        joiner = t("and" if tp == "all" else "or", lang)
        return "(" + joiner.join(describe_rule(s, fields, lang) for s in c["checks"]) + ")"
    if tp == "cases":
        parts = []
        for case in c["cases"]:
            if case["when"] is None:
                parts.append(("否则 " if zh else "otherwise ") + describe_rule(case["then"], fields, lang))
            else:
                parts.append(("若 " if zh else "if ") + describe_rule(case["when"], fields, lang) +
                             (" 则 " if zh else " then ") + describe_rule(case["then"], fields, lang))
        return "；".join(parts) if zh else "; ".join(parts)
    if tp == "date_within":
        return describe_required({"type": "date_within", "field": c["date"], "years": c["years"]}, fields, lang)
    if tp == "tier":
        return describe_required({"type": "tier", "tier": c["tier"]}, fields, lang)
    if tp == "sme":
        return describe_required({"type": "sme"}, fields, lang)
    if tp in ("score", "declared_value", "review"):
        from zjtx_cli.engine import scoring as scoring

        return scoring.describe_rule(c, fields, lang)
    return tp

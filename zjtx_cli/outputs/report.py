"""Explain an assessment: texts for people (zh / en) and the JSON document.

Nothing here prints; the CLI decides where text goes. The render_* functions
draw on the console they are given: rich's on a terminal (imported only then),
or the plain one of :mod:`zjtx_cli.outputs.plain` for a file or a pipe.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal

from zjtx_cli.engine.evaluate import FORMAT_VERSION, MET, is_declared
from zjtx_cli.engine.kinds import (
    describe_actual,
    describe_gap_item,
    describe_required,
    describe_rule,  # noqa: F401 - part of this module's interface (zjtx rules)
    gap_item_json,
)
from zjtx_cli.engine.numbers import num_json
from zjtx_cli.engine.texts import label

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
    return label(key, lang)


def status_key(kind, status, not_examined=False):
    if not_examined:
        return "not_examined"
    if kind == "priority":
        return f"priority_{status}"
    if kind == "exclusion":
        return f"excl_{status}"
    return status


# ------------------------------------------------------------------------ describing
# describe_required / describe_actual / describe_gap_item / describe_rule: each check kind writes
# its own texts (zjtx_cli/engine/kinds); they are imported above and used by name here.


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
    out: dict = {}
    for k, v in node.items():
        if (k in ("formula_zh", "formula_en") and not v) or k in ("whens", "ruled_out"):
            continue
        if k in ("checks",):
            out[k] = [_node_json(s) for s in v]
        elif k in ("when", "then", "fallback"):
            out[k] = _node_json(v) if v else None
        else:
            out[k] = _jsonable(v)
    return out


def gap_json(g, fields, lang):
    return {"condition": g.condition, "status": g.status, "effort": g.effort,
            "text": gap_title(g, lang), "citation": g.cond.citation,
            "items": [gap_item_json(i, fields, lang) for i in g.items]}


def condition_json(r, fields, lang):
    c = r.cond
    return {"id": r.id, "kind": r.kind, "status": r.status, "not_examined": r.not_examined,
            "declared": is_declared(r),
            "text": c.text, "citation": c.citation, "note": c.note,
            "unconfirmed": c.unconfirmed,
            "required": describe_required(r.result, fields, lang),
            "actual": describe_actual(r.result, fields, lang),
            "detail": _node_json(r.result),
            "evidence": r.evidence,
            "evidence_needed": [evidence_input_json(k, y, fields, lang) for k, y in r.evidence_needed]}


_DOCS: dict = {}


def evidence_input_json(key, year, fields, lang) -> dict:
    """An input without evidence, with the kind of document that proves it (issue 13)."""
    hit = _DOCS.get((id(fields), key, year, lang))
    if hit is None:
        from zjtx_cli.evidence.catalogue import document_for

        hit = _DOCS[(id(fields), key, year, lang)] = document_for(
            key, lang, years=None if year is None else [year], fields=fields)
    return {"field": key, "year": year, "document": hit[0], "basis": hit[1]}


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
    doc.update(overrides=list(ctx.e.overrides), warnings=[w.line(lang) for w in ctx.e.warnings], lang=lang,
               evidence_required=bool(ctx.evidence_required))
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


def tier_json(result, fields, lang, checklist=None) -> dict:
    """A tier with several tracks: reached if any track is (no scheme_info, as before; the
    checklist only with ``--checklist``)."""
    extra = {"checklist": checklist} if checklist is not None else {}
    return {"format_version": FORMAT_VERSION, "scheme": result.ruleset.id, "tier": result.tier["id"],
            "status": result.tier_status, "verdict": result.verdict,
            "tracks": [assessment_json(a, fields, lang) for a in result.tracks],
            "evidence_required": bool(result.ctx.evidence_required), **extra}


def document(result, fields, lang, extra=None, checklist=False) -> dict:
    """The JSON document of an assessment (``docs/assessment.schema.json``), whatever its scope.

    ``extra`` (e.g. ``scheme_info``) is added to a track or ladder document, not to a tier's;
    ``checklist`` adds the documents still to collect (``--checklist``, issue 13)."""
    if checklist:
        from zjtx_cli.evidence.checklist import checklist_json

        extra = dict(extra or {}, checklist=checklist_json(result, fields, lang))
    if result.scope == "ladder":
        return ladder_json(result.ladder, fields, lang, extra)
    if result.scope == "tier":
        return tier_json(result, fields, lang, (extra or {}).get("checklist"))
    extra = dict(extra or {})
    if result.next is not None:
        extra.update(next_tier=result.next_ref, next=assessment_json(result.next, fields, lang))
    return assessment_json(result.track, fields, lang, extra or None)


# ------------------------------------------------------------------------------- text
def enable_cjk_wrap():
    """Let rich break Chinese text between characters, never inside a number.

    rich wraps on spaces only, so a Chinese sentence is one long 'word' that it
    chops at the column edge, even inside "2000万元". Here a word is a run of
    non-Chinese characters (digits, Latin, ASCII punctuation) with a following
    unit (万元, 亿元, 项, 人, 年), or a single Chinese character.
    """
    try:
        from rich import _wrap
    except ImportError:  # pragma: no cover - rich's private module moved: plain wrapping
        return
    if getattr(_wrap, "_zjtx_cjk", False) or not hasattr(_wrap, "re_word"):
        return
    from zjtx_cli.outputs.plain import word_pattern  # the plain renderer's words (outputs/plain.py)

    _wrap.re_word = word_pattern()
    setattr(_wrap, "_zjtx_cjk", True)  # noqa: B010 - a module attribute the type stubs do not know


STYLE = {"met": "green", "unmet": "red", "unknown": "yellow", "pending": "yellow"}


def _inert(text):
    """Text that may come from an applicant's file, safe for the terminal (no control sequences)."""
    from zjtx_cli.inputs.text import inert

    return inert(text)


def kit(console):
    """``(Table, Text)`` for ``console``: rich's on a terminal, plain ones for a file or a pipe (outputs/plain)."""
    from zjtx_cli.outputs import plain

    if isinstance(console, plain.Console):
        return plain.Table, plain.Text
    enable_cjk_wrap()
    from rich.table import Table
    from rich.text import Text

    return Table, Text


def render_rich(console, a, fields, lang, title=True):
    """A table of every condition, the verdict line, and the gap report (rich or plain, by ``console``)."""
    Table, Text = kit(console)
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
        status = t(sk, lang)
        if r.evidence == "declared":  # met (ruled out) on inputs that name no evidence (issue 13)
            status += "·待补证" if zh else " · evidence needed"
            if a.ctx.evidence_required and r["kind"] != "priority":
                style = "yellow"
        text = r["cond"]["text"][lang]
        if r["cond"].get("unconfirmed"):
            text += "（来源待核实）" if zh else " (source unconfirmed)"
        table.add_row(Text(status, style=style), Text(text),
                      Text(describe_required(r["result"], fields, lang)),
                      Text(_inert(describe_actual(r["result"], fields, lang))), Text(r["cond"]["citation"]))
    console.print(table)
    render_verdict(console, a, lang)
    render_gaps(console, a, fields, lang)


def render_verdict(console, a, lang):
    zh = lang == "zh"
    c = a.counts
    style = {"eligible": "bold green", "not_eligible": "bold red", "undetermined": "bold yellow",
             "excluded": "bold red", "conditional": "bold yellow"}[a.verdict]
    counts = (f"满足 {c['met']} 项，不满足 {c['unmet']} 项，缺数据 {c['unknown']} 项，"
              f"优先条件满足 {c['priority_met']} 项"
              if zh else f"met {c['met']}, unmet {c['unmet']}, unknown {c['unknown']}, "
                         f"priority met {c['priority_met']}")
    if c.get("not_examined"):
        counts += f"，不考察 {c['not_examined']} 项" if zh else f", not examined {c['not_examined']}"
    if c.get("evidence_needed"):
        counts += f"，待补证 {c['evidence_needed']} 项" if zh else f", evidence needed {c['evidence_needed']}"
    Text = kit(console)[1]
    console.print(Text.assemble((f"{'结论：' if zh else 'Verdict: '}{t(a.verdict, lang)}", style), f"    {counts}"))


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
    console.print(kit(console)[1]("差距" if zh else "Gaps", style="bold"))
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
    Table, Text = kit(console)
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
    for tier, group, _st in ladder.tiers:
        for i, a in enumerate(group):
            style = {"eligible": "green", "not_eligible": "red", "excluded": "red"}.get(a.verdict, "yellow")
            table.add_row(tier["name"][lang] if i == 0 else "", a.track["name"][lang] if len(group) > 1 else "—",
                          Text(t(a.verdict, lang), style=style), str(a.counts["met"]), str(a.counts["unmet"]),
                          str(a.counts["unknown"]))
    console.print(table)
    if ladder.highest:
        cond = ladder.verdict == "conditional"  # officer mode: reached subject to evidence (issue 13)
        tail = ("（有条件：待补证）" if zh else " (subject to evidence)") if cond else ""
        reached = "已达到的最高层级：" if zh else "Highest tier reached: "
        console.print(Text(f"{reached}{ladder.highest['name'][lang]}{tail}",
                           style="bold yellow" if cond else "bold green"))
    else:
        console.print(Text("尚未达到任何层级" if zh else "No tier reached", style="bold red"))
    if ladder.next_assessment is not None:
        a = ladder.next_assessment
        console.print()
        console.print(Text(f"{'下一层级：' if zh else 'Next tier: '}{a.track['name'][lang]}", style="bold"))
        render_rich(console, a, fields, lang, title=False)
    elif ladder.next_external:
        console.print(Text(f"{'下一层级：' if zh else 'Next tier: '}{ladder.next_external}"))

"""``--checklist``: the documents still to collect (issue 13).

For the conditions a firm meets, or nearly meets (a gap of effort ``data``, ``declaration`` or
``near``), every input the condition rests on (or, not yet met, reads) that names no evidence
is listed with the kind of document that proves it (``catalogue.document_for``), grouped by
catalogue entry so that one audit report covering three years and three figures is one line.
Unmet or unknown conditions contribute the inputs they used and the data still missing.
"""

from __future__ import annotations

NEAR = ("data", "declaration", "near")


def _tracks(result):
    """The tracks whose conditions matter: the one assessed; a tier's closest; a ladder's highest
    tier reached (its reaching track) and the next tier's closest track."""
    from zjtx_cli.engine.service import closest

    if result.scope == "track":
        return [result.track]
    if result.scope == "tier":
        return [closest(result.tracks)]
    lad = result.ladder
    out = []
    for ts in lad.tiers:
        if ts.tier is lad.highest:
            out.append(closest(ts.tracks))
    if lad.next_assessment is not None:
        out.append(lad.next_assessment)
    return out


def _missing(node) -> list:
    from zjtx_cli.engine.kinds.base import node_children

    out = [tuple(m) for m in node.get("missing") or ()]
    for s in node_children(node):
        out.extend(_missing(s))
    return out


def needed_inputs(a) -> list[tuple[str, int | None, str]]:
    """``(field, year, condition id)`` of one track: what is still to be evidenced."""
    from zjtx_cli.engine.kinds.common import inputs_used

    ctx = a.ctx
    has = ctx.has_evidence
    efforts = {g.condition: g.effort for g in a.gaps}
    out: list[tuple[str, int | None, str]] = []
    for r in a.results:
        if r.kind == "priority" or r.not_examined:
            continue
        if r.evidence == "declared":
            out.extend((k, y, r.id) for k, y in r.evidence_needed)
        elif r.kind == "required" and r.status != "met" and efforts.get(r.id) in NEAR:
            used = inputs_used(r.result, ctx, has) + _missing(r.result)
            out.extend((k, y, r.id) for k, y in dict.fromkeys(used) if not has(k, y))
    return out


def checklist(result, fields, lang) -> dict:
    """``{"scheme_note", "items": [{entry, document, basis, inputs, conditions}]}``."""
    from zjtx_cli.evidence.catalogue import document_for, entry_id, scheme_note

    groups: dict = {}
    for a in _tracks(result):
        for k, y, cid in needed_inputs(a):
            if k not in fields:
                continue
            eid = entry_id(k, fields)
            g = groups.setdefault(eid, {"entry": eid, "inputs": [], "conditions": [], "first": k})
            if (k, y) not in g["inputs"]:
                g["inputs"].append((k, y))
            if cid not in g["conditions"]:
                g["conditions"].append(cid)
    items = []
    for eid, g in groups.items():
        years = sorted({y for _k, y in g["inputs"] if y is not None})
        doc, basis = document_for(g["first"], lang, years=years or None, fields=fields)
        items.append({"entry": eid, "document": doc, "basis": basis,
                      "inputs": [{"field": k, "year": y} for k, y in g["inputs"]], "conditions": g["conditions"]})
    return {"scheme_note": scheme_note(result.ruleset.id, lang), "items": items}


def checklist_json(result, fields, lang) -> dict:
    return checklist(result, fields, lang)


def render_checklist(console, result, fields, lang) -> None:
    """The checklist as text, after the assessment (rich on a terminal, plain text elsewhere)."""
    from zjtx_cli.outputs.plain import kit  # not outputs.report, which imports this module

    Text = kit(console)[1]

    zh = lang == "zh"
    cl = checklist(result, fields, lang)
    console.print()
    console.print(Text("待收集的证明材料" if zh else "Documents still to collect", style="bold"))
    if cl["scheme_note"]:
        console.print(Text("  " + cl["scheme_note"]))
    if not cl["items"]:
        none = "  无（所用数据均已注明证明材料）" if zh else "  none (every input used names its evidence)"
        console.print(Text(none))
        return
    from zjtx_cli.engine.texts import missing_name

    for i, it in enumerate(cl["items"], 1):
        names = ("、" if zh else ", ").join(
            dict.fromkeys(missing_name([x["field"], x["year"]], fields, lang) for x in it["inputs"]))
        conds = ("、" if zh else ", ").join(it["conditions"])
        line = (f"  {i}. {it['document']}（{it['basis']}）— 用于：{names}；条件：{conds}" if zh else
                f"  {i}. {it['document']} ({it['basis']}) — for: {names}; conditions: {conds}")
        console.print(line, markup=False, highlight=False)

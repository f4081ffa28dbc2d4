"""Banded and industry-specific rules (``cases``) whose case is not known yet.

When the data that picks the case (the industry, an ethnic-crafts declaration) is missing, the
gap must not present one case's shortfall as certain. ``open_branches`` records every case that
may still apply, each evaluated; ``branch_gap_items`` turns them into one conditional gap item
("若…：尚差 100 万元；若不属于以上情形：尚差 1100 万元") next to the request for the deciding data,
rated by the harder branch (issue 12).
"""

from __future__ import annotations

MET, UNMET, UNKNOWN = "met", "unmet", "unknown"


def open_branches(cases, ctx, evaluate_check) -> list[dict]:
    """Every case from the first unknown ``when`` on that may still apply, in order, evaluated.
    A case whose ``when`` is met ends the list (later ones cannot apply); with no ``else`` the list
    ends with the 'no case applies' branch (unmet: the rule sets no threshold for that company)."""
    out = []
    for case in cases:
        if case["when"] is None:
            out.append({"when": None, "then": evaluate_check(case["then"], ctx)})
            return out
        w = evaluate_check(case["when"], ctx)
        if w["status"] == UNMET:
            continue
        out.append({"when": w, "then": evaluate_check(case["then"], ctx)})
        if w["status"] == MET:
            return out
    out.append({"when": None, "then": None, "no_case": True})
    return out


def branch_gap_items(node, ctx, gap_items) -> list[dict]:
    """The data that decides the case, and each branch's own gap, stated conditionally."""
    from zjtx_cli.engine.evaluate import EFFORT_ORDER, _merge_data

    data, branches, worst = [], [], 0
    for b in node["branches"]:
        if b["when"] is not None and b["when"]["status"] == UNKNOWN:
            data.extend(i for i in gap_items(b["when"], ctx) if i["kind"] == "data")
        if b.get("no_case"):
            branches.append({"when": None, "no_case": True, "status": UNMET, "items": []})
            continue
        then = b["then"]
        items = gap_items(then, ctx) if then["status"] != MET else []
        for i in items:
            worst = max(worst, EFFORT_ORDER[i["effort"]])
        branches.append({"when": b["when"], "status": then["status"], "items": items, "then": then})
    effort = [k for k, v in EFFORT_ORDER.items() if v == worst][0]
    item = {"kind": "branches", "effort": effort, "node": node, "branches": branches}
    return _merge_data(data) + [item]


def describe_branches(item, fields, lang, describe_gap_item, describe_required) -> str:
    zh = lang == "zh"
    parts = []
    for b in item["branches"]:
        if b.get("no_case"):
            parts.append("若不属于以上任何情形：本条未设门槛，不满足" if zh else
                         "if none of these applies: the rule sets no threshold for it (not met)")
            continue
        if b["when"] is None:
            cond = "若不属于以上情形" if zh else "otherwise"
        else:
            w = describe_required(b["when"], fields, lang)
            cond = f"若“{w}”" if zh else f"if '{w}'"
        if b["status"] == MET:
            what = "已满足" if zh else "already met"
        elif b["items"]:
            what = ("；" if zh else "; ").join(describe_gap_item(x, fields, lang) for x in b["items"])
        else:
            what = describe_required(b["then"], fields, lang)
        parts.append(f"{cond}：{what}" if zh else f"{cond}: {what}")
    head = "适用哪一档取决于尚未提供的数据，各档分别为：" if zh else "which case applies depends on data not yet given: "
    return head + ("；".join(parts) if zh else "; ".join(parts))

"""A title the text requires the firm to hold (须为 / 已获得 …称号).

Written in a ruleset as ``{flag: TITLE_FLAG, if_missing: {tier: TIER}}``: the condition is met only
by the declared (evidenced) title. When the title is not declared, the condition stays unknown
whatever this assessment finds for TIER; the tier's verdict is only reported: a firm that reaches
that tier in the same run is told "本次评价已达到该层级，须先取得认定" (issue 12: zjtx's own verdict
is not a recognition).
"""

from __future__ import annotations

_STATE = {
    "met": ("本次评价已达到该层级，须先取得认定", "this assessment finds the company reaches that tier; "
                                                   "it must obtain the recognition first"),
    "unmet": ("本次评价未达到该层级", "this assessment finds the company does not reach that tier"),
    "unknown": ("本次评价该层级尚无法判定", "this assessment cannot yet tell whether it reaches that tier"),
}


def title_node(c: dict, tier_node: dict, fields) -> dict:
    """The node of a title flag that is not declared: unknown, naming the tier's own verdict."""
    f = fields[c["flag"]]
    name = tier_node.get("tier_name") or {}
    tzh, ten = name.get("zh") or tier_node["tier"], name.get("en") or tier_node["tier"]
    st = tier_node["status"] if tier_node["status"] in _STATE else "unknown"
    szh, sen = _STATE[st]
    return {"type": "flag", "status": "unknown", "field": c["flag"], "equals": c["equals"], "actual": None,
            # not 'missing data': the title must be obtained and declared with evidence (a declaration gap)
            "declared": False, "missing": [], "title_tier": tier_node["tier"],
            "tier_status": tier_node["status"],
            "label": {"zh": f"{f.zh}：是（须已取得认定；{tzh}：{szh}）",
                      "en": f"{f.en}: yes (the recognition must be held; {ten}: {sen})"}}

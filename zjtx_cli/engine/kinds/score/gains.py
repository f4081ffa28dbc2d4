"""Closing a points table's gap: which indicators can gain points, how hard each gain is, and
whether the cheapest gains (or a direct path) are enough."""

from __future__ import annotations

from decimal import Decimal

from zjtx_cli.engine.kinds.common import gap_items
from zjtx_cli.engine.metrics import evaluate_metric, metric_gap
from zjtx_cli.engine.numbers import format_number
from zjtx_cli.engine.shortfalls import Gap
from zjtx_cli.engine.status import EFFORT_ORDER, MET, UNKNOWN, UNMET, effort_name

ZERO = Decimal(0)
_EFFORT_RANK = EFFORT_ORDER
_NEAR = Decimal("0.1")
CENT = Decimal("0.01")


def ceil_money_gap(g):
    """Money shortfalls rounded UP to 0.01 万元, so that the amount stated really reaches the band."""
    import re

    if g is None or g.unit != "万元" or g.amount is None or g.amount <= 0:
        return g
    up = Decimal(g.amount).quantize(CENT, rounding="ROUND_CEILING")
    if up == g.amount:
        return g
    old, new = format_number(g.amount, "万元"), format_number(up, "万元")

    def sub(t):
        return re.sub(r"(?<![\d.,])" + re.escape(old), new, t) if t else t

    return Gap(up, g.unit, sub(g.zh), sub(g.en), g.relative)


def _gains(ind, ctx):
    """Better bands of one banded-metric indicator, each with the change that reaches it."""
    if ind["source"] != "metric" or ind["points"] is None or ind["points"] >= ind["max"]:
        return []
    out = []
    mv = evaluate_metric(ind["metric"], ctx, ind["year"])
    v = ind["actual"]
    for b in ind["bands"]:
        p = Decimal(b["points"])
        if p <= ind["points"]:
            continue
        if b["min"] is not None and (v < Decimal(b["min"]) or (v == Decimal(b["min"]) and not b["min_inclusive"])):
            op, target = (">=" if b["min_inclusive"] else ">"), Decimal(b["min"])
        elif b["max"] is not None:
            op, target = ("<=" if b["max_inclusive"] else "<"), Decimal(b["max"])
        else:  # pragma: no cover - a better band that v is inside would have been chosen
            continue
        try:
            g = metric_gap(ind["metric"], ctx, ind["year"], op, target, mv)
        except Exception:  # a gap that cannot be computed (e.g. zero base) is shown without amount
            g = None
        if g is None:
            short = abs(target - v)
            g = Gap(short, ind.get("unit") or "", "", "", short / abs(target) if target else None)
        g = ceil_money_gap(g)
        rel = g.relative if g.relative is not None else Decimal(1)
        out.append({"gain": p - ind["points"], "to": p, "op": op, "target": target, "gap": g,
                    "relative": rel, "effort": "near" if rel <= _NEAR else "far", "rank": 0})
    return out


def _node_gain(n):
    """(relative, gap, node, effort) of the cheapest way to meet an unmet option check, or None."""
    t = n["type"]
    if n["status"] == MET:
        return None
    if t == "metric" and n.get("gap") is not None:
        g = ceil_money_gap(n["gap"])
        rel = g.relative if g.relative is not None else Decimal(1)
        return (rel, g, n, "near" if rel <= _NEAR else "far")
    if t in ("flag", "choice") and n["status"] == UNMET:
        return (Decimal(1), None, n, "declaration")
    if t == "any":
        cands = [c for c in (_node_gain(x) for x in n["checks"]) if c is not None]
        return min(cands, key=lambda c: (_EFFORT_RANK[c[3]], c[0])) if cands else None
    if t == "all":
        unmet = [x for x in n["checks"] if x["status"] != MET]
        return _node_gain(unmet[0]) if len(unmet) == 1 else None
    return None


def _first_gains(ind):
    """Better options of a first-match indicator, each with its cheapest way in.

    Options are listed most demanding first, so at equal cost the later (less demanding) option is
    the likelier one: ``rank`` counts from the least demanding better option (0) upwards."""
    if ind["source"] != "first" or ind["points"] is None or ind["points"] >= ind["max"]:
        return []
    out = []
    for i, sub in enumerate(ind["checks"]):
        p = Decimal(ind["option_points"][i])
        if p <= ind["points"]:
            continue
        c = _node_gain(sub)
        if c is None:
            continue
        out.append({"gain": p - ind["points"], "to": p, "gap": c[1], "via": c[2], "relative": c[0],
                    "effort": c[3], "index": i})
    top = max((g["index"] for g in out), default=0)
    for g in out:
        g["rank"] = top - g.pop("index")
    return out


def _choice_gains(ind):
    """Declaring a better choice (e.g. 数字化水平 二级 -> +3): one gain per better code."""
    if ind["source"] != "choice" or ind["points"] is None or ind["points"] >= ind["max"]:
        return []
    better = sorted(((Decimal(p), code) for code, p in ind.get("choice_points", {}).items()
                     if Decimal(p) > ind["points"]), key=lambda x: x[0])
    return [{"gain": p - ind["points"], "to": p, "gap": None, "declare": [ind["field"], code],
             "relative": Decimal(1), "effort": "declaration", "rank": i} for i, (p, code) in enumerate(better)]


def _items_gains(ind):
    """Declaring one more yes/no item (e.g. 自主品牌 -> +3, capped at the indicator's maximum)."""
    if ind["source"] != "items" or ind["points"] is None or ind["points"] >= ind["max"]:
        return []
    no = [k for k, v in ind["items"].items() if v is False]
    if not no:
        return []
    to = min(ind["max"], ind["points"] + ind["per_item"])
    return [{"gain": to - ind["points"], "to": to, "gap": None, "declare_any": no, "relative": Decimal(1),
             "effort": "declaration", "rank": 0}]


def _gain_key(g):
    return (_EFFORT_RANK[g["effort"]], g["relative"], g["rank"], -g["gain"])


def _route_effort(gains, deficit, cat_short):
    """The cheapest effort level at which the point gains on offer close the total and category gaps.

    Per indicator only the largest gain available at that level counts (an indicator scores once)."""
    if deficit <= 0 and not cat_short:
        return "near"  # pragma: no cover - a met score has no route to find
    for level in ("declaration", "near"):
        best: dict[str, tuple] = {}
        for g in gains:
            if _EFFORT_RANK[g["effort"]] <= _EFFORT_RANK[level]:
                k = g["indicator"]["id"]
                if g["gain"] > best.get(k, (ZERO, None))[0]:
                    best[k] = (g["gain"], g["category"]["id"])
        if sum((v[0] for v in best.values()), ZERO) < deficit:
            continue
        if all(sum((v[0] for v in best.values() if v[1] == cid), ZERO) >= s for cid, s in cat_short):
            return level
    return "far"


def score_gap_items(node, ctx) -> list[dict]:
    """Data to provide, then the cheapest point gains (and direct paths) that close the score's gap."""
    items = []
    if node["missing"]:
        items.append({"kind": "data", "missing": node["missing"], "effort": "data", "node": node})
    if node["score_status"] == MET or (node["score_status"] == UNKNOWN and node["missing"]):
        # the score may still pass once the data are in: providing them comes first
        return items
    gains = []
    for cat in node["categories"]:
        for ind in cat["indicators"]:
            for g in _gains(ind, ctx) + _first_gains(ind) + _choice_gains(ind) + _items_gains(ind):
                g.update(indicator=ind, category=cat, node=node, kind="score_gain")
                gains.append(g)
    gains.sort(key=_gain_key)
    deficit = max(ZERO, node["pass"] - node["total_lo"])
    cat_short = [(cat["id"], cat["min"] - cat["lo"]) for cat in node["categories"]
                 if cat["min"] is not None and cat["lo"] < cat["min"]]
    route = _route_effort(gains, deficit, cat_short)
    # what to show: the cheapest gain of each indicator, plus the other options of first-match indicators
    shown: list[dict] = []
    per: dict[str, int] = {}
    for g in gains:
        k = g["indicator"]["id"]
        limit = 2 if g["indicator"]["source"] in ("first", "choice") else 1
        if per.get(k, 0) >= limit:
            continue
        per[k] = per.get(k, 0) + 1
        shown.append(g)
        if len(shown) >= 6:
            break
    direct = None
    unmet_direct = [d for d in node["direct"] if d["status"] != MET]
    if unmet_direct:
        option_items = [gap_items(d, ctx) for d in unmet_direct]
        efforts = [max((_EFFORT_RANK[i["effort"]] for i in o), default=_EFFORT_RANK["far"]) for o in option_items]
        best = min(efforts)
        direct = {"kind": "score_direct", "node": node, "options": unmet_direct, "option_items": option_items,
                  "effort": effort_name(best)}
    effort = route
    if direct is not None and _EFFORT_RANK[direct["effort"]] < _EFFORT_RANK[route]:
        effort = direct["effort"]
    items.append({"kind": "score", "effort": effort, "route_effort": route, "node": node, "deficit": deficit,
                  "categories_short": [[c, s] for c, s in cat_short], "gains": shown, "direct": direct})
    return items


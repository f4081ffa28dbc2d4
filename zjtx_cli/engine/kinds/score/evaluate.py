"""Evaluating a points table: each indicator's points (or their range while data are missing),
category minima, the pass mark and the direct paths."""

from __future__ import annotations

from decimal import Decimal

from zjtx_cli.engine.kinds.base import node_children
from zjtx_cli.engine.kinds.common import evaluate_check
from zjtx_cli.engine.metrics import evaluate_metric
from zjtx_cli.engine.status import MET, UNKNOWN, UNMET, any_of

ZERO = Decimal(0)


def _in_band(v, b):
    if b["min"] is not None:
        lo = Decimal(b["min"])
        if v < lo or (v == lo and not b["min_inclusive"]):
            return False
    if b["max"] is not None:
        hi = Decimal(b["max"])
        if v > hi or (v == hi and not b["max_inclusive"]):
            return False
    return True


def evaluate_indicator(indicator, ctx) -> dict:
    """Points of one indicator: exact, or the range [lo, hi] it may still reach when data are missing."""
    ind = indicator.data
    imax = Decimal(ind["max"])
    r = {"id": ind["id"], "name": ind["name"], "max": imax, "points": None, "lo": ZERO, "hi": imax,
         "missing": [], "declared": False, "source": ind["source"]}
    src = ind["source"]
    if src == "metric":
        year = ctx.year + ind["year"]
        mv = evaluate_metric(ind["metric"], ctx, year)
        r.update(metric=ind["metric"], year=year, unit=mv.unit, actual=mv.value,
                 inputs=[list(i) for i in mv.inputs], bands=ind["bands"])
        pts_all = [Decimal(b["points"]) for b in ind["bands"]]
        if mv.value is None:
            r.update(missing=[list(m) for m in mv.missing], lo=min(pts_all), hi=max(pts_all))
        else:
            for i, b in enumerate(ind["bands"]):
                if _in_band(mv.value, b):
                    r.update(points=Decimal(b["points"]), band=i)
                    break
    elif src == "choice":
        v = ctx.raw(ind["choice"])
        r.update(field=ind["choice"], actual=v, declared=True, choice_points=ind["points"])
        pts_all = [Decimal(p) for p in ind["points"].values()]
        if v is None:
            r.update(missing=[[ind["choice"], None]], lo=min(pts_all), hi=max(pts_all))
        else:
            r["points"] = Decimal(ind["points"][v])
    elif src == "first":
        subs = []
        possible: list[Decimal] = []
        decided = None
        for i, o in enumerate(indicator.options):
            res = evaluate_check(o.check, ctx)
            subs.append(res)
            if res["status"] == MET and decided is None and not possible:
                decided = Decimal(o.points)
                r["option"] = i
                break
            if res["status"] == UNKNOWN:
                possible.append(Decimal(o.points))
                for m in _missing_under(res):
                    if m not in r["missing"]:
                        r["missing"].append(m)
            if res["status"] == MET and possible:
                possible.append(Decimal(o.points))
                break
        else:
            if possible:
                possible.append(Decimal(ind["otherwise"]))
        r["checks"] = subs
        r["option_points"] = [o.points for o in indicator.options]
        r["declared"] = any(s.get("declared") for s in subs)
        if decided is not None:
            r["points"] = decided
        elif possible:
            r.update(lo=min(possible), hi=max(possible))
        else:
            r["points"] = Decimal(ind["otherwise"])
            r["option"] = None
    elif src == "items":
        per = Decimal(ind["per_item"])
        got, unknown, vals = 0, [], {}
        for k in ind["items"]:
            v = ctx.raw(k)
            vals[k] = v
            if v is None:
                unknown.append(k)
            elif v:
                got += 1
        r.update(items=vals, per_item=per, declared=True)
        if unknown:
            r.update(missing=[[k, None] for k in unknown], lo=min(imax, per * got),
                     hi=min(imax, per * (got + len(unknown))))
            if r["lo"] == r["hi"]:
                r.update(points=r["lo"], missing=[])
        else:
            r["points"] = min(imax, per * got)
    elif src == "declared":
        key = ind["field"]
        f = ctx.fields[key]
        v = ctx.raw(key, ctx.year if f.per_year else None)
        r.update(field=key, actual=v, declared=True)
        if v is None:
            r["missing"] = [[key, ctx.year if f.per_year else None]]
        else:
            d = Decimal(v)
            r["points"] = max(ZERO, min(imax, d))
            if d > imax or d < 0:
                r["clamped"] = True
    if r["points"] is not None:
        r["lo"] = r["hi"] = r["points"]
    r["status"] = MET if r["points"] is not None else UNKNOWN
    return r


def indicator_inputs(r: dict, ctx, has) -> list:
    """The (field, year) inputs an indicator's points rest on (issue 13)."""
    from zjtx_cli.engine.kinds.base import figure
    from zjtx_cli.engine.kinds.common import inputs_used

    src = r["source"]
    if src == "metric":
        return [figure(k, y, ctx) for k, y, _v in r.get("inputs", ())]
    if src in ("choice", "declared"):
        return [figure(r["field"], None, ctx)]
    if src == "items":
        return [figure(k, None, ctx) for k, v in r["items"].items() if v is not None]
    if src == "first":
        opt = r.get("option")
        if opt is not None:
            return inputs_used(r["checks"][opt], ctx, has)
        return [x for s in r.get("checks", ()) for x in inputs_used(s, ctx, has)]
    return []


def _missing_under(node):
    """Every (field, year) missing under a node that is unknown, in order (a first-match option)."""
    out: list = []
    if node.get("status") == UNKNOWN and node.get("missing"):
        out.extend(list(m) for m in node["missing"])
    for sub in node_children(node):
        out.extend(_missing_under(sub))
    return out


def evaluate_score(c, ctx) -> dict:
    pass_mark = c.pass_mark
    cats, lo, hi = [], ZERO, ZERO
    for cat in c.categories:
        inds = [evaluate_indicator(i, ctx) for i in cat.indicators]
        clo = sum((i["lo"] for i in inds), ZERO)
        chi = sum((i["hi"] for i in inds), ZERO)
        cmin = None if cat.min is None else Decimal(cat.min)
        cst = MET if cmin is None or clo >= cmin else (UNMET if chi < cmin else UNKNOWN)
        cats.append({"id": cat.id, "name": cat.name, "max": Decimal(cat.max), "min": cmin,
                     "lo": clo, "hi": chi, "points": clo if clo == chi else None, "status": cst,
                     "indicators": inds})
        lo += clo
        hi += chi
    if lo >= pass_mark and all(x["status"] == MET for x in cats):
        score_status = MET
    elif hi < pass_mark or any(x["status"] == UNMET for x in cats):
        score_status = UNMET
    else:
        score_status = UNKNOWN
    direct = [evaluate_check(d, ctx) for d in c.direct]
    status = any_of([score_status] + [d["status"] for d in direct])
    missing = []
    for cat in cats:
        for i in cat["indicators"]:
            for m in i["missing"]:
                if m not in missing:
                    missing.append(m)
    return {"type": "score", "status": status, "score_status": score_status, "pass": pass_mark,
            "max": c.max, "total": lo if lo == hi else None, "total_lo": lo, "total_hi": hi,
            "categories": cats, "direct": direct, "direct_met": [i for i, d in enumerate(direct) if d["status"] == MET],
            "missing": missing, "label": c.label, "note": c.note}


"""Scored evaluations, platform-computed values and new-application / re-review readings.

Three check types live here (``rules.py`` and ``engine.py`` delegate to this module):

``score`` -- a points table, as data::

    score:
      pass: 60                      # total >= pass (以上 includes the number)
      total_max: 100                # optional: checked against the sum of the indicators' maxima
      categories:
        - id: innovation
          name: {zh: 创新能力, en: Innovation}
          max: 40                   # optional: checked against the indicators
          min: 20                   # optional category minimum (>=)
          indicators:
            - id: rd                # a metric or numeric field, banded
              name: {zh: ..., en: ...}
              max: 20
              metric: rd_intensity  # optional 'year': 0, -1 ...
              bands:                # must cover the whole line, edges and inclusivity explicit
                - {min: 5, min_inclusive: true, points: 20}
                - {min: 3, min_inclusive: true, max: 5, max_inclusive: false, points: 15}
                - {max: 3, max_inclusive: false, points: 0}
            - id: digital           # a choice field, choice -> points
              choice: digital_level
              points: {level3_plus: 5, level2: 3, level1: 0}
            - id: ip                # first option whose check is met (any check of rules.py)
              first:
                - {check: {metric: ip_class1_high_value, op: ">=", value: 1}, points: 20}
              else: 0
            - id: quality           # yes/no items, points per item, capped at max
              items: [provincial_quality_award, quality_system_certified]
              per_item: 3
              max: 5
            - id: feature           # a score declared by the company (e.g. set by a province)
              declared: feature_score
              max: 15
      direct:                       # "or any of these": checks that qualify without the score
        - {flag: high_tech_enterprise}

``declared_value`` -- a figure only an outside system computes (the 2026 评价得分)::

    declared_value: evaluation_score          # or {field: evaluation_score, year: -1}
    op: ">="
    value: 60
    source: {zh: 优质中小企业梯度培育平台（工信厅企业〔2024〕75号）, en: ...}

  Absent, it is ``unknown`` with a ``pending`` note (reported as 待系统评价), never a guess.

``review`` -- a condition read differently on re-review (复核, ``--review``)::

    review:
      new: CHECK                    # applied to a new application
      review: CHECK | not_examined  # applied on re-review

Compiled checks are plain data (marshal-able): numbers are kept as strings and
turned into Decimal when evaluated.
"""

from __future__ import annotations

from decimal import Decimal

MET, UNMET, UNKNOWN = "met", "unmet", "unknown"
ZERO = Decimal(0)

_SCORE_KEYS = {"pass", "total_max", "categories", "direct", "note"}
_CAT_KEYS = {"id", "name", "max", "min", "indicators"}
_IND_COMMON = {"id", "name", "max", "note"}
_IND_SOURCES = {
    "metric": {"metric", "year", "bands"},
    "choice": {"choice", "points"},
    "first": {"first", "else"},
    "items": {"items", "per_item"},
    "declared": {"declared"},
}
_BAND_KEYS = {"min", "min_inclusive", "max", "max_inclusive", "points"}


def _err(where, msg):
    from zjtx_cli.rules.loader import RulesetError

    return RulesetError(f"{where}: {msg}")


def _dec(v, where, what):
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        raise _err(where, f"'{what}' must be a number, got {v!r}")
    try:
        d = Decimal(str(v))
    except Exception:
        raise _err(where, f"'{what}' must be a number, got {v!r}") from None
    if not d.is_finite():
        raise _err(where, f"'{what}' must be a finite number, got {v!r}")
    return d


def _text(v, where, key):
    from zjtx_cli.rules.loader import _text as rtext

    return rtext(v, where, key)


def _sub(c, where, fields):
    from zjtx_cli.rules.loader import _compile_check

    return _compile_check(c, where, fields)


# ------------------------------------------------------------------------------ compile
def compile_check(kind, c, where, fields) -> dict:
    if kind == "score":
        return _compile_score(c["score"], where, fields)
    if kind == "declared_value":
        return _compile_declared(c, where, fields)
    if kind == "review":
        return _compile_review(c["review"], where, fields)
    raise _err(where, f"unknown check type {kind!r}")  # pragma: no cover


def _compile_declared(c, where, fields):
    spec = c["declared_value"]
    year = 0
    if isinstance(spec, dict):
        unknown = set(spec) - {"field", "year"}
        if unknown or "field" not in spec:
            raise _err(where, f"'declared_value' is a field key or {{field, year}}, got {sorted(spec)}")
        key, year = spec["field"], spec.get("year", 0)
    else:
        key = spec
    if not isinstance(key, str) or key not in fields or fields[key].type not in ("number", "integer"):
        raise _err(where, f"declared_value: {key!r} is not a numeric field of the field dictionary")
    if not isinstance(year, int) or isinstance(year, bool) or year > 0 or year < -5:
        raise _err(where, "declared_value: 'year' is an offset from the assessment year: 0, -1, ...")
    from zjtx_cli.rules.loader import OPS

    if c.get("op") not in OPS:
        raise _err(where, f"declared_value: 'op' must be one of {OPS}")
    if "value" not in c:
        raise _err(where, "declared_value: 'value' is required")
    if "source" not in c:
        raise _err(where, "declared_value: 'source' (where the figure comes from) is required")
    return {"field": key, "year": year, "op": c["op"], "value": str(_dec(c["value"], where, "value")),
            "source": _text(c["source"], where, "source")}


def _compile_review(spec, where, fields):
    if not isinstance(spec, dict) or set(spec) != {"new", "review"}:
        raise _err(where, "a 'review' check has exactly 'new' and 'review' (a check, or not_examined)")
    out = {}
    for k in ("new", "review"):
        v = spec[k]
        if v == "not_examined":
            out[k] = None
        else:
            out[k] = _sub(v, f"{where}.review.{k}", fields)
    return {"readings": out}


def _compile_score(spec, where, fields):
    if not isinstance(spec, dict):
        raise _err(where, "'score' must be a mapping")
    unknown = set(spec) - _SCORE_KEYS
    if unknown:
        raise _err(where, f"unknown key(s) {sorted(unknown)} in a score")
    if "pass" not in spec or "categories" not in spec:
        raise _err(where, "a score needs 'pass' and 'categories'")
    pass_mark = _dec(spec["pass"], where, "pass")
    cats = spec["categories"]
    if not isinstance(cats, list) or not cats:
        raise _err(where, "'categories' must be a non-empty list")
    out_cats, ids, total = [], set(), ZERO
    for i, cat in enumerate(cats):
        w = f"{where}: category #{i + 1}"
        if not isinstance(cat, dict) or not isinstance(cat.get("id"), str):
            raise _err(w, "a category needs an 'id'")
        w = f"{where}: category {cat['id']}"
        unknown = set(cat) - _CAT_KEYS
        if unknown:
            raise _err(w, f"unknown key(s) {sorted(unknown)}")
        inds = cat.get("indicators")
        if not isinstance(inds, list) or not inds:
            raise _err(w, "'indicators' must be a non-empty list")
        comp = []
        for j, ind in enumerate(inds):
            ci = _compile_indicator(ind, f"{w}: indicator #{j + 1}", fields)
            if ci["id"] in ids:
                raise _err(w, f"duplicate indicator id {ci['id']!r}")
            ids.add(ci["id"])
            comp.append(ci)
        cmax = sum(Decimal(x["max"]) for x in comp)
        if "max" in cat and _dec(cat["max"], w, "max") != cmax:
            raise _err(w, f"'max' {cat['max']} differs from the sum of its indicators' maxima ({cmax})")
        cmin = None
        if cat.get("min") is not None:
            cmin = _dec(cat["min"], w, "min")
            if cmin > cmax:
                raise _err(w, f"'min' {cmin} exceeds the category's maximum {cmax}")
        total += cmax
        out_cats.append({"id": cat["id"], "name": _text(cat.get("name") or cat["id"], w, "name"),
                         "max": str(cmax), "min": None if cmin is None else str(cmin), "indicators": comp})
    if "total_max" in spec and _dec(spec["total_max"], where, "total_max") != total:
        raise _err(where, f"'total_max' {spec['total_max']} differs from the sum of the indicators' maxima ({total})")
    if pass_mark > total:
        raise _err(where, f"'pass' {pass_mark} exceeds the maximum score {total}")
    direct = spec.get("direct") or []
    if not isinstance(direct, list):
        raise _err(where, "'direct' must list checks")
    return {"score": {"pass": str(pass_mark), "max": str(total), "categories": out_cats,
                      "direct": [_sub(d, f"{where}.direct[{i}]", fields) for i, d in enumerate(direct)],
                      "note": _text(spec["note"], where, "note") if spec.get("note") else None}}


def _compile_indicator(ind, where, fields):
    if not isinstance(ind, dict) or not isinstance(ind.get("id"), str):
        raise _err(where, "an indicator needs an 'id'")
    where = where.rsplit(": indicator #", 1)[0] + f": indicator {ind['id']}"
    sources = [s for s in _IND_SOURCES if s in ind]
    if len(sources) != 1:
        raise _err(where, f"an indicator needs exactly one of {sorted(_IND_SOURCES)}, got {sorted(ind)}")
    src = sources[0]
    unknown = set(ind) - _IND_COMMON - _IND_SOURCES[src]
    if unknown:
        raise _err(where, f"unknown key(s) {sorted(unknown)} in a '{src}' indicator")
    if "max" not in ind:
        raise _err(where, "'max' (the indicator's full points) is required")
    imax = _dec(ind["max"], where, "max")
    out = {"id": ind["id"], "name": _text(ind.get("name") or ind["id"], where, "name"), "max": str(imax),
           "source": src, "note": _text(ind["note"], where, "note") if ind.get("note") else None}

    def pts(v, w):
        p = _dec(v, w, "points")
        if p < 0 or p > imax:
            raise _err(w, f"points {p} outside 0..{imax}")
        return str(p)

    if src == "metric":
        from zjtx_cli.engine.metrics import METRICS

        key = ind["metric"]
        if not isinstance(key, str) or (key not in METRICS and key not in fields):
            raise _err(where, f"unknown indicator {key!r} (not in the field dictionary or metrics)")
        if key in fields and fields[key].type not in ("number", "integer"):
            raise _err(where, f"{key!r} is not numeric")
        year = ind.get("year", 0)
        if not isinstance(year, int) or isinstance(year, bool) or year > 0 or year < -5:
            raise _err(where, "'year' is an offset from the assessment year: 0, -1, ...")
        out.update(metric=key, year=year, bands=_compile_bands(ind.get("bands"), where, pts))
    elif src == "choice":
        key = ind["choice"]
        if key not in fields or fields[key].type != "choice":
            raise _err(where, f"{key!r} is not a choice field of the field dictionary")
        pmap = ind.get("points")
        if not isinstance(pmap, dict) or not pmap:
            raise _err(where, "'points' maps choice codes to points")
        for code in pmap:
            if code not in fields[key].choices:
                raise _err(where, f"{code!r} is not a choice of {key!r}")
        missing = set(fields[key].choices) - set(pmap)
        if missing:
            raise _err(where, f"'points' gives no points for choice(s) {sorted(missing)} of {key!r}")
        out.update(choice=key, points={k: pts(v, where) for k, v in pmap.items()})
    elif src == "first":
        opts = ind["first"]
        if not isinstance(opts, list) or not opts:
            raise _err(where, "'first' lists {check, points} options")
        comp = []
        for i, o in enumerate(opts):
            w = f"{where}.first[{i}]"
            if not isinstance(o, dict) or set(o) != {"check", "points"}:
                raise _err(w, "an option has exactly 'check' and 'points'")
            comp.append({"check": _sub(o["check"], w, fields), "points": pts(o["points"], w)})
        out.update(options=comp, otherwise=pts(ind.get("else", 0), where))
    elif src == "items":
        items = ind["items"]
        if not isinstance(items, list) or not items:
            raise _err(where, "'items' lists yes/no fields")
        for k in items:
            if k not in fields or fields[k].type != "bool":
                raise _err(where, f"{k!r} is not a yes/no field of the field dictionary")
        if "per_item" not in ind:
            raise _err(where, "'per_item' (points per item) is required")
        per = _dec(ind["per_item"], where, "per_item")
        if per <= 0:
            raise _err(where, "'per_item' must be positive")
        out.update(items=list(items), per_item=str(per))
    elif src == "declared":
        key = ind["declared"]
        if key not in fields or fields[key].type not in ("number", "integer"):
            raise _err(where, f"{key!r} is not a numeric field of the field dictionary")
        out.update(field=key)
    return out


def _compile_bands(bands, where, pts):
    if not isinstance(bands, list) or not bands:
        raise _err(where, "'bands' must be a non-empty list")
    out = []
    for i, b in enumerate(bands):
        w = f"{where}: band #{i + 1}"
        if not isinstance(b, dict):
            raise _err(w, "a band is a mapping")
        unknown = set(b) - _BAND_KEYS
        if unknown:
            raise _err(w, f"unknown key(s) {sorted(unknown)}")
        if "points" not in b:
            raise _err(w, "'points' is required")
        band = {"points": pts(b["points"], w), "min": None, "min_inclusive": None, "max": None,
                "max_inclusive": None}
        for edge in ("min", "max"):
            if edge in b:
                if not isinstance(b.get(f"{edge}_inclusive"), bool):
                    raise _err(w, f"'{edge}' needs '{edge}_inclusive: true' or 'false' (say whether the edge belongs)")
                band[edge] = str(_dec(b[edge], w, edge))
                band[f"{edge}_inclusive"] = b[f"{edge}_inclusive"]
            elif f"{edge}_inclusive" in b:
                raise _err(w, f"'{edge}_inclusive' without '{edge}'")
        if band["min"] is not None and band["max"] is not None:
            lo, hi = Decimal(band["min"]), Decimal(band["max"])
            if lo > hi or (lo == hi and not (band["min_inclusive"] and band["max_inclusive"])):
                raise _err(w, "an empty band")
        out.append(band)
    # the bands must tile the number line: no gap, no overlap
    key = [(Decimal("-Infinity") if b["min"] is None else Decimal(b["min"]),
            0 if b["min"] is None or b["min_inclusive"] else 1) for b in out]
    order = sorted(range(len(out)), key=lambda i: key[i])
    seq = [out[i] for i in order]
    if seq[0]["min"] is not None:
        raise _err(where, f"the bands leave values below {seq[0]['min']} uncovered (add a band with no 'min')")
    if seq[-1]["max"] is not None:
        raise _err(where, f"the bands leave values above {seq[-1]['max']} uncovered (add a band with no 'max')")
    for a, b in zip(seq, seq[1:]):
        if a["max"] is None or b["min"] is None or Decimal(a["max"]) != Decimal(b["min"]):
            raise _err(where, f"bands must meet edge to edge: {_band_text(a, 'en')} then {_band_text(b, 'en')}")
        if a["max_inclusive"] == b["min_inclusive"]:
            what = "both" if a["max_inclusive"] else "neither"
            raise _err(where, f"the edge {a['max']} belongs to {what} of two adjacent bands")
    return out


# --------------------------------------------------------------------------- fields used
def subchecks(c) -> list[dict]:
    """Checks embedded in a score / review check (for walks over a ruleset)."""
    out = []
    if c["type"] == "score":
        s = c["score"]
        out.extend(s["direct"])
        for cat in s["categories"]:
            for ind in cat["indicators"]:
                out.extend(o["check"] for o in ind.get("options", ()))
    elif c["type"] == "review":
        out.extend(x for x in c["readings"].values() if x is not None)
    return out


def fields_of(c) -> list[str]:
    """Raw field / metric keys read directly by a score or declared_value check."""
    out = []
    if c["type"] == "declared_value":
        out.append(c["field"])
    elif c["type"] == "score":
        for cat in c["score"]["categories"]:
            for ind in cat["indicators"]:
                for k in ("metric", "choice", "field"):
                    if k in ind:
                        out.append(ind[k])
                out.extend(ind.get("items", ()))
    return out


def _prepare(c):
    """Thresholds of embedded checks to Decimal (rules._decimals walks only all/any/cases)."""
    if c.get("_prepared"):
        return
    from zjtx_cli.rules.loader import _decimals

    for s in subchecks(c):
        _decimals(s)
        _prepare(s)
    c["_prepared"] = True


# ------------------------------------------------------------------------------ evaluate
def evaluate_check(c, ctx) -> dict:
    _prepare(c)
    t = c["type"]
    if t == "score":
        return _eval_score(c, ctx)
    if t == "declared_value":
        return _eval_declared(c, ctx)
    if t == "review":
        return _eval_review(c, ctx)
    raise AssertionError(t)  # pragma: no cover


_OPS = {">=": lambda a, b: a >= b, ">": lambda a, b: a > b, "<=": lambda a, b: a <= b,
        "<": lambda a, b: a < b, "==": lambda a, b: a == b}


def _eval_declared(c, ctx):
    key = c["field"]
    f = ctx.fields[key]
    year = ctx.year + c["year"] if f.per_year else None
    v = ctx.raw(key, year)
    node = {"type": "declared_value", "field": key, "year": year, "op": c["op"], "value": Decimal(c["value"]),
            "unit": f.unit, "actual": v, "source": c["source"], "declared": True, "label": c.get("label")}
    if v is None:
        node.update(status=UNKNOWN, missing=[[key, year]],
                    pending={"zh": f"待系统评价：{c['source']['zh']}", "en": f"pending: {c['source']['en']}"})
    else:
        node.update(status=MET if _OPS[c["op"]](Decimal(v), node["value"]) else UNMET, missing=[])
    return node


def _eval_review(c, ctx):
    from zjtx_cli.engine.evaluate import evaluate_check as ev

    reading = "review" if ctx.review else "new"
    sub = c["readings"][reading]
    node = {"type": "review", "reading": reading, "label": c.get("label"), "missing": None,
            "not_examined": sub is None}
    if sub is None:
        node.update(status=MET, then=None)
    else:
        res = ev(sub, ctx)
        node.update(status=res["status"], then=res)
    return node


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


def _eval_indicator(ind, ctx):
    from zjtx_cli.engine.evaluate import evaluate_check as ev
    from zjtx_cli.engine.metrics import evaluate_metric

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
        possible = []
        decided = None
        for i, o in enumerate(ind["options"]):
            res = ev(o["check"], ctx)
            subs.append(res)
            if res["status"] == MET and decided is None and not possible:
                decided = Decimal(o["points"])
                r["option"] = i
                break
            if res["status"] == UNKNOWN:
                possible.append(Decimal(o["points"]))
                for m in _missing_under(res):
                    if m not in r["missing"]:
                        r["missing"].append(m)
            if res["status"] == MET and possible:
                possible.append(Decimal(o["points"]))
                break
        else:
            if possible:
                possible.append(Decimal(ind["otherwise"]))
        r["checks"] = subs
        r["option_points"] = [o["points"] for o in ind["options"]]
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


def _missing_under(node):
    out = []
    if node.get("status") == UNKNOWN and node.get("missing"):
        out.extend(list(m) for m in node["missing"])
    for s in node.get("checks", ()) or ():
        out.extend(_missing_under(s))
    for k in ("when", "then"):
        if node.get(k):
            out.extend(_missing_under(node[k]))
    return out


def _eval_score(c, ctx):
    from zjtx_cli.engine.evaluate import _any
    from zjtx_cli.engine.evaluate import evaluate_check as ev

    s = c["score"]
    pass_mark = Decimal(s["pass"])
    cats, lo, hi = [], ZERO, ZERO
    for cat in s["categories"]:
        inds = [_eval_indicator(i, ctx) for i in cat["indicators"]]
        clo = sum((i["lo"] for i in inds), ZERO)
        chi = sum((i["hi"] for i in inds), ZERO)
        cmin = None if cat["min"] is None else Decimal(cat["min"])
        cst = MET if cmin is None or clo >= cmin else (UNMET if chi < cmin else UNKNOWN)
        cats.append({"id": cat["id"], "name": cat["name"], "max": Decimal(cat["max"]), "min": cmin,
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
    direct = [ev(d, ctx) for d in s["direct"]]
    status = _any([score_status] + [d["status"] for d in direct])
    missing = []
    for cat in cats:
        for i in cat["indicators"]:
            for m in i["missing"]:
                if m not in missing:
                    missing.append(m)
    return {"type": "score", "status": status, "score_status": score_status, "pass": pass_mark,
            "max": Decimal(s["max"]), "total": lo if lo == hi else None, "total_lo": lo, "total_hi": hi,
            "categories": cats, "direct": direct, "direct_met": [i for i, d in enumerate(direct) if d["status"] == MET],
            "missing": missing, "label": c.get("label"), "note": s.get("note")}


# ---------------------------------------------------------------------------------- gaps
_EFFORT_RANK = {"data": 0, "declaration": 1, "near": 2, "far": 3, "blocker": 4}
_NEAR = Decimal("0.1")
CENT = Decimal("0.01")


def _ceil_gap(g):
    """Money shortfalls rounded UP to 0.01 万元, so that the amount stated really reaches the band."""
    import re

    from zjtx_cli.engine.metrics import Gap, fmt

    if g is None or g.unit != "万元" or g.amount is None or g.amount <= 0:
        return g
    up = Decimal(g.amount).quantize(CENT, rounding="ROUND_CEILING")
    if up == g.amount:
        return g
    old, new = fmt(g.amount, "万元"), fmt(up, "万元")

    def sub(t):
        return re.sub(r"(?<![\d.,])" + re.escape(old), new, t) if t else t

    return Gap(up, g.unit, sub(g.zh), sub(g.en), g.relative)


def _gains(ind, ctx):
    """Better bands of one banded-metric indicator, each with the change that reaches it."""
    from zjtx_cli.engine.metrics import Gap, evaluate_metric, metric_gap

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
        g = _ceil_gap(g)
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
        g = _ceil_gap(n["gap"])
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
        best = {}
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


def gap_items(node, ctx) -> list[dict]:
    t = node["type"]
    if node["status"] == MET:
        return []
    if t == "declared_value":
        if node.get("pending"):
            return [{"kind": "pending", "effort": "data", "node": node, "missing": node["missing"]}]
        short = node["value"] - Decimal(node["actual"])
        from zjtx_cli.engine.metrics import near_or_far  # a 1-point shortfall is near (issue 12)

        return [{"kind": "score_declared", "effort": near_or_far(short, node["value"]), "node": node,
                 "short": short}]
    if t == "review":
        from zjtx_cli.engine.evaluate import gap_items as eg

        return eg(node["then"], ctx) if node.get("then") else []
    if t != "score":  # pragma: no cover
        return []
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
    shown, per = [], {}
    for g in gains:
        k = g["indicator"]["id"]
        limit = 2 if g["indicator"]["source"] in ("first", "choice") else 1
        if per.get(k, 0) >= limit:
            continue
        per[k] = per.get(k, 0) + 1
        shown.append(g)
        if len(shown) >= 6:
            break
    from zjtx_cli.engine.evaluate import gap_items as eg

    direct = None
    unmet_direct = [d for d in node["direct"] if d["status"] != MET]
    if unmet_direct:
        option_items = [eg(d, ctx) for d in unmet_direct]
        efforts = [max((_EFFORT_RANK[i["effort"]] for i in o), default=_EFFORT_RANK["far"]) for o in option_items]
        best = min(efforts)
        direct = {"kind": "score_direct", "node": node, "options": unmet_direct, "option_items": option_items,
                  "effort": [k for k, v in _EFFORT_RANK.items() if v == best][0]}
    effort = route
    if direct is not None and _EFFORT_RANK[direct["effort"]] < _EFFORT_RANK[route]:
        effort = direct["effort"]
    items.append({"kind": "score", "effort": effort, "route_effort": route, "node": node, "deficit": deficit,
                  "categories_short": [[c, s] for c, s in cat_short], "gains": shown, "direct": direct})
    return items


# ------------------------------------------------------------------------------ describe
def _fmt(v, unit=None, lang=None):
    from zjtx_cli.engine.metrics import fmt

    if lang is not None and unit:
        try:  # English units where metrics.fmt knows them (items, years, people); money stays 万元
            return fmt(v, unit, lang=lang)
        except TypeError:
            pass
    return fmt(v, unit)


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
    from zjtx_cli.engine.metrics import fmt

    try:
        return fmt(d, unit, places=places, lang=lang)
    except TypeError:
        return fmt(d, unit, places=places)


def _pts(v, lang):
    return f"{_fmt(v)}分" if lang == "zh" else f"{_fmt(v)} pts"


def _band_text(b, lang, unit=None):
    u = unit or ""

    def num(x):
        return _fmt(Decimal(x), u, lang) if u else _fmt(Decimal(x))

    lo, hi = b.get("min"), b.get("max")
    if lo is not None and hi is not None:
        left = "[" if b["min_inclusive"] else "("
        right = "]" if b["max_inclusive"] else ")"
        return f"{left}{num(lo)}, {num(hi)}{right}"
    if lo is not None:
        return f"{'≥' if b['min_inclusive'] else '>'} {num(lo)}"
    if hi is not None:
        return f"{'≤' if b['max_inclusive'] else '<'} {num(hi)}"
    return "—"


def _op(op):
    from zjtx_cli.engine.evaluate import OP_ZH

    return OP_ZH[op]


def _field_name(key, fields, lang):
    from zjtx_cli.engine.metrics import METRICS

    m = METRICS.get(key)
    if m is not None:
        return m.zh if lang == "zh" else m.en
    return fields[key].zh if lang == "zh" else fields[key].en


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
    from zjtx_cli.outputs.report import describe_required as dr

    t = node["type"]
    zh = lang == "zh"
    if node.get("label"):
        base = node["label"][lang]
        if t == "review":
            return _reading_prefix(node, lang) + base
        return base
    if t == "score":
        s = _pass_text(node["pass"], node["categories"], lang)
        if node["direct"]:
            alts = ("；" if zh else "; ").join(dr(d, fields, lang) for d in node["direct"])
            s += f"，或满足以下之一：{alts}" if zh else f"; or any of: {alts}"
        return s
    if t == "declared_value":
        name = _field_name(node["field"], fields, lang)
        yr = "" if node["year"] is None else (f"（{node['year']}）" if zh else f" ({node['year']})")
        return f"{name}{yr} {_op(node['op'])} {_fmt(node['value'], node['unit'], lang)}"
    if t == "review":
        if node["not_examined"]:
            return _reading_prefix(node, lang) + ("不考察" if zh else "not examined")
        return _reading_prefix(node, lang) + dr(node["then"], fields, lang)
    return ""


def _reading_prefix(node, lang):
    if node["reading"] == "review":
        return "[复核口径] " if lang == "zh" else "[re-review reading] "
    return "[新申报口径] " if lang == "zh" else "[new-application reading] "


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
        from zjtx_cli.outputs.report import describe_required as dr

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
    from zjtx_cli.outputs.report import describe_actual as da

    t = node["type"]
    zh = lang == "zh"
    if t == "declared_value":
        if node["actual"] is None:
            return node["pending"][lang]
        return _fmt(Decimal(node["actual"]), node["unit"], lang) + ("（自报，来源：" if zh else " (declared; source: ") + \
            node["source"][lang] + ("）" if zh else ")")
    if t == "review":
        if node["not_examined"]:
            return "复核企业不考察此项" if zh else "not examined on re-review"
        return da(node["then"], fields, lang)
    if t != "score":
        return ""
    if node["total"] is not None:
        head = (f"得分 {_fmt(node['total'])}/{_fmt(node['max'])}" if zh
                else f"score {_fmt(node['total'])}/{_fmt(node['max'])}")
    else:
        head = (f"得分 {_fmt(node['total_lo'])}–{_fmt(node['total_hi'])}/{_fmt(node['max'])}（部分指标缺数据）" if zh
                else f"score {_fmt(node['total_lo'])}-{_fmt(node['total_hi'])}/{_fmt(node['max'])} (some inputs missing)")
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
        from zjtx_cli.outputs.report import describe_required as dr

        req = ("；" if zh else "; ").join(dr(node["direct"][i], fields, lang) for i in met)
        lines.append((f"直通条件满足：{req}（{names}）" if zh else f"direct path met: {req} ({names})"))
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
        from zjtx_cli.outputs.report import describe_required as dr

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
    from zjtx_cli.outputs.report import describe_gap_item as dg
    from zjtx_cli.outputs.report import describe_required as dr

    zh = lang == "zh"
    opts = []
    for o, sub in zip(d["options"], d["option_items"]):
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
    if k == "pending":
        return node["pending"][lang] + ("（平台计算后填入 " if zh else " (enter ") + \
            _missing_text(node["missing"][0], fields, lang) + ("）" if zh else " once computed)")
    if k == "score_declared":
        return (f"{describe_required(node, fields, lang)}：现为 {_fmt(Decimal(node['actual']))}，尚差 "
                f"{_fmt(item['short'])}" if zh else
                f"{describe_required(node, fields, lang)}: now {_fmt(Decimal(node['actual']))}, short by "
                f"{_fmt(item['short'])}")
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
    from zjtx_cli.outputs.report import describe_rule as drule

    zh = lang == "zh"
    t = c["type"]
    if c.get("label") and t != "review":
        return c["label"][lang]
    if t == "declared_value":
        name = _field_name(c["field"], fields, lang)
        yr = ""
        if c["year"]:
            yr = f"（评价年度{c['year']}年）" if zh else f" (assessment year {c['year']})"
        src = c["source"][lang]
        return f"{name}{yr} {_op(c['op'])} {_fmt(Decimal(c['value']))}（{src}）" if zh else \
            f"{name}{yr} {_op(c['op'])} {_fmt(Decimal(c['value']))} ({src})"
    if t == "review":
        r = c["readings"]

        def one(x):
            return ("不考察" if zh else "not examined") if x is None else drule(x, fields, lang)

        return (f"新申报：{one(r['new'])}；复核：{one(r['review'])}" if zh
                else f"new application: {one(r['new'])}; re-review: {one(r['review'])}")
    if t != "score":
        return t
    s = c["score"]
    lines = [_pass_text(s["pass"], s["categories"], lang) + (f"（满分{_fmt(Decimal(s['max']))}）" if zh else
                                                             f" (out of {_fmt(Decimal(s['max']))})")]
    for cat in s["categories"]:
        lines.append(f"{cat['name'][lang]}（{_fmt(Decimal(cat['max']))}）" if zh else
                     f"{cat['name'][lang]} ({_fmt(Decimal(cat['max']))})")
        for ind in cat["indicators"]:
            lines.append(f"  · {ind['name'][lang]}：{_rule_ind(ind, fields, lang)}" if zh else
                         f"  · {ind['name'][lang]}: {_rule_ind(ind, fields, lang)}")
    if s["direct"]:
        lines.append(("或满足以下之一：" if zh else "or any of: ") +
                     ("；" if zh else "; ").join(drule(d, fields, lang) for d in s["direct"]))
    return "\n".join(lines)


def _rule_ind(ind, fields, lang):
    zh = lang == "zh"
    sep = "；" if zh else "; "
    src = ind["source"]
    if src == "metric":
        from zjtx_cli.engine.metrics import metric_or_field

        unit = metric_or_field(ind["metric"], fields)[2]
        return sep.join(f"{_band_text(b, lang, unit)} → {_fmt(Decimal(b['points']))}" for b in ind["bands"])
    if src == "choice":
        f = fields[ind["choice"]]
        return sep.join(f"{f.choice_label(k, lang)} → {_fmt(Decimal(v))}" for k, v in ind["points"].items())
    if src == "first":
        from zjtx_cli.outputs.report import describe_rule as drule

        parts = [f"{drule(o['check'], fields, lang)} → {_fmt(Decimal(o['points']))}" for o in ind["options"]]
        parts.append(("否则" if zh else "otherwise") + f" → {_fmt(Decimal(ind['otherwise']))}")
        return sep.join(parts)
    if src == "items":
        names = ("、" if zh else ", ").join(_field_name(k, fields, lang) for k in ind["items"])
        return (f"每项{_fmt(Decimal(ind['per_item']))}分，最高{_fmt(Decimal(ind['max']))}分：{names}" if zh else
                f"{_fmt(Decimal(ind['per_item']))} per item, at most {_fmt(Decimal(ind['max']))}: {names}")
    if src == "declared":
        return (f"自报得分（{_field_name(ind['field'], fields, lang)}，0–{_fmt(Decimal(ind['max']))}）" if zh else
                f"declared score ({_field_name(ind['field'], fields, lang)}, 0-{_fmt(Decimal(ind['max']))})")
    return ""

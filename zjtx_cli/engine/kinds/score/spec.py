"""A points table's validation into plain data (its typed form is in ``score/__init__.py``)."""

from __future__ import annotations

from decimal import Decimal

from zjtx_cli.engine.kinds.base import RulesetError, number, text_pair
from zjtx_cli.engine.metrics import METRICS

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
    return RulesetError(f"{where}: {msg}")


def _dec(v, where, what):
    return number(v, where, f"'{what}'")


def _text(v, where, key):
    return text_pair(v, where, key)


def _sub(c, where, fields):
    from zjtx_cli.engine.kinds.base import compile_check

    return compile_check(c, where, fields)


# ------------------------------------------------------------------------------- validate
def validate_score(spec, where, fields):
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
    for a, b in zip(seq, seq[1:], strict=False):
        if a["max"] is None or b["min"] is None or Decimal(a["max"]) != Decimal(b["min"]):
            raise _err(where, f"bands must meet edge to edge: {band_text(a, 'en')} then {band_text(b, 'en')}")
        if a["max_inclusive"] == b["min_inclusive"]:
            what = "both" if a["max_inclusive"] else "neither"
            raise _err(where, f"the edge {a['max']} belongs to {what} of two adjacent bands")
    return out


def band_text(b, lang, unit=None):
    """A band as an interval: ``[3, 5)``, ``≥ 5``, ``< 3``."""
    from zjtx_cli.engine.numbers import format_number

    u = unit or ""

    def num(x):
        if u and lang is not None:
            return format_number(Decimal(x), u, lang=lang)
        return format_number(Decimal(x), u or None)

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

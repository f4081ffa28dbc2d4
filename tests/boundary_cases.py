"""Write the boundary cases of the built-in rulesets as ``rulesets/NAME.tests.yaml``.

    python tests/boundary_cases.py            # check the committed files are up to date (exit 1 if not)
    python tests/boundary_cases.py --write    # rewrite them

For every threshold (a ``metric`` check) of every condition, two cases: the value exactly at
the threshold and one step past it (以上/以下/不低于/不高于 include the number, 超过/不满/低于
exclude it: the rule's ``op`` says which side the number itself is on). The figures come from
the rule's own threshold, which cites its clause in ../shared/seeds (or the public copy read);
the condition's expected status is not taken from running zjtx. Each case gives only the
indicators the condition reads (its other parts set so that this threshold decides it), so:

- the condition's expected status is the side of the threshold;
- the expected verdict follows the documented rule (README: excluded > not_eligible >
  undetermined > eligible) from that status and the other conditions' statuses, which are
  what zjtx finds with the same inputs (given none of their data, mostly 缺数据); a generator
  run prints a note wherever zjtx disagrees with the threshold side;
- on the unmet side of a plain threshold the expected gap is the step (1 万元, 1 人, 1 项, 1 年,
  0.01 percentage point of a raw % figure), except for shares whose numerator is part of the
  whole (main-business share), where the tool's gap also grows the whole.

Thresholds that select a band (inside ``when``), checks this script cannot construct data for
(``sme``, ``tier``, scored evaluations, platform values, dates) and conditions whose data would
collide are listed at the end of each file as "not generated" with the reason, for a reviewer.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from decimal import Decimal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

# assessment date and year per scheme: inside the plan's period / the version's validity
SETTINGS = {
    "bicycle": ("2025-06-01", 2024),
    "guizhou": ("2025-06-01", 2024),
    "hengyang": ("2025-06-01", 2024),
    "jinhu": ("2024-06-01", 2023),
    "miit-2020": ("2021-06-01", 2020),
    "miit-2022": ("2024-06-01", 2023),
    "miit-2026": ("2026-06-01", 2025),
}
BASE = Decimal(10000)  # the denominator of ratios and the base of growth series: figures stay readable
HUNDRED = Decimal(100)


# shares whose numerator is part of the denominator: the gap is (p·d − n)/(1 − p), not the step
PART_OF_WHOLE = ("main_business_share", "leading_product_share", "leading_product_share_of_main")


class Skip(Exception):
    pass


def _d(x) -> Decimal:
    return Decimal(str(x))


def _plain(x: Decimal):
    x = x.normalize() if x == x.to_integral_value() else x
    if x == x.to_integral_value():
        return int(x)
    return float(x)


# ----------------------------------------------------------------------------- indicators
def step_of(key, fields):
    """The smallest readable change of an indicator: 1 of a count or of money, 0.01 of a % figure."""
    if key in fields:
        f = fields[key]
        if f.type == "integer":
            return Decimal(1)
        if f.unit == "%":
            return Decimal("0.01")
        return Decimal(1)
    return None  # derived metric: the numerator moves by 1


def _put(out, key, year, value):
    if isinstance(value, Decimal):
        value = _plain(value)
    if year is None:
        if key in out and out[key] != value:
            raise Skip(f"{key} would need two values")
        out[key] = value
    else:
        d = out.setdefault(key, {})
        if not isinstance(d, dict):
            raise Skip(f"{key} would need two values")
        if year in d and d[year] != value:
            raise Skip(f"{key}.{year} would need two values")
        d[year] = value


def _given(have, key, year):
    v = (have or {}).get(key)
    if isinstance(v, dict):
        return v.get(year)
    return v


def metric_values(keys, op, value, side, year, fields, have=None):
    """Inputs putting a metric exactly at ``value`` (side 'at') or one step past it towards failing
    a ``>=``/``>`` bound or passing it (side 'past'). Returns (inputs, step, exact gap known)."""
    from zjtx_cli.engine.metrics import METRICS

    t = _d(value)
    out: dict = {}
    down = op in (">=", ">")  # 'past' moves the figure down for a lower bound, up for an upper bound
    sign = -1 if down else 1
    if len(keys) > 1:  # a sum of counts: all in the first, the others zero
        s = step_of(keys[0], fields)
        _put(out, keys[0], None if not fields[keys[0]].per_year else year, t + (sign * s if side == "past" else 0))
        for k in keys[1:]:
            _put(out, k, None if not fields[k].per_year else year, 0)
        return out, s
    k = keys[0]
    if k not in METRICS:
        f = fields[k]
        s = step_of(k, fields)
        v = t + (sign * s if side == "past" else 0)
        if f.type == "integer" and v != v.to_integral_value():
            raise Skip(f"{k} is a whole number and the threshold {value} is not")
        if f.type in ("integer",) and v < 0:
            raise Skip(f"{k} cannot be negative")
        if "rank" in k and v < 1:
            raise Skip(f"{k}: a rank starts at 1, so nothing lies below the bound {value}")
        _put(out, k, year if f.per_year else None, v)
        return out, s
    ratio = {"asset_liability_ratio": ("total_liabilities", "total_assets", 0),
             "main_business_share": ("main_business_revenue", "operating_revenue", 0),
             "leading_product_share": ("leading_product_revenue", "operating_revenue", 0),
             "leading_product_share_of_main": ("leading_product_revenue", "main_business_revenue", 0),
             "rd_intensity": ("rd_expense", "operating_revenue", 0),
             "rd_intensity_2y": ("rd_expense", "operating_revenue", 1),
             "rd_intensity_2y_main": ("rd_expense", "main_business_revenue", 1),
             "rd_staff_share": ("rd_staff", "employees", 0),
             "net_profit_margin": ("net_profit", "operating_revenue", 0),
             "rd_intensity_avg_3y": ("rd_expense", "operating_revenue", 2),
             "operating_profit_margin_avg_3y": ("operating_profit", "operating_revenue", 2)}
    if k in ratio and have and side == "at" and ratio[k][2] == 0 and _given(have, ratio[k][0], year) is not None \
            and _given(have, ratio[k][1], year) is None:
        # another part already fixed the numerator: a denominator that meets the bound with room to spare
        num, den, _b = ratio[k]
        n = _d(_given(have, num, year))
        if t == 0:
            raise Skip(f"{k}: a zero bound")
        exact = n * HUNDRED / t
        d = exact.to_integral_value(rounding="ROUND_FLOOR" if down else "ROUND_CEILING")
        if d <= 0:
            raise Skip(f"{k}: no positive denominator")
        _put(out, den, year, d)
        return out, None
    if k in ratio:
        num, den, back = ratio[k]
        n = t * BASE / HUNDRED
        if n != n.to_integral_value():
            raise Skip(f"{k} {value}% of {BASE} is not a whole number")
        for y in range(year - back, year + 1):
            _put(out, den, y, BASE)
            _put(out, num, y, n + (sign if side == "past" and y == year else 0))
        return out, Decimal(1)
    sums = {"rd_expense_2y": ("rd_expense", 1), "equity_financing_2y": ("equity_financing", 1),
            "equity_financing_3y": ("equity_financing", 2)}
    if k in sums:
        fld, back = sums[k]
        for y in range(year - back, year):
            _put(out, fld, y, 0)
        _put(out, fld, year, t + (sign if side == "past" else 0))
        return out, Decimal(1)
    growth = {"main_business_revenue_growth": ("main_business_revenue", 1)}
    for fld in ("main_business_revenue", "operating_revenue", "net_profit"):
        growth[f"{fld}_cagr_2y"] = (fld, 2)
        growth[f"{fld}_avg_growth_2y"] = (fld, 2)
    growth["operating_revenue_avg_growth_3y"] = ("operating_revenue", 3)
    if k in growth:
        fld, n = growth[k]
        g = 1 + t / HUNDRED
        v = BASE
        for i, y in enumerate(range(year - n, year + 1)):
            if i:
                v = v * g
            if v != v.quantize(Decimal("0.01")):
                raise Skip(f"{k}: {value}% growth from {BASE} is not a figure in whole 0.01 万元")
            _put(out, fld, y, v + (sign if side == "past" and y == year else 0))
        return out, Decimal(1)
    if k == "main_business_revenue_avg_3y":
        for y in range(year - 2, year + 1):
            _put(out, "main_business_revenue", y, t + (3 * sign if side == "past" and y == year else 0))
        return out, None
    if k == "years_in_operation":
        first = year - int(t) + (0 if side == "at" else (1 if down else -1))
        _put(out, "founding_date", None, f"{first}-06-30")
        return out, Decimal(1)
    if k == "founding_year":
        y0 = int(t) + (0 if side == "at" else sign)
        _put(out, "founding_date", None, f"{y0}-06-30")
        return out, None
    raise Skip(f"no figures written for metric {k}")


# --------------------------------------------------------------------------- check trees
def force(check, want, year, fields, have=None):
    """Inputs making a check met (want True) or unmet (False), or Skip. ``have``: figures already
    chosen, which a met ratio may build on."""
    t = check["type"]
    out: dict = {}
    if t == "metric":
        y = year + check.get("year", 0)
        op = check["op"]
        if op == "==":
            vals, _s = metric_values(check["metric"], ">=", check["value"], "at" if want else "past", y, fields)
            return vals
        at_met = op in (">=", "<=")
        side = ("at" if at_met else "past") if want else ("past" if at_met else "at")
        vals, _s = metric_values(check["metric"], op, check["value"], side, y, fields, have if want else None)
        return vals
    if t == "flag":
        _put(out, check["flag"], None, check["equals"] if want else (not check["equals"]))
        return out
    if t == "choice":
        if want:
            _put(out, check["choice"], None, check["values"][0])
        else:
            other = [c for c in fields[check["choice"]].choices if c not in check["values"]]
            if not other:
                raise Skip(f"every choice of {check['choice']} meets it")
            _put(out, check["choice"], None, other[0])
        return out
    if t in ("all", "any"):
        parts = check["checks"]
        if (t == "all") == want:  # every part must go the same way
            for p in parts:
                merge(out, force(p, want, year, fields, merge(merge({}, have or {}), out)))
        else:
            merge(out, force(parts[0], want, year, fields))
        return out
    if t == "cases":
        first = check["cases"][0]
        if first["when"] is not None:
            merge(out, force(first["when"], True, year, fields))
        merge(out, force(first["then"], want, year, fields))
        return out
    raise Skip(f"no data written for a '{t}' check")


def merge(out, more):
    for k, v in more.items():
        if isinstance(v, dict):
            for y, x in v.items():
                _put(out, k, y, x)
        else:
            _put(out, k, None, v)
    return out


def leaves(check, path=()):
    """(metric check, path of (node, index) from the root) for every threshold not inside a 'when'."""
    t = check["type"]
    if t == "metric":
        yield check, path
    elif t in ("all", "any"):
        for i, c in enumerate(check["checks"]):
            yield from leaves(c, path + ((check, i),))
    elif t == "cases":
        for i, case in enumerate(check["cases"]):
            yield from leaves(case["then"], path + ((check, i),))


def context(path, target, year, fields, as_of):
    """Inputs making the leaf at the end of ``path`` decide its condition: its ``all`` siblings met,
    its ``any`` siblings unmet, its ``cases`` branch chosen. A sibling the target's figures already
    settle the wanted way is left alone."""
    out: dict = {}
    for node, i in path:
        t = node["type"]
        if t in ("all", "any"):
            for j, c in enumerate(node["checks"]):
                if j != i:
                    _settle(c, t == "all", out, target, year, fields, as_of)
        elif t == "cases":
            w = node["cases"][i]["when"]
            if w is not None:
                _settle(w, True, out, target, year, fields, as_of)
            for case in node["cases"][:i]:
                _settle(case["when"], False, out, target, year, fields, as_of)
    return out


def _settle(check, want, out, target, year, fields, as_of):
    have = merge(merge({}, target), out)
    if _already(check, want, have) or _status(check, have, year, fields, as_of) == ("met" if want else "unmet"):
        return
    merge(out, force(check, want, year, fields, have))


def _status(check, vals, year, fields, as_of):
    import json

    from zjtx_cli.engine.evaluate import evaluate_check, make_ctx
    from zjtx_cli.inputs.reader import read_json

    e = read_json("case.json", fields, data=json.loads(json.dumps(vals, default=str)))
    return evaluate_check(check, make_ctx(e, fields, year=year, as_of=dt.date.fromisoformat(as_of)))["status"]


def _already(check, want, have):
    """Whether values already given decide a choice or flag check the wanted way."""
    if check["type"] == "choice" and check["choice"] in have:
        return (have[check["choice"]] in check["values"]) == want
    if check["type"] == "flag" and check["flag"] in have:
        return (have[check["flag"]] == check["equals"]) == want
    return False


def cond_fields(rs, cond, seen=None):
    """Fields a condition reads (through lower tiers for a 'tier' check)."""
    from zjtx_cli.engine.metrics import METRIC_INPUTS
    from zjtx_cli.rules.loader import DELEGATED, walk_checks

    seen = seen if seen is not None else set()
    out = set()
    for c in walk_checks(cond["check"]):
        for k in c.get("metric", ()):
            out.update(METRIC_INPUTS.get(k, (k,)))
        out.update(c[k] for k in ("flag", "choice", "date") if k in c)
        if c["type"] == "sme":
            out.update(["industry", "employees", "operating_revenue", "total_assets", "sme_declared"])
        if c["type"] in DELEGATED:
            from zjtx_cli.engine import scoring

            out.update(scoring.fields_of(c))
        if c["type"] == "tier" and ":" not in c["tier"] and c["tier"] not in seen:
            seen.add(c["tier"])
            _t, tracks = rs.find(c["tier"])
            for tr in tracks:
                for cc in tr["conditions"]:
                    out |= cond_fields(rs, cc, seen)
    return out


def verdict(statuses):
    """The documented verdict rule, from [(kind, status)]."""
    if any(k == "exclusion" and s == "met" for k, s in statuses):
        return "excluded"
    if any(k == "required" and s == "unmet" for k, s in statuses):
        return "not_eligible"
    if any(k == "required" and s == "unknown" for k, s in statuses) or any(
            k == "exclusion" and s == "unknown" for k, s in statuses):
        return "undetermined"
    return "eligible"


OP_WORD = {">=": "不低于（含本数）", ">": "超过（不含本数）", "<=": "不高于（含本数）", "<": "低于（不含本数）", "==": "等于"}


def cases_for(rs, year, fields, as_of):
    from zjtx_cli.engine.metrics import metric_or_field

    out, skipped, done = [], [], set()
    for tier, track in rs.tracks():
        for cond in track["conditions"]:
            if cond["id"] in done:
                continue
            done.add(cond["id"])
            found = list(leaves(cond["check"]))
            if not found:
                continue
            for n, (leaf, path) in enumerate(found):
                label = f"{cond['id']}" + (f" #{n + 1}" if len(found) > 1 else "")
                try:
                    pair = []
                    for want in (True, False):
                        target = force(leaf, want, year, fields)
                        vals = merge(context(path, target, year, fields, as_of), target)
                        pair.append(_with_others(rs, track, cond, vals, want, year, fields, as_of))
                except Skip as exc:
                    skipped.append((tier, track, cond, label, str(exc)))
                    continue
                name_zh, _en, unit = metric_or_field(leaf["metric"][0] if len(leaf["metric"]) == 1 else
                                                     leaf["metric"][0], fields)
                what = "+".join(leaf["metric"]) if len(leaf["metric"]) > 1 else leaf["metric"][0]
                plain = not path or all(node["type"] == "cases" for node, _i in path)
                for (vals, statuses, gap_ok), want in zip(pair, (True, False)):
                    st = "met" if want else "unmet"
                    if cond["kind"] == "exclusion":
                        side = "排除情形成立" if want else "排除情形不成立"
                    else:
                        side = "满足" if want else "不满足"
                    case = {"name": f"{label} {what} {leaf['op']} {leaf['value']}{unit or ''}："
                                    f"{'恰在界值' if _at(leaf, want) else '越过界值一步'}（{side}）",
                            "tier": track["id"], "input": vals,
                            "verdict": verdict(statuses), "conditions": {cond["id"]: st},
                            "comment": f"{cond['citation']} — {cond['text']['zh']}"}
                    if (not want and plain and cond["kind"] == "required" and leaf["op"] in (">=", "<=")
                            and gap_ok and leaf["metric"][0] not in PART_OF_WHOLE):
                        case["gap"] = (cond["id"], 1 if leaf["metric"][0] not in fields or len(leaf["metric"]) > 1
                                       else _plain(step_of(leaf["metric"][0], fields)))
                    out.append(case)
    return out, skipped


def _at(leaf, want):
    return (leaf["op"] in (">=", "<=", "==")) == want


def _with_others(rs, track, cond, vals, want, year, fields, as_of):
    """[(kind, status)] of the track's conditions: this one by the side of its threshold, the others
    as zjtx finds them with these inputs (given only this condition's indicators, most are unknown)."""
    from zjtx_cli.engine.evaluate import assess_track, make_ctx
    from zjtx_cli.inputs.reader import read_json
    import json

    e = read_json("case.json", fields, data=json.loads(json.dumps(vals, default=str)))
    ctx = make_ctx(e, fields, year=year, as_of=dt.date.fromisoformat(as_of))
    tier = next(t for t, tr in rs.tracks() if tr is track)
    for lt in rs.tiers:
        if lt is tier:
            break
        for tr in lt["tracks"]:
            assess_track(rs, lt, tr, ctx)
    a = assess_track(rs, tier, track, ctx)
    statuses = []
    for r in a.results:
        if r["id"] == cond["id"]:
            mine = "met" if want else "unmet"
            if r["status"] != mine:
                sys.stderr.write(f"note: {rs.id} {cond['id']}: zjtx finds {r['status']}, the threshold says {mine}\n")
            statuses.append((r["kind"], mine))
        else:
            statuses.append((r["kind"], r["status"]))
    return vals, statuses, True


# ------------------------------------------------------------------------------- writing
def _yaml_scalar(v):
    import json

    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    s = str(v)
    if s and all(ch.isalnum() or ch in "_-." for ch in s) and not s[0].isdigit() and s not in ("true", "false",
                                                                                                   "null", "yes", "no"):
        return s
    if len(s) == 10 and s[4] == "-" and s[7] == "-":
        return s  # a date
    return json.dumps(s, ensure_ascii=False)


def _inline(d):
    parts = []
    for k, v in d.items():
        if isinstance(v, dict):
            parts.append(f"{k}: {{" + ", ".join(f"{y}: {_yaml_scalar(x)}" for y, x in sorted(v.items())) + "}")
        else:
            parts.append(f"{k}: {_yaml_scalar(v)}")
    return parts


def render(scheme, rs, cases, skipped, as_of, year):
    lines = [f"# Boundary cases of {scheme}.yaml: both sides of every threshold, figures from the rule's own",
             "# threshold (see the comment above each pair for the clause). Written by tests/boundary_cases.py;",
             "# run with `zjtx rules test`. Input: only the indicators the condition reads; other conditions",
             "# given no data are 缺数据, so the verdict is mostly undetermined (met) / not_eligible (unmet).",
             "# 以上/以下/不低于/不高于 include the number (op >= / <=), 超过/不满/低于 exclude it (op > / <).",
             f"scheme: {scheme}",
             f"defaults: {{as_of: {as_of}, year: {year}}}",
             "cases:"]
    last = None
    for c in cases:
        if c["comment"] != last:
            lines.append(f"  # {c['comment']}".replace("\n", " "))
            last = c["comment"]
        lines.append(f"  - name: {_yaml_scalar(c['name'])}")
        lines.append(f"    tier: {c['tier']}")
        lines.append("    input:")
        for p in _inline(c["input"]):
            lines.append(f"      {p}")
        exp = f"verdict: {c['verdict']}, conditions: {{{c['conditions'] and next(iter(c['conditions']))}: " \
              f"{next(iter(c['conditions'].values()))}}}"
        if c.get("gap"):
            exp += f", gaps: {{{c['gap'][0]}: {c['gap'][1]}}}"
        lines.append(f"    expect: {{{exp}}}")
    if skipped:
        lines.append("")
        lines.append("# Not generated (a reviewer may add hand-written cases for these):")
        for tier, track, cond, label, why in skipped:
            lines.append(f"#   {track['id']} / {label}: {why}")
    return "\n".join(lines) + "\n"


def build(scheme):
    from zjtx_cli.inputs.fields import field_dictionary
    from zjtx_cli.rules.registry import get_ruleset

    as_of, year = SETTINGS[scheme]
    rs = get_ruleset(scheme)
    cases, skipped = cases_for(rs, year, field_dictionary(), as_of)
    return render(scheme, rs, cases, skipped, as_of, year)


def main(argv):
    from zjtx_cli.rules.registry import builtin_paths

    write = "--write" in argv
    stale = []
    for scheme, path in sorted(builtin_paths().items()):
        if scheme not in SETTINGS:
            continue
        text = build(scheme)
        target = path[:-5] + ".tests.yaml"
        old = open(target, encoding="utf-8").read() if os.path.exists(target) else None
        if old != text:
            if write:
                with open(target, "w", encoding="utf-8") as fh:
                    fh.write(text)
            else:
                stale.append(target)
    if stale:
        sys.stderr.write("out of date (run python tests/boundary_cases.py --write): " + ", ".join(stale) + "\n")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

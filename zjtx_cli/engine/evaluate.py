"""Three-valued evaluation of rulesets against one enterprise, and the gaps.

Each condition is ``met``, ``unmet`` or ``unknown`` (data missing). A track's
verdict is ``excluded`` if any exclusion applies, else ``not_eligible`` if any
required condition is unmet, else ``undetermined`` if any required condition
is unknown or an exclusion cannot be ruled out, else ``eligible``. Priority conditions are counted and reported and
never change the verdict.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal

from zjtx_cli.engine.metrics import METRICS, MV, Ctx, evaluate_metric, fmt, metric_gap, metric_or_field, num_json
from zjtx_cli.rules.loader import DELEGATED, walk_checks

MET, UNMET, UNKNOWN = "met", "unmet", "unknown"
# PENDING: a figure only MIIT's platform computes (e.g. the 2026 评价得分) is absent.
# Inside check trees it is UNKNOWN with a "pending" note; a condition whose only
# unknowns are pending is reported as PENDING, and counts as unknown for the verdict.
PENDING = "pending"
FORMAT_VERSION = "1.0"

_OPS = {
    ">=": lambda a, b: a >= b, ">": lambda a, b: a > b, "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b, "==": lambda a, b: a == b,
}
OP_ZH = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}


def _all(statuses):
    if UNMET in statuses:
        return UNMET
    if UNKNOWN in statuses:
        return UNKNOWN
    return MET


def _any(statuses):
    if MET in statuses:
        return MET
    if UNKNOWN in statuses:
        return UNKNOWN
    return UNMET


# ------------------------------------------------------------------------------ checks
def evaluate_check(c: dict, ctx: Ctx) -> dict:
    node = _evaluate(c, ctx)
    if "label" in c and "label" not in node:
        node["label"] = c["label"]
    return node


def _evaluate(c: dict, ctx: Ctx) -> dict:
    t = c["type"]
    if t == "metric":
        return _metric(c, ctx)
    if t == "flag":
        v = ctx.raw(c["flag"])
        if v is None and c.get("if_missing") is not None:
            sub = evaluate_check(c["if_missing"], ctx)
            if sub["type"] == "tier":  # a title the text requires the firm to hold (issue 12)
                from zjtx_cli.engine.titles import title_node

                return title_node(c, sub, ctx.fields)
            return {"type": "flag", "status": sub["status"], "field": c["flag"], "equals": c["equals"],
                    "actual": None, "declared": False, "missing": sub.get("missing") or [], "fallback": sub}
        status = UNKNOWN if v is None else (MET if v == c["equals"] else UNMET)
        return {"type": "flag", "status": status, "field": c["flag"], "equals": c["equals"], "actual": v,
                "declared": True, "missing": [] if v is not None else [[c["flag"], None]]}
    if t == "choice":
        v = ctx.raw(c["choice"])
        status = UNKNOWN if v is None else (MET if v in c["values"] else UNMET)
        return {"type": "choice", "status": status, "field": c["choice"], "values": c["values"], "actual": v,
                "declared": True, "missing": [] if v is not None else [[c["choice"], None]]}
    if t in ("all", "any"):
        subs = [evaluate_check(s, ctx) for s in c["checks"]]
        status = (_all if t == "all" else _any)([s["status"] for s in subs])
        return {"type": t, "status": status, "checks": subs, "label": c.get("label")}
    if t == "cases":
        return _cases(c["cases"], ctx)
    if t == "date_within":
        d = ctx.raw(c["date"])
        if d is None:
            return {"type": "date_within", "status": UNKNOWN, "field": c["date"], "years": c["years"],
                    "actual": None, "declared": True, "missing": [[c["date"], None]]}
        try:
            until = d.replace(year=d.year + c["years"])
        except ValueError:  # 29 February
            until = d.replace(year=d.year + c["years"], day=28)
        # 民法典 第二百零一、二百零二条: the period starts the day after, and its last day is
        # the corresponding day of the final year, so the anniversary itself is still inside.
        status = MET if d <= ctx.as_of <= until else UNMET
        return {"type": "date_within", "status": status, "field": c["date"], "years": c["years"],
                "actual": d, "until": until, "declared": True, "missing": []}
    if t == "tier":
        v = ctx.tier_verdicts.get(c["tier"])
        status = {"eligible": MET, "not_eligible": UNMET, "excluded": UNMET}.get(v, UNKNOWN)
        return {"type": "tier", "status": status, "tier": c["tier"], "actual": v, "missing": [],
                "tier_name": ctx.tier_names.get(c["tier"], {})}
    if t == "sme":
        return _sme(ctx)
    if t in ("score", "declared_value", "review"):
        from zjtx_cli.engine import scoring as scoring

        return scoring.evaluate_check(c, ctx)
    raise AssertionError(t)  # pragma: no cover - the loader admits no other type


def _cases(cases, ctx) -> dict:
    """The first case whose 'when' is met decides. When a 'when' is unknown, the
    result is still known if this case and every later one would give the same."""
    for i, case in enumerate(cases):
        if case["when"] is None:
            res = evaluate_check(case["then"], ctx)
            return {"type": "cases", "status": res["status"], "when": None, "then": res}
        w = evaluate_check(case["when"], ctx)
        if w["status"] == MET:
            res = evaluate_check(case["then"], ctx)
            return {"type": "cases", "status": res["status"], "when": w, "then": res}
        if w["status"] == UNKNOWN:
            here = evaluate_check(case["then"], ctx)
            rest = _cases(cases[i + 1:], ctx)
            from zjtx_cli.engine.branches import open_branches  # every case that may apply (issue 12)

            br = open_branches(cases[i:], ctx, evaluate_check)
            if here["status"] == rest["status"] != UNKNOWN:
                return {"type": "cases", "status": here["status"], "when": w, "then": here, "either_way": True,
                        "branches": br}
            return {"type": "cases", "status": UNKNOWN, "when": w, "then": None, "branches": br}
    return {"type": "cases", "status": UNMET, "when": None, "then": None, "no_case": True,
            "whens": [c["when"] for c in cases if c["when"] is not None]}


def _metric(c, ctx):
    keys = c["metric"]
    year = ctx.year + c["year"]
    target = c["dvalue"]
    op = c["op"]
    if len(keys) == 1:
        mv = evaluate_metric(keys[0], ctx, year)
        value, missing = mv.value, mv.missing
        unit = mv.unit
    else:  # a sum of counts, e.g. utility + design patents + software copyrights
        value, missing, unit, parts = Decimal(0), [], None, []
        for k in keys:
            mv1 = evaluate_metric(k, ctx, year)
            unit = unit or mv1.unit
            if mv1.value is None:
                missing.extend(mv1.missing)
            else:
                value += mv1.value
                parts.append((k, mv1.value))
        mv = MV(value, missing, [(k, None, v) for k, v in parts], mv1.formula_zh, mv1.formula_en, unit)
    per_year = c.get("_per_year")
    if per_year is None:
        per_year = c["_per_year"] = any(_is_per_year(k, ctx) for k in keys)
    node = {"type": "metric", "metric": keys, "year": year if per_year else None, "op": op, "value": target,
            "unit": unit, "actual": None, "missing": [list(m) for m in missing],
            "declared": bool(getattr(mv, "declared", False)),
            "formula_zh": mv.formula_zh, "formula_en": mv.formula_en,
            "inputs": [list(i) for i in mv.inputs], "gap": None}
    if missing:
        # a partial sum that already meets a lower bound settles it
        if len(keys) > 1 and op in (">=", ">") and _OPS[op](value, target):
            node.update(status=MET, actual=value)
            return node
        node["status"] = UNKNOWN
        if len(keys) > 1 and mv.inputs:  # the known part of a sum
            node["actual"] = value
        return node
    if value is None:
        # given, but meaningless: growth from a zero or negative base, a ratio over zero
        node.update(status=UNMET, invalid=[list(x) for x in mv.invalid])
        return node
    node["actual"] = value
    ok = _OPS[op](value, target)
    node["status"] = MET if ok else UNMET
    if not ok:
        if len(keys) == 1:
            node["gap"] = metric_gap(keys[0], ctx, year, op, target, mv)
        else:
            from zjtx_cli.engine.metrics import Gap

            short = target - value + (1 if op == ">" else 0)
            node["gap"] = Gap(short, unit or "", f"尚差 {fmt(short, unit, up=True)}", f"short by {fmt(short, unit, lang='en', up=True)}",
                              short / target if target else None)
    return node


def _is_per_year(k, ctx):
    if k in METRICS:
        from zjtx_cli.engine.metrics import STATIC_METRICS

        return k not in STATIC_METRICS
    return ctx.fields[k].per_year


def _sme(ctx):
    from zjtx_cli.engine.sme import sme_condition

    return sme_condition(ctx)


# -------------------------------------------------------------------------- conditions
def evaluate_condition(cond: dict, ctx: Ctx) -> dict:
    # Tracks of one tier often share conditions (a tier's 'common' ones): evaluate each once
    # per enterprise. Conditions that look at another tier's verdict are always re-evaluated.
    pure = cond.get("_pure")
    if pure is None:
        pure = cond["_pure"] = not _has_tier_check(cond["check"])
    if pure:
        hit = ctx.memo.get(id(cond))
        if hit is not None:
            return hit
    res = evaluate_check(cond["check"], ctx)
    status = res["status"]
    can_pend = cond.get("_can_pend")
    if can_pend is None:
        can_pend = cond["_can_pend"] = _has_delegated_check(cond["check"])
    if status == UNKNOWN and can_pend and _only_pending(res):
        status = PENDING
    out = {"id": cond["id"], "kind": cond["kind"], "status": status, "cond": cond, "result": res}
    if res.get("not_examined"):
        out["not_examined"] = True  # e.g. not examined on re-review: passes, but is not 'met' 
    if pure:
        ctx.memo[id(cond)] = out
    return out


def _has_tier_check(c) -> bool:
    # delegated (scored) checks are never memoised either: to be safe
    return any(x["type"] == "tier" or x["type"] in DELEGATED for x in walk_checks(c))


def _has_delegated_check(c) -> bool:
    """Whether a check tree holds a scored / platform-value check (the only source of 'pending')."""
    return any(x["type"] in DELEGATED for x in walk_checks(c))


def is_declared(r) -> bool:
    """Whether a condition's result rests on a company's own declaration."""
    return _declared(r["result"])


def _only_pending(node) -> bool:
    """True when every unknown under this node is a platform-computed (pending) value."""
    if node["status"] != UNKNOWN:
        return True
    if node.get("pending"):
        return True
    subs = list(node.get("checks", ()))
    for k in ("when", "then"):
        if node.get(k):
            subs.append(node[k])
    unknown = [s for s in subs if s["status"] == UNKNOWN]
    return bool(unknown) and all(_only_pending(s) for s in unknown)


def _declared(node) -> bool:
    if node.get("declared"):
        return True
    for s in node.get("checks", ()):
        if s["status"] == node["status"] and _declared(s):
            return True
    if node.get("then") and _declared(node["then"]):
        return True
    return False


def verdict_of(results) -> str:
    if any(r["kind"] == "exclusion" and r["status"] == MET for r in results):
        return "excluded"
    req = [r["status"] for r in results if r["kind"] == "required"]
    if UNMET in req:
        return "not_eligible"
    # an exclusion that cannot be ruled out leaves the verdict open, as a missing required figure does
    excl = [r["status"] for r in results if r["kind"] == "exclusion"]
    if UNKNOWN in req or PENDING in req or UNKNOWN in excl or PENDING in excl:
        return "undetermined"
    return "eligible"


def counts_of(results) -> dict:
    c = {"met": 0, "unmet": 0, "unknown": 0, "pending": 0, "not_examined": 0, "priority_met": 0,
         "exclusions_applying": 0}
    for r in results:
        if r["kind"] == "required" and r.get("not_examined"):
            c["not_examined"] += 1
        elif r["kind"] == "required":
            c[r["status"]] += 1
            if r["status"] == PENDING:
                c["unknown"] += 1
        elif r["kind"] == "priority" and r["status"] == MET:
            c["priority_met"] += 1
        elif r["kind"] == "exclusion" and r["status"] == MET:
            c["exclusions_applying"] += 1
    return c


# -------------------------------------------------------------------------------- gaps
EFFORT_ORDER = {"data": 0, "declaration": 1, "near": 2, "far": 3, "blocker": 4}


def gap_items(node, ctx) -> list[dict]:
    """What is lacking under a check node that is not met."""
    st = node["status"]
    if st == MET:
        return []
    t = node["type"]
    if st == UNKNOWN and node.get("missing") is not None and t not in ("all", "any", "cases") \
            and not node.get("pending"):
        if node["missing"]:
            return [{"kind": "data", "missing": node["missing"], "effort": "data", "node": node}]
    if t == "metric" and node.get("invalid"):
        return [{"kind": "invalid", "effort": "far", "node": node}]
    if t == "metric":
        g = node.get("gap")
        rel = g.relative if g is not None else None
        from zjtx_cli.engine.metrics import BLOCKER_METRICS

        effort = "blocker" if len(node["metric"]) == 1 and node["metric"][0] in BLOCKER_METRICS else (
            "near" if rel is not None and rel <= Decimal("0.1") else "far")
        return [{"kind": "numeric", "effort": effort, "node": node, "gap": g}]
    if t == "flag" and node.get("fallback") is not None:
        return [{"kind": "declaration", "effort": "declaration", "node": dict(node, fallback=None)}] + \
            gap_items(node["fallback"], ctx)
    if t in ("flag", "choice", "sme"):
        return [{"kind": "declaration", "effort": "declaration", "node": node}]
    if t in ("score", "declared_value", "review"):
        from zjtx_cli.engine import scoring as scoring

        return scoring.gap_items(node, ctx)
    if t == "date_within":
        return [{"kind": "blocker", "effort": "blocker", "node": node}]
    if t == "tier":
        return [{"kind": "tier", "effort": "far", "node": node}]
    if t == "all":
        out = []
        for s in node["checks"]:
            out.extend(gap_items(s, ctx))
        from zjtx_cli.engine.metrics import rank_range_items  # "no award now; rank 1–3 needed"

        return rank_range_items(node, _merge_data(out))
    if t == "any":
        options = [gap_items(s, ctx) for s in node["checks"] if s["status"] != MET]
        options = [o for o in options if o]
        if len(options) == 1:
            return options[0]
        effort = min((max(EFFORT_ORDER[i["effort"]] for i in o) for o in options), default=0)
        return [{"kind": "alternatives", "options": options, "node": node,
                 "effort": [k for k, v in EFFORT_ORDER.items() if v == effort][0]}]
    if t == "cases":
        if node.get("branches") and node["status"] != MET:  # the case is not known: each branch (issue 12)
            from zjtx_cli.engine.branches import branch_gap_items

            return branch_gap_items(node, ctx, gap_items)
        if node.get("either_way") and node.get("when") is not None:
            # decided whichever case applies: the threshold shown is one of them, so ask for
            # the data that says which one it is as well
            return _merge_data(gap_items(node["when"], ctx) + gap_items(node["then"], ctx))
        if node.get("then") is not None:
            return gap_items(node["then"], ctx)
        if node.get("when") is not None:
            return gap_items(node["when"], ctx)
        return [{"kind": "blocker", "effort": "blocker", "node": node}]
    return []


def _missing_under(node) -> list:
    """Every [field, year] missing under an unknown node."""
    out = []
    if node.get("status") not in (UNKNOWN, PENDING):
        return out
    for m in node.get("missing") or ():
        if list(m) not in out:
            out.append(list(m))
    subs = list(node.get("checks", ()))
    for k in ("when", "then"):
        if node.get(k):
            subs.append(node[k])
    for s in subs:
        for m in _missing_under(s):
            if m not in out:
                out.append(m)
    return out


def _merge_data(items: list[dict]) -> list[dict]:
    """One 'provide data' item for all the data missing under a node, each field once."""
    data = [i for i in items if i["kind"] == "data"]
    if len(data) < 2:
        return items
    missing = []
    for i in data:
        for m in i["missing"]:
            if list(m) not in missing:
                missing.append(list(m))
    merged = {"kind": "data", "missing": missing, "effort": "data", "node": data[0]["node"]}
    return [merged] + [i for i in items if i["kind"] != "data"]


def gaps_of(results, ctx) -> list[dict]:
    out = []
    for r in results:
        if r["kind"] == "required" and r["status"] != MET:
            items = gap_items(r["result"], ctx)
            effort = max((EFFORT_ORDER[i["effort"]] for i in items), default=0)
            out.append({"condition": r["id"], "status": r["status"], "items": items,
                        "effort": [k for k, v in EFFORT_ORDER.items() if v == effort][0], "cond": r["cond"]})
        elif r["kind"] == "exclusion" and r["status"] == MET:
            out.append({"condition": r["id"], "status": "excluded", "items": [], "effort": "blocker",
                        "cond": r["cond"]})
        elif r["kind"] == "exclusion" and r["status"] in (UNKNOWN, PENDING):
            missing = _missing_under(r["result"])
            items = [{"kind": "data", "missing": missing, "effort": "data", "node": r["result"]}] if missing else []
            out.append({"condition": r["id"], "status": r["status"], "items": items, "effort": "data",
                        "cond": r["cond"]})
    out.sort(key=lambda g: EFFORT_ORDER[g["effort"]])
    return out


# -------------------------------------------------------------------------- assessment
class Assessment:
    """One track of one tier, evaluated."""

    def __init__(self, ruleset, tier, track, ctx, results):
        self.ruleset = ruleset
        self.tier = tier
        self.track = track
        self.ctx = ctx
        self.results = results
        self.verdict = verdict_of(results)
        self.counts = counts_of(results)
        self._gaps = None

    @property
    def gaps(self):
        if self._gaps is None:
            self._gaps = gaps_of(self.results, self.ctx)
        return self._gaps


def make_ctx(enterprise, fields, year=None, as_of=None, review=False) -> Ctx:
    """The assessment year defaults to the latest year in the data (else the year before as_of)."""
    if as_of is None:
        as_of = _dt.date.today()
    if year is None:
        year = enterprise.latest_year()
    if year is None:
        year = as_of.year - 1
    return Ctx(enterprise, year, as_of, fields, review=review)


def assess_track(ruleset, tier, track, ctx) -> Assessment:
    results = [evaluate_condition(c, ctx) for c in track["conditions"]]
    a = Assessment(ruleset, tier, track, ctx, results)
    ctx.tier_names[track["id"]] = track["name"]
    ctx.tier_names.setdefault(tier["id"], tier["name"])
    ctx.tier_verdicts[track["id"]] = a.verdict
    return a


def tier_status(assessments) -> str:
    verdicts = [a.verdict for a in assessments]
    if "eligible" in verdicts:
        return "reached"
    if "undetermined" in verdicts:
        return "undetermined"
    return "not_reached"


class Ladder:
    """Every tier and track of a scheme, in ladder order."""

    def __init__(self, ruleset, ctx):
        self.ruleset = ruleset
        self.ctx = ctx
        self.tiers = []  # (tier, [Assessment], status)
        for t in ruleset.tiers:
            group = [assess_track(ruleset, t, tr, ctx) for tr in t["tracks"]]
            st = tier_status(group)
            ctx.tier_verdicts[t["id"]] = {"reached": "eligible", "undetermined": "undetermined"}.get(
                st, "not_eligible")
            self.tiers.append((t, group, st))
        reached = [i for i, (_t, _g, st) in enumerate(self.tiers) if st == "reached"]
        self.highest = self.tiers[reached[-1]][0] if reached else None
        # the next tier: the first one above the highest reached that is not reached
        start = reached[-1] + 1 if reached else 0
        self.next = None
        self.next_assessment = None
        self.next_external = None
        for t, group, st in self.tiers[start:]:
            if st != "reached":
                self.next = t
                self.next_assessment = closest(group)
                break
        if self.next is None and self.highest is not None and self.highest.get("next"):
            self.next_external = self.highest["next"]
            self.next_assessment = assess_external(self.next_external, ctx)

    @property
    def verdict(self):
        if self.highest is not None:
            return "eligible"
        if any(st == "undetermined" for _t, _g, st in self.tiers):
            return "undetermined"
        return "not_eligible"


def assess_external(ref: str, ctx):
    """Assess the tier named ``scheme:tier`` (a ladder crossing schemes), or None."""
    from zjtx_cli.rules.loader import get_ruleset

    if ":" not in ref:
        return None
    scheme, tier_id = ref.split(":", 1)
    try:
        from zjtx_cli.rules.versions import resolve

        scheme = resolve(scheme, ctx.as_of)
    except ImportError:
        pass
    rs = get_ruleset(scheme)
    if rs is None:
        return None
    t, tracks = rs.find(tier_id)
    if t is None:
        return None
    sub = Ctx(ctx.e, ctx.year, ctx.as_of, ctx.fields, review=ctx.review)
    for lt in rs.tiers:  # lower tiers first, for dependencies
        if lt is t:
            break
        for tr in lt["tracks"]:
            assess_track(rs, lt, tr, sub)
    return closest([assess_track(rs, t, tr, sub) for tr in tracks])


def closest(assessments):
    """The track nearest to success: fewest unmet, then fewest unknown."""
    return min(assessments, key=lambda a: (a.verdict == "excluded", a.counts["unmet"], a.counts["unknown"]))


__all__ = ["MET", "UNMET", "UNKNOWN", "evaluate_check", "assess_track", "Ladder", "make_ctx", "num_json", "fmt",
           "metric_or_field", "OP_ZH", "FORMAT_VERSION"]

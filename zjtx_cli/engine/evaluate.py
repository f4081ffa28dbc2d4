"""Three-valued evaluation of rulesets against one enterprise, and the gaps.

Each condition is ``met``, ``unmet`` or ``unknown`` (data missing). A track's
verdict is ``excluded`` if any exclusion applies, else ``not_eligible`` if any
required condition is unmet, else ``undetermined`` if any required condition
is unknown or an exclusion cannot be ruled out, else ``eligible``. Priority conditions are counted and reported and
never change the verdict.
"""

from __future__ import annotations

import datetime as _dt

from zjtx_cli.engine.kinds.base import node_children
from zjtx_cli.engine.kinds.common import evaluate_check, gap_items
from zjtx_cli.engine.metrics import Ctx, fmt, metric_or_field, num_json
from zjtx_cli.engine.status import EFFORT_ORDER, MET, OP_SIGN, PENDING, UNKNOWN, UNMET, effort_name

FORMAT_VERSION = "1.0"
OP_ZH = OP_SIGN  # the comparison signs shown to people (≥ ≤ …), kept under its old name


# -------------------------------------------------------------------------- conditions
def evaluate_condition(cond, ctx: Ctx) -> dict:
    # Tracks of one tier often share conditions (a tier's 'common' ones): evaluate each once
    # per enterprise. Conditions that look at another tier's verdict are always re-evaluated.
    if cond.memoisable:
        hit = ctx.memo.get(id(cond))
        if hit is not None:
            return hit
    res = evaluate_check(cond.check, ctx)
    status = res["status"]
    if status == UNKNOWN and cond.can_pend and _only_pending(res):
        status = PENDING
    out = {"id": cond.id, "kind": cond.kind, "status": status, "cond": cond, "result": res}
    if res.get("not_examined"):
        out["not_examined"] = True  # e.g. not examined on re-review: passes, but is not 'met'
    if cond.memoisable:
        ctx.memo[id(cond)] = out
    return out


def is_declared(r) -> bool:
    """Whether a condition's result rests on a company's own declaration."""
    return _declared(r["result"])


def _only_pending(node) -> bool:
    """True when every unknown under this node is a platform-computed (pending) value."""
    if node["status"] != UNKNOWN:
        return True
    if node.get("pending"):
        return True
    subs = node_children(node)
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
def _missing_under(node) -> list:
    """Every [field, year] missing under an unknown node."""
    out = []
    if node.get("status") not in (UNKNOWN, PENDING):
        return out
    for m in node.get("missing") or ():
        if list(m) not in out:
            out.append(list(m))
    for s in node_children(node):
        for m in _missing_under(s):
            if m not in out:
                out.append(m)
    return out


def gaps_of(results, ctx) -> list[dict]:
    out = []
    for r in results:
        if r["kind"] == "required" and r["status"] != MET:
            items = gap_items(r["result"], ctx)
            effort = max((EFFORT_ORDER[i["effort"]] for i in items), default=0)
            out.append({"condition": r["id"], "status": r["status"], "items": items,
                        "effort": effort_name(effort), "cond": r["cond"]})
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


__all__ = ["MET", "UNMET", "UNKNOWN", "PENDING", "EFFORT_ORDER", "evaluate_check", "gap_items", "assess_track",
           "Ladder", "make_ctx", "num_json", "fmt", "metric_or_field", "OP_ZH", "FORMAT_VERSION"]

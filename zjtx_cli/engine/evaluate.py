"""Conditions, verdicts and gaps: three-valued evaluation of one track's rules.

What a check does is its kind's (``engine/kinds``); what to assess, and in which order, is the
service's (``engine/service.py``). Each condition is ``met``, ``unmet`` or ``unknown`` (data missing). A track's
verdict is ``excluded`` if any exclusion applies, else ``not_eligible`` if any
required condition is unmet, else ``undetermined`` if any required condition
is unknown or an exclusion cannot be ruled out, else ``eligible``. Priority conditions are counted and reported and
never change the verdict.
"""

from __future__ import annotations

from zjtx_cli.engine.context import EvaluationContext
from zjtx_cli.engine.gaps import gaps_of
from zjtx_cli.engine.kinds.base import node_children
from zjtx_cli.engine.kinds.common import evaluate_check, gap_items, inputs_used
from zjtx_cli.engine.results import ConditionResult
from zjtx_cli.engine.status import EFFORT_ORDER, MET, PENDING, UNKNOWN, UNMET

FORMAT_VERSION = "1.1"  # 1.1: evidence states, the conditional verdict, the checklist (issue 13)


# -------------------------------------------------------------------------- conditions
def evaluate_condition(cond, ctx: EvaluationContext) -> ConditionResult:
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
    # not examined (e.g. on re-review): passes, but is not 'met'
    not_examined = bool(res.get("not_examined"))
    state, used, needed = evidence_state(cond.kind, status, not_examined, res, ctx)
    out = ConditionResult(id=cond.id, kind=cond.kind, status=status, cond=cond, result=res,
                          not_examined=not_examined, evidence=state, inputs=used, evidence_needed=needed)
    if cond.memoisable:
        ctx.memo[id(cond)] = out
    return out


def evidence_state(kind, status, not_examined, node, ctx) -> tuple[str, tuple, tuple]:
    """(state, inputs used, inputs without evidence) of a condition (issue 13).

    A condition met (an exclusion: ruled out) rests on the inputs that decided it; it is
    ``evidenced`` when each of them names evidence, else ``declared``. Unmet, unknown or pending
    conditions, exclusions that apply and conditions not examined are ``not_applicable``."""
    settled = UNMET if kind == "exclusion" else MET
    if not_examined or status != settled:
        return "not_applicable", (), ()
    has = ctx.has_evidence
    used = tuple(inputs_used(node, ctx, has))
    needed = tuple(i for i in used if not has(*i))
    return ("declared" if needed else "evidenced"), used, needed


def is_declared(r) -> bool:
    """Whether a condition's result rests on a company's own declaration."""
    return _declared(r.result)


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


def verdict_of(results, evidence_required: bool = False) -> str:
    """excluded > not_eligible > undetermined > conditional (officer mode only) > eligible."""
    v = _verdict(results)
    if v == "eligible" and evidence_required and any(
            r.kind in ("required", "exclusion") and r.evidence == "declared" for r in results):
        return "conditional"
    return v


def _verdict(results) -> str:
    if any(r.kind == "exclusion" and r.status == MET for r in results):
        return "excluded"
    req = [r.status for r in results if r.kind == "required"]
    if UNMET in req:
        return "not_eligible"
    # an exclusion that cannot be ruled out leaves the verdict open, as a missing required figure does
    excl = [r.status for r in results if r.kind == "exclusion"]
    if UNKNOWN in req or PENDING in req or UNKNOWN in excl or PENDING in excl:
        return "undetermined"
    return "eligible"


def counts_of(results) -> dict:
    c = {"met": 0, "unmet": 0, "unknown": 0, "pending": 0, "not_examined": 0, "priority_met": 0,
         "exclusions_applying": 0, "evidence_needed": 0}
    for r in results:
        if r.kind in ("required", "exclusion") and r.evidence == "declared":
            c["evidence_needed"] += 1  # 待补证: met (ruled out) on inputs without evidence
        if r.kind == "required" and r.not_examined:
            c["not_examined"] += 1
        elif r.kind == "required":
            c[r.status] += 1
            if r.status == PENDING:
                c["unknown"] += 1
        elif r.kind == "priority" and r.status == MET:
            c["priority_met"] += 1
        elif r.kind == "exclusion" and r.status == MET:
            c["exclusions_applying"] += 1
    return c


__all__ = ["MET", "UNMET", "UNKNOWN", "PENDING", "EFFORT_ORDER", "FORMAT_VERSION", "evaluate_check",
           "evaluate_condition", "evidence_state", "gap_items", "gaps_of", "counts_of", "verdict_of", "is_declared"]

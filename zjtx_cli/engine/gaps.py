"""What is lacking: the gap record of one condition, and the gaps of a track's results, easiest first.

Each condition that is not met (an exclusion: that applies, or cannot be ruled out) gets a
:class:`ConditionGap` whose items its check's kind gives (``engine/kinds``), with the effort to
close it: data, declaration, near, far, blocker (``engine/status.py``).
"""

from __future__ import annotations

from zjtx_cli.engine.kinds.base import node_children
from zjtx_cli.engine.kinds.common import gap_items
from zjtx_cli.engine.record import DictLikeRecord
from zjtx_cli.engine.status import EFFORT_ORDER, MET, PENDING, UNKNOWN, effort_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class ConditionGap(DictLikeRecord):
    """What is lacking for one condition: ``items`` (plain dicts, by their kind), the ``effort``
    to close it (data, declaration, near, far, blocker)."""

    __slots__ = ("condition", "status", "items", "effort", "cond")
    condition: str
    status: str  # unmet | unknown | pending | excluded
    items: list[dict]
    effort: str
    cond: Any


def _missing_under(node) -> list:
    """Every [field, year] missing under an unknown node."""
    out: list = []
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


def gaps_of(results, ctx) -> list[ConditionGap]:
    out: list[ConditionGap] = []
    for r in results:
        if r.kind == "required" and r.status != MET:
            items = gap_items(r.result, ctx)
            effort = max((EFFORT_ORDER[i["effort"]] for i in items), default=0)
            out.append(ConditionGap(condition=r.id, status=r.status, items=items, effort=effort_name(effort),
                                    cond=r.cond))
        elif r.kind == "exclusion" and r.status == MET:
            out.append(ConditionGap(condition=r.id, status="excluded", items=[], effort="blocker", cond=r.cond))
        elif r.kind == "exclusion" and r.status in (UNKNOWN, PENDING):
            missing = _missing_under(r.result)
            items = [{"kind": "data", "missing": missing, "effort": "data", "node": r.result}] if missing else []
            out.append(ConditionGap(condition=r.id, status=r.status, items=items, effort="data", cond=r.cond))
    out.sort(key=lambda g: EFFORT_ORDER[g.effort])
    return out

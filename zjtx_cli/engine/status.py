"""Three-valued statuses, comparisons and effort levels: one definition for the whole engine."""

from __future__ import annotations

MET, UNMET, UNKNOWN = "met", "unmet", "unknown"
# PENDING: a figure only MIIT's platform computes (e.g. the 2026 评价得分) is absent.
# Inside check trees it is UNKNOWN with a "pending" note; a condition whose only
# unknowns are pending is reported as PENDING, and counts as unknown for the verdict.
PENDING = "pending"

COMPARE = {
    ">=": lambda a, b: a >= b, ">": lambda a, b: a > b, "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b, "==": lambda a, b: a == b,
}
OPS = tuple(COMPARE)
OP_SIGN = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}

# how hard a gap is to close, easiest first
EFFORT_ORDER = {"data": 0, "declaration": 1, "near": 2, "far": 3, "blocker": 4}


def effort_name(rank: int) -> str:
    return [k for k, v in EFFORT_ORDER.items() if v == rank][0]


def all_of(statuses) -> str:
    if UNMET in statuses:
        return UNMET
    if UNKNOWN in statuses:
        return UNKNOWN
    return MET


def any_of(statuses) -> str:
    if MET in statuses:
        return MET
    if UNKNOWN in statuses:
        return UNKNOWN
    return UNMET

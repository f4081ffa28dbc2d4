"""Which tracks an assessment looks at: for warnings that name conditions (issue 12)."""

from __future__ import annotations


def tracks_in_scope(ruleset, tier=None) -> list:
    """(tier, track) pairs assessed for ``--tier`` (a tier id or a track id): that tier's tracks and
    the tiers below it (assessed for dependencies); every pair for a whole-ladder run (None)."""
    pairs = list(ruleset.tracks())
    if tier is None:
        return pairs
    t, tracks = ruleset.find(tier)
    if t is None:
        return pairs
    ids = {id(tr) for tr in tracks}
    out = []
    for lt, tr in pairs:
        if lt is t:
            out.extend((lt, x) for x in lt["tracks"] if id(x) in ids)
            break
        out.append((lt, tr))
    return out

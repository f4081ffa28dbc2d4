"""The assessment service: one function decides what to assess and assesses it.

:func:`assess` is what ``zjtx assess``, ``zjtx batch``, the library API (``zjtx_cli.assess``)
and the tests call. Scope:

* ``tier`` names a track: that track (``scope="track"``);
* ``tier`` names a tier with several tracks: every track of it (``scope="tier"``);
* no ``tier`` and a scheme of one track: that track, and when the company is eligible, the
  tier above it in another scheme (``next``: ``scheme:tier``);
* otherwise the whole ladder (``scope="ladder"``), with the next tier to work towards (in this
  scheme, or across schemes).

Lower tiers are always assessed first, so that a condition ``{tier: ID}`` sees their verdicts.
A ``scheme:tier`` reference is looked up through the ruleset itself (``Ruleset.lookup``), so the
engine does not import the rule loader.
"""

from __future__ import annotations

import datetime as _dt

from zjtx_cli.engine.context import EvaluationContext
from zjtx_cli.engine.evaluate import counts_of, evaluate_condition, verdict_of
from zjtx_cli.engine.results import Assessment, LadderAssessment, TierStatus, TrackAssessment, closest


class UnknownTier(KeyError):
    """``tier`` is neither a tier nor a track of the scheme; ``known`` lists what is."""

    def __init__(self, tier, scheme, known):
        super().__init__(tier)
        self.tier, self.scheme, self.known = tier, scheme, known


def make_ctx(enterprise, fields, year=None, as_of=None, review=False, evidence_required=False) -> EvaluationContext:
    """The assessment year defaults to the latest year in the data (else the year before as_of)."""
    if as_of is None:
        as_of = _dt.date.today()
    if year is None:
        year = enterprise.latest_year()
    if year is None:
        year = as_of.year - 1
    return EvaluationContext(enterprise, year, as_of, fields, review=review, evidence_required=evidence_required)


# ----------------------------------------------------------------------------- primitives
def assess_track(ruleset, tier, track, ctx) -> TrackAssessment:
    """One track; records its verdict in ``ctx`` for the tiers above."""
    results = [evaluate_condition(c, ctx) for c in track["conditions"]]
    a = TrackAssessment(ruleset=ruleset, tier=tier, track=track, ctx=ctx, results=results,
                        verdict=verdict_of(results, ctx.evidence_required), counts=counts_of(results), _gap_cache=[])
    # what the verdict rests on, for a condition {tier: ID} above (issue 13)
    ctx.tier_inputs[track["id"]] = tuple(i for r in results if r.kind in ("required", "exclusion") for i in r.inputs)
    ctx.tier_names[track["id"]] = track["name"]
    ctx.tier_names.setdefault(tier["id"], tier["name"])
    ctx.tier_verdicts[track["id"]] = a.verdict
    return a


def tier_status(assessments) -> str:
    verdicts = [a.verdict for a in assessments]
    if "eligible" in verdicts:
        return "reached"
    if "conditional" in verdicts:  # officer mode: reached, subject to evidence (issue 13)
        return "conditional"
    if "undetermined" in verdicts:
        return "undetermined"
    return "not_reached"


TIER_VERDICT = {"reached": "eligible", "not_reached": "not_eligible", "conditional": "conditional"}  # else undetermined
REACHED = ("reached", "conditional")


def _reaching(tracks):
    """The track a tier is reached by (eligible first, then conditional), or None."""
    for v in ("eligible", "conditional"):
        for a in tracks:
            if a.verdict == v:
                return a
    return None


def assess_lower_tiers(ruleset, tier, ctx) -> None:
    """Every track of every tier below ``tier``, for the conditions that depend on them."""
    for lower in ruleset.tiers:
        if lower is tier:
            break
        for tr in lower["tracks"]:
            assess_track(ruleset, lower, tr, ctx)


def assess_tracks(ruleset, tier, tracks, ctx) -> list[TrackAssessment]:
    """The given tracks of a tier, lower tiers first."""
    assess_lower_tiers(ruleset, tier, ctx)
    return [assess_track(ruleset, tier, tr, ctx) for tr in tracks]


def assess_external(ref: str, ctx, ruleset=None):
    """The closest track of the tier ``scheme:tier``, assessed in a fresh context, or None."""
    if ":" not in ref:
        return None
    if ruleset is None:
        return None
    found = ruleset.lookup(ref, ctx.as_of)
    if found is None:
        return None
    rs, tier, tracks = found
    sub = EvaluationContext(ctx.e, ctx.year, ctx.as_of, ctx.fields, review=ctx.review,
                            evidence_required=ctx.evidence_required)
    return closest(assess_tracks(rs, tier, tracks, sub))


def assess_ladder(ruleset, ctx) -> LadderAssessment:
    tiers = []
    for t in ruleset.tiers:
        group = [assess_track(ruleset, t, tr, ctx) for tr in t["tracks"]]
        st = tier_status(group)
        ctx.tier_verdicts[t["id"]] = TIER_VERDICT.get(st, "undetermined")
        by = _reaching(group)
        if by is not None:
            ctx.tier_inputs[t["id"]] = ctx.tier_inputs.get(by.track["id"], ())
        tiers.append(TierStatus(tier=t, tracks=group, status=st))
    reached = [i for i, ts in enumerate(tiers) if ts.status in REACHED]
    highest = tiers[reached[-1]].tier if reached else None
    # the next tier: the first one above the highest reached that is not reached
    nxt = next_assessment = next_external = None
    for ts in tiers[reached[-1] + 1 if reached else 0:]:
        if ts.status not in REACHED:
            nxt, next_assessment = ts.tier, closest(ts.tracks)
            break
    if nxt is None and highest is not None and highest.get("next"):
        next_external = highest["next"]
        next_assessment = assess_external(next_external, ctx, ruleset)
    if highest is not None:
        verdict = "eligible" if tiers[reached[-1]].status == "reached" else "conditional"
    elif any(ts.status == "undetermined" for ts in tiers):
        verdict = "undetermined"
    else:
        verdict = "not_eligible"
    return LadderAssessment(ruleset=ruleset, ctx=ctx, tiers=tuple(tiers), highest=highest, next=nxt,
                            next_assessment=next_assessment, next_external=next_external, verdict=verdict)


# ---------------------------------------------------------------------------------- service
def scope_of(ruleset, tier=None):
    """(scope, tier, tracks) the service will assess; raises :class:`UnknownTier`."""
    if tier is not None:
        t, tracks = ruleset.find(tier)
        if t is None:
            known = [tr["id"] for _t, tr in ruleset.tracks()] + \
                [x["id"] for x in ruleset.tiers if len(x["tracks"]) > 1]
            raise UnknownTier(tier, ruleset.id, known)
        return ("track" if len(tracks) == 1 else "tier"), t, tracks
    if len(ruleset.tiers) == 1 and len(ruleset.tiers[0]["tracks"]) == 1:
        return "track", ruleset.tiers[0], ruleset.tiers[0]["tracks"]
    return "ladder", None, list(ruleset.tiers)


def assess(enterprise, ruleset, *, fields=None, tier=None, year=None, as_of=None, review=False,
           ctx=None, lang="zh", evidence_required=False) -> Assessment:
    """Assess one enterprise against a ruleset (see the module's docstring for the scope)."""
    if ctx is None:
        if fields is None:
            from zjtx_cli.inputs.fields import field_dictionary

            fields = field_dictionary()
        ctx = make_ctx(enterprise, fields, year=year, as_of=as_of, review=review, evidence_required=evidence_required)
    scope, t, tracks = scope_of(ruleset, tier)
    if scope == "ladder":
        ladder = assess_ladder(ruleset, ctx)
        return Assessment(scope="ladder", ruleset=ruleset, ctx=ctx, verdict=ladder.verdict, ladder=ladder, lang=lang)
    group = assess_tracks(ruleset, t, tracks, ctx)
    if scope == "tier":
        st = tier_status(group)
        return Assessment(scope="tier", ruleset=ruleset, ctx=ctx, verdict=TIER_VERDICT.get(st, "undetermined"),
                          tier=t, tracks=tuple(group), tier_status=st, lang=lang)
    a = group[0]
    next_ref = nxt = None
    # eligible for this tier: the tier above (in another scheme), unless a tier was asked for
    if a.verdict in ("eligible", "conditional") and t.get("next") and tier is None and ":" in t["next"]:
        nxt = assess_external(t["next"], ctx, ruleset)
        next_ref = t["next"] if nxt is not None else None
    return Assessment(scope="track", ruleset=ruleset, ctx=ctx, verdict=a.verdict, track=a, tier=t,
                      tracks=(a,), next_ref=next_ref, next=nxt, lang=lang)

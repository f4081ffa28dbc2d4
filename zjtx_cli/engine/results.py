"""Typed, immutable assessment results (:class:`Record`): what the service returns and what
``outputs/report.py`` turns into the JSON document (``docs/assessment.schema.json``). A
condition's gap record is ``engine/gaps.py``'s, computed when a track's ``gaps`` are first asked for.

The explanation of a single check (a condition's ``result``, the JSON ``detail``) is the plain
dict its kind's ``evaluate`` returns; everything around it is typed here. Records also allow
read-only ``record["key"]`` access, as the dicts they replace did.
"""

from __future__ import annotations

from zjtx_cli.engine.record import DictLikeRecord, Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from zjtx_cli.engine.gaps import ConditionGap

# conditional: only with --evidence required (officer mode, issue 13)
VERDICTS = ("eligible", "not_eligible", "undetermined", "excluded", "conditional")
TIER_STATUSES = ("reached", "not_reached", "undetermined", "conditional")
EVIDENCE_STATES = ("evidenced", "declared", "not_applicable")
SCOPES = ("track", "tier", "ladder")


class ConditionResult(DictLikeRecord):
    """One condition, evaluated: ``status`` is met / unmet / unknown / pending; ``result`` the
    explanation of its check (a plain dict, see ``engine/kinds``). ``evidence`` is one of
    :data:`EVIDENCE_STATES`; ``inputs`` the ``(field, year)`` inputs it rests on (met, or an
    exclusion ruled out), ``evidence_needed`` those of them that name no evidence (issue 13)."""

    __slots__ = ("id", "kind", "status", "cond", "result", "not_examined", "evidence", "inputs", "evidence_needed")
    id: str
    kind: str  # required | priority | exclusion
    status: str  # met | unmet | unknown | pending
    cond: Any  # the compiled rule (rules.loader.Condition)
    result: dict  # its check's explanation
    not_examined: bool
    evidence: str
    inputs: tuple
    evidence_needed: tuple
    _defaults = {"not_examined": False, "evidence": "not_applicable", "inputs": (), "evidence_needed": ()}

    def __repr__(self):
        return f"ConditionResult(id={self.id!r}, kind={self.kind!r}, status={self.status!r})"


class TrackAssessment(DictLikeRecord):
    """One track of one tier, evaluated. ``gaps`` are computed when first asked for."""

    __slots__ = ("ruleset", "tier", "track", "ctx", "results", "verdict", "counts", "_gap_cache")
    ruleset: Any
    tier: dict
    track: dict
    ctx: Any
    results: list[ConditionResult]
    verdict: str
    counts: dict[str, int]
    _gap_cache: list

    def __repr__(self):
        return f"TrackAssessment(track={self.track['id']!r}, verdict={self.verdict!r}, counts={self.counts!r})"

    @property
    def gaps(self) -> list[ConditionGap]:
        if not self._gap_cache:
            from zjtx_cli.engine.gaps import gaps_of

            self._gap_cache.append(gaps_of(self.results, self.ctx))
        return self._gap_cache[0]


def closest(assessments):
    """The track nearest to success: not excluded, then fewest unmet, then fewest unknown."""
    return min(assessments, key=lambda a: (a.verdict == "excluded", a.counts["unmet"], a.counts["unknown"]))


class TierStatus(Record):
    """A tier of a ladder: its tracks, and whether it is reached (any track eligible)."""

    __slots__ = ("tier", "tracks", "status")
    tier: dict
    tracks: list[TrackAssessment]
    status: str

    def __iter__(self):  # (tier, tracks, status), as the ladder's tuples were
        return iter((self.tier, self.tracks, self.status))


class LadderAssessment(DictLikeRecord):
    """Every tier of a scheme, lowest first; the highest reached, and the next one to work towards
    (``next`` a tier of this scheme, or ``next_external`` a ``scheme:tier`` reference)."""

    __slots__ = ("ruleset", "ctx", "tiers", "highest", "next", "next_assessment", "next_external", "verdict")
    ruleset: Any
    ctx: Any
    tiers: tuple[TierStatus, ...]
    highest: dict | None
    next: dict | None
    next_assessment: TrackAssessment | None
    next_external: str | None
    verdict: str


class Assessment(DictLikeRecord):
    """The service's answer for one enterprise.

    ``scope`` is ``track`` (``track`` set; ``next`` the tier above in another scheme when the
    company is eligible and no tier was asked for), ``tier`` (a tier with several tracks:
    ``tier``, ``tracks``, ``tier_status``) or ``ladder`` (``ladder``). ``verdict`` is one of
    :data:`VERDICTS`; ``lang`` the language its texts are wanted in.
    """

    __slots__ = ("scope", "ruleset", "ctx", "verdict", "track", "tier", "tracks", "tier_status", "ladder",
                 "next_ref", "next", "lang")
    scope: str
    ruleset: Any
    ctx: Any
    verdict: str
    track: TrackAssessment | None
    tier: dict | None
    tracks: tuple[TrackAssessment, ...]
    tier_status: str | None
    ladder: LadderAssessment | None
    next_ref: str | None
    next: TrackAssessment | None
    lang: str
    _defaults = {"track": None, "tier": None, "tracks": (), "tier_status": None, "ladder": None,
                 "next_ref": None, "next": None, "lang": "zh"}

    def __repr__(self):
        return f"Assessment(scope={self.scope!r}, scheme={self.ruleset.id!r}, verdict={self.verdict!r})"

    @property
    def focus(self) -> TrackAssessment:
        """The track whose counts and gaps matter most: the one assessed, the closest track of a
        tier, or of the ladder's next tier (its highest when it has reached the top)."""
        if self.track is not None:
            return self.track
        lad = self.ladder
        if lad is None:  # a tier of several tracks
            return closest(self.tracks)
        if lad.next_assessment is not None:
            return lad.next_assessment
        return closest([a for ts in lad.tiers if ts.tier is lad.highest for a in ts.tracks])

"""What an evaluation needs: the enterprise, the assessment year and date, the field
dictionary, and what the tiers assessed so far decided."""

from __future__ import annotations


class EvaluationContext:
    """What an evaluation needs: the enterprise, the assessment year and date."""

    __slots__ = ("e", "year", "as_of", "fields", "review", "tier_verdicts", "tier_names", "memo",
                 "evidence_required", "tier_inputs")

    def __init__(self, e, year, as_of, fields, review=False, tier_verdicts=None, evidence_required=False):
        self.e = e
        self.year = year
        self.as_of = as_of
        self.fields = fields
        self.review = review
        self.tier_verdicts = tier_verdicts if tier_verdicts is not None else {}
        self.tier_names: dict = {}
        self.memo: dict = {}  # per-enterprise results: metrics by (key, year), conditions by id
        # officer mode (--evidence required), and what each tier's verdict rested on (issue 13)
        self.evidence_required = evidence_required
        self.tier_inputs: dict = {}

    def has_evidence(self, key, year=None) -> bool:
        """Whether the input names evidence (its year's own entry, or the field's all-years one)."""
        ev = getattr(self.e, "evidence", None)
        if not ev:
            return False
        if year is not None and (key, year) in ev:
            return bool(ev[(key, year)])
        return bool(ev.get((key, None)))

    def raw(self, key, year=None):
        f = self.fields[key]
        if f.per_year:
            return self.e.get(key, year if year is not None else self.year)
        return self.e.get(key)

"""``score``: a points table, as data::

    score:
      pass: 60                      # total >= pass (以上 includes the number)
      total_max: 100                # optional: checked against the sum of the indicators' maxima
      categories:
        - id: innovation
          name: {zh: 创新能力, en: Innovation}
          max: 40                   # optional: checked against the indicators
          min: 20                   # optional category minimum (>=)
          indicators:
            - id: rd                # a metric or numeric field, banded
              name: {zh: ..., en: ...}
              max: 20
              metric: rd_intensity  # optional 'year': 0, -1 ...
              bands:                # must cover the whole line, edges and inclusivity explicit
                - {min: 5, min_inclusive: true, points: 20}
                - {min: 3, min_inclusive: true, max: 5, max_inclusive: false, points: 15}
                - {max: 3, max_inclusive: false, points: 0}
            - id: digital           # a choice field, choice -> points
              choice: digital_level
              points: {level3_plus: 5, level2: 3, level1: 0}
            - id: ip                # first option whose check is met (any check of rules.py)
              first:
                - {check: {metric: ip_class1_high_value, op: ">=", value: 1}, points: 20}
              else: 0
            - id: quality           # yes/no items, points per item, capped at max
              items: [provincial_quality_award, quality_system_certified]
              per_item: 3
              max: 5
            - id: feature           # a score declared by the company (e.g. set by a province)
              declared: feature_score
              max: 15
      direct:                       # "or any of these": checks that qualify without the score
        - {flag: high_tech_enterprise}

The kind is split by concern: ``spec`` (validation, typed form), ``evaluate`` (points),
``gains`` (what closes the gap), ``describe`` (texts).
"""

from __future__ import annotations

from decimal import Decimal

from zjtx_cli.engine.kinds.base import Check, RulesetError, build, register
from zjtx_cli.engine.record import Record


# ----------------------------------------------------------------------------- typed form
class Option(Record):
    """One option of a first-match indicator: a check and the points it gives."""

    __slots__ = ("check", "points")
    check: Check
    points: str


class Indicator(Record):
    """One scored indicator. ``data`` is its validated plain form (bands and points tables
    are reported as they are written)."""

    __slots__ = ("id", "source", "data", "options")
    id: str
    source: str  # metric | choice | first | items | declared
    data: dict
    options: tuple[Option, ...]


class Category(Record):
    __slots__ = ("id", "name", "max", "min", "indicators")
    id: str
    name: dict[str, str]
    max: str
    min: str | None
    indicators: tuple[Indicator, ...]


def indicator_from_data(d: dict) -> Indicator:
    options = tuple(Option(check=build(o["check"]), points=o["points"]) for o in d.get("options", ()))
    return Indicator(id=d["id"], source=d["source"], data=d, options=options)


def category_from_data(d: dict) -> Category:
    return Category(id=d["id"], name=d["name"], max=d["max"], min=d["min"],
                    indicators=tuple(indicator_from_data(i) for i in d["indicators"]))


@register
class ScoreCheck(Check):
    __slots__ = ("pass_mark", "pass_text", "max", "categories", "direct", "note")
    pass_mark: Decimal
    pass_text: str
    max: Decimal
    categories: tuple[Category, ...]
    direct: tuple[Check, ...]
    note: dict[str, str] | None
    type = "score"
    keys = frozenset({"score"})
    memoisable = False
    can_pend = True

    @classmethod
    def validate(cls, raw, where, fields):
        from zjtx_cli.engine.kinds.score.spec import validate_score

        return validate_score(raw["score"], where, fields)

    @classmethod
    def from_data(cls, d):
        s = d["score"]
        return cls(label=d.get("label"), pass_mark=Decimal(s["pass"]), pass_text=s["pass"], max=Decimal(s["max"]),
                   categories=tuple(category_from_data(c) for c in s["categories"]),
                   direct=tuple(build(x) for x in s["direct"]), note=s.get("note"))

    def indicators(self):
        for cat in self.categories:
            yield from cat.indicators

    def children(self):
        out = list(self.direct)
        for ind in self.indicators():
            out.extend(o.check for o in ind.options)
        return tuple(out)

    def fields_read(self):
        out = []
        for ind in self.indicators():
            d = ind.data
            for k in ("metric", "choice", "field"):
                if k in d:
                    out.append(d[k])
            out.extend(d.get("items", ()))
        return out

    def metrics_tested(self):
        return [((ind.data["metric"],), ind.data["year"]) for ind in self.indicators() if ind.source == "metric"]

    def evaluate(self, ctx):
        from zjtx_cli.engine.kinds.score.evaluate import evaluate_score

        return evaluate_score(self, ctx)

    @classmethod
    def inputs_used(cls, node, ctx, has):
        """Met: a direct path that is met, or the score (every indicator whose points counted),
        the first of them that is wholly evidenced. Otherwise every indicator and direct path."""
        from zjtx_cli.engine.kinds.base import pick
        from zjtx_cli.engine.kinds.common import inputs_used
        from zjtx_cli.engine.kinds.score.evaluate import indicator_inputs

        direct = [inputs_used(d, ctx, has) for d in node["direct"] if d["status"] == node["status"]]
        inds = [i for cat in node["categories"] for i in cat["indicators"]]
        if node["status"] == "met":
            options = []
            if node["score_status"] == "met":
                options.append([x for i in inds if i["points"] for x in indicator_inputs(i, ctx, has)])
            return pick(options + direct, has)
        return [x for i in inds for x in indicator_inputs(i, ctx, has)] + [x for d in direct for x in d]

    @classmethod
    def gap_items(cls, node, ctx):
        from zjtx_cli.engine.kinds.score.gains import score_gap_items

        return score_gap_items(node, ctx)

    def describe_rule(self, fields, lang):
        from zjtx_cli.engine.kinds.score.describe import describe_rule

        return describe_rule(self, fields, lang)

    @classmethod
    def describe_required(cls, node, fields, lang):
        from zjtx_cli.engine.kinds.score.describe import describe_required

        return describe_required(node, fields, lang)

    @classmethod
    def describe_actual(cls, node, fields, lang):
        from zjtx_cli.engine.kinds.score.describe import describe_actual

        return describe_actual(node, fields, lang)

    @classmethod
    def describe_gap_item(cls, item, fields, lang):
        if item["kind"] in ("score", "score_gain", "score_direct"):
            from zjtx_cli.engine.kinds.score.describe import describe_gap_item

            return describe_gap_item(item, fields, lang)
        return super().describe_gap_item(item, fields, lang)


__all__ = ["ScoreCheck", "RulesetError"]

"""``{date_within: KEY, years: N}``: the date lies within N years before the assessment date."""

from __future__ import annotations

from zjtx_cli.engine.kinds.base import Check, RulesetError, register
from zjtx_cli.engine.status import MET, UNKNOWN, UNMET
from zjtx_cli.engine.texts import field_name, label, value_text


@register
class DateWithinCheck(Check):
    __slots__ = ("date", "years")
    date: str
    years: int
    type = "date_within"
    keys = frozenset({"date_within", "years"})

    @classmethod
    def validate(cls, raw, where, fields):
        k = raw["date_within"]
        if k not in fields or fields[k].type != "date":
            raise RulesetError(f"{where}: {k!r} is not a date field")
        if not isinstance(raw.get("years"), int):
            raise RulesetError(f"{where}: 'years' must be a whole number")
        return {"date": k, "years": raw["years"]}

    @classmethod
    def from_data(cls, d):
        return cls(label=d.get("label"), date=d["date"], years=d["years"])

    def fields_read(self):
        return [self.date]

    def evaluate(self, ctx):
        d = ctx.raw(self.date)
        if d is None:
            return {"type": "date_within", "status": UNKNOWN, "field": self.date, "years": self.years,
                    "actual": None, "declared": True, "missing": [[self.date, None]]}
        try:
            until = d.replace(year=d.year + self.years)
        except ValueError:  # 29 February
            until = d.replace(year=d.year + self.years, day=28)
        # 民法典 第二百零一、二百零二条: the period starts the day after, and its last day is
        # the corresponding day of the final year, so the anniversary itself is still inside.
        status = MET if d <= ctx.as_of <= until else UNMET
        return {"type": "date_within", "status": status, "field": self.date, "years": self.years,
                "actual": d, "until": until, "declared": True, "missing": []}

    @classmethod
    def gap_items(cls, node, ctx):
        return [{"kind": "blocker", "effort": "blocker", "node": node}]

    @staticmethod
    def _wanted(field, years, fields, lang):
        name = field_name(field, fields, lang)
        return f"{name}起{years}年内" if lang == "zh" else f"within {years} years of {name.lower()}"

    def describe_rule(self, fields, lang):
        return self._wanted(self.date, self.years, fields, lang)

    @classmethod
    def describe_required(cls, node, fields, lang):
        return cls._wanted(node["field"], node["years"], fields, lang)

    @classmethod
    def describe_actual(cls, node, fields, lang):
        v = node["actual"]
        return value_text(v, None, lang) + (label("declared", lang) if v is not None else "")

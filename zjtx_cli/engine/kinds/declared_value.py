"""``declared_value``: a figure only an outside system computes (the 2026 评价得分)::

    declared_value: evaluation_score          # or {field: evaluation_score, year: -1}
    op: ">="
    value: 60
    source: {zh: 优质中小企业梯度培育平台（工信厅企业〔2024〕75号）, en: ...}

Absent, it is ``unknown`` with a ``pending`` note (reported as 待系统评价), never a guess.
"""

from __future__ import annotations

from decimal import Decimal

from zjtx_cli.engine.kinds.base import Check, RulesetError, number, register, text_pair, year_offset
from zjtx_cli.engine.numbers import format_number
from zjtx_cli.engine.status import COMPARE, MET, OP_SIGN, OPS, UNKNOWN, UNMET
from zjtx_cli.engine.texts import field_name, missing_name


@register
class DeclaredValueCheck(Check):
    __slots__ = ("field", "year", "op", "value", "value_text", "source")
    field: str
    year: int
    op: str
    value: Decimal
    value_text: str
    source: dict[str, str]
    type = "declared_value"
    keys = frozenset({"declared_value", "op", "value", "source"})
    memoisable = False
    can_pend = True

    @classmethod
    def validate(cls, raw, where, fields):
        spec = raw["declared_value"]
        year = 0
        if isinstance(spec, dict):
            unknown = set(spec) - {"field", "year"}
            if unknown or "field" not in spec:
                raise RulesetError(f"{where}: 'declared_value' is a field key or {{field, year}}, got {sorted(spec)}")
            key, year = spec["field"], spec.get("year", 0)
        else:
            key = spec
        if not isinstance(key, str) or key not in fields or fields[key].type not in ("number", "integer"):
            raise RulesetError(f"{where}: declared_value: {key!r} is not a numeric field of the field dictionary")
        if not year_offset(year):
            raise RulesetError(f"{where}: declared_value: 'year' is an offset from the assessment year: 0, -1, ...")
        if raw.get("op") not in OPS:
            raise RulesetError(f"{where}: declared_value: 'op' must be one of {OPS}")
        if "value" not in raw:
            raise RulesetError(f"{where}: declared_value: 'value' is required")
        if "source" not in raw:
            raise RulesetError(f"{where}: declared_value: 'source' (where the figure comes from) is required")
        return {"field": key, "year": year, "op": raw["op"],
                "value": str(number(raw["value"], where, "'value'")),
                "source": text_pair(raw["source"], where, "source")}

    @classmethod
    def from_data(cls, d):
        return cls(label=d.get("label"), field=d["field"], year=d["year"], op=d["op"], value=Decimal(d["value"]),
                   value_text=d["value"], source=d["source"])

    def fields_read(self):
        return [self.field]

    def evaluate(self, ctx):
        key = self.field
        f = ctx.fields[key]
        year = ctx.year + self.year if f.per_year else None
        v = ctx.raw(key, year)
        node = {"type": "declared_value", "field": key, "year": year, "op": self.op, "value": self.value,
                "unit": f.unit, "actual": v, "source": self.source, "declared": True, "label": self.label}
        if v is None:
            node.update(status=UNKNOWN, missing=[[key, year]],
                        pending={"zh": f"待系统评价：{self.source['zh']}", "en": f"pending: {self.source['en']}"})
        else:
            node.update(status=MET if COMPARE[self.op](Decimal(v), node["value"]) else UNMET, missing=[])
        return node

    @classmethod
    def gap_items(cls, node, ctx):
        if node.get("pending"):
            return [{"kind": "pending", "effort": "data", "node": node, "missing": node["missing"]}]
        short = node["value"] - Decimal(node["actual"])
        from zjtx_cli.engine.shortfalls import near_or_far  # a 1-point shortfall is near (issue 12)

        return [{"kind": "score_declared", "effort": near_or_far(short, node["value"]), "node": node,
                 "short": short}]

    def describe_rule(self, fields, lang):
        zh = lang == "zh"
        name = field_name(self.field, fields, lang)
        yr = ""
        if self.year:
            yr = f"（评价年度{self.year}年）" if zh else f" (assessment year {self.year})"
        src = self.source[lang]
        value = format_number(Decimal(self.value_text))
        return f"{name}{yr} {OP_SIGN[self.op]} {value}（{src}）" if zh else \
            f"{name}{yr} {OP_SIGN[self.op]} {value} ({src})"

    @classmethod
    def describe_required(cls, node, fields, lang):
        name = field_name(node["field"], fields, lang)
        yr = "" if node["year"] is None else (f"（{node['year']}）" if lang == "zh" else f" ({node['year']})")
        return f"{name}{yr} {OP_SIGN[node['op']]} {format_number(node['value'], node['unit'], lang=lang)}"

    @classmethod
    def describe_actual(cls, node, fields, lang):
        zh = lang == "zh"
        if node["actual"] is None:
            return node["pending"][lang]
        value = format_number(Decimal(node["actual"]), node["unit"], lang=lang)
        source = node["source"][lang]
        return f"{value}（自报，来源：{source}）" if zh else f"{value} (declared; source: {source})"

    @classmethod
    def describe_gap_item(cls, item, fields, lang):
        from zjtx_cli.engine.kinds.common import describe_required

        zh = lang == "zh"
        node = item["node"]
        if item["kind"] == "pending":
            return node["pending"][lang] + ("（平台计算后填入 " if zh else " (enter ") + \
                missing_name(node["missing"][0], fields, lang) + ("）" if zh else " once computed)")
        if item["kind"] == "score_declared":
            now, short = format_number(Decimal(node["actual"])), format_number(item["short"])
            return (f"{describe_required(node, fields, lang)}：现为 {now}，尚差 {short}" if zh else
                    f"{describe_required(node, fields, lang)}: now {now}, short by {short}")
        return super().describe_gap_item(item, fields, lang)

"""``{choice: KEY, in: [codes]}``: a declared choice."""

from __future__ import annotations

from zjtx_cli.engine.kinds.base import Check, RulesetError, register
from zjtx_cli.engine.status import MET, UNKNOWN, UNMET
from zjtx_cli.engine.texts import label, value_text


@register
class ChoiceCheck(Check):
    __slots__ = ("choice", "values")
    choice: str
    values: tuple[str, ...]
    type = "choice"
    keys = frozenset({"choice", "in"})

    @classmethod
    def validate(cls, raw, where, fields):
        k = raw["choice"]
        if k not in fields or fields[k].type != "choice":
            raise RulesetError(f"{where}: {k!r} is not a choice field of the field dictionary")
        vals = raw.get("in")
        if not isinstance(vals, list) or not vals:
            raise RulesetError(f"{where}: 'in' must list choice codes")
        for v in vals:
            if v not in fields[k].choices:
                raise RulesetError(f"{where}: {v!r} is not a choice of {k!r}")
        return {"choice": k, "values": list(vals)}

    @classmethod
    def from_data(cls, d):
        return cls(label=d.get("label"), choice=d["choice"], values=tuple(d["values"]))

    def fields_read(self):
        return [self.choice]

    def evaluate(self, ctx):
        v = ctx.raw(self.choice)
        status = UNKNOWN if v is None else (MET if v in self.values else UNMET)
        return {"type": "choice", "status": status, "field": self.choice, "values": list(self.values), "actual": v,
                "declared": True, "missing": [] if v is not None else [[self.choice, None]]}

    @classmethod
    def gap_items(cls, node, ctx):
        return [{"kind": "declaration", "effort": "declaration", "node": node}]

    @staticmethod
    def _wanted(field, values, fields, lang):
        f = fields[field]
        opts = ("、" if lang == "zh" else ", ").join(f.choice_label(v, lang) for v in values)
        return f"{f.label(lang)} ∈ {{{opts}}}"

    def describe_rule(self, fields, lang):
        return self._wanted(self.choice, self.values, fields, lang)

    @classmethod
    def describe_required(cls, node, fields, lang):
        return cls._wanted(node["field"], node["values"], fields, lang)

    @classmethod
    def describe_actual(cls, node, fields, lang):
        v = node["actual"]
        s = fields[node["field"]].choice_label(v, lang) if v is not None else value_text(v, None, lang)
        return s + (label("declared", lang) if v is not None else "")

    @classmethod
    def describe_gap_item(cls, item, fields, lang):
        node = item["node"]
        if item["kind"] == "declaration" and node.get("actual") is not None:
            req = cls.describe_required(node, fields, lang) if not node.get("label") else node["label"][lang]
            now = fields[node["field"]].choice_label(node["actual"], lang)
            return f"现为“{now}”，须为：{req}" if lang == "zh" else f"declared '{now}'; needs: {req}"
        return super().describe_gap_item(item, fields, lang)

"""``{sme: true}``: SME under 工信部联企业〔2011〕300号, computed from industry, employees, revenue and
assets (``engine/sme.py``: :func:`sme_condition`), decided whenever 300号's rows decide it (``decided_by``);
the declaration ``sme_declared`` only when 300号 cannot tell SME from large."""

from __future__ import annotations

from zjtx_cli.engine.kinds.base import Check, RulesetError, register
from zjtx_cli.engine.texts import label, missing_name

SME_FIELDS = ("industry", "employees", "operating_revenue", "total_assets", "sme_declared")


@register
class SmeCheck(Check):
    __slots__ = ()
    type = "sme"
    keys = frozenset({"sme"})

    @classmethod
    def validate(cls, raw, where, fields):
        if raw["sme"] is not True:
            raise RulesetError(f"{where}: write 'sme: true'")
        return {}

    @classmethod
    def from_data(cls, d):
        return cls(label=d.get("label"))

    def fields_read(self):
        return list(SME_FIELDS)

    def evaluate(self, ctx):
        # decided whenever 300号's rows decide it, naming the deciding figure (issue 12)
        from zjtx_cli.engine.sme import sme_condition

        return sme_condition(ctx)

    @classmethod
    def inputs_used(cls, node, ctx, has):
        """The declaration when it decided; else the industry and the figures that decided the size."""
        from zjtx_cli.engine.kinds.base import figure

        if node.get("declared"):
            return [figure("sme_declared", None, ctx)]
        return [figure("industry", None, ctx)] + [figure(k, None, ctx) for k in node.get("decided_by") or ()]

    @classmethod
    def gap_items(cls, node, ctx):
        return [{"kind": "declaration", "effort": "declaration", "node": node}]

    def describe_rule(self, fields, lang):
        return self.describe_required({}, fields, lang)

    @classmethod
    def describe_required(cls, node, fields, lang):
        return "中小企业（大型企业除外）" if lang == "zh" else "small or medium (not large)"

    @classmethod
    def describe_actual(cls, node, fields, lang):
        if node["actual"] is None:
            miss = ", ".join(missing_name(m, fields, lang) for m in node["missing"])
            return ("缺：" if lang == "zh" else "missing: ") + miss
        if isinstance(node["actual"], bool):
            return label("yes" if node["actual"] else "no", lang) + label("declared", lang)
        return node.get("explain_zh" if lang == "zh" else "explain_en") or str(node["actual"])

    @classmethod
    def describe_gap_item(cls, item, fields, lang):
        if item["kind"] == "declaration":
            return ("须为中小企业：" if lang == "zh" else "must be an SME: ") + \
                cls.describe_actual(item["node"], fields, lang)
        return super().describe_gap_item(item, fields, lang)

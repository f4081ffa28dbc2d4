"""``{sme: true}``: SME under 工信部联企业〔2011〕300号, computed from industry, employees, revenue and
assets (``engine/sme.py``); the declaration ``sme_declared`` only when figures are missing."""

from __future__ import annotations

from zjtx_cli.engine.kinds.base import Check, RulesetError, register
from zjtx_cli.engine.status import MET, UNKNOWN, UNMET
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
        from zjtx_cli.engine import sme as size_test

        node = {"type": "sme", "declared": False, "missing": []}
        result = None
        industry = ctx.raw("industry")
        if industry is not None:
            try:
                result = size_test.classify(industry, ctx.raw("employees"), ctx.raw("operating_revenue"),
                                            ctx.raw("total_assets"))
            except ValueError:
                result = None
        if result is not None and result.size is not None:
            node.update(status=MET if result.is_sme else UNMET, actual=result.size, explain_zh=result.explain_zh,
                        explain_en=result.explain_en, row=result.row)
            return node
        declared = ctx.raw("sme_declared")
        missing = [["industry", None]] if industry is None else \
            [[k, ctx.year] for k in (result.missing if result else [])]
        if declared is not None:
            node.update(status=MET if declared else UNMET, actual=declared, declared=True,
                        explain_zh="按企业自报（缺少划型所需数据）",
                        explain_en="as declared (figures for the size test missing)")
            return node
        node.update(status=UNKNOWN, actual=None, missing=missing)
        return node

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

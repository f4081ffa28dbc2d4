"""``{tier: ID}``: holds a lower tier by this assessment's own verdict (``ID`` or ``scheme:tier``)."""

from __future__ import annotations

from zjtx_cli.engine.kinds.base import Check, RulesetError, register
from zjtx_cli.engine.status import MET, UNKNOWN, UNMET
from zjtx_cli.engine.texts import LABELS, label


@register
class TierCheck(Check):
    __slots__ = ("tier",)
    tier: str
    type = "tier"
    keys = frozenset({"tier"})
    memoisable = False  # depends on the verdicts of other tiers, which change as the ladder is walked

    @classmethod
    def validate(cls, raw, where, fields):
        if not isinstance(raw["tier"], str):
            raise RulesetError(f"{where}: 'tier' names a tier id (or scheme:tier)")
        return {"tier": raw["tier"]}

    @classmethod
    def from_data(cls, d):
        return cls(label=d.get("label"), tier=d["tier"])

    def evaluate(self, ctx):
        v = ctx.tier_verdicts.get(self.tier)
        # conditional (officer mode): met on the figures given; its evidence is asked for below (issue 13)
        status = {"eligible": MET, "conditional": MET, "not_eligible": UNMET, "excluded": UNMET}.get(v, UNKNOWN)
        return {"type": "tier", "status": status, "tier": self.tier, "actual": v, "missing": [],
                "tier_name": ctx.tier_names.get(self.tier, {})}

    @classmethod
    def inputs_used(cls, node, ctx, has):
        """What the lower tier's verdict rested on (recorded by the service as it assesses it)."""
        return list(ctx.tier_inputs.get(node["tier"], ()))

    @classmethod
    def gap_items(cls, node, ctx):
        return [{"kind": "tier", "effort": "far", "node": node}]

    @staticmethod
    def _wanted(tier, tier_name, lang):
        name = tier_name.get(lang) or tier
        return f"已达到“{name}”" if lang == "zh" else f"holds the tier '{name}'"

    def describe_rule(self, fields, lang):
        return self._wanted(self.tier, {}, lang)

    @classmethod
    def describe_required(cls, node, fields, lang):
        return cls._wanted(node["tier"], node.get("tier_name", {}), lang)

    @classmethod
    def describe_actual(cls, node, fields, lang):
        return label(node["actual"], lang) if node["actual"] in LABELS else label("missing", lang)

    @classmethod
    def describe_gap_item(cls, item, fields, lang):
        if item["kind"] == "tier":
            from zjtx_cli.engine.kinds.common import describe_required

            return describe_required(item["node"], fields, lang)
        return super().describe_gap_item(item, fields, lang)

"""``{flag: KEY}`` / ``{flag: KEY, equals: false}``: a yes/no declaration.

``if_missing: CHECK`` decides only when the declaration is absent.

A title the text requires the firm to hold (须为 / 已获得 …称号) is written
``{flag: TITLE_FLAG, if_missing: {tier: TIER}}``: the condition is met only by the declared
(evidenced) title. When the title is not declared, the condition stays unknown whatever this
assessment finds for TIER; the tier's verdict is only reported: a firm that reaches that tier in
the same run is told "本次评价已达到该层级，须先取得认定" (issue 12: zjtx's own verdict is not a
recognition).
"""

from __future__ import annotations

from zjtx_cli.engine.kinds.base import Check, RulesetError, build_opt, register
from zjtx_cli.engine.status import MET, UNKNOWN, UNMET
from zjtx_cli.engine.texts import field_name, label, value_text


@register
class FlagCheck(Check):
    __slots__ = ("flag", "equals", "if_missing")
    flag: str
    equals: bool
    if_missing: Check | None
    type = "flag"
    keys = frozenset({"flag", "equals", "if_missing"})
    _defaults = {"label": None, "if_missing": None}

    @classmethod
    def validate(cls, raw, where, fields):
        from zjtx_cli.engine.kinds.base import compile_check

        k = raw["flag"]
        if k not in fields or fields[k].type != "bool":
            raise RulesetError(f"{where}: {k!r} is not a yes/no field of the field dictionary")
        eq = raw.get("equals", True)
        if not isinstance(eq, bool):
            raise RulesetError(f"{where}: 'equals' must be true or false")
        out = {"flag": k, "equals": eq}
        if "if_missing" in raw:
            out["if_missing"] = compile_check(raw["if_missing"], f"{where}.if_missing", fields)
        return out

    @classmethod
    def from_data(cls, d):
        return cls(label=d.get("label"), flag=d["flag"], equals=d["equals"], if_missing=build_opt(d.get("if_missing")))

    def children(self):
        return (self.if_missing,) if self.if_missing is not None else ()

    def fields_read(self):
        return [self.flag]

    def evaluate(self, ctx):
        from zjtx_cli.engine.kinds.common import evaluate_check

        v = ctx.raw(self.flag)
        if v is None and self.if_missing is not None:
            sub = evaluate_check(self.if_missing, ctx)
            if sub["type"] == "tier":  # a title the text requires the firm to hold (issue 12)
                return title_node(self.flag, self.equals, sub, ctx.fields)
            return {"type": "flag", "status": sub["status"], "field": self.flag, "equals": self.equals,
                    "actual": None, "declared": False, "missing": sub.get("missing") or [], "fallback": sub}
        status = UNKNOWN if v is None else (MET if v == self.equals else UNMET)
        return {"type": "flag", "status": status, "field": self.flag, "equals": self.equals, "actual": v,
                "declared": True, "missing": [] if v is not None else [[self.flag, None]]}

    @classmethod
    def inputs_used(cls, node, ctx, has):
        if node.get("fallback") is not None:
            from zjtx_cli.engine.kinds.common import inputs_used

            return inputs_used(node["fallback"], ctx, has)
        return super().inputs_used(node, ctx, has)

    @classmethod
    def gap_items(cls, node, ctx):
        if node.get("fallback") is not None:
            from zjtx_cli.engine.kinds.common import gap_items

            return [{"kind": "declaration", "effort": "declaration", "node": dict(node, fallback=None)}] + \
                gap_items(node["fallback"], ctx)
        return [{"kind": "declaration", "effort": "declaration", "node": node}]

    @staticmethod
    def _wanted(field, equals, fields, lang):
        want = label("yes" if equals else "no", lang)
        name = field_name(field, fields, lang)
        return f"{name}：{want}" if lang == "zh" else f"{name}: {want}"

    def describe_rule(self, fields, lang):
        from zjtx_cli.engine.kinds.common import describe_rule

        text = self._wanted(self.flag, self.equals, fields, lang)
        if self.if_missing is not None:
            fb = describe_rule(self.if_missing, fields, lang)
            text += f"（未声明时：{fb}）" if lang == "zh" else f" (if not declared: {fb})"
        return text

    @classmethod
    def describe_required(cls, node, fields, lang):
        return cls._wanted(node["field"], node["equals"], fields, lang)

    @classmethod
    def describe_actual(cls, node, fields, lang):
        if node.get("fallback") is not None:
            from zjtx_cli.engine.kinds.common import describe_actual

            fb = describe_actual(node["fallback"], fields, lang)
            return f"未声明；按：{fb}" if lang == "zh" else f"not declared; by: {fb}"
        v = node["actual"]
        return value_text(v, None, lang) + (label("declared", lang) if v is not None else "")

    @classmethod
    def describe_gap_item(cls, item, fields, lang):
        node = item["node"]
        actual = node.get("actual")
        if item["kind"] == "declaration" and actual is not None and actual != node["equals"]:
            # the company declared the opposite: it has to change, not just tick a box
            name = field_name(node["field"], fields, lang)
            if node["equals"]:
                return (f"企业自报为“否”：须做到“{name}”并提供证明材料" if lang == "zh"
                        else f"declared 'no': the company must achieve '{name}' and show evidence")
            return (f"企业自报为“是”：须不存在“{name}”的情形" if lang == "zh"
                    else f"declared 'yes': the company must be clear of '{name}'")
        return super().describe_gap_item(item, fields, lang)


# ------------------------------------------------------------- a title the firm must hold
_TITLE_STATE = {
    "met": ("本次评价已达到该层级，须先取得认定", "this assessment finds the company reaches that tier; "
                                                   "it must obtain the recognition first"),
    "unmet": ("本次评价未达到该层级", "this assessment finds the company does not reach that tier"),
    "unknown": ("本次评价该层级尚无法判定", "this assessment cannot yet tell whether it reaches that tier"),
}


def title_node(flag: str, equals: bool, tier_node: dict, fields) -> dict:
    """The node of a title flag that is not declared: unknown, naming the tier's own verdict."""
    f = fields[flag]
    name = tier_node.get("tier_name") or {}
    tzh, ten = name.get("zh") or tier_node["tier"], name.get("en") or tier_node["tier"]
    st = tier_node["status"] if tier_node["status"] in _TITLE_STATE else "unknown"
    szh, sen = _TITLE_STATE[st]
    return {"type": "flag", "status": "unknown", "field": flag, "equals": equals, "actual": None,
            # not 'missing data': the title must be obtained and declared with evidence (a declaration gap)
            "declared": False, "missing": [], "title_tier": tier_node["tier"],
            "tier_status": tier_node["status"],
            "label": {"zh": f"{f.zh}：是（须已取得认定；{tzh}：{szh}）",
                      "en": f"{f.en}: yes (the recognition must be held; {ten}: {sen})"}}

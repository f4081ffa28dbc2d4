"""``{any: [checks]}``: at least one (real alternatives). Met if any part is met, else unknown if
any part is unknown."""

from __future__ import annotations

from zjtx_cli.engine.kinds._group import Group
from zjtx_cli.engine.kinds.base import register
from zjtx_cli.engine.status import EFFORT_ORDER, MET, any_of, effort_name


@register
class AnyCheck(Group):
    __slots__ = ()
    type = "any"
    keys = frozenset({"any"})
    combine = staticmethod(any_of)
    joiner = "or"
    decided_by_one = MET

    @classmethod
    def gap_items(cls, node, ctx):
        from zjtx_cli.engine.kinds.common import gap_items

        options = [gap_items(s, ctx) for s in node["checks"] if s["status"] != MET]
        options = [o for o in options if o]
        if len(options) == 1:
            return options[0]
        effort = min((max(EFFORT_ORDER[i["effort"]] for i in o) for o in options), default=0)
        return [{"kind": "alternatives", "options": options, "node": node, "effort": effort_name(effort)}]

    @classmethod
    def gap_item_json(cls, item, item_json):
        if item["kind"] == "alternatives":
            return {"options": [[item_json(x) for x in opt] for opt in item["options"]]}
        return super().gap_item_json(item, item_json)

    @classmethod
    def describe_gap_item(cls, item, fields, lang):
        if item["kind"] != "alternatives":
            return super().describe_gap_item(item, fields, lang)
        from zjtx_cli.engine.kinds.common import describe_gap_item

        parts = []
        for i, opt in enumerate(item["options"], 1):
            txt = ("；" if lang == "zh" else "; ").join(describe_gap_item(x, fields, lang) for x in opt)
            parts.append(f"({i}) {txt}")
        return ("以下任一即可：" if lang == "zh" else "any one of: ") + " ".join(parts)

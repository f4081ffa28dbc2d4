"""``{all: [checks]}`` and ``{any: [checks]}``: every one / at least one (real alternatives).

``all`` is unmet if any part is unmet, else unknown if any part is unknown; ``any`` is met if
any part is met, else unknown if any part is unknown.
"""

from __future__ import annotations

from zjtx_cli.engine.kinds.base import Check, RulesetError, build, register
from zjtx_cli.engine.status import EFFORT_ORDER, MET, all_of, any_of, effort_name
from zjtx_cli.engine.texts import label


class _Group(Check):
    __slots__ = ("checks",)
    combine = staticmethod(all_of)
    joiner = "and"

    @classmethod
    def validate(cls, raw, where, fields):
        from zjtx_cli.engine.kinds.base import compile_check

        items = raw[cls.type]
        if not isinstance(items, list) or not items:
            raise RulesetError(f"{where}: '{cls.type}' must list checks")
        return {"checks": [compile_check(x, f"{where}.{cls.type}[{i}]", fields) for i, x in enumerate(items)]}

    @classmethod
    def from_data(cls, d):
        return cls(label=d.get("label"), checks=tuple(build(x) for x in d["checks"]))

    def children(self):
        return self.checks

    def evaluate(self, ctx):
        from zjtx_cli.engine.kinds.common import evaluate_check

        subs = [evaluate_check(s, ctx) for s in self.checks]
        return {"type": self.type, "status": self.combine([s["status"] for s in subs]), "checks": subs,
                "label": self.label}

    def describe_rule(self, fields, lang):
        from zjtx_cli.engine.kinds.common import describe_rule

        return "(" + label(self.joiner, lang).join(describe_rule(s, fields, lang) for s in self.checks) + ")"

    @classmethod
    def describe_required(cls, node, fields, lang):
        from zjtx_cli.engine.kinds.common import describe_required

        return label(cls.joiner, lang).join(describe_required(s, fields, lang) for s in node["checks"])

    @classmethod
    def describe_actual(cls, node, fields, lang):
        from zjtx_cli.engine.kinds.common import describe_actual

        parts = [describe_actual(s, fields, lang) for s in node["checks"]]
        # the same figure read by two checks is shown once
        return ("；" if lang == "zh" else "; ").join(dict.fromkeys(parts))


@register
class AllCheck(_Group):
    __slots__ = ()
    type = "all"
    keys = frozenset({"all"})
    combine = staticmethod(all_of)
    joiner = "and"

    @classmethod
    def gap_items(cls, node, ctx):
        from zjtx_cli.engine.kinds.common import gap_items, merge_data

        out: list[dict] = []
        for s in node["checks"]:
            out.extend(gap_items(s, ctx))
        return merge_data(out)


@register
class AnyCheck(_Group):
    __slots__ = ()
    type = "any"
    keys = frozenset({"any"})
    combine = staticmethod(any_of)
    joiner = "or"

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

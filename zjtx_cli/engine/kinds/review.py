"""``review``: a condition read differently on re-review (复核, ``--review``)::

    review:
      new: CHECK                    # applied to a new application
      review: CHECK | not_examined  # applied on re-review
"""

from __future__ import annotations

from zjtx_cli.engine.kinds.base import Check, RulesetError, build_opt, register
from zjtx_cli.engine.status import MET


@register
class ReviewCheck(Check):
    __slots__ = ("new", "review")
    new: Check | None  # None: not examined
    review: Check | None
    type = "review"
    keys = frozenset({"review"})
    memoisable = False
    can_pend = True

    @classmethod
    def validate(cls, raw, where, fields):
        from zjtx_cli.engine.kinds.base import compile_check

        spec = raw["review"]
        if not isinstance(spec, dict) or set(spec) != {"new", "review"}:
            raise RulesetError(f"{where}: a 'review' check has exactly 'new' and 'review' (a check, or not_examined)")
        out = {}
        for k in ("new", "review"):
            v = spec[k]
            out[k] = None if v == "not_examined" else compile_check(v, f"{where}.review.{k}", fields)
        return {"readings": out}

    @classmethod
    def from_data(cls, d):
        r = d["readings"]
        return cls(label=d.get("label"), new=build_opt(r["new"]), review=build_opt(r["review"]))

    def children(self):
        return tuple(x for x in (self.new, self.review) if x is not None)

    def evaluate(self, ctx):
        from zjtx_cli.engine.kinds.common import evaluate_check

        reading = "review" if ctx.review else "new"
        sub = self.review if ctx.review else self.new
        node = {"type": "review", "reading": reading, "label": self.label, "missing": None,
                "not_examined": sub is None}
        if sub is None:
            node.update(status=MET, then=None)
        else:
            res = evaluate_check(sub, ctx)
            node.update(status=res["status"], then=res)
        return node

    @classmethod
    def gap_items(cls, node, ctx):
        from zjtx_cli.engine.kinds.common import gap_items

        return gap_items(node["then"], ctx) if node.get("then") else []

    def describe_rule(self, fields, lang):
        from zjtx_cli.engine.kinds.common import describe_rule

        zh = lang == "zh"

        def one(x):
            return ("不考察" if zh else "not examined") if x is None else describe_rule(x, fields, lang)

        return (f"新申报：{one(self.new)}；复核：{one(self.review)}" if zh
                else f"new application: {one(self.new)}; re-review: {one(self.review)}")

    @staticmethod
    def _prefix(node, lang):
        if node["reading"] == "review":
            return "[复核口径] " if lang == "zh" else "[re-review reading] "
        return "[新申报口径] " if lang == "zh" else "[new-application reading] "

    @classmethod
    def describe_required(cls, node, fields, lang):
        from zjtx_cli.engine.kinds.common import describe_required

        if node["not_examined"]:
            return cls._prefix(node, lang) + ("不考察" if lang == "zh" else "not examined")
        return cls._prefix(node, lang) + describe_required(node["then"], fields, lang)

    @classmethod
    def describe_actual(cls, node, fields, lang):
        from zjtx_cli.engine.kinds.common import describe_actual

        if node["not_examined"]:
            return "复核企业不考察此项" if lang == "zh" else "not examined on re-review"
        return describe_actual(node["then"], fields, lang)

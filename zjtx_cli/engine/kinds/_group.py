"""What ``all`` and ``any`` share: a list of checks, combined (see ``all.py`` and ``any.py``).

``all`` is unmet if any part is unmet, else unknown if any part is unknown; ``any`` is met if
any part is met, else unknown if any part is unknown.
"""

from __future__ import annotations

from zjtx_cli.engine.kinds.base import Check, RulesetError, build
from zjtx_cli.engine.status import all_of
from zjtx_cli.engine.texts import label


class Group(Check):
    __slots__ = ("checks",)
    checks: tuple[Check, ...]
    combine = staticmethod(all_of)
    joiner = "and"
    # the status one part decides alone (all: unmet; any: met); then the evidenced part is named
    decided_by_one = "unmet"

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

    @classmethod
    def inputs_used(cls, node, ctx, has):
        """Every part that shares the status; where one part decides alone (an alternative that is
        met, a part of 'all' that is unmet), the first such part that is wholly evidenced."""
        from zjtx_cli.engine.kinds.base import pick
        from zjtx_cli.engine.kinds.common import inputs_used

        same = [inputs_used(s, ctx, has) for s in node["checks"] if s["status"] == node["status"]]
        if node["status"] == cls.decided_by_one:
            return pick(same, has)
        return [i for part in same for i in part]

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

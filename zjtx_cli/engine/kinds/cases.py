"""``{cases: [{when: CHECK, then: CHECK}, …, {else: CHECK}]}``: banded or industry-specific rules.

The first ``when`` that is met decides; an unknown ``when`` makes the result unknown (unless this
case and every later one give the same); no match and no ``else`` is unmet ("not applicable").

When the data that picks the case (the industry, an ethnic-crafts declaration) is missing, the gap
does not present one case's shortfall as certain: the node records every case that may still apply
(``branches``, each evaluated), and the gap asks for the deciding data and gives each branch's own
shortfall, stated conditionally ("若…：尚差 100 万元；若不属于以上情形：尚差 1100 万元"), rated by the
harder branch (issue 12).
"""

from __future__ import annotations

from zjtx_cli.engine.kinds.base import Check, RulesetError, build, register
from zjtx_cli.engine.record import Record
from zjtx_cli.engine.status import EFFORT_ORDER, MET, UNKNOWN, UNMET, effort_name


class Case(Record):
    """One ``when`` / ``then`` pair; ``when`` is None for ``else``."""

    __slots__ = ("when", "then")
    when: Check | None
    then: Check


@register
class CasesCheck(Check):
    __slots__ = ("cases",)
    cases: tuple[Case, ...]
    type = "cases"
    keys = frozenset({"cases"})

    @classmethod
    def validate(cls, raw, where, fields):
        from zjtx_cli.engine.kinds.base import compile_check

        items = raw["cases"]
        if not isinstance(items, list) or not items:
            raise RulesetError(f"{where}: 'cases' must list {{when, then}} items")
        cases = []
        for i, x in enumerate(items):
            w = f"{where}.cases[{i}]"
            if not isinstance(x, dict):
                raise RulesetError(f"{w}: expected a mapping")
            if set(x) == {"else"}:
                if i != len(items) - 1:
                    raise RulesetError(f"{w}: 'else' must come last")
                cases.append({"when": None, "then": compile_check(x["else"], w + ".else", fields)})
            elif set(x) == {"when", "then"}:
                cases.append({"when": compile_check(x["when"], w + ".when", fields),
                              "then": compile_check(x["then"], w + ".then", fields)})
            else:
                raise RulesetError(f"{w}: a case has 'when' and 'then' (or only 'else'), got {sorted(x)}")
        return {"cases": cases}

    @classmethod
    def from_data(cls, d):
        return cls(label=d.get("label"), cases=tuple(
            Case(when=None if c["when"] is None else build(c["when"]), then=build(c["then"])) for c in d["cases"]))

    def children(self):
        out = []
        for case in self.cases:
            if case.when is not None:
                out.append(case.when)
            out.append(case.then)
        return tuple(out)

    def evaluate(self, ctx):
        return _first_case(self.cases, ctx)

    @classmethod
    def inputs_used(cls, node, ctx, has):
        from zjtx_cli.engine.kinds.common import inputs_used

        out = []
        for w in node.get("ruled_out") or ():  # the case applies because the earlier ones do not (issue 13)
            out.extend(inputs_used(w, ctx, has))
        if node.get("when") is not None and node["when"]["status"] == MET:
            out.extend(inputs_used(node["when"], ctx, has))
        if node.get("then") is not None:
            out.extend(inputs_used(node["then"], ctx, has))
        return out

    @classmethod
    def gap_items(cls, node, ctx):
        from zjtx_cli.engine.kinds.common import gap_items, merge_data

        if node.get("branches") and node["status"] != MET:  # the case is not known: each branch (issue 12)
            return _branch_gap_items(node, ctx)
        if node.get("either_way") and node.get("when") is not None:
            # decided whichever case applies: the threshold shown is one of them, so ask for
            # the data that says which one it is as well
            return merge_data(gap_items(node["when"], ctx) + gap_items(node["then"], ctx))
        if node.get("then") is not None:
            return gap_items(node["then"], ctx)
        if node.get("when") is not None:
            return gap_items(node["when"], ctx)
        return [{"kind": "blocker", "effort": "blocker", "node": node}]

    def describe_rule(self, fields, lang):
        from zjtx_cli.engine.kinds.common import describe_rule

        zh = lang == "zh"
        parts = []
        for case in self.cases:
            if case.when is None:
                parts.append(("否则 " if zh else "otherwise ") + describe_rule(case.then, fields, lang))
            else:
                parts.append(("若 " if zh else "if ") + describe_rule(case.when, fields, lang) +
                             (" 则 " if zh else " then ") + describe_rule(case.then, fields, lang))
        return "；".join(parts) if zh else "; ".join(parts)

    @classmethod
    def describe_required(cls, node, fields, lang):
        from zjtx_cli.engine.kinds.common import describe_actual, describe_required, describe_rule

        if node.get("then") is not None:
            pre = ""
            if node.get("when") is not None:
                pre = f"[{describe_actual(node['when'], fields, lang)}] "
            return pre + describe_required(node["then"], fields, lang)
        if node.get("no_case"):
            whens = node.get("whens") or []
            if whens:
                only = ("；" if lang == "zh" else "; ").join(describe_rule(w, fields, lang) for w in whens)
                return (f"本条门槛只对以下情形设定：{only}；本企业不属于其中任何一种" if lang == "zh"
                        else f"this condition sets thresholds only for: {only}; the company is in none of them")
            return "本条门槛不适用于本企业的情形" if lang == "zh" else "no threshold of this condition fits the company"
        return describe_required(node["when"], fields, lang) if node.get("when") else ""

    @classmethod
    def describe_actual(cls, node, fields, lang):
        from zjtx_cli.engine.kinds.common import describe_actual

        if node.get("then") is not None:
            return describe_actual(node["then"], fields, lang)
        if node.get("when") is not None:
            return describe_actual(node["when"], fields, lang)
        return ""

    @classmethod
    def describe_gap_item(cls, item, fields, lang):
        if item["kind"] == "blocker" and item["node"].get("no_case"):
            return cls.describe_required(item["node"], fields, lang)
        if item["kind"] == "branches":  # a banded rule whose band is not known yet (issue 12)
            return _describe_branches(item, fields, lang)
        return super().describe_gap_item(item, fields, lang)

    @classmethod
    def gap_item_json(cls, item, item_json):
        if item["kind"] != "branches":
            return super().gap_item_json(item, item_json)
        from zjtx_cli.engine.kinds.common import describe_required

        fields, lang = item_json.fields, item_json.lang
        return {"branches": [{"when": describe_required(b["when"], fields, lang) if b["when"] else None,
                              "status": b["status"], "items": [item_json(x) for x in b["items"]]}
                             for b in item["branches"]]}


def _first_case(cases, ctx) -> dict:
    """The first case whose 'when' is met decides. When a 'when' is unknown, the
    result is still known if this case and every later one would give the same."""
    from zjtx_cli.engine.kinds.common import evaluate_check

    ruled_out: list[dict] = []  # the 'when's found unmet before the case that applies: it rests on them too
    for i, case in enumerate(cases):
        if case.when is None:
            res = evaluate_check(case.then, ctx)
            return {"type": "cases", "status": res["status"], "when": None, "then": res, "ruled_out": ruled_out}
        w = evaluate_check(case.when, ctx)
        if w["status"] == MET:
            res = evaluate_check(case.then, ctx)
            return {"type": "cases", "status": res["status"], "when": w, "then": res, "ruled_out": ruled_out}
        if w["status"] == UNMET:
            ruled_out.append(w)
        if w["status"] == UNKNOWN:
            here = evaluate_check(case.then, ctx)
            rest = _first_case(cases[i + 1:], ctx)
            br = _open_branches(cases[i:], ctx)  # every case that may apply (issue 12)
            if here["status"] == rest["status"] != UNKNOWN:
                return {"type": "cases", "status": here["status"], "when": w, "then": here, "either_way": True,
                        "branches": br}
            return {"type": "cases", "status": UNKNOWN, "when": w, "then": None, "branches": br}
    return {"type": "cases", "status": UNMET, "when": None, "then": None, "no_case": True,
            "whens": [c.when for c in cases if c.when is not None]}


# ------------------------------------------------------ the case is not known (issue 12)
def _open_branches(cases, ctx) -> list[dict]:
    """Every case from the first unknown ``when`` on that may still apply, in order, evaluated.
    A case whose ``when`` is met ends the list (later ones cannot apply); with no ``else`` the list
    ends with the 'no case applies' branch (unmet: the rule sets no threshold for that company)."""
    from zjtx_cli.engine.kinds.common import evaluate_check

    out = []
    for case in cases:
        if case.when is None:
            out.append({"when": None, "then": evaluate_check(case.then, ctx)})
            return out
        w = evaluate_check(case.when, ctx)
        if w["status"] == UNMET:
            continue
        out.append({"when": w, "then": evaluate_check(case.then, ctx)})
        if w["status"] == MET:
            return out
    out.append({"when": None, "then": None, "no_case": True})  # type: ignore[dict-item]  # a marker entry
    return out


def _branch_gap_items(node, ctx) -> list[dict]:
    """The data that decides the case, and each branch's own gap, stated conditionally."""
    from zjtx_cli.engine.kinds.common import gap_items, merge_data

    data: list[dict] = []
    branches: list[dict] = []
    worst = 0
    for b in node["branches"]:
        if b["when"] is not None and b["when"]["status"] == UNKNOWN:
            data.extend(i for i in gap_items(b["when"], ctx) if i["kind"] == "data")
        if b.get("no_case"):
            branches.append({"when": None, "no_case": True, "status": UNMET, "items": []})
            continue
        then = b["then"]
        items = gap_items(then, ctx) if then["status"] != MET else []
        for i in items:
            worst = max(worst, EFFORT_ORDER[i["effort"]])
        branches.append({"when": b["when"], "status": then["status"], "items": items, "then": then})
    item = {"kind": "branches", "effort": effort_name(worst), "node": node, "branches": branches}
    return merge_data(data) + [item]


def _describe_branches(item, fields, lang) -> str:
    from zjtx_cli.engine.kinds.common import describe_gap_item, describe_required

    zh = lang == "zh"
    parts = []
    for b in item["branches"]:
        if b.get("no_case"):
            parts.append("若不属于以上任何情形：本条未设门槛，不满足" if zh else
                         "if none of these applies: the rule sets no threshold for it (not met)")
            continue
        if b["when"] is None:
            cond = "若不属于以上情形" if zh else "otherwise"
        else:
            w = describe_required(b["when"], fields, lang)
            cond = f"若“{w}”" if zh else f"if '{w}'"
        if b["status"] == MET:
            what = "已满足" if zh else "already met"
        elif b["items"]:
            what = ("；" if zh else "; ").join(describe_gap_item(x, fields, lang) for x in b["items"])
        else:
            what = describe_required(b["then"], fields, lang)
        parts.append(f"{cond}：{what}" if zh else f"{cond}: {what}")
    head = ("适用哪一档取决于尚未提供的数据，各档分别为：" if zh
            else "which case applies depends on data not yet given: ")
    return head + ("；".join(parts) if zh else "; ".join(parts))

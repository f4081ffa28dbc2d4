"""Check kinds (engine/kinds): one module per type, found by name, used through one interface.

A kind defined here, in the test alone, is validated, compiled, evaluated, explained, turned
into gaps and JSON by the unchanged engine, service and reports: adding a kind needs its own
module and nothing else in the code."""

from __future__ import annotations

import os
import re

import pytest
from conftest import ROOT, enterprise_from

from zjtx_cli.engine.kinds import base
from zjtx_cli.engine.status import MET, UNKNOWN, UNMET

PACKAGE = os.path.join(ROOT, "zjtx_cli")
INTERFACE = ("validate", "from_data", "evaluate", "describe_rule", "describe_required", "describe_actual")


def test_every_type_has_its_own_module_and_class():
    names = base.type_names()
    assert names == {"metric", "flag", "choice", "all", "any", "cases", "date_within", "tier", "sme", "score",
                     "declared_value", "review"}
    for name in names:
        cls = base.kind(name)
        assert cls.type == name and cls.__module__ in (f"zjtx_cli.engine.kinds.{name}",)
        for method in INTERFACE:  # each kind implements the interface itself
            assert method in vars(cls) or any(method in vars(k) for k in cls.__mro__[1:-1] if k is not base.Check), \
                (name, method)


def test_the_ruleset_format_documents_every_kind():
    with open(os.path.join(ROOT, "docs", "ruleset-format.md"), encoding="utf-8") as fh:
        doc = fh.read()
    for name in base.type_names():
        assert f"{{{name}:" in doc, name


def test_no_code_outside_the_kinds_switches_on_a_check_type():
    pattern = re.compile(r"""\[["']type["']\]\s*(==|!=|in\b)|get\(["']type["']\)\s*(==|!=|in\b)""")
    offenders = []
    for d, _dirs, files in os.walk(PACKAGE):
        if os.path.join("engine", "kinds") in d:
            continue
        # match and the deliverable reports read the published JSON document (docs/assessment.schema.json),
        # where "type" is a documented discriminator, as any outside consumer would: not the check objects
        if d.endswith(os.path.join("outputs", "deliverable")) or d.endswith("match"):
            continue
        for f in files:
            if f.endswith(".py") and not (f == "fields.py" and d.endswith("inputs")):  # field types, not checks
                path = os.path.join(d, f)
                with open(path, encoding="utf-8") as fh:
                    for i, line in enumerate(fh, 1):
                        if pattern.search(line):
                            offenders.append(f"{os.path.relpath(path, ROOT)}:{i}: {line.strip()}")
    assert offenders == []


# ------------------------------------------------------------------ a kind added by a test
@pytest.fixture
def even_kind(monkeypatch):
    """``{even: KEY}``: a count that is even. Registered for the test only."""
    from zjtx_cli.engine.kinds.base import Check, RulesetError

    class EvenCheck(Check):
        __slots__ = ("field",)
        type = "even"
        keys = frozenset({"even"})

        @classmethod
        def validate(cls, raw, where, fields):
            if raw["even"] not in fields or fields[raw["even"]].type != "integer":
                raise RulesetError(f"{where}: {raw['even']!r} is not a count")
            return {"field": raw["even"]}

        @classmethod
        def from_data(cls, d):
            return cls(label=d.get("label"), field=d["field"])

        def fields_read(self):
            return [self.field]

        def evaluate(self, ctx):
            v = ctx.raw(self.field)
            status = UNKNOWN if v is None else (MET if v % 2 == 0 else UNMET)
            return {"type": "even", "status": status, "field": self.field, "actual": v,
                    "missing": [] if v is not None else [[self.field, None]]}

        @classmethod
        def gap_items(cls, node, ctx):
            return [{"kind": "blocker", "effort": "blocker", "node": node}]

        def describe_rule(self, fields, lang):
            return f"{self.field} even"

        @classmethod
        def describe_required(cls, node, fields, lang):
            return "偶数" if lang == "zh" else "an even number"

        @classmethod
        def describe_actual(cls, node, fields, lang):
            return str(node["actual"])

    monkeypatch.setitem(base.REGISTRY, "even", EvenCheck)
    monkeypatch.setattr(base, "_TYPE_NAMES", [base.type_names() | {"even"}])
    return EvenCheck


def _ruleset(check):
    from zjtx_cli.rules.loader import Ruleset, compile_ruleset

    data = {"id": "t", "title": "t", "issuer": "t", "source": "t",
            "tiers": [{"id": "tier", "level": "national", "conditions": [
                {"id": "c1", "kind": "required", "text": "even", "citation": "test", "check": check}]}]}
    return Ruleset(compile_ruleset(data, "test.yaml"), "test.yaml")


def test_a_new_kind_works_through_the_unchanged_engine_and_reports(even_kind):
    import datetime as dt

    import zjtx_cli as zjtx
    from zjtx_cli.engine.service import assess
    from zjtx_cli.inputs.fields import field_dictionary
    from zjtx_cli.outputs.report import describe_rule, document

    rs = _ruleset({"any": [{"even": "ip_class1"}, {"flag": "high_tech_enterprise"}]})
    fields = field_dictionary()
    rule = describe_rule(rs.tiers[0]["tracks"][0]["conditions"][0].check, fields, "en")
    assert rule == f"(ip_class1 even or {fields['high_tech_enterprise'].en}: yes)"
    assert "ip_class1" in rs.fields_used()
    as_of = dt.date(2026, 6, 1)
    even = assess(enterprise_from({"ip_class1": 4, "high_tech_enterprise": False}), rs, as_of=as_of)
    odd = assess(enterprise_from({"ip_class1": 3, "high_tech_enterprise": False}), rs, as_of=as_of)
    missing = assess(enterprise_from({"high_tech_enterprise": False}), rs, as_of=as_of)
    assert (even.verdict, odd.verdict, missing.verdict) == ("eligible", "not_eligible", "undetermined")
    doc = document(odd, fields, "en")
    cond = doc["conditions"][0]
    assert cond["detail"]["checks"][0] == {"type": "even", "status": "unmet", "field": "ip_class1", "actual": 3,
                                           "missing": []}
    assert cond["required"].startswith("an even number or ")
    assert [i["kind"] for i in doc["gaps"][0]["items"]] == ["alternatives"]
    assert "restriction: an even number" in doc["gaps"][0]["items"][0]["text"]
    assert doc["gaps"][0]["items"][0]["options"][0][0]["kind"] == "blocker"
    assert zjtx.VERDICTS  # the public API is unaffected


def test_a_new_kind_is_validated_strictly_like_the_others(even_kind):
    from zjtx_cli.rules.loader import RulesetError

    with pytest.raises(RulesetError, match="not a count"):
        _ruleset({"even": "high_tech_enterprise"})
    with pytest.raises(RulesetError, match=r"unknown key\(s\) \['odd'\] in a 'even' check"):
        _ruleset({"even": "ip_class1", "odd": True})
    with pytest.raises(RulesetError, match="exactly one of"):
        _ruleset({"even": "ip_class1", "flag": "high_tech_enterprise"})

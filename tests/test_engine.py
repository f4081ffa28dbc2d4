"""The engine's own rules: verdict precedence, three-valued all/any/cases, and the metrics' formulas."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from conftest import enterprise
from zjtx_cli.engine.evaluate import MET, UNKNOWN, UNMET, counts_of, evaluate_check, verdict_of
from zjtx_cli.engine.service import make_ctx
from zjtx_cli.inputs.fields import field_dictionary
from zjtx_cli.engine.metrics import evaluate_metric
from zjtx_cli.engine.kinds import build, compile_check


def r(kind, status):
    from zjtx_cli.engine.results import ConditionResult

    return ConditionResult(id=f"{kind}-{status}", kind=kind, status=status, cond=None, result={})


@pytest.mark.parametrize("results,verdict", [
    # an exclusion that applies beats everything, even unmet required conditions
    ([r("exclusion", MET), r("required", UNMET), r("required", UNKNOWN)], "excluded"),
    ([r("exclusion", MET), r("required", MET)], "excluded"),
    # unmet beats unknown
    ([r("required", UNMET), r("required", UNKNOWN), r("exclusion", UNKNOWN)], "not_eligible"),
    # unknown only when nothing is unmet; an exclusion that cannot be ruled out leaves it open too
    ([r("required", MET), r("required", UNKNOWN)], "undetermined"),
    ([r("required", MET), r("exclusion", UNKNOWN)], "undetermined"),
    ([r("required", MET), r("required", "pending")], "undetermined"),
    # priority conditions never change the verdict
    ([r("required", MET), r("priority", UNMET), r("priority", UNKNOWN), r("exclusion", UNMET)], "eligible"),
])
def test_verdict_precedence(results, verdict):
    assert verdict_of(results) == verdict


def test_counts():
    c = counts_of([r("required", MET), r("required", UNMET), r("required", UNKNOWN), r("priority", MET),
                   r("priority", UNMET), r("exclusion", MET)])
    assert (c["met"], c["unmet"], c["unknown"], c["priority_met"], c["exclusions_applying"]) == (1, 1, 1, 1, 1)


def check(spec):
    return build(compile_check(spec, "test", field_dictionary()))


def ev(spec, **values):
    e = enterprise(values)
    return evaluate_check(check(spec), make_ctx(e, field_dictionary(), year=2025, as_of=dt.date(2026, 1, 1)))


A = {"flag": "own_brand"}
B = {"flag": "management_sound"}


@pytest.mark.parametrize("a,b,all_,any_", [
    (True, True, MET, MET), (True, False, UNMET, MET), (False, False, UNMET, UNMET),
    (True, None, UNKNOWN, MET), (False, None, UNMET, UNKNOWN), (None, None, UNKNOWN, UNKNOWN),
])
def test_three_valued_all_any(a, b, all_, any_):
    values = {k: v for k, v in (("own_brand", a), ("management_sound", b)) if v is not None}
    assert ev({"all": [A, B]}, **values)["status"] == all_
    assert ev({"any": [A, B]}, **values)["status"] == any_


CASES = {"cases": [{"when": {"choice": "industry", "in": ["manufacturing"]},
                    "then": {"metric": "main_business_revenue", "op": ">=", "value": 2000}},
                   {"when": {"choice": "industry", "in": ["software_it"]},
                    "then": {"metric": "main_business_revenue", "op": ">=", "value": 1000}}]}


@pytest.mark.parametrize("industry,revenue,status", [
    ("manufacturing", 2000, MET), ("manufacturing", 1999.99, UNMET),
    ("software_it", 1000, MET), ("software_it", 999.99, UNMET),
    ("wholesale", 5000, UNMET),  # no case applies
    (None, 1500, UNKNOWN),       # the industry decides: 1500 meets one threshold, not the other
    (None, 900, UNMET),          # fails every threshold, and an industry outside both fails too
])
def test_cases(industry, revenue, status):
    values = {"main_business_revenue": {"2025": revenue}}
    if industry:
        values["industry"] = industry
    assert ev(CASES, **values)["status"] == status


def test_cases_unknown_when_decided_if_every_branch_agrees():
    spec = {"cases": [{"when": {"flag": "ethnic_crafts"},
                       "then": {"metric": "operating_revenue", "op": ">=", "value": 1000}},
                      {"else": {"metric": "operating_revenue", "op": ">=", "value": 2000}}]}
    assert ev(spec, operating_revenue={"2025": 2000})["status"] == MET
    assert ev(spec, operating_revenue={"2025": 1500})["status"] == UNKNOWN
    assert ev(spec, operating_revenue={"2025": 999})["status"] == UNMET


def test_flag_if_missing_falls_back_only_when_undeclared():
    spec = {"flag": "own_brand", "if_missing": {"flag": "management_sound"}}
    assert ev(spec, own_brand=False, management_sound=True)["status"] == UNMET
    assert ev(spec, own_brand=True, management_sound=False)["status"] == MET
    assert ev(spec, management_sound=True)["status"] == MET
    assert ev(spec)["status"] == UNKNOWN


def mv(key, year=2025, **values):
    e = enterprise(values)
    return evaluate_metric(key, make_ctx(e, field_dictionary(), year=year), year)


def test_growth_formulas():
    # compound: sqrt(1.21) - 1 = 10% exactly; arithmetic mean of +30% and -7.69%
    assert mv("main_business_revenue_cagr_2y", main_business_revenue={"2023": 1000, "2024": 1000, "2025": 1210}
              ).value == Decimal(10)
    v = mv("main_business_revenue_avg_growth_2y", main_business_revenue={"2023": 1000, "2024": 1300, "2025": 1200}).value
    assert abs(v - Decimal("11.15384615")) < Decimal("0.000001")
    # a zero or negative base: no growth figure
    assert mv("net_profit_avg_growth_2y", net_profit={"2023": -10, "2024": 5, "2025": 8}).value is None


def test_ratio_and_intensity_formulas():
    assert mv("asset_liability_ratio", total_liabilities={"2025": 7000}, total_assets={"2025": 10000}).value == 70
    assert mv("rd_intensity_2y", rd_expense={"2024": 150, "2025": 150},
              operating_revenue={"2024": 5000, "2025": 5000}).value == 3
    assert mv("rd_staff_share", rd_staff={"2025": 15}, employees={"2025": 100}).value == 15
    m = mv("rd_intensity_2y", rd_expense={"2025": 150}, operating_revenue={"2024": 5000, "2025": 5000})
    assert m.value is None and ["rd_expense", 2024] in [list(x) for x in m.missing]


def test_years_in_operation_year_end_counts_completed_years_at_year_end():
    # the fixed cut-off (截至上年末) metric; years_in_operation counts to --as-of (issue 12, test_readings.py)
    assert mv("years_in_operation_year_end", year=2025, founding_date="2022-12-31").value == 3
    assert mv("years_in_operation_year_end", year=2025, founding_date="2023-01-01").value == 2


def test_average_growth_exactly_at_the_threshold_is_met():
    # 9000 -> 6000 -> 9200: (-1/3 + 8/15) / 2 = 1/10 exactly; 28-digit division used to give 9.999...
    v = mv("main_business_revenue_avg_growth_2y", main_business_revenue={"2023": 9000, "2024": 6000, "2025": 9200})
    assert v.value == 10
    spec = {"metric": "main_business_revenue_avg_growth_2y", "op": ">=", "value": 10}
    assert ev(spec, main_business_revenue={"2023": 9000, "2024": 6000, "2025": 9200})["status"] == MET
    assert ev(spec, main_business_revenue={"2023": 9000, "2024": 6000, "2025": 9199.99})["status"] == UNMET


def test_growth_from_a_loss_is_not_met_and_not_missing_data():
    from zjtx_cli.outputs.report import describe_gap_item

    spec = {"metric": "net_profit_avg_growth_2y", "op": ">=", "value": 10}
    node = ev(spec, net_profit={"2023": -100, "2024": 50, "2025": 80})
    assert node["status"] == UNMET and node["missing"] == [] and node["invalid"] == [["net_profit", 2023]]
    from zjtx_cli.engine.evaluate import gap_items

    items = gap_items(node, None)
    assert [i["kind"] for i in items] == ["invalid"]
    assert "为零或负数" in describe_gap_item(items[0], field_dictionary(), "zh")

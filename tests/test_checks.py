"""Data checks (checks.py): impossible figures stop the file, doubtful ones warn."""

from __future__ import annotations

import datetime as dt
import json
import os

import pytest
from typer.testing import CliRunner

from conftest import ROOT, enterprise_from
from zjtx_cli.engine.scheme_checks import scheme_warnings
from zjtx_cli.inputs.checks import check_enterprise
from zjtx_cli.cli.app import app
from zjtx_cli.inputs.fields import field_dictionary
from zjtx_cli.inputs.model import InputError
from zjtx_cli.inputs.reader import read_enterprise

F = field_dictionary()
TODAY = dt.date(2026, 6, 1)


def check(values):
    errors, warnings = check_enterprise(enterprise_from(values), F, today=TODAY)
    return [p.line() for p in errors], [p.line() for p in warnings]


def only_error(values, *needles):
    errors, warnings = check(values)
    assert len(errors) == 1, errors
    for n in needles:
        assert n in errors[0], (n, errors[0])
    return errors[0]


def clean(values):
    errors, warnings = check(values)
    assert errors == [] and warnings == [], (errors, warnings)


# ---------------------------------------------------------------------- signs and ranges
@pytest.mark.parametrize("values,needle", [
    ({"operating_revenue": {"2025": -1}}, "operating_revenue"),
    ({"total_assets": {"2025": -0.01}}, "total_assets"),
    ({"rd_expense": {"2024": -5}}, "rd_expense"),
    ({"employees": {"2025": -3}}, "employees"),
    ({"invention_patents": -1}, "invention_patents"),
    ({"niche_market_years": -2}, "niche_market_years"),
])
def test_negative_money_or_counts_are_errors(values, needle):
    line = only_error(values, needle, "negative")
    assert "test.json" in line  # names the file


def test_zero_is_fine_and_losses_may_be_negative():
    clean({"operating_revenue": {"2025": 0}, "invention_patents": 0, "employees": {"2025": 0}})
    clean({"net_profit": {"2025": -120}, "total_profit": {"2025": -80}, "operating_profit": {"2025": -1}})


def test_percentages_and_ranks():
    clean({"market_share_national": 100})
    only_error({"market_share_national": 100.01}, "market_share_national", "over 100")
    clean({"market_rank_national": 1})
    only_error({"market_rank_national": 0}, "market_rank_national", "rank starts at 1")


# --------------------------------------------------------------------------- relations
def test_main_business_revenue_above_operating_revenue():
    clean({"operating_revenue": {"2025": 2000}, "main_business_revenue": {"2025": 2000}})  # equal is fine
    line = only_error({"operating_revenue": {"2024": 1800, "2025": 2000},
                       "main_business_revenue": {"2024": 1800, "2025": 2000.01}},
                      "main_business_revenue", "(2025)", "'2000.01'", "cannot exceed")
    assert "(2024)" not in line


def test_leading_product_revenue():
    only_error({"operating_revenue": {"2025": 100}, "leading_product_revenue": {"2025": 101}},
               "leading_product_revenue", "operating revenue")
    errors, warnings = check({"operating_revenue": {"2025": 100}, "main_business_revenue": {"2025": 80},
                              "leading_product_revenue": {"2025": 90}})
    assert errors == [] and len(warnings) == 1 and "main-business revenue" in warnings[0]


def test_rd_staff_above_employees():
    clean({"employees": {"2025": 40}, "rd_staff": {"2025": 40}})
    only_error({"employees": {"2025": 40}, "rd_staff": {"2025": 41}}, "rd_staff", "(2025)", "'41'", "employees")


def test_liabilities_and_assets():
    only_error({"total_assets": {"2025": 0}, "total_liabilities": {"2025": 10}}, "total_assets", "undefined")
    clean({"total_assets": {"2025": 0}, "total_liabilities": {"2025": 0}})
    clean({"total_assets": {"2025": 100}, "total_liabilities": {"2025": 100}})
    errors, warnings = check({"total_assets": {"2025": 100}, "total_liabilities": {"2025": 120}})
    assert errors == [] and "over 100%" in warnings[0]


def test_doubtful_ratios_warn():
    errors, warnings = check({"operating_revenue": {"2025": 100}, "rd_expense": {"2025": 150},
                              "net_profit": {"2025": 130}})
    assert errors == [] and len(warnings) == 2


# ------------------------------------------------------------------------ dates, years
def test_founding_date():
    only_error({"founding_date": "2026-06-02"}, "founding_date", "in the future")
    clean({"founding_date": "2026-06-01"})
    errors, warnings = check({"founding_date": "2020-05-01", "operating_revenue": {"2019": 10, "2020": 20}})
    assert errors == [] and len(warnings) == 1 and "before the founding date" in warnings[0] and "2019" in warnings[0]
    errors, warnings = check({"founding_date": "2020-05-01", "niche_market_years": 10})
    assert errors == [] and "niche_market_years" in warnings[0]


def test_gap_in_a_series_and_future_year():
    errors, warnings = check({"operating_revenue": {"2023": 1, "2025": 3}})
    assert errors == [] and len(warnings) == 1 and "no figure for 2024" in warnings[0]
    errors, warnings = check({"operating_revenue": {"2026": 1, "2027": 3}})
    assert errors == [] and len(warnings) == 1 and "2027" in warnings[0]


def test_credit_code_check_character():
    clean({"credit_code": "91350100M000100Y43"})
    errors, warnings = check({"credit_code": "91350100M000100Y44"})
    assert errors == [] and len(warnings) == 1
    assert "credit_code" in warnings[0] and "91350100M000100Y44" in warnings[0] and "'3'" in warnings[0]


# ---------------------------------------------------------------------- every problem
def test_file_with_several_mistakes_lists_every_problem(tmp_path):
    p = tmp_path / "many.json"
    p.write_text(json.dumps({
        "operating_revenue": {"2025": 1000},
        "main_business_revenue": {"2025": 1200},          # check error
        "employees": {"2025": 10}, "rd_staff": {"2025": 12},  # check error
        "invention_patents": -1,                           # check error
        "own_brand": "maybe",                              # parse error
        "founding_date": "2999-01-01",                     # check error
        "credit_code": "91350100M000100Y44",               # warning
    }, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(InputError) as ei:
        read_enterprise(str(p), F)
    lines = [x.line() for x in ei.value.problems]
    assert len(lines) == 5, lines
    r = CliRunner().invoke(app, ["assess", str(p), "-s", "hengyang"], catch_exceptions=False)
    assert r.exit_code == 2 and r.stdout == ""
    errs = [ln for ln in r.stderr.splitlines() if ln.startswith("zjtx: error:")]
    assert len(errs) == 5
    for needle in ("main_business_revenue", "rd_staff", "invention_patents", "maybe", "2999-01-01"):
        assert any(needle in ln for ln in errs), needle
    # the warnings found alongside are listed too
    warns = [ln for ln in r.stderr.splitlines() if ln.startswith("zjtx: warning:")]
    assert len(warns) == 1 and "91350100M000100Y44" in warns[0]


def test_samples_pass_the_checks():
    for name in sorted(os.listdir(os.path.join(ROOT, "samples"))):
        if name.endswith((".json", ".xlsx")):
            e = read_enterprise(os.path.join(ROOT, "samples", name), F)
            assert e.values


# ---------------------------------------------------------------------- scheme-aware
def test_scheme_warning_for_a_missing_year_a_rule_needs():
    from zjtx_cli.engine.service import make_ctx
    from zjtx_cli.rules.loader import get_ruleset

    rs = get_ruleset("hengyang")
    e = enterprise_from({"main_business_revenue": {"2024": 1780, "2025": 1980}, "founding_date": "2016-03-01"})
    ws = scheme_warnings(e, rs, make_ctx(e, F, year=2025, as_of=TODAY))
    lines = [w.line() for w in ws]
    assert any("main_business_revenue" in ln and "2023" in ln and "hy-" in ln for ln in lines), lines
    # complete series: no warning about main_business_revenue
    e = enterprise_from({"main_business_revenue": {"2023": 1, "2024": 1780, "2025": 1980}})
    ws = scheme_warnings(e, rs, make_ctx(e, F, year=2025, as_of=TODAY))
    assert not any("main_business_revenue" in w.line() for w in ws)
    # founded after the assessment year
    e = enterprise_from({"founding_date": "2025-03-01"})
    ws = scheme_warnings(e, rs, make_ctx(e, F, year=2024, as_of=TODAY))
    assert any("after the assessment year 2024" in w.line() for w in ws)


def test_scheme_warning_reaches_stderr():
    r = CliRunner().invoke(app, ["assess", os.path.join(ROOT, "samples", "hengyang-missing-data.json"),
                                 "-s", "hengyang", "-f", "json"], catch_exceptions=False)
    assert r.exit_code == 3
    assert any("warning" in ln and "2023" in ln and "main_business_revenue" in ln for ln in r.stderr.splitlines())

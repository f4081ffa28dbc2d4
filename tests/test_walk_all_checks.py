"""One walker over check trees (issue 10): figures tested only inside a 'review' reading or a
points table ('score' options and banded indicators) get their key-figure column in the batch
export and their 'missing year' warning, like any other figure. In miit-2026 these were
operating_revenue_cagr_2y (lg26-2-growth, inside review), ip_class1, ip_class1_own,
ip_class1_high_value, ip_class2 and equity_financing_3y (in26-score)."""

from __future__ import annotations

import csv
import datetime as dt
import os
from decimal import Decimal

import pytest
from conftest import ROOT, changed, enterprise_from, load_sample

from zjtx_cli.engine.scheme_checks import scheme_warnings
from zjtx_cli.engine.service import make_ctx
from zjtx_cli.inputs.fields import field_dictionary
from zjtx_cli.rules.loader import get_ruleset, ruleset_paths

AS_OF = dt.date(2026, 6, 30)
NESTED = ["operating_revenue_cagr_2y", "ip_class1", "ip_class1_own", "ip_class1_high_value", "ip_class2",
          "equity_financing_3y"]


def _scorer(scheme, lang="en", tier=None):
    from zjtx_cli.batch.runner import Scorer

    return Scorer(get_ruleset(scheme), field_dictionary(), tier=tier, as_of=AS_OF, lang=lang)


def test_miit2026_nested_metrics_get_a_key_figure_column_with_the_figure():
    v = load_sample("miit-2026-little-giant.json")
    s = _scorer("miit-2026")
    rec = s.score(enterprise_from(v))
    figures = {keys[0]: value for (keys, off), value in zip(s.cols.figures, rec["figures"], strict=True) if off == 0}
    for key in NESTED:
        assert key in figures, key
    # the figures themselves, from the sample's own numbers
    assert figures["ip_class1"] == v["ip_class1"] and figures["ip_class2"] == v["ip_class2"]
    assert figures["ip_class1_own"] == v["ip_class1_own"]
    assert figures["ip_class1_high_value"] == v["ip_class1_high_value"]
    assert figures["equity_financing_3y"] == sum(v["equity_financing"][y] for y in ("2023", "2024", "2025"))
    rev = v["operating_revenue"]
    cagr = ((Decimal(rev["2025"]) / Decimal(rev["2023"])).sqrt() - 1) * 100
    assert abs(Decimal(str(figures["operating_revenue_cagr_2y"])) - cagr) < Decimal("0.00001")


def test_miit2026_nested_metric_columns_in_the_csv_export(tmp_path):
    from typer.testing import CliRunner

    from zjtx_cli.cli.app import app

    out = tmp_path / "out.csv"
    r = CliRunner().invoke(app, ["batch", os.path.join(ROOT, "samples", "miit-2026-little-giant.json"),
                                 "--scheme", "miit-2026", "--as-of", AS_OF.isoformat(), "--lang", "en",
                                 "--out", str(out)])
    assert r.exit_code in (0, 1, 3), r.output
    with open(out, encoding="utf-8-sig") as fh:
        header = next(csv.reader(fh))
    assert any(h.startswith("2-year compound growth of operating revenue") for h in header), header
    assert any(h.startswith("Valid class-II IP") for h in header), header
    assert any(h.startswith("New equity financing over 3 years") for h in header), header


@pytest.mark.parametrize("scheme", sorted(ruleset_paths()))
def test_every_figure_any_check_tests_has_a_column(scheme):
    """Whatever the depth: the export's figures are exactly the metrics the scheme's checks test."""
    rs = get_ruleset(scheme)
    tested = set()
    for c in rs.checks():
        tested.update((tuple(keys), off) for keys, off in c.metrics_tested())
    assert set(_scorer(scheme).cols.figures) == tested


def _warnings(values):
    e = enterprise_from(values)
    ws = scheme_warnings(e, get_ruleset("miit-2026"), make_ctx(e, field_dictionary(), year=2025, as_of=AS_OF))
    return [w.line("en") for w in ws]


def test_missing_year_warning_for_a_figure_read_only_inside_a_review_reading():
    v = load_sample("miit-2026-little-giant.json")
    lines = _warnings(changed(v, operating_revenue={"2024": 9100, "2025": 10400}))
    assert any("operating_revenue" in ln and "no figure for 2023" in ln and "lg26-2-growth" in ln for ln in lines), \
        lines
    assert not any("operating_revenue" in ln for ln in _warnings(v))  # the complete series: no warning


def test_missing_year_warning_for_a_figure_read_only_inside_a_points_table():
    v = load_sample("miit-2026-little-giant.json")
    lines = _warnings(changed(v, equity_financing={"2023": 0, "2025": 0}))
    assert any("equity_financing" in ln and "no figure for 2024" in ln and "in26-score" in ln for ln in lines), lines
    assert not any("equity_financing" in ln for ln in _warnings(v))

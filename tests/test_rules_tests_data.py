"""The built-in rulesets' boundary cases (rulesets/NAME.tests.yaml) pass through `zjtx rules test`."""

from __future__ import annotations

import os

from typer.testing import CliRunner

from zjtx_cli.cli.app import app
from zjtx_cli.rules.registry import builtin_paths

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_every_builtin_ruleset_has_tests_as_data():
    for scheme, path in builtin_paths().items():
        assert os.path.isfile(path[:-5] + ".tests.yaml"), f"{scheme}: no {scheme}.tests.yaml"


def test_zjtx_rules_test_passes_over_builtin_rulesets():
    r = CliRunner().invoke(app, ["rules", "test"], env={"NO_COLOR": "1"})
    last = r.stdout.strip().splitlines()[-1]
    passed, failed = (int(x.split()[0]) for x in last.split(", "))
    assert r.exit_code == 0 and failed == 0, r.stdout[-3000:]
    assert passed >= 200  # both sides of ~110 thresholds


def test_boundary_files_are_up_to_date():
    import sys

    sys.path.insert(0, os.path.join(ROOT, "tests"))
    import boundary_cases

    assert boundary_cases.main([]) == 0, "run python tests/boundary_cases.py --write"


def test_a_wrong_boundary_fails(tmp_path):
    """The cases can fail: the same hengyang case with the other side's expectation."""
    text = open(os.path.join(ROOT, "rulesets", "hengyang.tests.yaml"), encoding="utf-8").read()
    text = text.replace("main_business_revenue: {2024: 1999}", "main_business_revenue: {2024: 2000}", 1)
    (tmp_path / "hengyang.tests.yaml").write_text(text, encoding="utf-8")  # scheme: hengyang, the built-in
    r = CliRunner().invoke(app, ["rules", "test", str(tmp_path / "hengyang.tests.yaml")], env={"NO_COLOR": "1"})
    assert r.exit_code == 1
    assert "condition hy-2-revenue: expected unmet, actual met" in r.stdout


def test_hengyang_ladder_goes_through_hunan(tmp_path):
    """Hengyang municipal → Hunan provincial (hunan:provincial) → national little giant."""
    import json

    from zjtx_cli.rules.loader import get_ruleset

    assert get_ruleset("hengyang").tiers[-1]["next"] == "hunan:provincial"
    assert get_ruleset("hunan").tiers[-1]["next"] == "miit:little-giant"
    r = CliRunner().invoke(app, ["assess", os.path.join(ROOT, "samples", "hengyang-eligible.json"), "--scheme",
                                 "hengyang", "--format", "json", "--as-of", "2026-01-01"])
    doc = json.loads(r.stdout)
    assert doc["verdict"] == "eligible" and doc["next_tier"] == "hunan:provincial"
    assert doc["next"]["scheme"] == "hunan" and doc["next"]["tier"] == "provincial"
    # the sample does not say it is an announced Hunan innovative SME: that gate is missing data
    st = {c["id"]: c["status"] for c in doc["next"]["conditions"]}
    assert st["hn-3-innovative"] == "unknown"


def test_hunan_as_a_user_ruleset(tmp_path):
    """The shipped Hunan ruleset works through the user mechanism too (replaces: hunan)."""
    text = open(os.path.join(ROOT, "rulesets", "hunan.yaml"), encoding="utf-8").read()
    (tmp_path / "hunan.yaml").write_text(text.replace("\nid: hunan\n", "\nid: hunan\nreplaces: hunan\n"),
                                         encoding="utf-8")
    tests = open(os.path.join(ROOT, "rulesets", "hunan.tests.yaml"), encoding="utf-8").read()
    (tmp_path / "hunan.tests.yaml").write_text(tests, encoding="utf-8")
    r = CliRunner().invoke(app, ["rules", "check", str(tmp_path)])
    assert r.exit_code == 0 and r.stdout == ""
    r = CliRunner().invoke(app, ["rules", "test", str(tmp_path)])
    assert r.exit_code == 0 and r.stdout.strip().endswith(" passed, 0 failed")
    r = CliRunner().invoke(app, ["schemes", "--rules-dir", str(tmp_path), "--format", "json"])
    assert {d["id"]: d["origin"] for d in __import__("json").loads(r.stdout)["schemes"]}["hunan"] == str(tmp_path)

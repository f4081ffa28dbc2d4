"""User rulesets (--rules-dir, ZJTX_RULES_PATH), their own fields, `zjtx rules check` and `zjtx rules test`."""

from __future__ import annotations

import json
import os
import re

import pytest
from typer.testing import CliRunner

from zjtx_cli.cli.app import app

from demo_rules import DEMO  # noqa: E402  (the demo county ruleset, shared with the engine tests)

TESTS = """\
defaults: {tier: county, as_of: 2026-01-01}
cases:
  - name: 订单恰好100笔（“以上”含本数）
    input: {demo_orders: {2025: 100}}
    expect: {verdict: eligible, conditions: {demo-orders: met}}
  - name: 订单99笔，差1笔
    input: {demo_orders: {2025: 99}}
    expect: {verdict: not_eligible, conditions: {demo-orders: unmet}, gaps: {demo-orders: 1}}
"""


def run(*args, env=None):
    r = CliRunner().invoke(app, [str(a) for a in args], env={"NO_COLOR": "1", "COLUMNS": "200", **(env or {})})
    return r.exit_code, r.stdout, r.stderr


@pytest.fixture
def rules_dir(tmp_path):
    d = tmp_path / "myrules"
    d.mkdir()
    (d / "demo.yaml").write_text(DEMO, encoding="utf-8")
    (d / "demo.tests.yaml").write_text(TESTS, encoding="utf-8")
    (tmp_path / "c.json").write_text(json.dumps({"company_name": "演示公司", "demo_orders": {"2025": 120}}),
                                     encoding="utf-8")
    return d


def test_user_ruleset_assessed_with_its_own_field(rules_dir):
    code, out, _err = run("assess", rules_dir.parent / "c.json", "--scheme", "demo", "--rules-dir", rules_dir,
                          "--format", "json", "--as-of", "2026-01-01")
    doc = json.loads(out)
    assert code == 0 and doc["verdict"] == "eligible"
    assert doc["conditions"][0]["id"] == "demo-orders" and doc["conditions"][0]["status"] == "met"


def test_user_ruleset_below_threshold_with_gap(rules_dir):
    code, out, _ = run("assess", rules_dir.parent / "c.json", "--scheme", "demo", "--rules-dir", rules_dir,
                       "--format", "json", "--as-of", "2026-01-01", "--set", "demo_orders.2025=90")
    doc = json.loads(out)
    assert code == 1 and doc["verdict"] == "not_eligible"
    assert doc["gaps"][0]["items"][0]["shortfall"]["amount"] == 10


def test_env_var_adds_rules_path(rules_dir, tmp_path, monkeypatch):
    other = tmp_path / "empty"
    other.mkdir()
    monkeypatch.setenv("ZJTX_RULES_PATH", os.pathsep.join([str(other), str(rules_dir)]))
    code, out, _ = run("assess", rules_dir.parent / "c.json", "--scheme", "demo", "--format", "json",
                       "--as-of", "2026-01-01")
    assert code == 0 and json.loads(out)["scheme"] == "demo"


def test_without_the_folder_the_scheme_is_unknown(rules_dir):
    code, _out, err = run("assess", rules_dir.parent / "c.json", "--scheme", "demo")
    assert code == 2 and "demo" in err


def test_missing_rules_folder_is_one_line(tmp_path):
    code, _out, err = run("schemes", "--rules-dir", tmp_path / "nope")
    assert code == 2 and "rules folder not found" in err and err.count("\n") == 1


def test_schemes_marks_origin(rules_dir):
    code, out, _ = run("schemes", "--rules-dir", rules_dir, "--format", "json")
    assert code == 0
    origins = {d["id"]: d["origin"] for d in json.loads(out)["schemes"]}
    assert origins["demo"] == str(rules_dir)
    assert origins["hengyang"] == "built-in"
    code, out, _ = run("schemes", "--rules-dir", rules_dir)
    assert "内置" in out and "用户" in out


def test_id_of_a_builtin_needs_replaces(rules_dir):
    text = DEMO.replace("id: demo\n", "id: hengyang\n", 1)
    (rules_dir / "hengyang.yaml").write_text(text, encoding="utf-8")
    code, _out, err = run("assess", rules_dir.parent / "c.json", "--scheme", "hengyang", "--rules-dir", rules_dir)
    assert code == 2 and "replaces: hengyang" in err and "hengyang.yaml" in err
    (rules_dir / "hengyang.yaml").write_text(text.replace("source:", "replaces: hengyang\nsource:"),
                                             encoding="utf-8")
    code, out, _ = run("assess", rules_dir.parent / "c.json", "--scheme", "hengyang", "--rules-dir", rules_dir,
                       "--format", "json", "--as-of", "2026-01-01")
    assert code == 0 and json.loads(out)["conditions"][0]["id"] == "demo-orders"
    code, out, _ = run("schemes", "--rules-dir", rules_dir, "--format", "json")
    assert {d["id"]: d["origin"] for d in json.loads(out)["schemes"]}["hengyang"] == str(rules_dir)


def test_id_must_match_file_name(rules_dir):
    (rules_dir / "other.yaml").write_text(DEMO.replace("demo_orders", "other_orders"), encoding="utf-8")
    code, _o, err = run("rules", "other", "--rules-dir", rules_dir)
    assert code == 2 and "must equal the file name" in err


def test_field_clashing_with_builtin_is_refused(rules_dir):
    (rules_dir / "demo.yaml").write_text(DEMO.replace("key: demo_orders", "key: employees"), encoding="utf-8")
    code, _o, err = run("assess", rules_dir.parent / "c.json", "--scheme", "demo", "--rules-dir", rules_dir)
    assert code == 2 and "'employees' clashes with a built-in field" in err


def test_user_field_in_template_and_rules_reference(rules_dir, tmp_path):
    out = tmp_path / "t.json"
    code, _o, _e = run("template", "--out", out, "--format", "json", "--scheme", "demo", "--rules-dir", rules_dir)
    assert code == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert "demo_orders" in doc and "年度订单数" in doc["_fields"]["demo_orders"]
    xlsx = tmp_path / "t.xlsx"
    code, _o, _e = run("template", "--out", xlsx, "--rules-dir", rules_dir)
    assert code == 0
    from openpyxl import load_workbook

    wb = load_workbook(xlsx)
    assert any(c.value == "demo_orders" for ws in wb for row in ws.iter_rows() for c in row)
    code, text, _e = run("rules", "demo", "--rules-dir", rules_dir)
    assert code == 0 and "demo_orders" in text and "年度订单数" in text
    code, text, _e = run("rules", "demo", "--rules-dir", rules_dir, "--format", "json")
    assert json.loads(text)["fields"][0]["key"] == "demo_orders"


def test_xlsx_input_reads_user_field_by_label(rules_dir, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["指标", "2025"])
    ws.append(["企业名称", "演示公司"])
    ws.append(["年度订单数", 150])
    wb.save(tmp_path / "c.xlsx")
    code, out, _ = run("assess", tmp_path / "c.xlsx", "--scheme", "demo", "--rules-dir", rules_dir,
                       "--format", "json", "--as-of", "2026-01-01")
    assert code == 0, out
    assert json.loads(out)["conditions"][0]["status"] == "met"


def test_batch_with_user_rules(rules_dir, tmp_path):
    folder = tmp_path / "apps"
    folder.mkdir()
    for n, orders in (("a", 100), ("b", 99)):
        (folder / f"{n}.json").write_text(json.dumps({"company_name": n, "demo_orders": {"2025": orders}}),
                                          encoding="utf-8")
    code, out, err = run("batch", folder, "--scheme", "demo", "--rules-dir", rules_dir, "--format", "json",
                         "--as-of", "2026-01-01", "--jobs", "1")
    assert code == 0, err
    assert "eligible" in out and "not_eligible" in out


# ------------------------------------------------------------------------------------ rules test
def test_rules_test_passes_on_user_folder(rules_dir):
    code, out, _ = run("rules", "test", rules_dir)
    assert code == 0 and out.strip().splitlines()[-1] == "2 passed, 0 failed"


def test_rules_test_failure_names_case_condition_expected_actual(rules_dir):
    bad = TESTS + ("  - name: 写错的期望\n"
                   "    input: {demo_orders: {2025: 99}}\n"
                   "    expect: {verdict: eligible, conditions: {demo-orders: met}, gaps: {demo-orders: 2}}\n")
    (rules_dir / "demo.tests.yaml").write_text(bad, encoding="utf-8")
    code, out, _ = run("rules", "test", rules_dir / "demo.yaml")
    assert code == 1
    assert out.strip().splitlines()[-1] == "2 passed, 1 failed"
    assert "写错的期望" in out
    assert "condition demo-orders: expected met, actual unmet" in out
    assert "verdict: expected eligible, actual not_eligible" in out
    assert "gap demo-orders: expected 2, actual 1" in out


def test_rules_test_unreadable_tests_file(rules_dir):
    (rules_dir / "demo.tests.yaml").write_text("cases:\n  - name: x\n    input: {}\n", encoding="utf-8")
    code, _out, err = run("rules", "test", rules_dir)
    assert code == 2 and "'expect' needs at least a 'verdict'" in err


def test_rules_scheme_still_prints_conditions():
    code, out, _ = run("rules", "hengyang")
    assert code == 0 and "hy-2-revenue" in out


# ----------------------------------------------------------------------------------- rules check
BROKEN = """\
id: broken
title: {zh: 演示, en: demo}
issuer: {zh: 某地, en: somewhere}
source: demo-notice.txt
sorce: typo
tiers:
  - id: pool
    level: county
    next: nowhere
    conditions:
      - id: r-key
        kind: required
        text: {zh: 收入, en: revenue}
        citaton: demo-notice.txt 一
        check: {metric: main_business_revenue, op: ">=", value: 2000}
      - id: r-cite
        kind: required
        text: {zh: 收入, en: revenue}
        check: {metric: main_business_revenue, op: ">=", value: 2000}
      - id: r-field
        kind: required
        text: {zh: 收入, en: revenue}
        citation: demo-notice.txt 一
        check: {metric: main_busines_revenue, op: ">=", value: 2000}
      - id: r-op
        kind: required
        text: {zh: 收入, en: revenue}
        citation: demo-notice.txt 一
        check: {metric: main_business_revenue, op: "=>", value: 2000}
      - id: r-else
        kind: required
        text: {zh: 收入, en: revenue}
        citation: demo-notice.txt 一
        check:
          cases:
            - else: {flag: own_brand}
            - when: {choice: industry, in: [manufacturing]}
              then: {metric: main_business_revenue, op: ">=", value: 2000}
      - id: r-value
        kind: required
        text: {zh: 收入, en: revenue}
        citation: demo-notice.txt 一
        check:
          any:
            - {flag: own_brand}
            - {metric: main_business_revenue, op: ">=", value: 两千}
      - id: r-ok
        kind: required
        text: {zh: 收入, en: revenue}
        citation: demo-notice.txt 一
        check: {metric: main_business_revenue, op: ">=", value: 2000}
  - id: upper
    level: municipal
    next: hengyang:no-such-tier
    conditions:
      - id: r-up
        kind: required
        text: {zh: 收入, en: revenue}
        citation: demo-notice.txt 二
        check: {metric: main_business_revenue, op: ">=", value: 3000}
"""


def _line_of(text, needle):
    return next(i for i, ln in enumerate(text.splitlines(), 1) if needle in ln)


def test_rules_check_catches_each_listed_mistake(tmp_path):
    f = tmp_path / "broken.yaml"
    f.write_text(BROKEN, encoding="utf-8")
    code, out, _ = run("rules", "check", f)
    assert code == 2
    lines = out.strip().splitlines()
    expected = [
        (_line_of(BROKEN, "sorce:"), "-", "unknown key 'sorce' (did you mean 'source'?)"),
        (_line_of(BROKEN, "next: nowhere"), "pool", "'next' names unknown tier 'nowhere'"),
        (_line_of(BROKEN, "citaton:"), "r-key", "unknown key 'citaton' (did you mean 'citation'?)"),
        (_line_of(BROKEN, "- id: r-cite"), "r-cite", "missing citation"),
        (_line_of(BROKEN, "main_busines_revenue"), "r-field", "did you mean 'main_business_revenue'?"),
        (_line_of(BROKEN, '"=>"'), "r-op", "'op' must be one of"),
        (_line_of(BROKEN, "- else:"), "r-else", "'else' must come last"),
        (_line_of(BROKEN, "两千"), "r-value", "threshold 'value' must be a number"),
        (_line_of(BROKEN, "hengyang:no-such-tier"), "upper", "'next' names no tier 'no-such-tier'"),
    ]
    for line, rid, text in expected:
        prefix = f"{f}:{line}: {rid}: "
        assert any(x.startswith(prefix) and text in x for x in lines), (prefix, text, lines)
    assert len(lines) == len(expected)
    assert not any("r-ok" in x or "r-up" in x for x in lines)


def test_rules_check_clean_files_exit_0():
    code, out, _ = run("rules", "check", os.path.join(os.path.dirname(__file__), "..", "rulesets"))
    assert code == 0 and out == ""


def test_rules_check_user_folder_clean(rules_dir):
    code, out, _ = run("rules", "check", rules_dir)
    assert code == 0 and out == ""


def test_rules_check_yaml_errors_and_header(tmp_path):
    (tmp_path / "dup.yaml").write_text(DEMO.replace("source: demo-notice.txt", "source: a\nsource: b"),
                                       encoding="utf-8")
    (tmp_path / "clash.yaml").write_text(DEMO.replace("id: demo", "id: clash").replace("key: demo_orders",
                                                                                       "key: employees"),
                                         encoding="utf-8")
    code, out, _ = run("rules", "check", tmp_path)
    assert code == 2
    assert re.search(r"clash\.yaml:\d+: -: field 'employees' clashes with a built-in field", out)
    assert re.search(r"dup\.yaml:\d+: -: duplicate key 'source'", out)


def test_rules_check_missing_target(tmp_path):
    code, _out, err = run("rules", "check", tmp_path / "nope.yaml")
    assert code == 2 and "no such file" in err


def test_rules_check_sees_sibling_schemes(rules_dir):
    upper = DEMO.replace("id: demo\n", "id: upper\n", 1).replace("demo_orders", "upper_orders").replace(
        "    level: county\n", "    level: county\n    next: demo:county\n")
    (rules_dir / "upper.yaml").write_text(upper, encoding="utf-8")
    code, out, _ = run("rules", "check", rules_dir / "upper.yaml")
    assert code == 0 and out == ""
    (rules_dir / "upper.yaml").write_text(upper.replace("next: demo:county", "next: demo:nope"), encoding="utf-8")
    code, out, _ = run("rules", "check", rules_dir / "upper.yaml")
    assert code == 2 and "'next' names no tier 'nope' of scheme 'demo'" in out


ODD = """\
id: odd
title: {zh: a, en: a}
issuer: {zh: a, en: a}
source: x.txt
tiers:
  - id: t1
    level: munic
    conditions: []
  - id: t2
    level: municipal
    tracks:
      - id: tr1
        colour: red
        conditions:
          - id: dup
            kind: required
            text: a
            citation: x.txt 1
            check: {flag: own_brnd}
          - id: dup
            kind: requird
            text: a
            citation: x.txt 1
            check: {choice: industry, in: [manufactoring]}
          - id: choice
            kind: required
            text: a
            citation: x.txt 1
            check: {choice: industry, in: [manufactoring]}
"""


def test_rules_check_nearest_values_and_duplicates(tmp_path):
    f = tmp_path / "odd.yaml"
    f.write_text(ODD, encoding="utf-8")
    code, out, _ = run("rules", "check", f)
    assert code == 2
    want = [
        (_line_of(ODD, "level: munic"), "t1", "(did you mean 'municipal'?)"),
        (_line_of(ODD, "colour"), "tr1", "unknown key 'colour'"),
        (_line_of(ODD, "own_brnd"), "dup", "(did you mean 'own_brand'?)"),
        (_line_of(ODD, "kind: requird") - 1, "dup", "duplicate rule id"),
        (_line_of(ODD, "kind: requird"), "dup", "(did you mean 'required'?)"),
        (len(ODD.splitlines()), "choice", "(did you mean 'manufacturing'?)"),
    ]
    lines = out.strip().splitlines()
    for line, rid, text in want:
        assert any(x.startswith(f"{f}:{line}: {rid}: ") and text in x for x in lines), (line, rid, text, lines)


def test_control_characters_in_a_user_ruleset_are_refused(rules_dir):
    # YAML refuses a raw control character; a double-quoted escape makes one
    (rules_dir / "demo.yaml").write_text(DEMO.replace("演示县培育库", '"演示\\e[31m县"'), encoding="utf-8")
    code, out, err = run("schemes", "--rules-dir", rules_dir)
    assert code == 2 and "\x1b[31m" not in out + err and "control character U+001B" in err
    code, out, _ = run("rules", "check", rules_dir)
    assert code == 2 and "\x1b[31m" not in out and "title.zh: a text holds the control character U+001B" in out


def test_same_id_in_two_user_folders_is_an_error(rules_dir, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "demo.yaml").write_text(DEMO, encoding="utf-8")
    code, _o, err = run("assess", rules_dir.parent / "c.json", "--scheme", "demo", "--rules-dir", rules_dir,
                        "--rules-dir", other)
    assert code == 2 and "defined twice" in err


def test_replaces_must_name_a_builtin(rules_dir):
    (rules_dir / "demo.yaml").write_text(DEMO.replace("source:", "replaces: demo\nsource:", 1), encoding="utf-8")
    code, _o, err = run("rules", "demo", "--rules-dir", rules_dir)
    assert code == 2 and "names no built-in scheme" in err


def test_a_field_declared_differently_by_two_rulesets(rules_dir):
    other = DEMO.replace("id: demo\n", "id: other\n", 1).replace("zh: 年度订单数", "zh: 订单数（另一种）")
    (rules_dir / "other.yaml").write_text(other, encoding="utf-8")
    code, _o, err = run("rules", "other", "--rules-dir", rules_dir)
    assert code == 2 and "also declared, differently" in err
    code, out, _ = run("rules", "demo", "--rules-dir", rules_dir)  # the first one is unaffected
    assert code == 0


def test_a_broken_user_ruleset_does_not_hide_the_others(rules_dir):
    (rules_dir / "zzz.yaml").write_text("id: zzz\ntiers: [\n", encoding="utf-8")
    code, out, err = run("schemes", "--rules-dir", rules_dir, "--format", "json")
    ids = [d["id"] for d in json.loads(out)["schemes"]]
    assert code == 2 and "demo" in ids and "hengyang" in ids and "zzz.yaml" in err
    code, out, _ = run("assess", rules_dir.parent / "c.json", "--scheme", "demo", "--rules-dir", rules_dir,
                       "--format", "json", "--as-of", "2026-01-01")
    assert code == 0


def test_rules_check_flags_a_tier_check_on_another_scheme(tmp_path):
    text = DEMO.replace("id: demo\n", "id: xt\n", 1).replace(
        'check: {metric: demo_orders, op: ">=", value: 100}', 'check: {tier: "hengyang:municipal"}')
    (tmp_path / "xt.yaml").write_text(text, encoding="utf-8")
    code, out, _ = run("rules", "check", tmp_path)
    assert code == 2 and f"xt.yaml:{_line_of(text, 'hengyang:municipal')}: demo-orders: tier check" in out


def test_rules_check_also_checks_tests_files(rules_dir):
    bad = TESTS.replace("expect: {verdict: eligible, conditions: {demo-orders: met}}", "expect: {verdikt: eligible}")
    (rules_dir / "demo.tests.yaml").write_text(bad, encoding="utf-8")
    code, out, _ = run("rules", "check", rules_dir)
    line = _line_of(bad, "- name: 订单恰好100笔")
    assert code == 2 and f"demo.tests.yaml:{line}: case #1: 'expect' needs at least a 'verdict'" in out


def test_rules_dir_reaches_a_spawned_worker(rules_dir):
    """A worker process that does not fork (spawn) still sees --rules-dir folders and their fields."""
    import subprocess
    import sys

    from zjtx_cli.rules import registry

    registry.set_cli_dirs([rules_dir])
    try:
        env = dict(os.environ)
    finally:
        registry.set_cli_dirs([])
    assert "_ZJTX_RULES_DIRS" not in os.environ
    code = ("from zjtx_cli.rules.loader import get_ruleset\n"
            "from zjtx_cli.inputs.fields import field_dictionary\n"
            "print(get_ruleset('demo').id, 'demo_orders' in field_dictionary())\n")
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert r.stdout.strip() == "demo True", r.stderr


def test_cli_leaves_no_rules_dir_behind(rules_dir):
    from zjtx_cli.rules import registry

    run("schemes", "--rules-dir", rules_dir, "--format", "json")
    assert registry.user_dirs() == [] and "_ZJTX_RULES_DIRS" not in os.environ


def test_fresh_fast_path_run_reads_a_user_field_from_the_env_var(rules_dir, tmp_path):
    # inputs/fields.py takes user fields from rules/registry.py once the registry is imported (it does not
    # import rules itself): a fresh `zjtx assess` served without typer must still know demo_orders
    import subprocess
    import sys

    env = {**os.environ, "ZJTX_RULES_PATH": str(rules_dir), "ZJTX_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("_ZJTX_RULES_DIRS", None)
    for orders, verdict, code in ((120, "eligible", 0), (90, "not_eligible", 1)):
        r = subprocess.run([sys.executable, "-m", "zjtx_cli", "assess", str(rules_dir.parent / "c.json"),
                            "--scheme", "demo", "--format", "json", "--as-of", "2026-01-01",
                            "--set", f"demo_orders.2025={orders}"],
                           env=env, capture_output=True, text=True, cwd=str(tmp_path))
        assert r.returncode == code, r.stderr
        assert json.loads(r.stdout)["verdict"] == verdict

"""Every ruleset loads, cites its sources, and the loader is strict about mistakes."""

from __future__ import annotations

import os
import re

import pytest

from conftest import SEEDS
from zjtx_cli.inputs.fields import field_dictionary
from zjtx_cli.rules.loader import RulesetError, compile_ruleset, load_ruleset, ruleset_paths
from zjtx_cli.inputs.yamlcache import YamlError, parse_yaml

SEED_FILES = sorted(f for f in os.listdir(SEEDS) if f.endswith(".txt")) if os.path.isdir(SEEDS) else []
PATHS = ruleset_paths()


def test_schemes_present():
    assert "hengyang" in PATHS


@pytest.mark.parametrize("scheme", sorted(PATHS))
def test_ruleset_loads_and_is_cited(scheme):
    rs = load_ruleset(PATHS[scheme])
    assert rs.id == scheme, "a ruleset's id must equal its file name"
    conds = [c for _t, tr in rs.tracks() for c in tr["conditions"]]
    assert conds
    seed_based = rs.data["source"] in SEED_FILES or rs.data["source"].endswith(".txt")
    for c in conds:
        assert c["citation"].strip()
        assert c["text"]["zh"].strip() and c["text"]["en"].strip()
        if seed_based:
            m = re.match(r"^(\S+\.txt)\s+\S", c["citation"])
            assert m, f"{scheme}:{c['id']}: citation must name a seed file and a clause: {c['citation']!r}"
            if SEED_FILES:
                assert m.group(1) in SEED_FILES, f"{scheme}:{c['id']}: no seed file {m.group(1)}"


@pytest.mark.parametrize("scheme", sorted(PATHS))
def test_ladder_links_resolve(scheme):
    rs = load_ruleset(PATHS[scheme])
    for t in rs.tiers:
        nxt = t.get("next")
        if nxt and ":" in nxt:
            other, tier = nxt.split(":", 1)
            try:
                from zjtx_cli.rules.versions import resolve
                import datetime as dt

                other = resolve(other, dt.date.today())
            except ImportError:
                pass
            if other in PATHS:
                assert load_ruleset(PATHS[other]).find(tier)[0] is not None, f"{scheme}: next {nxt} not found"


GOOD = """
id: demo
title: {zh: 演示, en: demo}
issuer: {zh: 某地, en: somewhere}
source: 004_5de2faa6872fe21e.txt
tiers:
  - id: t
    level: municipal
    conditions:
      - id: r1
        kind: required
        text: {zh: 收入, en: revenue}
        citation: 004_5de2faa6872fe21e.txt 四(一)2
        check: {metric: main_business_revenue, op: ">=", value: 2000}
"""


def compile_text(text):
    return compile_ruleset(parse_yaml(text, "demo.yaml"), "demo.yaml")


def test_good_minimal_ruleset_compiles():
    out = compile_text(GOOD)
    assert out["tiers"][0]["tracks"][0]["conditions"][0]["check"]["value"] == "2000"


@pytest.mark.parametrize("mutation,message", [
    (("        kind: required", "        kind: required\n        kindd: priority"), "unknown key"),
    (("        citation: 004_5de2faa6872fe21e.txt 四(一)2\n", ""), "missing citation"),
    (("main_business_revenue", "main_busines_revenue"), "unknown indicator"),
    (('op: ">="', 'op: "=>"'), "'op'"),
    (("kind: required", "kind: mandatory"), "'kind'"),
    (("level: municipal", "level: city"), "'level'"),
    (("check: {metric: main_business_revenue", "check: {metrik: main_business_revenue"), "exactly one of"),
    (("value: 2000}", "value: lots}"), "must be a number"),
    (("value: 2000}", "value: .nan}"), "must be a finite number"),
    (("value: 2000}", "value: .inf}"), "must be a finite number"),
    (("check: {metric: main_business_revenue, op: \">=\", value: 2000}", "check: {flag: main_business_revenue}"),
     "not a yes/no field"),
])
def test_strict_validation_names_file_and_rule(mutation, message):
    bad = GOOD.replace(*mutation)
    assert bad != GOOD
    with pytest.raises((RulesetError, YamlError)) as exc:
        compile_text(bad)
    assert message in str(exc.value)
    assert "demo.yaml" in str(exc.value)
    if message not in ("'level'",):
        assert "r1" in str(exc.value) or "line" in str(exc.value)


def test_duplicate_key_is_an_error():
    bad = GOOD.replace("        kind: required\n", "        kind: required\n        kind: priority\n")
    with pytest.raises(YamlError) as exc:
        compile_text(bad)
    assert "duplicate key 'kind'" in str(exc.value) and "demo.yaml" in str(exc.value)


def test_duplicate_rule_id():
    rule = GOOD[GOOD.index("      - id: r1"):]
    with pytest.raises(RulesetError, match="duplicate rule id"):
        compile_text(GOOD + rule)


def test_yaml_is_loaded_safely():
    with pytest.raises(YamlError):
        parse_yaml("!!python/object/apply:os.system ['echo pwned']", "evil.yaml")


def test_field_dictionary_complete():
    fields = field_dictionary()
    for f in fields:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", f.key)
        assert f.zh and f.en
        if f.type in ("number",) and f.unit == "万元":
            assert f.per_year or f.key.endswith("_2019")
    # every indicator a ruleset tests is in the dictionary or a derived metric
    from zjtx_cli.engine.metrics import METRICS, METRIC_INPUTS

    for scheme, path in PATHS.items():
        for k in load_ruleset(path).fields_used():
            assert k in fields or k in METRICS, f"{scheme}: {k}"
    for k, inputs in METRIC_INPUTS.items():
        for f in inputs:
            assert f in fields, f"metric {k} uses unknown field {f}"


def test_cache_is_used_and_keyed_on_content(tmp_path, monkeypatch):
    from zjtx_cli.inputs import yamlcache as yamlcache

    monkeypatch.setenv("ZJTX_CACHE_DIR", str(tmp_path))
    p = tmp_path / "demo.yaml"
    p.write_text(GOOD, encoding="utf-8")
    yamlcache._MEMO.clear()
    first = yamlcache.load_cached(str(p), compile_ruleset)
    assert list(tmp_path.glob("demo.yaml.*.marshal"))
    yamlcache._MEMO.clear()
    calls = []
    monkeypatch.setattr(yamlcache, "parse_yaml", lambda *a: calls.append(a))
    again = yamlcache.load_cached(str(p), compile_ruleset)
    assert again == first and calls == []  # served from the cache, YAML not parsed
    p.write_text(GOOD.replace("2000", "2500"), encoding="utf-8")
    monkeypatch.undo()
    monkeypatch.setenv("ZJTX_CACHE_DIR", str(tmp_path))
    yamlcache._MEMO.clear()
    changed = yamlcache.load_cached(str(p), compile_ruleset)
    assert changed["tiers"][0]["tracks"][0]["conditions"][0]["check"]["value"] == "2500"


def test_cache_follows_the_files_a_ruleset_depends_on(tmp_path, monkeypatch):
    # a change to the field dictionary (or the validating code) must not be served from a stale cache
    import os as _os
    import time

    from zjtx_cli.inputs import yamlcache as yamlcache

    monkeypatch.setenv("ZJTX_CACHE_DIR", str(tmp_path / "cache"))
    p = tmp_path / "demo.yaml"
    p.write_text(GOOD, encoding="utf-8")
    dep = tmp_path / "fields-like.yaml"
    dep.write_text("a", encoding="utf-8")
    calls = []

    def compile_fn(data, path):
        calls.append(path)
        return compile_ruleset(data, path)

    yamlcache._MEMO.clear()
    yamlcache.load_cached(str(p), compile_fn, (str(dep),))
    yamlcache._MEMO.clear()
    yamlcache.load_cached(str(p), compile_fn, (str(dep),))
    assert len(calls) == 1  # second time from the cache
    dep.write_text("ab", encoding="utf-8")
    _os.utime(dep, (time.time() + 5, time.time() + 5))
    yamlcache._MEMO.clear()
    yamlcache.load_cached(str(p), compile_fn, (str(dep),))
    assert len(calls) == 2  # the dependency changed: compiled again

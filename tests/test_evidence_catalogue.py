"""The document catalogue: every field has its document, sources are cited and checked."""

from __future__ import annotations

import copy
import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT, SEEDS
from zjtx_cli.evidence import catalogue as cat
from zjtx_cli.inputs.fields import FieldDictionary, field_dictionary
from zjtx_cli.inputs.yamlcache import parse_yaml


def _raw():
    with open(cat.CATALOGUE_PATH, encoding="utf-8") as fh:
        return parse_yaml(fh.read(), cat.CATALOGUE_PATH)


def _fd_plus(*extra):
    """The real field dictionary plus extra field definitions."""
    items = [{"key": f.key, "zh": f.zh, "en": f.en, "type": f.type, "unit": f.unit, "per_year": f.per_year}
             for f in field_dictionary()]
    return FieldDictionary(items + list(extra))


# ------------------------------------------------------------------------------ coverage
def test_every_field_has_an_entry_of_its_own():
    assert cat.coverage_problems() == []
    placed = cat.catalogue()["field_entry"]
    assert {f.key for f in field_dictionary()} == set(placed)


def test_a_new_field_is_reported_and_falls_back_on_its_unit_or_type():
    fd = _fd_plus({"key": "export_revenue", "zh": "出口收入", "en": "Export revenue", "type": "number",
                   "unit": "万元", "per_year": True},
                  {"key": "has_foo_cert", "zh": "有某证书", "en": "Has a foo certificate", "type": "bool"},
                  {"key": "trade_secrets", "zh": "商业秘密", "en": "Trade secrets", "type": "integer", "unit": "项"})
    problems = cat.coverage_problems(fd)
    assert len(problems) == 3
    assert any("export_revenue" in p and "audited_financials" in p for p in problems)
    assert cat.entry_id("export_revenue", fd) == "audited_financials"
    assert cat.entry_id("has_foo_cert", fd) == "supporting_document"
    assert cat.entry_id("trade_secrets", fd) == "patent_certificates"
    text, basis = cat.document_for("has_foo_cert", "en", fields=fd)
    assert "certificate" in text and basis == "common practice"


def test_an_entry_naming_a_field_the_dictionary_lacks_is_reported():
    items = [{"key": f.key, "zh": f.zh, "en": f.en, "type": f.type} for f in field_dictionary()
             if f.key != "own_brand"]
    problems = cat.coverage_problems(FieldDictionary(items))
    assert problems == ["entry trademark lists own_brand, which fields.yaml does not define"]


def test_unknown_field_key_raises():
    with pytest.raises(KeyError):
        cat.document_for("no_such_field")


# ------------------------------------------------------------------------------ texts
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_field_renders_without_placeholders(lang):
    for f in field_dictionary():
        for years in (None, [2024], [2023, 2024, 2025]):
            text, basis = cat.document_for(f.key, lang, years=years)
            assert text.strip() and basis.strip()
            assert "{" not in text and "}" not in text
            if lang == "zh":
                assert re.search(r"[\u4e00-\u9fff]", text), f.key
            else:
                # the programme's name stays in Chinese in English text, as in fields.yaml
                assert not re.search(r"[\u4e00-\u9fff]", text.replace("专精特新", "")), f"{f.key}: Chinese in English"


def test_years_are_rendered_in_both_languages():
    zh, _ = cat.document_for("main_business_revenue", "zh", years=[2025, 2024])
    assert zh.startswith("2024、2025年经会计师事务所审计")
    en, _ = cat.document_for("main_business_revenue", "en", years=[2024, 2025])
    assert "for 2024 and 2025" in en
    en1, _ = cat.document_for("employees", "en", years=[2025])
    assert "December of 2025" in en1
    assert "所用年度" in cat.document_for("rd_expense", "zh")[0]
    assert "the years used" in cat.document_for("rd_expense", "en")[0]
    # a field whose document has no years ignores them
    assert cat.document_for("own_brand", "zh", years=[2025]) == cat.document_for("own_brand", "zh")


def test_the_kinds_of_document_the_issue_names():
    def zh(k):
        return cat.document_for(k, "zh")[0]

    assert "审计" in zh("main_business_revenue") and "纳税申报表" in zh("net_profit")
    assert "国家知识产权局" in zh("invention_patents")
    assert "名单" in zh("national_little_giant") and "认定" in zh("high_tech_enterprise")
    for k in ("abnormal_operation_listed", "tax_evasion", "serious_violation"):
        assert "信用中国" in zh(k) and "国家企业信用信息公示系统" in zh(k)
    assert "CNAS" in zh("quality_system_certified")
    assert "社会保险" in zh("employees")
    assert "商标注册证" in zh("own_brand")


# ------------------------------------------------------------------------------ sources
SEED_QUOTES = [(eid, s) for eid, e in cat.catalogue()["entries"].items() for s in e["seeds"]] + \
    [(sid, s) for sid, sc in cat.catalogue()["schemes"].items() for s in sc["seeds"]]


@pytest.mark.skipif(not os.path.isdir(SEEDS), reason="seed texts not present")
@pytest.mark.parametrize("where,seed", SEED_QUOTES, ids=[f"{w}:{s['clause']}" for w, s in SEED_QUOTES])
def test_every_seed_quote_is_in_its_seed_file(where, seed):
    path = os.path.join(SEEDS, seed["file"])
    assert os.path.isfile(path), f"{where}: no seed file {seed['file']}"
    with open(path, encoding="utf-8") as fh:
        text = re.sub(r"\s+", "", fh.read())
    assert re.sub(r"\s+", "", seed["quote"]) in text, f"{where}: quote not in {seed['file']}"


def test_seed_based_entries_and_their_citations():
    seeded = {f for f, e in cat.catalogue()["field_entry"].items() if cat.catalogue()["entries"][e]["basis"] == "seed"}
    assert seeded == {"national_little_giant", "single_champion", "provincial_zjtx", "municipal_little_giant"}
    assert cat.document_for("municipal_little_giant", "zh")[1] == "依据 004_5de2faa6872fe21e.txt 五(一)"
    assert cat.document_for("single_champion", "en")[1] == "per 001_4225ee514247bff2.txt 三"
    note = cat.scheme_note("miit-2020", "zh")
    assert "001_4225ee514247bff2.txt 三(一)" in note and "附件3" in note
    assert cat.scheme_note("hengyang") is None


def test_public_copies_are_unconfirmed_until_a_second_copy_agrees():
    entries = cat.catalogue()["entries"]
    for eid, e in entries.items():
        if e["basis"] != "public_copy":
            assert not e["unconfirmed"]
            continue
        distinct = {c["copy"] for c in e["copies"]}
        assert e["unconfirmed"] == (len(distinct) < 2), eid
        line = cat.citation(e, "zh")
        assert ("来源待核实" in line) == e["unconfirmed"]
        assert ("source unconfirmed" in cat.citation(e, "en")) == e["unconfirmed"]
    # one copy: own brand; several: audited statements
    assert "来源待核实" in cat.document_for("own_brand", "zh")[1]
    assert "来源待核实" not in cat.document_for("main_business_revenue", "zh")[1]
    assert cat.document_for("industry", "en")[1].startswith("public copy: blog.11467.com")


def test_the_confirmation_rule_is_computed_not_typed():
    data = _raw()
    one = data["entries"]["maker_china"]
    assert "unconfirmed" not in one
    data = copy.deepcopy(data)
    data["entries"]["maker_china"]["copies"].append({"copy": "b11467-lg", "item": "x"})
    compiled = cat._compile(data, "test.yaml")
    assert compiled["entries"]["maker_china"]["unconfirmed"] is False
    # the same copy twice is still one copy
    data["entries"]["maker_china"]["copies"][-1] = {"copy": "ciwh-lg", "item": "again"}
    assert cat._compile(data, "test.yaml")["entries"]["maker_china"]["unconfirmed"] is True


@pytest.mark.parametrize("mutate,message", [
    (lambda d: d["entries"]["trademark"].update(basis="hearsay"), "basis must be one of"),
    (lambda d: d["entries"]["national_little_giant_list"].pop("seeds"), "basis seed needs"),
    (lambda d: d["entries"]["team"].update(copies=[{"copy": "ciwh-lg", "item": "x"}]), "cites nothing"),
    (lambda d: d["entries"]["trademark"]["copies"].append({"copy": "nowhere", "item": "x"}), "unknown copy"),
    (lambda d: d["entries"]["team"]["fields"].append("own_brand"), "already under entry"),
    (lambda d: d["entries"]["rd_expense"].update(en="no placeholder"), "{years} must be in both"),
    (lambda d: d["defaults"]["by_type"].update(bool="missing"), "unknown entry"),
    (lambda d: d["entries"]["team"].update(source="x"), "unknown key"),
    (lambda d: d["entries"]["trademark"].update(note_en=None) or d["entries"]["trademark"].pop("note_en"),
     "note_zh and note_en"),
    (lambda d: d["entries"]["single_champion_list"]["seeds"][0].update(file="seed.txt"), "not a seed file name"),
    (lambda d: d.pop("copies"), "expected a mapping with keys"),
])
def test_loader_refuses_mistakes(mutate, message):
    data = copy.deepcopy(_raw())
    mutate(data)
    with pytest.raises(cat.CatalogueError) as exc:
        cat._compile(data, "documents.yaml")
    assert message in str(exc.value)


def test_the_real_file_compiles():
    compiled = cat._compile(_raw(), cat.CATALOGUE_PATH)
    assert compiled == cat.catalogue()


# ------------------------------------------------------------------------------ loading
def test_loaded_through_the_yaml_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ZJTX_CACHE_DIR", str(tmp_path))
    from zjtx_cli.inputs import yamlcache

    monkeypatch.setattr(cat, "_DATA", None)
    monkeypatch.setattr(yamlcache, "_MEMO", {})
    cat.catalogue()
    assert any(n.startswith("documents.yaml.") and n.endswith(".marshal") for n in os.listdir(tmp_path))


def test_import_is_lazy_and_a_warm_cache_needs_no_yaml(tmp_path):
    env = dict(os.environ, ZJTX_CACHE_DIR=str(tmp_path))
    code = ("import sys\n"
            "import zjtx_cli.evidence.catalogue as c, zjtx_cli.evidence.parse as p\n"
            "assert 'yaml' not in sys.modules and 'zjtx_cli.inputs.fields' not in sys.modules\n"
            "c.document_for('own_brand')\n"
            "print('yaml' in sys.modules)\n")
    run = [sys.executable, "-c", code]
    first = subprocess.run(run, env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    second = subprocess.run(run, env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    assert first.stdout.strip() == "True"  # parsed once
    assert second.stdout.strip() == "False"  # then read from the cache

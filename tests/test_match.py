"""zjtx match: region from the credit code (GB 32100 / GB/T 2260), scope, groups, exit status."""
from __future__ import annotations

import json
import pathlib

import pytest
from typer.testing import CliRunner

from zjtx_cli.cli.app import app
from zjtx_cli.match import regions as R

ROOT = pathlib.Path(__file__).resolve().parents[1]
HY = str(ROOT / "samples" / "hengyang-eligible.json")


def run(*args):
    r = CliRunner().invoke(app, ["match", *args])
    return r.exit_code, r.stdout, r.stderr


def doc(*args):
    code, out, _err = run(*args, "--format", "json")
    return code, json.loads(out)


def entries(d, group):
    return {f"{e['scheme']}/{e['tier']}": e for e in d["groups"][group]}


# ---------------------------------------------------------------- regions
def test_credit_code_characters_3_to_8_are_the_division():
    r = R.firm_region(None, None, "91430400MA4L0Y5X3B")
    assert (r.code, r.source, r.note_zh) == ("430400", "credit_code", "")
    assert R.name(r.code) == "湖南省衡阳市" and R.level(r.code) == "city"


def test_check_character_is_verified_and_a_bad_one_is_reported():
    assert R.credit_code_check("91430400MA4L0Y5X3B") == "B"
    r = R.firm_region(None, None, "91430400MA4L0Y5X3C")
    assert r.code == "430400" and "校验码" in r.note_zh and "check character" in r.note_en


def test_region_precedence_option_then_field_then_code():
    assert R.firm_region("320831", "430400", "91430400MA4L0Y5X3B").source == "option"
    assert R.firm_region(None, "江苏省淮安市金湖县", "91430400MA4L0Y5X3B").code == "320831"
    assert R.firm_region(None, None, None).source == "none"
    with pytest.raises(R.RegionError):
        R.parse_place("火星")


@pytest.mark.parametrize("scheme,firm,expected", [
    ("000000", None, True), ("430400", "430400", True), ("430400", "430412", True), ("430400", "430000", None),
    ("430400", "320831", False), ("320831", "320800", None), ("320831", "320831", True), ("320831", "320583", False),
    ("520000", "522601", True), ("520000", "430400", False), ("430400", None, None)])
def test_contains_is_three_valued(scheme, firm, expected):
    assert R.contains(scheme, R.Region(firm, "option")) is expected


def test_unknown_codes_are_named_by_code_not_guessed():
    assert "120222" in R.name("120222") and R.name("120222").startswith("天津市")


def test_every_ruleset_declares_a_valid_region():
    from zjtx_cli.match.service import catalog

    for s in catalog():
        assert s["region"] and len(s["region"]["code"]) == 6, s["id"]
        if s["region"]["code"] != R.NATIONAL:
            assert s["region"]["code"][:2] + "0000" in R.data()["divisions"], s["id"]


# ---------------------------------------------------------------- the done-when case
def test_hengyang_eligible_lists_municipal_eligible_and_national_tiers():
    code, d = doc(HY, "--as-of", "2025-09-30")
    assert code == 0 and d["exit_status"] == 0
    assert d["region"]["code"] == "430400" and d["region"]["source"] == "credit_code"
    assert "hengyang/municipal" in entries(d, "eligible")
    national = {k: e for g in ("undetermined", "not_yet") for k, e in entries(d, g).items() if k.startswith("miit-2022/")}
    assert set(national) == {"miit-2022/innovation", "miit-2022/zjtx-sme", "miit-2022/little-giant"}
    assert all(e["gaps"] for e in national.values())
    lg = national["miit-2022/little-giant"]
    assert [p["tier"] for p in lg["prerequisites"]] == ["innovation", "zjtx-sme"]
    assert {o["scheme"] for o in d["out_of_scope"]} == {"guizhou", "jinhu"}
    assert {s["scheme"] for s in d["skipped"]} == {"miit-2020", "miit-2026", "miit-2026-review"}
    assert [s["reason"] for s in d["skipped"] if s["scheme"] == "miit-2026-review"] == ["review_layer"]
    assert d["cheapest_next_step"]["scheme"] == "miit-2022"


def test_every_scheme_is_accounted_for():
    from zjtx_cli.match.service import catalog

    _code, d = doc(HY, "--as-of", "2025-09-30")
    seen = {e["scheme"] for g in d["groups"].values() for e in g} | {o["scheme"] for o in d["out_of_scope"]} | \
        {s["scheme"] for s in d["skipped"]}
    assert seen == {s["id"] for s in catalog()}


def test_ended_plans_go_to_reference_only():
    code, d = doc(HY, "--as-of", "2026-06-30")
    ref = entries(d, "reference")
    assert "hengyang/municipal" in ref and ref["hengyang/municipal"]["status"] == "eligible"
    assert "hengyang/municipal" not in entries(d, "eligible") and code != 0
    assert any(k.startswith("miit-2026/") for g in ("undetermined", "not_yet", "eligible") for k in entries(d, g))


def test_region_option_overrides_the_credit_code():
    _code, d = doc(HY, "--as-of", "2025-09-30", "--region", "520115")
    assert d["region"]["source"] == "option" and d["region"]["code"] == "520115"
    assert "hengyang" in {o["scheme"] for o in d["out_of_scope"]}
    assert any(e["scheme"] == "guizhou" for g in d["groups"].values() for e in g)


def test_city_level_registration_leaves_a_county_scheme_undetermined():
    f = str(ROOT / "samples" / "jinhu-provincial.json")  # credit code registered in 320800 (Huai'an city)
    _code, d = doc(f, "--as-of", "2024-06-30")
    jin = [e for e in d["groups"]["undetermined"] if e["scheme"] == "jinhu"]
    assert jin and all(e["scope"] is None and "注册地" in e["scope_reason"] for e in jin)
    _code, d2 = doc(f, "--as-of", "2024-06-30", "--region", "320831")
    assert all(e["scope"] is True for g in d2["groups"].values() for e in g if e["scheme"] == "jinhu")


def test_sector_decides_industry_schemes():
    f = str(ROOT / "samples" / "bicycle-eligible.json")
    _c, d = doc(f, "--as-of", "2025-09-30")
    assert [e["scope"] for e in d["groups"]["undetermined"] if e["scheme"] == "bicycle"] == [None]
    _c, d = doc(f, "--as-of", "2025-09-30", "--set", "sector=bicycle")
    assert "bicycle/industry" in entries(d, "eligible")
    _c, d = doc(f, "--as-of", "2025-09-30", "--set", "sector=other")
    assert "bicycle" in {o["scheme"] for o in d["out_of_scope"]}


def test_table_zh_and_en():
    code, out, err = run(HY, "--as-of", "2025-09-30")
    assert code == 0 and "可申报" in out and "湖南省衡阳市" in out and "统一社会信用代码第3—8位" in out
    assert out.rstrip().splitlines()[-1].startswith("最省事的下一步：")
    code, out, _ = run(HY, "--as-of", "2025-09-30", "--lang", "en")
    assert "Eligible now" in out and out.rstrip().splitlines()[-1].startswith("Cheapest next step:")


def test_exit_status_3_when_only_undetermined():
    code, d = doc(str(ROOT / "samples" / "hengyang-missing-data.json"), "--as-of", "2025-09-30")
    assert code == 3 and not d["groups"]["eligible"] and d["groups"]["undetermined"]


def test_exit_status_1_when_nothing_eligible_or_undetermined(monkeypatch):
    from zjtx_cli.match import service

    real = service.assess_document

    def not_eligible(*a, **k):
        res = real(*a, **k)
        res.doc["verdict"] = "not_eligible"
        return res

    monkeypatch.setattr(service, "assess_document", not_eligible)
    code, d = doc(HY, "--as-of", "2025-09-30", "--set", "sector=other")
    assert code == 1 and d["exit_status"] == 1 and d["groups"]["not_yet"]


def test_unreadable_input_and_bad_region_exit_2(tmp_path):
    code, out, err = run(str(tmp_path / "nope.json"))
    assert code == 2 and out == "" and err.count("\n") == 1 and "nope.json" in err
    code, out, err = run(HY, "--region", "火星")
    assert code == 2 and "--region" in err


def test_no_control_characters_reach_the_terminal(tmp_path):
    data = json.loads(pathlib.Path(HY).read_text(encoding="utf-8"))
    data["company_name"] = "恶意\x1b[31m公司\u202e"
    f = tmp_path / "x.json"
    f.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, out, _ = run(str(f), "--as-of", "2025-09-30")
    assert "\x1b" not in out and "\u202e" not in out and "恶意[31m公司" in out


def test_registered_region_field_in_an_xlsx_decides(tmp_path):
    import openpyxl

    wb = openpyxl.load_workbook(ROOT / "samples" / "jinhu-provincial.xlsx")
    wb.active.append(["注册地", "registered_region", None, "江苏省淮安市金湖县"])
    f = tmp_path / "jp.xlsx"
    wb.save(f)
    _code, d = doc(str(f), "--as-of", "2024-06-30")
    assert d["region"]["source"] == "field" and d["region"]["code"] == "320831"
    assert "jinhu/county" in entries(d, "eligible")


def test_a_title_held_is_told_apart_from_one_the_firm_would_reach():
    _c, d = doc(HY, "--as-of", "2025-09-30")
    lg = [e for g in d["groups"].values() for e in g if e["scheme"] == "miit-2022" and e["tier"] == "little-giant"][0]
    assert [p["state"] for p in lg["prerequisites"]] == ["undetermined", "undetermined"]
    _c, d = doc(HY, "--as-of", "2025-09-30", "--set", "zjtx_sme_title=是")
    lg = [e for g in d["groups"].values() for e in g if e["scheme"] == "miit-2022" and e["tier"] == "little-giant"][0]
    assert [p["state"] for p in lg["prerequisites"]] == ["undetermined", "held"]
    assert (d["cheapest_next_step"]["scheme"], d["cheapest_next_step"]["tier"]) != ("miit-2022", "zjtx-sme")
    _c, d = doc(str(ROOT / "samples" / "miit-2026-little-giant.json"), "--as-of", "2026-06-30")
    ch = entries(d, "not_yet")["miit-2026/champion"]
    assert [p["state"] for p in ch["prerequisites"]] == ["held", "held", "would_reach"]

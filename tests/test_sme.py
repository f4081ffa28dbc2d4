"""Tests for zjtx_cli.engine.sme: SME size classification under 工信部联企业〔2011〕300号.

Every figure below is typed in again from the text of 300号 第四条 and is not imported from the
module, so a wrong figure in the module fails here.  Reading: "以下" = strictly below, "及以上" = at or
above.  The ceiling makes an enterprise SME when ANY ceiling indicator is below it ("或").
中型/小型 need ALL their lower limits ("且").  微型 is below EITHER small limit.
"""

import ast
import pathlib
from decimal import Decimal as D

import pytest

from zjtx_cli.engine import sme as sme
from zjtx_cli.engine.sme import INDUSTRY_ROWS, SmeResult, classify, size_label

E, R, A = "employees", "operating_revenue", "total_assets"

# row -> (indicators, ceiling, medium lower limits, small lower limits), from 300号 第四条 (一)–(十六)
STANDARD = {
    "agriculture": ((R,), (20000,), (500,), (50,)),                          # (一)
    "industrial": ((E, R), (1000, 40000), (300, 2000), (20, 300)),           # (二)
    "construction": ((R, A), (80000, 80000), (6000, 5000), (300, 300)),      # (三)
    "wholesale": ((E, R), (200, 40000), (20, 5000), (5, 1000)),              # (四)
    "retail": ((E, R), (300, 20000), (50, 500), (10, 100)),                  # (五)
    "transport": ((E, R), (1000, 30000), (300, 3000), (20, 200)),            # (六)
    "warehousing": ((E, R), (200, 30000), (100, 1000), (20, 100)),           # (七)
    "postal": ((E, R), (1000, 30000), (300, 2000), (20, 100)),               # (八)
    "accommodation": ((E, R), (300, 10000), (100, 2000), (10, 100)),         # (九)
    "catering": ((E, R), (300, 10000), (100, 2000), (10, 100)),              # (十)
    "telecom": ((E, R), (2000, 100000), (100, 1000), (10, 100)),             # (十一)
    "software_it": ((E, R), (300, 10000), (100, 1000), (10, 50)),            # (十二)
    "real_estate": ((R, A), (200000, 10000), (1000, 5000), (100, 2000)),     # (十三)
    "property_management": ((E, R), (1000, 5000), (300, 1000), (100, 500)),  # (十四)
    "leasing_business": ((E, A), (300, 120000), (100, 8000), (10, 100)),     # (十五)
    "other": ((E,), (300,), (100,), (10,)),                                  # (十六)
}

# one industry code per row (the industrial row has three codes)
CODE_FOR_ROW = {
    "industrial": "manufacturing", "agriculture": "agriculture", "construction": "construction",
    "wholesale": "wholesale", "retail": "retail", "transport": "transport",
    "warehousing": "warehousing", "postal": "postal", "accommodation": "accommodation",
    "catering": "catering", "telecom": "telecom", "software_it": "software_it",
    "real_estate": "real_estate", "property_management": "property_management",
    "leasing_business": "leasing_business", "other": "other",
}


def run(code, employees=None, revenue=None, assets=None):
    return classify(code, employees, revenue, assets)


def run_row(row, figures):
    """Classify with figures given in the row's indicator order."""
    inds = STANDARD[row][0]
    kw = dict(zip(inds, figures))
    return classify(CODE_FOR_ROW[row], kw.get(E), kw.get(R), kw.get(A))


# ---- the industry mapping --------------------------------------------------------------------

def test_industry_rows_mapping():
    assert INDUSTRY_ROWS == {
        "manufacturing": "industrial", "mining": "industrial", "utilities": "industrial",
        "agriculture": "agriculture", "construction": "construction", "wholesale": "wholesale",
        "retail": "retail", "transport": "transport", "warehousing": "warehousing",
        "postal": "postal", "accommodation": "accommodation", "catering": "catering",
        "telecom": "telecom", "software_it": "software_it", "real_estate": "real_estate",
        "property_management": "property_management", "leasing_business": "leasing_business",
        "other": "other",
    }
    assert len(set(INDUSTRY_ROWS.values())) == 16


def test_industry_codes_match_fields_yaml():
    from zjtx_cli.inputs.fields import FIELDS_PATH
    text = pathlib.Path(FIELDS_PATH).read_text(encoding="utf-8")
    block = text.split("- key: industry", 1)[1].split("\n  - key:", 1)[0]
    codes = [line.strip().split(":", 1)[0] for line in block.split("choices:", 1)[1].splitlines()
             if line.strip() and not line.strip().startswith("#")]
    assert sorted(codes) == sorted(INDUSTRY_ROWS)


@pytest.mark.parametrize("code", ["manufacturing", "mining", "utilities"])
def test_industrial_codes_share_the_row(code):
    r = run(code, 250, D(8000))
    assert (r.row, r.row_zh, r.size) == ("industrial", "工业", "small")


@pytest.mark.parametrize("row,zh", [
    ("agriculture", "农、林、牧、渔业"), ("industrial", "工业"), ("construction", "建筑业"),
    ("wholesale", "批发业"), ("retail", "零售业"), ("transport", "交通运输业"),
    ("warehousing", "仓储业"), ("postal", "邮政业"), ("accommodation", "住宿业"),
    ("catering", "餐饮业"), ("telecom", "信息传输业"), ("software_it", "软件和信息技术服务业"),
    ("real_estate", "房地产开发经营"), ("property_management", "物业管理"),
    ("leasing_business", "租赁和商务服务业"), ("other", "其他未列明行业"),
])
def test_row_names(row, zh):
    r = run_row(row, (0,) * len(STANDARD[row][0]))
    assert r.row == row and r.row_zh == zh and r.row_en


# ---- boundaries, both sides: industrial (二) -----------------------------------------------

@pytest.mark.parametrize("employees,revenue,size", [
    # ceiling: 从业人员1000人以下或营业收入40000万元以下 → SME; large needs both at/above
    (1000, D(40000), "large"),
    (1001, D("40000.01"), "large"),
    (999, D(40000), "medium"),            # 999 < 1000 → SME
    (1000, D("39999.99"), "medium"),      # revenue just below → SME
    (5000, D(39999), "medium"),
    (999, D(1000000), "medium"),
    # medium: 300人及以上 且 2000万元及以上
    (300, D(2000), "medium"),
    (299, D(2000), "small"),
    (299, D(5000), "small"),
    (300, D("1999.99"), "small"),
    # small: 20人及以上 且 300万元及以上
    (20, D(300), "small"),
    (20, D("300.00"), "small"),
    (19, D(300), "micro"),
    (20, D("299.99"), "micro"),
    (19, D(50000), "micro"),              # SME (19 < 1000), then below 20 people
    (1000, D("299.99"), "micro"),         # SME (revenue < 40000), then below 300万
    (5000, D(100), "micro"),
    (0, D(0), "micro"),
])
def test_industrial_boundaries(employees, revenue, size):
    r = run("manufacturing", employees, revenue)
    assert r.size == size
    assert r.is_sme is (size != "large")
    assert r.missing == []


def test_industrial_ignores_assets():
    assert run("mining", 250, D(8000), D(10 ** 9)).size == "small"
    assert run("utilities", 250, D(8000), None).missing == []


# ---- software_it (十二) ------------------------------------------------------------------------

@pytest.mark.parametrize("employees,revenue,size", [
    (300, D(10000), "large"),
    (299, D(10000), "medium"),
    (300, D("9999.99"), "medium"),
    (100, D(1000), "medium"),
    (99, D(1000), "small"),
    (100, D("999.99"), "small"),
    (10, D(50), "small"),
    (9, D(50), "micro"),
    (10, D("49.99"), "micro"),
    (300, D(49), "micro"),
    (9, D(20000), "micro"),
])
def test_software_it_boundaries(employees, revenue, size):
    r = run("software_it", employees, revenue)
    assert (r.size, r.row) == (size, "software_it")


# ---- wholesale (四) --------------------------------------------------------------------------

@pytest.mark.parametrize("employees,revenue,size", [
    (200, D(40000), "large"),
    (199, D(40000), "medium"),
    (200, D("39999.99"), "medium"),
    (20, D(5000), "medium"),
    (19, D(5000), "small"),
    (20, D("4999.99"), "small"),
    (5, D(1000), "small"),
    (4, D(1000), "micro"),
    (5, D("999.99"), "micro"),
    (4, D(90000), "micro"),
])
def test_wholesale_boundaries(employees, revenue, size):
    assert run("wholesale", employees, revenue).size == size


# ---- construction (三): 营业收入 and 资产总额, employees not used ---------------------------------

@pytest.mark.parametrize("revenue,assets,size", [
    (D(80000), D(80000), "large"),
    (D("79999.99"), D(80000), "medium"),
    (D(80000), D("79999.99"), "medium"),
    (D(500000), D(79999), "medium"),
    (D(6000), D(5000), "medium"),
    (D("5999.99"), D(5000), "small"),
    (D(6000), D("4999.99"), "small"),
    (D(300), D(300), "small"),
    (D("299.99"), D(300), "micro"),
    (D(300), D("299.99"), "micro"),
    (D(100000), D(100), "micro"),
])
def test_construction_boundaries(revenue, assets, size):
    r = run("construction", None, revenue, assets)
    assert r.size == size
    assert r.missing == []                      # employees are not an indicator here
    assert run("construction", 100000, revenue, assets).size == size


# ---- every other row, every size --------------------------------------------------------------

def _cases():
    """For each row: exactly at each band's limits, and just below each limit on each indicator."""
    below = D("0.01")
    for row, (inds, ceiling, medium, small) in STANDARD.items():
        yield row, ceiling, "large"
        yield row, medium, "medium"
        yield row, small, "small"
        for i in range(len(inds)):
            yield row, tuple(v - below if j == i else v for j, v in enumerate(ceiling)), "medium"
            yield row, tuple(v - below if j == i else v for j, v in enumerate(medium)), "small"
            yield row, tuple(v - below if j == i else v for j, v in enumerate(small)), "micro"
        yield row, (0,) * len(inds), "micro"


@pytest.mark.parametrize("row,figures,size", list(_cases()))
def test_every_row_every_size(row, figures, size):
    r = run_row(row, tuple(D(v) for v in figures))
    assert r.row == row
    assert r.size == size, r.explain_zh
    assert r.is_sme is (size != "large")


# hand-written spot checks, one per size, with figures read straight from 第四条
@pytest.mark.parametrize("code,employees,revenue,assets,size", [
    ("agriculture", None, D(20000), None, "large"),
    ("agriculture", None, D("19999.99"), None, "medium"),
    ("agriculture", None, D(500), None, "medium"),
    ("agriculture", None, D("499.99"), None, "small"),
    ("agriculture", None, D(50), None, "small"),
    ("agriculture", None, D("49.99"), None, "micro"),
    ("retail", 300, D(20000), None, "large"),
    ("retail", 50, D(500), None, "medium"),
    ("retail", 49, D(500), None, "small"),
    ("retail", 10, D(99), None, "micro"),
    ("transport", 1000, D(30000), None, "large"),
    ("transport", 300, D(3000), None, "medium"),
    ("transport", 300, D(2999), None, "small"),
    ("transport", 20, D(199), None, "micro"),
    ("warehousing", 200, D(30000), None, "large"),
    ("warehousing", 100, D(1000), None, "medium"),
    ("warehousing", 99, D(1000), None, "small"),
    ("warehousing", 19, D(1000), None, "micro"),
    ("postal", 1000, D(30000), None, "large"),
    ("postal", 300, D(2000), None, "medium"),
    ("postal", 20, D(100), None, "small"),
    ("postal", 20, D(99), None, "micro"),
    ("accommodation", 300, D(10000), None, "large"),
    ("accommodation", 100, D(2000), None, "medium"),
    ("accommodation", 100, D(1999), None, "small"),
    ("accommodation", 9, D(5000), None, "micro"),
    ("catering", 300, D(10000), None, "large"),
    ("catering", 299, D(10000), None, "medium"),
    ("catering", 10, D(100), None, "small"),
    ("catering", 10, D(99), None, "micro"),
    ("telecom", 2000, D(100000), None, "large"),
    ("telecom", 1999, D(100000), None, "medium"),
    ("telecom", 100, D(1000), None, "medium"),
    ("telecom", 10, D(100), None, "small"),
    ("telecom", 9, D(100), None, "micro"),
    ("real_estate", None, D(200000), D(10000), "large"),
    ("real_estate", None, D(200000), D(9999), "medium"),  # assets < 10000 → SME
    ("real_estate", None, D(1000), D(5000), "medium"),
    ("real_estate", None, D(1000), D(4999), "small"),
    ("real_estate", None, D(100), D(2000), "small"),
    ("real_estate", None, D(100), D(1999), "micro"),
    ("real_estate", None, D(99), D(9000), "micro"),
    ("property_management", 1000, D(5000), None, "large"),
    ("property_management", 300, D(1000), None, "medium"),
    ("property_management", 100, D(500), None, "small"),
    ("property_management", 99, D(500), None, "micro"),
    ("leasing_business", 300, None, D(120000), "large"),
    ("leasing_business", 300, None, D(119999), "medium"),
    ("leasing_business", 100, None, D(8000), "medium"),
    ("leasing_business", 100, None, D(7999), "small"),
    ("leasing_business", 10, None, D(100), "small"),
    ("leasing_business", 10, None, D(99), "micro"),
    ("other", 300, None, None, "large"),
    ("other", 299, None, None, "medium"),
    ("other", 100, None, None, "medium"),
    ("other", 99, None, None, "small"),
    ("other", 10, None, None, "small"),
    ("other", 9, None, None, "micro"),
])
def test_spot_checks(code, employees, revenue, assets, size):
    assert run(code, employees, revenue, assets).size == size


def test_rows_use_only_their_indicators():
    # 其他未列明行业 uses only people; 营业收入/资产总额 make no difference
    assert run("other", 50, D(10 ** 9), D(10 ** 9)).size == "small"
    # 租赁和商务服务业 uses 资产总额, not 营业收入
    assert run("leasing_business", 150, D(0), D(9000)).size == "medium"
    assert run("leasing_business", 150, D(10 ** 9), D(50)).size == "micro"
    # 农、林、牧、渔业 uses only 营业收入
    assert run("agriculture", 100000, D(600), D(10 ** 9)).size == "medium"


# ---- missing data -----------------------------------------------------------------------------

def test_missing_everything():
    r = run("manufacturing")
    assert r.size is None and r.is_sme is None
    assert r.missing == [E, R]


def test_missing_revenue_undetermined_but_sme():
    r = run("manufacturing", 500, None)
    assert r.size is None
    assert r.is_sme is True                     # 500 < 1000 already makes it SME
    assert r.missing == [R]
    assert "缺：营业收入" in r.explain_zh and "missing: operating revenue" in r.explain_en


def test_missing_revenue_cannot_tell_sme():
    r = run("manufacturing", 1500, None)        # large if revenue ≥ 40000, else SME
    assert r.size is None and r.is_sme is None and r.missing == [R]


def test_missing_employees_undetermined():
    r = run("manufacturing", None, D(8000))     # 8000 < 40000 → SME; medium iff ≥ 300 people
    assert r.size is None and r.is_sme is True and r.missing == [E]


def test_missing_small_or_micro():
    r = run("manufacturing", 25, None)
    assert r.size is None and r.is_sme is True and r.missing == [R]
    assert "小型或微型" in r.explain_zh


@pytest.mark.parametrize("code,employees,revenue,assets,size", [
    ("manufacturing", 19, None, None, "micro"),        # below 20 people: micro whatever revenue
    ("manufacturing", None, D("299.99"), None, "micro"),
    ("wholesale", 4, None, None, "micro"),
    ("software_it", None, D(49), None, "micro"),
    ("construction", None, D(200), None, "micro"),     # assets unknown, revenue < 300万
    ("construction", None, None, D(299), "micro"),
    ("leasing_business", 5, None, None, "micro"),
    ("real_estate", None, None, D(1999), "micro"),
])
def test_missing_figure_that_cannot_change_the_answer(code, employees, revenue, assets, size):
    r = run(code, employees, revenue, assets)
    assert r.size == size and r.missing == [] and r.is_sme is True


def test_missing_assets_for_construction():
    r = run("construction", 500, D(90000), None)
    assert r.size is None and r.is_sme is None and r.missing == [A]
    r = run("construction", None, D(7000), None)
    assert r.size is None and r.is_sme is True and r.missing == [A]


def test_single_indicator_rows_missing():
    r = run("other", None, D(100), D(100))
    assert r.size is None and r.missing == [E]
    r = run("agriculture", 50, None, D(100))
    assert r.size is None and r.missing == [R]


def test_missing_lists_only_row_indicators():
    r = run("software_it", None, None, None)
    assert r.missing == [E, R]
    r = run("real_estate", None, None, None)
    assert r.missing == [R, A]


def test_no_industry():
    r = classify(None, 100, D(1000), D(1000))
    assert r.size is None and r.is_sme is None and r.row is None
    assert r.missing == ["industry"]


# ---- errors and input types -------------------------------------------------------------------

@pytest.mark.parametrize("code", ["factory", "", "Manufacturing", "industrial"])
def test_unknown_industry(code):
    with pytest.raises(ValueError, match="unknown industry code"):
        classify(code, 10, D(10), D(10))


@pytest.mark.parametrize("employees,revenue", [(-1, D(10)), (10, D("-0.01")), (10, D("NaN")),
                                               (10, D("Infinity"))])
def test_bad_figures(employees, revenue):
    with pytest.raises(ValueError):
        classify("manufacturing", employees, revenue, None)


@pytest.mark.parametrize("value", ["100", True])
def test_wrong_types(value):
    with pytest.raises(TypeError):
        classify("manufacturing", value, D(100), None)


def test_int_and_decimal_inputs():
    assert run("manufacturing", D(300), 2000).size == "medium"
    assert run("manufacturing", D("299.5"), D(2000)).size == "small"   # fractional average staff


# ---- result object, labels and explanations ----------------------------------------------------

def test_result_object():
    r = run("manufacturing", 250, D(8000))
    assert isinstance(r, SmeResult)
    assert not hasattr(r, "__dict__")
    d = r.to_dict()
    assert d["size"] == "small" and d["is_sme"] is True and d["row"] == "industrial"


@pytest.mark.parametrize("size,zh,en", [("large", "大型", "large"), ("medium", "中型", "medium"),
                                        ("small", "小型", "small"), ("micro", "微型", "micro")])
def test_size_label(size, zh, en):
    assert size_label(size, "zh") == zh
    assert size_label(size, "en") == en


def test_size_label_none_and_unknown():
    assert size_label(None, "zh") == "未能判定"
    assert size_label(None, "en") == "undetermined"
    with pytest.raises(ValueError):
        size_label("huge", "en")


def test_explain_small_industrial():
    r = run("manufacturing", 250, D(8000))
    assert r.explain_zh == ("工业：从业人员 250 人、营业收入 8000 万元 → 小型（小型：从业人员20人及以上且"
                            "营业收入300万元及以上；中型：300人及以上且2000万元及以上）")
    assert r.explain_en.startswith("industry (mining, manufacturing, utilities): employees 250, "
                                   "operating revenue 8000 → small (small: employees ≥ 20 and "
                                   "operating revenue ≥ 300; medium: employees ≥ 300")


def test_explain_other_bands():
    assert run("manufacturing", 1000, D(40000)).explain_zh == (
        "工业：从业人员 1000 人、营业收入 40000 万元 → 大型（大型：从业人员1000人及以上且营业收入40000万元及以上）")
    assert run("manufacturing", 19, D("299.99")).explain_zh == (
        "工业：从业人员 19 人、营业收入 299.99 万元 → 微型（微型：从业人员20人以下或营业收入300万元以下；"
        "小型：20人及以上且300万元及以上）")
    # same unit on both indicators: names are kept in the short form
    assert "大型：营业收入80000万元及以上且资产总额80000万元及以上" in run(
        "construction", None, D(7000), D(6000)).explain_zh
    assert run("other", 5).explain_zh == "其他未列明行业：从业人员 5 人 → 微型（微型：从业人员10人以下；小型：10人及以上）"


def test_module_imports_only_decimal():
    tree = ast.parse(pathlib.Path(sme.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported == {"decimal"}

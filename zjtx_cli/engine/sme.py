"""SME size classification under 《中小企业划型标准规定》(工信部联企业〔2011〕300号).

The standard sorts an enterprise into 大型 / 中型 / 小型 / 微型 by industry, using 从业人员
(people), 营业收入 (万元) and/or 资产总额 (万元).  Its 第四条 lists 16 industry rows; this module
implements exactly the table in /work/shared/references/national-standards.md (section
"中小企业划型标准规定").

Reading of the text (how every comparison below is made)
---------------------------------------------------------
* Each row of 第四条 reads "从业人员X人以下或营业收入Y万元以下的为中小微型企业".  "以下" is *strictly
  below* and "及以上" is *at or above*.  300号 has no clause defining the two words, but its own
  wording forces this reading: every row says "20人及以上 … 为小型" and "20人以下 … 为微型", and the
  two must cover every value exactly once, so "以下" cannot include the number.  The statistical
  counterpart (《统计上大中小微型企业划分办法(2017)》) writes the same figures as "X≥1000",
  "300≤X<1000", "X<20".
* Ceiling: an enterprise is 中小微型 when ANY ceiling indicator is below its figure ("或").  So it
  is 大型 only when EVERY ceiling indicator is at/above its figure.
  Example (工业): 1000 people and 40000万元 → large; 999 people (any revenue) → SME; 5000 people
  and 39999万元 → SME.
* 中型 and 小型 need ALL their lower limits ("且"), and 微型 is below EITHER limit ("或").  The 2017
  statistical rule says the same thing: "大型、中型和小型企业须同时满足所列指标的下限，否则下划一档；
  微型企业只须满足所列指标中的一项即可".  So the size is the highest band whose limits are all met:
  large → medium → small → micro.
* Missing figures are handled with three-valued logic.  A band test that fails on a known figure
  is False whatever the unknown ones are.  A test that cannot fail on the known figures but needs
  an unknown one is undetermined.  When that happens the size is None and ``missing`` lists the
  row's indicators that are None.  A missing figure that cannot change the answer gives no
  trouble.  Examples for 工业: 10 people with revenue unknown → micro; 500 people with revenue
  unknown → size None but ``is_sme`` True, because 500 < 1000.

Where each figure was confirmed (public copies; the primary government pages were not reached)
--------------------------------------------------------------------------------------------
* Full 第四条 text, rows (一)–(十五), every ceiling and every 中型/小型/微型 figure: a public GitHub
  front-end file that quotes the article verbatim (a "查看参考标准" dialog; found by exact-string
  search, with text identical to the copies below).
* Rows (一)–(五) with 中型 figures: jnw.cc/sj/202401/12138139.html.  Small/micro figures of all 16
  rows, including (十六) 其他未列明行业 "300人以下 … 10人及以上为小型 … 10人以下为微型":
  m.izhixiu.com/a/720513.html, wkfco.com/zatan/18975.html,
  sichuanhong.com/content/202511/2630471_2.html.
* 物业管理 中型 (300人 且 1000万元): wrkbiz.com/post/7375.html as well as the GitHub copy above.
* 其他未列明行业 中型 "从业人员100人及以上的为中型企业": a public GitHub test file that quotes
  第四条（十六）.
* The 2017 statistical table in ≥/< form (农林牧渔 … 房地产开发经营 资产 5000≤Z<10000, 物业管理 people):
  kubaishu.com/life/202393.html and 360docs.net/doc/5c10012398.html.  The "同时满足下限，否则下划一档"
  reading: stats.gov.cn/hd/lyzx/zxgk/202405/t20240524_1953570.html.  That page states that 工业
  large needs both ≥40000万元 and ≥1000人.
* Every figure in the table below matches the reference notes and at least one of the copies
  above.  Not confirmed from a page: 300号 第七条 ("本规定的中型企业标准上限即为大型企业标准的下限")
  is recalled, not read.  Nothing below depends on it, because the large band is defined by the
  第四条 ceilings.

Only ``decimal`` is imported (start-up time matters for the CLI).
"""

from decimal import Decimal, InvalidOperation

__all__ = ["INDUSTRY_ROWS", "SIZES", "SmeResult", "classify", "size_label", "sme_condition"]

EMPLOYEES = "employees"
REVENUE = "operating_revenue"
ASSETS = "total_assets"

SIZES = ("large", "medium", "small", "micro")

# industry choice code (fields.yaml `industry`) -> row id
INDUSTRY_ROWS: dict[str, str] = {
    "manufacturing": "industrial",
    "mining": "industrial",
    "utilities": "industrial",
    "agriculture": "agriculture",
    "construction": "construction",
    "wholesale": "wholesale",
    "retail": "retail",
    "transport": "transport",
    "warehousing": "warehousing",
    "postal": "postal",
    "accommodation": "accommodation",
    "catering": "catering",
    "telecom": "telecom",
    "software_it": "software_it",
    "real_estate": "real_estate",
    "property_management": "property_management",
    "leasing_business": "leasing_business",
    "other": "other",
}

_E = (EMPLOYEES,)
_R = (REVENUE,)
_ER = (EMPLOYEES, REVENUE)
_RA = (REVENUE, ASSETS)
_EA = (EMPLOYEES, ASSETS)

# row id -> (zh, en, indicators, ceiling, medium lower limits, small lower limits)
# Lower limits are inclusive (及以上).  Ceiling figures are the "以下" figures of 第四条: below
# any of them means 中小微.  Figures are in people / 万元, in the order of `indicators`.
_ROWS: dict[str, tuple] = {
    # (一) 营业收入20000万元以下; 中型 500万元及以上; 小型 50万元及以上; 微型 50万元以下
    "agriculture": ("农、林、牧、渔业", "agriculture, forestry, animal husbandry and fishery",
                    _R, (20000,), (500,), (50,)),
    # (二) 从业人员1000人以下或营业收入40000万元以下; 中型 300人且2000万; 小型 20人且300万
    "industrial": ("工业", "industry (mining, manufacturing, utilities)",
                   _ER, (1000, 40000), (300, 2000), (20, 300)),
    # (三) 营业收入80000万元以下或资产总额80000万元以下; 中型 6000万且资产5000万; 小型 300万且资产300万
    "construction": ("建筑业", "construction",
                     _RA, (80000, 80000), (6000, 5000), (300, 300)),
    # (四) 200人以下或40000万元以下; 中型 20人且5000万; 小型 5人且1000万
    "wholesale": ("批发业", "wholesale",
                  _ER, (200, 40000), (20, 5000), (5, 1000)),
    # (五) 300人以下或20000万元以下; 中型 50人且500万; 小型 10人且100万
    "retail": ("零售业", "retail",
               _ER, (300, 20000), (50, 500), (10, 100)),
    # (六) 1000人以下或30000万元以下; 中型 300人且3000万; 小型 20人且200万
    "transport": ("交通运输业", "transport",
                  _ER, (1000, 30000), (300, 3000), (20, 200)),
    # (七) 200人以下或30000万元以下; 中型 100人且1000万; 小型 20人且100万
    "warehousing": ("仓储业", "warehousing",
                    _ER, (200, 30000), (100, 1000), (20, 100)),
    # (八) 1000人以下或30000万元以下; 中型 300人且2000万; 小型 20人且100万
    "postal": ("邮政业", "postal services",
               _ER, (1000, 30000), (300, 2000), (20, 100)),
    # (九) 300人以下或10000万元以下; 中型 100人且2000万; 小型 10人且100万
    "accommodation": ("住宿业", "accommodation",
                      _ER, (300, 10000), (100, 2000), (10, 100)),
    # (十) same figures as 住宿业
    "catering": ("餐饮业", "catering",
                 _ER, (300, 10000), (100, 2000), (10, 100)),
    # (十一) 2000人以下或100000万元以下; 中型 100人且1000万; 小型 10人且100万
    "telecom": ("信息传输业", "information transmission",
                _ER, (2000, 100000), (100, 1000), (10, 100)),
    # (十二) 300人以下或10000万元以下; 中型 100人且1000万; 小型 10人且50万
    "software_it": ("软件和信息技术服务业", "software and information technology services",
                    _ER, (300, 10000), (100, 1000), (10, 50)),
    # (十三) 营业收入200000万元以下或资产总额10000万元以下; 中型 1000万且资产5000万; 小型 100万且资产2000万
    "real_estate": ("房地产开发经营", "real estate development",
                    _RA, (200000, 10000), (1000, 5000), (100, 2000)),
    # (十四) 1000人以下或5000万元以下; 中型 300人且1000万; 小型 100人且500万
    "property_management": ("物业管理", "property management",
                            _ER, (1000, 5000), (300, 1000), (100, 500)),
    # (十五) 从业人员300人以下或资产总额120000万元以下; 中型 100人且资产8000万; 小型 10人且资产100万
    "leasing_business": ("租赁和商务服务业", "leasing and business services",
                         _EA, (300, 120000), (100, 8000), (10, 100)),
    # (十六) 从业人员300人以下; 中型 100人及以上; 小型 10人及以上; 微型 10人以下
    "other": ("其他未列明行业", "other industries",
              _E, (300,), (100,), (10,)),
}
del _E, _R, _ER, _RA, _EA

_SIZE_ZH = {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}
_SIZE_EN = {"large": "large", "medium": "medium", "small": "small", "micro": "micro"}

_IND_ZH = {EMPLOYEES: ("从业人员", "人"), REVENUE: ("营业收入", "万元"), ASSETS: ("资产总额", "万元")}
_IND_EN = {EMPLOYEES: "employees", REVENUE: "operating revenue", ASSETS: "total assets"}
_AMOUNT_NOTE_EN = " [amounts in 10k CNY (万元)]"


def size_label(size: str | None, lang: str = "zh") -> str:
    """大型/中型/小型/微型 or large/medium/small/micro; None gives 未能判定 / undetermined.

    ``lang`` starting with "zh" selects Chinese, anything else English.
    """
    zh = str(lang).lower().startswith("zh")
    if size is None:
        return "未能判定" if zh else "undetermined"
    table = _SIZE_ZH if zh else _SIZE_EN
    try:
        return table[size]
    except KeyError:
        raise ValueError(f"unknown SME size {size!r}; expected one of {', '.join(SIZES)}") from None


class SmeResult:
    """Outcome of :func:`classify`.

    ``size`` is "large" / "medium" / "small" / "micro", or None when a missing figure decides it.
    ``is_sme`` can be known even when ``size`` is not: for example 工业 with 500 people and no
    revenue is SME, but the band is unknown.
    """

    __slots__ = ("size", "row", "row_zh", "row_en", "missing", "explain_zh", "explain_en", "_sme", "decided_by",
                 "decided_zh", "decided_en")

    def __init__(self, size, row, row_zh, row_en, missing, explain_zh, explain_en, sme, decided_by=(),
                 decided_zh="", decided_en=""):
        # the figures that decide SME or not (e.g. 营业收入 below its ceiling), and that reason in words
        self.decided_by = list(decided_by)
        self.decided_zh = decided_zh
        self.decided_en = decided_en
        self.size = size
        self.row = row
        self.row_zh = row_zh
        self.row_en = row_en
        self.missing = missing
        self.explain_zh = explain_zh
        self.explain_en = explain_en
        self._sme = sme

    @property
    def is_sme(self) -> bool | None:
        """True for 中/小/微型, False for 大型, None when a missing figure decides it."""
        return self._sme

    def explain(self, lang: str = "zh") -> str:
        return self.explain_zh if str(lang).lower().startswith("zh") else self.explain_en

    def to_dict(self) -> dict:
        return {
            "size": self.size, "is_sme": self._sme, "row": self.row, "row_zh": self.row_zh,
            "row_en": self.row_en, "missing": list(self.missing),
            "explain_zh": self.explain_zh, "explain_en": self.explain_en,
            "decided_by": list(self.decided_by),
        }

    def __repr__(self) -> str:
        return (f"SmeResult(size={self.size!r}, is_sme={self._sme!r}, row={self.row!r}, "
                f"missing={self.missing!r})")


# ---- helpers -------------------------------------------------------------------------------

def _num(value, key):
    """Check one figure: None stays None; int/Decimal (or float) becomes a finite Decimal ≥ 0."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise TypeError(f"{key}: expected a number, got bool")
    if isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, Decimal):
        d = value
    elif isinstance(value, float):
        d = Decimal(repr(value))
    else:
        raise TypeError(f"{key}: expected Decimal, int or None, got {type(value).__name__}")
    try:
        ok = d.is_finite() and d >= 0
    except InvalidOperation:
        ok = False
    if not ok:
        raise ValueError(f"{key}: figure must be a finite number ≥ 0, got {value!r}")
    return d


def _fmt(d) -> str:
    if isinstance(d, int):
        return str(d)
    if d == 0:
        return "0"
    return format(d.normalize(), "f")


def _all_at_least(values, limits):
    """Three-valued test: True if every figure ≥ its limit, False if any known figure is below
    its limit, None if the answer depends on a missing figure."""
    unknown = False
    for v, lim in zip(values, limits):
        if v is None:
            unknown = True
        elif v < lim:
            return False
    return None if unknown else True


def _short_ok(inds) -> bool:
    # Indicator names may be dropped in the short form only when the units tell them apart.
    units = [_IND_ZH[k][1] for k in inds]
    return len(set(units)) == len(units)


def _limit_zh(inds, limits, at_least=True, short=False) -> str:
    word, joiner = ("及以上", "且") if at_least else ("以下", "或")
    parts = []
    for k, lim in zip(inds, limits):
        name, unit = _IND_ZH[k]
        parts.append(f"{lim}{unit}{word}" if short else f"{name}{lim}{unit}{word}")
    return joiner.join(parts)


def _limit_en(inds, limits, at_least=True) -> str:
    # English always names the indicator: "≥ 300 and ≥ 2000" would not say which is which.
    op, joiner = ("≥", " and ") if at_least else ("<", " or ")
    return joiner.join(f"{_IND_EN[k]} {op} {lim}" for k, lim in zip(inds, limits))


def _figures_zh(inds, values) -> str:
    out = []
    for k, v in zip(inds, values):
        name, unit = _IND_ZH[k]
        out.append(f"{name} 未提供" if v is None else f"{name} {_fmt(v)} {unit}")
    return "、".join(out)


def _figures_en(inds, values) -> str:
    return ", ".join(f"{_IND_EN[k]} not given" if v is None else f"{_IND_EN[k]} {_fmt(v)}"
                     for k, v in zip(inds, values))


# ---- classification ------------------------------------------------------------------------

def classify(industry: str | None, employees: Decimal | int | None, revenue: Decimal | None,
             assets: Decimal | None) -> SmeResult:
    """Classify one enterprise under 300号.

    ``industry`` is an INDUSTRY_ROWS code.  ``employees`` is 从业人员 (people), ``revenue`` is
    营业收入 (万元) and ``assets`` is 资产总额 (万元).  Raises ValueError for an unknown industry code
    or for a negative or non-finite figure.
    """
    if industry is None:
        return SmeResult(
            None, None, None, None, ["industry"],
            "未填写所属行业，无法按《中小企业划型标准规定》划型",
            "Industry not given; cannot classify under the SME size standard (MIIT 2011 No. 300)",
            None,
        )
    row = INDUSTRY_ROWS.get(industry) if isinstance(industry, str) else None
    if row is None:
        raise ValueError(
            f"unknown industry code {industry!r} for SME size classification; "
            f"expected one of: {', '.join(INDUSTRY_ROWS)}"
        )
    zh, en, inds, ceiling, medium, small = _ROWS[row]
    given = {
        EMPLOYEES: _num(employees, EMPLOYEES),
        REVENUE: _num(revenue, REVENUE),
        ASSETS: _num(assets, ASSETS),
    }
    values = tuple(given[k] for k in inds)
    short = _short_ok(inds)

    bands = (("large", ceiling), ("medium", medium), ("small", small))
    size = None
    sme = None
    stuck_at = None  # band whose test depends on a missing figure
    for name, limits in bands:
        test = _all_at_least(values, limits)
        if test is True:
            size = name
            break
        if test is None:
            stuck_at = name
            break
        # test is False: this band is ruled out
        if name == "large":
            sme = True
    else:
        size = "micro"
    if size is not None:
        sme = size != "large"

    missing = [k for k, v in zip(inds, values) if v is None] if size is None else []

    fig_zh = _figures_zh(inds, values)
    fig_en = _figures_en(inds, values)
    band_limits = {"large": ceiling, "medium": medium, "small": small}

    def lim_zh(band, is_short):
        if band == "micro":
            return _limit_zh(inds, small, at_least=False, short=is_short)
        return _limit_zh(inds, band_limits[band], short=is_short)

    def lim_en(band):
        if band == "micro":
            return _limit_en(inds, small, at_least=False)
        return _limit_en(inds, band_limits[band])

    if size is not None:
        above = {"large": None, "medium": "large", "small": "medium", "micro": "small"}[size]
        note_zh = f"{_SIZE_ZH[size]}：{lim_zh(size, False)}"
        note_en = f"{size}: {lim_en(size)}"
        if above:
            note_zh += f"；{_SIZE_ZH[above]}：{lim_zh(above, short)}"
            note_en += f"; {above}: {lim_en(above)}"
        result_zh, result_en = _SIZE_ZH[size], size
    else:
        assert stuck_at is not None  # the band loop stops at a band or ends at micro
        miss_zh = "、".join(_IND_ZH[k][0] for k in missing)
        miss_en = ", ".join(_IND_EN[k] for k in missing)
        if stuck_at == "large":
            result_zh, result_en = "无法判定是否为中小企业", "cannot tell whether it is an SME"
        elif stuck_at == "medium":
            result_zh = "中小微型企业，具体类型无法判定"
            result_en = "SME, band undetermined (medium, small or micro)"
        else:
            result_zh, result_en = "小型或微型，无法判定", "small or micro, undetermined"
        note_zh = f"缺：{miss_zh}；{_SIZE_ZH[stuck_at]}：{lim_zh(stuck_at, False)}"
        note_en = f"missing: {miss_en}; {stuck_at}: {lim_en(stuck_at)}"

    # which figures decide SME-or-not: below any ceiling makes it 中小微 (或); large needs them all
    decided_by, dec_zh, dec_en = [], "", ""
    if sme is True:
        decided_by = [k for k, v, lim in zip(inds, values, ceiling) if v is not None and v < lim]
        dec_zh = "、".join(f"{_IND_ZH[k][0]} {_fmt(given[k])} {_IND_ZH[k][1]}低于{lim}{_IND_ZH[k][1]}"
                          for k, lim in zip(inds, ceiling) if k in decided_by)
        dec_zh = f"{dec_zh}，已为中小企业（第四条“{_limit_zh(inds, ceiling, at_least=False)}”）"
        dec_en = " and ".join(f"{_IND_EN[k]} {_fmt(given[k])} < {lim}" for k, lim in zip(inds, ceiling)
                              if k in decided_by)
        dec_en = f"{dec_en}: an SME (article 4: {_limit_en(inds, ceiling, at_least=False)})"
    elif sme is False:
        decided_by = list(inds)
        dec_zh = f"{_limit_zh(inds, ceiling)}，为大型企业"
        dec_en = f"{_limit_en(inds, ceiling)}: a large enterprise"

    explain_zh = f"{zh}：{fig_zh} → {result_zh}（{note_zh}）"
    explain_en = f"{en}: {fig_en} → {result_en} ({note_en})"
    if size is None and sme is True:
        explain_zh += f"；判定依据：{dec_zh}"
        explain_en += f"; decided by: {dec_en}"
    if inds != (EMPLOYEES,):
        explain_en += _AMOUNT_NOTE_EN
    return SmeResult(size, row, zh, en, missing, explain_zh, explain_en, sme, decided_by, dec_zh, dec_en)


def sme_condition(ctx) -> dict:
    """The evaluated node of a rule's ``sme`` check (工信部联企业〔2011〕300号).

    Decided whenever the rows of 第四条 decide it, even when the band is not known: an industrial
    firm with revenue below 40000万元 is 中小微 whatever its headcount (from 2026-11 reading, issue 12).
    ``decided_by`` names the figures that decided it. Only when 300号 cannot tell SME from large does
    the company's own declaration (``sme_declared``) count, and then it is marked declared.
    """
    node = {"type": "sme", "declared": False, "missing": []}
    result = None
    industry = ctx.raw("industry")
    if industry is not None:
        try:
            result = classify(industry, ctx.raw("employees"), ctx.raw("operating_revenue"), ctx.raw("total_assets"))
        except (ValueError, TypeError):
            result = None
    if result is not None and result.is_sme is not None:
        node.update(status="met" if result.is_sme else "unmet", actual=result.size or "sme",
                    explain_zh=result.explain_zh, explain_en=result.explain_en, row=result.row,
                    decided_by=result.decided_by)
        return node
    declared = ctx.raw("sme_declared")
    missing = [["industry", None]] if industry is None else [[k, ctx.year] for k in (result.missing if result else [])]
    if declared is not None:
        node.update(status="met" if declared else "unmet", actual=declared, declared=True,
                    explain_zh="按企业自报（缺少划型所需数据）",
                    explain_en="as declared (figures for the size test missing)")
        return node
    node.update(status="unknown", actual=None, missing=missing)
    return node

"""Data checks: figures that cannot be right, or that deserve a second look.

:func:`check_enterprise` runs on every file :func:`reader.read_enterprise`
reads (no scheme needed). Errors are figures that cannot be true and would
decide a condition wrongly; they stop the file (exit 2) together with every
other problem found. Warnings are figures that are possible but unusual; they
go to stderr and the assessment goes on.

:func:`zjtx_cli.engine.scheme_checks.scheme_warnings` adds the checks that need
the scheme and the assessment year (a year missing from a series a condition
of the tiers assessed needs; an old input answering several tests; a founding
date after the assessment year).

Each problem names the file, the field (Chinese label and key), the year and
the value. The list of checks is in docs/input-format.md.
"""

from __future__ import annotations

import datetime as _dt

from zjtx_cli.inputs.model import Problem

# Money that may be negative (a loss); every other number and count may not.
MAY_BE_NEGATIVE = {"net_profit", "total_profit", "operating_profit", "profit_and_tax"}
# Ranks start at 1.
RANKS = ("market_rank_national", "market_rank_province", "market_rank_global")
# Year counts that cannot exceed the company's age.
AGE_BOUND = ("niche_market_years", "new_product_years", "business_field_years")


def field_label(fields, key):
    f = fields[key]
    return f"{f.zh} ({key})"


def series_of(e, key) -> dict:
    v = e.values.get(key)
    return v if isinstance(v, dict) else {}


def _show(v):
    if isinstance(v, _dt.date):
        return v.isoformat()
    return str(v)


def check_enterprise(e, fields, today: _dt.date | None = None) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) for one enterprise's figures."""
    today = today or _dt.date.today()
    src = e.source
    errors: list[Problem] = []
    warnings: list[Problem] = []

    def err(key, reason, value=None, year=None, zh=None):
        errors.append(Problem(src, field_label(fields, key), reason, None if value is None else _show(value), year,
                              reason_zh=zh))

    def warn(key, reason, value=None, year=None, zh=None):
        warnings.append(Problem(src, field_label(fields, key), reason, None if value is None else _show(value), year,
                                severity="warning", reason_zh=zh))

    # ---- signs and ranges, field by field
    for key, v in e.values.items():
        if key not in fields:
            continue
        f = fields[key]
        if f.type not in ("number", "integer"):
            continue
        items = sorted(v.items()) if isinstance(v, dict) else [(None, v)]
        for y, x in items:
            if x is None or isinstance(x, bool):
                continue
            if x < 0 and key not in MAY_BE_NEGATIVE:
                what = "money" if f.unit == "万元" else "a count" if f.type == "integer" else "this figure"
                what_zh = "金额" if f.unit == "万元" else "数量" if f.type == "integer" else "该数值"
                err(key, f"negative value: {what} cannot be below 0", x, y, zh=f"负值：{what_zh}不能小于 0")
            elif key in RANKS and x < 1:
                err(key, "a rank starts at 1", x, y, zh="排名从第 1 名开始")
            elif f.unit == "%" and x > 100:
                err(key, "a percentage cannot be over 100", x, y, zh="百分比不能超过 100")

    # ---- relations within a year
    def pairs(a, b):
        sa, sb = series_of(e, a), series_of(e, b)
        for y in sorted(set(sa) & set(sb)):
            if sa[y] is not None and sb[y] is not None:
                yield y, sa[y], sb[y]

    for y, main, op in pairs("main_business_revenue", "operating_revenue"):
        if main > op:
            err("main_business_revenue", f"main-business revenue is part of operating revenue ({op}) "
                                         f"and cannot exceed it", main, y,
                zh=f"主营业务收入是营业收入（{op}）的一部分，不能大于营业收入")
    for y, lead, op in pairs("leading_product_revenue", "operating_revenue"):
        if lead > op:
            err("leading_product_revenue", f"leading-product revenue is part of operating revenue ({op}) "
                                           f"and cannot exceed it", lead, y,
                zh=f"主导产品销售收入是营业收入（{op}）的一部分，不能大于营业收入")
    for y, lead, main in pairs("leading_product_revenue", "main_business_revenue"):
        if lead > main and lead <= series_of(e, "operating_revenue").get(y, lead):
            warn("leading_product_revenue", f"above main-business revenue ({main}); check both figures", lead, y,
                 zh=f"高于主营业务收入（{main}）；请核对这两个数")
    for y, rd, emp in pairs("rd_staff", "employees"):
        if rd > emp:
            err("rd_staff", f"R&D staff are among the employees ({emp}) and cannot outnumber them", rd, y,
                zh=f"研发人员包含在从业人员（{emp}）之中，不能多于从业人员")
    for y, liab, assets in pairs("total_liabilities", "total_assets"):
        if assets == 0 and liab > 0:
            err("total_assets", f"total assets 0 with liabilities of {liab}: the asset-liability ratio is "
                                "undefined; check the balance sheet", assets, y,
                zh=f"资产总额为 0 而负债为 {liab}：无法计算资产负债率；请核对资产负债表")
        elif assets > 0 and liab > assets:
            warn("total_liabilities", f"above total assets ({assets}): asset-liability ratio over 100%", liab, y,
                 zh=f"高于资产总额（{assets}）：资产负债率超过 100%")
    for y, rd, op in pairs("rd_expense", "operating_revenue"):
        if op > 0 and rd > op:
            warn("rd_expense", f"above operating revenue ({op}): R&D intensity over 100%", rd, y,
                 zh=f"高于营业收入（{op}）：研发费用占营业收入比重超过 100%")
    for y, profit, op in pairs("net_profit", "operating_revenue"):
        if op >= 0 and profit > op:
            warn("net_profit", f"above operating revenue ({op}); check both figures", profit, y,
                 zh=f"高于营业收入（{op}）；请核对这两个数")

    # ---- dates and years
    founded = e.values.get("founding_date")
    if isinstance(founded, _dt.date):
        if founded > today:
            err("founding_date", f"in the future (today is {today.isoformat()})", founded,
                zh=f"晚于今天（{today.isoformat()}）")
        else:
            age = today.year - founded.year + 1
            for key in AGE_BOUND:
                x = e.values.get(key)
                if x is not None and not isinstance(x, (bool, dict)) and x > age:
                    warn(key, f"more years than the company has existed (founded {founded.isoformat()})", x,
                         zh=f"年数超过企业成立以来的年数（成立于 {founded.isoformat()}）")
    for key, v in e.values.items():
        if not isinstance(v, dict) or not v or key not in fields:
            continue
        ys = sorted(v)
        gaps = [y for y in range(ys[0], ys[-1] + 1) if y not in v]
        if gaps:
            warn(key, f"no figure for {', '.join(map(str, gaps))} between {ys[0]} and {ys[-1]}", None, gaps[0],
                 zh=f"{ys[0]} 至 {ys[-1]} 年之间缺少 {'、'.join(map(str, gaps))} 年的数据")
        if isinstance(founded, _dt.date) and founded <= today:
            early = [y for y in ys if y < founded.year and v[y] not in (None, 0)]
            if early:
                warn(key, f"figure for a year before the founding date ({founded.isoformat()})", v[early[0]],
                     early[0], zh=f"该年度早于成立日期（{founded.isoformat()}）")
        late = [y for y in ys if y > today.year]
        if late:
            warn(key, f"figure for a year that has not begun (today is {today.isoformat()})", v[late[0]], late[0],
                 zh=f"该年度尚未开始（今天是 {today.isoformat()}）")

    # ---- identity
    code = e.values.get("credit_code")
    if isinstance(code, str) and code.strip():
        from zjtx_cli.inputs.values import uscc_problem

        why = uscc_problem(code)
        if why:
            warn("credit_code", f"not a valid 统一社会信用代码 (GB 32100-2015): {why}", code,
                 zh=f"不是有效的统一社会信用代码（GB 32100-2015）：{uscc_problem(code, 'zh')}")
    from zjtx_cli.inputs.ratios import declared_ratio_warnings  # issue 12: declared ratio vs figures

    warnings.extend(declared_ratio_warnings(e, fields))
    return errors, warnings

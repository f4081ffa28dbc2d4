"""Tolerant, exact parsing of the values applicants type into spreadsheets.

Every parser raises :class:`BadValue` with a short reason; the reader adds the
file, field and year. Money is returned in 万元 as :class:`~decimal.Decimal`
so that a conversion can never flip a threshold (``20,000,000元`` is exactly
``2000`` 万元).
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation


class BadValue(ValueError):
    """A value that cannot be read as the field's type.

    ``str(exc)`` is the English reason, ``exc.zh`` the Chinese one (the English
    one when no translation was given).
    """

    def __init__(self, reason: str, zh: str | None = None):
        super().__init__(reason)
        self.zh = zh or reason

    def __reduce__(self):  # picklable for the batch process pool
        return (type(self), (str(self), self.zh))


# --------------------------------------------------------------------------- text
def nfkc(text: str) -> str:
    """Full-width to half-width (５０００ -> 5000, （ -> (), trimmed."""
    return unicodedata.normalize("NFKC", text).strip()


_TRAILING_UNIT = re.compile(r"\s*[\(\[]\s*([^()\[\]]*)\s*[\)\]]\s*$")


def split_label(label: str) -> tuple[str, str | None]:
    """``主营业务收入（万元）`` -> (``主营业务收入``, ``万元``).

    Only a trailing bracket that holds a unit is taken off; a bracket that is
    part of the name (``发明专利（含集成电路布图设计专有权）``) stays.
    """
    text = nfkc(label)
    m = _TRAILING_UNIT.search(text)
    if m:
        word = re.sub(r"^(?:单位|unit)\s*[:：]?\s*", "", m.group(1).strip(), flags=re.I)
        if word in _UNIT_WORDS:
            return text[: m.start()].strip(), word
    return text, None


def normalize_label(label: str) -> str:
    """The form labels are matched in: NFKC, no unit bracket, no spaces, lower case."""
    name, _ = split_label(label)
    return re.sub(r"[\s_\-]+", "", name).lower().replace("“", '"').replace("”", '"')


# ------------------------------------------------------------------------- numbers
# unit word -> multiplier into the field's canonical unit (money: 万元)
_MONEY = {"元": Decimal("0.0001"), "万元": Decimal(1), "万": Decimal(1), "亿元": Decimal(10000),
          "亿": Decimal(10000), "千元": Decimal("0.1"), "百万元": Decimal(100)}
# other unit words -> the canonical unit they stand for
_PLAIN = {"%": "%", "人": "人", "名": "人", "项": "项", "个": "项", "件": "项", "年": "年", "分": "分"}
_UNIT_WORDS = set(_MONEY) | set(_PLAIN) | {"万元/年", "RMB", "人民币", "家"}
_NUM = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?)(.*)$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")
_MINUS = str.maketrans({"−": "-", "–": "-", "﹣": "-", "－": "-"})
_CURRENCY = ("RMB", "CNY", "人民币", "¥", "￥")
# Anything bigger is a typing accident, not a company (and would overflow Decimal quantize).
_LIMIT = Decimal("1e15")
# ... and a non-zero figure this small (1e-999) is one too, and would underflow the arithmetic.
_SMALLEST = -10


def _tidy(d: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent form (2000.0000 -> 2000, not 2E+3)."""
    if d == d.to_integral_value():
        return d.quantize(Decimal(1))
    return d.normalize()


def _from_float(x: float) -> Decimal:
    # Excel stores 0.1 + 0.2 as 0.30000000000000004: 15 significant digits is
    # what Excel itself shows, and removes that noise.
    if x != x or x in (float("inf"), float("-inf")):
        raise BadValue("not a finite number", zh="不是有效的数值")
    return Decimal(format(x, ".15g"))


_SPACED_DIGITS = re.compile(r"\d[\s\u3000]+[\d.,]|[.,][\s\u3000]+\d")


def _number_text(raw: str) -> tuple[Decimal, str | None]:
    text = nfkc(raw).translate(_MINUS)
    if _SPACED_DIGITS.search(text):  # "1 2" is two numbers or a typo, never 12
        raise BadValue("a space inside a number (write 1234 or 1,234)", zh="数字中间有空格（应写作 1234 或 1,234）")
    text = re.sub(r"\s+", "", text)
    for c in _CURRENCY:
        text = text.replace(c, "")
    negative = False
    if len(text) > 2 and text[0] == "(" and ")" in text:  # accounting negative: (1,234)
        close = text.index(")")
        text, negative = text[1:close] + text[close + 1:], True
    if "," in text:
        m = _GROUPED.match(text)
        if not m or "," in text[m.end():]:
            raise BadValue("misplaced thousands separator (write 1,234,567.89 or 1234567.89)",
                           zh="千分位逗号位置不对（应写作 1,234,567.89 或 1234567.89）")
        text = text.replace(",", "")
    m = _NUM.match(text)
    if not m:
        raise BadValue("not a number", zh="不是数字")
    try:
        value = Decimal(m.group(1))
    except InvalidOperation:  # pragma: no cover - the regex admits only literals
        raise BadValue("not a number", zh="不是数字") from None
    word = m.group(2) or None
    if word == "万元/年":
        word = "万元"
    if word is not None and word not in _MONEY and word not in _PLAIN:
        raise BadValue(f"unknown unit {word!r}", zh=f"无法识别的单位“{word}”")
    return (-value if negative else value), word


def parse_number(raw, unit: str | None = None, label_unit: str | None = None) -> Decimal:
    """Read a number; convert money to 万元 when ``unit`` is 万元.

    ``raw`` may be an int/float from a workbook, or text with thousands
    separators, full-width digits and a trailing unit (``1,800万元``,
    ``２０００``, ``3.5%``, ``1.2亿元``, ``(120)`` for -120). ``label_unit`` is a
    unit taken from the row label or unit column, e.g. ``营业收入（元）``; a unit
    in the value wins over it. The result is exact: ``20,000,000元`` is
    ``Decimal(2000)`` 万元.
    """
    if isinstance(raw, bool):
        raise BadValue("expected a number, got a yes/no value", zh="应为数字，而不是“是/否”")
    if isinstance(raw, int):
        value, word = Decimal(raw), None
    elif isinstance(raw, float):
        value, word = _from_float(raw), None
    elif isinstance(raw, Decimal):
        value, word = raw, None
    elif isinstance(raw, str):
        value, word = _number_text(raw)
    else:
        raise BadValue("expected a number", zh="应为数字")
    if not value.is_finite():
        raise BadValue("not a finite number", zh="不是有效的数值")
    if abs(value) >= _LIMIT:
        raise BadValue("implausibly large number", zh="数值过大，不合常理")
    if value and value.adjusted() < _SMALLEST:
        raise BadValue("implausibly small number (more than 9 zeros after the decimal point)",
                       zh="数值过小，不合常理（小数点后超过 9 个零）")
    word = word or label_unit
    if word in ("RMB", "人民币", "家"):
        word = None
    if unit == "万元":
        if word is not None:
            if word not in _MONEY:
                raise BadValue(f"unit {word!r} is not money (expected 万元)",
                               zh=f"单位“{word}”不是金额单位（应为万元）")
            value = value * _MONEY[word]
    elif word is not None and word in _MONEY:
        raise BadValue(f"money unit {word!r} given for a field in {unit or 'no unit'}",
                       zh=(f"本项单位为{unit}，不能用金额单位“{word}”" if unit
                           else f"本项没有单位，不能用金额单位“{word}”"))
    elif word is not None and unit is not None and _PLAIN.get(word) != unit:
        raise BadValue(f"unit {word!r} given for a field in {unit}", zh=f"本项单位为{unit}，不能用单位“{word}”")
    elif word is not None and unit is None and word not in ("名",):
        raise BadValue(f"unit {word!r} given for a field without a unit", zh=f"本项没有单位，不能填单位“{word}”")
    return _tidy(value)


def parse_integer(raw, unit: str | None = None, label_unit: str | None = None) -> int:
    if isinstance(raw, str):
        text = nfkc(raw)
        if unit is None and text.startswith("第"):  # a rank: 第3名
            raw = text[1:]
    value = parse_number(raw, unit, label_unit)
    if value != value.to_integral_value():
        raise BadValue("expected a whole number", zh="应为整数")
    return int(value)


# ---------------------------------------------------------------------------- yes/no
_TRUE = {"是", "有", "y", "yes", "true", "t", "√", "✓", "✔", "☑", "1", "对", "符合", "具备", "是的", "已取得"}
_FALSE = {"否", "无", "n", "no", "false", "f", "×", "✗", "✘", "0", "不是", "没有", "不符合", "不具备", "未取得"}


def parse_bool(raw) -> bool:
    """是/否, 有/无, Y/N, yes/no, true/false, √/×, 1/0 (and Excel TRUE/FALSE)."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, (int, float, Decimal)) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        text = nfkc(raw).lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        if text in ("1.0", "0.0"):
            return text == "1.0"
    raise BadValue("expected yes/no (是/否)", zh="应为“是/否”")


# ----------------------------------------------------------------------------- dates
_EXCEL_EPOCH = _dt.date(1899, 12, 30)
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                      r"(?:[T\s]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_MONTH_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_YEAR_ONLY = "a year alone is not a date: give the full date, e.g. 2015-03-01"
_YEAR_ONLY_ZH = "只有年份不是日期：请填写完整日期，如 2015-03-01"
_NOT_DATE_ZH = "不是有效日期（如 2015-03-01）"


def parse_date(raw) -> _dt.date:
    """2015-03-01, 2015/3/1, 2015.3.1, 2015年3月1日, 20150301, an Excel serial or date cell.

    A month without a day (2015年3月) is read as the 1st of that month; a year
    alone is refused (an Excel serial 2015 would be 1905-07-07).
    """
    if isinstance(raw, _dt.datetime):
        return raw.date()
    if isinstance(raw, _dt.date):
        return raw
    if isinstance(raw, bool):
        raise BadValue("expected a date", zh=_NOT_DATE_ZH)
    if isinstance(raw, (int, float, Decimal)):
        if not 1 <= raw < 2958466:  # Excel serials: 1900-01-01 .. 9999-12-31 (also refuses NaN)
            raise BadValue("expected a date", zh=_NOT_DATE_ZH)
        if raw == int(raw) and 1900 <= int(raw) <= 2100:
            raise BadValue(_YEAR_ONLY, zh=_YEAR_ONLY_ZH)
        return _EXCEL_EPOCH + _dt.timedelta(days=int(raw))
    if isinstance(raw, str):
        text = nfkc(raw)
        m = _DATE_RE.match(text)
        if m:
            y, mo, d = (int(g) for g in m.groups())
        else:
            m = _MONTH_RE.match(text)
            if m:
                y, mo, d = int(m.group(1)), int(m.group(2)), 1
            elif text.isascii() and text.isdigit() and len(text) == 8:
                y, mo, d = int(text[:4]), int(text[4:6]), int(text[6:])
            elif re.fullmatch(r"\d{4}\s*年?", text):
                raise BadValue(_YEAR_ONLY, zh=_YEAR_ONLY_ZH)
            else:
                raise BadValue("expected a date such as 2015-03-01", zh=_NOT_DATE_ZH)
        try:
            return _dt.date(y, mo, d)
        except ValueError:
            raise BadValue("not a real calendar date", zh="日历上没有这一天（不是真实存在的日期）") from None
    raise BadValue("expected a date", zh=_NOT_DATE_ZH)


# ---------------------------------------------------------------------------- choice
def parse_choice(raw, choices: dict) -> str:
    """Accept the choice code, its Chinese or its English label."""
    if not isinstance(raw, str):
        raise BadValue("expected one of the listed choices", zh="应为所列选项之一")
    text = normalize_label(raw)
    for code, labels in choices.items():
        if text in (normalize_label(code), normalize_label(labels["zh"]), normalize_label(labels["en"])):
            return code
    listed = "、".join(c["zh"] for c in choices.values())
    raise BadValue("not one of: " + listed, zh="不是以下选项之一：" + listed)


def parse_text(raw) -> str:
    if isinstance(raw, bool):
        raise BadValue("expected text, got a yes/no value", zh="应为文字，而不是“是/否”")
    if isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise BadValue("expected text", zh="应为文字")
        raw = int(raw) if raw == int(raw) else _from_float(raw)
    if isinstance(raw, (int, Decimal)):
        return str(raw)
    if not isinstance(raw, str):
        raise BadValue("expected text", zh="应为文字")
    return raw.strip()


# ------------------------------------------------------------- credit code (GB 32100)
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_char(code17: str) -> str:
    """The 18th (check) character of a 统一社会信用代码, GB 32100-2015 §5."""
    total = 0
    for ch, w in zip(code17, _USCC_WEIGHTS):
        idx = _USCC_ALPHABET.find(ch)
        if idx < 0:
            raise BadValue(f"character {ch!r} is not allowed in a credit code", zh=f"信用代码中不能出现字符“{ch}”")
        total += idx * w
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_problem(code: str, lang: str = "en") -> str | None:
    """None when the code is well formed, else a short reason (in English, or Chinese with lang="zh")."""
    zh = lang == "zh"
    code = nfkc(code).upper()
    if len(code) != 18:
        return f"应为 18 位，实为 {len(code)} 位" if zh else f"must be 18 characters, has {len(code)}"
    try:
        expected = uscc_check_char(code[:17])
    except BadValue as exc:
        return exc.zh if zh else str(exc)
    if code[17] != expected:
        return (f"校验码应为“{expected}”，而不是“{code[17]}”" if zh else
                f"check character should be {expected!r}, not {code[17]!r}")
    return None

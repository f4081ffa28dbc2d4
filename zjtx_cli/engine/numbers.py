"""Numbers as zjtx computes and shows them: exact means of ratios, JSON values, and the human
form of a figure with its unit (``format_number``)."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_EVEN, Decimal

HUNDRED = Decimal(100)


ONE = Decimal(1)


def mean_ratio_percent(pairs, minus_one: bool = False) -> Decimal:
    """100 × the mean of num/den over ``pairs`` (minus 1 each, for growth rates), exactly.

    Computed in integers and divided once, so that a mean that is exactly 10% compares
    equal to 10 (dividing rate by rate at 28 digits gave 9.999…). Dens must be non-zero.
    """
    scale = max(-min(d.as_tuple().exponent for pair in pairs for d in pair), 0)
    f = 10 ** scale
    ints = [(int(n * f), int(d * f)) for n, d in pairs]
    num, den = 0, 1
    for n, d in ints:  # num/den += n/d
        num, den = num * d + n * den, den * d
    k = len(ints)
    if minus_one:
        num -= k * den
    return Decimal(100 * num) / Decimal(k * den)


def num_json(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, Decimal):
        if v == v.to_integral_value():
            return int(v)
        return float(round(v, 6))
    return v


# money stays in 万元
UNIT_EN = {"项": "items", "年": "years", "人": "people", "家": "firms", "个百分点": "percentage points"}


def format_number(v, unit: str | None = None, places: int = 2, *, lang: str = "zh", up: bool = False) -> str:
    """Human form of a number: up to ``places`` decimals, no trailing zeros; the
    unit in the reader's language (万元 is kept in English: it is the data's unit)."""
    if v is None:
        return "—"
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, (int,)):
        s = f"{v:,}" if abs(v) >= 10000 else str(v)
    else:
        # a shortfall is rounded up, so that the amount shown really reaches the threshold
        from decimal import localcontext

        with localcontext() as context:  # absurdly large ratios must still print, not raise
            context.prec = 80
            d = Decimal(v).quantize(Decimal(1).scaleb(-places), rounding=ROUND_CEILING if up else ROUND_HALF_EVEN)
        s = format(d, "f")
        if "." in s:
            s = s.rstrip("0").rstrip(".")
        if s in ("-0", ""):
            s = "0"
    if unit in (None, ""):
        return s
    if unit == "%":
        return s + "%"
    if lang == "en":
        unit = UNIT_EN.get(unit, unit)
    return f"{s} {unit}"


def lower_first(s: str) -> str:
    """A label in running English text: first letter lowered, acronyms (R&D) kept."""
    return s if s[:2].isupper() else s[:1].lower() + s[1:]


def ceil_int(d: Decimal) -> int:
    return int(d.to_integral_value(rounding=ROUND_CEILING))

"""Text bound for a spreadsheet or CSV export: the formula-injection guard and the characters
openpyxl refuses."""

from zjtx_cli.inputs.text import FORMULA_PREFIXES as _FORMULA_PREFIXES
from zjtx_cli.inputs.text import ILLEGAL_XLSX as _ILLEGAL_CHARS
from zjtx_cli.inputs.text import fix_surrogates


def neutralise(text: str) -> str:
    """Prefix ``'`` to text a spreadsheet would read as a formula."""
    if text.startswith(_FORMULA_PREFIXES):
        return "'" + text
    return text


def clean_text(text: str) -> str:
    """Drop the control characters openpyxl refuses, lone surrogates to U+FFFD, then :func:`neutralise`."""
    return neutralise(fix_surrogates(text.translate(_ILLEGAL_CHARS)))


_PASSTHROUGH: tuple[type, ...] | None = None


def _passthrough_types() -> tuple[type, ...]:
    global _PASSTHROUGH
    if _PASSTHROUGH is None:
        import datetime
        import decimal

        _PASSTHROUGH = (decimal.Decimal, datetime.date, datetime.time, datetime.timedelta)
    return _PASSTHROUGH


def cell_value(value):
    """A value ready for export.

    ``str`` goes through :func:`clean_text`; ``None``, bool, int, float,
    Decimal and date/datetime/time/timedelta are returned unchanged (numbers
    stay numbers); anything else is exported as ``clean_text(str(value))``.
    """
    if isinstance(value, str):
        return clean_text(value)
    if value is None or isinstance(value, (int, float)):
        return value
    if isinstance(value, _passthrough_types()):
        return value
    return clean_text(str(value))

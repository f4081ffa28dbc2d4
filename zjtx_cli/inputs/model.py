"""One enterprise's indicators, as read from a file (plus what-if overrides)."""

from __future__ import annotations


class Problem:
    """One thing wrong with an input: file, field, year, value, reason.

    ``reason`` is English; ``reason_zh`` (optional) the same in Chinese.
    :meth:`line` picks one by language, falling back to English.
    """

    __slots__ = ("file", "field", "year", "value", "reason", "severity", "row", "reason_zh")

    def __init__(self, file, field, reason, value=None, year=None, severity="error", row=None, reason_zh=None):
        self.file = file
        self.field = field
        self.year = year
        self.value = value
        self.reason = reason
        self.severity = severity
        self.row = row
        self.reason_zh = reason_zh

    def line(self, lang: str = "en") -> str:
        zh = lang == "zh"
        where = str(self.file)
        if self.row is not None:
            where += f": 第{self.row}行" if zh else f": row {self.row}"
        if self.field:
            where += f": {self.field}"
        if self.year is not None:
            where += f" ({self.year})"
        value = "" if self.value is None else f": {self.value!r}"
        reason = self.reason_zh if zh and self.reason_zh else self.reason
        return f"{where}{value}: {reason}"

    def to_json(self) -> dict:
        return {"file": str(self.file), "row": self.row, "field": self.field, "year": self.year,
                "value": None if self.value is None else str(self.value), "reason": self.reason,
                "reason_zh": self.reason_zh, "severity": self.severity}


class InputError(Exception):
    """A file that cannot be assessed; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(p.line() for p in problems))


class Enterprise:
    """Values keyed by field key. Per-year fields hold ``{year: value}``. ``evidence``: the
    documents named for them, ``{(field, year | None): text}`` (``zjtx_cli.evidence``, issue 13)."""

    __slots__ = ("source", "values", "warnings", "overrides", "evidence")

    def __init__(self, values: dict, source: str = "", warnings: list[Problem] | None = None):
        self.source = source
        self.values = values
        self.warnings = warnings or []
        self.overrides: list[str] = []
        self.evidence: dict = {}

    @property
    def name(self) -> str:
        return str(self.values.get("company_name") or self.source)

    def get(self, key: str, year: int | None = None):
        v = self.values.get(key)
        if isinstance(v, dict):
            return v.get(year) if year is not None else None
        return v

    def years(self) -> list[int]:
        ys: set[int] = set()
        for v in self.values.values():
            if isinstance(v, dict):
                ys.update(v)
        return sorted(ys)

    def latest_year(self) -> int | None:
        ys = self.years()
        return ys[-1] if ys else None

    def copy(self) -> Enterprise:
        vals = {k: (dict(v) if isinstance(v, dict) else v) for k, v in self.values.items()}
        e = Enterprise(vals, self.source, list(self.warnings))
        e.overrides = list(self.overrides)
        e.evidence = dict(self.evidence)
        return e

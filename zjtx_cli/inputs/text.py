"""The one place that says which characters and cells are special.

Everything from an applicant's file is untrusted text. Three questions are
asked of it in several places (reader, roster, safety, export, the terminal
output), and they are answered here only:

* what is a *control character* — C0 and C1 controls, DEL, the Unicode line
  and paragraph separators, the bidirectional overrides/isolates/marks (which
  can reorder what a person sees: ``U+202E`` shows ``exe.txt`` for
  ``txt.exe``), and lone surrogates (not encodable as UTF-8);
* what is a *blank cell* — empty, spaces, or a placeholder such as ``-`` / ``n/a`` / 不适用;
* what is a *formula prefix* — a text a spreadsheet would evaluate when it
  starts with ``= + - @`` (or a tab / carriage return), see safety.neutralise.

:func:`inert` makes any text safe to print on a terminal (one line, no control
sequence, no rich markup when ``markup=True``); :func:`fix_surrogates` keeps
text but as valid UTF-8 (for JSON and exports).

Only the standard library is imported here (start-up time).
"""

from __future__ import annotations

import re
import unicodedata

# ------------------------------------------------------------------ control characters
LINE_BREAKS = (0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029)
BIDI = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
C0_C1 = (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0))
SURROGATES = range(0xD800, 0xE000)
CONTROL_CHARS = frozenset((*C0_C1, *BIDI, 0x2028, 0x2029))

# for the terminal: line breaks and tabs become a space, every other control character goes
_INERT: dict[int, str | None] = {c: None for c in CONTROL_CHARS}
_INERT.update({c: " " for c in (*LINE_BREAKS, 0x09)})

_NEEDS_INERT = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
                          "\ud800-\udfff]")

# the characters openpyxl refuses in a cell (openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE), deleted on export
ILLEGAL_XLSX = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])

# ------------------------------------------------------------------ cells
# values that mean "left blank" (each at most 3 characters long, compared after NFKC and lower-casing)
BLANKS = frozenset({"-", "--", "—", "——", "/", "n/a", "na", "不适用", "\\"})
# a text cell starting with one of these is a formula to a spreadsheet
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def is_blank(v) -> bool:
    """An empty cell: None, only spaces, or a placeholder of :data:`BLANKS`."""
    if v is None:
        return True
    if type(v) is str or isinstance(v, str):
        t = v.strip()
        if not t:
            return True
        if len(t) > 3:  # every placeholder is at most 3 characters long: no normalisation for longer text
            return False
        hit = _BLANK_MEMO.get(t)
        if hit is None:
            if len(_BLANK_MEMO) > 10000:
                _BLANK_MEMO.clear()
            hit = _BLANK_MEMO[t] = unicodedata.normalize("NFKC", t).strip().lower() in BLANKS
        return hit
    return False


_BLANK_MEMO: dict = {}  # short cells repeat (是, 否, 制造业): answers are remembered


def has_control(text: str) -> bool:
    """True if ``text`` holds a character :func:`inert` would change."""
    return any(ord(ch) in _INERT for ch in text)


def inert(value, limit: int | None = None, markup: bool = False) -> str:
    """``value`` as text safe for a terminal: one line, no control sequences, valid UTF-8.

    Tabs and line breaks become spaces; other C0/C1 controls, DEL and bidi
    overrides are removed; a lone surrogate becomes U+FFFD. ``markup=True``
    also escapes rich markup (``[bold]`` is shown, not obeyed). ``limit``
    shortens long text with an ellipsis.
    """
    text = value if isinstance(value, str) else str(value)
    if _NEEDS_INERT.search(text) is not None:  # a C-level scan: most text has nothing to change
        text = fix_surrogates(text.translate(_INERT))
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    if markup and "[" in text:
        from rich.markup import escape

        text = escape(text)
        if text.endswith("\\"):  # a trailing backslash would escape rich's own closing tag
            text += " "
    return text


def fix_surrogates(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD (so that it encodes as UTF-8)."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:  # each lone surrogate (a valid pair joins into its character) to U+FFFD
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


_NEEDS_JSON_ESCAPE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
                                "\ud800-\udfff]")
# for JSON text: what json.dumps(ensure_ascii=False) leaves raw but a terminal would obey
_JSON_ESCAPE = {c: f"\\u{c:04x}" for c in (0x7F, *range(0x80, 0xA0), *BIDI, 0x2028, 0x2029)}


def json_inert(text: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) with DEL, C1 controls, bidi
    controls and line separators written as ``\\uXXXX`` escapes: the same data, inert on a
    terminal, and valid UTF-8 (a lone surrogate becomes U+FFFD)."""
    if _NEEDS_JSON_ESCAPE.search(text) is None:
        return text
    return fix_surrogates(text.translate(_JSON_ESCAPE))


def fsname(path) -> str:
    """A file name (``str`` or ``bytes``, maybe with undecodable bytes) as valid text."""
    import os

    try:
        text = os.fsdecode(path)
    except TypeError:
        text = str(path)
    return fix_surrogates(text)

"""Plain-text output for a file or a pipe: aligned columns, no colours, no rich.

When stdout is not a terminal, ``zjtx`` prints its tables (assess, the ladder,
the gaps, the checklist, ``schemes``, ``rules``) through :class:`Console` here
instead of rich's: the same words, laid out as columns separated by two
spaces, with a line of dashes under the headings. Widths count a Chinese
character as two columns (``unicodedata.east_asian_width``), so columns line up
in a monospaced font. A table wider than the console width wraps its widest
cells (Chinese between characters, other text at spaces, a number kept with its
unit). Every line is made inert (:func:`zjtx_cli.inputs.text.inert`): text from
an applicant's file never reaches the terminal as a control sequence.

The classes mirror the small part of rich's interface that zjtx uses
(``Console.print``, ``Table.add_column/add_row``, ``Text``), so one renderer
serves both: ``kit(console)`` gives the matching ``Table`` and ``Text``. Only the
standard library is imported here (start-up time).
"""

from __future__ import annotations

import re
import unicodedata

from zjtx_cli.inputs.text import inert

GAP = "  "  # between columns
_CJK = "\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u3000-\u303f"
_UNITS = "万元|亿元|万|元|项|人|年|名|位|分"
_CLOSING = "，。；：、）》」』”’！？%"  # never at the start of a line (标点避头)
_OPENING = "（《「『“‘(\\["  # never at the end of a line (标点避尾)
# a word: a run of non-Chinese characters with a following unit, or one Chinese character; with its spaces
WORD = rf"\s*[{_OPENING}]*(?:[^\s{_CJK}]+(?: ?(?:{_UNITS}))?|\S)[{_CLOSING}]*\s*"
_MARKUP = r"\[/?(?:bold|dim|italic|underline|red|green|yellow|cyan|blue|magenta| )*\]"  # rich's style tags


def word_pattern() -> re.Pattern:
    """WORD, compiled on first use (compiling a pattern costs start-up time; re caches it)."""
    return re.compile(WORD)


def char_width(ch: str) -> int:
    """Columns a character takes in a monospaced terminal: 2 for wide (Chinese), 0 for combining marks."""
    if ch < "\u0300":  # ASCII and Latin-1: one column (control characters never get here: see inert)
        return 1
    if unicodedata.combining(ch) or ch in "\u200b\u200c\u200d\ufeff":
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def width(text: str) -> int:
    """Columns ``text`` (one line) takes."""
    if text.isascii():
        return len(text)
    return sum(char_width(ch) for ch in text)


def pad(text: str, cols: int) -> str:
    """``text`` followed by spaces up to ``cols`` columns."""
    return text + " " * (cols - width(text))


def _fold(word: str, cols: int) -> list[str]:
    """A word wider than ``cols``, cut into pieces that fit (by characters)."""
    out, cur, w = [], "", 0
    for ch in word:
        cw = char_width(ch)
        if cur and w + cw > cols:
            out.append(cur)
            cur, w = "", 0
        cur += ch
        w += cw
    if cur:
        out.append(cur)
    return out


def wrap(line: str, cols: int) -> list[str]:
    """One line as lines of at most ``cols`` columns: breaks at spaces and between Chinese characters,
    never between a number and its unit, closing punctuation never first on a line."""
    if width(line) <= cols:
        return [line]
    out: list[str] = []
    cur = ""
    for m in word_pattern().finditer(line):
        word = m.group()
        if width((cur + word).rstrip()) <= cols:
            cur += word
            continue
        if cur.strip():
            out.append(cur.rstrip())
        word = word.lstrip()
        core = word.rstrip()
        if width(core) > cols:
            pieces = _fold(core, cols)
            out.extend(pieces[:-1])
            word = pieces[-1] + word[len(core):]
        cur = word
    if cur.strip() or not out:
        out.append(cur.rstrip())
    return out


def _plain(obj) -> str:
    """The text of a cell or a printed object: ours, rich's (``.plain``), or anything with a str()."""
    if obj is None:
        return ""
    if isinstance(obj, str):
        return obj
    plain = getattr(obj, "plain", None)
    return plain if isinstance(plain, str) else str(obj)


def _lines(text: str) -> list[str]:
    """Text as inert lines (a cell's own line breaks kept, every control character made harmless)."""
    return [inert(part) for part in text.split("\n")]


class Text:
    """A piece of text with a style (the style is ignored in plain output)."""

    __slots__ = ("plain", "style")

    def __init__(self, text: str = "", style: str = ""):
        self.plain = text
        self.style = style

    @classmethod
    def assemble(cls, *parts) -> Text:
        return cls("".join(p[0] if isinstance(p, tuple) else _plain(p) for p in parts))

    def __str__(self) -> str:
        return self.plain


class Table:
    """Rows of cells under headings, printed as aligned columns."""

    def __init__(self, title: str | None = None, **_ignored):
        self.title = title
        self.headers: list[str] = []
        self.rows: list[list[str]] = []

    def add_column(self, header, **_ignored) -> None:
        self.headers.append(_plain(header))

    def add_row(self, *cells) -> None:
        self.rows.append([_plain(c) for c in cells] + [""] * (len(self.headers) - len(cells)))

    def render(self, cols: int) -> list[str]:
        n = len(self.headers)
        grid = [[_lines(c) for c in row] for row in [self.headers, *self.rows]]
        natural = [max((width(line) for row in grid for line in row[i]), default=0) for i in range(n)]
        widths = _fit(natural, [width(h) for h in self.headers], cols - len(GAP) * (n - 1))
        out = []
        if self.title:
            out.append(inert(self.title))
        for k, row in enumerate(grid):
            cells = [[w for line in lines for w in wrap(line, widths[i])] for i, lines in enumerate(row)]
            for j in range(max(len(c) for c in cells)):
                parts = [pad(c[j] if j < len(c) else "", widths[i]) for i, c in enumerate(cells)]
                out.append(GAP.join(parts).rstrip())
            if k == 0:
                out.append(GAP.join("-" * w for w in widths))
        return out


def _fit(natural: list[int], heads: list[int], room: int) -> list[int]:
    """Column widths: each column's widest line, the widest columns narrowed until the table fits ``room``
    (never below its heading, nor below 8 columns unless it is narrower anyway)."""
    widths = list(natural)
    floor = [min(n, max(h, 8)) for n, h in zip(natural, heads, strict=True)]
    while sum(widths) > room:
        i = max(range(len(widths)), key=lambda k: (widths[k] - floor[k] > 0, widths[k]))
        if widths[i] <= floor[i]:
            break  # cannot narrow further: the lines run long rather than lose text
        widths[i] -= 1
    return widths


class Console:
    """Prints text and tables plainly to ``file``, wrapped to ``width`` columns."""

    is_terminal = False

    def __init__(self, file, width: int = 160):
        self.file = file
        self.width = width

    def print(self, *objects, markup: bool = True, highlight: bool = False, style=None, end: str = "\n") -> None:
        if not objects:
            self._write(end)
            return
        lines: list[str] = []
        texts: list[str] = []
        for obj in objects:
            if isinstance(obj, Table):
                if texts:
                    lines.extend(_lines(" ".join(texts)))
                    texts = []
                lines.extend(obj.render(self.width))
            elif isinstance(obj, (str, Text)) or hasattr(obj, "plain"):
                text = _plain(obj)
                texts.append(re.sub(_MARKUP, "", text) if markup and isinstance(obj, str) and "[" in text else text)
            else:  # a rich renderable (a caller's own table): rich lays it out, at the same width
                if texts:
                    lines.extend(_lines(" ".join(texts)))
                    texts = []
                self._rich(obj)
        if texts:
            lines.extend(_lines(" ".join(texts)))
        if lines:
            self._write("\n".join(line.rstrip() for line in lines) + end)

    def _write(self, text: str) -> None:
        try:
            self.file.write(text)
            self.file.flush()
        except BrokenPipeError:  # the reader went away (| head): stop quietly, as rich's console does
            import os
            import sys

            try:
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            except (OSError, ValueError, AttributeError):
                pass
            raise SystemExit(1) from None

    def _rich(self, obj) -> None:
        from rich.console import Console as RichConsole

        RichConsole(file=self.file, highlight=False, width=self.width).print(obj)


def kit(console):
    """The ``(Table, Text)`` classes that go with ``console``: plain ones for :class:`Console`, else rich's."""
    if isinstance(console, Console):
        return Table, Text
    from rich.table import Table as RichTable
    from rich.text import Text as RichText

    return RichTable, RichText

"""The sheet-extent scanner's tag patterns with a possessive prefix match what the backtracking
ones matched (issue 11: the prefix was retried at every '<'), on random XML-like bytes."""

from __future__ import annotations

import random
import re

import pytest

from zjtx_cli.inputs import sheet_xml, sheetcheck

# the patterns as they were (backtracking prefix)
OLD = {
    "_SHEET_TAG": rb"<(?:[A-Za-z_][\w.-]*:)?(c|row|dimension)(?=[\s/>])([^>]*)>",
    "_C_REF": rb"""<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?(?<=\s)r\s*=\s*["']\$?([A-Z]{1,3})\$?([0-9]{1,7})["']""",
    "_ROW_REF": rb"""<(?:[A-Za-z_][\w.-]*:)?row\s[^>]*?(?<=\s)r\s*=\s*["']([0-9]{1,7})["']""",
    "_ANY_TAG": rb"<(?:[A-Za-z_][\w.-]*:)?(c|row)[\s/>]",
    "_DIM": rb"<(?:[A-Za-z_][\w.-]*:)?dimension\b",
}
PIECES = [b"<", b">", b"/", b":", b"c", b"row", b"dimension", b"x", b"a.b", b"_", b"-", b" ", b"\t", b"\n", b"r=",
          b'"', b"'", b"A1", b"$B$2", b"10", b"<c r=\"A1\">", b"<x:c ", b"<row r=\"3\">", b"<v>1</v>", b"</c>",
          b"<dimension ref=\"A1:C3\"/>", b"<ns-1.q:row ", b"<f>", b"<x:f/>", b"\xe4\xb8\xad", b"="]


def random_xml(rng: random.Random) -> bytes:
    return b"".join(rng.choice(PIECES) for _ in range(rng.randint(0, 60)))


@pytest.mark.parametrize("seed", range(40))
def test_possessive_prefix_matches_the_same(seed):
    rng = random.Random(seed)
    old = {name: re.compile(p) for name, p in OLD.items()}
    old_formula = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
    for _ in range(200):
        data = random_xml(rng)
        for name, rx in old.items():
            new = getattr(sheetcheck, name)
            assert [m.span() + m.groups() for m in new.finditer(data)] == \
                [m.span() + m.groups() for m in rx.finditer(data)], (name, data)
        assert [m.span() for m in sheet_xml.SheetXml._HAS_FORMULA.finditer(data)] == \
            [m.span() for m in old_formula.finditer(data)]


def test_fast_scan_dimension_prefilter():
    data = b'<worksheet><dimension ref="A1:B2"/><sheetData><row r="1"><c r="A1"/><c r="B2"/></row></sheetData>'
    assert sheetcheck._fast_scan(data, len(data)) == (2, 1, 2, 2, (2, 2))
    two = data.replace(b"<sheetData>", b'<x:dimension ref="A1"/><sheetData>')
    assert sheetcheck._fast_scan(two, len(two)) is None  # a second <dimension>: the tag-by-tag scan decides
    none = data.replace(b'<dimension ref="A1:B2"/>', b"")
    assert sheetcheck._fast_scan(none, len(none)) == (2, 1, 2, 2, None)

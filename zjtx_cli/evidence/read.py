"""Evidence read from an applicant's file (issue 13): the functions the readers call.

* :func:`evidence_from_json`: a JSON file's top-level ``"evidence"`` object.
* :func:`evidence_from_rows`: a label/value sheet (xlsx applicant file, ``zjtx template``) with a
  column headed 证明材料 / Evidence (:data:`EVIDENCE_HEADS`) beside the values; the row's label
  names the field (and the year, if the label has one: ``2024年营业收入``).

Each returns / sets ``{(field, year | None): text}`` (see ``parse.py``); problems are
:class:`~zjtx_cli.inputs.model.Problem` lines naming the file, the key and the reason.
"""

from __future__ import annotations

from zjtx_cli.evidence import parse

# headings of a label/value sheet's evidence column (first word, normalised as the reader does)
EVIDENCE_HEADS = frozenset({"证明材料", "evidence", "佐证材料"})


def evidence_from_json(data, path, fields) -> parse.Evidence:
    """The evidence named by a parsed JSON file (``data``, its top-level object)."""
    if not isinstance(data, dict):
        return parse.Evidence()
    return parse.from_json(data.get("evidence"), fields, source=str(path))


def _head(v) -> str | None:
    from zjtx_cli.inputs.reader import _head_word

    return _head_word(v)


def evidence_from_rows(rows, path, fields) -> parse.Evidence:
    """The evidence column of a label/value sheet: rows under a header row with a 证明材料 /
    Evidence column give, for the field their label names, the text in that column."""
    from zjtx_cli.inputs.reader import _lookup_label

    ev = parse.Evidence()
    col = None
    for r, row in enumerate(rows, start=1):
        cells = list(row)
        heads = [i for i, v in enumerate(cells) if _head(v) in EVIDENCE_HEADS]
        if heads:
            col = heads[0]
            continue
        if col is None or col >= len(cells):
            continue
        li = next((i for i, v in enumerate(cells) if v not in (None, "")), None)
        if li is None or li >= col or not isinstance(cells[li], str):
            continue
        key, year, _unit = _lookup_label(fields, cells[li])
        if key is None and li + 1 < col and isinstance(cells[li + 1], str):  # the key column
            key, year, _unit = _lookup_label(fields, cells[li + 1])
        if key is None:
            continue
        try:
            text = parse.clean_text(cells[col])
        except TypeError:
            continue
        if text is not None:
            parse._put(ev, str(path), cells[li], (key, year), text, "error", row=r)
    return ev

"""Evidence named in the input, parsed into one normalised mapping; ``--evidence`` options; merging.

Three forms (issue 13), each turned into ``{(field_key, year | None): text}``:
JSON files and label/value sheets, roster columns (both parsed where the file is
read: :mod:`zjtx_cli.inputs.evidence_cells`, whose names are re-exported here), and
``--evidence KEY=TEXT`` (``KEY`` as in JSON; :func:`from_cli`).

``--evidence KEY=`` (nothing after ``=``) maps to ``None``, which says "no evidence"
and overrides what the file named (a what-if; ``KEY=`` without a year clears the
field's yearly entries too, see :func:`merge`). :func:`evidence_for` reads the mapping:
the year's own entry if there is one, else the field's all-years entry.
``--evidence`` problems are errors (as ``--set``'s are). Nothing here reads a file,
prints, or touches the engine.
"""

from __future__ import annotations

from zjtx_cli.inputs.evidence_cells import (
    MAX_CHARS,
    Evidence,
    clean_text,
    from_json,
    from_roster_row,
    header_target,
    parse_key,
    roster_columns,
    shown,
    unknown_problem,
    year_problem,
)
from zjtx_cli.inputs.model import Problem

__all__ = ["MAX_CHARS", "Evidence", "clean_text", "evidence_for", "from_cli", "from_json", "from_roster_row",
           "header_target", "merge", "parse_key", "roster_columns"]


# ------------------------------------------------------------------------------------- CLI
def from_cli(items, fields) -> Evidence:
    """``--evidence KEY=TEXT`` options; ``KEY=`` says "no evidence" (maps to None)."""
    ev = Evidence()
    for s in items or ():
        if "=" not in s:
            ev.problems.append(Problem("--evidence", shown(s), "expected KEY=TEXT or KEY.YEAR=TEXT",
                                       reason_zh="应写作 KEY=TEXT 或 KEY.YEAR=TEXT"))
            continue
        left, raw = s.split("=", 1)
        key, year = parse_key(left, fields)
        if key is None:
            ev.problems.append(unknown_problem("--evidence", left, fields, "error", what="option"))
            continue
        p = year_problem("--evidence", left, key, year, fields, "error")
        if p:
            ev.problems.append(p)
            continue
        ev.items[(key, year)] = clean_text(raw)  # the last one given wins, as with --set
    return ev


# ---------------------------------------------------------------------------------- reading
def merge(*mappings: dict) -> dict:
    """Later mappings override earlier ones (file, then roster, then ``--evidence``).

    A field-wide "no evidence" (``(key, None): None``, from ``--evidence KEY=``)
    also drops that field's per-year entries from the earlier mappings.
    """
    out: dict = {}
    for m in mappings:
        for (key, year), text in m.items():
            if year is None and text is None:
                for k in [k for k in out if k[0] == key]:
                    del out[k]
            out[(key, year)] = text
    return out


def evidence_for(items: dict, key: str, year: int | None = None) -> str | None:
    """The evidence named for a field (and year): the year's own entry, else the field's all-years one.

    ``None`` means none was named, or ``KEY=`` said there is none.
    """
    if year is not None and (key, year) in items:
        return items[(key, year)]
    return items.get((key, None))

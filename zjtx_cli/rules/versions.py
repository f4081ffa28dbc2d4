"""Programmes with dated versions: ``--scheme miit`` means the version in force on ``--as-of``.

A ruleset joins a programme with its metadata ``programme: miit`` and
``effective_from`` / ``effective_to`` (ISO dates, both inclusive). A version
without ``effective_from`` is the oldest: it applies to any date before the
next version starts. Each version stays addressable by its own id
(``miit-2020``, ``miit-2022``, ``miit-2026``).

Only rulesets whose file name starts with ``<programme>-`` are read, so an
ordinary scheme id costs one directory listing. User rulesets (``--rules-dir``,
``ZJTX_RULES_PATH``) take part too: a user ``miit-2027.yaml`` with ``programme: miit``
is a new version of the national standard.
"""

from __future__ import annotations

import datetime as _dt


def versions(programme: str) -> list[dict]:
    """[{id, effective_from, effective_to, document_number, title}] of a programme, oldest first."""
    from zjtx_cli.rules.registry import get_ruleset, ruleset_paths

    out = []
    for sid in ruleset_paths():
        if not sid.startswith(programme + "-"):
            continue
        d = get_ruleset(sid).data
        if d.get("programme") != programme:
            continue
        out.append({"id": sid, "effective_from": d.get("effective_from"), "effective_to": d.get("effective_to"),
                    "document_number": d.get("document_number"), "title": d["title"]})
    out.sort(key=lambda v: v["effective_from"] or "")
    return out


def programmes() -> list[str]:
    """Programme ids (e.g. ``miit``) named by the rulesets' metadata."""
    from zjtx_cli.rules.registry import get_ruleset, ruleset_paths

    out = set()
    for sid in ruleset_paths():
        if "-" in sid:
            p = get_ruleset(sid).data.get("programme")
            if p:
                out.add(p)
    return sorted(out)


def _date(s):
    return _dt.date.fromisoformat(str(s)) if s else None


def resolve(scheme: str, as_of: _dt.date | None = None) -> str:
    """The version id of ``scheme`` in force on ``as_of``; any other id is returned unchanged."""
    from zjtx_cli.rules.registry import ruleset_paths

    if scheme in ruleset_paths():
        return scheme
    vs = versions(scheme)
    if not vs:
        return scheme
    when = as_of or _dt.date.today()
    chosen = None
    for v in vs:
        start, end = _date(v["effective_from"]), _date(v["effective_to"])
        if (start is None or start <= when) and (end is None or when <= end):
            chosen = v  # the latest version whose period holds the date wins
    if chosen is None:
        # before the first dated version: the oldest; in a gap or after the last: the latest begun
        begun = [v for v in vs if _date(v["effective_from"]) is None or _date(v["effective_from"]) <= when]
        chosen = begun[-1] if begun else vs[0]
    return chosen["id"]


def in_force(ruleset_data: dict, as_of: _dt.date) -> bool:
    """Whether a versioned ruleset's own period holds ``as_of`` (unversioned: always)."""
    start, end = _date(ruleset_data.get("effective_from")), _date(ruleset_data.get("effective_to"))
    return (start is None or start <= as_of) and (end is None or as_of <= end)

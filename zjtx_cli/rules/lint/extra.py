"""What the loader does not check itself: the user-ruleset header (id = file name, ``replaces``,
``fields:``), a ``next`` naming a tier of another scheme, and tier checks naming another scheme."""

from __future__ import annotations

import os
import re

from zjtx_cli.rules.lint.lines import Problem, rule_lists, tier_of


def header_problems(path, data, lines):
    """Id = file name, ``replaces`` and the ``fields:`` section (user rulesets; checked here for any file)."""
    from zjtx_cli.inputs.fields import builtin_field_keys, validate_field_entries
    from zjtx_cli.rules import registry

    out = []
    bad = registry.control_char(data)
    if bad:
        out.append(Problem(path, 1, "-", f"{bad[0]}: a text holds the control character {bad[1]}"))
    stem = os.path.basename(path)
    stem = stem[:-5] if stem.endswith(".yaml") else stem
    sid = data.get("id")
    if isinstance(sid, str) and sid != stem:
        out.append(Problem(path, lines.of(data, "id"), "-", f"id {sid!r} must equal the file name ({sid}.yaml)"))
    builtin = registry.builtin_paths()
    here = os.path.realpath(os.path.dirname(os.path.abspath(path)))
    is_builtin_file = any(os.path.realpath(d) == here for d in registry.RULESET_DIRS)
    rep = data.get("replaces")
    if not is_builtin_file and isinstance(sid, str):
        if sid in builtin and rep != sid:
            out.append(Problem(path, lines.of(data, "id"), "-",
                               f"id {sid!r} is a built-in scheme; write 'replaces: {sid}' to replace it, "
                               f"or choose another id"))
        elif rep is not None and rep != sid:
            out.append(Problem(path, lines.of(data, "replaces"), "-",
                               f"'replaces: {rep}' must name this ruleset's own id ({sid})"))
        elif rep is not None and sid not in builtin:
            out.append(Problem(path, lines.of(data, "replaces"), "-", f"'replaces: {rep}' names no built-in scheme"))
    items = data.get("fields")
    if items is not None:
        try:
            validate_field_entries(items, path)
        except ValueError as exc:
            m = re.search(r"field #(\d+)", str(exc))
            line = lines.of(items[int(m.group(1)) - 1]) if m and isinstance(items, list) else lines.of(data, "fields")
            out.append(Problem(path, line, "-", str(exc).split(": ", 1)[-1]))
        else:
            known = builtin_field_keys()
            for f in items:
                if f["key"] in known:
                    out.append(Problem(path, lines.of(f, "key"), "-",
                                       f"field {f['key']!r} clashes with a built-in field of the same key"))
    return out


def cross_scheme_tier_checks(path, data, lines):
    """``{tier: scheme:tier}`` loads but is never met: a tier check reads this assessment's own tiers."""
    out = []

    def walk(node, rid):
        if isinstance(node, dict):
            if isinstance(node.get("tier"), str) and ":" in node["tier"]:
                out.append(Problem(path, lines.of(node, "tier"), rid,
                                   f"tier check {node['tier']!r} names another scheme: only this scheme's own tiers "
                                   f"are assessed with it, so the condition would stay unknown (缺数据); write the "
                                   f"conditions here, or make that tier the 'next' one"))
            for v in node.values():
                walk(v, rid)
        elif isinstance(node, list):
            for v in node:
                walk(v, rid)

    for lst, _t in rule_lists(data):
        for c in lst:
            if isinstance(c, dict):
                walk(c.get("check"), str(c.get("id")))
    return out


def next_problems(path, data, lines):
    """``next: scheme:tier`` must name a scheme and a tier of it (the loader checks only tiers of this file)."""
    import datetime as dt


    out = []
    for t in data.get("tiers") or []:
        if not isinstance(t, dict) or not isinstance(t.get("next"), str) or ":" not in t["next"]:
            continue
        scheme, tid = t["next"].split(":", 1)
        try:
            from zjtx_cli.rules.loader import get_ruleset, resolve

            real = resolve(scheme, dt.date.today())
            if scheme == data.get("id"):
                found = tier_of(data, tid) is not None or any(
                    isinstance(tr, dict) and tr.get("id") == tid
                    for x in data.get("tiers") or [] if isinstance(x, dict) for tr in x.get("tracks") or [])
            else:
                rs = get_ruleset(real)
                if rs is None:
                    out.append(Problem(path, lines.of(t, "next"), str(t.get("id")),
                                       f"'next' names unknown scheme {scheme!r}"))
                    continue
                found = rs.find(tid)[0] is not None
        except Exception as exc:  # the other scheme is broken: say so here too
            out.append(Problem(path, lines.of(t, "next"), str(t.get("id")), f"'next' cannot be resolved: {exc}"))
            continue
        if not found:
            out.append(Problem(path, lines.of(t, "next"), str(t.get("id")),
                               f"'next' names no tier {tid!r} of scheme {scheme!r}"))
    return out

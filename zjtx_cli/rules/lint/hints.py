"""The nearest known key, check kind or indicator for a misspelt one, and the line of the key a
loader message is about."""

from __future__ import annotations

import ast
import difflib
import re

from zjtx_cli.rules.lint.lines import Problem

QUOTED_NAME = re.compile(r"'([A-Za-z_][A-Za-z0-9_]*)'")


def keys_of_check_types() -> dict[str, frozenset[str]]:
    """Each check type's own keys, from its kind (engine/kinds): the one place that defines them."""
    from zjtx_cli.engine.kinds.base import kind, type_names

    return {t: kind(t).keys | {"label"} for t in type_names()}


def known_keys():
    from zjtx_cli.rules import loader

    per_type = keys_of_check_types()
    check_keys = set().union(*per_type.values())
    return {"meta": loader._META_KEYS, "tier": loader._TIER_KEYS, "track": loader._TRACK_KEYS,
            "rule": loader._COND_KEYS, "check": check_keys, "kinds": set(per_type)}


def nearest(word, choices):
    m = difflib.get_close_matches(str(word), sorted(choices), n=1, cutoff=0.6)
    return m[0] if m else None


def unknown_keys(msg):
    m = re.search(r"unknown key\(s\) (\[.*?\])", msg)
    if not m:
        return []
    try:
        return [str(k) for k in ast.literal_eval(m.group(1))]
    except (ValueError, SyntaxError):
        return []


def keys_for(obj, msg, kind):
    """Known keys for a suggestion, by what the message says the mapping is."""
    known = known_keys()
    m = re.search(r"in a '(\w+)' check", msg)
    per_type = keys_of_check_types()
    if m and m.group(1) in per_type:
        return per_type[m.group(1)]
    return known[kind]


def suggest_keys(lines, file, rid, obj, msg, kind):
    """One problem per unknown key, on its line, with the nearest known key."""
    out = []
    keys = keys_for(obj, msg, kind)
    for k in unknown_keys(msg):
        near = nearest(k, keys)
        text = f"unknown key {k!r}" + (f" (did you mean {near!r}?)" if near else "")
        out.append(Problem(file, lines.of(obj, k), rid, text))
    return out


def refine(lines, obj, msg):
    """The line of the key a message is about, within a mapping."""
    if isinstance(obj, dict):
        if "'else' must come last" in msg:
            return lines.of(obj)
        for k in ("op", "value", "metric", "flag", "choice", "date_within", "years", "in", "tier", "year",
                  "equals", "kind", "citation", "text", "check", "next", "level", "label"):
            if f"'{k}'" in msg and k in obj:
                return lines.of(obj, k)
        if "threshold" in msg and "value" in obj:
            return lines.of(obj, "value")
        for kind in ("metric", "flag", "choice", "date_within"):
            if kind in obj and ("indicator" in msg or "field" in msg):
                return lines.of(obj, kind)
        for q in QUOTED_NAME.findall(msg):
            if q in obj:
                return lines.of(obj, q)
    return lines.of(obj)


def choice_hint(msg, word, choices):
    near = nearest(word, choices) if isinstance(word, str) else None
    return msg + (f" (did you mean {near!r}?)" if near else "")


def indicator_hint(msg, node=None):
    from zjtx_cli.inputs.fields import field_dictionary
    from zjtx_cli.rules.loader import KINDS

    if "'kind' must be one of" in msg and isinstance(node, dict):
        return choice_hint(msg, node.get("kind"), KINDS)
    m = re.search(r"'([^']+)' is not a (yes/no|choice|date) field", msg)
    if m:
        want = {"yes/no": "bool", "choice": "choice", "date": "date"}[m.group(2)]
        return choice_hint(msg, m.group(1), [f.key for f in field_dictionary() if f.type == want])
    m = re.search(r"'([^']+)' is not a choice of '([^']+)'", msg)
    if m and m.group(2) in field_dictionary():
        return choice_hint(msg, m.group(1), list(field_dictionary()[m.group(2)].choices))
    m = re.search(r"unknown indicator '([^']+)'", msg)
    if not m:
        return msg
    from zjtx_cli.engine.metrics import METRICS
    from zjtx_cli.inputs.fields import field_dictionary

    near = nearest(m.group(1), [f.key for f in field_dictionary()] + list(METRICS))
    return msg + (f" (did you mean {near!r}?)" if near else "")


def check_kind_hint(check, msg):
    """'a check needs exactly one of …': name the misspelt kind and the nearest one."""
    if "a check needs exactly one of" not in msg or not isinstance(check, dict):
        return None
    kinds = known_keys()["kinds"]
    others = known_keys()["check"]
    for k in check:
        if k not in kinds and k not in others:
            near = nearest(k, kinds)
            return k, f"unknown check {k!r}" + (f" (did you mean {near!r}?)" if near else "")
    return None

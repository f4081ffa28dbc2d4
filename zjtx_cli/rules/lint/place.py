"""One loader message placed: on the line of the rule, tier or key it is about, with a hint
where one helps, and that part set aside so that compiling again finds the next problem."""

from __future__ import annotations

import re

from zjtx_cli.rules.lint.hints import (
    QUOTED_NAME,
    check_kind_hint,
    choice_hint,
    indicator_hint,
    refine,
    suggest_keys,
    unknown_keys,
)
from zjtx_cli.rules.lint.lines import Problem, find_rule, follow, tier_of

_SUB = r"(?P<sub>(?:\.(?:any|all|cases)\[\d+\]|\.when|\.then|\.else|\.if_missing)*)"


_RULE = re.compile(r"^tier (?P<tier>.+?)(?: \(common\)| track (?P<track>\S+))?: rule (?P<rule>[^\s.:]+)"
                   + _SUB + r": (?P<msg>.*)$", re.S)


_COND_N = re.compile(r"^tier (?P<tier>.+?)(?: \(common\)| track (?P<track>\S+))?: condition #(?P<n>\d+): "
                     r"(?P<msg>.*)$", re.S)


_TRACK = re.compile(r"^tier (?P<tier>\S+): track (?P<track>\S+): (?P<msg>.*)$", re.S)


_TIER = re.compile(r"^tier (?P<tier>\S+): (?P<msg>.*)$", re.S)


_TIER_N = re.compile(r"^tier #(?P<n>\d+): (?P<msg>.*)$", re.S)


def place(path, data, lines, msg):
    """Problems for one loader message, and whether compiling again can find more (the part is set aside)."""
    body = msg[len(path) + 2:] if msg.startswith(path + ": ") else msg
    m = _RULE.match(body)
    if m:
        rid = m.group("rule")
        lst, rule = find_rule(data, rid, last=m.group("msg") == "duplicate rule id")
        if rule is None:
            return [Problem(path, 1, rid, m.group("msg"))], False
        text = m.group("msg")
        sub = m.group("sub") or ""
        if isinstance(rule.get("check"), dict) and (sub or is_check_msg(text)):
            node = follow(rule["check"], sub)
        else:
            node = rule
        probs = []
        if "unknown key(s)" in text:
            probs = suggest_keys(lines, path, rid, node, text, "check" if node is not rule else "rule")
        else:
            hint = check_kind_hint(node, text)
            if hint:
                probs = [Problem(path, lines.of(node, hint[0]), rid, hint[1])]
            else:
                probs = [Problem(path, refine(lines, node, text), rid, indicator_hint(text, node))]
        lst.remove(rule)
        return probs, True
    m = _COND_N.match(body)
    if m:
        t = tier_of(data, m.group("tier"))
        lst = None
        if t is not None:
            if m.group("track"):
                for tr in t.get("tracks") or []:
                    if isinstance(tr, dict) and str(tr.get("id")) == m.group("track"):
                        lst = tr.get("conditions")
            else:
                lst = t.get("common") if "(common)" in body.split(":")[0] else t.get("conditions")
        n = int(m.group("n")) - 1
        if isinstance(lst, list) and 0 <= n < len(lst):
            item = lst[n]
            line = lines.of(item)
            lst.pop(n)
            return [Problem(path, line, f"#{n + 1}", m.group("msg"))], True
        return [Problem(path, 1, "-", body)], False
    m = _TRACK.match(body)
    if m and not body.startswith("tier #"):
        t = tier_of(data, m.group("tier"))
        for tr in (t or {}).get("tracks") or []:
            if isinstance(tr, dict) and str(tr.get("id")) == m.group("track"):
                if "unknown key(s)" in m.group("msg"):
                    probs = suggest_keys(lines, path, m.group("track"), tr, m.group("msg"), "track")
                    for k in unknown_keys(m.group("msg")):
                        tr.pop(k, None)  # the track's conditions are still checked
                    return probs, True
                probs = [Problem(path, refine(lines, tr, m.group("msg")), m.group("track"), m.group("msg"))]
                t["tracks"].remove(tr)
                return probs, True
    m = _TIER.match(body)
    if m and not body.startswith("tier #"):
        tid, text = m.group("tier"), m.group("msg")
        t = tier_of(data, tid)
        if t is None:
            return [Problem(path, 1, tid, text)], False
        if "'next' names unknown tier" in text:
            line = lines.of(t, "next")
            t.pop("next", None)
            return [Problem(path, line, tid, text)], True
        if "unknown key(s)" in text:
            probs = suggest_keys(lines, path, tid, t, text, "tier")
            for k in unknown_keys(text):
                t.pop(k, None)  # the tier's conditions are still checked
            return probs, True
        if "'level' must be one of" in text:
            from zjtx_cli.rules.loader import LEVELS

            probs = [Problem(path, lines.of(t, "level"), tid, choice_hint(text, t.get("level"), LEVELS))]
            t["level"] = LEVELS[0]  # a stand-in, so that the tier's conditions are still checked
            return probs, True
        probs = [Problem(path, refine(lines, t, text), tid, text)]
        data["tiers"].remove(t)
        return probs, True
    m = _TIER_N.match(body)
    if m:
        n = int(m.group("n")) - 1
        tiers = data.get("tiers") or []
        if 0 <= n < len(tiers):
            item = tiers[n]
            line = lines.of(item)
            tiers.pop(n)
            return [Problem(path, line, f"tier #{n + 1}", m.group("msg"))], True
    # the file itself
    if "unknown key(s)" in body:
        probs = suggest_keys(lines, path, "-", data, body, "meta")
        for k in unknown_keys(body):
            data.pop(k, None)
        return probs, True
    q = QUOTED_NAME.findall(body)
    line = lines.of(data, q[0]) if q and q[0] in data else 1
    return [Problem(path, line, "-", body)], False


def is_check_msg(text):
    if "unknown key(s)" in text:
        return "check" in text
    return any(s in text for s in ("'op'", "threshold", "indicator", "check", "field", "'in'", "'years'",
                                   "'tier'", "'equals'", "'year'", "sme", "choice"))

"""``zjtx rules check FILE|DIR…``: every problem of a ruleset file, one line each.

    FILE:LINE: RULE-ID: problem

The rules are the loader's own (:func:`loader.compile_ruleset`): a file is compiled,
the :class:`RulesetError` is placed on its line by a line-aware YAML compose pass, the
offending rule (or tier, or key) is set aside and the file compiled again, until the
loader has nothing more to say. What the loader does not do is added here as small
checks: the nearest known key or indicator for a misspelt one, a ``next`` naming a
tier of another scheme that does not exist, and the user-ruleset header (id = file
name, ``replaces``, ``fields:``). RULE-ID is the rule's id, else the tier's, else
``-`` for the file itself.
"""

from __future__ import annotations

import ast
import difflib
import os
import re
import sys

_SUB = r"(?P<sub>(?:\.(?:any|all|cases)\[\d+\]|\.when|\.then|\.else|\.if_missing)*)"
_RULE = re.compile(r"^tier (?P<tier>.+?)(?: \(common\)| track (?P<track>\S+))?: rule (?P<rule>[^\s.:]+)"
                   + _SUB + r": (?P<msg>.*)$", re.S)
_COND_N = re.compile(r"^tier (?P<tier>.+?)(?: \(common\)| track (?P<track>\S+))?: condition #(?P<n>\d+): "
                     r"(?P<msg>.*)$", re.S)
_TRACK = re.compile(r"^tier (?P<tier>\S+): track (?P<track>\S+): (?P<msg>.*)$", re.S)
_TIER = re.compile(r"^tier (?P<tier>\S+): (?P<msg>.*)$", re.S)
_TIER_N = re.compile(r"^tier #(?P<n>\d+): (?P<msg>.*)$", re.S)
_QUOTED = re.compile(r"'([A-Za-z_][A-Za-z0-9_]*)'")


class Problem:
    def __init__(self, file, line, rule, text):
        self.file, self.line, self.rule, self.text = file, line, rule, text

    def __str__(self):
        return f"{self.file}:{self.line}: {self.rule}: {self.text}"


# ----------------------------------------------------------------------- line map
class Lines:
    """Lines of the mappings and keys of a parsed YAML document (by object identity)."""

    def __init__(self, text):
        import yaml

        self.node: dict[int, int] = {}  # id(dict or list) -> line
        self.key: dict[tuple[int, str], int] = {}  # (id(dict), key) -> line of the key
        self._keep = []
        try:
            self.root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError:
            self.root = None

    def bind(self, data):
        if self.root is not None:
            self._walk(data, self.root)

    def _walk(self, data, node):
        import yaml

        if isinstance(data, dict) and isinstance(node, yaml.MappingNode):
            self._keep.append(data)
            self.node[id(data)] = node.start_mark.line + 1
            for kn, vn in node.value:
                k = kn.value
                if k in data:
                    self.key[(id(data), k)] = kn.start_mark.line + 1
                    self._walk(data[k], vn)
        elif isinstance(data, list) and isinstance(node, yaml.SequenceNode):
            self._keep.append(data)
            self.node[id(data)] = node.start_mark.line + 1
            for d, vn in zip(data, node.value):
                self._walk(d, vn)

    def of(self, obj, key=None):
        if key is not None and (id(obj), key) in self.key:
            return self.key[(id(obj), key)]
        return self.node.get(id(obj), 1)


# ------------------------------------------------------------------------ finding
def _tier(data, tid):
    for t in data.get("tiers") or []:
        if isinstance(t, dict) and str(t.get("id")) == tid:
            return t
    return None


def _rule_lists(data):
    """(list, owner tier) of every conditions list."""
    for t in data.get("tiers") or []:
        if not isinstance(t, dict):
            continue
        for k in ("common", "conditions"):
            if isinstance(t.get(k), list):
                yield t[k], t
        for tr in t.get("tracks") or []:
            if isinstance(tr, dict) and isinstance(tr.get("conditions"), list):
                yield tr["conditions"], t


def _find_rule(data, rid, last=False):
    found: tuple[list | None, dict | None] = (None, None)
    for lst, _t in _rule_lists(data):
        for c in lst:
            if isinstance(c, dict) and c.get("id") == rid:
                if not last:
                    return lst, c
                found = (lst, c)
    return found


def _duplicate_ids(path, data, lines):
    """Every repeated rule id, at each repeat (compiling again after setting a rule aside could hide one)."""
    seen, out = set(), []
    for lst, _t in _rule_lists(data):
        for c in lst:
            if isinstance(c, dict) and isinstance(c.get("id"), str):
                if c["id"] in seen:
                    out.append(Problem(path, lines.of(c), c["id"], "duplicate rule id"))
                seen.add(c["id"])
    return out


def _follow(check, sub):
    """The check node a loader path like ``.any[1].cases[0].then`` points to."""
    node = check
    for tok in re.findall(r"\.(any|all|cases)\[(\d+)\]|\.(when|then|else|if_missing)", sub):
        try:
            if tok[0]:
                node = node[tok[0]][int(tok[1])]
            else:
                node = node[tok[2]]
        except (KeyError, IndexError, TypeError):
            break
    return node


def _check_keys() -> dict[str, frozenset[str]]:
    """Each check type's own keys, from its kind (engine/kinds): the one place that defines them."""
    from zjtx_cli.engine.kinds.base import kind, type_names

    return {t: kind(t).keys | {"label"} for t in type_names()}


def _known_keys():
    from zjtx_cli.rules import loader

    per_type = _check_keys()
    check_keys = set().union(*per_type.values())
    return {"meta": loader._META_KEYS, "tier": loader._TIER_KEYS, "track": loader._TRACK_KEYS,
            "rule": loader._COND_KEYS, "check": check_keys, "kinds": set(per_type)}


def _nearest(word, choices):
    m = difflib.get_close_matches(str(word), sorted(choices), n=1, cutoff=0.6)
    return m[0] if m else None


def _unknown_keys(msg):
    m = re.search(r"unknown key\(s\) (\[.*?\])", msg)
    if not m:
        return []
    try:
        return [str(k) for k in ast.literal_eval(m.group(1))]
    except (ValueError, SyntaxError):
        return []


def _keys_for(obj, msg, kind):
    """Known keys for a suggestion, by what the message says the mapping is."""
    known = _known_keys()
    m = re.search(r"in a '(\w+)' check", msg)
    per_type = _check_keys()
    if m and m.group(1) in per_type:
        return per_type[m.group(1)]
    return known[kind]


def _suggest_keys(lines, file, rid, obj, msg, kind):
    """One problem per unknown key, on its line, with the nearest known key."""
    out = []
    keys = _keys_for(obj, msg, kind)
    for k in _unknown_keys(msg):
        near = _nearest(k, keys)
        text = f"unknown key {k!r}" + (f" (did you mean {near!r}?)" if near else "")
        out.append(Problem(file, lines.of(obj, k), rid, text))
    return out


def _refine(lines, obj, msg):
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
        for q in _QUOTED.findall(msg):
            if q in obj:
                return lines.of(obj, q)
    return lines.of(obj)


def _choice_hint(msg, word, choices):
    near = _nearest(word, choices) if isinstance(word, str) else None
    return msg + (f" (did you mean {near!r}?)" if near else "")


def _indicator_hint(msg, node=None):
    from zjtx_cli.inputs.fields import field_dictionary
    from zjtx_cli.rules.loader import KINDS

    if "'kind' must be one of" in msg and isinstance(node, dict):
        return _choice_hint(msg, node.get("kind"), KINDS)
    m = re.search(r"'([^']+)' is not a (yes/no|choice|date) field", msg)
    if m:
        want = {"yes/no": "bool", "choice": "choice", "date": "date"}[m.group(2)]
        return _choice_hint(msg, m.group(1), [f.key for f in field_dictionary() if f.type == want])
    m = re.search(r"'([^']+)' is not a choice of '([^']+)'", msg)
    if m and m.group(2) in field_dictionary():
        return _choice_hint(msg, m.group(1), list(field_dictionary()[m.group(2)].choices))
    m = re.search(r"unknown indicator '([^']+)'", msg)
    if not m:
        return msg
    from zjtx_cli.engine.metrics import METRICS
    from zjtx_cli.inputs.fields import field_dictionary

    near = _nearest(m.group(1), [f.key for f in field_dictionary()] + list(METRICS))
    return msg + (f" (did you mean {near!r}?)" if near else "")


def _check_kind_hint(check, msg):
    """'a check needs exactly one of …': name the misspelt kind and the nearest one."""
    if "a check needs exactly one of" not in msg or not isinstance(check, dict):
        return None
    kinds = _known_keys()["kinds"]
    others = _known_keys()["check"]
    for k in check:
        if k not in kinds and k not in others:
            near = _nearest(k, kinds)
            return k, f"unknown check {k!r}" + (f" (did you mean {near!r}?)" if near else "")
    return None


# -------------------------------------------------------------------------- check
def check_file(path: str) -> list[Problem]:
    from zjtx_cli.inputs.fields import extra_fields
    from zjtx_cli.rules.loader import RulesetError, compile_ruleset
    from zjtx_cli.rules.yamlcache import YamlError, parse_yaml

    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        return [Problem(path, 0, "-", f"cannot read: {getattr(exc, 'strerror', None) or exc}")]
    try:
        data = parse_yaml(text, path)
    except YamlError as exc:
        m = re.search(r"line (\d+)", str(exc))
        text = re.sub(r"^line \d+:\s*", "", str(exc)[len(path) + 1:].strip(" :"))
        return [Problem(path, int(m.group(1)) if m else 1, "-", text)]
    lines = Lines(text)
    lines.bind(data)
    problems: list[Problem] = []
    if not isinstance(data, dict):
        return [Problem(path, 1, "-", "a ruleset is a mapping (id, title, issuer, source, tiers)")]
    problems += _header_problems(path, data, lines)
    problems += _duplicate_ids(path, data, lines)
    own_fields = data.get("fields") if isinstance(data.get("fields"), list) else []
    try:
        from zjtx_cli.inputs.fields import validate_field_entries

        validate_field_entries(own_fields, path)
    except ValueError:
        own_fields = []  # reported by the header check
    work = data  # parts are set aside from this object; lines are looked up by identity
    seen = set()
    with extra_fields(own_fields):
        for _ in range(500):
            try:
                compile_ruleset(work, path)
                break
            except RulesetError as exc:
                msg = str(exc)
                if msg in seen:
                    break
                seen.add(msg)
                new, go_on = _place(path, work, lines, msg)
                problems += new
                if not go_on:
                    break
            except Exception as exc:  # a malformed part the loader did not expect: report, stop
                problems.append(Problem(path, 1, "-", f"cannot be compiled: {type(exc).__name__}: {exc}"))
                break
        problems += _next_problems(path, data, lines)
        problems += _cross_scheme_tier_checks(path, data, lines)
    out, keys = [], set()
    for p in problems:
        k = (p.line, p.rule, p.text)
        if k not in keys:
            keys.add(k)
            out.append(p)
    out.sort(key=lambda p: p.line)
    return out


def _place(path, data, lines, msg):
    """Problems for one loader message, and whether compiling again can find more (the part is set aside)."""
    body = msg[len(path) + 2:] if msg.startswith(path + ": ") else msg
    m = _RULE.match(body)
    if m:
        rid = m.group("rule")
        lst, rule = _find_rule(data, rid, last=m.group("msg") == "duplicate rule id")
        if rule is None:
            return [Problem(path, 1, rid, m.group("msg"))], False
        text = m.group("msg")
        sub = m.group("sub") or ""
        if isinstance(rule.get("check"), dict) and (sub or _is_check_msg(text)):
            node = _follow(rule["check"], sub)
        else:
            node = rule
        probs = []
        if "unknown key(s)" in text:
            probs = _suggest_keys(lines, path, rid, node, text, "check" if node is not rule else "rule")
        else:
            hint = _check_kind_hint(node, text)
            if hint:
                probs = [Problem(path, lines.of(node, hint[0]), rid, hint[1])]
            else:
                probs = [Problem(path, _refine(lines, node, text), rid, _indicator_hint(text, node))]
        lst.remove(rule)
        return probs, True
    m = _COND_N.match(body)
    if m:
        t = _tier(data, m.group("tier"))
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
        t = _tier(data, m.group("tier"))
        for tr in (t or {}).get("tracks") or []:
            if isinstance(tr, dict) and str(tr.get("id")) == m.group("track"):
                if "unknown key(s)" in m.group("msg"):
                    probs = _suggest_keys(lines, path, m.group("track"), tr, m.group("msg"), "track")
                    for k in _unknown_keys(m.group("msg")):
                        tr.pop(k, None)  # the track's conditions are still checked
                    return probs, True
                probs = [Problem(path, _refine(lines, tr, m.group("msg")), m.group("track"), m.group("msg"))]
                t["tracks"].remove(tr)
                return probs, True
    m = _TIER.match(body)
    if m and not body.startswith("tier #"):
        tid, text = m.group("tier"), m.group("msg")
        t = _tier(data, tid)
        if t is None:
            return [Problem(path, 1, tid, text)], False
        if "'next' names unknown tier" in text:
            line = lines.of(t, "next")
            t.pop("next", None)
            return [Problem(path, line, tid, text)], True
        if "unknown key(s)" in text:
            probs = _suggest_keys(lines, path, tid, t, text, "tier")
            for k in _unknown_keys(text):
                t.pop(k, None)  # the tier's conditions are still checked
            return probs, True
        if "'level' must be one of" in text:
            from zjtx_cli.rules.loader import LEVELS

            probs = [Problem(path, lines.of(t, "level"), tid, _choice_hint(text, t.get("level"), LEVELS))]
            t["level"] = LEVELS[0]  # a stand-in, so that the tier's conditions are still checked
            return probs, True
        probs = [Problem(path, _refine(lines, t, text), tid, text)]
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
        probs = _suggest_keys(lines, path, "-", data, body, "meta")
        for k in _unknown_keys(body):
            data.pop(k, None)
        return probs, True
    q = _QUOTED.findall(body)
    line = lines.of(data, q[0]) if q and q[0] in data else 1
    return [Problem(path, line, "-", body)], False


def _is_check_msg(text):
    if "unknown key(s)" in text:
        return "check" in text
    return any(s in text for s in ("'op'", "threshold", "indicator", "check", "field", "'in'", "'years'",
                                   "'tier'", "'equals'", "'year'", "sme", "choice"))


def _header_problems(path, data, lines):
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


def _cross_scheme_tier_checks(path, data, lines):
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

    for lst, _t in _rule_lists(data):
        for c in lst:
            if isinstance(c, dict):
                walk(c.get("check"), str(c.get("id")))
    return out


def _next_problems(path, data, lines):
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
                found = _tier(data, tid) is not None or any(
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


# ---------------------------------------------------------------------- command
def check_tests_file(path: str) -> list[Problem]:
    """A NAME.tests.yaml file's structure (what `zjtx rules test` would refuse), on the case's line."""
    from zjtx_cli.rules.casetests import TestsFileError, load_tests

    try:
        load_tests(path)
    except TestsFileError as exc:
        msg = str(exc)
        body = msg[len(path) + 2:] if msg.startswith(path + ": ") else msg
        line = 1
        m = re.search(r"line (\d+)", body)
        if m:
            line = int(m.group(1))
            body = re.sub(r"^line \d+:\s*", "", body)
        m = re.match(r"case #(\d+): (.*)$", body, re.S)
        if m:
            try:
                from zjtx_cli.rules.yamlcache import parse_yaml

                with open(path, encoding="utf-8") as fh:
                    text = fh.read()
                data = parse_yaml(text, path)
                lines = Lines(text)
                lines.bind(data)
                line = lines.of(data["cases"][int(m.group(1)) - 1])
            except Exception:  # the message is still worth its line 1
                pass
            return [Problem(path, line, f"case #{m.group(1)}", m.group(2))]
        return [Problem(path, line, "-", body)]
    return []


def ruleset_files(targets) -> tuple[list[str], list[str]]:
    """Ruleset and tests files named or found in the folders named, and targets not found."""
    from zjtx_cli.rules.registry import TESTS_SUFFIX, is_ruleset_name

    files, missing = [], []
    for t in targets:
        t = os.fspath(t)
        if os.path.isdir(t):
            files += [os.path.join(t, n) for n in sorted(os.listdir(t))
                      if is_ruleset_name(n) or n.endswith(TESTS_SUFFIX)]
        elif os.path.isfile(t):
            files.append(t)
        else:
            missing.append(t)
    return files, missing


def run_check(targets) -> int:
    """Print every problem; 2 if there is any (or a target is missing), else 0."""
    return _run(targets)


def _safe(s: str) -> str:
    return "".join(ch if ch.isprintable() or ch == "\t" else repr(ch)[1:-1] for ch in str(s))


def _run(targets) -> int:
    files, missing = ruleset_files(targets)
    for t in missing:
        sys.stderr.write(f"zjtx: error: {_safe(t)}: no such file or folder\n")
    if missing:
        return 2
    from zjtx_cli.rules import registry

    # rulesets checked together may name each other (next: other:tier): their folders join this run's
    saved = list(registry._CLI_DIRS)
    builtin = {os.path.realpath(d) for d in registry.RULESET_DIRS}
    extra = []
    for f in files:
        d = os.path.dirname(os.path.abspath(f))
        if os.path.realpath(d) not in builtin and d not in saved and d not in extra:
            extra.append(d)
    n = 0
    try:
        registry.set_cli_dirs(saved + extra)
        for f in files:
            from zjtx_cli.rules.registry import TESTS_SUFFIX

            for p in (check_tests_file(f) if f.endswith(TESTS_SUFFIX) else check_file(f)):
                sys.stdout.write(_safe(str(p)) + "\n")
                n += 1
    finally:
        registry.set_cli_dirs(saved)
    sys.stderr.write(f"zjtx: {len(files)} file(s) checked, {n} problem(s)\n")
    return 2 if n else 0

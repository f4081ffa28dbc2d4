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

``lines`` places problems in the file, ``place`` turns one loader message into problems,
``hints`` finds the nearest known key or indicator, ``extra`` adds the checks the loader lacks.
"""

from __future__ import annotations

import os
import re
import sys

from zjtx_cli.rules.lint.extra import cross_scheme_tier_checks, header_problems, next_problems
from zjtx_cli.rules.lint.lines import Lines, Problem, duplicate_ids
from zjtx_cli.rules.lint.place import place

__all__ = ["Problem", "check_file", "check_tests_file", "ruleset_files", "run_check"]


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
    problems += header_problems(path, data, lines)
    problems += duplicate_ids(path, data, lines)
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
                new, go_on = place(path, work, lines, msg)
                problems += new
                if not go_on:
                    break
            except Exception as exc:  # a malformed part the loader did not expect: report, stop
                problems.append(Problem(path, 1, "-", f"cannot be compiled: {type(exc).__name__}: {exc}"))
                break
        problems += next_problems(path, data, lines)
        problems += cross_scheme_tier_checks(path, data, lines)
    out, keys = [], set()
    for p in problems:
        k = (p.line, p.rule, p.text)
        if k not in keys:
            keys.add(k)
            out.append(p)
    out.sort(key=lambda p: p.line)
    return out


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

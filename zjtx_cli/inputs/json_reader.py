"""Read one enterprise from a ``.json`` file.

An object keyed by field key (a Chinese or English label is accepted too);
per-year fields are objects keyed by year, ``{"2024": 1800, "2025": 2000}``
(or one key per year: ``"2024年营业收入": 1800``). Keys starting with ``_``
are comments; ``"evidence"`` names what the figures rest on (issue 13).
"""

from __future__ import annotations

import json
import re

from zjtx_cli.inputs.collector import Collector
from zjtx_cli.inputs.labels import lookup_label, year_of
from zjtx_cli.inputs.model import Enterprise, InputError, Problem
from zjtx_cli.inputs.problems import oserror_problem, unsafe_problem
from zjtx_cli.inputs.text import is_blank

_SINGLE_ZH = "应为单个值"


class _DuplicateKey(Exception):
    pass


_SURROGATE_ESCAPE = re.compile(rb"\\[uU][dD][89a-fA-F]")


def raw_text_has_surrogate(raw) -> bool:
    """Can the JSON text hold a lone surrogate? Only through a \\uD800-\\uDFFF escape."""
    return raw is not None and _SURROGATE_ESCAPE.search(raw) is not None


def _fix_surrogates(obj):
    """``obj`` with every string's lone surrogates replaced; (new obj, number of strings changed)."""
    from zjtx_cli.inputs.text import fix_surrogates

    n = 0

    def walk(x, depth=0):
        nonlocal n
        if isinstance(x, str):
            y = fix_surrogates(x)
            if y is not x:
                n += 1
            return y
        if depth > 200:
            return x
        if isinstance(x, dict):
            return {walk(k, depth + 1): walk(v, depth + 1) for k, v in x.items()}
        if isinstance(x, list):
            return [walk(v, depth + 1) for v in x]
        return x

    return walk(obj), n


def _no_duplicates(pairs):
    d: dict = {}
    for k, v in pairs:
        if k in d and d[k] != v:
            raise _DuplicateKey(k)
        d[k] = v
    return d


def read_json(path, fields, data=None, checks: bool | None = None, raw: bytes | None = None) -> Enterprise:
    """A JSON file (or already-parsed ``data``) to an enterprise.

    The data checks run by default when a file is read, not when ``data`` is
    given (tests build enterprises that way); ``checks`` overrides. ``raw``: the
    file's bytes when the caller has read them already.
    """
    if checks is None:
        checks = data is None
    path = str(path)
    col = Collector(path, fields)
    if data is not None:
        raw = b"\\ud800"  # given data: walk it
    else:
        from zjtx_cli.inputs.limits import UnsafeInput
        from zjtx_cli.inputs.sniff import check_json_file

        try:
            check_json_file(path, None if raw is None else len(raw))
            if raw is None:
                with open(path, "rb") as fh:
                    raw = fh.read()
        except UnsafeInput as exc:
            raise InputError([unsafe_problem(path, exc)]) from None
        except OSError as exc:
            raise InputError([oserror_problem(path, exc)]) from None
        try:
            data = json.loads(raw.decode("utf-8-sig"), object_pairs_hook=_no_duplicates)
        except UnicodeDecodeError:
            raise InputError([Problem(path, None, "not UTF-8 text (save the file as UTF-8)",
                                      reason_zh="不是 UTF-8 编码的文本（请另存为 UTF-8 编码）")]) from None
        except json.JSONDecodeError as exc:
            raise InputError([Problem(path, None, f"not valid JSON: {exc.msg} at line {exc.lineno} "
                                                  f"column {exc.colno}",
                                      reason_zh=f"不是有效的 JSON（第{exc.lineno}行第{exc.colno}列）")]) from None
        except _DuplicateKey as exc:
            raise InputError([Problem(path, str(exc.args[0]), "key given twice with different values",
                                      reason_zh="同一个键填写了两次且数值不同")]) from None
        except RecursionError:
            raise InputError([Problem(path, None, "not valid JSON: nested too deeply",
                                      reason_zh="不是有效的 JSON：嵌套层数过多")]) from None
        except ValueError as exc:  # e.g. an integer literal with thousands of digits
            raise InputError([Problem(path, None, f"not valid JSON: {str(exc)[:80]}",
                                      reason_zh=f"不是有效的 JSON：{str(exc)[:80]}")]) from None
    if raw_text_has_surrogate(raw):
        data, n = _fix_surrogates(data)
        if n:
            col.warnings.append(Problem(path, None, f"{n} text value(s) held an invalid character (a lone UTF-16 "
                                                    "surrogate), replaced by U+FFFD", severity="warning",
                                        reason_zh=f"有 {n} 处文字含无效字符（单独的 UTF-16 代理项），已替换为 U+FFFD"))
    if not isinstance(data, dict):
        raise InputError([Problem(path, None, "expected a JSON object of field: value pairs",
                                  reason_zh="应为由“字段: 值”组成的 JSON 对象")])
    for label, raw in data.items():
        label = str(label)
        if label.startswith("_") or label in ("$schema", "format", "notes", "comment", "evidence"):
            continue
        key, lyear, label_unit = lookup_label(fields, label)
        if key is None:
            col.unknown(label)
            continue
        f = fields[key]
        if lyear is not None:
            if isinstance(raw, (dict, list)):
                col.error(label, "expected a single value", json.dumps(raw, ensure_ascii=False)[:40], lyear,
                          zh=_SINGLE_ZH)
            else:
                col.put(key, raw, lyear, label_unit, label)
            continue
        if f.per_year:
            if not isinstance(raw, dict):
                if is_blank(raw):
                    continue
                col.error(label, 'a per-year figure is an object keyed by year, e.g. {"2024": 1800}',
                          json.dumps(raw, ensure_ascii=False)[:40] if isinstance(raw, list) else raw,
                          zh='按年度填报的指标应写成以年度为键的对象，如 {"2024": 1800}')
                continue
            for ys, v in raw.items():
                y = year_of(ys)
                if y is None:
                    col.error(label, "not a year", ys, zh="不是年度")
                    continue
                if isinstance(v, (dict, list)):
                    col.error(label, "expected a single value", json.dumps(v, ensure_ascii=False)[:40], y,
                              zh=_SINGLE_ZH)
                    continue
                col.put(key, v, y, label_unit, label)
        else:
            if isinstance(raw, (dict, list)):
                col.error(label, "expected a single value", json.dumps(raw, ensure_ascii=False)[:40],
                          zh=_SINGLE_ZH)
                continue
            col.put(key, raw, None, label_unit, label)
    e = col.result(checks)
    if isinstance(data, dict) and data.get("evidence") is not None:  # what each figure rests on (issue 13)
        from zjtx_cli.inputs.evidence_cells import evidence_from_json

        ev = evidence_from_json(data, path, fields)
        e.evidence = dict(ev.items)
        e.warnings.extend(ev.problems)
    return e


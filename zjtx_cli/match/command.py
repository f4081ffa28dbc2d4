"""`zjtx match` without the CLI framework: options in, text or JSON out, exit status back."""

from __future__ import annotations

import sys


def run_match_command(file, fmt="table", lang="zh", as_of=None, region=None, year=None, sets=()) -> int:
    from zjtx_cli.match.matcher import run_match
    from zjtx_cli.match.render import clean, render
    from zjtx_cli.match.service import AssessFailed
    from zjtx_cli.options import check_format, check_lang, parse_as_of
    from zjtx_cli.terminal import emit_json, fail, warn

    check_lang(lang)
    check_format(fmt, lang=lang)
    as_of_date = parse_as_of(as_of, lang)
    try:
        doc, warnings = run_match(file, lang=lang, as_of=as_of_date, region=region, sets=sets, year=year)
    except AssessFailed as exc:
        fail([clean(x) for x in exc.lines], 2)
    for w in warnings:
        warn(clean(w))
    if fmt == "json":
        emit_json(doc)
    else:
        sys.stdout.write(render(doc, lang))
    return doc["exit_status"]

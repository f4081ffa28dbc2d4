"""``zjtx assess`` without the CLI framework.

``cli/app.py`` declares the commands for typer (help, option parsing); ``run_assess`` does the
work, so that the common scripted call ``zjtx assess FILE --scheme X`` can also be served by
``fastpath.py`` without importing typer (≈ 40 ms of start-up). The assessment itself is
:func:`zjtx_cli.assessment.assess_file`; this module prints it. Usage errors raise
:class:`SystemExit` after one line per problem on stderr (``zjtx_cli/terminal.py``).
"""

from __future__ import annotations

from zjtx_cli.terminal import VERDICT_EXIT, console, emit_json, fail_with, guarded, warn

__all__ = ["run_assess", "guarded"]


def run_assess(file, scheme, tier=None, fmt="table", lang="zh", year=None, as_of=None, sets=(),
               review=False, evidence=(), checklist=False) -> int:
    """``zjtx assess``: print the assessment; return the exit status."""
    from zjtx_cli.assessment import AssessFailed, assess_file
    from zjtx_cli.options import check_format, check_lang, parse_as_of

    check_lang(lang)
    check_format(fmt, lang=lang)
    as_of_date = parse_as_of(as_of, lang)
    try:
        done = assess_file(file, scheme, tier=tier, lang=lang, year=year, as_of=as_of_date, sets=sets, review=review,
                           evidence=evidence)
    except AssessFailed as exc:
        fail_with(exc)
    for w in done.warnings:
        warn(w)
    result, fields = done.result, done.fields
    if fmt == "json":
        emit_json(done.document(checklist=checklist))
        return VERDICT_EXIT[result.verdict]
    from zjtx_cli.outputs import report as report

    con = console()
    if result.scope == "ladder":
        report.render_ladder(con, result.ladder, fields, lang)
    elif result.scope == "tier":
        for a in result.tracks:
            report.render_rich(con, a, fields, lang)
            con.print()
    else:
        report.render_rich(con, result.track, fields, lang)
        nxt = result.next
        if nxt is not None:
            Text = report.kit(con)[1]

            con.print()
            con.print(Text(("下一层级：" if lang == "zh" else "Next tier: ") +
                           f"{nxt.ruleset.data['title'][lang]} — {nxt.track['name'][lang]}", style="bold"))
            report.render_verdict(con, nxt, lang)
            report.render_gaps(con, nxt, fields, lang)
    if checklist:
        from zjtx_cli.evidence.checklist import render_checklist

        render_checklist(con, result, fields, lang)
    return VERDICT_EXIT[result.verdict]



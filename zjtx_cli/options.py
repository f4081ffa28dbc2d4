"""Checks of the options every command shares (``--lang``, ``--format``, ``--as-of``): a bad
value is a usage error, one line on stderr and exit status 2 (:func:`terminal.fail`)."""

from __future__ import annotations

from zjtx_cli.terminal import CommandError, fail, fail_with, msg


def check_lang(lang):
    if lang not in ("zh", "en"):
        # the language asked for is not known: say it both ways
        fail([f"--lang 只能是 zh 或 en，不能是 {lang!r}（--lang must be zh or en, not {lang!r}）"])


def check_format(fmt, allowed=("table", "json"), lang="zh"):
    if fmt not in allowed:
        fail([msg(lang, f"--format 只能是 {'、'.join(allowed)} 之一，不能是 {fmt!r}",
                  f"--format must be one of {', '.join(allowed)}, not {fmt!r}")])


def as_of_date(as_of, lang="zh"):
    """The ``--as-of`` date (today when not given; a date is taken as it is); a text that is not a
    date raises :class:`CommandError`."""
    import datetime as dt

    if as_of is None:
        return dt.date.today()
    if isinstance(as_of, dt.date):
        return as_of
    try:
        return dt.date.fromisoformat(as_of)
    except ValueError:
        raise CommandError([msg(lang, f"--as-of：{as_of!r} 不是日期（应为 YYYY-MM-DD）",
                                f"--as-of: {as_of!r} is not a date (YYYY-MM-DD)")]) from None


def parse_as_of(as_of, lang="zh"):
    """The ``--as-of`` date (today when not given); not a date: a usage error."""
    try:
        return as_of_date(as_of, lang)
    except CommandError as exc:
        fail_with(exc)


def check_evidence_option(value, lang="zh") -> bool:
    """``--evidence`` of ``batch`` and ``report``: ``required`` (officer mode, issue 13) or nothing;
    anything else is a usage error (a company's evidence is named in its own file)."""
    if value is None:
        return False
    if value == "required":
        return True
    from zjtx_cli.inputs.text import inert

    fail([msg(lang, f"--evidence 只能是 required（官员模式），不能是 {inert(value, 80)!r}；"
                    "企业的证明材料写在各自的文件里"
                    "（JSON 的 evidence、xlsx 的证明材料列、名单的“<字段>证明材料”列）",
              f"--evidence can only be 'required' (officer mode), not {inert(value, 80)!r}; a company's evidence "
              "is named in its own file (JSON 'evidence', the xlsx 证明材料 column, "
              "a roster's <field>证明材料 column)")])

"""Assess one applicant file as ``zjtx assess`` does, without a terminal.

:func:`assess_file` reads the file (with ``--set`` and ``--evidence``), chooses the ruleset,
runs the assessment service (``engine/service.py``) and returns a :class:`FileAssessment`: the
typed result, the warnings ``assess`` prints, its exit status and its JSON document. A problem
that stops it raises :class:`AssessFailed` (the lines ``assess`` prints as errors, the exit
status, the warnings found before). ``zjtx assess`` prints what it returns
(``cli/commands.run_assess``); ``zjtx match``, ``zjtx report`` and ``zjtx rules test`` use it
directly.
"""

from __future__ import annotations

from zjtx_cli.terminal import VERDICT_EXIT, CommandError, msg

EVIDENCE_MODES = ("required",)


class AssessFailed(CommandError):
    """The assessment could not be made: ``lines`` are the one-line messages, ``code`` the exit status."""


class FileAssessment:
    """``result`` (``engine.results.Assessment``), the ``ruleset`` and ``fields`` it was made with,
    ``code`` the exit status ``assess`` gives and ``warnings`` the lines it prints as warnings."""

    __slots__ = ("result", "ruleset", "fields", "lang", "code", "warnings")

    def __init__(self, result, ruleset, fields, lang, code, warnings):
        self.result, self.ruleset, self.fields, self.lang = result, ruleset, fields, lang
        self.code, self.warnings = code, list(warnings)

    def document(self, checklist=False) -> dict:
        """The ``assess --format json`` document."""
        from zjtx_cli.outputs.report import document, ruleset_meta

        return document(self.result, self.fields, self.lang, {"scheme_info": ruleset_meta(self.ruleset)},
                        checklist=checklist)

    def json_document(self, checklist=False) -> dict:
        """The document as a reader of ``assess --format json`` gets it (plain JSON values only)."""
        import json

        return json.loads(json.dumps(self.document(checklist), ensure_ascii=False, default=str))


def split_evidence(options) -> tuple[bool, list[str]]:
    """``--evidence`` values: the mode word ``required`` (officer mode), else ``KEY=TEXT`` items."""
    opts = list(options or ())
    return any(o == "required" for o in opts), [o for o in opts if o != "required"]


def load_enterprise(file, fields, lang="zh", warnings=None):
    """The applicant file read (its own warnings appended to ``warnings``); unreadable: :class:`AssessFailed`."""
    from zjtx_cli.inputs.model import InputError
    from zjtx_cli.inputs.reader import read_enterprise

    warnings = warnings if warnings is not None else []
    try:
        e = read_enterprise(file, fields)
    except InputError as exc:
        for w in getattr(exc, "warnings", ()):  # found alongside the errors (issue 4)
            warnings.append(w.line(lang))
        raise AssessFailed([p.line(lang) for p in exc.problems]) from None
    for w in e.warnings:  # the file's evidence problems are among them (inputs/reader.py)
        warnings.append(w.line(lang))
    return e


def apply_sets(e, sets, fields, lang="zh"):
    """--set KEY=VALUE and KEY.YEAR=VALUE overrides (what-if); a bad one raises :class:`AssessFailed`."""
    from zjtx_cli.inputs.collector import parse_value
    from zjtx_cli.inputs.labels import year_of as _year_of
    from zjtx_cli.inputs.values import BadValue

    problems = []
    for s in sets:
        if "=" not in s:
            problems.append(msg(lang, f"--set {s!r}：应写作 KEY=VALUE 或 KEY.YEAR=VALUE",
                                f"--set {s!r}: expected KEY=VALUE or KEY.YEAR=VALUE"))
            continue
        left, raw = s.split("=", 1)
        year = None
        key = fields.lookup(left.strip())
        if key is None and "." in left:
            name, ys = left.rsplit(".", 1)
            key, year = fields.lookup(name.strip()), _year_of(ys)
        if key is None:
            hint = fields.suggest(left.split(".")[0])
            problems.append(msg(lang, f"--set {left!r}：未知字段" + (f"（是否为“{hint}”？）" if hint else ""),
                                f"--set {left!r}: unknown field" + (f" (did you mean {hint}?)" if hint else "")))
            continue
        f = fields[key]
        if f.per_year and year is None:
            problems.append(msg(lang, f"--set {left!r}：{key} 按年度填报，请写作 {key}.YEAR=VALUE",
                                f"--set {left!r}: {key} is given per year: write {key}.YEAR=VALUE"))
            continue
        if not f.per_year and year is not None:
            problems.append(msg(lang, f"--set {left!r}：{key} 不按年度填报",
                                f"--set {left!r}: {key} is not given per year"))
            continue
        try:
            v = parse_value(f, raw.strip())
        except BadValue as exc:
            problems.append(f"--set {left}={raw!r}: {msg(lang, exc.zh, str(exc))}")
            continue
        old = e.get(key, year)
        if f.per_year:
            e.values.setdefault(key, {})[year] = v
        else:
            e.values[key] = v
        e.overrides.append(f"{key}{'.' + str(year) if year else ''}: {old if old is not None else '—'} → {v}")
    if problems:
        raise AssessFailed(problems)
    # what-if values get the same data checks as the file's own figures
    from zjtx_cli.inputs.checks import check_enterprise

    bad, _doubtful = check_enterprise(e, fields)
    if bad:
        raise AssessFailed([msg(lang, "--set 之后：", "after --set: ") + p.line(lang) for p in bad])
    return e


def apply_evidence(e, file, items, fields, lang="zh"):
    """``--evidence KEY=TEXT`` over the evidence the file names (read by :func:`load_enterprise`);
    a bad ``--evidence`` raises :class:`AssessFailed` (a usage error, as ``--set``'s are)."""
    from zjtx_cli.evidence import parse

    if items:
        ev = parse.from_cli(items, fields)
        if ev.problems:
            raise AssessFailed([p.line(lang) for p in ev.problems])
        e.evidence = parse.merge(e.evidence, ev.items)


def assess_file(file, scheme, tier=None, lang="zh", year=None, as_of=None, sets=(), review=False,
                evidence=()) -> FileAssessment:
    """``zjtx assess FILE --scheme S …`` in-process: the result, its warnings and exit status.

    ``as_of`` a date, ``"YYYY-MM-DD"`` or None (today); ``evidence`` the ``--evidence`` values.
    Raises :class:`AssessFailed` where ``assess`` would stop with an error."""
    warnings: list[str] = []
    try:
        return _assess_file(file, scheme, tier, lang, year, as_of, sets, review, evidence, warnings)
    except CommandError as exc:
        raise AssessFailed(exc.lines, exc.code, warnings) from None


def _assess_file(file, scheme, tier, lang, year, as_of, sets, review, evidence, warnings) -> FileAssessment:
    from zjtx_cli.options import as_of_date as parse_date

    evidence_required, evidence_items = split_evidence(evidence)
    as_of_date = parse_date(as_of, lang)
    from zjtx_cli.rules.schemes import choose_ruleset

    # the ruleset first: it also brings in the user rules folders' own fields
    rs, found = choose_ruleset(scheme, as_of_date, lang)
    warnings.extend(found)
    from zjtx_cli.rules.versions import review_layer  # a dated re-review layer (issue 12)

    layer, layer_msg = review_layer(scheme, rs.id, as_of_date, tier, review, lang)
    if layer_msg:
        warnings.append(layer_msg)
    if layer:
        rs, found = choose_ruleset(layer, as_of_date, lang)
        warnings.extend(found)
    from zjtx_cli.engine.service import make_ctx
    from zjtx_cli.inputs.fields import field_dictionary

    fields = field_dictionary()
    e = load_enterprise(file, fields, lang, warnings)
    if sets:
        apply_sets(e, sets, fields, lang)
    apply_evidence(e, file, evidence_items, fields, lang)
    ctx = make_ctx(e, fields, year=year, as_of=as_of_date, review=review, evidence_required=evidence_required)
    from zjtx_cli.engine.scheme_checks import scheme_warnings  # years missing from a series a condition needs (issue 4)

    for w in scheme_warnings(e, rs, ctx, tier=tier):
        warnings.append(w.line(lang))
    from zjtx_cli.rules.schemes import expired_note

    note = expired_note(rs, as_of_date, lang)
    if note:
        warnings.append(note)
    if year is None and e.latest_year() is None:
        warnings.append(msg(lang, f"{file}: 没有任何年度数据；评价年度按 {ctx.year} 年计",
                            f"{file}: no yearly figures; assessment year taken as {ctx.year}"))
    elif year is None and ctx.year >= as_of_date.year:
        warnings.append(msg(lang, f"{file}: 最新数据是 {ctx.year} 年的，并不早于评价日期 {as_of_date.isoformat()}"
                                  f"（上年度应为 {as_of_date.year - 1} 年）；已按 {ctx.year} 年评价，可用 --year 指定",
                            f"{file}: the latest figures are for {ctx.year}, not before the assessment date "
                            f"{as_of_date.isoformat()} (上年度 would be {as_of_date.year - 1}); "
                            f"assessed on {ctx.year}, give --year to choose"))
    from zjtx_cli.engine.service import UnknownTier, assess
    from zjtx_cli.rules.schemes import unknown_tier

    try:
        result = assess(e, rs, ctx=ctx, tier=tier)
    except UnknownTier as exc:
        raise AssessFailed([unknown_tier(exc.tier, exc.scheme, exc.known, lang)]) from None
    return FileAssessment(result=result, ruleset=rs, fields=fields, lang=lang, code=VERDICT_EXIT[result.verdict],
                          warnings=warnings)

"""``zjtx batch``: score a folder of applicant files, or a roster, in one run.

PATH is
  * a folder: every file in it (``--recursive``: in its sub-folders too), in
    sorted path order, each sniffed by content (xlsx/xlsm, xls/et, xlsb, ods,
    json); anything else is listed as not a spreadsheet. Hidden entries
    (``.name``), Excel lock files (``~$name``) and sub-folders without
    ``--recursive`` are named in a warning; nothing is skipped silently;
  * a text file: a CSV roster (UTF-8/UTF-16/GBK, comma/tab/semicolon; every
    physical row is scored or reported, see :func:`_csv_records`);
  * a workbook: a roster if a roster header is found in its first rows
    (>= 3 known field columns, one of them the company name; see
    :mod:`zjtx_cli.inputs.roster`), else a single applicant workbook;
  * a JSON file: a single applicant.

``--out`` is checked before any work (:func:`check_out`): never an input, never
inside the input folder, writable.

The ruleset is loaded once per run. Each company is assessed exactly as
``zjtx assess`` would (same engine, same JSON document: a single track when the
scheme has one or ``--tier`` names a track; the tier's tracks when ``--tier``
names a tier with several; otherwise the whole ladder). In the summary and the
exports, the counts and gaps of a ladder are those of the tier the company is
working towards (the closest track of the next tier), or of its highest tier
when it has reached the top.

A file or row that cannot be read never stops the batch: it is reported on
stderr (file, row, field, reason) and in the export, and the exit status is 2;
0 when every input was read (4 with ``--evidence required`` when some company is
conditional). Evidence columns, ``--match`` and ``--report-dir``: :mod:`zjtx_cli.batch.extras`.

Speed: xlsx is read with python-calamine only (openpyxl is imported only to
write an ``--out .xlsx``); label lookups are memoised across files; a process
pool is used when there are enough inputs to pay for it (``--jobs 0``).

The work is in modules of their own: :mod:`zjtx_cli.batch.scoring` (the columns and the
scorer), :mod:`zjtx_cli.batch.paths` (folder entries, ``--out`` checks),
:mod:`zjtx_cli.batch.csvrows` (CSV rosters), :mod:`zjtx_cli.batch.workers` (files and row
chunks, the pool), :mod:`zjtx_cli.batch.summary` (terminal output).
"""

from __future__ import annotations

import itertools
import os
import sys
from typing import Any

from zjtx_cli.batch.csvrows import _csv_records
from zjtx_cli.batch.paths import _sheet_rows, check_out, check_out_links, list_entries
from zjtx_cli.batch.scoring import MemoFields, Scorer, _pjson
from zjtx_cli.batch.summary import Progress, Summary
from zjtx_cli.batch.workers import (
    WORKER_STATE,
    _chunks,
    _pooled,
    _score_file,
    _score_files,
    _score_rows,
    columnar_enabled,
)
from zjtx_cli.batch.xlsxrows import open_stream
from zjtx_cli.inputs.model import InputError, Problem
from zjtx_cli.inputs.text import inert

__all__ = ["MemoFields", "Scorer", "Summary", "Progress", "run_batch", "check_out", "check_out_links",
           "list_entries", "columnar_enabled", "_pooled"]

# Below these a pool's start-up and pickling cost more than they save. Measured on a
# 2-core machine (benchmarks/README.md): 50 files 0.33 s -> 0.30 s, 200 files 0.74 -> 0.57 s,
# a 2,000-row jinhu roster 3.1 -> 2.1 s with two workers.
POOL_MIN_FILES = 100
POOL_MIN_ROWS = 1000
ROW_CHUNK = 250
ROW_CHUNK_COLUMNAR = 1000  # one columnar evaluation per chunk: fewer, larger chunks (measured 250 -> 1000: -5% CPU)
FILE_CHUNK = 32

MAX_STDERR_LINES = 200
PROGRESS_MIN_FILES = 200
PROGRESS_MIN_ROWS = 5000


# --------------------------------------------------------------------------- run
def run_batch(path, scheme, tier=None, out=None, jobs=0, recursive=False, fmt="table", lang="zh", year=None,
              as_of=None, evidence=None, match=False, report_dir=None, report_format=None, force=False) -> int:
    from zjtx_cli.inputs.fields import field_dictionary
    from zjtx_cli.inputs.safety import OutputError
    from zjtx_cli.rules.schemes import expired_warning, resolve_scheme, unknown_tier
    from zjtx_cli.terminal import fail, msg, warn

    path = os.fspath(path)
    if jobs < 0:
        fail([msg(lang, f"--jobs 应为 0（自动）或正整数，不能是 {jobs}",
                  f"--jobs must be 0 (automatic) or more, not {jobs}")])
    if not os.path.lexists(path):
        fail([msg(lang, f"{inert(path)}: 文件或文件夹不存在", f"{inert(path)}: no such file or folder")])
    from zjtx_cli.batch.extras import Extras  # issues 13 and 14
    from zjtx_cli.options import check_evidence_option

    evidence_required = check_evidence_option(evidence, lang)
    ext = Extras(scheme, tier, year, as_of, lang, match=match, report_dir=report_dir, report_format=report_format,
                 force=force, evidence_required=evidence_required)
    ext.check_options()
    if out is not None:  # before any work: never an input, and writable
        out = os.fspath(out)
        check_out(out, path, recursive, lang)
    import datetime as dt

    as_of = as_of or dt.date.today()
    rs = resolve_scheme(scheme, as_of, lang)
    fields = MemoFields(field_dictionary())
    want_json = out is not None and out.lower().endswith(".jsonl")
    try:
        scorer = Scorer(rs, fields, tier, year, as_of, lang, want_json, evidence_required)
    except KeyError:
        ids = [tr["id"] for _t, tr in rs.tracks()] + [x["id"] for x in rs.tiers if len(x["tracks"]) > 1]
        fail([unknown_tier(tier, rs.id, ids, lang)])
    WORKER_STATE.update(fields=fields, scorer=scorer)
    to_xlsx = out is not None and out.lower().endswith(".xlsx")
    scorer.show_evidence = evidence_required or to_xlsx  # the workbook always has the 待补证 column
    scorer.evidence_docs = to_xlsx  # only its sheet lists the documents
    scorer.gaps_sheet = to_xlsx  # and only it lists every gap: otherwise only the largest gap's text is built
    ext.set_evidence(scorer.show_evidence)
    scorer.cols.append_extra(ext.headers, ext.widths)

    # ---- what to read
    roster = None
    files = None
    rows_iter = None
    total = None
    pre_problems: list[Problem] = []   # reported; an error among them is one unreadable input
    pre_unreadable = 0
    single = None
    header = hr = None
    roster_args = None
    if os.path.isdir(path):
        files, dir_problems, notes = list_entries(path, recursive)
        pre_problems.extend(notes)
        pre_problems.extend(dir_problems)
        pre_unreadable += len(dir_problems)
        if not files and not dir_problems:
            for p in notes:
                warn(p.line(lang))
            fail([msg(lang, f"{inert(path)}: 文件夹中没有文件" + ("" if recursive else "（子文件夹请加 --recursive）"),
                      f"{inert(path)}: no files in the folder" +
                      ("" if recursive else " (use --recursive for sub-folders)"))])
        protect = files
        total = len(files)
    else:
        protect = [path]
        from zjtx_cli.inputs.problems import not_a_spreadsheet, oserror_problem, unsafe_problem
        from zjtx_cli.inputs.safety import UnsafeInput, sniff

        try:
            kind = sniff(path)
        except UnsafeInput as exc:
            fail([unsafe_problem(path, exc).line(lang)])
        except OSError as exc:
            fail([oserror_problem(path, exc).line(lang)])
        if kind == "json":
            files = [path]
        elif kind in ("text", "xlsx", "xlsb", "ods", "ole"):
            from zjtx_cli.inputs.roster import Roster, find_header

            sheet_index = 0
            try:
                if kind == "text":
                    recs, enc, delim, dec_warning = _csv_records(path)
                    if dec_warning is not None:
                        pre_problems.append(dec_warning)
                    streamed = not isinstance(recs, list)  # a large roster: read as the batch goes
                    head = list(itertools.islice(recs, 50)) if streamed else recs[:50]
                    head_rows = [cells if cells is not None else [] for _r, cells, _p in head]
                    hr_i, header, _consumed = find_header(iter(head_rows), fields)
                    if hr_i is None:
                        dname = {",": "逗号", "\t": "制表符", ";": "分号"}[delim]
                        dname_en = {",": "comma", "\t": "tab", ";": "semicolon"}[delim]
                        fail([msg(lang, f"{inert(path)}: 前几行中没有表头行（按 {enc} 编码、{dname}分隔读取；"
                                        "企业名单需要一行表头，写明企业名称和至少另外两个已知字段）",
                                  f"{inert(path)}: no header row naming the company name and at least two more known "
                                  f"fields in the first rows (read as {enc}, {dname_en}-separated; a roster needs "
                                  "one)")])
                    hr = head[hr_i - 1][0]
                    for _r, _cells, prob in head[:hr_i - 1]:
                        if prob is not None:  # a broken row above the header: accounted for too
                            pre_problems.append(prob)
                            pre_unreadable += 1
                    body = itertools.chain(head[hr_i:], recs) if streamed else recs[hr_i:]
                    rows_iter = ((r, cells if prob is None else prob) for r, cells, prob in body)
                    total = None if streamed else len(body)  # type: ignore[arg-type]
                elif kind == "xlsx" and (streamed_xlsx := open_stream(path, fields)) is not None:
                    # a roster too large for the whole-sheet path: read row by row (batch/xlsxrows.py)
                    hr, header, rows_iter, warnings, sheet_index = streamed_xlsx
                    pre_problems.extend(warnings)
                else:
                    sheet, warnings = _sheet_rows(path, kind)
                    pre_problems.extend(warnings)
                    sheet_index = sheet.index
                    hr, header, _consumed = find_header(iter(sheet.rows), fields)
                    if hr is not None:
                        rows_iter = ((r, cells) for r, cells in enumerate(sheet.rows[hr:], start=hr + 1))
                        total = len(sheet.rows) - hr
            except InputError as exc:
                fail([p.line(lang) for p in exc.problems])
            if hr is None:
                # a single applicant workbook: read it as 'assess' does (formula and percent cells)
                from zjtx_cli.inputs.reader import read_enterprise

                try:
                    single = read_enterprise(path, fields)
                except InputError as exc:
                    pre_problems.extend(getattr(exc, "warnings", ()))
                    pre_problems.extend(exc.problems)
                    pre_unreadable += 1
                total = 1
            else:
                roster_args = (path, list(header), hr, kind, sheet_index)
                roster = Roster(path, fields, header, hr, kind=kind, sheet_index=sheet_index)
                WORKER_STATE["roster"] = roster
                pre_problems.extend(roster.warnings)
        else:
            fail([not_a_spreadsheet(path, kind).line(lang)])
    if out is not None and files:
        check_out_links(out, files, lang)
    ext.check_inputs(path, files, roster, recursive)
    expired_warning(rs, as_of, lang)

    # ---- how: serial or a pool
    if jobs == 0:
        cpus = os.cpu_count() or 1
        if files is not None:
            jobs = cpus if len(files) >= POOL_MIN_FILES else 1
        elif roster is not None:
            jobs = cpus if (total is None or total >= POOL_MIN_ROWS) else 1
        else:
            jobs = 1
    jobs = max(1, min(jobs, 61))
    initargs = (rs.path, tier, year, as_of, lang, want_json, roster_args, evidence_required)
    if roster is not None or files is not None:
        WORKER_STATE["key"] = initargs

    summary = Summary(fmt, lang, scorer)
    state: dict[str, Any] = {"unreadable": 0, "inputs": 0, "problems": [], "stderr": 0, "suppressed": 0}

    def report_problem(pj, sink):
        sink.problem(pj)
        if fmt == "json":
            state["problems"].append(pj)
        if state["stderr"] < MAX_STDERR_LINES:
            (warn if pj["severity"] == "warning" else (lambda s: sys.stderr.write(f"zjtx: error: {inert(s)}\n")))(
                pj["line"])
            state["stderr"] += 1
        else:
            state["suppressed"] += 1

    def handle(results, sink, progress):
        for rec, problems in results:
            state["inputs"] += 1
            if rec is None:
                state["unreadable"] += 1
                for pj in problems:
                    report_problem(pj, sink)
            else:
                for pj in ext.add(rec):  # before the row is written: its extra cells, its report
                    report_problem(pj, sink)
                summary.add(rec)
                sink.add(rec)
                for pj in rec["warnings"]:
                    report_problem(pj, sink)
                if roster is not None:
                    dup = roster.check_duplicate(rec["company"], rec["row"])
                    if dup is not None:
                        report_problem(_pjson(dup, lang), sink)
            progress.advance()

    def loop(sink):
        state["inputs"] += pre_unreadable  # unreadable sub-folders, CSV rows above the header, a bad workbook
        state["unreadable"] += pre_unreadable
        for p in pre_problems:
            report_problem(_pjson(p, lang), sink)
        big = (files is not None and len(files) >= PROGRESS_MIN_FILES) or \
              (roster is not None and (total is None or total >= PROGRESS_MIN_ROWS))
        progress = Progress(total if big else None, "zjtx batch")
        try:
            if single is not None:
                handle([(scorer.score(single), [])], sink, progress)
            elif files is not None:
                if jobs > 1 and len(files) > 1:
                    _pooled(jobs, initargs, _score_files, _chunks(files, FILE_CHUNK),
                            lambda res: handle(res, sink, progress))
                else:
                    handle(map(_score_file, files), sink, progress)
            elif roster is not None:
                row_chunk = ROW_CHUNK_COLUMNAR if columnar_enabled(scorer) else ROW_CHUNK
                if jobs > 1:
                    _pooled(jobs, initargs, _score_rows, _chunks(rows_iter, row_chunk),
                            lambda res: handle(res, sink, progress))
                else:
                    for chunk in _chunks(rows_iter, row_chunk):
                        handle(_score_rows(chunk), sink, progress)
        finally:
            progress.stop()

    from zjtx_cli.outputs.export import write

    try:
        write(out, protect, scorer.cols, lang, loop)
    except OutputError as exc:
        fail([msg(lang, exc.reason_zh, str(exc))])
    except OSError as exc:
        fail([msg(lang, f"--out {out}：无法写入：{exc.strerror or exc}",
                  f"--out {out}: cannot write: {exc.strerror or exc}")])
    if state["suppressed"]:
        warn(msg(lang, f"另有 {state['suppressed']} 个问题未显示" + (f"；详见 {out}" if out else ""),
                 f"{state['suppressed']} more problem(s) not shown" + (f"; see {out}" if out else "")))
    summary.finish(state["inputs"], state["unreadable"], state["problems"])
    if out is not None:
        sys.stderr.write(f"zjtx: wrote {inert(out)}\n")
    if state["unreadable"] or ext.failed:
        return 2
    return 4 if summary.totals.get("conditional") else 0  # officer mode: some company is conditional

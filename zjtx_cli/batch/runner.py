"""``zjtx batch``: score a folder of applicant files, or a roster, in one run.

PATH is
  * a folder: every ``.xlsx`` / ``.json`` file in it (``--recursive``: in its
    sub-folders too), in sorted path order; hidden files (``.name``), Excel
    lock files (``~$name``) and the ``--out`` file itself are skipped;
  * a ``.csv`` file: a roster (see :mod:`zjtx_cli.inputs.roster`);
  * an ``.xlsx`` file: a roster if a roster header is found in its first rows
    (>= 3 known field columns, one of them the company name; see
    :mod:`zjtx_cli.inputs.roster`), else a single applicant workbook;
  * a ``.json`` file: a single applicant.

The ruleset is loaded once per run. Each company is assessed exactly as
``zjtx assess`` would (same engine, same JSON document: a single track when the
scheme has one or ``--tier`` names a track; the tier's tracks when ``--tier``
names a tier with several; otherwise the whole ladder). In the summary and the
exports, the counts and gaps of a ladder are those of the tier the company is
working towards (the closest track of the next tier), or of its highest tier
when it has reached the top.

A file or row that cannot be read never stops the batch: it is reported on
stderr (file, row, field, reason) and in the export, and the exit status is 2;
0 when every input was read.

Speed: xlsx is read with python-calamine only (openpyxl is imported only to
write an ``--out .xlsx``); label lookups are memoised across files; a process
pool is used when there are enough inputs to pay for it (``--jobs 0``).
"""

from __future__ import annotations

import json
import os
import sys

from zjtx_cli.engine.metrics import num_json
from zjtx_cli.inputs.model import InputError, Problem

# Below these a pool's start-up and pickling cost more than they save. Measured on a
# 2-core machine (benchmarks/README.md): 50 files 0.33 s -> 0.30 s, 200 files 0.74 -> 0.57 s,
# a 2,000-row jinhu roster 3.1 -> 2.1 s with two workers.
POOL_MIN_FILES = 100
POOL_MIN_ROWS = 1000
ROW_CHUNK = 250
FILE_CHUNK = 32
TABLE_MAX_ROWS = 1000   # rich table only for a person at a terminal and a moderate number of rows
MAX_STDERR_LINES = 200
PROGRESS_MIN_FILES = 200
PROGRESS_MIN_ROWS = 5000


# --------------------------------------------------------------------------- fields
class MemoFields:
    """The field dictionary with label lookups memoised (labels repeat in every file)."""

    def __init__(self, fd):
        self._fd = fd
        self.fields = fd.fields
        self._memo: dict = {}

    def lookup(self, label):
        try:
            return self._memo[label]
        except KeyError:
            pass
        k = self._fd.lookup(label)
        if len(self._memo) > 50000:
            self._memo.clear()
        self._memo[label] = k
        return k

    def suggest(self, label):
        return self._fd.suggest(label)

    def __getitem__(self, key):
        return self._fd.fields[key]

    def __contains__(self, key):
        return key in self._fd.fields

    def __iter__(self):
        return iter(self._fd)


def _pjson(p: Problem, lang: str = "zh") -> dict:
    d = p.to_json()
    d["line"] = p.line(lang)
    return d


# --------------------------------------------------------------------------- scoring
class Columns:
    """The export's columns, fixed before the first row is written (streaming)."""

    def __init__(self, scorer):
        from zjtx_cli.engine.kinds import metrics_tested
        from zjtx_cli.engine.texts import LABELS

        lang = scorer.lang
        zh = lang == "zh"
        rs, fields = scorer.rs, scorer.fields
        self.ladder = scorer.mode == "ladder"
        head = (["企业名称", "来源", "行", "评价年度", "结论"] if zh else
                ["Company", "Source", "Row", "Assessment year", "Verdict"])
        if self.ladder:
            head += ["已达最高层级", "下一层级"] if zh else ["Highest tier", "Next tier"]
        head += ["满足", "不满足", "缺数据", "优先满足", "主要差距"] if zh else \
            ["Met", "Unmet", "Unknown", "Priority met", "Largest gap"]
        self.gap_index = len(head) - 1
        # key figures: every metric the conditions test, in ruleset order
        self.figures: list[tuple] = []
        self.figure_headers: list[str] = []

        for _t, tr in scorer.scope_tracks:
            for cond in tr["conditions"]:
                # every figure the condition tests, at any depth (review readings, points tables too)
                for keys, offset in metrics_tested(cond.check):
                    key = (tuple(keys), offset or 0)
                    if key not in self.figures:
                        self.figures.append(key)
                        self.figure_headers.append(self._figure_header(key, fields, lang))
        self.figure_index = {k: i for i, k in enumerate(self.figures)}
        # statuses: one column per tier (ladder) and per condition
        self.status_keys: list[tuple] = []
        self.status_headers: list[str] = []
        self.status_notes: list[str] = []  # shown as the header cell's comment in the xlsx export
        if self.ladder:
            for t in rs.tiers:
                self.status_keys.append(("tier", t["id"]))
                self.status_headers.append(t["id"])
                self.status_notes.append(t["name"][lang])
        multi = len(scorer.scope_tracks) > 1
        for _t, tr in scorer.scope_tracks:
            for cond in tr["conditions"]:
                self.status_keys.append((tr["id"], cond.id))
                self.status_headers.append(f"{tr['id']}:{cond.id}" if multi else cond.id)
                self.status_notes.append(f"{tr['name'][lang]}\n{cond.text[lang]}\n{cond.citation}")
        self.headers = head + self.figure_headers + self.status_headers
        first_status = len(head) + len(self.figure_headers)
        self.coloured = [4] + list(range(first_status, len(self.headers)))
        from zjtx_cli.outputs.export import colour_of

        self.colour_labels = []
        for key, labels in LABELS.items():
            c = colour_of(key)
            if c:
                self.colour_labels.append((labels[lang], c))


    @staticmethod
    def _figure_header(key, fields, lang):
        """A key figure's column header: its name(s), the year offset if any, the unit."""
        from zjtx_cli.engine.metrics import METRICS

        zh = lang == "zh"
        keys, offset = key
        names = []
        unit = None
        for k in keys:
            m = METRICS.get(k)
            names.append((m.zh if zh else m.en) if m else fields[k].label(lang))
            unit = unit or (m.unit if m else fields[k].unit)
        name = ("、" if zh else " + ").join(names)
        if offset:
            name += f"（评价年度{offset:+d}）" if zh else f" (year {offset:+d})"
        if unit:
            name += f"（{unit}）" if zh else f" ({unit})"
        return name


class Scorer:
    """Assesses one enterprise at a time against a ruleset loaded once (through the service)."""

    def __init__(self, rs, fields, tier=None, year=None, as_of=None, lang="zh", want_json=False):
        from zjtx_cli.engine.service import UnknownTier, scope_of
        from zjtx_cli.outputs.report import ruleset_meta

        self.rs = rs
        self.fields = fields
        self.tier_asked = tier
        self.year = year
        self.as_of = as_of
        self.lang = lang
        self.want_json = want_json
        self.extra = {"scheme_info": ruleset_meta(rs)}
        try:
            self.mode, self.tier, tracks = scope_of(rs, tier)
        except UnknownTier:
            raise KeyError(tier) from None
        if self.mode == "ladder":
            self.scope_tracks = list(rs.tracks())
        else:
            self.scope_tracks = [(self.tier, tr) for tr in tracks]
        self.cols = Columns(self)

    def score(self, e, row=None) -> dict:
        from zjtx_cli.engine.service import assess, make_ctx
        from zjtx_cli.engine.texts import LABELS
        from zjtx_cli.outputs.report import EFFORT, describe_gap_item, document, gap_title, status_key

        lang, fields = self.lang, self.fields
        ctx = make_ctx(e, fields, year=self.year, as_of=self.as_of)
        result = assess(e, self.rs, ctx=ctx, tier=self.tier_asked)
        verdict = result.verdict
        focus = result.focus
        tier_st = {}
        highest = nxt = None
        if result.scope == "ladder":
            ladder = result.ladder
            tracks = [a for ts in ladder.tiers for a in ts.tracks]
            tier_st = {ts.tier["id"]: ts.status for ts in ladder.tiers}
            highest, nxt = ladder.highest, ladder.next
        else:
            tracks = list(result.tracks)
        doc = document(result, fields, lang, self.extra) if self.want_json else None
        cols = self.cols
        statuses = []
        results = {a.track["id"]: {r.id: r for r in a.results} for a in tracks}
        for a_id, c_id in cols.status_keys:
            if a_id == "tier":
                st = tier_st.get(c_id)
                statuses.append(LABELS[st][lang] if st else None)
                continue
            r = results.get(a_id, {}).get(c_id)
            statuses.append(LABELS[status_key(r.kind, r.status, r.not_examined)][lang] if r else None)
        figures = [_figure(keys, ctx, off) for keys, off in cols.figures]
        gaps = []
        first_gap = None  # the largest gap: the hardest to close (gaps come ordered easiest first)
        for g in focus.gaps:
            texts = [describe_gap_item(it, fields, lang) for it in g.items]
            if not texts and g.status == "excluded":
                texts = ["触发限制条件" if lang == "zh" else "an exclusion applies"]
            text = "；".join(texts) if lang == "zh" else "; ".join(texts)
            title = gap_title(g, lang)
            first_gap = f"{title}：{text}" if lang == "zh" else f"{title}: {text}"
            gaps.append((focus.track["name"][lang], g.condition, title, EFFORT[g.effort][lang], text,
                         g.cond.citation))
        c = focus.counts
        rec = {
            "company": e.values.get("company_name"),
            "source": e.source,
            "row": row,
            "year": ctx.year,
            "verdict": verdict,
            "verdict_label": LABELS[verdict][lang],
            "highest": highest["id"] if highest else None,
            "highest_name": highest["name"][lang] if highest else None,
            "next": nxt["id"] if nxt else None,
            "next_name": nxt["name"][lang] if nxt else None,
            "counts": (c["met"], c["unmet"], c["unknown"], c["priority_met"]),
            "gap": first_gap,
            "figures": figures,
            "statuses": statuses,
            "gaps": gaps,
            "json": None,
            "warnings": [_pjson(w, lang) for w in e.warnings],
        }
        if doc is not None:
            if row is not None:
                doc["source_row"] = row
            rec["json"] = json.dumps(doc, ensure_ascii=False, default=str)
        return rec


def _figure(keys, ctx, off):
    """A key figure (metric or sum of counts) for the export, from the evaluation's memo."""
    from zjtx_cli.engine.metrics import evaluate_metric

    total = None
    for k in keys:
        v = evaluate_metric(k, ctx, ctx.year + off).value
        if v is None:
            return None
        total = v if total is None else total + v
    return num_json(total)


# --------------------------------------------------------------------------- inputs
def list_files(folder, recursive, skip=()):
    skip = {os.path.realpath(s) for s in skip}
    out = []
    if recursive:
        for root, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for f in files:
                out.append(os.path.join(root, f))
    else:
        out = [os.path.join(folder, f) for f in os.listdir(folder)]
    keep = []
    for p in out:
        base = os.path.basename(p)
        if base.startswith((".", "~$")) or os.path.splitext(base)[1].lower() not in (".xlsx", ".json"):
            continue
        if os.path.isdir(p) or os.path.realpath(p) in skip:
            continue
        keep.append(p)
    return sorted(keep)


def _unreadable(path, exc) -> Problem:
    msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return Problem(str(path), None, f"cannot read: {msg[:160]}", reason_zh=f"无法读取：{msg[:160]}")


def _xlsx_rows_iter(path):
    """Safety check, then calamine: (height, row iterator). Raises InputError."""
    from zjtx_cli.inputs.reader import open_first_sheet

    sheet = open_first_sheet(path)
    rows = sheet.iter_rows()
    # calamine pads the rows above the used area but starts each row at its first used
    # column: pad the columns too, so that column indices are the sheet's (percent formats)
    c0 = (sheet.start or (0, 0))[1]
    if c0:
        lead = [""] * c0
        rows = (lead + row for row in rows)
    return sheet.height, rows


def _csv_rows_iter(path):
    import csv

    enc = "utf-8-sig"
    try:
        import codecs

        dec = codecs.getincrementaldecoder("utf-8")()
        with open(path, "rb") as fh:
            while True:
                chunk = fh.read(1 << 20)
                if not chunk:
                    dec.decode(b"", final=True)
                    break
                dec.decode(chunk)
    except UnicodeDecodeError:
        enc = "gb18030"  # Excel on a Chinese Windows saves CSV in GBK
    except OSError as exc:
        from zjtx_cli.inputs.reader import oserror_problem

        raise InputError([oserror_problem(path, exc)]) from None
    fh = open(path, encoding=enc, newline="", errors="replace")

    def gen():
        with fh:
            yield from csv.reader(fh)

    return None, gen()


# --------------------------------------------------------------------------- workers
_W: dict = {}


def _init_worker(scheme_path, tier, year, as_of, lang, want_json, roster_args):
    if _W.get("key") == (scheme_path, tier, year, as_of, lang, want_json, roster_args):
        return  # forked from the parent: everything is loaded already
    from zjtx_cli.inputs.fields import field_dictionary
    from zjtx_cli.rules.loader import load_ruleset

    fields = MemoFields(field_dictionary())
    rs = load_ruleset(scheme_path)
    _W["fields"] = fields
    _W["scorer"] = Scorer(rs, fields, tier, year, as_of, lang, want_json)
    if roster_args is not None:
        from zjtx_cli.inputs.roster import Roster

        path, header, header_row = roster_args
        _W["roster"] = Roster(path, fields, header, header_row)
    _W["key"] = (scheme_path, tier, year, as_of, lang, want_json, roster_args)


def _score_file(path):
    from zjtx_cli.inputs.reader import read_enterprise

    fields, scorer = _W["fields"], _W["scorer"]
    lang = scorer.lang
    try:
        e = read_enterprise(path, fields)
    except InputError as exc:
        return None, [_pjson(p, lang) for p in exc.problems]
    except RecursionError:
        return None, [_pjson(Problem(str(path), None, "nested too deeply", reason_zh="嵌套层数过多"), lang)]
    except Exception as exc:  # an unexpected reader failure must not stop the batch
        return None, [_pjson(_unreadable(path, exc), lang)]
    return _guarded_score(scorer, e, path, None)


def _guarded_score(scorer, e, path, row):
    """Score one company; an unexpected failure is reported for it and the batch goes on."""
    try:
        return scorer.score(e, row=row), []
    except Exception as exc:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        p = Problem(str(path), None, f"could not be assessed: {type(exc).__name__}: {msg[:120]} (please report it)",
                    reason_zh=f"无法评价：{type(exc).__name__}：{msg[:120]}（请报告此问题）", row=row)
        return None, [_pjson(p, scorer.lang)]


def _score_files(paths):
    return [_score_file(p) for p in paths]


def _score_rows(chunk):
    roster, scorer = _W["roster"], _W["scorer"]
    out = []
    for r, cells in chunk:
        try:
            e = roster.row(r, cells)
        except InputError as exc:
            out.append((None, [_pjson(p, scorer.lang) for p in exc.problems]))
            continue
        if e is None:
            continue
        out.append((r, e))
    res = []
    for item in out:
        if item[0] is None:
            res.append(item)
        else:
            r, e = item
            res.append(_guarded_score(scorer, e, e.source, r))
    return res


def _chunks(it, n):
    buf = []
    for x in it:
        buf.append(x)
        if len(buf) >= n:
            yield buf
            buf = []
    if buf:
        yield buf


def _pool(jobs, initargs):
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() and sys.platform != "darwin" else None
    return ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker, initargs=initargs)


# --------------------------------------------------------------------------- output
class Summary:
    """The terminal summary: a rich table for a person, plain tab-separated lines otherwise."""

    def __init__(self, fmt, lang, scorer, stream=None):
        self.fmt = fmt
        self.lang = lang
        self.ladder = scorer.mode == "ladder"
        self.out = stream or sys.stdout
        self.rich = fmt == "table" and self.out.isatty()
        self.buf = []
        self.streaming = not self.rich
        self.totals: dict = {}
        self.n = 0
        self.first = True
        zh = lang == "zh"
        self.heads = (["企业", "结论"] + (["最高层级"] if self.ladder else []) + ["满足", "不满足", "缺数据", "主要差距"]
                      if zh else ["Company", "Verdict"] + (["Highest tier"] if self.ladder else []) +
                      ["Met", "Unmet", "Unknown", "Largest gap"])
        if fmt == "json":
            from zjtx_cli.outputs.report import FORMAT_VERSION

            self.out.write('{"format_version": "%s", "scheme": %s, "tier": %s, "companies": [' % (
                FORMAT_VERSION, json.dumps(scorer.rs.id), json.dumps(scorer.tier["id"] if scorer.tier and
                                                                      scorer.mode != "ladder" else None)))
        elif self.streaming:
            self.out.write("\t".join(self.heads) + "\n")

    def _cells(self, rec):
        name = rec["company"] or (f"{rec['source']} row {rec['row']}" if rec["row"] else rec["source"])
        c = rec["counts"]
        return [name, rec["verdict_label"], *([rec["highest_name"] or "—"] if self.ladder else []),
                str(c[0]), str(c[1]), str(c[2]), rec["gap"] or "—"]

    def add(self, rec):
        self.n += 1
        self.totals[rec["verdict"]] = self.totals.get(rec["verdict"], 0) + 1
        if self.fmt == "json":
            d = {"company": rec["company"], "source": rec["source"], "row": rec["row"], "verdict": rec["verdict"],
                 "highest_tier": rec["highest"], "next_tier": rec["next"], "met": rec["counts"][0],
                 "unmet": rec["counts"][1], "unknown": rec["counts"][2], "priority_met": rec["counts"][3],
                 "largest_gap": rec["gap"]}
            self.out.write(("\n  " if self.first else ",\n  ") + json.dumps(d, ensure_ascii=False, default=str))
            self.first = False
            return
        if self.streaming:
            self.out.write("\t".join(s.replace("\t", " ").replace("\n", " ") for s in self._cells(rec)) + "\n")
            return
        self.buf.append(self._cells(rec))
        if len(self.buf) > TABLE_MAX_ROWS:  # too many for a table: switch to plain lines
            self.streaming = True
            self.out.write("\t".join(self.heads) + "\n")
            for cells in self.buf:
                self.out.write("\t".join(cells) + "\n")
            self.buf = []

    def finish(self, inputs, unreadable, problems):
        from zjtx_cli.outputs.report import T

        lang = self.lang
        if self.fmt == "json":
            order = ["eligible", "not_eligible", "undetermined", "excluded"]
            self.out.write("\n], " + json.dumps({
                "inputs": inputs, "scored": self.n, "unreadable": unreadable,
                "totals": {k: self.totals.get(k, 0) for k in order},
                "problems": problems}, ensure_ascii=False, default=str)[1:] + "\n")
            return
        zh = lang == "zh"
        parts = [f"{T[k][lang]} {v}" for k, v in sorted(self.totals.items())]
        total_line = (f"合计 {inputs} 个输入：已评价 {self.n}，无法读取 {unreadable}；" if zh else
                      f"Total {inputs} inputs: {self.n} scored, {unreadable} unreadable; ") + \
            ("，".join(parts) if zh else ", ".join(parts))
        if self.rich:
            from zjtx_cli.cli.commands import console
            from rich.table import Table

            con = console()
            table = Table()
            for h in self.heads:
                table.add_column(h, overflow="fold")
            for cells in self.buf:
                table.add_row(*cells)
            con.print(table)
            con.print(total_line, markup=False, highlight=False)
        else:
            self.out.write(total_line + "\n")


class Progress:
    def __init__(self, total, label):
        self.p = None
        if total is None or not sys.stderr.isatty():
            return
        try:
            from rich.console import Console
            from rich.progress import Progress as RP


            self.p = RP(console=Console(file=sys.stderr), transient=True)
            self.p.start()
            self.task = self.p.add_task(label, total=total)
        except Exception:  # pragma: no cover - a progress bar must never stop a batch
            self.p = None

    def advance(self, n=1):
        if self.p is not None:
            self.p.advance(self.task, n)

    def stop(self):
        if self.p is not None:
            self.p.stop()


# --------------------------------------------------------------------------- run
def run_batch(path, scheme, tier=None, out=None, jobs=0, recursive=False, fmt="table", lang="zh", year=None,
              as_of=None) -> int:
    from zjtx_cli.cli.commands import expired_warning, fail, msg, resolve_scheme, unknown_tier, warn
    from zjtx_cli.inputs.fields import field_dictionary
    from zjtx_cli.inputs.safety import OutputError

    path = os.fspath(path)
    if jobs < 0:
        fail([msg(lang, f"--jobs 应为 0（自动）或正整数，不能是 {jobs}",
                  f"--jobs must be 0 (automatic) or more, not {jobs}")])
    if out is not None:
        out = os.fspath(out)
        from zjtx_cli.outputs.export import SUFFIXES

        if os.path.splitext(out)[1].lower() not in SUFFIXES:
            fail([msg(lang, f"--out {out!r}：文件名须以 .xlsx、.csv 或 .jsonl 结尾",
                      f"--out {out!r}: the file name must end in .xlsx, .csv or .jsonl")])
    if not os.path.exists(path):
        fail([msg(lang, f"{path}: 文件或文件夹不存在", f"{path}: no such file or folder")])
    import datetime as dt

    as_of = as_of or dt.date.today()
    rs = resolve_scheme(scheme, as_of, lang)
    fields = MemoFields(field_dictionary())
    want_json = out is not None and out.lower().endswith(".jsonl")
    try:
        scorer = Scorer(rs, fields, tier, year, as_of, lang, want_json)
    except KeyError:
        ids = [tr["id"] for _t, tr in rs.tracks()] + [x["id"] for x in rs.tiers if len(x["tracks"]) > 1]
        fail([unknown_tier(tier, rs.id, ids, lang)])
    _W.update(fields=fields, scorer=scorer)

    # ---- what to read
    roster = None
    files = None
    rows_iter = None
    total = None
    pre_problems: list[Problem] = []
    single = None
    if os.path.isdir(path):
        files = list_files(path, recursive, skip=[out] if out else ())
        if not files:
            fail([msg(lang, f"{path}: 没有 .xlsx 或 .json 文件" + ("" if recursive else "（子文件夹请加 --recursive）"),
                      f"{path}: no .xlsx or .json files" + ("" if recursive else " (use --recursive for sub-folders)"))])
        protect = files
        total = len(files)
    else:
        protect = [path]
        ext = os.path.splitext(path)[1].lower()
        if ext not in (".xlsx", ".xlsm", ".csv", ".json"):
            fail([msg(lang, f"{path}: 不支持的文件类型“{ext or '（无扩展名）'}”：请用文件夹、.xlsx、.csv 或 .json",
                      f"{path}: unsupported file type {ext or '(none)'!r}: use a folder, .xlsx, .csv or .json")])
        if ext == ".json":
            files = [path]
        else:
            from zjtx_cli.inputs.roster import Roster, find_header

            try:
                height, it = (_csv_rows_iter if ext == ".csv" else _xlsx_rows_iter)(path)
            except InputError as exc:
                fail([p.line(lang) for p in exc.problems])
            hr, header, consumed = find_header(it, fields)
            if hr is None:
                if ext == ".csv":
                    fail([msg(lang, f"{path}: 前几行中没有表头行（企业名单需要一行表头，写明企业名称和至少另外两个"
                                    "已知字段）",
                              f"{path}: no header row naming the company name and at least two more known fields "
                              "in the first rows (a roster needs one)")])
                # a single applicant workbook: read it as 'assess' does (formula and percent cells)
                from zjtx_cli.inputs.reader import read_enterprise

                try:
                    single = read_enterprise(path, fields)
                except InputError as exc:
                    pre_problems.extend(exc.problems)
                total = 1
            else:
                roster = Roster(path, fields, header, hr)
                _W["roster"] = roster
                pre_problems.extend(roster.warnings)
                start = hr + 1
                rows_iter = ((r, cells) for r, cells in enumerate(it, start=start))
                total = (height - hr) if height else None
    if out is not None:
        real = os.path.realpath(out)
        for p in protect:
            if os.path.realpath(p) == real:
                fail([msg(lang, f"--out {out}：会覆盖输入文件 {p}", f"--out {out}: would overwrite input file {p}")])
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
    initargs = (rs.path, tier, year, as_of, lang, want_json,
                (roster.path, list(header), hr) if roster is not None else None)
    if roster is not None or files is not None:
        _W["key"] = initargs

    summary = Summary(fmt, lang, scorer)
    state = {"unreadable": 0, "inputs": 0, "problems": [], "stderr": 0, "suppressed": 0}

    def report_problem(pj, sink):
        sink.problem(pj)
        if fmt == "json":
            state["problems"].append(pj)
        if state["stderr"] < MAX_STDERR_LINES:
            (warn if pj["severity"] == "warning" else (lambda s: sys.stderr.write(f"zjtx: error: {s}\n")))(
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
        if single is None and roster is None and any(p.severity == "error" for p in pre_problems):
            state["inputs"] += 1  # a single applicant workbook that could not be read
            state["unreadable"] += 1
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
                    with _pool(jobs, initargs) as ex:
                        for res in ex.map(_score_files, list(_chunks(files, FILE_CHUNK))):
                            handle(res, sink, progress)
                else:
                    handle(map(_score_file, files), sink, progress)
            elif roster is not None:
                if jobs > 1:
                    with _pool(jobs, initargs) as ex:
                        pending = []
                        for chunk in _chunks(rows_iter, ROW_CHUNK):
                            pending.append(ex.submit(_score_rows, chunk))
                            while len(pending) > jobs * 4:
                                handle(pending.pop(0).result(), sink, progress)
                        for f in pending:
                            handle(f.result(), sink, progress)
                else:
                    for chunk in _chunks(rows_iter, ROW_CHUNK):
                        handle(_score_rows(chunk), sink, progress)
        finally:
            progress.stop()

    from zjtx_cli.outputs.export import write

    try:
        write(out, protect, scorer.cols, lang, loop)
    except OutputError as exc:
        fail([msg(lang, exc.reason_zh, str(exc))])
    except OSError as exc:
        fail([msg(lang, f"--out {out}：无法写入：{exc.strerror or exc}", f"--out {out}: cannot write: {exc.strerror or exc}")])
    if state["suppressed"]:
        warn(msg(lang, f"另有 {state['suppressed']} 个问题未显示" + (f"；详见 {out}" if out else ""),
                 f"{state['suppressed']} more problem(s) not shown" + (f"; see {out}" if out else "")))
    summary.finish(state["inputs"], state["unreadable"], state["problems"])
    if out is not None:
        sys.stderr.write(f"zjtx: wrote {out}\n")
    return 2 if state["unreadable"] else 0

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
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from zjtx_cli.engine.numbers import num_json
from zjtx_cli.inputs.model import InputError, Problem
from zjtx_cli.inputs.text import inert
from zjtx_cli.inputs.text import json_inert as fix_surrogates

# Below these a pool's start-up and pickling cost more than they save. Measured on a
# 2-core machine (benchmarks/README.md): 50 files 0.33 s -> 0.30 s, 200 files 0.74 -> 0.57 s,
# a 2,000-row jinhu roster 3.1 -> 2.1 s with two workers.
POOL_MIN_FILES = 100
POOL_MIN_ROWS = 1000
ROW_CHUNK = 250
ROW_CHUNK_COLUMNAR = 1000  # one columnar evaluation per chunk: fewer, larger chunks (measured 250 -> 1000: -5% CPU)
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
        for label_key, labels in LABELS.items():
            c = colour_of(label_key)
            if c:
                self.colour_labels.append((labels[lang], c))


    def append_extra(self, headers, widths):
        """Columns after every other (batch/extras.py: evidence, --match); their cells are rec["extra"]."""
        self.extra_headers = list(headers)
        self.extra_widths = list(widths)
        self.headers = self.headers + self.extra_headers

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

    def __init__(self, rs, fields, tier=None, year=None, as_of=None, lang="zh", want_json=False,
                 evidence_required=False):
        from zjtx_cli.engine.service import UnknownTier, scope_of
        from zjtx_cli.outputs.report import ruleset_meta

        self.rs = rs
        self.fields = fields
        self.tier_asked = tier
        self.year = year
        self.as_of = as_of
        self.lang = lang
        self.want_json = want_json
        self.evidence_required = evidence_required  # --evidence required: officer mode (issue 13)
        # the 待补证 column: in officer mode and in the results workbook (set by run_batch); the
        # documents sheet only in the workbook
        self.show_evidence = evidence_required
        self.evidence_docs = False
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
        from zjtx_cli.outputs.report import document, status_key

        lang, fields = self.lang, self.fields
        ctx = make_ctx(e, fields, year=self.year, as_of=self.as_of, evidence_required=self.evidence_required)
        result = assess(e, self.rs, ctx=ctx, tier=self.tier_asked)
        verdict = result.verdict
        focus = result.focus
        tier_st = {}
        highest = nxt = None
        if result.scope == "ladder":
            ladder = result.ladder
            assert ladder is not None  # scope "ladder" always carries its ladder
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
        first_gap, gaps = self._gaps(focus)
        c = focus.counts
        rec = _record(e, row, ctx, verdict, highest, nxt, (c["met"], c["unmet"], c["unknown"], c["priority_met"]),
                      first_gap, figures, statuses, gaps, lang)
        if doc is not None:
            if row is not None:
                doc["source_row"] = row
            rec["json"] = json.dumps(doc, ensure_ascii=False, default=str)
        if self.show_evidence:
            from zjtx_cli.batch.extras import evidence_of

            # 待补证 count and (for an xlsx export) the documents to collect (issue 13)
            rec.update(evidence_of(result, fields, lang, docs=self.evidence_docs))
        return rec

    def _gaps(self, focus):
        """(the largest gap's text, the gaps sheet's rows) of the shown track."""
        from zjtx_cli.outputs.report import EFFORT, describe_gap_item, gap_title

        lang, fields = self.lang, self.fields
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
        return first_gap, gaps

    def _shown_track(self, ctx, trid, st=None, i=None):
        """The shown track assessed by the explanatory engine, after what it may read: the
        verdicts of the tiers below it (and of the tracks before it in its tier), as the
        engine records them for this scope. With the columnar statuses ``st`` those verdicts
        are taken from them (equal to the engine's); otherwise those tracks are assessed.
        The other tracks of the scope are not assessed."""
        from zjtx_cli.engine.service import TIER_VERDICT, assess_lower_tiers, assess_track, tier_status

        rs = self.rs
        if st is not None and self._prefill(ctx, trid, st, i):
            for t in rs.tiers:
                for tr in t["tracks"]:
                    if tr["id"] == trid:
                        return assess_track(rs, t, tr, ctx)
            raise KeyError(trid)
        if self.mode == "ladder":
            for t in rs.tiers:
                group = []
                for tr in t["tracks"]:
                    a = assess_track(rs, t, tr, ctx)
                    if tr["id"] == trid:
                        return a
                    group.append(a)
                ctx.tier_verdicts[t["id"]] = TIER_VERDICT.get(tier_status(group), "undetermined")
            raise KeyError(trid)
        t = self.tier
        assess_lower_tiers(rs, t, ctx)
        for _t, tr in self.scope_tracks:
            a = assess_track(rs, t, tr, ctx)
            if tr["id"] == trid:
                return a
        raise KeyError(trid)

    def _prefill(self, ctx, trid, st, i) -> bool:
        """Record in ``ctx`` what assessing the tracks before ``trid`` would record (their
        names and verdicts; in ladder mode the tiers' verdicts too), from the columnar
        statuses. False when a verdict needed is not among them."""
        from zjtx_cli.engine.service import TIER_VERDICT

        rs = self.rs
        ladder = self.mode == "ladder"
        names: list[tuple[str, Any]] = []
        verdicts: list[tuple[Any, Any]] = []
        for t in rs.tiers:
            if not ladder and t is self.tier:
                tracks = [tr for _t, tr in self.scope_tracks]
            else:
                tracks = t["tracks"]
            for tr in tracks:
                if tr["id"] == trid:
                    for k, v in names:
                        if k == "track":
                            ctx.tier_names[v[0]] = v[1]
                        else:
                            ctx.tier_names.setdefault(v[0], v[1])
                    for k, v in verdicts:
                        ctx.tier_verdicts[k] = v
                    return True
                col = st.tracks.get(tr["id"])
                if col is None or col[i] is None:
                    return False
                names.append(("track", (tr["id"], tr["name"])))
                names.append(("tier", (t["id"], t["name"])))
                verdicts.append((tr["id"], col[i]))
            if ladder:
                col = st.tiers.get(t["id"])
                if col is None or col[i] is None:
                    return False
                verdicts.append((t["id"], TIER_VERDICT.get(col[i], "undetermined")))
            elif t is self.tier:
                break
        return False

    def score_columnar(self, e, st, i, row=None) -> dict | None:
        """Row ``i`` of a chunk decided by the columnar evaluator (``st``), as :meth:`score`
        would write it; None when the row needs the explanatory path: decided by the engine
        inside the columnar evaluator, or its shown track is not eligible (its gaps are
        shown), or that track is in another scheme. An eligible track has no gaps."""
        if st.engine[i] or self.want_json or self.show_evidence:
            return None  # evidence states come from the explanatory engine
        focus = st.focus(i)
        trid = focus["track"]
        if focus["external"] or trid is None:
            return None
        from zjtx_cli.engine.service import make_ctx
        from zjtx_cli.engine.texts import LABELS
        from zjtx_cli.outputs.report import status_key

        lang = self.lang
        ctx = make_ctx(e, self.fields, year=self.year, as_of=self.as_of)
        first_gap, gaps = None, []  # an eligible track has no gaps
        if st.tracks[trid][i] != "eligible":
            first_gap, gaps = self._gaps(self._shown_track(ctx, trid, st, i))
        verdict = st.verdict[i]
        statuses = []
        for key in self.cols.status_keys:
            if key[0] == "tier":
                col = st.tiers.get(key[1])
                s = col[i] if col is not None else None
                statuses.append(LABELS[s][lang] if s else None)
                continue
            col = st.conditions.get(key)
            s = col[i] if col is not None else None
            statuses.append(LABELS[status_key(st.kinds[key], s, False)][lang] if s is not None else None)
        highest = _tier_by_id(self.rs, focus["highest"]) if focus["highest"] else None
        nxt = _tier_by_id(self.rs, focus["next"]) if focus["next"] else None
        return _record(e, row, ctx, verdict, highest, nxt, st.counts(trid, i), first_gap,
                       [_figure(keys, ctx, off) for keys, off in self.cols.figures], statuses, gaps, lang)


def _record(e, row, ctx, verdict, highest, nxt, counts, first_gap, figures, statuses, gaps, lang) -> dict:
    """One company's result row, whichever path decided it (explanatory or columnar)."""
    from zjtx_cli.engine.texts import LABELS

    return {
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
        "counts": counts,
        "gap": first_gap,
        "figures": figures,
        "statuses": statuses,
        "gaps": gaps,
        "json": None,
        "warnings": [_pjson(w, lang) for w in e.warnings],
    }


def _tier_by_id(rs, tid):
    for t in rs.tiers:
        if t["id"] == tid:
            return t
    raise KeyError(tid)


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
def list_entries(folder, recursive):
    """Every entry of ``folder`` (sub-folders too with ``recursive``), sorted; and the problems met.

    Nothing is left out without a word: a file of any name is an input (what it
    is, is sniffed from its content when it is read); a sub-folder without
    ``--recursive``, a sub-folder that cannot be listed, hidden files (``.name``)
    and Excel lock files (``~$name``) are reported.
    Returns ``(files, problems, notes)``: notes are warnings (skipped entries).
    """
    files, problems = [], []
    hidden = 0
    subdirs = []

    def onerror(exc):
        problems.append(oserror_dir_problem(exc.filename or folder, exc))

    if recursive:
        for root, dirs, names in os.walk(folder, onerror=onerror):
            keep = []
            for d in dirs:
                if d.startswith("."):
                    hidden += 1
                else:
                    keep.append(d)
            dirs[:] = sorted(keep)
            for f in names:
                if f.startswith((".", "~$")):
                    hidden += 1
                    continue
                files.append(os.path.join(root, f))
    else:
        try:
            names = os.listdir(folder)
        except OSError as exc:
            problems.append(oserror_dir_problem(folder, exc))
            names = []
        for f in names:
            p = os.path.join(folder, f)
            if f.startswith((".", "~$")):
                hidden += 1
                continue
            if os.path.isdir(p):
                subdirs.append(p)
                continue
            files.append(p)
    notes = []
    if hidden:
        notes.append(Problem(str(folder), None, f"{hidden} hidden entries or Excel lock files (.name, ~$name) "
                                                "not read", severity="warning",
                             reason_zh=f"有 {hidden} 个隐藏项或 Excel 锁定文件（.name、~$name）未读取"))
    for d in sorted(subdirs):
        notes.append(Problem(d, None, "is a sub-folder: not read (use --recursive)", severity="warning",
                             reason_zh="是子文件夹，未读取（如需读取请加 --recursive）"))
    return sorted(files), problems, notes


def oserror_dir_problem(path, exc) -> Problem:
    from zjtx_cli.inputs.problems import oserror_problem

    p = oserror_problem(path, exc)
    p.reason = f"cannot read folder: {exc.strerror or exc}"
    p.reason_zh = "无法读取文件夹：" + (p.reason_zh or "").split("：", 1)[-1]
    return p


def check_out(out, path, recursive, lang):
    """Refuse, before any work, an ``--out`` that could be an input or cannot be written (exit 2)."""
    from zjtx_cli.outputs.export import SUFFIXES
    from zjtx_cli.terminal import fail, msg

    shown = inert(out, 200)
    if os.path.splitext(out)[1].lower() not in SUFFIXES:
        fail([msg(lang, f"--out {shown!r}：文件名须以 .xlsx、.csv 或 .jsonl 结尾",
                  f"--out {shown!r}: the file name must end in .xlsx, .csv or .jsonl")])
    real = os.path.realpath(out)
    parent = os.path.dirname(real) or "."
    if os.path.isdir(out):
        fail([msg(lang, f"--out {shown}：是文件夹，不是文件", f"--out {shown}: is a folder, not a file")])
    if not os.path.isdir(parent):
        fail([msg(lang, f"--out {shown}：所在文件夹不存在", f"--out {shown}: its folder does not exist")])
    if not os.access(parent, os.W_OK | os.X_OK):
        fail([msg(lang, f"--out {shown}：所在文件夹不可写", f"--out {shown}: its folder is not writable")])
    import stat as _stat

    try:
        st = os.stat(out)
    except OSError:
        st = None
    if st is not None and not _stat.S_ISREG(st.st_mode):
        fail([msg(lang, f"--out {shown}：不是普通文件", f"--out {shown}: is not a regular file")])
    if st is not None and not os.access(out, os.W_OK):
        fail([msg(lang, f"--out {shown}：文件不可写", f"--out {shown}: the file is not writable")])
    src = os.path.realpath(path)
    if os.path.isdir(path):
        inside = parent == src or (recursive and parent.startswith(src.rstrip(os.sep) + os.sep))
        if inside:
            fail([msg(lang, f"--out {shown}：位于输入文件夹{'（含子文件夹）' if recursive else ''}中，"
                            "会被当作申报文件，也可能覆盖申报文件；请写到别处",
                      f"--out {shown}: is inside the input folder{' (or a sub-folder)' if recursive else ''}, "
                      "where it would be read as an applicant and could overwrite one; write it elsewhere")])
    else:
        same = real == src
        if not same and st is not None:
            try:
                same = os.path.samestat(st, os.stat(path))
            except OSError:
                pass
        if same:
            fail([msg(lang, f"--out {shown}：会覆盖输入文件 {inert(path, 200)}",
                      f"--out {shown}: would overwrite input file {inert(path, 200)}")])


def check_out_links(out, files, lang):
    """A hard link of an input elsewhere is the input too."""
    from zjtx_cli.terminal import fail, msg

    try:
        st = os.stat(out)
    except OSError:
        return
    if st.st_nlink < 2:
        return
    for f in files:
        try:
            if os.path.samestat(st, os.stat(f)):
                fail([msg(lang, f"--out {inert(out, 200)}：是输入文件 {inert(f, 200)} 的硬链接，会覆盖它",
                          f"--out {inert(out, 200)}: is a hard link of input file {inert(f, 200)}; "
                          "writing it would overwrite that file")])
        except OSError:
            continue


def _unreadable(path, exc) -> Problem:
    msg = inert(str(exc).splitlines()[0] if str(exc).strip() else type(exc).__name__, 160)
    return Problem(str(path), None, f"cannot read: {msg}", reason_zh=f"无法读取：{msg}")


def _sheet_rows(path, kind):
    """A roster workbook's rows (first visible sheet) and its warnings. Raises InputError."""
    from zjtx_cli.inputs.workbook import load_sheet, sheet_warnings

    sheet = load_sheet(path, kind)
    return sheet, sheet_warnings(path, sheet)


# ---------------------------------------------------------------------------- CSV
MAX_CSV_BYTES = 200 * 1024 * 1024
MAX_CSV_CELL = 128 * 1024            # a cell longer than this is reported for its row
MAX_RECORD_LINES = 20                # a quoted cell may span lines; more than this is an unclosed quote
_LINE_SPLIT = None


def _decode_csv(path, data: bytes):
    """(text, encoding name, warning or None): UTF-8 / UTF-16 (BOM or not) / GB18030 (GBK)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace"), "UTF-8", None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        enc = "utf-16-le" if data.startswith(b"\xff\xfe") else "utf-16-be"
        return data[2:].decode(enc, "replace"), "UTF-16", None
    head = data[:4096]
    if head and b"\x00" in head:
        odd, even = head[1::2], head[0::2]
        if odd.count(0) > len(odd) * 0.4:
            return data.decode("utf-16-le", "replace"), "UTF-16", None
        if even.count(0) > len(even) * 0.4:
            return data.decode("utf-16-be", "replace"), "UTF-16", None
    try:
        return data.decode("utf-8"), "UTF-8", None
    except UnicodeDecodeError:
        pass
    text = data.decode("gb18030", "replace")
    bad = text.count("\ufffd")
    warning = None
    if bad:
        warning = Problem(str(path), None, f"{bad} byte sequence(s) are neither UTF-8 nor GBK/GB18030: shown as U+FFFD",
                          severity="warning",
                          reason_zh=f"有 {bad} 处字节既不是 UTF-8 也不是 GBK/GB18030，已显示为 U+FFFD")
    return text, "GB18030", warning


def _sniff_delimiter(lines) -> str:
    """Comma, tab or semicolon: the one that splits the first lines most consistently."""
    sample = [ln for ln in lines[:20] if ln.strip()][:10]
    best, best_score = ",", 0
    for d in (",", "\t", ";"):
        counts = [ln.count(d) for ln in sample]
        if not counts or counts[0] < 2:
            continue
        score = sum(1 for c in counts if c >= 2) * 1000 + counts[0]
        if score > best_score:
            best, best_score = d, score
    return best


def _swallowed_rows(rec, delim, width) -> bool:
    """A cell that spans lines and holds what looks like whole rows: a quote left open, not a note."""
    need = max(1, (width or 2) - 1)
    for cell in rec:
        if "\n" in cell or "\r" in cell:
            for line in cell.splitlines()[1:]:
                if line.count(delim) >= need:
                    return True
    return False


def _csv_records(path):
    """Every physical row of a CSV roster: list of (row number, cells or None, Problem or None).

    A record may span lines (a quoted cell with line breaks) only up to
    MAX_RECORD_LINES and within the header's width; otherwise the quote is
    reported as unclosed on its row and reading goes on with the next row. A
    cell over MAX_CSV_CELL is reported for its row. Raises InputError.
    """
    import csv
    import re

    from zjtx_cli.inputs.problems import oserror_problem, unsafe_problem
    from zjtx_cli.inputs.safety import UnsafeInput, check_regular_file

    try:
        size = check_regular_file(path)
        if size > MAX_CSV_BYTES:
            raise UnsafeInput(path, f"is too large for a CSV roster ({size / 1048576:.1f} MiB; limit "
                                    f"{MAX_CSV_BYTES // 1048576} MiB)",
                              f"过大（{size / 1048576:.1f} MiB，CSV 名单上限 {MAX_CSV_BYTES // 1048576} MiB）")
        with open(path, "rb") as fh:
            data = fh.read(MAX_CSV_BYTES + 1)
    except UnsafeInput as exc:
        raise InputError([unsafe_problem(path, exc)]) from None
    except OSError as exc:
        raise InputError([oserror_problem(path, exc)]) from None
    text, enc, warning = _decode_csv(path, data)
    lines = re.split(r"(?<=\n)|(?<=\r)(?!\n)", text)
    if lines and lines[-1] == "":
        lines.pop()
    delim = _sniff_delimiter(lines)
    csv.field_size_limit(MAX_CSV_CELL)
    out: list[tuple[int, list[str] | None, Problem | None]] = []
    n = len(lines)
    width = None
    i = 0
    while i < n:
        base = [i]  # where the record being read starts

        def feed(i=i, base=base):
            for j in range(i, n):
                if j - base[0] > MAX_RECORD_LINES:  # an unclosed quote: stop, do not read to the end
                    return
                yield lines[j]

        rd = csv.reader(feed(), delimiter=delim)
        consumed = 0
        restart = None
        try:
            for rec in rd:
                start = i + consumed
                span = rd.line_num - consumed
                if span > 1 and (span > MAX_RECORD_LINES or (width is not None and len(rec) != width)
                                 or _swallowed_rows(rec, delim, width)):
                    out.append((start + 1, None, Problem(
                        str(path), None, "a quote opened in this row is not closed (the row is not read; the rows "
                                         "after it are)", row=start + 1,
                        reason_zh="本行的引号没有闭合（本行未读取，其后各行照常读取）")))
                    restart = start + 1
                    break
                if width is None and any(c.strip() for c in rec):
                    width = len(rec)
                out.append((start + 1, rec, None))
                consumed = rd.line_num
                base[0] = i + consumed
        except csv.Error as exc:
            start = i + consumed
            why = str(exc)
            if "field larger" in why:
                reason = f"a cell is longer than {MAX_CSV_CELL // 1024} KiB (the row is not read)"
                zh = f"有单元格超过 {MAX_CSV_CELL // 1024} KiB（本行未读取）"
            else:
                reason, zh = f"not valid CSV ({inert(why, 80)})", f"不是有效的 CSV（{inert(why, 80)}）"
            out.append((start + 1, None, Problem(str(path), None, reason, row=start + 1, reason_zh=zh)))
            restart = start + 1
        i = n if restart is None else restart
    return out, enc, delim, warning


# --------------------------------------------------------------------------- workers
_W: dict = {}


def _init_worker(scheme_path, tier, year, as_of, lang, want_json, roster_args, evidence_required=False):
    # a pool worker: Ctrl-C is the parent's business; SIGTERM ends it at once; it dies with the parent
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    from zjtx_cli.inputs.isolate import _set_pdeathsig

    _set_pdeathsig()
    # the columnar evaluator: one polars thread per worker (the pool is the parallelism);
    # set before polars is first imported in this process
    os.environ.setdefault("POLARS_MAX_THREADS", "1")
    if _W.get("key") == (scheme_path, tier, year, as_of, lang, want_json, roster_args, evidence_required):
        return  # forked from the parent: everything is loaded already
    from zjtx_cli.inputs.fields import field_dictionary
    from zjtx_cli.rules.loader import load_ruleset

    fields = MemoFields(field_dictionary())
    rs = load_ruleset(scheme_path)
    _W["fields"] = fields
    _W["scorer"] = Scorer(rs, fields, tier, year, as_of, lang, want_json, evidence_required)
    if roster_args is not None:
        from zjtx_cli.inputs.roster import Roster

        path, header, header_row, kind, sheet_index = roster_args
        _W["roster"] = Roster(path, fields, header, header_row, kind=kind, sheet_index=sheet_index)
    _W["key"] = (scheme_path, tier, year, as_of, lang, want_json, roster_args, evidence_required)


def _score_file(path):
    from zjtx_cli.inputs.reader import read_enterprise

    fields, scorer = _W["fields"], _W["scorer"]
    lang = scorer.lang
    try:
        e = read_enterprise(path, fields)
    except InputError as exc:
        return None, [_pjson(p, lang) for p in (*getattr(exc, "warnings", ()), *exc.problems)]
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
        if isinstance(cells, Problem):  # a row the CSV reader could not split
            out.append((None, [_pjson(cells, scorer.lang)]))
            continue
        try:
            e = roster.row(r, cells)
        except InputError as exc:
            out.append((None, [_pjson(p, scorer.lang) for p in (*exc.problems, *getattr(exc, "warnings", ()))]))
            continue
        except Exception as exc:  # an unexpected failure on one row must not stop the roster
            prob = _unreadable(roster.path, exc)
            prob.row = r
            out.append((None, [_pjson(prob, scorer.lang)]))
            continue
        if e is None:
            continue
        out.append((r, e))
    st = _columnar_chunk(scorer, [item[1] for item in out if item[0] is not None])
    res = []
    k = 0
    for item in out:
        if item[0] is None:
            res.append(item)
            continue
        r, e = item
        rec = None
        if st is not None:
            try:
                rec = scorer.score_columnar(e, st, k, row=r)
            except Exception:  # anything unexpected: the explanatory path decides this row
                rec = None
        k += 1
        res.append((rec, []) if rec is not None else _guarded_score(scorer, e, e.source, r))
    return res


_FORKED_WITH_POLARS = [False]


def _after_fork_in_child():
    # polars' thread pool does not survive fork(): a child forked from a process that had loaded
    # polars deadlocks on its first polars call (measured). Such a child takes the per-row path.
    if "polars" in sys.modules:
        _FORKED_WITH_POLARS[0] = True


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def columnar_enabled(scorer) -> bool:
    """The columnar path: rosters only, not for --out .jsonl (it needs every explanation),
    and not when ZJTX_COLUMNAR=0 (the explanatory engine on every row, as a reference)."""
    return not scorer.want_json and os.environ.get("ZJTX_COLUMNAR", "1").strip() not in ("0", "off", "no", "false")


def _columnar_chunk(scorer, ents):
    """The columnar statuses of a chunk of enterprises, or None (then every row takes the
    explanatory path). A failure here never loses a row: the per-row path scores it."""
    if not ents or not columnar_enabled(scorer):
        return None
    if _FORKED_WITH_POLARS[0] or sys.modules.get("zjtx_cli.batch.columnar") is not None and \
            getattr(sys.modules["zjtx_cli.batch.columnar"], "FORKED_WITH_POLARS", [False])[0]:
        return None
    try:
        from zjtx_cli.batch.columnar import columnar_statuses

        return columnar_statuses(scorer.rs.id, scorer.tier_asked, ents, year=scorer.year, as_of=scorer.as_of)
    except Exception:
        return None


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


def _pooled(jobs, initargs, fn, chunks, handle):
    """``handle(fn(chunk))`` for every chunk, in order, on a process pool.

    At most ``4 * jobs`` chunks are in flight. If the pool breaks (a worker
    killed from outside), the chunks not yet handled are done here, serially:
    nothing is lost. On any exit (Ctrl-C, SIGTERM, an error) the workers are
    stopped at once, not waited for.
    """
    from concurrent.futures.process import BrokenProcessPool

    ex = _pool(jobs, initargs)
    pending: list[tuple[Any, Any]] = []  # (chunk, future)
    it = iter(chunks)
    broken = False
    try:
        while True:
            while not broken and len(pending) <= jobs * 4:
                chunk = next(it, None)
                if chunk is None:
                    break
                try:
                    pending.append((chunk, ex.submit(fn, chunk)))
                except (BrokenProcessPool, RuntimeError):
                    broken = True
                    pending.append((chunk, None))
            if not pending:
                if broken:
                    for chunk in it:
                        handle(fn(chunk))
                break
            chunk, fut = pending.pop(0)
            try:
                if fut is None:
                    raise BrokenProcessPool("not submitted")
                res = fut.result()
            except BrokenProcessPool:
                broken = True
                res = fn(chunk)
            handle(res)
    except BaseException:
        _stop_pool(ex)
        raise
    ex.shutdown(wait=True)


def _stop_pool(ex):
    procs = list((getattr(ex, "_processes", None) or {}).values())
    try:
        ex.shutdown(wait=False, cancel_futures=True)
    except Exception:
        pass
    for p in procs:
        try:
            if p.is_alive():
                p.terminate()
        except Exception:
            pass
    for p in procs:
        try:
            p.join(2)
        except Exception:
            pass


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
        self.totals: dict = {"conditional": 0} if getattr(scorer, "evidence_required", False) else {}
        self.n = 0
        self.first = True
        zh = lang == "zh"
        self.heads = (["企业", "结论"] + (["最高层级"] if self.ladder else []) +
                      ["满足", "不满足", "缺数据", "主要差距"]
                      if zh else ["Company", "Verdict"] + (["Highest tier"] if self.ladder else []) +
                      ["Met", "Unmet", "Unknown", "Largest gap"])
        if fmt == "json":
            from zjtx_cli.outputs.report import FORMAT_VERSION

            self.out.write('{{"format_version": "{}", "scheme": {}, "tier": {}, "companies": ['.format(
                FORMAT_VERSION, json.dumps(scorer.rs.id), json.dumps(scorer.tier["id"] if scorer.tier and
                                                                      scorer.mode != "ladder" else None)))
        elif self.streaming:
            self.out.write("\t".join(self.heads) + "\n")

    def _cells(self, rec, markup=False):
        name = rec["company"] or (f"{rec['source']} row {rec['row']}" if rec["row"] else rec["source"])
        c = rec["counts"]
        # text from the input reaches the terminal: inert (no control sequences, one line, no markup)
        return [inert(name, markup=markup), rec["verdict_label"],
                *([rec["highest_name"] or "—"] if self.ladder else []),
                str(c[0]), str(c[1]), str(c[2]), inert(rec["gap"] or "—", markup=markup)]

    def add(self, rec):
        self.n += 1
        self.totals[rec["verdict"]] = self.totals.get(rec["verdict"], 0) + 1
        if self.fmt == "json":
            d = {"company": rec["company"], "source": rec["source"], "row": rec["row"], "verdict": rec["verdict"],
                 "highest_tier": rec["highest"], "next_tier": rec["next"], "met": rec["counts"][0],
                 "unmet": rec["counts"][1], "unknown": rec["counts"][2], "priority_met": rec["counts"][3],
                 "largest_gap": rec["gap"]}
            d.update(rec.get("extra_json") or {})  # batch/extras.py: evidence, --match, --report-dir
            self.out.write(("\n  " if self.first else ",\n  ") +
                           fix_surrogates(json.dumps(d, ensure_ascii=False, default=str)))
            self.first = False
            return
        if self.streaming:
            self.out.write("\t".join(self._cells(rec)) + "\n")
            return
        self.buf.append(rec)
        if len(self.buf) > TABLE_MAX_ROWS:  # too many for a table: switch to plain lines
            self.streaming = True
            self.out.write("\t".join(self.heads) + "\n")
            for r in self.buf:
                self.out.write("\t".join(self._cells(r)) + "\n")
            self.buf = []

    def finish(self, inputs, unreadable, problems):
        from zjtx_cli.engine.texts import LABELS as T

        lang = self.lang
        if self.fmt == "json":
            order = ["eligible", *(["conditional"] if "conditional" in self.totals else []), "not_eligible",
                     "undetermined", "excluded"]  # conditional: officer mode only (--evidence required)
            self.out.write("\n], " + fix_surrogates(json.dumps({
                "inputs": inputs, "scored": self.n, "unreadable": unreadable,
                "totals": {k: self.totals.get(k, 0) for k in order},
                "problems": problems}, ensure_ascii=False, default=str))[1:] + "\n")
            return
        zh = lang == "zh"
        parts = [f"{T[k][lang]} {v}" for k, v in sorted(self.totals.items())]
        total_line = (f"合计 {inputs} 个输入：已评价 {self.n}，无法读取 {unreadable}；" if zh else
                      f"Total {inputs} inputs: {self.n} scored, {unreadable} unreadable; ") + \
            ("，".join(parts) if zh else ", ".join(parts))
        if self.rich:
            from rich.table import Table

            from zjtx_cli.terminal import console

            con = console()
            table = Table()
            for h in self.heads:
                table.add_column(h, overflow="fold")
            for r in self.buf:
                table.add_row(*self._cells(r, markup=True))
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
    _W.update(fields=fields, scorer=scorer)
    to_xlsx = out is not None and out.lower().endswith(".xlsx")
    scorer.show_evidence = evidence_required or to_xlsx  # the workbook always has the 待补证 column
    scorer.evidence_docs = to_xlsx  # only its sheet lists the documents
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
                    head_rows = [cells if cells is not None else [] for _r, cells, _p in recs[:50]]
                    hr_i, header, _consumed = find_header(iter(head_rows), fields)
                    if hr_i is None:
                        dname = {",": "逗号", "\t": "制表符", ";": "分号"}[delim]
                        dname_en = {",": "comma", "\t": "tab", ";": "semicolon"}[delim]
                        fail([msg(lang, f"{inert(path)}: 前几行中没有表头行（按 {enc} 编码、{dname}分隔读取；"
                                        "企业名单需要一行表头，写明企业名称和至少另外两个已知字段）",
                                  f"{inert(path)}: no header row naming the company name and at least two more known "
                                  f"fields in the first rows (read as {enc}, {dname_en}-separated; a roster needs "
                                  "one)")])
                    hr = recs[hr_i - 1][0]
                    for _r, _cells, prob in recs[:hr_i - 1]:
                        if prob is not None:  # a broken row above the header: accounted for too
                            pre_problems.append(prob)
                            pre_unreadable += 1
                    body = recs[hr_i:]
                    rows_iter = ((r, cells if prob is None else prob) for r, cells, prob in body)
                    total = len(body)
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
                _W["roster"] = roster
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
        _W["key"] = initargs

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

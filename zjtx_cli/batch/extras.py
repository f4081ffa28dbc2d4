"""What ``zjtx batch`` adds to each company's row beyond the assessment (issues 13 and 14).

* **Evidence** (always): :func:`evidence_of` runs where the company is scored (a pool worker
  too) and gives the number of 待补证 conditions (met, or an exclusion ruled out, on inputs that
  name no evidence) of the track that decides the verdict, and the documents still to collect
  (``zjtx assess --checklist``'s items). The export shows the number in a column and the
  documents in a sheet of their own.
* ``--evidence required`` (officer mode) is the engine's (``make_ctx(evidence_required=True)``):
  a company that meets every condition only on its word is ``conditional``; the totals count it
  and the batch's exit status is 4 when any company is conditional and every input was read.
* ``--match`` (applicant files only): every programme each company is eligible for now, and its
  cheapest next step, as ``zjtx match`` finds them (:func:`zjtx_cli.match.matcher.run_match`).
* ``--report-dir DIR`` (applicant files only): one ``zjtx report`` per company, named after its
  file, in ``--report-format`` (html, xlsx or pdf), each with its documents still to collect, and
  in officer mode with ``--evidence required`` (conditional verdicts). Every target is checked before any work:
  never an input, never inside the input folder, an existing file only with ``--force``.

A roster has no file per company, and ``match`` and ``report`` read files: with a roster, both
options are refused before any work (one line, exit 2).

:class:`Extras` runs in the parent process, once per company, in input order, after the
company is scored and before its row is written (``Extras.add``). A company whose match or
report fails is reported (file and reason) and the batch goes on; the exit status is then 2.
"""

from __future__ import annotations

import os

REPORT_FORMATS = ("html", "xlsx", "pdf")


def _msg(lang, zh, en):
    return en if lang == "en" else zh


# ------------------------------------------------------------------------------- evidence
def deciding_track(result):
    """The track whose conditions decide the verdict: the one assessed; of a tier, the track it is
    reached by (else the closest); of a ladder, the track its highest tier is reached by (else the
    track the company is working towards)."""
    from zjtx_cli.engine.service import _reaching, closest

    if result.scope == "track":
        return result.track
    if result.scope == "tier":
        return _reaching(result.tracks) or closest(result.tracks)
    lad = result.ladder
    if lad.highest is not None:
        for ts in lad.tiers:
            if ts.tier is lad.highest:
                return _reaching(ts.tracks) or closest(ts.tracks)
    return result.focus


def evidence_of(result, fields, lang, docs=True) -> dict:
    """``{"evidence_needed": n, "evidence_docs": [(document, basis, inputs, conditions), ...]}``
    (the documents only with ``docs``: the checklist costs about a tenth of an assessment)."""
    from zjtx_cli.engine.texts import missing_name
    from zjtx_cli.evidence.checklist import checklist

    a = deciding_track(result)
    n = sum(1 for r in a.results if r.kind in ("required", "exclusion") and r.evidence == "declared"
            and not r.not_examined)
    sep = "、" if lang == "zh" else ", "
    if not docs:
        return {"evidence_needed": n, "evidence_docs": []}
    docs = []
    for it in checklist(result, fields, lang)["items"]:
        names = sep.join(dict.fromkeys(missing_name([x["field"], x["year"]], fields, lang) for x in it["inputs"]))
        docs.append((it["document"], it["basis"], names, sep.join(it["conditions"])))
    return {"evidence_needed": n, "evidence_docs": docs}


def evidence_headers(lang):
    return ["待补证条件数"] if lang == "zh" else ["Conditions awaiting evidence"]


def evidence_sheet_headers(lang):
    return (["企业名称", "来源", "行", "证明材料", "依据", "用于", "条件"] if lang == "zh" else
            ["Company", "Source", "Row", "Document", "Basis", "For", "Conditions"])


# ---------------------------------------------------------------------------------- extras
class Extras:
    """The columns appended to every row, and the per-company ``--match`` / ``--report-dir`` work."""

    def __init__(self, scheme, tier=None, year=None, as_of=None, lang="zh", match=False, report_dir=None,
                 report_format=None, force=False, evidence_required=False):
        self.scheme, self.tier, self.year, self.as_of, self.lang = scheme, tier, year, as_of, lang
        self.evidence_required = evidence_required  # --evidence required: the reports are in officer mode too
        self.match = match
        self.report_dir = os.fspath(report_dir) if report_dir is not None else None
        self.report_format = report_format or "html"
        self.force = force
        self.failed = 0
        self.targets: dict[str, str] = {}  # input file -> report path
        self.protect: list[str] = []
        zh = lang == "zh"
        self.evidence = True
        self.headers = list(evidence_headers(lang))
        self.widths = [10]
        if match:
            self.headers += ["可申报项目", "最省事的下一步"] if zh else ["Eligible programmes", "Cheapest next step"]
            self.widths += [50, 70]

    def set_evidence(self, shown: bool):
        """The 待补证 column is shown in officer mode and in the results workbook; elsewhere
        (CSV, JSON, the terminal) only when asked for, so that plain runs keep the columnar path."""
        if not shown and self.evidence:
            n = len(evidence_headers(self.lang))
            self.headers, self.widths = self.headers[n:], self.widths[n:]
        self.evidence = shown

    # ------------------------------------------------------------------ before any work
    def check_options(self):
        """Usage errors that need no input (exit 2)."""
        from zjtx_cli.terminal import fail

        lang = self.lang
        if self.report_format not in REPORT_FORMATS:
            fail([_msg(lang, f"--report-format 应为 html、xlsx 或 pdf，不能是 {self.report_format!r}",
                       f"--report-format must be html, xlsx or pdf, not {self.report_format!r}")])

    def check_inputs(self, path, files, roster, recursive):
        """Refuse what cannot be done, before any work: match/report on a roster; report files that
        would be an input, sit in the input folder, or exist (without --force)."""
        from zjtx_cli.inputs.text import inert
        from zjtx_cli.terminal import fail

        lang = self.lang
        if not (self.match or self.report_dir is not None):
            return
        if roster is not None:
            opt = " 和 ".join(o for o, on in (("--match", self.match), ("--report-dir", self.report_dir)) if on) \
                if lang == "zh" else " and ".join(o for o, on in (("--match", self.match),
                                                                  ("--report-dir", self.report_dir)) if on)
            fail([_msg(lang, f"{inert(path)}：{opt} 暂不支持企业名单（每行一家企业）；"
                             "请对每家企业的申报文件所在文件夹运行",
                       f"{inert(path)}: {opt} is not supported for a roster (one company per row) yet; "
                       "run it on a folder of applicant files")])
        if self.report_dir is None:
            return
        d = self.report_dir
        shown = inert(d, 200)
        if os.path.lexists(d) and not os.path.isdir(d):
            fail([_msg(lang, f"--report-dir {shown}：不是文件夹", f"--report-dir {shown}: is not a folder")])
        real = os.path.realpath(d)
        parent = real if os.path.isdir(d) else os.path.dirname(real)
        if not os.path.isdir(parent):
            fail([_msg(lang, f"--report-dir {shown}：所在文件夹不存在",
                       f"--report-dir {shown}: its folder does not exist")])
        if not os.access(parent, os.W_OK | os.X_OK):
            fail([_msg(lang, f"--report-dir {shown}：不可写", f"--report-dir {shown}: is not writable")])
        if os.path.isdir(path):
            src = os.path.realpath(path)
            if real == src or (recursive and real.startswith(src.rstrip(os.sep) + os.sep)):
                inside = "（或其子文件夹）" if recursive else ""
                fail([_msg(lang, f"--report-dir {shown}：是输入文件夹{inside}，报告会被当作申报文件读取；请写到别处",
                           f"--report-dir {shown}: is the input folder{' (or inside it)' if recursive else ''}, "
                           "where the reports would be read as applicants; write them elsewhere")])
            base = path
        else:
            base = os.path.dirname(path) or "."
        files = list(files or [path])
        self.protect = files
        ext = "." + self.report_format
        used: set = set()
        for f in files:
            rel = os.path.relpath(f, base) if os.path.isdir(path) else os.path.basename(f)
            stem, fext = os.path.splitext(rel)
            name = stem.replace(os.sep, "__")
            if name.lower() + ext in used:  # a.json and a.xlsx: the second keeps its own extension
                name = f"{name}{fext}"
            k = 2
            base_name = name
            while name.lower() + ext in used:
                name = f"{base_name}-{k}"
                k += 1
            used.add(name.lower() + ext)
            self.targets[f] = os.path.join(d, name + ext)
        existing = [t for t in self.targets.values() if os.path.lexists(t)]
        for t in existing:
            for f in files:
                try:
                    if os.path.samefile(t, f):
                        fail([_msg(lang, f"--report-dir：报告 {inert(t, 200)} 会覆盖输入文件 {inert(f, 200)}",
                                   f"--report-dir: report {inert(t, 200)} would overwrite input file {inert(f, 200)}")])
                except OSError:
                    continue
        if existing and not self.force:
            more = len(existing) - 1
            tail = (f"（另有 {more} 个）" if lang == "zh" else f" (and {more} more)") if more else ""
            fail([_msg(lang, f"--report-dir：{inert(existing[0], 200)} 已存在{tail}；请换一个文件夹，或加 --force 覆盖",
                       f"--report-dir: {inert(existing[0], 200)} already exists{tail}; choose another folder or "
                       "add --force to replace")])

    # ------------------------------------------------------------------ per company
    def add(self, rec) -> list:
        """Append this company's extra cells to ``rec`` (``rec["extra"]``, ``rec["extra_json"]``);
        write its report. Returns the problems met on the way (as the batch reports them: dicts)."""
        lang = self.lang
        n = rec.get("evidence_needed")
        rec["extra"] = [n] if self.evidence else []
        rec["extra_json"] = {"evidence_needed": n} if self.evidence else {}
        problems = []
        src = rec.get("source")
        if self.match:
            eligible = step = None
            try:
                eligible, step = self._match(src)
            except Exception as exc:  # noqa: BLE001 - one company's failure never stops the batch
                problems.append(self._problem(src, rec.get("row"), "--match", exc))
            rec["extra"] += [eligible, step]
            rec["extra_json"].update({"eligible_programmes": eligible, "cheapest_next_step": step})
        if self.report_dir is not None and src in self.targets:
            try:
                self._report(src, self.targets[src])
                rec["extra_json"]["report"] = self.targets[src]
            except Exception as exc:  # noqa: BLE001
                problems.append(self._problem(src, rec.get("row"), "--report-dir", exc))
        self.failed += bool(problems)
        out = []
        for p in problems:
            d = p.to_json()
            d["line"] = p.line(lang)
            d["company_scored"] = True  # the company was assessed; only this extra failed
            out.append(d)
        return out

    def _problem(self, src, row, what, exc):
        from zjtx_cli.inputs.model import Problem
        from zjtx_cli.inputs.safety import OutputError
        from zjtx_cli.match.service import AssessFailed

        if isinstance(exc, AssessFailed):
            why = "; ".join(exc.lines)
            why_zh = why
        elif isinstance(exc, OutputError):
            why, why_zh = str(exc), exc.reason_zh
        elif isinstance(exc, OSError):
            why = why_zh = str(exc.strerror or exc)
        else:
            text = str(exc).splitlines()[0] if str(exc) else ""
            why = f"{type(exc).__name__}: {text[:120]} (please report it)"
            why_zh = f"{type(exc).__name__}：{text[:120]}（请报告此问题）"
        label = {"--match": ("匹配失败", "match failed"), "--report-dir": ("报告未写出", "report not written")}[what]
        return Problem(str(src), what, f"{label[1]}: {why}", row=row, reason_zh=f"{label[0]}：{why_zh}")

    def _match(self, src):
        from zjtx_cli.match.matcher import run_match
        from zjtx_cli.match.render import cheapest_line, clean

        lang = self.lang
        # the match's warnings are the file's own (reported by the batch already) or notes on
        # schemes whose period has ended (grouped as 'for reference' in the match itself)
        doc, _warnings = run_match(src, lang=lang, as_of=self.as_of, year=self.year)
        sep = "；" if lang == "zh" else "; "
        eligible = sep.join(clean(f"{e['tier_name'][lang]} [{e['scheme']}/{e['tier']}]")
                            for e in doc["groups"]["eligible"]) or ("无" if lang == "zh" else "none")
        step = cheapest_line(doc, lang)
        for prefix in ("最省事的下一步：", "Cheapest next step: "):
            if step.startswith(prefix):
                step = step[len(prefix):]
        return eligible, step

    def _report(self, src, target):
        from zjtx_cli.outputs.deliverable.command import write_report
        from zjtx_cli.outputs.deliverable.model import build

        m = build(src, scheme=self.scheme, tier=self.tier, lang=self.lang, as_of=self.as_of, year=self.year,
                  evidence_required=self.evidence_required)
        assert self.report_dir is not None  # _report is only called with --report-dir
        if not os.path.isdir(self.report_dir):
            os.mkdir(self.report_dir)
        if os.path.lexists(target) and not self.force:  # appeared since the check
            from zjtx_cli.inputs.safety import OutputError

            raise OutputError(target, "already exists (add --force to replace)", "已存在（加 --force 可覆盖）")
        write_report(m, target, protect=self.protect)

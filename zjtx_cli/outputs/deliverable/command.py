"""`zjtx report`: check the options, build the report model, write .xlsx / .html / .pdf atomically."""

from __future__ import annotations

import os
import sys

FORMATS = (".xlsx", ".html", ".pdf")


def write_report(m, out, protect=()):
    """Write the model to ``out`` (format by extension), atomically, never over a ``protect`` file."""
    from zjtx_cli.inputs.safety import atomic_save, atomic_write_bytes

    ext = os.path.splitext(os.fspath(out))[1].lower()
    if ext == ".html":
        from zjtx_cli.outputs.deliverable.html import render

        atomic_write_bytes(out, render(m).encode("utf-8"), protect=protect)
    elif ext == ".xlsx":
        from zjtx_cli.outputs.deliverable.xlsx import build_workbook

        wb = build_workbook(m)
        atomic_save(out, wb.save, protect=protect)
    elif ext == ".pdf":
        from zjtx_cli.outputs.deliverable.pdf import build_pdf

        atomic_save(out, lambda tmp: build_pdf(m, tmp), protect=protect)
    else:  # pragma: no cover - checked by the caller
        raise ValueError(ext)


def run_report_command(file, out, scheme=None, tier=None, with_match=False, lang="zh", as_of=None, region=None,
                       year=None, force=False, evidence=None) -> int:
    from zjtx_cli.inputs.safety import OutputError
    from zjtx_cli.match.render import clean
    from zjtx_cli.match.service import AssessFailed
    from zjtx_cli.options import check_evidence_option, check_lang, parse_as_of
    from zjtx_cli.terminal import fail, msg, warn

    check_lang(lang)
    evidence_required = check_evidence_option(evidence, lang)
    as_of_date = parse_as_of(as_of, lang)
    out = os.fspath(out)
    ext = os.path.splitext(out)[1].lower()
    if ext not in FORMATS:
        fail([msg(lang, f"{out}：报告须为 .xlsx、.html 或 .pdf 文件",
                  f"{out}: a report is a .xlsx, .html or .pdf file")])
    if not scheme and not with_match:
        fail([msg(lang, "请给出 --scheme（或 --match 报告全部方案）",
                  "give --scheme (or --match for every programme)")])
    if tier and not scheme:
        fail([msg(lang, "--tier 需要同时给出 --scheme", "--tier needs --scheme")])
    if os.path.isdir(out):
        fail([msg(lang, f"{out}：是一个目录", f"{out}: is a folder")])
    if os.path.exists(out) and not force:
        fail([msg(lang, f"{out}：文件已存在；请换一个文件名，或加 --force 覆盖",
                  f"{out}: already exists; choose another name or add --force to replace it")])
    parent = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(parent):
        fail([msg(lang, f"{out}：目录 {parent} 不存在", f"{out}: folder {parent} does not exist")])
    if os.path.exists(out) and os.path.exists(file) and os.path.samefile(out, file):
        fail([msg(lang, f"{out}：会覆盖输入文件", f"{out}: would overwrite the input file")])
    from zjtx_cli.outputs.deliverable.model import build

    try:
        m = build(file, scheme=scheme, tier=tier, lang=lang, as_of=as_of_date, year=year, with_match=with_match,
                  region=region, evidence_required=evidence_required)
    except AssessFailed as exc:
        fail([clean(x) for x in exc.lines], exc.code if exc.code in (1, 2, 3) else 2)
    for x in m["warnings"]:
        warn(clean(x))
    try:
        write_report(m, out, protect=[file])
    except OutputError as exc:
        fail([str(exc)])
    except OSError as exc:
        fail([f"{out}: " + msg(lang, "无法写入：", "cannot write: ") + str(exc.strerror or exc)])
    sys.stderr.write(f"zjtx: {msg(lang, '已写入', 'wrote')} {out}\n")
    return 0

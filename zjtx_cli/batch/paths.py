"""What ``zjtx batch`` reads and writes, checked before any work: the entries of an input
folder (nothing skipped without a word), the ``--out`` checks (never an input, writable),
and a roster workbook's sheet."""

from __future__ import annotations

import os

from zjtx_cli.inputs.model import Problem
from zjtx_cli.inputs.text import inert


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
        from zjtx_cli.inputs.atomic import same_file

        if same_file(os.path.normcase(real), st, path):
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

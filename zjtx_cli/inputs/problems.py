"""Problems that name a whole input file: unreadable, refused by the guards, not a spreadsheet."""

from __future__ import annotations

import errno

from zjtx_cli.inputs.model import InputError, Problem
from zjtx_cli.inputs.text import inert

_OS_ZH = {errno.ENOENT: "文件不存在", errno.EACCES: "没有读取权限", errno.EPERM: "没有读取权限",
          errno.EISDIR: "是文件夹，不是文件", errno.ENOTDIR: "路径中有一段不是文件夹",
          errno.ENAMETOOLONG: "文件名过长"}


def oserror_problem(path, exc: OSError) -> Problem:
    """A file that the system would not let us read (missing, no permission …)."""
    why = exc.strerror or str(exc)
    zh = _OS_ZH.get(exc.errno, why) if exc.errno is not None else why
    return Problem(str(path), None, f"cannot read file: {why}", reason_zh=f"无法读取文件：{zh}")


def unsafe_problem(path, exc) -> Problem:
    """A file refused by :mod:`safety` (``UnsafeInput``), with its Chinese reason."""
    return Problem(str(path), None, exc.reason, reason_zh=getattr(exc, "zh", None) or "不安全，已拒绝处理")



def not_a_spreadsheet(path, kind) -> Problem:
    what = {"empty": ("an empty file", "空文件"), "binary": ("a binary file", "二进制文件"),
            "zip": ("a zip archive", "zip 压缩包"), "text": ("a text file", "文本文件"),
            "json": ("a JSON file", "JSON 文件")}.get(kind, (kind, kind))
    return Problem(str(path), None, f"unsupported file type: not a spreadsheet ({what[0]}; use .xlsx, .xls, .et, "
                                    ".xlsb, .ods or .json)",
                   reason_zh=f"不支持的文件类型：不是电子表格（{what[1]}；"
                             "请用 .xlsx、.xls、.et、.xlsb、.ods 或 .json）")



def not_readable(path, exc, kind="xlsx") -> InputError:
    msg = inert(str(exc).splitlines()[0] if str(exc).strip() else type(exc).__name__, 120)
    return InputError([Problem(str(path), None, f"not a readable {kind} workbook ({msg})",
                               reason_zh=f"不是有效的 {kind} 工作簿（{msg}）")])



"""Atomic output: a temporary file in the same directory, then ``os.replace``; never over an input.

:func:`atomic_write_bytes`, :func:`atomic_save` (writers that take a path),
:func:`write_csv` and :func:`open_csv_stream` (UTF-8 with BOM, every cell through
:func:`~zjtx_cli.inputs.export_text.cell_value`). ``csv`` is imported when first needed.
"""

import os
import stat

from zjtx_cli.inputs.export_text import cell_value
from zjtx_cli.inputs.limits import OutputError, shown


def _as_paths(protect) -> list[str]:
    if isinstance(protect, (str, bytes, os.PathLike)):
        protect = (protect,)
    return [os.fsdecode(p) for p in protect if p is not None]


def same_file(real: str, st, other: str) -> bool:
    """Whether ``other`` is the file whose normalised real path is ``real`` (``st``: its ``os.stat``, or
    None when it does not exist yet): the same path after links are resolved, or the same device and
    inode (a hard link)."""
    if os.path.normcase(os.path.realpath(other)) == real:
        return True
    if st is None:
        return False
    try:
        return os.path.samestat(st, os.stat(other))
    except OSError:
        return False


def _check_target(path: str, protect: list[str]) -> None:
    """Refuse to write ``path`` if it is a directory or the same file as an input."""
    if os.path.isdir(path):
        raise OutputError(path, "it is a directory", "目标是一个目录")
    real = os.path.normcase(os.path.realpath(path))
    try:
        target_st = os.stat(path)
    except OSError:
        target_st = None
    for p in protect:
        if same_file(real, target_st, p):
            raise OutputError(
                path,
                f"would overwrite input file {shown(p)}",
                f"会覆盖输入文件 {shown(p)}",
            )


def _create_temp(path: str) -> tuple[str, int]:
    """Create a new temporary file next to ``path``; returns (name, fd).

    The name keeps ``path``'s extension (writers that choose a format by
    extension still work); the mode is 0o666 less the umask, like a normal
    ``open(path, 'w')``.
    """
    directory, base = os.path.split(path)
    stem, ext = os.path.splitext(base)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = os.path.join(directory, f".{stem[:60]}.{os.urandom(4).hex()}.tmp{ext[:16]}")
        try:
            return tmp, os.open(tmp, flags, 0o666)
        except FileExistsError:
            continue
    raise FileExistsError(f"cannot create a temporary file next to {path}")


def _discard(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except OSError:
        pass


def _commit(tmp: str, path: str, protect: list[str]) -> None:
    """fsync ``tmp``, give it the old target's permissions, and move it into place."""
    try:
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass
    _check_target(path, protect)  # again: the target may have appeared meanwhile
    try:
        st = os.stat(path)
    except OSError:
        pass
    else:
        if stat.S_ISREG(st.st_mode):
            try:
                os.chmod(tmp, stat.S_IMODE(st.st_mode))
            except OSError:
                pass
    os.replace(tmp, path)


def atomic_write_bytes(path, data: bytes, *, protect=()) -> None:
    """Write ``data`` to ``path`` atomically; never overwrites a ``protect`` file.

    A symlink at ``path`` is replaced, not followed (but one pointing at an
    input file is refused).  Raises OutputError; I/O errors propagate as OSError.
    """
    path = os.fsdecode(path)
    protect = _as_paths(protect)
    _check_target(path, protect)
    tmp, fd = _create_temp(path)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        _commit(tmp, path, protect)
    except BaseException:
        _discard(tmp)
        raise


def atomic_save(path, save_fn, *, protect=()) -> None:
    """Like :func:`atomic_write_bytes` for writers that take a path.

    ``save_fn(tmp_path)`` must write the whole file to ``tmp_path`` (e.g.
    ``workbook.save``); it is moved to ``path`` only if ``save_fn`` returns.
    """
    path = os.fsdecode(path)
    protect = _as_paths(protect)
    _check_target(path, protect)
    tmp, fd = _create_temp(path)
    os.close(fd)
    try:
        save_fn(tmp)
        _commit(tmp, path, protect)
    except BaseException:
        _discard(tmp)
        raise


class _CsvStream:
    """Context manager returned by :func:`open_csv_stream`."""

    def __init__(self, path, protect):
        self.path = os.fsdecode(path)
        self._protect = _as_paths(protect)
        self._tmp: str | None = None
        self._file = None
        self._writer = None
        self.rows_written = 0

    def __enter__(self):
        import csv

        if self._tmp is not None:
            raise RuntimeError("open_csv_stream() context entered twice")
        _check_target(self.path, self._protect)
        self._tmp, fd = _create_temp(self.path)
        try:
            self._file = os.fdopen(fd, "w", encoding="utf-8-sig", newline="")
        except BaseException:
            os.close(fd)
            _discard(self._tmp)
            raise
        self._writer = csv.writer(self._file)
        return self

    def writerow(self, row) -> None:
        if self._writer is None:
            raise RuntimeError("writerow() outside the open_csv_stream() context")
        self._writer.writerow([cell_value(v) for v in row])
        self.rows_written += 1

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)

    def __exit__(self, exc_type, exc, tb):
        file, self._file, self._writer = self._file, None, None
        tmp = self._tmp
        assert file is not None and tmp is not None  # __enter__ opened both or raised
        try:
            file.close()
            if exc_type is None:
                _commit(tmp, self.path, self._protect)
        except BaseException:
            _discard(tmp)
            raise
        if exc_type is not None:
            _discard(tmp)
        return False


def open_csv_stream(path, *, protect=()):
    """Stream CSV rows to ``path`` without holding them in memory.

    ``with open_csv_stream(p, protect=inputs) as out: out.writerow([...])`` —
    rows go to a temporary file next to ``p`` (UTF-8 with BOM, cells through
    :func:`cell_value`), which replaces ``p`` when the block exits normally and
    is deleted if it raises.
    """
    return _CsvStream(path, protect)


def write_csv(path, rows, *, protect=()) -> None:
    """Write ``rows`` (an iterable of lists) as an Excel-friendly CSV, atomically.

    UTF-8 with BOM, every str cell through :func:`clean_text`, numbers
    unchanged; streams, so ``rows`` may be a generator.
    """
    with open_csv_stream(path, protect=protect) as out:
        for row in rows:
            out.writerow(row)

"""Reading untrusted workbooks where a crash costs only that read.

The native reader (python-calamine) can abort the whole process, panic, or
allocate gigabytes on a hostile file. :mod:`safety` refuses what it can see
(sheet extents, zip sizes) before the reader runs; what it cannot see (legacy
``.xls`` / WPS ``.et`` / ``.xlsb`` / ``.ods`` files, large workbooks) is read
in a *capped reader*: one long-lived child process, forked once and reused for
every such file, with

* an address-space limit (``RLIMIT_AS``): what it started with plus
  ``limits.READ_MEMORY`` (768 MiB);
* a CPU budget per file (``RLIMIT_CPU`` raised before each read to what was
  used plus ``limits.READ_CPU_SECONDS``), and a wall-clock limit of twice that;
* ``PR_SET_PDEATHSIG`` (Linux), so it never outlives its parent.

If the child dies (abort, out of memory, CPU budget, a signal), the file is
reported with the reason and a new child is forked for the next file.
Elsewhere than on POSIX the read runs in-process.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import sys

_HDR = struct.Struct("!Q")


class ReaderCrashed(Exception):
    """The capped reader died on a file; ``reason`` / ``zh`` say how."""

    def __init__(self, reason, zh):
        super().__init__(reason)
        self.reason, self.zh = reason, zh


def _set_pdeathsig():
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except Exception:
            pass


def _vsize() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def _read_exact(fd, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = os.read(fd, n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return bytes(buf)


def _send(fd, obj):
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_HDR.pack(len(data)) + data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _child(rfd, wfd):
    import resource

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _set_pdeathsig()
    if "faulthandler" in sys.modules:  # a crash here is reported by the parent, not dumped
        sys.modules["faulthandler"].disable()
    from zjtx_cli.inputs import limits

    try:
        limit = _vsize() + limits.READ_MEMORY
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):
        pass
    while True:
        try:
            n = _HDR.unpack(_read_exact(rfd, _HDR.size))[0]
            fn, args = pickle.loads(_read_exact(rfd, n))
        except EOFError:
            os._exit(0)
        try:
            ru = resource.getrusage(resource.RUSAGE_SELF)
            used = int(ru.ru_utime + ru.ru_stime) + 1
            hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
            soft = used + limits.READ_CPU_SECONDS
            if hard != resource.RLIM_INFINITY:
                soft = min(soft, hard)
            resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
        except (ValueError, OSError):
            pass
        try:
            result = ("ok", fn(*args))
        except MemoryError:
            result = ("crash", "memory")
        except BaseException as exc:  # noqa: BLE001 - a pyo3 panic is a BaseException
            result = ("err", exc)
        try:
            _send(wfd, result)
        except Exception as exc:  # an unpicklable error: send its text
            _send(wfd, ("err", RuntimeError(f"{type(exc).__name__}: {exc}")))


class CappedReader:
    """One child process that runs ``fn(*args)`` under the caps; see the module docstring."""

    def __init__(self):
        self.owner = os.getpid()
        self.pid: int | None = None
        self.rfd: int | None = None  # our ends of the two pipes while a child runs
        self.wfd: int | None = None

    def _start(self):
        from zjtx_cli.inputs import limits  # noqa: F401 - loaded before the fork

        c_r, p_w = os.pipe()
        p_r, c_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            try:
                os.close(p_w)
                os.close(p_r)
                _child(c_r, c_w)
            finally:
                os._exit(0)
        os.close(c_r)
        os.close(c_w)
        self.pid, self.rfd, self.wfd = pid, p_r, p_w

    def _reap(self, kill=False):
        pid, self.pid = self.pid, None
        for fd in (self.rfd, self.wfd):
            if fd is None:
                continue
            try:
                os.close(fd)
            except OSError:
                pass
        self.rfd = self.wfd = None
        if pid is None:
            return None
        if kill:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            _pid, status = os.waitpid(pid, 0)
        except ChildProcessError:
            return None
        return status

    def call(self, fn, *args):
        from zjtx_cli.inputs import limits

        if self.pid is None:
            self._start()
        try:
            _send(self.wfd, (fn, args))
        except OSError:
            self._reap(kill=True)
            self._start()
            _send(self.wfd, (fn, args))
        import select

        wall = 2 * limits.READ_CPU_SECONDS
        assert self.rfd is not None  # _start() opened the pipes or raised
        ready, _, _ = select.select([self.rfd], [], [], wall)
        if not ready:
            self._reap(kill=True)
            raise ReaderCrashed(f"reading took more than {wall} s and was stopped",
                                f"读取超过 {wall} 秒，已停止")
        try:
            n = _HDR.unpack(_read_exact(self.rfd, _HDR.size))[0]
            kind, value = pickle.loads(_read_exact(self.rfd, n))
        except (EOFError, OSError, pickle.UnpicklingError):
            status = self._reap(kill=False)
            raise _crash(status) from None
        if kind == "ok":
            return value
        if kind == "crash":
            self._reap(kill=True)
            raise _crash(None, memory=True)
        raise value

    def close(self):
        if self.pid is not None:
            self._reap(kill=True)


def _crash(status, memory=False) -> ReaderCrashed:
    from zjtx_cli.inputs import limits

    mib = limits.READ_MEMORY // (1024 * 1024)
    sig = os.WTERMSIG(status) if status is not None and os.WIFSIGNALED(status) else None
    if sig == signal.SIGXCPU:
        return ReaderCrashed(f"reading used more than {limits.READ_CPU_SECONDS} s of CPU and was stopped",
                             f"读取耗用 CPU 超过 {limits.READ_CPU_SECONDS} 秒，已停止")
    if memory or sig in (signal.SIGABRT, signal.SIGSEGV, signal.SIGKILL, signal.SIGBUS):
        return ReaderCrashed(f"the spreadsheet reader ran out of its {mib} MiB memory budget or crashed on this "
                             "file (corrupt or hostile workbook)",
                             f"读取该文件时超出 {mib} MiB 内存预算或读取程序崩溃（文件已损坏或恶意构造）")
    return ReaderCrashed("the spreadsheet reader crashed on this file (corrupt or hostile workbook)",
                         "读取程序在该文件上崩溃（文件已损坏或恶意构造）")


_READER: CappedReader | None = None


def run_capped(fn, *args):
    """``fn(*args)`` in the shared capped reader (in-process where fork is unavailable)."""
    global _READER
    if not hasattr(os, "fork"):
        return fn(*args)
    if _READER is None or _READER.owner != os.getpid():  # none yet, or the parent's (a forked pool worker)
        _READER = CappedReader()
    return _READER.call(fn, *args)


def shutdown():
    global _READER
    if _READER is not None and _READER.owner == os.getpid():
        _READER.close()
        _READER = None


def reset_after_fork():
    """In a forked pool worker: the parent's reader child is not ours."""
    global _READER
    _READER = None

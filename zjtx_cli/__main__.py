"""``python -m zjtx_cli`` and the ``zjtx`` console script.

Clean stops: Ctrl-C prints ``zjtx: interrupted`` and exits 130; SIGTERM prints
``zjtx: terminated`` and exits 143 — in both cases after the code in between
has cleaned up (temporary files beside ``--out`` removed, the previous
``--out`` left as it was, pool workers and the reader process stopped). No
traceback, and no "Exception ignored" noise from library destructors at exit.
"""

from __future__ import annotations

import sys


class Terminated(SystemExit):
    """Raised by the SIGTERM handler, so that ``finally`` blocks and atexit run."""


class Interrupted(SystemExit):
    """Raised by the SIGINT handler: a SystemExit, so that no library turns it into its own exit."""


def _on_sigterm(signum, frame):
    import signal

    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # once is enough
    raise Terminated(143)


def _on_sigint(signum, frame):
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise Interrupted(130)


def _quiet_unraisable(unraisable):
    """Errors in destructors at exit (an interrupted write) are not the user's concern."""


def _setup():
    import signal

    try:
        signal.signal(signal.SIGTERM, _on_sigterm)
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not when started with it ignored
            signal.signal(signal.SIGINT, _on_sigint)
    except (ValueError, OSError):  # not the main thread
        pass
    sys.unraisablehook = _quiet_unraisable
    for stream in (sys.stdout, sys.stderr):
        try:
            # never a UnicodeEncodeError on output; a replaced stream without reconfigure() is left alone
            stream.reconfigure(errors="replace")  # type: ignore[union-attr]
        except (AttributeError, ValueError):
            pass


def _broken_pipe():
    import os

    try:  # the reader went away (| head): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
    return 141


def _cleanup():
    isolate = sys.modules.get("zjtx_cli.inputs.isolate")  # only if a capped reader may have been started
    if isolate is not None:
        try:
            isolate.shutdown()
        except Exception:
            pass


def _stop_now(code, word):
    """After Ctrl-C / SIGTERM: stop children, remove spool files, one line, and exit at once.

    The interpreter's own exit is skipped (``os._exit``): its atexit hooks join
    pool threads and locks that the signal may have interrupted mid-way, and
    could wait forever. What they would have cleaned is cleaned here.
    """
    import os

    _cleanup()
    mp = sys.modules.get("multiprocessing")
    if mp is not None:
        try:
            for child in mp.active_children():
                child.terminate()
        except Exception:
            pass
    writer = sys.modules.get("openpyxl.worksheet._writer")  # write-only sheets spool rows to TMPDIR
    for name in list(getattr(writer, "ALL_TEMP_FILES", ()) or ()):
        try:
            os.remove(name)
        except OSError:
            pass
    try:
        sys.stdout.flush()
    except Exception:
        pass
    try:
        sys.stderr.write(f"zjtx: {word}\n")
        sys.stderr.flush()
    except Exception:
        pass
    os._exit(code)


def main():
    _setup()
    try:
        from zjtx_cli.cli.fastpath import try_main

        code = try_main(sys.argv[1:])
        if code is None:
            from zjtx_cli.cli.app import main as _main

            _main()
    except Terminated:
        _stop_now(143, "terminated")
    except (KeyboardInterrupt, Interrupted):
        _stop_now(130, "interrupted")
    except BrokenPipeError:
        raise SystemExit(_broken_pipe()) from None
    except SystemExit:
        _finished()
        raise
    _finished()
    raise SystemExit(code)


def _finished():
    """The run is over and its output written: a Ctrl-C or SIGTERM arriving now (while the
    interpreter shuts down) must not turn a finished run into a killed one."""
    import signal

    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    except (ValueError, OSError):  # not the main thread
        pass
    _cleanup()


if __name__ == "__main__":
    main()

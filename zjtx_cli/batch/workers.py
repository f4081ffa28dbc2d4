"""The work of ``zjtx batch``, in the main process or a process pool: scoring files and
chunks of roster rows (with the columnar statuses of a chunk when they can be had), and
the pool that keeps order and loses nothing when a worker dies."""

from __future__ import annotations

import os
import sys
from typing import Any

from zjtx_cli.batch.paths import _unreadable
from zjtx_cli.batch.scoring import MemoFields, Scorer, _pjson
from zjtx_cli.inputs.model import InputError, Problem

# --------------------------------------------------------------------------- workers
WORKER_STATE: dict = {}  # what a worker process (or the serial path) keeps between tasks: fields, scorer, roster, key


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
    if WORKER_STATE.get("key") == (scheme_path, tier, year, as_of, lang, want_json, roster_args, evidence_required):
        return  # forked from the parent: everything is loaded already
    from zjtx_cli.inputs.fields import field_dictionary
    from zjtx_cli.rules.loader import load_ruleset

    fields = MemoFields(field_dictionary())
    rs = load_ruleset(scheme_path)
    WORKER_STATE["fields"] = fields
    WORKER_STATE["scorer"] = Scorer(rs, fields, tier, year, as_of, lang, want_json, evidence_required)
    if roster_args is not None:
        from zjtx_cli.inputs.roster import Roster

        path, header, header_row, kind, sheet_index = roster_args
        WORKER_STATE["roster"] = Roster(path, fields, header, header_row, kind=kind, sheet_index=sheet_index)
    WORKER_STATE["key"] = (scheme_path, tier, year, as_of, lang, want_json, roster_args, evidence_required)


def _score_file(path):
    from zjtx_cli.inputs.reader import read_enterprise

    fields, scorer = WORKER_STATE["fields"], WORKER_STATE["scorer"]
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
    roster, scorer = WORKER_STATE["roster"], WORKER_STATE["scorer"]
    if chunk and hasattr(chunk[0][1], "unc"):  # streamed xlsx rows carry their percent/formula marks
        from zjtx_cli.batch.xlsxrows import mark_chunk

        mark_chunk(roster, chunk)
    out = []
    fast = _read_columns(roster, scorer, chunk)
    for j, (r, cells) in enumerate(chunk):
        if isinstance(cells, Problem):  # a row the CSV reader could not split
            out.append((None, [_pjson(cells, scorer.lang)]))
            continue
        e = fast[j]
        if e is not None:
            out.append((r, e))
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


def _read_columns(roster, scorer, chunk) -> list:
    """The chunk's rows read column by column (zjtx_cli.inputs.roster_columns) where that gives
    what Roster.row gives; None for every other row (and for all of them with the columnar path
    off: ZJTX_COLUMNAR=0 is the reference the identity test compares with). Also for the rows
    the explanatory engine scores (--out .jsonl, evidence states): reading does not depend on it."""
    if not switched_on():
        return [None] * len(chunk)
    try:
        from zjtx_cli.inputs.roster_columns import read_chunk

        return read_chunk(roster, chunk)
    except Exception:  # noqa: BLE001 - anything unexpected: every row takes the general path
        return [None] * len(chunk)


_FORKED_WITH_POLARS = [False]


def _after_fork_in_child():
    # polars' thread pool does not survive fork(): a child forked from a process that had loaded
    # polars deadlocks on its first polars call (measured). Such a child takes the per-row path.
    if "polars" in sys.modules:
        _FORKED_WITH_POLARS[0] = True


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def columnar_mode() -> str:
    """``ZJTX_COLUMNAR``: ``0`` (off: the general path on every row, cells by Roster.row and the
    explanatory engine on every company: the reference the identity test compares with), ``1``
    (on wherever it applies) or unset (auto: where it saves time, see :func:`columnar_enabled`)."""
    v = os.environ.get("ZJTX_COLUMNAR", "").strip().lower()
    if v in ("0", "off", "no", "false"):
        return "off"
    return "on" if v in ("1", "on", "yes", "true") else "auto"


def switched_on() -> bool:
    """False when ZJTX_COLUMNAR=0 (the general path on every row)."""
    return columnar_mode() != "off"


def columnar_enabled(scorer) -> bool:
    """The columnar statuses: rosters only, not for --out .jsonl (it needs every explanation),
    nor when the evidence states are shown (--evidence required, the xlsx 待补证 column: they
    come from the explanatory engine's whole result), nor for a scope of one track (a row that
    is not eligible shows that track's gaps, so the explanatory engine evaluates it anyway: on
    2,000 hengyang rows the columnar pass cost 7% more CPU, on miit-2022 / miit-2026 ladders it
    saved 20%) unless ZJTX_COLUMNAR=1 asks for it, and not when ZJTX_COLUMNAR=0."""
    if scorer.want_json or scorer.show_evidence:
        return False
    mode = columnar_mode()
    return mode == "on" or (mode == "auto" and len(scorer.scope_tracks) > 1)


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

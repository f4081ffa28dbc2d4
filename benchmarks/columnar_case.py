"""Benchmark case (e): the columnar status evaluation of a roster beside the bare read.

    python benchmarks/columnar_case.py bare FILE            # only read the rows (calamine / csv)
    python benchmarks/columnar_case.py zjtx FILE SCHEME     # read, parse the cells, decide every status

Prints one JSON line: seconds spent reading, turning cells into enterprises (the roster
reader with its data checks) and deciding the statuses of every tier of SCHEME with
zjtx_cli.batch.columnar, the verdict distribution, and the tier statuses.
Run by benchmarks/run.py as whole processes (start-up and imports included).
"""

from __future__ import annotations

import collections
import csv
import datetime as dt
import json
import sys
import time


def read_rows(path):
    if path.lower().endswith(".csv"):
        with open(path, encoding="utf-8-sig", newline="") as fh:
            yield from csv.reader(fh)
    else:
        import python_calamine as pc

        yield from pc.CalamineWorkbook.from_path(path).get_sheet_by_index(0).iter_rows()


def main(argv):
    what, path = argv[0], argv[1]
    t0 = time.perf_counter()
    if what == "bare":
        n = sum(1 for _row in read_rows(path))
        print(json.dumps({"rows": n, "read_s": time.perf_counter() - t0, "cpu_s": time.process_time()}))
        return
    scheme = argv[2]
    as_of = dt.date(2026, 6, 30)
    from zjtx_cli.batch.columnar import columnar_statuses
    from zjtx_cli.inputs.fields import field_dictionary
    from zjtx_cli.inputs.model import InputError
    from zjtx_cli.inputs.roster import Roster

    fields = field_dictionary()
    t_read = t_parse = t_eval = cpu_eval = 0.0
    verdicts: collections.Counter = collections.Counter()
    tiers: dict = {}
    engine = bad = n = 0
    it = read_rows(path)
    t = time.perf_counter()
    header = next(it)
    roster = Roster(path, fields, header, 1)
    chunk: list = []
    t_read += time.perf_counter() - t

    def flush():
        nonlocal t_eval, engine, cpu_eval
        t1, c1 = time.perf_counter(), time.process_time()
        st = columnar_statuses(scheme, None, chunk, as_of=as_of)
        t_eval += time.perf_counter() - t1
        cpu_eval += time.process_time() - c1
        verdicts.update(st.verdict)
        engine += sum(st.engine)
        for tid, col in st.tiers.items():
            tiers.setdefault(tid, collections.Counter()).update(col)
        chunk.clear()

    r = 1
    while True:
        t = time.perf_counter()
        cells = next(it, None)
        t_read += time.perf_counter() - t
        if cells is None:
            break
        r += 1
        t = time.perf_counter()
        try:
            e = roster.row(r, cells)
        except InputError:
            bad += 1
            e = None
        t_parse += time.perf_counter() - t
        if e is None:
            continue
        n += 1
        chunk.append(e)
        if len(chunk) >= 20000:  # batches of 20,000 rows keep memory flat
            flush()
    if chunk:
        flush()
    print(json.dumps({"rows": n, "bad_rows": bad, "engine_rows": engine, "read_s": t_read, "parse_s": t_parse,
                      "columnar_s": t_eval, "columnar_cpu_s": cpu_eval, "cpu_s": time.process_time(),
                      "total_s": time.perf_counter() - t0, "verdicts": dict(verdicts),
                      "tiers": {k: dict(v) for k, v in tiers.items()}}, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])

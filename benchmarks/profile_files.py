"""Where case (a)'s per-file time goes: read_enterprise + scoring in-process, over a folder.

    python benchmarks/profile_files.py benchmarks/data/folder-v3-1000 [hengyang]

Does what a batch worker does for each file (zjtx_cli/batch/workers.py: read_enterprise,
then Scorer.score as ``zjtx batch`` without ``--out``), after one warm pass, first timed
plainly (CPU per file), then under cProfile, and prints the inclusive time of each step
per file, beside a bare python-calamine read of the same files (from_path + to_python).
cProfile's own overhead inflates the Python-heavy steps; the shares are what to read.
"""

from __future__ import annotations

import cProfile
import datetime as dt
import os
import pstats
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

# (label, module file suffix, function name): inclusive (cumulative) time of each
STEPS = [
    ("read_enterprise (whole read)", "inputs/reader.py", "read_enterprise"),
    ("  one read of the bytes (read_whole)", "inputs/sniff.py", "read_whole"),
    ("  sniffing", "inputs/sniff.py", "sniff"),
    ("  zip/XML guard (check_xlsx_bytes)", "inputs/zipcheck.py", "check_xlsx_bytes"),
    ("  calamine + sheet choice (_native_rows)", "inputs/workbook.py", "_native_rows"),
    ("  label/value reading (read_rows)", "inputs/label_sheet.py", "read_rows"),
    ("    data checks (check_enterprise)", "inputs/checks.py", "check_enterprise"),
    ("  roster-header test (find_header)", "inputs/roster.py", "find_header"),
    ("  sheet warnings", "inputs/workbook.py", "sheet_warnings"),
    ("evaluation + batch record (Scorer.score)", "batch/scoring.py", "score"),
    ("  assessment (service.assess)", "engine/service.py", "assess"),
]


def main():
    folder = sys.argv[1]
    args = [a for a in sys.argv[2:] if not a.startswith("--")]
    scheme = args[0] if args else "hengyang"
    import python_calamine as pc

    from zjtx_cli.batch.scoring import MemoFields, Scorer
    from zjtx_cli.inputs.fields import field_dictionary
    from zjtx_cli.inputs.reader import read_enterprise
    from zjtx_cli.rules.schemes import resolve_scheme

    files = [os.path.join(folder, f) for f in sorted(os.listdir(folder)) if f.endswith(".xlsx")]
    n = len(files)
    fields = MemoFields(field_dictionary())
    scorer = Scorer(resolve_scheme(scheme, dt.date.today()), fields, None, None, dt.date.today(), "zh", False)
    scorer.gaps_sheet = False  # as batch without --out: only the largest gap's text

    def bare():
        for f in files:
            pc.CalamineWorkbook.from_path(f).get_sheet_by_index(0).to_python()

    def read_all():
        return [read_enterprise(f, fields) for f in files]

    def zjtx():
        for f in files:
            scorer.score(read_enterprise(f, fields))

    zjtx()  # warm: imports, the label layout cache
    bare()

    def cpu(fn, reps=3):
        best = None
        for _ in range(reps):
            t = time.process_time()
            fn()
            d = time.process_time() - t
            best = d if best is None or d < best else best
        return best

    t_bare, t_read, t_all = cpu(bare), cpu(read_all), cpu(zjtx)
    print(f"{n} files, {scheme}, CPU per file (best of 3, no profiler): bare calamine {1e3 * t_bare / n:.3f} ms; "
          f"read_enterprise {1e3 * t_read / n:.3f} ms; read + score {1e3 * t_all / n:.3f} ms "
          f"({t_all / t_bare:.1f}x the bare read; scoring {1e3 * (t_all - t_read) / n:.3f} ms)")
    from zjtx_cli.inputs.workbook import _native_rows
    from zjtx_cli.inputs.zipcheck import check_xlsx_bytes

    blobs = []
    for f in files:
        with open(f, "rb") as fh:
            blobs.append((f, fh.read()))
    t_guard = cpu(lambda: [check_xlsx_bytes(f, b) for f, b in blobs])
    t_cal = cpu(lambda: [_native_rows(f, "xlsx", b) for f, b in blobs])
    rest = t_read - t_guard - t_cal
    print(f"  of read_enterprise, timed alone: zip/XML guard on the bytes {1e3 * t_guard / n:.3f} ms, calamine from "
          f"the bytes + sheet choice {1e3 * t_cal / n:.3f} ms, the rest (read, sniff, label/value reading, data "
          f"checks) {1e3 * rest / n:.3f} ms")
    prof = cProfile.Profile()
    prof.enable()
    zjtx()
    prof.disable()
    st = pstats.Stats(prof)
    total = sum(v[3] for k, v in st.stats.items() if k[2] == "zjtx" and k[0].endswith("profile_files.py"))
    print(f"under cProfile: {1e3 * total / n:.3f} ms/file (read + score)")
    for label, suffix, name in STEPS:
        ct = sum(v[3] for k, v in st.stats.items() if k[0].replace(os.sep, "/").endswith(suffix) and k[2] == name)
        print(f"  {label:44} {1e3 * ct / n:7.3f} ms/file  {100 * ct / total:5.1f} %")
    native = {}
    for k, v in st.stats.items():
        if k[0] == "~" and ("calamine" in k[2].lower() or k[2].startswith("<method 'to_python'")
                            or "from_filelike" in k[2] or "sheets_metadata" in k[2]
                            or "get_sheet_by_index" in k[2]):
            native[k[2]] = native.get(k[2], 0) + v[3]
    for name, ct in sorted(native.items(), key=lambda kv: -kv[1]):
        print(f"    native {name[:60]:60} {1e3 * ct / n:7.3f} ms/file")
    if "--top" in sys.argv:
        st.sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()

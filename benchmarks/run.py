"""Batch benchmarks: zjtx beside a bare python-calamine read loop, in one run.

    python benchmarks/run.py            # full sizes (a few minutes)
    python benchmarks/run.py --quick    # scaled down (CI, non-gating, < ~60 s)

(a) folder of xlsx applicants, scheme hengyang: the whole ``zjtx batch``
    process vs a process that only reads the same files with calamine;
(b) a roster against every tier of jinhu (hengyang if jinhu.yaml is absent) vs
    a bare calamine read of the roster; peak memory of zjtx;
(b) also with ``--out`` .csv / .jsonl / .xlsx, CPU beside wall time;
(c) a 1,000,000-row CSV roster (read as it goes) against hengyang, with ``--out .csv`` and
    without, beside a bare csv read: time, CPU and peak memory (target <= 60 s, <= 500 MB);
(d) ``zjtx assess samples/hengyang-eligible.json --scheme hengyang --format json``
    cold vs ``python -c pass`` (median of several runs);
(e) the columnar status evaluation (zjtx_cli/batch/columnar.py) of a 10,000-row xlsx
    and a 100,000-row CSV roster, every jinhu tier, beside the bare calamine / csv read
    of the same file, with the time split into read / cell parsing / columnar statuses,
    and the verdict distribution of the generated applicants.
(f) ``zjtx batch`` with the columnar status evaluation on (default) and off
    (ZJTX_COLUMNAR=0), runs interleaved, on a 10,000-row xlsx roster against every jinhu
    tier and a 1,000-row xlsx roster against hengyang, without ``--out`` and with
    ``--out .csv``, beside the bare calamine read of the same roster; with the verdict
    totals batch prints.

Times are wall-clock of whole processes; peak memory is the child's
``ru_maxrss`` from ``os.wait4``. Data is generated into benchmarks/data/.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.join(HERE, "data")
PY = sys.executable
ZJTX = [PY, "-m", "zjtx_cli"]

BARE_FOLDER = """
import os, sys, python_calamine as pc
d = sys.argv[1]
n = 0
for f in sorted(os.listdir(d)):
    if f.endswith('.xlsx'):
        rows = pc.CalamineWorkbook.from_path(os.path.join(d, f)).get_sheet_by_index(0).to_python()
        n += len(rows)
print(n)
"""
BARE_ROSTER = """
import sys, python_calamine as pc
n = 0
for row in pc.CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0).iter_rows():
    n += 1
print(n)
"""


LAST_CPU = [0.0]  # CPU seconds (user + system) of the last child measured, its pool workers included


def measure(cmd, env=None):
    """(seconds, peak RSS in MiB, exit status) of one child process (its CPU in LAST_CPU)."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT, env=env)
    _pid, status, ru = os.wait4(p.pid, 0)
    dt = time.perf_counter() - t
    p.returncode = os.waitstatus_to_exitcode(status)
    LAST_CPU[0] = ru.ru_utime + ru.ru_stime
    err = p.stderr.read().decode("utf-8", "replace")
    p.stderr.close()
    if p.returncode not in (0, 1, 2, 3):
        raise SystemExit(f"{cmd} failed ({p.returncode}):\n{err}")
    return dt, ru.ru_maxrss / 1024, p.returncode


def measure_json(cmd):
    """Run a child that prints one JSON line; add its wall time and peak memory."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    out = p.stdout.read()
    _pid, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{cmd} failed:\n{p.stderr.read().decode('utf-8', 'replace')}")
    doc = json.loads(out.decode("utf-8").strip().splitlines()[-1])
    doc.update(wall_s=wall, peak_mib=ru.ru_maxrss / 1024)
    return doc


def fmt_dist(counter):
    n = sum(counter.values()) or 1
    return ", ".join(f"{k} {v} ({100 * v / n:.0f}%)" for k, v in sorted(counter.items(), key=lambda kv: -kv[1]))


def best_of(cmd, n=3):
    """(best wall time, highest peak); LAST_CPU then holds the least CPU of the runs."""
    runs = []
    cpus = []
    for _ in range(n):
        runs.append(measure(cmd))
        cpus.append(LAST_CPU[0])
    LAST_CPU[0] = min(cpus)
    return min(r[0] for r in runs), max(r[1] for r in runs)


def gen(args):
    subprocess.run([PY, os.path.join(HERE, "generate.py"), *args], check=True, cwd=ROOT)


def ensure_folder(n):
    d = os.path.join(DATA, f"folder-{GEN}-{n}")
    if not os.path.isdir(d) or len(os.listdir(d)) != n:
        gen(["folder", d, str(n)])
    return d


GEN = "v3"  # bump when generate.py changes what it writes (v3: applicant files without zip64 records)


def ensure_roster(n, ext="xlsx"):
    p = os.path.join(DATA, f"roster-{GEN}-{n}.{ext}")
    if not os.path.exists(p):
        gen(["roster", p, str(n)])
    return p


def machine():
    info = {"python": sys.version.split()[0], "nproc": os.cpu_count()}
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if line.startswith(("Model name", "CPU(s):", "Thread(s) per core", "CPU max MHz")):
                k, v = line.split(":", 1)
                info[k.strip()] = v.strip()
    except OSError:
        pass
    return info


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="smaller sizes (CI)")
    ap.add_argument("--json", help="also write the figures to this file")
    ap.add_argument("--only", default="abcdef", help="which cases to run, e.g. --only e")
    args = ap.parse_args()
    os.makedirs(DATA, exist_ok=True)
    q = args.quick
    n_files, n_roster, n_big = (200, 2000, 20000) if q else (1000, 10000, 1000000)
    reps = 1 if q else 3
    ladder = "jinhu" if os.path.exists(os.path.join(ROOT, "rulesets", "jinhu.yaml")) else "hengyang"
    res = {"machine": machine(), "quick": q}
    print(f"machine: {res['machine']}")
    # warm the ruleset cache once (a cold cache is a one-off YAML parse)
    measure([*ZJTX, "assess", "samples/hengyang-eligible.json", "--scheme", "hengyang", "--format", "json"])
    measure([*ZJTX, "schemes", "--format", "json"])

    if "a" in args.only:
        # (a)
        folder = ensure_folder(n_files)
        bare_a = best_of([PY, "-c", BARE_FOLDER, folder], reps)
        z_a = best_of([*ZJTX, "batch", folder, "--scheme", "hengyang"], reps)
        res["a"] = {"files": n_files, "bare_s": bare_a[0], "zjtx_s": z_a[0], "ratio": z_a[0] / bare_a[0],
                    "zjtx_peak_mib": z_a[1], "target": 2.0}
        z_a1 = best_of([*ZJTX, "batch", folder, "--scheme", "hengyang", "--jobs", "1"], 1)
        z_ap = best_of([*ZJTX, "batch", folder, "--scheme", "hengyang", "--jobs", str(os.cpu_count() or 2)], 1)
        res["a"]["jobs1_s"], res["a"]["pool_s"] = z_a1[0], z_ap[0]
        print(f"(a) {n_files} xlsx, hengyang: zjtx {z_a[0]:.2f} s vs bare calamine {bare_a[0]:.2f} s "
              f"= {z_a[0] / bare_a[0]:.1f}x (target <= 2x); --jobs 1 {z_a1[0]:.2f} s, "
              f"--jobs {os.cpu_count()} {z_ap[0]:.2f} s")

    if "b" in args.only:
        # (b): without --out and with each export, CPU beside wall (the machine is shared)
        roster = ensure_roster(n_roster)
        bare_b = best_of([PY, "-c", BARE_ROSTER, roster], reps)
        bare_cpu = LAST_CPU[0]
        z_b = best_of([*ZJTX, "batch", roster, "--scheme", ladder], reps)
        z_b_cpu = LAST_CPU[0]
        z_b1 = best_of([*ZJTX, "batch", roster, "--scheme", ladder, "--jobs", "1"], 1)
        res["b"] = {"rows": n_roster, "scheme": ladder, "bare_s": bare_b[0], "bare_peak_mib": bare_b[1],
                    "bare_cpu_s": bare_cpu, "zjtx_s": z_b[0], "zjtx_cpu_s": z_b_cpu, "zjtx_peak_mib": z_b[1],
                    "ratio": z_b[0] / bare_b[0], "jobs1_s": z_b1[0], "target": 2.0, "target_mib": 200}
        print(f"(b) roster {n_roster} rows, {ladder} (every tier): zjtx {z_b[0]:.2f} s, CPU {z_b_cpu:.2f} s "
              f"(peak {z_b[1]:.0f} MiB) vs bare calamine {bare_b[0]:.2f} s, CPU {bare_cpu:.2f} s (peak "
              f"{bare_b[1]:.0f} MiB) = {z_b[0] / bare_b[0]:.1f}x wall, {z_b_cpu / bare_cpu:.1f}x CPU (target <= 2x, "
              f"<= 200 MB); --jobs 1 {z_b1[0]:.2f} s")
        for ext, target in ((".csv", 3.0), (".jsonl", 3.0), (".xlsx", 4.0)):
            z = best_of([*ZJTX, "batch", roster, "--scheme", ladder, "--out", os.path.join(DATA, "out-b" + ext)], 1)
            cpu = LAST_CPU[0]
            res["b"]["out" + ext] = {"s": z[0], "cpu_s": cpu, "peak_mib": z[1], "ratio": z[0] / bare_b[0],
                                     "cpu_ratio": cpu / bare_cpu, "target": target}
            print(f"    --out {ext}: {z[0]:.2f} s ({z[0] / bare_b[0]:.1f}x), CPU {cpu:.2f} s ({cpu / bare_cpu:.1f}x), "
                  f"peak {z[1]:.0f} MiB (target <= {target:.0f}x)")

    if "c" in args.only:
        # (c): a 1,000,000-row CSV roster (streamed), hengyang, without --out and with --out .csv
        big = ensure_roster(n_big, "csv")
        bare_c = measure([PY, os.path.join(HERE, "columnar_case.py"), "bare", big])
        bare_cpu = LAST_CPU[0]
        z_c0 = measure([*ZJTX, "batch", big, "--scheme", "hengyang"])
        z_c0_cpu = LAST_CPU[0]
        z_c = measure([*ZJTX, "batch", big, "--scheme", "hengyang", "--out", os.path.join(DATA, "out-c.csv")])
        z_c_cpu = LAST_CPU[0]
        res["c"] = {"rows": n_big, "format": "csv", "bare_s": bare_c[0], "bare_cpu_s": bare_cpu,
                    "bare_peak_mib": bare_c[1], "no_out_s": z_c0[0], "no_out_cpu_s": z_c0_cpu,
                    "no_out_peak_mib": z_c0[1], "csv_out_s": z_c[0], "csv_out_cpu_s": z_c_cpu,
                    "csv_out_peak_mib": z_c[1], "exit": z_c[2], "target_s": 60, "target_mib": 500}
        print(f"(c) CSV roster {n_big} rows, hengyang: without --out {z_c0[0]:.1f} s, CPU {z_c0_cpu:.1f} s, peak "
              f"{z_c0[1]:.0f} MiB; --out .csv {z_c[0]:.1f} s, CPU {z_c_cpu:.1f} s, peak {z_c[1]:.0f} MiB; bare csv "
              f"read {bare_c[0]:.1f} s, CPU {bare_cpu:.1f} s, peak {bare_c[1]:.0f} MiB (target <= 60 s, <= 500 MB)")

    if "d" in args.only:
        # (d)
        n = 5 if q else 11
        pas = [measure([PY, "-c", "pass"])[0] for _ in range(n)]
        ass = [measure([*ZJTX, "assess", "samples/hengyang-eligible.json", "--scheme", "hengyang", "--format",
                        "json"])[0] for _ in range(n)]
        mp, ma = statistics.median(pas), statistics.median(ass)
        res["d"] = {"python_pass_s": mp, "assess_s": ma, "ratio": ma / mp, "target": 6.0, "runs": n}
        print(f"(d) assess cold {ma * 1000:.0f} ms vs python -c pass {mp * 1000:.0f} ms = {ma / mp:.1f}x "
              f"(target <= 6x; median of {n})")
    if "e" in args.only:
        # (e)
        res["e"] = []
        for n_rows, ext in ((n_roster, "xlsx"), (min(n_big, 100000), "csv")):
            path = ensure_roster(n_rows, ext)
            bare = measure_json([PY, os.path.join(HERE, "columnar_case.py"), "bare", path])
            z = measure_json([PY, os.path.join(HERE, "columnar_case.py"), "zjtx", path, ladder])
            rec = {"rows": n_rows, "format": ext, "scheme": ladder, "bare_s": bare["wall_s"],
                   "bare_peak_mib": bare["peak_mib"], "zjtx_s": z["wall_s"], "zjtx_peak_mib": z["peak_mib"],
                   "read_s": z["read_s"], "parse_s": z["parse_s"], "columnar_s": z["columnar_s"],
                   "columnar_cpu_s": z["columnar_cpu_s"], "zjtx_cpu_s": z["cpu_s"], "bare_cpu_s": bare["cpu_s"],
               "engine_rows": z["engine_rows"], "verdicts": z["verdicts"], "tiers": z["tiers"]}
            res["e"].append(rec)
            print(f"(e) {n_rows} rows .{ext}, {ladder} (every tier), columnar statuses: whole process "
                  f"{z['wall_s']:.2f} s "
                  f"(peak {z['peak_mib']:.0f} MiB) vs bare {'calamine' if ext == 'xlsx' else 'csv'} read "
                  f"{bare['wall_s']:.2f} s (peak {bare['peak_mib']:.0f} MiB) = {z['wall_s'] / bare['wall_s']:.1f}x; "
                  f"in-process: read {z['read_s']:.2f} s, cells -> enterprises {z['parse_s']:.2f} s "
                  f"({z['parse_s'] / z['read_s']:.1f}x the read), columnar statuses {z['columnar_s']:.2f} s "
                  f"({z['columnar_s'] / z['read_s']:.2f}x the read, "
                  f"{1e6 * z['columnar_s'] / max(z['rows'], 1):.0f} us/row, "
              f"CPU {1e6 * z['columnar_cpu_s'] / max(z['rows'], 1):.0f} us/row; process CPU {z['cpu_s']:.2f} s vs "
              f"{bare['cpu_s']:.2f} s = {z['cpu_s'] / bare['cpu_s']:.1f}x)"
                  f"; rows handed to the engine: {z['engine_rows']}")
            print(f"    verdicts: {fmt_dist(z['verdicts'])}")
            print("    tiers: " + "; ".join(f"{t} {fmt_dist(c)}" for t, c in z["tiers"].items()))
    if "f" in args.only:
        # (f)
        res["f"] = []
        for n_rows, scheme in ((n_roster, ladder), (1000 if not q else 500, "hengyang")):
            roster = ensure_roster(n_rows)
            out_csv = os.path.join(DATA, "out-f.csv")
            runs: dict = {}

            def run(key, cmd, env=None, runs=runs):
                r = measure(cmd, env)
                runs.setdefault(key, []).append((r[0], r[1], LAST_CPU[0]))

            for _ in range(reps):
                run("bare", [PY, "-c", BARE_ROSTER, roster])
                for mode in ("1", "0"):
                    env = dict(os.environ, ZJTX_COLUMNAR=mode)
                    base = [*ZJTX, "batch", roster, "--scheme", scheme]
                    run(("none", mode), base, env)
                    run(("csv", mode), [*base, "--out", out_csv], env)
            best = {k: (min(r[0] for r in v), max(r[1] for r in v), min(r[2] for r in v)) for k, v in runs.items()}
            bare_s, bare_cpu = best["bare"][0], best["bare"][2]
            totals = subprocess.run([*ZJTX, "batch", roster, "--scheme", scheme, "--lang", "en"],
                                    capture_output=True, text=True, cwd=ROOT).stdout.strip().splitlines()[-1]
            rec = {"rows": n_rows, "scheme": scheme, "bare_s": bare_s, "bare_cpu_s": bare_cpu, "totals": totals}
            for out_kind in ("none", "csv"):
                on, off = best[(out_kind, "1")], best[(out_kind, "0")]
                rec[out_kind] = {"on_s": on[0], "off_s": off[0], "on_peak_mib": on[1], "off_peak_mib": off[1],
                                 "on_cpu_s": on[2], "off_cpu_s": off[2],
                                 "on_ratio": on[0] / bare_s, "off_ratio": off[0] / bare_s, "on_off": on[0] / off[0]}
                print(f"(f) {n_rows} rows xlsx, {scheme}{' (every tier)' if scheme == ladder else ''}, "
                      f"{'no --out' if out_kind == 'none' else '--out .csv'}: columnar on {on[0]:.2f} s "
                      f"({on[0] / bare_s:.1f}x the read, peak {on[1]:.0f} MiB), off {off[0]:.2f} s "
                      f"({off[0] / bare_s:.1f}x, peak {off[1]:.0f} MiB), on/off {on[0] / off[0]:.2f}; "
                      f"bare calamine read {bare_s:.2f} s; CPU on {on[2]:.2f} s ({on[2] / bare_cpu:.1f}x), off "
                      f"{off[2]:.2f} s ({off[2] / bare_cpu:.1f}x), bare {bare_cpu:.2f} s")
            print(f"    {totals}")
            res["f"].append(rec)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(res, fh, indent=2)


if __name__ == "__main__":
    main()

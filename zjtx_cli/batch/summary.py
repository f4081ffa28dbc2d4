"""The terminal side of ``zjtx batch``: the summary (a rich table for a person, plain
tab-separated lines or JSON otherwise) and the progress bar."""

from __future__ import annotations

import json
import sys

from zjtx_cli.inputs.text import inert
from zjtx_cli.inputs.text import json_inert as fix_surrogates

TABLE_MAX_ROWS = 1000   # rich table only for a person at a terminal and a moderate number of rows


# --------------------------------------------------------------------------- output
class Summary:
    """The terminal summary: a rich table for a person, plain tab-separated lines otherwise."""

    def __init__(self, fmt, lang, scorer, stream=None):
        self.fmt = fmt
        self.lang = lang
        self.ladder = scorer.mode == "ladder"
        self.out = stream or sys.stdout
        self.rich = fmt == "table" and self.out.isatty()
        self.buf = []
        self.streaming = not self.rich
        self.totals: dict = {"conditional": 0} if getattr(scorer, "evidence_required", False) else {}
        self.n = 0
        self.first = True
        zh = lang == "zh"
        self.heads = (["企业", "结论"] + (["最高层级"] if self.ladder else []) +
                      ["满足", "不满足", "缺数据", "主要差距"]
                      if zh else ["Company", "Verdict"] + (["Highest tier"] if self.ladder else []) +
                      ["Met", "Unmet", "Unknown", "Largest gap"])
        if fmt == "json":
            from zjtx_cli.outputs.report import FORMAT_VERSION

            self.out.write('{{"format_version": "{}", "scheme": {}, "tier": {}, "companies": ['.format(
                FORMAT_VERSION, json.dumps(scorer.rs.id), json.dumps(scorer.tier["id"] if scorer.tier and
                                                                      scorer.mode != "ladder" else None)))
        elif self.streaming:
            self.out.write("\t".join(self.heads) + "\n")

    def _cells(self, rec, markup=False):
        name = rec["company"] or (f"{rec['source']} row {rec['row']}" if rec["row"] else rec["source"])
        c = rec["counts"]
        # text from the input reaches the terminal: inert (no control sequences, one line, no markup)
        return [inert(name, markup=markup), rec["verdict_label"],
                *([rec["highest_name"] or "—"] if self.ladder else []),
                str(c[0]), str(c[1]), str(c[2]), inert(rec["gap"] or "—", markup=markup)]

    def add(self, rec):
        self.n += 1
        self.totals[rec["verdict"]] = self.totals.get(rec["verdict"], 0) + 1
        if self.fmt == "json":
            d = {"company": rec["company"], "source": rec["source"], "row": rec["row"], "verdict": rec["verdict"],
                 "highest_tier": rec["highest"], "next_tier": rec["next"], "met": rec["counts"][0],
                 "unmet": rec["counts"][1], "unknown": rec["counts"][2], "priority_met": rec["counts"][3],
                 "largest_gap": rec["gap"]}
            d.update(rec.get("extra_json") or {})  # batch/extras.py: evidence, --match, --report-dir
            self.out.write(("\n  " if self.first else ",\n  ") +
                           fix_surrogates(json.dumps(d, ensure_ascii=False, default=str)))
            self.first = False
            return
        if self.streaming:
            self.out.write("\t".join(self._cells(rec)) + "\n")
            return
        self.buf.append(rec)
        if len(self.buf) > TABLE_MAX_ROWS:  # too many for a table: switch to plain lines
            self.streaming = True
            self.out.write("\t".join(self.heads) + "\n")
            for r in self.buf:
                self.out.write("\t".join(self._cells(r)) + "\n")
            self.buf = []

    def finish(self, inputs, unreadable, problems):
        from zjtx_cli.engine.texts import LABELS as T

        lang = self.lang
        if self.fmt == "json":
            order = ["eligible", *(["conditional"] if "conditional" in self.totals else []), "not_eligible",
                     "undetermined", "excluded"]  # conditional: officer mode only (--evidence required)
            self.out.write("\n], " + fix_surrogates(json.dumps({
                "inputs": inputs, "scored": self.n, "unreadable": unreadable,
                "totals": {k: self.totals.get(k, 0) for k in order},
                "problems": problems}, ensure_ascii=False, default=str))[1:] + "\n")
            return
        zh = lang == "zh"
        parts = [f"{T[k][lang]} {v}" for k, v in sorted(self.totals.items())]
        total_line = (f"合计 {inputs} 个输入：已评价 {self.n}，无法读取 {unreadable}；" if zh else
                      f"Total {inputs} inputs: {self.n} scored, {unreadable} unreadable; ") + \
            ("，".join(parts) if zh else ", ".join(parts))
        if self.rich:
            from rich.table import Table

            from zjtx_cli.terminal import console

            con = console()
            table = Table()
            for h in self.heads:
                table.add_column(h, overflow="fold")
            for r in self.buf:
                table.add_row(*self._cells(r, markup=True))
            con.print(table)
            con.print(total_line, markup=False, highlight=False)
        else:
            self.out.write(total_line + "\n")


class Progress:
    def __init__(self, total, label):
        self.p = None
        if total is None or not sys.stderr.isatty():
            return
        try:
            from rich.console import Console
            from rich.progress import Progress as RP


            self.p = RP(console=Console(file=sys.stderr), transient=True)
            self.p.start()
            self.task = self.p.add_task(label, total=total)
        except Exception:  # pragma: no cover - a progress bar must never stop a batch
            self.p = None

    def advance(self, n=1):
        if self.p is not None:
            self.p.advance(self.task, n)

    def stop(self):
        if self.p is not None:
            self.p.stop()

"""`zjtx report` and `batch --report-dir` with evidence (issue 13): the documents still to collect
as a sheet (xlsx) / section (html, pdf), the same list `zjtx assess --checklist` gives; officer
mode (conditional verdicts) in the reports; evidence states in words; and the reports that used
to fail (the English pdf of hengyang-eligible; a tier with several tracks)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
from html.parser import HTMLParser

import pytest
from conftest import ROOT
from typer.testing import CliRunner

from zjtx_cli.cli.app import app
from zjtx_cli.match.service import assess_document
from zjtx_cli.outputs.deliverable.command import write_report
from zjtx_cli.outputs.deliverable.model import build

S = os.path.join(ROOT, "samples")
HY = os.path.join(S, "hengyang-eligible.json")
HY_EV = os.path.join(S, "hengyang-evidenced.json")
AS_OF = dt.date(2025, 6, 30)  # the Hengyang plan ran 2021-2025


def run(*args):
    r = CliRunner().invoke(app, [str(a) for a in args], env={"NO_COLOR": "1", "COLUMNS": "200"})
    return r.exit_code, r.stdout, r.stderr


def _assess_checklist(file, lang, officer=False, scheme="hengyang", tier=None, as_of=AS_OF):
    doc = assess_document(file, scheme, tier=tier, lang=lang, as_of=as_of, checklist=True,
                          evidence=("required",) if officer else ()).doc
    return doc["checklist"]


class _Sections(HTMLParser):
    """The text of each <section id=...>."""

    def __init__(self):
        super().__init__()
        self.stack, self.text = [], {}

    def handle_starttag(self, tag, attrs):
        if tag == "section":
            self.stack.append(dict(attrs).get("id") or "")

    def handle_endtag(self, tag):
        if tag == "section" and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        for s in self.stack:
            self.text[s] = self.text.get(s, "") + data


def _flat(s):
    return re.sub(r"\s+", "", s)


@pytest.fixture(scope="module", params=["zh", "en"])
def officer(request, tmp_path_factory):
    lang = request.param
    m = build(HY, scheme="hengyang", lang=lang, as_of=AS_OF, evidence_required=True)
    d = tmp_path_factory.mktemp(f"officer-{lang}")
    paths = {}
    for ext in ("html", "xlsx", "pdf"):
        paths[ext] = d / f"r.{ext}"
        write_report(m, str(paths[ext]))
    return lang, m, paths


# --------------------------------------------------------------------------- the model
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_report_lists_what_assess_checklist_lists(lang):
    want = _assess_checklist(HY, lang)
    assert want["items"]  # the sample names no evidence: there is something to collect
    m = build(HY, scheme="hengyang", lang=lang, as_of=AS_OF)
    got = m["checklist"]["items"]
    assert [g["document"] for g in got] == [w["document"] for w in want["items"]]
    sep = ", " if lang == "en" else "、"
    assert [g["conditions"] for g in got] == [sep.join(w["conditions"]) for w in want["items"]]
    assert [_flat(g["basis"]) for g in got] == [_flat(w["basis"]) for w in want["items"]]


def test_officer_mode_in_the_model_and_the_plain_verdict_without_it():
    plain = build(HY, scheme="hengyang", as_of=AS_OF)
    assert plain["verdict"] == "eligible" and not plain["evidence_required"]
    m = build(HY, scheme="hengyang", as_of=AS_OF, evidence_required=True)
    assert m["verdict"] == "conditional" and m["verdict_text"] == "有条件符合（待补证）"
    # every condition the verdict rests on awaits evidence, in words
    states = {c["evidence"]: c["evidence_text"] for c in m["tracks"][0]["conditions"]}
    assert states["declared"] == "待补证"
    # the same company with evidence named for every input: eligible, and nothing to collect
    ev = build(HY_EV, scheme="hengyang", as_of=AS_OF, evidence_required=True)
    assert ev["verdict"] == "eligible" and ev["checklist"]["items"] == []
    assert {c["evidence_text"] for c in ev["tracks"][0]["conditions"] if c["status"] == "met"} == {"已附证明材料"}


def test_a_ladder_reached_conditionally_says_so():
    m = build(os.path.join(S, "jinhu-provincial.json"), scheme="jinhu", as_of=AS_OF, evidence_required=True)
    assert m["mode"] == "ladder" and m["verdict"] == "conditional"
    assert m["verdict_text"].endswith("（待补证）")
    hi = next(t for t in m["ladder"]["tiers"] if t["id"] == m["ladder"]["highest"])
    assert hi["status"] == "conditional" and hi["status_text"] == "有条件达到（待补证）"
    plain = build(os.path.join(S, "jinhu-provincial.json"), scheme="jinhu", as_of=AS_OF)
    assert plain["verdict"] == "eligible" and "待补证" not in plain["verdict_text"]
    assert all(t["status"] != "conditional" for t in plain["ladder"]["tiers"])


def test_a_tier_with_several_tracks_has_a_report_and_a_checklist(tmp_path):
    # this used to fail with KeyError 'scheme_title': a tier document has no title of its own
    want = _assess_checklist(os.path.join(S, "jinhu-municipal.json"), "zh", scheme="jinhu", tier="municipal",
                             as_of=dt.date(2024, 6, 30))
    out = tmp_path / "t.html"
    code, _out, err = run("report", os.path.join(S, "jinhu-municipal.json"), "--scheme", "jinhu", "--tier",
                          "municipal", "--as-of", "2024-06-30", "--out", out)
    assert code == 0, err
    p = _Sections()
    p.feed(out.read_text(encoding="utf-8"))
    assert "金湖县" in p.text["cover"]
    assert want["items"] and all(_flat(w["document"]) in _flat(p.text["checklist"]) for w in want["items"])


# --------------------------------------------------------------------------- the files
def test_html_section(officer):
    lang, m, paths = officer
    p = _Sections()
    p.feed(paths["html"].read_text(encoding="utf-8"))
    sec = _flat(p.text["checklist"])
    assert _flat("待收集的证明材料" if lang == "zh" else "Documents still to collect") in sec
    for it in m["checklist"]["items"]:
        assert _flat(it["document"]) in sec and _flat(it["conditions"]) in sec
    assert _flat(m["verdict_text"]) in _flat(p.text["cover"])
    assert _flat("官员模式" if lang == "zh" else "Officer mode") in _flat(p.text["cover"])


def test_xlsx_sheet(officer):
    from openpyxl import load_workbook

    lang, m, paths = officer
    wb = load_workbook(paths["xlsx"])
    name = "待补证材料" if lang == "zh" else "Documents to collect"
    assert name in wb.sheetnames
    ws = wb[name]
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$1"
    rows = [r for r in ws.iter_rows(min_row=2, values_only=True) if isinstance(r[0], int)]
    assert [r[0] for r in rows] == list(range(1, len(m["checklist"]["items"]) + 1))
    assert [r[1] for r in rows] == [it["document"] for it in m["checklist"]["items"]]
    assert [r[4] for r in rows] == [it["conditions"] for it in m["checklist"]["items"]]
    cover = [c for row in wb.worksheets[0].iter_rows(values_only=True) for c in row if c]
    assert m["verdict_text"] in cover
    # the conditions sheet shows the state in words, not the JSON code
    cond = wb.worksheets[1]
    states = {r[8] for r in cond.iter_rows(min_row=2, values_only=True)}
    assert ("待补证" if lang == "zh" else "awaiting evidence") in states
    assert not states & {"declared", "evidenced", "not_applicable"}


def test_pdf_section(officer):
    from pypdf import PdfReader

    lang, m, paths = officer
    r = PdfReader(str(paths["pdf"]))
    assert r.metadata.subject == m["verdict_text"]
    text = _flat("".join(page.extract_text() for page in r.pages))
    assert _flat("待收集的证明材料" if lang == "zh" else "Documents still to collect") in text
    ids = {c for it in m["checklist"]["items"] for c in re.split("[、,] ?", it["conditions"])}
    assert ids and all(i in text for i in ids)


def test_an_evidenced_company_has_nothing_to_collect(tmp_path):
    from openpyxl import load_workbook

    m = build(HY_EV, scheme="hengyang", as_of=AS_OF, evidence_required=True)
    write_report(m, str(tmp_path / "r.xlsx"))
    write_report(m, str(tmp_path / "r.html"))
    ws = load_workbook(tmp_path / "r.xlsx")["待补证材料"]
    assert "无：所用数据均已注明证明材料。" in [r[1] for r in ws.iter_rows(values_only=True)]
    p = _Sections()
    p.feed((tmp_path / "r.html").read_text(encoding="utf-8"))
    assert "无：所用数据均已注明证明材料。" in p.text["checklist"]


def test_english_pdf_of_a_long_condition_is_written(tmp_path):
    # used to fail: a cell taller than a page (reportlab LayoutError); now the row goes on over
    from pypdf import PdfReader

    out = tmp_path / "r.pdf"
    code, _out, err = run("report", HY, "--scheme", "hengyang", "--as-of", "2025-06-30", "--lang", "en",
                          "--out", out)
    assert code == 0, err
    text = "".join(p.extract_text() for p in PdfReader(str(out)).pages)
    assert "hn-4-score" in text


# ------------------------------------------------------------------- batch --report-dir
@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    for name in ("hengyang-eligible.json", "hengyang-evidenced.json", "hengyang-near-miss.json"):
        (d / name).write_bytes(open(os.path.join(S, name), "rb").read())
    return d


@pytest.mark.parametrize("officer_mode", [False, True])
def test_batch_report_dir_follows_the_mode(folder, tmp_path, officer_mode):
    from openpyxl import load_workbook

    rep, out = tmp_path / "rep", tmp_path / "out.csv"
    args = ["batch", folder, "--scheme", "hengyang", "--as-of", "2025-06-30", "--report-dir", rep,
            "--report-format", "xlsx", "--out", out] + (["--evidence", "required"] if officer_mode else [])
    code, _o, err = run(*args)
    assert code == (4 if officer_mode else 0), err
    with open(out, encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    head = rows[0]
    by_source = {r[head.index("来源")]: r for r in rows[1:]}
    assert len(by_source) == 3
    for src, r in by_source.items():
        stem = os.path.splitext(os.path.basename(src))[0]
        wb = load_workbook(rep / f"{stem}.xlsx")
        assert "待补证材料" in wb.sheetnames
        cover = dict(r2[:2] for r2 in wb.worksheets[0].iter_rows(min_row=2, values_only=True))
        assert cover["结论"] == r[head.index("结论")]  # the report's verdict is the batch's
        assert ("评价模式" in cover) == officer_mode
        if officer_mode:  # the 待补证 count of the batch row is the report's
            need = int(r[head.index("待补证条件数")])
            conds = [x for x in wb.worksheets[1].iter_rows(min_row=2, values_only=True)
                     if x[0] and not str(x[0]).startswith("下一层级") and x[2] in ("必备", "排除")]
            assert need == sum(1 for x in conds if x[8] == "待补证")
    verdicts = {os.path.basename(k): v[head.index("结论")] for k, v in by_source.items()}
    assert verdicts["hengyang-eligible.json"] == ("有条件符合（待补证）" if officer_mode else "符合条件")
    assert verdicts["hengyang-evidenced.json"] == "符合条件"


def test_batch_json_in_officer_mode_has_the_states(folder, tmp_path):
    out = tmp_path / "o.jsonl"
    code, _o, err = run("batch", folder, "--scheme", "hengyang", "--as-of", "2025-06-30", "--evidence", "required",
                        "--out", out)
    assert code == 4, err
    docs = {os.path.basename(d["source_file"]): d for d in map(json.loads, out.read_text("utf-8").splitlines())}
    assert docs["hengyang-eligible.json"]["verdict"] == "conditional"
    assert docs["hengyang-eligible.json"]["counts"]["evidence_needed"] > 0
    assert docs["hengyang-evidenced.json"]["counts"]["evidence_needed"] == 0
    assert all(d["evidence_required"] for d in docs.values())


# --------------------------------------------------------------------------- zjtx report --evidence required
def test_report_command_takes_officer_mode(tmp_path):
    """`zjtx report --evidence required` writes the officer-mode report; without it the verdict is the plain one;
    any other --evidence value is a usage error (exit 2) and nothing is written."""
    def verdict_of(path):
        text = path.read_text(encoding="utf-8")
        return ("有条件符合（待补证）" in text, "官员模式" in text)

    officer_html, plain_html = tmp_path / "o.html", tmp_path / "p.html"
    code, _out, err = run("report", HY, "--scheme", "hengyang", "--as-of", "2025-06-30", "--evidence", "required",
                          "-o", officer_html)
    assert code == 0, err
    assert verdict_of(officer_html) == (True, True)
    code, _out, err = run("report", HY, "--scheme", "hengyang", "--as-of", "2025-06-30", "-o", plain_html)
    assert code == 0, err
    assert verdict_of(plain_html) == (False, False)
    # evidenced for every input: eligible in officer mode too
    ev_html = tmp_path / "ev.html"
    code, _out, err = run("report", HY_EV, "--scheme", "hengyang", "--as-of", "2025-06-30", "--evidence",
                          "required", "-o", ev_html)
    assert code == 0, err
    assert verdict_of(ev_html) == (False, True)
    bad = tmp_path / "bad.html"
    code, _out, err = run("report", HY, "--scheme", "hengyang", "--evidence", "yes", "-o", bad)
    assert code == 2 and "--evidence" in err and "'yes'" in err and not bad.exists()

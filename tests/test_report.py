"""zjtx report: every sample in all three formats, each read back (company, verdict, every condition, charts)."""
from __future__ import annotations

import pathlib
import shutil
import subprocess
from html.parser import HTMLParser

import pytest
from typer.testing import CliRunner

from zjtx_cli.cli.app import app
from zjtx_cli.outputs.deliverable.command import write_report
from zjtx_cli.outputs.deliverable.model import build

ROOT = pathlib.Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "samples").glob("*.json"))
AS_OF = {"miit-2020": "2021-06-30", "miit-2022": "2025-06-30", "miit-2026": "2026-06-30"}


def scheme_of(sample):
    stem = sample.stem
    return stem[:9] if stem.startswith("miit-") else stem.split("-")[0]


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.text, self.tags = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _ids(m):
    return {c["id"] for tr in m["tracks"] for c in tr["conditions"]}


def _has_chart(m):
    return bool(m["ladder"]) or any(tr["scores"] for tr in m["tracks"])


@pytest.fixture(scope="module", params=SAMPLES, ids=lambda p: p.stem)
def written(request, tmp_path_factory):
    sample = request.param
    scheme = scheme_of(sample)
    m = build(str(sample), scheme=scheme, as_of=AS_OF.get(scheme, "2024-06-30"))
    d = tmp_path_factory.mktemp(sample.stem)
    paths = {}
    for ext in ("html", "xlsx", "pdf"):
        paths[ext] = d / f"report.{ext}"
        write_report(m, str(paths[ext]), protect=[str(sample)])
    return m, paths


def test_html(written):
    m, paths = written
    p = _Text()
    p.feed(paths["html"].read_text(encoding="utf-8"))
    text = "".join(p.text)
    assert m["company"] in text and m["verdict_text"] in text
    assert all(i in text for i in _ids(m))
    tags = [t for t, _a in p.tags]
    assert ("svg" in tags) == _has_chart(m)
    # one self-contained file: no script, no stylesheet link, nothing fetched
    assert "script" not in tags and "link" not in tags and "img" not in tags
    assert not any("src" in a or "href" in a for _t, a in p.tags)


def test_xlsx(written):
    from openpyxl import load_workbook

    m, paths = written
    wb = load_workbook(paths["xlsx"])
    assert len(wb.sheetnames) >= 6
    cover = [c for row in wb.worksheets[0].iter_rows(values_only=True) for c in row if c]
    assert m["company"] in cover and m["verdict_text"] in cover
    ids = {r[1] for r in wb.worksheets[1].iter_rows(min_row=2, values_only=True)}
    assert _ids(m) <= ids
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$1"
    ladder = wb.worksheets[3]
    assert len(ladder._charts) == sum(len(tr["scores"]) for tr in m["tracks"])
    if m["ladder"]:
        names = [r[0] for r in ladder.iter_rows(min_row=2, values_only=True) if r[0]]
        assert all(t["name"] in names for t in m["ladder"]["tiers"])


def test_pdf(written):
    from pypdf import PdfReader

    m, paths = written
    r = PdfReader(str(paths["pdf"]))
    assert m["company"] in r.metadata.title and r.metadata.subject == m["verdict_text"]
    fonts = set()
    for page in r.pages:
        res = page.get("/Resources") or {}
        for f in (res.get("/Font") or {}).values():
            fonts.add(str(f.get_object().get("/BaseFont")))
    assert "/STSong-Light" in fonts
    text = "".join(page.extract_text() for page in r.pages)
    missing = [i for i in _ids(m) if i not in text.replace("\n", "")]
    assert not missing
    box = r.pages[0].mediabox
    assert float(box.width) > float(box.height)  # landscape


def test_cli_refuses_existing_out_and_the_input(tmp_path):
    src = ROOT / "samples" / "hengyang-eligible.json"
    out = tmp_path / "r.html"
    args = ["report", str(src), "--scheme", "hengyang", "--as-of", "2025-09-30", "--out", str(out)]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0 and out.exists()
    out.write_text("keep", encoding="utf-8")
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 2 and "--force" in r.stderr and out.read_text(encoding="utf-8") == "keep"
    r = CliRunner().invoke(app, args + ["--force"])
    assert r.exit_code == 0 and "衡阳恒远精密机械有限公司" in out.read_text(encoding="utf-8")
    copy = tmp_path / "in.json"
    shutil.copy(src, copy)
    r = CliRunner().invoke(app, ["report", str(copy), "--scheme", "hengyang", "--out", str(copy), "--force"])
    assert r.exit_code == 2 and copy.read_bytes() == src.read_bytes()
    r = CliRunner().invoke(app, ["report", str(src), "--scheme", "hengyang", "--out", str(tmp_path / "r.docx")])
    assert r.exit_code == 2 and ".pdf" in r.stderr
    r = CliRunner().invoke(app, ["report", str(src), "--out", str(tmp_path / "r2.html")])
    assert r.exit_code == 2 and "--scheme" in r.stderr


def test_match_report_has_the_groups(tmp_path):
    out = tmp_path / "m.html"
    r = CliRunner().invoke(app, ["report", str(ROOT / "samples" / "hengyang-eligible.json"), "--match",
                                 "--as-of", "2025-09-30", "--out", str(out)])
    assert r.exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert 'id="match"' in html and "衡阳市级专精特新“小巨人”企业" in html and "最省事的下一步" in html


@pytest.mark.skipif(not shutil.which("chromium"), reason="headless Chromium not installed")
def test_html_renders_in_chromium(tmp_path):
    m = build(str(ROOT / "samples" / "jinhu-municipal.json"), scheme="jinhu", as_of="2024-06-30")
    html, png = tmp_path / "r.html", tmp_path / "r.png"
    write_report(m, str(html))
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={png}",
                    "--window-size=1280,1600", html.as_uri()], capture_output=True, timeout=120)
    assert png.exists() and png.stat().st_size > 20000


@pytest.mark.skipif(not shutil.which("libreoffice"), reason="LibreOffice not installed")
def test_xlsx_opens_in_libreoffice(tmp_path):
    m = build(str(ROOT / "samples" / "miit-2022-zjtx-sme.json"), scheme="miit-2022", as_of="2025-06-30")
    x = tmp_path / "r.xlsx"
    write_report(m, str(x))
    subprocess.run(["libreoffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(x)],
                   capture_output=True, timeout=180)
    assert (tmp_path / "r.pdf").exists() and (tmp_path / "r.pdf").stat().st_size > 5000


def test_english_report(tmp_path):
    from pypdf import PdfReader

    m = build(str(ROOT / "samples" / "hengyang-near-miss.json"), scheme="hengyang", lang="en", as_of="2025-09-30")
    assert m["verdict_text"] == "Not eligible"
    for ext in ("html", "pdf"):
        write_report(m, str(tmp_path / f"r.{ext}"))
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert 'lang="en"' in html and "Every condition" in html and "Gap plan" in html
    text = "".join(p.extract_text() for p in PdfReader(str(tmp_path / "r.pdf")).pages)
    assert "Every condition" in text and "hy-2-revenue" in text

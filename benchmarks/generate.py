"""Synthetic applicants for the batch benchmarks (deterministic, seeded).

    python benchmarks/generate.py folder DIR N [--json-share 0.0] [--seed 1]
    python benchmarks/generate.py roster FILE.xlsx|FILE.csv ROWS [--seed 1]

Applicants are drawn from five profiles so that every verdict occurs: strong
(eligible), near-miss (one figure just under a threshold), weak (small and
slow-growing: not eligible), incomplete (figures left blank: undetermined) and
tainted (a serious violation / accident on record: excluded where a scheme
has exclusions, not eligible where the record is a required condition).

Applicant workbooks use the label/value layout ``zjtx_cli.inputs.reader.read_rows``
reads: a header row ``指标 | 2023 | 2024 | 2025`` then one row per field
(Chinese label; single-valued fields in the first value column). Rosters have
one company per row, per-year figures as ``主营业务收入2024`` columns.

Workbooks are written with a small hand-rolled xlsx writer (shared strings,
like Excel) instead of openpyxl, so that generating 100,000 roster rows takes
seconds, not minutes.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import sys
import zipfile
from xml.sax.saxutils import escape

YEARS = (2023, 2024, 2025)
PER_YEAR = ("operating_revenue", "main_business_revenue", "leading_product_revenue", "net_profit", "total_profit",
            "total_assets", "total_liabilities", "rd_expense", "employees", "rd_staff")
GOOD_FLAGS = ("registered_in_area", "registered_in_china", "independent_legal_person", "independent_accounting",
              "market_leading", "key_supplier", "own_brand", "product_certified", "management_sound",
              "digital_upgrade", "it_results_good", "high_tech_enterprise", "quality_system_certified",
              "specialised_focus", "sustained_innovation", "own_ip_for_main_product", "good_credit",
              "leads_standards", "local_key_chain_backbone", "municipal_honour", "listing_reserve",
              "supply_chain_leader", "standards_or_foreign_cert", "core_rd_team", "long_term_strategy")
BAD_FLAGS = ("major_accident_3y", "serious_violation", "tax_evasion", "false_information", "bad_record_3y",
             "accident_3y", "env_safety_violation_3y")
COUNTS = ("invention_patents", "utility_patents", "design_patents", "software_copyrights", "it_core_businesses")
PROFILES = ("strong", "near", "weak", "incomplete", "tainted")
_PREFIX = "衡阳 湘潭 株洲 金华 杭州 宁波 温州 长沙 岳阳 常德".split()
_MID = "恒远 精工 华创 智联 鑫达 宏泰 博远 新材 锐捷 天成 汇通 明德 瑞丰 众合 卓越".split()
_KIND = [("精密机械", "manufacturing"), ("新材料科技", "manufacturing"), ("电子科技", "manufacturing"),
         ("软件", "software_it"), ("信息技术", "software_it"), ("智能装备", "manufacturing")]


def _fields():
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
    from zjtx_cli.inputs.fields import field_dictionary

    return field_dictionary()


def applicant(i: int, rng: random.Random) -> dict:
    """One applicant as {key: value or {year: value}} in 万元 / 人 / 项."""
    profile = PROFILES[i % len(PROFILES)] if rng.random() < 0.9 else rng.choice(PROFILES)
    kind, industry = rng.choice(_KIND)
    name = f"{rng.choice(_PREFIX)}{rng.choice(_MID)}{kind}有限公司（{i:06d}）"
    base = rng.uniform(2500, 30000) if profile != "weak" else rng.uniform(300, 1500)
    growth = rng.uniform(0.12, 0.35) if profile in ("strong", "tainted", "incomplete") else (
        rng.uniform(0.095, 0.099) if profile == "near" else rng.uniform(-0.05, 0.06))
    d: dict = {"company_name": name, "credit_code": f"91430400MA4L{i:06d}",
               "founding_date": dt.date(rng.randint(1998, 2021), rng.randint(1, 12), rng.randint(1, 28)),
               "industry": industry}
    mb = {}
    for k, y in enumerate(YEARS):
        mb[y] = round(base * (1 + growth) ** k, 2)
    d["main_business_revenue"] = mb
    d["operating_revenue"] = {y: round(v / rng.uniform(0.7, 0.95), 2) for y, v in mb.items()}
    d["leading_product_revenue"] = {y: round(v * rng.uniform(0.5, 0.9), 2) for y, v in mb.items()}
    d["net_profit"] = {y: round(v * rng.uniform(0.03, 0.12), 2) for y, v in mb.items()}
    d["total_profit"] = {y: round(v * rng.uniform(0.04, 0.15), 2) for y, v in mb.items()}
    assets = mb[YEARS[-1]] * rng.uniform(0.9, 1.8)
    d["total_assets"] = {y: round(assets * (0.85 + 0.07 * k), 2) for k, y in enumerate(YEARS)}
    d["total_liabilities"] = {y: round(v * rng.uniform(0.3, 0.65), 2) for y, v in d["total_assets"].items()}
    rd = rng.uniform(0.035, 0.08) if profile != "weak" else rng.uniform(0.005, 0.025)
    d["rd_expense"] = {y: round(v * rd, 2) for y, v in mb.items()}
    emp = int(mb[YEARS[-1]] / rng.uniform(25, 60)) + 20
    d["employees"] = {y: max(10, emp - 10 * (2 - k)) for k, y in enumerate(YEARS)}
    d["rd_staff"] = {y: max(1, int(v * rng.uniform(0.08, 0.25))) for y, v in d["employees"].items()}
    d["invention_patents"] = rng.randint(1, 12) if profile != "weak" else 0
    d["utility_patents"] = rng.randint(3, 30) if profile != "weak" else rng.randint(0, 1)
    d["design_patents"] = rng.randint(0, 5) if profile != "weak" else 0
    d["software_copyrights"] = rng.randint(0, 10) if profile != "weak" else rng.randint(0, 1)
    d["it_core_businesses"] = rng.randint(1, 5)
    for f in GOOD_FLAGS:
        d[f] = rng.random() < (0.97 if profile != "weak" else 0.6)
    for f in BAD_FLAGS:
        d[f] = False
    if profile == "tainted":
        d[rng.choice(("serious_violation", "major_accident_3y", "tax_evasion"))] = True
        d["bad_record_3y"] = True
    if profile == "incomplete":
        for k in rng.sample(["rd_expense", "total_liabilities", "own_brand", "digital_upgrade", "employees",
                             "main_business_revenue", "product_certified"], 3):
            d.pop(k, None)
    return d


# --------------------------------------------------------------------------- output
def _cell_text(fields, key, v):
    f = fields[key]
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, dt.date):
        return v.isoformat()
    if f.type == "choice":
        return f.choices[v]["zh"]
    return v


def write_json(path, d):
    doc = {}
    for k, v in d.items():
        if isinstance(v, dict):
            doc[k] = {str(y): x for y, x in v.items()}
        elif isinstance(v, dt.date):
            doc[k] = v.isoformat()
        else:
            doc[k] = v
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, ensure_ascii=False, indent=1)


def _col(n: int) -> str:
    s = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


class XlsxWriter:
    """A minimal, valid xlsx (one sheet, shared strings), rows streamed."""

    def __init__(self, path):
        self.zf = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self.sst: dict[str, int] = {}
        self.sheet = self.zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
        self.sheet.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                         b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                         b'<sheetData>')
        self.r = 0
        self.buf: list[str] = []

    def row(self, cells):
        self.r += 1
        out = [f'<row r="{self.r}">']
        for c, v in enumerate(cells):
            if v is None or v == "":
                continue
            ref = f"{_col(c)}{self.r}"
            if isinstance(v, bool):
                out.append(f'<c r="{ref}" t="b"><v>{int(v)}</v></c>')
            elif isinstance(v, (int, float)):
                out.append(f'<c r="{ref}"><v>{v}</v></c>')
            else:
                idx = self.sst.setdefault(str(v), len(self.sst))
                out.append(f'<c r="{ref}" t="s"><v>{idx}</v></c>')
        out.append("</row>")
        self.buf.append("".join(out))
        if len(self.buf) >= 500:
            self.sheet.write("".join(self.buf).encode())
            self.buf.clear()

    def close(self):
        self.sheet.write("".join(self.buf).encode())
        self.sheet.write(b"</sheetData></worksheet>")
        self.sheet.close()
        z = self.zf
        ns = "http://schemas.openxmlformats.org"
        z.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Types xmlns="{ns}/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sharedStrings+xml"/></Types>'))
        z.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{ns}/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'))
        z.writestr("xl/workbook.xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<workbook xmlns="{ns}/spreadsheetml/2006/main" xmlns:r="{ns}/officeDocument/2006/relationships">'
            '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        z.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{ns}/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{ns}/officeDocument/2006/relationships/sharedStrings" '
            'Target="sharedStrings.xml"/></Relationships>'))
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as fh:
            fh.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{ns}/spreadsheetml/'
                     f'2006/main" count="{len(self.sst)}" uniqueCount="{len(self.sst)}">'.encode())
            buf = []
            for s in self.sst:
                buf.append(f"<si><t>{escape(s)}</t></si>")
                if len(buf) >= 1000:
                    fh.write("".join(buf).encode())
                    buf.clear()
            fh.write(("".join(buf) + "</sst>").encode())
        z.close()


def write_applicant_xlsx(path, fields, d):
    w = XlsxWriter(path)
    w.row(["指标", *YEARS])
    for key, v in d.items():
        f = fields[key]
        label = f"{f.zh}（{f.unit}）" if f.unit == "万元" else f.zh
        if isinstance(v, dict):
            w.row([label, *(v.get(y) for y in YEARS)])
        else:
            w.row([label, _cell_text(fields, key, v)])
    w.close()


def roster_columns(fields):
    d = applicant(0, random.Random(0))
    cols = []
    for key in ["company_name", "credit_code", "founding_date", "industry"] + [k for k in d if k not in PER_YEAR
                                                                               and k not in ("company_name",
                                                                                             "credit_code",
                                                                                             "founding_date",
                                                                                             "industry")]:
        cols.append((key, None, fields[key].zh))
    for key in PER_YEAR:
        for y in YEARS:
            cols.append((key, y, f"{fields[key].zh}{y}"))
    return cols


def write_roster(path, rows: int, seed: int = 1):
    fields = _fields()
    cols = roster_columns(fields)
    rng = random.Random(seed)
    header = [c[2] for c in cols]
    is_csv = path.lower().endswith(".csv")
    if is_csv:
        fh = open(path, "w", encoding="utf-8-sig", newline="")
        w = csv.writer(fh)
        emit = w.writerow
    else:
        xw = XlsxWriter(path)
        emit = xw.row
    emit(header)
    for i in range(rows):
        d = applicant(i, rng)
        out = []
        for key, y, _h in cols:
            v = d.get(key)
            if y is not None:
                v = v.get(y) if isinstance(v, dict) else None
            out.append(None if v is None else _cell_text(fields, key, v))
        emit(out)
    if is_csv:
        fh.close()
    else:
        xw.close()


def write_folder(folder, n: int, json_share: float = 0.0, seed: int = 1):
    fields = _fields()
    os.makedirs(folder, exist_ok=True)
    rng = random.Random(seed)
    for i in range(n):
        d = applicant(i, rng)
        if rng.random() < json_share:
            write_json(os.path.join(folder, f"applicant-{i:06d}.json"), d)
        else:
            write_applicant_xlsx(os.path.join(folder, f"applicant-{i:06d}.xlsx"), fields, d)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="what", required=True)
    a = sub.add_parser("folder")
    a.add_argument("dir")
    a.add_argument("n", type=int)
    a.add_argument("--json-share", type=float, default=0.0)
    a.add_argument("--seed", type=int, default=1)
    b = sub.add_parser("roster")
    b.add_argument("file")
    b.add_argument("rows", type=int)
    b.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    if args.what == "folder":
        write_folder(args.dir, args.n, args.json_share, args.seed)
    else:
        write_roster(args.file, args.rows, args.seed)


if __name__ == "__main__":
    main()

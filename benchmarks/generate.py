"""Synthetic applicants for the batch benchmarks (deterministic, seeded).

    python benchmarks/generate.py folder DIR N [--json-share 0.0] [--seed 1]
    python benchmarks/generate.py roster FILE.xlsx|FILE.csv ROWS [--seed 1]

Applicants are drawn from five profiles so that every verdict occurs: strong
(eligible), near-miss (one figure just under a threshold, and often another exactly
at one: a debt ratio of exactly 70%, R&D of exactly 3% of revenue, growth of exactly
10%, a count or rank exactly at its bound), weak (small and slow-growing: not
eligible), incomplete (figures left blank: undetermined) and tainted (a serious
violation / accident on record: excluded where a scheme has exclusions, not eligible
where the record is a required condition).

Every field any ruleset reads is filled in (the jinhu ladder reads ranks, shares,
R&D institutions, profit and tax, four years of operating revenue, ...): the
thresholds are read from rulesets/*.yaml, so a strong applicant meets them, a weak
one misses about half of them and a near-miss sits on them. Credit codes are valid
统一社会信用代码 (GB 32100-2015 check character, GB 11714 organisation-code check
digit inside).

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

YEARS = (2022, 2023, 2024, 2025)  # four years: 3-year average growth needs Y-3
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


# ---------------------------------------------------------------- credit codes (GB 32100)
_USCC = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_W = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_W = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_DIVISIONS = ("430400", "430300", "430200", "330700", "330100", "330200", "330300", "430100", "430600", "320831")


def org_code(rng) -> str:
    """A 9-character organisation code (GB 11714-1997): 8 characters and a mod-11 check digit."""
    body = "".join(rng.choice(_ORG_CHARS[:10] if i else "MN5P") for i in range(8))
    total = sum((_ORG_CHARS.index(ch) if ch.isdigit() else 10 + "ABCDEFGHIJKLMNOPQRSTUVWXYZ".index(ch)) * w
                for ch, w in zip(body, _ORG_W))
    c = 11 - total % 11
    return body + ("X" if c == 10 else "0" if c == 11 else str(c))


def credit_code(rng) -> str:
    """A 统一社会信用代码 with a correct GB 32100-2015 check character (9 + 1: enterprise, company)."""
    code17 = "91" + rng.choice(_DIVISIONS) + org_code(rng)
    total = sum(_USCC.index(ch) * w for ch, w in zip(code17, _USCC_W))
    return code17 + _USCC[(31 - total % 31) % 31]


# -------------------------------------------------------------------- what the rules read
_RULES = None


def rules_profile():
    """From rulesets/*.yaml: thresholds on raw fields, flags that count for or against a
    company, accepted choice codes, and date fields (read once, plain YAML)."""
    global _RULES
    if _RULES is not None:
        return _RULES
    import glob

    import yaml

    fields = _fields()
    raw: dict = {}
    good, bad, choices, dates = set(), set(), {}, set()

    def walk(c, kind):
        if not isinstance(c, dict):
            return
        if "metric" in c:
            keys = c["metric"] if isinstance(c["metric"], list) else [c["metric"]]
            if len(keys) == 1 and keys[0] in fields.fields:
                raw.setdefault(keys[0], []).append((c["op"], c["value"]))
        if "flag" in c:
            (bad if (kind == "exclusion") == c.get("equals", True) else good).add(c["flag"])
        if "choice" in c:
            choices.setdefault(c["choice"], [])
            choices[c["choice"]] += [x for x in c["in"] if x not in choices[c["choice"]]]
        if "date_within" in c:
            dates.add(c["date_within"])
        for k in ("all", "any"):
            for sub in c.get(k, ()):
                walk(sub, kind)
        if c.get("if_missing"):
            walk(c["if_missing"], kind)
        for case in c.get("cases", ()):
            for k in ("when", "then", "else"):
                if k in case:
                    walk(case[k], kind)

    for p in sorted(glob.glob(os.path.join(os.path.dirname(__file__), "..", "rulesets", "*.yaml"))):
        with open(p, encoding="utf-8") as fh:
            d = yaml.safe_load(fh)
        if not isinstance(d, dict) or "tiers" not in d:  # a ruleset's test cases (NAME.tests.yaml)
            continue
        for t in d["tiers"]:
            conds = list(t.get("conditions") or []) + list(t.get("common") or [])
            for tr in t.get("tracks") or []:
                conds += tr["conditions"]
            for c in conds:
                walk(c["check"], c.get("kind", "required"))
    good -= bad
    _RULES = {"raw": raw, "good": sorted(good), "bad": sorted(bad), "choices": choices, "dates": sorted(dates),
              "fields": fields}
    return _RULES


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
    d: dict = {"company_name": name, "credit_code": credit_code(rng),
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
    _rules_fields(d, profile, rng, mb)
    if profile == "tainted":
        d[rng.choice(("serious_violation", "major_accident_3y", "tax_evasion"))] = True
        d["bad_record_3y"] = True
    if profile == "incomplete":
        for k in rng.sample(["rd_expense", "total_liabilities", "own_brand", "digital_upgrade", "employees",
                             "main_business_revenue", "product_certified"], 3):
            d.pop(k, None)
    return d


def _meet(op, t, integer, rng, meet=True):
    """A value that meets (or, with meet=False, misses) ``op t``: some by a wide margin,
    some by one unit."""
    unit = 1 if integer else 0.01
    up = (op in (">=", ">")) == meet
    if rng.random() < 0.3:  # one unit past the bound (or exactly on it, when that meets)
        v = t + (unit if up else -unit) * (1 if (op in (">", "<")) or not meet else rng.randint(0, 1))
    else:
        v = t * (rng.uniform(1.05, 2.5) if up else rng.uniform(0.2, 0.95))
    v = max(v, 1 if integer else 0)
    return int(round(v)) if integer else round(v, 2)


def _rules_fields(d, profile, rng, mb):
    """Every other field the rules read, drawn so that the profile's verdicts follow."""
    r = rules_profile()
    fields = r["fields"]
    strong = profile in ("strong", "tainted", "incomplete", "near")
    p_good = {"strong": 0.98, "tainted": 0.97, "incomplete": 0.95, "near": 0.97, "weak": 0.55}[profile]
    for f in r["good"]:
        if f not in d:
            d[f] = rng.random() < p_good
    for f in r["bad"]:
        if f not in d:
            d[f] = f == "multiple_main_products" and rng.random() < 0.5
    d["related_products"] = True if strong else rng.random() < 0.5
    for f, codes in r["choices"].items():
        if f in d:
            continue
        allc = sorted(fields[f].choices)
        d[f] = codes[0] if strong and rng.random() < 0.8 else rng.choice(allc)
    if profile == "tainted" and rng.random() < 0.5:
        for f in r["dates"]:
            d[f] = dt.date(2024, rng.randint(1, 12), rng.randint(1, 28))
    edges = []
    for f, rules in r["raw"].items():
        if f in d or f not in fields:
            continue
        fd = fields[f]
        integer = fd.type == "integer"
        lows = [t for op, t in rules if op in (">=", ">")]
        highs = [t for op, t in rules if op in ("<=", "<")]
        meet = strong or rng.random() < 0.5
        if lows and not (highs and min(highs) < max(lows)):
            op, t = ">=", max(lows)
        elif highs:
            op, t = "<=", min(highs)
        else:
            continue
        if fd.unit == "万元":  # money thresholds scale with the company
            t = max(t, 1)
        edges.append((f, t))
        val = _meet(op, t, integer, rng, meet)
        if fd.unit == "%":
            val = min(val, 100)
        if fd.per_year:
            d[f] = {y: (val if integer else round(val * (0.8 + 0.07 * k), 2)) for k, y in enumerate(YEARS)}
        else:
            d[f] = val
    age = YEARS[-1] - d["founding_date"].year
    for f in ("business_field_years", "new_product_years", "niche_market_years"):  # within the company's age
        if isinstance(d.get(f), (int, float)) and d[f] > age:
            d[f] = max(age, 0)
    for f in ("operating_profit", "equity_financing", "profit_and_tax"):
        if f in fields and f not in d:
            share = {"operating_profit": 0.09, "equity_financing": 0.05, "profit_and_tax": 0.12}[f]
            d[f] = {y: round(v * share * rng.uniform(0.5, 1.5), 2) for y, v in mb.items()}
    if profile == "near":  # and one figure exactly at a threshold edge (以上/不高于 include it)
        which = rng.randrange(5)
        y = YEARS[-1]
        if which == 0:  # asset-liability ratio exactly 70%
            a = int(d["total_assets"][y]) // 10 * 10 + 10
            d["total_assets"][y], d["total_liabilities"][y] = a, a * 7 // 10
        elif which == 1:  # 2-year R&D exactly 3% of main-business revenue
            for yy in YEARS[-2:]:
                m = int(d["main_business_revenue"][yy]) // 100 * 100 + 100
                d["main_business_revenue"][yy] = m
                d["rd_expense"][yy] = m * 3 // 100
                d["operating_revenue"][yy] = max(d["operating_revenue"][yy], m)
        elif which == 2:  # compound 2-year growth exactly 10% (manufacturing) / 15% (software)
            g = 121 if d["industry"] == "manufacturing" else 13225 / 100
            base = int(d["main_business_revenue"][YEARS[-3]]) // 100 * 100 + 100
            d["main_business_revenue"][YEARS[-3]] = base
            d["main_business_revenue"][y] = round(base * g / 100, 2)
            d["operating_revenue"][y] = max(d["operating_revenue"][y], d["main_business_revenue"][y])
        elif which == 3:  # main-business share exactly 60%
            m = int(d["main_business_revenue"][y]) // 3 * 3 + 3
            d["main_business_revenue"][y], d["operating_revenue"][y] = m, m * 5 // 3
        elif edges:  # a count, rank or amount exactly at its bound
            f, t = rng.choice(edges)
            if isinstance(d.get(f), dict):
                d[f][y] = t
            else:
                d[f] = t


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

    def __init__(self, path, zip64=True):
        # a roster streams rows of unknown total size, so its parts are written as zip64 entries; an applicant
        # file is small and written as Excel and openpyxl write theirs (no zip64 records)
        self.zip64 = zip64
        self.zf = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self.sst: dict[str, int] = {}
        self.sheet = self.zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=zip64)
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
        with z.open("xl/sharedStrings.xml", "w", force_zip64=self.zip64) as fh:
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
    w = XlsxWriter(path, zip64=False)
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
    """Every field the generated applicants carry (of every profile), per-year ones per year."""
    rng = random.Random(0)
    keys: list = ["company_name", "credit_code", "founding_date", "industry"]
    per_year: list = []
    for i in range(60):
        for k, v in applicant(i, rng).items():
            if isinstance(v, dict):
                if k not in per_year:
                    per_year.append(k)
            elif k not in keys:
                keys.append(k)
    cols = [(key, None, fields[key].zh) for key in keys]
    for key in per_year:
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

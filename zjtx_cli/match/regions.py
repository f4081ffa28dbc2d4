"""Where a firm is registered, and whether a scheme's region contains it.

The firm's region comes, in this order, from ``--region``, from the 注册地 field
(``registered_region``), or from characters 3-8 of its unified social credit code
(GB 32100-2015: the registering authority's administrative-division code, GB/T 2260).
Codes are held as six digits; a scheme's region is a code whose trailing "00" pairs
mark the level (province ``520000``, city ``430400``, county ``320831``; ``000000`` the
whole country).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015 table: no I, O, S, V, Z
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
NATIONAL = "000000"


class RegionError(ValueError):
    """A region given by the user that cannot be read (one line, both languages)."""

    def __init__(self, zh: str, en: str):
        super().__init__(en)
        self.zh, self.en = zh, en


def _as_is(parsed, _path):
    return parsed


@functools.lru_cache(maxsize=1)
def data() -> dict:
    """divisions.yaml, parsed once and kept in the YAML cache as the rulesets are (no PyYAML on later runs)."""
    from zjtx_cli.inputs.yamlcache import load_cached

    return load_cached(str(Path(__file__).with_name("divisions.yaml")), _as_is, (__file__,))


def level(code: str) -> str:
    """national / province / city / county, from the trailing zero pairs."""
    if code == NATIONAL:
        return "national"
    if code[2:] == "0000":
        return "province"
    if code[4:] == "00":
        return "city"
    return "county"


def prefix(code: str) -> str:
    """The significant digits: '43' for 430000, '4304' for 430400, '320831' for a county."""
    return {"national": "", "province": code[:2], "city": code[:4], "county": code}[level(code)]


def name(code: str, lang: str = "zh") -> str:
    """'湖南省衡阳市' for 430400; a level not in the shipped list is named by its code, never guessed."""
    divs = data()["divisions"]
    if code == NATIONAL:
        return data()["national"][lang]
    levels = [code[:2] + "0000"]
    if code[2:4] != "00":
        levels.append(code[:4] + "00")
    if code[4:] != "00":
        levels.append(code)
    known = [divs[c][lang] for c in levels if c in divs]
    if code not in divs:
        known.append(f"（代码 {code}，名称未收录）" if lang == "zh" else f"(code {code}, name not in the shipped list)")
    return "".join(known) if lang == "zh" else ", ".join(reversed(known))


def credit_code_check(code: str) -> str | None:
    """The check character GB 32100-2015 gives for the first 17, or None if they are not valid."""
    if len(code) < 17 or any(ch not in _CHARS for ch in code[:17]):
        return None
    s = sum(_CHARS.index(ch) * w for ch, w in zip(code[:17], _WEIGHTS))
    return _CHARS[(31 - s % 31) % 31]


@dataclass
class Region:
    code: str | None  # six digits, or None when unknown
    source: str  # "option" / "field" / "credit_code" / "none"
    note_zh: str = ""
    note_en: str = ""

    def json(self, lang="zh"):
        return {"code": self.code, "level": level(self.code) if self.code else None,
                "name": {"zh": name(self.code, "zh"), "en": name(self.code, "en")} if self.code else None,
                "source": self.source, "note": {"zh": self.note_zh, "en": self.note_en}}


SOURCE_TEXT = {
    "option": ("--region 参数", "the --region option"),
    "field": ("注册地字段（registered_region）", "the 注册地 field (registered_region)"),
    "credit_code": ("统一社会信用代码第3—8位（登记管理机关行政区划码，GB 32100-2015；GB/T 2260）",
                    "characters 3-8 of the unified social credit code (registering authority's division, "
                    "GB 32100-2015; GB/T 2260)"),
    "none": ("无（未提供注册地或统一社会信用代码）", "none (no 注册地 or credit code given)"),
}


def parse_place(text: str) -> str:
    """A 6-digit code, or a place name from the shipped list ('湖南省衡阳市', '金湖县', 'Hengyang')."""
    t = re.sub(r"\s+", "", str(text))
    if re.fullmatch(r"\d{6}", t):
        return t
    if re.fullmatch(r"\d{2}|\d{4}", t):
        return t.ljust(6, "0")
    best = None
    for code, d in data()["divisions"].items():
        names = {d["zh"], d["en"].lower()}
        short = re.sub(r"(省|市|县|区|自治州|苗族侗族自治州)$", "", d["zh"])
        if len(short) >= 2:
            names.add(short)
        if any(n and (n in t or n in t.lower()) for n in names):
            # the deepest division named wins; it must sit inside any other division named
            if best is None or (code.startswith(prefix(best)) and len(prefix(code)) > len(prefix(best))):
                best = code
    if best is None:
        raise RegionError(f"无法识别的地区 {text!r}：请给出6位行政区划代码（GB/T 2260），如 430400",
                          f"unknown place {text!r}: give a 6-digit GB/T 2260 division code such as 430400")
    return best


def firm_region(option: str | None, field_value, credit_code) -> Region:
    """Decide the firm's region; raises RegionError only for a bad --region."""
    if option:
        return Region(parse_place(option), "option")
    notes_zh, notes_en = [], []
    if field_value not in (None, ""):
        try:
            return Region(parse_place(field_value), "field")
        except RegionError as exc:
            notes_zh.append(f"注册地 {field_value!r} 无法识别，改用统一社会信用代码（{exc.zh}）")
            notes_en.append(f"注册地 {field_value!r} not recognised, the credit code is used instead ({exc.en})")
    if credit_code:
        cc = str(credit_code).strip().upper()
        if len(cc) == 18 and re.fullmatch(r"\d{6}", cc[2:8]):
            check = credit_code_check(cc)
            if check != cc[17]:
                notes_zh.append(f"统一社会信用代码 {cc} 的校验码与 GB 32100-2015 计算结果（{check or '—'}）不符，"
                                f"代码可能有误，请核对")
                notes_en.append(f"the check character of credit code {cc} does not match GB 32100-2015 "
                                f"({check or '—'}); the code may be mistyped")
            code = cc[2:8]
            if code[:2] + "0000" not in data()["divisions"]:
                notes_zh.append(f"行政区划码 {code} 的省级代码不在随附代码表中，仅按代码前缀比较")
                notes_en.append(f"the province of division code {code} is not in the shipped list; compared by prefix")
            return Region(code, "credit_code", "；".join(notes_zh), "; ".join(notes_en))
        notes_zh.append(f"统一社会信用代码 {cc!r} 不是18位、第3—8位不是数字，无法确定注册地")
        notes_en.append(f"credit code {cc!r} is not 18 characters with digits in 3-8: no region from it")
    return Region(None, "none", "；".join(notes_zh), "; ".join(notes_en))


def contains(scheme_code: str, firm: Region) -> bool | None:
    """True / False, or None when the firm's region is too coarse (or unknown) to tell."""
    sp = prefix(scheme_code)
    if sp == "":
        return True
    if not firm.code:
        return None
    fp = prefix(firm.code)
    n = min(len(sp), len(fp))
    if sp[:n] != fp[:n]:
        return False
    return True if len(fp) >= len(sp) else None

"""Programmes with dated versions: ``--scheme miit`` means the version in force on ``--as-of``.

A ruleset joins a programme with its metadata ``programme: miit`` and
``effective_from`` / ``effective_to`` (ISO dates, both inclusive). A version
without ``effective_from`` is the oldest: it applies to any date before the
next version starts. Each version stays addressable by its own id
(``miit-2020``, ``miit-2022``, ``miit-2026``).

Only rulesets whose file name starts with ``<programme>-`` are read, so an
ordinary scheme id costs one directory listing. User rulesets (``--rules-dir``,
``ZJTX_RULES_PATH``) take part too: a user ``miit-2027.yaml`` with ``programme: miit``
is a new version of the national standard.
"""

from __future__ import annotations

import datetime as _dt

# choosing the version in force needs the rulesets themselves, and so does a compiled ruleset's
# ``lookup`` of a ``scheme:tier`` it leads to: both live in the loader (no import cycle)
from zjtx_cli.rules.loader import _date, programmes, resolve, versions

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; the annotations are only read by the type checker
    from typing import TypedDict

__all__ = ["versions", "programmes", "resolve", "in_force", "batch_warning", "review_layer", "review_layer_ids",
           "BATCH_WINDOWS", "REVIEW_LAYERS"]


def in_force(ruleset_data: dict, as_of: _dt.date) -> bool:
    """Whether a versioned ruleset's own period holds ``as_of`` (unversioned: always)."""
    start, end = _date(ruleset_data.get("effective_from")), _date(ruleset_data.get("effective_to"))
    return (start is None or start <= as_of) and (end is None or as_of <= end)


# ---------------------------------------------------------------------------- batch windows
# The dated versions of a programme whose own call covered only part of their period (issue 12).
# miit-2020 encodes the 2nd-batch call (工信厅企业函〔2020〕159号, seed 001_4225ee514247bff2.txt): signed
# 2020-07-06 (落款), companies filed online by 8月7日 (三(四)2), provinces reported by 8月21日 (三(五)).
# The 1st batch (2019, 工信厅企业函〔2018〕381号) and the 3rd batch (2021) had calls of their own whose
# texts no public copy was found for (docs/national-standards.md, "Batches before 2022"), so a date
# outside the 2nd batch's window is assessed against the 2nd batch's criteria with a warning.
# "from" is a keyword, hence the functional form
if TYPE_CHECKING:
    _BatchWindow = TypedDict("_BatchWindow", {"from": _dt.date, "to": _dt.date, "batch_zh": str, "batch_en": str,
                                              "document": str})
    _ReviewLayer = TypedDict("_ReviewLayer", {"programme": str, "from": _dt.date, "to": _dt.date, "tier": str,
                                              "ruleset": str, "document": str})
BATCH_WINDOWS: dict[str, _BatchWindow] = {
    "miit-2020": {"from": _dt.date(2020, 7, 6), "to": _dt.date(2020, 8, 21), "batch_zh": "第二批",
                  "batch_en": "2nd batch", "document": "工信厅企业函〔2020〕159号"},
}


def batch_warning(scheme_id: str, as_of: _dt.date, lang: str = "zh") -> str | None:
    """A one-line warning when ``as_of`` falls outside the call a version encodes, else None."""
    w = BATCH_WINDOWS.get(scheme_id)
    if w is None or w["from"] <= as_of <= w["to"]:
        return None
    before = as_of < w["from"]
    if lang == "zh":
        other = ("第一批（2019年，工信厅企业函〔2018〕381号）" if before else
                 "第三批（2021年）及其后各批" if as_of.year >= 2021 else "下一批（2021年第三批）")
        return (f"{scheme_id}：所编码的是{w['batch_zh']}申报通知（{w['document']}，申报期 {w['from']} 至 {w['to']}）；"
                f"评价日 {as_of} 不在其内，{other}有各自的通知，其条件未能找到公开文本，未编码 —— "
                f"仍按{w['batch_zh']}条件评价（含“截至2019年底”等固定时点），结果仅供参考")
    other = ("the 1st batch (2019, 工信厅企业函〔2018〕381号)" if before else
             "the 3rd (2021) and later batches" if as_of.year >= 2021 else "the next batch (3rd, 2021)")
    return (f"{scheme_id}: encodes the {w['batch_en']} call ({w['document']}, applications {w['from']} to "
            f"{w['to']}); the assessment date {as_of} is outside it, and {other} had calls of their own whose "
            f"criteria no public text was found for - assessed against the {w['batch_en']}'s criteria (its fixed "
            f"cut-offs such as 截至2019年底 kept); for reference only")


# ---------------------------------------------------------------------------- re-review layers
# Dated layers for --review: a re-review in a year whose annual notice sets its own standard.
# 工信厅企业函〔2026〕117号 (2026年度认定和复核): re-reviews of little giants by the 2022 standard (63号), per
# secondary copies only (docs/national-standards.md, "The 2026 re-review").
REVIEW_LAYERS: list[_ReviewLayer] = [
    {"programme": "miit", "from": _dt.date(2026, 1, 1), "to": _dt.date(2026, 12, 31), "tier": "little-giant",
     "ruleset": "miit-2026-review", "document": "工信厅企业函〔2026〕117号"},
]


def review_layer_ids() -> frozenset[str]:
    """Rulesets that are re-review layers (applied only through ``--review``), not programmes to apply for."""
    return frozenset(lay["ruleset"] for lay in REVIEW_LAYERS)


def review_layer(scheme: str, resolved: str, as_of: _dt.date, tier: str | None, review: bool,
                 lang: str = "zh") -> tuple[str | None, str | None]:
    """(ruleset id to apply instead, one-line warning) for ``--scheme PROGRAMME --review``."""
    if not review:
        return None, None
    for lay in REVIEW_LAYERS:
        if scheme != lay["programme"] or not (lay["from"] <= as_of <= lay["to"]):
            continue
        if tier == lay["tier"]:
            if lang == "zh":
                return lay["ruleset"], (
                    f"{scheme}：{as_of.year}年度“小巨人”复核按{lay['document']}（据二手转载，来源待核实）评价，"
                    f"即工信部企业〔2022〕63号标准（{lay['ruleset']}），不用{resolved}的复核放宽；"
                    f"按{resolved}评价请用 --scheme {resolved}")
            return lay["ruleset"], (
                f"{scheme}: the {as_of.year} little-giant re-review is assessed under {lay['document']} (secondary "
                f"copies only, source unconfirmed), i.e. the MIIT [2022] No. 63 standard ({lay['ruleset']}), not "
                f"{resolved}'s re-review carve-outs; --scheme {resolved} assesses by {resolved}")
        if tier is None:
            if lang == "zh":
                return None, (f"{scheme}：{as_of.year}年度“小巨人”复核另有{lay['document']}（按63号标准，来源待核实）："
                              f"用 --tier {lay['tier']} --review 按该层评价；本次按{resolved}评价")
            return None, (f"{scheme}: {as_of.year} little-giant re-reviews fall under {lay['document']} (the No. 63 "
                          f"standard, source unconfirmed): use --tier {lay['tier']} --review for that layer; "
                          f"assessed here by {resolved}")
    return None, None

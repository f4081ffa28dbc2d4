"""Plain text for a file or a pipe (outputs/plain.py): aligned by display width, wrapped, inert, and the
same words as the rich tables on a terminal."""

from __future__ import annotations

import io
import os
import re

import pytest
from conftest import ROOT

from zjtx_cli.outputs import plain
from zjtx_cli.outputs.plain import Console, Table, Text, width, wrap

S = os.path.join(ROOT, "samples")


def _render(table, cols=160):
    out = io.StringIO()
    Console(out, width=cols).print(table)
    return out.getvalue()


def _starts(line, sep_cells):
    """Display columns at which each of ``sep_cells`` (texts known to begin a cell) starts in ``line``."""
    return [width(line[:line.index(c)]) for c in sep_cells]


# ------------------------------------------------------------------------------ widths
@pytest.mark.parametrize("text,cols", [
    ("", 0), ("abc", 3), ("专精特新", 8), ("营业收入 2000万元", 17), ("ＡＢ", 4),  # full-width Latin
    ("e\u0301", 1),  # a combining accent takes no column
    ("–—…", 3),  # dashes and the ellipsis are narrow (ambiguous width counts as one, as terminals do)
])
def test_display_width(text, cols):
    assert width(text) == cols


def test_columns_line_up_with_chinese_and_latin():
    t = Table()
    t.add_column("状态")
    t.add_column("条件")
    t.add_column("Source")
    t.add_row(Text("满足", style="green"), "经营1年以上", "x.txt 四(一)1")
    t.add_row("met · evidence needed", "Independent legal person", "y.txt 4")
    t.add_row("不满足", "主营业务收入2000万元以上", "z")
    lines = _render(t).splitlines()
    natural = [width("met · evidence needed"), width("主营业务收入2000万元以上"), width("x.txt 四(一)1")]
    assert [len(d) for d in lines[1].split()] == natural
    firsts = [("条件", "Source"), ("经营1年以上", "x.txt"), ("Independent", "y.txt"), ("主营业务收入", "z")]
    starts = {tuple(_starts(line, cells)) for line, cells in zip([lines[0], *lines[2:]], firsts, strict=True)}
    assert len(starts) == 1, starts  # every cell of a column starts at the same display column
    col2, col3 = starts.pop()
    assert col2 == width("met · evidence needed") + 2 and col3 == col2 + width("主营业务收入2000万元以上") + 2


def test_a_narrow_table_is_not_wrapped():
    t = Table()
    t.add_column("条件")
    t.add_row("企业研发费用总额占营业收入总额比重不低于3%")
    assert _render(t, 160).splitlines()[2] == "企业研发费用总额占营业收入总额比重不低于3%"


def test_a_wide_table_wraps_its_widest_cells_to_the_width():
    long = "企业研发费用总额占营业收入总额比重不低于3%，且近两年研发投入2000万元以上，拥有有效发明专利2项以上。"
    t = Table()
    for h in ("状态", "条件", "出处"):
        t.add_column(h)
    t.add_row("不满足", long, "004_5de2faa6872fe21e.txt 四(一)2")
    out = _render(t, 60)
    lines = out.splitlines()
    assert len(lines) > 3 and all(width(line) <= 60 for line in lines)
    # nothing lost, nothing added: the condition's column, read top to bottom, is the text
    start = _starts(lines[0], ["条件"])[0]
    end = _starts(lines[0], ["出处"])[0]
    cells = []
    for line in lines[2:]:
        cols = 0
        kept = ""
        for ch in line:
            if start <= cols < end:
                kept += ch
            cols += plain.char_width(ch)
        cells.append(kept.strip())
    assert "".join(cells) == long
    assert any(c.startswith("2000万元") or "2000万元" in c for c in cells)  # a number kept with its unit
    assert not any(c.startswith(("，", "。")) for c in cells)  # closing punctuation never first


@pytest.mark.parametrize("line,cols", [
    ("营业收入 2000万元 以上", 8), ("The leading product or service leads its niche market", 12),
    ("a" * 30, 7), ("专精特新“小巨人”企业", 6), ("", 5),
])
def test_wrap_keeps_every_character_within_the_width(line, cols):
    parts = wrap(line, cols)
    assert all(width(p) <= cols for p in parts)
    assert "".join(parts).replace(" ", "") == line.replace(" ", "")


def test_a_number_and_its_unit_stay_together():
    # "1980 万元，" is 11 columns: it moves to a line of its own rather than leave 万元 behind
    assert wrap("现为 1980 万元，须 ≥ 2000 万元", 12) == ["现为", "1980 万元，", "须 ≥", "2000 万元"]


def test_control_characters_are_inert():
    t = Table(title="标题\x1b]0;owned\x07")
    t.add_column("企业")
    t.add_column("实际")
    t.add_row("恶意\x1b[2J公司\u202e", "a\tb\rc")
    t.add_row("第一行\n第二行", "x")
    out = _render(t)
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", out)
    lines = out.splitlines()
    assert lines[0] == "标题]0;owned"
    assert lines[3].startswith("恶意[2J公司") and "a b c" in lines[3]
    assert lines[4].startswith("第一行") and lines[5].startswith("第二行")  # a cell's own lines, aligned
    printed = io.StringIO()
    Console(printed).print("[bold]粗体[/]\x1b[31m", Text("x\x9by"))
    assert printed.getvalue() == "粗体[31m xy\n"  # style tags dropped, escapes inert


# ------------------------------------------------------------------ same words as rich
def _words_rich(text):
    return re.sub("[\u2500-\u257f]", " ", text).split()


def _words_plain(text):
    """The words, without the dashed line under each table's headings."""
    return [w for line in text.splitlines() if not re.fullmatch(r"-+(  -+)*", line) for w in line.split()]


def _both(monkeypatch, capsys, call):
    """What ``call`` prints through rich (a terminal's console) and through the plain console."""
    from rich.console import Console as RichConsole

    from zjtx_cli.cli import commands, listing
    from zjtx_cli.outputs.report import enable_cjk_wrap

    outs = []
    for make in (lambda: RichConsole(file=io.StringIO(), width=1000, highlight=False, color_system=None),
                 lambda: Console(io.StringIO(), width=1000)):
        con = make()
        monkeypatch.setattr(commands, "console", lambda stderr=False, con=con: con)
        monkeypatch.setattr(listing, "console", lambda stderr=False, con=con: con)
        enable_cjk_wrap()
        code = call()
        outs.append((code, con.file.getvalue()))
    capsys.readouterr()
    (code_rich, rich_text), (code_plain, plain_text) = outs
    assert code_rich == code_plain
    assert "│" in rich_text or "┃" in rich_text or not rich_text.count("\n") > 5
    assert not re.search("[\u2500-\u257f]", plain_text)
    return rich_text, plain_text


@pytest.mark.parametrize("argv", [
    ("hengyang-near-miss.json", "hengyang", {}),
    ("hengyang-eligible.json", "hengyang", {"lang": "en", "checklist": True}),
    ("guizhou-eligible.json", "guizhou", {"tier": "provincial"}),
    ("hengyang-eligible.json", "hengyang", {"evidence": ["required"], "checklist": True}),
])
def test_assess_plain_has_the_words_of_the_rich_table(argv, monkeypatch, capsys):
    from zjtx_cli.cli.commands import run_assess

    name, scheme, kw = argv
    rich_text, plain_text = _both(monkeypatch, capsys, lambda: run_assess(os.path.join(S, name), scheme, **kw))
    assert _words_plain(plain_text) == _words_rich(rich_text)


def test_ladder_plain_has_the_words_of_the_rich_table(monkeypatch, capsys):
    from zjtx_cli.cli.commands import run_assess

    sample = sorted(f for f in os.listdir(S) if f.startswith("jinhu") and f.endswith(".json"))[0]
    rich_text, plain_text = _both(monkeypatch, capsys, lambda: run_assess(os.path.join(S, sample), "jinhu"))
    assert _words_plain(plain_text) == _words_rich(rich_text)
    assert "下一层级" in plain_text or "尚未达到任何层级" in plain_text or "已达到的最高层级" in plain_text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_schemes_and_rules_plain_have_the_words_of_the_rich_tables(lang, monkeypatch, capsys):
    from zjtx_cli.cli.listing import run_rules, run_schemes

    for call in (lambda: run_schemes(lang=lang), lambda: run_rules(["jinhu"], lang=lang)):
        rich_text, plain_text = _both(monkeypatch, capsys, call)
        assert _words_plain(plain_text) == _words_rich(rich_text)


def test_console_is_plain_off_a_terminal_and_rich_on_one(monkeypatch):
    import sys

    from zjtx_cli.cli.commands import console

    monkeypatch.setenv("COLUMNS", "72")
    con = console()
    assert isinstance(con, plain.Console) and con.width == 72
    monkeypatch.delenv("COLUMNS")
    assert console().width == 160

    class Tty(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stdout", Tty())
    from rich.console import Console as RichConsole

    assert isinstance(console(), RichConsole)

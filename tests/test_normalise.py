"""Normalisation rules, each on real snippets (source file named next to each), and the offset map."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ogi_extract.normalise import normalise

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def norm(raw: str) -> str:
    return normalise(raw).text


# --- pinyin injected by mirror sites ---------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("政府信息公開(kāi)工作年度報(bào)告", "政府信息公开工作年度报告"),  # seeds/001
        ("政(zheng)(zheng)府", "政府"),
        ("您當(dāng)前的位置", "您当前的位置"),  # seeds/001
        ("三安全(ān)一稳定", "三安全一稳定"),
    ],
)
def test_pinyin_after_characters_is_removed(raw, expected):
    assert norm(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "《中华人民共和国政府信息公开条例》（以下简称《条例》）",  # seeds/000
        "（一）精心部署",  # seeds/000
        "邮编(2017年)",
        "化肥用量(kg)",
        "(五)强化业务培训",  # seeds/000
    ],
)
def test_legitimate_parentheses_survive(raw):
    assert norm(raw) == raw


def test_stray_commas_of_pinyin_mirrors_are_removed():
    # heads/b014: "七个部分组成,。" and "基本情况,、"
    assert norm("七個部分組成,。本報告") == "七个部分组成。本报告"
    assert norm("基本情況,、圍繞") == "基本情况、围绕"


# --- script, width, quotes, dashes, blank space ------------------------------------------------------


def test_traditional_to_simplified():
    assert norm("牡丹江市殘疾人聯合會") == "牡丹江市残疾人联合会"


def test_second_seed_reads_as_clean_simplified_text():
    raw = (CORPUS / "seeds" / "001_c44dcc59d4980d1a.txt").read_text(encoding="utf-8")
    text = norm(raw)
    assert "牡丹江市残疾人联合会" in text
    assert "(dāng)" not in text and "公開" not in text and "报告" in text
    assert "您当前的位置" not in text  # breadcrumb dropped


def test_full_width_digits_letters_and_spaces_become_half_width():
    # full/d011: "配备了１名专职" ; full-width space inside a line
    assert norm("配备了１名专职") == "配备了1名专职"
    assert norm("ＡＢＣ\u3000ｘｙｚ") == "ABC xyz"


def test_full_width_punctuation_of_chinese_text_is_kept():
    assert norm("（一）主动公开，依申请公开；") == "（一）主动公开，依申请公开；"


def test_quotes_and_dashes_are_unified():
    assert norm("危及「三安全一稳定」") == "危及“三安全一稳定”"
    assert norm('坚持"以公开为常态"原则') == "坚持“以公开为常态”原则"
    assert norm("0773–5625118") == "0773-5625118"
    assert norm('数据\\"统计\\"') == "数据“统计”"  # full/a023: JS-escaped quotes


def test_runs_of_blank_space_collapse_and_spaces_between_chinese_characters_go():
    assert norm("邮箱：ptsl2008@163.com     传真") == "邮箱：ptsl2008@163.com 传真"
    assert norm("《 条例 》") == "《条例》"  # heads/b132
    assert norm("成立 70 周年") == "成立70周年"  # PDF text spaces digits apart from characters
    assert norm("230 000023") == "230 000023"  # full/a013: a space between digits can separate table cells


def test_page_numbers_inside_running_text_are_dropped():
    # ../shared/corpus/pdf/hongze-2023.pdf, page 1 footer
    assert norm("严格执行“分- 1 -级审核、先审后发”程序") == "严格执行“分级审核、先审后发”程序"
    assert norm("2019-2020学年") == "2019-2020学年"


# --- rejoining broken lines, keeping table cells --------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("我局编制\n了\n《20\n22\n年度政府信息公开工作年度报告》。", "我局编制了《2022年度政府信息公开工作年度报告》。"),  # full/d010
        ("其中：主动公开\n3\n1163条，占82.", "其中：主动公开31163条，占82."),  # full/d037
        ("信息公开办公室关\n于\n印发", "信息公开办公室关于印发"),  # full/d010
        ("(\n五\n)\n加强培训", "(五)加强培训"),  # full/d004
        ("数据统计\n时间\n为\n2021\n年\n1\n月\n1\n日至", "数据统计时间为2021年1月1日至"),  # full/d023
    ],
)
def test_text_broken_by_page_extraction_is_rejoined(raw, expected):
    assert norm(raw) == expected


def test_flattened_table_cells_stay_one_per_line():
    # full/d023, table 3 as the portal flattened it
    raw = "申请人情况\n自然人\n法人或其他组织\n总计\n一、本年新收政府信息公开申请数量\n3\n0\n3\n二、上年结转政府信息公开申请数量\n0\n"
    text = norm(raw)
    assert "\n3\n0\n3\n" in text
    assert "一、本年新收政府信息公开申请数量\n3" in text


def test_old_appendix_table_keeps_its_unit_and_value_cells():
    # seeds/000 附表
    raw = "（二）附表\n\t指标名称\n\t单位\n\t2017年\n\t历年累计\n\t主动公开文件数\n\t条\n\t35\n\t187\n"
    assert "主动公开文件数\n条\n35\n187" in norm(raw)


def test_sentence_ends_and_headings_keep_their_line_breaks():
    raw = "确保落实到位。\n二、主动公开政府信息情况\n（一）主动公开政府信息数量和类别\n2017年,我会主动公开政府信息7类35条，其中：康复类6条、就业创业类8条、文体教育类5条。"
    assert norm(raw).split("\n") == [
        "确保落实到位。",
        "二、主动公开政府信息情况",
        "（一）主动公开政府信息数量和类别",
        "2017年,我会主动公开政府信息7类35条，其中：康复类6条、就业创业类8条、文体教育类5条。",
    ]


def test_html_and_docx_lines_can_be_kept_as_blocks():
    assert normalise("发布日期：2020-01-31\n本年度报告根据", rejoin=False).text == "发布日期：2020-01-31\n本年度报告根据"


# --- page junk ------------------------------------------------------------------------------------------


def test_crawler_header_block_is_dropped_but_body_kept():
    raw = (CORPUS / "full" / "d023.txt").read_text(encoding="utf-8")
    text = norm(raw)
    assert not text.startswith("标题")
    assert "原始链接" not in text[:300] and "发布机构" not in text[:300]
    assert text.startswith("根据《中华人民共和国政府信息公开条例》")


def test_breadcrumb_and_share_widgets_are_dropped():
    raw = (CORPUS / "full" / "a001.txt").read_text(encoding="utf-8")
    text = norm(raw)
    assert "当前位置" not in text
    assert "微信 微博 QQ空间" not in text
    assert "平潭综合实验区2011年政府信息公开工作年度报告" in text
    assert "本报告主要根据《中华人民共和国政府信息公开条例》" in text


def test_bookmark_tags_are_dropped():
    raw = (CORPUS / "seeds" / "000_4542ec8ee655ebbf.txt").read_text(encoding="utf-8")
    assert "[bookmark" in raw
    text = norm(raw)
    assert "bookmark" not in text
    assert "2017年,我会主动公开政府信息7类35条" in text


def test_body_text_mentioning_header_words_is_kept():
    raw = "标题: 晋江市残联2017年报告\n发布时间: 2018-01-02\n晋江市残疾人联合会2017年政府信息公开工作年度报告\n" + "标题: 不是页头，因为不在开头。\n" * 3
    text = norm(raw)
    assert not text.startswith("标题") and "发布时间" not in text
    assert text.count("标题: 不是页头，因为不在开头。") == 3


# --- the offset map --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["seeds/000_4542ec8ee655ebbf.txt", "seeds/001_c44dcc59d4980d1a.txt", "full/d023.txt", "heads/b014.txt"])
def test_every_kept_character_maps_to_its_raw_character(name):
    raw = (CORPUS / name).read_text(encoding="utf-8-sig")
    n = normalise(raw)
    from ogi_extract.normalise import _t2s, _TRANSLATE

    assert len(n.offsets) == len(n.text)
    for i, ch in enumerate(n.text):
        source = raw[n.offsets[i]]
        converted = _t2s().convert(source.translate(_TRANSLATE))
        assert ch == source or ch == converted or (ch in "“”" and source in '"'), (i, ch, source)
    assert all(a < b for a, b in zip(n.offsets, n.offsets[1:]))


def test_to_raw_maps_a_normalised_span_back():
    raw = "標題: x\n您當(dāng)前的位置: 首頁>報告\n晉江市殘疾人聯合會2017年報告"
    n = normalise(raw)
    start = n.text.index("晋江市残疾人联合会")
    raw_start, raw_end = n.to_raw(start, start + 9)
    assert raw[raw_start:raw_end] == "晉江市殘疾人聯合會"


# --- properties --------------------------------------------------------------------------------------------

_ALPHABET = st.sampled_from(
    list("政府信息公開开报告年度一二三（）()、，。；：“”\"' \t\n\r0123456789０１ａＡabc条件-—–「」")
    + ["(kāi)", "(zheng)", "\u3000", "\x00", "\ufeff", "《", "》", "標題: ", "您当前的位置: ", "[bookmark: _GoBack]"]
)
texts = st.lists(_ALPHABET, max_size=60).map("".join)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_offset_map_is_monotonic_and_in_range(raw):
    n = normalise(raw)
    assert len(n.offsets) == len(n.text)
    assert all(0 <= int(o) < len(raw) for o in n.offsets)
    assert all(a < b for a, b in zip(n.offsets, n.offsets[1:]))


@settings(max_examples=300, deadline=None)
@given(texts)
def test_each_output_character_comes_from_its_raw_character(raw):
    from ogi_extract.normalise import _t2s, _TRANSLATE

    n = normalise(raw)
    for i, ch in enumerate(n.text):
        source = raw[n.offsets[i]]
        converted = _t2s().convert(source.translate(_TRANSLATE))
        assert ch in (source, converted) or (ch in "“”" and source == '"') or (ch == "\n" and source == "\r"), (raw, i, ch, source)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_normalising_twice_equals_normalising_once(raw):
    once = normalise(raw).text
    assert normalise(once).text == once

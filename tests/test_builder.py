"""Indicators from predictions: zero statements and the single proactive figure (guideline decision 7).

The sentences are quoted from reports of the corpus (the file is named beside each)."""

import pytest

from ogi_extract.builder import build_indicators, count_mention
from ogi_extract.rules import find_zero_statements


def zeros(text: str) -> dict[str, str]:
    return {key: text[start:end] for key, start, end in find_zero_statements(text)}


@pytest.mark.parametrize("text, expected", [
    # heads/b029: two statements in one sentence, each on its own clause
    ("2021年,我单位未收到政府信息公开申请,全年未发生行政复议、行政诉讼情况。",
     {"applications_received": "未收到政府信息公开申请", "admin_reconsideration": "未发生行政复议、行政诉讼情况",
      "admin_litigation": "未发生行政复议、行政诉讼情况"}),
    # heads/b148
    ("2009年,全镇政府信息公开依申请办理事项为零。", {"applications_received": "依申请办理事项为零"}),
    # heads/b120: a heading, a full stop, then 无
    ("5、因政府信息公开申请行政复议、提起行政诉讼的情况。无。",
     {"admin_reconsideration": "行政复议、提起行政诉讼的情况。无", "admin_litigation": "行政诉讼的情况。无"}),
    # heads/b145: a written zero for a combined figure is a zero for both
    ("全年发生因政府信息公开而被申请行政复议、提起行政诉讼的案件0件。",
     {"admin_litigation": "行政复议、提起行政诉讼的案件0件"}),
    # heads/b156
    ("未接收到政府信息公开申请,无不予公开政府信息的情况。",
     {"applications_received": "未接收到政府信息公开申请", "applications_denied": "无不予公开政府信息的情况"}),
])
def test_zero_statements(text, expected):
    assert zeros(text) == expected


def test_a_review_without_requests_is_not_a_request_statement():
    # heads/b148
    found = zeros("未发生一起因政府信息公开申请行政复议、提起行政诉讼的事项")
    assert "applications_received" not in found
    assert set(found) == {"admin_reconsideration", "admin_litigation"}


def test_ten_is_not_a_zero():
    # heads/b001: 不予公开信息有10条 is ten withheld documents, not "none refused"
    assert "applications_denied" not in zeros("2013年度没有依申请公开信息的情况。不予公开信息有10条。")


def test_one_sentence_saying_none_of_several_things():
    # full/d027
    text = ("三、依申请公开政府信息办理情况，政府信息公开的收费及减免情况，因政府信息公开申请行政复议、提起行政诉讼的情况，"
            "被申请行政复议、行政诉讼和行政申诉的情况这几条，我局无此类情况。")
    assert set(zeros(text)) == {"applications_received", "admin_reconsideration", "admin_litigation"}


def indicators(text: str, counts: list[tuple[str, str]], report_format: str = "pre2019") -> dict:
    mentions = []
    for quote, indicator in counts:
        start = text.index(quote)
        mentions.append(count_mention(text, start, start + len(quote), indicator))
    found, _ = build_indicators(text, mentions, {}, report_format)
    return found


def test_the_only_channel_figure_is_the_total():
    # heads/b089
    text = "我局主动通过市人民政府网站发布政务信息6条。"
    total = indicators(text, [("6条", "proactive_by_channel")])["proactive_total"]
    assert (total.value, total.status) == (6, "only_figure")
    assert text[total.evidence[0].start:total.evidence[0].end] == "6条"


def test_two_channel_figures_give_no_total():
    # full/a001
    text = "网站公开政府信息418条，政府公报公开7条。"
    assert "proactive_total" not in indicators(text, [("418条", "proactive_by_channel"), ("7条", "proactive_by_channel")])


def test_cumulative_within_the_year_is_the_total_but_since_the_start_is_not():
    within = "2018年全镇累计主动公开政府信息300余条。"  # heads/b182
    assert indicators(within, [("300余条", "proactive_cumulative")])["proactive_total"].value == 300
    since = "截至2018年底，累计主动公开政府信息300余条。"
    assert "proactive_total" not in indicators(since, [("300余条", "proactive_cumulative")])


def test_new_format_only_the_portal_figure_stands_for_the_whole():
    # full/d051 and full/c005 (both 2021-format reports with table 2)
    portal = "2023年通过市政府门户网站公开政府信息12254条。"
    assert indicators(portal, [("12254条", "proactive_by_channel")], "2021")["proactive_total"].value == 12254
    gazette = "2019年，《三明市人民政府公报》发布政府信息108条。"
    assert "proactive_total" not in indicators(gazette, [("108条", "proactive_by_channel")], "2019")


def test_a_stated_total_wins():
    text = "全年主动公开政府信息35条，其中网站公开30条。"
    total = indicators(text, [("35条", "proactive_total"), ("30条", "proactive_by_channel")])["proactive_total"]
    assert (total.value, total.status) == (35, "reported")


def test_table_row_labels_and_lost_cases_are_not_zero_statements():
    # full/a015 (table 3 row label) and full/a022 (no review was lost, 55 were made)
    assert zeros("（二）申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请") == {}
    assert zeros("全年未发生政府信息公开工作被行政复议纠错或行政诉讼败诉的情况。") == {}


def test_a_combined_figure_is_the_figure_of_neither_answer():
    # full/a017 and full/c024
    text = "办结依申请公开81件，其中：予以公开及部分公开42件，占51.9%。"
    assert "applications_granted" not in indicators(text, [("42件", "applications_granted")])
    text = "其中予以公开172件，部分公开66件，不予公开等其他类型164件。"
    found = indicators(text, [("172件", "applications_granted"), ("66件", "applications_partially_granted"),
                              ("164件", "applications_denied")])
    assert found["applications_granted"].value == 172 and "applications_denied" not in found


def test_fee_row_label_is_not_a_zero_statement():
    # full/d050, table 3
    assert zeros("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请") == {}


def test_a_list_item_names_its_own_kind():
    from ogi_extract.rules import review_or_lawsuit

    # full/a017: the clause speaks of reviews first, the item of lawsuits
    text = "因政府信息公开引起的行政复议案件2件、行政诉讼案件7件。"
    assert review_or_lawsuit(text, text.index("2件")) == "admin_reconsideration"
    assert review_or_lawsuit(text, text.index("7件")) == "admin_litigation"
    # decision 8: a combined figure gets the first kind it names; decision 15: cumulative is other
    text = "行政复议、行政诉讼0件"
    assert review_or_lawsuit(text, text.index("0件")) == "admin_reconsideration"
    text = "全市因政府信息公开累计被申请行政复议16件"
    assert review_or_lawsuit(text, text.index("16件")) is None


def test_a_list_item_names_its_answer():
    from ogi_extract.rules import answer_named

    # full/d004
    text = "依申请公开信息中，属于已公开或部分公开343件，占62.9%；不予公开35件，占6.4%；"
    assert answer_named(text, text.index("35件"), text.index("35件") + 3) == "applications_denied"
    assert answer_named(text, text.index("343件"), text.index("343件") + 4) is None  # two answers
    # heads/b001: documents withheld, not requests refused (decision 8)
    text = "2013年度没有依申请公开信息的情况。不予公开信息有10条。"
    assert answer_named(text, text.index("10条"), text.index("10条") + 3) is None

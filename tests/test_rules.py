"""Rule helpers used by the trained pipeline. Sentences are quoted from reports of the corpus."""

import pytest

from ogi_extract.rules import list_neighbours, name_bounds, place_before


@pytest.mark.parametrize("text, predicted, expected", [
    ("如有疑问请与攀枝花市审计局办公室联系", "审计局", "攀枝花市审计局"),             # heads/b176
    ("2016年大兴安岭地区气象局在大兴安岭政府网站", "气象局", "大兴安岭地区气象局"),   # heads/b116
    ("报告电子版可在机构红页“酒泉市残疾人联合会”网页", "残疾人联合会", "酒泉市残疾人联合会"),  # heads/b200
    ("月31日止。现将沐阳县人民政府2025年政府信息公开工作年度报告", "县人民政府", "沐阳县人民政府"),  # full/a020
    ("在区委区政府的坚强领导下,官洲街道办事处认真贯彻落实", "街道办事处", "官洲街道办事处"),  # heads/b165
])
def test_place_written_before_an_agency_joins_it(text, predicted, expected):
    start = text.index(predicted)
    assert text[place_before(text, start, start + len(predicted)):start + len(predicted)] == expected


@pytest.mark.parametrize("text, predicted", [
    ("截至2011年底,我区东华门街道办事处政府信息公开工作", "东华门街道办事处"),  # 我区 is "our district"
    ("由市教育局编制", "市教育局"),                                          # already begins with its level
    ("请与威海市人民政府办公室政务公开科联系", "威海市人民政府办公室"),           # nothing before it
    ("公开各项工作。结合区残联工作实际", "区残联"),                              # 结合 is a verb, not 合区
    ("县政府办多次召开会议部署全县政府信息公开工作", "县政府"),                    # 全县 is "the whole county"
])
def test_no_place_to_add(text, predicted):
    start = text.index(predicted)
    assert place_before(text, start, start + len(predicted)) == start


@pytest.mark.parametrize("text, predicted, expected", [
    ("公开工作人员并及时向市政府信息公开办报备。二是强化业务培训", "市政府信息公开办报备。", "市政府信息公开办"),  # full/a013
    ("主要公开了《莆田市文化广电新闻出版局监督与投诉指南》和《2008年", "莆田市文化广电新闻出版局监督与投诉指南》和《",
     "莆田市文化广电新闻出版局"),  # full/c006
    ("对本报告有疑问，请联系三明市\n政务公开工作领导小组\n办公室，联系电话", "三明市\n政务公开工作领导小组\n办公室",
     "三明市\n政务公开工作领导小组\n办公室"),  # full/d005: a line break inside a name is kept (decision 16)
])
def test_name_bounds_cut_before_punctuation(text, predicted, expected):
    start = text.index(predicted)
    bounds = name_bounds(text, start, start + len(predicted))
    assert text[bounds[0]:bounds[1]] == expected


def test_name_bounds_drop_what_cannot_be_a_name():
    # full/d005: a clause, not a name; and one longer than any agency name
    text = "依托市公共资源交易管理平台，加大公共资源配置领域信息公开力度"
    start = text.index("市公共资源")
    assert name_bounds(text, start, start + 5) == (start, start + 5)  # untouched
    assert name_bounds(text, start, len(text)) is None
    text = "区网信办积极争取将突发事件敏感舆情应对处置情况纳入意识形态工作责任制考核"
    assert name_bounds(text, 0, len(text)) is None


def test_list_members_next_to_an_agency():
    # full/d015 (dev): the model found some members of the list
    text = "成员由县政府办、法制办、监察局、发改局、财政局、档案局、教体局、各乡镇等单位主要负责同志组成"
    start = text.index("财政局")
    members = {text[s:e] for s, e in list_neighbours(text, start, start + 3)}
    assert {"县政府办", "法制办", "监察局", "发改局", "档案局", "教体局"} <= members
    assert "各乡镇等单位主要负责同志组成" not in members and "成员由县政府办" not in members


def test_generic_list_members_are_not_agencies():
    # full/a020 and full/a001: abstract "governments" and generic venues
    text = "努力建设透明政府、效能政府、服务政府。"
    assert list_neighbours(text, 2, 8) == []
    text = "依托政府档案馆、图书馆以及政务服务大厅"
    assert list_neighbours(text, 2, 7) == []

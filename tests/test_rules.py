"""Rule helpers used by the trained pipeline. Sentences are quoted from reports of the corpus."""

import pytest

from ogi_extract.rules import place_before


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

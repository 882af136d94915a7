"""Reporting agency from real report beginnings (corpus/heads), with the bundled model's agencies."""

from pathlib import Path

import pytest

import ogi_extract

HEADS = Path(__file__).resolve().parents[1] / "corpus" / "heads"


@pytest.fixture(scope="module")
def bundled():
    return ogi_extract.load()


@pytest.mark.parametrize("file, agency", [
    ("b204.txt", "丰润区交通运输局"),   # the title is broken after the body's name
    ("b129.txt", "叠石乡人民政府"),     # "叠石乡人民政府关于2012年…报告"
    ("b148.txt", "汤浦镇人民政府"),     # "发布单位: | 汤浦镇 |汤浦镇2009年…年报": the place's government
    ("b141.txt", "县统计局"),           # no title; the body names itself by its level alone
    ("b110.txt", "舒兰市气象局"),       # 编制了《舒兰市气象局2015年…年度报告》, not the notice it answers
    ("b036.txt", "伊宁县人民政府"),     # the office that compiles the report speaks for its body
    ("b062.txt", "东直门街道办事处"),
])
def test_reporting_agency(bundled, file, agency):
    record = bundled.extract(HEADS / file)
    assert record.agency is not None and record.agency.name == agency
    text = ogi_extract.read_document(HEADS / file).text
    assert text[record.agency.start:record.agency.end] == agency


@pytest.mark.parametrize("file", [
    "b196.txt",  # "在县公开办的指导下": the body that guides, not the author (a town that never names itself)
    "b164.txt",  # 《平武县人民政府办公室关于2021年度…报告编制工作的通知》: the notice's author, not the report's
])
def test_no_guess_from_a_superior_body(bundled, file):
    record = bundled.extract(HEADS / file)
    assert record.agency is None or record.agency.name not in ("平武县人民政府办公室", "县公开办")

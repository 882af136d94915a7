"""Every input format, on small real inputs: encodings detected, HTML/DOCX/PDF text and tables kept."""

from pathlib import Path

import pytest

from ogi_extract.ingest import IngestError, doc_id_for, iter_inputs, read_document

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SHARED_PDF = ROOT.parent / "shared" / "corpus" / "pdf"

# heads/b016 (traditional, wiki mirror): the first lines, encodable in Big5.
TRADITIONAL = "桂林市2010年政府信息公開工作年度報告\n一、概述\n2010年,桂林市繼續認真貫徹落實《條例》要求,大力促進政府信息公開工作常態化、制度化、規範化,取得了明顯成效。\n"
# seeds/000: the opening of the first seed.
SIMPLIFIED = "晋江市残疾人联合会2017年政府信息公开工作年度报告\n本年度报告根据《中华人民共和国政府信息公开条例》(以下简称《条例》)和《福建省政府信息公开办法》(以下简称《办法》)规定，按照晋江市人民政府信息公开工作相关规定要求编制。\n"


@pytest.mark.parametrize(
    "encoding, text, detected",
    [
        ("utf-8", SIMPLIFIED, "utf-8"),
        ("utf-8-sig", SIMPLIFIED, "utf-8-sig"),
        ("utf-16", SIMPLIFIED, "utf-16"),
        ("utf-16-le", SIMPLIFIED, "utf-16-le"),
        ("gb18030", SIMPLIFIED, "gb18030"),
        ("gbk", SIMPLIFIED, "gb18030"),
        ("big5", TRADITIONAL, "big5"),
    ],
)
def test_text_encodings_are_detected(tmp_path, encoding, text, detected):
    path = tmp_path / f"report-{encoding}.txt"
    path.write_bytes(text.encode(encoding))
    doc = read_document(path)
    assert doc.metadata["encoding"].replace("_", "-").lower() == detected
    assert doc.raw_text.lstrip("\ufeff") == text
    assert doc.metadata["input_format"] == "txt"


def test_traditional_big5_report_normalises_to_simplified(tmp_path):
    path = tmp_path / "guilin.txt"
    path.write_bytes(TRADITIONAL.encode("big5"))
    doc = read_document(path)
    assert doc.text.startswith("桂林市2010年政府信息公开工作年度报告")
    assert "继续认真贯彻落实《条例》要求" in doc.text


def test_doc_id_is_the_hash_of_the_bytes_and_stable(tmp_path):
    a = tmp_path / "a.txt"
    b = tmp_path / "副本 b.txt"
    data = SIMPLIFIED.encode("utf-8")
    a.write_bytes(data)
    b.write_bytes(data)
    assert read_document(a).doc_id == read_document(b).doc_id == doc_id_for(data)
    assert len(doc_id_for(data)) == 16
    assert read_document(b).source == str(b)


def test_markdown_is_read_as_text(tmp_path):
    path = tmp_path / "report.md"
    path.write_text("# 沭阳县人民政府2025年政府信息公开工作年度报告\n\n| 信息内容 | 本年制发件数 |\n|---|---|\n| 规章 | 0 |\n", encoding="utf-8")
    doc = read_document(path)
    assert doc.metadata["input_format"] == "md"
    assert "| 规章 | 0 |" in doc.text


def test_html_keeps_visible_text_blocks_and_table_rows():
    doc = read_document(CORPUS / "full" / "a023.html")
    text = doc.text
    assert doc.metadata["input_format"] == "html"
    assert text.startswith("2019年上海市人民政府办公厅政府信息公开工作年度报告\n")
    assert "一、本年新收政府信息公开申请数量\t821\t35\t\t\t2\t1\t859" in text
    assert "\n一、总体情况\n" in text


def test_html_drops_script_and_style_and_reads_declared_charset(tmp_path):
    html = (
        '<html><head><meta charset="gb18030"><title>晋江市残联2017年报告</title>'
        "<style>p{color:red}</style><script>var x = '不应出现';</script></head>"
        "<body><p>一、概述</p><table><tr><td>主动公开文件数</td><td><p>35</p></td><td>187</td></tr></table></body></html>"
    )
    path = tmp_path / "page.htm"
    path.write_bytes(html.encode("gb18030"))
    doc = read_document(path)
    assert "不应出现" not in doc.text and "color" not in doc.text
    assert "主动公开文件数\t35\t187" in doc.text
    assert doc.metadata["title"] == "晋江市残联2017年报告"


def test_docx_paragraphs_and_tables_in_document_order(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("洪泽区人民政府2023年政府信息公开工作年度报告")
    document.add_paragraph("一、总体情况")
    table = document.add_table(rows=2, cols=3)
    for i, cell in enumerate(["信息内容", "本年制发件数", "本年废止件数"]):
        table.rows[0].cells[i].text = cell
    for i, cell in enumerate(["规章", "0", "0"]):
        table.rows[1].cells[i].text = cell
    document.add_paragraph("二、主动公开政府信息情况")
    path = tmp_path / "洪泽 报告.docx"
    document.save(path)
    doc = read_document(path)
    assert doc.text.split("\n") == [
        "洪泽区人民政府2023年政府信息公开工作年度报告",
        "一、总体情况",
        "信息内容\t本年制发件数\t本年废止件数",
        "规章\t0\t0",
        "二、主动公开政府信息情况",
    ]


def test_pdf_text_and_tables_page_by_page():
    doc = read_document(SHARED_PDF / "hongze-2023.pdf")
    assert doc.metadata["pages"] == 5
    assert doc.text.startswith("洪泽区人民政府\n2023年政府信息公开工作年度报告")
    assert "一、本年新收政府信息公开申请数量\t\t\t21\t0\t0\t0\t0\t0\t21" in doc.text
    assert "分级审核" in doc.text  # the page footer "- 1 -" is gone from the sentence


def test_pdf_with_unreadable_text_layer_says_ocr_is_needed():
    with pytest.raises(IngestError) as error:
        read_document(SHARED_PDF / "unreadable-text-layer.pdf")
    assert error.value.type == "OcrRequired"
    assert "unreadable-text-layer.pdf" in error.value.message


def test_folders_are_searched_recursively_in_a_stable_order(tmp_path):
    (tmp_path / "b" / "c").mkdir(parents=True)
    for name in ["b/c/3.txt", "a.txt", "b/2.html", "b/ignored.xyz"]:
        (tmp_path / name).write_text("报告", encoding="utf-8")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_inputs([tmp_path])]
    assert found == ["a.txt", "b/2.html", "b/c/3.txt"]


def test_symlink_loops_are_not_followed_forever(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "r.txt").write_text("报告", encoding="utf-8")
    (tmp_path / "x" / "loop").symlink_to(tmp_path, target_is_directory=True)
    found = list(iter_inputs([tmp_path]))
    assert [p.name for p in found] == ["r.txt"]

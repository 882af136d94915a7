"""Bad input never loses data: every hostile file gives one record, the run goes on, exit codes are clear."""

import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_PDF = ROOT.parent / "shared" / "corpus" / "pdf"
SEED = ROOT / "corpus" / "seeds" / "000_4542ec8ee655ebbf.txt"
REPORT = SEED.read_text(encoding="utf-8")
TRADITIONAL = "桂林市2010年政府信息公開工作年度報告\n一、概述\n2010年,桂林市繼續認真貫徹落實《條例》要求。\n"

# file name -> (expected status, expected error type or None)
EXPECTED = {
    "empty.txt": ("error", "EmptyFile"),
    "blank.txt": ("error", "EmptyFile"),
    "binary.txt": ("error", "BinaryFile"),
    "not-a-pdf.pdf": ("error", "CorruptFile"),
    "truncated.pdf": ("error", "CorruptFile"),
    "encrypted.pdf": ("error", "EncryptedFile"),
    "scanned.pdf": ("error", "OcrRequired"),
    "not-a-zip.docx": ("error", "CorruptFile"),
    "corrupt-zip.docx": ("error", "CorruptFile"),
    "no-body.html": ("ok", None),
    "unclosed.html": ("ok", None),
    "deep.html": ("ok", None),
    "big-script.html": ("ok", None),
    "gb18030.txt": ("ok", None),
    "big5.txt": ("ok", None),
    "utf16-no-bom.txt": ("ok", None),
    "mixed-encodings.txt": ("ok", None),
    "nul-and-controls.txt": ("ok", None),
    "one-5mb-line.txt": ("error", "TooLong"),
    "fifty-megabytes.txt": ("error", "TooLarge"),
    "名字 有空格 的报告.txt": ("ok", None),
    "same-bytes-a.txt": ("ok", None),
    "same-bytes-b.txt": ("ok", None),
}


def build(folder: Path) -> None:
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.txt").write_bytes(" \n\t\r\n  \u3000\n".encode("utf-8"))
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 64)
    (folder / "not-a-pdf.pdf").write_text("这不是PDF，只是文本。", encoding="utf-8")
    real_pdf = (SHARED_PDF / "hongze-2023.pdf").read_bytes()
    (folder / "truncated.pdf").write_bytes(real_pdf[: len(real_pdf) // 3])

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(real_pdf)).pages[:1]:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner")
    with open(folder / "encrypted.pdf", "wb") as handle:
        writer.write(handle)

    from PIL import Image

    Image.new("RGB", (600, 800), "white").save(folder / "scanned.pdf")
    (folder / "not-a-zip.docx").write_text("plain text with a docx name", encoding="utf-8")
    docx_bytes = io.BytesIO()
    with zipfile.ZipFile(docx_bytes, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document>" * 50)
    (folder / "corrupt-zip.docx").write_bytes(docx_bytes.getvalue()[:-40])

    (folder / "no-body.html").write_text("<html><head><title>晋江市残疾人联合会2017年政府信息公开工作年度报告</title></head></html>", encoding="utf-8")
    (folder / "unclosed.html").write_text("<html><body><p>晋江市残疾人联合会2017年政府信息公开工作年度报告<div><p>主动公开政府信息35条<table><tr><td>规章<td>0", encoding="utf-8")
    (folder / "deep.html").write_text("<html><body>" + "<div>" * 10000 + "主动公开政府信息35条" + "</div>" * 10000 + "</body></html>", encoding="utf-8")
    (folder / "big-script.html").write_text("<html><head><script>" + "var x=1;" * 130000 + "</script></head><body><p>" + REPORT[:2000] + "</p></body></html>", encoding="utf-8")
    (folder / "gb18030.txt").write_bytes(REPORT.encode("gb18030"))
    (folder / "big5.txt").write_bytes(TRADITIONAL.encode("big5"))
    (folder / "utf16-no-bom.txt").write_bytes(REPORT.encode("utf-16-le"))
    (folder / "mixed-encodings.txt").write_bytes(REPORT[:1500].encode("utf-8") + REPORT[1500:3000].encode("gbk"))
    (folder / "nul-and-controls.txt").write_bytes(REPORT[:3000].encode("utf-8").replace("。".encode(), "。\x00\x07".encode(), 5))
    (folder / "one-5mb-line.txt").write_bytes(b"a" * (5 * 1024 * 1024))
    with open(folder / "fifty-megabytes.txt", "wb") as handle:
        handle.seek(50 * 1024 * 1024 - 1)
        handle.write(b"\n")
    shutil.copy(SEED, folder / "名字 有空格 的报告.txt")
    shutil.copy(SEED, folder / "same-bytes-a.txt")
    shutil.copy(SEED, folder / "same-bytes-b.txt")
    (folder / "loop").mkdir()
    os.symlink(folder, folder / "loop" / "back-to-top", target_is_directory=True)


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ogi_extract", *args], capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile") / "inputs"
    build(folder)
    out = folder.parent / "out"
    result = run("extract", str(folder), "--out", str(out), "--model", "rules")
    records = [json.loads(line) for line in (out / "records.jsonl").read_text(encoding="utf-8").splitlines()]
    return folder, result, records


def test_every_input_gives_exactly_one_record_with_the_right_status(hostile):
    folder, result, records = hostile
    assert result.returncode == 0, result.stderr
    by_name = {Path(r["source"]).name: r for r in records}
    assert len(records) == len(by_name) == len(EXPECTED)
    for name, (status, error_type) in EXPECTED.items():
        record = by_name[name]
        assert record["status"] == status, (name, record.get("error"))
        if error_type:
            assert record["error"]["type"] == error_type, (name, record["error"])
            assert name in record["error"]["message"]


def test_no_traceback_reaches_stderr(hostile):
    _, result, _ = hostile
    assert "Traceback" not in result.stderr


def test_recovered_text_is_right(hostile):
    _, _, records = hostile
    by_name = {Path(r["source"]).name: r for r in records}
    for name in ("gb18030.txt", "utf16-no-bom.txt", "名字 有空格 的报告.txt"):
        assert by_name[name]["agency"]["name"] == "晋江市残疾人联合会", name
        assert by_name[name]["year"] == 2017
    assert by_name["same-bytes-a.txt"]["doc_id"] == by_name["same-bytes-b.txt"]["doc_id"]
    assert by_name["scanned.pdf"]["error"]["message"].endswith("OCR is needed")
    assert by_name["no-body.html"]["title"] == "晋江市残疾人联合会2017年政府信息公开工作年度报告"


def test_strict_turns_error_records_into_a_failing_exit_code(hostile, tmp_path):
    folder, _, _ = hostile
    result = run("extract", str(folder / "empty.txt"), str(SEED), "--out", str(tmp_path / "strict"), "--model", "rules", "--strict")
    assert result.returncode == 3
    assert len((tmp_path / "strict" / "records.jsonl").read_text(encoding="utf-8").splitlines()) == 2


def test_a_run_that_cannot_proceed_exits_with_2(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    result = run("extract", str(SEED), "--out", str(blocker / "out"), "--model", "rules")
    assert result.returncode == 2 and "not writable" in result.stderr
    result = run("extract", str(SEED), "--out", str(tmp_path / "out"), "--model", str(tmp_path))
    assert result.returncode == 2 and "not a spaCy pipeline" in result.stderr
    assert "Traceback" not in result.stderr

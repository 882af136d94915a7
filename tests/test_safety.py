"""Parsing never fetches or expands external entities; models load only from real pipeline folders."""

import zipfile
from pathlib import Path

import pytest

from ogi_extract.api import ModelError, load_pipeline
from ogi_extract.ingest import IngestError, read_document

SECRET = Path("/etc/hostname")


@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    return path


def test_html_external_entities_are_not_expanded(tmp_path, secret):
    page = tmp_path / "xxe.html"
    page.write_text(
        f'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY leak SYSTEM "{secret.as_uri()}">]>'
        '<html><body><p>晋江市残疾人联合会&leak;</p><img src="http://example.invalid/x.png"></body></html>',
        encoding="utf-8",
    )
    doc = read_document(page)
    assert "TOP-SECRET-CONTENT" not in doc.text
    assert "晋江市残疾人联合会" in doc.text


def test_docx_external_entities_are_not_expanded(tmp_path, secret):
    import docx

    document = docx.Document()
    document.add_paragraph("晋江市残疾人联合会")
    path = tmp_path / "xxe.docx"
    document.save(path)
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    body = parts["word/document.xml"].decode("utf-8")
    body = body.replace("<?xml version='1.0' encoding='UTF-8' standalone='yes'?>",
                        f"<?xml version='1.0' encoding='UTF-8'?><!DOCTYPE w:document [<!ENTITY leak SYSTEM \"{secret.as_uri()}\">]>", 1)
    body = body.replace("晋江市残疾人联合会", "晋江市残疾人联合会&leak;")
    parts["word/document.xml"] = body.encode("utf-8")
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    try:
        doc = read_document(path)
    except IngestError as error:
        assert error.type == "CorruptFile"  # refusing the file is safe too
        return
    assert "TOP-SECRET-CONTENT" not in doc.text


def test_a_folder_that_is_not_a_pipeline_is_refused(tmp_path):
    (tmp_path / "model.pkl").write_bytes(b"\x80\x04not a pipeline")
    with pytest.raises(ModelError, match="not a spaCy pipeline"):
        load_pipeline(tmp_path)

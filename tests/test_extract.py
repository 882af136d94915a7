"""End to end with the rule pipeline: the seeds give the records the project was started for."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

import ogi_extract
from ogi_extract.record import Record

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "corpus" / "seeds"
SEED_JINJIANG = SEEDS / "000_4542ec8ee655ebbf.txt"
SEED_MUDANJIANG = SEEDS / "001_c44dcc59d4980d1a.txt"


@pytest.fixture(scope="module")
def rules():
    return ogi_extract.load("rules")


def test_first_seed(rules):
    record = rules.extract(SEED_JINJIANG)
    text = ogi_extract.read_document(SEED_JINJIANG).text
    assert record.status == "ok"
    assert record.agency.name == "晋江市残疾人联合会"
    assert text[record.agency.start:record.agency.end] == "晋江市残疾人联合会"
    assert record.year == 2017
    assert record.format == "pre2019"
    proactive = record.indicators["proactive_total"]
    assert proactive.value == 35
    assert "35条" in [e.text for e in proactive.evidence]
    for key in ("applications_received", "admin_reconsideration", "admin_litigation"):
        assert record.indicators[key].value == 0, key
    received = record.indicators["applications_received"]
    assert received.status == "zero_statement"
    assert "未收到依申请公开政府信息的请求" in received.evidence[0].text
    for indicator in record.indicators.values():
        for evidence in indicator.evidence:
            assert text[evidence.start:evidence.end] == evidence.text


def test_second_seed(rules):
    record = rules.extract(SEED_MUDANJIANG)
    assert record.agency.name == "牡丹江市残疾人联合会"
    assert record.year == 2017
    assert record.indicators["proactive_total"].value == 46
    assert record.indicators["proactive_total"].evidence[0].text == "46条"


def test_every_count_problem_and_measure_points_into_the_normalised_text(rules):
    record = rules.extract(SEED_JINJIANG)
    text = ogi_extract.read_document(SEED_JINJIANG).text
    assert record.counts and record.problems and record.measures
    for item in [*record.counts, *record.problems, *record.measures, *record.agencies]:
        assert text[item.start:item.end] == item.text
    problems = [p.text for p in record.problems]
    assert "政府信息公开形式不够丰富，信息化水平不高,一定程度上影响了政府信息公开的时效性" in problems


def test_extract_accepts_text_as_well_as_paths(rules):
    text = "某某市档案局2015年政府信息公开工作年度报告\n一、概述\n2015年，我局主动公开政府信息120条。全年未收到政府信息公开申请。"
    record = rules.extract(text)
    assert record.status == "ok"
    assert record.year == 2015
    assert record.indicators["proactive_total"].value == 120
    assert record.indicators["applications_received"].value == 0


def test_a_broken_input_is_an_error_record_not_an_exception(rules, tmp_path):
    broken = tmp_path / "损坏 的.pdf"
    broken.write_bytes(b"this is not a pdf at all")
    records = list(rules.pipe([broken, SEED_MUDANJIANG]))
    assert [r.status for r in records] == ["error", "ok"]
    assert records[0].error.type == "CorruptFile"
    assert str(broken) in records[0].error.message


def test_cli_extract_writes_records_for_the_first_seed(tmp_path):
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "ogi_extract", "extract", str(SEED_JINJIANG), "--out", str(out), "--model", "rules", "--keep-text"],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    lines = (out / "records.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    record = Record.model_validate_json(lines[0])
    assert record.source == str(SEED_JINJIANG)
    assert record.text and record.text[record.agency.start:record.agency.end] == "晋江市残疾人联合会"
    header = (out / "indicators.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("doc_id,source,status,error,title,agency,year,format,proactive_total")


def test_schema_command_prints_the_record_schema():
    result = subprocess.run([sys.executable, "-m", "ogi_extract", "schema"], capture_output=True, text=True)
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    for field in ("doc_id", "source", "status", "error", "title", "agency", "year", "format", "indicators", "counts",
                  "problems", "measures", "agencies"):
        assert field in schema["properties"]


@pytest.fixture(scope="module")
def bundled():
    model = ROOT / "models" / "ogi_zh"
    assert (model / "meta.json").exists(), "the bundled model models/ogi_zh is missing"
    return ogi_extract.load()


def test_the_bundled_model_is_the_default_and_reads_both_seeds(bundled):
    assert bundled.model_name == "ogi_zh"
    first = bundled.extract(SEED_JINJIANG)
    assert first.agency.name == "晋江市残疾人联合会" and first.year == 2017
    assert first.indicators["proactive_total"].value == 35
    assert "35条" in [e.text for e in first.indicators["proactive_total"].evidence]
    for key in ("applications_received", "admin_reconsideration", "admin_litigation"):
        assert first.indicators[key].value == 0, key
    second = bundled.extract(SEED_MUDANJIANG)
    assert second.agency.name == "牡丹江市残疾人联合会" and second.year == 2017
    assert second.indicators["proactive_total"].value == 46

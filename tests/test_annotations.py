"""Gold annotation I/O: validation errors name file, line, doc and offsets; stats; agreement; quotes."""

import json
from pathlib import Path

import pytest

from ogi_extract.annotations import QuoteError, agreement, quote_spans, read_gold, resolve_quotes, stats, validate

ROOT = Path(__file__).resolve().parents[1]
# heads/b001 as the normaliser gives it (first line of the report).
TEXT = "道县文广新局2013年度信息公开工作年度报告\n一、主动公开政府信息的情况:2013年度主动公开信息的有5条;"


def write(path: Path, docs: list[dict]) -> Path:
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    return path


def doc(labels, text=TEXT, **meta):
    return {"text": text, "label": labels, "meta": {"doc_id": "x1", "source": "corpus/heads/b001.txt", "split": "train", **meta}}


def test_a_valid_document_passes(tmp_path):
    path = write(tmp_path / "gold.jsonl", [doc([[0, 6, "AGENCY"], [51, 53, "COUNT:proactive_total"]])])
    assert TEXT[0:6] == "道县文广新局" and TEXT[51:53] == "5条"
    assert validate(path, check_source=False) == []


def test_each_kind_of_error_names_file_line_doc_and_offsets(tmp_path):
    path = write(tmp_path / "bad.jsonl", [
        doc([[0, 6, "AGENCY"]]),
        doc([[0, 600, "AGENCY"]]),                      # out of range
        doc([[0, 7, "AGENCY"], [5, 8, "COUNT:other"]]),  # overlapping entities
        doc([[0, 6, "ORG"]]),                            # unknown label
        doc([[51, 53, "COUNT:made_up"]]),                # unknown indicator
        doc([[22, 24, "AGENCY"]]),                       # span starts with a line break
    ])
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("{not json\n")
    problems = validate(path, check_source=False)
    messages = [str(p) for p in problems]
    assert any(m.startswith(f"{path}:2 doc x1 [0:600]: span out of range") for m in messages)
    assert any(f"{path}:3" in m and "overlapping entities" in m for m in messages)
    assert any(f"{path}:4" in m and "unknown label 'ORG'" in m for m in messages)
    assert any(f"{path}:5" in m and "unknown indicator 'made_up'" in m for m in messages)
    assert any(f"{path}:6" in m and "blank space" in m for m in messages)
    assert any(f"{path}:7" in m and "malformed line" in m for m in messages)
    assert not any(f"{path}:1 " in m for m in messages)


def test_text_that_is_not_the_sources_normalised_text_is_an_error(tmp_path):
    (tmp_path / "annotations").mkdir()
    (tmp_path / "corpus").symlink_to(ROOT / "corpus")
    path = write(tmp_path / "annotations" / "gold.jsonl", [doc([], text=TEXT + "多出来的字")])
    messages = [str(p) for p in validate(path)]
    assert any("doc_id does not match the source bytes" in m for m in messages)
    assert any("text differs from the normalised source text" in m for m in messages)


def test_the_project_gold_set_is_valid():
    assert validate(ROOT / "annotations") == []


def test_stats_count_documents_and_spans_per_split(tmp_path):
    path = write(tmp_path / "gold.jsonl", [
        doc([[0, 6, "AGENCY"], [51, 53, "COUNT:proactive_total"]]),
        doc([[0, 6, "AGENCY"]], split="dev"),
    ])
    result = stats(path)
    assert result["documents"] == {"train": 1, "dev": 1}
    assert result["labels"]["AGENCY"] == {"train": 1, "dev": 1}
    assert result["indicators"]["proactive_total"] == 1


def test_agreement_exact_and_overlap(tmp_path):
    a = write(tmp_path / "a.jsonl", [doc([[0, 6, "AGENCY"], [51, 53, "COUNT:proactive_total"], [29, 35, "PROBLEM"]])])
    b = write(tmp_path / "b.jsonl", [doc([[0, 5, "AGENCY"], [51, 53, "COUNT:other"], [29, 35, "PROBLEM"], [36, 40, "PROBLEM"]])])
    result = agreement(a, b)
    assert result["exact"]["AGENCY"] == {"p": 0.0, "r": 0.0, "f": 0.0, "pred": 1, "gold": 1}
    assert result["overlap"]["AGENCY"]["f"] == 1.0
    assert result["exact"]["COUNT"]["f"] == 1.0  # base labels agree
    assert result["exact"]["PROBLEM"] == {"p": 0.5, "r": 1.0, "f": 0.6667, "pred": 2, "gold": 1}
    assert result["indicator_accuracy"] == 0.0


def test_quotes_round_trip_to_offsets():
    spans = [(0, 6, "AGENCY"), (51, 53, "COUNT:proactive_total")]
    quoted = quote_spans(TEXT, spans)
    assert quoted == [["AGENCY", "道县文广新局", 0], ["COUNT:proactive_total", "5条", 0]]
    assert resolve_quotes(TEXT, quoted) == spans
    twice = "2013年度" + TEXT
    assert resolve_quotes(twice, [["COUNT:other", "2013年度", 1]]) == [(twice.index("2013年度", 1), twice.index("2013年度", 1) + 6, "COUNT:other")]
    with pytest.raises(QuoteError):
        resolve_quotes(TEXT, [["AGENCY", "不存在的机构", 0]])


def test_doccano_style_entities_are_read_too(tmp_path):
    path = tmp_path / "export.jsonl"
    path.write_text(json.dumps({"text": TEXT, "entities": [{"id": 1, "label": "AGENCY", "start_offset": 0, "end_offset": 6}],
                                "meta": {"doc_id": "x1"}}, ensure_ascii=False) + "\n", encoding="utf-8")
    [gold] = list(read_gold(path))
    assert gold.spans == [(0, 6, "AGENCY")]


def test_preannotate_writes_spans_that_pass_validation_except_the_split(tmp_path):
    import subprocess
    import sys

    out = tmp_path / "pre.jsonl"
    seed = ROOT / "corpus" / "seeds" / "000_4542ec8ee655ebbf.txt"
    result = subprocess.run([sys.executable, "-m", "ogi_extract", "annotations", "preannotate", str(seed), "--out", str(out)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    [doc] = list(read_gold(out))
    labels = {label.split(":")[0] for _, _, label in doc.spans}
    assert labels == {"AGENCY", "COUNT", "PROBLEM", "MEASURE"}
    assert any(doc.text[s:e] == "35条" and label == "COUNT:proactive_total" for s, e, label in doc.spans)
    problems = [str(p) for p in validate(out, check_source=False)]
    assert problems and all("split" in p for p in problems)

"""Evaluation: exact and partial counts on a tiny model and gold set whose answers are known by hand."""

import json
import shutil
import subprocess

import pytest
import spacy

from ogi_extract.evaluate import evaluate

# heads/b001 (first lines), normalised.
TEXT = "道县文广新局2013年度信息公开工作年度报告\n一、主动公开政府信息的情况:2013年度主动公开信息的有5条;不予公开信息有10条。县政府办公室和县档案馆负责。"


def span(text, quote, label, occurrence=0):
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(quote, start + 1)
    return [start, start + len(quote), label]


@pytest.fixture
def tiny(tmp_path):
    gold = {
        "text": TEXT,
        "label": [
            span(TEXT, "道县文广新局", "AGENCY"),
            span(TEXT, "县政府办公室", "AGENCY"),
            span(TEXT, "县档案馆", "AGENCY"),
            span(TEXT, "5条", "COUNT:proactive_total"),
            span(TEXT, "10条", "COUNT:other"),
        ],
        "meta": {"doc_id": "tiny", "source": "corpus/heads/b001.txt", "split": "dev"},
    }
    data = tmp_path / "gold.jsonl"
    data.write_text(json.dumps(gold, ensure_ascii=False) + "\n", encoding="utf-8")
    # A real spaCy pipeline with known answers: 道县文广新局 right, 县政府 cut short (partial), 县档案馆 missed,
    # 5条 right, 10条 right, 2013年度 spurious.
    nlp = spacy.blank("zh")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "AGENCY", "pattern": "道县文广新局"}, {"label": "AGENCY", "pattern": "县政府"},
                        {"label": "COUNT", "pattern": "5条"}, {"label": "COUNT", "pattern": "10条"},
                        {"label": "COUNT", "pattern": [{"TEXT": c} for c in "2013年度"]}])
    model = tmp_path / "tiny-model"
    nlp.to_disk(model)
    return data, model


def test_exact_partial_counts_and_scores_are_the_known_ones(tiny, tmp_path):
    data, model = tiny
    metrics = evaluate([str(model)], data, "dev", tmp_path / "report")
    labels = metrics["models"]["tiny-model"]["spans"]["labels"]
    agency = labels["AGENCY"]
    assert (agency["tp"], agency["fp"], agency["fn"]) == (1, 1, 2)
    assert agency["exact"] == {"p": 0.5, "r": pytest.approx(1 / 3, abs=1e-4), "f": 0.4}
    assert agency["counts"] == {"correct": 1, "incorrect": 0, "partial": 1, "missed": 1, "spurious": 0, "possible": 3, "actual": 2}
    assert agency["partial"] == {"p": 0.75, "r": 0.5, "f": 0.6}
    count = labels["COUNT"]
    assert (count["tp"], count["fp"], count["fn"]) == (2, 2, 0)  # "2013年度" twice: both spurious
    assert count["exact"]["p"] == 0.5 and count["exact"]["r"] == 1.0
    assert count["counts"]["spurious"] == 2
    assert metrics["models"]["tiny-model"]["spans"]["micro"] == {"p": 0.5, "r": 0.6, "f": pytest.approx(0.5455, abs=1e-4)}
    lo, hi = agency["exact_f_ci95"]
    assert lo == hi == 0.4  # one document: every resample is the same document


def test_reports_are_written_with_their_sections(tiny, tmp_path):
    data, model = tiny
    out = tmp_path / "report"
    evaluate(["rules", str(model)], data, "dev", out)
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert set(metrics["models"]) == {"rules", "tiny-model"}
    assert set(metrics["differences"]["tiny-model"]) == {"AGENCY", "COUNT", "PROBLEM", "MEASURE"}
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "| AGENCY |" in markdown and "tiny-model" in markdown
    page = (out / "report.html").read_text(encoding="utf-8")
    for section in ('id="summary"', 'id="charts"', 'id="confusion"', 'id="errors"', "data:image/png;base64,"):
        assert section in page


def test_the_report_renders_in_headless_chromium(tiny, tmp_path):
    data, model = tiny
    out = tmp_path / "report"
    evaluate(["rules", str(model)], data, "dev", out)
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    assert browser, "Chromium is not installed: `make test` installs it (Debian package chromium)"
    result = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", (out / "report.html").as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    dom = result.stdout
    assert 'id="charts"' in dom and "<img" in dom
    assert 'id="confusion"' in dom and "gold \\ predicted" in dom
    assert 'id="errors"' in dom and "MISSED" in dom and "FALSE-POSITIVE" in dom
    assert "spans" in dom  # displaCy's span markup

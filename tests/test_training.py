"""Training: the suggester covers gold items, the linker saves without pickle, a tiny run gives a pipeline."""

import json
from pathlib import Path

import numpy as np
import pytest
import spacy

from ogi_extract.annotations import read_gold
from ogi_extract.linker import IndicatorModel, count_features, examples_from_gold
from ogi_extract.suggester import item_char_spans
from ogi_extract.training import suggester_coverage, train

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "annotations" / "gold.jsonl"


@pytest.fixture(scope="module")
def gold():
    return list(read_gold(GOLD))


def test_suggester_proposes_enumerated_items_without_enumerators():
    # seeds/000, section 五
    text = "五、政府信息公开工作存在的主要问题及改进措施\n主要表现在:一是部分工作制度不够健全,在依申请公开办理答复、政策解读回应机制等方面，有待进一步健全完善。二是政府信息公开形式不够丰富，信息化水平不高,一定程度上影响了政府信息公开的时效性。"
    spans = {text[s:e] for s, e in item_char_spans(text)}
    assert "部分工作制度不够健全,在依申请公开办理答复、政策解读回应机制等方面，有待进一步健全完善" in spans
    assert "政府信息公开形式不够丰富，信息化水平不高,一定程度上影响了政府信息公开的时效性" in spans
    assert item_char_spans("一、总体情况\n2017年，我会主动公开政府信息35条。") == []  # no problem or measure section


def test_suggester_covers_the_gold_items_with_few_candidates(gold):
    result = suggester_coverage(spacy.blank("zh"), gold)
    assert result["gold_spans"] >= 250
    assert result["coverage"] >= 0.9
    assert result["candidates_per_token"] <= 0.3


def test_linker_round_trips_through_json_and_numpy_without_pickle(gold, tmp_path):
    examples = examples_from_gold(gold[:40])
    model = IndicatorModel.train(examples)
    model.to_disk(tmp_path / "linker")
    assert sorted(p.name for p in (tmp_path / "linker").iterdir()) == ["bias.npy", "model.json", "weights.npy"]
    np.load(tmp_path / "linker" / "weights.npy", allow_pickle=False)  # would raise on a pickled array
    loaded = IndicatorModel.from_disk(tmp_path / "linker")
    assert [loaded.predict(f) for f, _ in examples] == [model.predict(f) for f, _ in examples]
    assert json.loads((tmp_path / "linker" / "model.json").read_text(encoding="utf-8"))["labels"] == model.labels


def test_linker_learns_the_indicator_of_a_count_from_its_context(gold):
    model = IndicatorModel.train(examples_from_gold(gold))
    text = "2017年,我会主动公开政府信息7类35条，其中：康复类6条、就业创业类8条。历年累计主动公开政府信息187条。"
    assert model.predict(count_features(text, text.index("35条"), text.index("35条") + 3)) == "proactive_total"
    assert model.predict(count_features(text, text.index("6条"), text.index("6条") + 2)) == "proactive_by_category"
    assert model.predict(count_features(text, text.index("187条"), text.index("187条") + 4)) == "proactive_cumulative"


def test_a_tiny_training_run_gives_a_loadable_pipeline(gold, tmp_path):
    annotations = tmp_path / "annotations"
    annotations.mkdir()
    (tmp_path / "corpus").symlink_to(ROOT / "corpus")
    heads = [d for d in gold if d.meta.get("kind") != "full"]
    tiny = [d for d in heads if d.meta["split"] == "train"][:4] + [d for d in heads if d.meta["split"] == "dev"][:2]
    (annotations / "gold.jsonl").write_text("".join(d.to_json() + "\n" for d in tiny), encoding="utf-8")
    out = tmp_path / "models" / "tiny"
    report = train(config=ROOT / "training" / "config.cfg", out=out, annotations=annotations, max_steps=4, log=lambda *_: None)
    nlp = spacy.load(out)
    assert nlp.pipe_names == ["tok2vec", "ner", "agency_bounds", "spancat", "ogi_indicator_linker", "ogi_record_builder"]
    assert set(nlp.get_pipe("ner").labels) == {"AGENCY", "COUNT"}
    assert set(nlp.get_pipe("spancat").labels) == {"PROBLEM", "MEASURE"}
    doc = nlp("晋江市残疾人联合会2017年政府信息公开工作年度报告\n2017年,我会主动公开政府信息35条。")
    assert doc._.record["year"] == 2017
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert set(meta["ogi"]["dev"]["per_type"]) == {"AGENCY", "COUNT", "PROBLEM", "MEASURE"}
    assert report["documents"] == {"train": 4, "dev": 2}
    # The suggester and the project's components come through entry points: no import needed.
    import subprocess
    import sys

    script = ("import spacy, sys; nlp = spacy.load(sys.argv[1]); "
              "doc = nlp('五、存在的主要问题。一是宣传力度不够。'); print(nlp.pipe_names)")
    loaded = subprocess.run([sys.executable, "-c", script, str(out)], capture_output=True, text=True)
    assert loaded.returncode == 0, loaded.stderr
    assert "ogi_indicator_linker" in loaded.stdout


def test_training_refuses_invalid_annotations_before_it_starts(gold, tmp_path):
    from ogi_extract.training import TrainingError

    annotations = tmp_path / "annotations"
    annotations.mkdir()
    (tmp_path / "corpus").symlink_to(ROOT / "corpus")
    broken = gold[0]
    broken.spans = broken.spans + [(0, len(broken.text) + 5, "AGENCY")]
    (annotations / "gold.jsonl").write_text(broken.to_json() + "\n", encoding="utf-8")
    with pytest.raises(TrainingError, match=r"span out of range"):
        train(config=ROOT / "training" / "config.cfg", out=tmp_path / "never", annotations=annotations, log=lambda *_: None)
    assert not (tmp_path / "never").exists()

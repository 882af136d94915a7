"""doccano round trip against a REAL doccano 1.8.4 server (no mocks).

Needs the venvs built by `make annotation-tools`; when they are missing the
tests FAIL (not skip) with a message saying so.  Wall time: ~7 s to start the
server (SQLite migrations included), a few seconds of round trip, up to ~10 s
to stop the celery worker (warm shutdown, then SIGKILL).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))
from doccano_server import CLIENT_PYTHON, DoccanoServer, missing_tools

from ogi_extract import doccano, doccano_bridge
from ogi_extract.cli_doccano import doccano_app
from ogi_extract.labels import COUNT_PREFIX, INDICATOR_KEYS, LABELS, count_label

HEADS = Path("/work/shared/corpus/heads")
PROJECT = "ogi-roundtrip-test"


# --------------------------------------------------------------------------
# fixtures


def _require_tools() -> None:
    msg = missing_tools()
    if msg:
        pytest.fail(msg, pytrace=False)


@pytest.fixture(scope="session")
def doccano_server(tmp_path_factory):
    _require_tools()
    # One retry on a fresh port and folder: once in about ten runs on this 2-core machine a start failed (logs
    # lost); a server that cannot start twice is a real failure.
    failures = []
    for _ in range(2):
        server = DoccanoServer(tmp_path_factory.mktemp("doccano"))
        try:
            server.start()
            break
        except RuntimeError as e:
            failures.append(str(e))
    else:
        pytest.fail("could not start doccano 1.8.4:\n" + "\n---\n".join(failures), pytrace=False)
    print(f"\n[doccano] server ready at {server.url} in {server.start_seconds:.1f} s")
    yield server
    server.stop()


@pytest.fixture
def doccano_env(doccano_server, monkeypatch):
    """Credentials through the environment only, as an annotator would set them."""
    monkeypatch.delenv("DOCCANO_CREDENTIALS_FILE", raising=False)
    monkeypatch.setenv("DOCCANO_URL", doccano_server.url)
    monkeypatch.setenv("DOCCANO_USERNAME", doccano_server.username)
    monkeypatch.setenv("DOCCANO_PASSWORD", doccano_server.password)
    return doccano_server


def _span(text: str, sub: str, label: str, nth: int = 0) -> list:
    start = -1
    for _ in range(nth + 1):
        start = text.index(sub, start + 1)  # ValueError if the substring is not there
    return [start, start + len(sub), label]


def _read(name: str) -> str:
    path = HEADS / name
    if not path.exists():
        pytest.fail(f"test corpus file missing: {path}", pytrace=False)
    return path.read_text(encoding="utf-8")


def _meta(doc_id: str) -> dict:
    return {
        "doc_id": doc_id,
        "source": f"corpus/heads/{doc_id}.txt",
        "split": "train",
        "annotator": "测试员",
        "annotated_at": "2024-05-01T10:00:00+08:00",
    }


@pytest.fixture
def gold_docs() -> list[dict]:
    b001, b021, b056 = _read("b001.txt"), _read("b021.txt"), _read("b056.txt")
    docs = [
        {"text": b001, "label": [
            _span(b001, "道县文广新局", "AGENCY"),
            [b001.index("有5条") + 1, b001.index("有5条") + 2, count_label("proactive_total")],
            [b001.index("有10条") + 1, b001.index("有10条") + 3, count_label("applications_denied")],
            _span(b001, "公开不及时", "PROBLEM"),
            _span(b001, "加强信息公开工作人员的业务培训", "MEASURE"),
        ], "meta": _meta("b001")},
        {"text": b021, "label": [
            _span(b021, "唐村镇", "AGENCY"),
            [b021.index("信息46条") + 2, b021.index("信息46条") + 4, count_label("proactive_total")],
            _span(b021, "年初、年中两次举办政府信息公开工作培训", "MEASURE"),
        ], "meta": _meta("b021")},
        {"text": b056, "label": [
            _span(b056, "桦甸市人民政府新华街道办事处", "AGENCY"),
            _span(b056, "桦甸市人民政府", "AGENCY"),  # overlaps the span above
            _span(b056, "我街道信息公开面对社会宣传力度不够", "PROBLEM"),
            _span(b056, "加强政府信息公开工作人员的业务培训", "MEASURE"),
        ], "meta": _meta("b056")},
    ]
    for doc in docs:
        doc["label"].sort(key=lambda s: (s[0], s[1], s[2]))
    return docs


def _write_jsonl(path: Path, docs: list[dict]) -> Path:
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    return path


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# The annotator: doccano_client runs only in the annotation venv (pydantic<2),
# so this script is run there; credentials come from the inherited environment.
ANNOTATOR_SCRIPT = r"""
import json, os, sys
from doccano_client import DoccanoClient
job = json.loads(sys.argv[1])
c = DoccanoClient(os.environ["DOCCANO_URL"])
c.login(username=os.environ["DOCCANO_USERNAME"], password=os.environ["DOCCANO_PASSWORD"])
project = next(p for p in c.list_projects() if p.name == job["project"])
example = next(e for e in c.list_examples(project.id) if e.meta["meta"]["doc_id"] == job["doc_id"])
labels = {lt.id: lt.text for lt in c.list_label_types(project.id, "span")}
s, e, lab = job["delete"]
victims = [sp for sp in c.list_spans(project.id, example.id)
           if (sp.start_offset, sp.end_offset, labels[sp.label]) == (s, e, lab)]
assert len(victims) == 1, victims
c.delete_span(project.id, example.id, victims[0].id)
s, e, lab = job["add"]
c.create_span(project.id, example.id, s, e, lab)
c.update_example_state(project.id, example.id)
print(json.dumps({"ok": True, "example_id": example.id}))
"""


def _annotate(job: dict) -> None:
    proc = subprocess.run([str(CLIENT_PYTHON), "-I", "-c", ANNOTATOR_SCRIPT, json.dumps(job, ensure_ascii=False)],
                          check=False, capture_output=True, text=True, timeout=120, env=os.environ.copy())
    assert proc.returncode == 0, proc.stderr[-3000:]


def _bridge(args: list[str]) -> subprocess.CompletedProcess:
    """Run the bridge exactly as doccano.py does, keeping its raw stdout/stderr."""
    return subprocess.run([str(CLIENT_PYTHON), str(doccano.BRIDGE), *args],
                          check=False, capture_output=True, text=True, timeout=300, env=os.environ.copy())


# --------------------------------------------------------------------------
# the round trip


def test_roundtrip_push_annotate_pull(doccano_env, gold_docs, tmp_path):
    server = doccano_env
    src = _write_jsonl(tmp_path / "gold.jsonl", gold_docs)
    runner = CliRunner()

    # push through the CLI (rich summary with the counts)
    res = runner.invoke(doccano_app, ["push", str(src), "--project", PROJECT])
    assert res.exit_code == 0, res.output
    n_spans = sum(len(d["label"]) for d in gold_docs)
    assert "documents pushed" in res.output and "spans pushed" in res.output
    assert str(len(gold_docs)) in res.output and str(n_spans) in res.output
    assert server.password not in res.output

    # pushing again into the same project reuses it and adds no duplicates
    again = doccano.push(src, PROJECT)
    assert again["created_project"] is False
    assert again["documents"] == 0 and again["skipped_existing"] == len(gold_docs)

    # an annotator deletes one span of b021 and adds an AGENCY span
    b021 = next(d for d in gold_docs if d["meta"]["doc_id"] == "b021")
    deleted = next(s for s in b021["label"] if s[2] == "MEASURE")
    added = _span(b021["text"], "党政办", "AGENCY")
    _annotate({"project": PROJECT, "doc_id": "b021", "delete": deleted, "add": added})

    # pull (raw bridge: password must not show up in its stdout/stderr)
    out = tmp_path / "pulled.jsonl"
    proc = _bridge(["pull", "--project", PROJECT, "--out", str(out)])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert server.password not in proc.stdout and server.password not in proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["documents"] == 3 and summary["export_file"] == f"{server.username}.jsonl"

    pulled = _read_jsonl(out)
    expected = [dict(d, label=[list(s) for s in d["label"]]) for d in gold_docs]
    exp_b021 = next(d for d in expected if d["meta"]["doc_id"] == "b021")
    exp_b021["label"] = sorted([s for s in exp_b021["label"] if s != deleted] + [added],
                               key=lambda s: (s[0], s[1], s[2]))

    # the change arrived ...
    got_b021 = next(d for d in pulled if d["meta"]["doc_id"] == "b021")
    assert added in got_b021["label"] and deleted not in got_b021["label"]
    # ... and nothing else changed: texts, other spans, meta, order, keys
    assert [d["meta"]["doc_id"] for d in pulled] == ["b001", "b021", "b056"]
    for got, exp in zip(pulled, expected):
        assert set(got) == {"text", "label", "meta"}
        assert got["text"] == exp["text"]
        assert got["meta"] == exp["meta"]
        assert got["label"] == exp["label"]
    assert pulled == expected

    # library API and CLI pull give the same file
    out2 = doccano.pull(PROJECT, tmp_path / "pulled2.jsonl")
    assert _read_jsonl(out2) == expected
    res = runner.invoke(doccano_app, ["pull", "--project", PROJECT, "--out", str(tmp_path / "pulled3.jsonl")])
    assert res.exit_code == 0, res.output
    assert "documents pulled" in res.output and str(n_spans) in res.output
    assert server.password not in res.output
    assert _read_jsonl(tmp_path / "pulled3.jsonl") == expected


def test_push_output_never_contains_password(doccano_env, gold_docs, tmp_path):
    server = doccano_env
    src = _write_jsonl(tmp_path / "one.jsonl", gold_docs[:1])
    proc = _bridge(["push", str(src), "--project", PROJECT + "-pw",
                    "--base-labels", ",".join(LABELS), "--indicator-keys", ",".join(INDICATOR_KEYS)])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert server.password not in proc.stdout + proc.stderr
    summary = json.loads(proc.stdout)
    # all base labels and every indicator key exist as label types
    assert set(summary["created_labels"]) >= set(LABELS) | {count_label(k) for k in INDICATOR_KEYS}


def test_wrong_password_fails_cleanly(doccano_env, monkeypatch, tmp_path):
    wrong = "Wr0ng-" + doccano_env.password[::-1]
    monkeypatch.setenv("DOCCANO_PASSWORD", wrong)
    proc = _bridge(["pull", "--project", PROJECT, "--out", str(tmp_path / "x.jsonl")])
    assert proc.returncode != 0
    answer = json.loads(proc.stdout)
    assert answer["ok"] is False and "login" in answer["error"]
    assert wrong not in proc.stdout + proc.stderr
    with pytest.raises(doccano.DoccanoError, match="login"):
        doccano.pull(PROJECT, tmp_path / "x.jsonl")


# --------------------------------------------------------------------------
# credentials and setup (annotation venv needed, no server)


def test_credentials_file_must_be_private(tmp_path, monkeypatch, gold_docs):
    _require_tools()
    secret = "s3cret-in-file-Zq9"
    cred = tmp_path / "doccano.json"
    cred.write_text(json.dumps({"url": "http://127.0.0.1:9", "username": "u", "password": secret}))
    cred.chmod(0o644)
    for var in ("DOCCANO_URL", "DOCCANO_USERNAME", "DOCCANO_PASSWORD"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("DOCCANO_CREDENTIALS_FILE", str(cred))
    src = _write_jsonl(tmp_path / "g.jsonl", gold_docs[:1])

    with pytest.raises(doccano.DoccanoError, match="0644") as err:
        doccano.push(src, PROJECT)
    assert "chmod 600" in str(err.value) and secret not in str(err.value)
    proc = _bridge(["pull", "--project", PROJECT, "--out", str(tmp_path / "x.jsonl")])
    assert proc.returncode != 0 and "refusing credentials file" in proc.stdout
    assert secret not in proc.stdout + proc.stderr

    # 0600 is accepted: the failure is now the unreachable server, not the file
    cred.chmod(0o600)
    with pytest.raises(doccano.DoccanoError) as err:
        doccano.push(src, PROJECT)
    assert "refusing" not in str(err.value) and secret not in str(err.value)


def test_missing_credentials_message(tmp_path, monkeypatch):
    _require_tools()
    for var in ("DOCCANO_URL", "DOCCANO_USERNAME", "DOCCANO_PASSWORD", "DOCCANO_CREDENTIALS_FILE"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(doccano.DoccanoError, match="DOCCANO_URL"):
        doccano.pull(PROJECT, tmp_path / "x.jsonl")


def test_missing_annotation_venv_says_make_annotation_tools(tmp_path, monkeypatch):
    monkeypatch.setenv("OGI_DOCCANO_PYTHON", str(tmp_path / "nope" / "bin" / "python"))
    with pytest.raises(doccano.DoccanoError, match="make annotation-tools"):
        doccano.pull(PROJECT, tmp_path / "x.jsonl")


# --------------------------------------------------------------------------
# pure helpers of the bridge (importable in the main venv: doccano_client is imported lazily)


def test_bridge_mirrors_labels_module():
    assert doccano_bridge.COUNT_PREFIX == COUNT_PREFIX
    assert set(doccano_bridge.DEFAULT_BASE_LABELS) == set(LABELS)


def test_bridge_conversion_helpers():
    exported = {"id": 7, "text": "甲乙丙", "meta": {"doc_id": "x"}, "label": [[1, 2, "B"], [0, 1, "A"], [0, 1, "AGENCY"]],
                "Comments": ["c"]}
    assert doccano_bridge.from_doccano_record(exported) == {
        "text": "甲乙丙", "label": [[0, 1, "A"], [0, 1, "AGENCY"], [1, 2, "B"]], "meta": {"doc_id": "x"}}
    assert doccano_bridge.to_doccano_record({"text": "甲", "label": []}) == {"text": "甲", "label": [], "meta": {}}
    assert doccano_bridge.pick_export_member(["all.jsonl"], None, "admin") == "all.jsonl"
    assert doccano_bridge.pick_export_member(["admin.jsonl", "li.jsonl"], None, "admin") == "admin.jsonl"
    assert doccano_bridge.pick_export_member(["admin.jsonl", "li.jsonl"], "li", "admin") == "li.jsonl"
    with pytest.raises(doccano_bridge.BridgeError, match="available: admin, li"):
        doccano_bridge.pick_export_member(["admin.jsonl", "li.jsonl"], "wang", "admin")
    with pytest.raises(doccano_bridge.BridgeError, match="unknown label"):
        doccano_bridge.validate_record({"text": "abc", "label": [[0, 1, "ORG"]]}, "x", LABELS)
    with pytest.raises(doccano_bridge.BridgeError, match="bad offsets"):
        doccano_bridge.validate_record({"text": "abc", "label": [[2, 9, "AGENCY"]]}, "x", LABELS)

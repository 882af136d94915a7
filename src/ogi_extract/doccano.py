"""Push annotations to / pull them from a doccano 1.8.4 server.

The doccano client (doccano-client 1.2.8) needs pydantic<2 and cannot live in
the main venv next to spaCy 3.8, so the work is done by
``doccano_bridge.py`` running under the annotation venv's python
(``.venv-doccano``, built by ``make annotation-tools``).  This module finds
that python, runs the bridge as a subprocess and returns its JSON answer.

Credentials are never passed as arguments: the subprocess inherits
``DOCCANO_URL``/``DOCCANO_USERNAME``/``DOCCANO_PASSWORD`` or
``DOCCANO_CREDENTIALS_FILE`` from the environment.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from .labels import INDICATOR_KEYS, LABELS

BRIDGE = Path(__file__).with_name("doccano_bridge.py")
ENV_PYTHON = "OGI_DOCCANO_PYTHON"
VENV_DIR = ".venv-doccano"


class DoccanoError(RuntimeError):
    """Anything that went wrong talking to doccano; the message is safe to print."""


def _candidate_roots() -> list[Path]:
    roots = [Path(__file__).resolve().parents[2], Path.cwd()]
    return list(dict.fromkeys(roots))


def find_python(python: str | os.PathLike[str] | None = None) -> Path:
    """The annotation venv's python: argument, $OGI_DOCCANO_PYTHON, or <repo>/.venv-doccano/bin/python."""
    if python is None:
        python = os.environ.get(ENV_PYTHON) or None
    if python is not None:
        path = Path(python)
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise DoccanoError(
                f"{ENV_PYTHON}/python={path} is not an executable; "
                "run `make annotation-tools` or point it at the python of a venv with doccano-client 1.2.8"
            )
        return path
    for root in _candidate_roots():
        path = root / VENV_DIR / "bin" / "python"
        if path.is_file() and os.access(path, os.X_OK):
            return path
    where = _candidate_roots()[0] / VENV_DIR
    raise DoccanoError(
        f"the annotation venv is missing ({where}); run `make annotation-tools` in the repository root "
        f"(or set {ENV_PYTHON} to the python of a venv with doccano-client 1.2.8)"
    )


def _scrub(text: str) -> str:
    secret = os.environ.get("DOCCANO_PASSWORD")
    return text.replace(secret, "***") if secret else text


def run_bridge(args: list[str], *, python: str | os.PathLike[str] | None = None, timeout: float = 900) -> dict[str, Any]:
    exe = find_python(python)
    try:
        proc = subprocess.run(
            [str(exe), str(BRIDGE), *args],
            check=False,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=timeout,
            env=os.environ.copy(),
        )
    except subprocess.TimeoutExpired:
        raise DoccanoError(f"doccano bridge did not finish within {timeout:.0f} s") from None
    answer: dict[str, Any] | None = None
    for line in reversed(proc.stdout.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                answer = json.loads(line)
            except ValueError:
                continue
            break
    if answer is None:
        tail = _scrub((proc.stderr or proc.stdout or "").strip())[-2000:]
        raise DoccanoError(f"doccano bridge failed (exit {proc.returncode}) without an answer: {tail}")
    if proc.returncode != 0 or not answer.get("ok"):
        raise DoccanoError(_scrub(str(answer.get("error") or f"doccano bridge exited with {proc.returncode}")))
    return answer


def push(path: str | os.PathLike[str], project: str, *, python: str | os.PathLike[str] | None = None,
         collaborative: bool = False) -> dict[str, Any]:
    """Upload a gold/pre-annotated JSONL into doccano project `project` (created if missing).

    Returns the bridge's summary: project_id, documents, spans, created_labels, skipped_existing, ...
    """
    path = Path(path)
    if not path.is_file():
        raise DoccanoError(f"no such file: {path}")
    args = [
        "push", str(path.resolve()), "--project", project,
        "--base-labels", ",".join(LABELS),
        "--indicator-keys", ",".join(INDICATOR_KEYS),
    ]
    if collaborative:
        args.append("--collaborative")
    return run_bridge(args, python=python)


def pull(project: str, out_path: str | os.PathLike[str], *, python: str | os.PathLike[str] | None = None,
         annotator: str | None = None, confirmed_only: bool = False) -> Path:
    """Download project `project` and write it as project JSONL to `out_path`; returns the path.

    :func:`pull_with_summary` does the same and returns the counts as well.
    """
    return Path(pull_with_summary(project, out_path, python=python, annotator=annotator,
                                  confirmed_only=confirmed_only)["out"])


def pull_with_summary(project: str, out_path: str | os.PathLike[str], *,
                      python: str | os.PathLike[str] | None = None, annotator: str | None = None,
                      confirmed_only: bool = False) -> dict[str, Any]:
    out = Path(out_path).resolve()
    args = ["pull", "--project", project, "--out", str(out)]
    if annotator:
        args += ["--annotator", annotator]
    if confirmed_only:
        args.append("--confirmed-only")
    return run_bridge(args, python=python)

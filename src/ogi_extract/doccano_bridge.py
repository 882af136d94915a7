"""Bridge between the project's gold JSONL and a doccano 1.8.4 server.

This file is executed as a *script* by the python of the annotation venv
(``.venv-doccano``, built by ``make annotation-tools``), which holds
doccano-client 1.2.8 and pydantic<2.  The main venv (spaCy 3.8, pydantic>=2)
cannot import doccano-client, so ``ogi_extract.doccano`` runs this file in a
subprocess.  Therefore this module imports only the standard library and
``doccano_client`` -- never spaCy or any other ``ogi_extract`` module -- and
imports ``doccano_client`` lazily, so its pure helpers stay importable (and
testable) from the main venv.

Usage (the caller gets one JSON object on stdout; exit 0 on success,
non-zero with ``{"ok": false, "error": "..."}`` on failure)::

    python doccano_bridge.py push FILE.jsonl --project NAME \
        --base-labels AGENCY,COUNT,PROBLEM,MEASURE --indicator-keys k1,k2,...
    python doccano_bridge.py pull --project NAME --out FILE.jsonl [--annotator USER]

Credentials come ONLY from the environment: ``DOCCANO_URL``,
``DOCCANO_USERNAME``, ``DOCCANO_PASSWORD``, or a JSON file named by
``DOCCANO_CREDENTIALS_FILE`` (keys ``url``, ``username``, ``password``; mode
0600 or stricter).  Variables set in the environment win over the file.  The
password is never accepted on the command line and never printed.

Round trip: doccano 1.8.4 stores every JSONL key other than the text and label
columns as the example's ``meta`` and writes it back at the top level of each
exported record (``{"id", "text", **meta, "label", "Comments"}``).  ``push``
therefore uploads the project's ``meta`` object as one nested key ``meta``
(always present, so pandas in doccano's importer never fills in NaN), and
``pull`` reads it back from there.
"""

from __future__ import annotations

import os  # already loaded by the interpreter at startup, so never shadowed
import sys

# Run as a script, Python puts this file's directory (src/ogi_extract/) first
# on sys.path, where sibling modules shadow the stdlib (numbers.py breaks
# `import decimal`, hence pydantic).  Drop it before importing anything else.
if __name__ == "__main__":
    _script_dir = os.path.dirname(os.path.realpath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.realpath(p or os.curdir) != _script_dir]

import argparse
import json
import stat
import tempfile
import time
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# Mirrors ogi_extract.labels.COUNT_PREFIX (this script may not import it; a
# test checks that the two agree).
COUNT_PREFIX = "COUNT:"
DEFAULT_BASE_LABELS = ("AGENCY", "COUNT", "PROBLEM", "MEASURE")
# Keys doccano adds to each exported record; never part of the project format.
DOCCANO_EXPORT_KEYS = ("id", "Comments")
TASK_TIMEOUT_S = float(os.environ.get("DOCCANO_TASK_TIMEOUT", "300"))

COLORS = {
    "AGENCY": "#1f77b4",
    "PROBLEM": "#d62728",
    "MEASURE": "#2ca02c",
    "COUNT": "#ff7f0e",
}
COUNT_COLOR = "#ffbb78"


class BridgeError(Exception):
    """An error whose message is safe to show to the user."""


# --------------------------------------------------------------------------
# credentials


def _check_private(path: Path) -> None:
    try:
        st = path.stat()
    except OSError as e:
        raise BridgeError(f"cannot read credentials file {path}: {e.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise BridgeError(f"credentials file {path} is not a regular file")
    mode = stat.S_IMODE(st.st_mode)
    if mode & 0o077:
        raise BridgeError(
            f"refusing credentials file {path}: its permissions are {mode:04o}, "
            f"which lets other users read it; run `chmod 600 {path}`"
        )


def load_credentials(environ: dict[str, str] | None = None) -> dict[str, str]:
    """url/username/password from the environment, or from DOCCANO_CREDENTIALS_FILE."""
    environ = dict(os.environ if environ is None else environ)
    creds: dict[str, str] = {}
    cred_file = environ.get("DOCCANO_CREDENTIALS_FILE")
    if cred_file:
        path = Path(cred_file).expanduser()
        _check_private(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            # no details: a parse error could quote the file's content
            raise BridgeError(f"credentials file {path} is not a readable JSON object") from None
        if not isinstance(data, dict):
            raise BridgeError(f"credentials file {path} is not a JSON object")
        for key in ("url", "username", "password"):
            if data.get(key):
                creds[key] = str(data[key])
    for key in ("url", "username", "password"):
        value = environ.get(f"DOCCANO_{key.upper()}")
        if value:
            creds[key] = value
    missing = [k for k in ("url", "username", "password") if not creds.get(k)]
    if missing:
        names = ", ".join(f"DOCCANO_{k.upper()}" for k in missing)
        raise BridgeError(
            f"missing doccano credentials: set {names} in the environment "
            "or point DOCCANO_CREDENTIALS_FILE to a JSON file (mode 0600) with url/username/password"
        )
    parts = urlsplit(creds["url"])
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BridgeError("DOCCANO_URL must look like http://127.0.0.1:8000")
    if parts.username or parts.password:
        raise BridgeError("DOCCANO_URL must not contain a user name or password; use DOCCANO_USERNAME/DOCCANO_PASSWORD")
    creds["url"] = creds["url"].rstrip("/")
    return creds


# --------------------------------------------------------------------------
# pure conversion helpers (no doccano_client needed)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    records = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except ValueError as e:
                raise BridgeError(f"{path}:{lineno}: not valid JSON ({e})") from None
            if not isinstance(rec, dict):
                raise BridgeError(f"{path}:{lineno}: a line must be a JSON object")
            records.append(rec)
    return records


def sort_spans(spans: Iterable[Iterable[Any]]) -> list[list[Any]]:
    out = [[int(s), int(e), str(lab)] for s, e, lab in spans]
    out.sort(key=lambda x: (x[0], x[1], x[2]))
    return out


def validate_record(rec: dict[str, Any], where: str, base_labels: Iterable[str]) -> None:
    base = set(base_labels)
    text = rec.get("text")
    if not isinstance(text, str) or not text:
        raise BridgeError(f"{where}: 'text' must be a non-empty string")
    for key in DOCCANO_EXPORT_KEYS:
        if key in rec:
            raise BridgeError(f"{where}: top-level key {key!r} is reserved by doccano's export")
    meta = rec.get("meta", {})
    if not isinstance(meta, dict):
        raise BridgeError(f"{where}: 'meta' must be an object")
    spans = rec.get("label", [])
    if not isinstance(spans, list):
        raise BridgeError(f"{where}: 'label' must be a list of [start, end, label]")
    for span in spans:
        if not (isinstance(span, list) and len(span) == 3):
            raise BridgeError(f"{where}: span {span!r} is not [start, end, label]")
        s, e, lab = span
        if not (isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= len(text)):
            raise BridgeError(f"{where}: span {span!r} has bad offsets for a text of {len(text)} characters")
        if not isinstance(lab, str) or not (lab in base or (lab.startswith(COUNT_PREFIX) and len(lab) > len(COUNT_PREFIX))):
            raise BridgeError(f"{where}: unknown label {lab!r}")


def to_doccano_record(rec: dict[str, Any]) -> dict[str, Any]:
    """Project record -> upload line. 'meta' is always sent (see module doc)."""
    out = {k: v for k, v in rec.items() if k not in ("text", "label", "meta")}
    out["text"] = rec["text"]
    out["label"] = sort_spans(rec.get("label", []))
    out["meta"] = rec.get("meta") or {}
    return out


def from_doccano_record(rec: dict[str, Any]) -> dict[str, Any]:
    """Exported line -> project record: text, label sorted by (start, end, label), meta."""
    if "text" not in rec:
        raise BridgeError("exported record without 'text' (is the project a SequenceLabeling project?)")
    if "entities" in rec:
        spans = [(e["start_offset"], e["end_offset"], e["label"]) for e in rec["entities"]]
    else:
        spans = rec.get("label", [])
    out: dict[str, Any] = {"text": rec["text"], "label": sort_spans(spans)}
    meta = rec.get("meta")
    out["meta"] = meta if isinstance(meta, dict) else {}
    for key, value in rec.items():
        if key not in out and key not in DOCCANO_EXPORT_KEYS and key not in ("entities", "relations"):
            out[key] = value
    return out


def labels_for(records: Iterable[dict[str, Any]], base_labels: Iterable[str], indicator_keys: Iterable[str]) -> list[str]:
    wanted = list(dict.fromkeys(base_labels))
    for key in indicator_keys:
        wanted.append(f"{COUNT_PREFIX}{key}")
    for rec in records:
        for _s, _e, lab in rec.get("label", []):
            wanted.append(lab)
    return list(dict.fromkeys(wanted))


def color_for(label: str) -> str:
    if label in COLORS:
        return COLORS[label]
    if label.startswith(COUNT_PREFIX):
        return COUNT_COLOR
    return "#7f7f7f"


def pick_export_member(names: list[str], annotator: str | None, default_user: str) -> str:
    """Choose the file of a JSONL export zip (``all.jsonl`` or ``<user>.jsonl``)."""
    jsonl = [n for n in names if n.endswith(".jsonl")]
    if not jsonl:
        raise BridgeError(f"export zip holds no .jsonl file (found: {names})")
    if "all.jsonl" in jsonl and annotator is None:
        return "all.jsonl"
    user = annotator or default_user
    if f"{user}.jsonl" in jsonl:
        return f"{user}.jsonl"
    if annotator is None and len(jsonl) == 1:
        return jsonl[0]
    available = ", ".join(sorted(n[: -len(".jsonl")] for n in jsonl))
    raise BridgeError(f"no export for annotator {user!r}; available: {available} (use --annotator)")


# --------------------------------------------------------------------------
# doccano access


def _connect(creds: dict[str, str]):
    from doccano_client import DoccanoClient

    client = DoccanoClient(creds["url"])
    try:
        client.login(username=creds["username"], password=creds["password"])
    except Exception as e:  # noqa: BLE001 - message is scrubbed by main()
        raise BridgeError(f"login to {creds['url']} as {creds['username']!r} failed: {e}") from None
    return client


def _wait(client, task_id: str, what: str):
    repo = client._task_status_repository  # the public wait() polls 1/s for up to an hour
    deadline = time.monotonic() + TASK_TIMEOUT_S
    delay = 0.1
    while True:
        status = repo.get(task_id)
        if status.ready:
            return status
        if time.monotonic() > deadline:
            raise BridgeError(
                f"{what} task did not finish within {TASK_TIMEOUT_S:.0f} s; is the `doccano task` worker running?"
            )
        time.sleep(delay)
        delay = min(delay * 1.5, 1.0)


def _iter_examples(client, project_id: int, limit: int = 500):
    """Raw example dicts, 500 per request (client.list_examples pages by doccano's default of 5)."""
    base = client._base_repository
    response = base.get(f"projects/{project_id}/examples", params={"limit": limit})
    while True:
        page = response.json()
        yield from page["results"]
        if not page.get("next"):
            return
        response = base.get(page["next"])


def _find_project(client, name: str):
    for project in client.list_projects():
        if project.name == name:
            return project
    return None


def push(path: Path, project_name: str, base_labels: list[str], indicator_keys: list[str],
         creds: dict[str, str], collaborative: bool = False) -> dict[str, Any]:
    records = read_jsonl(path)
    for i, rec in enumerate(records, 1):
        validate_record(rec, f"{path}:{i}", base_labels)
    client = _connect(creds)

    project = _find_project(client, project_name)
    created_project = project is None
    if project is None:
        project = client.create_project(
            name=project_name,
            project_type="SequenceLabeling",
            description=f"ogi-extract annotations ({project_name})",
            guideline="See annotations/DOCCANO.md and the ogi-extract annotation guideline.",
            collaborative_annotation=collaborative,
            allow_overlapping=True,
            grapheme_mode=False,
            use_relation=False,
        )
    else:
        if project.project_type.value != "SequenceLabeling":
            raise BridgeError(f"project {project_name!r} exists but is a {project.project_type.value} project")
        if not project.allow_overlapping:
            raise BridgeError(f"project {project_name!r} exists but does not allow overlapping spans")

    existing_labels = {lt.text for lt in client.list_label_types(project.id, "span")}
    created_labels = []
    for label in labels_for(records, base_labels, indicator_keys):
        if label not in existing_labels:
            client.create_label_type(project.id, "span", label, color=color_for(label))
            created_labels.append(label)

    # Re-pushing into a reused project must not duplicate documents.
    known_ids = set()
    if not created_project:
        for ex in _iter_examples(client, project.id):
            meta = ex.get("meta", {}).get("meta") if isinstance(ex.get("meta"), dict) else None
            if isinstance(meta, dict) and meta.get("doc_id") is not None:
                known_ids.add(meta["doc_id"])
    todo = [r for r in records if (r.get("meta") or {}).get("doc_id") is None
            or (r.get("meta") or {}).get("doc_id") not in known_ids]
    skipped = len(records) - len(todo)

    if todo:
        with tempfile.TemporaryDirectory(prefix="ogi-doccano-") as tmp:
            upload = Path(tmp) / path.name
            if upload.suffix != ".jsonl":
                upload = upload.with_suffix(".jsonl")
            with upload.open("w", encoding="utf-8") as fh:
                for rec in todo:
                    fh.write(json.dumps(to_doccano_record(rec), ensure_ascii=False) + "\n")
            repo = client._data_import_repository
            upload_id = repo.upload(str(upload))
            task_id = repo.ingest(project.id, [upload_id], "SequenceLabeling", "JSONL",
                                  column_data="text", column_label="label")
            status = _wait(client, task_id, "import")
        result = status.result if isinstance(status.result, dict) else {}
        errors = result.get("error") or []
        if status.error or errors:
            detail = status.error or errors[:5]
            raise BridgeError(f"doccano rejected the upload: {json.dumps(detail, ensure_ascii=False)[:2000]}")

    return {
        "ok": True,
        "command": "push",
        "project": project_name,
        "project_id": project.id,
        "project_url": f"{creds['url']}/projects/{project.id}",
        "created_project": created_project,
        "created_labels": created_labels,
        "documents": len(todo),
        "spans": sum(len(r.get("label", [])) for r in todo),
        "skipped_existing": skipped,
    }


def pull(project_name: str, out: Path, creds: dict[str, str], annotator: str | None = None,
         confirmed_only: bool = False) -> dict[str, Any]:
    client = _connect(creds)
    project = _find_project(client, project_name)
    if project is None:
        raise BridgeError(f"no doccano project named {project_name!r}")
    repo = client._data_export_repository
    option = repo.find_option_by_name(project.id, "JSONL")
    task_id = repo.schedule_download(project.id, option, confirmed_only)
    _wait(client, task_id, "export")
    with tempfile.TemporaryDirectory(prefix="ogi-doccano-") as tmp:
        zpath = repo.download(project.id, task_id, tmp)
        try:
            with zipfile.ZipFile(zpath) as zf:
                names = zf.namelist()
                member = pick_export_member(names, annotator, creds["username"])
                raw = zf.read(member).decode("utf-8")
        except zipfile.BadZipFile:
            raise BridgeError("doccano's export is not a zip file") from None
    records = []
    comments = 0
    for line in raw.splitlines():
        if line.strip():
            exported = json.loads(line)
            comments += len(exported.get("Comments") or [])
            records.append((exported.get("id", 0), from_doccano_record(exported)))
    records.sort(key=lambda x: x[0])  # doccano ids follow upload order
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp_out = out.with_name(out.name + ".part")
    with tmp_out.open("w", encoding="utf-8") as fh:
        for _id, rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    tmp_out.replace(out)
    return {
        "ok": True,
        "command": "pull",
        "project": project_name,
        "project_id": project.id,
        "export_file": member,
        "export_files": sorted(names),
        "documents": len(records),
        "spans": sum(len(r["label"]) for _i, r in records),
        "comments_dropped": comments,
        "out": str(out),
    }


# --------------------------------------------------------------------------
# command line


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # JSON errors for the caller, exit 2
        _emit({"ok": False, "error": f"usage: {message}"})
        sys.exit(2)


def _emit(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _scrub(message: str, secret: str | None) -> str:
    if secret:
        message = message.replace(secret, "***")
    return message


def main(argv: list[str] | None = None) -> int:
    parser = _Parser(prog="doccano_bridge.py", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_push = sub.add_parser("push", help="upload a JSONL with pre-annotations")
    p_push.add_argument("path", type=Path)
    p_push.add_argument("--project", required=True)
    p_push.add_argument("--base-labels", type=_csv, default=list(DEFAULT_BASE_LABELS))
    p_push.add_argument("--indicator-keys", type=_csv, default=[])
    p_push.add_argument("--collaborative", action="store_true",
                        help="new project: all annotators see and edit the same spans")
    p_pull = sub.add_parser("pull", help="download the annotations as project JSONL")
    p_pull.add_argument("--project", required=True)
    p_pull.add_argument("--out", type=Path, required=True)
    p_pull.add_argument("--annotator", default=None,
                        help="whose annotations (non-collaborative projects); default: the logged-in user")
    p_pull.add_argument("--confirmed-only", action="store_true")
    args = parser.parse_args(argv)

    password = os.environ.get("DOCCANO_PASSWORD")
    try:
        creds = load_credentials()
        password = creds["password"]
        if args.command == "push":
            if not args.path.is_file():
                raise BridgeError(f"no such file: {args.path}")
            result = push(args.path, args.project, args.base_labels, args.indicator_keys, creds,
                          collaborative=args.collaborative)
        else:
            result = pull(args.project, args.out, creds, annotator=args.annotator,
                          confirmed_only=args.confirmed_only)
    except BridgeError as e:
        _emit({"ok": False, "error": _scrub(str(e), password)})
        return 1
    except Exception as e:  # noqa: BLE001 - report every failure as JSON, never a traceback with secrets
        _emit({"ok": False, "error": _scrub(f"{type(e).__name__}: {e}", password)})
        return 1
    _emit(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())

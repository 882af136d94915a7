"""Start a throw-away doccano 1.8.4 server on 127.0.0.1 for the tests.

Uses the server venv built by ``make annotation-tools`` (``.venv-doccano-server``,
override with ``OGI_DOCCANO_SERVER_VENV``).  Everything lives in one tmp dir:
SQLite DB, DOCCANO_HOME, media, logs.  Two processes, each in its own session
so that it can be stopped with all its children:

* gunicorn bound to 127.0.0.1 (``doccano webserver`` always binds 0.0.0.0);
* ``doccano task`` -- the celery worker that runs imports and exports (broker:
  kombu's SQLAlchemy transport on the same SQLite file).

The admin password is generated here and reaches ``doccano createuser`` through
the environment only (``doccano createuser`` itself wants ``--password``, so it
is run in-process with its argv built from the environment, keeping the
password out of any process list).
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SERVER_VENV = Path(os.environ.get("OGI_DOCCANO_SERVER_VENV", REPO / ".venv-doccano-server"))
CLIENT_PYTHON = Path(os.environ.get("OGI_DOCCANO_PYTHON", REPO / ".venv-doccano" / "bin" / "python"))

_CREATEUSER = (
    "import os, sys; "
    "sys.argv = ['doccano', 'createuser', '--username', os.environ['OGI_ADMIN_USER'], "
    "'--password', os.environ['OGI_ADMIN_PASSWORD'], '--email', 'admin@example.invalid']; "
    "from backend.cli import main; main()"
)


def missing_tools() -> str | None:
    """None when both venvs are there, else a message saying how to build them."""
    need = [SERVER_VENV / "bin" / "doccano", SERVER_VENV / "bin" / "gunicorn", CLIENT_PYTHON]
    absent = [str(p) for p in need if not p.exists()]
    if absent:
        return (
            "doccano tooling not found: " + ", ".join(absent)
            + ". Run `make annotation-tools` in the repository root (builds .venv-doccano and "
            ".venv-doccano-server), or set OGI_DOCCANO_SERVER_VENV / OGI_DOCCANO_PYTHON."
        )
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _backend_dir() -> Path:
    found = sorted(SERVER_VENV.glob("lib/python3*/site-packages/backend"))
    if not found:
        raise RuntimeError(f"doccano's backend package not found under {SERVER_VENV}")
    return found[0]


@dataclass
class DoccanoServer:
    workdir: Path
    username: str = "admin"
    password: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    port: int = field(default_factory=free_port)
    start_seconds: float = 0.0
    _procs: list[subprocess.Popen] = field(default_factory=list)
    _logs: list = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _env(self) -> dict[str, str]:
        home = self.workdir / "doccano-home"
        env = {k: v for k, v in os.environ.items() if not k.startswith("DOCCANO_")}
        env.update(
            DOCCANO_HOME=str(home),
            DATABASE_URL=f"sqlite:///{home / 'db.sqlite3'}",
            MEDIA_ROOT=str(home / "media"),
            DJANGO_SETTINGS_MODULE="config.settings.production",
            STANDALONE="True",
            DEBUG="False",
            SECRET_KEY=secrets.token_urlsafe(32),
            PYTHONUNBUFFERED="1",
        )
        return env

    def _run(self, args: list[str], env: dict[str, str], name: str, timeout: float = 120) -> None:
        log = self.workdir / f"{name}.log"
        with log.open("w") as fh:
            proc = subprocess.run(args, check=False, env=env, stdout=fh, stderr=subprocess.STDOUT, timeout=timeout,
                                  cwd=self.workdir)
        if proc.returncode != 0:
            raise RuntimeError(f"`{name}` failed (exit {proc.returncode}):\n{log.read_text()[-3000:]}")

    def _spawn(self, args: list[str], env: dict[str, str], name: str) -> subprocess.Popen:
        fh = (self.workdir / f"{name}.log").open("w")
        self._logs.append(fh)
        proc = subprocess.Popen(args, env=env, stdout=fh, stderr=subprocess.STDOUT, cwd=self.workdir,
                                start_new_session=True)
        self._procs.append(proc)
        return proc

    def log_tail(self, n: int = 3000) -> str:
        parts = []
        for name in ("init", "createuser", "gunicorn", "worker"):
            log = self.workdir / f"{name}.log"
            if log.exists():
                parts.append(f"--- {name}.log ---\n{log.read_text(errors='replace')[-n:]}")
        return "\n".join(parts)

    def start(self, timeout: float = 90) -> DoccanoServer:
        t0 = time.monotonic()
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "doccano-home").mkdir(exist_ok=True)
        env = self._env()
        bin_ = SERVER_VENV / "bin"
        self._run([str(bin_ / "doccano"), "init"], env, "init")
        self._run([str(bin_ / "python"), "-c", _CREATEUSER],
                  {**env, "OGI_ADMIN_USER": self.username, "OGI_ADMIN_PASSWORD": self.password}, "createuser")
        self._spawn([str(bin_ / "doccano"), "task", "--concurrency", "1"], env, "worker")
        self._spawn([str(bin_ / "gunicorn"), "--chdir", str(_backend_dir()),
                     "--bind", f"127.0.0.1:{self.port}", "--workers", "1", "--timeout", "120",
                     "config.wsgi"], env, "gunicorn")
        deadline = time.monotonic() + timeout
        health = f"{self.url}/v1/health/"
        while True:
            for proc in self._procs:
                if proc.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"doccano process exited early ({proc.args[0]}):\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(health, timeout=2) as resp:
                    if resp.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"doccano did not become healthy within {timeout:.0f} s:\n{self.log_tail()}")
            time.sleep(0.25)
        self.start_seconds = time.monotonic() - t0
        return self

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM each process group, then SIGKILL what is left after `grace` seconds."""
        for proc in self._procs:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + grace
        for proc in self._procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            # the leader may be gone while children linger: SIGKILL the whole group
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                print(f"doccano process {proc.pid} did not die", file=sys.stderr)
        self._procs.clear()
        for fh in self._logs:
            fh.close()
        self._logs.clear()

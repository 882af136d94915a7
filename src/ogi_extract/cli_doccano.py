"""`ogi doccano push|pull`: round-trip annotations through a doccano 1.8.4 server."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from . import doccano

doccano_app = typer.Typer(
    help=(
        "Round-trip annotations through doccano 1.8.4 (needs `make annotation-tools`; see annotations/DOCCANO.md). "
        "Credentials come from DOCCANO_URL/DOCCANO_USERNAME/DOCCANO_PASSWORD "
        "or DOCCANO_CREDENTIALS_FILE (JSON, mode 0600); never from the command line."
    ),
    no_args_is_help=True,
)

console = Console()
err_console = Console(stderr=True)


def _table(title: str, rows: list[tuple[str, object]]) -> Table:
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    for key, value in rows:
        table.add_row(key, str(value))
    return table


@doccano_app.command("push")
def push_cmd(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True,
                                         help="Project JSONL (text, label, meta) with pre-annotations.")],
    project: Annotated[str, typer.Option("--project", "-p", help="doccano project name (created if missing).")],
    collaborative: Annotated[bool, typer.Option(
        "--collaborative", help="New project only: annotators share and edit the same spans.")] = False,
) -> None:
    """Upload documents with their pre-annotations into a doccano project."""
    try:
        res = doccano.push(path, project, collaborative=collaborative)
    except doccano.DoccanoError as e:
        err_console.print(f"[red]doccano push failed:[/red] {e}", markup=True, highlight=False)
        raise typer.Exit(1) from None
    console.print(_table(f"pushed {path} -> doccano project {project!r}", [
        ("project", f"{res['project']} (id {res['project_id']}, {'created' if res['created_project'] else 'reused'})"),
        ("url", res["project_url"]),
        ("documents pushed", res["documents"]),
        ("spans pushed", res["spans"]),
        ("already there (skipped)", res["skipped_existing"]),
        ("label types created", len(res["created_labels"])),
    ]))


@doccano_app.command("pull")
def pull_cmd(
    project: Annotated[str, typer.Option("--project", "-p", help="doccano project name.")],
    out: Annotated[Path, typer.Option("--out", "-o", dir_okay=False, help="Where to write the project JSONL.")],
    annotator: Annotated[str | None, typer.Option(
        "--annotator", help="Whose annotations (non-collaborative projects); default: the logged-in user.")] = None,
    confirmed_only: Annotated[bool, typer.Option(
        "--confirmed-only", help="Only documents marked as done.")] = False,
) -> None:
    """Download a doccano project's annotations as project JSONL."""
    try:
        res = doccano.pull_with_summary(project, out, annotator=annotator, confirmed_only=confirmed_only)
    except doccano.DoccanoError as e:
        err_console.print(f"[red]doccano pull failed:[/red] {e}", markup=True, highlight=False)
        raise typer.Exit(1) from None
    rows: list[tuple[str, object]] = [
        ("project", f"{res['project']} (id {res['project_id']})"),
        ("export file", res["export_file"]),
        ("documents pulled", res["documents"]),
        ("spans pulled", res["spans"]),
        ("written to", res["out"]),
    ]
    if res.get("comments_dropped"):
        rows.append(("doccano comments (not exported)", res["comments_dropped"]))
    console.print(_table(f"pulled doccano project {project!r}", rows))

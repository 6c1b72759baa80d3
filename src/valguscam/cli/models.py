"""`valguscam models list|download|path|verify`: find, fetch and check the pose models.

Errors are raised as ValguscamError subclasses; the top-level group prints them as one line.
"""

from __future__ import annotations

from pathlib import Path

import click

from valguscam.cli.options import is_quiet, verbosity_options
from valguscam.errors import ModelError
from valguscam.pose.models import (
    MODEL_NAMES,
    REGISTRY,
    ModelCheck,
    download_model,
    resolve_model,
    verify_model,
)


@click.group("models")
@verbosity_options
def models_group() -> None:
    """Find, download and check the MediaPipe pose models (lite, full, heavy)."""


@models_group.command("list")
@verbosity_options
def list_cmd() -> None:
    """One row per model: name, where it was found (or "not found"), official URL."""
    for spec in REGISTRY.values():
        try:
            where = str(resolve_model(spec.name))
        except ModelError:
            where = "not found"
        click.echo(f"{spec.name:<6} {where}\n       {spec.url}")


@models_group.command("download")
@click.argument("name", type=click.Choice(MODEL_NAMES))
@click.option(
    "--dir",
    "dest_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write into (default: the user cache).",
)
@click.option("--url", help="Download from this URL instead of the official one (a mirror).")
@click.option("--sha256", "sha256", metavar="HEX", help="Require this sha256 checksum.")
@click.option("--no-progress", is_flag=True, help="No progress bar (also with -q).")
@verbosity_options
def download_cmd(
    name: str, dest_dir: Path | None, url: str | None, sha256: str | None, no_progress: bool
) -> None:
    """Download model NAME, check it and print the path written."""
    path = download_model(
        name, dest_dir, url, expected_sha256=sha256, progress=not (no_progress or is_quiet())
    )
    click.echo(str(path))


@models_group.command("path")
@click.argument("model", metavar="NAME_OR_PATH")
@verbosity_options
def path_cmd(model: str) -> None:
    """Print where model NAME_OR_PATH resolves to (fails if it is not found)."""
    click.echo(str(resolve_model(model)))


def _checksum_note(check: ModelCheck) -> str:
    if check.official is True:
        return "official bytes"
    if check.official is False:
        return "not the official bytes"
    return "official checksum unknown"


@models_group.command("verify")
@click.argument("model", metavar="NAME_OR_PATH")
@click.option("--sha256", "sha256", metavar="HEX", help="Also require this sha256 checksum.")
@verbosity_options
def verify_cmd(model: str, sha256: str | None) -> None:
    """Check that NAME_OR_PATH is a valid pose landmarker bundle (exit code 3 if not)."""
    check = verify_model(resolve_model(model), expected_sha256=sha256)
    click.echo(f"path:   {check.path}")
    click.echo("status: ok" if check.ok else "status: INVALID")
    for problem in check.problems:
        click.echo(f"  problem: {problem}")
    click.echo(f"sha256: {check.sha256} ({_checksum_note(check)})")
    click.echo(f"size:   {check.size_bytes} bytes")
    if not check.ok:
        raise ModelError(
            f"{check.path} is not a valid pose model ({'; '.join(check.problems)}); "
            "download it again with 'valguscam models download NAME'"
        )

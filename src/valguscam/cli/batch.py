"""`valguscam batch INPUTS... --out DIR`: a thin layer over valguscam.run.batch.batch."""

from __future__ import annotations

import click

from valguscam.cli.options import LazyChoice, exercise_choices, is_quiet, verbosity_options


@click.command("batch")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--out", "out_dir", required=True, type=click.Path(), help="Output folder.")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Pose passes at once, each with 2 worker processes (one runs the model, the other "
    "finishes or prepares a video); default: as many as the cores allow with pose.workers each.",
)
@click.option(
    "--exercise",
    type=LazyChoice(lambda: ("auto", *exercise_choices())),
    default="auto",
    show_default=True,
    help="The exercise of every clip; auto detects it per clip.",
)
@click.option("--config", "config_path", default=None, type=click.Path(), help="TOML config file.")
@click.option(
    "--set", "overrides", multiple=True, metavar="SECTION.KEY=VALUE", help="Override one value."
)
@click.option("--plots", is_flag=True, help="Also draw each video's plots (PNG).")
@click.option("--html", is_flag=True, help="Also write each report.html and DIR/index.html.")
@click.option("--video", is_flag=True, help="Also write each annotated.mp4 and key_frames.png.")
@click.option("--force", is_flag=True, help="Analyze every video again, even completed ones.")
@click.option(
    "--executor",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="local: a process pool here; dask: a Dask cluster (pip install 'valguscam[dask]').",
)
@click.option("--scheduler", default=None, help="Dask scheduler address, e.g. tcp://host:8786.")
@click.option("--no-progress", is_flag=True, help="Hide the progress bar.")
@verbosity_options
def batch(
    inputs, out_dir, jobs, exercise, config_path, overrides, plots, html, video, force,
    executor, scheduler, no_progress,
) -> None:  # fmt: skip
    """Analyze every video of INPUTS (files, folders searched recursively, or globs) into
    DIR/<path relative to the inputs' common folder>/, as 'valguscam analyze' does.

    \b
    DIR/summary.csv   one row per video (status, verdicts, peak measures, events ...)
    DIR/batch.json    inputs, config, tool version, per-video status
    DIR/cohort.png    both knees' peak measures per video; --html: DIR/index.html
    A re-run skips videos whose results are complete for the same input bytes, config and
    version; --force redoes them. Exit code: 0 all ok, 1 some failed, 130 interrupted.
    """
    from valguscam.config import load_config
    from valguscam.run.batch import batch as run_batch

    quiet = is_quiet()
    cfg = load_config(config_path, list(overrides))
    result = run_batch(
        list(inputs), out_dir, jobs=jobs, config=cfg, exercise=exercise, plots=plots, html=html,
        video=video, force=force, executor=executor, scheduler=scheduler,
        progress=not (no_progress or quiet),
    )  # fmt: skip
    counts = _counts(result)
    click.echo(f"batch: {counts} in {result.seconds:.1f} s")
    if not quiet:
        for path in result.files.values():
            click.echo(f"wrote {path}")
    for v in result.failed:
        click.echo(f"failed: {v.video}: {v.error}", err=True)
    if result.interrupted:
        raise KeyboardInterrupt
    if result.failed:
        raise click.exceptions.Exit(1)


def _counts(result) -> str:
    """ "5 videos: 3 analyzed, 1 reused, 1 failed"-style tally."""
    analyzed = len(result.analyzed)
    reused = sum(v.reused for v in result.videos)
    failed = len(result.failed)
    not_done = sum(v.status.value == "not_done" for v in result.videos)
    parts = [f"{analyzed} analyzed", f"{reused} reused", f"{failed} failed"]
    if not_done:
        parts.append(f"{not_done} not done")
    return f"{len(result.videos)} videos: " + ", ".join(parts)

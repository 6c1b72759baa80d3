"""`valguscam live`: the click command over run/live.py (heavy imports inside the command)."""

from __future__ import annotations

import click

from valguscam.cli.options import LazyChoice, exercise_choices, is_quiet, verbosity_options


@click.command("live")
@click.option("--camera", type=click.IntRange(min=0), default=None,
              help="Webcam index (default 0 when no --source).")  # fmt: skip
@click.option("--source", type=click.Path(path_type=str), default=None,
              help="Play a video file in real time as if it were a camera (drops frames the "
                   "pipeline cannot keep up with).")  # fmt: skip
@click.option("--mirror/--no-mirror", default=None,
              help="Mirror the display (default: on for a webcam, off for --source). Sides "
                   "stay the subject's either way.")  # fmt: skip
@click.option("--exercise", type=LazyChoice(lambda: ("auto", *exercise_choices())),
              default="auto", show_default=True, help="The exercise; auto detects it.")  # fmt: skip
@click.option("--record", is_flag=True, help="Also write raw.mp4 and hud.mp4 (the HUD shown).")
@click.option("--out", "out_dir", default="out", show_default=True, type=click.Path(),
              help="Output folder; results go to OUT/<clip stem or cameraN-time>/.")  # fmt: skip
@click.option("--duration", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Stop after this many seconds (default: until q, Esc or the end).")  # fmt: skip
@click.option("--headless", is_flag=True, help="No window (tests, benchmarks, servers).")
@click.option("--blur-faces", is_flag=True,
              help="Blur faces in what is shown, recorded and snapshotted.")  # fmt: skip
@click.option("--model", default=None, help="Model name (lite/full/heavy) or path to a .task file.")
@click.option("--max-side", type=click.IntRange(min=0), default=640, show_default=True,
              help="Longest side, pixels, of the copy the pose model sees (0 = all).")  # fmt: skip
@click.option("--config", "config_path", default=None, type=click.Path(),
              help="TOML config file (see 'valguscam config').")  # fmt: skip
@click.option("--set", "overrides", multiple=True, metavar="SECTION.KEY=VALUE",
              help="Override one config value, e.g. --set validity.max_yaw_deg=25.")  # fmt: skip
@verbosity_options
def live(
    camera, source, mirror, exercise, record, out_dir, duration, headless, blur_faces, model,
    max_side, config_path, overrides,
) -> None:  # fmt: skip
    """Live knee feedback from a webcam (or a clip played as one): HUD, reps, cues.

    \b
    Keys: q/Esc quit, space pause, c re-take the standing baseline, s snapshot.
    At the end it writes the same frames.csv and report.json as 'analyze', with a
    'live' section (frames captured/processed/dropped, fps, latency).
    """
    from pathlib import Path

    from valguscam.config import load_config
    from valguscam.errors import InputError, NoPersonError
    from valguscam.run.live import LiveOptions, check_source, run_live

    if camera is not None and source is not None:
        raise InputError("--camera and --source both given; pass one of them")
    cfg = load_config(config_path, list(overrides))
    opts = LiveOptions(
        camera=camera if camera is not None else 0,
        source=check_source(source) if source is not None else None,
        mirror=mirror, exercise=exercise, out_dir=Path(out_dir), record=record,
        duration_s=duration, headless=headless, max_side=max_side, model=model,
        blur_faces=blur_faces,
    )  # fmt: skip
    result = run_live(opts, cfg)
    _print(result, is_quiet())
    if result.error:
        raise InputError(result.error)
    if result.analysis.no_person:
        raise NoPersonError(
            f"no person found; report written to {result.files['report_json']}. "
            "Film the whole body, hips to feet, in good light"
        )
    if result.ended == "interrupted":
        raise KeyboardInterrupt


def _print(result, quiet: bool) -> None:
    d = result.stats.to_dict()
    lat = d["latency_ms"]
    if not quiet and lat["p95"] is not None:
        click.echo(
            f"live: {d['frames_processed']} of {d['frames_captured']} frames processed "
            f"({d['dropped_pct']:.1f} % dropped), {d['fps']:.1f} fps, latency p50 "
            f"{lat['p50']:.0f} ms, p95 {lat['p95']:.0f} ms, max {lat['max']:.0f} ms; "
            f"{len(result.analysis.findings.reps)} reps ({d['live_reps']} counted live)"
        )
    for path in result.files.values():
        click.echo(f"wrote {path}")

"""The command line. Maps ValguscamError to one line on stderr and an exit code.

Heavy imports (mediapipe, cv2, matplotlib) happen inside commands so `valguscam --help` is fast.
"""

from __future__ import annotations

import logging
import sys

import click

from valguscam import __version__
from valguscam.cli.models import models_group
from valguscam.errors import ValguscamError

log = logging.getLogger("valguscam")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="valguscam")
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logging.")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool, quiet: bool) -> None:
    """Knee valgus analysis from video (FPPA + = valgus; left/right = the subject's sides)."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    level = logging.DEBUG if debug else logging.WARNING if quiet else logging.INFO
    logging.basicConfig(level=level, format="%(levelname)s: %(message)s")


cli.add_command(models_group)


@cli.command()
@click.argument("video", type=click.Path(path_type=str))
@click.option(
    "--out",
    "out_dir",
    default="out",
    show_default=True,
    type=click.Path(),
    help="Output folder; results go to OUT/<video stem>/.",
)
@click.option("--model", default=None, help="Model name (lite/full/heavy) or path to a .task file.")
@click.option(
    "--config",
    "config_path",
    default=None,
    type=click.Path(),
    help="TOML config file (see 'valguscam config').",
)
@click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="SECTION.KEY=VALUE",
    help="Override one config value, e.g. --set validity.max_yaw_deg=25.",
)
@click.option(
    "--decoder",
    type=click.Choice(["auto", "pyav", "opencv"]),
    default="auto",
    show_default=True,
    help="Video decoder; auto = pyav (why: docs/performance.md).",
)
@click.option(
    "--exercise",
    type=click.Choice(["auto", "bilateral_squat", "split_squat", "lateral_lunge",
                       "single_leg_squat"]),
    default="auto", show_default=True,
    help="The exercise; auto detects it. Decides which leg is judged in lunges.",
)  # fmt: skip
@click.option("--no-progress", is_flag=True, help="Hide the progress bar.")
def analyze(video, out_dir, model, config_path, overrides, decoder, exercise, no_progress) -> None:
    """Analyze VIDEO: per-frame knee metrics (frames.csv) and a report (report.json)."""
    from valguscam.config import load_config
    from valguscam.errors import NoPersonError
    from valguscam.report.text import render
    from valguscam.run.analyze import analyze_video

    cfg = load_config(config_path, list(overrides))
    result = analyze_video(
        video, out_dir, cfg, model=model, decoder=decoder, progress=not no_progress,
        exercise=exercise,
    )  # fmt: skip
    click.echo(render(result.report, result.files))
    if result.report["quality"]["status"] == "no_person":
        raise NoPersonError(
            f"no person found in {video}; report written to {result.files['report_json']}. "
            "Film the whole body, hips to feet, in good light"
        )
    if result.interrupted:
        raise KeyboardInterrupt


@cli.command("config")
@click.option(
    "--config",
    "config_path",
    default=None,
    type=click.Path(),
    help="Show this file merged over the defaults.",
)
@click.option(
    "--write",
    "write_path",
    default=None,
    type=click.Path(),
    help="Write the config as TOML to this file.",
)
def config_cmd(config_path, write_path) -> None:
    """Print the configuration (defaults, documented) as TOML."""
    from valguscam.config import load_config, to_toml

    text = to_toml(load_config(config_path))
    if write_path:
        from valguscam.report.files import atomic_open

        with atomic_open(write_path, "w", encoding="utf-8") as fh:
            fh.write(text)
        click.echo(f"wrote {write_path}")
    else:
        click.echo(text)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `valguscam` script; returns the exit code."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        cli.main(args=args, prog_name="valguscam", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("valguscam: interrupted", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except ValguscamError as exc:
        if debug:
            raise
        click.echo(f"valguscam: error: {exc}", err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("valguscam: interrupted", err=True)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())

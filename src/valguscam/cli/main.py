"""The command line: a thin layer over the public API (valguscam.analyze) and run/.

Errors: every error is one line on stderr and an exit code, each code with one meaning
(errors.py, README "Troubleshooting"); Ctrl-C exits 130 (cli.options.ValguscamGroup).
Heavy imports (mediapipe, cv2, scipy) happen inside commands so `valguscam --help` is fast.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import click

from valguscam import __version__
from valguscam.cli.batch import batch
from valguscam.cli.live import live
from valguscam.cli.models import models_group
from valguscam.cli.options import (
    INTERRUPTED_EXIT_CODE,
    LazyChoice,
    ValguscamGroup,
    exercise_choices,
    is_quiet,
    verbosity_options,
)
from valguscam.errors import IncompleteError, InputError, NoPersonError

QUIET_PREFIXES = ("left knee:", "right knee:", "warning:", "wrote ")
"""Lines of the printed summary that -q keeps: the verdicts, warnings and files written."""


@click.group(cls=ValguscamGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="valguscam")
@verbosity_options
def cli() -> None:
    """Knee valgus analysis from video (FPPA + = valgus; left/right = the subject's sides).

    -q and --debug work before or after the command name.

    \b
    Exit codes: 0 ok, 1 internal error (a bug), 2 bad input, 3 pose model,
                4 pose estimation, 5 no person found, 6 chromium missing or failed (PDF),
                7 bad config, 8 decoding stopped early (report written, incomplete),
                9 output folder not writable or disk full, 130 interrupted.
    """


cli.add_command(models_group)
cli.add_command(live)
cli.add_command(batch)


@cli.command()
@click.argument("video", type=click.Path(path_type=str, readable=False))
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
    type=LazyChoice(lambda: ("auto", *exercise_choices())),
    default="auto",
    show_default=True,
    help="The exercise; auto detects it. Decides which leg is judged in lunges.",
)
@click.option(
    "--baseline",
    "baseline_span",
    metavar="START-END",
    default=None,
    help="Take the standing baseline from this stretch, seconds (e.g. 0-1.5).",
)
@click.option(
    "--baseline-clip",
    type=click.Path(),
    default=None,
    help="Take the standing baseline from a separate clip of the person standing still.",
)
@click.option("--trc", is_flag=True, help="Also write <stem>_px.trc: pixel landmarks (OpenSim).")
@click.option("--mot", is_flag=True, help="Also write <stem>_angles.mot: knee angles (OpenSim).")
@click.option("--no-progress", is_flag=True, help="Hide the progress bar.")
@click.option("--plots", is_flag=True, help="Also draw the plots (PNG) into the result folder.")
@click.option(
    "--video", "annotated", is_flag=True, help="Also write annotated.mp4 (overlay on every frame)."
)
@click.option("--blur-faces", is_flag=True, help="Blur faces in annotated.mp4 and key frames.")
@click.option("--key-frames", is_flag=True, help="Also write key_frames.png (events, rep bottoms).")
@click.option("--html", is_flag=True, help="Also write report.html, one self-contained page.")
@click.option("--pdf", is_flag=True, help="Also print report.pdf (implies --html; needs chromium).")
@verbosity_options
def analyze(
    video, out_dir, model, config_path, overrides, decoder, exercise, baseline_span,
    baseline_clip, no_progress, plots, trc, mot, html, pdf, annotated, blur_faces, key_frames,
) -> None:  # fmt: skip
    """Analyze VIDEO: per-frame knee metrics (frames.csv) and a report (report.json).

    \b
    VIDEO is one of:
      a video file     squat.mp4, IMG_7060.mov (what FFmpeg reads)
      a webcam index   0 for the first camera; runs until Ctrl-C, then writes what it saw
      an image folder  frames/ of .jpg .jpeg .png .bmp files, in natural order
                       (frame2 before frame10), taken as 30 frames per second

    With -q only the per-knee verdicts, warnings and the files written are printed.
    """
    from valguscam.config import load_config
    from valguscam.report.text import render
    from valguscam.run.analyze import analyze_video

    quiet = is_quiet()
    cfg = load_config(config_path, [*overrides, *baseline_overrides(baseline_span)])
    if baseline_clip:
        from valguscam.run.analyze import _output_name, baseline_from_clip
        from valguscam.run.outputs import prepare_output

        prepare_output(Path(out_dir) / _output_name(video))  # before the baseline's pose pass
        given = baseline_from_clip(baseline_clip, cfg, model=model, decoder=decoder)
        fixed = {f"{side}_fppa_deg": value for side, value in given.items()}
        cfg = dataclasses.replace(cfg, baseline=dataclasses.replace(cfg.baseline, **fixed))
    result = analyze_video(
        video, out_dir, cfg, model=model, decoder=decoder, progress=not (no_progress or quiet),
        exercise=exercise, trc=trc, mot=mot,
    )  # fmt: skip
    text = render(result.report, result.files)
    click.echo(quiet_summary(text) if quiet else text)
    if getattr(result, "interrupted", False):
        _exit_interrupted(result)
    if (annotated or key_frames) and not result.no_person:
        _render_video(video, result, annotated, key_frames, blur_faces, decoder)
    if plots and not result.no_person:
        _draw_plots(result.out_dir, ("png",))
    if (html or pdf) and not result.no_person:
        _write_report_page(result.out_dir, pdf)
    if result.no_person:
        raise NoPersonError(
            f"no person found in {video}; report written to {result.files['report_json']}. "
            "Film the whole body, hips to feet, in good light"
        )
    if getattr(result, "decoding_stopped", ""):
        q = result.report.quality
        raise IncompleteError(
            f"decoding incomplete: {q.frames} of {q.frames_expected or '?'} frames of "
            f"{video} analyzed ({result.decoding_stopped}); report written to "
            f"{result.files['report_json']} with status incomplete. {_full_input_fix(result)}"
        )


def _full_input_fix(result) -> str:
    """What to do so the whole input can be analyzed next time."""
    if getattr(result.info, "kind", "video") == "images":
        return "Fix or remove the images named to analyze all of them"
    return "Copy or export the video again in full to analyze all of it"


def _exit_interrupted(result) -> None:
    """Ctrl-C during the pose pass: say what was kept, and exit 130."""
    report = result.files.get("report_json")
    quality = getattr(result.report, "quality", None)
    kept = ""
    if report is not None and quality is not None:
        of = f" of {quality.frames_expected}" if quality.frames_expected else ""
        kept = f"; kept {quality.frames}{of} frames in {report} (status incomplete)"
    held = getattr(result, "extra_interrupts", 0)
    if held:
        kept += f"; {held} more Ctrl-C held until the files were written"
    click.echo(f"valguscam: interrupted{kept}", err=True)
    click.get_current_context().exit(INTERRUPTED_EXIT_CODE)


def _render_video(video, result, annotated, key_frames, blur_faces, decoder) -> None:
    """annotated.mp4 (with --video; key_frames.png from the same pass) or key_frames.png alone."""
    from valguscam.run.render import ANNOTATED_MP4, KEY_FRAMES_PNG, render_outputs

    out = result.out_dir
    done = render_outputs(
        video, result, out / ANNOTATED_MP4 if annotated else None,
        out / KEY_FRAMES_PNG if key_frames or annotated else None, blur_faces, decoder,
    )  # fmt: skip
    for path in (done.video, done.key_frames):
        if path is not None:
            click.echo(f"wrote {path}")


def _draw_plots(folder, formats) -> None:
    from valguscam.draw.plots import plot_result_folder

    for path in plot_result_folder(folder, formats):
        click.echo(f"wrote {path}")


@cli.command()
@click.argument("result_dir", type=click.Path(path_type=str))
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(["png", "svg", "pdf"]),
    default=("png",),
    show_default=True,
    help="File format; repeat for several (--format png --format pdf).",
)
@verbosity_options
def plot(result_dir, formats) -> None:
    """Draw the plots of RESULT_DIR (the folder 'valguscam analyze' wrote: report.json and
    frames.csv) into it: knee_angle, knee_over_foot and reps_left_right."""
    _draw_plots(result_dir, formats)


def _write_report_page(folder, pdf: bool) -> None:
    """report.html (and report.pdf through headless Chromium) into the result folder."""
    from valguscam.draw.report_page import PDF_NAME, write_html_report

    page = write_html_report(folder)
    click.echo(f"wrote {page}")
    if pdf:
        from valguscam.report.folder import list_in_report
        from valguscam.run.browser import print_pdf

        pdf_path = print_pdf(page, page.with_name(PDF_NAME))
        list_in_report(page.parent, [pdf_path])
        click.echo(f"wrote {pdf_path}")


@cli.command("report")
@click.argument("result_dir", type=click.Path(path_type=str))
@click.option("--html", is_flag=True, help="Write report.html (the default).")
@click.option("--pdf", is_flag=True, help="Also print report.pdf through headless Chromium.")
@verbosity_options
def report_cmd(result_dir, html, pdf) -> None:
    """Write the report page of RESULT_DIR (the folder 'valguscam analyze' wrote): report.html,
    self-contained, and with --pdf report.pdf (needs chromium: apt-get install chromium)."""
    _write_report_page(result_dir, pdf)


def baseline_overrides(span: str | None) -> list[str]:
    """--baseline START-END as config overrides; ConfigError naming the fix when malformed."""
    from valguscam.errors import ConfigError

    if span is None:
        return []
    start, sep, end = span.partition("-")
    try:
        a, b = float(start), float(end)
    except ValueError:
        a = b = float("nan")
    if not sep or not 0 <= a < b:
        raise ConfigError(
            f"--baseline {span!r} is not START-END in seconds with START < END, e.g. 0-1.5"
        )
    return [f"baseline.start_s={a}", f"baseline.end_s={b}"]


def quiet_summary(text: str) -> str:
    """The lines of the printed summary that -q keeps (QUIET_PREFIXES)."""
    return "\n".join(line for line in text.splitlines() if line.lstrip().startswith(QUIET_PREFIXES))


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
    help="Write the config as TOML to this file (not over an existing one without --force).",
)
@click.option("--force", is_flag=True, help="With --write: replace an existing file.")
@verbosity_options
def config_cmd(config_path, write_path, force) -> None:
    """Print the configuration (defaults, documented) as TOML."""
    from valguscam.config import load_config, to_toml

    text = to_toml(load_config(config_path))
    if not write_path:
        click.echo(text)
        return
    if Path(write_path).exists() and not force:
        raise InputError(
            f"{write_path} already exists; pass --force to replace it, or name another file"
        )
    from valguscam.report.atomic import atomic_open
    from valguscam.run.outputs import output_error

    try:
        with atomic_open(write_path, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as err:
        raise output_error(err, write_path) from None
    click.echo(f"wrote {write_path}")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `valguscam` script; returns the exit code."""
    args = sys.argv[1:] if argv is None else argv
    try:
        code = cli.main(args=args, prog_name="valguscam", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("valguscam: interrupted", err=True)
        return INTERRUPTED_EXIT_CODE
    except click.UsageError as exc:  # one line, as every other error
        where = exc.ctx.command_path if exc.ctx else "valguscam"
        message = exc.format_message().replace("\n", " ").rstrip(".")
        click.echo(f"valguscam: error: {message}; see '{where} --help'", err=True)
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())

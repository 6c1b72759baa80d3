"""What every command shares: -q/--debug (before or after the command name), the group that
maps valguscam errors to one line and an exit code, and choices read from the vocabulary.

Nothing here imports the pose model, OpenCV, PyAV or scipy: `valguscam --help` stays fast.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from valguscam.errors import INTERRUPTED_EXIT_CODE, OutputError, ValguscamError

F = TypeVar("F", bound=Callable[..., Any])

__all__ = [
    "INTERRUPTED_EXIT_CODE",
    "INTERNAL_ERROR_EXIT_CODE",
    "LazyChoice",
    "ValguscamGroup",
    "exercise_choices",
    "is_debug",
    "is_quiet",
    "verbosity_options",
]

INTERNAL_ERROR_EXIT_CODE = 1
"""Anything not foreseen: a bug. One line all the same; --debug shows the traceback."""
QUIET_HELP = (
    "Quiet: no progress bar, no info logging; analyze prints only the per-knee verdicts, "
    "warnings and the files written."
)
DEBUG_HELP = "Debug logging, and a traceback with every error."


def _remember(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    """Option callback: note -q/--debug in ctx.meta (shared by the whole command chain)."""
    if value:
        ctx.meta[f"valguscam.{param.name}"] = True
    _configure_logging(ctx)
    return value


def _configure_logging(ctx: click.Context) -> None:
    if is_debug(ctx):
        level = logging.DEBUG
    elif is_quiet(ctx):
        level = logging.WARNING
    else:
        level = logging.INFO
    logging.basicConfig(format="%(levelname)s: %(message)s")
    logging.getLogger("valguscam").setLevel(level)


def verbosity_options(f: F) -> F:
    """Add -q/--quiet and --debug to a command, so they work before or after its name."""
    f = click.option(
        "--debug", is_flag=True, expose_value=False, callback=_remember, help=DEBUG_HELP
    )(f)
    return click.option(
        "-q", "--quiet", is_flag=True, expose_value=False, callback=_remember, help=QUIET_HELP
    )(f)


def is_quiet(ctx: click.Context | None = None) -> bool:
    """-q was given anywhere on the command line."""
    ctx = ctx or click.get_current_context()
    return bool(ctx.meta.get("valguscam.quiet"))


def is_debug(ctx: click.Context | None = None) -> bool:
    """--debug was given anywhere on the command line."""
    ctx = ctx or click.get_current_context()
    return bool(ctx.meta.get("valguscam.debug"))


class ValguscamGroup(click.Group):
    """The top-level group: every error becomes one line on stderr and an exit code (a
    traceback first with --debug): a ValguscamError its own code, an OSError while writing 9
    (OutputError), anything unforeseen 1; Ctrl-C becomes exit code 130."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            _show(ctx, "valguscam: interrupted", INTERRUPTED_EXIT_CODE, with_traceback=False)
        except ValguscamError as exc:
            _show(ctx, f"valguscam: error: {exc}", exc.exit_code)
        except OSError as exc:
            _show(ctx, *_os_error_line(exc))
        except Exception as exc:  # noqa: BLE001 - the last net: one line, never a traceback
            _show(
                ctx,
                f"valguscam: internal error ({type(exc).__name__}: {exc}); run again with "
                "--debug and report it with the traceback",
                INTERNAL_ERROR_EXIT_CODE,
            )


def _os_error_line(exc: OSError) -> tuple[str, int]:
    """One line and an exit code for an OSError no command turned into a ValguscamError:
    a place that cannot be written is an OutputError (9); anything else bad input (2)."""
    from valguscam.run.outputs import WRITE_ERRNOS, output_error, written_place

    if exc.errno in WRITE_ERRNOS and exc.filename:
        err = output_error(exc, written_place(exc.filename), how="")
        return f"valguscam: error: {err}", OutputError.exit_code
    where = f" {exc.filename}" if exc.filename else ""
    return f"valguscam: error: cannot use{where}: {exc.strerror or exc}", 2


def _show(ctx: click.Context, line: str, code: int, with_traceback: bool = True) -> None:
    """Print `line` (after the traceback with --debug) on stderr and exit with `code`."""
    if with_traceback and is_debug(ctx):
        click.echo(traceback.format_exc().rstrip(), err=True)
    click.echo(line.replace("\n", " ").replace("\r", " "), err=True)
    ctx.exit(code)


class LazyChoice(click.Choice):
    """A click.Choice whose choices are read on first use (e.g. when a value is checked or
    `--help` of its command is shown), not when the command line is built."""

    def __init__(self, load: Callable[[], Sequence[str]], case_sensitive: bool = True) -> None:
        self._load = load
        self._choices: tuple[str, ...] | None = None
        self.case_sensitive = case_sensitive

    @property
    def choices(self) -> tuple[str, ...]:  # type: ignore[override]
        if self._choices is None:
            self._choices = tuple(self._load())
        return self._choices


def exercise_choices() -> tuple[str, ...]:
    """The exercises a user may name: the `valguscam.types.Exercise` enum if there is one,
    else `movement.view.EXERCISES`; without "unknown" (a result, not a choice)."""
    from valguscam import types

    vocabulary = getattr(types, "Exercise", None)
    if vocabulary is not None:
        names = [e.value if isinstance(e.value, str) else e.name.lower() for e in vocabulary]
    else:
        from valguscam.movement.view import EXERCISES as names
    return tuple(name for name in names if name != "unknown")

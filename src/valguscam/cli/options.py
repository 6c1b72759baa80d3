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

from valguscam.errors import ValguscamError

F = TypeVar("F", bound=Callable[..., Any])

INTERRUPTED_EXIT_CODE = 130
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
    """The top-level group: a ValguscamError becomes one line on stderr and its exit code
    (a traceback first with --debug); Ctrl-C becomes exit code 130."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ValguscamError as exc:
            if is_debug(ctx):
                click.echo(traceback.format_exc().rstrip(), err=True)
            click.echo(f"valguscam: error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("valguscam: interrupted", err=True)
            ctx.exit(INTERRUPTED_EXIT_CODE)


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

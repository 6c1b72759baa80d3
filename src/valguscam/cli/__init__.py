"""The command line: a thin layer over the public API and run/."""

from valguscam.cli.main import main

__all__ = ["main"]

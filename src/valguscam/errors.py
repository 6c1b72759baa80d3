"""Domain errors. Every message says what went wrong and what to do next.

cli.py maps these to exit codes; library code raises them and never exits.
"""

from __future__ import annotations


class ValguscamError(Exception):
    """Base of all valguscam errors. `exit_code` is what the CLI exits with."""

    exit_code = 1


class InputError(ValguscamError):
    """Bad user input: a missing file, a file that is not a video, a bad option."""

    exit_code = 2


class ConfigError(ValguscamError):
    """A config file or override that cannot be used."""

    exit_code = 2


class ModelError(ValguscamError):
    """The pose model is missing, corrupt or cannot be downloaded."""

    exit_code = 3


class DownloadError(ModelError):
    """A model download failed (network, HTTP status, checksum or structure)."""


class PoseError(ValguscamError):
    """The pose estimator failed on a frame it should have handled."""

    exit_code = 4


class NoPersonError(ValguscamError):
    """No person was found in the input; the report was still written, marked as such."""

    exit_code = 5


class BrowserError(ValguscamError):
    """Headless Chromium, which prints the PDF report, is missing or failed."""

    exit_code = 6

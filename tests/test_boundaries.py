"""The house's boundaries (DESIGN.md section 2): vendors at the edges, and a light `import`.

1. Per folder, the third-party libraries its modules may import (VENDORS below), read from
   every module's source with `ast`, imports inside functions and under TYPE_CHECKING included.
   A library missing from the table, or a new folder, fails until the table says where it goes.
2. The pure folders (body, movement, assessment) reach no edge: no media, pose, draw, run, cli.
3. In real interpreters: `import valguscam`, `valguscam --help` and `valguscam config` load
   neither mediapipe nor scipy (nor OpenCV, PyAV, matplotlib).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "valguscam"

# folder ("" = the top-level modules) -> third-party packages its modules may import
VENDORS: dict[str, frozenset[str]] = {
    "": frozenset({"numpy"}),  # errors, config, types, landmarks: the shared vocabulary
    "media": frozenset({"numpy", "av", "cv2"}),  # frames in and out
    "pose": frozenset({"numpy", "mediapipe", "tqdm"}),  # the model; tqdm: download progress
    "body": frozenset({"numpy", "scipy"}),  # pure
    "movement": frozenset({"numpy", "scipy"}),  # pure
    "assessment": frozenset({"numpy", "scipy"}),  # pure
    "report": frozenset({"numpy"}),  # documents and files: JSON, CSV, text
    "draw": frozenset({"numpy", "cv2", "matplotlib"}),  # pictures
    "run": frozenset({"numpy", "tqdm", "distributed"}),  # loops; progress bar; batch on Dask
    "cli": frozenset({"click"}),  # the command line
}
LAZY_ONLY = frozenset({"matplotlib", "distributed"})
"""Imported inside functions only, never at module level (`valguscam --help` stays fast)."""

PURE = ("body", "movement", "assessment")
EDGES = ("media", "pose", "draw", "run", "cli")
HEAVY = ("mediapipe", "scipy", "cv2", "av", "matplotlib")


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def folder(path: Path) -> str:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else ""


def imports(path: Path) -> list[tuple[str, int, bool]]:
    """(absolute module name, line, at module level) of every import in `path`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    top = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno, id(node) in top) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module, node.lineno, id(node) in top))
    return found


def third_party(name: str) -> str | None:
    root = name.split(".")[0]
    if root == "valguscam" or root in sys.stdlib_module_names or root == "__future__":
        return None
    return root


def test_every_folder_is_in_the_table():
    folders = {folder(p) for p in modules()}
    assert folders <= set(VENDORS), f"add {sorted(folders - set(VENDORS))} to VENDORS"


@pytest.mark.parametrize("name", sorted(VENDORS))
def test_vendor_imports_stay_in_their_folder(name):
    allowed = VENDORS[name]
    bad = []
    for path in (p for p in modules() if folder(p) == name):
        for module, line, top_level in imports(path):
            vendor = third_party(module)
            where = f"{path.relative_to(PACKAGE)}:{line} imports {module}"
            if vendor is not None and vendor not in allowed:
                bad.append(where)
            elif vendor in LAZY_ONLY and top_level:
                bad.append(f"{where} at module level (import it inside the function)")
    assert not bad, f"{name or 'top level'} may import {sorted(allowed)} only:\n" + "\n".join(bad)


@pytest.mark.parametrize("name", PURE)
def test_pure_folders_reach_no_edge(name):
    bad = [
        f"{path.relative_to(PACKAGE)}:{line} imports {module}"
        for path in modules()
        if folder(path) == name
        for module, line, _ in imports(path)
        if module.split(".")[:2] in (["valguscam", edge] for edge in EDGES)
    ]
    assert not bad, "\n".join(bad)


def test_the_checker_sees_imports_inside_functions(tmp_path):
    source = tmp_path / "m.py"
    source.write_text("import os\n\ndef f():\n    import matplotlib.pyplot as plt\n")
    assert imports(source) == [("os", 1, True), ("matplotlib.pyplot", 4, False)]


LOADED = """
import contextlib, io, sys
import valguscam
valguscam.Config, valguscam.load_config, valguscam.ValguscamError
args = sys.argv[1:]
if args:
    from valguscam.cli.main import main
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(args) == 0
print(" ".join(sorted(sys.modules)))
"""


def loaded_packages(*args: str) -> set[str]:
    """Top-level packages loaded by importing valguscam and running `valguscam ARGS`."""
    proc = subprocess.run(
        [sys.executable, "-c", LOADED, *args], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    return {name.split(".")[0] for name in proc.stdout.split()}


@pytest.mark.parametrize(
    "args",
    [[], ["--help"], ["config"], ["config", "--write", "{tmp}/cfg.toml"], ["models", "--help"]],
    ids=["import", "help", "config", "config-write", "models-help"],
)
def test_light_commands_load_no_heavy_library(args, tmp_path):
    loaded = loaded_packages(*(a.format(tmp=tmp_path) for a in args))
    assert "valguscam" in loaded
    assert not loaded & set(HEAVY), f"valguscam {' '.join(args)} loaded {loaded & set(HEAVY)}"


def test_analyze_help_loads_no_video_or_pose_library():
    loaded = loaded_packages("analyze", "--help")
    assert not loaded & {"mediapipe", "cv2", "av", "matplotlib"}

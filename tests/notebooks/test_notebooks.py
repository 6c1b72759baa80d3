"""The notebooks in notebooks/: each runs top to bottom without an error, and each is committed
without outputs (so the files stay small and diffs show code, not pictures).

Every notebooks/*.ipynb is picked up, so a new notebook is run by the default suite as soon as it
is added. A notebook runs as Jupyter runs it, in its own folder: here a copy of notebooks/ in a
temporary folder, with sample_videos/ and docs/ linked beside it, so whatever it writes (its
results/ folder) lands in the temporary folder, never in the checkout.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = REPO / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
LINKED = ("sample_videos", "docs")
"""Repository folders the notebooks read, reached from their folder as ../<name>."""
CELL_TIMEOUT_S = 300
"""Per cell: analyzing a sample clip takes about 20 s on 2 cores; this leaves room for a busy CI
machine and still ends a hung cell."""
STRIP_COMMAND = "python scripts/strip_notebook_outputs.py"


def _kernel_here(root: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A kernelspec that starts this interpreter (so the kernel sees the same installed
    valguscam), found first through JUPYTER_PATH. Returns its name."""
    name = "valguscam-test"
    spec = root / "jupyter" / "kernels" / name
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": name, "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(root / "jupyter"))
    return name


def _workspace(root: Path) -> Path:
    """root/notebooks (empty, the notebook's working folder) with root/<LINKED> pointing at
    the repository's folders. Returns root/notebooks."""
    for name in LINKED:
        (root / name).symlink_to(REPO / name, target_is_directory=True)
    work = root / "notebooks"
    work.mkdir()
    return work


def test_the_notebooks_are_there() -> None:
    names = {p.name for p in NOTEBOOKS}
    assert {"01_quickstart.ipynb", "02_batch_cohort.ipynb", "03_metrics_explained.ipynb"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_top_to_bottom(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any cell that raises fails the test (nbclient's CellExecutionError names the cell)."""
    kernel = _kernel_here(tmp_path, monkeypatch)
    work = _workspace(tmp_path)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT_S,
        kernel_name=kernel,
        resources={"metadata": {"path": str(work)}},
    )
    client.execute()
    errors = [
        out for cell in nb.cells for out in cell.get("outputs", ()) if out.output_type == "error"
    ]
    assert not errors


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    dirty = [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]
    assert not dirty, f"{path.name}: cells {dirty} have outputs; run `{STRIP_COMMAND}`"

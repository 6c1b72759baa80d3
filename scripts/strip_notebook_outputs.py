"""Remove outputs from notebooks before committing them (what nbstripout does, with nbformat).

Clears every code cell's outputs and execution count and the per-cell execution timings
Jupyter records, in place. tests/notebooks/test_notebooks.py fails on a notebook with outputs.

    python scripts/strip_notebook_outputs.py [NOTEBOOK ...]   # default: notebooks/*.ipynb
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]


def strip(path: Path) -> bool:
    """Strip one notebook in place; True if it changed."""
    nb = nbformat.read(path, as_version=4)
    before = nbformat.writes(nb)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    after = nbformat.writes(nb)
    if after != before:
        nbformat.write(nb, path)
    return after != before


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted((REPO / "notebooks").glob("*.ipynb"))
    for path in paths:
        print(f"{'stripped' if strip(path) else 'clean   '} {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

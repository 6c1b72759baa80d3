"""Outputs: a folder that cannot be written is named before any work, a full disk leaves no
half-written file, names cannot escape the output folder, and a file that only root may read
is refused with a line naming the fix (run as `nobody`: the suite runs as root here)."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from reliability.conftest import assert_one_line_error, invoke
from valguscam.run.analyze import _output_name
from valguscam.run.outputs import prepare_output, safe_name

OTHER_USER = 1234
"""A uid that owns nothing else here."""


@pytest.mark.parametrize("where", ["file", "/proc", "/sys"])
def test_out_that_cannot_be_written_is_named_before_any_work(tmp_path, where):
    """The video does not even exist: --out is checked first (exit 9, not 2)."""
    if where == "file":
        out = tmp_path / "results.txt"
        out.write_text("not a folder")
        words = ["is a file, not a folder", "pass a folder with --out"]
    else:
        out = Path(where) / "valguscam-out"
        words = ["cannot write to", "with --out"]
    result = invoke("analyze", str(tmp_path / "clip.mp4"), "--out", str(out))
    assert_one_line_error(result, 9, *words)
    assert not out.is_dir()


def test_output_names_stay_inside_the_output_folder(tmp_path):
    out = tmp_path / "out"
    for video in ["..", ".", "a/..", "../../etc/passwd.mp4", "x/../../y.mp4", "\x00.mp4",
                  "a\nb.mp4", ".hidden.mp4", "...", "con.mp4", "é/ü.MOV", "/", ""]:  # fmt: skip
        name = _output_name(video)
        dest = (out / name).resolve()
        assert dest.parent == out.resolve(), (video, name)
        assert name == safe_name(name) and "/" not in name and "\0" not in name
    assert safe_name("../x") == "_x" and safe_name("..") == "video"


def test_a_folder_named_dot_dot_writes_inside_out(bad_input, tmp_path):
    """`analyze clips/sub/..` (an image folder): the results go to OUT/video, not OUT/.."""
    clips = tmp_path / "clips"
    (clips / "sub").mkdir(parents=True)
    for i in range(3):
        shutil.copy(bad_input("mixed_image_sizes") / f"frame{i}.png", clips / f"{i}.png")
    out = tmp_path / "deep" / "out"
    result = invoke("analyze", str(clips / "sub" / ".."), "--out", str(out), "--no-progress")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (out / "video").iterdir()) == ["frames.csv", "report.json"]
    assert sorted(p.name for p in out.parent.iterdir()) == ["out"]
    umask = os.umask(0o022)
    os.umask(umask)
    for path in (out / "video").iterdir():  # ordinary file modes, not mkstemp's 0600
        assert path.stat().st_mode & 0o777 == 0o666 & ~umask, path


@contextlib.contextmanager
def _small_disk(size_kib: int) -> Iterator[Path]:
    """A tmpfs of size_kib KiB (root only), removed afterwards."""
    where = Path(tempfile.mkdtemp(prefix="valguscam-disk-"))
    try:
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kib}k", "tmpfs", str(where)],
                       check=True, capture_output=True)  # fmt: skip
        try:
            yield where
        finally:
            subprocess.run(["umount", str(where)], check=True)
    finally:
        where.rmdir()


def test_full_disk_leaves_no_half_written_file(bad_input):
    """A real full file system (a 64 KiB tmpfs, topped up to 8 KiB free): exit 9 naming the
    fix, and nothing of the run left behind (no temp file, no empty folder)."""
    video = bad_input("index_at_start")
    with _small_disk(64) as disk:
        filler = disk / "filler.bin"
        with contextlib.suppress(OSError), filler.open("wb") as fh:
            fh.write(b"\0" * (56 * 1024))
        result = invoke("analyze", str(video), "--out", str(disk), "--no-progress")
        assert_one_line_error(result, 9, "cannot write to", "the disk is full", "--out")
        assert [p.name for p in disk.iterdir()] == ["filler.bin"]


def test_writer_error_is_an_output_error(tmp_path, monkeypatch):
    from valguscam.errors import OutputError
    from valguscam.run.outputs import output_error

    err = output_error(OSError(errno.ENOSPC, "No space left on device"), tmp_path)
    assert isinstance(err, OutputError) and err.exit_code == 9
    assert "the disk is full; free some space" in str(err)
    with pytest.raises(OutputError, match="is a file, not a folder"):
        (tmp_path / "f").write_text("x")
        prepare_output(tmp_path / "f" / "clip")


def _without_root_file_powers(args: list[str]) -> subprocess.CompletedProcess:
    """Run `python -m valguscam ARGS` as root without CAP_DAC_OVERRIDE and
    CAP_DAC_READ_SEARCH (setpriv drops them from the bounding set before exec): file modes
    then bind it as they bind a normal user. (Switching to `nobody` is not possible here: the
    interpreter lives under /root, which only root may enter.)"""
    drop = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]
    return subprocess.run([*drop, sys.executable, "-m", "valguscam", *args],
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def test_unreadable_file_and_unwritable_folder(bad_input, tmp_path):
    assert os.geteuid() == 0, "this test drops root's file powers, so it runs as root"
    secret = tmp_path / "secret.mp4"
    shutil.copy(bad_input("index_at_start"), secret)
    os.chown(secret, OTHER_USER, OTHER_USER)
    secret.chmod(0o600)  # another user's, private
    proc = _without_root_file_powers(["analyze", str(secret), "--out", str(tmp_path / "out")])
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"valguscam: error: cannot read {secret}: permission denied; make it readable "
        "(chmod a+r) or copy it somewhere you can read"
    ]
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o755)
    os.chown(locked, OTHER_USER, OTHER_USER)  # another user's, read-only for us
    secret.chmod(0o644)
    proc = _without_root_file_powers(["analyze", str(secret), "--out", str(locked)])
    assert proc.returncode == 9, proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"valguscam: error: cannot write to {locked / 'secret'}: permission denied; "
        "pass a folder you can write to with --out"
    ]
    assert proc.stdout == "" and list(locked.iterdir()) == []


def test_an_os_error_from_any_command_is_one_line_naming_the_folder():
    """e.g. `valguscam plot DIR` on a folder it may not write: the folder, not our temp name."""
    from valguscam.cli.options import _os_error_line

    denied = OSError(errno.EACCES, "Permission denied", "/r/clip/.knee_angle.png.ab12cd34.tmp")
    assert _os_error_line(denied) == (
        "valguscam: error: cannot write to /r/clip: permission denied; pass a folder you can "
        "write to",
        9,
    )
    gone = OSError(errno.ENOENT, "No such file or directory", "/r/clip/frames.csv")
    assert _os_error_line(gone) == (
        "valguscam: error: cannot use /r/clip/frames.csv: No such file or directory",
        2,
    )


def test_a_new_run_removes_the_files_an_older_report_lists(bad_input, tmp_path):
    """Files of an older run in the same folder go with its report.json (they describe other
    numbers); names that would leave the folder are never followed."""
    video = bad_input("index_at_start")
    dest = tmp_path / "out" / video.stem
    dest.mkdir(parents=True)
    (dest / "index_at_start_px.trc").write_text("old")
    (tmp_path / "escape.txt").write_text("not ours")
    listed = ["frames.csv", "index_at_start_px.trc", "../../escape.txt", "/etc/hostname"]
    (dest / "report.json").write_text(json.dumps({"files": listed}))
    result = invoke("analyze", str(video), "--out", str(tmp_path / "out"), "--no-progress")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in dest.iterdir()) == ["frames.csv", "report.json"]
    assert (tmp_path / "escape.txt").read_text() == "not ours"

"""Model registry, lookup order, download (from a real local HTTP server), verify and the CLI."""

from __future__ import annotations

import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from valguscam.cli.main import main
from valguscam.errors import DownloadError, ModelError
from valguscam.pose import models as models
from valguscam.pose.models import (
    REGISTRY,
    candidate_dirs,
    download_model,
    resolve_model,
    sha256_file,
    user_cache_dir,
    verify_model,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
MODELS_DIR = REPO_ROOT / "models"
SHIPPED = MODELS_DIR / "pose_landmarker_full.task"


@pytest.fixture(scope="module")
def shipped() -> Path:
    """The full model shipped in models/; missing is a FAILURE, never a skip."""
    if not SHIPPED.is_file():
        pytest.fail(f"shipped pose model missing: {SHIPPED} (see models/README.md)")
    return SHIPPED


@dataclass
class Server:
    """A real HTTP server on 127.0.0.1 serving `routes`: path -> (body, declared length)."""

    base: str
    routes: dict[str, tuple[bytes, int]]

    def url(self, path: str) -> str:
        return f"{self.base}{path}"


def _handler(routes: dict[str, tuple[bytes, int]]) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path not in routes:
                self.send_error(404, "Not Found")
                return
            body, declared = routes[self.path]
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(declared))
            self.end_headers()
            self.wfile.write(body)  # HTTP/1.0: the connection closes after the body

        def log_message(self, format: str, *args: object) -> None:
            """Keep test output quiet."""

    return Handler


@pytest.fixture(scope="module")
def server(shipped: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    good = tmp_path_factory.mktemp("served") / "pose_landmarker_full.task"
    shutil.copyfile(shipped, good)  # a copy in tmp, never in the repo
    data = good.read_bytes()
    half = data[: len(data) // 2]
    routes = {
        "/good.task": (data, len(data)),
        "/truncated.task": (half, len(half)),  # honest length, broken zip
        "/short.task": (half, len(data)),  # Content-Length says more than is sent
        "/notzip.task": (b"<html>not a model</html>", 24),
    }
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(routes))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{httpd.server_address[1]}", routes)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Empty env dir, cache dir, cwd, bundled and project models dirs: only what a test puts
    is found."""
    for name in ("envdir", "cache", "cwd", "bundled", "project"):
        (tmp_path / name).mkdir()
    monkeypatch.delenv("VALGUSCAM_MODEL_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("VALGUSCAM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path / "cwd")
    # The package's bundled copy and the repo's models/ hold the full model: point them elsewhere.
    monkeypatch.setattr(models, "bundled_models_dir", lambda: tmp_path / "bundled")
    monkeypatch.setattr(models, "project_models_dir", lambda: tmp_path / "project")
    return tmp_path


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# --- registry -------------------------------------------------------------------------------


def test_registry_names_files_and_urls() -> None:
    assert tuple(REGISTRY) == ("lite", "full", "heavy")
    for name, spec in REGISTRY.items():
        assert spec.filename == f"pose_landmarker_{name}.task"
        assert spec.url == (
            "https://storage.googleapis.com/mediapipe-models/pose_landmarker/"
            f"pose_landmarker_{name}/float16/1/pose_landmarker_{name}.task"
        )
    assert REGISTRY["lite"].size_bytes == 5_777_746
    assert REGISTRY["full"].sha256 is None
    assert REGISTRY["heavy"].sha256.startswith("64437af8")


# --- lookup order ---------------------------------------------------------------------------


def test_candidate_dirs_order(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VALGUSCAM_MODEL_DIR", str(isolated / "envdir"))
    assert candidate_dirs() == [
        isolated / "envdir",
        isolated / "bundled",
        isolated / "project",
        isolated / "cwd" / "models",
        isolated / "cache",
    ]


def test_user_cache_dir_fallbacks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VALGUSCAM_CACHE_DIR", str(tmp_path / "c"))
    assert user_cache_dir() == tmp_path / "c"
    monkeypatch.delenv("VALGUSCAM_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert user_cache_dir() == tmp_path / "xdg" / "valguscam" / "models"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert user_cache_dir() == Path.home() / ".cache" / "valguscam" / "models"


def test_explicit_path_wins_over_env_dir(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, shipped: Path
) -> None:
    monkeypatch.setenv("VALGUSCAM_MODEL_DIR", str(isolated / "envdir"))
    shutil.copyfile(shipped, isolated / "envdir" / "pose_landmarker_full.task")
    explicit = isolated / "mine.task"
    shutil.copyfile(shipped, explicit)
    assert resolve_model(str(explicit)) == explicit


def test_env_dir_wins_over_cache(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, shipped: Path
) -> None:
    for d in ("envdir", "cache"):
        shutil.copyfile(shipped, isolated / d / "pose_landmarker_full.task")
    monkeypatch.setenv("VALGUSCAM_MODEL_DIR", str(isolated / "envdir"))
    assert resolve_model("full") == isolated / "envdir" / "pose_landmarker_full.task"
    monkeypatch.delenv("VALGUSCAM_MODEL_DIR")
    assert resolve_model("full") == isolated / "cache" / "pose_landmarker_full.task"
    assert resolve_model(None) == isolated / "cache" / "pose_landmarker_full.task"


def test_cwd_models_folder_is_searched(isolated: Path, shipped: Path) -> None:
    (isolated / "cwd" / "models").mkdir()
    shutil.copyfile(shipped, isolated / "cwd" / "models" / "pose_landmarker_full.task")
    assert resolve_model("full").resolve() == (
        isolated / "cwd" / "models" / "pose_landmarker_full.task"
    )


def test_full_is_found_with_no_environment(tmp_path: Path) -> None:
    """A new user: no VALGUSCAM_* variables, an empty home and cache, another working folder."""
    (tmp_path / "home").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("VALGUSCAM_")}
    env |= {"HOME": str(tmp_path / "home"), "XDG_CACHE_HOME": str(tmp_path / "home" / ".cache")}
    code = "from valguscam.pose.models import resolve_model; print(resolve_model('full'))"
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path,
        timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    found = Path(proc.stdout.strip())
    assert found == models.bundled_models_dir() / "pose_landmarker_full.task"
    assert sha256_file(found) == sha256_file(SHIPPED)


def test_bundled_copy_is_the_shipped_file_and_its_checksum_is_documented() -> None:
    bundled = models.bundled_models_dir() / "pose_landmarker_full.task"
    assert bundled.resolve() == SHIPPED.resolve()  # a symlink in the checkout
    digest = sha256_file(SHIPPED)
    assert digest in (MODELS_DIR / "README.md").read_text(encoding="utf-8")


def test_missing_model_names_the_fix(isolated: Path) -> None:
    with pytest.raises(ModelError) as err:
        resolve_model("heavy")
    msg = str(err.value)
    assert "valguscam models download heavy" in msg
    assert "VALGUSCAM_MODEL_DIR" in msg and str(isolated / "cache") in msg
    assert "\n" not in msg


def test_missing_explicit_path_and_unknown_name(isolated: Path) -> None:
    with pytest.raises(ModelError, match="nowhere.task"):
        resolve_model(str(isolated / "nowhere.task"))
    with pytest.raises(ModelError, match="lite, full, heavy"):
        resolve_model("medium")


# --- verify ---------------------------------------------------------------------------------


def test_shipped_model_verifies_as_valid_bundle(shipped: Path) -> None:
    check = verify_model(shipped)
    assert check.ok, check.problems
    assert check.problems == ()
    assert check.official is None  # the official "full" checksum is not known
    assert check.size_bytes == shipped.stat().st_size
    assert check.sha256 == sha256_file(shipped)


def test_shipped_model_named_lite_is_valid_but_not_official(tmp_path: Path, shipped: Path) -> None:
    renamed = tmp_path / "pose_landmarker_lite.task"
    shutil.copyfile(shipped, renamed)
    check = verify_model(renamed)
    assert check.ok and check.official is False


def test_verify_rejects_garbage_and_wrong_checksum(tmp_path: Path, shipped: Path) -> None:
    garbage = tmp_path / "garbage.task"
    garbage.write_bytes(b"\x00" * 1000)
    check = verify_model(garbage)
    assert not check.ok and "not a zip" in check.problems[0]
    wrong = verify_model(shipped, expected_sha256="0" * 64)
    assert not wrong.ok and "does not match" in wrong.problems[0]


# --- download -------------------------------------------------------------------------------


def test_download_success_is_atomic(server: Server, tmp_path: Path, shipped: Path) -> None:
    dest = tmp_path / "dl"
    path = download_model("full", dest, server.url("/good.task"), progress=False)
    assert path == dest / "pose_landmarker_full.task"
    assert sha256_file(path) == sha256_file(shipped)
    assert verify_model(path).ok
    assert _leftovers(dest) == []


def test_download_checksum_mismatch_writes_nothing(server: Server, tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match="does not match"):
        download_model(
            "full", tmp_path, server.url("/good.task"), expected_sha256="ab" * 32, progress=False
        )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("route", "reason"),
    [
        ("/short.task", "truncated"),
        ("/truncated.task", "not a zip"),
        ("/notzip.task", "not a zip"),
        ("/missing.task", "HTTP 404"),
    ],
)
def test_download_failures(server: Server, tmp_path: Path, route: str, reason: str) -> None:
    with pytest.raises(DownloadError) as err:
        download_model("full", tmp_path, server.url(route), progress=False)
    msg = str(err.value)
    assert reason in msg and server.url(route) in msg and "VALGUSCAM_MODEL_DIR" in msg
    assert "\n" not in msg
    assert list(tmp_path.iterdir()) == []


def test_download_connection_refused(tmp_path: Path) -> None:
    with socket.socket() as sock:  # bind then close: a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/pose_landmarker_full.task"
    with pytest.raises(DownloadError, match="no network"):
        download_model("full", tmp_path, url, progress=False, timeout_s=5)
    assert list(tmp_path.iterdir()) == []


def test_failed_download_keeps_existing_good_file(
    server: Server, tmp_path: Path, shipped: Path
) -> None:
    existing = tmp_path / "pose_landmarker_full.task"
    shutil.copyfile(shipped, existing)
    before = sha256_file(existing)
    for route in ("/short.task", "/notzip.task", "/missing.task"):
        with pytest.raises(DownloadError):
            download_model("full", tmp_path, server.url(route), progress=False)
    assert sha256_file(existing) == before
    assert _leftovers(tmp_path) == []


# --- CLI ------------------------------------------------------------------------------------


def _run(*args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "valguscam", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_cli_list(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VALGUSCAM_MODEL_DIR", str(MODELS_DIR))
    assert main(["models", "list"]) == 0
    out = capsys.readouterr().out
    for name, spec in REGISTRY.items():
        assert name in out and spec.url in out
    assert str(SHIPPED) in out and "not found" in out  # lite/heavy are not shipped


def test_cli_path_full_with_model_dir(shipped: Path) -> None:
    proc = _run("models", "path", "full", env_extra={"VALGUSCAM_MODEL_DIR": str(MODELS_DIR)})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(shipped)


def test_cli_path_unknown_is_one_line_error() -> None:
    proc = _run("models", "path", "nosuch")
    assert proc.returncode == 3
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "nosuch" in lines[0] and "lite, full, heavy" in lines[0]


def test_cli_verify_mirror_and_garbage(
    tmp_path: Path, shipped: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["models", "verify", str(shipped)]) == 0
    out = capsys.readouterr().out
    assert "status: ok" in out and sha256_file(shipped) in out and "unknown" in out
    garbage = tmp_path / "garbage.task"
    garbage.write_text("not a model")
    assert main(["models", "verify", str(garbage)]) == 3
    captured = capsys.readouterr()
    assert "INVALID" in captured.out
    assert len(captured.err.strip().splitlines()) == 1 and "Traceback" not in captured.err


def test_cli_download(server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "dl"
    args = ["models", "download", "full", "--url", server.url("/good.task"), "--dir", str(dest)]
    assert main([*args, "--no-progress"]) == 0
    assert capsys.readouterr().out.strip() == str(dest / "pose_landmarker_full.task")
    assert verify_model(dest / "pose_landmarker_full.task").ok
    bad = ["models", "download", "full", "--url", server.url("/missing.task"), "--dir", str(dest)]
    assert main(bad) == 3
    assert "HTTP 404" in capsys.readouterr().err

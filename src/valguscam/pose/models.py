"""Pose-model registry: names, official URLs, checksums, lookup, download and verification.

The three MediaPipe Pose Landmarker bundles (`lite`, `full`, `heavy`) are zip files holding
`pose_detector.tflite` and `pose_landmarks_detector.tflite`. A model is looked up, in order, as an
explicit path, in `$VALGUSCAM_MODEL_DIR`, in the copy bundled with the package (`full`: a symlink
to models/ in a checkout, the file itself in a wheel), in the project's `models/` folder, in
`./models`, and in the user cache. No mediapipe import here: estimator.py loads what this finds.

Verification is structural (a zip with both TFLite flatbuffers) plus a sha256 check only where the
official checksum is known and the bytes came from the official URL: mirrored bundles (such as
../shared/models) differ in bytes from the official ones and are still valid.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from http.client import HTTPException
from pathlib import Path
from types import MappingProxyType
from typing import BinaryIO

from tqdm import tqdm

from valguscam.errors import DownloadError, ModelError

OFFICIAL_URL = (
    "https://storage.googleapis.com/mediapipe-models/pose_landmarker/"
    "pose_landmarker_{name}/float16/1/pose_landmarker_{name}.task"
)
BUNDLE_MEMBERS = ("pose_detector.tflite", "pose_landmarks_detector.tflite")
TFLITE_MAGIC = b"TFL3"
ENV_MODEL_DIR = "VALGUSCAM_MODEL_DIR"
ENV_CACHE_DIR = "VALGUSCAM_CACHE_DIR"
NO_NETWORK_HINT = "no network? copy the .task file into a folder and set VALGUSCAM_MODEL_DIR"
BAD_FILE_HINT = (
    "the server did not send a valid pose model: check --url/--sha256, or copy a good "
    ".task file into a folder and set VALGUSCAM_MODEL_DIR"
)
_CHUNK_BYTES = 1 << 16


@dataclass(frozen=True)
class ModelSpec:
    """One registry entry. sha256/size_bytes describe the OFFICIAL file; None = not known."""

    name: str
    filename: str
    url: str
    sha256: str | None
    size_bytes: int | None


@dataclass(frozen=True)
class ModelCheck:
    """Result of `verify_model`.

    ok: a valid bundle (and the expected checksum matched, when one was asked for).
    sha256: hex digest of the file; size_bytes: its size in bytes.
    problems: human-readable reasons it is not ok (empty when ok).
    official: True/False = the bytes are/are not the official file's; None = unknown.
    """

    path: Path
    ok: bool
    sha256: str
    size_bytes: int
    problems: tuple[str, ...]
    official: bool | None


def _spec(name: str, sha256: str | None, size_bytes: int | None) -> ModelSpec:
    return ModelSpec(
        name, f"pose_landmarker_{name}.task", OFFICIAL_URL.format(name=name), sha256, size_bytes
    )


_LITE_SHA256 = "59929e1d1ee95287735ddd833b19cf4ac46d29bc7afddbbf6753c459690d574a"
_HEAVY_SHA256 = "64437af838a65d18e5ba7a0d39b465540069bc8aae8308de3e318aad31fcbc7b"
REGISTRY: MappingProxyType[str, ModelSpec] = MappingProxyType(
    {
        "lite": _spec("lite", _LITE_SHA256, 5_777_746),
        "full": _spec("full", None, None),  # official checksum not known here
        "heavy": _spec("heavy", _HEAVY_SHA256, None),
    }
)
MODEL_NAMES = tuple(REGISTRY)


def get_spec(name: str) -> ModelSpec:
    """The registry entry for `name`; ModelError listing the valid names if unknown."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise ModelError(
            f"unknown pose model {name!r}; use one of {', '.join(MODEL_NAMES)} "
            "or a path to a .task file"
        ) from None


def user_cache_dir() -> Path:
    """The user cache: $VALGUSCAM_CACHE_DIR, else $XDG_CACHE_HOME or ~/.cache + valguscam/models."""
    if os.environ.get(ENV_CACHE_DIR):
        return Path(os.environ[ENV_CACHE_DIR]).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "valguscam" / "models"


def bundled_models_dir() -> Path:
    """The package's own copy of the shipped model(s) (`valguscam/pose/bundled/`)."""
    return Path(__file__).resolve().parent / "bundled"


def project_models_dir() -> Path | None:
    """The source checkout's `models/` folder, or None when installed outside a checkout."""
    root = Path(__file__).resolve().parents[3]
    return root / "models" if (root / "pyproject.toml").is_file() else None


def candidate_dirs() -> list[Path]:
    """Folders searched for a registry model, first match wins (duplicates removed)."""
    dirs: list[Path] = []
    if os.environ.get(ENV_MODEL_DIR):
        dirs.append(Path(os.environ[ENV_MODEL_DIR]).expanduser())
    dirs.append(bundled_models_dir())
    project = project_models_dir()
    if project is not None:
        dirs.append(project)
    dirs.append(Path.cwd() / "models")
    dirs.append(user_cache_dir())
    unique: list[Path] = []
    for d in dirs:
        if all(d.resolve() != u.resolve() for u in unique):
            unique.append(d)
    return unique


def _looks_like_path(model: str) -> bool:
    if "/" in model or os.sep in model or model.endswith(".task") or model.startswith("~"):
        return True
    return model not in REGISTRY and Path(model).exists()


def resolve_model(model: str | None = "full") -> Path:
    """Path of the pose model `model` (a registry name or a path; None = "full").

    Raises ModelError naming where it looked and how to fix it.
    """
    model = model or "full"
    if _looks_like_path(model):
        path = Path(model).expanduser()
        if path.is_file():
            return path
        what = "is a folder, not a .task file" if path.is_dir() else "does not exist"
        raise ModelError(
            f"pose model path {str(path)!r} {what}; pass a .task file or a model name "
            f"({', '.join(MODEL_NAMES)})"
        )
    spec = get_spec(model)
    dirs = candidate_dirs()
    for d in dirs:
        if (d / spec.filename).is_file():
            return d / spec.filename
    raise ModelError(
        f"pose model {model!r} not found (looked in: {', '.join(str(d) for d in dirs)}); "
        f"run 'valguscam models download {model}' or set {ENV_MODEL_DIR} to a folder "
        f"holding {spec.filename}"
    )


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Hex sha256 digest of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _bundle_problems(path: Path) -> list[str]:
    """Why `path` is not a pose landmarker bundle (empty list = it is one)."""
    if not zipfile.is_zipfile(path):
        return ["not a zip file (a .task bundle is a zip); the file is truncated or not a model"]
    problems: list[str] = []
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            for member in BUNDLE_MEMBERS:
                if member not in names:
                    problems.append(f"bundle lacks {member}")
                elif zf.getinfo(member).file_size == 0:
                    problems.append(f"{member} is empty")
                else:
                    with zf.open(member) as fh:
                        if fh.read(8)[4:8] != TFLITE_MAGIC:
                            problems.append(f"{member} is not a TFLite flatbuffer")
            bad = zf.testzip()
            if bad is not None:
                problems.append(f"{bad} is corrupt (CRC mismatch)")
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        problems.append(f"unreadable zip: {exc}")
    return problems


def verify_model(path: str | os.PathLike[str], expected_sha256: str | None = None) -> ModelCheck:
    """Check that `path` is a Pose Landmarker bundle; if `expected_sha256` is given, match it.

    A checksum differing from the registry's official one is NOT a problem by itself (mirrors
    differ in bytes); it is reported through `official`.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"model file {str(path)!r} does not exist; check the path")
    digest = sha256_file(path)
    problems = _bundle_problems(path)
    if expected_sha256 and digest.lower() != expected_sha256.strip().lower():
        problems.append(f"sha256 {digest} does not match the expected {expected_sha256.strip()}")
    known = {s.sha256 for s in REGISTRY.values() if s.sha256}
    same_name = [s for s in REGISTRY.values() if s.filename == path.name and s.sha256]
    official: bool | None = True if digest in known else (False if same_name else None)
    return ModelCheck(path, not problems, digest, path.stat().st_size, tuple(problems), official)


def _fetch(url: str, out: BinaryIO, *, timeout_s: float, show: bool, label: str) -> None:
    """Stream `url` into `out`; DownloadError on HTTP/network errors or a short body."""
    written = 0
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as resp:  # http, https or file
            header = resp.headers.get("Content-Length")
            expected = int(header) if header and header.isdigit() else None
            bar_args = {"unit": "B", "unit_scale": True, "file": sys.stderr, "leave": False}
            with tqdm(total=expected, desc=label, disable=not show, **bar_args) as bar:
                while chunk := resp.read(_CHUNK_BYTES):
                    out.write(chunk)
                    written += len(chunk)
                    bar.update(len(chunk))
    except urllib.error.HTTPError as exc:
        raise DownloadError(_download_msg(url, f"HTTP {exc.code} {exc.reason}")) from None
    except urllib.error.URLError as exc:
        raise DownloadError(_download_msg(url, str(exc.reason))) from None
    except (OSError, HTTPException, ValueError) as exc:
        raise DownloadError(_download_msg(url, f"{type(exc).__name__}: {exc}")) from None
    if expected is not None and written != expected:
        raise DownloadError(
            _download_msg(url, f"truncated: got {written} of {expected} bytes (Content-Length)")
        )


def _download_msg(url: str, reason: str, hint: str = NO_NETWORK_HINT) -> str:
    """One-line DownloadError message naming the URL, the reason and the fix."""
    reason = " ".join(reason.split())
    return f"download of {url} failed: {reason}; {hint}"


def download_model(
    name: str,
    dest_dir: str | os.PathLike[str] | None = None,
    url: str | None = None,
    *,
    expected_sha256: str | None = None,
    progress: bool = True,
    timeout_s: float = 60,
) -> Path:
    """Download registry model `name` into `dest_dir` (default: the user cache); return its path.

    `url` overrides the official URL (mirrors, tests). The official checksum is enforced only for
    the official URL; `expected_sha256` enforces one for any URL. Written atomically: a failed
    download leaves no temp file and never replaces an existing file. timeout_s: per socket op.
    """
    spec = get_spec(name)
    src = url or spec.url
    expected = expected_sha256 or (spec.sha256 if src == spec.url else None)
    folder = Path(dest_dir).expanduser() if dest_dir is not None else user_cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{spec.filename}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise DownloadError(
            f"cannot save {src} into {str(folder)!r} ({exc.strerror}); "
            "pass --dir with a writable folder"
        ) from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            show = progress and sys.stderr.isatty()
            _fetch(src, fh, timeout_s=timeout_s, show=show, label=spec.filename)
        check = verify_model(tmp, expected)
        if not check.ok:
            raise DownloadError(_download_msg(src, "; ".join(check.problems), BAD_FILE_HINT))
        tmp.chmod(0o644)
        target = folder / spec.filename
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target

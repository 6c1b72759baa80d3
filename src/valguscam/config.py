"""One typed configuration: dataclasses with documented defaults, a TOML file and overrides on top.

Every threshold the analysis uses lives here. `default_config.toml` (written by
`valguscam config --write`) documents each value and its source. Units are in the names.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from valguscam.config_sections import (
    BaselineConfig,
    DepthConfig,
    EventsConfig,
    KneeFootConfig,
    MovementConfig,
    PoseConfig,
    SmoothingConfig,
    ValidityConfig,
)
from valguscam.errors import ConfigError

__all__ = [
    "Config",
    "PoseConfig",
    "SmoothingConfig",
    "ValidityConfig",
    "BaselineConfig",
    "KneeFootConfig",
    "EventsConfig",
    "DepthConfig",
    "MovementConfig",
    "load_config",
    "parse_overrides",
    "to_toml",
]


@dataclass(frozen=True)
class Config:
    """The whole configuration."""

    pose: PoseConfig = field(default_factory=PoseConfig)
    smoothing: SmoothingConfig = field(default_factory=SmoothingConfig)
    validity: ValidityConfig = field(default_factory=ValidityConfig)
    baseline: BaselineConfig = field(default_factory=BaselineConfig)
    knee_foot: KneeFootConfig = field(default_factory=KneeFootConfig)
    events: EventsConfig = field(default_factory=EventsConfig)
    depth: DepthConfig = field(default_factory=DepthConfig)
    movement: MovementConfig = field(default_factory=MovementConfig)

    def to_dict(self) -> dict[str, dict[str, Any]]:
        return dataclasses.asdict(self)


_KIND = {bool: "true or false", int: "a whole number", float: "a number", str: "text"}


def _coerce(section: str, key: str, value: Any, current: Any) -> Any:
    """Convert `value` to the type of the default `current`, or raise ConfigError."""
    where = f"{section}.{key}"
    try:
        if isinstance(current, bool):
            if isinstance(value, str):
                if value.lower() in {"true", "1", "yes"}:
                    return True
                if value.lower() in {"false", "0", "no"}:
                    return False
                raise ValueError(value)
            return bool(value)
        if isinstance(current, int):
            return int(value)
        if isinstance(current, float):
            return float(value)
        return str(value)
    except (TypeError, ValueError):
        raise ConfigError(
            f"config value {where}={value!r} is not {_KIND[type(current)]}; fix it in the "
            "config file or the --set option"
        ) from None


def _apply(cfg: Config, values: dict[str, dict[str, Any]], origin: str) -> Config:
    sections = {f.name for f in dataclasses.fields(cfg)}
    updated = {}
    for section, entries in values.items():
        if section not in sections or not isinstance(entries, dict):
            raise ConfigError(
                f"unknown config section [{section}] in {origin}; valid sections: "
                f"{', '.join(sorted(sections))}"
            )
        sub = getattr(cfg, section)
        keys = {f.name for f in dataclasses.fields(sub)}
        changes = {}
        for key, value in entries.items():
            if key not in keys:
                raise ConfigError(
                    f"unknown config key {section}.{key} in {origin}; valid keys: "
                    f"{', '.join(sorted(keys))}"
                )
            changes[key] = _coerce(section, key, value, getattr(sub, key))
        updated[section] = dataclasses.replace(sub, **changes)
    return dataclasses.replace(cfg, **updated)


def parse_overrides(items: list[str]) -> dict[str, dict[str, str]]:
    """Parse `section.key=value` strings (the CLI's --set) into nested dicts."""
    out: dict[str, dict[str, str]] = {}
    for item in items:
        name, sep, value = item.partition("=")
        section, dot, key = name.strip().partition(".")
        if not sep or not dot or not key:
            raise ConfigError(
                f"--set {item!r} is not section.key=value, e.g. validity.max_yaw_deg=25"
            )
        out.setdefault(section, {})[key] = value.strip()
    return out


def load_config(path: str | Path | None = None, overrides: list[str] | None = None) -> Config:
    """Defaults, then the TOML file at `path` (if given), then `section.key=value` overrides."""
    cfg = Config()
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise ConfigError(
                f"config file {p} does not exist; pass an existing TOML file to --config"
            )
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(
                f"config file {p} is not valid TOML ({exc}); fix the syntax"
            ) from None
        cfg = _apply(cfg, data, str(p))
    if overrides:
        cfg = _apply(cfg, parse_overrides(overrides), "--set")
    return cfg


def to_toml(cfg: Config) -> str:
    """The config as TOML text, each section headed by its documentation."""
    lines = [
        "# valguscam configuration. Units are in the key names; see README 'Configuration'.",
        "",
    ]
    for f in dataclasses.fields(cfg):
        sub = getattr(cfg, f.name)
        doc = (type(sub).__doc__ or "").strip().splitlines()
        lines += [f"# {d.strip()}".rstrip() for d in doc]
        lines.append(f"[{f.name}]")
        for k, v in dataclasses.asdict(sub).items():
            lines.append(f"{k} = {_toml_value(v)}")
        lines.append("")
    return "\n".join(lines)


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(v)

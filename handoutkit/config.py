"""The practice's defaults, kept in the platform's config folder.

``config.yaml`` holds what stays the same from client to client: practice, clinician,
contact, logo, region, paper, theme. Never a client's name. ``HANDOUTS_CONFIG`` names
another file (useful for a shared practice machine, and for tests).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict

from . import crisis, sources
from .errors import InputError, UsageError
from .output import write_atomic
from .validate import validate

ENV_VAR = "HANDOUTS_CONFIG"


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid")

    practice: str | None = None
    clinician: str | None = None
    contact: str | None = None
    logo: str | None = None
    region: str | None = None
    paper: Literal["letter", "a4"] | None = None
    theme: Literal["default", "print", "large-print"] | None = None


KEYS = tuple(Config.model_fields)


def path() -> Path:
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir("handoutkit", appauthor=False)) / "config.yaml"


def load() -> Config:
    file = path()
    if not file.exists():
        return Config()
    source = sources.load(file)
    if source.data is None:
        return Config()
    config = validate(source, Config)
    if config.region is not None and crisis.unknown(config.region):
        raise InputError(source.problem(("region",), crisis.unknown(config.region)))
    if config.logo is not None and not logo_path(config).is_file():
        raise InputError(source.problem(("logo",), f"no logo file at '{config.logo}'"))
    return config


def logo_path(config: Config) -> Path | None:
    if config.logo is None:
        return None
    logo = Path(config.logo).expanduser()
    return logo if logo.is_absolute() else path().parent / logo


def settings_values(config: Config) -> dict[str, Any]:
    values = config.model_dump(exclude_none=True, exclude={"logo"})
    if config.logo is not None:
        values["logo"] = logo_path(config)
    return values


def set_value(key: str, value: str) -> Path:
    """Write one key, keeping the others; the result must still validate."""
    if key not in KEYS:
        raise UsageError(f"unknown setting '{key}' (expected one of: {', '.join(KEYS)})")
    file = path()
    current = load().model_dump(exclude_none=True)
    current[key] = value
    try:
        checked = Config.model_validate(current)
    except Exception:
        allowed = {"paper": "letter, a4", "theme": "default, print, large-print"}.get(key, "")
        raise UsageError(f"'{value}' is not a valid {key} (expected one of: {allowed})") from None
    if key == "region" and crisis.unknown(value):
        raise UsageError(crisis.unknown(value))
    if key == "logo":
        logo = Path(value).expanduser().resolve()
        if not logo.is_file():
            raise UsageError(f"no logo file at '{value}'")
        current["logo"] = str(logo)
        checked = Config.model_validate(current)
    file.parent.mkdir(parents=True, exist_ok=True)
    text = "# handoutkit settings: `handouts config set KEY VALUE` changes them.\n"
    text += yaml.safe_dump(checked.model_dump(exclude_none=True), sort_keys=False, allow_unicode=True)
    return write_atomic(file, text.encode("utf-8"))

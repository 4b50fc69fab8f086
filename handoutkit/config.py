"""The practice's defaults, kept in the platform's config folder.

``config.yaml`` holds what stays the same from client to client: practice, clinician,
contact, logo, region, paper, theme. Never a client's name. ``HANDOUTS_CONFIG`` names
another file (useful for a shared practice machine, and for tests).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from . import crisis, pictures, sources
from .models import PAPERS, THEMES, Paper, Theme
from .errors import InputError, UsageError
from .output import write_atomic
from .settings import Settings
from .validate import validate

ENV_VAR = "HANDOUTS_CONFIG"


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid")

    practice: str | None = None
    clinician: str | None = None
    contact: str | None = None
    logo: str | None = None
    region: str | None = None
    paper: Paper | None = None
    theme: Theme | None = None


KEYS = tuple(Config.model_fields)


def path() -> Path:
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir("handoutkit", appauthor=False)) / "config.yaml"


HEADER = "# handoutkit settings: `handouts config set KEY VALUE` changes them.\n"
REPAIR_HINT = "(`handouts config edit` opens it; `handouts config path` shows where it is)"


class ConfigDamaged(InputError):
    """The config file cannot be used: its problems, then how to reach the file to fix it."""

    def messages(self) -> list[str]:
        return super().messages() + [REPAIR_HINT]


def load() -> Config:
    try:
        return _load()
    except ConfigDamaged:
        raise
    except InputError as exc:
        raise ConfigDamaged(exc.problems) from None


def _load() -> Config:
    file = path()
    if not file.exists() and not file.is_symlink():  # a link loop: reading it says so
        return Config()
    source = sources.load(file, empty_ok=True)  # empty, or only its header comment: nothing set
    if source.data is None:
        return Config()
    config = validate(source, Config)
    if (wrong := _invalid(config)) is not None:
        key, message = wrong
        raise InputError(source.problem((key,), message))
    return config


def _invalid(config: Config) -> tuple[str, str] | None:
    """The key and the reason when a setting's value cannot be used; what a schema cannot say."""
    if config.region is not None and (why := crisis.unknown(config.region)):
        return "region", why
    if config.logo is not None and not logo_path(config).is_file():
        return "logo", f"no logo file at '{config.logo}'"
    if config.logo is not None and (why := pictures.file_problem(logo_path(config))):
        return "logo", f"the logo '{config.logo}' {why}"
    return None


def base_settings() -> Settings:
    """Built-in defaults with this file's values laid on top: what flags and packets start from."""
    return Settings().over(**settings_values(load()))


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
    # A logo is named from where the clinician stands; the file keeps it absolute.
    current[key] = str(sources.resolved(Path(value).expanduser()) or Path(value).absolute()) if key == "logo" else value
    try:
        checked = Config.model_validate(current)
    except ValidationError:
        allowed = ", ".join({"paper": PAPERS, "theme": THEMES}.get(key, ()))
        raise UsageError(f"'{value}' is not a valid {key} (expected one of: {allowed})") from None
    if (wrong := _invalid(checked)) is not None:
        raise UsageError(wrong[1])
    file.parent.mkdir(parents=True, exist_ok=True)
    text = HEADER
    text += yaml.safe_dump(checked.model_dump(exclude_none=True), sort_keys=False, allow_unicode=True)
    return write_atomic(file, text.encode("utf-8"))

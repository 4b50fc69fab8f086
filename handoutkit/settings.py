"""Build settings and where each comes from: flag > packet > user config > built-in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from . import crisis
from .errors import UsageError
from .models import unprintable_lang


@dataclass(frozen=True)
class Settings:
    paper: str = "letter"
    theme: str = "default"
    region: str = crisis.DEFAULT_REGION
    fillable: bool = False
    lang: str = "en"
    date: dt.date | None = None  # None: today, decided at build time
    client: str | None = None
    clinician: str | None = None
    practice: str | None = None
    contact: str | None = None
    logo: Path | None = None
    cover: bool | None = None  # None: a cover when there are two or more handouts

    def over(self, **values: Any) -> "Settings":
        """These settings with every non-None value in ``values`` laid on top."""
        known = {f.name for f in fields(self)}
        return replace(self, **{k: v for k, v in values.items() if k in known and v is not None})

    def checked(self) -> "Settings":
        if why := crisis.unknown(self.region):
            raise UsageError(why)
        if why := unprintable_lang(self.lang):
            raise UsageError(f"--lang: {why}")
        return self

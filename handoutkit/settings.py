"""Build settings and where each comes from: flag > packet > user config > built-in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from . import crisis
from .errors import UsageError
from .models import DISCREET_TITLE, unprintable_lang


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
    cover: bool | None = None  # None: a cover for two or more handouts, a clinician's copy or a discreet packet
    copy: str = "client"  # client | clinician (models.Copy)
    discreet: bool = False
    discreet_title: str | None = None  # None: models.DISCREET_TITLE

    def over(self, **values: Any) -> "Settings":
        """These settings with every non-None value in ``values`` laid on top."""
        known = {f.name for f in fields(self)}
        return replace(self, **{k: v for k, v in values.items() if k in known and v is not None})

    def checked(self) -> "Settings":
        if why := crisis.unknown(self.region):
            raise UsageError(why)
        if why := unprintable_lang(self.lang):
            raise UsageError(f"--lang: {why}")
        if self.discreet and self.cover is False:  # --discreet on a packet with `cover: false`
            raise UsageError("--discreet: a discreet packet starts with its neutral cover, and this packet "
                             "has 'cover: false' (remove it from the packet)")
        return self

    @property
    def neutral_title(self) -> str | None:
        """The only title a discreet packet shows outside its handouts' pages; None when not discreet."""
        if not self.discreet:
            return None
        if self.discreet_title:
            return self.discreet_title
        from . import labels  # the default says "Session notes" in the packet's language

        return labels.locale(labels.base_language(self.lang))["session_notes"] or DISCREET_TITLE

"""`handouts studio`: the local web app for clinicians (see app.py and server.py)."""

from __future__ import annotations

from .server import serve

__all__ = ["serve"]

#!/usr/bin/env python3
"""Run handoutkit from a checkout, like Django's manage.py: `python cli.py build …`."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from handoutkit.cli import run  # noqa: E402

if __name__ == "__main__":
    run()

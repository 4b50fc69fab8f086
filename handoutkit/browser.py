"""Opening a local address in the user's browser, never at the cost of the command itself.

On a machine without a desktop (a server over ssh, a container), ``webbrowser`` falls back
to a console browser (www-browser, lynx, w3m, links, elinks): it takes over the terminal
and ``open`` waits until it quits, so the preview would never serve. So: no display on
Linux, or only a console browser, and the address is left to the user; otherwise the
browser is started from a background thread that nobody waits on.
"""

from __future__ import annotations

import os
import sys
import threading
import webbrowser
from typing import Callable

ASK = "open this address in your browser"


def has_display() -> bool:
    """False where a graphical browser surely cannot show anything: Linux (and the other
    X11 systems) without DISPLAY or WAYLAND_DISPLAY. macOS and Windows always have one."""
    if sys.platform in {"darwin", "win32", "cygwin"}:
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def desktop_browser() -> webbrowser.BaseBrowser | None:
    """The browser ``webbrowser`` would use, unless it is a console one or there is none.
    Console browsers are registered as plain GenericBrowser (run and waited on); graphical
    ones as BackgroundBrowser (a GenericBrowser that does not wait) or their own classes."""
    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        return None
    return None if type(browser) is webbrowser.GenericBrowser else browser


def open_in_background(address: str, say: Callable[[str], None]) -> None:
    """Open ``address`` if a desktop browser can show it, else ``say`` to open it by hand.
    Finding the browser may itself run programs (xdg-settings), so that happens in the
    background too; the caller has printed the address already."""
    if not has_display():
        say(ASK)
        return

    def run() -> None:
        browser = desktop_browser()
        if browser is None or not browser.open(address):
            say(ASK)

    threading.Thread(target=run, name="handouts-open-browser", daemon=True).start()

"""The rules every local server of handoutkit follows (the preview now, the studio later).

A server on 127.0.0.1 is reachable by every program and every web page on this machine.
So, as Jupyter does, each run makes a random secret that only the URL printed to the
terminal carries, and every route sits under ``/s/<secret>/``: a path prefix rather than
a ``?token=`` query, so the page's relative links (the PDF, the ``/status`` poll) carry it
without any code and nothing needs a cookie. The Host header must name this machine
(127.0.0.1 or localhost with our port), which stops DNS rebinding. Responses are never
cached, so nothing of a client's handout lands on disk.
"""

from __future__ import annotations

import hmac
import secrets

HOST = "127.0.0.1"
PREFIX = "/s/"
# Sent with every response, refused ones included.
HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # the secret is in the URL: never hand it on
    "X-Frame-Options": "SAMEORIGIN",
}


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def host_ok(host_header: str | None, port: int) -> bool:
    """Only this machine's own names: a site that points its domain at 127.0.0.1 gets nothing."""
    return (host_header or "") in {f"{HOST}:{port}", f"localhost:{port}"}


def route(path: str, secret: str) -> str | None:
    """The route after ``/s/<secret>`` (``/`` at least), or None when the secret is missing or wrong."""
    path = path.split("?", 1)[0].split("#", 1)[0]
    if not path.startswith(PREFIX):
        return None
    given, slash, rest = path[len(PREFIX):].partition("/")
    if not hmac.compare_digest(given.encode("utf-8", "surrogateescape"), secret.encode("ascii")):
        return None
    return "/" + rest if slash else "/"


def url(port: int, secret: str) -> str:
    return f"http://{HOST}:{port}{PREFIX}{secret}/"

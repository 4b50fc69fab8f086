"""The local-server rules (SPEC.md "Local servers") as one ASGI middleware around the studio.

Every request must carry the run's secret as its first path segment (``/s/<secret>/``,
localserver.py) and name this machine in its Host header; every POST must also carry the
page's CSRF token in a header, which a form on another site cannot send, and must not
come from another origin. Anything else gets 403 before any route runs. Every response
carries localserver.HEADERS: nothing is cached, nothing is sniffed, no referrer leaks
the secret.
"""

from __future__ import annotations

import hmac
from typing import Any, Awaitable, Callable

from ..localserver import HEADERS, HOST, host_ok, route

CSRF_HEADER = "x-csrf-token"
# Content-Security-Policy: only the studio's own files; the PDF viewer runs in a frame of ours.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "frame-src 'self'; object-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'self'")

Scope = dict[str, Any]
ASGI = Callable[[Scope, Callable, Callable], Awaitable[None]]


class Guard:
    def __init__(self, app: ASGI, *, secret: str, csrf: str, port: Callable[[], int]):
        self.app = app
        self.secret = secret
        self.csrf = csrf
        self.port = port  # known once the socket is bound

    async def __call__(self, scope: Scope, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":  # lifespan
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if route(scope["path"], self.secret) is None or not host_ok(headers.get("host"), self.port()):
            await _forbidden(send)
            return
        if scope["method"] not in ("GET", "HEAD") and not self._same_site(headers):
            await _forbidden(send)
            return
        # Routes match below the prefix: Starlette takes root_path off the path it routes on.
        scope = dict(scope)
        scope["root_path"] = f"/s/{self.secret}"

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                extra = [(k.lower().encode(), v.encode()) for k, v in HEADERS.items()]
                extra.append((b"content-security-policy", CSP.encode()))
                given = {k.lower() for k, _ in message.get("headers", [])}
                message = dict(message)
                message["headers"] = [*message.get("headers", []), *(h for h in extra if h[0] not in given)]
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _same_site(self, headers: dict[str, str]) -> bool:
        """A change needs the page's token, and no sign of another site sending it."""
        if not hmac.compare_digest(headers.get(CSRF_HEADER, "").encode("latin-1"), self.csrf.encode("ascii")):
            return False
        origin = headers.get("origin")
        if origin is not None and origin not in {f"http://{HOST}:{self.port()}", f"http://localhost:{self.port()}"}:
            return False
        return headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")


async def _forbidden(send: Callable) -> None:
    body = b"forbidden\n"
    await send({"type": "http.response.start", "status": 403, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
        *((k.lower().encode(), v.encode()) for k, v in HEADERS.items()),
    ]})
    await send({"type": "http.response.body", "body": body})

"""The studio's web app: pages and the few JSON calls behind them.

``create_app`` makes a Starlette app wrapped in guard.Guard (secret, Host, CSRF). Pages
are rendered with Jinja2 (autoescape on: these are handoutkit's own pages) from this
package's ``templates/``; ``static/`` holds the plain JavaScript and CSS they use, nothing
from elsewhere. Each PDF is rendered in memory and kept there under a random token until
newer ones push it out; none is written to disk, and no request log is kept.
"""

from __future__ import annotations

import collections
import datetime as dt
import os
import re
import secrets
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import jinja2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import build, config, config_repair, paths
from ..errors import HandoutkitError, InputError
from ..library import SUFFIXES, Library
from ..localserver import new_secret
from ..printing import PrintRequest, print_pdf
from ..models import AUDIENCES, KINDS
from . import editor as editing
from . import form, packets
from .guard import Guard
from .thumbnails import Thumbnails

HERE = Path(__file__).resolve().parent
OWN = "handouts"  # the clinician's own handouts, inside the studio's folder
KEPT_PDFS = 12  # rendered PDFs held in memory for the pages that show them


@dataclass
class Kept:
    pdf: bytes
    name: str  # the file name a download suggests: never a client's name
    pages: int
    paper: str = "letter"  # what `lp` is told (-o media=…)


@dataclass
class Studio:
    """What one run of the studio holds."""

    folder: Path  # saved packets; own handouts in folder/handouts
    extra_folders: list[Path] = field(default_factory=list)  # --library, HANDOUTS_LIBRARY
    secret: str = field(default_factory=new_secret)
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    port: int = 0
    render_lock: threading.Lock = field(default_factory=threading.Lock)  # WeasyPrint, one at a time
    thumbnails: Thumbnails = field(default_factory=Thumbnails)
    stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.folder = Path(self.folder)
        self.own.mkdir(parents=True, exist_ok=True)
        self._pdfs: collections.OrderedDict[str, Kept] = collections.OrderedDict()
        self._pdfs_lock = threading.Lock()
        self.editor = editing.Editor(self.own)
        self._library: tuple[Any, Library] | None = None
        # The packet being built, as the page last sent it: so it is still there after a
        # visit to the library ("Add to packet"). In memory only, never on disk.
        self.current: dict[str, Any] | None = None
        self._library_lock = threading.Lock()

    @property
    def own(self) -> Path:
        return self.folder / OWN

    def library(self) -> Library:
        """The library as its folders hold it now: handouts may have been added, edited or
        removed since the last request. Read again only when a file's size or time changed."""
        folders = [self.own, *self.extra_folders]
        seen = _fingerprint([*folders, paths.HANDOUTS])
        with self._library_lock:
            if self._library is None or seen != self._library[0]:
                self._library = (seen, Library(folders))
            return self._library[1]

    def keep(self, kept: Kept) -> str:
        token = secrets.token_urlsafe(16)
        with self._pdfs_lock:
            self._pdfs[token] = kept
            while len(self._pdfs) > KEPT_PDFS:
                self._pdfs.popitem(last=False)
        return token

    def kept(self, token: str) -> Kept | None:
        with self._pdfs_lock:
            return self._pdfs.get(token)

    def render(self, job: build.Job, library: Library) -> Kept:
        with self.render_lock:
            rendered = build.render_job(job, library).rendered
        return Kept(rendered.pdf, job.output_name, rendered.pages, job.settings.paper)


def _fingerprint(folders: list[Path]) -> tuple:
    out = []
    for folder in folders:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            out.append((str(folder), None))
            continue
        for entry in entries:
            if entry.name.endswith(SUFFIXES):
                try:
                    st = entry.stat()
                    out.append((entry.path, st.st_mtime_ns, st.st_size, st.st_ino))
                except OSError:
                    out.append((entry.path, None))
    return tuple(out)


# ---- pages -----------------------------------------------------------------------------


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    return env


ENV = _environment()


def page(studio: Studio, name: str, **values: Any) -> HTMLResponse:
    html = ENV.get_template(name).render(base=f"/s/{studio.secret}/", csrf=studio.csrf, **values)
    return HTMLResponse(html)


@dataclass(frozen=True)
class Card:
    id: str
    title: str
    subtitle: str | None
    kind: str
    audience: str
    topics: tuple[str, ...]
    minutes: int | None
    own: bool
    problems: tuple[str, ...] = ()

    @property
    def broken(self) -> bool:
        return bool(self.problems)


def cards(studio: Studio, library: Library) -> list[Card]:
    """A card per handout, and one per file that does not load, saying why (never left out)."""
    loaded, problems = library.all()
    own = studio.own.resolve()
    out = [Card(m.id, m.module.title, m.module.subtitle, m.module.kind, m.module.audience, tuple(m.module.topics),
                m.module.minutes, m.path.resolve().parent == own) for m in loaded]
    broken: dict[Path, list[str]] = {}
    for p in problems:
        broken.setdefault(Path(p.path), []).append(str(p))
    for path, messages in broken.items():
        ids = [i for i, f in library.index.items() if Path(f) == path]
        module_id = ids[0] if ids else path.stem
        out.append(Card(module_id, path.name, None, "broken", "", (), None,
                        path.resolve().parent == own, tuple(messages)))
    return sorted(out, key=lambda c: (c.broken is False, c.title.lower()))


def library_page(studio: Studio) -> Callable:
    def handler(request: Request) -> Response:
        library = studio.library()
        all_cards = cards(studio, library)
        topics = sorted({t for c in all_cards for t in c.topics})
        return page(studio, "library.html", cards=all_cards, topics=topics, kinds=KINDS, audiences=AUDIENCES,
                    active="library")
    return handler


def thumbnail(studio: Studio) -> Callable:
    def handler(request: Request) -> Response:
        library = studio.library()
        module_id = request.path_params["id"]
        try:
            module = library.load(module_id)
        except HandoutkitError:
            return Response(status_code=404)
        png = studio.thumbnails.get(module, library, studio.render_lock)
        if png is None:
            return Response(status_code=404)
        # A picture of a handout, never of a client's packet: the browser may keep it a while.
        return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=300"})
    return handler


def handout_page(studio: Studio) -> Callable:
    def handler(request: Request) -> Response:
        library = studio.library()
        module_id = request.path_params["id"]
        error = None
        token = None
        try:
            module = library.load(module_id)
            title = module.module.title
            base = config.base_settings()
            job = build.Job(title, [module], base.checked(), f"{module.id}.pdf", [module.path.resolve().parent])
            token = studio.keep(studio.render(job, library))
        except HandoutkitError as exc:
            title = module_id
            error = exc.messages()
        own = studio.editor.is_own(library, module_id)
        return page(studio, "handout.html", title=title, module_id=module_id, token=token, errors=error,
                    own=own, active="library")
    return handler


def pdf(studio: Studio) -> Callable:
    def handler(request: Request) -> Response:
        kept = studio.kept(request.path_params["token"])
        if kept is None:
            return Response("This preview has expired: change anything to make it again.\n", status_code=404,
                            media_type="text/plain; charset=utf-8")
        how = "attachment" if request.query_params.get("download") else "inline"
        return Response(kept.pdf, media_type="application/pdf", headers={
            "Cache-Control": "no-store", "Content-Disposition": f'{how}; filename="{kept.name}"'})
    return handler


def packet_page(studio: Studio) -> Callable:
    def handler(request: Request) -> Response:
        library = studio.library()
        loaded, _ = library.all()
        try:
            defaults = config.load().model_dump(exclude_none=True)
            config_error = None
        except HandoutkitError as exc:
            defaults, config_error = {}, exc.messages()
        handouts = [{"id": m.id, "title": m.module.title, "kind": m.module.kind, "minutes": m.module.minutes,
                     "topics": list(m.module.topics), "audience": m.module.audience}
                    for m in sorted(loaded, key=lambda m: m.module.title.lower())]
        return page(studio, "packet.html", controls=form.controls(defaults), handouts=handouts, current=studio.current,
                    config_error=config_error, active="packet", printing=shutil.which("lp") is not None)
    return handler


async def _json(request: Request) -> dict[str, Any]:
    try:
        data = await request.json()
    except ValueError:
        data = None
    return data if isinstance(data, dict) else {}


def _packet_input(data: dict[str, Any]) -> tuple[dict[str, Any], list[str], str | None]:
    values = data.get("values") if isinstance(data.get("values"), dict) else {}
    handouts = [str(h) for h in data.get("handouts", []) if isinstance(h, str)] if isinstance(data.get("handouts"), list) else []
    title = data.get("title") if isinstance(data.get("title"), str) else None
    return values, handouts, title


def render_packet(studio: Studio) -> Callable:
    async def handler(request: Request) -> Response:
        data = await _json(request)
        values, handouts, title = _packet_input(data)
        studio.current = {"title": title or "", "handouts": handouts, "values": values, "name": str(data.get("name") or "")}
        return await _in_thread(_render_packet, studio, values, handouts, title)
    return handler


def forget_packet(studio: Studio) -> Callable:
    def handler(request: Request) -> Response:
        studio.current = None
        return JSONResponse({"ok": True})
    return handler


def _render_packet(studio: Studio, values: dict, handouts: list[str], title: str | None) -> Response:
    library = studio.library()
    checked = packets.check(values, handouts, title, studio.folder, library)
    if checked.ok:
        job = packets.job_for(checked, library)
        if job is not None:
            try:
                kept = studio.render(job, library)
                token = studio.keep(kept)
                return JSONResponse({"ok": True, "pdf": f"pdf/{token}", "token": token, "pages": kept.pages,
                                     "title": checked.data["title"]})
            except InputError as exc:
                packets.place(checked, exc.problems)
            except HandoutkitError as exc:
                checked.general += exc.messages()
            except Exception as exc:  # a bug: say so on the page and keep serving, as the preview does
                checked.general.append(internal(exc))
    return JSONResponse({"ok": False, "errors": checked.as_json()})


def internal(exc: Exception) -> str:
    return f"handoutkit hit an internal error, which is a bug: {type(exc).__name__}: {exc}"


async def _in_thread(fn: Callable, *args: Any) -> Any:
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(fn, *args)


def print_packet(studio: Studio) -> Callable:
    async def handler(request: Request) -> Response:
        kept = studio.kept(str((await _json(request)).get("token", "")))
        if kept is None:
            return JSONResponse({"ok": False, "message": "This preview has expired: change anything to make it again."})
        return await _in_thread(_print, kept)
    return handler


def _print(kept: Kept) -> Response:
    # `lp` takes a file: one only this user can read, removed as soon as lp has queued it.
    folder = Path(tempfile.mkdtemp(prefix="handouts-print-"))
    try:
        path = folder / kept.name
        path.write_bytes(kept.pdf)
        path.chmod(0o600)
        print_pdf(path, kept.paper, PrintRequest())
    except HandoutkitError as exc:
        # The CLI's words, less its "wrote FILE, but" (the studio wrote nothing the clinician keeps).
        message = re.sub(r"^wrote \S+, but ", "", str(exc)).replace(str(path), kept.name)
        message = message[:1].upper() + message[1:]
        return JSONResponse({"ok": False, "message": message})
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return JSONResponse({"ok": True, "message": "Sent to the printer."})


def save_packet(studio: Studio) -> Callable:
    async def handler(request: Request) -> Response:
        data = await _json(request)
        values, handouts, title = _packet_input(data)
        library = studio.library()
        checked = packets.check(values, handouts, title, studio.folder, library)
        if not checked.ok:
            return JSONResponse({"ok": False, "errors": checked.as_json()})
        try:
            path = packets.save(studio.folder, str(data.get("name", "")), checked.data, library)
        except ValueError as exc:
            return JSONResponse({"ok": False, "errors": {"fields": {"name": [str(exc)]}, "items": {}, "general": []}})
        except HandoutkitError as exc:
            return JSONResponse({"ok": False, "errors": {"fields": {}, "items": {}, "general": exc.messages()}})
        return JSONResponse({"ok": True, "name": path.stem, "message": f"Saved as {path.name} in {studio.folder}"})
    return handler


def packets_page(studio: Studio) -> Callable:
    def handler(request: Request) -> Response:
        saved = packets.listing(studio.folder)
        when = {p.name: dt.datetime.fromtimestamp(p.modified).strftime("%Y-%m-%d %H:%M") for p in saved}
        return page(studio, "packets.html", saved=saved, when=when, folder=studio.folder, active="packets")
    return handler


def packet_json(studio: Studio) -> Callable:
    def handler(request: Request) -> Response:
        try:
            return JSONResponse({"ok": True, **packets.open_saved(studio.folder, request.path_params["name"])})
        except (HandoutkitError, ValueError) as exc:
            messages = exc.messages() if isinstance(exc, HandoutkitError) else [str(exc)]
            return JSONResponse({"ok": False, "messages": messages}, status_code=404)
    return handler


def settings_page(studio: Studio) -> Callable:
    def handler(request: Request) -> Response:
        try:
            values, error = config.load().model_dump(exclude_none=True), None
        except HandoutkitError as exc:
            values, error = {}, exc.messages()
        controls = [c for c in form.controls(values) if c.name in config.KEYS]
        return page(studio, "settings.html", controls=controls, values=values, error=error,
                    path=config.path(), logo=values.get("logo"), active="settings")
    return handler


def save_settings(studio: Studio) -> Callable:
    async def handler(request: Request) -> Response:
        data = await _json(request)
        errors: dict[str, list[str]] = {}
        for key in config.KEYS:
            if key == "logo" or key not in data:
                continue
            value = str(data[key] or "").strip()
            try:
                if value:
                    config.set_value(key, value)
                else:
                    config_repair.unset(key)
            except HandoutkitError as exc:
                errors[key] = exc.messages()
        return JSONResponse({"ok": not errors, "errors": {"fields": errors, "items": {}, "general": []},
                             "message": f"Saved in {config.path()}" if not errors else None})
    return handler


# ---- adapting a handout --------------------------------------------------------------


def edit_page(studio: Studio) -> Callable:
    def handler(request: Request) -> Response:
        library = studio.library()
        module_id = request.path_params["id"]
        if module_id not in library.index:
            return page(studio, "error.html", messages=[library.unknown(module_id)], active="library")
        if not studio.editor.is_own(library, module_id):
            return page(studio, "duplicate.html", module_id=module_id, folder=studio.own, active="library",
                        title=_title(library, module_id))
        text, restored = studio.editor.text(module_id)
        return page(studio, "edit.html", module_id=module_id, text=text, restored=restored,
                    path=studio.editor.path(module_id), kinds=KINDS, audiences=AUDIENCES, active="library")
    return handler


def _title(library: Library, module_id: str) -> str:
    try:
        return library.load(module_id).module.title
    except HandoutkitError:
        return module_id


def duplicate(studio: Studio) -> Callable:
    def handler(request: Request) -> Response:
        try:
            studio.editor.duplicate(studio.library(), request.path_params["id"])
        except HandoutkitError as exc:
            return JSONResponse({"ok": False, "messages": exc.messages()})
        return JSONResponse({"ok": True, "url": f"edit/{request.path_params['id']}"})
    return handler


def draft(studio: Studio) -> Callable:
    async def handler(request: Request) -> Response:
        text = (await _json(request)).get("text")
        if not isinstance(text, str):
            return JSONResponse({"ok": False, "messages": ["no text was sent"]}, status_code=400)
        return await _in_thread(_draft, studio, request.path_params["id"], text)
    return handler


def _draft(studio: Studio, module_id: str, text: str) -> Response:
    library = studio.library()
    if not studio.editor.is_own(library, module_id):
        return JSONResponse({"ok": False, "messages": ["duplicate this handout into your folder before editing it"]})
    try:
        kept_in = studio.editor.keep_draft(module_id, text)
    except HandoutkitError as exc:
        return JSONResponse({"ok": False, "findings": [], "messages": exc.messages()})
    findings = studio.editor.findings(module_id, library, kept_in)
    answer: dict[str, Any] = {"ok": True, "findings": [f.as_json() for f in findings],
                              "draft": kept_in != studio.editor.path(module_id)}
    if not any(f.level == "error" for f in findings):
        try:
            module = build.load_module(kept_in)
            job = build.Job(module.module.title, [module], config.base_settings().checked(), f"{module_id}.pdf",
                            [studio.own])
            kept = studio.render(job, library)
            answer.update(pdf=f"pdf/{studio.keep(kept)}", pages=kept.pages, budget=module.module.page_budget)
        except Exception as exc:  # noqa: BLE001 - HandoutkitError, or a bug told as one
            messages = exc.messages() if isinstance(exc, HandoutkitError) else [internal(exc)]
            draft_path = str(kept_in)
            shown = studio.editor.path(module_id).name
            answer["messages"] = [m.replace(draft_path, shown) for m in messages]
    return JSONResponse(answer)


def save_handout(studio: Studio) -> Callable:
    def handler(request: Request) -> Response:
        module_id = request.path_params["id"]
        library = studio.library()
        if not studio.editor.is_own(library, module_id):
            return JSONResponse({"ok": False, "messages": ["duplicate this handout into your folder before editing it"]})
        try:
            path = studio.editor.save(module_id, library)
        except HandoutkitError as exc:
            return JSONResponse({"ok": False, "messages": exc.messages()})
        return JSONResponse({"ok": True, "message": f"Saved {path}"})
    return handler


def discard(studio: Studio) -> Callable:
    def handler(request: Request) -> Response:
        module_id = request.path_params["id"]
        if not studio.editor.is_own(studio.library(), module_id):
            return JSONResponse({"ok": False, "messages": ["not one of your handouts"]})
        studio.editor.discard_draft(module_id)
        return JSONResponse({"ok": True, "url": f"edit/{module_id}"})
    return handler


# ---- the app ---------------------------------------------------------------------------


def create_app(studio: Studio) -> Guard:
    routes = [
        Route("/", library_page(studio)),
        Route("/thumb/{id}.png", thumbnail(studio)),
        Route("/handout/{id}", handout_page(studio)),
        Route("/pdf/{token}", pdf(studio)),
        Route("/packet", packet_page(studio)),
        Route("/packet/render", render_packet(studio), methods=["POST"]),
        Route("/packet/print", print_packet(studio), methods=["POST"]),
        Route("/packet/forget", forget_packet(studio), methods=["POST"]),
        Route("/packet/save", save_packet(studio), methods=["POST"]),
        Route("/packets", packets_page(studio)),
        Route("/packets/{name}.json", packet_json(studio)),
        Route("/settings", settings_page(studio)),
        Route("/settings", save_settings(studio), methods=["POST"]),
        Route("/edit/{id}", edit_page(studio)),
        Route("/edit/{id}/duplicate", duplicate(studio), methods=["POST"]),
        Route("/edit/{id}/draft", draft(studio), methods=["POST"]),
        Route("/edit/{id}/save", save_handout(studio), methods=["POST"]),
        Route("/edit/{id}/discard", discard(studio), methods=["POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes)
    return Guard(app, secret=studio.secret, csrf=studio.csrf, port=lambda: studio.port)

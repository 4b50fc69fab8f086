"""Running the studio: uvicorn on 127.0.0.1, the address printed, the browser opened.

The socket is bound here, before uvicorn starts, so the port is known (``--port 0``: a
free one) and the address can be printed and opened at once; connections made before the
server loop runs wait in the socket's queue. uvicorn keeps no access log: a request line
never holds a client's name (those travel in POST bodies), but the terminal is for the
address and errors only.
"""

from __future__ import annotations

import socket
import threading
from pathlib import Path

from ..browser import open_in_background
from ..errors import UsageError
from ..localserver import HOST, url
from .app import Studio, create_app

def default_folder() -> Path:
    """The clinician's documents folder, in a folder of its own: where packets are saved."""
    import platformdirs

    return Path(platformdirs.user_documents_dir()) / "Handouts"


def bind(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((HOST, port))
    except OSError as exc:
        sock.close()
        raise UsageError(f"cannot listen on {HOST}:{port} ({exc.strerror or exc}); "
                         f"choose another --port, or leave it out for a free one") from None
    sock.listen(64)
    return sock


def serve(folder: Path | None, library_folders: list[Path], *, port: int = 0, open_browser: bool = True) -> None:
    import uvicorn

    folder = Path(folder) if folder is not None else default_folder()
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--folder {folder}: this is a file, not a folder (give the folder to keep packets in)")
    try:
        studio = Studio(folder, list(library_folders))
        studio.library()  # an unusable --library folder stops here, before anything serves
    except OSError as exc:
        raise UsageError(f"--folder {folder}: cannot create it ({exc.strerror or exc})") from None
    sock = bind(port)
    studio.port = sock.getsockname()[1]
    app = create_app(studio)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, server_header=False,
                                           date_header=False, lifespan="off"))
    address = url(studio.port, studio.secret)
    print(f"handoutkit studio at {address} — keep this window open; Ctrl-C to stop", flush=True)
    print(f"packets are saved in {folder}", flush=True)
    warm = threading.Thread(target=studio.thumbnails.warm, args=(studio.library(), studio.render_lock, studio.stop),
                            name="handouts-studio-thumbnails", daemon=True)
    warm.start()
    if open_browser:
        open_in_background(address, lambda words: print(words, flush=True))
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        studio.stop.set()
        sock.close()
    print("stopped", flush=True)

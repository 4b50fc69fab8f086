"""`handouts studio`, route by route, over HTTP (Starlette's TestClient, the app in this process).

The rules of local servers (SPEC.md): the secret on every request, the Host checked, a
CSRF token on every POST, PDFs no-store, no client's name on disk but the files saved.
Then what each page and call does, with every PDF read back. The real server, driven
by a real browser, is tests/test_studio_browser.py.
"""

from __future__ import annotations

import io
import os
import re
import stat
from pathlib import Path

import pypdf
import pytest
import yaml
import warnings

with warnings.catch_warnings():  # Starlette 1.x would rather have httpx2; httpx is what CI installs
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from conftest import handouts, squash
from handoutkit.studio.app import Studio, create_app

PORT = 48123  # never bound: TestClient calls the app directly; the Host header names it
CLIENT = "Jordan Quillfeather"  # a name that appears nowhere else, to look for on disk


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    root = tmp_path_factory.mktemp("studio")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HANDOUTS_CONFIG", str(root / "config.yaml"))
        mp.setenv("HANDOUTS_CACHE", str(root / "cache"))
        mp.delenv("HANDOUTS_LIBRARY", raising=False)
        yield root


@pytest.fixture(scope="module")
def studio(env):
    s = Studio(env / "folder", port=PORT)
    return s


@pytest.fixture(scope="module")
def client(studio):
    with TestClient(create_app(studio), base_url=f"http://127.0.0.1:{PORT}") as c:
        yield c


def at(studio: Studio, route: str = "") -> str:
    return f"/s/{studio.secret}/{route}"


def post(client, studio, route, data=None, **headers):
    return client.post(at(studio, route), json=data or {}, headers={"X-CSRF-Token": studio.csrf, **headers})


def pdf_of(client, studio, answer) -> pypdf.PdfReader:
    assert answer["ok"], answer
    r = client.get(at(studio, answer["pdf"]))
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.headers["cache-control"] == "no-store"
    return pypdf.PdfReader(io.BytesIO(r.content))


def text_of(reader: pypdf.PdfReader) -> str:
    return squash("\n".join(p.extract_text() for p in reader.pages))


# ---- the local-server rules -------------------------------------------------------------

GET_ROUTES = ["", "packet", "packets", "settings", "handout/body-scan", "edit/body-scan", "thumb/body-scan.png",
              "static/studio.js", "packets/none.json", "pdf/none"]
POST_ROUTES = ["packet/render", "packet/save", "packet/print", "packet/forget", "settings", "edit/progress-review/duplicate",
               "edit/progress-review/draft", "edit/progress-review/save", "edit/progress-review/discard"]


@pytest.mark.parametrize("route", GET_ROUTES)
def test_every_page_needs_the_secret_and_this_machines_name(client, studio, route):
    for path in (f"/{route}", f"/s/{'x' * 43}/{route}", f"/s/{studio.secret[:-1]}/{route}", f"/s//{route}"):
        r = client.get(path)
        assert r.status_code == 403, path
        assert r.headers["cache-control"] == "no-store"
    for host in ("evil.example", f"evil.example:{PORT}", "127.0.0.1", f"127.0.0.1:{PORT + 1}", f"[::1]:{PORT}"):
        assert client.get(at(studio, route), headers={"Host": host}).status_code == 403, host
    ok = client.get(at(studio, route), headers={"Host": f"localhost:{PORT}"})
    assert ok.status_code != 403
    assert ok.headers["cache-control"].startswith(("no-store", "private"))
    assert ok.headers["x-content-type-options"] == "nosniff"
    assert ok.headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize("route", POST_ROUTES)
def test_every_change_needs_the_csrf_token_and_this_origin(client, studio, route):
    url = at(studio, route)
    assert client.post(url, json={}).status_code == 403
    assert client.post(url, json={}, headers={"X-CSRF-Token": "x" + studio.csrf[1:]} if studio.csrf[0] != "x" else {"X-CSRF-Token": "y" + studio.csrf[1:]}).status_code == 403
    assert post(client, studio, route, Origin="http://evil.example").status_code == 403
    assert post(client, studio, route, Origin=f"http://evil.example:{PORT}").status_code == 403
    assert post(client, studio, route, **{"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert post(client, studio, route, **{"Sec-Fetch-Site": "same-site"}).status_code == 403
    # A form on another site can send neither the header nor a JSON body; the token in the
    # form body is not enough either.
    assert client.post(url, data={"X-CSRF-Token": studio.csrf}).status_code == 403
    assert client.post(f"/{route}", json={}, headers={"X-CSRF-Token": studio.csrf}).status_code == 403
    assert post(client, studio, route, Origin=f"http://127.0.0.1:{PORT}",
                **{"Sec-Fetch-Site": "same-origin"}).status_code != 403


def test_the_secret_is_long_random_and_new_each_run(env):
    a, b = Studio(env / "folder"), Studio(env / "folder")
    assert a.secret != b.secret and a.csrf != b.csrf
    assert len(a.secret) >= 40 and a.secret != a.csrf


def test_pages_send_the_csrf_token_and_a_base_with_the_secret(client, studio):
    page = client.get(at(studio)).text
    assert f'<meta name="csrf-token" content="{studio.csrf}">' in page
    assert f'<base href="/s/{studio.secret}/">' in page
    csp = client.get(at(studio)).headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp


def test_nothing_is_fetched_from_elsewhere(client, studio):
    """Every script, style and picture of every page is the studio's own."""
    for route in ("", "packet", "packets", "settings", "edit/body-scan"):
        page = client.get(at(studio, route)).text
        for url in re.findall(r'(?:src|href)="([^"]*)"', page):
            assert not re.match(r"(?i)(https?:)?//", url), (route, url)
    for js in (Path(__file__).parent.parent / "handoutkit" / "studio" / "static").glob("*.js"):
        assert "http" not in js.read_text(), js


# ---- the library ---------------------------------------------------------------------------


def test_the_library_shows_a_card_per_handout(client, studio):
    page = client.get(at(studio)).text
    ids = sorted(p.stem for p in (Path(__file__).parent.parent / "handouts").glob("*.yaml"))
    for handout_id in ids:
        assert f'data-id="{handout_id}"' in page
        assert f'src="thumb/{handout_id}.png"' in page
    assert "A gentle body scan" in page and "exercise · 10 min · for client" in page
    for label in ('for="q"', 'for="topic"', 'for="kind"', 'for="audience"'):
        assert label in page
    assert '<option value="grounding">grounding</option>' in page


def test_a_thumbnail_is_the_first_page_and_bundled_ones_are_cached(client, studio, env):
    r = client.get(at(studio, "thumb/paced-breathing.png"))
    assert r.status_code == 200 and r.content.startswith(b"\x89PNG")
    from PIL import Image

    picture = Image.open(io.BytesIO(r.content))
    assert picture.width == 240 and picture.height > 300  # a portrait page
    cached = list((env / "cache" / "thumbnails").glob("paced-breathing-*.png"))
    assert len(cached) == 1 and cached[0].read_bytes() == r.content
    assert client.get(at(studio, "thumb/no-such-handout.png")).status_code == 404


def test_a_broken_handout_in_a_library_folder_shows_as_broken_in_the_clis_words(client, studio, env):
    broken = studio.own / "sleep-worries.yaml"
    broken.write_text("title: Sleep worries\nkind: worksheet\naudience: client\ntopics: [sleep]\nblockz: []\n")
    try:
        page = client.get(at(studio)).text
        cli = handouts("check", str(broken))
        assert cli.code == 1
        first = cli.out.splitlines()[0].replace(": error:", ":")  # the same problem, as `build` words it
        assert "broken" in page and "Sleep worries" not in page.split("sleep-worries.yaml")[0][-200:]
        from markupsafe import escape

        assert str(escape(first)) in page, (first, page[:3000])
        assert 'href="edit/sleep-worries"' in page  # theirs: a link to fix it
        assert client.get(at(studio, "handout/sleep-worries")).status_code == 200
    finally:
        broken.unlink()


def test_a_handout_page_shows_it_as_it_prints(client, studio):
    page = client.get(at(studio, "handout/grounding-5-4-3-2-1")).text
    token = re.search(r'<iframe class="pdf big" title="[^"]*" src="pdf/([^"#]+)#[^"]*"', page).group(1)
    r = client.get(at(studio, f"pdf/{token}"))
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["content-disposition"] == 'inline; filename="grounding-5-4-3-2-1.pdf"'
    assert "5-4-3-2-1 grounding" in text_of(pypdf.PdfReader(io.BytesIO(r.content)))
    d = client.get(at(studio, f"pdf/{token}?download=1"))
    assert d.headers["content-disposition"] == 'attachment; filename="grounding-5-4-3-2-1.pdf"'
    assert client.get(at(studio, "pdf/not-a-token")).status_code == 404
    unknown = client.get(at(studio, "handout/no-such-thing")).text
    assert "no handout with the id &#39;no-such-thing&#39;" in unknown


# ---- packets ---------------------------------------------------------------------------------

THREE = ["paced-breathing", "help-now", "grounding-5-4-3-2-1"]
TITLES = ["Paced breathing", "Getting help now", "5-4-3-2-1 grounding"]


@pytest.fixture(scope="module")
def rendered(client, studio):
    answer = post(client, studio, "packet/render", {
        "title": "Session three", "handouts": THREE,
        "values": {"client": CLIENT, "clinician": "Alex Rivera", "paper": "a4", "fillable": True,
                   "date": "2026-11-20", "theme": "print"}}).json()
    return answer, pdf_of(client, studio, answer)


def test_a_packet_renders_with_its_name_order_and_settings(rendered):
    answer, reader = rendered
    text = text_of(reader)
    assert CLIENT in text and "Alex Rivera" in text and "Session three" in text
    assert "20 November 2026" in text
    cover_list = text.split("In this packet", 1)[1]
    assert [cover_list.index(t) for t in TITLES] == sorted(cover_list.index(t) for t in TITLES)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    assert reader.get_fields()  # fillable
    assert CLIENT not in str(reader.metadata)
    assert answer["pages"] == len(reader.pages)


def test_a_download_is_named_without_the_client(client, studio, rendered):
    answer, _ = rendered
    r = client.get(at(studio, answer["pdf"] + "?download=1"))
    assert r.headers["content-disposition"] == 'attachment; filename="packet.pdf"'


@pytest.mark.parametrize("values, handouts_, where, words", [
    ({"date": "2026-13-01"}, ["body-scan"], ("fields", "date"), "'date' is text '2026-13-01' (expected a date like 2026-11-24)"),
    ({"region": "XX"}, ["body-scan"], ("fields", "region"), "unknown region 'XX' (expected one of: US, UK, CA, AU, IE)"),
    ({"paper": "legal"}, ["body-scan"], ("fields", "paper"), "'legal'"),
    ({}, ["body-scan", "body-scann"], ("items", "1"), "no handout with the id 'body-scann' (did you mean 'body-scan'?"),
    ({}, [], ("fields", "handouts"), "add at least one handout"),
])
def test_a_packet_problem_is_told_at_its_field_in_the_clis_words(client, studio, values, handouts_, where, words):
    answer = post(client, studio, "packet/render", {"handouts": handouts_, "values": values}).json()
    assert not answer["ok"]
    kind, key = where
    found = answer["errors"][kind] if key is None else answer["errors"][kind][key]
    assert any(words in m for m in found), answer


def test_the_region_problem_reads_as_the_cli_says_it(client, studio, tmp_path):
    packet = tmp_path / "p.yaml"
    packet.write_text("title: T\nhandouts: [body-scan]\nregion: XX\n")
    cli = handouts("build", str(packet), "-o", str(tmp_path / "x.pdf"))
    answer = post(client, studio, "packet/render", {"handouts": ["body-scan"], "values": {"region": "XX"}}).json()
    message = answer["errors"]["fields"].get("region", []) + answer["errors"]["general"]
    assert cli.code == 2 and any(m.split(": ", 1)[-1] in cli.err for m in message), (cli.err, message)


@pytest.fixture(scope="module")
def saved(client, studio):
    post(client, studio, "edit/couples-check-in/duplicate")  # one handout of their own in the packet
    answer = post(client, studio, "packet/save", {
        "name": "jordan-session", "title": "Session three", "handouts": [*THREE, "couples-check-in"],
        "values": {"client": CLIENT, "paper": "a4", "date": "2026-11-20", "fillable": False}}).json()
    assert answer["ok"], answer
    return studio.folder / "jordan-session.yaml"


def test_a_saved_packet_is_spec_yaml_the_cli_builds(saved, tmp_path, env):
    data = yaml.safe_load(saved.read_text())
    assert data["title"] == "Session three" and data["client"] == CLIENT and data["paper"] == "a4"
    assert data["handouts"] == [*THREE, "handouts/couples-check-in.yaml"]  # their own copy, beside the packet
    assert "fillable" not in data  # unchecked: the default, as a hand-written file leaves it out
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600  # it holds a client's name
    out = tmp_path / "out.pdf"
    cli = handouts("build", str(saved), "-o", str(out), env={"HANDOUTS_CONFIG": str(env / "config.yaml")})
    assert cli.code == 0, cli.err
    text = squash(pypdf.PdfReader(out).pages[0].extract_text())
    assert CLIENT in text and "Session three" in text


def test_saved_packets_are_listed_opened_and_duplicated(client, studio, saved):
    page = client.get(at(studio, "packets")).text
    assert "jordan-session.yaml" in page and "Session three" in page
    assert 'href="packet?open=jordan-session.yaml"' in page and 'href="packet?duplicate=jordan-session.yaml"' in page
    opened = client.get(at(studio, "packets/jordan-session.json")).json()
    assert opened["ok"] and opened["handouts"] == [*THREE, "couples-check-in"]
    assert opened["values"]["client"] == CLIENT and opened["values"]["date"] == "2026-11-20"
    missing = client.get(at(studio, "packets/nobody.json"))
    assert missing.status_code == 404 and "no such packet file" in missing.json()["messages"][0]


def test_a_broken_saved_packet_says_why(client, studio):
    bad = studio.folder / "broken.yaml"
    bad.write_text("title: X\nhandouts: [body-scan]\npaper: legal\n")
    try:
        page = client.get(at(studio, "packets")).text
        assert "cannot be opened" in page and "broken.yaml:3:" in page
    finally:
        bad.unlink()


@pytest.mark.parametrize("name, words", [
    ("", "give the packet a file name"), ("../escape", "cannot be a file name here"), (".hidden", "cannot be a file name here"),
])
def test_a_bad_file_name_is_told_at_the_name(client, studio, name, words):
    answer = post(client, studio, "packet/save", {"name": name, "handouts": ["body-scan"], "values": {}}).json()
    assert not answer["ok"] and words in answer["errors"]["fields"]["name"][0]
    assert not (studio.folder.parent / "escape.yaml").exists()


def test_a_packet_with_problems_is_not_saved(client, studio):
    answer = post(client, studio, "packet/save", {"name": "bad", "handouts": ["body-scan"], "values": {"date": "soon"}}).json()
    assert not answer["ok"] and "date" in answer["errors"]["fields"]
    assert not (studio.folder / "bad.yaml").exists()


def test_printing_sends_the_pdf_to_lp_and_keeps_no_copy(client, studio, rendered, tmp_path, monkeypatch):
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    got = tmp_path / "printed.pdf"
    (bin_ / "lp").write_text(f'#!/bin/sh\nwhile [ "$1" != "--" ]; do shift; done\ncp "$2" {got} && echo "$2" > {tmp_path / "path"}\n')
    (bin_ / "lp").chmod(0o755)
    lpstat = bin_ / "lpstat"  # a print system that is up, with an idle default printer
    lpstat.write_text('#!/bin/sh\ncase "$1" in -r) echo "scheduler is running";; -d) echo "system default destination: office";;\n'
                      ' -p) echo "printer office is idle.  enabled since today";; -a) echo "office accepting requests";; esac\n')
    lpstat.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_}{os.pathsep}{os.environ['PATH']}")
    for variable in ("LPDEST", "PRINTER"):
        monkeypatch.delenv(variable, raising=False)
    answer, _ = rendered
    r = post(client, studio, "packet/print", {"token": answer["token"]}).json()
    assert r == {"ok": True, "message": "Sent to the printer."}
    assert CLIENT in text_of(pypdf.PdfReader(got))
    printed_from = Path((tmp_path / "path").read_text().strip())
    assert printed_from.name == "packet.pdf" and not printed_from.exists() and not printed_from.parent.exists()
    (bin_ / "lp").write_text("#!/bin/sh\necho 'lp: Error - no default destination available.' >&2\nexit 1\n")
    failed = post(client, studio, "packet/print", {"token": answer["token"]}).json()
    assert not failed["ok"] and "no default destination" in failed["message"] and "/tmp" not in failed["message"]
    assert not post(client, studio, "packet/print", {"token": "gone"}).json()["ok"]


# ---- practice settings ------------------------------------------------------------------------


def test_practice_settings_are_the_config_files(client, studio, env):
    assert post(client, studio, "settings", {"practice": "Riverside Counseling", "paper": "a4", "theme": ""}).json()["ok"]
    cli = handouts("config", env={"HANDOUTS_CONFIG": str(env / "config.yaml")})
    assert "Riverside Counseling" in cli.out and "a4" in cli.out
    page = client.get(at(studio, "settings")).text
    assert 'value="Riverside Counseling"' in page and '<option value="a4" selected>' in page
    builder = client.get(at(studio, "packet")).text
    assert "Riverside Counseling (your setting)" in builder  # the packet form shows where it comes from
    wrong = post(client, studio, "settings", {"region": "XX"}).json()
    cli = handouts("config", "set", "region", "XX", env={"HANDOUTS_CONFIG": str(env / "config.yaml")})
    assert not wrong["ok"] and wrong["errors"]["fields"]["region"] == [cli.err.strip()]
    assert post(client, studio, "settings", {"practice": "", "paper": ""}).json()["ok"]
    assert "Riverside" not in (env / "config.yaml").read_text()


def test_the_packet_form_is_made_from_the_packet_model(client, studio):
    from handoutkit.models import Packet

    page = client.get(at(studio, "packet")).text
    for name in Packet.model_fields:
        if name not in ("title", "handouts", "logo"):
            assert f'id="f-{name}"' in page and f'for="f-{name}"' in page, name
    assert 'id="f-title"' in page and 'id="f-name"' in page


# ---- adapting a handout ------------------------------------------------------------------------


def test_a_bundled_handout_is_duplicated_before_it_is_edited(client, studio):
    page = client.get(at(studio, "edit/body-scan")).text
    assert 'id="duplicate"' in page and "<textarea" not in page
    assert post(client, studio, "edit/body-scan/draft", {"text": "x"}).json()["ok"] is False
    assert post(client, studio, "edit/body-scan/duplicate").json() == {"ok": True, "url": "edit/body-scan"}
    copy = studio.own / "body-scan.yaml"
    assert copy.read_bytes() == (Path(__file__).parent.parent / "handouts" / "body-scan.yaml").read_bytes()
    page = client.get(at(studio, "edit/body-scan")).text
    assert "<textarea" in page and "title: A gentle body scan" in page
    answer = post(client, studio, "edit/no-such/duplicate").json()
    assert not answer["ok"] and "no handout with the id 'no-such'" in answer["messages"][0]


def test_editing_keeps_a_draft_shows_checks_findings_at_their_line_and_saves_atomically(client, studio):
    post(client, studio, "edit/grounding-phrases/duplicate")
    path = studio.own / "grounding-phrases.yaml"
    original = path.read_text()
    lines = original.splitlines(keepends=True)
    title_line = next(i for i, line in enumerate(lines) if line.startswith("title:")) + 1
    typo = original.replace("\ntitle:", "\ntitel:", 1)
    answer = post(client, studio, "edit/grounding-phrases/draft", {"text": typo}).json()
    assert answer["draft"] and "pdf" not in answer
    draft = studio.own / ".drafts" / "grounding-phrases.yaml"
    assert draft.read_text() == typo and path.read_text() == original
    at_line = [f for f in answer["findings"] if f["line"] == title_line]
    assert at_line and "unknown key 'titel' (did you mean 'title'?" in at_line[0]["message"]
    assert at_line[0]["text"].startswith(f"{path.name}:{title_line}:1: error: ")
    (studio.folder / "typo.yaml").write_text(typo)
    cli = handouts("check", str(studio.folder / "typo.yaml"))
    assert at_line[0]["message"] in cli.out  # the CLI's own words
    (studio.folder / "typo.yaml").unlink()
    # The page opened again brings the draft back; a save with errors is refused and keeps it.
    assert "throw the draft away" in client.get(at(studio, "edit/grounding-phrases")).text
    refused = post(client, studio, "edit/grounding-phrases/save").json()
    assert not refused["ok"] and any(m.startswith(f"{path.name}:{title_line}:1:") for m in refused["messages"])
    assert path.read_text() == original and draft.exists()
    fixed = original.replace("title: Grounding phrases", "title: My grounding phrases", 1)
    answer = post(client, studio, "edit/grounding-phrases/draft", {"text": fixed}).json()
    assert not [f for f in answer["findings"] if f["level"] == "error"]
    preview = pdf_of(client, studio, answer)
    assert "My grounding phrases" in text_of(preview)
    assert post(client, studio, "edit/grounding-phrases/save").json()["ok"]
    assert path.read_text() == fixed and not draft.exists()
    # The library now shows their version, and packets use it.
    assert "My grounding phrases" in client.get(at(studio)).text
    again = post(client, studio, "edit/grounding-phrases/draft", {"text": fixed}).json()
    assert again["draft"] is False and not draft.exists()  # unchanged text leaves no draft behind


def test_a_draft_can_be_thrown_away(client, studio):
    post(client, studio, "edit/help-now/duplicate")
    post(client, studio, "edit/help-now/draft", {"text": "title: [\n"})
    assert (studio.own / ".drafts" / "help-now.yaml").exists()
    assert post(client, studio, "edit/help-now/discard").json()["ok"]
    assert not (studio.own / ".drafts" / "help-now.yaml").exists()
    answer = post(client, studio, "edit/help-now/draft", {"text": "title: [\n"}).json()
    assert answer["findings"][0]["message"].startswith("YAML syntax:")
    assert post(client, studio, "edit/help-now/draft", {}).status_code == 400


def test_no_client_name_is_written_anywhere_but_the_saved_packet(client, studio, env, rendered, saved):
    for path in env.rglob("*"):
        if path.is_file() and path != saved:
            assert CLIENT.encode() not in path.read_bytes(), path


# ---- the command ---------------------------------------------------------------------------------


def test_the_command_serves_on_loopback_and_stops_on_ctrl_c(tmp_path):
    import signal
    import socket
    import subprocess
    import sys
    import urllib.request

    env = {**os.environ, "HANDOUTS_CONFIG": str(tmp_path / "config.yaml"), "HANDOUTS_CACHE": "off",
           "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    proc = subprocess.Popen([sys.executable, "-m", "handoutkit", "studio", "--folder", str(tmp_path / "f"), "--no-open"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        first = proc.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:(\d+)/s/[A-Za-z0-9_-]{40,}/", first)
        assert url, first
        port = int(url.group(1))
        assert "packets are saved in " + str(tmp_path / "f") in proc.stdout.readline()
        with urllib.request.urlopen(url.group(0), timeout=120) as r:
            assert r.status == 200 and b"Handout library" in r.read()
        # Only on loopback: this machine's other addresses find nothing there.
        others = {a[4][0] for a in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)} - {"127.0.0.1"}
        for address in others:
            with socket.socket() as s:
                s.settimeout(5)
                assert s.connect_ex((address, port)) != 0, address
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=300)  # only a safety net: a hang fails
    finally:
        proc.kill() if proc.poll() is None else None
    assert proc.returncode == 0 and out.strip().endswith("stopped")
    assert "Traceback" not in err and "GET" not in out + err  # no request log
    assert (tmp_path / "f" / "handouts").is_dir()


@pytest.mark.parametrize("make, args, words", [
    (lambda d: (d / "file").write_text("x"), ["studio", "--folder", "{d}/file"], "this is a file, not a folder"),
    (lambda d: None, ["--library", "{d}/missing", "studio", "--folder", "{d}"], "library folder not found"),
])
def test_the_command_refuses_what_cannot_work(tmp_path, make, args, words):
    make(tmp_path)
    result = handouts(*[a.format(d=tmp_path) for a in args], "--no-open",
                      env={"HANDOUTS_CONFIG": str(tmp_path / "config.yaml")})
    assert result.code == 2 and words in result.err and "Traceback" not in result.err


def test_a_port_in_use_is_refused_in_words(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = handouts("studio", "--no-open", "--folder", str(tmp_path), "--port", str(port),
                          env={"HANDOUTS_CONFIG": str(tmp_path / "config.yaml")})
    assert result.code == 2 and f"cannot listen on 127.0.0.1:{port}" in result.err and "choose another --port" in result.err


@pytest.mark.filterwarnings("ignore:Field name .copy. .* shadows")
def test_options_other_parts_add_to_packets_appear_in_the_form(monkeypatch):
    """`copy`, `discreet` and `discreet_title` (SPEC.md) come from the Packet model as soon as
    it has them: a choice, a checkbox and a text field, each with its label."""
    from typing import Literal, Optional

    from handoutkit import models
    from handoutkit.studio import form

    class Grown(models.Packet):
        copy: Optional[Literal["client", "clinician"]] = None
        discreet: Optional[bool] = None
        discreet_title: Optional[str] = None

    monkeypatch.setattr(models, "Packet", Grown)
    controls = {c.name: c for c in form.controls()}
    assert controls["copy"].widget == "choice" and [v for v, _ in controls["copy"].choices] == ["client", "clinician"]
    assert controls["discreet"].widget == "checkbox" and controls["discreet"].label.startswith("Discreet")
    assert controls["discreet_title"].widget == "text" and controls["discreet_title"].label == "Neutral title"
    assert form.coerce("discreet", True) is True and form.coerce("discreet", False) is None
    assert form.coerce("copy", "clinician") == "clinician"
    from handoutkit.studio import packets

    data = packets.data_of({"discreet": True, "discreet_title": "Session notes", "copy": ""}, ["body-scan"], "T")
    assert data == {"title": "T", "handouts": ["body-scan"], "discreet": True, "discreet_title": "Session notes"}
    assert packets.download_name(Grown(title="T", handouts=["body-scan"], discreet=True,
                                       discreet_title="Session notes"), []) == "session-notes.pdf"


def test_a_bug_while_rendering_is_told_on_the_page_and_the_studio_goes_on(client, studio, monkeypatch):
    from handoutkit import build

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(build, "render_job", broken)
    answer = post(client, studio, "packet/render", {"handouts": ["body-scan"], "values": {}}).json()
    assert answer["ok"] is False
    assert answer["errors"]["general"] == ["handoutkit hit an internal error, which is a bug: RuntimeError: a bug"]
    monkeypatch.undo()
    assert client.get(at(studio)).status_code == 200


def test_the_packet_being_built_is_kept_in_memory_between_pages(client, studio):
    import json

    def current():
        page = client.get(at(studio, "packet")).text
        return json.loads(re.search(r'<script type="application/json" id="current-data">(.*?)</script>', page).group(1))

    post(client, studio, "packet/render", {"title": "Kept", "handouts": ["body-scan"], "values": {"client": "Sam"},
                                           "name": "sam"})
    assert current() == {"title": "Kept", "handouts": ["body-scan"], "values": {"client": "Sam"}, "name": "sam"}
    assert post(client, studio, "packet/forget").json() == {"ok": True}
    assert current() is None


def test_a_saved_packets_logo_is_kept_when_it_is_opened_and_saved_again(client, studio):
    from PIL import Image

    Image.new("RGB", (40, 20), (30, 90, 140)).save(studio.folder / "logo.png")
    (studio.folder / "with-logo.yaml").write_text("title: Logo\nhandouts: [body-scan]\nlogo: logo.png\n")
    opened = client.get(at(studio, "packets/with-logo.json")).json()
    assert opened["values"]["logo"] == "logo.png"
    assert 'type="hidden" name="logo"' in client.get(at(studio, "packet")).text
    answer = post(client, studio, "packet/save", {"name": "with-logo", "title": "Logo", "handouts": ["body-scan"],
                                                  "values": opened["values"]}).json()
    assert answer["ok"], answer
    assert yaml.safe_load((studio.folder / "with-logo.yaml").read_text())["logo"] == "logo.png"

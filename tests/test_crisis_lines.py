"""The crisis-line data file: its shape, its agreement with CONTENT.md's checked table,
the coverage each help box prints, and `check`'s warning six months after a check."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from conftest import handouts, pdf_text, squash
from handoutkit import crisis, paths
from handoutkit.check import check
from handoutkit.library import Library

DATA = yaml.safe_load((paths.DATA / "crisis-lines.yaml").read_text(encoding="utf-8"))
LINE_KEYS = {"service", "contact", "channels", "checked", "source", "coverage", "languages", "note",
             "emergency", "youth", "pointer", "say"}  # say: {es: {...}, fr: {...}}, the words in another language
ALL_LINES = [(region, line) for region, entry in DATA["regions"].items() for line in entry["lines"]]


def _content_md() -> Path | None:
    """CONTENT.md beside the checkout (or beside its folder of worktrees), when it is there."""
    here = Path(__file__).resolve()
    return next((f / "shared" / "CONTENT.md" for f in here.parents[1:4] if (f / "shared" / "CONTENT.md").exists()), None)


def test_the_data_files_shape():
    assert set(DATA) == {"confirm", "regions"}
    assert set(DATA["regions"]) == {"US", "UK", "CA", "AU", "IE"}
    for region, entry in DATA["regions"].items():
        assert set(entry) <= {"name", "lines", "say"} and entry["name"] and entry["lines"]
        assert entry["lines"][0]["service"] == "Emergency" and entry["lines"][0]["emergency"], region
    for region, line in ALL_LINES:
        where = f"{region} {line.get('service')}"
        assert set(line) <= LINE_KEYS, where
        assert isinstance(line["service"], str) and isinstance(line["contact"], str), where
        assert isinstance(line["checked"], dt.date), where
        assert dt.date(2026, 1, 1) <= line["checked"] <= dt.date.today(), where
        assert set(line["channels"]) <= set(crisis.CHANNELS) and len(set(line["channels"])) == len(line["channels"]), where
        for key in ("coverage", "languages", "note", "source"):
            assert line.get(key) is None or (isinstance(line[key], str) and line[key].strip()), where
        if line.get("pointer"):  # advice where there is no line: nothing to call, nowhere to cite
            assert line["channels"] == [] and "source" not in line, where
            continue
        assert line["channels"], where
        assert line.get("emergency") or line.get("source"), f"{where}: a source for the check"


@pytest.mark.parametrize("region, line", ALL_LINES, ids=[f"{r}-{l['service']}" for r, l in ALL_LINES])
def test_channels_say_what_the_contact_says(region, line):
    """The channels are the contact's own words, so the two cannot drift apart."""
    contact = line["contact"].lower()
    if line.get("pointer"):
        return
    assert ("text" in line["channels"]) == ("text " in contact), contact
    assert ("chat" in line["channels"]) == ("chat " in contact), contact
    assert ("tty" in line["channels"]) == ("tty " in contact), contact
    phone = [part for part in contact.replace(" or ", ";").split(";")
             if not part.strip().startswith(("text", "chat", "tty")) and any(c.isdigit() for c in part)]
    assert ("call" in line["channels"]) == bool(phone or contact.startswith("call")), contact


def test_the_data_file_matches_content_md_row_by_row():
    """Each row of CONTENT.md's checked table, in order: service, contact, what it prints
    about coverage and languages, its source, and the month of the check."""
    content = _content_md()
    if content is None:
        pytest.skip("shared/CONTENT.md is not beside this checkout")
    text = content.read_text(encoding="utf-8")
    heading = next(l for l in text.splitlines() if l.startswith("## Crisis and support lines"))
    month = heading.split("(checked ")[1].rstrip(")")
    rows = [[c.strip() for c in l.strip().strip("|").split("|")] for l in text.splitlines()
            if l.startswith("| ") and l.split("|")[1].strip() in DATA["regions"]]
    assert len(rows) == len(ALL_LINES)
    for (region, service, contact, about, source), (data_region, line) in zip(rows, ALL_LINES):
        assert region == data_region
        assert crisis._month_year(line["checked"]) == month, service
        if line.get("pointer"):
            assert contact == f'print: "{line["contact"]}"' and source == "—"
            continue
        assert (service, contact) == (line["service"], line["contact"])
        assert source == (line.get("source") or "—")
        printed = "; ".join(filter(None, [line.get("coverage"), line.get("languages")]))
        expected = about.split("; opening hours")[0]  # Scotland: the hours become its note
        assert printed == expected, service
        if line.get("note"):
            assert f'print "{line["note"]}"' in about


def test_a_region_is_as_old_as_its_oldest_line(monkeypatch):
    data = yaml.safe_load((paths.DATA / "crisis-lines.yaml").read_text(encoding="utf-8"))
    data["regions"]["UK"]["lines"][2]["checked"] = dt.date(2026, 3, 15)
    monkeypatch.setattr(crisis, "_data", lambda: data)
    assert crisis.checked_on("UK") == dt.date(2026, 3, 15)
    assert crisis.lines_for("UK")["checked"] == "March 2026"
    assert crisis.stale("UK", dt.date(2026, 9, 15)) is None
    assert "checked in March 2026, over six months ago" in crisis.stale("UK", dt.date(2026, 9, 16))
    assert crisis.stale("US", dt.date(2026, 9, 16)) is None


def test_six_months_to_the_day():
    checked = crisis.checked_on("US")
    assert checked == dt.date(2026, 11, 1)
    assert crisis.stale("US", dt.date(2027, 5, 1)) is None
    assert crisis.stale("US", dt.date(2027, 5, 2)).startswith(
        "the United States crisis lines were checked in November 2026, over six months ago: confirm each number")
    assert crisis._months_later(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("lines")
    (folder / "help-box.yaml").write_text(
        "title: Help box\nkind: handout\naudience: clinician\ntopics: [help]\n"
        "blocks:\n  - type: text\n    body: Lines.\n  - type: resources\n  - type: resources\n    region: IE\n",
        encoding="utf-8")
    (folder / "uk.yaml").write_text("title: UK packet\nhandouts: [help-box.yaml]\nregion: UK\n", encoding="utf-8")
    (folder / "plain.yaml").write_text("title: No region\nhandouts: [help-box.yaml]\n", encoding="utf-8")
    return folder


def _warnings(folder: Path, name: str, today: dt.date, region: str = "US") -> list[str]:
    report = check([folder / name], Library(), render_pages=False, today=today, region=region)
    return [f"{f.line}:{f.col}: {f.message}" for f in report.findings if "crisis lines were checked" in f.message]


def test_check_warns_at_each_help_box_after_six_months(folder: Path):
    assert _warnings(folder, "help-box.yaml", dt.date(2027, 5, 1)) == []
    later = _warnings(folder, "help-box.yaml", dt.date(2027, 6, 1))
    assert [w.split(": the ")[0] for w in later] == ["8:5", "9:5"]
    assert "the United States crisis lines" in later[0] and "the Ireland crisis lines" in later[1]
    # A box that names no region prints the config's: the check says that region's.
    assert "the United Kingdom crisis lines" in _warnings(folder, "help-box.yaml", dt.date(2027, 6, 1), "UK")[0]


def test_check_warns_at_a_packets_region(folder: Path):
    assert _warnings(folder, "uk.yaml", dt.date(2027, 5, 1)) == []
    found = _warnings(folder, "uk.yaml", dt.date(2027, 6, 1))
    assert len(found) == 2 and all(w.startswith("3:9: ") for w in found)
    assert {"Ireland", "United Kingdom"} == {w.split("the ")[1].split(" crisis")[0] for w in found}
    plain = _warnings(folder, "plain.yaml", dt.date(2027, 6, 1))
    assert plain and all(w.startswith("2:11: ") for w in plain)  # at `handouts`: no region to point at


def test_check_today_passes(folder: Path):
    result = handouts("check", "--strict", "--no-pages", str(folder / "uk.yaml"))
    assert result.code == 0, result.text


@pytest.fixture(scope="module")
def uk_text(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("uk") / "help.pdf"
    result = handouts("build", "help-now", "--region", "UK", "-o", str(out))
    assert result.code == 0, result.text
    return squash(pdf_text(out))


@pytest.mark.parametrize("line", crisis.lines_for("UK")["lines"], ids=lambda line: line["service"])
def test_each_uk_line_prints_with_its_coverage(uk_text: str, line: dict):
    """A client in Scotland, Northern Ireland or England finds the line that serves them:
    its coverage follows its number in the help box."""
    printed = f"{line['service']}: {line['contact']}" + (f" ({line['note']})" if line["note"] else "")
    if line["coverage"]:
        printed += f" — {line['coverage']}"
    assert printed in uk_text


def test_the_clients_help_box_says_when_not_to_confirm(uk_text: str):
    assert "These United Kingdom numbers were checked in November 2026." in uk_text
    assert "confirm" not in uk_text.lower()

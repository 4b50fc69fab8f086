"""Fuzzing with Hypothesis: what any author can write must either print or be explained.

* Valid modules, generated from the block types in ``handoutkit.models``, always render
  to a PDF (in-process: loading, validating and rendering as a build does).
* Broken YAML (dropped lines and keys, wrong types, random bytes, truncation, YAML soup)
  always gives an ``InputError`` whose every problem points at a real line, and never any
  other exception; a handful go through the real command too.

Bounded and repeatable: ``derandomize=True`` (the same examples on every run of the same
command, as in CI; Hypothesis also draws constants from the project's imported modules,
so running one test alone may draw others), no example database, no deadline, and example
counts that keep this file well under a minute on two cores. A plain sweep of edits over
every line backs the random mutations up with the same cases every time.
"""

from __future__ import annotations

import datetime as dt
import random
import string
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, ROOT, handouts
from handoutkit import crisis, models, paths, sources
from handoutkit.errors import InputError
from handoutkit.library import Library, is_packet, load_module
from handoutkit.validate import validate

FUZZ = dict(derandomize=True, database=None, deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# ---- valid modules ------------------------------------------------------------------------

# Letters, Markdown and template punctuation, accents, right-to-left, CJK, an emoji and
# invisible marks: everything an author might paste in. (Control characters are refused
# at the value: tests/test_terminal.py.)
_ALPHABET = st.sampled_from(
    list(string.ascii_letters + string.digits + " .,;:!?'\"()[]{}<>*_`#>-+=/\\|&%@~^$\n\t")
    + list("éüßøñçÆ—–…“”‘’«»") + list("שלוםمرحبا") + list("你好世界") + ["😀", "\u200b", "\u200f"]
)


def _text(max_size: int = 30) -> st.SearchStrategy[str]:
    # No Markdown images: a valid module may not fetch a picture that is not there.
    return st.text(_ALPHABET, min_size=1, max_size=max_size).filter(lambda s: "![" not in s)


_word = st.text(st.sampled_from(string.ascii_lowercase + string.digits), min_size=1, max_size=8)
_topic = st.lists(_word, min_size=1, max_size=3).map(" ".join)
_id = st.lists(_word, min_size=1, max_size=3).map("-".join)


def _maybe(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(st.none(), strategy)


def _block(kind: str, **fields: st.SearchStrategy) -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries({"type": st.just(kind), **fields}, optional={"title": _text()})


@st.composite
def _scale(draw) -> dict:
    low = draw(st.integers(0, 90))
    high = draw(st.integers(low + 1, low + 10))
    labels = draw(st.dictionaries(st.integers(low, high), _text(), max_size=3))
    block = {"type": "scale", "question": draw(_text()), "min": low, "max": high, "labels": labels}
    if draw(st.booleans()):
        block["title"] = draw(_text())
    return block


@st.composite
def _table(draw) -> dict:
    columns = draw(st.lists(_text(12), min_size=1, max_size=8))
    cell = st.one_of(st.just(""), _text(12))
    rows = draw(st.lists(st.lists(cell, min_size=len(columns), max_size=len(columns)), min_size=1, max_size=3))
    return {"type": "table", "columns": columns, "rows": rows}


_items = st.lists(_text(), min_size=1, max_size=4)
BLOCKS = {
    "text": _block("text", body=_text(200)),
    "list": _block("list", items=_items, style=st.sampled_from(["bullet", "numbered"])),
    "examples": _block("examples", items=_items, note=_maybe(_text())).map(
        lambda b: {k: v for k, v in b.items() if v is not None}),
    "checklist": _block("checklist", items=_items),
    "steps": _block("steps", items=st.lists(st.one_of(
        _text(), st.fixed_dictionaries({"text": _text()}, optional={
            "minutes": st.one_of(st.integers(1, 120), st.floats(0.1, 120, allow_nan=False).map(lambda f: round(f, 2)))}),
    ), min_size=1, max_size=4)),
    "prompts": _block("prompts", items=st.lists(st.one_of(
        _text(), st.fixed_dictionaries({"question": _text()}, optional={"lines": st.integers(1, 30)}),
    ), min_size=1, max_size=3)),
    "scale": _scale(),
    "script": _block("script", lines=st.lists(
        st.fixed_dictionaries({"speaker": _text(12), "say": _text()}), min_size=1, max_size=4)),
    "callout": _block("callout", body=_text(120), tone=st.sampled_from(["info", "important", "support"])),
    "table": _table(),
    "resources": st.fixed_dictionaries({"type": st.just("resources")},
                                       optional={"region": st.sampled_from(crisis.regions())}),
}


def test_the_strategy_knows_every_block_type():
    assert set(BLOCKS) == set(models.BLOCK_TYPES), "a new block type needs a strategy here"


MODULES = st.fixed_dictionaries(
    {
        "title": _text(),
        "kind": st.sampled_from(models.KINDS),
        "audience": st.sampled_from(models.AUDIENCES),
        "topics": st.lists(_topic, min_size=1, max_size=3),
        "blocks": st.lists(st.one_of(*BLOCKS.values()), min_size=1, max_size=5),
    },
    optional={
        "id": _id,
        "subtitle": _text(),
        "minutes": st.integers(1, 240),
        "pages": st.integers(1, 20),
        "content_note": _text(60),
        "summary": st.lists(_text(), min_size=1, max_size=5),
        "sources": st.lists(st.fixed_dictionaries({"title": _text()}, optional={
            "publisher": _text(), "url": st.sampled_from(["https://example.org/a", "http://example.org/b", "ftp://x", "../notes.txt"]),
            "year": st.integers(1900, 2100)}), min_size=1, max_size=2),
        "reviewed": st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)),
        "version": _text(8),
        "license": _text(12),
    },
)

SETTINGS = st.fixed_dictionaries({
    "paper": st.sampled_from(models.PAPERS),
    "theme": st.sampled_from(models.THEMES),
    "fillable": st.booleans(),
    "client": _maybe(_text(20)),
    "region": st.sampled_from(crisis.regions()),
})


@pytest.fixture(scope="module")
def library() -> Library:
    return Library()


@settings(max_examples=15, **FUZZ)
@given(module=MODULES, options=SETTINGS)
def test_every_valid_module_renders_to_a_pdf(library, module, options):
    from handoutkit.build import Job, render_job
    from handoutkit.settings import Settings

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzzed.yaml"
        path.write_text(yaml.safe_dump(module, allow_unicode=True, sort_keys=False), encoding="utf-8")
        loaded = load_module(path)  # through the real loader and validator
        job = Job(loaded.module.title, [loaded], Settings(date=dt.date(2026, 11, 24), **options).checked(),
                  "fuzzed.pdf", [Path(folder)])
        result = render_job(job, library)
    assert result.rendered.pdf.startswith(b"%PDF-")
    assert result.rendered.pages >= 1


# ---- broken input ------------------------------------------------------------------------

BASES = {
    "all-blocks": (FIXTURES / "all-blocks.yaml").read_text(encoding="utf-8"),
    "packet": (
        "title: Session 3\nhandouts: [help-now, grounding-5-4-3-2-1]\nclient: Jordan\n"
        "clinician: Alex Rivera, LMFT\ndate: 2026-11-24\nregion: US\npaper: letter\n"
        "theme: default\nfillable: false\ncover: true\nlang: en\n"
    ),
}
WRONG_VALUES = ["[1, 2]", "{a: b}", "42", "-1", "3.5", "true", "null", "~", "''", "2026-13-45", "[]", "{}",
                "&x [*x]", "*nowhere", "!!python/name:os.system", "!!int many", "|", ">-", "'unclosed", "\"unclosed",
                "- a\n- b"]
# One of each kind, for the sweep over every line.
SWEEP_VALUES = ["[1, 2]", "{a: b}", "42", "true", "null", "2026-13-45", "!!int many", "'unclosed", "*nowhere"]


def _mutate(text: str, rng: random.Random) -> bytes:
    """One to three edits an author (or a broken disk) might make."""
    for _ in range(rng.randint(1, 3)):
        lines = text.split("\n")
        i = rng.randrange(len(lines))
        kind = rng.randrange(8)
        if kind == 0:  # drop a line: a key, an item, a value
            del lines[i]
        elif kind == 1:  # drop a key with everything under it
            indent = len(lines[i]) - len(lines[i].lstrip())
            j = i + 1
            while j < len(lines) and (len(lines[j]) - len(lines[j].lstrip()) > indent or not lines[j].strip()):
                j += 1
            del lines[i:j]
        elif kind == 2 and ":" in lines[i]:  # a value of the wrong type
            key = lines[i].split(":", 1)[0]
            lines[i] = f"{key}: {rng.choice(WRONG_VALUES)}"
        elif kind == 3:  # re-indent a line
            lines[i] = " " * rng.randrange(6) + lines[i].lstrip()
        elif kind == 4:  # duplicate a line
            lines.insert(i, lines[i])
        elif kind == 5:  # swap two lines
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == 6:  # truncate
            text = text[: rng.randrange(len(text) + 1)]
            continue
        else:  # stray characters
            cut = rng.randrange(len(lines[i]) + 1)
            lines[i] = lines[i][:cut] + rng.choice([":", "- ", "[", "{", "]", "}", "#", "&a", "*a", "'", '"', "\t", "%", "@", "`", "|"]) + lines[i][cut:]
        text = "\n".join(lines)
    data = text.encode("utf-8")
    if rng.random() < 0.15:  # random bytes: a damaged or mis-saved file
        at = rng.randrange(len(data) + 1)
        data = data[:at] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 4))) + data[at:]
    return data


def _check(data: bytes) -> list:
    """Load and validate as a build does; the problems, or [] when the file is valid."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mutated.yaml"
        path.write_bytes(data)
        try:
            source = sources.load(path)
            validate(source, models.Packet if is_packet(source) else models.Module)
        except InputError as exc:
            return _located(exc, data)
    return []


def _located(exc: InputError, data: bytes) -> list:
    lines = data.count(b"\n") + 1
    assert exc.problems, "an InputError must say what is wrong"
    for problem in exc.problems:
        assert 1 <= problem.line <= lines + 1 and problem.col >= 1, f"{problem} (the file has {lines} lines)"
        assert problem.message.strip(), problem
    return exc.problems


@settings(max_examples=300, **FUZZ)
@given(base=st.sampled_from(sorted(BASES)), seed=st.integers(0, 2**32 - 1))
def test_mutated_yaml_gives_located_problems_or_loads(base, seed):
    _check(_mutate(BASES[base], random.Random(seed)))


@settings(max_examples=150, **FUZZ)
@given(data=st.binary(max_size=300))
def test_random_bytes_give_located_problems(data):
    _check(data)


_YAML_SOUP = st.text(st.sampled_from(list(":-[]{}&*!|>'\"%@`#,?~ \n\tab01") + ["\x00", "\x0c", "\ufeff", "é", "<"]),
                     max_size=80)


@settings(max_examples=300, **FUZZ)
@given(text=_YAML_SOUP)
def test_yaml_soup_gives_located_problems(text):
    _check(text.encode("utf-8"))


@settings(max_examples=100, **FUZZ)
@given(prefix=st.sampled_from(["title: T\nkind: handout\naudience: client\ntopics: [t]\nblocks:\n  - type: text\n    body: ", ""]),
       value=st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=5),
                                    st.dates()),
                          lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=3)),
                          max_leaves=12))
def test_any_yaml_value_anywhere_gives_located_problems(prefix, value):
    dumped = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True).strip()
    if prefix:
        dumped = prefix + dumped.replace("\n", " ")
    _check(dumped.encode("utf-8"))


def _every_edit(text: str):
    """Each line dropped, the file cut after each line, and each key given each wrong value."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        yield "\n".join(lines[:i] + lines[i + 1:])
        yield "\n".join(lines[:i])
        if ":" in line:
            key = line.split(":", 1)[0]
            for value in SWEEP_VALUES:
                yield "\n".join(lines[:i] + [f"{key}: {value}"] + lines[i + 1:])


@pytest.mark.parametrize("base", sorted(BASES))
def test_every_systematic_edit_gives_located_problems_or_loads(base):
    # Hypothesis mines constants from the project's own modules, so which examples a
    # derandomized run draws depends on what has been imported; this sweep does not.
    for text in _every_edit(BASES[base]):
        _check(text.encode("utf-8"))


# ---- a handful through the real command ---------------------------------------------------


def _failing_mutations(count: int) -> list[tuple[bytes, list]]:
    found, seed = [], 0
    while len(found) < count:
        data = _mutate(BASES["all-blocks"], random.Random(f"cli-{seed}"))
        seed += 1
        problems = _check(data)
        if problems:
            found.append((data, problems))
    return found


@pytest.mark.parametrize("index", range(4))
def test_the_command_reports_mutations_plainly(tmp_path: Path, index: int):
    data, problems = _failing_mutations(4)[index]
    module = tmp_path / "mutated.yaml"
    module.write_bytes(data)
    out = tmp_path / "out"
    out.mkdir()
    result = handouts("build", str(module), cwd=out)
    assert result.code == 2, result.text
    assert "Traceback" not in result.text and "internal error" not in result.text
    # The same problems as in-process, one line each, with the real path.
    assert result.err.splitlines() == [f"{module}:{p.line}:{p.col}: {p.message}" for p in problems]
    assert not list(out.iterdir())


# ---- the two YAML readers -------------------------------------------------------------------
# `sources.load` reads with libyaml where it can and with PyYAML where it must. A file read
# by either must give the same data at the same lines and columns, or a build would point
# at the wrong place.


def _both_readings(text: str) -> None:
    try:
        fast = sources._fast(Path("x.yaml"), text)
    except Exception as exc:  # noqa: BLE001 - the fast reader must never raise
        raise AssertionError(f"the libyaml reader raised {exc!r}") from None
    if fast is None:
        return
    try:
        careful = sources._careful(Path("x.yaml"), text)
    except InputError:
        return  # PyYAML refuses what libyaml reads (a rare '?' or indentation case): not a disagreement on data
    assert (fast.data, fast.values, fast.keys) == (careful.data, careful.values, careful.keys), text


def test_both_readers_agree_on_every_bundled_and_example_file():
    files = [*sorted(Path(paths.HANDOUTS).glob("*.yaml")), *sorted((ROOT / "examples").glob("*.yaml")), *sorted(FIXTURES.rglob("*.yaml"))]
    read_fast = 0
    for path in files:
        text = path.read_bytes().decode("utf-8", "replace")
        _both_readings(text)
        read_fast += sources._fast(path, text) is not None
    assert read_fast >= len(list(Path(paths.HANDOUTS).glob("*.yaml"))), "libyaml should read every bundled module"


@settings(max_examples=300, **FUZZ)
@given(base=st.sampled_from(sorted(BASES)), seed=st.integers(0, 2**32 - 1))
def test_both_readers_agree_on_mutated_yaml(base, seed):
    _both_readings(_mutate(BASES[base], random.Random(seed)).decode("utf-8", "replace"))


@settings(max_examples=300, **FUZZ)
@given(text=_YAML_SOUP)
def test_both_readers_agree_on_yaml_soup(text):
    _both_readings(text)

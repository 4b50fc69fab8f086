"""Page templates get data, never objects (sandbox.py, context.py).

A library folder from a stranger may carry override templates. Each attempt below is one
such template (``templates/blocks/text.html.j2`` in a library folder) trying to read,
list or write a file, reach Python's insides, misuse formatting, or exhaust time or
memory. Every one ends in exit 2 with ``template-file:line:`` and what is wrong, no
traceback, no PDF, nothing in the template cache, within a bound on the child's CPU
time; whichever command rendered it (`build`, `check`, `preview`).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import pickle
import resource
import subprocess
import sys
import types
from pathlib import Path

import pytest
from jinja2.bccache import bc_magic

from conftest import ROOT
from test_templatecache import cache, compiled  # noqa: F401 - fixtures: an empty cache folder, and a spy on compiling
from handoutkit import build, context, paths, render, sandbox, templatecache
from handoutkit.library import Library, LoadedModule
from handoutkit.models import Module
from handoutkit.preview import Preview
from handoutkit.settings import Settings

DAY = dt.date(2026, 11, 24)
CPU_SECONDS = 60  # generous: each case needs about one second beyond start-up
OVERRIDE = Path("templates") / "blocks" / "text.html.j2"
# Every block type, and two handouts for a cover: every bundled template is used.
TARGETS = [str(ROOT / "tests" / "fixtures" / "all-blocks.yaml"), "grounding-5-4-3-2-1"]

UNDEFINED = "is undefined"
UNSAFE = "is unsafe"
NO_CALL = "cannot be called in a template"

# name: (the override template, the line the message names, words the message holds)
ATTEMPTS: dict[str, tuple[str, int, str]] = {
    # reading, listing and writing files
    "read a file by include": ('<p>\n{% include "../../../../../../etc/passwd" %}\n', 2, "etc/passwd"),
    "read a file through a value's path": ("{{ s.logo.read_text() }}", 1, "has no attribute 'logo'"),
    "read a file through a handout's path": ("{{ doc.handouts[0].path.read_text() }}", 1, "has no attribute 'path'"),
    "list a folder": ("{{ doc.stylesheets[0].parent.glob('*') | list }}", 1, "has no attribute 'parent'"),
    "write a file through os": ("<div>\n{{ cycler.__init__.__globals__.os.popen('touch PWNED').read() }}</div>", 2, UNSAFE),
    "write a file through lipsum": ("{{ lipsum.__globals__['os'].system('touch PWNED') }}", 1, UNDEFINED),
    "write through a method's self": ("{{ field_name.__self__.used }}", 1, UNSAFE),
    # plain mistakes, which raise Python errors rather than Jinja's
    "divide by zero": ("<p>\n{{ 1 / 0 }}</p>", 2, "division by zero"),
    # reaching Python's insides
    "__class__": ("{{ doc.title.__class__ }}", 1, UNSAFE),
    "mro": ("{{ (1).__class__.mro() }}", 1, UNSAFE),
    "__subclasses__": ("{{ ''.__class__.__base__.__subclasses__() }}", 1, UNSAFE),
    "__globals__": ("{{ range.__globals__ }}", 1, UNSAFE),
    "a macro's globals": ("{% macro m() %}{% endmacro %}\n{{ m._func.__globals__ }}", 2, UNSAFE),
    "self's context": ("{{ self._TemplateReference__context }}", 1, UNSAFE),
    # calling methods of data
    "a string method": ("<p>{{ block.body.lower() }}</p>", 1, NO_CALL),
    "a date method": ("{{ doc.date.strftime('%Y') }}", 1, NO_CALL),
    "a mapping method": ("{{ doc.copy() }}", 1, "has no attribute 'copy'"),
    "join a string": ("{{ ''.join(['a', 'b']) }}", 1, NO_CALL),
    "a loop method": ("{% for x in [1, 2] %}{{ loop.cycle('a', 'b') }}{% endfor %}", 1, NO_CALL),
    # misusing format
    "str.format": ("{{ '{0.__class__.__mro__}'.format(doc) }}", 1, NO_CALL),
    "the format filter": ("{{ '%s' | format(doc) }}", 1, "No filter named 'format'"),
    "the attr filter": ("{{ doc | attr('__class__') }}", 1, "No filter named 'attr'"),
    "the map filter": ("{{ doc.handouts | map(attribute='module') | list }}", 1, "No filter named 'map'"),
    "% formatting": ("{{ '%999999999d' % 1 }}", 1, "'%' formatting is not available"),
    # changing what a later render sees
    "assign to data": ("{% set doc.title = 'Mine' %}", 1, "non-namespace object"),
    "a namespace": ("{% set ns = namespace(n=1) %}", 1, UNDEFINED),
    "append to data": ("{{ doc.handouts.append(1) }}", 1, "has no attribute 'append'"),
    # time
    "a billion loops": ("{% for i in range(1000) %}\n{% for j in range(1000) %}{% for k in range(1000) %}{% endfor %}{% endfor %}{% endfor %}",
                        2, "too much work"),
    "a huge range": ("{% for i in range(10 ** 9) %}{% endfor %}", 1, "a template may count to"),
    "endless macro recursion": ("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}\n{{ f(0) }}", 1, "deep"),
    "a template that includes itself": ('{% include "blocks/text.html.j2" %}', 1, "nested too deeply"),
    "exponential macros": ("{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}\n{{ f(40) }}",
                           1, "too much work"),
    # memory
    "doubling a string": ("{% macro f(s, n) %}{% if n %}{{ f(s ~ s, n - 1) }}{% endif %}{% endmacro %}\n{{ f('xx', 60) }}",
                          1, "longer than"),
    "repeating a string": ("{{ 'x' * 10 ** 9 }}", 1, "longer than"),
    "a huge power": ("{{ 9 ** 9 ** 9 }}", 1, "bits"),
    "multiplying numbers": ("{% macro f(n, k) %}{% if k %}{{ f(n * n, k - 1) }}{% endif %}{% endmacro %}\n{{ f(3, 40) }}",
                            1, "bits"),
    "replace amplifies": ("{{ 'abcdefghij' | replace('', 'abcdefghij') | replace('', 'abcdefghij') | replace('', 'abcdefghij') | replace('', 'abcdefghij') | replace('', 'abcdefghij') }}",
                          1, "longer than"),
    "its own text without end": ("{% for i in range(10000) %}\n{% for j in range(10000) %}" + "<p>words</p>" * 500
                                 + "{% endfor %}{% endfor %}", 2, "prints more than"),
    "printing without end": ("{% for i in range(10000) %}{% for j in range(10000) %}{{ doc }}{% endfor %}{% endfor %}",
                             1, "prints more than"),
}


def _limited_cpu() -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS + 5))


def run(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """`handouts ARGS…` in a fresh process whose CPU time is bounded (not its wall time)."""
    full = {k: v for k, v in os.environ.items() if k != "HANDOUTS_LIBRARY"} | env
    return subprocess.run([sys.executable, "-m", "handoutkit", *args], cwd=cwd, env=full, capture_output=True,
                          text=True, timeout=600, preexec_fn=_limited_cpu)


def _library(tmp_path: Path, template: str | None) -> Path:
    library = tmp_path / "lib"
    (library / OVERRIDE).parent.mkdir(parents=True)
    (library / "plain.yaml").write_text(
        "id: hostile-plain\ntitle: Plain\nkind: handout\naudience: client\ntopics: [testing]\n"
        "blocks:\n  - type: text\n    body: Plain words.\n", encoding="utf-8")
    if template is not None:
        (library / OVERRIDE).write_text(template, encoding="utf-8")
    return library


def _refused(result: subprocess.CompletedProcess, library: Path, line: int, words: str) -> None:
    text = result.stdout + result.stderr
    assert result.returncode == 2, text
    assert "Traceback" not in text and "internal error" not in text, text
    first = result.stderr.strip().splitlines()[0]
    assert first.startswith(f"{library / OVERRIDE}:{line}:"), first
    assert "template error" in first and words in first, first


@pytest.mark.parametrize("name", sorted(ATTEMPTS))
def test_a_hostile_override_template_is_refused(tmp_path: Path, name: str):
    template, line, words = ATTEMPTS[name]
    library = _library(tmp_path, template)
    out, cache = tmp_path / "out", tmp_path / "cache"
    out.mkdir()
    result = run("--library", str(library), "build", "hostile-plain", "-o", str(out / "out.pdf"), "--html",
                 str(out / "out.html"), cwd=out, env={"HANDOUTS_CACHE": str(cache)})
    _refused(result, library, line, words)
    assert list(out.iterdir()) == [], "a refused template wrote something"
    assert not cache.exists() or list(cache.iterdir()) == [], "a failed build kept compiled templates"
    assert not list(tmp_path.rglob("PWNED"))


def test_a_template_that_is_not_utf8_is_named_at_its_line(tmp_path: Path):
    library = _library(tmp_path, None)
    (library / OVERRIDE).write_bytes(b"<p>\n\xff\xfe{{ x }}</p>\n")
    result = run("--library", str(library), "build", "hostile-plain", "-o", str(tmp_path / "out.pdf"), cwd=tmp_path, env={})
    _refused(result, library, 2, "not UTF-8")
    assert not (tmp_path / "out.pdf").exists()


def test_a_template_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path):
    from handoutkit import limits

    library = _library(tmp_path, None)
    (library / OVERRIDE).write_text("<p>x</p>\n" * (limits.MAX_TEMPLATE_BYTES // 9 + 1), encoding="utf-8")
    result = run("--library", str(library), "build", "hostile-plain", "-o", str(tmp_path / "out.pdf"), cwd=tmp_path, env={})
    _refused(result, library, 1, "more than handoutkit's limit of 256 KiB for a page template")
    assert not (tmp_path / "out.pdf").exists()


@pytest.mark.parametrize("command", ["check", "preview"])
def test_check_and_preview_refuse_it_too(tmp_path: Path, command: str):
    template, line, words = ATTEMPTS["a string method"]
    library = _library(tmp_path, template)
    args = [str(library / "plain.yaml")] if command == "check" else ["hostile-plain", "--no-open"]
    result = run("--library", str(library), command, *args, cwd=tmp_path, env={"HANDOUTS_CACHE": "off"})
    _refused(result, library, line, words)
    assert "Preview at" not in result.stdout


def _document(library: Library, **flags) -> render.Document:
    (job,) = build.plan(TARGETS, library, base=Settings(), flags={"date": DAY, **flags})
    return build.document_for(job, library)


def test_a_rebuild_in_the_preview_shows_the_template_problem_in_the_page(tmp_path: Path):
    library = _library(tmp_path, None)
    preview = Preview("hostile-plain", Library([library]), {})
    preview.rebuild(startup=True)
    assert preview.snapshot().error is None and preview.snapshot().pdf is not None
    (library / OVERRIDE).write_text(ATTEMPTS["a date method"][0], encoding="utf-8")
    preview.rebuild()
    error = preview.snapshot().error
    assert error is not None and error.startswith(f"{library / OVERRIDE}:1:") and NO_CALL in error, error
    assert preview.snapshot().pdf is not None, "the last good PDF stays shown"


def _walk(value, where="context"):
    assert isinstance(value, context.PLAIN_TYPES) and not isinstance(value, dt.datetime), (where, type(value))
    if isinstance(value, types.MappingProxyType):
        for key, item in value.items():
            _walk(key, f"{where} key")
            _walk(item, f"{where}.{key}")
    elif isinstance(value, tuple):
        for i, item in enumerate(value):
            _walk(item, f"{where}[{i}]")


def test_the_context_is_plain_read_only_data(tmp_path: Path):
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"not read here")
    document = _document(Library([]), client="Jordan", logo=logo, fillable=True)
    data = context.for_document(document)
    _walk(data)
    assert "logo" not in data["s"] and data["doc"]["logo_url"] == logo.resolve().as_uri()
    blocks = data["doc"]["handouts"][0]["module"]["blocks"]
    assert any("items" in b for b in blocks)
    with pytest.raises(TypeError):
        data["doc"]["handouts"][0]["module"]["title"] = "changed"  # type: ignore[index]
    with pytest.raises(TypeError):
        context.plain({"path": tmp_path})


def test_what_a_template_tries_does_not_change_the_next_render(tmp_path: Path):
    library = Library([])
    document = _document(library, fillable=True)
    before = render.render_html(document, library.template_dirs)
    attempts = ["{% set doc.title = 'X' %}", "{{ doc.handouts.append(1) }}", "{{ field_name.__self__.used.clear() }}",
                "{{ kind_label.update({'handout': 'X'}) }}", "{% set kind_label = {} %}{% set doc = {} %}{{ 1 }}",
                "{{ field_name(h.id, 'Rate how you feel right now') }}"]
    for i, attempt in enumerate(attempts):
        own = tmp_path / f"lib{i}" / "templates" / "blocks"
        own.mkdir(parents=True)
        (own / "text.html.j2").write_text(attempt, encoding="utf-8")
        try:
            render.render_html(document, [own.parent, *library.template_dirs])
        except render.TemplateProblem:
            pass
        assert render.render_html(document, library.template_dirs) == before, attempt


def test_the_bundled_templates_print_dates_numbers_and_links_as_before(tmp_path: Path):
    html = render.render_html(_document(Library([])), Library([]).template_dirs)
    assert "24 November 2026" in html
    assert "about 5 minutes" in html  # grounding-5-4-3-2-1's minutes, on the cover and its page


# ---- the compiled-template cache ---------------------------------------------------


def _build(library: Library, out: Path) -> str:
    (job,) = build.plan(TARGETS, library, base=Settings(), flags={"date": DAY})
    result = build.render_job(job, library)
    build.write_job(result, out)
    return result.html


def test_an_entry_whose_checksum_does_not_match_is_compiled_afresh(tmp_path: Path, cache: Path, compiled, monkeypatch):
    library = Library([_library(tmp_path, "<p>Own text block</p>")])
    first = _build(library, tmp_path / "first.pdf")
    entries = sorted(cache.iterdir())
    bundled = sorted(p.relative_to(paths.TEMPLATES).as_posix() for p in paths.TEMPLATES.rglob("*.j2"))
    assert len(entries) == len(bundled) - 1, "the override's bundled namesake is not used, so not kept"
    assert not any(b"Own text block" in p.read_bytes() for p in entries)

    for entry in entries:  # what the entry says it was compiled from no longer matches
        data = entry.read_bytes()
        assert data.startswith(bc_magic)
        rest = io.BytesIO(data[len(bc_magic):])
        checksum = pickle.load(rest)
        tampered = bc_magic + pickle.dumps("0" * len(checksum), 2) + rest.read()
        assert tampered != data
        entry.write_bytes(tampered)
    compiled.clear()
    monkeypatch.setattr(templatecache, "shared", templatecache.CompiledTemplates())
    assert _build(library, tmp_path / "second.pdf") == first
    assert sorted(compiled) == bundled, "every tampered entry was compiled afresh, the override too"


def test_the_cache_key_changes_with_the_sandbox():
    env = render.environment([paths.TEMPLATES])

    class Other(sandbox.BudgetedCodeGenerator):
        pass

    before = templatecache._fingerprint(env)
    env.code_generator_class = Other
    assert templatecache._fingerprint(env) != before


# ---- the budget leaves real documents alone -----------------------------------------


def _work(document: render.Document, template_dirs: list[Path], monkeypatch) -> tuple[int, str]:
    """The work a render spent, and the HTML it made."""
    made: list[sandbox.PageEnvironment] = []
    real = render.environment
    monkeypatch.setattr(render, "environment", lambda dirs, *more: made.append(real(dirs, *more)) or made[-1])
    html = render.render_html(document, template_dirs)
    return made[-1].budget.work, html


def test_the_whole_library_needs_a_small_part_of_the_budget(monkeypatch):
    library = Library([])
    (job,) = build.plan(library.ids(), library, base=Settings(), flags={"date": DAY, "fillable": True})
    work, _ = _work(build.document_for(job, library), library.template_dirs, monkeypatch)
    assert work < sandbox.MAX_WORK / 20


def test_a_long_table_is_not_taken_for_a_runaway_template(monkeypatch):
    # Far past the limit of rows a file may hold (limits.py): made without validation, to
    # show the template budget grows with the document rather than refusing it.
    from handoutkit.models import TableBlock

    rows = [[f"Row {i}", "", "a cell with a few words"] for i in range(12_000)]
    table = TableBlock.model_construct(type="table", title=None, columns=["One", "Two", "Three"], rows=rows)
    module = Module.model_construct(title="Long", kind="worksheet", audience="client", topics=["testing"],
                                    blocks=[table])
    library = Library([])
    document = build.document_for(build.Job("Long", [LoadedModule("long", module, None)], Settings(fillable=True),
                                            "long.pdf"), library)
    work, html = _work(document, library.template_dirs, monkeypatch)
    assert work > sandbox.MAX_WORK, "not long enough to show it"
    assert html.count("<tr>") == 12_001

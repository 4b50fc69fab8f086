"""Every limit handoutkit holds an input to, in one table.

Each value is far beyond anything a clinician's real handouts reach (the whole bundled
library, 18 handouts and 33 pages, builds as one packet; it may grow to 30 handouts in
three languages, and large print doubles the pages), yet keeps a hostile input from
costing more than about a second of work before it is refused. The README's "Limits"
section is this table (tests/test_limits.py checks that the two agree).
"""

from __future__ import annotations

from dataclasses import dataclass

KiB = 1024
MiB = 1024 * KiB

# A module or packet is a few KiB of text; a megabyte is hundreds of pages of it.
MAX_YAML_BYTES = 1 * MiB
# Bundled CSS is 14 KiB in all; parsing and cascading a few MiB would take seconds.
MAX_STYLESHEET_BYTES = 512 * KiB
# A page template (a library's override); the bundled ones are 1–4 KiB each.
MAX_TEMPLATE_BYTES = 256 * KiB
# Fonts and anything else the PDF engine loads; a full CJK font fits, a disk image does not.
MAX_FILE_BYTES = 16 * MiB
# A logo is tens of KiB, a phone photo a few MiB.
MAX_IMAGE_BYTES = 8 * MiB
# Width × height, read from the header: a 24-megapixel camera photo fits; a 50000×50000
# "bomb" that is a few KiB on disk but 10 GB once decoded does not.
MAX_IMAGE_PIXELS = 25_000_000
# An SVG is text the PDF engine parses and draws element by element.
MAX_SVG_BYTES = 1 * MiB
# Elements drawn, counting each <use> as the elements it copies (stops `<use>` chains).
MAX_SVG_ELEMENTS = 20_000
# Width, height and viewBox size, in CSS pixels: a poster is 5000; past this it is a trick.
MAX_SVG_SIDE = 20_000
# A session's packet holds a handful; the whole library in one language is 30.
MAX_PACKET_HANDOUTS = 100
# A long handout has about fifteen blocks.
MAX_MODULE_BLOCKS = 100
# A worksheet table has a dozen rows; 200 rows is several pages of table already.
MAX_TABLE_ROWS = 200
# Paragraphs, list items, table cells, writing lines…: what the PDF engine styles and lays
# out one by one, and so what its work grows with. The whole library is 1,800.
MAX_ELEMENTS = 10_000
# The whole library in large print, with clinician notes, stays well below it; layout
# stops at this page, so a hostile document costs at most this many pages of work.
MAX_PAGES = 200


@dataclass(frozen=True)
class Limit:
    what: str  # what is counted, as a person would say it
    value: int
    unit: str  # "bytes", or what is counted
    why: str

    @property
    def shown(self) -> str:
        return f"{size(self.value)}" if self.unit == "bytes" else f"{self.value:,} {self.unit}"


def size(count: int) -> str:
    """Bytes as a person reads them: 512 KiB, 16 MiB."""
    return f"{count // MiB} MiB" if count % MiB == 0 else f"{count // KiB} KiB" if count % KiB == 0 else f"{count:,} bytes"


TABLE: tuple[Limit, ...] = (
    Limit("a module, packet or config file (YAML)", MAX_YAML_BYTES, "bytes", "a handout is a few KiB of text"),
    Limit("a stylesheet (CSS)", MAX_STYLESHEET_BYTES, "bytes", "the bundled styles are 14 KiB in all"),
    Limit("a page template (Jinja)", MAX_TEMPLATE_BYTES, "bytes", "the bundled templates are 1–4 KiB each"),
    Limit("any other file the PDF engine loads (fonts)", MAX_FILE_BYTES, "bytes", "a font with every CJK character fits"),
    Limit("a picture (logo, Markdown picture, CSS image)", MAX_IMAGE_BYTES, "bytes", "a phone photo is a few MiB"),
    Limit("a picture's width × height", MAX_IMAGE_PIXELS, "pixels", "a 24-megapixel photo fits; read from the file's header, before decoding"),
    Limit("an SVG picture", MAX_SVG_BYTES, "bytes", "a logo drawing is a few KiB"),
    Limit("an SVG's elements, each `<use>` counted as what it copies", MAX_SVG_ELEMENTS, "elements", "stops `<use>` chains that multiply"),
    Limit("an SVG's width, height and viewBox", MAX_SVG_SIDE, "pixels", "a poster is 5,000"),
    Limit("a packet's handouts", MAX_PACKET_HANDOUTS, "handouts", "the bundled library has 18; it may grow to 30"),
    Limit("a module's blocks", MAX_MODULE_BLOCKS, "blocks", "a long handout has about 15"),
    Limit("a table's rows", MAX_TABLE_ROWS, "rows", "several pages of table already"),
    Limit("a document's elements (paragraphs, list items, table cells, writing lines…)", MAX_ELEMENTS, "elements",
          "the whole library as one packet has 1,800"),
    Limit("a document's pages", MAX_PAGES, "pages", "the whole library in large print fits"),
)


def markdown_table() -> str:
    """The README's table of limits."""
    rows = ["| what | at most | why |", "|---|---|---|"]
    rows += [f"| {limit.what} | {limit.shown} | {limit.why} |" for limit in TABLE]
    return "\n".join(rows) + "\n"


def beyond(thing: str, count: int, noun: str, limit: int, advice: str) -> str:
    """The message for a count past its limit, in the project's one wording."""
    return f"{thing} has {count:,} {noun}, more than handoutkit's limit of {limit:,} ({advice})"

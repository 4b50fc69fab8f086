"""Whether a picture can be printed, told from its bytes before anything decodes it.

A PNG of 50000×50000 pixels can be a few KiB on disk and 10 GB once decoded, and an SVG
can copy itself through `<use>` until drawing it never ends, or reach for files and web
addresses of its own. So every picture handoutkit hands the PDF engine (a logo, a
Markdown picture, an image a stylesheet loads) is first read here: its size in bytes, its
width and height from the header (PNG, JPEG, GIF, WebP, BMP), and for SVG what it holds.
Each answer is a reason phrased to follow "the picture 'x.png' …", or None when it is fine.
"""

from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import limits
from .errors import Problem

KINDS = "PNG, JPEG, GIF, WebP, BMP or SVG"


def read_capped(path: Path, limit: int) -> bytes | None:
    """The file's bytes, or None when it holds more than ``limit`` (read no further)."""
    with open(path, "rb") as fh:
        data = fh.read(limit + 1)  # a FIFO or device reports no size, and may never end
    return None if len(data) > limit else data


def too_big(limit: int) -> str:
    return f"is larger than handoutkit's limit of {limits.size(limit)} for a picture (save it smaller)"


def file_problem(path: Path) -> str | None:
    """Why the picture at ``path`` cannot be printed, or None."""
    if not path.is_file():
        return "is not a file" if path.exists() else "is missing"
    data = read_capped(path, limits.MAX_IMAGE_BYTES)
    return too_big(limits.MAX_IMAGE_BYTES) if data is None else problem(data)


def problem(data: bytes) -> str | None:
    """Why a picture with these bytes cannot be printed, or None."""
    if len(data) > limits.MAX_IMAGE_BYTES:
        return too_big(limits.MAX_IMAGE_BYTES)
    if _looks_like_svg(data):
        return svg_problem(data)
    size = dimensions(data)
    if size is None:
        return f"is not a picture handoutkit can print (expected {KINDS})"
    width, height = size
    if width * height > limits.MAX_IMAGE_PIXELS:
        return (f"has {width}×{height} pixels, more than handoutkit's limit of {limits.MAX_IMAGE_PIXELS:,} "
                f"(save it at a smaller size)")
    return None


# ---- raster pictures: width and height from the header -----------------------------------


def dimensions(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG, JPEG, GIF, WebP or BMP header; None for anything else."""
    try:
        if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
            return struct.unpack(">II", data[16:24])
        if data[:6] in (b"GIF87a", b"GIF89a"):
            return struct.unpack("<HH", data[6:10])
        if data.startswith(b"\xff\xd8"):
            return _jpeg(data)
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            return _webp(data)
        if data.startswith(b"BM"):
            if struct.unpack("<I", data[14:18])[0] == 12:  # the old OS/2 header
                return struct.unpack("<HH", data[18:22])
            width, height = struct.unpack("<ii", data[18:26])
            return abs(width), abs(height)  # a negative height means top-down rows
    except struct.error:  # a header cut short
        return None
    return None


_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg(data: bytes) -> tuple[int, int] | None:
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # markers without a length
            at += 2
            continue
        length = struct.unpack(">H", data[at + 2:at + 4])[0]
        if marker in _SOF:
            height, width = struct.unpack(">HH", data[at + 5:at + 9])
            return width, height
        if marker in (0xD9, 0xDA):  # end, or image data before any frame header
            return None
        at += 2 + length
    return None


def _webp(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8 ":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L":
        bits = struct.unpack("<I", data[21:25])[0]
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":
        return (int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1)
    return None


# ---- SVG: parsed without entities, and drawn nowhere but on its own ---------------------

_SVG_START = re.compile(rb"\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(svg|!doctype)", re.IGNORECASE | re.DOTALL)
_DECLARATION = re.compile(rb"<!(doctype|entity)", re.IGNORECASE)
_URL = re.compile(r"url\(\s*['\"]?([^'\")]*)", re.IGNORECASE)
_IMPORT = re.compile(r"@import", re.IGNORECASE)
_LENGTH = re.compile(r"^\s*([0-9.eE+-]+)\s*([a-z%]*)\s*$")
MAX_SVG_DEPTH = 200  # elements inside elements, through <use> too; drawings nest a dozen deep
_PIXELS_PER = {"": 1, "px": 1, "pt": 4 / 3, "pc": 16, "in": 96, "cm": 96 / 2.54, "mm": 96 / 25.4, "q": 96 / 101.6}


def _looks_like_svg(data: bytes) -> bool:
    return bool(_SVG_START.match(data[:4096].lstrip(b"\xef\xbb\xbf")))


def svg_problem(data: bytes) -> str | None:
    if len(data) > limits.MAX_SVG_BYTES:
        return f"is an SVG larger than handoutkit's limit of {limits.size(limits.MAX_SVG_BYTES)} (simplify it, or save it as a PNG)"
    if _DECLARATION.search(data):
        # Entities expand ("billion laughs") and may name other files: an SVG needs none.
        return "is an SVG with a DOCTYPE or entity declarations, which handoutkit refuses (they can expand without end or read other files)"
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        return f"is not a valid SVG file ({exc})"
    if _local(root.tag) != "svg":
        return f"is not a picture handoutkit can print (expected {KINDS})"
    elements = list(root.iter())
    if len(elements) > limits.MAX_SVG_ELEMENTS:
        return _too_many(len(elements))
    for element in elements:
        for name, value in element.attrib.items():
            outside = _reference_outside(_local(name), value)
            if outside:
                return (f"is an SVG that references '{outside}' outside itself (a picture must hold everything "
                        f"it shows: save it with the images and fonts embedded, or as a PNG)")
        if _local(element.tag) == "style" and _IMPORT.search(element.text or ""):
            return "is an SVG whose style imports another file (a picture must hold everything it shows)"
        for url in _URL.findall(element.text or "") if _local(element.tag) == "style" else ():
            if not url.startswith("#"):
                return f"is an SVG that references '{url}' outside itself (a picture must hold everything it shows)"
    side = _largest_side(root)
    if side > limits.MAX_SVG_SIDE:
        return (f"is an SVG {side:,.0f} pixels across, more than handoutkit's limit of {limits.MAX_SVG_SIDE:,} "
                f"(set a smaller width, height and viewBox)")
    drawn = _drawn(root, elements)
    if drawn is None:
        return "is an SVG whose <use> elements refer to themselves in a loop"
    if drawn > limits.MAX_SVG_ELEMENTS:
        return _too_many(int(drawn))
    return None


def _too_many(count: int) -> str:
    return (f"is an SVG that draws {count:,} elements (each <use> counted as what it copies), more than "
            f"handoutkit's limit of {limits.MAX_SVG_ELEMENTS:,} (simplify it, or save it as a PNG)")


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _reference_outside(attribute: str, value: str) -> str | None:
    """The address when an attribute points outside the picture; None when it stays inside."""
    if attribute in ("href", "src") and not value.strip().startswith("#"):  # src: HTML inside <foreignObject>
        return value.strip()
    for url in _URL.findall(value):
        if not url.strip().startswith("#"):
            return url.strip()
    return None


def _pixels(length: str | None) -> float:
    match = _LENGTH.match(length or "")
    if not match or match.group(2) not in _PIXELS_PER:
        return 0.0  # percentages and font-relative sizes follow the page, not the file
    try:
        return abs(float(match.group(1))) * _PIXELS_PER[match.group(2)]
    except ValueError:
        return 0.0


def _largest_side(root: ET.Element) -> float:
    sides = [_pixels(root.get("width")), _pixels(root.get("height"))]
    box = (root.get("viewBox") or "").replace(",", " ").split()
    if len(box) == 4:
        sides += [_pixels(box[2]), _pixels(box[3])]
    return max(sides)


def _drawn(root: ET.Element, elements: list[ET.Element]) -> int | None:
    """Elements drawn with every <use> replaced by what it copies; None for a loop."""
    by_id = {e.get("id"): e for e in elements if e.get("id")}
    cost: dict[int, int] = {}
    busy: set[int] = set()

    def count(element: ET.Element, depth: int) -> int | None:
        key = id(element)
        if key in cost:
            return cost[key]
        if key in busy:
            return None
        if depth > MAX_SVG_DEPTH:
            return limits.MAX_SVG_ELEMENTS + 1  # no picture nests this deep: refuse it as too much
        busy.add(key)
        total = 1
        children = list(element)
        if _local(element.tag) == "use":
            href = next((v for n, v in element.attrib.items() if _local(n) == "href"), "")
            target = by_id.get(href.strip()[1:])
            children += [target] if target is not None else []
        for child in children:
            copied = count(child, depth + 1)
            if copied is None:
                return None
            total += copied
            if total > limits.MAX_SVG_ELEMENTS:
                break  # too many already: no need to count further
        busy.discard(key)
        cost[key] = total
        return total

    return count(root, 0)


# ---- pictures in a handout's Markdown ---------------------------------------------------


def sources_in(text: str, block: bool) -> list[str]:
    """The address of each picture the Markdown in ``text`` will print."""
    from . import markdown

    return markdown.picture_addresses(text, block=block)


def where_from(address: str, folder: Path) -> tuple[Path | None, str | None]:
    """The file a picture's address names inside ``folder``, or why it cannot be used."""
    parts = urlsplit(address)
    if parts.scheme or parts.netloc:
        if parts.scheme.lower() == "file" and not parts.netloc:
            path = Path(unquote(parts.path))
        else:
            return None, ("is from the web, and handouts never reach the network (save the picture beside the "
                          "handout and give its file name)")
    else:
        path = folder / unquote(parts.path)
    path = path.resolve()
    if not path.is_relative_to(folder.resolve()):
        return None, "is outside the handout's folder (put the picture beside the handout and give its file name)"
    return path, None


def _asked_for(loaded):
    """Each picture a module's Markdown asks for: (where, address, its file or None, why not)."""
    from .check import _markdown_texts

    folder = loaded.path.resolve().parent
    for loc, text, block in _markdown_texts(loaded.module):
        if "](" not in text and "]:" not in text and "][" not in text:
            continue  # no picture can be written without one of these
        for address in sources_in(text, block):
            yield (loc, address, *where_from(address, folder))


def files_of(loaded) -> list[Path]:
    """The picture files a module prints: a build must never write over one (targets.py)."""
    return [path for _loc, _address, path, _why in _asked_for(loaded) if path is not None]


def in_module(loaded, base: Path | None = None) -> list[Problem]:
    """A problem, at the Markdown that asks for it, for each picture a module cannot print.

    ``base``: the folder the PDF engine finds pictures in for this build (a packet's
    folder); a picture beside a handout kept elsewhere would not be the one it shows."""
    elsewhere = base is not None and base.resolve() != loaded.path.resolve().parent
    problems = []
    for loc, address, path, why in _asked_for(loaded):
        if path is not None:
            why = file_problem(path)
            if why == "is missing":
                why += " (paths are relative to the handout's folder)"
            elif why is None and elsewhere and not urlsplit(address).scheme and not address.startswith("/"):
                why = (f"is beside the handout, but this build looks for pictures in {base} (give the "
                       f"picture's full path, or keep the packet in the handout's folder)")
        if why:
            problems.append(loaded.source.problem(loc, f"the picture '{address}' {why}"))
    return problems

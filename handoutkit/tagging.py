"""The PDF's tags made right for screen readers, and its PDF/UA-1 claim only when they are.

WeasyPrint 70 tags the document from its boxes (``pdf_tags=True``) and gets the most of
it right, but not all, and offers no hook to change how it tags. So the written PDF is
reopened with pikepdf and fixed where WeasyPrint cannot be told:

- Running headers and footers (CSS margin boxes) are marked content with an MCID whose
  structure element WeasyPrint leaves out of the tree (its code says artifacts in the tree
  need PDF 2.0): a screen reader met "Prepared for Jordan" and "Page 3 of 18" as loose
  text, 2–44 times per PDF. Here they become ``/Artifact`` (``/Type /Pagination``) marked
  content, and the parent tree no longer points at the orphans.
- Structure elements with no content at all (the empty ``<div>``s whose borders draw the
  write-in lines, an empty leader span) are dropped: borders and backgrounds are already
  artifacts, and an empty element is noise to a screen reader and to checkers.
- A link's annotation belongs to a ``/Link`` element: WeasyPrint hangs the annotation of
  a link's inner ``<span>`` on a ``/Span``, which PDF/UA does not allow.
- A list item holds a label and a body only: a block inside an ``<li>`` (the contents'
  "Worksheet, about 10 minutes" line) came out beside the body, a broken list item.
- Table header cells get ``/Scope`` (``Column`` in the table's head, ``Row`` elsewhere):
  WeasyPrint links cells to headers by ``/Headers`` but never writes a scope.
- Each form field's ``/Form`` element gets ``/Alt``, its question (and, for a scale, the
  point): WeasyPrint drops ``aria-label``. The field's own ``/TU`` tooltip is the forms
  module's; either names the field to a screen reader.
- Each link annotation gets ``/Contents``, as PDF/UA asks of every annotation.
- XMP metadata with the title and language, which WeasyPrint writes only for PDF/A and
  PDF/UA variants; and ``pdfuaid:part 1`` only if ``problems()`` finds nothing, so the
  file never claims PDF/UA-1 that it does not meet.

Content order in the tree follows the HTML, which follows the page: handoutkit's
templates have no floats or positioned text. tests/test_pdfua.py measures that too.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator

PDFUA_PART = "1"

# How pydyf writes a tagged marked-content sequence: "/Span\n<</MCID 12>>\nBDC". Glyphs
# are written as hex strings, so "<<" never appears inside text.
_TAGGED = re.compile(rb"/([A-Za-z0-9]+)\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC")
_PAGINATION = b"/Artifact\n<</Type /Pagination>>\nBDC"


@contextlib.contextmanager
def leaders_as_artifacts(document):
    """While ``document`` is written, the dots of each ``leader()`` are drawn as artifacts.

    The cover's contents joins each title to its page with a dotted leader; WeasyPrint
    tags every dot as a span of text, and a screen reader read hundreds of "." aloud.
    WeasyPrint 70 has no way to say a box is decorative, and in the written PDF a dot is
    only a glyph, so the change is made where it draws: its ``Stream.marked`` is wrapped
    for the duration of the write (like the font subsetter in pdf.py), and a leader's text
    is drawn inside ``/Artifact`` instead. It is still entered in WeasyPrint's tag list, so
    WeasyPrint's tree builder finds what it expects; ``finish`` then drops the MCIDs that
    no content carries.
    """
    from weasyprint.pdf.stream import Stream

    leaders = {id(child) for page in document.pages for box in page._page_box.descendants()
               if getattr(box, "is_leader", False) for child in getattr(box, "children", ())}
    original = Stream.marked

    @contextlib.contextmanager
    def marked(self, box, tag):
        if id(box) in leaders and self._tags is not None:
            self._tags[box] = {"tag": tag, "mcid": len(self._tags)}
            with self.artifact():
                yield
        else:
            with original(self, box, tag):
                yield

    Stream.marked = marked
    try:
        yield
    finally:
        Stream.marked = original


def finish(pdf_bytes: bytes, document, *, title: str) -> bytes:
    """``pdf_bytes`` (WeasyPrint's, from ``document``) with its tags fixed and, when they
    pass every rule, the PDF/UA-1 identification."""
    import pikepdf

    names = _field_names(document)
    targets = _link_targets(document)
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        _margin_boxes_as_artifacts(pdf)
        _drop_dangling(pdf)
        _links_in_link_elements(pdf)
        _whole_list_items(pdf)
        _drop_empty(pdf)
        _scope_headers(pdf)
        _name_fields(pdf, names)
        _describe_links(pdf, targets)
        lang = str(pdf.Root.get("/Lang", ""))
        _metadata(pdf, title, lang, claim=False)
        if not problems(pdf):
            _metadata(pdf, title, lang, claim=True)
        out = io.BytesIO()
        # A deterministic /ID: the same inputs give the same bytes (tests/test_reproducible.py).
        pdf.save(out, deterministic_id=True)
    return out.getvalue()


# ---- what WeasyPrint knew: the fields' questions, the links' targets ---------------------


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def _elements(document) -> Iterator:
    """Every element with a box, once each, in document order."""
    seen: set[int] = set()
    for page in document.pages:
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if element is not None and id(element) not in seen and isinstance(element.tag, str):
                seen.add(id(element))
                yield element


def _field_names(document) -> dict[tuple[str, str | None], str]:
    """(field name, radio value or None) → what a screen reader should say for it: the
    ``aria-label`` the template wrote, and for a scale's point also its question (the
    nearest ``.question`` before it)."""
    names: dict[tuple[str, str | None], str] = {}
    question = ""
    for element in _elements(document):
        if "question" in (element.get("class") or "").split():
            question = _text(element)
        if element.tag not in ("input", "textarea", "select") or not element.get("name"):
            continue
        label = " ".join((element.get("aria-label") or element.get("title") or "").split())
        if element.get("type") == "radio":
            names[(element.get("name"), element.get("value"))] = f"{question} {label}".strip()
        else:
            names[(element.get("name"), None)] = label
    return names


def _link_targets(document) -> dict[str, str]:
    """Anchor id → the words of what it points at (a handout's title, a heading)."""
    targets = {}
    for element in _elements(document):
        anchor = element.get("id")
        if anchor and anchor not in targets:
            heading = element if element.tag in ("h1", "h2", "h3") else element.find(".//h1")
            targets[anchor] = _text(heading if heading is not None else element)
    return targets


# ---- walking the structure tree ---------------------------------------------------------


def _kids(node) -> list:
    import pikepdf

    kids = node.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def elements(pdf) -> Iterator:
    """Every structure element reachable from the root, parents before children, in order."""
    import pikepdf

    stack = list(reversed(_kids(pdf.Root.StructTreeRoot))) if "/StructTreeRoot" in pdf.Root else []
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Dictionary) and "/S" in node:
            yield node
            stack.extend(reversed(_kids(node)))


def _parent_tree(pdf) -> dict[int, object]:
    nums = pdf.Root.StructTreeRoot.ParentTree.get("/Nums", [])
    return {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}


# ---- the fixes ----------------------------------------------------------------------------


def _margin_boxes_as_artifacts(pdf) -> None:
    """Marked content whose structure element is not in the tree becomes a pagination artifact."""
    import pikepdf

    reachable = {node.objgen for node in elements(pdf)}
    tree = _parent_tree(pdf)
    for page in pdf.pages:
        key = page.obj.get("/StructParents")
        entry = tree.get(int(key)) if key is not None else None
        if not isinstance(entry, pikepdf.Array):
            continue
        orphans = {mcid for mcid, ref in enumerate(entry)
                   if isinstance(ref, pikepdf.Dictionary) and ref.objgen not in reachable}
        if not orphans:
            continue
        for mcid in orphans:
            entry[mcid] = pikepdf.Object.parse(b"null")
        streams = [page.obj.Contents] if isinstance(page.obj.Contents, pikepdf.Stream) else list(page.obj.Contents)
        for stream in streams:
            data = stream.read_bytes()
            fixed = _TAGGED.sub(lambda m: _PAGINATION if int(m.group(2)) in orphans else m.group(0), data)
            if fixed != data:
                stream.write(fixed)


def _drop_dangling(pdf) -> None:
    """MCIDs the tree names but no content carries (the leaders drawn as artifacts) leave the tree."""
    import pikepdf

    tree = _parent_tree(pdf)
    null = pikepdf.Object.parse(b"null")
    for page in pdf.pages:
        key = page.obj.get("/StructParents")
        entry = tree.get(int(key)) if key is not None else None
        if not isinstance(entry, pikepdf.Array):
            continue
        streams = [page.obj.Contents] if isinstance(page.obj.Contents, pikepdf.Stream) else list(page.obj.Contents)
        carried = {int(m.group(2)) for stream in streams for m in _TAGGED.finditer(stream.read_bytes())}
        for mcid, node in enumerate(entry):
            if mcid in carried or not isinstance(node, pikepdf.Dictionary):
                continue
            entry[mcid] = null
            kids = node.get("/K")
            if isinstance(kids, pikepdf.Array):
                node.K = pikepdf.Array([k for k in kids if not (_is_int(k) and int(k) == mcid)])
            elif _is_int(kids) and int(kids) == mcid:
                node.K = pikepdf.Array([])


def _is_int(value) -> bool:
    import pikepdf

    return isinstance(value, int) or (isinstance(value, pikepdf.Object) and value._type_name == "integer")


def _set_kids(node, kids: list) -> None:
    import pikepdf

    node.K = pikepdf.Array(kids)


def _links_in_link_elements(pdf) -> None:
    """Each link annotation's OBJR moves to the nearest ``/Link`` element above it (or its
    element becomes one), and the parent tree follows."""
    import pikepdf

    nums = pdf.Root.StructTreeRoot.ParentTree.get("/Nums")
    for node in list(elements(pdf)):
        if node.get("/S") == "/Link":
            continue
        moved = [kid for kid in _kids(node) if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR"
                 and kid.Obj.get("/Subtype") == "/Link"]
        if not moved:
            continue
        link = node.get("/P")
        while isinstance(link, pikepdf.Dictionary) and link.get("/S") not in ("/Link", None):
            link = link.get("/P")
        if not isinstance(link, pikepdf.Dictionary) or link.get("/S") != "/Link":
            node.S = pikepdf.Name.Link  # no link above it: this element is the link
            continue
        gone = {m.objgen for m in moved}
        _set_kids(node, [kid for kid in _kids(node) if not (isinstance(kid, pikepdf.Dictionary) and kid.objgen in gone)])
        _set_kids(link, [*_kids(link), *moved])
        for kid in moved:
            key = kid.Obj.get("/StructParent")
            for i in range(0, len(nums), 2):
                if key is not None and int(nums[i]) == int(key):
                    nums[i + 1] = link


def _whole_list_items(pdf) -> None:
    """What sits in a list item beside its label and body goes into the body."""
    import pikepdf

    for node in list(elements(pdf)):
        if node.get("/S") != "/LI":
            continue
        kids = _kids(node)
        stray = [k for k in kids if isinstance(k, pikepdf.Dictionary) and k.get("/S") not in (None, "/Lbl", "/LBody")]
        if not stray:
            continue
        body = next((k for k in kids if isinstance(k, pikepdf.Dictionary) and k.get("/S") == "/LBody"), None)
        if body is None:
            body = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.LBody,
                                                        P=node, K=pikepdf.Array()))
            if "/Pg" in node:
                body.Pg = node.Pg
            kids = [*kids, body]
        for k in stray:
            k.P = body
        _set_kids(body, [*_kids(body), *stray])
        _set_kids(node, [k for k in kids if not any(k.objgen == s.objgen for s in stray)])


def _has_content(node) -> bool:
    import pikepdf

    for kid in _kids(node):
        if _is_int(kid):
            return True
        if isinstance(kid, pikepdf.Dictionary):
            if kid.get("/Type") in ("/MCR", "/OBJR") or ("/S" in kid and _has_content(kid)):
                return True
    return False


def _drop_empty(pdf) -> None:
    import pikepdf

    for node in list(elements(pdf)):
        kids = node.get("/K")
        if not isinstance(kids, pikepdf.Array):
            continue
        keep = [kid for kid in kids if not (isinstance(kid, pikepdf.Dictionary) and "/S" in kid
                                           and not _has_content(kid))]
        if len(keep) != len(kids):
            node.K = pikepdf.Array(keep)


def _scope_headers(pdf) -> None:
    import pikepdf

    for node in elements(pdf):
        if node.get("/S") != "/TH":
            continue
        row = node.get("/P")
        section = row.get("/P") if row is not None else None
        scope = "/Column" if section is not None and section.get("/S") == "/THead" else "/Row"
        attributes = node.get("/A")
        if not isinstance(attributes, pikepdf.Dictionary):
            node.A = attributes = pikepdf.Dictionary(O=pikepdf.Name.Table)
        attributes.Scope = pikepdf.Name(scope)


def _field_key(widget) -> tuple[str, str | None]:
    import pikepdf

    parent = widget.get("/Parent")
    field = parent if parent is not None and "/T" in parent else widget
    name = str(field.get("/T", ""))
    flags = int(field.get("/Ff", 0))
    if field.get("/FT") == "/Btn" and flags & (1 << 15):  # a radio button: which point
        states = widget.get("/AP", {}).get("/N")
        on = [str(k)[1:] for k in states.keys() if k != "/Off"] if isinstance(states, pikepdf.Dictionary) else []
        return name, on[0] if on else None
    return name, None


def _name_fields(pdf, names: dict[tuple[str, str | None], str]) -> None:
    import pikepdf

    for node in elements(pdf):
        if node.get("/S") != "/Form":
            continue
        for kid in _kids(node):
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
                widget = kid.Obj
                label = names.get(_field_key(widget)) or str(widget.get("/TU", ""))
                if label:
                    node.Alt = pikepdf.String(label)


def _describe_links(pdf, targets: dict[str, str]) -> None:
    import pikepdf

    for page in pdf.pages:
        for annot in page.obj.get("/Annots", []):
            if annot.get("/Subtype") != "/Link" or "/Contents" in annot:
                continue
            action = annot.get("/A")
            if isinstance(action, pikepdf.Dictionary) and "/URI" in action:
                words = f"Link to {action.URI}"
            else:
                dest = annot.get("/Dest", action.get("/D") if isinstance(action, pikepdf.Dictionary) else None)
                target = targets.get(str(dest)) if isinstance(dest, (pikepdf.String, pikepdf.Name, str)) else None
                words = f"Go to {target}" if target else "Go to another page of this document"
            annot.Contents = pikepdf.String(words)


def _metadata(pdf, title: str, lang: str, *, claim: bool) -> None:
    """XMP: the title (the packet's, never a client's: pdf.py), the language, and the
    PDF/UA identification only when ``claim``. No dates and no producer tool: the same
    inputs give the same bytes."""
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["dc:title"] = title
        if lang:
            meta["dc:language"] = [lang]
        if claim:
            meta["pdfuaid:part"] = PDFUA_PART
        elif "pdfuaid:part" in meta:
            del meta["pdfuaid:part"]


# ---- the rules --------------------------------------------------------------------------

_PAINTING = {"Tj", "TJ", "'", '"', "Do", "sh", "BI", "f", "F", "f*", "B", "B*", "b", "b*", "S", "s"}


def _unmarked_painting(pdf, tree: dict[int, object], reachable: set) -> list[str]:
    """Content that is neither an artifact nor tagged by a structure element in the tree."""
    import pikepdf

    found = []
    for number, page in enumerate(pdf.pages, 1):
        key = page.obj.get("/StructParents")
        entry = tree.get(int(key)) if key is not None else None
        stack: list[str] = []  # "artifact", "tagged", "orphan" or "plain" for each open sequence
        for operands, operator in pikepdf.parse_content_stream(page):
            op = str(operator)
            if op in ("BDC", "BMC"):
                tag = str(operands[0])
                if tag == "/Artifact" or "artifact" in stack:
                    stack.append("artifact")
                elif op == "BDC" and isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]:
                    mcid = int(operands[1].MCID)
                    ref = entry[mcid] if isinstance(entry, pikepdf.Array) and mcid < len(entry) else None
                    ok = isinstance(ref, pikepdf.Dictionary) and ref.objgen in reachable
                    stack.append("tagged" if ok else "orphan")
                else:
                    stack.append("plain")
            elif op == "EMC":
                if stack:
                    stack.pop()
            elif op in _PAINTING and "artifact" not in stack:
                if "orphan" in stack:
                    found.append(f"page {number}: tagged content whose element is not in the structure tree")
                    break
                if "tagged" not in stack:
                    found.append(f"page {number}: '{op}' outside any artifact or tagged content")
                    break
    return found


def problems(pdf) -> list[str]:
    """Every PDF/UA-1 rule handoutkit can decide that this PDF breaks; empty when it meets them."""
    import pikepdf

    root = pdf.Root
    found = []
    if not str(root.get("/Lang", "")).strip():
        found.append("no /Lang on the catalog")
    if not bool(root.get("/MarkInfo", {}).get("/Marked", False)):
        found.append("not marked as tagged (/MarkInfo /Marked)")
    if not bool(root.get("/ViewerPreferences", {}).get("/DisplayDocTitle", False)):
        found.append("viewers are not told to show the title (/DisplayDocTitle)")
    if "/StructTreeRoot" not in root:
        return found + ["no structure tree"]
    meta = pdf.open_metadata()
    if not str(meta.get("dc:title", "")).strip():
        found.append("no dc:title in the XMP metadata")
    if not meta.get("dc:language"):
        found.append("no dc:language in the XMP metadata")
    nodes = list(elements(pdf))
    reachable = {node.objgen for node in nodes}
    tree = _parent_tree(pdf)
    found += _unmarked_painting(pdf, tree, reachable)
    form_objects = set()
    for node in nodes:
        kind = node.get("/S")
        if kind == "/Figure" and not str(node.get("/Alt", "")).strip():
            found.append("a figure without alt text")
        elif kind == "/TH":
            scope = node.get("/A", {}).get("/Scope") if isinstance(node.get("/A"), pikepdf.Dictionary) else None
            if scope not in ("/Column", "/Row", "/Both"):
                found.append("a table header cell without /Scope")
        elif kind == "/Form":
            widgets = [k.Obj for k in _kids(node) if isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR"]
            form_objects |= {w.objgen for w in widgets}
            if not str(node.get("/Alt", "")).strip() and not all(str(w.get("/TU", "")).strip() for w in widgets):
                found.append("a form field with no name for a screen reader (/Alt or /TU)")
    for number, page in enumerate(pdf.pages, 1):
        if page.obj.get("/Annots") and page.obj.get("/Tabs") != "/S":
            found.append(f"page {number}: tabbing does not follow the structure (/Tabs /S)")
        for annot in page.obj.get("/Annots", []):
            subtype = annot.get("/Subtype")
            if "/StructParent" not in annot:
                found.append(f"page {number}: a {subtype} annotation outside the structure tree")
            elif tree.get(int(annot.StructParent)) is None:
                found.append(f"page {number}: a {subtype} annotation whose /StructParent leads nowhere")
            if subtype == "/Widget" and annot.objgen not in form_objects:
                found.append(f"page {number}: a form field not inside a /Form structure element")
            if subtype == "/Link" and not str(annot.get("/Contents", "")).strip():
                found.append(f"page {number}: a link without /Contents")
            owner = tree.get(int(annot.StructParent)) if "/StructParent" in annot else None
            if subtype == "/Link" and owner is not None and owner.get("/S") != "/Link":
                found.append(f"page {number}: a link annotation in a {owner.get('/S')} element, not a /Link")
    return found


def claims_pdfua(pdf) -> bool:
    """Whether the PDF says it is PDF/UA-1 (XMP ``pdfuaid:part``)."""
    return str(pdf.open_metadata().get("pdfuaid:part", "")) == PDFUA_PART

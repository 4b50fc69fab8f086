"""Adapting a handout: a copy in the clinician's own folder, a draft while editing, a safe save.

A bundled handout is copied, text and comments as they are, into the clinician's
handouts folder under the same id, so it replaces the bundled one wherever they use it
(the library's rule for a folder of one's own). While they type, the text is kept as a
draft in ``.drafts/`` beside it (nothing typed is lost to a closed tab or a crash), and
``check`` reads that draft exactly as the CLI would read the file; its findings are told
in the CLI's words, with the handout's own file name. Saving replaces the handout in one
step (output.write_atomic) and removes the draft. Handouts never hold a client's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .. import check as checking
from ..errors import InputError, Problem, UsageError
from ..library import ID_RULE, Library, load_module
from ..limits import MAX_YAML_BYTES
from ..output import write_atomic

DRAFTS = ".drafts"


@dataclass(frozen=True)
class Finding:
    line: int
    col: int
    level: str
    message: str
    text: str  # the CLI's line: file:line:col: level: message

    def as_json(self) -> dict:
        return {"line": self.line, "col": self.col, "level": self.level, "message": self.message, "text": self.text}


class Editor:
    def __init__(self, own: Path):
        self.own = own  # the clinician's handouts folder

    def path(self, module_id: str) -> Path:
        if not ID_RULE.match(module_id):
            raise UsageError(f"'{module_id}' is not a handout id")
        return self.own / f"{module_id}.yaml"

    def draft_path(self, module_id: str) -> Path:
        return self.own / DRAFTS / f"{module_id}.yaml"

    def is_own(self, library: Library, module_id: str) -> bool:
        path = library.index.get(module_id)
        return path is not None and path.resolve().parent == self.own.resolve()

    def duplicate(self, library: Library, module_id: str) -> Path:
        """The handout's file copied into the clinician's folder, unless a copy is there already."""
        if module_id not in library.index:
            raise UsageError(library.unknown(module_id))
        target = self.path(module_id)
        if target.exists():
            return target
        self.own.mkdir(parents=True, exist_ok=True)
        return write_atomic(target, library.index[module_id].read_bytes())

    def text(self, module_id: str) -> tuple[str, bool]:
        """What the editor opens with: the draft if one was left, else the file; and which."""
        draft = self.draft_path(module_id)
        if draft.is_file():
            return draft.read_text(encoding="utf-8"), True
        return self.path(module_id).read_text(encoding="utf-8"), False

    def keep_draft(self, module_id: str, text: str) -> Path:
        """The file that now holds what the editor shows: the draft, or the handout itself
        when the text is what is saved (then no draft is left to be offered back later)."""
        data = text.encode("utf-8")
        if len(data) > MAX_YAML_BYTES:
            raise UsageError(f"this handout is longer than {MAX_YAML_BYTES // 1024} KiB, handoutkit's limit for one file")
        draft = self.draft_path(module_id)
        saved = self.path(module_id)
        if saved.is_file() and saved.read_bytes() == data:
            draft.unlink(missing_ok=True)
            return saved
        draft.parent.mkdir(parents=True, exist_ok=True)
        return write_atomic(draft, data)

    def discard_draft(self, module_id: str) -> None:
        self.draft_path(module_id).unlink(missing_ok=True)

    def findings(self, module_id: str, library: Library, draft: Path) -> list[Finding]:
        """`handouts check` on the draft (without the page count, which the preview shows)."""
        report = checking.check([draft], library, render_pages=False)
        shown = self.path(module_id).name  # beside its own file in the page: the name says enough
        out = []
        for f in report.findings:
            text = str(f).replace(str(draft), shown, 1)
            out.append(Finding(f.line, f.col, f.level, f.message, text))
        return out

    def save(self, module_id: str, library: Library) -> Path:
        """The draft becomes the handout, if it loads; otherwise nothing changes and the draft stays."""
        draft = self.draft_path(module_id)
        if not draft.is_file():
            return self.path(module_id)
        try:
            loaded = load_module(draft)
        except InputError as exc:
            shown = self.path(module_id).name
            raise InputError([Problem(shown, p.line, p.col, p.message) for p in exc.problems]) from None
        if loaded.id != module_id:
            raise UsageError(f"the id is now '{loaded.id}': keep 'id: {module_id}' (duplicate the handout to make another)")
        written = write_atomic(self.path(module_id), draft.read_bytes())
        draft.unlink(missing_ok=True)
        return written

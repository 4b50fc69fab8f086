"""The typed shape of a handout module and a packet (SPEC.md), as pydantic models.

The same models validate files, feed the templates and generate the JSON Schema, so the
three can never disagree. ``extra="forbid"`` everywhere: a typo is an error, never dropped.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, ClassVar, Literal, Union, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator, model_validator

from .icons import NAMES as ICON_NAMES
from .limits import MAX_MODULE_BLOCKS, MAX_PACKET_HANDOUTS, MAX_TABLE_ROWS

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
Topic = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+( [a-z0-9]+)*$")]
Text = Annotated[str, StringConstraints(min_length=1)]
Cell = str  # an empty cell is a space to write in

Kind = Literal["handout", "worksheet", "exercise", "script", "guide"]
Audience = Literal["client", "couple", "clinician"]
Paper = Literal["letter", "a4"]
Theme = Literal["default", "print", "large-print"]
Copy = Literal["client", "clinician"]
KINDS, AUDIENCES, PAPERS, THEMES, COPIES = (get_args(t) for t in (Kind, Audience, Paper, Theme, Copy))
DISCREET_TITLE = "Session notes"  # a discreet packet's title when the clinician sets none
# A bundled icon (styles/icons): the schema lists every name, so an editor completes them.
Icon = Literal[ICON_NAMES]  # type: ignore[valid-type]
IconField = Annotated[Icon | None, Field(description="A small line icon beside the text (decorative).")]

# The languages handoutkit can print: its labels, dates and crisis lines come from
# handoutkit/locales/<lang>.yaml, and each handout from its translation (SPEC.md
# "Languages"). A region may follow (en-GB, es-US): it only tags the PDF.
LANGUAGES = ("en", "es", "fr")
Language = Literal["en", "es", "fr"]
LANG_PATTERN = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$"


def unprintable_lang(lang: str) -> str | None:
    """Why ``lang`` cannot be printed, or None when it can."""
    if re.match(LANG_PATTERN, lang) and lang.split("-")[0].lower() in LANGUAGES:
        return None
    return (f"handoutkit cannot print in '{lang}' (expected one of: {', '.join(LANGUAGES)}; "
            f"a region may follow, like {LANGUAGES[0]}-GB)")


def _printable(lang: str) -> str:
    if why := unprintable_lang(lang):
        raise ValueError(why)
    return lang


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---- blocks -------------------------------------------------------------------------


class BlockBase(Strict):
    title: Text | None = None
    per_partner: bool = Field(
        False, description="Print this block once for each partner (Partner A, Partner B), each copy "
                           "on its own page with its own write-in space and form fields.")


class TextBlock(BlockBase):
    type: Literal["text"]
    body: Text


class ExamplesBlock(BlockBase):
    type: Literal["examples"]
    items: list[Text] = Field(min_length=1)
    note: Text | None = None


class ChecklistBlock(BlockBase):
    type: Literal["checklist"]
    items: list[Text] = Field(min_length=1)


class PlainStringItem(Strict):
    """A list item that may be written as a plain string, standing for ``{PLAIN: string}``."""

    PLAIN: ClassVar[str]

    @model_validator(mode="before")
    @classmethod
    def from_plain_string(cls, value: Any) -> Any:
        return {cls.PLAIN: value} if isinstance(value, str) else value


class ListItem(PlainStringItem):
    PLAIN = "text"
    text: Text
    icon: IconField = None


class ListBlock(BlockBase):
    type: Literal["list"]
    items: list[ListItem] = Field(min_length=1)
    style: Literal["bullet", "numbered"] = "bullet"


class Step(PlainStringItem):
    PLAIN = "text"
    text: Text
    minutes: Annotated[float, Field(gt=0, le=120)] | None = None
    icon: IconField = None


class StepsBlock(BlockBase):
    type: Literal["steps"]
    items: list[Step] = Field(min_length=1)


class Prompt(PlainStringItem):
    PLAIN = "question"
    question: Text
    lines: Annotated[int, Field(ge=1, le=30)] = 3


class PromptsBlock(BlockBase):
    type: Literal["prompts"]
    items: list[Prompt] = Field(min_length=1)


class ScaleBlock(BlockBase):
    type: Literal["scale"]
    question: Text
    min: Annotated[int, Field(ge=0, le=100)] = 0
    max: Annotated[int, Field(ge=1, le=100)] = 10
    labels: dict[int, Text] = Field(default_factory=dict)


class ScriptLine(Strict):
    speaker: Text
    say: Text


class ScriptBlock(BlockBase):
    type: Literal["script"]
    lines: list[ScriptLine] = Field(min_length=1)


class CalloutBlock(BlockBase):
    type: Literal["callout"]
    body: Text
    tone: Literal["info", "important", "support"] = "info"
    icon: IconField = None


class TableBlock(BlockBase):
    type: Literal["table"]
    columns: list[Text] = Field(min_length=1, max_length=8)
    rows: list[list[Cell]] = Field(min_length=1, max_length=MAX_TABLE_ROWS)


class ResourcesBlock(BlockBase):
    type: Literal["resources"]
    region: str | None = None  # default: the packet's region
    # Youth lines (Childline, Kids Help Phone, Kids Helpline) only where asked: they belong
    # on handouts for teens, not on every adult handout (CONTENT.md).
    youth: bool = False


Block = Annotated[
    Union[
        TextBlock, ListBlock, ExamplesBlock, ChecklistBlock, StepsBlock, PromptsBlock,
        ScaleBlock, ScriptBlock, CalloutBlock, TableBlock, ResourcesBlock,
    ],
    Field(discriminator="type"),
]
BLOCK_MODELS: dict[str, type[BlockBase]] = {
    model.model_fields["type"].annotation.__args__[0]: model
    for model in (
        TextBlock, ListBlock, ExamplesBlock, ChecklistBlock, StepsBlock, PromptsBlock,
        ScaleBlock, ScriptBlock, CalloutBlock, TableBlock, ResourcesBlock,
    )
}
BLOCK_TYPES = tuple(BLOCK_MODELS)
ACTION_TYPES = ("steps", "checklist", "prompts", "script", "scale")


# ---- a module -----------------------------------------------------------------------


class SourceRef(Strict):
    title: Text
    publisher: Text | None = None
    url: Text | None = None
    year: Annotated[int, Field(ge=1900, le=2100)] | None = None


class Module(Strict):
    """A handout module: one handout, worksheet, exercise, script or guide."""

    id: Id | None = Field(None, description="Lowercase letters, digits and hyphens. Default: the file name.")
    title: Text = Field(description="The handout's title, as the reader sees it.")
    subtitle: Text | None = Field(None, description="One line under the title.")
    kind: Kind
    audience: Audience
    topics: list[Topic] = Field(min_length=1, description="Lowercase words, for `handouts list --topic`.")
    minutes: Annotated[int, Field(ge=1, le=240)] | None = Field(None, description="About how long it takes.")
    pages: Annotated[int, Field(ge=1, le=20)] | None = Field(
        None, description="Page budget: `handouts check` warns when it renders longer. Default: 1 for an exercise, else 2.")
    content_note: Text | None = Field(None, description="Printed first, in a quiet box: one calm, factual sentence.")
    summary: list[Text] | None = Field(
        default=None, min_length=1, max_length=5, description="The 'Key points' box: 1–5 short items, the main message first.")
    blocks: list[Block] = Field(min_length=1, max_length=MAX_MODULE_BLOCKS, description="The content, in order.")
    sources: list[SourceRef] | None = Field(None, description="Only sources you are sure exist; https links.")
    reviewed: dt.date | None = Field(None, description="Date of the last clinical review, like 2026-11-01.")
    version: Text | None = None
    license: Text | None = None
    lang: Language | None = Field(
        None, description="The language it is written in: en, es or fr. Default en. A translation keeps the "
                          "English module's id.")
    source_version: Text | None = Field(
        None, description="Translations only: the `version` of the English module it follows "
                          "(`handouts check` warns when the English has changed since).")
    clinician_notes: Text | None = Field(
        None, description="Markdown for the clinician: when to use it and when not, the session phase, "
                          "the model it follows. Never printed on the client's copy.")

    @property
    def page_budget(self) -> int:
        """Pages it may take: its own ``pages``, else one for an exercise and two for the rest."""
        return self.pages or (1 if self.kind == "exercise" else 2)

    @property
    def client_facing(self) -> bool:
        return self.audience in ("client", "couple")


# ---- a packet -----------------------------------------------------------------------


class Packet(Strict):
    """A packet: several handouts in one PDF, for one session."""

    title: Text = Field(description="The packet's title, on the cover.")
    handouts: list[Text] = Field(min_length=1, max_length=MAX_PACKET_HANDOUTS,
                                 description="Handout ids, or module files relative to this packet.")
    client: Text | None = None
    clinician: Text | None = None
    practice: Text | None = None
    contact: Text | None = None
    logo: Text | None = None
    date: dt.date | None = None
    region: Text | None = None
    paper: Paper | None = None
    theme: Theme | None = None
    fillable: bool | None = None
    cover: bool | None = None
    lang: Annotated[str, StringConstraints(pattern=LANG_PATTERN), AfterValidator(_printable)] | None = None
    # `copy` in the file; a field of that name would hide pydantic's own BaseModel.copy.
    copy_: Copy | None = Field(
        None, alias="copy", description="client (the default) or clinician: the clinician's copy adds each handout's "
                          "clinician notes and sources and the reminder to confirm local lines.")
    discreet: bool | None = Field(
        None, description="true: the cover, running headers and footers, PDF title, bookmarks and default "
                          "file name say only discreet_title, for a client who lives with the person who hurt them.")
    discreet_title: Annotated[str, StringConstraints(min_length=1, max_length=60)] | None = Field(
        None, description=f"The neutral title of a discreet packet (default: {DISCREET_TITLE}).")

    @field_validator("discreet")
    @classmethod
    def _discreet_keeps_its_cover(cls, discreet: bool | None, info: ValidationInfo) -> bool | None:
        # The neutral cover is what someone glancing at the packet sees first; without it
        # the first page is a handout's title in large type.
        if discreet and info.data.get("cover") is False:
            raise ValueError("a discreet packet starts with its neutral cover (remove 'cover: false', "
                             "or make the packet not discreet)")
        return discreet

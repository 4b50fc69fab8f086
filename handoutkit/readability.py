"""Reading level of the prose a client reads.

Works on plain data (the dict a module's YAML loads to), so it can run on a module
before it validates, and on any part of one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator

# Fields whose strings a reader reads as sentences. Titles and table headers are left
# out on purpose: they are fragments, and fragments make any text look easier than it is.
# Table cells ("rows") are read: a cell can hold a whole sentence, hard words and all.
PROSE_FIELDS = ("body", "items", "note", "say", "question", "text", "rows")
# Keys whose strings name a thing for the engine, not words a reader sees.
_NOT_TEXT = ("type", "region", "style", "tone", "icon")

_MARKUP = re.compile(r"[*_`#>]|\[([^\]]*)\]\([^)]*\)")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


def strip_markdown(text: str) -> str:
    """Markdown to the words a reader sees: link text stays, markup goes."""
    return _MARKUP.sub(lambda m: m.group(1) or "", text)


def located_prose(module: dict[str, Any]) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Every client-facing string in a module, in reading order, with where it stands."""
    for i, point in enumerate(module.get("summary") or []):
        if isinstance(point, str):
            yield ("summary", i), point
    for i, block in enumerate(module.get("blocks") or []):
        if isinstance(block, dict):
            yield from _strings(block, ("blocks", i))


def prose_of(module: dict[str, Any]) -> Iterator[str]:
    return (text for _, text in located_prose(module))


def texts_of(value: Any) -> Iterator[str]:
    """Every string a reader may see in a block (or a list of them): prose, titles,
    headers, labels and cells alike, but not the keys that name things for the engine."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from texts_of(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in _NOT_TEXT:
                yield from texts_of(item)


def _strings(value: Any, loc: tuple[Any, ...], prose: bool = False) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(value, str):
        if prose:
            yield loc, value
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, loc + (i,), prose)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, loc + (key,), key in PROSE_FIELDS)


def long_sentences(module: dict[str, Any]) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Sentences over LONG_SENTENCE words, with the place of the text that holds each."""
    for loc, text in located_prose(module):
        for sentence in sentences([text]):
            if len(sentence.split()) > LONG_SENTENCE:
                yield loc, sentence


def _paragraphs(text: str) -> Iterator[str]:
    """Markdown paragraphs and list items, each as one line (wrapped lines joined)."""
    current: list[str] = []
    for line in text.splitlines():
        if not line.strip() or _LIST_ITEM.match(line):
            if current:
                yield " ".join(current)
            current = [_LIST_ITEM.sub("", line).strip()] if line.strip() else []
        else:
            current.append(line.strip())
    if current:
        yield " ".join(current)


def sentences(texts: Iterator[str] | list[str]) -> list[str]:
    """Split prose into sentences; a list item without a full stop counts as one."""
    out: list[str] = []
    for text in texts:
        for paragraph in _paragraphs(strip_markdown(text)):
            for sentence in _SENTENCE_END.split(paragraph):
                sentence = sentence.strip()
                if sentence:
                    out.append(sentence if sentence[-1] in ".!?\"'”’" else sentence + ".")
    return out


@dataclass(frozen=True)
class Target:
    """How a language's plain-language target is measured, and the bar (grade 6–8 in each)."""

    formula: str  # as `check` names it
    locale: str  # textstat's language
    limit: float
    higher_is_easier: bool  # an ease score (higher: easier) rather than a grade
    also: str | None = None  # a second formula, reported alongside

    def meets(self, score: float) -> bool:
        return score >= self.limit if self.higher_is_easier else score <= self.limit

    def scored(self, text: str) -> float:
        import textstat  # imported here: it loads a pronunciation dictionary, and most commands never need it

        textstat.set_lang(self.locale)  # textstat's language is global: set it for every measure
        if self.locale == "es":
            return float(textstat.fernandez_huerta(text))
        if self.locale == "fr":
            return float(textstat.flesch_reading_ease(text))  # with lang fr: Kandel–Moles' constants
        return float(textstat.flesch_kincaid_grade(text))

    def also_scored(self, text: str) -> float | None:
        import textstat

        if self.also is None:
            return None
        textstat.set_lang(self.locale)
        return float(textstat.szigriszt_pazos(text))


# The plain-language targets, one place for all three languages (docs/translating.md):
# US grade 6–8 in English; Fernández-Huerta 70 ("bastante fácil") in Spanish, with
# Szigriszt-Pazos reported too; Kandel–Moles 60 in French.
TARGETS = {
    "en": Target("Flesch-Kincaid grade", "en_US", 8.0, higher_is_easier=False),
    "es": Target("Fernández-Huerta", "es", 70.0, higher_is_easier=True, also="Szigriszt-Pazos"),
    "fr": Target("Kandel–Moles", "fr", 60.0, higher_is_easier=True),
}


@dataclass(frozen=True)
class Reading:
    grade: float  # the language's score: a grade in English, an ease score in es and fr
    words: int
    hardest: list[tuple[float, str]]  # (score, sentence), hardest first
    lang: str = "en"
    also: float | None = None  # Szigriszt-Pazos, in Spanish

    @property
    def target(self) -> Target:
        return TARGETS[self.lang]

    @property
    def ok(self) -> bool:
        return self.target.meets(self.grade)


LONG_SENTENCE = 25


def _grade(text: str) -> float:
    return TARGETS["en"].scored(text)


def language_of(module: dict[str, Any]) -> str:
    lang = module.get("lang")
    return lang if isinstance(lang, str) and lang in TARGETS else "en"


def reading_of(module: dict[str, Any], hardest: int = 3) -> Reading | None:
    """The reading level of a module's prose in its language (TARGETS), or None when there
    is too little to measure."""
    lang = language_of(module)
    target = TARGETS[lang]
    found = sentences(list(prose_of(module)))
    words = sum(len(s.split()) for s in found)
    if words < 30:
        return None
    scored = sorted(((target.scored(s), s) for s in found if len(s.split()) >= 6),
                    reverse=not target.higher_is_easier)
    whole = " ".join(found)
    also = target.also_scored(whole)
    return Reading(
        grade=round(target.scored(whole), 1),
        words=words,
        hardest=[(round(g, 1), s) for g, s in scored[:hardest]],
        lang=lang,
        also=round(also, 1) if also is not None else None,
    )


if __name__ == "__main__":  # python -m handoutkit.readability FILE.yaml …
    import sys

    import yaml

    for name in sys.argv[1:]:
        with open(name, encoding="utf-8") as fh:
            module = yaml.safe_load(fh)
        reading = reading_of(module)
        if reading is None:
            print(f"{name}: too little prose to measure")
            continue
        print(f"{name}: {reading.target.formula} {reading.grade} over {reading.words} words")
        for grade, sentence in reading.hardest:
            print(f"  hardest ({grade}): {sentence}")
        for _, sentence in long_sentences(module):
            print(f"  over {LONG_SENTENCE} words: {sentence}")

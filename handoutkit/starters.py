"""`handouts new`: a starter module for each kind, valid and passing `check --strict`.

Each starter explains its fields in comments, so the file teaches the format as it is
filled in. The first line points the YAML language server at the schema.

Where that line points: a path relative to the module, to a schema that travels with it.
A `file://` address into this computer's installed package (what it once was) breaks as
soon as the folder is shared through git, synced to another computer or handoutkit is
reinstalled elsewhere; a web address would have the editor fetch it, and handoutkit
publishes nothing online. So: when the folder, or a folder above it inside the same git
repository, already holds handoutkit's module schema (as `module.schema.json` or
`schema/module.schema.json`, the name `handouts schema --write schema` uses), the line
points there, like `../schema/module.schema.json`. Otherwise a copy is written beside the
module, as `module.schema.json`, to commit with the handouts; later starters in the folder
reuse it, and `handouts schema --write DIR` brings it up to date.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from . import paths
from .errors import UsageError
from .models import KINDS

SCHEMA_NAME = "module.schema.json"

_HEAD = """\
# yaml-language-server: $schema={schema}
# A handoutkit module. Check it with `handouts check {file}`,
# build it with `handouts build {file}`. Keep sentences short and words everyday:
# client handouts aim at a US grade 6-8 reading level.
id: {id}                      # lowercase letters, digits and hyphens
title: {title}
subtitle: One line that says what this is for
kind: {kind}                  # handout | worksheet | exercise | script | guide
audience: {audience}          # client | couple | clinician
topics: [{topic}]             # lowercase words, for `handouts list --topic`
minutes: {minutes}                   # about how long it takes
pages: {pages}                     # page budget: `check` warns when it renders longer
# content_note: This handout talks about …   # for handouts about coercion, abuse or distress
summary:                      # the "Key points" box: the one thing to remember comes first
  - {point}
blocks:                       # the content, in order; each block has a type and an optional title
"""

_BLOCKS = {
    "handout": """\
  - type: text
    title: What this is
    body: |
      Write a short paragraph here. Say what the idea is and why it matters to the reader.
      Use "you" and short sentences.
  - type: list
    title: Signs to look for
    items:
      - A first sign, in a few words
      - A second sign
  - type: checklist
    title: What I want to try
    items:
      - One small thing the reader can do this week
      - Another small thing
""",
    "worksheet": """\
  - type: text
    body: Take your time. You can skip any question. There are no wrong answers.
  - type: prompts
    title: Think about it
    items:
      - What do you notice first when this happens?
      - question: What helps, even a little?
        lines: 4            # write-in lines under the question
  - type: scale
    question: How sure do you feel about this today?
    labels: {0: Not at all, 10: Very sure}
""",
    "exercise": """\
  - type: steps
    title: Try it now
    items:
      - Find a place to sit. You can keep your eyes open.
      - text: Breathe in slowly, then breathe out a little longer.
        minutes: 2
      - Notice how you feel. You can stop at any time.
  - type: scale
    question: How calm do you feel now?
    labels: {0: Not calm, 10: Very calm}
""",
    "script": """\
  - type: text
    body: Read this together. Either of you can pause at any time.
  - type: script
    title: A check-in
    lines:
      - speaker: Partner A
        say: Can we take a moment to check in?
      - speaker: Partner B
        say: Yes. I would like that.
  - type: steps
    title: After the check-in
    items:
      - Say one thing you heard your partner say.
      - Agree on one small next step.
""",
    "guide": """\
  - type: text
    title: Purpose
    body: Say in two or three sentences what this guide helps a clinician do, and when.
  - type: list
    title: Key practices
    items:
      - A practice, stated plainly
      - Another practice
  - type: callout
    tone: important
    body: One thing a clinician must not miss.
""",
}

_AUDIENCE = {"script": "couple", "guide": "clinician"}

# `handouts new --lang es|fr`: the same starters with the reader's words in that language
# (docs/translating.md: tú in Spanish, vous in Canadian French). Comments stay in English.
_WORDS = {
    "es": {
        "subtitle": "Una línea que dice para qué sirve",
        "point": "Lo más importante, en una frase corta.",
        "handout": """\
  - type: text
    title: Qué es esto
    body: |
      Escribe aquí un párrafo corto. Di cuál es la idea y por qué importa.
      Usa "tú" y frases cortas.
  - type: list
    title: Señales
    items:
      - Una primera señal, en pocas palabras
      - Una segunda señal
  - type: checklist
    title: Lo que quiero probar
    items:
      - Algo pequeño que puedes hacer esta semana
      - Otra cosa pequeña
""",
        "worksheet": """\
  - type: text
    body: Tómate tu tiempo. Puedes saltar cualquier pregunta. No hay respuestas malas.
  - type: prompts
    title: Piénsalo
    items:
      - ¿Qué notas primero cuando pasa esto?
      - question: ¿Qué te ayuda, aunque sea un poco?
        lines: 4            # write-in lines under the question
  - type: scale
    question: ¿Cuánta seguridad sientes hoy?
    labels: {0: Nada, 10: Mucho}
""",
        "exercise": """\
  - type: steps
    title: Pruébalo ahora
    items:
      - Busca un lugar para sentarte. Puedes tener los ojos abiertos.
      - text: Toma aire despacio y suéltalo un poco más lento.
        minutes: 2
      - Nota cómo te sientes. Puedes parar cuando quieras.
  - type: scale
    question: ¿Qué tanta calma sientes ahora?
    labels: {0: Nada, 10: Mucha}
""",
        "script": """\
  - type: text
    body: Lean esto juntos. Cualquiera de los dos puede hacer una pausa.
  - type: script
    title: Un momento para hablar
    lines:
      - speaker: Pareja A
        say: ¿Podemos tomarnos un momento para hablar?
      - speaker: Pareja B
        say: Sí. Me gustaría.
  - type: steps
    title: Después de hablar
    items:
      - Di algo que escuchaste decir a tu pareja.
      - Acuerden un paso pequeño.
""",
        "guide": """\
  - type: text
    title: Propósito
    body: Di en dos o tres frases qué ayuda a hacer esta guía, y cuándo.
  - type: list
    title: Prácticas clave
    items:
      - Una práctica, dicha con claridad
      - Otra práctica
  - type: callout
    tone: important
    body: Algo que la persona terapeuta no debe pasar por alto.
""",
    },
    "fr": {
        "subtitle": "Une ligne qui dit à quoi cela sert",
        "point": "La chose à retenir, en une phrase courte.",
        "handout": """\
  - type: text
    title: De quoi il s'agit
    body: |
      Écrivez ici un court paragraphe. Dites quelle est l'idée et pourquoi elle compte.
      Employez « vous » et des phrases courtes.
  - type: list
    title: Signes à remarquer
    items:
      - Un premier signe, en quelques mots
      - Un deuxième signe
  - type: checklist
    title: Ce que je veux essayer
    items:
      - Une petite chose à faire cette semaine
      - Une autre petite chose
""",
        "worksheet": """\
  - type: text
    body: Prenez votre temps. Vous pouvez sauter une question. Il n'y a pas de mauvaise réponse.
  - type: prompts
    title: Pensez-y
    items:
      - Que remarquez-vous d'abord quand cela arrive ?
      - question: Qu'est-ce qui vous aide, même un peu ?
        lines: 4            # write-in lines under the question
  - type: scale
    question: À quel point vous sentez-vous en confiance aujourd'hui ?
    labels: {0: Pas du tout, 10: Tout à fait}
""",
        "exercise": """\
  - type: steps
    title: Essayez maintenant
    items:
      - Trouvez un endroit pour vous asseoir. Vous pouvez garder les yeux ouverts.
      - text: Inspirez lentement, puis expirez un peu plus longtemps.
        minutes: 2
      - Remarquez comment vous vous sentez. Vous pouvez arrêter à tout moment.
  - type: scale
    question: À quel point vous sentez-vous calme maintenant ?
    labels: {0: Pas calme, 10: Très calme}
""",
        "script": """\
  - type: text
    body: Lisez ceci ensemble. Chaque personne peut faire une pause à tout moment.
  - type: script
    title: Un moment pour se parler
    lines:
      - speaker: Partenaire A
        say: Pouvons-nous prendre un moment pour nous parler ?
      - speaker: Partenaire B
        say: Oui. J'aimerais bien.
  - type: steps
    title: Après ce moment
    items:
      - Dites une chose que vous avez entendue de votre partenaire.
      - Choisissez ensemble une petite étape.
""",
        "guide": """\
  - type: text
    title: Objectif
    body: Dites en deux ou trois phrases à quoi sert ce guide, et quand.
  - type: list
    title: Pratiques clés
    items:
      - Une pratique, dite simplement
      - Une autre pratique
  - type: callout
    tone: important
    body: Une chose que la personne thérapeute ne doit pas manquer.
""",
    },
}

def _is_module_schema(path: Path) -> bool:
    from .schema import schema_for

    try:
        return json.loads(path.read_text(encoding="utf-8")).get("title") == schema_for("module")["title"]
    except (OSError, ValueError, AttributeError):
        return False


def _repository_root(folder: Path) -> Path | None:
    for place in (folder, *folder.parents):
        if (place / ".git").exists():
            return place
    return None


def schema_for_folder(folder: Path) -> tuple[str, Path | None]:
    """What the $schema line of a module in ``folder`` says, and the schema copy to write
    beside it (None: one is there already). See the module's docstring for why."""
    folder = folder.resolve()
    top = _repository_root(folder)
    places = [folder] if top is None else [folder, *folder.parents[:len(folder.parents) - len(top.parents)]]
    for place in places:
        for candidate in (place / SCHEMA_NAME, place / "schema" / SCHEMA_NAME):
            if candidate.is_file() and _is_module_schema(candidate):
                return Path(os.path.relpath(candidate, folder)).as_posix(), None
    if (folder / SCHEMA_NAME).exists():  # a file of that name, not ours: never replaced
        return (paths.SCHEMA / SCHEMA_NAME).resolve().as_uri(), None
    return SCHEMA_NAME, folder / SCHEMA_NAME


def starter(module_id: str, kind: str, schema: str = SCHEMA_NAME, lang: str = "en") -> str:
    if kind not in KINDS:
        raise UsageError(f"unknown kind '{kind}' (expected one of: {', '.join(KINDS)})")
    title = module_id.replace("-", " ").capitalize()
    head = _HEAD
    if lang != "en":
        words = _WORDS[lang]
        head = head.replace("subtitle: One line that says what this is for", f"subtitle: {words['subtitle']}")
        head = head.replace("id: {id}                      # lowercase letters, digits and hyphens\n",
                            "id: {id}                      # a translation keeps the English module's id\n"
                            f"lang: {lang}\n"
                            "# source_version: \"1.0\"     # a translation: the `version` of the English module it follows\n")
    text = head.format(
        schema=schema,
        file=f"{module_id}.yaml", id=module_id, title=title, kind=kind,
        audience=_AUDIENCE.get(kind, "client"), topic="general", minutes=5 if kind == "exercise" else 10,
        pages=1 if kind == "exercise" else 2,
        point="The one thing to remember, in one short sentence." if lang == "en" else _WORDS[lang]["point"],
    )
    return text + (_BLOCKS[kind] if lang == "en" else _WORDS[lang][kind])


def write_starter(module_id: str, kind: str, folder: Path, lang: str = "en") -> list[Path]:
    """The starter module, and the schema copy beside it when there is none: what was written."""
    import re

    from .output import write_atomic
    from .schema import text_of

    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", module_id):
        raise UsageError(f"'{module_id}' cannot be an id (expected lowercase letters, digits and single hyphens, like 'sleep-worries')")
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is a file, not a folder (give --dir a folder)")
    if not folder.is_dir():
        # The folder the clinician named is made; a whole missing path is more likely a typo.
        if not folder.parent.is_dir():
            raise UsageError(f"no folder {folder.parent} to create {folder.name} in (create it first, or check --dir)")
        try:
            folder.mkdir()
        except OSError as exc:
            raise UsageError(f"cannot create the folder {folder}: {exc.strerror or exc}") from None
    target = folder / f"{module_id}.yaml"
    if target.exists():
        raise UsageError(f"{target} already exists; handouts new never overwrites a file (pick another id or folder)")
    starter(module_id, kind)  # an unknown kind is refused before anything is written
    line, copy = schema_for_folder(folder)
    written = [write_atomic(target, starter(module_id, kind, line, lang).encode("utf-8"))]
    if copy is not None:
        written.append(write_atomic(folder / copy.name, text_of("module").encode("utf-8")))
    return written

"""Spanish and French: handoutkit's own words, each handout's translation, crisis lines in the
client's language, reading level per language, and the shape a translation keeps.

The fixture library tests/fixtures/languages holds a small English module with its Spanish
and French translations (es/, fr/) and a module with no translation (the fallback). Each
PDF is built once for the module (module-scoped fixtures) and read back.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pikepdf
import pytest
import yaml

from conftest import FIXTURES, ROOT, handouts, pdf_text, squash
from handoutkit import crisis, labels, translations
from handoutkit.library import Library

LIBRARY = FIXTURES / "languages"
DATE = "2026-11-24"
DETAILS = ["--client", "Ana Ruiz", "--clinician", "Sam Lee", "--practice", "Northside Care", "--date", DATE]


def _build(tmp: Path, lang: str, region: str) -> tuple[Path, str]:
    out = tmp / f"packet-{lang}.pdf"
    result = handouts("-L", str(LIBRARY), "build", "breathing-pause", "only-english", "--lang", lang,
                      "--region", region, *DETAILS, "-o", str(out))
    assert result.code == 0, result.text
    return out, result.err


@pytest.fixture(scope="module")
def spanish(tmp_path_factory) -> tuple[Path, str]:
    return _build(tmp_path_factory.mktemp("es"), "es-US", "US")


@pytest.fixture(scope="module")
def french(tmp_path_factory) -> tuple[Path, str]:
    return _build(tmp_path_factory.mktemp("fr"), "fr", "CA")


@pytest.fixture(scope="module")
def english(tmp_path_factory) -> tuple[Path, str]:
    return _build(tmp_path_factory.mktemp("en"), "en", "US")


def _text(built: tuple[Path, str]) -> str:
    return squash(pdf_text(built[0]))


# ---- the locale files ------------------------------------------------------------------


def _shape(value):
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    return "text"


@pytest.mark.parametrize("lang", ["es", "fr"])
def test_every_locale_has_every_key_of_the_english_one(lang: str):
    assert _shape(labels.locale(lang)) == _shape(labels.locale("en"))
    # The labels other parts of handoutkit print (per-partner sheets, the clinician's copy).
    for key in ("partner_a", "partner_b", "clinicians_copy", "session_notes", "notes"):
        assert labels.text(lang, key)


def test_a_missing_label_is_an_error_never_english():
    with pytest.raises(labels.MissingLabel, match="no label 'no_such_label' in handoutkit's es locale"):
        labels.text("es", "no_such_label")
    with pytest.raises(labels.MissingLabel, match="plural"):
        labels.text("fr", "about_minutes")
    assert labels.text("fr", "about_minutes", n=1.5) == "environ 1,5 minute"
    assert labels.text("es", "about_minutes", n=5) == "unos 5 minutos"


# ---- every label read back, and no English word of handoutkit's own --------------------


def _english_fragments(lang: str) -> list[str]:
    """Every English label's words (split where a value is filled in) that the other
    language says differently: none of them may appear in a PDF in that language."""
    skip = {"date_long", "month_year", "language_name"}
    found = []
    for key in labels.keys():
        if key in skip:
            continue
        en, other = labels._lookup("en", key), labels._lookup(lang, key)
        pairs = [(en[k], other[k]) for k in en] if isinstance(en, dict) else [(en, other)]
        for en_text, other_text in pairs:
            if en_text == other_text:
                continue
            for fragment in re.split(r"\{[a-z_]+\}", en_text):
                fragment = fragment.strip(" .,:()")
                if len(fragment) >= 3 and fragment.lower() not in other_text.lower():
                    found.append(fragment)
    return found


@pytest.mark.parametrize(("lang", "fixture"), [("es", "spanish"), ("fr", "french")])
def test_no_english_word_of_handoutkits_own(lang: str, fixture: str, request):
    built = request.getfixturevalue(fixture)
    # The module left in English prints its own English words: only handoutkit's are held here.
    text = _text(built).replace("My own worksheet", "").replace("Write down one thing that helped this week.", "")
    text = text.replace("What helped this week?", "").replace("What would you like to try next?", "")
    fragments = _english_fragments(lang)
    assert len(fragments) > 25  # the check itself has something to look for
    found = [f for f in fragments if re.search(rf"(?<!\w){re.escape(f)}(?!\w)", text, re.IGNORECASE)]
    assert not found, f"English labels in the {lang} PDF: {found}"


def test_spanish_labels_read_back(spanish):
    text, pages = _text(spanish), len(pikepdf.open(spanish[0]).pages)
    for expected in ["MATERIALES DE NORTHSIDE CARE", "Preparado para Ana Ruiz", "Terapeuta", "Consultorio", "Fecha", "24 de noviembre de 2026", "En este paquete", "Notas",
                     "Puntos clave", "Aviso sobre el contenido:", "Revisado en noviembre de 2026",
                     "Líneas de ayuda", "se verificaron en noviembre de 2026",
                     f"Página 2 de {pages}", "página 2", "(1 min)", "Hoja de trabajo"]:
        assert expected.lower() in text.lower(), expected
    assert "EJERCICIO · ALREDEDOR DE 5 MINUTOS".lower() in text.lower() or "ejercicio, unos 5 minutos" in text.lower()


def test_french_labels_read_back(french):
    text, pages = _text(french), len(pikepdf.open(french[0]).pages)
    for expected in ["FICHES DE NORTHSIDE CARE", "Préparé pour Ana Ruiz", "Thérapeute", "Clinique",
                     "24 novembre 2026", "Dans cette trousse", "Points clés", "Avertissement sur le contenu\u00a0:",
                     "Révisé en novembre 2026", "Lignes d'aide", "vérifiés en novembre 2026",
                     f"Page 2 de {pages}", "Exercice, environ 5 minutes", "Fiche de travail"]:
        assert squash(expected).lower() in text.lower(), expected


def test_english_keeps_its_words(english):
    text = _text(english)
    for expected in ["HANDOUTS FROM NORTHSIDE CARE", "Prepared for Ana Ruiz", "24 November 2026", "In this packet",
                     "Key points", "Content note:", "Reviewed November 2026", "Help now",
                     "These United States numbers were checked in November 2026.", "Exercise, about 5 minutes", "(1 min)"]:
        assert expected.lower() in text.lower(), expected
    assert "(in English)" not in text and not english[1].strip().startswith("warning")


@pytest.mark.parametrize(("fixture", "lang"), [("spanish", "es-US"), ("french", "fr"), ("english", "en")])
def test_the_pdf_says_its_language(fixture: str, lang: str, request):
    path = request.getfixturevalue(fixture)[0]
    with pikepdf.open(path) as pdf:
        assert str(pdf.Root.Lang) == lang


# ---- a handout with no translation ------------------------------------------------------


@pytest.mark.parametrize(("fixture", "lang", "title", "mark", "name"), [
    ("spanish", "es", "Una pausa para respirar", "(en inglés)", "Spanish"),
    ("french", "fr", "Une pause pour respirer", "(en anglais)", "French"),
])
def test_translations_are_used_and_the_rest_is_marked(fixture, lang, title, mark, name, request):
    path, err = request.getfixturevalue(fixture)
    text = _text((path, err))
    assert title in text and "A breathing pause" not in text
    assert f"My own worksheet {mark}" in text  # on the cover
    assert text.count(mark) == 1
    assert f"warning: 'only-english' has no {name} version, so it prints in English" in err
    assert "breathing-pause" not in err


# ---- crisis lines in the client's language ----------------------------------------------


def test_a_spanish_us_packet_says_how_to_reach_988_and_rainn_in_spanish(spanish):
    text = _text(spanish)
    for expected in ["Emergencias", "Línea Nacional de Ayuda contra la Agresión Sexual (RAINN)",
                     "en español por teléfono y por chat en línea", "rainn.org/es",
                     "marca 2 al llamar, envía AYUDA por mensaje de texto al 988", "Estos números (Estados Unidos) se verificaron en noviembre de 2026."]:
        assert expected in text, expected
    assert "Spanish" not in text and "call or text" not in text


def test_a_french_canadian_packet_prints_its_lines_in_french(french):
    text = _text(french)
    for expected in ["Urgence", "Ligne d'aide en cas de crise de suicide", "appelez ou textez au 988",
                     "Ligne d'écoute d'espoir pour le mieux-être", "en cri, en ojibwé et en inuktut sur demande",
                     "Premières Nations, Inuits et Métis", "Centres d'aide en agression sexuelle"]:
        assert squash(expected) in text, expected
    assert "English and French" not in text and "call or text" not in text


def test_kids_help_phone_in_french():
    lines = {line["source"]: line for line in crisis.lines_for("CA", youth=True, lang="fr")["lines"]}
    kids = lines["kidshelpphone.ca"]
    assert kids["service"] == "Jeunesse, J'écoute" and kids["languages"] == "en français et en anglais"


@pytest.mark.parametrize(("region", "lang"), [("US", "es"), ("CA", "fr")])
def test_every_line_is_in_the_language_and_adds_no_fact(region: str, lang: str):
    assert crisis.untranslated(region, lang) == []
    english = crisis.lines_for(region, youth=True)["lines"]
    said = crisis.lines_for(region, youth=True, lang=lang)["lines"]
    for en, other in zip(english, said):
        # Only CONTENT.md's facts: every number and address printed is one the English prints.
        facts = set(re.findall(r"\d[\d-]*\d|\d|[a-z0-9]+\.[a-z.]+(?:/[a-z]+)?", " ".join(
            str(en[k] or "") for k in crisis.SAID)))
        for k in crisis.SAID:
            for fact in re.findall(r"\d[\d-]*\d|\d|[a-z0-9]+\.[a-z.]+(?:/[a-z]+)?", str(other[k] or "")):
                assert fact in facts or fact in {"24", "7"}, (en["service"], fact)
        assert (en["emergency"], en["youth"], en["source"]) == (other["emergency"], other["youth"], other["source"])


# ---- reading level per language ---------------------------------------------------------

HARD = {
    "es": ("La comprensión exhaustiva de las interrelaciones neurofisiológicas subyacentes a la "
           "hiperactivación autonómica constituye, indudablemente, una herramienta terapéutica "
           "fundamental para profesionales especializados en intervenciones psicoterapéuticas "
           "contemporáneas, particularmente considerando la heterogeneidad sintomatológica "
           "característica de poblaciones traumatizadas."),
    "fr": ("La compréhension approfondie des interrelations neurophysiologiques sous-jacentes à "
           "l'hyperactivation autonomique constitue indubitablement un instrument thérapeutique "
           "fondamental pour les professionnels spécialisés dans les interventions psychothérapeutiques "
           "contemporaines, particulièrement considérant l'hétérogénéité symptomatologique caractéristique."),
}


@pytest.fixture(scope="module")
def hard_library(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hard")
    for lang in ("es", "fr"):
        module = yaml.safe_load((LIBRARY / lang / "breathing-pause.yaml").read_text(encoding="utf-8"))
        module.update(id=f"hard-{lang}", blocks=[{"type": "text", "body": HARD[lang]}, {"type": "steps", "items": ["Uno."]}])
        module.pop("source_version")
        (folder / f"hard-{lang}.yaml").write_text(yaml.safe_dump(module, allow_unicode=True), encoding="utf-8")
    return folder


@pytest.mark.parametrize(("lang", "formula"), [("es", "Fernández-Huerta"), ("fr", "Kandel–Moles")])
def test_text_too_hard_fails_in_each_language(hard_library: Path, lang: str, formula: str):
    result = handouts("check", "--strict", "--no-pages", str(hard_library / f"hard-{lang}.yaml"))
    assert result.code == 1, result.text
    assert f"reads at {formula}" in result.out and "about grade 6–8" in result.out
    assert "Flesch-Kincaid" not in result.out and "above grade 8" not in result.out
    if lang == "es":
        assert "Szigriszt-Pazos" in result.out


def test_the_fixture_translations_read_plainly():
    result = handouts("-L", str(LIBRARY), "check", "--strict", "--no-pages", str(LIBRARY), cpu_limit=120)
    assert result.code == 0, result.text
    assert "4 files checked: 0 errors, 0 warnings" in result.out  # the English two and both translations


# ---- the English changed after translation ---------------------------------------------


def test_check_warns_when_the_english_source_changed(tmp_path: Path):
    shutil.copytree(LIBRARY, tmp_path / "lib")
    stale = tmp_path / "lib" / "es" / "breathing-pause.yaml"
    stale.write_text(stale.read_text(encoding="utf-8").replace('source_version: "1.1"', 'source_version: "1.0"'),
                     encoding="utf-8")
    result = handouts("-L", str(tmp_path / "lib"), "check", "--no-pages", str(tmp_path / "lib"))
    assert result.code == 0, result.text  # a warning, until --strict
    assert f"{stale}:3:" in result.out
    assert "the English 'breathing-pause' is now version 1.1, but this translation follows version 1.0" in result.out
    assert result.out.count(": warning:") == 1


# ---- structure parity: a translation keeps its English source's shape ------------------


def _translation_pairs() -> list[tuple[str, Path]]:
    pairs = []
    for folder in (None, LIBRARY):
        library = Library([folder] if folder else [])
        for (module_id, lang), path in sorted(library.translations.items()):
            if folder is None and not path.is_relative_to(ROOT / "handouts"):
                continue
            pairs.append((f"{module_id}-{lang}", path))
    return pairs


PAIRS = _translation_pairs()


def test_parity_has_translations_to_compare():
    assert {"breathing-pause-es", "breathing-pause-fr"} <= {name for name, _ in PAIRS}


@pytest.mark.parametrize("path", [p for _, p in PAIRS], ids=[n for n, _ in PAIRS])
def test_a_translation_has_its_english_sources_shape(path: Path):
    library = Library([LIBRARY]) if path.is_relative_to(LIBRARY) else Library([])
    translated = next(m for m in library.all_translations()[0] if m.path == path)
    english = library.load(translated.id)
    assert english.module.lang in (None, "en")
    assert translations.differences(translated.module, english.module) == []
    assert translated.module.source_version is not None


def test_parity_notices_a_drifted_translation():
    library = Library([LIBRARY])
    english = library.load("breathing-pause").module
    spanish = library.in_language(library.load("breathing-pause"), "es").module
    steps = next(i for i, b in enumerate(spanish.blocks) if b.type == "steps")
    drifted = spanish.model_copy(update={"blocks": [
        *spanish.blocks[:steps], spanish.blocks[steps].model_copy(update={"items": spanish.blocks[steps].items[:2]}),
        *spanish.blocks[steps + 1:]]})
    assert translations.differences(spanish, english) == []
    assert any("block 2 (steps)" in d and "2 items;" in d and "here, 3 items;" in d
               for d in translations.differences(drifted, english))
    reordered = spanish.model_copy(update={"blocks": list(reversed(spanish.blocks))})
    assert any("same types, same order" in d for d in translations.differences(reordered, english))


# ---- the commands know about languages --------------------------------------------------


@pytest.mark.parametrize("args", [
    ["build", "breathing-pause", "--lang", "de"],
    ["build", "breathing-pause", "--lang", "español"],
    ["list", "--lang", "de"],
    ["show", "breathing-pause", "--lang", "xx"],
    ["new", "my-sheet", "--lang", "de"],
])
def test_a_language_handoutkit_cannot_print_is_refused(tmp_path: Path, args: list[str]):
    args = [*args, "-o", str(tmp_path / "out.pdf")] if args[0] == "build" else args
    args = [*args, "--dir", str(tmp_path)] if args[0] == "new" else args
    result = handouts("-L", str(LIBRARY), *args, cwd=tmp_path)
    assert result.code == 2, result.text
    assert "--lang: handoutkit cannot print in" in result.err and "expected one of: en, es, fr" in result.err
    assert "Traceback" not in result.text
    assert list(tmp_path.iterdir()) == []


def test_list_in_a_language():
    result = handouts("-L", str(LIBRARY), "list", "--lang", "es", "--json")
    assert result.code == 0, result.text
    rows = {row["id"]: row for row in json.loads(result.out)}
    assert rows["breathing-pause"]["title"] == "Una pausa para respirar" and rows["breathing-pause"]["lang"] == "es"
    assert rows["breathing-pause"]["languages"] == ["en", "es", "fr"]
    assert rows["only-english"]["lang"] == "en" and rows["only-english"]["languages"] == ["en"]
    table = handouts("-L", str(LIBRARY), "list", "--lang", "fr", env={"COLUMNS": "250"})
    assert "Une pause pour respirer" in table.out and "My own worksheet" in table.out


def test_show_in_a_language():
    result = handouts("-L", str(LIBRARY), "show", "breathing-pause", "--lang", "fr")
    assert result.code == 0 and "Une pause pour respirer" in result.out
    fallback = handouts("-L", str(LIBRARY), "show", "only-english", "--lang", "es")
    assert fallback.code == 0 and "My own worksheet" in fallback.out and "no es version" in fallback.err


@pytest.mark.parametrize("lang", ["es", "fr"])
def test_new_writes_a_starter_in_the_language(tmp_path: Path, lang: str):
    result = handouts("new", "my-sheet", "--kind", "worksheet", "--lang", lang, "--dir", str(tmp_path))
    assert result.code == 0, result.text
    written = yaml.safe_load((tmp_path / "my-sheet.yaml").read_text(encoding="utf-8"))
    assert written["lang"] == lang
    assert ("Tómate tu tiempo" if lang == "es" else "Prenez votre temps") in written["blocks"][0]["body"]
    checked = handouts("check", "--strict", "--no-pages", str(tmp_path / "my-sheet.yaml"))
    assert checked.code == 0, checked.text


# ---- the whole bundled library in each language, every theme, both papers ---------------


# Two whole-library packets (each takes a minute or two of CPU): the other themes and papers
# are covered module by module, as `check --strict` renders every translation on Letter and
# A4 in the default theme against its page budget.
@pytest.mark.parametrize(("lang", "theme", "paper"), [("es", "large-print", "a4"), ("fr", "print", "letter")])
def test_the_bundled_library_builds_in_each_language(tmp_path: Path, lang: str, theme: str, paper: str):
    """One packet of every bundled handout: its translation where there is one (the English
    otherwise, marked on the cover), in this theme and paper."""
    library = Library([])
    ids = library.ids()
    packet = tmp_path / "all.yaml"
    packet.write_text(yaml.safe_dump({"title": "Todo / Tout", "handouts": ids, "lang": lang, "theme": theme,
                                      "paper": paper, "region": "US" if lang == "es" else "CA"}), encoding="utf-8")
    result = handouts("build", str(packet), "-o", str(tmp_path / "all.pdf"), "--date", DATE)
    assert result.code == 0, result.text
    text = squash(pdf_text(tmp_path / "all.pdf")).lower()
    with pikepdf.open(tmp_path / "all.pdf") as pdf:
        assert str(pdf.Root.Lang) == lang
    mark = labels.text(lang, "in_language.en").lower()
    for module_id in ids:
        translated = library.in_language(library.load(module_id), lang)
        assert squash(translated.module.title).lower() in text, module_id
        said = f"'{module_id}' has no" in result.err
        assert said == ((translated.module.lang or "en") != lang), module_id
    assert text.count(mark) == result.err.count("has no")

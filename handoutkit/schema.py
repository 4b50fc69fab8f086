"""JSON Schema for modules and packets, generated from the models that validate them.

Editors (VS Code's YAML extension, via the yaml-language-server comment that `handouts
new` writes) use it to complete keys and block types and to flag typos while typing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from . import models

NAMES = {"module": "module.schema.json", "packet": "packet.schema.json"}


def _allow_plain_strings(schema: dict[str, Any], block: str, item: str) -> None:
    """Steps, prompts and list items take a plain string where the model says {text} or {question}."""
    items = schema["$defs"][block]["properties"]["items"]
    items["items"] = {"anyOf": [{"type": "string", "minLength": 1}, {"$ref": f"#/$defs/{item}"}]}


def schema_for(kind: str) -> dict[str, Any]:
    if kind == "module":
        schema = models.Module.model_json_schema()
        _allow_plain_strings(schema, "StepsBlock", "Step")
        _allow_plain_strings(schema, "PromptsBlock", "Prompt")
        _allow_plain_strings(schema, "ListBlock", "ListItem")
        title = "handoutkit handout module"
    elif kind == "packet":
        schema = models.Packet.model_json_schema()
        title = "handoutkit packet"
    else:
        raise ValueError(kind)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title, **{k: v for k, v in schema.items() if k != "title"}}


def text_of(kind: str) -> str:
    return json.dumps(schema_for(kind), indent=2, ensure_ascii=False) + "\n"


def write(folder: Path) -> list[Path]:
    from .output import write_atomic

    folder.mkdir(parents=True, exist_ok=True)
    return [write_atomic(folder / name, text_of(kind).encode("utf-8")) for kind, name in NAMES.items()]

"""`panelpapers schema`: the content format as JSON Schema, one schema per kind of content file, for
editors (the YAML language server's `# yaml-language-server: $schema=…` modeline) and other tools.

The schemas come from the same pydantic specs that `check` validates with, loosened where the
loader is kinder than pydantic's schema says, so that an editor never flags what panelpapers accepts:

- every scalar reaches the specs as text, so a number or yes/no field also accepts text (and a text
  field also accepts what an editor's YAML 1.2 reads as a number or true/false: `ref: 1`);
- a mapping with one key whose short form is a plain string (`- A paragraph.` for `- paragraph: …`,
  `ref: text` for `ref: {type: text}`) accepts that string;
- a date is text (the loader reads it with Python's ISO date parser, which takes more than one form).

What a schema cannot say (one of two keys, a name declared elsewhere, the house's markings and
organisations) is left to `panelpapers check`.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from panelpapers.data.declarations import DataFile
from panelpapers.load.content_format import SECTION_FILES, ImplicationsFile, MeetingFile

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_SUFFIX = ".schema.json"
IMPLICATIONS = "implications"  # equality.yaml, financial.yaml, legal.yaml and risk.yaml share one
HOUSE_STYLE = "house-style"
HOUSE_STYLE_FILE = "panelpapers.yaml"

# Text that pydantic reads as true or false (any case).
_BOOL_WORDS = ("0", "off", "f", "false", "n", "no", "1", "on", "t", "true", "y", "yes")
# Text that the specs read as a whole number: " 12 ", "-3", "+3", "1_000", "3.0".
_INTEGER_TEXT = r"^\s*[+-]?[0-9][0-9_]*(\.0*)?\s*$"
_SCALAR_TYPES = ["string", "number", "boolean"]
_SHORTHAND = "x-panelpapers-shorthand"  # marks a string short form until its key's schema is filled in


def kind_of(file_name: str) -> str | None:
    """The schema kind of a content file, by its name: `legal.yaml` -> "implications"."""
    if file_name == "meeting.yaml":
        return "meeting"
    if file_name == "data.yaml":
        return "data"
    if file_name == HOUSE_STYLE_FILE:
        return HOUSE_STYLE
    model = SECTION_FILES.get(file_name)
    if model is None:
        return None
    return IMPLICATIONS if model is ImplicationsFile else file_name.removesuffix(".yaml")


def schema_file(kind: str) -> str:
    return kind + SCHEMA_SUFFIX


def models() -> tuple[dict[str, tuple[type[BaseModel], str]], list[str]]:
    """Every kind: its spec and the files it describes; and a note for each kind left out."""
    kinds: dict[str, tuple[type[BaseModel], str]] = {"meeting": (MeetingFile, "meeting.yaml")}
    for name, model in SECTION_FILES.items():
        kind = kind_of(name)
        assert kind is not None
        files = kinds[kind][1] + ", " + name if kind in kinds else name
        kinds[kind] = (model, files)
    kinds["data"] = (DataFile, "data.yaml")
    notes: list[str] = []
    try:
        from panelpapers.load.house_style import HouseStyleFile
    except ImportError as err:
        notes.append(f"no {HOUSE_STYLE} schema: the house style format is not available ({err})")
    else:
        kinds[HOUSE_STYLE] = (HouseStyleFile, HOUSE_STYLE_FILE)
    return kinds, notes


def all_schemas() -> tuple[dict[str, dict[str, Any]], list[str]]:
    """kind -> its JSON Schema, and notes on kinds left out."""
    kinds, notes = models()
    return {kind: json_schema(model, files) for kind, (model, files) in kinds.items()}, notes


def json_schema(model: type[BaseModel], files: str) -> dict[str, Any]:
    schema = model.model_json_schema(by_alias=True, schema_generator=LenientSchema)
    _fill_shorthands(schema, schema.get("$defs", {}))
    schema["$schema"] = JSON_SCHEMA_DIALECT
    schema["title"] = f"panelpapers {files}"
    return schema


def dumps(value: Any) -> str:
    """Deterministic JSON: sorted keys, two-space indent, UTF-8 text, a final newline."""
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_schemas(out: Path) -> tuple[list[Path], list[str]]:
    """Writes `<kind>.schema.json` for every kind into `out`; the files written and notes."""
    schemas, notes = all_schemas()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, schema in sorted(schemas.items()):
        path = out / schema_file(kind)
        text = dumps(schema)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written, notes


class LenientSchema(GenerateJsonSchema):
    """pydantic's JSON Schema, loosened to accept everything the loader and the specs accept."""

    def str_schema(self, schema: core_schema.StringSchema) -> JsonSchemaValue:
        # Keywords such as pattern and minLength apply to strings only, so they still check text.
        return {**super().str_schema(schema), "type": list(_SCALAR_TYPES)}

    def bool_schema(self, schema: core_schema.BoolSchema) -> JsonSchemaValue:
        any_case = "|".join("".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in w) for w in _BOOL_WORDS)
        return {
            "anyOf": [
                {"type": "boolean"},
                {"enum": [0, 1]},
                {"type": "string", "pattern": f"^({any_case})$"},
            ]
        }

    def int_schema(self, schema: core_schema.IntSchema) -> JsonSchemaValue:
        return {"anyOf": [super().int_schema(schema), {"type": "string", "pattern": _INTEGER_TEXT}]}

    def float_schema(self, schema: core_schema.FloatSchema) -> JsonSchemaValue:
        return {"anyOf": [super().float_schema(schema), {"type": "string"}]}

    def date_schema(self, schema: core_schema.DateSchema) -> JsonSchemaValue:
        return {"type": "string", "description": "a date: YYYY-MM-DD"}

    def function_before_schema(self, schema: core_schema.BeforeValidatorFunctionSchema) -> JsonSchemaValue:
        inner = super().function_before_schema(schema)
        key = _shorthand_key(schema)
        if key is None:
            return inner
        if "$ref" in inner:  # the model's schema is not made yet: filled in by `_fill_shorthands`
            return {"anyOf": [inner, {_SHORTHAND: key, "$ref": inner["$ref"]}]}
        return {"anyOf": [inner, _short_form(inner, key)]}


def _shorthand_key(schema: core_schema.BeforeValidatorFunctionSchema) -> str | None:
    """The key a before-validator wraps a plain string in (`_wrap_string("text")` -> "text"), found
    by asking it: the content format's short forms are all of that shape."""
    function = schema["function"]
    if function["type"] != "no-info":
        return None
    try:
        wrapped = function["function"]("placeholder")
    except Exception:
        return None
    if isinstance(wrapped, dict) and len(wrapped) == 1:
        key = next(iter(wrapped))
        return key if isinstance(key, str) else None
    return None


def _fill_shorthands(node: Any, defs: dict[str, Any]) -> None:
    """Replaces each short-form marker with the schema of the key the string stands for (without its
    `null`: the short form is a string)."""
    if isinstance(node, list):
        for item in node:
            _fill_shorthands(item, defs)
        return
    if not isinstance(node, dict):
        return
    for value in node.values():
        _fill_shorthands(value, defs)
    branches = node.get("anyOf")
    if not isinstance(branches, list):
        return
    for index, branch in enumerate(branches):
        if isinstance(branch, dict) and _SHORTHAND in branch:
            ref = branch.get("$ref")
            target = defs.get(ref.rsplit("/", 1)[-1], {}) if isinstance(ref, str) else {}
            branches[index] = _short_form(target, branch[_SHORTHAND])
            _fill_shorthands(branches[index], defs)


def _short_form(model: dict[str, Any], key: str) -> dict[str, Any]:
    """The schema of a string standing for `{key: string}` in `model`: that key's, without `null`."""
    prop = copy.deepcopy(model.get("properties", {}).get(key))
    if not isinstance(prop, dict):
        return {"type": list(_SCALAR_TYPES)}
    prop.pop("default", None)
    prop.pop("title", None)
    options = prop.get("anyOf")
    if isinstance(options, list):
        kept = [option for option in options if option != {"type": "null"}]
        if len(kept) == 1:
            prop.pop("anyOf")
            prop.update(kept[0])
        else:
            prop["anyOf"] = kept
    return prop

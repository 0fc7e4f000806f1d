"""YAML with line numbers: read a file safely, keep where each key was, and turn pydantic's errors into
located, one-line problems (file, line, key path, valid choices).

One loader for every YAML file the engine reads — specs (:mod:`engine.spec.loader`), themes
(:mod:`engine.render.theme`) and delivery pipelines (:mod:`engine.deliver.pipeline`) — so each reports
its mistakes the same way. It knows no model of its own: each caller passes the one it validates.
``yaml.safe_load`` alone forgets where things were; we also compose the node tree and index each key path.
"""
from __future__ import annotations

import types
import typing
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from engine.errors import Problem, SpecError
from engine.suggest import did_you_mean
from engine.yaml_guard import check_node_tree

#: libyaml's safe loader when PyYAML was built with it (about ten times faster on a long spec), else
#: the pure-Python one; both construct only plain data and both keep line marks on the node tree.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

KeyPath = tuple[str | int, ...]


def format_key_path(path: KeyPath) -> str:
    """``('indicators', 3, 'where')`` -> ``indicators[3].where``, the way analysts read YAML."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


class LineIndex:
    """Maps key paths of a YAML document to the line they start on (1-based)."""

    def __init__(self, root: yaml.Node | None, file: str):
        self.file = file
        self.lines: dict[KeyPath, int] = {}
        self.duplicates: list[Problem] = []
        if root is not None:
            self._walk(root, ())

    def _walk(self, node: yaml.Node, path: KeyPath) -> None:
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key = key_node.value
                if key in seen:
                    self.duplicates.append(Problem(
                        f"key {key!r} is given twice; YAML would silently keep only the last",
                        file=self.file, line=key_node.start_mark.line + 1, key_path=format_key_path(path + (key,))))
                seen.add(key)
                self.lines[path + (key,)] = key_node.start_mark.line + 1
                self._walk(value_node, path + (key,))
        elif isinstance(node, yaml.SequenceNode):
            for position, item in enumerate(node.value):
                self._walk(item, path + (position,))

    def line_of(self, path: KeyPath) -> int | None:
        """The line of the deepest part of ``path`` that exists in the document."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return None

    def problem(self, path: KeyPath, message: str) -> Problem:
        return Problem(message, file=self.file, line=self.line_of(path), key_path=format_key_path(path) or "(top level)")


def _model_at(path: KeyPath, root: type[BaseModel]) -> type[BaseModel] | None:
    """The pydantic model that owns the mapping at ``path`` in a ``root`` document (to list its valid keys)."""
    annotation: Any = root
    for part in path:
        annotation = _unwrap(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(str(part)) or next(
                (f for f in annotation.model_fields.values() if f.alias == part), None)
            if field is None:
                return None
            annotation = field.annotation
        else:
            origin = typing.get_origin(annotation)
            args = typing.get_args(annotation)
            if origin in (list, tuple) and args:
                annotation = args[0]
            elif origin is dict and args:
                annotation = args[1]
            else:
                return None
    annotation = _unwrap(annotation)
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    """Strip ``Optional``/``Annotated`` so we reach the model or container underneath."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(annotation) if a is not type(None)]
            models = [a for a in options if isinstance(a, type) and issubclass(a, BaseModel)]
            annotation = models[0] if models else options[0]
        else:
            return annotation


def _valid_keys(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


def _translate(error: dict[str, Any], index: LineIndex, root: type[BaseModel]) -> Problem:
    """One pydantic error -> one located, actionable problem."""
    path: KeyPath = tuple(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        model = _model_at(path[:-1], root)
        hint = did_you_mean(str(path[-1]), _valid_keys(model)) if model else ""
        return index.problem(path, f"unknown key {path[-1]!r}{hint}")
    if kind == "missing":
        return index.problem(path, f"required key {path[-1]!r} is missing")
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return index.problem(path, f"{error.get('input')!r} is not allowed here (valid: {expected})")
    message = error["msg"].removeprefix("Value error, ")
    if kind.endswith("_type") or kind.endswith("_parsing"):
        message = f"{message}, got {error.get('input')!r}"
    return index.problem(path, message)


def read_yaml(path: str | Path, what: str = "spec") -> tuple[Any, LineIndex]:
    """Read a YAML file safely; return its data and the index of its key paths' lines.

    ``what`` names the kind of file in messages ("spec", "pipeline"). Raises :class:`SpecError`.
    """
    path = Path(path)
    shown = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(Problem(f"{what} file not found", file=shown)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(Problem(f"cannot read {what}: {exc}", file=shown)) from None
    try:
        root = yaml.compose(text, Loader=SAFE_LOADER)
        check_node_tree(root, shown, what)  # bounded before anything is built from it
        data = yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 - a safe loader (libyaml's when installed)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or str(exc)
        raise SpecError(Problem(f"not valid YAML: {reason}", file=shown,
                                line=mark.line + 1 if mark else None)) from None
    return data, LineIndex(root, shown)


ModelT = typing.TypeVar("ModelT", bound=BaseModel)


def validate_model(model: type[ModelT], data: Any, index: LineIndex,
                   not_a_mapping: str) -> tuple[ModelT | None, list[Problem]]:
    """Validate ``data`` as ``model``: the instance (None if invalid) and every located problem.

    Raises :class:`SpecError` with the message ``not_a_mapping`` when the document is not a mapping.
    """
    if not isinstance(data, dict):
        raise SpecError(Problem(not_a_mapping, file=index.file, line=1))
    problems = list(index.duplicates)
    try:
        return model.model_validate(data), problems
    except ValidationError as exc:
        return None, problems + [_translate(error, index, model) for error in exc.errors()]



def parse_key_path(text: str) -> KeyPath:
    """``indicators[3].where`` -> ``('indicators', 3, 'where')`` (inverse of format_key_path)."""
    parts: list[str | int] = []
    for piece in text.replace("]", "").split("."):
        name, *positions = piece.split("[")
        if name:
            parts.append(name)
        parts += [int(p) for p in positions]
    return tuple(parts)


def locate(error: SpecError, spec_path: str | Path) -> SpecError:
    """Add line numbers to problems found after loading (e.g. a period outside the data)."""
    try:
        index = LineIndex(yaml.compose(Path(spec_path).read_text(encoding="utf-8"), Loader=SAFE_LOADER), str(spec_path))
    except (OSError, yaml.YAMLError):
        return error
    # A problem found during computation may name no file: its key path is still a path of this spec.
    located = [
        replace(p, file=str(spec_path), line=index.line_of(parse_key_path(p.key_path)))
        if p.file in (None, str(spec_path)) and p.line is None and p.key_path and not p.key_path.startswith("-")
        else p
        for p in error.problems
    ]
    return type(error)(located)

"""Refuse YAML that would cost memory or time, or build anything but plain data, before it is built.

``yaml.safe_load`` already refuses Python objects, but it still expands aliases without bound (a
"billion laughs" document of a few hundred bytes expands to billions of nodes when walked), follows
a self-referencing alias (``&t [*t]``) into endless recursion and accepts tags such as ``!!binary``
or ``!!set`` that no spec or pipeline needs. The composed node tree shares aliased nodes, so it can
be measured cheaply: each distinct node is visited once and its expanded size is the sum of its
children's, memoised. A document is refused when that size, its nesting depth or a tag is out of
bounds; nothing is constructed until it passes.
"""
from __future__ import annotations

import yaml

from engine.errors import Problem, SpecError

#: Expanded nodes a document may hold. The demo spec has about 3,000; a spec a hundred times its size fits.
MAX_NODES = 250_000
#: Nesting a document may reach (the demo spec reaches 8).
MAX_DEPTH = 64
#: The tags plain YAML resolves values to; anything else (!!binary, !!set, !!omap, !!python/…) is refused.
PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in
                       ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "merge"))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _problem(file: str, node: yaml.Node, message: str) -> SpecError:
    return SpecError(Problem(message, file=file, line=node.start_mark.line + 1))


def check_node_tree(root: yaml.Node | None, file: str, what: str = "spec") -> None:
    """Raise :class:`SpecError` (with the line) for a recursive alias, an oversized expansion, deep nesting or
    a tag plain YAML does not have."""
    if root is None:
        return
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, finished = stack.pop()
        key = id(node)
        if finished:
            on_path.discard(key)
            size = 1 + sum(sizes[id(child)] for child in _children(node))
            if size > MAX_NODES:
                raise _problem(file, node, f"refused: aliases here expand to over {MAX_NODES:,} values, more than any "
                                           f"{what} needs (a 'billion laughs' document?)")
            sizes[key] = size
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise _problem(file, node, "refused: this alias refers to the node that contains it, so it never ends")
        if depth > MAX_DEPTH:
            raise _problem(file, node, f"refused: nested more than {MAX_DEPTH} levels deep")
        if node.tag not in PLAIN_TAGS:
            raise _problem(file, node, f"the tag {node.tag.replace('tag:yaml.org,2002:', '!!')!r} is not allowed: "
                                       f"a {what} holds plain text, numbers, lists and mappings only")
        on_path.add(key)
        stack.append((node, depth, True))
        for child in _children(node):
            if id(child) in on_path:
                raise _problem(file, child, "refused: this alias refers to the node that contains it, so it never ends")
            if id(child) not in sizes:
                stack.append((child, depth + 1, False))

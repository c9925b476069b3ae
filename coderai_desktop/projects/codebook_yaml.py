"""YAML as codebook files use it: safe tags, dates kept as text, and a bound on depth and on aliases.

PyYAML composes an alias as one more reference to the anchored node, which costs nothing to build, but
everything that walks the result (the duplicate-key check, validation) pays once per reference: nine
lists of nine aliases of each other ("billion laughs") are 387 million items. The loader counts what
each alias expands to, and how deep the file nests, and stops as soon as either passes its limit.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

# A codebook nests about six levels deep (variables[0].validation_rules.allowed_values[0]).
MAX_DEPTH = 50
# Far above a shared category list referenced by every variable of a large codebook.
MAX_ALIAS_ITEMS = 20_000


class UnusableYAML(yaml.MarkedYAMLError):
    """Valid YAML that no codebook can be: too deep, aliases that expand too far, an unreadable value."""


class CodebookLoader(yaml.SafeLoader):
    """Safe YAML that keeps dates as written (2020-05-01 stays text, as the codebook stores dates) and
    refuses what nests too deep or whose aliases expand too far, as soon as it is composed."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._alias_items = 0
        self._open_anchors: set[str] = set()
        self._extents: dict[int, tuple[int, int]] = {}  # id(node) -> (items, depth), once per node

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            node = super().compose_node(parent, index)  # refuses an undefined alias
            self._count_alias(event, node)
            return node
        self._refuse_depth(self._depth + 1, event.start_mark)
        self._depth += 1
        if event.anchor is not None:
            self._open_anchors.add(event.anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1
            self._open_anchors.discard(event.anchor)

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        # Explicit tags reach Python's int() and datetime(): `!!int 1e5000`, `!!timestamp 2020-13-45`.
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError):
            shown = repr(node.value[:30]) if isinstance(node, ScalarNode) else "this value"
            raise UnusableYAML(
                problem=f"{shown} cannot be read as {node.tag.rsplit(':', 1)[-1]}",
                problem_mark=node.start_mark,
            ) from None

    def _count_alias(self, event: AliasEvent, node: Node | None) -> None:
        if event.anchor in self._open_anchors:
            raise UnusableYAML(
                problem=f"the alias *{event.anchor} is inside the item it stands for, so it never ends",
                problem_mark=event.start_mark,  # type: ignore[arg-type]
            )
        items, depth = self._extent(node)
        self._alias_items += items
        if self._alias_items > MAX_ALIAS_ITEMS:
            raise UnusableYAML(
                problem=f"the file uses YAML aliases (*{event.anchor}) and anchors that expand to more "
                f"than {MAX_ALIAS_ITEMS} items; write the repeated parts out, or repeat them less",
                problem_mark=event.start_mark,  # type: ignore[arg-type]
            )
        self._refuse_depth(self._depth + depth, event.start_mark)

    def _extent(self, node: Node | None) -> tuple[int, int]:
        """How many items `node` stands for once its aliases are expanded, and how deep it nests."""
        key = id(node)
        if key not in self._extents:
            if isinstance(node, MappingNode):
                children = [child for pair in node.value for child in pair]
            else:
                children = node.value if isinstance(node, SequenceNode) else []
            extents = [self._extent(child) for child in children]
            items = 1 + sum(items for items, _depth in extents)
            self._extents[key] = items, 1 + max((depth for _items, depth in extents), default=0)
        return self._extents[key]

    @staticmethod
    def _refuse_depth(depth: int, mark: Any) -> None:
        if depth > MAX_DEPTH:
            raise UnusableYAML(
                problem=f"the file nests deeper than {MAX_DEPTH} levels here; a codebook needs far fewer",
                problem_mark=mark,
            )


CodebookLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class CodebookDumper(yaml.SafeDumper):
    """Multi-line text (instructions, definitions) as readable blocks rather than escaped strings."""


CodebookDumper.add_representer(
    str,
    lambda dumper, text: dumper.represent_scalar(
        "tag:yaml.org,2002:str", text, style="|" if "\n" in text else None
    ),
)

"""The tree a scanner walks, the listener it reports to, and level navigation.

The UI describes each screen as a list of :class:`ScanNode` roots: leaves are
items the member can activate, groups (``children`` is a list) are rows or
panels that are entered first.  :class:`ScanLevels` keeps track of where the
highlight is: the stack of entered groups and the position in the current
level.  It knows nothing about time; :class:`app.access.scanner.Scanner` does.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

__all__ = ["ScanLevels", "ScanListener", "ScanNode"]

BACK_SUFFIX = "/back"


@dataclass
class ScanNode:
    """One scannable thing on screen.

    Attributes:
        key: unique id; the UI maps it to a widget.
        label: the spoken cue.
        children: ``None`` for a leaf item, a list (possibly empty) for a group.
        is_back: True only for the "Back" items the scanner adds to groups.
    """

    key: str
    label: str
    children: list[ScanNode] | None = None
    is_back: bool = False

    @classmethod
    def item(cls, key: str, label: str) -> ScanNode:
        """Make a leaf item."""
        return cls(key, label)

    @classmethod
    def group(cls, key: str, label: str, children: Sequence[ScanNode]) -> ScanNode:
        """Make a group of *children*."""
        return cls(key, label, list(children))

    @property
    def is_group(self) -> bool:
        """True for groups (nodes with a children list)."""
        return self.children is not None

    def walk(self) -> Iterator[ScanNode]:
        """Yield this node and all its descendants, depth first."""
        yield self
        for child in self.children or ():
            yield from child.walk()


class ScanListener:
    """Receives scanner events.  Every method is a no-op; override what you need."""

    def on_highlight(self, node: ScanNode, is_group: bool, path: tuple[str, ...]) -> None:
        """The highlight is now on *node*; *path* holds the keys from the root.

        Called for every move, after entering a group or going back, after a
        selection, a wake, a new tree and a mode change.  Speak the cue here.
        """

    def on_select(self, node: ScanNode) -> None:
        """The member activated leaf item *node* (never a group or Back item)."""

    def on_enter_group(self, node: ScanNode) -> None:
        """The member entered group *node*; ``on_highlight`` for its first child follows."""

    def on_rest(self) -> None:
        """The scan went to rest after unanswered loops: clear the highlight."""

    def on_wake(self) -> None:
        """The scan woke from rest; ``on_highlight`` follows."""

    def on_stop(self) -> None:
        """Scanning was switched off (mode "off"): clear the highlight."""


@dataclass
class _Frame:
    group: ScanNode | None
    nodes: list[ScanNode]
    index: int = 0


class ScanLevels:
    """Where the highlight is in a tree of :class:`ScanNode`.

    Layout ``"row-column"``: the top level is the roots; entering a group makes
    its children plus an automatic Back item (key ``f"{group.key}/back"``) the
    current level.  Layout ``"linear"``: a single level holding every leaf of
    the tree in depth-first order; groups are never highlighted.
    """

    def __init__(self, back_label: str = "Back") -> None:
        self._back_label = back_label
        self._roots: list[ScanNode] = []
        self._layout = "row-column"
        self._by_key: dict[str, ScanNode] = {}
        self._ancestors: dict[str, tuple[str, ...]] = {}
        self._frames: list[_Frame] = [_Frame(None, [])]

    def load(self, roots: Sequence[ScanNode], layout: str) -> None:
        """Use a new tree and go to the top.

        Raises:
            ValueError: if a key is empty or used twice (Back keys included).
        """
        by_key: dict[str, ScanNode] = {}
        ancestors: dict[str, tuple[str, ...]] = {}

        def visit(node: ScanNode, above: tuple[str, ...]) -> None:
            if not isinstance(node, ScanNode):
                raise TypeError(f"scan tree nodes must be ScanNode, not {type(node).__name__}")
            if not node.key or node.key in by_key:
                raise ValueError(f"scan node key {node.key!r} is empty or used twice")
            by_key[node.key] = node
            ancestors[node.key] = above
            for child in node.children or ():
                visit(child, (*above, node.key))

        for root in roots:
            visit(root, ())
        for node in list(by_key.values()):
            if node.is_group and node.key + BACK_SUFFIX in by_key:
                raise ValueError(f"key {node.key + BACK_SUFFIX!r} is reserved for a Back item")
        self._roots = list(roots)
        self._layout = layout
        self._by_key = by_key
        self._ancestors = ancestors
        self.go_top()

    @property
    def roots(self) -> list[ScanNode]:
        """The tree's top-level nodes."""
        return self._roots

    @property
    def layout(self) -> str:
        """``"row-column"`` or ``"linear"``."""
        return self._layout

    @property
    def nodes(self) -> list[ScanNode]:
        """The current level (including its Back item). Do not mutate."""
        return self._frames[-1].nodes

    @property
    def index(self) -> int:
        """Position of the highlight in :attr:`nodes`."""
        return self._frames[-1].index

    @property
    def current(self) -> ScanNode | None:
        """The node at the highlight position, or None when the level is empty."""
        frame = self._frames[-1]
        return frame.nodes[frame.index] if frame.nodes else None

    @property
    def depth(self) -> int:
        """How many groups are entered (0 at the top level)."""
        return len(self._frames) - 1

    @property
    def path(self) -> tuple[str, ...]:
        """Keys from the root to the current node (empty if there is none)."""
        node = self.current
        if node is None:
            return ()
        if self._layout == "linear":
            return (*self._ancestors[node.key], node.key)
        return (*(f.group.key for f in self._frames[1:] if f.group), node.key)

    def move_next(self) -> None:
        """Move to the next node of the current level, wrapping to the first."""
        frame = self._frames[-1]
        if frame.nodes:
            frame.index = (frame.index + 1) % len(frame.nodes)

    def go_top(self) -> None:
        """Leave all groups and go to the first node of the top level."""
        if self._layout == "linear":
            top = [n for root in self._roots for n in root.walk() if not n.is_group]
        else:
            top = list(self._roots)
        self._frames = [_Frame(None, top)]

    def go_level_start(self) -> None:
        """Go to the first node of the current level."""
        self._frames[-1].index = 0

    def enter(self, group: ScanNode) -> None:
        """Enter *group* (must be a group); the highlight goes to its first child."""
        self._frames.append(self._group_frame(group))

    def back(self) -> None:
        """Return to the parent level, highlighting the group that was left."""
        if len(self._frames) > 1:
            self._frames.pop()

    def find(self, key: str) -> bool:
        """Move the highlight to the node with *key*, entering groups as needed.

        Back keys are accepted too.  Returns False (and leaves the position
        unchanged) when the key is not reachable in the current layout.
        """
        target_group = None
        if key not in self._by_key and key.endswith(BACK_SUFFIX):
            owner = self._by_key.get(key[: -len(BACK_SUFFIX)])
            if owner is not None and owner.is_group:
                target_group, key = owner, owner.key
        node = self._by_key.get(key)
        if node is None:
            return False
        if self._layout == "linear":
            if target_group is not None or node.is_group:
                return False
            self.go_top()
            self._frames[0].index = next(
                i for i, n in enumerate(self._frames[0].nodes) if n is node
            )
            return True
        chain = [self._by_key[k] for k in self._ancestors[key]] + [node]
        frames = [_Frame(None, list(self._roots), _index_of(self._roots, chain[0]))]
        for group, child in zip(chain, chain[1:], strict=False):
            frames.append(self._group_frame(group, _index_of(group.children or [], child)))
        if target_group is not None:
            back_frame = self._group_frame(target_group)
            back_frame.index = len(back_frame.nodes) - 1
            frames.append(back_frame)
        self._frames = frames
        return True

    def _group_frame(self, group: ScanNode, index: int = 0) -> _Frame:
        back = ScanNode(group.key + BACK_SUFFIX, self._back_label, is_back=True)
        return _Frame(group, [*(group.children or ()), back], index)


def _index_of(nodes: Sequence[ScanNode], node: ScanNode) -> int:
    return next(i for i, n in enumerate(nodes) if n is node)

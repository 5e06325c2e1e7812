"""Shared helpers for the scanner tests: a recording listener, a sample tree and shortcuts."""

from __future__ import annotations

from app.access.profile import ScanSettings
from app.access.scan_tree import ScanListener, ScanNode
from app.access.scanner import Scanner
from app.access.switches import Switch

ONE, TWO = Switch.ONE, Switch.TWO
item, group = ScanNode.item, ScanNode.group


class Recorder(ScanListener):
    """Records every listener call as a tuple."""

    def __init__(self) -> None:
        self.events: list[tuple] = []

    def on_highlight(self, node, is_group, path):
        self.events.append(("highlight", node.key, is_group, path))

    def on_select(self, node):
        self.events.append(("select", node.key))

    def on_enter_group(self, node):
        self.events.append(("enter", node.key))

    def on_rest(self):
        self.events.append(("rest",))

    def on_wake(self):
        self.events.append(("wake",))

    def on_stop(self):
        self.events.append(("stop",))

    def kinds(self) -> list[str]:
        return [e[0] for e in self.events]

    def selected(self) -> list[str]:
        return [e[1] for e in self.events if e[0] == "select"]


def make_tree() -> list[ScanNode]:
    return [
        group("r1", "Row one", [item("a", "A"), item("b", "B")]),
        group("r2", "Row two", [item("c", "C"), group("g", "G", [item("d", "D")])]),
        item("x", "X"),
    ]


# Binary-exact timings so most deadlines can be compared with ==.
BASE = dict(
    mode="auto", step_time=1.0, first_item_extra=0.5, acceptance_time=0.0,
    ignore_repeat=0.0, pause_after_select=0.0, loops_before_rest=10,
)


def make(now: float = 0.0, tree: list[ScanNode] | None = None, **kw) -> tuple[Scanner, Recorder]:
    rec = Recorder()
    scanner = Scanner(ScanSettings(**{**BASE, **kw}), rec)
    scanner.set_tree(make_tree() if tree is None else tree, now)
    return scanner, rec


def key(scanner: Scanner) -> str | None:
    node = scanner.highlighted
    return None if node is None else node.key


def click(scanner: Scanner, switch: Switch, t: float, length: float = 0.0625) -> None:
    scanner.press(switch, t)
    scanner.release(switch, t + length)



def run_until_rest(s: Scanner, limit: int = 100) -> list[float]:
    times = []
    for _ in range(limit):
        if s.resting:
            break
        t = s.next_deadline()
        times.append(t)
        s.tick(t)
    return times

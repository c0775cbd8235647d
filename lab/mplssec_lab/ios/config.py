"""IOS configuration tree and canonical running-config rendering."""
from __future__ import annotations

import copy
import itertools

_seq = itertools.count()


class Node:
    """One configuration line; block lines (interface, crypto ...) have children."""

    __slots__ = ("text", "key", "rank", "sort", "mode", "children", "order", "section", "rule")

    def __init__(self, text="", key="", rank=0, sort=(), mode=None, section=0, rule=None):
        self.text = text
        self.key = key
        self.rank = rank
        self.sort = sort
        self.mode = mode            # mode name of the children (None: leaf line)
        self.children: dict = {}   # key -> Node
        self.order = next(_seq)
        self.section = section
        self.rule = rule            # the grammar rule that created it (for mode filters)

    # -- helpers
    def ordered(self):
        return sorted(self.children.values(), key=lambda n: (n.rank, n.sort, n.order))

    def find(self, key):
        return self.children.get(key)

    def blocks(self, prefix):
        return [n for n in self.ordered() if n.text.startswith(prefix)]

    def line(self, prefix):
        """The first child line whose text starts with prefix (word boundary)."""
        for n in self.ordered():
            if n.text == prefix or n.text.startswith(prefix + " "):
                return n
        return None

    def tokens(self):
        return self.text.split()

    def clone(self):
        return copy.deepcopy(self)

    def signature(self):
        return (self.text, tuple(c.signature() for c in self.ordered()))

    def __eq__(self, other):
        return isinstance(other, Node) and self.signature() == other.signature()

    def __repr__(self):
        return f"Node({self.text!r}, {len(self.children)} children)"


def render_lines(root: Node) -> list:
    """The configuration lines (without the Building/Current header), ending with 'end'."""
    out = []
    prev_section = None
    prev_block = True
    for n in root.ordered():
        if n.mode is not None:            # block
            if not prev_block:
                out.append("!")
            out.append(n.text)
            _render_children(n, 1, out)
            out.append("!")
            prev_block = True
        else:
            if prev_section is not None and n.section != prev_section and not prev_block:
                out.append("!")
            out.append(n.text)
            prev_block = False
        prev_section = n.section
    if not prev_block:
        out.append("!")
    out.append("end")
    return out


def _render_children(node: Node, depth: int, out: list):
    ind = " " * depth
    for c in node.ordered():
        out.append(ind + c.text)
        if c.mode is not None:
            _render_children(c, depth + 1, out)
            if c.children or depth >= 1:
                out.append(ind + "!")

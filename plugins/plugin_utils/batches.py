# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Batches of links that can be deployed in parallel: an edge colouring of the link graph.

The routers are the vertices, the links the edges. A batch is a set of links of which no two share a
router (one router in one transaction at a time: its rollback point, confirm timer and shared resources
belong to one link), i.e. one colour class of a proper edge colouring. ``batch_size`` caps the links per
batch.

Colouring, deterministic for a given set of links (links are taken in natural name order, core2 before
core10, whatever their order in p2p_links):

- bipartite link graph (pairs, even rings, trees, stars, any multigraph without an odd cycle): Kempe-chain
  colouring with exactly max-degree colours (König's theorem), the minimum possible;
- other simple graphs (odd rings, meshes with triangles): Misra-Gries, at most max-degree + 1 colours
  (Vizing's theorem), so at most one batch more than the minimum;
- other multigraphs (parallel links between two routers inside an odd cycle): greedy, fewest links first.

With a cap, the number of batches is max(colours, ceil(links / batch_size)) and colour classes larger than
the cap give links to smaller ones by Kempe swaps (the subgraph of two colours is made of paths and even
cycles; a path with one more link of the large class moves one link over). Every link stays in exactly one
batch and no batch ever holds a router twice.

Pure Python, no Ansible, no device contact.
"""

from __future__ import annotations

import math
import re
from typing import Any, Iterable, Mapping, Sequence

__all__ = ["BatchError", "compute_batches", "format_batches", "links_of_plan", "natural_key", "parse_batch_size"]


class BatchError(ValueError):
    """A bad batch option; ``errors`` holds one message per problem, naming the field and the fix."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("; ".join(errors))


def natural_key(name: str) -> tuple[Any, ...]:
    """Sort key ordering ``core2`` before ``core10``."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", str(name)))


def parse_batch_size(value: Any) -> int | None:
    """``p2p_batch_size``: None/empty means no cap; otherwise an integer >= 1 (``-e p2p_batch_size=4`` is a string)."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    number = 0
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    if number < 1:
        raise BatchError([f"p2p_batch_size: must be an integer >= 1, got {value!r}; fix: set it to the maximum number of "
                          "links deployed in parallel (e.g. -e p2p_batch_size=4), or leave it unset for no cap"])
    return number


def links_of_plan(hosts: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, str, str]]:
    """``(link, side-a host, side-b host)`` for every link of a plan's ``hosts`` (read from side a's fact)."""
    out = []
    for host, fact in hosts.items():
        for entry in fact.get("links", []):
            if entry.get("side") == "a":
                out.append((str(entry["name"]), str(host), str(entry["peer"]["host"])))
    return sorted(out, key=lambda item: natural_key(item[0]))


# --------------------------------------------------------------------------- colouring


class _Colouring:
    """Edges ``eid -> (u, v)`` with a colour each; ``at[v][c]`` is the edge of colour c at v."""

    def __init__(self, edges: Sequence[tuple[str, str]]):
        self.edges = list(edges)
        self.colour: list[int | None] = [None] * len(edges)
        self.at: dict[str, dict[int, int]] = {}
        self.incident: dict[str, list[int]] = {}
        for eid, (u, v) in enumerate(edges):
            self.at.setdefault(u, {})
            self.at.setdefault(v, {})
            self.incident.setdefault(u, []).append(eid)
            self.incident.setdefault(v, []).append(eid)

    def other(self, eid: int, vertex: str) -> str:
        u, v = self.edges[eid]
        return v if vertex == u else u

    def set(self, eid: int, colour: int | None) -> None:
        old = self.colour[eid]
        u, v = self.edges[eid]
        if old is not None:
            for x in (u, v):
                if self.at[x].get(old) == eid:
                    del self.at[x][old]
        self.colour[eid] = colour
        if colour is not None:
            for x in (u, v):
                self.at[x][colour] = eid

    def free(self, vertex: str, colour: int) -> bool:
        return colour not in self.at[vertex]

    def first_free(self, vertex: str, colours: int) -> int:
        return next(c for c in range(colours + 1) if self.free(vertex, c))

    def chain(self, start: str, first: int, second: int) -> list[int]:
        """Edges of the alternating path from ``start`` beginning with colour ``first`` (then ``second``, ...)."""
        path: list[int] = []
        vertex, colour = start, first
        seen: set[int] = set()
        while colour in self.at[vertex] and self.at[vertex][colour] not in seen:
            eid = self.at[vertex][colour]
            seen.add(eid)
            path.append(eid)
            vertex = self.other(eid, vertex)
            colour = second if colour == first else first
        return path

    def swap(self, path: Iterable[int], c1: int, c2: int) -> None:
        path = list(path)
        new = {eid: (c2 if self.colour[eid] == c1 else c1) for eid in path}
        for eid in path:
            self.set(eid, None)
        for eid in path:
            self.set(eid, new[eid])


def _bipartite(vertices: Iterable[str], incident: Mapping[str, list[int]], edges: Sequence[tuple[str, str]]) -> bool:
    side: dict[str, int] = {}
    for root in vertices:
        if root in side:
            continue
        side[root] = 0
        stack = [root]
        while stack:
            x = stack.pop()
            for eid in incident[x]:
                u, v = edges[eid]
                y = v if x == u else u
                if y == x:
                    return False
                if y not in side:
                    side[y] = 1 - side[x]
                    stack.append(y)
                elif side[y] == side[x]:
                    return False
    return True


def _kempe(col: _Colouring, delta: int) -> None:
    """Bipartite (multi)graph: delta colours. For u-v pick a free at u, b free at v; if they differ, swap the
    a/b chain from v (it cannot reach u in a bipartite graph), then a is free at both."""
    for eid, (u, v) in enumerate(col.edges):
        a = col.first_free(u, delta - 1)
        b = col.first_free(v, delta - 1)
        if not col.free(v, a):
            col.swap(col.chain(v, a, b), a, b)
        col.set(eid, a)


def _misra_gries(col: _Colouring, delta: int) -> None:
    """Simple graph: at most delta + 1 colours (Misra & Gries 1992, constructive proof of Vizing's theorem)."""
    top = delta  # colours 0..delta
    for eid, (u, v0) in enumerate(col.edges):
        # maximal fan of u starting at v0
        fan = [v0]
        fan_edges = [eid]
        neighbours = sorted(
            ((col.other(e, u), e) for e in col.incident[u] if col.colour[e] is not None), key=lambda item: natural_key(item[0]))
        grown = True
        while grown:
            grown = False
            for w, e in neighbours:
                if w not in fan and col.free(fan[-1], col.colour[e]):  # type: ignore[arg-type]
                    fan.append(w)
                    fan_edges.append(e)
                    grown = True
                    break
        c = col.first_free(u, top)
        d = col.first_free(fan[-1], top)
        if c != d:
            col.swap(col.chain(u, d, c), c, d)
        # the first w of the fan with d free such that fan[0..w] is still a fan
        end = len(fan) - 1
        for j, w in enumerate(fan):
            if j > 0 and not col.free(fan[j - 1], col.colour[fan_edges[j]]):  # type: ignore[arg-type]
                break
            if col.free(w, d):
                end = j
                break
        # rotate the fan prefix: edge j takes the colour of edge j + 1
        for j in range(end):
            col.set(fan_edges[j], col.colour[fan_edges[j + 1]])
        col.set(fan_edges[end], None)
        col.set(fan_edges[end], d)


def _greedy(col: _Colouring) -> None:
    """Fallback for non-bipartite multigraphs: first free colour at both ends."""
    for eid, (u, v) in enumerate(col.edges):
        c = 0
        while not (col.free(u, c) and col.free(v, c)):
            c += 1
        col.set(eid, c)


def _balance(col: _Colouring, colours: int, cap: int) -> None:
    """Move links from classes above ``cap`` to classes below it by Kempe swaps (never breaks properness)."""
    while True:
        sizes = [0] * colours
        for c in col.colour:
            sizes[c] += 1  # type: ignore[index]
        big = max(range(colours), key=lambda c: (sizes[c], -c))
        if sizes[big] <= cap:
            return
        small = min(range(colours), key=lambda c: (sizes[c], c))
        moved = False
        for eid in range(len(col.edges)):
            if col.colour[eid] != big:
                continue
            u, v = col.edges[eid]
            # the big/small component through this edge: a path or an even cycle
            left = col.chain(u, small, big)
            right = col.chain(v, small, big)
            if set(left) & set(right) or eid in left or eid in right:
                continue  # an even cycle: as many links of each colour
            component = left + [eid] + right
            if sum(1 for e in component if col.colour[e] == big) > sum(1 for e in component if col.colour[e] == small):
                col.swap(component, big, small)
                moved = True
                break
        if not moved:  # pragma: no cover - impossible when sizes[big] > sizes[small] (see the module docstring)
            raise RuntimeError("batch balancing found no Kempe path")


def compute_batches(links: Iterable[tuple[str, str, str]], batch_size: int | None = None) -> list[list[str]]:
    """Batches (lists of link names) for ``(name, host_a, host_b)`` links; see the module docstring.

    Batches are ordered largest first, then by their first link in natural order; the names inside a batch are
    in natural order. The result depends only on the set of links and ``batch_size``.
    """
    items = sorted(((str(n), str(a), str(b)) for n, a, b in links), key=lambda item: natural_key(item[0]))
    names = [n for n, _a, _b in items]
    if len(set(names)) != len(names):
        raise BatchError([f"link names must be unique, got {sorted(n for n in set(names) if names.count(n) > 1)}"])
    if not items:
        return []
    edges = [(a, b) for _n, a, b in items]
    col = _Colouring(edges)
    delta = max(len(eids) for eids in col.incident.values())
    vertices = sorted(col.incident, key=natural_key)
    simple = len({frozenset(e) for e in edges}) == len(edges) and all(a != b for a, b in edges)
    if _bipartite(vertices, col.incident, edges):
        _kempe(col, delta)
    elif simple:
        _misra_gries(col, delta)
    else:
        _greedy(col)
    used = sorted({c for c in col.colour if c is not None})
    renumber = {c: i for i, c in enumerate(used)}
    final = [renumber[c] for c in col.colour]  # type: ignore[index]
    for eid in range(len(edges)):
        col.set(eid, None)
    for eid, c in enumerate(final):
        col.set(eid, c)
    colours = len(used)
    if batch_size is not None:
        colours = max(colours, math.ceil(len(items) / batch_size))
        _balance(col, colours, batch_size)
    classes: dict[int, list[str]] = {}
    for (name, _a, _b), c in zip(items, col.colour, strict=True):
        classes.setdefault(c, []).append(name)  # type: ignore[arg-type]
    batches = [sorted(group, key=natural_key) for group in classes.values()]
    return sorted(batches, key=lambda group: (-len(group), natural_key(group[0])))


def format_batches(batches: Sequence[Sequence[str]], links: Iterable[tuple[str, str, str]]) -> list[str]:
    """One line per batch: ``batch 1/3 (2 links): core1 p1-p2, core3 p3-p4``."""
    ends = {n: f"{a}-{b}" for n, a, b in links}
    total = len(batches)
    return [f"batch {i}/{total} ({len(group)} link{'s' if len(group) != 1 else ''}): "
            + ", ".join(f"{n} {ends.get(n, '?')}" for n in group) for i, group in enumerate(batches, 1)]

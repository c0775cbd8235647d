# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Batches computed by the plan (plugins/plugin_utils/batches.py): an edge colouring of the link graph.

Every result is checked against the rules directly (each link exactly once, no router twice in a batch, the
cap), and the number of batches against the graph's lower bound (max degree, ceil(links / cap)).
"""

from __future__ import annotations

import itertools
import math
import random
from typing import Any

import pytest
from ansible.errors import AnsibleFilterError
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.mplssec.p2p.plugins.filter import p2p_plan as plan_filter
from ansible_collections.mplssec.p2p.plugins.plugin_utils import batches

Link = tuple[str, str, str]


def ring(n: int) -> list[Link]:
    return [(f"core{i}", f"p{i}", f"p{i % n + 1}") for i in range(1, n + 1)]


def star(n: int) -> list[Link]:
    return [(f"spoke{i}", "hub", f"s{i}") for i in range(1, n + 1)]


def max_degree(links: list[Link]) -> int:
    degree: dict[str, int] = {}
    for _name, a, b in links:
        degree[a] = degree.get(a, 0) + 1
        degree[b] = degree.get(b, 0) + 1
    return max(degree.values())


def assert_valid(links: list[Link], result: list[list[str]], cap: int | None = None) -> None:
    names = [name for name, _a, _b in links]
    flat = [name for group in result for name in group]
    assert sorted(flat) == sorted(names), "every link exactly once"
    ends = {name: (a, b) for name, a, b in links}
    for group in result:
        assert group, "no empty batch"
        routers = [host for name in group for host in ends[name]]
        assert len(routers) == len(set(routers)), f"a router is in two links of batch {group}"
        if cap is not None:
            assert len(group) <= cap


@pytest.mark.parametrize("n, expected", [(4, 2), (6, 2), (8, 2), (20, 2), (3, 3), (5, 3), (7, 3), (21, 3)])
def test_ring(n: int, expected: int) -> None:
    result = batches.compute_batches(ring(n))
    assert_valid(ring(n), result)
    assert len(result) == expected


def test_ring6_exact() -> None:
    assert batches.compute_batches(ring(6)) == [["core1", "core3", "core5"], ["core2", "core4", "core6"]]


@pytest.mark.parametrize("n", [1, 2, 5, 9])
def test_star_needs_degree_batches(n: int) -> None:
    result = batches.compute_batches(star(n))
    assert_valid(star(n), result)
    assert len(result) == n
    assert all(len(group) == 1 for group in result)


def test_independent_pairs_one_batch() -> None:
    pairs = [(f"core{k}", f"p{2 * k - 1}", f"p{2 * k}") for k in range(1, 11)]
    assert batches.compute_batches(pairs) == [[f"core{k}" for k in range(1, 11)]]


@pytest.mark.parametrize("cap, expected", [(1, 10), (2, 5), (3, 4), (4, 3), (10, 1), (11, 1)])
def test_cap_on_independent_pairs(cap: int, expected: int) -> None:
    pairs = [(f"core{k}", f"p{2 * k - 1}", f"p{2 * k}") for k in range(1, 11)]
    result = batches.compute_batches(pairs, cap)
    assert_valid(pairs, result, cap)
    assert len(result) == expected


@pytest.mark.parametrize("n, cap", [(6, 1), (6, 2), (6, 3), (12, 4), (12, 5), (9, 2), (20, 3)])
def test_cap_on_rings_reaches_the_lower_bound(n: int, cap: int) -> None:
    links = ring(n)
    result = batches.compute_batches(links, cap)
    assert_valid(links, result, cap)
    bound = max(2 if n % 2 == 0 else 3, math.ceil(n / cap))
    assert len(result) == bound


def test_parallel_links_between_two_routers() -> None:
    links = [("core1", "p1", "p2"), ("core2", "p1", "p2"), ("core3", "p2", "p3")]
    result = batches.compute_batches(links)
    assert_valid(links, result)
    assert len(result) == 3


def test_odd_cycle_multigraph_uses_the_greedy_fallback() -> None:
    links = [("a1", "p1", "p2"), ("a2", "p1", "p2"), ("b", "p2", "p3"), ("c", "p3", "p1")]
    result = batches.compute_batches(links)
    assert_valid(links, result)
    assert len(result) == 4  # every link meets every other one: four batches are needed


def test_deterministic_whatever_the_input_order() -> None:
    links = ring(9) + [("chord1", "p1", "p5"), ("chord2", "p3", "p7")]
    expected = batches.compute_batches(links, 3)
    rnd = random.Random(7)
    for _round in range(20):
        shuffled = links[:]
        rnd.shuffle(shuffled)
        assert batches.compute_batches(shuffled, 3) == expected


def test_order_largest_batch_first_then_natural_names() -> None:
    result = batches.compute_batches(ring(5))
    assert [len(group) for group in result] == sorted((len(group) for group in result), reverse=True)
    for group in result:
        assert group == sorted(group, key=batches.natural_key)
    assert batches.natural_key("core2") < batches.natural_key("core10")


def test_empty() -> None:
    assert batches.compute_batches([]) == []


def test_duplicate_names_refused() -> None:
    with pytest.raises(batches.BatchError, match="unique"):
        batches.compute_batches([("core1", "p1", "p2"), ("core1", "p3", "p4")])


@pytest.mark.parametrize("value, expected", [(None, None), ("", None), (1, 1), ("4", 4), (" 7 ", 7), (3.0, 3)])
def test_parse_batch_size(value: Any, expected: int | None) -> None:
    assert batches.parse_batch_size(value) == expected


@pytest.mark.parametrize("value", [0, -1, "0", "four", True, 2.5, [2]])
def test_parse_batch_size_refuses(value: Any) -> None:
    with pytest.raises(batches.BatchError, match=r"p2p_batch_size: must be an integer >= 1, got .*; fix: "):
        batches.parse_batch_size(value)


def test_format_batches() -> None:
    links = ring(4)
    lines = batches.format_batches(batches.compute_batches(links), links)
    assert lines == ["batch 1/2 (2 links): core1 p1-p2, core3 p3-p4", "batch 2/2 (2 links): core2 p2-p3, core4 p4-p1"]


@st.composite
def graphs(draw: Any) -> tuple[list[Link], int | None]:
    n = draw(st.integers(2, 10))
    pairs = list(itertools.combinations([f"r{i}" for i in range(n)], 2))
    chosen = draw(st.lists(st.sampled_from(pairs), min_size=1, max_size=25))
    links = [(f"l{i}", a, b) for i, (a, b) in enumerate(chosen)]
    cap = draw(st.one_of(st.none(), st.integers(1, 6)))
    return links, cap


@settings(max_examples=300, deadline=None)
@given(graphs())
def test_property_valid_and_near_optimal(case: tuple[list[Link], int | None]) -> None:
    links, cap = case
    result = batches.compute_batches(links, cap)
    assert_valid(links, result, cap)
    delta = max_degree(links)
    simple = len({frozenset((a, b)) for _n, a, b in links}) == len(links)
    bound = max(delta, math.ceil(len(links) / cap)) if cap else delta
    if simple:
        # Vizing: delta + 1 colours; with a cap balancing adds no batch beyond max(colours, ceil(m / cap))
        assert len(result) <= max(delta + 1, bound)
    assert len(result) >= bound


# --------------------------------------------------------------------------- through the p2p_plan filter

def ring_inventory(n: int) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    hostvars = {f"p{i}": {"ansible_network_os": "cisco.ios.ios", "p2p_router_id": f"203.0.113.{i}"} for i in range(1, n + 1)}
    links = []
    for k in range(1, n + 1):
        a, b = f"p{k}", f"p{k % n + 1}"
        links.append({
            "name": f"core{k}",
            "crypto": {"psk": f"test-only-psk-{k:04d}-abcdefgh"},
            "tunnel": {"id": 100 + k, "ipv4": f"198.51.100.{2 * k - 2}/31"},
            "a": {"host": a, "interface": "GigabitEthernet3", "address": f"192.0.2.{2 * k - 2}/31"},
            "b": {"host": b, "interface": "GigabitEthernet2", "address": f"192.0.2.{2 * k - 1}/31"},
        })
    return links, hostvars


def test_filter_returns_batches_and_table() -> None:
    links, hostvars = ring_inventory(6)
    result = plan_filter.p2p_plan(links, hostvars)
    assert result["batches"] == [["core1", "core3", "core5"], ["core2", "core4", "core6"]]
    assert result["batch_table"] == ["batch 1/2 (3 links): core1 p1-p2, core3 p3-p4, core5 p5-p6",
                                     "batch 2/2 (3 links): core2 p2-p3, core4 p4-p5, core6 p6-p1"]
    assert "test-only-psk" not in repr(result["batches"]) + repr(result["batch_table"])


def test_filter_batch_size_and_select() -> None:
    links, hostvars = ring_inventory(6)
    result = plan_filter.p2p_plan(links, hostvars, batch_size="2", select=["core1", "core2", "core4", "core5"])
    assert_valid([item for item in ring(6) if item[0] in {"core1", "core2", "core4", "core5"}], result["batches"], 2)
    assert len(result["batches"]) == 2
    assert len(result["hosts"]) == 6, "the plan itself still covers every link"
    assert plan_filter.p2p_plan(links, hostvars, select="core3,core6")["batches"] == [["core3", "core6"]]


def test_filter_refuses_bad_options() -> None:
    links, hostvars = ring_inventory(4)
    with pytest.raises(AnsibleFilterError, match=r"p2p_batch_size: must be an integer >= 1, got 'x'; fix: "):
        plan_filter.p2p_plan(links, hostvars, batch_size="x")
    with pytest.raises(AnsibleFilterError, match=r"unknown link\(s\) \['core9'\]; fix: use names of p2p_links"):
        plan_filter.p2p_plan(links, hostvars, select=["core1", "core9"])
    with pytest.raises(AnsibleFilterError, match=r"select \(p2p_deploy_links\) must be a list of link names"):
        plan_filter.p2p_plan(links, hostvars, select={"core1": 1})

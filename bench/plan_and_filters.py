#!/usr/bin/env python3
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark (issue 9): the cost of the plan and of the filters on the controller. A measuring script, not a test.

Run from the checkout after `make bootstrap`:  .venv/bin/python bench/plan_and_filters.py [--links 100,500] [--calls 20000]

What it measures, in one run (the machine is noisy: compare the figures of one run with each other):
1. build_plan (plugins/plugin_utils/plan.py) in-process for N links of a generated fleet (N pairs of routers,
   IOS-XE and Junos alternating), best of 3: shows whether the plan grows linearly (ms per link at each N).
2. `ansible-playbook playbooks/plan_p2p.yml` on the same generated inventory, wall time (one run each N).
3. Each filter through Ansible: one playbook task that evaluates C filter calls in one Jinja loop, against the same
   task with 0 calls; (t_C - t_0) / C is the cost of one call as a user's playbook pays it (Jinja + argument
   validation), next to a builtin filter as control. The MTU filters get 50 distinct MTUs (validated parameters of
   hashable calls are cached, plugins/plugin_utils/filter_args.py); p2p_show gets a whole router plan each call.
The generated inventories live in a temporary directory; the PSK is a random throwaway.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / ".cache" / "collections"))
BIN = Path(sys.executable).parent


def fleet(n: int) -> tuple[dict, list[dict]]:
    """An inventory of 2n routers and n links (routers r<2i> - r<2i+1>, mixed vendors)."""
    ios, junos = {}, {}
    links = []
    for i in range(n):
        a, b = f"r{2 * i}", f"r{2 * i + 1}"
        for j, host in ((2 * i, a), (2 * i + 1, b)):
            group = junos if j % 4 == 3 else ios
            group[host] = {"ansible_host": "127.0.0.1", "ansible_port": 59000, "p2p_router_id": f"10.{j // 250}.{j % 250}.1"}
        b_junos = b in junos
        links.append({
            "name": f"l{i}",
            "ipsec_mode": "tunnel",
            "crypto": {"psk": secrets.token_hex(16)},
            "tunnel": {"ipv4": f"172.16.{i // 64}.{(i % 64) * 4}/31", "ipsec_ipv4": f"172.17.{i // 64}.{(i % 64) * 4}/31"},
            "a": {"host": a, "interface": "GigabitEthernet2", "address": f"192.168.{i // 64}.{(i % 64) * 4}/31"},
            "b": {"host": b, "interface": "ge-0/0/0.0" if b_junos else "GigabitEthernet2",
                  "address": f"192.168.{i // 64}.{(i % 64) * 4 + 1}/31"},
        })
    inventory = {"all": {"children": {"routers": {"children": {
        "ios": {"hosts": ios, "vars": {"ansible_network_os": "cisco.ios.ios", "ansible_connection": "ansible.netcommon.network_cli"}},
        "junos": {"hosts": junos, "vars": {"ansible_network_os": "junipernetworks.junos.junos",
                                           "ansible_connection": "ansible.netcommon.netconf"}},
    }}}}}
    return inventory, links


def hostvars_of(inventory: dict) -> tuple[dict, dict]:
    hostvars, groups = {}, {"all": [], "ios": [], "junos": [], "routers": []}
    for name, group in inventory["all"]["children"]["routers"]["children"].items():
        for host, hv in group["hosts"].items():
            hostvars[host] = {**group["vars"], **hv, "inventory_hostname": host}
            groups[name].append(host)
            groups["routers"].append(host)
            groups["all"].append(host)
    return hostvars, groups


def env() -> dict:
    return dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_COLLECTIONS_PATH=str(REPO / ".cache" / "collections"),
                ANSIBLE_NOCOLOR="1", PATH=f"{BIN}:{os.environ['PATH']}")


def playbook(args: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run([str(BIN / "ansible-playbook"), *args], capture_output=True, text=True, env=env(), cwd=REPO, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode:
        sys.exit(f"ansible-playbook {' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return elapsed


FILTER_CALLS = {
    "(control) ansible.builtin.to_json": "(1400 + _ % 50) | ansible.builtin.to_json",
    "wire_size": "(1400 + _ % 50) | mplssec.p2p.wire_size(encap='gre', ipsec_mode='transport')",
    "tcp_mss": "(1500 + _ % 50) | mplssec.p2p.tcp_mss(encap='gre', ipsec_mode='tunnel')",
    "p2p_show": "'ike_sa' | mplssec.p2p.p2p_show(plan, 'core1')",
    # the floor of a filter that takes a whole router plan (ansible-core hands it over as a plain dict on every call)
    "(control) ansible.builtin.combine of the plan": "(plan | ansible.builtin.combine({})).host",
}


def filter_play(path: Path, expr: str, calls: int) -> None:
    """A one-task playbook that evaluates ``expr`` ``calls`` times in one Jinja loop (no Ansible loop)."""
    plan = yaml.safe_load((REPO / "tests" / "golden" / "deploy" / "plan.yml").read_text())["p2p_plan"]["p1"]
    body = "{% set ns = namespace(n=0) %}{% for _ in range(" + str(calls) + ") %}{% set ns.n = ns.n + ((" + expr + \
        ") | string | length) %}{% endfor %}{{ ns.n }}"
    task = {"name": "calls", "ansible.builtin.set_fact": {"out": body}}
    path.write_text(yaml.safe_dump([{"name": "bench", "hosts": "localhost", "gather_facts": False, "vars": {"plan": plan},
                                     "tasks": [task]}]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", default="100,500")
    parser.add_argument("--calls", type=int, default=20000)
    opts = parser.parse_args()
    from ansible_collections.mplssec.p2p.plugins.plugin_utils import plan as plan_mod  # noqa: E402

    with tempfile.TemporaryDirectory(prefix="mplssec-bench-") as tmp:
        tmpdir = Path(tmp)
        print("== plan (in-process build_plan, best of 3) and plan_p2p.yml (wall, one run)")
        for n in (int(x) for x in opts.links.split(",")):
            inventory, links = fleet(n)
            hostvars, groups = hostvars_of(inventory)
            best = min(_timed(plan_mod.build_plan, links, hostvars, groups) for _ in range(3))
            inv = tmpdir / f"inv{n}"
            (inv / "group_vars" / "all").mkdir(parents=True)
            (inv / "hosts.yml").write_text(yaml.safe_dump(inventory))
            (inv / "group_vars" / "all" / "links.yml").write_text(yaml.safe_dump({"p2p_links": links}))
            wall = playbook(["-i", str(inv / "hosts.yml"), "playbooks/plan_p2p.yml", "-e", "plan_show_table=false"])
            print(f"{n:5d} links: build_plan {best * 1000:8.1f} ms ({best * 1e6 / n:7.0f} us/link)   plan_p2p.yml {wall:6.1f} s")
        print(f"== filters through Ansible ({opts.calls} calls in one task vs 0 calls)")
        for name, expr in FILTER_CALLS.items():
            zero, many = tmpdir / f"{name}0.yml", tmpdir / f"{name}N.yml"
            filter_play(zero, expr, 0)
            filter_play(many, expr, opts.calls)
            t0 = playbook([str(zero)])
            tn = playbook([str(many)])
            print(f"{name:36s} {(tn - t0) * 1e6 / opts.calls:8.0f} us per call   ({t0:.1f} s with 0 calls, {tn:.1f} s with {opts.calls})")


def _timed(func, *args) -> float:
    start = time.perf_counter()
    func(*args)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()

"""Ring and partial-mesh topologies (routers ending several carrier links) next to the default pairs.

The first tests read the topology itself; the lab tests start a real ``mplssec-lab up --topology ring:6`` and read
the routers' own show commands over SSH (IOS CLI, Junos CLI), as an operator would."""
from __future__ import annotations

import asyncio
import ipaddress
import json
import os

import pytest
import yaml
from test_cli import _hosts, _inventory, _session

from mplssec_lab.lab import Lab
from mplssec_lab.topology import build, mesh_edges


def _ends(topo, host):
    """[(link, interface, address)] of host, in its carrier order."""
    return [(x.name, *x.end(host)) for x in topo.links_of(host)]


def test_ring6_interfaces_addresses_platforms():
    topo = build(topology="ring:6")
    assert topo.spec == "ring:6" and list(topo.hosts) == [f"p{i}" for i in range(1, 7)]
    assert [(x.name, x.a, x.b) for x in topo.links.values()] == [
        ("core1", "p1", "p2"), ("core2", "p2", "p3"), ("core3", "p3", "p4"),
        ("core4", "p4", "p5"), ("core5", "p5", "p6"), ("core6", "p6", "p1")]
    assert [h.platform for h in topo.hosts.values()] == ["ios", "junos", "ios", "ios", "junos", "junos"]
    # the rule of interfaces: increasing link number; IOS Gi2, Gi3; Junos ge-0/0/0.0, ge-0/0/2.0 (ge-0/0/1.0 = core)
    assert _ends(topo, "p1") == [("core1", "GigabitEthernet2", "192.0.2.0/31"),
                                 ("core6", "GigabitEthernet3", "192.0.2.11/31")]
    assert _ends(topo, "p2") == [("core1", "ge-0/0/0.0", "192.0.2.1/31"), ("core2", "ge-0/0/2.0", "192.0.2.2/31")]
    assert _ends(topo, "p6") == [("core5", "ge-0/0/0.0", "192.0.2.9/31"), ("core6", "ge-0/0/2.0", "192.0.2.10/31")]
    assert topo.hosts["p2"].core_interface == "ge-0/0/1.0" and topo.hosts["p1"].core_interface == "GigabitEthernet1"
    # every platform combination is in the ring, each with its IPsec mode
    combos = {x.name: (topo.hosts[x.a].platform, topo.hosts[x.b].platform, x.ipsec_mode) for x in topo.links.values()}
    assert combos["core3"] == ("ios", "ios", "transport") and combos["core5"] == ("junos", "junos", "tunnel")
    assert combos["core1"] == ("ios", "junos", "tunnel") and combos["core2"] == ("junos", "ios", "tunnel")
    for h in topo.hosts:
        ends = _ends(topo, h)
        assert len(ends) == 2
        nets = {ipaddress.ip_interface(a).network for _n, _i, a in ends}
        assert len({i for _n, i, _a in ends}) == 2 and len(nets) == 2
        assert topo.hosts[h].core_interface not in {i for _n, i, _a in ends}
        assert topo.component(h) == sorted({h, *topo.neighbours(h)}, key=lambda n: topo.hosts[n].index)


def test_ring_p2p_links_tunnel_ids_unique_per_router():
    topo = build(topology="ring:6")
    links = topo.p2p_links()
    by = {x["name"]: x for x in links}
    assert by["core6"]["a"] == {"host": "p6", "interface": "ge-0/0/2.0", "address": "192.0.2.10/31"}
    assert by["core6"]["b"] == {"host": "p1", "interface": "GigabitEthernet3", "address": "192.0.2.11/31"}
    assert [x["tunnel"]["id"] for x in links] == [100, 101, 102, 103, 104, 105]
    assert "ipsec_ipv4" not in by["core3"]["tunnel"] and by["core2"]["tunnel"]["ipsec_ipv4"] == "198.51.100.130/31"
    # the interface names the product makes from a tunnel id (GRE id, IOS sVTI id+1000) never repeat on a router
    for host in topo.hosts:
        names = []
        for x in links:
            if host in (x["a"]["host"], x["b"]["host"]):
                tid = x["tunnel"]["id"]
                names += [f"gre{tid}"] + ([f"gre{tid + 1000}"] if topo.hosts[host].platform == "ios"
                                          and x["ipsec_mode"] == "tunnel" else [])
        assert len(names) == len(set(names)), host
    subnets = [x["tunnel"][k] for x in links for k in ("ipv4", "ipsec_ipv4") if x["tunnel"].get(k)]
    subnets += [x["a"]["address"] for x in links]
    nets = [ipaddress.ip_interface(s).network for s in subnets]
    assert all(not a.overlaps(b) for i, a in enumerate(nets) for b in nets[i + 1:])


def test_mesh_rule_ring_plus_chords_without_parallel_links():
    topo = build(topology="mesh:6")
    assert [(x.a, x.b) for x in list(topo.links.values())[6:]] == [
        ("p1", "p3"), ("p2", "p4"), ("p3", "p5"), ("p4", "p6"), ("p5", "p1"), ("p6", "p2")]
    assert _ends(topo, "p1") == [("core1", "GigabitEthernet2", "192.0.2.0/31"),
                                 ("core6", "GigabitEthernet3", "192.0.2.11/31"),
                                 ("core7", "GigabitEthernet4", "192.0.2.12/31"),
                                 ("core11", "GigabitEthernet5", "192.0.2.21/31")]
    assert [i for _n, i, _a in _ends(topo, "p2")] == ["ge-0/0/0.0", "ge-0/0/2.0", "ge-0/0/3.0", "ge-0/0/4.0"]
    # mesh:4: the two chords p1-p3 and p2-p4 (p3-p1 and p4-p2 would be parallel): the full mesh
    assert mesh_edges(4) == [(1, 2), (2, 3), (3, 4), (4, 1), (1, 3), (2, 4)]
    for n in range(4, 12):
        topo = build(topology=f"mesh:{n}")
        pairs = [frozenset((x.a, x.b)) for x in topo.links.values()]
        assert len(pairs) == len(set(pairs)) == (6 if n == 4 else 2 * n)
        assert all(len(h.links) == (3 if n == 4 else 4) for h in topo.hosts.values())
        ids = [x.tunnel_id for x in topo.links.values()]
        assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("spec", ["ring:2", "mesh:3", "star:5", "ring", "ring:x", "ring:501", "mesh:251"])
def test_bad_topologies_are_refused(spec):
    with pytest.raises(ValueError):
        build(topology=spec)


def test_pairs_unchanged():
    topo = build(3)
    assert topo.spec == "pairs:3" and build(topology="pairs:3").p2p_links() == topo.p2p_links()
    assert [(x.name, x.a, x.a_interface, x.b, x.b_interface, x.tunnel_id) for x in topo.links.values()] == [
        ("core1", "p1", "GigabitEthernet2", "p2", "ge-0/0/0.0", 100),
        ("core2", "p3", "GigabitEthernet2", "p4", "GigabitEthernet2", 100),
        ("core3", "p5", "ge-0/0/0.0", "p6", "ge-0/0/0.0", 100)]
    assert [(h.pair, h.side, h.links) for h in topo.hosts.values()][:2] == [(1, "a", ["core1"]), (1, "b", ["core1"])]
    assert topo.component("p4") == ["p3", "p4"] and topo.resolve_link("p4") == ["core2"]
    roles = [(i["name"], i["role"]) for i in topo.baseline("p1")["interfaces"]]
    assert roles == [("GigabitEthernet1", "core"), ("GigabitEthernet2", "carrier")]


def test_ring_baseline_has_ospf_ldp_mpls_on_every_carrier():
    topo = build(topology="ring:6")
    for host in ("p1", "p2"):
        carriers = [i for i in topo.baseline(host)["interfaces"] if i["role"] == "carrier"]
        assert [i["link"] for i in carriers] == topo.hosts[host].links
        assert all(i["mpls"] and i["ldp"] and i["ospf"]["area"] == "0" for i in carriers)


def test_mesh_starting_config_every_carrier_adjacent():
    """In-process Lab with the real device classes: OSPF and LDP up on each of the four carriers of a mesh router."""
    lab = Lab(build(topology="mesh:5"))
    for host in lab.topology.hosts:
        st = lab.state(host)
        carriers = [x.end(host)[0] for x in lab.topology.links_of(host)]
        for proto in ("ospf", "ldp"):
            assert sorted(a.interface for a in st.adjacencies if a.protocol == proto and a.interface in carriers) \
                == sorted(carriers), (host, proto)
        assert st.clear_mpls_interfaces == sorted(carriers)


def test_ring_scenario_selects_links():
    """--scenario NAME:K selects link k: the IOS scenario lands on that link's carrier interface only."""
    topo = build(topology="ring:6", scenarios=["carrier-acl:6", "srx-carrier-no-ike:2"])
    p1 = {i["name"]: i for i in topo.baseline("p1")["interfaces"]}
    assert p1["GigabitEthernet3"].get("acl_in") == "CARRIER-IN" and "acl_in" not in p1["GigabitEthernet2"]
    assert topo.scenarios_of("p2") == ["srx-carrier-no-ike"] and topo.scenarios_of("p5") == []


# -- the running lab ------------------------------------------------------------------------------------
def _show(runner, host, commands):
    inv = _inventory(runner)
    outs, dropped = asyncio.run(_session(_hosts(inv)[host]["ansible_port"], inv["all"]["vars"]["ansible_password"],
                                         ["terminal length 0"] + commands if host_is_ios(inv, host) else
                                         ["set cli screen-length 0"] + commands))
    assert not dropped
    return outs[1:]


def host_is_ios(inv, host):
    return host in inv["all"]["children"]["routers"]["children"]["ios"]["hosts"]


def _ios_ospf(text):
    """{interface: neighbour id} of `show ip ospf neighbor`."""
    return {x.split()[-1]: x.split()[0] for x in text.splitlines() if x[:1].isdigit()}


def _junos_ospf(text):
    """{interface: neighbour id} of `show ospf neighbor`."""
    return {x.split()[1]: x.split()[3] for x in text.splitlines() if x[:1].isdigit() and "Full" in x}


def _ios_ldp_sources(text):
    """{discovery source interface: peer LDP id} of `show mpls ldp neighbor`."""
    out, peer = {}, None
    for x in text.splitlines():
        if "Peer LDP Ident:" in x:
            peer = x.split("Peer LDP Ident:")[1].split(";")[0].strip()
        elif "Src IP addr" in x and peer:
            out[x.split(",")[0].strip()] = peer
    return out


def _ping(runner, host, dst, size=100):
    p = runner.run("ping", host, dst, "--size", str(size), "--df", "--count", "2", check=False)
    return p.returncode == 0


def test_ring6_lab_adjacencies_per_link_and_faults_per_link(lab_runner):
    lab_runner.run("up", "--topology", "ring:6", "--inventory", lab_runner.inventory)
    st = json.loads(lab_runner.run("status", "--json").stdout)
    assert st["topology"] == "ring:6" and len(st["hosts"]) == 6 and len(st["links"]) == 6
    assert st["links"]["core6"]["a"] == "p6" and st["links"]["core6"]["b"] == "p1"
    with open(os.path.join(os.path.dirname(lab_runner.inventory), "group_vars", "all", "p2p_links.yml")) as fh:
        links = {x["name"]: x for x in yaml.safe_load(fh)["p2p_links"]}
    assert links["core2"]["a"] == {"host": "p2", "interface": "ge-0/0/2.0", "address": "192.0.2.2/31"}
    assert sorted(x["tunnel"]["id"] for x in links.values()) == list(range(100, 106))

    # starting config of a ring router: OSPF + LDP + MPLS on both carrier interfaces, adjacencies up on both
    run_gi3, ospf, ldp = _show(lab_runner, "p1", ["show running-config interface GigabitEthernet3",
                                                  "show ip ospf neighbor", "show mpls ldp neighbor"])
    assert "ip address 192.0.2.11 255.255.255.254" in run_gi3 and "ip ospf 1 area 0" in run_gi3 and "mpls ip" in run_gi3
    assert {k: v for k, v in _ios_ospf(ospf).items() if k != "GigabitEthernet1"} == {
        "GigabitEthernet2": "203.0.113.2", "GigabitEthernet3": "203.0.113.6"}
    sources = _ios_ldp_sources(ldp)
    assert sources["GigabitEthernet2"] == "203.0.113.2:0" and sources["GigabitEthernet3"] == "203.0.113.6:0"
    cfg, ospf2 = _show(lab_runner, "p2", ["show configuration protocols", "show ospf neighbor"])
    for ifname in ("ge-0/0/0.0", "ge-0/0/2.0"):
        assert cfg.count(f"interface {ifname}") == 3, cfg    # ospf, mpls, ldp
    assert {k: v for k, v in _junos_ospf(ospf2).items() if k != "ge-0/0/1.0"} == {
        "ge-0/0/0.0": "203.0.113.1", "ge-0/0/2.0": "203.0.113.3"}

    # a fault on core1 leaves the other link of the same routers (core6 of p1, core2 of p2) untouched
    lab_runner.run("fault", "link-down", "core1")
    (ospf,) = _show(lab_runner, "p1", ["show ip ospf neighbor"])
    assert "GigabitEthernet2" not in _ios_ospf(ospf) and _ios_ospf(ospf).get("GigabitEthernet3") == "203.0.113.6"
    (ospf2,) = _show(lab_runner, "p2", ["show ospf neighbor"])
    assert "ge-0/0/0.0" not in _junos_ospf(ospf2) and _junos_ospf(ospf2).get("ge-0/0/2.0") == "203.0.113.3"
    state = json.loads(lab_runner.run("state", "p2").stdout)
    assert state["interfaces_up"]["ge-0/0/0.0"] is False and state["interfaces_up"]["ge-0/0/2.0"] is True
    assert state["clear_mpls_interfaces"] == ["ge-0/0/2.0"]
    assert not _ping(lab_runner, "p2", "192.0.2.0") and _ping(lab_runner, "p2", "192.0.2.3")
    assert _ping(lab_runner, "p1", "192.0.2.10")
    lab_runner.run("fault", "link-up", "core1")
    assert _ping(lab_runner, "p2", "192.0.2.0")

    # carrier MTU per link: core1 delivers 1400, core6 (same router p1) still 1500
    lab_runner.run("fault", "carrier-mtu", "1400", "core1")
    assert not _ping(lab_runner, "p1", "192.0.2.1", 1500) and _ping(lab_runner, "p1", "192.0.2.1", 1400)
    assert _ping(lab_runner, "p1", "192.0.2.10", 1500)
    # a host target faults every link of that router
    out = json.loads(lab_runner.run("fault", "link-down", "p1").stdout)
    assert out["link_down"] == ["core1", "core6"]
    lab_runner.run("fault", "clear")

    # the same topology is "already running"; another one is an error; --pairs and --topology exclude each other
    assert "already running" in lab_runner.run("up", "--topology", "ring:6", "--inventory",
                                               lab_runner.inventory).stdout
    assert lab_runner.run("up", "--pairs", "3", "--inventory", lab_runner.inventory, check=False).returncode == 1
    assert lab_runner.run("up", "--pairs", "3", "--topology", "ring:6", check=False).returncode == 2

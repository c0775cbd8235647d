# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""GET VPN in the plan (plugins/plugin_utils/getvpn.py): the shared groups of p2p_getvpn_groups, the refusals the plan
makes (key server platform, a key server as a member of its own group, the limits of a Junos member under a Cisco key
server) and what it derives for the members and the key servers. The MTU of a getvpn link is cross-checked against the
lab's independent scapy sizing."""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

import pytest

from ansible_collections.mplssec.p2p.plugins.plugin_utils import capabilities, getvpn, model, plan

sys.path.insert(0, str(Path(__file__).resolve().parent))
import test_plan  # noqa: E402  (its example routers)

GROUP_PSK = "Gv7-Tq2_Lm9wRz4sYb8k"  # 20 characters, test-only

# the routers of test_plan.py, plus two key servers and a Junos router that is no key server
HOSTVARS: dict[str, dict[str, Any]] = dict(
    test_plan.HOSTVARS,
    ks1={"ansible_network_os": "cisco.ios.ios", "p2p_router_id": "100.64.0.1"},
    ks2={"ansible_network_os": "cisco.ios.ios", "p2p_router_id": "100.64.0.2"},
    srx9={"ansible_network_os": "junipernetworks.junos.junos", "p2p_router_id": "100.64.0.9"},
)


def link(name, a, b, index, group="p2p"):
    return {"name": name, "mode": "getvpn", "getvpn": {"group": group},
            "tunnel": {"id": 100 + index, "ipv4": f"198.51.100.{4 * index}/31"},
            "a": {"host": a[0], "interface": a[1], "address": f"192.0.2.{4 * index}/31"},
            "b": {"host": b[0], "interface": b[1], "address": f"192.0.2.{4 * index + 1}/31"}}


IOS_IOS = link("core2", ("p3", "GigabitEthernet2"), ("p4", "GigabitEthernet2"), 1)
IOS_JUNOS = link("core1", ("p1", "GigabitEthernet2"), ("p2", "ge-0/0/0.0"), 0)


def group(**kw):
    g = {"name": "p2p", "identity": 1001, "key_servers": ["ks1"], "psk": GROUP_PSK}
    g.update(kw)
    return g


def getvpn_errors(links, groups) -> list[str]:
    """The plan's errors for these links and groups ([] when it plans them)."""
    try:
        plan.build_plan(links, HOSTVARS, None, groups)
    except plan.PlanValidationError as exc:
        return exc.errors
    return []


def test_a_valid_group_plans():
    hosts = plan.build_plan([IOS_IOS], HOSTVARS, None, [group(anti_replay="counter")])["hosts"]
    assert sorted(hosts) == ["ks1", "p3", "p4"] and hosts["ks1"]["getvpn_servers"][0]["group"] == "p2p"
    assert capabilities.mode_support("ios", "getvpn")["supported"] and capabilities.mode_support("junos", "getvpn")["supported"]


def test_group_fields_are_checked():
    errs = getvpn_errors([IOS_IOS], [group(identity=0, psk="short", key_servers=["ks1", "ks1"],
                                           esp={"encryption": "aes-gcm-256", "integrity": "sha256"}, rekey="multicast")])
    text = "\n".join(errs)
    assert "getvpn group p2p: identity: 0 is out of range" in text
    assert "getvpn group p2p: key_servers: ['ks1', 'ks1'] is not a list of one or two distinct hosts" in text
    assert "getvpn group p2p: psk: is shorter than 16 characters" in text
    assert "esp.integrity: 'sha256' with aes-gcm-256" in text
    assert "rekey: unknown value 'multicast'" in text
    assert not any(GROUP_PSK in e or "short" in e.split(":")[-1] for e in errs)


def test_links_must_name_a_defined_group_and_identities_are_unique():
    errs = getvpn_errors([link("core2", ("p3", "GigabitEthernet2"), ("p4", "GigabitEthernet2"), 1, group="nope")],
                         [group(), group(name="other")])
    assert any(e.startswith("link core2: getvpn.group: 'nope' is not a group of p2p_getvpn_groups") for e in errs)
    assert any("identity: 1001 is also the identity of group p2p" in e for e in errs)
    errs = getvpn_errors([dict(copy.deepcopy(IOS_IOS), mode="gre_ipsec", crypto={"psk": GROUP_PSK})], [group()])
    assert any("getvpn: only applies to mode getvpn, not gre_ipsec" in e for e in errs)


def test_key_server_must_be_ios_and_in_the_inventory():
    errs = getvpn_errors([IOS_IOS], [group(key_servers=["srx9", "ks7"])])
    assert any("srx9 is Juniper Junos (SRX/vSRX): the key server is a Cisco IOS-XE router" in e for e in errs)
    assert any("key server 'ks7' is not in the inventory" in e for e in errs)


def test_a_key_server_cannot_be_a_member_of_its_own_group():
    errs = getvpn_errors([IOS_IOS], [group(key_servers=["p4"])])
    assert any(e.startswith("link core2: getvpn.group: p4 is a key server of group p2p and an end of this link: a key "
                            "server cannot be a group member of the group it serves") for e in errs)


def test_junos_member_limits_under_a_cisco_key_server():
    errs = getvpn_errors([IOS_JUNOS], [group(rekey="unicast", anti_replay="time")])
    rekey = [e for e in errs if e.startswith("getvpn group p2p: rekey: unicast with p2")]
    replay = [e for e in errs if e.startswith("getvpn group p2p: anti_replay: time with p2")]
    assert rekey and "proprietary ACK" in rekey[0] and "Fix: set rekey: none" in rekey[0]
    assert replay and "Fix: set anti_replay: none" in replay[0]
    assert getvpn_errors([IOS_JUNOS], [group(rekey="none", anti_replay="counter")]) == []
    assert getvpn_errors([IOS_IOS], [group(rekey="unicast", anti_replay="time")]) == []


def test_counter_anti_replay_only_for_two_members():
    ring = [IOS_IOS, link("core3", ("p3", "GigabitEthernet3"), ("p1", "GigabitEthernet3"), 2)]
    errs = getvpn_errors(ring, [group(anti_replay="counter")])
    assert any(e.startswith("getvpn group p2p: anti_replay: counter with p1, p3, p4 (more than two members)") for e in errs)
    assert getvpn_errors(ring, [group(anti_replay="time")]) == []


def _normalised(raw_links, raw_groups):
    groups, errs = getvpn.normalise_groups(raw_groups)
    assert not errs
    links = []
    for i, raw in enumerate(raw_links):
        lnk, errs = model.normalise_link(raw, i)
        assert not errs
        assert getvpn.prepare_link(lnk, groups, []) is groups["p2p"]
        links.append(lnk)
    return links, groups


def test_derivation_for_members_and_cooperative_key_servers():
    links, groups = _normalised([IOS_IOS, IOS_JUNOS], [group(key_servers=["ks1", "ks2"], rekey="none",
                                                             anti_replay="none")])
    info = {h: {"platform": "ios", "router_id": HOSTVARS[h]["p2p_router_id"]} for h in ("ks1", "ks2")}
    member = getvpn.member_fact(links[0], groups["p2p"], info, {"platform": "ios", "router_id": "203.0.113.3"})
    assert member == {"group": "p2p", "objects": "MPLSSEC-GV-P2P", "identity": 1001,
                      "key_servers": ["100.64.0.1", "100.64.0.2"],
                      "isakmp": {"encryption": "aes-cbc-256", "integrity": "sha256", "dh_group": 14, "priority": 9002},
                      "registration_address": "203.0.113.3", "registration_interface": "Loopback0"}
    rids = {h: v["p2p_router_id"] for h, v in HOSTVARS.items() if "p2p_router_id" in v}
    servers = getvpn.server_facts(groups, links, info, rids)
    ks1 = servers["ks1"]["getvpn_servers"][0]
    assert servers["ks1"]["links"] == [] and ks1["address"] == "100.64.0.1"
    assert ks1["acl"] == [{"action": "permit", "proto": "gre", "src": s, "dst": d} for s, d in (
        ("192.0.2.0", "192.0.2.1"), ("192.0.2.1", "192.0.2.0"), ("192.0.2.4", "192.0.2.5"), ("192.0.2.5", "192.0.2.4"))]
    assert ks1["redundancy"] == {"priority": 100, "peers": ["100.64.0.2"]}
    assert servers["ks2"]["getvpn_servers"][0]["redundancy"] == {"priority": 90, "peers": ["100.64.0.1"]}
    assert ks1["esp"] == {"encryption": "aes-cbc-256", "integrity": "sha256", "lifetime": 3600}
    assert ks1["members"] == ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4"]   # the loopbacks
    assert "psk" not in str(servers) and GROUP_PSK not in str(servers)


def test_getvpn_mtu_matches_the_labs_scapy_sizing():
    mtu_lab = pytest.importorskip("mplssec_lab.packets")
    links, _groups = _normalised([IOS_IOS], [group()])
    block = plan._check_mtu(links[0], [], [])  # noqa: SLF001 - the plan's MTU derivation for one link
    # the lab builds the real packet: ESP tunnel mode around MPLS-in-GRE (header preserved), 2 labels
    expected = mtu_lab.max_inner(1500, labels=2, encap="gre", ipsec_mode="tunnel", encryption="aes-cbc-256",
                                 integrity="sha256")
    assert block["ip_mtu"] == expected


def test_the_labs_getvpn_inventory_passes_the_group_checks():
    topology = pytest.importorskip("mplssec_lab.topology")
    for pairs in (1, 2):
        topo = topology.build(pairs, mode="getvpn", key_servers=2)
        groups = [dict(g, psk=GROUP_PSK) for g in topo.getvpn_groups()]
        hostvars = {h.name: {"ansible_network_os": "cisco.ios.ios" if h.platform == "ios" else
                             "junipernetworks.junos.junos", "p2p_router_id": h.router_id} for h in topo.hosts.values()}
        hosts = plan.build_plan(topo.p2p_links(), hostvars, None, groups)["hosts"]
        assert {"ks1", "ks2"} <= set(hosts) and all(hosts[h]["links"] for h in hosts if not h.startswith("ks"))

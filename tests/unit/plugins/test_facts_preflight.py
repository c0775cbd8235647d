# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Preflight on device facts (plugins/plugin_utils/preflight.py through plan.build_plan): every refusal and
adaptation, table-driven, with the exact messages.

The facts are produced by the real parsers (facts.parse_facts) from device-format outputs: an IOS-XE
running-config and a Junos JSON configuration + show security flow status text (formats: see test_facts.py).
"""

from __future__ import annotations

import copy

import pytest
from test_facts import FLOW_TEXT, IOS_DIR, IOS_VERSION, VERSION_JSON
from test_plan import CORE1, HOSTVARS, patched

from ansible_collections.mplssec.p2p.plugins.plugin_utils import facts, plan

P1_RUNNING = """interface GigabitEthernet2
 ip address 192.0.2.0 255.255.255.254
 ip ospf 1 area 0
 mpls ip
!
router ospf 1
!
"""


def p2_config(**over):
    unit = {"name": "0", "family": {"inet": {"address": [{"name": "192.0.2.1/31"}]}, "mpls": [None]}}
    zone = {"name": "untrust", "host-inbound-traffic": {"system-services": [{"name": "ike"}]},
            "interfaces": [{"name": "ge-0/0/0.0"}]}
    cfg = {"interfaces": {"interface": [{"name": "ge-0/0/0", "unit": [unit]}]},
           "protocols": {"ospf": {"area": [{"name": "0.0.0.0", "interface": [{"name": "ge-0/0/0.0"}]}]}},
           "security": {"zones": {"security-zone": [zone]}}}
    for key, value in over.items():
        if key == "zone":
            cfg["security"]["zones"]["security-zone"] = value
        elif key == "filter":
            unit["family"]["inet"]["filter"] = {"input": {"filter-name": value}}
        elif key == "tcp_mss":
            cfg["security"]["flow"] = {"tcp-mss": {"ipsec-vpn": {"mss": str(value)}}}
        elif key == "st0":
            cfg["interfaces"]["interface"].append({"name": "st0", "unit": [{"name": "100", "family": {"inet": {
                "address": [{"name": value}]}}}]})
    return {"configuration": cfg}


def run(p1_running=P1_RUNNING, p2_cfg=None, flow=FLOW_TEXT,
        model=None, link=None, p2_vars=None):
    hv = copy.deepcopy(HOSTVARS)
    hv["p1"]["p2p_facts"] = facts.parse_facts("ios", [IOS_VERSION, p1_running, IOS_DIR])
    version = copy.deepcopy(VERSION_JSON)
    if model:
        version["software-information"][0]["product-model"] = [{"data": model}]
    hv["p2"]["p2p_facts"] = facts.parse_facts("junos", [version, p2_cfg or p2_config(), flow])
    hv["p2"].update(p2_vars or {})
    try:
        return plan.build_plan([link or CORE1], hv), []
    except plan.PlanValidationError as exc:
        return None, exc.errors


def test_clean_facts_plan_and_fill_the_contract():
    result, errors = run()
    assert errors == []
    p1, p2 = result["hosts"]["p1"], result["hosts"]["p2"]
    clean = {"ospf_passive": False, "ipv6": False, "acl_in_entries": [], "acl6_in_entries": []}
    assert p1["links"][0]["carrier"] == {"ospf_network": False, "acl_in": None, "acl6_in": None, "zone": None, "zone_ike": None,
                                         **clean}
    assert p2["links"][0]["carrier"] == {"ospf_network": False, "acl_in": None, "acl6_in": None, "zone": "untrust",
                                         "zone_ike": True, **clean}
    assert p2["device"] == {"model": "vsrx", "version": "23.4R2-S3.9", "mpls_mode_active": "packet-based",
                            "iso_mode_active": "drop", "inet6_mode_active": "flow-based", "tcp_mss_ipsec_vpn": None}
    assert p1["device"]["model"] == "C8000V" and p1["device"]["mpls_mode_active"] is None
    assert p2["actions"] == [] and p1["links"][0]["existing"]["files"] == ["mplssec-core1-pre.cfg"]


def test_without_facts_nothing_changes():
    result = plan.build_plan([CORE1], HOSTVARS)
    assert "device" not in result["hosts"]["p1"] and "carrier" not in result["hosts"]["p1"]["links"][0]


MPLS_DROP = FLOW_TEXT.replace("MPLS forwarding mode: packet based", "MPLS forwarding mode: drop")

REFUSALS = [
    pytest.param(dict(flow=MPLS_DROP), [
        "link core1: p2: MPLS forwarding mode in effect (show security flow status): drop, not configured; once configured "
        "it takes effect only after a reboot. Fix: set security forwarding-options family mpls mode packet-based, commit "
        "and reboot p2 in a maintenance window, then re-run; or set p2p_allow_reboot: true for p2 to let the deploy reboot it."],
        id="srx-mpls-not-packet-mode"),
    pytest.param(dict(model="srx5600"), [
        "link core1: p2: model: srx5600: Juniper does not support packet-based (MPLS) forwarding on SRX5400/5600/5800 "
        "(forwarding-options (Security) reference). Fix: end the link on a router that can forward MPLS (another SRX "
        "model, or IOS-XE)."], id="srx5k"),
    pytest.param(dict(p2_cfg=p2_config(zone=[{"name": "untrust", "host-inbound-traffic": {"system-services": [
        {"name": "ssh"}]}, "interfaces": [{"name": "ge-0/0/0.0"}]}])), [
        "link core1: p2: security zone of ge-0/0/0.0: in zone untrust, whose host-inbound-traffic does not admit IKE "
        "(udp 500/4500 to ge-0/0/0.0 is dropped). Fix: admit IKE in zone untrust: set security zones security-zone untrust "
        "host-inbound-traffic system-services ike (or, when ge-0/0/0.0 has host-inbound-traffic of its own, set security "
        "zones security-zone untrust interfaces ge-0/0/0.0 host-inbound-traffic system-services ike), commit, then re-run."],
        id="zone-without-ike"),
    pytest.param(dict(p2_cfg=p2_config(zone=[])), [
        "link core1: p2: security zone of ge-0/0/0.0: in no security zone (an SRX drops everything addressed to it). Fix: "
        "put ge-0/0/0.0 in the zone that faces the carrier and admit IKE there (set security zones security-zone untrust "
        "interfaces ge-0/0/0.0 host-inbound-traffic system-services ike), commit, then re-run."],
        id="no-zone"),
    pytest.param(dict(p2_cfg=p2_config(st0="10.0.0.0/31")), [
        "link core1: p2: st0.100 (tunnel.id 100): exists with address 10.0.0.0/31, not this link's 198.51.100.129/31. "
        "Fix: choose another tunnel.id, or remove the interface if it is unused."], id="st0-collision"),
    pytest.param(dict(p1_running=P1_RUNNING + "interface Tunnel100\n ip address 10.1.1.0 255.255.255.254\n!\n"), [
        "link core1: p1: Tunnel100 (tunnel.id 100): exists with address 10.1.1.0/31, not this link's 198.51.100.0/31. "
        "Fix: choose another tunnel.id, or remove the interface if it is unused."], id="tunnel-collision"),
    pytest.param(dict(p1_running=P1_RUNNING + "crypto ikev2 profile MPLSSEC-CORE1\n match identity remote address 1.1.1.1\n!\n"), [
        "link core1: p1: objects MPLSSEC-CORE1: crypto ikev2 profile MPLSSEC-CORE1 exist but no tunnel interface of the "
        "link does (left over from an earlier run?). Fix: remove them on the router, or roll the link back "
        "(playbooks/rollback_p2p.yml), then re-run."], id="leftover-objects"),
    pytest.param(dict(p1_running=P1_RUNNING.replace("ip ospf 1 area 0", "ip ospf 2 area 0")), [
        "link core1: p1: OSPF on GigabitEthernet2: process 2 (enabled on the interface). Fix: set igp.process_id: 2 (the "
        "tunnel must join the carrier's OSPF process)."], id="ospf-process-differs"),
    pytest.param(dict(p1_running=P1_RUNNING.replace(" ip ospf 1 area 0\n", "").replace(
        "router ospf 1\n", "router ospf 1\n network 192.0.2.0 0.0.0.1 area 7\n")), [
        "link core1: p1: OSPF on GigabitEthernet2: area 7 (network 192.0.2.0 0.0.0.1 area 7). Fix: set igp.area: 7 (the "
        "tunnel must join the carrier's area)."], id="ospf-network-area-differs"),
    pytest.param(dict(p1_running=P1_RUNNING.replace("GigabitEthernet2", "GigabitEthernet9")), [
        "link core1: p1: carrier interface GigabitEthernet2: not in the configuration of the router. Fix: correct "
        "a.interface (configured interfaces: GigabitEthernet9)."], id="no-carrier-interface"),
    pytest.param(dict(p1_running=P1_RUNNING.replace("192.0.2.0 255.255.255.254", "192.0.2.0 255.255.255.252")), [
        "link core1: p1: GigabitEthernet2 address: 192.0.2.0/30. Fix: set a.address to the carrier interface's address, "
        "or correct a.interface (the plan has 192.0.2.0/31)."], id="carrier-address-differs"),
    pytest.param(dict(p1_running=P1_RUNNING.replace(" mpls ip", " ip mtu 1400\n mpls ip")), [
        "link core1: p1: GigabitEthernet2 IP MTU: 1400, below carrier_mtu 1500. Fix: set carrier_mtu: 1400 (or raise the "
        "interface MTU to 1500)."], id="carrier-mtu-low"),
    pytest.param(dict(flow=FLOW_TEXT.replace("Inet6 forwarding mode: flow based", "Inet6 forwarding mode: drop")), [
        "link core1: p2: inet6 forwarding mode in effect: drop: the SRX drops the IPv6 of tunnel.ipv6. Fix: set security "
        "forwarding-options family inet6 mode flow-based, commit and reboot p2, or remove tunnel.ipv6."], id="inet6-drop"),
]


@pytest.mark.parametrize(("kwargs", "expected"), REFUSALS)
def test_refusals(kwargs, expected):
    result, errors = run(**kwargs)
    assert errors == expected


def test_isis_link_needs_iso_packet_mode():
    link = patched(CORE1, {"igp": {"protocol": "isis", "process_id": None, "area": None}})
    link["igp"] = {"protocol": "isis"}
    p1 = P1_RUNNING.replace(" ip ospf 1 area 0", " ip router isis")
    cfg = p2_config()
    cfg["configuration"]["protocols"] = {"isis": {"interface": [{"name": "ge-0/0/0.0"}]}}
    result, errors = run(p1_running=p1, p2_cfg=cfg, link=link)
    assert errors == [
        "link core1: p2: ISO (IS-IS) forwarding mode in effect (show security flow status): drop, not configured; once "
        "configured it takes effect only after a reboot. Fix: set security forwarding-options family iso mode "
        "packet-based, commit and reboot p2 in a maintenance window, then re-run; or set p2p_allow_reboot: true for p2 to "
        "let the deploy reboot it."]


def test_configured_not_active_explains_the_reboot():
    cfg = p2_config()
    cfg["configuration"]["security"]["forwarding-options"] = {"family": {"mpls": {"mode": "packet-based"}}}
    _result, errors = run(p2_cfg=cfg, flow=MPLS_DROP)
    assert errors and "drop, configured but not active: the mode changes only after a reboot" in errors[0]


def test_allow_reboot_plans_the_reboot_instead():
    result, errors = run(flow=MPLS_DROP, p2_vars={"p2p_allow_reboot": True})
    assert errors == []
    assert result["hosts"]["p2"]["actions"] == [{"action": "reboot", "reason": "MPLS forwarding mode drop -> packet-based",
                                                 "configure": "security forwarding-options family mpls mode packet-based"}]
    assert any("p2p_allow_reboot is true" in w for w in result["warnings"])


ADAPTATIONS = [
    pytest.param(dict(p1_running=P1_RUNNING.replace(" ip ospf 1 area 0\n", "").replace(
        "router ospf 1\n", "router ospf 1\n network 192.0.2.0 0.0.0.255 area 0\n")), "p1", {"ospf_network": True},
        "cut-over makes GigabitEthernet2 passive", id="ospf-network"),
    pytest.param(dict(p1_running=P1_RUNNING.replace(" mpls ip", " ip access-group EDGE-IN in\n ipv6 traffic-filter E6 in\n mpls ip")),
                 "p1", {"acl_in": "EDGE-IN", "acl6_in": "E6"}, "fail-closed merges it", id="ios-acl"),
    pytest.param(dict(p1_running=P1_RUNNING.replace(" mpls ip", " ip access-group EDGE-IN in\n ipv6 address 2001:DB8::/127\n"
                                                    " ipv6 traffic-filter E6 in\n mpls ip") +
                      "ip access-list extended EDGE-IN\n 10 deny udp any any eq snmp\n 20 permit ip any any\n"
                      "ipv6 access-list E6\n sequence 10 permit ipv6 any any\n"),
                 "p1", {"acl_in": "EDGE-IN", "ipv6": True, "acl_in_entries": ["10 deny udp any any eq snmp", "20 permit ip any any"],
                        "acl6_in_entries": ["sequence 10 permit ipv6 any any"]}, "fail-closed merges it", id="ios-acl-entries"),
    pytest.param(dict(p1_running=P1_RUNNING.replace(" ip ospf 1 area 0\n", "").replace(
        "router ospf 1\n", "router ospf 1\n passive-interface GigabitEthernet2\n network 192.0.2.0 0.0.0.255 area 0\n")),
        "p1", {"ospf_network": True, "ospf_passive": True}, "cut-over makes GigabitEthernet2 passive", id="ospf-network-passive"),
    # a deployed router (re-run, rollback_p2p): the carrier has our ACL and passive-interface; phase1 recorded the
    # original carrier in the GRE tunnel's description, and that is what the plan uses
    pytest.param(dict(p1_running=P1_RUNNING.replace(" ip ospf 1 area 0\n mpls ip", " ip access-group MPLSSEC-CORE1 in").replace(
        "router ospf 1\n", "router ospf 1\n passive-interface GigabitEthernet2\n network 192.0.2.0 0.0.0.1 area 0\n")
        + "interface Tunnel100\n description MPLSSEC core1 gre to p2 pre acl_in=EDGE-IN acl6_in=- ospf_passive=no\n"
          " ip address 198.51.100.0 255.255.255.254\n"
          "interface Tunnel1100\n ip address 198.51.100.128 255.255.255.254\n"
          "ip access-list extended EDGE-IN\n 10 deny udp any any eq snmp\n"
          "ip access-list extended MPLSSEC-CORE1\n 10 deny udp any any eq snmp\n 20 permit esp any any\n"
          "crypto ikev2 profile MPLSSEC-CORE1\n"),
        "p1", {"ospf_network": True, "ospf_passive": False, "acl_in": "EDGE-IN", "acl6_in": None, "deployed": True,
               "acl_in_entries": ["10 deny udp any any eq snmp"]}, "fail-closed merges it", id="deployed-reads-pre"),
    pytest.param(dict(p2_cfg=p2_config(filter="EDGE-IN")), "p2", {"acl_in": "EDGE-IN"}, "fail-closed merges it",
                 id="junos-filter"),
    pytest.param(dict(p2_cfg=p2_config(tcp_mss=1300)), "p2", {}, "tcp-mss ipsec-vpn mss is 1300 (global, used by",
                 id="tcp-mss-lower-kept"),
    pytest.param(dict(p2_cfg=p2_config(tcp_mss=1400)), "p2", {}, "the product does not change the global value",
                 id="tcp-mss-higher-kept"),
]


@pytest.mark.parametrize(("kwargs", "host", "carrier", "warning"), ADAPTATIONS)
def test_adaptations(kwargs, host, carrier, warning):
    result, errors = run(**kwargs)
    assert errors == []
    got = result["hosts"][host]["links"][0]["carrier"]
    assert {k: got[k] for k in carrier} == carrier
    assert any(warning in w for w in result["warnings"]), result["warnings"]

"""IOS brownfield scenarios against the real Lab physics (docs/lab.md "Scenarios", ios/README.md sources).

OSPF enabled by a ``network`` statement is independent of ``ip ospf N area X`` on the interface, so
removing only the interface command leaves OSPF (and the clear adjacency) on the carrier;
``passive-interface`` stops the hellos (no adjacency) while the subnet is still advertised.
"""
import pytest
from ios_helpers import push, run_cli

from mplssec_lab.lab import Lab
from mplssec_lab.topology import SCENARIOS, build, parse_scenarios

AUTH = {"username": "admin", "password": "pw", "enable_password": "en"}


def _lab(*scenarios):
    # pair 2 is IOS-IOS (p3, p4)
    return Lab(build(2, list(scenarios)), auth=AUTH)


def _adj(lab, host, proto="ospf"):
    return sorted(a["interface"] for a in lab.state_dict(host)["adjacencies"] if a["protocol"] == proto)


def test_scenario_names_are_checked():
    assert parse_scenarios(["ospf-network", "carrier-acl:1,3"]) == {"ospf-network": None, "carrier-acl": {1, 3}}
    with pytest.raises(ValueError, match="unknown scenario"):
        parse_scenarios(["no-such"])
    assert set(SCENARIOS) >= {"ospf-network", "carrier-acl", "rollback-file"}


def test_network_statement_runs_ospf_on_the_carrier():
    lab = _lab("ospf-network:2")
    cfg = lab.running_config("p3")
    assert " network 192.0.2.2 0.0.0.1 area 0" in cfg
    gi2 = cfg.split("interface GigabitEthernet2\n", 1)[1].split("!", 1)[0]
    assert "ip ospf 1 area" not in gi2
    assert _adj(lab, "p3") == ["GigabitEthernet1", "GigabitEthernet2"]
    assert lab.state_dict("p3")["clear_mpls_interfaces"] == ["GigabitEthernet2"]


def test_removing_only_interface_ospf_keeps_the_clear_adjacency():
    lab = _lab("ospf-network:2")
    for host in ("p3", "p4"):
        push(lab.devices[host], ["interface GigabitEthernet2", "no mpls ip", "no ip ospf 1 area 0"])
    # the network statement still enables OSPF on Gi2: the clear adjacency stays
    assert _adj(lab, "p3") == ["GigabitEthernet1", "GigabitEthernet2"]
    out = run_cli(lab.devices["p3"], ["show ip ospf neighbor"])
    assert "GigabitEthernet2" in out


def test_passive_interface_removes_the_adjacency_but_keeps_the_route():
    lab = _lab("ospf-network:2")
    for host in ("p3", "p4"):
        push(lab.devices[host], ["router ospf 1", "passive-interface GigabitEthernet2"])
    assert _adj(lab, "p3") == ["GigabitEthernet1"]
    # the carrier subnet is still advertised (a stub network): p3's neighbour reaches p4's carrier address
    assert lab.devices["p4"].view().interfaces["GigabitEthernet2"].ospf["passive"] is True
    for host in ("p3", "p4"):
        push(lab.devices[host], ["router ospf 1", "no passive-interface GigabitEthernet2"])
    assert _adj(lab, "p3") == ["GigabitEthernet1", "GigabitEthernet2"]


def test_interface_mode_without_network_statement_is_removed_by_no_ip_ospf():
    lab = _lab()
    for host in ("p3", "p4"):
        push(lab.devices[host], ["interface GigabitEthernet2", "no ip ospf 1 area 0"])
    # "ip ospf network point-to-point" and "ip ospf cost 10" alone do not run OSPF
    assert _adj(lab, "p3") == ["GigabitEthernet1"]


def test_carrier_acl_and_rollback_file_scenarios():
    lab = _lab("carrier-acl:2", "rollback-file:2")
    cfg = lab.running_config("p3")
    assert " ip access-group CARRIER-IN in" in cfg
    assert " 10 deny udp any any eq snmp\n 20 permit ip any any" in cfg
    assert "mplssec-core2-pre.cfg" in lab.devices["p3"].files
    assert "mplssec-core1-pre.cfg" not in lab.devices["p1"].files
    # the ACL's snmp deny does not stop LDP/OSPF
    assert lab.state_dict("p3")["clear_mpls_interfaces"] == ["GigabitEthernet2"]

"""The collection's IOS deploy templates (roles/deploy/templates/ios, read in place) against the emulator:
every line is accepted, a re-push changes nothing, and the undo templates bring the baseline back."""
import copy

import jinja2
import pytest
from ios_helpers import REPO, push

from mplssec_lab.ios import parser as P

TEMPLATES = REPO / "roles" / "deploy" / "templates"  # in the repository: a missing template fails the tests

LINK = {
    "name": "core1", "id": 100, "mode": "gre_ipsec", "ipsec_mode": "transport", "side": "a",
    "objects": "MPLSSEC-CORE1",
    "peer": {"host": "p2", "platform": "ios", "address": "192.0.2.1", "tunnel_address": "198.51.100.1",
             "ipsec_address": None, "router_id": "203.0.113.2"},
    "physical": {"interface": "GigabitEthernet2", "address": "192.0.2.0", "prefixlen": 31,
                 "netmask": "255.255.255.254", "network": "192.0.2.0/31"},
    "tunnel": {"interface": "Tunnel100", "address": "198.51.100.0", "prefixlen": 31, "netmask": "255.255.255.254",
               "ipv6": "2001:db8:ff::/127", "source": "GigabitEthernet2", "destination": "192.0.2.1"},
    "ipsec_tunnel": None,
    "crypto": {"ike": {"version": 2, "encryption": "aes-gcm-256", "integrity": "none", "prf": "sha384",
                       "dh_group": 20, "lifetime": 86400},
               "esp": {"encryption": "aes-gcm-256", "integrity": "none", "pfs_group": 20, "lifetime": 3600},
               "dpd": {"interval": 10, "retries": 3}, "auth": "psk"},
    "mtu": {"carrier_mtu": 1500, "labels": 2, "ip_mtu": 1418, "mpls_mtu": 1426, "tcp_mss": 1378},
    "igp": {"protocol": "ospf", "process_id": 1, "area": 0, "metric": 10, "clear_metric": 1000},
    "keep_clear_igp": False, "fail_closed": True,
}


def _tunnel_mode_isis():
    link = copy.deepcopy(LINK)
    link["ipsec_mode"] = "tunnel"
    link["ipsec_tunnel"] = {"interface": "Tunnel1100", "address": "198.51.100.128", "prefixlen": 31,
                            "netmask": "255.255.255.254", "source": "GigabitEthernet2", "destination": "192.0.2.1"}
    link["tunnel"] = dict(link["tunnel"], source="Tunnel1100", destination="198.51.100.129", ipv6=None)
    link["crypto"]["ike"].update(encryption="aes-cbc-256", integrity="sha256", prf="sha256", dh_group=19,
                                 lifetime=28800)
    link["crypto"]["esp"].update(encryption="aes-cbc-256", integrity="sha256", lifetime=1800)
    link["igp"] = {"protocol": "isis", "process_id": None, "area": None, "metric": 10, "clear_metric": 1000}
    link["keep_clear_igp"] = True
    return link


def render(name, link):
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), trim_blocks=True,
                             undefined=jinja2.StrictUndefined)
    return env.get_template(f"ios/{name}.j2").render(link=link, psk="Sup3rSecretPSK-core1")


def _canon(dev):
    return [ln for ln in dev.running_config().split("\n") if not ln.startswith(("! Last", "Current configuration"))]


@pytest.mark.parametrize("link", [LINK, _tunnel_mode_isis()], ids=["transport-ospf", "tunnel-isis"])
def test_collection_phases_accepted_idempotent_and_undone(dev, lab, link):
    if link["igp"]["protocol"] == "isis":
        push(dev, ["router isis", "net 49.0001.2030.0011.3001.00", "interface GigabitEthernet2",
                   "ip router isis"])
    baseline = _canon(dev)
    for phase in ("phase1", "phase3", "phase4", "phase5"):
        text = render(phase, link)
        out = push(dev, text.splitlines())
        assert "%" not in out.replace("% Invalid", "%X"), (phase, out)
        assert "% Invalid" not in out and "% Incomplete" not in out, (phase, out)
        # what the collection pushes is what IOS shows: a re-push changes nothing
        before, n = _canon(dev), len(lab.changes)
        push(dev, text.splitlines())
        assert _canon(dev) == before and len(lab.changes) == n, phase
        # and every pushed line is in the running config at its place (cli_config diff is empty)
        # (IOS-XE 17 shows extended ACL entries with their sequence numbers: " 10 permit ...", and the
        # collection renders them numbered, so this holds to the letter)
        rc = dev.running_config().split("\n")
        for ln in text.splitlines():
            if ln.strip() and not ln.strip().startswith("no "):
                assert any(r.strip() == ln.strip() for r in rc), (phase, ln)
    v = dev.view()
    tun = v.interfaces[link["tunnel"]["interface"]]
    assert tun.ip_mtu == 1418 and tun.mpls and tun.ldp
    assert v.ike["MPLSSEC-CORE1"].psk == "Sup3rSecretPSK-core1"
    assert v.ike["MPLSSEC-CORE1"].local_address == "192.0.2.0"
    assert v.ipsec["MPLSSEC-CORE1"].mode == link["ipsec_mode"]
    assert not v.interfaces["GigabitEthernet2"].mpls
    assert v.interfaces["GigabitEthernet2"].filter_in == ("MPLSSEC-CORE1" if link["fail_closed"] else None)
    if link["ipsec_tunnel"]:
        assert v.interfaces["Tunnel1100"].kind == "ipsec" and tun.kind == "gre"
        assert tun.tunnel_source == "198.51.100.128"
    # undo: make (restore the clear link), then break (remove the tunnels and crypto)
    for step in ("undo_restore", "undo_remove"):
        out = push(dev, render(step, link).splitlines())
        assert "% Invalid" not in out and "% Incomplete" not in out, (step, out)
    after = _canon(dev)
    if not link["keep_clear_igp"]:
        assert after == baseline
    else:
        diff = [ln for ln in after if ln not in baseline] + [ln for ln in baseline if ln not in after]
        assert diff == [" isis metric 10"], diff


def test_templates_load_as_a_saved_config(dev):
    # the whole phase 1 also loads from a file (configure replace / copy to running-config path)
    root, errors = P.load_text(render("phase1", LINK), root=dev.root.clone(), hardware=dev.hardware)
    assert errors == []


# --------------------------------------------------------------------------- brownfield, real Lab physics
# Pair 2 of the lab is IOS-IOS (p3 192.0.2.2 - p4 192.0.2.3). The templates are rendered per side, as the deploy
# role does, with and without the preflight's carrier facts, and pushed to both routers.

def _side(side, carrier=None):
    me, peer = ("p3", "p4") if side == "a" else ("p4", "p3")
    addr, paddr = ("192.0.2.2", "192.0.2.3") if side == "a" else ("192.0.2.3", "192.0.2.2")
    taddr, tpeer = ("198.51.100.2", "198.51.100.3") if side == "a" else ("198.51.100.3", "198.51.100.2")
    link = copy.deepcopy(LINK)
    link.update(name="core2", objects="MPLSSEC-CORE2", side=side)
    link["peer"] = dict(link["peer"], host=peer, address=paddr, tunnel_address=tpeer,
                        router_id="203.0.113.4" if side == "a" else "203.0.113.3")
    link["physical"] = dict(link["physical"], address=addr, network="192.0.2.2/31")
    link["tunnel"] = dict(link["tunnel"], address=taddr, destination=paddr, ipv6=None)
    if carrier is not None:
        link["carrier"] = carrier
    return me, link


def _real_lab(*scenarios):
    from mplssec_lab.lab import Lab
    from mplssec_lab.topology import build
    return Lab(build(2, list(scenarios)), auth={"username": "admin", "password": "pw", "enable_password": "en"})


def _gate(name, link, output):
    """One check of the deploy's gates as the deploy runs it: plugins/plugin_utils/verify.py, the product's parser and
    pass criterion, on the output of the check's one show command."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("mplssec_verify", REPO / "plugins" / "plugin_utils" / "verify.py")
    verify = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(verify)
    plan = {"host": "p3", "platform": "ios", "links": [link]}
    assert verify.show_commands(name, plan, link) == ["show ip ospf neighbor"]
    return verify.run_check(name, [output], plan, link)["status"] == "pass"


def _run(lab, links, phases):
    from ios_helpers import run_cli
    for phase in phases:
        for host, link in links:
            out = push(lab.devices[host], render(phase, link).splitlines())
            assert "% Invalid" not in out and "% Incomplete" not in out, (phase, host, out)
    return {host: run_cli(lab.devices[host], ["show ip ospf neighbor"]) for host, _ in links}


def _adj(lab, host):
    return sorted(a["interface"] for a in lab.state_dict(host)["adjacencies"] if a["protocol"] == "ospf")


def test_ospf_network_statement_without_facts_keeps_clear_ospf_and_the_gate_fails():
    lab = _real_lab("ospf-network:2")
    links = [_side("a"), _side("b")]
    shows = _run(lab, links, ("phase1", "phase3", "phase4"))
    # "no ip ospf 1 area 0" does not remove network-statement OSPF: the clear adjacency stays ...
    assert _adj(lab, "p3") == ["GigabitEthernet1", "GigabitEthernet2", "Tunnel100"]
    # ... and the phase4 gate no_clear_igp does not pass (the deploy rolls back)
    assert not _gate("no_clear_igp", links[0][1], shows["p3"])


@pytest.mark.parametrize("scenarios,carrier", [
    (("ospf-network:2",), {"ospf_network": True}),
    (("ospf-network:2", "carrier-acl:2"),
     {"ospf_network": True, "acl_in": "CARRIER-IN", "acl_in_entries": ["10 deny udp any any eq snmp", "20 permit ip any any"]}),
    (("carrier-acl:2",),
     {"acl_in": "CARRIER-IN", "acl_in_entries": ["10 deny udp any any eq snmp", "20 permit ip any any"]}),
], ids=["ospf-network", "ospf-network+acl", "acl"])
def test_brownfield_with_facts_deploys_and_rolls_back_exactly(scenarios, carrier):
    lab = _real_lab(*scenarios)
    before = {h: lab.running_config(h) for h in ("p3", "p4")}
    links = [_side("a", carrier), _side("b", carrier)]
    shows = _run(lab, links, ("phase1", "phase3", "phase4"))
    assert _adj(lab, "p3") == ["GigabitEthernet1", "Tunnel100"]
    assert _gate("no_clear_igp", links[0][1], shows["p3"])
    assert lab.state_dict("p3")["clear_mpls_interfaces"] == []
    _run(lab, links, ("phase5",))
    cfg = lab.running_config("p3")
    acl = cfg.split("ip access-list extended MPLSSEC-CORE2\n", 1)[1].split("!", 1)[0]
    first = " 10 deny udp any any eq snmp\n 20 permit udp" if "acl_in" in carrier else " 10 permit udp"
    assert acl.startswith(first) and "permit ip any any" not in acl
    state = lab.state_dict("p3")
    assert any(s["established"] for s in state["ipsec_sas"])
    assert sorted(a["interface"] for a in state["adjacencies"] if a["protocol"] == "ldp") == ["GigabitEthernet1", "Tunnel100"]
    # rollback_p2p: make, then break -> the exact brownfield configuration
    _run(lab, links, ("undo_restore", "undo_remove"))

    def canon(t):
        return [ln for ln in t.split("\n") if not ln.startswith(("! Last", "Current configuration"))]
    for h in ("p3", "p4"):
        assert canon(lab.running_config(h)) == canon(before[h]), h
    assert _adj(lab, "p3") == ["GigabitEthernet1", "GigabitEthernet2"]


def test_fail_closed_ipv6_carrier_is_filtered_and_merged():
    """Rendering only: the lab has no IPv6 ACL grammar (ios/README.md known gaps)."""
    link = copy.deepcopy(LINK)
    link["carrier"] = {"ipv6": True, "acl6_in": "E6", "acl6_in_entries": ["sequence 10 deny tcp any any eq 23",
                                                                           "sequence 20 permit ipv6 any any"]}
    text = render("phase5", link)
    v6 = text.split("ipv6 access-list MPLSSEC-CORE1-V6\n", 1)[1].split("interface", 1)[0].splitlines()
    assert v6 == [" deny tcp any any eq 23", " permit icmp any any nd-na", " permit icmp any any nd-ns", " deny ipv6 any any"]
    assert text.endswith("interface GigabitEthernet2\n ipv6 traffic-filter MPLSSEC-CORE1-V6 in\n")
    undo = render("undo_restore", link)
    assert " ipv6 traffic-filter E6 in" in undo and "no ipv6 access-list MPLSSEC-CORE1-V6" in undo

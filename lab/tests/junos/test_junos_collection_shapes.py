"""The configuration the collection renders for Junos (roles/deploy/templates/junos/*.j2, rendered
here with plain Jinja2 from a hand-written plan entry) is accepted by the emulator, commits, and means
what the design says (docs/architecture.md §4).  Read-only use of the templates: no code is shared."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from mplssec_lab.junos import tree as T
from mplssec_lab.junos.device import Session

TEMPLATES = Path(__file__).resolve().parents[3] / "roles" / "deploy" / "templates"

LINK = {
    "name": "core1",
    "id": 100,
    "mode": "gre_ipsec",
    "ipsec_mode": "tunnel",
    "side": "b",
    "objects": "MPLSSEC-CORE1",
    "peer": {
        "host": "p1",
        "platform": "ios",
        "address": "192.0.2.0",
        "tunnel_address": "198.51.100.0",
        "ipsec_address": "198.51.100.128",
        "router_id": "203.0.113.1",
    },
    "physical": {"interface": "ge-0/0/0.0", "address": "192.0.2.1", "prefixlen": 31},
    "tunnel": {
        "interface": "gr-0/0/0.100",
        "address": "198.51.100.1",
        "prefixlen": 31,
        "ipv6": None,
        "source": "st0.100",
        "source_address": "198.51.100.129",
        "destination": "198.51.100.128",
    },
    "ipsec_tunnel": {"interface": "st0.100", "address": "198.51.100.129", "prefixlen": 31, "destination": "198.51.100.128"},
    "crypto": {
        "ike": {"version": 2, "encryption": "aes-gcm-256", "integrity": "none", "prf": "sha384", "dh_group": 20, "lifetime": 86400},
        "esp": {"encryption": "aes-gcm-256", "integrity": "none", "pfs_group": 20, "lifetime": 3600},
        "dpd": {"interval": 10, "retries": 3},
        "auth": "psk",
    },
    "mtu": {"carrier_mtu": 1500, "labels": 2, "ip_mtu": 1394, "mpls_mtu": 1402, "tcp_mss": 1354},
    "igp": {"protocol": "ospf", "process_id": 1, "area": 0, "metric": 10, "clear_metric": 1000, "level": 2},
    "keep_clear_igp": False,
    "fail_closed": True,
}


def render(name, link, psk="vault-psk-core1-0123456789"):
    path = TEMPLATES / "junos" / f"{name}.j2"
    assert path.is_file(), f"template {path} missing (it is in the repository: never a skip)"
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), trim_blocks=True, lstrip_blocks=True)
    return env.get_template(f"junos/{name}.j2").render(link=link, psk=psk)


def commit(dev, text):
    s = Session("netconf")
    new, _w = T.load_set(dev.candidate, text)
    dev.set_candidate(s, new)
    dev.commit(s)


@pytest.mark.parametrize("igp", ["ospf", "isis"])
def test_phases_commit_and_mean_what_they_say(dev, igp):
    link = dict(LINK, igp=dict(LINK["igp"], protocol=igp))
    if igp == "isis":   # an IS-IS core: the carrier runs IS-IS before the deploy (the plan's preflight checks it)
        commit(dev, "delete protocols ospf area 0.0.0.0 interface ge-0/0/0.0\n"
                    "set protocols isis interface ge-0/0/0.0 point-to-point\n"
                    "set protocols isis interface ge-0/0/0.0 level 2 metric 10")
    before = T.to_set(dev.committed)
    for phase in ("phase1", "phase3", "phase4", "fail_closed"):
        commit(dev, render(phase, link))
    v = dev.view()
    gr, st0, ph = v.interfaces["gr-0/0/0.100"], v.interfaces["st0.100"], v.interfaces["ge-0/0/0.0"]
    assert gr.kind == "gre" and gr.tunnel_source == "198.51.100.129" and gr.tunnel_destination == "198.51.100.128"
    assert gr.ip_mtu == 1394 and gr.mpls_mtu == 1402 and gr.tcp_mss == 1354 and gr.mpls and gr.ldp
    assert (gr.ospf if igp == "ospf" else gr.isis)["p2p"]
    assert st0.kind == "ipsec" and st0.ipsec_policy == "MPLSSEC-CORE1" and st0.filter_in == "MPLSSEC-CORE1-PM"
    assert not ph.mpls and not ph.ldp and ph.isis is None
    if igp == "ospf":
        assert ph.ospf is None
    assert ph.filter_in == "MPLSSEC-CORE1-CARRIER"
    ike = v.ike["MPLSSEC-CORE1"]
    assert ike.psk == "vault-psk-core1-0123456789" and ike.version == 2 and ike.peer_address == "192.0.2.0"
    assert ike.local_id == "192.0.2.1" and ike.remote_id == "192.0.2.0" and ike.dpd == (10, 3)
    assert ike.proposals[0] == {"encryption": "aes-gcm-256", "integrity": "none", "prf": "sha384", "dh_group": 20}
    ip = v.ipsec["MPLSSEC-CORE1"]
    assert ip.transforms == [{"encryption": "aes-gcm-256", "integrity": "none"}] and ip.pfs_group == 20
    rules = v.filters["MPLSSEC-CORE1-CARRIER"]
    assert {"action": "permit", "proto": "udp", "port": 4500} in rules and rules[-1]["action"] == "deny"
    # vendor-truth #13 (b, d): ICMP and BFD from the peer pass, IKE fragments too, but the fragments-only term opens
    # no other UDP
    from mplssec_lab import physics
    assert physics.filter_permits(v, ph, "icmp", None) and physics.filter_permits(v, ph, "udp", 3785)
    assert not physics.filter_permits(v, ph, "udp", 161) and not physics.filter_permits(v, ph, "tcp", 22)
    assert {"action": "permit", "proto": "udp", "port": None, "fragment": True} in rules
    cfg = T.to_set(dev.committed)
    # vendor-truth #14: IS-IS over an SRX needs ISO packet mode; #10: a raised anti-replay window; #4/#5: the zone
    assert ("set security forwarding-options family iso mode packet-based" in cfg) is (igp == "isis")
    assert "set security ipsec vpn MPLSSEC-CORE1 ike anti-replay-window-size 1024" in cfg
    assert v.host_inbound["gr-0/0/0.100"] >= {"ospf", "isis", "ldp", "bfd", "ping", "ssh", "netconf", "snmp"}
    assert not any(line.startswith("set security flow tcp-mss") for line in cfg)
    # the PSK never shows in clear
    assert "vault-psk-core1" not in dev.running_config()
    # undo back to the baseline meaning
    commit(dev, render("undo_restore", link))
    commit(dev, render("undo_remove", link))
    v = dev.view()
    assert "gr-0/0/0.100" not in v.interfaces and "st0.100" not in v.interfaces and not v.ike and not v.ipsec
    ph = v.interfaces["ge-0/0/0.0"]
    assert ph.mpls and ph.ldp and ph.filter_in is None and (ph.ospf if igp == "ospf" else ph.isis)["cost" if igp == "ospf" else "metric"] == 10
    # the cut-over deactivated the carrier's statements, the undo activated exactly them: nothing else is left over
    # but the global forwarding modes (docs/deploy.md); empty gr-0/0/0/st0 containers are the session's business
    # (plugin_utils/device.py deletes the interfaces a change emptied)
    after = [x for x in T.to_set(dev.committed) if not x.startswith("set security forwarding-options")
             and x not in ("set interfaces gr-0/0/0", "set interfaces st0")]
    before = [x for x in before if not x.startswith("set security forwarding-options")]
    assert sorted(set(after) - set(before)) == [] and sorted(set(before) - set(after)) == []


def test_restore_via_load_override_of_show_configuration(dev):
    before = dev.running_config()
    commit(dev, render("phase1", LINK))
    s = Session("netconf")
    new, _ = T.load_text(dev.candidate, before, "override")
    dev.set_candidate(s, new)
    dev.commit(s)
    assert T.render_set(dev.committed) == T.render_set(dev.rollback_tree(2))

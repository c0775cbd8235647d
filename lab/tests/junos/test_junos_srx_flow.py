"""SRX behaviours the emulator derives from the configuration (sources in lab/mplssec_lab/junos/README.md
"SRX security behaviours"): zone host-inbound-traffic admission of IKE and of the routing protocols,
forwarding modes configured vs in effect, the reboot that applies them, and the SRX5k refusal.

The configurations below are written by hand from the Junos documentation (not rendered from the
collection's templates): pair 3 of the lab is Junos (p5) - Junos (p6)."""

from __future__ import annotations

import json

import pytest

from mplssec_lab.junos import show as SH
from mplssec_lab.junos import tree as T
from mplssec_lab.junos.device import Session
from mplssec_lab.lab import Lab
from mplssec_lab.topology import build


class Clock:
    def __init__(self):
        self.t = 1_000_000.0

    def __call__(self):
        return self.t


def make_lab(*scenarios):
    clock = Clock()
    lab = Lab(build(3, list(scenarios)), clock=clock)
    return lab, clock


def commit(dev, text):
    s = Session("netconf")
    new, _w = T.load_set(dev.candidate, text)
    dev.set_candidate(s, new)
    dev.commit(s)


def vpn(me, peer, st0, st0_peer, gr, gr_peer, zone_lines, igp="ospf"):
    lines = [
        "set security ike proposal P authentication-method pre-shared-keys",
        "set security ike proposal P dh-group group20",
        "set security ike proposal P authentication-algorithm sha-384",
        "set security ike proposal P encryption-algorithm aes-256-gcm",
        "set security ike policy P proposals P",
        'set security ike policy P pre-shared-key ascii-text "lab-secret-123"',
        "set security ike gateway G ike-policy P",
        f"set security ike gateway G address {peer}",
        "set security ike gateway G external-interface ge-0/0/0.0",
        "set security ike gateway G version v2-only",
        "set security ipsec proposal P protocol esp",
        "set security ipsec proposal P encryption-algorithm aes-256-gcm",
        "set security ipsec policy P proposals P",
        "set security ipsec vpn V bind-interface st0.100",
        "set security ipsec vpn V ike gateway G",
        "set security ipsec vpn V ike ipsec-policy P",
        "set security ipsec vpn V establish-tunnels immediately",
        f"set interfaces st0 unit 100 family inet address {st0}/31",
        f"set interfaces gr-0/0/0 unit 100 tunnel source {st0}",
        f"set interfaces gr-0/0/0 unit 100 tunnel destination {st0_peer}",
        f"set interfaces gr-0/0/0 unit 100 family inet address {gr}/31",
        "set interfaces gr-0/0/0 unit 100 family mpls",
        "set protocols mpls interface gr-0/0/0.100",
        "set protocols ldp interface gr-0/0/0.100",
        "set security zones security-zone VPN interfaces st0.100",
        "set security zones security-zone VPN interfaces gr-0/0/0.100",
    ]
    if igp == "ospf":
        lines.append("set protocols ospf area 0.0.0.0 interface gr-0/0/0.100 interface-type p2p")
    else:
        lines += ["set interfaces gr-0/0/0 unit 100 family iso",
                  "set protocols isis interface gr-0/0/0.100 point-to-point",
                  "set protocols isis interface lo0.0 passive"]
    return "\n".join(lines + zone_lines)


ZONE_OK = ["set security zones security-zone VPN host-inbound-traffic system-services ping",
           "set security zones security-zone VPN host-inbound-traffic protocols ospf",
           "set security zones security-zone VPN host-inbound-traffic protocols isis",
           "set security zones security-zone VPN host-inbound-traffic protocols ldp"]


def deploy(lab, zone_lines=ZONE_OK, igp="ospf"):
    # core3: p5 192.0.2.4, p6 192.0.2.5; tunnel 198.51.100.4/31; ipsec 198.51.100.132/31
    commit(lab.devices["p5"], vpn("192.0.2.4", "192.0.2.5", "198.51.100.132", "198.51.100.133",
                                  "198.51.100.4", "198.51.100.5", zone_lines, igp))
    commit(lab.devices["p6"], vpn("192.0.2.5", "192.0.2.4", "198.51.100.133", "198.51.100.132",
                                  "198.51.100.5", "198.51.100.4", zone_lines, igp))


def adj(lab, host, proto, ifname="gr-0/0/0.100"):
    return [a for a in lab.state(host).adjacencies if a.protocol == proto and a.interface == ifname]


def flow(dev, display=None):
    text, _x = SH.run(dev, "show security flow status" + (f" | display {display}" if display else ""))
    return text


def test_baseline_carrier_in_untrust_with_ike_and_mpls_packet_mode_active():
    lab, _ = make_lab()
    dev = lab.devices["p6"]
    cfg = T.to_set(dev.committed)
    assert "set security zones security-zone untrust interfaces ge-0/0/0.0" in cfg
    assert "set security zones security-zone untrust host-inbound-traffic system-services ike" in cfg
    text = flow(dev)
    assert "    MPLS forwarding mode: packet based\n" in text and "    ISO forwarding mode: drop\n" in text
    assert "    Inet6 forwarding mode: drop\n" in text and "    Inet forwarding mode: flow based\n" in text
    doc = json.loads(flow(dev, "json"))
    fm = doc["flow-status-all"][0]["flow-forwarding-mode"][0]
    assert fm["flow-forwarding-mode-mpls"][0]["data"] == "packet based"
    assert fm["flow-forwarding-mode-iso"][0]["data"] == "drop"
    deploy(lab)
    assert any(s.established for s in lab.state("p5").ike_sas)
    assert adj(lab, "p5", "ospf") and adj(lab, "p5", "ldp")
    assert lab.ping("p5", "198.51.100.5", 1000, True, labels=2).reason == "ok"


def test_carrier_zone_without_ike_drops_ike():
    lab, _ = make_lab("srx-carrier-no-ike:3")
    deploy(lab)
    sas = lab.state("p5").ike_sas
    assert sas and not any(s.established for s in sas)
    assert "security zone host-inbound-traffic" in sas[0].reason
    # the clear OSPF on the carrier still works (the zone admits ospf)
    assert adj(lab, "p5", "ospf", "ge-0/0/0.0")
    # admitting IKE on the interface overrides the zone's services for that interface (so ospf/ldp/ping must be
    # listed there too): with only ike on the interface, IKE comes up and the clear OSPF goes down
    commit(lab.devices["p5"], "set security zones security-zone untrust interfaces ge-0/0/0.0 host-inbound-traffic system-services ike")
    commit(lab.devices["p6"], "set security zones security-zone untrust interfaces ge-0/0/0.0 host-inbound-traffic system-services ike")
    assert any(s.established for s in lab.state("p5").ike_sas)
    assert not adj(lab, "p5", "ospf", "ge-0/0/0.0")


def test_interface_in_no_zone_drops_everything():
    lab, _ = make_lab()
    commit(lab.devices["p6"], "delete security zones security-zone untrust interfaces ge-0/0/0.0")
    assert not adj(lab, "p5", "ospf", "ge-0/0/0.0")
    deploy(lab)
    assert not any(s.established for s in lab.state("p5").ike_sas)


def test_tunnel_zone_host_inbound_decides_igp_and_ldp():
    lab, _ = make_lab()
    deploy(lab, zone_lines=["set security zones security-zone VPN host-inbound-traffic system-services ping"])
    assert any(s.established for s in lab.state("p5").ipsec_sas)
    assert not adj(lab, "p5", "ospf") and not adj(lab, "p5", "ldp")
    for h in ("p5", "p6"):
        commit(lab.devices[h], "set security zones security-zone VPN host-inbound-traffic protocols ospf")
    assert adj(lab, "p5", "ospf") and not adj(lab, "p5", "ldp")
    for h in ("p5", "p6"):
        commit(lab.devices[h], "set security zones security-zone VPN host-inbound-traffic protocols ldp")
    assert adj(lab, "p5", "ldp")


def test_mpls_configured_but_not_active_until_reboot():
    lab, clock = make_lab("srx-mpls-not-active:3")
    dev = lab.devices["p6"]
    assert "set security forwarding-options family mpls mode packet-based" in T.to_set(dev.committed)
    assert "    MPLS forwarding mode: drop\n" in flow(dev)
    deploy(lab)
    # IP, IGP and LDP work; labelled packets do not cross
    assert adj(lab, "p5", "ospf") and adj(lab, "p5", "ldp")
    assert lab.ping("p5", "198.51.100.5", 1000, True).reason == "ok"
    r = lab.ping("p5", "198.51.100.5", 1000, True, labels=2)
    assert r.reason != "ok" and "MPLS forwarding mode" in (r.detail or "")
    # reboot both: away for the reboot time, back with the committed modes in effect
    for h in ("p5", "p6"):
        assert "Shutdown NOW!" in lab.devices[h].request_reboot()
    assert lab.devices["p6"].booting()
    assert not adj(lab, "p5", "ospf", "ge-0/0/0.0")
    clock.t += 60
    assert not lab.devices["p6"].booting()
    assert "    MPLS forwarding mode: packet based\n" in flow(dev)
    lab.config_changed("p5")
    lab.config_changed("p6")
    assert lab.ping("p5", "198.51.100.5", 1000, True, labels=2).reason == "ok"


def test_mpls_absent_is_dropped_and_commit_plus_reboot_fixes_it():
    lab, clock = make_lab("srx-mpls-absent:3")
    dev = lab.devices["p5"]
    assert "forwarding-options" not in " ".join(T.to_set(dev.committed))
    assert "    MPLS forwarding mode: drop\n" in flow(dev)
    for h in ("p5", "p6"):
        commit(lab.devices[h], "set security forwarding-options family mpls mode packet-based")
    assert "    MPLS forwarding mode: drop\n" in flow(dev)   # committed, not in effect
    for h in ("p5", "p6"):
        lab.devices[h].request_reboot()
    clock.t += 60
    assert "    MPLS forwarding mode: packet based\n" in flow(dev)


@pytest.mark.parametrize("iso_active", [False, True])
def test_isis_over_srx_needs_iso_packet_mode_in_effect(iso_active):
    lab, clock = make_lab()
    if iso_active:
        for h in ("p5", "p6"):
            commit(lab.devices[h], "set security forwarding-options family iso mode packet-based")
            lab.devices[h].request_reboot()
        clock.t += 60
    deploy(lab, igp="isis")
    assert bool(adj(lab, "p5", "isis")) is iso_active


def test_srx5600_refuses_mpls_packet_mode_at_commit():
    lab, _ = make_lab("srx5600:3")
    dev = lab.devices["p5"]
    text, _x = SH.run(dev, "show version")
    assert "Model: srx5600" in text
    assert "    MPLS forwarding mode: drop\n" in flow(dev)
    with pytest.raises(Exception) as e:
        commit(dev, "set security forwarding-options family mpls mode packet-based")
    assert "not supported" in str(getattr(e.value, "errors", [e.value])[0].message if hasattr(e.value, "errors") else e.value)

"""MACsec / MKA physics from hand-built DeviceViews (no device classes): docs/lab.md "MACsec"."""
from __future__ import annotations

import pytest
from lab_views import pair

from mplssec_lab import model, packets, physics
from mplssec_lab.faults import Faults
from mplssec_lab.topology import BRIDGE, CARRIER_DELIVERS, PAE

T0 = 1_000_000.0
CAK128 = "00112233445566778899aabbccddeeff"           # dummy test keys
CAK256 = CAK128 * 2


def macsec(topo, views, **kw):
    """MACsec on both carrier ends of core1 (bridge-group EAPoL, which the default carrier delivers)."""
    link = next(iter(topo.links.values()))
    for host in (link.a, link.b):
        ifn = link.end(host)[0]
        per = {k[:-2]: v for k, v in kw.items() if k.endswith("_" + ("a" if host == link.a else "b"))}
        common = {k: v for k, v in kw.items() if not k.endswith(("_a", "_b"))}
        args = dict(ckn="01", cak=CAK128, mka_algorithm="aes-128-cmac", eapol_address=BRIDGE)
        args.update(common)
        args.update(per)
        views[host].macsec[ifn] = model.MacsecPort(ifn, **args)
    return link


def mka(st, host):
    return st[host].mka[0]


def ospf_on(st, host, ifname):
    return any(a.protocol == "ospf" and a.interface == ifname for a in st[host].adjacencies)


def derive(topo, views, faults=None, now=T0, memo=None):
    return physics.derive(views, topo, faults, now, memo if memo is not None else {})


def test_secured_when_both_ends_agree():
    topo, views = pair()
    macsec(topo, views)
    st = derive(topo, views)
    a, b = mka(st, "p1"), mka(st, "p2")
    assert a.secured and b.secured and a.cipher == "gcm-aes-128"
    assert a.key_server != b.key_server                       # exactly one key server
    assert ospf_on(st, "p1", "GigabitEthernet2") and "GigabitEthernet2" in st["p1"].clear_mpls_interfaces


def test_key_server_is_lowest_priority_then_lowest_sci():
    topo, views = pair()
    macsec(topo, views, key_server_priority_a=200, key_server_priority_b=10)
    st = derive(topo, views)
    assert mka(st, "p2").key_server and not mka(st, "p1").key_server
    topo, views = pair()
    macsec(topo, views, key_server_priority=16)
    st = derive(topo, views)
    lowest = min(("p1", mka(st, "p1").local_sci), ("p2", mka(st, "p2").local_sci), key=lambda x: x[1])[0]
    assert mka(st, lowest).key_server


@pytest.mark.parametrize("kw, why", [
    ({"ckn_b": "02"}, "CKN mismatch"),
    ({"cak_b": "ff" * 16}, "CAK mismatch"),
    ({"cak_b": CAK256, "mka_algorithm_b": "aes-256-cmac"}, "CAK mismatch"),
    ({"mka_algorithm": "aes-256-cmac"}, "needs 64"),
    ({"ciphers_a": ["gcm-aes-256"], "ciphers_b": ["gcm-aes-128"]}, "no cipher suite"),
    ({"ciphers_a": ["gcm-aes-xpn-256"], "ciphers_b": ["gcm-aes-256"]}, "no cipher suite"),
    ({"offset_a": 30, "offset_b": 0}, "offset mismatch"),
    ({"eapol_address": PAE}, "does not deliver EAPoL to 01:80:c2:00:00:03"),
    ({"eapol_address_b": "ff:ff:ff:ff:ff:ff"}, "does not listen"),
    ({"eapol_ethertype_b": 0x876F}, "EtherType mismatch"),
])
def test_mka_failure_modes(kw, why):
    topo, views = pair()
    macsec(topo, views, **kw)
    st = derive(topo, views)
    assert not mka(st, "p1").secured and not mka(st, "p2").secured
    assert why in mka(st, "p1").reason
    assert ospf_on(st, "p1", "GigabitEthernet2")              # should-secure (the default here): clear passes


def test_key_server_cipher_preference_wins_when_the_peer_accepts_it():
    topo, views = pair()
    macsec(topo, views, key_server_priority_a=1, key_server_priority_b=50, ciphers_a=["gcm-aes-256", "gcm-aes-128"],
           ciphers_b=["gcm-aes-128", "gcm-aes-256"])
    assert mka(derive(topo, views), "p2").cipher == "gcm-aes-256"


def test_pae_address_works_on_an_l2cp_transparent_carrier():
    topo, views = pair()
    link = macsec(topo, views, eapol_address=PAE)
    link.eapol_delivers = CARRIER_DELIVERS | {PAE}
    assert mka(derive(topo, views), "p1").secured


def test_unicast_eapol_to_the_peer_mac():
    topo, views = pair()
    link = macsec(topo, views)
    from mplssec_lab.macsec import port_mac
    views["p1"].macsec[link.a_interface].eapol_address = port_mac("p2", link.b_interface)
    views["p2"].macsec[link.b_interface].eapol_address = port_mac("p1", link.a_interface)
    assert mka(derive(topo, views), "p1").secured


def test_tagged_carrier_needs_dot1q_in_clear_on_both_ends():
    topo, views = pair("ios-ios")
    link = macsec(topo, views)
    link.tagged = True
    assert "802.1Q tag in clear" in mka(derive(topo, views), "p3").reason
    macsec(topo, views, tags_in_clear_a=1)
    assert not mka(derive(topo, views), "p3").secured
    macsec(topo, views, tags_in_clear=1)
    assert mka(derive(topo, views), "p3").secured


def test_must_secure_before_the_peer_is_configured_drops_the_link():
    topo, views = pair()
    link = macsec(topo, views, must_secure=True)
    del views["p2"].macsec[link.b_interface]
    st = derive(topo, views)
    assert not mka(st, "p1").secured and "no MACsec" in mka(st, "p1").reason
    assert not ospf_on(st, "p1", "GigabitEthernet2") and not ospf_on(st, "p2", "ge-0/0/0.0")
    assert "GigabitEthernet2" not in [a.interface for a in st["p1"].adjacencies if a.protocol == "ldp"]
    assert ospf_on(st, "p1", "GigabitEthernet1")               # the in-building side is untouched
    r = physics.ping(views, topo, None, T0, "p1", "192.0.2.1", size=100, memo={})
    assert not any(r) and "must-secure" in r.detail


def test_should_secure_before_the_peer_is_configured_passes_clear():
    topo, views = pair()
    link = macsec(topo, views, must_secure=False)
    del views["p2"].macsec[link.b_interface]
    st = derive(topo, views)
    assert not mka(st, "p1").secured and ospf_on(st, "p1", "GigabitEthernet2")
    assert all(physics.ping(views, topo, None, T0, "p1", "192.0.2.1", size=1500, df=True, memo={}))


def test_not_capable_port_has_no_effect_even_with_must_secure():
    topo, views = pair()
    link = macsec(topo, views, must_secure=True)
    views["p2"].macsec[link.b_interface].capable = False      # e.g. a vSRX: the configuration is there, no MACsec
    st = derive(topo, views)
    assert not mka(st, "p1").secured and "not supported" in mka(st, "p1").reason
    assert not ospf_on(st, "p1", "GigabitEthernet2")          # p1 (capable, must-secure) still drops clear frames
    views["p1"].macsec[link.a_interface].must_secure = False
    assert ospf_on(derive(topo, views), "p1", "GigabitEthernet2")


@pytest.mark.parametrize("include_sci, overhead", [(True, 32), (False, 24)])
def test_secured_frames_carry_sectag_and_icv(include_sci, overhead):
    topo, views = pair()
    macsec(topo, views, include_sci=include_sci)
    assert packets.macsec_payload(1000, 0, "gcm-aes-256", include_sci) == 1000 + overhead
    fit = 1500 - overhead
    ok = physics.ping(views, topo, None, T0, "p1", "192.0.2.1", size=fit, df=True, memo={})
    big = physics.ping(views, topo, None, T0, "p1", "192.0.2.1", size=fit + 1, df=True, memo={})
    assert all(ok) and not any(big) and "larger than the carrier delivers" in big.detail


def test_carrier_mtu_fault_secured_but_big_frames_lost():
    topo, views = pair()
    macsec(topo, views)
    faults = Faults(carrier_mtu={"core1": 1400})
    st = derive(topo, views, faults)
    assert mka(st, "p1").secured and ospf_on(st, "p1", "GigabitEthernet2")    # hellos fit
    assert all(physics.ping(views, topo, faults, T0, "p1", "192.0.2.1", size=1368, df=True, memo={}))
    assert not any(physics.ping(views, topo, faults, T0, "p1", "192.0.2.1", size=1369, df=True, memo={}))


def test_sa_counters_move_with_hellos_pings_and_traffic():
    topo, views = pair()
    macsec(topo, views)
    memo = {}
    derive(topo, views, now=T0, memo=memo)
    st = derive(topo, views, now=T0 + 100, memo=memo)
    hello_tx = mka(st, "p1").tx_pkts
    assert hello_tx > 0 and mka(st, "p2").rx_pkts == hello_tx
    physics.ping(views, topo, None, T0 + 100, "p1", "192.0.2.1", size=1000, count=5, memo=memo)
    physics.traffic(views, topo, None, T0 + 100, packets_n=10, size=500, memo=memo)
    st = derive(topo, views, now=T0 + 100, memo=memo)
    assert mka(st, "p1").tx_pkts == hello_tx + 15 and mka(st, "p2").rx_pkts == hello_tx + 15
    assert mka(st, "p1").tx_bytes - mka(st, "p1").rx_bytes == 0     # symmetric ping/traffic, same SCI setting
    views["p2"].macsec[next(iter(views["p2"].macsec))].ckn = "02"    # session lost: counters start again
    derive(topo, views, now=T0 + 101, memo=memo)
    views["p2"].macsec[next(iter(views["p2"].macsec))].ckn = "01"
    assert mka(derive(topo, views, now=T0 + 101, memo=memo), "p1").tx_pkts == 0

"""Physics derived from hand-built DeviceViews (no device classes)."""
from __future__ import annotations

import pytest
from lab_views import encrypt, pair

from mplssec_lab import packets, physics
from mplssec_lab.faults import Faults

T0 = 1_000_000.0


def derive(topo, views, faults=None, now=T0, memo=None):
    return physics.derive(views, topo, faults, now, memo if memo is not None else {})


def protos(state, protocol):
    return sorted(a.interface for a in state.adjacencies if a.protocol == protocol)


def up_sas(state):
    return [s for s in state.ipsec_sas if s.established]


# -- clear baseline -----------------------------------------------------------------------------------
def test_baseline_clear_mpls_detected():
    topo, views = pair()
    st = derive(topo, views)
    assert protos(st["p1"], "ospf") == ["GigabitEthernet1", "GigabitEthernet2"]
    assert protos(st["p2"], "ldp") == ["ge-0/0/0.0", "ge-0/0/1.0"]
    assert st["p1"].clear_mpls_interfaces == ["GigabitEthernet2"]
    assert st["p2"].clear_mpls_interfaces == ["ge-0/0/0.0"]
    assert st["p1"].ike_sas == [] and st["p1"].ipsec_sas == []


def test_link_down_fault_takes_everything_over_the_carrier_down():
    topo, views = pair()
    st = derive(topo, views, Faults(link_down={"core1"}))
    assert st["p1"].interfaces_up["GigabitEthernet2"] is False
    assert protos(st["p1"], "ospf") == ["GigabitEthernet1"]      # in-building neighbour stays
    assert st["p1"].clear_mpls_interfaces == []


def test_shutdown_on_one_end_breaks_adjacency():
    topo, views = pair()
    views["p2"].interfaces["ge-0/0/0.0"].enabled = False
    st = derive(topo, views)
    assert "GigabitEthernet2" not in protos(st["p1"], "ospf")


def test_ospf_mtu_mismatch_blocks_adjacency():
    topo, views = pair()
    views["p1"].interfaces["GigabitEthernet2"].ip_mtu = 1400
    st = derive(topo, views)
    assert "GigabitEthernet2" not in protos(st["p1"], "ospf")
    assert "GigabitEthernet2" not in protos(st["p1"], "ldp")       # LDP needs the IGP adjacency


def test_ospf_area_mismatch():
    topo, views = pair()
    views["p2"].interfaces["ge-0/0/0.0"].ospf["area"] = "1"
    assert "GigabitEthernet2" not in protos(derive(topo, views)["p1"], "ospf")


def test_ospf_area_forms_are_equivalent():
    topo, views = pair()
    views["p2"].interfaces["ge-0/0/0.0"].ospf["area"] = "0.0.0.0"
    assert "GigabitEthernet2" in protos(derive(topo, views)["p1"], "ospf")


# -- encrypted end state ------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["ios-junos", "ios-ios", "junos-junos"])
def test_encrypted_end_state(kind):
    topo, views = pair(kind)
    encrypt(topo, views)
    st = derive(topo, views)
    a, b = list(topo.hosts)
    for h in (a, b):
        assert [s.established for s in st[h].ike_sas] == [True], st[h].ike_sas
        assert len(up_sas(st[h])) == 1, st[h].ipsec_sas
        assert st[h].clear_mpls_interfaces == []
        tun = "Tunnel100" if topo.hosts[h].platform == "ios" else "gr-0/0/0.100"
        assert st[h].interfaces_up[tun]
        assert tun in protos(st[h], "ospf")
        assert tun in protos(st[h], "ldp")
    sa, sb = up_sas(st[a])[0], up_sas(st[b])[0]
    assert sa.spi_in == sb.spi_out and sa.spi_out == sb.spi_in
    assert sa.mode == topo.links[next(iter(topo.links))].ipsec_mode
    assert sa.proposal == {"encryption": "aes-gcm-256", "integrity": "none"}


def test_psk_mismatch_no_sa():
    topo, views = pair()
    encrypt(topo, views, psk_b="something-else-entirely")
    st = derive(topo, views)
    assert not st["p1"].ike_sas[0].established
    assert "pre-shared key" in st["p1"].ike_sas[0].reason
    assert up_sas(st["p1"]) == [] and up_sas(st["p2"]) == []
    assert not st["p1"].interfaces_up["Tunnel1100"]          # sVTI line protocol needs the SA
    assert not st["p2"].interfaces_up["st0.100"]
    assert protos(st["p1"], "ldp") == ["GigabitEthernet1"]


def test_dh_mismatch_no_sa():
    topo, views = pair()
    encrypt(topo, views, dh_b=19)
    st = derive(topo, views)
    assert not st["p1"].ike_sas[0].established
    assert "DH group" in st["p1"].ike_sas[0].reason
    assert up_sas(st["p2"]) == []


def test_transport_against_tunnel_falls_back_to_tunnel_mode():
    """Transport mode is only requested (RFC 7296 1.3.1): against a tunnel-mode peer the child SA is tunnel mode."""
    topo, views = pair("ios-ios")
    encrypt(topo, views, mode="transport", mode_b="tunnel")
    st = derive(topo, views)
    sas = up_sas(st["p3"])
    assert sas and all(sa.mode == "tunnel" for sa in sas)
    assert "Tunnel100" in protos(st["p3"], "ospf")


def test_transport_require_against_tunnel_no_ipsec_sa():
    """IOS 'mode transport require' refuses the tunnel-mode SA the peer proposes (ios/README.md)."""
    topo, views = pair("ios-ios")
    encrypt(topo, views, mode="transport", mode_b="tunnel")
    for pol in views["p3"].ipsec.values():
        pol.mode_required = True
    st = derive(topo, views)
    assert st["p3"].ike_sas[0].established                      # IKE is fine ...
    assert up_sas(st["p3"]) == []                               # ... the child SA is not
    assert "requires transport mode" in st["p3"].ipsec_sas[0].reason
    # IOS GRE line protocol comes up without the SA, but nothing passes
    assert st["p3"].interfaces_up["Tunnel100"]
    assert "Tunnel100" not in protos(st["p3"], "ospf")
    # both sides transport (one requiring it): transport mode
    for pol in views["p4"].ipsec.values():
        pol.mode = "transport"
    st = derive(topo, views)
    assert up_sas(st["p3"]) and all(sa.mode == "transport" for sa in up_sas(st["p3"]))


@pytest.mark.parametrize("change,up", [
    ({"type": "point-to-multipoint"}, False),       # p2mp (hello 30 / dead 120) vs the tunnel's p2p (10 / 40)
    ({"hello": 5}, False),                          # RFC 2328 10.5: HelloInterval must match
    ({"dead": 60}, False),                          # ... and RouterDeadInterval
    ({"hello": 10, "dead": 40}, True),              # the defaults written out: still the same
])
def test_ospf_network_type_and_timers_must_match(change, up):
    """Issue 8 section 5: an OSPF network-type or hello/dead mismatch formed a FULL adjacency in the lab."""
    topo, views = pair()
    encrypt(topo, views)
    views["p1"].interfaces["Tunnel100"].ospf.update(change)
    st = derive(topo, views)
    assert ("Tunnel100" in protos(st["p1"], "ospf")) is up
    assert ("gr-0/0/0.100" in protos(st["p2"], "ospf")) is up
    # the same change on both ends: the adjacency forms again
    views["p2"].interfaces["gr-0/0/0.100"].ospf.update(change)
    assert "Tunnel100" in protos(derive(topo, views)["p1"], "ospf")


def test_one_side_without_ldp_on_tunnel_no_ldp_session():
    topo, views = pair()
    encrypt(topo, views, ldp_b=False)
    st = derive(topo, views)
    assert "Tunnel100" in protos(st["p1"], "ospf")
    assert protos(st["p1"], "ldp") == ["GigabitEthernet1"]
    assert protos(st["p2"], "ldp") == ["ge-0/0/1.0"]


def test_ios_svti_with_mpls_ip_never_forms_ldp():
    topo, views = pair("ios-ios")
    encrypt(topo, views, mode="tunnel", svti=True)       # IOS-IOS GRE over sVTI
    for h in ("p3", "p4"):
        v = views[h]
        svti = v.interfaces["Tunnel1100"]
        svti.mpls = svti.ldp = True
        svti.ospf = {"process": "1", "area": "0", "p2p": True}
        del v.interfaces["Tunnel100"]        # only the sVTI is left to carry LDP
    st = derive(topo, views)
    assert st["p3"].interfaces_up["Tunnel1100"]
    assert "Tunnel1100" in protos(st["p3"], "ospf")          # IP works over the sVTI
    assert "Tunnel1100" not in protos(st["p3"], "ldp")       # LDP never does


def test_fail_closed_filter_keeps_clear_igp_off_the_carrier():
    topo, views = pair()
    encrypt(topo, views)
    views["p1"].interfaces["GigabitEthernet2"].ospf = {"process": "1", "area": "0", "cost": 1000}
    views["p2"].interfaces["ge-0/0/0.0"].ospf = {"process": "1", "area": "0", "cost": 1000}
    st = derive(topo, views)
    assert "GigabitEthernet2" not in protos(st["p1"], "ospf")     # OSPF dropped by the fail-closed filter
    encrypt(topo, views, fail_closed=False)
    views["p1"].interfaces["GigabitEthernet2"].ospf = {"process": "1", "area": "0", "cost": 1000}
    views["p2"].interfaces["ge-0/0/0.0"].ospf = {"process": "1", "area": "0", "cost": 1000}
    views["p1"].interfaces["GigabitEthernet2"].filter_in = None
    views["p2"].interfaces["ge-0/0/0.0"].filter_in = None
    assert "GigabitEthernet2" in protos(derive(topo, views)["p1"], "ospf")


def test_protection_on_one_end_only_passes_nothing():
    topo, views = pair("ios-ios")
    encrypt(topo, views, mode="transport")
    views["p4"].interfaces["Tunnel100"].ipsec_policy = None
    views["p4"].ipsec.clear()
    st = derive(topo, views)
    assert st["p3"].interfaces_up["Tunnel100"] and st["p4"].interfaces_up["Tunnel100"]
    assert "Tunnel100" not in protos(st["p3"], "ospf")


def test_sa_counters_move_with_time_and_pings():
    topo, views = pair()
    encrypt(topo, views)
    memo = {}
    s0 = up_sas(derive(topo, views, now=T0, memo=memo)["p1"])[0]
    s1 = up_sas(derive(topo, views, now=T0 + 100, memo=memo)["p1"])[0]
    assert s0.pkts_encaps == 0 and s1.pkts_encaps > 10 and s1.pkts_decaps > 10
    assert s1.created == s0.created == T0
    r = physics.ping(views, topo, None, T0 + 100, "p1", "203.0.113.2", 500, True, count=5, memo=memo)
    assert r == [True] * 5
    s2 = up_sas(derive(topo, views, now=T0 + 100, memo=memo)["p1"])[0]
    assert s2.pkts_encaps == s1.pkts_encaps + 5 and s2.pkts_decaps == s1.pkts_decaps + 5
    # SA torn down (cleared) and re-established: counters restart, new SPIs
    assert physics.clear_ike(views, memo, "p2", None, T0 + 200) == 1
    assert up_sas(derive(topo, views, now=T0 + 200, memo=memo)["p1"]) == []
    s3 = up_sas(derive(topo, views, now=T0 + 300, memo=memo)["p1"])[0]
    assert s3.created == T0 + 300 and s3.pkts_encaps == 0
    assert s3.spi_in != s1.spi_in


def test_psk_change_keeps_an_ikev2_sa_until_it_is_set_up_again():
    topo, views = pair()
    encrypt(topo, views)
    memo = {}
    first = derive(topo, views, now=T0, memo=memo)["p1"]
    views["p2"].ike["MPLSSEC-CORE1"].psk = "rotated-on-one-side-only"
    # rekeys (lifetime generations) do not authenticate again (RFC 7296 section 2.8)
    later = derive(topo, views, now=T0 + 3 * 86400, memo=memo)["p1"]
    assert later.ike_sas[0].established and up_sas(later)
    assert later.ike_sas[0].spi_in != first.ike_sas[0].spi_in       # rekeyed
    physics.clear_ike(views, memo, "p1", "192.0.2.1", T0 + 3 * 86400)
    held = derive(topo, views, now=T0 + 3 * 86400 + 0.5, memo=memo)["p1"].ike_sas[0]
    assert not held.established and "re-negotiating" in held.reason
    after = derive(topo, views, now=T0 + 3 * 86400 + 2, memo=memo)["p1"].ike_sas[0]
    assert not after.established and "pre-shared key mismatch" in after.reason
    # the same new key on both ends: up at the next negotiation
    views["p1"].ike["MPLSSEC-CORE1"].psk = "rotated-on-one-side-only"
    assert derive(topo, views, now=T0 + 3 * 86400 + 3, memo=memo)["p1"].ike_sas[0].established


def test_ikev1_authenticates_again_at_each_phase1_lifetime():
    topo, views = pair()
    encrypt(topo, views)
    for v in views.values():
        v.ike["MPLSSEC-CORE1"].version = 1
        v.ike["MPLSSEC-CORE1"].lifetime = 3600
    memo = {}
    assert derive(topo, views, now=T0, memo=memo)["p1"].ike_sas[0].established
    views["p2"].ike["MPLSSEC-CORE1"].psk = "rotated-on-one-side-only"
    assert derive(topo, views, now=T0 + 3000, memo=memo)["p1"].ike_sas[0].established
    assert not derive(topo, views, now=T0 + 3700, memo=memo)["p1"].ike_sas[0].established


# -- pings and MTU ------------------------------------------------------------------------------------
def _limit(profile, carrier):
    return packets.max_inner(carrier, **profile)


@pytest.mark.parametrize("kind", ["ios-junos", "ios-ios"])
def test_df_ping_over_the_limit_fails_at_the_limit_passes(kind):
    topo, views = pair(kind)
    link = next(iter(topo.links.values()))
    mode = link.ipsec_mode
    # Tunnel ip mtu deliberately larger than what the carrier carries: the carrier is the limit
    encrypt(topo, views, tunnel_mtu=1476)
    a = link.a
    peer_tunnel = "198.51.100.1" if link.name == "core1" else "198.51.100.3"
    limit = _limit({"labels": 0, "encap": "gre", "ipsec_mode": mode}, 1500)
    ok = physics.ping(views, topo, None, T0, a, peer_tunnel, limit, True)
    over = physics.ping(views, topo, None, T0, a, peer_tunnel, limit + 1, True)
    assert ok == [True] * 5, ok.as_dict()
    assert over == [False] * 5 and over.reason in ("mtu", "timeout"), over.as_dict()
    assert ok.wire <= 1500 < over.wire


def test_df_ping_local_ip_mtu_is_the_limit():
    topo, views = pair()
    encrypt(topo, views, tunnel_mtu=1400)
    assert physics.ping(views, topo, None, T0, "p1", "198.51.100.1", 1400, True) == [True] * 5
    r = physics.ping(views, topo, None, T0, "p1", "198.51.100.1", 1401, True)
    assert r == [False] * 5 and r.reason == "mtu"                  # local "M.M.M" / "message too long"
    # without DF the router fragments before encapsulation
    assert physics.ping(views, topo, None, T0, "p1", "198.51.100.1", 1401, False) == [True] * 5


def test_carrier_mtu_fault_lowers_the_limit():
    topo, views = pair()
    encrypt(topo, views, tunnel_mtu=1476)
    limit = _limit({"encap": "gre", "ipsec_mode": "tunnel"}, 1500)
    faults = Faults(carrier_mtu={"core1": 1496})
    low = _limit({"encap": "gre", "ipsec_mode": "tunnel"}, 1496)
    assert low < limit
    assert physics.ping(views, topo, None, T0, "p1", "198.51.100.1", limit, True) == [True] * 5
    r = physics.ping(views, topo, faults, T0, "p1", "198.51.100.1", limit, True)
    assert r == [False] * 5 and r.reason == "timeout"               # silently dropped by the carrier
    assert physics.ping(views, topo, faults, T0, "p1", "198.51.100.1", low, True) == [True] * 5
    # the interfaces still say 1500: the clear link at 1500 now blackholes too
    topo2, views2 = pair()
    assert physics.ping(views2, topo2, faults, T0, "p1", "192.0.2.1", 1500, True) == [False] * 5
    assert physics.ping(views2, topo2, faults, T0, "p1", "192.0.2.1", 1496, True) == [True] * 5


def test_labelled_transit_packets_hit_the_carrier_limit_first():
    topo, views = pair()
    encrypt(topo, views, tunnel_mtu=1476)
    two = _limit({"labels": 2, "encap": "gre", "ipsec_mode": "tunnel"}, 1500)
    assert physics.ping(views, topo, None, T0, "p1", "198.51.100.1", two, True, labels=2) == [True] * 5
    assert physics.ping(views, topo, None, T0, "p1", "198.51.100.1", two + 1, True, labels=2) == [False] * 5


def test_ping_without_sa_fails_and_no_route():
    topo, views = pair()
    encrypt(topo, views, psk_b="nope-nope-nope-nope")
    r = physics.ping(views, topo, None, T0, "p1", "198.51.100.1", 100, True)
    assert r == [False] * 5 and r.reason == "no-route"       # GRE over a down sVTI: no route
    assert physics.ping(views, topo, None, T0, "p1", "192.0.2.99", 100, True).reason == "no-route"


def test_ping_peer_loopback_prefers_lower_cost():
    topo, views = pair()
    encrypt(topo, views, fail_closed=False)
    for h, ifn in (("p1", "GigabitEthernet2"), ("p2", "ge-0/0/0.0")):
        views[h].interfaces[ifn].ospf = {"process": "1", "area": "0", "cost": 1000}
        views[h].interfaces[ifn].filter_in = None
    r = physics.ping(views, topo, None, T0, "p1", "203.0.113.2", 200, True)
    assert r == [True] * 5 and r.egress == "Tunnel100"


# -- more negotiation mismatches ------------------------------------------------------------------------
def _ike_reason(st):
    return st.ike_sas[0].reason or ""


def test_identity_mismatch_no_sa():
    topo, views = pair()
    encrypt(topo, views)
    views["p2"].ike["MPLSSEC-CORE1"].remote_id = "192.0.2.99"
    st = derive(topo, views)
    assert not st["p1"].ike_sas[0].established and "identity" in _ike_reason(st["p1"])
    views["p2"].ike["MPLSSEC-CORE1"].remote_id = "192.0.2.0"          # what p1 really sends
    assert derive(topo, views)["p1"].ike_sas[0].established


def test_auth_method_and_version_mismatch():
    topo, views = pair()
    encrypt(topo, views)
    views["p2"].ike["MPLSSEC-CORE1"].auth = "rsa-sig"
    assert "authentication method" in _ike_reason(derive(topo, views)["p1"])
    views["p2"].ike["MPLSSEC-CORE1"].auth = "psk"
    views["p2"].ike["MPLSSEC-CORE1"].version = 1
    assert "version" in _ike_reason(derive(topo, views)["p1"])


def test_first_common_proposal_in_initiator_order():
    topo, views = pair()
    encrypt(topo, views)
    cbc = {"encryption": "aes-cbc-256", "integrity": "sha256", "prf": "sha256", "dh_group": 19}
    gcm = dict(views["p1"].ike["MPLSSEC-CORE1"].proposals[0])
    views["p1"].ike["MPLSSEC-CORE1"].proposals = [cbc, gcm]   # p1 (192.0.2.0) initiates
    views["p2"].ike["MPLSSEC-CORE1"].proposals = [gcm, cbc]
    assert derive(topo, views)["p2"].ike_sas[0].proposal == cbc


def test_transform_and_pfs_mismatch():
    topo, views = pair()
    encrypt(topo, views)
    views["p2"].ipsec["MPLSSEC-CORE1"].transforms = [{"encryption": "aes-cbc-128", "integrity": "sha1"}]
    st = derive(topo, views)
    assert st["p1"].ike_sas[0].established and up_sas(st["p1"]) == []
    assert "transform" in st["p1"].ipsec_sas[0].reason
    encrypt(topo, views)
    views["p2"].ipsec["MPLSSEC-CORE1"].pfs_group = 14
    st = derive(topo, views)
    assert up_sas(st["p1"]) == [] and "PFS" in st["p1"].ipsec_sas[0].reason


def test_gre_protection_vs_svti_selectors_mismatch():
    topo, views = pair("ios-ios")
    encrypt(topo, views, mode="tunnel", svti=False)                 # p3: GRE protection, tunnel mode
    other = {h: v for h, v in pair("ios-ios")[1].items()}
    encrypt(topo, other, mode="tunnel", svti=True)                   # p4: sVTI
    views["p4"] = other["p4"]
    st = derive(topo, views)
    assert st["p3"].ike_sas[0].established
    assert up_sas(st["p3"]) == [] and "TS_UNACCEPTABLE" in st["p3"].ipsec_sas[0].reason


def test_gre_key_mismatch_blocks_the_tunnel():
    topo, views = pair("ios-ios")
    encrypt(topo, views, mode="transport")
    views["p3"].interfaces["Tunnel100"].tunnel_key = 5
    st = derive(topo, views)
    assert up_sas(st["p3"]) and "Tunnel100" not in protos(st["p3"], "ospf")


def test_isis_hellos_are_padded_and_hit_the_carrier_mtu():
    topo, views = pair("ios-ios")
    for v in views.values():
        v.isis = {"net": "49.0001.0000.0000.0001.00", "level": 2}
        for i in v.interfaces.values():
            if i.kind == "ethernet":
                i.isis = {"metric": 10, "p2p": True}
    assert "GigabitEthernet2" in protos(derive(topo, views)["p3"], "isis")
    st = derive(topo, views, Faults(carrier_mtu={"core2": 1496}))
    assert "GigabitEthernet2" not in protos(st["p3"], "isis")       # padded 1500-byte hellos are dropped
    assert "GigabitEthernet2" in protos(st["p3"], "ospf")           # small OSPF hellos still pass


def test_unused_ike_profile_does_not_initiate():
    topo, views = pair()
    encrypt(topo, views)
    for v in views.values():
        v.ipsec.clear()
    st = derive(topo, views)
    assert not st["p1"].ike_sas[0].established and "not in use" in _ike_reason(st["p1"])


def test_srx_zone_host_inbound_traffic():
    topo, views = pair()
    encrypt(topo, views)
    views["p2"].host_inbound = {"ge-0/0/0.0": {"ping"}, "st0.100": {"all"}, "gr-0/0/0.100": {"all"},
                                "ge-0/0/1.0": {"all"}, "lo0.0": {"all"}}
    st = derive(topo, views)
    assert not st["p1"].ike_sas[0].established and "host-inbound" in _ike_reason(st["p1"])
    views["p2"].host_inbound["ge-0/0/0.0"] = {"ike", "ping"}
    st = derive(topo, views)
    assert st["p1"].ike_sas[0].established and "gr-0/0/0.100" in protos(st["p2"], "ldp")
    views["p2"].host_inbound["gr-0/0/0.100"] = {"ping"}                      # no ospf/ldp on the tunnel zone
    st = derive(topo, views)
    assert "gr-0/0/0.100" not in protos(st["p2"], "ospf")
    del views["p2"].host_inbound["ge-0/0/1.0"]                               # interface in no zone
    assert "ge-0/0/1.0" not in protos(derive(topo, views)["p2"], "ospf")


# -- LSP ping (MPLS echo, RFC 8029) ------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["ios-junos", "ios-ios"])
def test_lsp_ping_crosses_the_tunnel_at_the_mpls_mtu_and_not_above(kind):
    topo, views = pair(kind)
    encrypt(topo, views, tunnel_mtu=1400)
    a, b = sorted(views)
    rid = topo.hosts[b].router_id
    ok = physics.lsp_ping(views, topo, None, T0, a, rid, 1400, 1)
    assert ok == [True] * 5 and ok.egress in ("Tunnel100", "gr-0/0/0.100")
    views[a].interfaces[ok.egress].mpls_mtu = 1396
    big = physics.lsp_ping(views, topo, None, T0, a, rid, 1400, 1)
    assert big == [False] * 5 and big.reason == "mtu"
    assert physics.lsp_ping(views, topo, None, T0, a, rid, 1396, 1) == [True] * 5


def test_lsp_ping_without_ldp_binding_is_not_sent():
    topo, views = pair("ios-ios")
    encrypt(topo, views, ldp_b=False)          # LDP off on one end of the tunnel: no binding via the tunnel
    a, b = sorted(views)
    r = physics.lsp_ping(views, topo, None, T0, a, topo.hosts[b].router_id, 200, 1)
    assert r == [False] * 5 and r.reason == "no-lsp"


def test_labelled_packets_need_mpls_on_both_tunnel_ends():
    topo, views = pair("ios-ios")
    encrypt(topo, views)
    a, b = sorted(views)
    assert physics.ping(views, topo, None, T0, a, topo.hosts[b].router_id, 500, True, labels=1) == [True] * 5
    views[b].interfaces["Tunnel100"].mpls = False
    r = physics.ping(views, topo, None, T0, a, topo.hosts[b].router_id, 500, True, labels=1)
    assert r == [False] * 5 and "MPLS not enabled" in r.detail
    assert physics.ping(views, topo, None, T0, a, topo.hosts[b].router_id, 500, True) == [True] * 5  # IP still


def test_lsp_ping_lost_when_the_srx_mpls_mode_is_not_packet_based():
    topo, views = pair("ios-junos")
    encrypt(topo, views)
    views["p2"].fwd_modes = {"inet": "flow-based", "mpls": "packet-based", "iso": "drop", "inet6": "drop"}
    assert physics.lsp_ping(views, topo, None, T0, "p1", "203.0.113.2", 600, 1) == [True] * 5
    views["p2"].fwd_modes["mpls"] = "drop"
    r = physics.lsp_ping(views, topo, None, T0, "p1", "203.0.113.2", 600, 1)
    assert r == [False] * 5 and r.reason == "timeout" and "packet-based" in r.detail


def test_lsp_ping_output_interface_proves_the_tunnel_while_the_carrier_still_carries_labels():
    topo, views = pair("ios-ios")
    encrypt(topo, views, fail_closed=False)
    a, b = sorted(views)
    for h in (a, b):                         # step 3 of the deploy: the carrier still runs OSPF + LDP at cost 10
        carrier = views[h].interfaces[topo.links["core2"].end(h)[0]]
        carrier.mpls = carrier.ldp = True
        carrier.ospf = {"process": "1", "area": "0", "cost": 10}
    views[b].interfaces["Tunnel100"].mpls = False
    rid = topo.hosts[b].router_id
    best = physics.lsp_ping(views, topo, None, T0, a, rid, 600, 1)
    assert best == [True] * 5 and best.egress == "GigabitEthernet2"
    forced = physics.lsp_ping(views, topo, None, T0, a, rid, 600, 1, out_if="Tunnel100")
    assert forced == [False] * 5 and forced.reason == "no-lsp"
    views[b].interfaces["Tunnel100"].mpls = True
    assert physics.lsp_ping(views, topo, None, T0, a, rid, 600, 1, out_if="Tunnel100") == [True] * 5


@pytest.mark.parametrize("kind,host,tunnel", [("ios-junos", "p1", "Tunnel1100"), ("ios-ios", "p3", "Tunnel100")])
def test_wrong_tunnel_destination_gets_no_ipsec_sa(kind, host, tunnel):
    """Issue 8 section 5: an IOS tunnel whose 'tunnel destination' is not the IKE peer showed an IPsec SA with live
    SPIs. IOS tunnel protection negotiates with the tunnel destination: no child SA for that tunnel."""
    topo, views = pair(kind)
    encrypt(topo, views)
    assert up_sas(derive(topo, views)[host])
    views[host].interfaces[tunnel].tunnel_destination = "192.0.2.99"
    st = derive(topo, views)
    assert up_sas(st[host]) == []
    assert "tunnel destination 192.0.2.99" in st[host].ipsec_sas[0].reason

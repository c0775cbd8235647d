"""GET VPN physics (lab/mplssec_lab/gdoi.py) through the real device classes of an in-process Lab: vendor-guide
configurations (gdoi_configs.py) pushed into the key server and the members, the derived state read back
(docs/lab.md "GET VPN")."""
from __future__ import annotations

import secrets

import pytest
from gdoi_configs import Clock, gre_acl, ios_gm_lines, ios_pair, junos_commit, junos_gm_set, ks_lines, make_lab, mixed_pair
from ios_helpers import push, run_cli

from mplssec_lab import gdoi, packets, topology
from mplssec_lab.lab import Lab


@pytest.fixture
def key():
    return secrets.token_hex(12)     # a fresh registration key per run: no key literal in the repository


def gdoi_of(lab, host):
    return {g.group: g for g in lab.state(host).gdoi}


def member(lab, host):
    return next(g for g in lab.state(host).gdoi if g.role == "member")


def server(lab, host="ks1"):
    return next(g for g in lab.state(host).gdoi if g.role == "server")


def adj(lab, host, proto, ifname):
    return any(a.protocol == proto and a.interface == ifname for a in lab.state(host).adjacencies)


def test_members_register_and_hold_the_key_servers_tek(key):
    lab, _ = make_lab()
    ios_pair(lab, key)
    m3, m4, ks = member(lab, "p3"), member(lab, "p4"), server(lab)
    assert m3.registered and m4.registered, (m3.reason, m4.reason)
    assert m3.server == m4.server == "100.64.0.1"
    assert m3.tek_spi == m4.tek_spi == ks.tek_spi and m3.kek_spi == ks.kek_spi
    assert {m["address"] for m in ks.members} == {"192.0.2.2", "192.0.2.3"}
    assert [e["text"] for e in m3.acl] == gre_acl("192.0.2.2", "192.0.2.3")
    # the GRE tunnel protected by the group carries OSPF and LDP
    for h in ("p3", "p4"):
        assert adj(lab, h, "ospf", "Tunnel100") and adj(lab, h, "ldp", "Tunnel100")


def test_gre_is_encrypted_in_tunnel_mode_and_sized_by_scapy(key):
    lab, _ = make_lab()
    for h, lines in (("p3", ios_gm_lines(key, "198.51.100.2", "192.0.2.3")),
                     ("p4", ios_gm_lines(key, "198.51.100.3", "192.0.2.2"))):
        push(lab.devices[h], lines)
    # no key server configured yet: the members are not registered and GRE goes clear (no policy installed)
    clear = lab.ping("p3", "198.51.100.3", 1415, True)
    assert clear.reason == "ok" and clear.wire == 1415 + 24
    push(lab.devices["ks1"], ks_lines(key, gre_acl("192.0.2.2", "192.0.2.3")))
    # by hand: outer IP 20 + SPI/seq 8 + IV 16 + AES-CBC(GRE packet 1414+24 + pad + 2 -> 1440) + ICV 16 = 1500
    ok = lab.ping("p3", "198.51.100.3", 1414, True)
    assert ok.reason == "ok" and ok.wire == 1500
    assert packets.wire_size(1414, 0, "gre", "tunnel", "aes-cbc-256", "sha256") == 1500
    big = lab.ping("p3", "198.51.100.3", 1415, True)       # 1415+26 -> 1456 ciphertext: 1516 bytes
    assert big.reason == "mtu" and big.wire == 1516


def test_carrier_black_hole_drops_the_big_encrypted_packets(key):
    lab, _ = make_lab()
    ios_pair(lab, key)
    lab.faults.carrier_mtu["core2"] = 1499
    lab.faults_changed()
    assert lab.ping("p3", "198.51.100.3", 1398, True).reason == "ok"     # 1398+26 -> 1424 +60 = 1484
    lost = lab.ping("p3", "198.51.100.3", 1400, True)
    assert lost.reason == "timeout" and "1499" in lost.detail
    assert adj(lab, "p3", "ospf", "Tunnel100")           # 80-byte hellos still pass


def test_wrong_identity_number_is_refused_and_the_tunnel_breaks(key):
    lab, _ = make_lab()
    ios_pair(lab, key, p4={"identity": 1002})
    m4 = member(lab, "p4")
    assert not m4.registered and "identity number 1002" in m4.reason
    assert member(lab, "p3").registered
    r = lab.ping("p3", "198.51.100.3", 100, False)
    assert r.reason == "timeout" and "bad SPI" in r.detail
    back = lab.ping("p4", "198.51.100.2", 100, False)       # p4 sends GRE clear; p3's policy says encrypt it
    assert back.reason == "timeout" and "RECVD_PKT_NOT_IPSEC" in back.detail
    assert not adj(lab, "p3", "ospf", "Tunnel100")
    assert adj(lab, "p3", "ospf", "GigabitEthernet2")      # the clear carrier is untouched


def test_key_server_unreachable(key):
    lab, clock = make_lab()
    lab.faults.link_down.update(lab.topology.resolve_link("ks1"))
    lab.faults_changed()
    ios_pair(lab, key)
    m3 = member(lab, "p3")
    assert not m3.registered and "unreachable" in m3.reason
    assert lab.ping("p3", "198.51.100.3", 1415, True).wire == 1415 + 24      # nobody registered: GRE clear
    lab.faults.clear()
    lab.faults_changed()
    assert member(lab, "p3").registered
    spi = member(lab, "p3").tek_spi
    clock.t += 600
    lab.faults.link_down.add("ks1-core")
    lab.faults_changed()
    m3 = member(lab, "p3")       # keeps the TEK it holds through the outage, until it expires
    assert m3.registered and m3.tek_spi == spi and "keeps its TEK" in m3.reason
    assert lab.ping("p3", "198.51.100.3", 1414, True).wire == 1500
    clock.t += 1200 + 1          # past the TEK's lifetime (1800 s): no re-registration possible
    assert not member(lab, "p3").registered


def test_acl_not_covering_the_gre_sends_it_clear(key):
    lab, _ = make_lab()
    ios_pair(lab, key)
    push(lab.devices["ks1"], ["ip access-list extended GETVPN-POLICY", " no permit gre host 192.0.2.2 host 192.0.2.3",
                              " no permit gre host 192.0.2.3 host 192.0.2.2",
                              " permit ip 10.0.0.0 0.255.255.255 10.0.0.0 0.255.255.255"])
    assert member(lab, "p3").registered and member(lab, "p4").registered
    assert lab.ping("p3", "198.51.100.3", 1415, True).wire == 1415 + 24       # not protected: clear GRE


def test_one_direction_in_the_acl_encrypts_one_direction(key):
    lab, _ = make_lab()
    ios_pair(lab, key)
    push(lab.devices["ks1"], ["ip access-list extended GETVPN-POLICY", " no permit gre host 192.0.2.3 host 192.0.2.2"])
    there = lab.ping("p3", "198.51.100.3", 1414, True)
    back = lab.ping("p4", "198.51.100.2", 1414, True)
    assert there.reason == back.reason == "ok"
    assert there.wire == 1500 and back.wire == 1414 + 24


def test_psk_mismatch_fails_authentication(key):
    lab, _ = make_lab()
    ios_pair(lab, key, p4={"psk_for": ()})
    push(lab.devices["p4"], [f"crypto isakmp key {secrets.token_hex(12)} address 100.64.0.1"])
    m4 = member(lab, "p4")
    assert not m4.registered and "pre-shared key mismatch" in m4.reason


def test_isakmp_proposal_mismatch(key):
    lab, _ = make_lab()
    ios_pair(lab, key)
    push(lab.devices["p4"], ["crypto isakmp policy 10", " hash sha384"])
    m4 = member(lab, "p4")
    assert not m4.registered and "no ISAKMP proposal chosen" in m4.reason


def test_a_key_server_is_not_a_member_of_its_own_group(key):
    lab, _ = make_lab()
    ios_pair(lab, key)
    push(lab.devices["ks1"], ["crypto gdoi group GETVPN-P2P", " server address ipv4 100.64.0.1",
                              "crypto map KS-MAP 10 gdoi", " set group GETVPN-P2P",
                              "interface GigabitEthernet1", " crypto map KS-MAP"])
    own = member(lab, "ks1")
    assert not own.registered and "key server of the group" in own.reason
    assert server(lab).registered      # still serving p3 and p4
    assert member(lab, "p3").registered


def test_undefined_policy_acl_makes_the_group_unusable(key):
    lab, _ = make_lab()
    ios_pair(lab, key)
    push(lab.devices["ks1"], ["no ip access-list extended GETVPN-POLICY"])
    assert not server(lab).registered and "GETVPN-POLICY not defined" in server(lab).reason
    assert "not usable" in member(lab, "p3").reason


def test_unicast_rekeys_move_both_members_and_the_key_server_to_the_next_tek(key):
    lab, clock = make_lab()
    ios_pair(lab, key)
    first = member(lab, "p3").tek_spi
    clock.t += 1800 - gdoi.REKEY_LEAD_S + 1          # the key server has sent the rekey: two TEKs installed
    m3, m4, ks = member(lab, "p3"), member(lab, "p4"), server(lab)
    assert len(m3.teks) == len(m4.teks) == len(ks.teks) == 2
    assert [t["spi"] for t in m3.teks] == [t["spi"] for t in ks.teks] and m3.tek_spi == first
    assert m3.rekeys == m3.acks == 1 and ks.rekeys == 1
    assert {(m["address"], m["acks"], m["acks_missed"]) for m in ks.members} == {("192.0.2.2", 1, 0),
                                                                                  ("192.0.2.3", 1, 0)}
    clock.t += gdoi.REKEY_LEAD_S                     # past the boundary: the new TEK is in use
    m3 = member(lab, "p3")
    assert m3.tek_spi != first and m3.tek_spi == member(lab, "p4").tek_spi == server(lab).tek_spi
    assert lab.ping("p3", "198.51.100.3", 1414, True).reason == "ok"


def test_without_rekeys_members_re_register_before_expiry(key):
    lab, clock = make_lab()
    ios_pair(lab, key, ks_kw={"rekey": None})
    clock.t += 1800 - gdoi.REREGISTER_LEAD_S + 1
    m3 = member(lab, "p3")
    assert m3.rekeys == 0 and m3.registrations == 2 and len(m3.teks) == 2
    clock.t += 3600
    m3, m4 = member(lab, "p3"), member(lab, "p4")
    assert m3.registrations == m4.registrations == 4 and m3.tek_spi == m4.tek_spi == server(lab).tek_spi


def test_multicast_rekeys_do_not_reach_the_members_in_the_lab(key):
    lab, clock = make_lab()
    ios_pair(lab, key, ks_kw={"rekey": "multicast"})
    clock.t += 3600
    m3 = member(lab, "p3")
    assert m3.rekeys == 0 and m3.registrations == 3 and m3.tek_spi == server(lab).tek_spi


def test_junos_member_sends_no_rekey_ack_and_is_removed_until_it_re_registers(key):
    lab, clock = make_lab(pairs=1)
    t0 = clock.t
    mixed_pair(lab, key)
    ks = server(lab)
    assert {m["address"] for m in ks.members} == {"192.0.2.0", "192.0.2.1"}
    clock.t += 1800 - gdoi.REKEY_LEAD_S + 1
    ks, m2 = server(lab), member(lab, "p2")
    assert {m["address"] for m in ks.members} == {"192.0.2.0"}           # p2 removed: no proprietary ACK
    assert m2.registered and m2.rekeys == 1 and m2.acks == 0 and m2.acks_missed == 1
    assert lab.ping("p1", "198.51.100.1", 1414, True).reason == "ok"
    clock.t = t0 + 2 * 1800 - gdoi.REREGISTER_LEAD_S + 1    # the next rekey passes it by: it re-registers
    m2 = member(lab, "p2")
    assert m2.registrations == 2 and m2.tek_spi == member(lab, "p1").tek_spi
    assert "192.0.2.1" in {m["address"] for m in server(lab).members}


def test_time_based_anti_replay_between_a_junos_and_a_cisco_member_drops(key):
    lab, _ = make_lab(pairs=1)
    mixed_pair(lab, key, ks_kw={"replay": "replay time window-size 20"})
    assert member(lab, "p1").registered and member(lab, "p2").registered
    r = lab.ping("p1", "198.51.100.1", 100, False)
    assert r.reason == "timeout" and "time-based anti-replay" in r.detail
    # the same policy between two Cisco members passes
    lab2, _ = make_lab()
    ios_pair(lab2, key, ks_kw={"replay": "replay time window-size 20"})
    assert lab2.ping("p3", "198.51.100.3", 100, False).reason == "ok"


def test_junos_member_registers_under_a_cisco_key_server(key):
    lab, _ = make_lab(pairs=1)
    mixed_pair(lab, key, ks_kw={"rekey": None, "replay": "no replay"})
    m1, m2 = member(lab, "p1"), member(lab, "p2")
    assert m1.registered and m2.registered and m1.tek_spi == m2.tek_spi
    assert adj(lab, "p2", "ospf", "gr-0/0/0.100") and adj(lab, "p2", "ldp", "gr-0/0/0.100")
    junos_commit(lab.devices["p2"], "set security group-vpn member ipsec vpn GV-VPN group 7\n")
    assert "identity number 7" in member(lab, "p2").reason


def _coop(lab, key, redundancy):
    for k, (prio, peer) in ((1, (100, "100.64.0.2")), (2, (90, "100.64.0.1"))):
        push(lab.devices[f"ks{k}"], ks_lines(key, gre_acl("192.0.2.2", "192.0.2.3"), address=f"100.64.0.{k}",
                                             redundancy=(prio, peer) if redundancy else None))
    push(lab.devices["p3"], ios_gm_lines(key, "198.51.100.2", "192.0.2.3", servers=("100.64.0.1", "100.64.0.2")))
    push(lab.devices["p4"], ios_gm_lines(key, "198.51.100.3", "192.0.2.2", servers=("100.64.0.2", "100.64.0.1")))


def test_cooperative_key_servers_hand_out_the_primarys_keys(key):
    lab, _ = make_lab(key_servers=2)
    _coop(lab, key, redundancy=True)
    m3, m4 = member(lab, "p3"), member(lab, "p4")
    assert (m3.server, m4.server) == ("100.64.0.1", "100.64.0.2")
    assert m3.tek_spi == m4.tek_spi
    assert server(lab, "ks1").redundancy["role"] == "Primary" and server(lab, "ks2").redundancy["role"] == "Secondary"
    assert lab.ping("p3", "198.51.100.3", 1414, True).reason == "ok"
    # the primary's in-building link down: p3 registers with ks2, which now makes its own keys (lab decision)
    lab.faults.link_down.add("ks1-core")
    lab.faults_changed()
    assert server(lab, "ks2").redundancy["role"] == "Primary"


def test_key_servers_without_redundancy_make_different_keys(key):
    lab, _ = make_lab(key_servers=2)
    _coop(lab, key, redundancy=False)
    m3, m4 = member(lab, "p3"), member(lab, "p4")
    assert m3.registered and m4.registered and m3.tek_spi != m4.tek_spi
    assert "bad SPI" in lab.ping("p3", "198.51.100.3", 100, False).detail


def test_junos_gre_unit_and_members_removed_restore_the_clear_state(key):
    lab, _ = make_lab(pairs=1)
    mixed_pair(lab, key)
    junos_commit(lab.devices["p2"], "delete security group-vpn\n")
    assert not [g for g in lab.state("p2").gdoi]
    r = lab.ping("p2", "198.51.100.0", 100, False)       # p2 sends clear GRE that p1's policy wants encrypted
    assert r.reason == "timeout" and "RECVD_PKT_NOT_IPSEC" in r.detail


def test_junos_set_syntax_of_the_member_hierarchy(key):
    lab, _ = make_lab(pairs=1)
    dev = junos_commit(lab.devices["p2"], junos_gm_set(key, "192.0.2.1", "192.0.2.0", "198.51.100.1"))
    m = dev.view().getvpn.members["GV-VPN"]
    assert (m.identity, m.servers, m.interface, m.local_address) == (1001, ["100.64.0.1"], "ge-0/0/0.0", "192.0.2.1")
    assert m.isakmp[0].encryption == "aes-cbc-256" and m.isakmp[0].dh_group == 14 and m.isakmp[0].auth == "psk"


def test_a_carrier_registration_source_is_lost_at_cut_over(key):
    """After OSPF leaves the carrier (cut-over), the core no longer routes the carrier address: a member registered
    from it keeps its TEK until it expires, then cannot register again; one registering from its loopback can."""
    lab, clock = make_lab()
    ios_pair(lab, key)
    push(lab.devices["ks1"], ["crypto isakmp key %s address 203.0.113.4" % key])
    push(lab.devices["p4"], ["crypto gdoi group GETVPN-P2P", " client registration interface Loopback0"])
    assert member(lab, "p4").local == "203.0.113.4" and member(lab, "p4").registered
    for h in ("p3", "p4"):
        push(lab.devices[h], ["interface GigabitEthernet2", " no ip ospf 1 area 0", " no mpls ip"])
    assert member(lab, "p3").registered                      # still holds its TEK
    clock.t += 1800 + 1
    m3, m4 = member(lab, "p3"), member(lab, "p4")
    assert not m3.registered and "192.0.2.2 is not routed by the core" in m3.reason
    assert m4.registered and m4.registrations >= 1


# -- the RSA key pair that signs the rekeys (docs/lab.md "RSA key pairs") -----------------------------------------------
def test_a_key_server_without_its_rekey_key_pair_makes_no_keys(key):
    lab, _ = make_lab()
    ios_pair(lab, key, ks_kw={"generate": False})
    assert not server(lab).registered and "RSA Keys not created" in server(lab).reason
    assert not member(lab, "p3").registered and "not usable" in member(lab, "p3").reason
    out = push(lab.devices["ks1"], ["crypto key generate rsa general-keys label GETVPN-KEYS modulus 2048"])
    assert "% Generating 2048 bit RSA keys, keys will be non-exportable..." in out
    assert member(lab, "p3").registered and member(lab, "p4").registered
    assert "crypto key generate" not in lab.devices["ks1"].running_config()     # key pairs are not configuration
    out = push(lab.devices["ks1"], ["crypto key zeroize rsa GETVPN-KEYS", "yes"])
    assert "Do you really want to remove these keys? [yes/no]:" in out
    assert "RSA Keys not created" in server(lab).reason


def test_generate_over_an_existing_key_asks_and_show_lists_the_key(key):
    lab, _ = make_lab()
    ks = lab.devices["ks1"]
    push(ks, ["crypto key generate rsa general-keys label K1 modulus 2048 exportable"])
    first = ks.rsa_keys["K1"]["data"]
    out = push(ks, ["crypto key generate rsa general-keys label K1 modulus 2048", "no"])
    assert "% You already have RSA keys defined named K1." in out and ks.rsa_keys["K1"]["data"] == first
    shown = run_cli(ks, ["show crypto key mypubkey rsa K1"])
    assert "Key name: K1" in shown and " Key is exportable." in shown and " Key Data:" in shown
    words = [w for line in shown.splitlines() if line.startswith("  ") for w in line.split()]
    assert "".join(words) == first and all(len(w) == 8 for w in words[:-1])
    # configure replace (the product's rollback) leaves the key store alone
    run_cli(ks, ["copy running-config flash:before.cfg", "", "configure replace flash:before.cfg force"])
    assert ks.rsa_keys["K1"]["data"] == first


def _coop_keys(lab, key, label):
    """The cooperative pair of _coop, signing with the key pair the lab's key servers already hold (``label``)."""
    for k, (prio, peer) in ((1, (100, "100.64.0.2")), (2, (90, "100.64.0.1"))):
        push(lab.devices[f"ks{k}"], ks_lines(key, gre_acl("192.0.2.2", "192.0.2.3"), address=f"100.64.0.{k}",
                                             redundancy=(prio, peer), rsa=label, generate=False))
    push(lab.devices["p3"], ios_gm_lines(key, "198.51.100.2", "192.0.2.3", servers=("100.64.0.1", "100.64.0.2")))
    push(lab.devices["p4"], ios_gm_lines(key, "198.51.100.3", "192.0.2.2", servers=("100.64.0.2", "100.64.0.1")))


@pytest.mark.parametrize("scenario, p4_rekeyed", [(None, True), ("ks-rsa-mismatch", False)])
def test_rekeys_reach_the_members_of_the_secondary_only_with_the_same_key_pair(key, scenario, p4_rekeyed):
    clock = Clock()
    lab = Lab(topology.build(2, mode="getvpn", key_servers=2, scenarios=[scenario] if scenario else []), clock=clock)
    label = "MPLSSEC-GV-P2P"
    assert (lab.devices["ks1"].rsa_keys[label]["data"] == lab.devices["ks2"].rsa_keys[label]["data"]) is p4_rekeyed
    _coop_keys(lab, key, label)
    clock.t += 1800 + 1                            # one TEK boundary: p3 (with the primary) got a rekey
    m3, m4 = member(lab, "p3"), member(lab, "p4")
    assert m3.rekeys == 1 and m3.registrations == 1
    # p4 registered with the secondary, whose public key it holds; the primary signs the rekeys
    assert (m4.rekeys, m4.registrations) == ((1, 1) if p4_rekeyed else (0, 2))
    assert m3.tek_spi == m4.tek_spi
    # the key servers count the rekey p4 dropped unverified as a missed ACK
    assert {m["host"]: m["acks_missed"] for m in server(lab, "ks1").members} == {"p3": 0, "p4": 0 if p4_rekeyed else 1}
    assert "After latest register : %d" % (1 if p4_rekeyed else 0) in " ".join(
        run_cli(lab.devices["p4"], ["show crypto gdoi"]).split())

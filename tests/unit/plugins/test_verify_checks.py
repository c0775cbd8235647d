# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""valid_* tables (pass and every failure detail), show/valid pairs end to end, reports and filters."""

from __future__ import annotations

import copy
import json
from xml.etree import ElementTree

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.mplssec.p2p.plugins.filter import verify as F
from ansible_collections.mplssec.p2p.plugins.plugin_utils import verify as V

#: the checks of an encrypted link (the clear-state checks gate the cut-over and the decommission)
ENCRYPTED = [c for c in V.CHECKS if c not in V.CLEAR_CHECKS + V.GETVPN_CHECKS + V.MACSEC_CHECKS]  # test_verify_getvpn.py, test_macsec.py

# --- plan facts (docs/architecture.md section 3), as the plan role computes them for the example inventory

LINK_IOS = {
    "name": "core1", "id": 100, "mode": "gre_ipsec", "ipsec_mode": "tunnel", "side": "a", "objects": "MPLSSEC-CORE1",
    "crypto": {
        "auth": "psk",
        "ike": {"version": 2, "encryption": "aes-gcm-256", "integrity": "none", "prf": "sha384", "dh_group": 20, "lifetime": 86400},
        "esp": {"encryption": "aes-gcm-256", "integrity": "none", "pfs_group": 20, "lifetime": 3600},
        "dpd": {"interval": 10, "retries": 3},
    },
    "igp": {"protocol": "ospf", "process_id": 1, "area": 0, "metric": 10, "clear_metric": 1000, "level": None},
    "mtu": {"carrier_mtu": 1500, "labels": 2, "ip_mtu": 1414, "mpls_mtu": 1422, "tcp_mss": 1374},
    "peer": {"host": "p2", "platform": "junos", "address": "192.0.2.1", "interface": "ge-0/0/0.0",
             "ipsec_address": "198.51.100.129", "router_id": "203.0.113.2", "tunnel_address": "198.51.100.1"},
    "physical": {"interface": "GigabitEthernet2", "address": "192.0.2.0", "prefixlen": 31},
    "tunnel": {"interface": "Tunnel100", "address": "198.51.100.0", "prefixlen": 31, "source": "Tunnel1100",
               "destination": "198.51.100.129"},
    "ipsec_tunnel": {"interface": "Tunnel1100", "address": "198.51.100.128", "destination": "192.0.2.1"},
}
PLAN_IOS = {"host": "p1", "platform": "ios", "router_id": "203.0.113.1", "links": [LINK_IOS]}

LINK_JUNOS = copy.deepcopy(LINK_IOS)
LINK_JUNOS.update({
    "side": "b",
    "peer": {"host": "p1", "platform": "ios", "address": "192.0.2.0", "interface": "GigabitEthernet2",
             "ipsec_address": "198.51.100.128", "router_id": "203.0.113.1", "tunnel_address": "198.51.100.0"},
    "physical": {"interface": "ge-0/0/0.0", "address": "192.0.2.1", "prefixlen": 31},
    "tunnel": {"interface": "gr-0/0/0.100", "address": "198.51.100.1", "prefixlen": 31, "source": "st0.100",
               "destination": "198.51.100.128"},
    "ipsec_tunnel": {"interface": "st0.100", "address": "198.51.100.129", "destination": "192.0.2.0"},
})
PLAN_JUNOS = {"host": "p2", "platform": "junos", "router_id": "203.0.113.2", "links": [LINK_JUNOS]}

LINK_ISIS = copy.deepcopy(LINK_IOS)
LINK_ISIS.update({"name": "core2", "ipsec_mode": "transport", "ipsec_tunnel": None,
                  "igp": {"protocol": "isis", "process_id": "core", "level": 2, "metric": 100}})


def sa(remote="192.0.2.1", state="READY", established=True, encryption="aes-gcm-256", integrity="none", prf="sha384", dh=20):
    return {"remote": remote, "local": "192.0.2.0", "state": state, "established": established,
            "encryption": encryption, "integrity": integrity, "prf": prf, "dh_group": dh}


@pytest.mark.parametrize("sas,status,detail", [
    ([sa()], "pass", "IKE SA to 192.0.2.1 READY: encryption aes-gcm-256/prf sha384/dh_group 20"),
    ([sa(remote="10.0.0.9")], "fail", "no IKE SA to peer 192.0.2.1 (SAs to: 10.0.0.9)"),
    ([], "fail", "no IKE SA to peer 192.0.2.1 (no IKE SA at all)"),
    ([sa(state="IN-NEG", established=False)], "fail", "IKE SA to 192.0.2.1 not established (state IN-NEG)"),
    ([sa(encryption="aes-cbc-256", dh=14)], "fail",
     "IKE SA to 192.0.2.1 READY but proposal differs: encryption aes-cbc-256 (planned aes-gcm-256); dh_group 14 (planned 20)"),
    ([sa(prf="sha256")], "fail", "IKE SA to 192.0.2.1 READY but proposal differs: prf sha256 (planned sha384)"),
    ([sa(encryption=None, integrity=None, prf=None, dh=None, state="UP")], "fail",
     "IKE SA to 192.0.2.1 UP but proposal differs: encryption not shown (planned aes-gcm-256); "
     "prf not shown (planned sha384); dh_group not shown (planned 20)"),
    ([sa(encryption="aes-cbc-256", integrity="sha256", prf="sha256", dh=14)], "fail",
     "IKE SA to 192.0.2.1 READY but proposal differs: encryption aes-cbc-256 (planned aes-gcm-256); "
     "prf sha256 (planned sha384); dh_group 14 (planned 20)"),
    ([sa(encryption="aes-cbc-128"), sa()], "pass",
     "IKE SA to 192.0.2.1 READY: encryption aes-gcm-256/prf sha384/dh_group 20"),
])
def test_valid_ike_sa(sas, status, detail):
    assert V.valid_ike_sa(LINK_IOS, sas, "p1") == {"name": "ike_sa", "host": "p1", "status": status, "detail": detail}


def ipsec(peer="192.0.2.1", inbound=1, outbound=1, transforms=("aes-gcm-256/none",), modes=("tunnel",), iface="Tunnel1100"):
    return {"peer": peer, "interface": iface, "inbound": inbound, "outbound": outbound, "transforms": list(transforms),
            "modes": list(modes), "encaps": 0, "decaps": 0, "tunnel_index": None}


@pytest.mark.parametrize("sas,before,after,status,detail", [
    ([ipsec()], (10, 12), (15, 17), "pass",
     "IPsec SA to 192.0.2.1 up (aes-gcm-256/none, tunnel on Tunnel1100): encrypted 10->15, decrypted 12->17"),
    ([ipsec(peer="10.9.9.9")], (0, 0), (1, 1), "fail", "no IPsec SA to peer 192.0.2.1 (SAs to: 10.9.9.9)"),
    ([], (None, None), (None, None), "fail", "no IPsec SA to peer 192.0.2.1 (no IPsec SA at all)"),
    ([ipsec(inbound=0)], (0, 0), (1, 1), "fail",
     "IPsec SA to 192.0.2.1 not up: 0 active inbound, 1 active outbound ESP SA(s)"),
    ([ipsec(transforms=("aes-cbc-256/sha256",))], (0, 0), (1, 1), "fail",
     "IPsec SA to 192.0.2.1 uses transform aes-cbc-256/sha256 (planned aes-gcm-256/none)"),
    ([ipsec(modes=("transport",))], (0, 0), (1, 1), "fail", "IPsec SA to 192.0.2.1 in transport mode (planned tunnel)"),
    ([ipsec()], (None, None), (5, 5), "fail",
     "IPsec SA to 192.0.2.1 up (aes-gcm-256/none) but its encrypt/decrypt counters were not found"),
    ([ipsec()], (10, 12), (10, 17), "fail",
     "IPsec SA to 192.0.2.1 up (aes-gcm-256/none) but counters did not increase with test traffic: "
     "encrypted 10->10, decrypted 12->17"),
    ([ipsec(modes=())], (1, 1), (2, 2), "pass",  # Junos brief output shows no mode
     "IPsec SA to 192.0.2.1 up (aes-gcm-256/none on Tunnel1100): encrypted 1->2, decrypted 1->2"),
])
def test_valid_ipsec_sa(sas, before, after, status, detail):
    assert V.valid_ipsec_sa(LINK_IOS, sas, before, after, "p1") == {
        "name": "ipsec_sa", "host": "p1", "status": status, "detail": detail}


def ldp(peer="203.0.113.2", state="Oper", interfaces=("Tunnel100",)):
    return {"peer_id": peer, "state": state, "interfaces": list(interfaces), "address": peer}


@pytest.mark.parametrize("neighbors,sessions,status,detail", [
    ([ldp()], None, "pass", "LDP session to 203.0.113.2 Oper over Tunnel100"),
    ([ldp(peer="10.1.1.1")], None, "fail", "no LDP neighbor 203.0.113.2 (neighbors: 10.1.1.1)"),
    ([], None, "fail", "no LDP neighbor 203.0.113.2 (no LDP neighbor at all)"),
    ([ldp(state="Non-Existent")], None, "fail", "LDP session to 203.0.113.2 is Non-Existent (expected Oper)"),
    ([ldp(interfaces=("GigabitEthernet2",))], None, "fail",
     "LDP session to 203.0.113.2 Oper but not discovered over Tunnel100 (discovery: GigabitEthernet2)"),
    ([ldp(state="", interfaces=("Tunnel100",))], [{"address": "203.0.113.2", "state": "Operational", "connection": "Open"}],
     "pass", "LDP session to 203.0.113.2 Operational over Tunnel100"),
    ([], [], "fail", "no LDP session to 203.0.113.2 (no LDP session at all)"),
    ([], [{"address": "203.0.113.2", "state": "Nonexistent", "connection": "Closed"}], "fail",
     "LDP session to 203.0.113.2 is Nonexistent (expected Operational)"),
    ([ldp(state="", interfaces=("ge-0/0/0.0",))], [{"address": "203.0.113.2", "state": "Operational", "connection": "Open"}],
     "fail", "LDP session to 203.0.113.2 Operational but not discovered over Tunnel100 (discovery: ge-0/0/0.0)"),
])
def test_valid_ldp_session(neighbors, sessions, status, detail):
    assert V.valid_ldp_session(LINK_IOS, neighbors, sessions, "p1") == {
        "name": "ldp_session", "host": "p1", "status": status, "detail": detail}


def nbr(neighbor="203.0.113.2", interface="Tunnel100", state="FULL", up=True):
    return {"neighbor": neighbor, "address": "198.51.100.1", "interface": interface, "state": state, "up": up}


@pytest.mark.parametrize("link,neighbors,status,detail", [
    (LINK_IOS, [nbr()], "pass", "OSPF neighbor 203.0.113.2 on Tunnel100 FULL"),
    (LINK_IOS, [nbr(interface="GigabitEthernet2")], "fail",
     "no OSPF adjacency on Tunnel100 (neighbors: 203.0.113.2 on GigabitEthernet2 FULL)"),
    (LINK_IOS, [], "fail", "no OSPF adjacency on Tunnel100 (no neighbor at all)"),
    (LINK_IOS, [nbr(state="INIT", up=False)], "fail", "OSPF neighbor 203.0.113.2 on Tunnel100 is INIT (expected FULL)"),
    (LINK_IOS, [nbr(neighbor="10.0.0.1")], "fail", "no OSPF adjacency on Tunnel100 (neighbors: 10.0.0.1 on Tunnel100 FULL)"),
    (LINK_ISIS, [nbr(neighbor="p2", interface="Tu100", state="UP")], "pass", "IS-IS neighbor p2 on Tunnel100 UP"),
    (LINK_ISIS, [nbr(neighbor="p2", interface="Tu100", state="INIT", up=False)], "fail",
     "IS-IS neighbor p2 on Tunnel100 is INIT (expected Up)"),
])
def test_valid_igp_adjacency(link, neighbors, status, detail):
    assert V.valid_igp_adjacency(link, neighbors, "p1") == {
        "name": "igp_adjacency", "host": "p1", "status": status, "detail": detail}


@pytest.mark.parametrize("link,interfaces,ldp_,status,detail", [
    (LINK_IOS, [{"interface": "Tunnel100", "detail": "IP Yes (ldp), operational Yes"}], None, "pass",
     "no MPLS/LDP on carrier interface GigabitEthernet2 (MPLS interfaces: Tunnel100)"),
    (LINK_IOS, [{"interface": "Tunnel100", "detail": "x"}, {"interface": "GigabitEthernet2", "detail": "IP Yes (ldp), operational Yes"}],
     None, "fail", "MPLS still enabled on carrier interface GigabitEthernet2 (IP Yes (ldp), operational Yes)"),
    (LINK_JUNOS, [{"interface": "gr-0/0/0.100", "detail": "state Up"}], [ldp(interfaces=("gr-0/0/0.100",))], "pass",
     "no MPLS/LDP on carrier interface ge-0/0/0.0 (MPLS interfaces: gr-0/0/0.100)"),
    (LINK_JUNOS, [{"interface": "ge-0/0/0.0", "detail": "state Up"}], [], "fail",
     "MPLS still enabled on carrier interface ge-0/0/0.0 (state Up)"),
    (LINK_JUNOS, [{"interface": "ge-0/0/0", "detail": "state Up"}], [], "fail",
     "MPLS still enabled on carrier interface ge-0/0/0 (state Up)"),
    (LINK_JUNOS, [], [ldp(interfaces=("ge-0/0/0.0",))], "fail",
     "LDP adjacency still on carrier interface ge-0/0/0.0 (neighbor 203.0.113.2)"),
    (LINK_JUNOS, [], [], "pass", "no MPLS/LDP on carrier interface ge-0/0/0.0 (MPLS interfaces: none)"),
])
def test_valid_no_clear_mpls(link, interfaces, ldp_, status, detail):
    assert V.valid_no_clear_mpls(link, interfaces, ldp_, "p") == {
        "name": "no_clear_mpls", "host": "p", "status": status, "detail": detail}


def ping(received, sent=3):
    return {"sent": sent, "received": received, "pct": round(100 * received / sent)}


@pytest.mark.parametrize("platform,at,over,status,detail", [
    ("ios", ping(3), ping(0), "pass", "DF ping to 198.51.100.1: 1414 bytes 3/3 (100%), 1415 bytes 0/3 (0%)"),
    ("ios", ping(2), ping(0), "pass", "DF ping to 198.51.100.1: 1414 bytes 2/3 (67%), 1415 bytes 0/3 (0%)"),
    ("ios", ping(1), ping(0), "fail",
     "DF ping to 198.51.100.1: 1414 bytes 1/3 (33%), 1415 bytes 0/3 (0%) - the planned ip_mtu does not pass"),
    ("ios", ping(0), ping(0), "fail",
     "DF ping to 198.51.100.1: 1414 bytes 0/3 (0%), 1415 bytes 0/3 (0%) - the planned ip_mtu does not pass"),
    ("ios", ping(3), ping(3), "fail",
     "DF ping to 198.51.100.1: 1414 bytes 3/3 (100%), 1415 bytes 3/3 (100%) - ip_mtu+1 passes: the tunnel MTU is larger than planned"),
    ("ios", None, ping(0), "fail", "DF ping to 198.51.100.1: no result parsed at 1414 bytes"),
    ("ios", ping(3), None, "fail", "DF ping to 198.51.100.1: no result parsed at 1415 bytes"),
    ("junos", ping(3), ping(0), "pass",
     "DF ping to 198.51.100.1: 1414 bytes 3/3 (100%), 1415 bytes 0/3 (0%) (Junos payload 1386/1387 + 28)"),
])
def test_valid_mtu_ping(platform, at, over, status, detail):
    assert V.valid_mtu_ping(LINK_IOS, at, over, "p1", platform) == {
        "name": "mtu_ping", "host": "p1", "status": status, "detail": detail}


# --- show commands -------------------------------------------------------------------------------


@pytest.mark.parametrize("plan,check,commands", [
    (PLAN_IOS, "ike_sa", ["show crypto ikev2 sa"]),
    (PLAN_IOS, "ipsec_sa", ["show crypto ipsec sa", "ping 198.51.100.1 repeat 5", "show crypto ipsec sa"]),
    (PLAN_IOS, "ldp_session", ["show mpls ldp neighbor"]),
    (PLAN_IOS, "igp_adjacency", ["show ip ospf neighbor"]),
    (PLAN_IOS, "no_clear_mpls", ["show mpls interfaces"]),
    (PLAN_IOS, "mtu_ping", ["ping 198.51.100.1 size 1414 df-bit repeat 3", "ping 198.51.100.1 size 1415 df-bit repeat 3"]),
    (PLAN_JUNOS, "ike_sa", ["show security ike security-associations detail | display json"]),
    (PLAN_JUNOS, "ipsec_sa", ["show security ipsec security-associations | display json",
                              "show security ipsec statistics | display json",
                              "ping 198.51.100.0 count 5 rapid",
                              "show security ipsec statistics | display json"]),
    (PLAN_JUNOS, "ldp_session", ["show ldp session | display json", "show ldp neighbor | display json"]),
    (PLAN_JUNOS, "igp_adjacency", ["show ospf neighbor | display json"]),
    (PLAN_JUNOS, "no_clear_mpls", ["show interfaces ge-0/0/0.0 | display json", "show ldp neighbor | display json"]),
    (PLAN_JUNOS, "mtu_ping", ["ping 198.51.100.0 size 1386 do-not-fragment count 3 rapid",
                              "ping 198.51.100.0 size 1387 do-not-fragment count 3 rapid"]),
])
def test_show_commands(plan, check, commands):
    assert V.show_commands(check, plan, "core1") == commands


def test_show_commands_isis():
    plan = {"host": "p1", "platform": "ios", "links": [LINK_ISIS]}
    assert V.show_commands("igp_adjacency", plan, "core2") == ["show isis neighbors"]
    plan_j = {"host": "p2", "platform": "junos", "links": [LINK_ISIS]}
    assert V.show_commands("igp_adjacency", plan_j, LINK_ISIS) == ["show isis adjacency | display json"]


@pytest.mark.parametrize("args,message", [
    (("bogus", PLAN_IOS, "core1"),
     "unknown check 'bogus' (known: ike_sa, ipsec_sa, mka_session, macsec_sa, ldp_session, igp_adjacency, no_clear_mpls, "
     "mtu_ping, lsp_ping, no_carrier_ldp, no_clear_igp, clear_igp_adjacency, clear_ldp_session, gdoi_registered)"),
    (("ike_sa", {"host": "p1", "platform": "eos", "links": []}, "core1"), "p2p_plan.platform must be one of ios, junos, got 'eos'"),
    (("ike_sa", PLAN_IOS, "core9"), "link 'core9' is not in the p2p_plan of host p1"),
])
def test_show_commands_errors(args, message):
    with pytest.raises(V.VerifyError) as err:
        V.show_commands(*args)
    assert str(err.value) == message


# --- show/valid end to end with device-shaped outputs ----------------------------------------------

IOS_IKE = """IPv4 Crypto IKEv2  SA

Tunnel-id Local                 Remote                fvrf/ivrf            Status
1         192.0.2.0/500         192.0.2.1/500         none/none            READY
      Encr: AES-GCM, keysize: 256, PRF: SHA384, Hash: None, DH Grp:20, Auth sign: PSK, Auth verify: PSK
      Life/Active Time: 86400/120 sec

IPv6 Crypto IKEv2  SA
"""

IOS_IPSEC = """interface: Tunnel1100
    Crypto map tag: Tunnel1100-head-0, local addr 192.0.2.0

   protected vrf: (none)
   local  ident (addr/mask/prot/port): (0.0.0.0/0.0.0.0/0/0)
   remote ident (addr/mask/prot/port): (0.0.0.0/0.0.0.0/0/0)
   current_peer 192.0.2.1 port 500
     PERMIT, flags={origin_is_acl,}
    #pkts encaps: {ENC}, #pkts encrypt: {ENC}, #pkts digest: {ENC}
    #pkts decaps: {DEC}, #pkts decrypt: {DEC}, #pkts verify: {DEC}
    #pkts compressed: 0, #pkts decompressed: 0
    #pkts not compressed: 0, #pkts compr. failed: 0
    #pkts not decompressed: 0, #pkts decompress failed: 0
    #send errors 0, #recv errors 0

     local crypto endpt.: 192.0.2.0, remote crypto endpt.: 192.0.2.1
     plaintext mtu 1438, path mtu 1500, ip mtu 1500, ip mtu idb GigabitEthernet2
     current outbound spi: 0x1A2B3C4D(439041101)
     PFS (Y/N): Y, DH group: group20

     inbound esp sas:
      spi: 0x5E6F7A8B(1584364171)
        transform: esp-gcm 256 ,
        in use settings ={Tunnel, }
        conn id: 2001, flow_id: CSR:1, sibling_flags FFFFFFFF80000048, crypto map: Tunnel1100-head-0
        sa timing: remaining key lifetime (k/sec): (4607999/3500)
        IV size: 8 bytes
        replay detection support: Y
        Status: ACTIVE(ACTIVE)

     inbound ah sas:

     inbound pcp sas:

     outbound esp sas:
      spi: 0x1A2B3C4D(439041101)
        transform: esp-gcm 256 ,
        in use settings ={Tunnel, }
        conn id: 2002, flow_id: CSR:2, sibling_flags FFFFFFFF80000048, crypto map: Tunnel1100-head-0
        sa timing: remaining key lifetime (k/sec): (4607999/3500)
        IV size: 8 bytes
        replay detection support: Y
        Status: ACTIVE(ACTIVE)

     outbound ah sas:

     outbound pcp sas:
"""


def ios_ipsec(enc, dec):
    return IOS_IPSEC.replace("{ENC}", str(enc)).replace("{DEC}", str(dec))


IOS_LDP = """    Peer LDP Ident: 203.0.113.2:0; Local LDP Ident 203.0.113.1:0
        TCP connection: 203.0.113.2.646 - 203.0.113.1.24512
        State: Oper; Msgs sent/rcvd: 25/24; Downstream
        Up time: 00:05:12
        LDP discovery sources:
          Tunnel100, Src IP addr: 198.51.100.1
          GigabitEthernet1, Src IP addr: 10.1.1.2
        Addresses bound to peer LDP Ident:
          203.0.113.2     198.51.100.1
"""

IOS_OSPF = """Neighbor ID     Pri   State           Dead Time   Address         Interface
203.0.113.2       0   FULL/  -        00:00:35    198.51.100.1    Tunnel100
"""

IOS_MPLS = """Interface              IP            Tunnel   BGP Static Operational
GigabitEthernet1       Yes (ldp)     No       No  No     Yes
Tunnel100              Yes (ldp)     No       No  No     Yes
"""

IOS_PING = """Type escape sequence to abort.
Sending 3, {SIZE}-byte ICMP Echos to 198.51.100.1, timeout is 2 seconds:
Packet sent with the DF bit set
{BANG}
Success rate is {PCT} percent ({N}/3){RTT}
"""


def ios_ping(size, n):
    return (IOS_PING.replace("{SIZE}", str(size)).replace("{BANG}", "!" * n + "." * (3 - n))
            .replace("{PCT}", str(round(100 * n / 3))).replace("{N}", str(n))
            .replace("{RTT}", ", round-trip min/avg/max = 1/1/1 ms" if n else ""))


def j(element, record):
    """Junos | display json shape: every element a list of objects, leaves [{"data": ...}]."""
    def wrap(value):
        if isinstance(value, dict):
            return [{k: wrap(v) for k, v in value.items()}]
        if isinstance(value, list):
            return [{k: wrap(v) for k, v in item.items()} for item in value]
        return [{"data": str(value)}]
    return {element: [{k: wrap(v) for k, v in record.items()}]}


JUNOS_IKE = j("ike-security-associations-information", {"ike-security-associations": [{
    "ike-sa-remote-address": "192.0.2.0", "ike-sa-state": "UP", "ike-sa-exchange-type": "IKEv2",
    "ike-sa-algorithms": {"ike-sa-authentication-algorithm": "hmac-sha384-192", "ike-sa-encryption-algorithm": "aes256-gcm",
                          "ike-sa-prf-algorithm": "hmac-sha384", "ike-sa-dhgroup": "DH-group-20"}}]})
JUNOS_IPSEC = j("ipsec-security-associations-information", {
    "total-active-tunnels": "1",
    "ipsec-security-associations-block": [{"sa-block-state": "up", "ipsec-security-associations": [
        {"sa-direction": "<", "sa-tunnel-index": "131073", "sa-spi": "a1b2c3d4", "sa-remote-gateway": "192.0.2.0",
         "sa-port": "500", "sa-protocol": "ESP", "sa-esp-encryption-algorithm": "aes-gcm-256", "sa-hmac-algorithm": "None"},
        {"sa-direction": ">", "sa-tunnel-index": "131073", "sa-spi": "d4c3b2a1", "sa-remote-gateway": "192.0.2.0",
         "sa-port": "500", "sa-protocol": "ESP", "sa-esp-encryption-algorithm": "aes-gcm-256", "sa-hmac-algorithm": "None"},
    ]}]})


def junos_stats(enc, dec):
    return j("usp-ipsec-total-statistics-information", {"esp-statistics": {
        "esp-encrypted-bytes": str(enc * 100), "esp-decrypted-bytes": str(dec * 100),
        "esp-encrypted-packets": str(enc), "esp-decrypted-packets": str(dec)}})


JUNOS_LDP_SESSION = j("ldp-session-information", {"ldp-session": [
    {"ldp-neighbor-address": "203.0.113.1", "ldp-session-state": "Operational", "ldp-connection-state": "Open"}]})
JUNOS_LDP_NEIGHBOR = j("ldp-neighbor-information", {"ldp-neighbor": [
    {"ldp-neighbor-address": "198.51.100.0", "interface-name": "gr-0/0/0.100", "ldp-label-space-id": "203.0.113.1:0"}]})
JUNOS_OSPF = j("ospf-neighbor-information", {"ospf-neighbor": [
    {"neighbor-address": "198.51.100.0", "interface-name": "gr-0/0/0.100", "ospf-neighbor-state": "Full",
     "neighbor-id": "203.0.113.1"}]})
JUNOS_MPLS = j("mpls-interface-information", {"mpls-interface": [
    {"interface-name": "gr-0/0/0.100", "mpls-interface-state": "Up"}, {"interface-name": "ge-0/0/1.0", "mpls-interface-state": "Up"}]})
JUNOS_IFACE_CLEAN = j("interface-information", {"logical-interface": [{
    "name": "ge-0/0/0.0", "address-family": [{"address-family-name": "inet", "mtu": "1500"}]}]})
JUNOS_IFACE_MPLS = j("interface-information", {"logical-interface": [{
    "name": "ge-0/0/0.0", "address-family": [{"address-family-name": "inet", "mtu": "1500"},
                                             {"address-family-name": "mpls", "mtu": "1488", "maximum-labels": "3"}]}]})
JUNOS_PING = """PING 198.51.100.0 (198.51.100.0): {SIZE} data bytes
{BANG}
--- 198.51.100.0 ping statistics ---
3 packets transmitted, {N} packets received, {LOSS}% packet loss
"""


def junos_ping(size, n):
    return (JUNOS_PING.replace("{SIZE}", str(size)).replace("{BANG}", "!" * n + "." * (3 - n))
            .replace("{N}", str(n)).replace("{LOSS}", str(round(100 * (3 - n) / 3))))


IOS_OUTPUTS = {
    "ike_sa": [IOS_IKE],
    "ipsec_sa": [ios_ipsec(100, 90), "ping output", ios_ipsec(105, 95)],
    "ldp_session": [IOS_LDP],
    "igp_adjacency": [IOS_OSPF],
    "no_clear_mpls": [IOS_MPLS],
    "mtu_ping": [ios_ping(1414, 3), ios_ping(1415, 0)],
    "lsp_ping": [None],  # filled below (labelled-forwarding section)
    "no_carrier_ldp": [IOS_LDP],
}
JUNOS_OUTPUTS = {
    "ike_sa": [JUNOS_IKE],
    "ipsec_sa": [JUNOS_IPSEC, junos_stats(100, 90), "ping output", junos_stats(105, 95)],
    "ldp_session": [JUNOS_LDP_SESSION, JUNOS_LDP_NEIGHBOR],
    "igp_adjacency": [JUNOS_OSPF],
    "no_clear_mpls": [JUNOS_IFACE_CLEAN, JUNOS_LDP_NEIGHBOR],
    "mtu_ping": [junos_ping(1386, 3), junos_ping(1387, 0)],
    "lsp_ping": [None],  # filled below (labelled-forwarding section)
    "no_carrier_ldp": [JUNOS_LDP_NEIGHBOR],
}


# --- labelled forwarding: lsp_ping, no_carrier_ldp (formats: Cisco "ping mpls" and Juniper "ping mpls
# ldp" command references; the lab prints the same, lab/tests/test_lsp_ping.py)

def ios_lsp(size, marks):
    ok = marks.count("!")
    rate = ("Success rate is %d percent (%d/%d), round-trip min/avg/max = 1/1/4 ms" % (100 * ok // len(marks), ok, len(marks))
            if ok else "Success rate is 0 percent (0/%d)" % len(marks))
    return ("Sending %d, %d-byte MPLS Echos to 203.0.113.2/32,\n     timeout is 2 seconds, send interval is 0 msec:\n\n"
            "Codes: '!' - success, 'Q' - request not sent, '.' - timeout,\n"
            "  'L' - labeled output interface, 'B' - unlabeled output interface,\n"
            "  'X' - unknown return code, 'x' - return code 0\n\n"
            "Type escape sequence to abort.\n%s\n%s\n" % (len(marks), size, marks, rate))


def junos_lsp(marks):
    ok = marks.count("!")
    errors = marks.count("x")
    text = "%s\n--- lsping statistics ---\n%d packets transmitted, %d packets received, %d%% packet loss\n" % (
        marks, len(marks), ok, round(100 * (len(marks) - ok) / len(marks)))
    if errors:
        text += "%d packets received with error status, not counted as received.\n" % errors
    return text


IOS_OUTPUTS["lsp_ping"] = [ios_lsp(1422, "!!!!!")]
JUNOS_OUTPUTS["lsp_ping"] = [junos_lsp("!!!!!")]


@pytest.mark.parametrize("plan,check,commands", [
    (PLAN_IOS, "lsp_ping", ["ping mpls ipv4 203.0.113.2/32 size 1422 repeat 5 force-explicit-null output interface Tunnel100"]),
    (PLAN_JUNOS, "lsp_ping", ["ping mpls ldp 203.0.113.1 size 1412 count 5"]),
    (PLAN_IOS, "no_carrier_ldp", ["show mpls ldp neighbor detail"]),
    (PLAN_JUNOS, "no_carrier_ldp", ["show ldp neighbor | display json"]),
])
def test_label_show_commands(plan, check, commands):
    assert V.show_commands(check, plan, "core1") == commands


@pytest.mark.parametrize("platform,ip_mtu,mpls_mtu,size", [
    ("ios", 1414, 1422, 1422), ("junos", 1414, 1422, 1412), ("junos", 1416, 1424, 1416), ("ios", 1438, 1446, 1446),
])
def test_lsp_ping_size(platform, ip_mtu, mpls_mtu, size):
    link = dict(LINK_IOS, mtu={"ip_mtu": ip_mtu, "mpls_mtu": mpls_mtu})
    assert V.lsp_ping_size(platform, link) == size


@pytest.mark.parametrize("plan,output,status,detail", [
    (PLAN_IOS, ios_lsp(1422, "!!!!!"), "pass", "LSP ping to 203.0.113.2/32 at 1422 bytes (labelled, mpls_mtu): 5/5 (100%)"),
    (PLAN_IOS, ios_lsp(1422, "QQQQQ"), "fail",
     "LSP ping to 203.0.113.2/32 at 1422 bytes (labelled, mpls_mtu): 0/5 (0%) - labels do not cross [QQQQQ: request not sent "
     "(no label binding for the FEC, or the request exceeds the MPLS MTU)]"),
    (PLAN_IOS, ios_lsp(1422, "....."), "fail",
     "LSP ping to 203.0.113.2/32 at 1422 bytes (labelled, mpls_mtu): 0/5 (0%) - labels do not cross [.....: timeout "
     "(labelled requests or replies lost: labels do not cross the tunnel or the size does not fit)]"),
    (PLAN_IOS, ios_lsp(1422, "!...."), "fail",
     "LSP ping to 203.0.113.2/32 at 1422 bytes (labelled, mpls_mtu): 1/5 (20%) - labels do not cross [!....: timeout "
     "(labelled requests or replies lost: labels do not cross the tunnel or the size does not fit)]"),
    (PLAN_IOS, ios_lsp(100, "!!!!!"), "fail", "LSP ping to 203.0.113.2/32 at 1422 bytes (labelled, mpls_mtu): the router sent 100-byte echos"),
    (PLAN_IOS, "% Invalid input detected at '^' marker.", "fail",
     "LSP ping to 203.0.113.2/32 at 1422 bytes (labelled, mpls_mtu): no result parsed"),
    (PLAN_JUNOS, junos_lsp("!!!!!"), "pass", "LSP ping to 203.0.113.1/32 at 1412 bytes (ip_mtu rounded down to 4): 5/5 (100%)"),
    (PLAN_JUNOS, junos_lsp("xxxxx"), "fail",
     "LSP ping to 203.0.113.1/32 at 1412 bytes (ip_mtu rounded down to 4): 0/5 (0%) - labels do not cross "
     "[xxxxx: reply with an error return code]"),
    (PLAN_JUNOS, junos_lsp("....."), "fail",
     "LSP ping to 203.0.113.1/32 at 1412 bytes (ip_mtu rounded down to 4): 0/5 (0%) - labels do not cross [.....: timeout "
     "(labelled requests or replies lost: labels do not cross the tunnel or the size does not fit)]"),
])
def test_run_check_lsp_ping(plan, output, status, detail):
    result = V.run_check("lsp_ping", [output], plan, "core1")
    assert (result["status"], result["detail"]) == (status, detail)


IOS_LDP_CARRIER = IOS_LDP.replace("GigabitEthernet1, Src IP addr: 10.1.1.2", "GigabitEthernet2, Src IP addr: 192.0.2.1")
JUNOS_LDP_CARRIER = j("ldp-neighbor-information", {"ldp-neighbor": [
    {"ldp-neighbor-address": "198.51.100.0", "interface-name": "gr-0/0/0.100", "ldp-label-space-id": "203.0.113.1:0"},
    {"ldp-neighbor-address": "192.0.2.0", "interface-name": "ge-0/0/0.0", "ldp-label-space-id": "203.0.113.1:0"}]})


@pytest.mark.parametrize("plan,output,status,detail", [
    (PLAN_IOS, IOS_LDP, "pass", "no LDP hello adjacency on carrier interface GigabitEthernet2 "
     "(adjacencies: 203.0.113.2 via GigabitEthernet1, 203.0.113.2 via Tunnel100)"),
    (PLAN_IOS, IOS_LDP_CARRIER, "fail", "LDP hello adjacency still on carrier interface GigabitEthernet2 (neighbor 203.0.113.2)"),
    (PLAN_IOS, IOS_LDP_CARRIER.replace("GigabitEthernet2,", "Gi2,"), "fail",
     "LDP hello adjacency still on carrier interface GigabitEthernet2 (neighbor 203.0.113.2)"),
    (PLAN_IOS, "", "pass", "no LDP hello adjacency on carrier interface GigabitEthernet2 (adjacencies: none)"),
    (PLAN_JUNOS, JUNOS_LDP_NEIGHBOR, "pass",
     "no LDP hello adjacency on carrier interface ge-0/0/0.0 (adjacencies: 203.0.113.1 via gr-0/0/0.100)"),
    (PLAN_JUNOS, JUNOS_LDP_CARRIER, "fail", "LDP hello adjacency still on carrier interface ge-0/0/0.0 (neighbor 203.0.113.1)"),
])
def test_run_check_no_carrier_ldp(plan, output, status, detail):
    result = V.run_check("no_carrier_ldp", [output], plan, "core1")
    assert (result["status"], result["detail"]) == (status, detail)


@pytest.mark.parametrize("data,remote", [
    # remote address only at block level (vSRX 24.x/25.x per review finding #18)
    ({"ike-security-associations-information": [{"ike-security-associations-block": [{
        "ike-sa-remote-address": [{"data": "192.0.2.0"}],
        "ike-security-associations": [{"ike-sa-state": [{"data": "UP"}]}]}]}]}, "192.0.2.0"),
    # repeated inside the nested element (MX sample, SRX bot)
    ({"ike-security-associations-information": [{"ike-security-associations-block": [{
        "ike-sa-remote-address": [{"data": "192.0.2.9"}],
        "ike-security-associations": [{"ike-sa-remote-address": [{"data": "192.0.2.0"}],
                                       "ike-sa-state": [{"data": "UP"}]}]}]}]}, "192.0.2.0"),
    # block without a nested element: the block is the SA
    ({"ike-security-associations-information": [{"ike-security-associations-block": [{
        "ike-sa-remote-address": [{"data": "192.0.2.0"}], "ike-sa-state": [{"data": "UP"}]}]}]}, "192.0.2.0"),
])
def test_junos_ike_detail_block_level_remote(data, remote):
    sas = V.ike_sas("junos", data)
    assert [(s["remote"], s["established"]) for s in sas] == [(remote, True)]


@pytest.mark.parametrize("check", ENCRYPTED)
def test_run_check_ios_all_pass(check):
    result = V.run_check(check, IOS_OUTPUTS[check], PLAN_IOS, "core1")
    assert result["status"] == "pass", result
    assert (result["name"], result["host"]) == (check, "p1")


@pytest.mark.parametrize("check", ENCRYPTED)
def test_run_check_junos_all_pass(check):
    result = V.run_check(check, JUNOS_OUTPUTS[check], PLAN_JUNOS, "core1")
    assert result["status"] == "pass", result
    assert (result["name"], result["host"]) == (check, "p2")


@pytest.mark.parametrize("check", ENCRYPTED)
def test_run_check_junos_json_strings(check):
    """Over network_cli junos_command returns the JSON as a string."""
    outputs = [json.dumps(o) if isinstance(o, dict) else o for o in JUNOS_OUTPUTS[check]]
    assert V.run_check(check, outputs, PLAN_JUNOS, "core1")["status"] == "pass"


def test_run_check_ipsec_counters_flat():
    outputs = [ios_ipsec(100, 90), "", ios_ipsec(100, 90)]
    assert V.run_check("ipsec_sa", outputs, PLAN_IOS, "core1")["detail"] == (
        "IPsec SA to 192.0.2.1 up (aes-gcm-256/none) but counters did not increase with test traffic: "
        "encrypted 100->100, decrypted 90->90")


def test_run_check_mtu_larger_than_planned():
    result = V.run_check("mtu_ping", [ios_ping(1414, 3), ios_ping(1415, 3)], PLAN_IOS, "core1")
    assert result["status"] == "fail" and result["detail"].endswith("the tunnel MTU is larger than planned")


def test_run_check_junos_family_mpls_left():
    result = V.run_check("no_clear_mpls", [JUNOS_IFACE_MPLS, JUNOS_LDP_NEIGHBOR], PLAN_JUNOS, "core1")
    assert result["detail"] == "MPLS still enabled on carrier interface ge-0/0/0.0 (family mpls)"
    assert V.mpls_interfaces("junos", JUNOS_MPLS) == [
        {"interface": "gr-0/0/0.100", "detail": "state Up"},
        {"interface": "ge-0/0/1.0", "detail": "state Up"},
    ]


def test_run_check_netconf_rpc_error():
    error = ('<?xml version="1.0" encoding="UTF-8"?><rpc-error><error-type>protocol</error-type>\n'
             '<error-message>syntax error, expecting &lt;command&gt;: statistics</error-message></rpc-error>')
    assert V.run_check("ike_sa", [], PLAN_JUNOS, "core1", error=error)["detail"] == (
        "commands failed: syntax error, expecting <command>: statistics")


def test_run_check_clear_mpls_left():
    text = IOS_MPLS + "GigabitEthernet2       Yes (ldp)     No       No  No     Yes\n"
    result = V.run_check("no_clear_mpls", [text], PLAN_IOS, "core1")
    assert result == {"name": "no_clear_mpls", "host": "p1", "status": "fail",
                      "detail": "MPLS still enabled on carrier interface GigabitEthernet2 (IP Yes (ldp), operational Yes)"}


@pytest.mark.parametrize("outputs,error,detail", [
    ([], None, "expected 1 command outputs, got 0"),
    (["x"], "p1#show crypto ikev2 sa\r\n% Invalid input detected at '^' marker.", "commands failed: "
     "p1#show crypto ikev2 sa % Invalid input detected at '^' marker."),
    (["% Invalid input detected at '^' marker."], None, "no IKE SA to peer 192.0.2.1 (no IKE SA at all)"),
])
def test_run_check_bad_outputs(outputs, error, detail):
    assert V.run_check("ike_sa", outputs, PLAN_IOS, "core1", error=error) == {
        "name": "ike_sa", "host": "p1", "status": "fail", "detail": detail}


def test_run_check_unparseable_output_fails_not_raises():
    result = V.run_check("ldp_session", [{"ldp-session-information": "garbage"}, 42], PLAN_JUNOS, "core1")
    assert result == {"name": "ldp_session", "host": "p2", "status": "fail",
                      "detail": "could not parse the output: ldp_neighbor: unsupported output type int"}


# --- reports -------------------------------------------------------------------------------------


RESULTS = [
    {"link": "core1", "name": "mtu_ping", "host": "p2", "status": "pass", "detail": "ok m"},
    {"link": "core1", "name": "ike_sa", "host": "p2", "status": "pass", "detail": "ok i"},
    {"link": "core1", "name": "ike_sa", "host": "p1", "status": "fail", "detail": "IKE <bad> & \"x\""},
    {"link": "core0", "name": "ike_sa", "host": "p9", "status": "pass", "detail": "ok"},
]


def test_build_reports_sorted_and_grouped():
    reports = V.build_reports(RESULTS)
    assert [r["link"] for r in reports] == ["core0", "core1"]
    assert reports[0]["status"] == "pass" and reports[1]["status"] == "fail"
    assert [(c["host"], c["name"]) for c in reports[1]["checks"]] == [("p1", "ike_sa"), ("p2", "ike_sa"), ("p2", "mtu_ping")]
    assert set(reports[1]["checks"][0]) == {"name", "host", "status", "detail"}


def test_build_reports_missing_host_fails():
    reports = V.build_reports(RESULTS[:3], expected=[PLAN_IOS, PLAN_JUNOS], checks=["ike_sa", "mtu_ping"])
    checks = {(c["host"], c["name"]): c for c in reports[0]["checks"]}
    assert checks[("p1", "mtu_ping")] == {"name": "mtu_ping", "host": "p1", "status": "fail",
                                          "detail": "no result: host unreachable or verify did not run on it"}
    assert len(checks) == 4


def test_junit_xml():
    report = V.build_reports(RESULTS)[1]
    root = ElementTree.fromstring(V.junit_xml(report))
    suite = root.find("testsuite")
    assert (suite.get("name"), suite.get("tests"), suite.get("failures")) == ("verify-core1", "3", "1")
    cases = suite.findall("testcase")
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        ("core1.p1", "ike_sa"), ("core1.p2", "ike_sa"), ("core1.p2", "mtu_ping")]
    assert cases[0].find("failure").get("message") == 'IKE <bad> & "x"'
    assert cases[1].find("failure") is None


def test_summary_table():
    lines = V.summary_table(V.build_reports(RESULTS))
    assert lines[0].split() == ["LINK", "HOST", "CHECK", "STATUS", "DETAIL"]
    assert lines[2].split()[:4] == ["core1", "p1", "ike_sa", "FAIL"]
    assert lines[-1] == "4 checks, 3 passed, 1 failed"


def test_no_secret_in_results_or_reports():
    """Even a link entry that still carries its PSK (p2p_links instead of p2p_plan) never leaks it."""
    secret = "S3cr3t-PSK-never-printed"
    link = copy.deepcopy(LINK_IOS)
    link["crypto"]["psk"] = secret
    plan = dict(PLAN_IOS, links=[link])
    results = [dict(V.run_check(c, IOS_OUTPUTS[c], plan, "core1"), link="core1") for c in ENCRYPTED]
    results += [dict(V.run_check(c, [], plan, "core1"), link="core1") for c in ENCRYPTED]
    reports = V.build_reports(results)
    text = json.dumps(reports) + V.junit_xml(reports[0]) + "\n".join(V.summary_table(reports))
    assert secret not in text


# --- filters (thin wrappers validated against their YAML documentation) ---------------------------


def test_filters_registered():
    assert sorted(F.FilterModule().filters()) == ["p2p_check", "p2p_junit", "p2p_markdown", "p2p_report", "p2p_show", "p2p_table"]


def test_filter_p2p_show_and_check():
    assert F.p2p_show("ike_sa", PLAN_IOS, "core1") == ["show crypto ikev2 sa"]
    result = F.p2p_check(IOS_OUTPUTS["mtu_ping"], "mtu_ping", PLAN_IOS, "core1", min_success_pct=100)
    assert result["status"] == "pass"
    assert F.p2p_check(IOS_OUTPUTS["ike_sa"], check="ike_sa", plan=PLAN_IOS, link=LINK_IOS)["status"] == "pass"


def test_filter_reports_junit_table():
    reports = F.p2p_report([dict(r) for r in RESULTS], expected=[PLAN_IOS])
    assert [r["link"] for r in reports] == ["core0", "core1"]
    assert F.p2p_junit(reports[0]).startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert F.p2p_table(reports, width=20)[-1].endswith("failed")


@pytest.mark.parametrize("call,message", [
    (lambda: F.p2p_show("bogus", PLAN_IOS, "core1"), "value of _input must be one of: ike_sa"),
    (lambda: F.p2p_show("ike_sa", PLAN_IOS), "missing required arguments: link"),
    (lambda: F.p2p_show("ike_sa", PLAN_IOS, "core1", colour="red"), "unknown keyword 'colour'"),
    (lambda: F.p2p_show("ike_sa", PLAN_IOS, "core1", "x"), "takes at most 3 positional arguments"),
    (lambda: F.p2p_show("ike_sa", PLAN_IOS, "nope"), "mplssec.p2p.p2p_show: link 'nope' is not in the p2p_plan of host p1"),
    (lambda: F.p2p_check({"not": "a list"}, "ike_sa", PLAN_IOS, "core1"), "mplssec.p2p.p2p_check: "),
    (lambda: F.p2p_check([], "ike_sa", PLAN_IOS, "core1", min_success_pct="many"), "min_success_pct"),
])
def test_filter_errors(call, message):
    with pytest.raises(AnsibleFilterError) as err:
        call()
    assert message in str(err.value)


def test_markdown_report_and_summary():
    results = [dict(V.run_check(c, IOS_OUTPUTS[c], PLAN_IOS, "core1"), link="core1") for c in ENCRYPTED]
    results[0] = dict(results[0], status="fail", detail="no IKE SA | to peer")
    reports = V.build_reports(results)
    md = F.p2p_markdown(reports[0], plans=[dict(PLAN_IOS, links=[dict(LINK_IOS, mtu=dict(LINK_IOS["mtu"], overhead=86))])])
    assert md.startswith("# verify core1: FAIL\n\n%d checks, %d passed, 1 failed." % (len(ENCRYPTED), len(ENCRYPTED) - 1))
    assert "| 1500 | 86 | 1414 | 2 | 1422 | 1374 |  |" in md
    assert "| p1 | ike_sa | **FAIL** | no IKE SA \\| to peer |" in md
    assert "| p1 | lsp_ping | PASS | LSP ping to 203.0.113.2/32 at 1422 bytes (labelled, mpls_mtu): 5/5 (100%) |" in md
    summary = F.p2p_markdown(reports, summary=True)
    assert "| core1 | **FAIL** | %d | 1 | p1 ike_sa |" % len(ENCRYPTED) in summary
    assert summary.endswith("1 links, 1 failed; %d checks.\n" % len(ENCRYPTED))


@pytest.mark.parametrize("plan,outputs", [("ios", "IOS_OUTPUTS"), ("junos", "JUNOS_OUTPUTS")])
def test_clear_checks_on_an_encrypted_link(plan, outputs):
    """On the encrypted link of the fixtures (adjacency and LDP over the tunnel only): nothing left on the carrier
    (no_clear_igp passes), and the clear state is not there (clear_igp_adjacency, clear_ldp_session fail)."""
    plan = PLAN_IOS if plan == "ios" else PLAN_JUNOS
    out = globals()[outputs]
    assert V.run_check("no_clear_igp", out["igp_adjacency"], plan, "core1")["status"] == "pass"
    clear = V.run_check("clear_igp_adjacency", out["igp_adjacency"], plan, "core1")
    assert clear["status"] == "fail" and clear["name"] == "clear_igp_adjacency"
    assert V.run_check("clear_ldp_session", out["ldp_session"], plan, "core1")["status"] == "fail"

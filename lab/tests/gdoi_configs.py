"""GET VPN configurations for the lab tests, written from the vendor guides (never from the collection's templates):

* key server: Cisco *GET VPN Configuration Guide, IOS XE* — "Configuring a Key Server": the RSA key pair that signs the
  rekeys (``crypto key generate rsa general-keys label ... modulus 2048``), ISAKMP policy and key, an
  IPsec transform set and profile, the policy ACL, ``crypto gdoi group`` / ``identity number`` / ``server local`` /
  ``rekey ...`` / ``sa ipsec`` (``profile``, ``match address ipv4``, ``replay``) / ``address ipv4`` / ``redundancy``;
* IOS group member: same guide, "Configuring a Group Member": ``crypto gdoi group`` with ``identity number`` and
  ``server address ipv4``, ``crypto map NAME N gdoi`` / ``set group``, the crypto map on the interface (and the
  reference config ``getvpn_gm_01.cfg``);
* Junos member: Juniper "Configuring Group VPNv2 member": ``security group-vpn member ike proposal|policy|gateway``
  (``server-address``, ``local-address``) and ``ipsec vpn`` (``ike-gateway``, ``group``,
  ``group-vpn-external-interface``).

The GRE tunnel between the two members is a plain GRE tunnel between their carrier addresses (IOS ``Tunnel100``,
Junos ``gr-0/0/0.100``) carrying OSPF and LDP, which the GET VPN policy protects. Keys come from the caller
(``secrets.token_hex`` per run)."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "ios"))

from ios_helpers import push  # noqa: E402

from mplssec_lab import topology  # noqa: E402
from mplssec_lab.junos import tree as T  # noqa: E402
from mplssec_lab.lab import Lab  # noqa: E402

ISAKMP = ["crypto isakmp policy 10", " encr aes 256", " hash sha256", " authentication pre-share", " group 14"]


class Clock:
    def __init__(self):
        self.t = 1_800_000_000.0

    def __call__(self):
        return self.t


def make_lab(pairs=2, key_servers=1, topo=None):
    clock = Clock()
    return Lab(topology.build(pairs, topology=topo, mode="getvpn", key_servers=key_servers), clock=clock), clock


def ks_lines(key, acl, identity=1001, lifetime=1800, rekey="unicast", replay="replay counter window-size 64",
             address="100.64.0.1", redundancy=None, rsa="GETVPN-KEYS", generate=True):
    """A key server of group GETVPN-P2P. ``rekey``: "unicast" | "multicast" | None (no rekey authentication). With
    rekeys, the guide's first step creates the RSA key pair that signs them (``crypto key generate rsa``)."""
    lines = [f"crypto key generate rsa general-keys label {rsa} modulus 2048"] if rekey is not None and generate else []
    lines += ISAKMP + [f"crypto isakmp key {key} address 0.0.0.0 0.0.0.0",
                      "crypto ipsec transform-set GETVPN-TS esp-aes 256 esp-sha256-hmac",
                      "crypto ipsec profile GETVPN-PROF", f" set security-association lifetime seconds {lifetime}",
                      " set transform-set GETVPN-TS", "ip access-list extended GETVPN-POLICY"]
    lines += [f" {e}" for e in acl]
    lines += ["crypto gdoi group GETVPN-P2P", f" identity number {identity}", " server local"]
    if rekey is not None:
        lines += ["  rekey lifetime seconds 86400", f"  rekey authentication mypubkey rsa {rsa}"]
        if rekey == "unicast":
            lines.append("  rekey transport unicast")
    lines += ["  sa ipsec 1", "   profile GETVPN-PROF", "   match address ipv4 GETVPN-POLICY", f"   {replay}",
              f"  address ipv4 {address}"]
    if redundancy is not None:
        prio, peer = redundancy
        lines += ["  redundancy", f"   local priority {prio}", f"   peer address ipv4 {peer}"]
    return lines


def gre_acl(a, b):
    """The policy protecting exactly the GRE packets between two carrier addresses, both directions."""
    return [f"permit gre host {a} host {b}", f"permit gre host {b} host {a}"]


def ios_gm_lines(key, me_tunnel, peer, identity=1001, servers=("100.64.0.1",), psk_for=None):
    lines = ISAKMP + [f"crypto isakmp key {key} address {s}" for s in (psk_for or servers)]
    lines += ["crypto gdoi group GETVPN-P2P", f" identity number {identity}"]
    lines += [f" server address ipv4 {s}" for s in servers]
    lines += ["crypto map GETVPN-MAP 10 gdoi", " set group GETVPN-P2P",
              "interface Tunnel100", f" ip address {me_tunnel} 255.255.255.254", " ip ospf network point-to-point",
              " ip ospf 1 area 0", " mpls ip", " tunnel source GigabitEthernet2", f" tunnel destination {peer}",
              "interface GigabitEthernet2", " crypto map GETVPN-MAP"]
    return lines


def junos_gm_set(key, me, peer, me_tunnel, identity=1001, servers=("100.64.0.1",)):
    out = [
        "set security group-vpn member ike proposal GV-P1 authentication-method pre-shared-keys",
        "set security group-vpn member ike proposal GV-P1 dh-group group14",
        "set security group-vpn member ike proposal GV-P1 authentication-algorithm sha-256",
        "set security group-vpn member ike proposal GV-P1 encryption-algorithm aes-256-cbc",
        "set security group-vpn member ike policy GV-POL mode main",
        "set security group-vpn member ike policy GV-POL proposals GV-P1",
        f"set security group-vpn member ike policy GV-POL pre-shared-key ascii-text {key}",
        "set security group-vpn member ike gateway GV-KS ike-policy GV-POL"]
    out += [f"set security group-vpn member ike gateway GV-KS server-address {s}" for s in servers]
    out += [
        f"set security group-vpn member ike gateway GV-KS local-address {me}",
        "set security group-vpn member ipsec vpn GV-VPN ike-gateway GV-KS",
        f"set security group-vpn member ipsec vpn GV-VPN group {identity}",
        "set security group-vpn member ipsec vpn GV-VPN group-vpn-external-interface ge-0/0/0.0",
        f"set interfaces gr-0/0/0 unit 100 tunnel source {me}",
        f"set interfaces gr-0/0/0 unit 100 tunnel destination {peer}",
        f"set interfaces gr-0/0/0 unit 100 family inet address {me_tunnel}/31",
        "set interfaces gr-0/0/0 unit 100 family mpls",
        "set protocols ospf area 0.0.0.0 interface gr-0/0/0.100 interface-type p2p",
        "set protocols mpls interface gr-0/0/0.100",
        "set protocols ldp interface gr-0/0/0.100",
        "set security zones security-zone trust interfaces gr-0/0/0.100"]
    return "\n".join(out) + "\n"


def junos_commit(dev, text):
    tree, warnings = T.load_set(dev.candidate.copy(), text)
    assert not warnings, warnings
    dev.candidate = tree
    dev.commit(None)
    return dev


def ios_pair(lab, key, ks_kw=None, p3=None, p4=None):
    """Key server ks1 + members p3/p4 (IOS-IOS link core2, carrier 192.0.2.2/31, tunnel 198.51.100.2/31)."""
    push(lab.devices["ks1"], ks_lines(key, gre_acl("192.0.2.2", "192.0.2.3"), **(ks_kw or {})))
    push(lab.devices["p3"], ios_gm_lines(key, "198.51.100.2", "192.0.2.3", **(p3 or {})))
    push(lab.devices["p4"], ios_gm_lines(key, "198.51.100.3", "192.0.2.2", **(p4 or {})))


def mixed_pair(lab, key, ks_kw=None):
    """Key server ks1 + members p1 (IOS) / p2 (Junos) on link core1 (192.0.2.0/31, tunnel 198.51.100.0/31)."""
    push(lab.devices["ks1"], ks_lines(key, gre_acl("192.0.2.0", "192.0.2.1"), **(ks_kw or {})))
    push(lab.devices["p1"], ios_gm_lines(key, "198.51.100.0", "192.0.2.1"))
    junos_commit(lab.devices["p2"], junos_gm_set(key, "192.0.2.1", "192.0.2.0", "198.51.100.1"))

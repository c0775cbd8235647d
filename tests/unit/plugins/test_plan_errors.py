# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every validation rule of the plan: (bad input, exact list of messages), one case per rule.

Each case changes one thing in links that plan cleanly (test_plan.CORE1 / CORE2), so a rule
that stops firing, fires twice, or changes its wording fails here.
"""

from __future__ import annotations

import json

import pytest
from ansible.errors import AnsibleFilterError
from hypothesis import given, settings
from hypothesis import strategies as st
from test_plan import CORE1, CORE2, DELETE, HOSTVARS, PSK_CORE1, PSK_CORE2, patched

from ansible_collections.mplssec.p2p.plugins.filter.p2p_plan import p2p_plan
from ansible_collections.mplssec.p2p.plugins.plugin_utils import plan


def errors_of(links, hostvars=None, groups=None):
    try:
        plan.build_plan(links, HOSTVARS if hostvars is None else hostvars, groups)
    except plan.PlanValidationError as exc:
        return exc.errors
    return []


def test_the_base_links_plan_cleanly():
    assert errors_of([CORE1, CORE2]) == []


# vendor-truth #12: refused whatever fail_closed and clear_metric say
KEEP_CLEAR = ("link core2: keep_clear_igp: true keeps the clear carrier in the IGP without MPLS/LDP: when the tunnel fails, "
              "labelled traffic is blackholed and IP traffic crosses the carrier in clear (fail-open). Fix: set "
              "keep_clear_igp: false (the default; the link then fails closed); a clear backup path belongs on another, "
              "deliberately unencrypted labelled link.")

CASES = [
    pytest.param(
        [patched(CORE1, {"ipsec_mdoe": "tunnel"})],
        [
            (
                "link core1: ipsec_mdoe: unknown field. Fix: did you mean 'ipsec_mode'? (allowed: name, mode, ipsec_mode, "
                "crypto, carrier_mtu, labels, tunnel, macsec, igp, keep_clear_igp, fail_closed, a, b, getvpn)."
            ),
        ],
        id='unknown-field',
    ),
    pytest.param(
        [patched(CORE1, {"crypto": {"ike": {"encrpytion": "aes-gcm-256"}}})],
        [
            (
                "link core1: crypto.ike.encrpytion: unknown field. Fix: did you mean 'encryption'? (allowed: version, "
                "encryption, integrity, prf, dh_group, lifetime)."
            ),
        ],
        id='unknown-nested',
    ),
    pytest.param(
        [patched(CORE1, {"mode": "gre"})],
        [
            "link core1: mode: unknown value 'gre'. Fix: did you mean 'gre_ipsec'? (allowed: gre_ipsec, vti, getvpn, macsec).",
        ],
        id='unknown-mode',
    ),
    pytest.param(
        [patched(CORE1, {"crypto": {"preset": "stronger"}})],
        [
            "link core1: crypto.preset: unknown value 'stronger'. Fix: did you mean 'strong'? (allowed: strong, compatible).",
        ],
        id='unknown-preset',
    ),
    pytest.param(
        [patched(CORE1, {"name": "Core_1"})],
        [
            (
                "link #1 ('Core_1'): name: 'Core_1' is not a valid name. Fix: use 1-16 lower-case letters, digits or '-', "
                "starting with a letter (e.g. core1)."
            ),
        ],
        id='bad-name',
    ),
    pytest.param(
        [patched(CORE1, {"b": {"host": "p9"}})],
        [
            "link core1: b.host: host 'p9' is not in the inventory. Fix: add it to the inventory or correct the name.",
        ],
        id='host-missing',
    ),
    pytest.param(
        [patched(CORE1, {"b": {"host": "sw1", "interface": "Ethernet1"}})],
        [
            (
                "link core1: b.host: host 'sw1' has ansible_network_os 'arista.eos.eos', which mplssec.p2p does not support. "
                "Fix: use a router with one of cisco.ios.ios, junipernetworks.junos.junos."
            ),
        ],
        id='host-unsupported',
    ),
    pytest.param(
        [patched(CORE2, {"b": {"host": "p5"}})],
        [
            (
                "link core2: b.host: host 'p5' has no p2p_router_id (the loopback address LDP and the IGP use). Fix: set "
                "p2p_router_id in host_vars/p5 (e.g. 203.0.113.1)."
            ),
        ],
        id='no-router-id',
    ),
    pytest.param(
        [patched(CORE2, {"b": {"host": "p3", "interface": "GigabitEthernet4"}})],
        [
            "link core2: b.host: both ends are on host 'p3'. Fix: a link joins two different routers: set b.host to the peer router.",
        ],
        id='same-host',
    ),
    pytest.param(
        [patched(CORE2, {"b": {"address": "192.0.2.14/30"}})],
        [
            (
                "link core2: b.address: 192.0.2.14/30 is not in a.address's subnet 192.0.2.8/30. Fix: put b.address in "
                "192.0.2.8/30 (or correct a.address): both ends share one subnet."
            ),
        ],
        id='subnet',
    ),
    pytest.param(
        [patched(CORE2, {"b": {"address": "192.0.2.9/30"}})],
        [
            'link core2: b.address: 192.0.2.9 is also a.address. Fix: give each end its own address.',
        ],
        id='equal',
    ),
    pytest.param(
        [patched(CORE2, {"b": {"address": "192.0.2.8/30"}})],
        [
            "link core2: b.address: 192.0.2.8/30 is the subnet's network address. Fix: use a host address of 192.0.2.8/30.",
        ],
        id='netaddr',
    ),
    pytest.param(
        [patched(CORE2, {"tunnel": {"ipv4": "198.51.100.4/32"}})],
        [
            (
                "link core2: tunnel.ipv4: 198.51.100.4/32 is too small: a /32 holds one address, a point-to-point tunnel needs "
                "two. Fix: use a /31 or /30 (e.g. 198.51.100.0/31)."
            ),
        ],
        id='tunnel32',
    ),
    pytest.param(
        [patched(CORE2, {"tunnel": {"ipv4": "198.51.100.0/29"}})],
        [
            'link core2: tunnel.ipv4: 198.51.100.0/29 is too large for a point-to-point tunnel. Fix: use a /31 or /30 (e.g. 198.51.100.0/31).',
        ],
        id='tunnel29',
    ),
    pytest.param(
        [patched(CORE2, {"tunnel": {"ipv4": "198.51.100.5/30"}})],
        [
            'link core2: tunnel.ipv4: 198.51.100.5/30 has host bits set. Fix: write the network: 198.51.100.4/30.',
        ],
        id='tunnel-hostbits',
    ),
    pytest.param(
        [CORE1, patched(CORE2, {"tunnel": {"ipv4": "198.51.100.0/30"}})],
        [
            (
                "link core2: tunnel.ipv4: 198.51.100.0/30 overlaps tunnel.ipv4 198.51.100.0/31 of link core1. Fix: give every "
                "tunnel and physical link its own subnet."
            ),
        ],
        id='overlap-tunnel',
    ),
    pytest.param(
        [patched(CORE2, {"tunnel": {"ipv4": "192.0.2.8/30"}})],
        [
            'link core2: tunnel.ipv4: 192.0.2.8/30 overlaps a.address 192.0.2.8/30. Fix: give every tunnel and physical link its own subnet.',
        ],
        id='overlap-phys',
    ),
    pytest.param(
        [CORE1, patched(CORE2, {"name": "core3", "a": {"host": "p1", "interface": "GigabitEthernet2"}, "b": {"host": "p4"}})],
        [
            'link core3: a.interface: p1 GigabitEthernet2 is already used by link core1. Fix: each link needs its own physical interface.',
        ],
        id='same-intf',
    ),
    pytest.param(
        [CORE1, patched(CORE2, {"name": "core1"})],
        [
            "link core1: name: 'core1' is already the name of link #1. Fix: give every link a unique name.",
        ],
        id='dup-name',
    ),
    pytest.param(
        [CORE1, patched(CORE2, {"tunnel": {"id": 1100}, "a": {"host": "p1"}, "b": {"host": "p3"}})],
        [
            (
                "link core2: tunnel.id: 1100 makes Tunnel1100 on p1, which link core1 already uses (duplicate tunnel id). Fix: "
                "choose another tunnel.id (IOS-XE sVTIs use id+1000)."
            ),
        ],
        id='dup-tunnel-id',
    ),
    pytest.param(
        [patched(CORE2, {"crypto": {"psk": DELETE}})],
        [
            (
                'link core2: crypto.psk: is required with auth psk. Fix: set crypto.psk from Ansible Vault (e.g. psk: "{{ '
                'vault_p2p_psk_<link> }}"), at least 16 characters.'
            ),
        ],
        id='psk-missing',
    ),
    pytest.param(
        [patched(CORE2, {"crypto": {"psk": "short-secret-15"}})],
        [
            (
                "link core2: crypto.psk: is shorter than 16 characters. Fix: use a random key of at least 16 characters (e.g. "
                "openssl rand -base64 24) stored with ansible-vault."
            ),
        ],
        id='psk-short',
    ),
    pytest.param(
        [patched(CORE2, {"crypto": {"psk": "has a space in it!!"}})],
        [
            (
                "link core2: crypto.psk: contains whitespace, a quote or '?', which the device CLIs cannot take verbatim. Fix: "
                "generate a key from letters, digits and +/=-_.:@ only."
            ),
        ],
        id='psk-chars',
    ),
    pytest.param(
        [patched(CORE2, {"crypto": {"esp": {"encryption": "des"}}})],
        [
            (
                "link core2: crypto.esp.encryption: 'des' is refused as weak crypto: DES is broken (56-bit key; RFC 8221 MUST "
                "NOT). Fix: use aes-gcm-128, aes-gcm-256, aes-cbc-128, aes-cbc-256 (or leave crypto.esp.encryption out to take "
                "the preset's value)."
            ),
        ],
        id='des',
    ),
    pytest.param(
        [patched(CORE2, {"crypto": {"ike": {"encryption": "3des"}}})],
        [
            (
                "link core2: crypto.ike.encryption: '3des' is refused as weak crypto: 3DES is deprecated (64-bit block, "
                "Sweet32; RFC 8221 SHOULD NOT). Fix: use aes-gcm-128, aes-gcm-256, aes-cbc-128, aes-cbc-256 (or leave "
                "crypto.ike.encryption out to take the preset's value)."
            ),
        ],
        id='3des',
    ),
    pytest.param(
        [patched(CORE2, {"crypto": {"esp": {"integrity": "md5"}}})],
        [
            (
                "link core2: crypto.esp.integrity: 'md5' is refused as weak crypto: HMAC-MD5 is deprecated (RFC 8221 / RFC "
                "8247 MUST NOT). Fix: use none, sha1, sha256, sha384, sha512 (or leave crypto.esp.integrity out to take the "
                "preset's value)."
            ),
        ],
        id='md5',
    ),
    pytest.param(
        [patched(CORE2, {"crypto": {"ike": {"dh_group": 2}}})],
        [
            (
                "link core2: crypto.ike.dh_group: 2 is refused as weak crypto: DH group 2 (MODP-1024) is too weak (RFC 8247 "
                "SHOULD NOT). Fix: use 14, 15, 16, 19, 20, 21 (or leave crypto.ike.dh_group out to take the preset's value)."
            ),
        ],
        id='dh2',
    ),
    pytest.param(
        [patched(CORE2, {"crypto": {"esp": {"pfs_group": 5}}})],
        [
            (
                "link core2: crypto.esp.pfs_group: 5 is refused as weak crypto: DH group 5 (MODP-1536) is too weak (RFC 8247 "
                "SHOULD NOT). Fix: use 14, 15, 16, 19, 20, 21 (or leave crypto.esp.pfs_group out to take the preset's value)."
            ),
        ],
        id='dh5',
    ),
    pytest.param(
        [patched(CORE2, {"crypto": {"ike": {"version": 1}}})],
        [
            (
                "link core2: crypto.ike.version: 1 is refused as weak crypto: IKEv1 is deprecated (RFC 9395); both platforms "
                "speak IKEv2. Fix: use 2 (or leave crypto.ike.version out to take the preset's value)."
            ),
        ],
        id='ikev1',
    ),
    pytest.param(
        [patched(CORE2, {"crypto": {"esp": {"integrity": "sha256"}}})],
        [
            (
                "link core2: crypto.esp.integrity: 'sha256' with aes-gcm-256: AES-GCM authenticates itself, an HMAC on top is "
                "invalid. Fix: set crypto.esp.integrity: none (or use an aes-cbc encryption)."
            ),
        ],
        id='gcm-hmac',
    ),
    pytest.param(
        [patched(CORE2, {"crypto": {"preset": "compatible", "ike": {"integrity": "none"}}})],
        [
            (
                "link core2: crypto.ike.integrity: 'none' with aes-cbc-256: AES-CBC needs an HMAC. Fix: set "
                "crypto.ike.integrity: sha256 (or sha384/sha512), or use aes-gcm-256."
            ),
        ],
        id='cbc-none',
    ),
    pytest.param(
        [patched(CORE2, {"mode": "vti"})],
        [
            (
                "link core2: mode: vti is not supported on p3 (Cisco IOS-XE): Cisco documents the IOS-XE static VTI (tunnel "
                "mode ipsec ipv4) as IP-only: it carries IP packets, not MPLS labels (see "
                "https://www.cisco.com/c/en/us/td/docs/ios-xml/ios/sec_conn_vpnips/"
                "configuration/xe-16/sec-sec-for-vpns-w-ipsec-xe-16-book/sec-ipsec-virt-tunnl.html). "
                "Fix: use mode: gre_ipsec (GRE carries the labels, tunnel protection encrypts the GRE packets); VTI would have "
                "saved 4 bytes per 1500-byte packet (gre_ipsec/transport vs vti with 2 labels, computed by the MTU filter)."
            ),
        ],
        id='vti-ios',
    ),
    pytest.param(
        [patched(CORE1, {"mode": "vti", "ipsec_mode": DELETE, "tunnel": {"ipsec_ipv4": DELETE}})],
        [
            (
                "link core1: mode: vti is not supported on p1 (Cisco IOS-XE): Cisco documents the IOS-XE static VTI (tunnel "
                "mode ipsec ipv4) as IP-only: it carries IP packets, not MPLS labels (see "
                "https://www.cisco.com/c/en/us/td/docs/ios-xml/ios/sec_conn_vpnips/"
                "configuration/xe-16/sec-sec-for-vpns-w-ipsec-xe-16-book/sec-ipsec-virt-tunnl.html). "
                "Fix: use mode: gre_ipsec (GRE carries the labels, tunnel protection encrypts the GRE packets); VTI would have "
                "saved 24 bytes per 1500-byte packet (gre_ipsec/tunnel vs vti with 2 labels, computed by the MTU filter)."
            ),
            (
                "link core1: mode: vti is not supported on p2 (Juniper Junos (SRX/vSRX)): Juniper documents st0 with family "
                "inet/inet6 only; MPLS on SRX is packet-based forwarding and reaches a route-based VPN only inside GRE "
                "(gr-0/0/0) (see "
                "https://www.juniper.net/documentation/jp/ja/software/junos/vpn-ipsec/"
                "topics/topic-map/security-dual-stack-tunnels-over-an-external-interface.html). "
                "Fix: use mode: gre_ipsec with ipsec_mode: tunnel; VTI would have saved 24 bytes per 1500-byte packet "
                "(gre_ipsec/tunnel vs vti with 2 labels, computed by the MTU filter)."
            ),
        ],
        id='vti-junos',
    ),
    pytest.param(
        [patched(CORE1, {"ipsec_mode": "transport", "tunnel": {"ipsec_ipv4": DELETE}})],
        [
            (
                "link core1: ipsec_mode: transport is not supported on p2 (Juniper Junos (SRX/vSRX)): a Junos route-based VPN "
                "(st0) is tunnel mode only; there is no transport-mode protection of a GRE tunnel (see "
                "https://www.juniper.net/documentation/jp/ja/software/junos/vpn-ipsec/"
                "topics/topic-map/security-dual-stack-tunnels-over-an-external-interface.html). "
                "Fix: use ipsec_mode: tunnel (gr-0/0/0 sourced from st0; add tunnel.ipsec_ipv4)."
            ),
        ],
        id='transport-junos',
    ),
    pytest.param(
        [patched(CORE2, {"mode": "macsec"})],
        [
            "link core2: tunnel: is not used with mode macsec (no tunnel: the carrier interface itself is encrypted). "
            "Fix: remove tunnel.",
            "link core2: macsec.ckn: is required with mode macsec (the CAK's name). Fix: set macsec.ckn from Ansible Vault "
            "(e.g. ckn: \"{{ vault_p2p_ckn_<link> }}\"; openssl rand -hex 16).",
            "link core2: macsec.cak: is required with mode macsec (the pre-shared key). Fix: set macsec.cak from Ansible "
            "Vault (e.g. cak: \"{{ vault_p2p_cak_<link> }}\"; openssl rand -hex 32).",
        ],
        id='macsec',
    ),
    pytest.param(
        [patched(CORE2, {"mode": "getvpn"})],
        [
            "link core2: getvpn.group: is required with mode getvpn. Fix: set getvpn.group to a group of p2p_getvpn_groups.",
            (
                "link core2: crypto.psk: is not used with mode getvpn: the members register with the key servers using "
                "the group's psk. Fix: remove crypto.psk (set psk in p2p_getvpn_groups)."
            ),
        ],
        id='getvpn',
    ),
    pytest.param(
        [patched(CORE2, {"carrier_mtu": 1300})],
        [
            (
                "link core2: carrier_mtu: 1300 cannot carry a 1280-byte inner packet with 2 label(s) over gre_ipsec/transport "
                "aes-gcm-256 (the largest inner packet is 1234 bytes). Fix: the carrier must deliver at least 1348 bytes: "
                "order a larger carrier MTU and set carrier_mtu: 1348 or more (or plan fewer labels)."
            ),
        ],
        id='mtu-small',
    ),
    pytest.param(
        [patched(CORE1, {"tunnel": {"ipsec_ipv4": DELETE}})],
        [
            (
                "link core1: tunnel.ipsec_ipv4: is required with ipsec_mode tunnel (the route-based IPsec interface the GRE "
                "tunnel is sourced from). Fix: set tunnel.ipsec_ipv4 to a free /31 (e.g. 198.51.100.128/31)."
            ),
        ],
        id='ipsec-missing',
    ),
    pytest.param(
        [patched(CORE2, {"tunnel": {"ipsec_ipv4": "198.51.100.128/31"}})],
        [
            (
                "link core2: tunnel.ipsec_ipv4: is only used with mode gre_ipsec and ipsec_mode tunnel. Fix: remove "
                "tunnel.ipsec_ipv4 or set ipsec_mode: tunnel."
            ),
        ],
        id='ipsec-extra',
    ),
    pytest.param(
        [patched(CORE1, {"crypto": {"auth": "rsa-sig", "psk": DELETE}})],
        [
            (
                "link core1: crypto.trustpoint: is required with auth rsa-sig. Fix: set crypto.trustpoint to the CA of both "
                "routers' certificates: the IOS-XE PKI trustpoint the router's certificate is enrolled under / the Junos CA "
                "profile."
            ),
            (
                "link core1: a.certificate_subject: is required with auth rsa-sig: without it the other router would accept "
                "any certificate of the CA that claims this router's address (vendor-truth #20). Fix: set "
                "a.certificate_subject to the subject DN of p1's certificate (e.g. CN=p1.example.net,O=Example)."
            ),
            (
                "link core1: b.certificate_subject: is required with auth rsa-sig: without it the other router would accept "
                "any certificate of the CA that claims this router's address (vendor-truth #20). Fix: set "
                "b.certificate_subject to the subject DN of p2's certificate (e.g. CN=p1.example.net,O=Example)."
            ),
            (
                "link core1: b.certificate: is required with auth rsa-sig on a Junos router. Fix: set b.certificate to the "
                "local certificate id of p2 (show security pki local-certificate)."
            ),
        ],
        id='cert',
    ),
    pytest.param(
        [patched(CORE1, {"crypto": {"auth": "rsa-sig", "psk": DELETE, "trustpoint": "CA", "certificate": "mplssec-p1"},
                         "a": {"certificate_subject": "CN=p1,O=X"},
                         "b": {"certificate_subject": "CN=p2,O=X", "certificate": "p2-cert"}})],
        [
            (
                "link core1: crypto.certificate: is refused: one local certificate id for both routers gives one of them "
                "the other's name (vendor-truth #20). Fix: move it to a.certificate / b.certificate, each router's own "
                "local certificate id (Junos ends)."
            ),
        ],
        id='cert-shared-name',
    ),
    pytest.param(
        [patched(CORE1, {"a": {"certificate_subject": "CN=p1,O=X"}})],
        [
            (
                "link core1: a.certificate_subject: is only used with crypto.auth rsa-sig or ecdsa-sig. Fix: remove "
                "a.certificate_subject or set crypto.auth: rsa-sig."
            ),
        ],
        id='subject-with-psk',
    ),
    pytest.param(
        [patched(CORE1, {"crypto": {"auth": "rsa-sig", "psk": DELETE, "trustpoint": "CA"},
                         "a": {"certificate_subject": "p1.example.net"},
                         "b": {"certificate_subject": "CN=p2,O=X", "certificate": "p2 cert"}})],
        [
            (
                "link core1: a.certificate_subject: 'p1.example.net' is not a valid a.certificate_subject. Fix: set "
                "a.certificate_subject to the subject of the router's certificate as attribute=value pairs separated by "
                "commas (show crypto pki certificates / show security pki local-certificate)."
            ),
            (
                "link core1: b.certificate: 'p2 cert' is not a valid b.certificate. Fix: set b.certificate to the "
                "certificate identifier of show security pki local-certificate."
            ),
        ],
        id='cert-bad-values',
    ),
    pytest.param(
        [patched(CORE2, {"labels": "two"})],
        [
            "link core2: labels: must be an integer, got 'two'. Fix: set labels to a number from 1 to 8.",
        ],
        id='labels-str',
    ),
    pytest.param(
        [patched(CORE2, {"keep_clear_igp": True})],
        [
            KEEP_CLEAR,
        ],
        id='keepclear',
    ),
    pytest.param(
        [patched(CORE2, {"igp": {"protocol": "isis", "area": 1}})],
        [
            "link core2: igp.area: is an OSPF setting; an IS-IS area is part of the router's NET. Fix: remove igp.area.",
        ],
        id='isis-area',
    ),
    pytest.param(
        [patched(CORE1, {"b": {"interface": "ge-0/0/0"}})],
        [
            (
                "link core1: b.interface: 'ge-0/0/0' is not a Juniper Junos (SRX/vSRX) interface name (e.g. ge-0/0/0.0 (a "
                "logical unit)). Fix: name the physical carrier interface."
            ),
        ],
        id='junos-intf',
    ),
    pytest.param(
        [patched(CORE1, {"a": {"interface": "Tunnel5"}})],
        [
            (
                "link core1: a.interface: 'Tunnel5' is a Tunnel* interface, not the physical carrier interface (e.g. "
                "GigabitEthernet2 or TenGigabitEthernet0/0/1.100). Fix: name the physical carrier interface."
            ),
        ],
        id='ios-intf',
    ),
    pytest.param(
        [patched(CORE2, {"tunnel": {"ipv4": "203.0.113.0/30"}})],
        [
            (
                "link core2: a.host: p2p_router_id 203.0.113.3 of p3 lies in tunnel.ipv4 203.0.113.0/30 of link core2. Fix: "
                "the router id must be the loopback address, outside every link subnet."
            ),
        ],
        id='rid',
    ),
    pytest.param(
        "x",
        [
            'link (all): p2p_links: must be a list of links, got str. Fix: define p2p_links as a YAML list (see docs/data-model.md).',
        ],
        id='not-list',
    ),
    pytest.param(
        [patched(CORE2, {"tunnel": DELETE})],
        [
            'link core2: tunnel: is required. Fix: add tunnel: {ipv4: <a free /31, e.g. 198.51.100.0/31>}.',
        ],
        id='missing-tunnel',
    ),
    pytest.param(
        [patched(CORE1, {"crypto": {"auth": "rsa-sig", "trustpoint": "CORE-CA"}, "a": {"certificate_subject": "CN=p1,O=X"},
                         "b": {"certificate_subject": "CN=p2,O=X", "certificate": "p2-cert"}})],
        [
            'link core1: crypto.psk: is set but auth is rsa-sig. Fix: remove crypto.psk or set crypto.auth: psk.',
        ],
        id='psk-with-certificates',
    ),
    pytest.param(
        [patched(CORE2, {"igp": {"level": 2}})],
        [
            'link core2: igp.level: is an IS-IS setting but igp.protocol is ospf. Fix: remove igp.level.',
        ],
        id='level-with-ospf',
    ),
    pytest.param(
        [patched(CORE2, {"igp": {"area": "backbone"}})],
        [
            "link core2: igp.area: 'backbone' is not an OSPF area. Fix: use an integer (0) or a dotted quad (0.0.0.0).",
        ],
        id='ospf-area-format',
    ),
    pytest.param(
        [patched(CORE2, {"igp": {"metric": 70000}})],
        [
            'link core2: igp.metric: 70000 is out of range for ospf. Fix: use a value from 1 to 65535.',
        ],
        id='ospf-metric-range',
    ),
    pytest.param(
        [patched(CORE2, {"keep_clear_igp": True, "fail_closed": False, "igp": {"clear_metric": 5}})],
        [
            KEEP_CLEAR,
        ],
        id='keepclear-without-fail-closed',
    ),
    pytest.param(
        [patched(CORE2, {"crypto": {"dpd": {"interval": 5}}})],
        [
            'link core2: crypto.dpd.interval: 5 is out of range. Fix: use a value from 10 to 60.',
        ],
        id='dpd-range',
    ),
    pytest.param(
        [patched(CORE2, {"crypto": {"esp": {"encryption": "null"}}})],
        [
            (
                "link core2: crypto.esp.encryption: 'null' is refused as weak crypto: ESP NULL encryption gives no "
                "confidentiality, which is the whole point of this link. Fix: use aes-gcm-128, aes-gcm-256, aes-cbc-128, "
                "aes-cbc-256 (or leave crypto.esp.encryption out to take the preset's value)."
            ),
        ],
        id='esp-null',
    ),
    pytest.param(
        [patched(CORE2, {"crypto": {"ike": {"prf": "md5"}}})],
        [
            (
                "link core2: crypto.ike.prf: 'md5' is refused as weak crypto: HMAC-MD5 is deprecated (RFC 8221 / RFC 8247 MUST "
                "NOT). Fix: use sha1, sha256, sha384, sha512 (or leave crypto.ike.prf out to take the preset's value)."
            ),
        ],
        id='prf-md5',
    ),
    pytest.param(
        [patched(CORE2, {"tunnel": {"ipv6": "2001:db8::/64"}})],
        [
            'link core2: tunnel.ipv6: 2001:db8::/64 is too large for a point-to-point tunnel. Fix: use a /127 (e.g. 2001:db8:ff::/127).',
        ],
        id='ipv6-too-large',
    ),
    pytest.param(
        [patched(CORE2, {"tunnel": {"ipv6": "2001:db8::1/127"}})],
        [
            'link core2: tunnel.ipv6: 2001:db8::1/127 has host bits set. Fix: write the network: 2001:db8::/127.',
        ],
        id='ipv6-host-bits',
    ),
    pytest.param(
        [patched(CORE1, {"tunnel": {"ipsec_ipv4": "198.51.100.0/31"}})],
        [
            (
                "link core1: tunnel.ipsec_ipv4: 198.51.100.0/31 overlaps tunnel.ipv4 198.51.100.0/31. Fix: give every tunnel "
                "and physical link its own subnet."
            ),
        ],
        id='ipsec-overlaps-own-tunnel',
    ),
    pytest.param(
        [patched(CORE2, {"a": {"address": "192.0.2.9"}})],
        [
            (
                "link core2: a.address: '192.0.2.9' is not an IPv4 address with a prefix length. Fix: write it like "
                "192.0.2.0/31 (the carrier interface's address and prefix)."
            ),
        ],
        id='address-without-prefix',
    ),
    pytest.param(
        [patched(CORE2, {"a": {"address": "2001:db8::1/127"}})],
        [
            (
                "link core2: a.address: 2001:db8::1/127 is IPv6: the carrier (outer) addressing is planned for IPv4 only. Fix: "
                "give the carrier interface an IPv4 address (IPv6 can ride inside: tunnel.ipv6)."
            ),
        ],
        id='address-ipv6',
    ),
    pytest.param(
        [patched(CORE2, {"crypto": "strong"})],
        [
            'link core2: crypto: must be a mapping, got str. Fix: write crypto as key: value pairs.',
        ],
        id='crypto-not-a-mapping',
    ),
    pytest.param(
        ["core9"],
        [
            'link #1: must be a mapping (a link), got str. Fix: write each p2p_links element as name/mode/tunnel/a/b keys (see docs/data-model.md).',
        ],
        id='link-not-a-mapping',
    ),
    pytest.param(
        [patched(CORE2, {"mode": "vti", "ipsec_mode": "transport"})],
        [
            'link core2: ipsec_mode: only applies to mode gre_ipsec, not vti. Fix: remove ipsec_mode.',
            (
                "link core2: mode: vti is not supported on p3 (Cisco IOS-XE): Cisco documents the IOS-XE static VTI (tunnel "
                "mode ipsec ipv4) as IP-only: it carries IP packets, not MPLS labels (see "
                "https://www.cisco.com/c/en/us/td/docs/ios-xml/ios/sec_conn_vpnips/"
                "configuration/xe-16/sec-sec-for-vpns-w-ipsec-xe-16-book/sec-ipsec-virt-tunnl.html). "
                "Fix: use mode: gre_ipsec (GRE carries the labels, tunnel protection encrypts the GRE packets); VTI would have "
                "saved 4 bytes per 1500-byte packet (gre_ipsec/transport vs vti with 2 labels, computed by the MTU filter)."
            ),
        ],
        id='ipsec-mode-with-vti',
    ),
    pytest.param(
        [patched(CORE2, {"fail_closed": "maybe"})],
        [
            "link core2: fail_closed: must be true or false, got 'maybe'. Fix: set fail_closed: true or false.",
        ],
        id='bool-field',
    ),
    pytest.param(
        [patched(CORE2, {"tunnel": {"id": 20000}})],
        [
            'link core2: tunnel.id: 20000 is out of range. Fix: use a value from 1 to 15000.',
        ],
        id='tunnel-id-range',
    ),
    pytest.param(
        [CORE1, patched(CORE2, {"a": {"address": "192.0.2.0/31"}, "b": {"address": "192.0.2.1/31"}})],
        [
            (
                "link core2: a.address: 192.0.2.0/31 overlaps a.address 192.0.2.0/31 of link core1. Fix: give every tunnel and "
                "physical link its own subnet."
            ),
        ],
        id='same-physical-subnet',
    ),

]


@pytest.mark.parametrize(("links", "expected"), CASES)
def test_error_catalogue(links, expected):
    assert errors_of(links) == expected


@pytest.mark.parametrize("psk", ["short-secret-15", "has a space in it!!", "quote\"inside-the-key", "question?mark-in-the-key"])
def test_a_psk_is_never_echoed(psk):
    errors = errors_of([patched(CORE2, {"crypto": {"psk": psk}})])
    assert len(errors) == 1 and "crypto.psk" in errors[0]
    assert psk not in "\n".join(errors)


def test_a_psk_of_the_wrong_type_is_not_echoed():
    errors = errors_of([patched(CORE2, {"crypto": {"psk": 12345678901234567}})])
    assert errors == ["link core2: crypto.psk: must be a string, got int. Fix: set crypto.psk to a string."]


def test_all_errors_are_reported_at_once_grouped_by_link():
    bad = patched(CORE2, {"mode": "gre", "labels": 0, "crypto": {"psk": "short", "esp": {"encryption": "des"}},
                          "tunnel": {"ipv4": "198.51.100.4/32"}, "b": {"host": "p9"}})
    errors = errors_of([bad, patched(CORE1, {"carier_mtu": 1500})])
    assert errors == [
        "link core2: mode: unknown value 'gre'. Fix: did you mean 'gre_ipsec'? (allowed: gre_ipsec, vti, getvpn, macsec).",
        "link core2: crypto.esp.encryption: 'des' is refused as weak crypto: DES is broken (56-bit key; RFC 8221 MUST NOT). "
        "Fix: use aes-gcm-128, aes-gcm-256, aes-cbc-128, aes-cbc-256 (or leave crypto.esp.encryption out to take the preset's value).",
        "link core2: labels: 0 is out of range. Fix: use a value from 1 to 8.",
        "link core2: b.host: host 'p9' is not in the inventory. Fix: add it to the inventory or correct the name.",
        "link core2: tunnel.ipv4: 198.51.100.4/32 is too small: a /32 holds one address, a point-to-point tunnel needs two. "
        "Fix: use a /31 or /30 (e.g. 198.51.100.0/31).",
        "link core2: crypto.psk: is shorter than 16 characters. Fix: use a random key of at least 16 characters "
        "(e.g. openssl rand -base64 24) stored with ansible-vault.",
        "link core1: carier_mtu: unknown field. Fix: did you mean 'carrier_mtu'? (allowed: name, mode, ipsec_mode, crypto, "
        "carrier_mtu, labels, tunnel, macsec, igp, keep_clear_igp, fail_closed, a, b, getvpn).",
    ]


def test_the_filter_raises_one_ansible_error_with_every_message():
    with pytest.raises(AnsibleFilterError) as info:
        p2p_plan([patched(CORE2, {"crypto": {"psk": "tooshort"}}), patched(CORE1, {"labels": 9})], HOSTVARS)
    text = str(info.value)
    assert text.startswith("mplssec.p2p.p2p_plan: 2 error(s) in p2p_links:")
    assert "link core2: crypto.psk: is shorter than 16 characters." in text
    assert "link core1: labels: 9 is out of range. Fix: use a value from 1 to 8." in text
    assert "tooshort" not in text


def test_the_filter_needs_hostvars():
    with pytest.raises(AnsibleFilterError, match="the first argument must be hostvars"):
        p2p_plan([CORE1])


def test_groups_all_counts_as_inventory():
    hostvars = {k: v for k, v in HOSTVARS.items() if k != "p4"}
    assert errors_of([CORE2], hostvars) == [
        "link core2: b.host: host 'p4' is not in the inventory. Fix: add it to the inventory or correct the name."
    ]
    # a host listed in groups.all but without vars is in the inventory, it lacks the variables
    assert errors_of([CORE2], hostvars, {"all": sorted(HOSTVARS)}) == [
        "link core2: b.host: host 'p4' has no ansible_network_os. Fix: set ansible_network_os for p4 to one of "
        "cisco.ios.ios, junipernetworks.junos.junos.",
        "link core2: b.host: host 'p4' has no p2p_router_id (the loopback address LDP and the IGP use). "
        "Fix: set p2p_router_id in host_vars/p4 (e.g. 203.0.113.1).",
    ]


def test_no_secret_in_any_error_of_a_broken_inventory():
    links = [patched(CORE1, {"b": {"host": "nowhere"}}), patched(CORE2, {"tunnel": {"ipv4": "nonsense"}})]
    dump = json.dumps(errors_of(links))
    assert PSK_CORE1 not in dump and PSK_CORE2 not in dump


def test_unknown_keys_are_rejected_at_every_level():
    link = patched(CORE1, {"zzz": 1, "crypto": {"zzz": 1, "ike": {"zzz": 1}, "esp": {"zzz": 1}, "dpd": {"zzz": 1}},
                           "tunnel": {"zzz": 1}, "igp": {"zzz": 1}, "a": {"zzz": 1}, "b": {"zzz": 1}})
    fields = sorted(e.split(": ")[1] for e in errors_of([link]))
    assert fields == sorted(["zzz", "crypto.zzz", "crypto.ike.zzz", "crypto.esp.zzz", "crypto.dpd.zzz", "tunnel.zzz",
                             "igp.zzz", "a.zzz", "b.zzz"])


def test_delete_helper_really_deletes():
    assert "psk" not in patched(CORE2, {"crypto": {"psk": DELETE}})["crypto"]


JUNK = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 70000) | st.text(max_size=12) | st.sampled_from(
        ["198.51.100.0/31", "192.0.2.1/31", "p1", "p2", "tunnel", "aes-gcm-256", "ospf", "isis", "0.0.0.1", "2001:db8::/127"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(
        ["name", "mode", "ipsec_mode", "crypto", "psk", "ike", "esp", "dpd", "tunnel", "id", "ipv4", "ipv6", "ipsec_ipv4",
         "igp", "protocol", "area", "a", "b", "host", "interface", "address", "labels", "carrier_mtu", "zz"]), inner, max_size=4),
    max_leaves=12,
)
FIELDS = ["name", "mode", "ipsec_mode", "crypto", "carrier_mtu", "labels", "tunnel", "igp", "keep_clear_igp", "fail_closed", "a", "b"]


@settings(max_examples=150, deadline=None)
@given(base=st.sampled_from([CORE1, CORE2]), field=st.sampled_from(FIELDS), junk=JUNK, extra=st.booleans())
def test_junk_anywhere_is_a_validation_error_never_a_crash(base, field, junk, extra):
    link = dict(base)
    link[field] = junk
    links = [link, CORE2] if extra and base is CORE1 else [link]
    try:
        result = plan.build_plan(links, HOSTVARS)
    except plan.PlanValidationError as exc:
        assert exc.errors and all(m.startswith("link ") and ". Fix: " in m for m in exc.errors)
        assert PSK_CORE1 not in str(exc) and PSK_CORE2 not in str(exc)
    else:
        assert set(result) == {"hosts", "links", "warnings", "table", "modes", "mode_table"}


def test_router_id_must_be_an_ipv4_address():
    hostvars = dict(HOSTVARS, p3={"ansible_network_os": "cisco.ios.ios", "p2p_router_id": "Loopback0"})
    assert errors_of([CORE2], hostvars) == [
        "link core2: a.host: host 'p3' has p2p_router_id 'Loopback0', which is not an IPv4 address. "
        "Fix: set p2p_router_id for p3 to its loopback IPv4 address."
    ]


def test_a_host_problem_is_reported_once_per_link_end():
    hostvars = dict(HOSTVARS, p3={"p2p_router_id": "203.0.113.3"})
    core5 = patched(CORE1, {
        "name": "core5", "ipsec_mode": "transport",
        "tunnel": {"id": 500, "ipv4": "198.51.100.12/31", "ipsec_ipv4": DELETE, "ipv6": DELETE},
        "a": {"host": "p3", "interface": "GigabitEthernet5", "address": "192.0.2.30/31"},
        "b": {"host": "p4", "interface": "GigabitEthernet5", "address": "192.0.2.31/31"},
    })
    links = [CORE2, core5]
    assert errors_of(links, hostvars) == [
        "link core2: a.host: host 'p3' has no ansible_network_os. Fix: set ansible_network_os for p3 to one of cisco.ios.ios, "
        "junipernetworks.junos.junos.",
        "link core5: a.host: host 'p3' has no ansible_network_os. Fix: set ansible_network_os for p3 to one of cisco.ios.ios, "
        "junipernetworks.junos.junos.",
    ]


class _AnsibleTaggedStr(str):
    """Stands for ansible-core 2.19's tagged string (a str subclass carrying the value's origin)."""


class _AnsibleTaggedDict(dict):
    """Stands for ansible-core 2.19's tagged mapping."""


def test_type_errors_name_the_builtin_type_not_ansibles_classes():
    """Issue 8 section 4b: 'got str', never 'got _AnsibleTaggedStr'; the element is named by its position."""
    from ansible_collections.mplssec.p2p.plugins.plugin_utils import model

    assert model.type_name(_AnsibleTaggedStr("x")) == "str" and model.type_name(_AnsibleTaggedDict()) == "dict"
    with pytest.raises(plan.PlanValidationError) as err:
        plan.build_plan([_AnsibleTaggedStr("core1")], {})
    assert "link #1: must be a mapping (a link), got str." in str(err.value)
    with pytest.raises(plan.PlanValidationError) as err:
        plan.build_plan(_AnsibleTaggedDict(name="core1"), {})
    assert "p2p_links: must be a list of links, got dict." in str(err.value)
    assert "_Ansible" not in str(err.value)

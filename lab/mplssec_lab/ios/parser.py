"""IOS-XE configuration grammar (the subset the collection and the reference configs use).

Each mode has an ordered rule table; the position of a rule in its table is the canonical
order in which IOS prints that line in ``show running-config``.  Applying a line either sets a
"slot" (single-valued lines replace their previous value), adds a line (multi-valued), enters a
sub-mode (block objects), or with ``no`` removes exactly that line / the whole block.
"""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Callable, Optional

from . import grammar as g
from .config import Node

INVALID = "% Invalid input detected at '^' marker."
INCOMPLETE = "% Incomplete command."


class ConfigError(Exception):
    def __init__(self, message, pos=None):
        super().__init__(message)
        self.message = message
        self.pos = pos            # token index for a caret line (None: no caret)


@dataclass
class Rule:
    pattern: str
    key: object = None            # int n: first n canonical tokens; callable(canon)->str; None: full text
    enter: Optional[str] = None   # sub-mode entered (block object)
    default: tuple = ()           # canonical texts that are the default (hidden: setting removes the slot)
    merge: bool = False           # multi-value line (values accumulate)
    section: int = 0
    sort: Optional[Callable] = None
    iftypes: Optional[tuple] = None
    canon: Optional[Callable] = None
    check: Optional[Callable] = None   # (ctx, canon) -> error message or None
    trail: str = ""
    hidden: bool = False          # accepted, never stored
    special: Optional[str] = None
    seq: object = None            # compiled pattern
    rank: int = 0
    lead: int = 0

    def keyof(self, canon):
        if self.key is None:
            return " ".join(canon)
        if isinstance(self.key, int):
            return " ".join(canon[: self.key])
        return self.key(canon)


def _if_sort(canon):
    name = canon[1]
    r = g.split_ifname(name)
    order = {"Loopback": 0, "Port-channel": 1, "Tunnel": 2, "Vlan": 9}
    typ = r[0] if r else name
    nums = tuple(int(x) for x in re.findall(r"\d+", name))
    return (order.get(typ, 5), typ, nums)


# ------------------------------------------------------------------ canonicalisers / checks

PORTS = {"500": "isakmp", "4500": "non500-isakmp", "53": "domain", "123": "ntp", "22": "22",
         "69": "tftp", "179": "bgp", "161": "snmp", "80": "www", "23": "telnet"}
PROTOS = {"50": "esp", "47": "gre", "51": "ahp", "17": "udp", "6": "tcp", "89": "ospf", "1": "icmp",
          "103": "pim", "4": "ipinip"}


def _canon_ace(canon):
    c = list(canon)
    # [seq] action proto ...
    i = 1 if c[0].isdigit() else 0
    if c[i] == "remark":
        return c
    if c[i + 1] in PROTOS:
        c[i + 1] = PROTOS[c[i + 1]]
    out = c[: i + 2]
    j = i + 2
    while j < len(c):
        t = c[j]
        if t in ("eq", "gt", "lt", "neq") and j + 1 < len(c):
            out += [t, PORTS.get(c[j + 1], c[j + 1])]
            j += 2
        elif re.fullmatch(r"[\d.]+", t) and j + 1 < len(c) and c[j + 1] == "0.0.0.0":
            out += ["host", t]
            j += 2
        else:
            out.append(t)
            j += 1
    return out


def _canon_mask(canon):
    # "match identity remote address A" -> add /32 mask like IOS shows it
    if len(canon) == 5:
        return canon + ["255.255.255.255"]
    return canon


def _canon_encr(canon):
    return ["encr"] + canon[1:]


def _check_ip_address(ctx, canon):
    addr, mask = canon[2], canon[3]
    try:
        ipaddress.IPv4Network(f"0.0.0.0/{mask}")
    except ValueError:
        m = int(ipaddress.IPv4Address(mask))
        return f"Bad mask 0x{m:X} for address {addr}"
    return None


def _check_ip_mtu(ctx, canon):
    n = int(canon[2])
    node = ctx.node if ctx else None
    if node is not None and node.text.startswith("interface GigabitEthernet"):
        mtu = node.line("mtu")
        hi = int(mtu.tokens()[1]) if mtu else 1500
        if n > hi:
            return INVALID + "@2"
    return None


def _check_interface(ctx, canon):
    name = canon[1]
    typ = g.split_ifname(name)[0]
    if typ in ("Tunnel", "Loopback", "Port-channel", "Vlan", "Virtual-Template"):
        return None
    if ctx is not None and name not in ctx.hardware:
        return INVALID + "@1"
    return None


def _check_no_interface(ctx, canon):
    typ = g.split_ifname(canon[1])[0]
    if typ not in ("Tunnel", "Loopback", "Port-channel", "Vlan", "Virtual-Template"):
        return "% Removal of physical interfaces is not permitted"
    return None


# ------------------------------------------------------------------ rule tables

ENC2 = "{aes-cbc-128|aes-cbc-192|aes-cbc-256|aes-gcm-128|aes-gcm-256|3des|des}"
INT2 = "{md5|sha1|sha256|sha384|sha512}"
GRP = "{1|2|5|14|15|16|19|20|21|24}"
ESP_ENC = "{esp-gcm [{128|192|256}]|esp-gmac [{128|192|256}]|esp-aes [{128|192|256}]|esp-3des|esp-des|esp-null}"
ESP_AUTH = "[{esp-sha-hmac|esp-sha256-hmac|esp-sha384-hmac|esp-sha512-hmac|esp-md5-hmac}]"
PFS = "{group1|group2|group5|group14|group15|group16|group19|group20|group21|group24}"
ACL_ADDR = "{any|host A.B.C.D|A.B.C.D A.B.C.D}"
ACL_PORT = ("[{eq|gt|lt|neq} {<0-65535>|isakmp|non500-isakmp|domain|ntp|tftp|bgp|snmp|www|telnet|"
            "bootps|bootpc}]")
ACL_PROTO = "{ip|udp|tcp|esp|gre|ahp|icmp|ospf|pim|<0-255>}"
IF_ANY = ("Tunnel",)

S = {  # section numbers for `!` separators between top-level leaf lines
    "head": 1, "host": 2, "boot": 3, "misc": 4, "ip": 5, "login": 6, "sub": 7, "multi": 8,
    "lic": 9, "file": 10, "stp": 11, "user": 12, "cry": 13, "cryipsec": 14, "ipfwd": 15,
    "route": 16, "mpls": 17,
}


def _r(pattern, **kw):
    return Rule(pattern, **kw)


MODES: dict = {
    "config": [
        _r("version WORD", hidden=True),
        _r("service timestamps {debug|log} datetime msec", key=3, section=S["head"]),
        _r("service password-encryption", section=S["head"]),
        _r("service call-home", section=S["head"]),
        _r("platform qfp utilization monitor load <1-100>", key=2, section=S["head"]),
        _r("platform punt-keepalive disable-kernel-core", section=S["head"]),
        _r("platform console {virtual|serial}", key=2, section=S["head"]),
        _r("hostname WORD", key=1, section=S["host"]),
        _r("boot-start-marker", section=S["boot"]),
        _r("boot-end-marker", section=S["boot"]),
        _r("no logging console", key=lambda c: "logging console", section=S["misc"]),
        _r("logging console", key=1, default=("logging console",), section=S["misc"]),
        _r("enable secret [{0|5|8|9}] WORD", key=2, section=S["misc"]),
        _r("no aaa new-model", key=lambda c: "aaa new-model", section=S["misc"]),
        _r("aaa new-model", key=2, section=S["misc"]),
        _r("ip domain name WORD", key=3, section=S["ip"]),
        _r("no ip domain lookup", key=lambda c: "ip domain lookup", section=S["ip"]),
        _r("ip domain lookup", key=3, default=("ip domain lookup",), section=S["ip"]),
        _r("login on-success log", section=S["login"]),
        _r("ipv6 unicast-routing", section=S["login"]),
        _r("subscriber templating", section=S["sub"]),
        _r("mpls label protocol ldp", hidden=True),
        _r("multilink bundle-name authenticated", section=S["multi"]),
        _r("crypto pki trustpoint WORD", key=4, enter="pki-tp", section=S["multi"]),
        # Cisco "Certificate to ISAKMP Profile Mapping" / IKEv2 "match certificate": crypto pki certificate map
        # LABEL SEQ, then FIELD eq|ne|co|nc VALUE lines (ios/README.md "PKI")
        _r("crypto pki certificate map WORD <1-65535>", key=6, enter="pki-cert-map", section=S["multi"]),
        _r("license udi pid WORD sn WORD", key=2, section=S["lic"]),
        _r("license boot level WORD", key=3, section=S["lic"]),
        _r("diagnostic bootup level {minimal|complete}", key=3, section=S["lic"]),
        _r("memory free low-watermark processor <0-4294967295>", key=4, section=S["lic"]),
        _r("file prompt {quiet|noisy|alert}", key=2, default=("file prompt alert",), section=S["file"]),
        _r("archive", key=1, enter="archive", section=S["file"]),
        _r("spanning-tree extend system-id", section=S["stp"]),
        _r("username WORD privilege <0-15> {secret|password} [{0|5|7|8|9}] WORD", key=2, section=S["user"]),
        _r("redundancy", enter="redundancy", section=S["user"]),
        _r("key chain WORD macsec", key=3, enter="keychain-macsec", section=S["user"]),
        _r("mka policy WORD", key=3, enter="mka-policy", section=S["user"]),
        _r("crypto gdoi group [ipv6] WORD", key=lambda c: "crypto gdoi group " + c[-1], enter="gdoi-group",
           section=S["cry"]),
        _r("crypto ikev2 proposal WORD", key=4, enter="ikev2-proposal", section=S["cry"]),
        _r("crypto ikev2 policy WORD", key=4, enter="ikev2-policy", section=S["cry"]),
        _r("crypto ikev2 keyring WORD", key=4, enter="ikev2-keyring", section=S["cry"]),
        _r("crypto ikev2 profile WORD", key=4, enter="ikev2-profile", section=S["cry"]),
        _r("crypto keyring WORD", key=3, enter="keyring", section=S["cry"]),
        _r("crypto isakmp policy <1-10000>", key=4, enter="isakmp", section=S["cry"],
           sort=lambda c: int(c[3])),
        _r("crypto isakmp key [{0|6}] WORD address A.B.C.D [A.B.C.D] [no-xauth]",
           key=lambda c: "crypto isakmp key address " + c[c.index("address") + 1], section=S["cry"]),
        _r("crypto isakmp keepalive <10-3600> [<2-60>] [{on-demand|periodic}]", key=3, section=S["cry"]),
        _r("crypto isakmp profile WORD", key=4, enter="isa-prof", section=S["cry"]),
        _r("crypto ipsec security-association lifetime {seconds <120-2592000>|kilobytes <2560-4294967295>}",
           key=5, default=("crypto ipsec security-association lifetime seconds 3600",), section=S["cryipsec"]),
        _r("crypto ipsec security-association replay {window-size [{64|128|256|512|1024}]|disable}", key=4,
           section=S["cryipsec"]),
        _r("crypto ipsec transform-set WORD " + ESP_ENC + " " + ESP_AUTH, key=4, enter="crypto-trans",
           section=S["cryipsec"], trail=" "),
        _r("crypto ipsec df-bit {clear|set|copy}", key=3, default=("crypto ipsec df-bit copy",),
           section=S["cryipsec"]),
        _r("crypto ipsec fragmentation {before-encryption|after-encryption}", key=3,
           default=("crypto ipsec fragmentation before-encryption",), section=S["cryipsec"]),
        _r("crypto ipsec profile WORD", key=4, enter="ipsec-profile", section=S["cryipsec"]),
        _r("crypto dynamic-map WORD <1-65535>", key=4, enter="crypto-map", section=S["cryipsec"]),
        _r("crypto map WORD local-address IFNAME", key=lambda c: "crypto map %s local-address" % c[2],
           section=S["cryipsec"]),
        _r("crypto map WORD <1-65535> {ipsec-isakmp dynamic WORD}", key=4, section=S["cryipsec"]),
        _r("crypto map WORD <1-65535> {ipsec-isakmp|gdoi|ipsec-manual}", key=4, enter="crypto-map",
           section=S["cryipsec"]),
        _r("interface IFNAME", key=2, enter="if", sort=_if_sort, check=_check_interface),
        _r("router ospf <1-65535>", key=3, enter="router", sort=lambda c: int(c[2])),
        _r("router isis [WORD]", key=None, enter="router-isis"),
        _r("ip forward-protocol nd", section=S["ipfwd"]),
        _r("no ip http server", key=lambda c: "ip http server", section=S["ipfwd"]),
        _r("ip http server", key=3, section=S["ipfwd"]),
        _r("no ip http secure-server", key=lambda c: "ip http secure-server", section=S["ipfwd"]),
        _r("ip http secure-server", key=3, section=S["ipfwd"]),
        _r("ip ssh version 2", key=2, section=S["ipfwd"]),
        _r("ip route A.B.C.D A.B.C.D {A.B.C.D|IFNAME} [<1-255>]", key=4, section=S["route"]),
        _r("ip access-list extended WORD", key=4, enter="ext-nacl"),
        _r("mpls ldp router-id IFNAME [force]", key=3, section=S["mpls"]),
        _r("control-plane", enter="control-plane"),
        _r("line con 0", key=3, enter="line"),
        _r("line vty <0-1869> [<0-1869>]", key=None, enter="line"),
    ],
    "if": [
        _r("description LINE", key=1),
        _r("mtu <64-9216>", key=1, check=lambda ctx, c: _check_mtu(ctx, c)),
        _r("ip address A.B.C.D A.B.C.D", key=2, check=_check_ip_address),
        _r("no ip address", key=lambda c: "ip address"),
        _r("ip access-group WORD in", key=lambda c: "ip access-group in"),
        _r("ip access-group WORD out", key=lambda c: "ip access-group out"),
        _r("ip mtu <68-9976>", key=2, check=_check_ip_mtu),
        _r("ip virtual-reassembly", key=2),
        _r("ip tcp adjust-mss <500-1460>", key=3),
        _r("ip router isis [WORD]", key=3),
        _r("ip ospf network {point-to-point|broadcast|non-broadcast|point-to-multipoint}", key=3),
        _r("ip ospf <1-65535> area {<0-4294967295>|A.B.C.D}", key=lambda c: "ip ospf area"),
        _r("ip ospf cost <1-65535>", key=3),
        _r("ip ospf hello-interval <1-65535>", key=3),
        _r("ip ospf dead-interval <1-65535>", key=3),
        _r("shutdown", key=1),
        _r("ipv6 address X:X:X:X::X/<0-128>"),
        _r("ipv6 enable", key=2),
        _r("negotiation auto", key=2, iftypes=("GigabitEthernet", "TenGigabitEthernet")),
        _r("mpls ip", key=2),
        _r("mpls mtu [override] <64-65536>", key=2),
        _r("isis network point-to-point", key=2),
        _r("isis metric <1-16777214> [{level-1|level-2}]", key=2),
        _r("crypto map WORD", key=2),
        # WAN MACsec (Cisco MACsec and MKA Configuration Guide, IOS XE 17, "WAN MACsec and MKA Support
        # Enhancements"): refused on ports without MACsec (C8000V: lab decision, lab/mplssec_lab/ios/README.md)
        _r("macsec network-link", key=2, check=lambda ctx, c: _check_macsec(ctx, c)),
        _r("macsec dot1q-in-clear <1-1>", key=2, check=lambda ctx, c: _check_macsec(ctx, c)),
        _r("macsec replay-protection window-size <0-4294967295>", key=2, check=lambda ctx, c: _check_macsec(ctx, c)),
        _r("macsec access-control {must-secure|should-secure}", key=2, default=("macsec access-control should-secure",),
           check=lambda ctx, c: _check_macsec(ctx, c)),
        _r("mka policy WORD", key=2, check=lambda ctx, c: _check_macsec(ctx, c)),
        _r("mka pre-shared-key key-chain WORD", key=2, check=lambda ctx, c: _check_macsec(ctx, c)),
        _r("eapol destination-address {bridge-group-address|broadcast-address|lldp-multicast-address|WORD}", key=2,
           check=lambda ctx, c: _check_macsec(ctx, c) or _check_hhh(c)),
        _r("eapol eth-type WORD", key=2, default=("eapol eth-type 888E",), check=lambda ctx, c: _check_macsec(ctx, c)),
        _r("tunnel source {IFNAME|A.B.C.D}", key=2, iftypes=IF_ANY),
        _r("tunnel mode {gre ip|gre multipoint|gre ipv6|ipsec ipv4|ipsec ipv6|ipip}", key=2,
           default=("tunnel mode gre ip",), iftypes=IF_ANY),
        _r("tunnel destination {A.B.C.D|WORD}", key=2, iftypes=IF_ANY),
        _r("tunnel key <0-4294967295>", key=2, iftypes=IF_ANY),
        _r("tunnel path-mtu-discovery", key=2, iftypes=IF_ANY),
        _r("tunnel protection ipsec profile WORD [shared]", key=2, iftypes=IF_ANY),
        _r("no mop enabled", key=lambda c: "mop enabled", iftypes=("GigabitEthernet",)),
        _r("no mop sysid", key=lambda c: "mop sysid", iftypes=("GigabitEthernet",)),
    ],
    "ikev2-proposal": [
        _r("encryption " + ENC2 + "...", key=1, merge=True),
        _r("integrity " + INT2 + "...", key=1, merge=True),
        _r("prf " + INT2 + "...", key=1, merge=True),
        _r("group " + GRP + "...", key=1, merge=True),
    ],
    "ikev2-policy": [
        _r("match fvrf {any|WORD}", key=2),
        _r("match address local A.B.C.D"),
        _r("proposal WORD"),
    ],
    "ikev2-keyring": [
        _r("peer WORD", key=2, enter="ikev2-keyring-peer"),
    ],
    "ikev2-keyring-peer": [
        _r("description LINE", key=1),
        _r("address A.B.C.D [A.B.C.D]", key=1),
        _r("hostname WORD", key=1),
        _r("identity {address A.B.C.D|fqdn WORD|email WORD|key-id WORD}", key=1),
        _r("pre-shared-key [{local|remote}] [{0|6}] WORD",
           key=lambda c: "pre-shared-key" + ("" if c[1] not in ("local", "remote") else " " + c[1]),
           canon=lambda c: [t for i, t in enumerate(c) if not (t == "0" and i < len(c) - 1)]),
    ],
    "ikev2-profile": [
        _r("description LINE", key=1),
        _r("match fvrf {any|WORD}", key=2),
        _r("match address local {A.B.C.D|interface IFNAME}", key=3),
        _r("match identity remote {address A.B.C.D [A.B.C.D]|any|fqdn [domain] WORD|email [domain] WORD}",
           canon=lambda c: _canon_mask(c) if c[3] == "address" else c),
        _r("match certificate WORD"),
        _r("identity local {address A.B.C.D|fqdn WORD|email WORD|key-id WORD|dn}", key=2),
        _r("authentication remote {pre-share|rsa-sig|ecdsa-sig}"),
        _r("authentication local {pre-share|rsa-sig|ecdsa-sig}", key=2),
        _r("keyring local WORD", key=2),
        _r("pki trustpoint WORD [{sign|verify}]"),
        _r("lifetime <120-86400>", key=1, default=("lifetime 86400",)),
        _r("dpd <10-3600> <2-60> {on-demand|periodic}", key=1),
        _r("nat keepalive <5-3600>", key=2),
    ],
    "crypto-trans": [
        # 'mode transport require': transport only, no fallback to tunnel (ios/README.md, issue 8 section 5)
        _r("mode {tunnel|transport [require]}", key=1, default=("mode tunnel",)),
    ],
    "ipsec-profile": [
        _r("description LINE", key=1),
        # show order of real IOS-XE: kilobytes before seconds (public CSR1000v/C8000V running configs)
        _r("set security-association lifetime kilobytes {<2560-4294967295>|disable}", key=4),
        _r("set security-association lifetime seconds <120-2592000>", key=4,
           default=("set security-association lifetime seconds 3600",)),
        _r("set security-association replay {window-size [{64|128|256|512|1024}]|disable}", key=3),
        _r("set transform-set WORD...", key=2, trail=" "),
        _r("set pfs " + PFS, key=2),
        _r("set ikev2-profile WORD", key=2),
        _r("set isakmp-profile WORD", key=2),
    ],
    "crypto-map": [
        _r("description LINE", key=1),
        _r("set peer A.B.C.D"),
        _r("set group WORD", key=2),
        _r("set security-association lifetime seconds <120-2592000>", key=4),
        _r("set transform-set WORD...", key=2, trail=" "),
        _r("set pfs " + PFS, key=2),
        _r("set ikev2-profile WORD", key=2),
        _r("set isakmp-profile WORD", key=2),
        _r("match address WORD", key=2),
    ],
    "isakmp": [
        _r("{encr|encryption} {des|3des|aes [{128|192|256}]}", key=lambda c: "encr", canon=_canon_encr,
           default=("encr des",)),
        _r("hash {sha|sha256|sha384|sha512|md5}", key=1, default=("hash sha",)),
        _r("authentication {pre-share|rsa-sig|rsa-encr|ecdsa-sig}", key=1, default=("authentication rsa-sig",)),
        _r("group " + GRP, key=1, default=("group 1",)),
        _r("lifetime <60-86400>", key=1, default=("lifetime 86400",)),
    ],
    "keyring": [
        _r("local-address {IFNAME|A.B.C.D}", key=1),
        _r("pre-shared-key address A.B.C.D [A.B.C.D] key LINE", key=3),
    ],
    "isa-prof": [
        _r("keyring WORD"),
        _r("self-identity {A.B.C.D|address|fqdn|user-fqdn WORD}", key=1),
        _r("match identity address A.B.C.D [A.B.C.D] [WORD]"),
        _r("keepalive <10-3600> retry <2-60>", key=1),
        _r("local-address {IFNAME|A.B.C.D}", key=1),
    ],
    # GET VPN (Cisco GET VPN Configuration Guide, IOS XE 17: "Configuring a Key Server", "Configuring a Group Member";
    # Cisco IOS Security Command Reference: crypto gdoi group, server local, rekey, sa ipsec, replay, redundancy;
    # prompts (config-gkm-group) / (gkm-local-server) / (gkm-sa-ipsec) from published device transcripts)
    "gdoi-group": [
        _r("identity number <0-4294967295>", key=2),
        _r("server address ipv4 A.B.C.D"),
        _r("server local", key=2, enter="gdoi-server"),
        _r("client registration interface IFNAME", key=3),
    ],
    "gdoi-server": [
        _r("rekey algorithm {aes 128|aes 192|aes 256|3des-cbc|des-cbc}", key=2),
        _r("rekey lifetime seconds <300-86400>", key=2, default=("rekey lifetime seconds 86400",)),
        _r("rekey retransmit <10-60> number <1-10>", key=2),
        _r("rekey authentication mypubkey rsa WORD", key=2),
        _r("rekey transport unicast", key=2),
        _r("sa ipsec <1-65535>", key=3, enter="gdoi-sa"),
        _r("address ipv4 A.B.C.D", key=2),
        _r("redundancy", key=1, enter="gdoi-coop"),
    ],
    "gdoi-sa": [
        _r("profile WORD", key=1),
        _r("match address ipv4 WORD", key=2),
        _r("no replay", key=lambda c: "replay"),
        _r("replay {counter window-size <1-1024>|time window-size <1-100>}", key=1),
    ],
    "gdoi-coop": [
        _r("local priority <1-255>", key=2),
        _r("peer address ipv4 A.B.C.D"),
    ],
    "router": [
        _r("router-id A.B.C.D", key=1),
        _r("log-adjacency-changes [detail]", key=1, default=("log-adjacency-changes",)),
        _r("passive-interface default", key=2),
        _r("passive-interface IFNAME"),
        _r("network A.B.C.D A.B.C.D area {<0-4294967295>|A.B.C.D}", key=3),
        _r("mpls ldp autoconfig [area {<0-4294967295>|A.B.C.D}]", key=3),
    ],
    "router-isis": [
        _r("net WORD"),
        _r("is-type {level-1|level-1-2|level-2-only}", key=1, default=("is-type level-1-2",)),
        _r("metric-style {wide|narrow|transition}", key=1, default=("metric-style narrow",)),
        _r("log-adjacency-changes", key=1),
        _r("passive-interface IFNAME"),
        _r("mpls ldp autoconfig", key=3),
    ],
    "ext-nacl": [
        _r("[<1-2147483647>] remark LINE", special="ace"),
        _r("[<1-2147483647>] {permit|deny} " + ACL_PROTO + " " + ACL_ADDR + " " + ACL_PORT + " " + ACL_ADDR + " "
           + ACL_PORT + " [log]", special="ace", canon=_canon_ace),
    ],
    "archive": [
        _r("log config", key=2, hidden=True),
        _r("path WORD", key=1),
        _r("maximum <1-14>", key=1),
        _r("write-memory", key=1),
        _r("time-period <1-525600>", key=1),
    ],
    "line": [
        _r("exec-timeout <0-35791> [<0-2147483>]", key=1),
        _r("privilege level <0-15>", key=2),
        _r("logging synchronous", key=2),
        _r("stopbits {1|1.5|2}", key=1),
        _r("login [local]", key=1),
        _r("transport input {ssh|telnet|all|none}...", key=2),
    ],
    "redundancy": [],
    "control-plane": [],
    "pki-cert-map": [
        # IOS stores and shows the value in lower case
        _r("{subject-name|issuer-name|alt-subject-name|unstructured-subject-name|name} {eq|ne|co|nc} LINE",
           canon=lambda c: c[:2] + [t.lower() for t in c[2:]]),
    ],
    "pki-tp": [
        _r("enrollment {selfsigned|terminal|url WORD}", key=1),
        _r("subject-name LINE", key=1),
        _r("revocation-check {none|crl|ocsp}...", key=1),
        _r("rsakeypair WORD", key=1),
    ],
    "keychain-macsec": [
        _r("key WORD", key=2, enter="keychain-macsec-key", check=lambda ctx, c: _check_ckn(c)),
    ],
    "keychain-macsec-key": [
        _r("cryptographic-algorithm {aes-128-cmac|aes-256-cmac}", key=1),
        # shown encrypted (type 7) like IOS-XE does for a MACsec key chain; type 6 (AES master key) kept as given
        _r("key-string [{0|6|7}] WORD", key=1, canon=lambda c: _canon_key_string(c)),
        _r("lifetime local LINE", key=1),
    ],
    "mka-policy": [
        _r("key-server priority <0-255>", key=2, default=("key-server priority 0",)),
        _r("macsec-cipher-suite {gcm-aes-128|gcm-aes-256|gcm-aes-xpn-128|gcm-aes-xpn-256}...", key=1),
        _r("confidentiality-offset {0|30|50}", key=1, default=("confidentiality-offset 0",)),
        _r("sak-rekey {interval <30-65535>|on-live-peer-loss}", key=lambda c: " ".join(c[:2])),
        _r("include-icv-indicator", key=1),
        _r("send-secure-announcements", key=1),
    ],
}


def _check_macsec(ctx, canon):
    """The interface commands of WAN MACsec exist only on MACsec-capable ports (ctx.macsec: None = not checked)."""
    node = ctx.node if ctx else None
    if ctx is None or ctx.macsec is None or node is None or not node.text.startswith("interface "):
        return None
    if node.tokens()[1] not in ctx.macsec:
        return INVALID + "@0"
    return None


def _check_hhh(canon):
    v = canon[2]
    if v.endswith("-address") or re.fullmatch(r"[0-9a-fA-F]{1,4}\.[0-9a-fA-F]{1,4}\.[0-9a-fA-F]{1,4}", v):
        return None
    return INVALID + "@2"


def _check_ckn(canon):
    """MACsec key chain key id = the CKN: an even number of hex digits, at most 64."""
    v = canon[1]
    if re.fullmatch(r"(?:[0-9a-fA-F]{2}){1,32}", v):
        return None
    return INVALID + "@1"


def _canon_key_string(canon):
    from .type7 import encode
    if len(canon) == 3 and canon[1] in ("6", "7"):
        return canon
    return ["key-string", "7", encode(canon[-1])]


def _check_mtu(ctx, canon):
    node = ctx.node if ctx else None
    n = int(canon[1])
    if node is not None and node.text.startswith("interface GigabitEthernet") and n < 1500:
        return INVALID + "@1"
    return None


PROMPTS = {
    "config": "(config)", "if": "(config-if)", "ikev2-proposal": "(config-ikev2-proposal)",
    "ikev2-policy": "(config-ikev2-policy)", "ikev2-keyring": "(config-ikev2-keyring)",
    "ikev2-keyring-peer": "(config-ikev2-keyring-peer)", "ikev2-profile": "(config-ikev2-profile)",
    "crypto-trans": "(cfg-crypto-trans)", "ipsec-profile": "(ipsec-profile)", "crypto-map": "(config-crypto-map)",
    "isakmp": "(config-isakmp)", "keyring": "(conf-keyring)", "isa-prof": "(conf-isa-prof)",
    "gdoi-group": "(config-gkm-group)", "gdoi-server": "(gkm-local-server)", "gdoi-sa": "(gkm-sa-ipsec)",
    "gdoi-coop": "(gdoi-coop-ks-config)", "router": "(config-router)", "router-isis": "(config-router)",
    "ext-nacl": "(config-ext-nacl)", "archive": "(config-archive)", "line": "(config-line)",
    "redundancy": "(config-red)", "control-plane": "(config-cp)", "pki-tp": "(ca-trustpoint)",
    "pki-cert-map": "(ca-certificate-map)",
    "keychain-macsec": "(config-keychain-macsec)", "keychain-macsec-key": "(config-keychain-macsec-key)",
    "mka-policy": "(config-mka-policy)",
}

for _mode, _rules in MODES.items():
    for _i, _rule in enumerate(_rules):
        _rule.seq = g.compile_pattern(_rule.pattern)
        _rule.rank = _i
        lead = 0
        for it in _rule.seq.items:
            if isinstance(it, g.Kw):
                lead += 1
            else:
                break
        _rule.lead = lead


# ------------------------------------------------------------------ applying lines


class Ctx:
    """Where a line is applied: the config root, the current block path and the device hardware."""

    def __init__(self, root: Node, hardware=(), path=None, macsec=None):
        self.root = root
        self.hardware = set(hardware)
        self.macsec = None if macsec is None else set(macsec)   # MACsec-capable interfaces (None: not checked)
        self.path = path or [root]      # [root, block, sub-block]

    @property
    def node(self):
        return self.path[-1]

    def mode(self, node=None):
        node = node or self.node
        return "config" if node is self.root else node.mode


def _rules_for(mode, node):
    rules = MODES.get(mode, [])
    if mode == "if" and node is not None:
        typ = g.split_ifname(node.text.split()[1])[0]
        rules = [r for r in rules if r.iftypes is None or typ in r.iftypes]
    return rules


def _try(mode, node, tokens, allow_prefix=False):
    rules = _rules_for(mode, node)
    return g.match([(r, r.seq) for r in rules], tokens, allow_prefix=allow_prefix)


class Result:
    def __init__(self, changed=False, entered=None, warn=None):
        self.changed = changed
        self.entered = entered
        self.warn = warn


def apply_line(ctx: Ctx, line: str) -> Result:
    """Apply one configuration line at ctx (mutates ctx.path).  Raises ConfigError (ctx unchanged)."""
    saved = list(ctx.path)
    try:
        return _apply_line(ctx, line)
    except ConfigError:
        ctx.path[:] = saved
        raise


#: keywords typed in a submode that belong to its parent although they abbreviate a command of the submode: IOS's
#: own running configuration lists a key chain's keys one after the other (" key 1000" ... " key 2000" under one
#: ``key chain``) and loads back unchanged, so " key 2000" after a key's lines starts the next key, it is not
#: ``key-string 2000`` (docs/lab.md "MACsec", MKA key chain)
PARENT_KEYWORDS = {"keychain-macsec-key": ("key",)}


def _apply_line(ctx: Ctx, line: str) -> Result:
    toks = [t for t, _ in g.tokenize(line)]
    if not toks or toks[0].startswith("!"):
        return Result()
    negate = False
    if toks[0].lower() == "no" and len(toks) >= 1:
        negate = True
    # try the innermost mode first, then the parents (IOS mode fall-through)
    first_err = None
    for depth in range(len(ctx.path) - 1, -1, -1):
        node = ctx.path[depth]
        mode = ctx.mode(node)
        if toks[negate and len(toks) > 1] in PARENT_KEYWORDS.get(mode, ()):
            continue
        res = _try(mode, node, toks)
        if not isinstance(res, g.Error):
            rule, m = res
            del ctx.path[depth + 1:]
            return _apply_rule(ctx, rule, m, negate=False)
        if negate:
            if len(toks) == 1:
                res2 = g.Error("incomplete", 1)
            else:
                res2 = _try(mode, node, toks[1:], allow_prefix=True)
            if not isinstance(res2, g.Error):
                rule, m = res2
                del ctx.path[depth + 1:]
                return _apply_rule(ctx, rule, m, negate=True)
            res2 = g.Error(res2.kind, res2.pos + 1 if res2.kind != "incomplete" else res2.pos)
            if res.kind == "invalid" and res.pos == 0:
                res = res2
        if first_err is None or (res.kind != "invalid" and first_err.kind == "invalid") or (
                res.kind == first_err.kind == "invalid" and res.pos > first_err.pos):
            first_err = res
    err = first_err
    if err.kind == "incomplete":
        raise ConfigError(INCOMPLETE)
    if err.kind == "ambiguous":
        raise ConfigError('%% Ambiguous command:  "%s"' % line.strip())
    raise ConfigError(INVALID, err.pos)


def _apply_rule(ctx: Ctx, rule: Rule, m: g.Match, negate: bool) -> Result:
    parent = ctx.node
    canon = list(m.canon)
    partial = bool(canon) and canon[-1] is None
    if partial:
        canon = canon[:-1]
    if rule.canon and not partial:
        canon = rule.canon(canon)
    if rule.check and not negate:
        err = rule.check(ctx, canon)
        if err:
            if "@" in err:
                msg, pos = err.rsplit("@", 1)
                raise ConfigError(msg, int(pos))
            raise ConfigError(err)
    if not negate and not partial:
        _check_ifrefs(ctx, rule, m)
    if rule.hidden:
        return Result()
    if rule.special == "ace":
        return _apply_ace(ctx, rule, canon, negate, partial)
    if negate:
        if rule.check is _check_interface and not partial:
            err = _check_no_interface(ctx, canon)
            if err:
                raise ConfigError(err)
        if partial:
            if len(canon) < max(rule.lead, 1):
                raise ConfigError(INCOMPLETE)
            prefix = " ".join(canon)
            # the lines of this rule the prefix names, and the object the prefix is the key of whichever variant of
            # its command made it (IOS "no crypto map NAME SEQ" deletes the entry, ipsec-isakmp or gdoi alike)
            victims = [k for k, n in parent.children.items()
                       if (n.rule is rule and (n.text.rstrip() == prefix or n.text.startswith(prefix + " ")))
                       or n.key == prefix]
        else:
            key = rule.keyof(canon)
            victims = [key] if key in parent.children else []
            if rule.merge and victims:
                node = parent.children[key]
                vals = [v for v in node.tokens()[1:] if v not in canon[1:]]
                if vals:
                    node.text = canon[0] + " " + " ".join(vals)
                    return Result(changed=True)
        for k in victims:
            del parent.children[k]
        return Result(changed=bool(victims))
    if partial:
        raise ConfigError(INCOMPLETE)
    text = " ".join(canon) + rule.trail
    key = rule.keyof(canon)
    if text.rstrip() in rule.default:
        existed = key in parent.children
        if existed:
            del parent.children[key]
        return Result(changed=existed)
    existing = parent.children.get(key)
    if rule.merge and existing is not None:
        vals = existing.tokens()[1:]
        for v in canon[1:]:
            if v not in vals:
                vals.append(v)
        text = canon[0] + " " + " ".join(vals)
    changed = existing is None or existing.text != text
    if existing is None:
        node = Node(text, key, rule.rank, rule.sort(canon) if rule.sort else (), rule.enter, rule.section, rule)
        parent.children[key] = node
        if rule.enter == "if" and g.split_ifname(canon[1])[0] in ("Tunnel", "Loopback"):
            r = MODES["if"][3]      # "no ip address": how IOS shows a new virtual interface
            node.children["ip address"] = Node("no ip address", "ip address", r.rank, (), None, 0, r)
    else:
        node = existing
        node.text = text
    _auto_create(ctx, canon)
    if rule.enter:
        ctx.path.append(node)
        return Result(changed=changed, entered=rule.enter)
    return Result(changed=changed)


def _auto_create(ctx, canon):
    """IOS creates the routing process an interface command refers to (ip ospf P area A, ip router isis)."""
    root = ctx.root
    line = None
    if canon[:2] == ["ip", "ospf"] and len(canon) > 3 and canon[3] == "area":
        line = "router ospf " + canon[2]
    elif canon[:3] == ["ip", "router", "isis"]:
        line = "router isis" + ("" if len(canon) == 3 else " " + canon[3])
    if line is None:
        return
    for r in MODES["config"]:
        if r.enter in ("router", "router-isis"):
            m = g.match([(r, r.seq)], line.split())
            if not isinstance(m, g.Error):
                key = r.keyof(m[1].canon)
                if key not in root.children:
                    root.children[key] = Node(" ".join(m[1].canon), key, r.rank,
                                              r.sort(m[1].canon) if r.sort else (), r.enter, r.section, r)
                return


VIRTUAL = ("Tunnel", "Loopback", "Port-channel", "Vlan", "Virtual-Template", "Virtual-Access", "Null")


def _check_ifrefs(ctx, rule, m):
    """A reference to a physical interface this router does not have is refused like IOS does."""
    if rule.check is _check_interface or not ctx.hardware:
        return
    for val in m.params:
        r = g.split_ifname(val) if isinstance(val, str) else None
        if not r or r[0] is None or r[1] is None or r[0] in VIRTUAL or r[0] + r[1] != val:
            continue
        if val not in ctx.hardware:
            raise ConfigError(INVALID, len(m.canon) - 1 - m.canon[::-1].index(val))


PROPOSAL_MSG = ("IKEv2 proposal MUST either have a set of an encryption algorithm other than aes-gcm, an integrity "
                "algorithm and a DH group configured or \n encryption algorithm aes-gcm, a prf algorithm and a DH "
                "group configured")


def validate_on_exit(node):
    """The warning IOS prints when leaving an incomplete IKEv2 proposal (the proposal is kept, unusable)."""
    if node is None or node.mode != "ikev2-proposal":
        return None
    vals = {c.tokens()[0]: c.tokens()[1:] for c in node.ordered()}
    enc = vals.get("encryption", [])
    gcm = [e for e in enc if "gcm" in e]
    ok = bool(enc) and bool(vals.get("group")) and (
        (gcm and len(gcm) == len(enc) and vals.get("prf") and not vals.get("integrity"))
        or (not gcm and vals.get("integrity")))
    return None if ok else PROPOSAL_MSG


def _apply_ace(ctx, rule, canon, negate, partial):
    parent = ctx.node
    seq = int(canon[0]) if canon and canon[0].isdigit() else None
    body = canon[1:] if seq is not None else canon
    body_text = " ".join(body)
    if negate:
        if seq is not None and not body:
            victims = [k for k in parent.children if k == str(seq)]
        else:
            if partial:
                raise ConfigError(INCOMPLETE)
            victims = [k for k, n in parent.children.items() if n.text.split(" ", 1)[1] == body_text]
        for k in victims:
            del parent.children[k]
        return Result(changed=bool(victims))
    if partial or not body:
        raise ConfigError(INCOMPLETE)
    for k, n in parent.children.items():
        if n.text.split(" ", 1)[1] == body_text and (seq is None or int(k) == seq):
            return Result(changed=False)            # duplicate entry: IOS ignores it
    if seq is None:
        seq = max([int(k) for k in parent.children] or [0]) // 10 * 10 + 10
    elif str(seq) in parent.children:
        raise ConfigError("% Duplicate sequence number")
    node = Node(f"{seq} {body_text}", str(seq), 0, (seq,), None, 0, rule)
    parent.children[str(seq)] = node
    return Result(changed=True)


# ------------------------------------------------------------------ whole-file loading


def load_text(text: str, root: Optional[Node] = None, hardware=(), macsec=None) -> tuple:
    """Apply a configuration text (a saved running-config or a snippet) line by line.

    Returns (root, errors) where errors is [(line_number, line, message)].
    """
    root = root if root is not None else Node("", "", mode="config")
    ctx = Ctx(root, hardware, macsec=macsec)
    errors = []
    for no, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("!"):
            continue
        if line == "end":
            break
        if line in ("exit", "exit-address-family"):
            if len(ctx.path) > 1:
                ctx.path.pop()
            continue
        if line.startswith("Building configuration") or line.startswith("Current configuration"):
            continue
        try:
            apply_line(ctx, line)
        except ConfigError as e:
            errors.append((no, raw, e.message))
    return root, errors

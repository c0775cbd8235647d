"""The Junos configuration hierarchy the emulator accepts (vSRX 3.0 / SRX, Junos 23.x flavour).

Only the part of the hierarchy the collection (and the reference configs) use is modelled.
Anything else is refused like Junos refuses an unknown statement: ``syntax error`` naming the
offending token.

Schema node kinds
-----------------
``C``   container           ``family {}``            set: ``family``
``N``   named list entry    ``unit 0 {}``            set: ``unit 0``      XML ``<unit><name>0</name>``
        ``bare=True``: entries shown by name only (``interfaces { ge-0/0/0 {} }``), XML element ``elem``
        ``grouped=True``: shown grouped under the keyword (``system-services { ike; }``)
        ``extra``: second key keyword (``from-zone A to-zone B``)
``L``   leaf with one value ``mtu 1500;``
``LL``  leaf-list           ``proposals [ a b ];``
``F``   flag                ``point-to-point;``
"""

from __future__ import annotations

import ipaddress
import re


class V:
    """A value validator.  ``check(token) -> normalised str`` or raises ValueError."""

    def __init__(self, desc, fn):
        self.desc, self.fn = desc, fn

    def check(self, tok):
        out = self.fn(tok)
        if out is None or out is False:
            raise ValueError(tok)
        return tok if out is True else out


def enum(*vals):
    return V("|".join(vals), lambda t: t in vals)


def rng(lo, hi):
    def f(t):
        if not re.fullmatch(r"\d+", t):
            return False
        n = int(t)
        if not lo <= n <= hi:
            raise RangeError(t, lo, hi)
        return True

    return V(f"{lo}..{hi}", f)


class RangeError(ValueError):
    def __init__(self, tok, lo, hi):
        super().__init__(f"Value {tok} is not within range ({lo}..{hi})")
        self.tok, self.lo, self.hi = tok, lo, hi


def _v4(t):
    try:
        ipaddress.IPv4Address(t)
        return True
    except ValueError:
        return False


def _v4pfx(t):
    try:
        ipaddress.IPv4Interface(t)
        return "/" in t
    except ValueError:
        return False


def _v6pfx(t):
    try:
        ipaddress.IPv6Interface(t)
        return "/" in t
    except ValueError:
        return False


IPV4 = V("ipv4addr", _v4)
IPV4PFX = V("ipv4prefix", _v4pfx)
IPV6PFX = V("ipv6prefix", _v6pfx)
ANY = V("string", lambda t: True)
WORD = V("name", lambda t: bool(re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.:/\-]{0,63}", t)))
IFNAME_PHYS = V("interface", lambda t: bool(re.fullmatch(r"(ge|xe|et|gr|ip|lt|fxp|em)-?\d*(/\d+/\d+)?|lo0|st0|fxp0|irb|ae\d+", t)))
IFNAME_UNIT = V("interface-unit", lambda t: bool(re.fullmatch(r"(ge|xe|et|gr|ip|lt)-\d+/\d+/\d+\.\d+|lo0\.\d+|st0\.\d+|fxp0\.\d+|ae\d+\.\d+|irb\.\d+|all", t)))
UNIT = rng(0, 1073741823)
AREA = V("area-id", lambda t: _v4(t) or (re.fullmatch(r"\d+", t) and str(ipaddress.IPv4Address(int(t)))))
SECRET = V("secret", lambda t: True)
HEX64 = V("hex-string", lambda t: bool(re.fullmatch(r"(?:[0-9a-fA-F]{2}){1,32}", t)))


class S:
    kind = "?"
    mandatory: tuple = ()


class C(S):
    kind = "c"

    def __init__(self, children=None, mandatory=(), presence=True, order=None):
        self.children = dict(children or {})
        self.mandatory = tuple(mandatory)
        self.wild = None  # an N(bare=True) for keywordless entries


class N(S):
    kind = "n"

    def __init__(self, name, children=None, mandatory=(), bare=False, elem=None, grouped=False, extra=None):
        self.name = name
        self.c = C(children) if not isinstance(children, C) else children
        self.mandatory = tuple(mandatory)
        self.bare, self.elem, self.grouped, self.extra = bare, elem, grouped, extra

    @property
    def children(self):
        return self.c.children


class L(S):
    kind = "l"

    def __init__(self, value, secret=False):
        self.value, self.secret = value, secret


class LL(S):
    kind = "ll"

    def __init__(self, value):
        self.value = value


class F(S):
    kind = "f"


def _bare(container: C, n: N):
    container.wild = n
    return container


# ---------------------------------------------------------------------------- the hierarchy

_unit_family = C(
    {
        "inet": C(
            {
                "address": N(IPV4PFX, {"primary": F(), "preferred": F()}),
                "mtu": L(rng(256, 9192)),
                "filter": C({"input": L(WORD), "output": L(WORD)}),
                "tcp-mss": L(rng(64, 65535)),
            }
        ),
        "inet6": C({"address": N(IPV6PFX, {}), "mtu": L(rng(1280, 9192))}),
        "mpls": C({"mtu": L(rng(256, 9192)), "filter": C({"input": L(WORD)})}),
        "iso": C(
            {
                "address": N(V("iso-address", lambda t: bool(re.fullmatch(r"[0-9a-fA-F]{2}(\.[0-9a-fA-F]{4}){3,}\.[0-9a-fA-F]{2}", t))), {}),
                "mtu": L(rng(256, 9192)),
            }
        ),
    }
)

_unit = N(
    UNIT,
    {
        "description": L(ANY),
        "disable": F(),
        "family": _unit_family,
        "tunnel": C({"source": L(IPV4), "destination": L(IPV4), "key": L(rng(0, 4294967295)), "routing-instance": C({"destination": L(WORD)})}),
        "point-to-point": F(),
    },
)

_interface = N(
    IFNAME_PHYS,
    {
        "description": L(ANY),
        "disable": F(),
        "mtu": L(rng(256, 9500)),
        "unit": _unit,
    },
    bare=True,
    elem="interface",
)

_ike_proposal = N(
    WORD,
    {
        "description": L(ANY),
        "authentication-method": L(enum("pre-shared-keys", "rsa-signatures", "ecdsa-signatures-256", "ecdsa-signatures-384")),
        "dh-group": L(enum("group1", "group2", "group5", "group14", "group15", "group16", "group19", "group20", "group21", "group24")),
        "authentication-algorithm": L(enum("md5", "sha1", "sha-256", "sha-384", "sha-512")),
        "encryption-algorithm": L(enum("3des-cbc", "aes-128-cbc", "aes-192-cbc", "aes-256-cbc", "aes-128-gcm", "aes-256-gcm", "des-cbc")),
        "lifetime-seconds": L(rng(180, 86400)),
    },
)

_ike_policy = N(
    WORD,
    {
        "description": L(ANY),
        "mode": L(enum("main", "aggressive")),
        "proposals": LL(WORD),
        "proposal-set": L(enum("basic", "compatible", "standard", "suiteb-gcm-128", "suiteb-gcm-256", "prime-128", "prime-256")),
        "pre-shared-key": C({"ascii-text": L(SECRET, secret=True), "hexadecimal": L(SECRET, secret=True)}),
        "certificate": C({"local-certificate": L(WORD)}),
    },
)

_ike_gateway = N(
    WORD,
    {
        "ike-policy": L(WORD),
        "address": LL(IPV4),
        "external-interface": L(IFNAME_UNIT),
        "local-address": L(IPV4),
        "local-identity": C({"inet": L(IPV4), "hostname": L(ANY), "distinguished-name": F()}),
        # Juniper: remote-identity distinguished-name [container STRING | wildcard STRING] (junos/README.md "PKI")
        "remote-identity": C({"inet": L(IPV4), "hostname": L(ANY),
                              "distinguished-name": C({"container": L(ANY), "wildcard": L(ANY)})}),
        "version": L(enum("v1-only", "v2-only")),
        "dead-peer-detection": C({"always-send": F(), "optimized": F(), "probe-idle-tunnel": F(), "interval": L(rng(2, 60)), "threshold": L(rng(1, 5))}),
        "general-ikeid": F(),
        "no-nat-traversal": F(),
        "nat-keepalive": L(rng(1, 300)),
    },
    mandatory=("ike-policy", "external-interface"),
)

_ipsec_proposal = N(
    WORD,
    {
        "description": L(ANY),
        "protocol": L(enum("esp", "ah", "bundle")),
        "authentication-algorithm": L(enum("hmac-md5-96", "hmac-sha1-96", "hmac-sha-256-128", "hmac-sha-256-96", "hmac-sha-384-192", "hmac-sha-512-256")),
        "encryption-algorithm": L(enum("3des-cbc", "aes-128-cbc", "aes-192-cbc", "aes-256-cbc", "aes-128-gcm", "aes-192-gcm", "aes-256-gcm", "des-cbc")),
        "lifetime-seconds": L(rng(180, 86400)),
        "lifetime-kilobytes": L(rng(64, 4294967294)),
    },
)

_ipsec_policy = N(
    WORD,
    {
        "description": L(ANY),
        "perfect-forward-secrecy": C(
            {"keys": L(enum("group1", "group2", "group5", "group14", "group15", "group16", "group19", "group20", "group21", "group24"))}
        ),
        "proposals": LL(WORD),
        "proposal-set": L(enum("basic", "compatible", "standard", "suiteb-gcm-128", "suiteb-gcm-256", "prime-128", "prime-256")),
    },
)

_ipsec_vpn = N(
    WORD,
    {
        "bind-interface": L(V("st0-unit", lambda t: bool(re.fullmatch(r"st0\.\d+", t)))),
        "df-bit": L(enum("clear", "copy", "set")),
        "ike": C(
            {
                "gateway": L(WORD),
                "ipsec-policy": L(WORD),
                "no-anti-replay": F(),
                # Juniper techpost "SRX4700 100Gbps Full Duplex IPSEC tunnel": "ike anti-replay-window-size 4096"
                # (the upper bound here is the lab's, not verified on a device)
                "anti-replay-window-size": L(rng(64, 65536)),
                "proxy-identity": C({"local": L(IPV4PFX), "remote": L(IPV4PFX), "service": L(WORD)}),
            },
            mandatory=("gateway",),
        ),
        "establish-tunnels": L(enum("immediately", "on-traffic", "responder-only")),
        "vpn-monitor": C({"optimized": F(), "source-interface": L(IFNAME_UNIT), "destination-ip": L(IPV4)}),
    },
    mandatory=("ike",),
)

_host_inbound = C(
    {
        "system-services": N(
            enum("all", "any-service", "ike", "ping", "ssh", "telnet", "http", "https", "netconf", "traceroute", "dhcp", "ntp", "snmp", "bfd"),
            {"except": F()},
            grouped=True,
        ),
        "protocols": N(enum("all", "ospf", "ospf3", "isis", "ldp", "rsvp", "bgp", "bfd", "pim", "vrrp"), {"except": F()}, grouped=True),
    }
)

_zone = N(
    WORD,
    {
        "description": L(ANY),
        "tcp-rst": F(),
        "screen": L(WORD),
        "host-inbound-traffic": _host_inbound,
        "interfaces": N(IFNAME_UNIT, {"host-inbound-traffic": _host_inbound}, grouped=True),
    },
)

_policy = N(
    WORD,
    {
        "description": L(ANY),
        "match": C(
            {"source-address": LL(ANY), "destination-address": LL(ANY), "application": LL(ANY)},
            mandatory=("source-address", "destination-address", "application"),
        ),
        "then": C({"permit": F(), "deny": F(), "reject": F(), "count": F(), "log": C({"session-init": F(), "session-close": F()})}),
    },
    mandatory=("match", "then"),
)

_screen = C(
    {
        "ids-option": N(
            WORD,
            {
                "icmp": C({"ping-death": F()}),
                "ip": C({"source-route-option": F(), "tear-drop": F(), "block-frag": F(), "spoofing": F(), "unknown-protocol": F()}),
                "tcp": C(
                    {
                        "syn-flood": C(
                            {
                                "alarm-threshold": L(rng(1, 1000000)),
                                "attack-threshold": L(rng(1, 1000000)),
                                "source-threshold": L(rng(4, 1000000)),
                                "destination-threshold": L(rng(4, 1000000)),
                                "timeout": L(rng(1, 50)),
                            }
                        ),
                        "land": F(),
                    }
                ),
            },
        )
    }
)

_security = C(
    {
        "ike": C(
            {"proposal": N(WORD, _ike_proposal.c), "policy": N(WORD, _ike_policy.c), "gateway": N(WORD, _ike_gateway.c, mandatory=_ike_gateway.mandatory)}
        ),
        "ipsec": C({"proposal": N(WORD, _ipsec_proposal.c), "policy": N(WORD, _ipsec_policy.c), "vpn": N(WORD, _ipsec_vpn.c, mandatory=_ipsec_vpn.mandatory)}),
        "zones": C({"security-zone": N(WORD, _zone.c)}),
        # Juniper "[edit security pki]": ca-profile NAME ca-identity, revocation-check (disable | crl (disable
        # on-download-failure | refresh-interval | url)) (junos/README.md "PKI")
        "pki": C({"ca-profile": N(WORD, {
            "ca-identity": L(WORD),
            "enrollment": C({"url": L(ANY), "retry": L(rng(0, 1080)), "retry-interval": L(rng(0, 3600))}),
            "revocation-check": C({"disable": F(), "crl": C({"disable": C({"on-download-failure": F()}),
                                                              "refresh-interval": L(rng(0, 8784)), "url": L(ANY)})}),
        })}),
        "policies": C(
            {
                "from-zone": N(WORD, {"policy": N(WORD, _policy.c, mandatory=_policy.mandatory)}, extra="to-zone"),
                "default-policy": L(enum("permit-all", "deny-all")),
            }
        ),
        "forwarding-options": C(
            {
                "family": C(
                    {
                        "mpls": C({"mode": L(enum("packet-based", "flow-based"))}),
                        "inet6": C({"mode": L(enum("packet-based", "flow-based", "drop"))}),
                        "iso": C({"mode": L(enum("packet-based"))}),
                    }
                )
            }
        ),
        "flow": C(
            {
                "tcp-mss": C({"ipsec-vpn": C({"mss": L(rng(64, 65535))}), "all-tcp": C({"mss": L(rng(64, 65535))})}),
                "tcp-session": C({"rst-invalidate-session": F()}),
            }
        ),
        "screen": _screen,
        # Group VPNv2 member (Juniper "Configuring Group VPNv2 member": group-vpn member ike proposal / policy /
        # gateway server-address, ipsec vpn ike-gateway / group / group-vpn-external-interface / recovery-probe;
        # "[edit security group-vpn] Hierarchy Level" statement reference)
        "group-vpn": C(
            {
                "member": C(
                    {
                        "ike": C(
                            {
                                "proposal": N(WORD, {k: v for k, v in _ike_proposal.c.children.items()
                                                     if k != "authentication-method"} | {
                                    "authentication-method": L(enum("pre-shared-keys", "rsa-signatures"))}),
                                "policy": N(WORD, {"description": L(ANY), "mode": L(enum("main", "aggressive")),
                                                   "proposals": LL(WORD),
                                                   "pre-shared-key": C({"ascii-text": L(SECRET, secret=True),
                                                                        "hexadecimal": L(SECRET, secret=True)})}),
                                "gateway": N(WORD, {"ike-policy": L(WORD), "server-address": LL(IPV4),
                                                    "local-address": L(IPV4)}, mandatory=("ike-policy",)),
                            }
                        ),
                        "ipsec": C(
                            {
                                "vpn": N(
                                    WORD,
                                    {"ike-gateway": L(WORD), "group": L(rng(1, 4294967295)),
                                     "group-vpn-external-interface": L(IFNAME_UNIT), "recovery-probe": F(),
                                     "heartbeat-threshold": L(rng(1, 10))},
                                    mandatory=("ike-gateway", "group", "group-vpn-external-interface"),
                                )
                            }
                        ),
                    }
                )
            }
        ),
        # Juniper "connectivity-association (MACsec)", "pre-shared-key (MACsec)", "mka", "offset", "replay-protect",
        # "include-sci", "exclude-protocol", "interfaces (MACsec)" statement references (security macsec hierarchy)
        "macsec": C(
            {
                "connectivity-association": N(
                    WORD,
                    {
                        "cipher-suite": L(enum("gcm-aes-128", "gcm-aes-256", "gcm-aes-xpn-128", "gcm-aes-xpn-256")),
                        "security-mode": L(enum("static-cak", "dynamic", "static-sak")),
                        "pre-shared-key": C({"ckn": L(HEX64), "cak": L(SECRET, secret=True)}),
                        "mka": C(
                            {
                                "key-server-priority": L(rng(0, 255)),
                                "must-secure": F(),
                                "should-secure": F(),
                                "eapol-address": L(enum("pae", "provider-bridge", "lldp-multicast")),
                                "transmit-interval": L(rng(2000, 6000)),
                                "sak-rekey-interval": L(rng(60, 86400)),
                            }
                        ),
                        "offset": L(enum("0", "30", "50")),
                        "replay-protect": C({"replay-window-size": L(rng(0, 65535))}),
                        "include-sci": F(),
                        "no-encryption": F(),
                        "exclude-protocol": LL(enum("cdp", "lacp", "lldp", "stp", "mvrp", "mmrp")),
                    },
                ),
                "interfaces": N(IFNAME_PHYS, {"connectivity-association": L(WORD)}),
            }
        ),
    }
)

_protocols = C(
    {
        "mpls": C({"interface": N(IFNAME_UNIT, {"disable": F()})}),
        "ldp": C({"interface": N(IFNAME_UNIT, {"disable": F()}), "transport-address": L(V("router-id|address", lambda t: t == "router-id" or _v4(t)))}),
        "ospf": C(
            {
                "area": N(
                    AREA,
                    {
                        "interface": N(
                            IFNAME_UNIT,
                            {
                                "interface-type": L(enum("p2p", "nbma", "p2mp")),
                                "metric": L(rng(1, 65535)),
                                "passive": F(),
                                "disable": F(),
                                "hello-interval": L(rng(1, 255)),
                                "dead-interval": L(rng(1, 65535)),
                            },
                        )
                    },
                )
            }
        ),
        "isis": C(
            {
                "interface": N(
                    IFNAME_UNIT,
                    {
                        "point-to-point": F(),
                        "passive": F(),
                        "disable": F(),
                        "level": N(rng(1, 2), {"metric": L(rng(1, 16777215)), "disable": F(), "passive": F()}),
                    },
                ),
                "level": N(rng(1, 2), {"disable": F(), "wide-metrics-only": F()}),
            }
        ),
        "bgp": C(
            {
                "export": LL(WORD),
                "local-as": L(rng(1, 4294967295)),
                "group": N(
                    WORD,
                    {"type": L(enum("internal", "external")), "multipath": C({"multiple-as": F()}), "neighbor": N(IPV4, {"peer-as": L(rng(1, 4294967295))})},
                ),
            }
        ),
    }
)

_filter_term = N(
    WORD,
    {
        "from": C(
            {
                "protocol": LL(ANY),
                "port": LL(ANY),
                "destination-port": LL(ANY),
                "source-port": LL(ANY),
                "source-address": N(IPV4PFX, {"except": F()}),
                "destination-address": N(IPV4PFX, {"except": F()}),
                "is-fragment": F(),
            }
        ),
        "then": C({"accept": F(), "discard": F(), "reject": F(), "count": L(WORD), "log": F(), "packet-mode": F()}),
    },
)

_system = C(
    {
        "host-name": L(WORD),
        "root-authentication": C({"encrypted-password": L(ANY)}),
        "login": C({"user": N(WORD, {"uid": L(rng(100, 64000)), "class": L(WORD), "authentication": C({"encrypted-password": L(ANY), "ssh-rsa": LL(ANY)})})}),
        "services": C(
            {
                "ssh": C({"root-login": L(enum("allow", "deny", "deny-password"))}),
                "netconf": C({"ssh": C({"port": L(rng(1, 65535))}), "rfc-compliant": F()}),
                "web-management": C({"http": C({"interface": L(IFNAME_UNIT)})}),
            }
        ),
        "syslog": C({"user": N(ANY, {"any": L(ANY)}), "file": N(WORD, {"any": L(ANY), "authorization": L(ANY), "interactive-commands": L(ANY)})}),
        "license": C({"autoupdate": C({"url": L(ANY)})}),
    }
)

ROOT = C(
    {
        "version": L(ANY),
        "system": _system,
        "interfaces": _bare(C({}), _interface),
        "routing-options": C(
            {"router-id": L(IPV4), "autonomous-system": L(rng(1, 4294967295)), "static": C({"route": N(IPV4PFX, {"next-hop": LL(ANY), "discard": F()})})}
        ),
        "protocols": _protocols,
        "security": _security,
        "firewall": C({"family": C({"inet": C({"filter": N(WORD, {"term": _filter_term})})})}),
    }
)

# statements whose absence fails the commit ("Missing mandatory statement: 'X'") are declared with
# ``mandatory=`` above; cross-reference checks live in tree.check_commit().

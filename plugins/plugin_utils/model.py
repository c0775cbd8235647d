# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The p2p link model: one schema for every field of ``p2p_links``, the crypto presets, and
``normalise()`` which checks field by field (unknown keys, types, choices, ranges, weak crypto)
and fills in the defaults.

This schema is the single source of truth of the model: ``roles/plan/meta/argument_specs.yml``
(entry point ``link``) documents exactly these fields, defaults and choices, and a unit test fails
when the two differ. Cross-field rules (addresses, hosts, capabilities, MTU) live in ``plan.py``.
"""

from __future__ import annotations

import copy
import difflib
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

__all__ = [
    "Field",
    "LINK_SCHEMA",
    "PRESETS",
    "PlanError",
    "normalise_link",
    "AEAD",
    "CBC",
    "MACSEC_CIPHERS",
]

NAME_PATTERN = r"^[a-z][a-z0-9-]{0,15}$"
PSK_MIN_LENGTH = 16
# a subject DN as attribute=value pairs (CN, O, OU, C, L, ST, DC, serialNumber...), no quotes: both CLIs take it verbatim
CERT_SUBJECT_PATTERN = r"^\s*[A-Za-z][A-Za-z0-9.]*\s*=\s*[^,=\"'?]+(,\s*[A-Za-z][A-Za-z0-9.]*\s*=\s*[^,=\"'?]+)*$"

AEAD: tuple[str, ...] = ("aes-gcm-128", "aes-gcm-256")
CBC: tuple[str, ...] = ("aes-cbc-128", "aes-cbc-256")
ENCRYPTIONS: tuple[str, ...] = AEAD + CBC
INTEGRITIES: tuple[str, ...] = ("none", "sha1", "sha256", "sha384", "sha512")
PRFS: tuple[str, ...] = ("sha1", "sha256", "sha384", "sha512")
DH_GROUPS: tuple[int, ...] = (14, 15, 16, 19, 20, 21)

# Values refused as weak, with the reason (RFC 8221 for ESP, RFC 8247 for IKEv2).
WEAK_ENCRYPTION: Mapping[str, str] = {
    "des": "DES is broken (56-bit key; RFC 8221 MUST NOT)",
    "3des": "3DES is deprecated (64-bit block, Sweet32; RFC 8221 SHOULD NOT)",
    "null": "ESP NULL encryption gives no confidentiality, which is the whole point of this link",
}
WEAK_INTEGRITY: Mapping[str, str] = {"md5": "HMAC-MD5 is deprecated (RFC 8221 / RFC 8247 MUST NOT)"}
WEAK_DH: Mapping[int, str] = {
    1: "DH group 1 (MODP-768) is broken (RFC 8247 MUST NOT)",
    2: "DH group 2 (MODP-1024) is too weak (RFC 8247 SHOULD NOT)",
    5: "DH group 5 (MODP-1536) is too weak (RFC 8247 SHOULD NOT)",
}
WEAK_IKE_VERSION: Mapping[int, str] = {1: "IKEv1 is deprecated (RFC 9395); both platforms speak IKEv2"}

PRESETS: Mapping[str, Mapping[str, Mapping[str, Any]]] = {
    # Suite-B-like: AEAD everywhere, ECP-384, PRF SHA-384.
    "strong": {
        "ike": {"version": 2, "encryption": "aes-gcm-256", "integrity": "none", "prf": "sha384", "dh_group": 20, "lifetime": 86400},
        "esp": {"encryption": "aes-gcm-256", "integrity": "none", "pfs_group": 20, "lifetime": 3600},
        "dpd": {"interval": 10, "retries": 3},
    },
    # For peers without AES-GCM in hardware: AES-CBC-256 + HMAC-SHA-256, MODP-2048.
    "compatible": {
        "ike": {"version": 2, "encryption": "aes-cbc-256", "integrity": "sha256", "prf": "sha256", "dh_group": 14, "lifetime": 86400},
        "esp": {"encryption": "aes-cbc-256", "integrity": "sha256", "pfs_group": 14, "lifetime": 3600},
        "dpd": {"interval": 10, "retries": 3},
    },
}


@dataclass(frozen=True)
class Field:
    """One field of the link model."""

    type: str  # str | int | bool | dict | raw
    description: str
    default: Any = None
    required: bool = False
    choices: tuple[Any, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    pattern: str | None = None
    fields: Mapping[str, "Field"] | None = None
    secret: bool = False
    weak: Mapping[Any, str] = field(default_factory=dict)
    fix: str = ""  # how to repair a bad value, used in messages
    # required only for links of these modes (a dict field of the link; the argument spec shows it as optional)
    required_modes: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlanError:
    """One validation error: the link, the field, the problem and the fix."""

    link: str
    field: str
    problem: str
    fix: str

    def __str__(self) -> str:
        where = f"link {self.link}: {self.field}: " if self.field else f"link {self.link}: "
        return f"{where}{self.problem}. Fix: {self.fix}."


def _ike() -> Mapping[str, Field]:
    return {
        "version": Field("int", "IKE version. Only IKEv2 is planned (IKEv1 is refused as deprecated). Default: from the preset.",
                         choices=(2,), weak=WEAK_IKE_VERSION),
        "encryption": Field("str", "IKE SA encryption. Default: from the preset.", choices=ENCRYPTIONS, weak=WEAK_ENCRYPTION),
        "integrity": Field("str", "IKE SA integrity; must be none with AES-GCM and an HMAC with AES-CBC. Default: from the preset.",
                           choices=INTEGRITIES, weak=WEAK_INTEGRITY),
        "prf": Field("str", "IKEv2 pseudo-random function. Default: from the preset.", choices=PRFS, weak=WEAK_INTEGRITY),
        "dh_group": Field("int", "IKE Diffie-Hellman group (14, 15, 16 MODP; 19, 20, 21 ECP). Default: from the preset.",
                          choices=DH_GROUPS, weak=WEAK_DH),
        "lifetime": Field("int", "IKE SA lifetime in seconds (180-86400, the range both platforms accept). Default: from the preset.",
                          minimum=180, maximum=86400),
    }


def _esp() -> Mapping[str, Field]:
    return {
        "encryption": Field("str", "ESP encryption. Default: from the preset.", choices=ENCRYPTIONS, weak=WEAK_ENCRYPTION),
        "integrity": Field("str", "ESP integrity; must be none with AES-GCM and an HMAC with AES-CBC. Default: from the preset.",
                           choices=INTEGRITIES, weak=WEAK_INTEGRITY),
        "pfs_group": Field("int", "PFS Diffie-Hellman group of every child SA rekey. Default: from the preset.",
                           choices=DH_GROUPS, weak=WEAK_DH),
        "lifetime": Field("int", "IPsec (child) SA lifetime in seconds (180-86400). Default: from the preset.",
                          minimum=180, maximum=86400),
    }


_TUNNEL: Mapping[str, Field] = {
    "id": Field("int", "Tunnel number: IOS-XE Tunnel<id> (+ sVTI Tunnel<id+1000>), Junos gr-0/0/0.<id> and st0.<id> "
                "(1-15000). Default: 100 + the link's index in p2p_links.", minimum=1, maximum=15000),
    "ipv4": Field("str", "GRE tunnel subnet carrying MPLS, /31 or /30, given as the network (198.51.100.0/31). Side a gets "
                  "the lower address, side b the higher.", required=True,
                  fix="set {path} to a free /31 or /30 network (e.g. 198.51.100.0/31)"),
    "ipv6": Field("str", "Optional IPv6 subnet on the GRE tunnel, /127 (RFC 6164), given as the network."),
    "ipsec_ipv4": Field("str", "ipsec_mode tunnel only (and required there): subnet of the route-based IPsec interface "
                        "(sVTI / st0) the GRE tunnel is sourced from, /31 or /30."),
}


# MACsec (mode macsec). Cipher suites: IEEE 802.1AE-2018 clause 14 (GCM-AES-128/256) and 802.1AEbw (the XPN variants,
# 64-bit packet numbers); both vendors name them alike (IOS macsec-cipher-suite, Junos cipher-suite).
MACSEC_CIPHERS: tuple[str, ...] = ("gcm-aes-128", "gcm-aes-256", "gcm-aes-xpn-128", "gcm-aes-xpn-256")
CKN_PATTERN = r"^([0-9A-Fa-f]{2}){1,32}$"
CAK_PATTERN = r"^([0-9A-Fa-f]{32}|[0-9A-Fa-f]{64})$"
_MACSEC: Mapping[str, Field] = {
    "ckn": Field("str", "MKA connectivity association key name (CKN): 2-64 hex digits, an even number (both vendors). Same "
                 "on both routers. Keep it in Ansible Vault with the CAK; the plan keeps only a digest of it.", secret=True,
                 pattern=CKN_PATTERN, fix="set {path} to an even number of hex digits, at most 64 "
                 "(e.g. openssl rand -hex 16), from Ansible Vault"),
    "cak": Field("str", "MKA connectivity association key (CAK, the pre-shared key): 32 hex digits (AES-128-CMAC) or 64 "
                 "(AES-256-CMAC; required with the 256-bit cipher suites). Keep it in Ansible Vault; the plan never "
                 "prints it and it never enters the p2p_plan fact.", secret=True, pattern=CAK_PATTERN,
                 fix="set {path} to 64 random hex digits (openssl rand -hex 32) stored with ansible-vault"),
    "previous_ckn": Field("str", "rotate_p2p only: the CKN that macsec.ckn / macsec.cak replace (IOS-XE at both ends: "
                          "an MKA key chain rollover, docs/rotate.md \"MACsec\"). Same form as ckn, from Ansible Vault; "
                          "never printed.", secret=True, pattern=CKN_PATTERN,
                          fix="set {path} to the CKN now on the routers (an even number of hex digits), from Ansible "
                          "Vault"),
    "cipher_suite": Field("str", "MACsec cipher suite. Default: gcm-aes-xpn-256 on links of 40 Gb/s and more (XPN needed: a "
                          "32-bit packet number is exhausted in under 2 minutes at line rate), gcm-aes-256 otherwise "
                          "(docs/mtu.md \"MACsec\"). A non-XPN suite on such a link is refused.",
                          choices=MACSEC_CIPHERS),
    "eapol_address": Field("str", "Destination MAC address of the MKA (EAPoL) frames: bridge = 01:80:C2:00:00:00 (IOS "
                           "bridge-group-address, Junos provider-bridge), lldp-multicast = 01:80:C2:00:00:0E, pae = the "
                           "802.1X default 01:80:C2:00:00:03, which carrier Ethernet services often consume (Juniper "
                           "MACsec over WAN).", default="bridge", choices=("bridge", "lldp-multicast", "pae")),
    "tagged_service": Field("bool", "The carrier delivers a VLAN-tagged service (EVPL): the 802.1Q tag must stay in clear "
                            "in front of the SecTAG (IOS macsec dot1q-in-clear 1). Default: a port-based service (EPL).",
                            default=False),
    "offset": Field("int", "Confidentiality offset: bytes after the SecTAG sent in clear (0, 30, 50). 0 encrypts the labels "
                    "and the inner IP header too; anything else leaves them readable on the carrier (warned).",
                    default=0, choices=(0, 30, 50)),
    "replay_window": Field("int", "Replay protection window in frames (0-1024; 0 = strict order). A carrier may reorder "
                           "frames across its classes of service.", default=64, minimum=0, maximum=1024),
}


LINK_SCHEMA: Mapping[str, Field] = {
    "name": Field("str", "Link name, ^[a-z][a-z0-9-]{0,15}$. Used in device object names (MPLSSEC-<NAME>) and reports.",
                  required=True, pattern=NAME_PATTERN,
                  fix="use 1-16 lower-case letters, digits or '-', starting with a letter (e.g. core1)"),
    "mode": Field("str", "How the link is encrypted. gre_ipsec is MPLS over GRE protected by IPsec; macsec is WAN MACsec on "
                  "the carrier interface (MACsec-capable hardware ports on both routers, decided from the gathered "
                  "model); vti and getvpn are refused by the capability map with the reason (see docs/data-model.md).",
                  default="gre_ipsec", choices=("gre_ipsec", "vti", "getvpn", "macsec")),
    "ipsec_mode": Field("str", "gre_ipsec only: IPsec transport mode around the GRE packets (IOS-XE only) or tunnel mode "
                        "(GRE sourced from a route-based sVTI/st0; required when a Junos router ends the link). "
                        "Default: transport for gre_ipsec.",
                        choices=("transport", "tunnel")),
    "crypto": Field("dict", "IKEv2/IPsec parameters: a preset, optionally overridden key by key.", default={}, fields={
        "preset": Field("str", "strong = IKEv2 AES-GCM-256, PRF SHA-384, DH 20, ESP AES-GCM-256, PFS 20. compatible = AES-CBC-256 + "
                        "HMAC-SHA-256 (PRF SHA-256), DH 14, PFS 14. Both: IKE lifetime 86400 s, IPsec 3600 s, DPD 10 s x 3.",
                        default="strong", choices=("strong", "compatible")),
        "auth": Field("str", "IKE authentication: pre-shared key or certificates (RSA or ECDSA signatures).",
                      default="psk", choices=("psk", "rsa-sig", "ecdsa-sig")),
        "psk": Field("str", "Pre-shared key, >= 16 characters, no whitespace, quotes or '?'. Required with auth psk. Keep it in "
                     "Ansible Vault; the plan never prints it and it never enters the p2p_plans fact.", secret=True),
        "trustpoint": Field("str", "auth rsa-sig/ecdsa-sig (required there): the CA both routers' certificates come from, as each "
                            "router names it: the IOS-XE PKI trustpoint (enrolled, holding the router's certificate) and "
                            "the Junos CA profile. The deploy sets its revocation checking to CRL when reachable, not "
                            "blocking when the CRL is unreachable (docs/deploy.md \"Certificates\")."),
        "certificate": Field("str", "Refused: a local certificate id belongs to one router. Set a.certificate and "
                             "b.certificate (Junos ends) instead."),
        "ike": Field("dict", "IKE SA parameters overriding the preset key by key.", default={}, fields=_ike()),
        "esp": Field("dict", "ESP (child SA) parameters overriding the preset key by key.", default={}, fields=_esp()),
        "anti_replay_window": Field("int", "ESP anti-replay window in packets, on both routers (IOS-XE set security-association "
                                    "replay window-size, Junos anti-replay-window-size). A P-P link carries every traffic class and "
                                    "the carrier reorders across classes, so the 64-packet default of both vendors drops packets.",
                                    default=1024, choices=(64, 128, 256, 512, 1024)),
        "allow_legacy": Field("bool", "Accept SHA-1 (crypto.ike.integrity/prf, crypto.esp.integrity: RFC 8247 / RFC 8221 "
                              "MUST-, kept only for interoperability) with a warning. Without it the plan refuses SHA-1.",
                              default=False),
        "dpd": Field("dict", "Dead peer detection overriding the preset key by key.", default={}, fields={
            "interval": Field("int", "Seconds between DPD probes (10-60). Default: from the preset.", minimum=10, maximum=60),
            "retries": Field("int", "Unanswered probes before the peer is declared dead (1-5). Default: from the preset.",
                             minimum=1, maximum=5),
        }),
    }),
    "carrier_mtu": Field("int", "IP MTU the carrier delivers on the physical interfaces (576-9216). The plan derives every "
                         "tunnel MTU, the MPLS MTU and the TCP MSS from it.", default=1500, minimum=576, maximum=9216),
    "labels": Field("int", "MPLS label stack depth planned for transit traffic (1-8); 2 = transport + service label.",
                    default=2, minimum=1, maximum=8),
    "tunnel": Field("dict", "Addressing and numbering of the tunnel interfaces the plan creates. Required with every mode "
                    "but macsec (MACsec has no tunnel: it encrypts the carrier interface itself).",
                    required_modes=("gre_ipsec", "vti", "getvpn"),
                    fix="add tunnel: {{ipv4: <a free /31, e.g. 198.51.100.0/31>}}", fields=_TUNNEL),
    "macsec": Field("dict", "mode macsec only: WAN MACsec (IEEE 802.1AE, MKA pre-shared key) on the carrier interface "
                    "itself; MPLS, LDP and the IGP stay on it, encrypted (docs/data-model.md \"macsec\").", default={},
                    fields=_MACSEC),
    "igp": Field("dict", "IGP on the tunnel (the IGP and LDP move from the physical interface to the tunnel).", default={}, fields={
        "protocol": Field("str", "IGP of the core.", default="ospf", choices=("ospf", "isis")),
        "process_id": Field("raw", "OSPF process id (default 1) or IS-IS instance tag (IOS-XE router isis <tag>; default none)."),
        "area": Field("raw", "OSPF area as an integer or dotted quad (default 0). Not valid with IS-IS (its area is in the NET)."),
        "level": Field("int", "IS-IS circuit level 1 or 2 (default 2). Not valid with OSPF.", choices=(1, 2)),
        "metric": Field("int", "IGP metric of the tunnel (OSPF 1-65535, IS-IS wide 1-16777214).", default=10, minimum=1),
        "clear_metric": Field("int", "Unused: keep_clear_igp is refused (it was the metric left on the physical "
                              "interface).", default=1000, minimum=1),
    }),
    "keep_clear_igp": Field("bool", "Refused when true: a clear IGP backup without MPLS/LDP on the physical interface "
                            "blackholes labelled traffic and sends IP in clear when the tunnel fails (fail-open). Kept so "
                            "that old inventories get a clear error; leave it false.", default=False),
    "fail_closed": Field("bool", "Filter on the physical interface: only IKE (500), NAT-T (4500), ESP (+ BFD) pass, so "
                         "nothing leaves in clear text when the tunnel is down.", default=True),
}

_ENDPOINT: Mapping[str, Field] = {
    "host": Field("str", "Inventory hostname of the router (ansible_network_os cisco.ios.ios or junipernetworks.junos.junos, "
                  "host var p2p_router_id required).", required=True,
                  fix="set {path} to the inventory hostname of the router"),
    "interface": Field("str", "Physical (carrier) interface, e.g. GigabitEthernet2 or ge-0/0/0.0 (Junos: a logical unit).",
                       required=True, fix="set {path} to the carrier interface (e.g. GigabitEthernet2 or ge-0/0/0.0)"),
    "address": Field("str", "Address of the physical interface with its prefix length (192.0.2.0/31); both ends in one "
                     "subnet.", required=True, fix="set {path} to the interface address with its prefix length (e.g. 192.0.2.0/31)"),
    "certificate_subject": Field("str", "crypto.auth rsa-sig/ecdsa-sig (required there): the subject DN of this router's "
                                 "certificate, e.g. CN=p1.example.net,O=Example. The other router accepts only a "
                                 "certificate with exactly this subject (IOS-XE certificate map + match certificate, Junos "
                                 "remote-identity distinguished-name container), and this router sends it as its IKE "
                                 "identity.", pattern=CERT_SUBJECT_PATTERN,
                                 fix="set {path} to the subject of the router's certificate as attribute=value pairs "
                                 "separated by commas (show crypto pki certificates / show security pki local-certificate)"),
    "certificate": Field("str", "crypto.auth rsa-sig/ecdsa-sig, Junos router (required there): this router's local "
                         "certificate id (security ike policy certificate local-certificate).", pattern=r"^[A-Za-z0-9_.:-]{1,63}$",
                         fix="set {path} to the certificate identifier of show security pki local-certificate"),
}
LINK_SCHEMA = dict(LINK_SCHEMA)
LINK_SCHEMA["a"] = Field("dict", "Side a of the link (gets the lower tunnel addresses).", required=True, fields=_ENDPOINT,
                         fix="add a: {{host: <router>, interface: <carrier interface>, address: <address/prefix>}}")
LINK_SCHEMA["b"] = Field("dict", "Side b of the link (gets the higher tunnel addresses).", required=True, fields=_ENDPOINT,
                         fix="add b: {{host: <router>, interface: <carrier interface>, address: <address/prefix>}}")
# GET VPN (mode getvpn): the link names its group of p2p_getvpn_groups (plugins/plugin_utils/getvpn.py)
LINK_SCHEMA["getvpn"] = Field("dict", "mode getvpn only (and required there): the GET VPN group of p2p_getvpn_groups whose "
                              "key servers this link's two routers register with.", default={}, fields={
                                  "group": Field("str", "Name of a group of p2p_getvpn_groups.",
                                                 pattern=r"^[a-z][a-z0-9-]{0,15}$"),
                              })

_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


def _suggest(word: str, allowed: Any) -> str:
    options = [str(a) for a in allowed]
    close = difflib.get_close_matches(str(word), options, n=1, cutoff=0.6)
    if not close and str(word):
        close = [o for o in options if o.startswith(str(word)) or str(word).startswith(o)][:1]
    listing = ", ".join(options)
    if close:
        return f"did you mean {close[0]!r}? (allowed: {listing})"
    return f"use one of: {listing}"


def type_name(value: Any) -> str:
    """The builtin type a value is (``str`` for Ansible's ``_AnsibleTaggedStr``, ``dict`` for its tagged/lazy mappings):
    messages name what the user wrote, not Ansible's internal classes (issue 8 section 4b)."""
    for klass in type(value).__mro__:
        if klass.__module__ == "builtins" and klass is not object:
            return klass.__name__
    return "dict" if isinstance(value, Mapping) else type(value).__name__


def _shown(spec: Field, value: Any) -> str:
    return "<hidden>" if spec.secret else repr(value)


def _coerce(spec: Field, value: Any, path: str, link: str, errors: list[PlanError]) -> Any:
    """Check a scalar against its field spec; return the normalised value or None after an error."""
    if spec.type == "raw":
        return value
    if spec.type == "int":
        if isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value.strip()):
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            errors.append(PlanError(link, path, f"must be an integer, got {_shown(spec, value)}",
                                    spec.fix or f"set {path} to a number" + _range_text(spec)))
            return None
    elif spec.type == "bool":
        if isinstance(value, str) and value.lower() in _TRUE | _FALSE:
            value = value.lower() in _TRUE
        if not isinstance(value, bool):
            errors.append(PlanError(link, path, f"must be true or false, got {_shown(spec, value)}", f"set {path}: true or false"))
            return None
    elif spec.type == "str":
        if isinstance(value, (int, float)) and not isinstance(value, bool) and not spec.secret:
            value = str(value)
        if not isinstance(value, str):
            errors.append(PlanError(link, path, f"must be a string, got {type_name(value)}", f"set {path} to a string"))
            return None
        if spec.choices:
            value = value.strip().lower()
    if spec.weak and value in spec.weak:
        errors.append(PlanError(link, path, f"{value!r} is refused as weak crypto: {spec.weak[value]}",
                                f"use {_listing(spec.choices)} (or leave {path} out to take the preset's value)"))
        return None
    if spec.choices and value not in spec.choices:
        errors.append(PlanError(link, path, f"unknown value {value!r}", _suggest(value, spec.choices)))
        return None
    if spec.type == "int" and (
        (spec.minimum is not None and value < spec.minimum) or (spec.maximum is not None and value > spec.maximum)
    ):
        errors.append(PlanError(link, path, f"{value} is out of range", f"use a value{_range_text(spec)}"))
        return None
    if spec.pattern and not re.match(spec.pattern, value):
        errors.append(PlanError(link, path, f"{_shown(spec, value)} is not a valid {path}",
                                spec.fix.replace("{path}", path) if spec.fix else f"match {spec.pattern}"))
        return None
    return value


def _listing(values: Any) -> str:
    return ", ".join(str(v) for v in values)


def _range_text(spec: Field) -> str:
    if spec.minimum is not None and spec.maximum is not None:
        return f" from {spec.minimum} to {spec.maximum}"
    if spec.minimum is not None:
        return f" >= {spec.minimum}"
    return ""


def _walk(value: Any, fields: Mapping[str, Field], path: str, link: str, errors: list[PlanError]) -> dict[str, Any]:
    """Normalise one dict level: unknown keys, required keys, types, defaults."""
    out: dict[str, Any] = {}
    if value is None:
        value = {}
    if not isinstance(value, Mapping):
        errors.append(PlanError(link, path or "(link)", f"must be a mapping, got {type_name(value)}",
                                f"write {path or 'the link'} as key: value pairs"))
        return {key: None for key in fields}
    for key in sorted((str(k) for k in value), key=str):
        if key not in fields:
            where = f"{path}.{key}" if path else key
            errors.append(PlanError(link, where, "unknown field", _suggest(key, fields).replace("use one of", "remove it; allowed fields here")))
    for key, spec in fields.items():
        where = f"{path}.{key}" if path else key
        raw = value.get(key)
        if raw is None:
            if spec.required or spec.required_modes and str(value.get("mode") or "gre_ipsec").strip().lower() in spec.required_modes:
                errors.append(PlanError(link, where, "is required", (spec.fix or f"set {where}").format(path=where)))
                out[key] = None
            elif spec.required_modes:
                out[key] = None  # not used by this link's mode
            elif spec.type == "dict" and spec.fields is not None:
                out[key] = _walk({}, spec.fields, where, link, errors)
            else:
                out[key] = copy.deepcopy(spec.default)
            continue
        if spec.type == "dict":
            out[key] = _walk(raw, spec.fields or {}, where, link, errors)
        else:
            out[key] = _coerce(spec, raw, where, link, errors)
    return out


def _given(raw: Any, *path: str) -> bool:
    """True when ``raw`` holds a non-null value at ``path``."""
    for key in path:
        if not isinstance(raw, Mapping) or raw.get(key) is None:
            return False
        raw = raw[key]
    return True


def link_label(raw: Any, index: int) -> str:
    """How messages name a link: its name when it has a valid one, else its position."""
    if isinstance(raw, Mapping):
        name = raw.get("name")
        if isinstance(name, str) and re.match(NAME_PATTERN, name):
            return name
        if isinstance(name, str) and name:
            return f"#{index + 1} ({name!r})"
    return f"#{index + 1}"


def normalise_link(raw: Any, index: int) -> tuple[dict[str, Any], list[PlanError]]:
    """Validate one element of p2p_links field by field and fill in every default.

    Returns the normalised link (crypto ike/esp/dpd merged over the preset; ``tunnel.id`` defaulted
    to 100 + index; ``ipsec_mode`` transport for gre_ipsec) and the list of errors found. A field
    that failed its check is None in the result.
    """
    label = link_label(raw, index)
    errors: list[PlanError] = []
    if not isinstance(raw, Mapping):
        errors.append(PlanError(label, "", f"must be a mapping (a link), got {type_name(raw)}",
                                "write each p2p_links element as name/mode/tunnel/a/b keys (see docs/data-model.md)"))
        return {}, errors
    link = _walk(raw, LINK_SCHEMA, "", label, errors)
    link["_label"] = label
    link["_index"] = index
    link["_failed"] = {e.field for e in errors}  # fields already reported: later checks stay quiet about them

    crypto = link["crypto"]
    preset = PRESETS.get(crypto.get("preset") or "strong", PRESETS["strong"])
    for section in ("ike", "esp", "dpd"):
        merged = dict(preset[section])
        for key, value in (crypto.get(section) or {}).items():
            if value is not None:
                merged[key] = value
            elif _given(raw, "crypto", section, key):
                merged[key] = None  # failed its check: later checks skip it
        crypto[section] = merged

    if link.get("mode") == "gre_ipsec" and not _given(raw, "ipsec_mode"):
        link["ipsec_mode"] = "transport"
    if isinstance(link.get("tunnel"), dict) and not _given(raw, "tunnel", "id"):
        link["tunnel"]["id"] = 100 + index
    return link, errors


def argument_spec_options(fields: Mapping[str, Field] | None = None) -> dict[str, Any]:
    """The schema as role argument-spec ``options`` (entry point ``link`` of roles/plan/meta/argument_specs.yml)."""
    out: dict[str, Any] = {}
    for key, spec in (LINK_SCHEMA if fields is None else fields).items():
        option: dict[str, Any] = {"description": [spec.description], "type": spec.type}
        if spec.required:
            option["required"] = True
        if spec.choices:
            option["choices"] = list(spec.choices)
        if spec.default not in (None, {}):
            option["default"] = spec.default
        if spec.secret:
            option["no_log"] = True
        if spec.fields is not None:
            option["options"] = argument_spec_options(spec.fields)
        out[key] = option
    return out

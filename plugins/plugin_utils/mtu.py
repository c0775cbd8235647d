# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Exact MTU arithmetic for MPLS on an encrypted P-P link.

This module is the only place in mplssec.p2p that computes an encapsulation overhead.
``plugins/filter/mtu.py`` registers its functions as the filters ``wire_size``, ``max_inner``,
``tcp_mss`` and ``mtu_overhead``; ``docs/mtu.md`` explains every formula with its RFC.

What is measured (``wire_size``):

* IP encapsulations (``gre``, ``vti``, ``getvpn``): from the first byte of the outer IP header to
  the last byte of the ESP ICV -- the IP packet the carrier's IP MTU must admit. No Ethernet header,
  no FCS.
* ``macsec``: the Ethernet payload the carrier must carry, i.e. the frame minus the 14-byte MAC
  header (DA, SA, EtherType 0x88E5) and minus the FCS:
  ``SecTAG without its EtherType (6, +8 SCI) + original EtherType (2) + 4*labels + inner + ICV (16)``.
* ``none``: the labelled packet, ``4*labels + inner`` (plain MPLS, the ``mpls mtu``).

The ESP packet (RFC 4303 section 2) is ``SPI+seq (8) + IV + payload + padding + pad length (1)
+ next header (1) + ICV`` where ``payload + padding + 2`` is a multiple of the cipher's alignment:
16 for AES-CBC (the AES block, RFC 3602), 4 for AES-GCM (RFC 4106 section 3.2) and NULL (RFC 4303
section 2.4: the ciphertext must end on a 4-byte boundary). Implementations may add more padding
than the minimum (TFC padding); this module assumes the minimum, as every router does by default.

The ESP payload per encapsulation:

* ``gre`` transport: ``GRE (4, +4 key) + 4*labels + inner`` (next header 47).
* ``gre`` tunnel: ``GRE delivery IP (20 IPv4 / 40 IPv6, the outer's family) + GRE + 4*labels + inner``
  (next header 4/41). This is also what a GRE tunnel riding an sVTI/st0 puts on the wire.
* ``getvpn``: GET VPN protects the GRE packet in tunnel mode with IP header preservation (the
  delivery header is copied into the outer header), so it is sized exactly like ``gre`` tunnel.
* ``vti``: MPLS directly in ESP tunnel mode, next header 137 (MPLS-in-IP, RFC 4023):
  ``4*labels + inner`` -- no GRE, no delivery header, hence 24 bytes (IPv4) less than ``gre`` tunnel
  with an AEAD or NULL cipher (CBC rounds the saving to 16 or 32 bytes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "DEFAULTS",
    "ENCAPS",
    "ESP_ENCRYPTIONS",
    "ESP_INTEGRITIES",
    "IPSEC_MODES",
    "MACSEC_CIPHERS",
    "MAX_INNER",
    "MIN_INNER",
    "MIN_LINK_INNER",
    "OUTERS",
    "PROFILE_KEYWORDS",
    "MtuError",
    "Profile",
    "breakdown",
    "max_inner",
    "overhead",
    "resolve_profile",
    "tcp_mss",
    "wire_size",
    "esp_plaintext",
]


class MtuError(ValueError):
    """A profile keyword, an input value or a combination of them is not valid."""


@dataclass(frozen=True)
class EspCipher:
    """ESP sizes of one encryption transform."""

    iv: int  # bytes of IV carried in every packet
    align: int  # payload + padding + 2 must be a multiple of this
    icv: int | None  # ICV of an AEAD cipher; None: the ICV comes from esp_integrity


ENCAPS: tuple[str, ...] = ("gre", "vti", "getvpn", "macsec", "none")
IPSEC_ENCAPS: tuple[str, ...] = ("gre", "vti", "getvpn")
IPSEC_MODES: tuple[str, ...] = ("transport", "tunnel")
ESP_ENCRYPTIONS: dict[str, EspCipher] = {
    "aes-cbc-128": EspCipher(iv=16, align=16, icv=None),  # RFC 3602
    "aes-cbc-256": EspCipher(iv=16, align=16, icv=None),  # RFC 3602
    "aes-gcm-128": EspCipher(iv=8, align=4, icv=16),  # RFC 4106, 16-octet ICV
    "aes-gcm-256": EspCipher(iv=8, align=4, icv=16),  # RFC 4106, 16-octet ICV
    "null": EspCipher(iv=0, align=4, icv=None),  # RFC 2410
}
# ICV length of each HMAC as truncated for ESP; "none" is only valid with an AEAD cipher.
ESP_INTEGRITIES: dict[str, int] = {
    "sha1": 12,  # HMAC-SHA1-96, RFC 2404
    "sha256": 16,  # HMAC-SHA-256-128, RFC 4868
    "sha384": 24,  # HMAC-SHA-384-192, RFC 4868
    "sha512": 32,  # HMAC-SHA-512-256, RFC 4868
    "none": 0,
}
HMACS: tuple[str, ...] = ("sha1", "sha256", "sha384", "sha512")
OUTERS: dict[str, int] = {"ipv4": 20, "ipv6": 40}  # fixed IP header, no options / extension headers
MACSEC_CIPHERS: tuple[str, ...] = ("gcm-aes-128", "gcm-aes-256", "gcm-aes-xpn-128", "gcm-aes-xpn-256")

ESP_HEADER = 8  # SPI + sequence number
ESP_TRAILER = 2  # pad length + next header
GRE_HEADER = 4  # flags/version + protocol type (RFC 2784)
GRE_KEY = 4  # RFC 2890
NAT_T_UDP = 8  # UDP/4500 encapsulation, RFC 3948
MPLS_LABEL = 4  # one label stack entry, RFC 3032
MACSEC_SECTAG_NO_SCI = 6  # SecTAG (8) without its EtherType: TCI/AN, SL, PN (IEEE 802.1AE-2018 9.3)
MACSEC_SCI = 8
MACSEC_ETHERTYPE = 2  # the protected frame's own EtherType (0x8847), inside the secure data
MACSEC_ICV = 16  # every GCM-AES(-XPN) cipher suite

MIN_INNER = 20  # an IPv4 header alone
MAX_INNER = 65535  # IPv4 total length field
MIN_LINK_INNER = 68  # every IPv4 link must carry 68-byte packets (RFC 791)

PROFILE_KEYWORDS: tuple[str, ...] = (
    "encap",
    "ipsec_mode",
    "esp_encryption",
    "esp_integrity",
    "labels",
    "gre_key",
    "outer",
    "nat_t",
    "macsec_cipher",
    "macsec_sci",
)

# Value of every keyword left out (or given as None). ipsec_mode follows the encapsulation:
# transport for gre, tunnel for vti and getvpn (the only mode they have).
DEFAULTS: dict[str, Any] = {
    "encap": "gre",
    "ipsec_mode": "transport",
    "esp_encryption": "aes-gcm-256",
    "esp_integrity": "none",
    "labels": 0,
    "gre_key": False,
    "outer": "ipv4",
    "nat_t": False,
    "macsec_cipher": "gcm-aes-256",
    "macsec_sci": True,
}

# Keywords that mean something for each encapsulation; giving any other one (other than None,
# or False for a flag) is an inconsistent profile.
_APPLIES: dict[str, frozenset[str]] = {
    "gre": frozenset({"ipsec_mode", "esp_encryption", "esp_integrity", "labels", "gre_key", "outer", "nat_t"}),
    "getvpn": frozenset({"ipsec_mode", "esp_encryption", "esp_integrity", "labels", "gre_key", "outer"}),
    "vti": frozenset({"ipsec_mode", "esp_encryption", "esp_integrity", "labels", "outer", "nat_t"}),
    "macsec": frozenset({"labels", "macsec_cipher", "macsec_sci"}),
    "none": frozenset({"labels"}),
}
_WHY_NOT: dict[tuple[str, str], str] = {
    ("getvpn", "nat_t"): "GET VPN preserves the original IP header, which cannot cross NAT",
    ("vti", "gre_key"): "vti carries MPLS directly in ESP, there is no GRE header",
}
_FLAGS = ("gre_key", "nat_t", "macsec_sci")


@dataclass(frozen=True)
class Profile:
    """A validated encapsulation profile with every default filled in."""

    encap: str
    ipsec_mode: str | None
    esp_encryption: str | None
    esp_integrity: str | None
    labels: int
    gre_key: bool
    outer: str | None
    nat_t: bool
    macsec_cipher: str | None
    macsec_sci: bool

    def describe(self) -> str:
        """Short human description used in error messages, e.g. ``gre/transport aes-gcm-256 labels=2``."""
        if self.encap in IPSEC_ENCAPS:
            text = f"{self.encap}/{self.ipsec_mode} {self.esp_encryption}"
            if self.esp_integrity != "none":
                text += f"+{self.esp_integrity}"
            text += f" outer={self.outer}"
            if self.nat_t:
                text += " nat_t"
            if self.gre_key:
                text += " gre_key"
        elif self.encap == "macsec":
            text = f"macsec {self.macsec_cipher} sci={'yes' if self.macsec_sci else 'no'}"
        else:
            text = "none (plain MPLS)"
        return f"{text} labels={self.labels}"


def _choices(values: Any) -> str:
    return ", ".join(values)


def _bad(keyword: str, value: Any, allowed: str, why: str = "") -> MtuError:
    return MtuError(f"{keyword}: {value!r} is not valid{why}; allowed values: {allowed}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_choice(keyword: str, value: Any, allowed: Any) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise _bad(keyword, value, _choices(allowed))
    return str(value)


def _check_flag(keyword: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise _bad(keyword, value, "true, false")
    return value


def resolve_profile(**profile: Any) -> Profile:
    """Validate profile keywords and fill in the defaults.

    A keyword given as ``None`` counts as left out. Raises MtuError naming the keyword, the bad value
    and the allowed values, also for keywords that do not apply to the chosen ``encap``.
    """
    unknown = sorted(k for k in profile if k not in PROFILE_KEYWORDS)
    if unknown:
        raise MtuError(f"unknown profile keyword {unknown[0]!r}; allowed keywords: {_choices(PROFILE_KEYWORDS)}")
    given = {k: v for k, v in profile.items() if v is not None}

    encap = _check_choice("encap", given.get("encap", DEFAULTS["encap"]), ENCAPS)
    applies = _APPLIES[encap]
    for keyword in PROFILE_KEYWORDS:
        if keyword == "encap" or keyword not in given or keyword in applies:
            continue
        if keyword in _FLAGS and given[keyword] is False:
            continue
        users = ", ".join(e for e in ENCAPS if keyword in _APPLIES[e])
        why = _WHY_NOT.get((encap, keyword), f"{keyword} only applies to encap {users}")
        raise _bad(keyword, given[keyword], f"leave {keyword} out with encap {encap!r}", f" with encap {encap!r} ({why})")

    labels = given.get("labels", DEFAULTS["labels"])
    if not _is_int(labels) or labels < 0:
        raise _bad("labels", labels, "an integer >= 0 (the MPLS label stack depth)")
    gre_key = _check_flag("gre_key", given.get("gre_key", DEFAULTS["gre_key"]))
    nat_t = _check_flag("nat_t", given.get("nat_t", DEFAULTS["nat_t"]))
    macsec_sci = _check_flag("macsec_sci", given.get("macsec_sci", DEFAULTS["macsec_sci"]))

    ipsec_mode = esp_encryption = esp_integrity = outer = macsec_cipher = None
    if encap in IPSEC_ENCAPS:
        outer = _check_choice("outer", given.get("outer", DEFAULTS["outer"]), OUTERS)
        if encap == "gre":
            ipsec_mode = _check_choice("ipsec_mode", given.get("ipsec_mode", DEFAULTS["ipsec_mode"]), IPSEC_MODES)
        else:
            ipsec_mode = _check_choice("ipsec_mode", given.get("ipsec_mode", "tunnel"), IPSEC_MODES)
            if ipsec_mode != "tunnel":
                raise _bad("ipsec_mode", ipsec_mode, "tunnel (or leave ipsec_mode out)", f" with encap {encap!r} ({encap} is always tunnel mode)")
        esp_encryption = _check_choice("esp_encryption", given.get("esp_encryption", DEFAULTS["esp_encryption"]), ESP_ENCRYPTIONS)
        aead = ESP_ENCRYPTIONS[esp_encryption].icv is not None
        if "esp_integrity" not in given:
            if not aead:
                raise MtuError(
                    f"esp_integrity: required with esp_encryption {esp_encryption!r}; allowed values: {_choices(HMACS)}"
                )
            esp_integrity = "none"
        else:
            esp_integrity = _check_choice("esp_integrity", given["esp_integrity"], ESP_INTEGRITIES)
            if aead and esp_integrity != "none":
                raise _bad(
                    "esp_integrity", esp_integrity, "none",
                    f" with esp_encryption {esp_encryption!r} (AES-GCM authenticates itself with a 16-byte ICV, RFC 4106)",
                )
            if not aead and esp_integrity == "none":
                why = "ESP without integrity" if esp_encryption != "null" else "ESP with neither encryption nor integrity (RFC 4303 3.2)"
                raise _bad("esp_integrity", esp_integrity, _choices(HMACS), f" with esp_encryption {esp_encryption!r} ({why} is refused)")
    elif encap == "macsec":
        macsec_cipher = _check_choice("macsec_cipher", given.get("macsec_cipher", DEFAULTS["macsec_cipher"]), MACSEC_CIPHERS)

    return Profile(
        encap=encap,
        ipsec_mode=ipsec_mode,
        esp_encryption=esp_encryption,
        esp_integrity=esp_integrity,
        labels=labels,
        gre_key=gre_key if encap in ("gre", "getvpn") else False,
        outer=outer,
        nat_t=nat_t if encap in ("gre", "vti") else False,
        macsec_cipher=macsec_cipher,
        macsec_sci=macsec_sci if encap == "macsec" else False,
    )


def _check_inner(inner: Any) -> int:
    if not _is_int(inner) or not MIN_INNER <= inner <= MAX_INNER:
        raise _bad("inner", inner, f"an integer from {MIN_INNER} to {MAX_INNER} (an IPv4 packet incl. its header)")
    return inner


def _align(value: int, to: int) -> int:
    return -(-value // to) * to


def _breakdown(inner: int, p: Profile) -> list[tuple[str, int]]:
    labels = ("mpls_labels", MPLS_LABEL * p.labels)
    if p.encap == "none":
        return [labels, ("inner", inner)]
    if p.encap == "macsec":
        sectag = MACSEC_SECTAG_NO_SCI + (MACSEC_SCI if p.macsec_sci else 0)
        return [("macsec_sectag", sectag), ("ethertype", MACSEC_ETHERTYPE), labels, ("inner", inner), ("macsec_icv", MACSEC_ICV)]

    if p.outer is None or p.esp_encryption is None or p.esp_integrity is None:  # resolve_profile fills them for IPsec
        raise MtuError(f"incomplete IPsec profile {p!r}")
    ip_header = OUTERS[p.outer]
    payload: list[tuple[str, int]] = []
    if p.encap in ("gre", "getvpn"):
        if p.ipsec_mode == "tunnel":
            payload.append(("gre_delivery_ip", ip_header))
        payload.append(("gre", GRE_HEADER + (GRE_KEY if p.gre_key else 0)))
    payload += [labels, ("inner", inner)]

    cipher = ESP_ENCRYPTIONS[p.esp_encryption]
    plain = sum(part[1] for part in payload)
    padding = _align(plain + ESP_TRAILER, cipher.align) - plain - ESP_TRAILER
    icv = cipher.icv if cipher.icv is not None else ESP_INTEGRITIES[p.esp_integrity]
    parts = [("outer_ip", ip_header)]
    if p.nat_t:
        parts.append(("nat_t_udp", NAT_T_UDP))
    parts += [("esp_header", ESP_HEADER), ("esp_iv", cipher.iv)]
    parts += payload
    parts += [("esp_padding", padding), ("esp_trailer", ESP_TRAILER), ("esp_icv", icv)]
    return parts


def breakdown(inner: int, **profile: Any) -> list[tuple[str, int]]:
    """Return ``wire_size`` as ordered ``(component, bytes)`` pairs, outermost first.

    Components: ``outer_ip, nat_t_udp, esp_header, esp_iv, gre_delivery_ip, gre, mpls_labels, inner,
    esp_padding, esp_trailer, esp_icv`` for IPsec encapsulations (absent ones left out),
    ``macsec_sectag, ethertype, mpls_labels, inner, macsec_icv`` for MACsec.
    """
    return _breakdown(_check_inner(inner), resolve_profile(**profile))


def wire_size(inner: int, **profile: Any) -> int:
    """Size of what the carrier transports for one inner IPv4 packet of ``inner`` bytes.

    IPsec encapsulations: the outer IP packet (outer IP header .. ESP ICV). MACsec: the Ethernet
    payload after the 14-byte MAC header, FCS excluded. none: the labelled packet.
    """
    return sum(part[1] for part in breakdown(inner, **profile))


def overhead(inner: int, **profile: Any) -> int:
    """``wire_size(inner) - inner``; depends on ``inner`` only through ESP padding."""
    return wire_size(inner, **profile) - inner


def max_inner(link_mtu: int, **profile: Any) -> int:
    """Largest inner IPv4 packet (header included) whose ``wire_size`` is at most ``link_mtu``.

    Capped at 65535 (the IPv4 maximum). Raises MtuError if not even a 68-byte packet fits (RFC 791
    requires every IPv4 link to carry one).
    """
    p = resolve_profile(**profile)
    if not _is_int(link_mtu) or link_mtu < 0:
        raise _bad("link_mtu", link_mtu, "an integer >= 0 (the MTU the carrier delivers)")

    def size(inner: int) -> int:
        return sum(part[1] for part in _breakdown(inner, p))

    if size(MIN_LINK_INNER) > link_mtu:
        raise MtuError(
            f"link_mtu: {link_mtu} is too small for {p.describe()}: even a {MIN_LINK_INNER}-byte inner packet "
            f"(the IPv4 minimum, RFC 791) needs {size(MIN_LINK_INNER)}; allowed values: link_mtu >= {size(MIN_LINK_INNER)}"
        )
    low, high = MIN_LINK_INNER, MAX_INNER  # invariant: size(low) <= link_mtu; answer in [low, high]
    while low < high:
        mid = (low + high + 1) // 2
        if size(mid) <= link_mtu:
            low = mid
        else:
            high = mid - 1
    return low


def esp_plaintext(inner: int, **profile: Any) -> int:
    """Size of what ESP encrypts for one inner packet: GRE delivery IP + GRE + labels + inner (IPsec encapsulations).

    In tunnel mode this is the IP packet the route-based IPsec interface (IOS sVTI, Junos st0) carries, so it is
    the IP MTU to pin on that interface (vendor-truth #23: IOS-XE shows "plaintext mtu 1446" for esp-gcm over 1500).
    """
    inside = ("gre_delivery_ip", "gre", "mpls_labels", "inner")
    return sum(size for name, size in breakdown(inner, **profile) if name in inside)


def tcp_mss(link_mtu: int, **profile: Any) -> int:
    """TCP MSS to clamp to: ``max_inner(link_mtu) - 40`` (IPv4 and TCP headers without options)."""
    return max_inner(link_mtu, **profile) - 40

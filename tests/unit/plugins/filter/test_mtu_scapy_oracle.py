# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""scapy as an independent oracle for the MTU math.

Every case builds the real packet (GRE, MPLS label stack, inner IPv4 packet of exactly ``inner``
bytes), encrypts it with scapy's ESP (``SecurityAssociation``) or MACsec (``MACsecSA``)
implementation, checks that it decrypts back to the original, and compares the length of the
encrypted packet with ``wire_size``. scapy shares no code or constants with plugin_utils/mtu.py:
its IV, padding and ICV sizes come from its own algorithm tables and from ``cryptography``.
"""

from __future__ import annotations

import itertools

import pytest
from scapy.contrib.macsec import MACsec, MACsecSA
from scapy.contrib.mpls import MPLS
from scapy.layers.inet import IP, UDP
from scapy.layers.inet6 import IPv6
from scapy.layers.ipsec import ESP, SecurityAssociation
from scapy.layers.l2 import GRE, Ether
from scapy.packet import Raw

from ansible_collections.mplssec.p2p.plugins.plugin_utils import mtu

# The sizes the brief asks for plus odd ones, so that every residue mod 16 (the CBC block) is hit
# together with the 4-byte steps of labels and GRE key.
INNER_SIZES = (20, 21, 64, 65, 66, 67, 68, 100, 333, 576, 1279, 1280, 1281, 1397, 1400, 1499, 1500, 1501, 4470, 8999, 9000)
LABELS = (0, 1, 2, 3)

# (esp_encryption, esp_integrity) -> scapy (crypt_algo, crypt_key, auth_algo, auth_key)
ESP_COMBOS = {
    ("aes-gcm-128", "none"): ("AES-GCM", b"k" * 16 + b"salt", "NULL", None),
    ("aes-gcm-256", "none"): ("AES-GCM", b"k" * 32 + b"salt", "NULL", None),
}
_SCAPY_HMAC = {"sha1": "HMAC-SHA1-96", "sha256": "SHA2-256-128", "sha384": "SHA2-384-192", "sha512": "SHA2-512-256"}
for _hmac, _auth in _SCAPY_HMAC.items():
    ESP_COMBOS[("aes-cbc-128", _hmac)] = ("AES-CBC", b"c" * 16, _auth, b"a" * 32)
    ESP_COMBOS[("aes-cbc-256", _hmac)] = ("AES-CBC", b"c" * 32, _auth, b"a" * 64)
    ESP_COMBOS[("null", _hmac)] = ("NULL", None, _auth, b"a" * 64)

ADDR = {
    "ipv4": {"cls": IP, "outer": ("192.0.2.0", "192.0.2.1"), "delivery": ("198.51.100.0", "198.51.100.1")},
    "ipv6": {"cls": IPv6, "outer": ("2001:db8::", "2001:db8::1"), "delivery": ("2001:db8:ff::", "2001:db8:ff::1")},
}
NEXT_HEADER = {"gre": 47, "ipv4": 4, "ipv6": 41, "mpls": 137}


def inner_packet(size: int) -> IP:
    """An IPv4 packet of exactly ``size`` bytes: a 20-byte header (no options) and a payload."""
    return IP(src="10.0.0.1", dst="10.0.0.2", ttl=64) / Raw(b"\xa5" * (size - 20))


def labelled(size: int, labels: int):
    """The inner packet under ``labels`` MPLS labels (bottom of stack last), or bare if 0."""
    payload = inner_packet(size)
    for depth in reversed(range(labels)):
        payload = MPLS(label=16 + depth, s=1 if depth == labels - 1 else 0, ttl=64) / payload
    return payload


def ip_header(outer: str, which: str, proto: int | None = None):
    cls, (src, dst) = ADDR[outer]["cls"], ADDR[outer][which]
    if proto is None:
        return cls(src=src, dst=dst)
    return cls(src=src, dst=dst, proto=proto) if cls is IP else cls(src=src, dst=dst, nh=proto)


def gre_packet(size: int, labels: int, outer: str, gre_key: bool, which: str):
    gre = GRE(proto=0x8847 if labels else 0x0800)
    if gre_key:
        gre = GRE(proto=gre.proto, key_present=1, key=0x1234)
    return ip_header(outer, which, NEXT_HEADER["gre"]) / gre / labelled(size, labels)


def make_sa(esp_encryption: str, esp_integrity: str, *, nat_t: bool = False, tunnel_header=None) -> SecurityAssociation:
    crypt_algo, crypt_key, auth_algo, auth_key = ESP_COMBOS[(esp_encryption, esp_integrity)]
    return SecurityAssociation(
        ESP, spi=0x1001, crypt_algo=crypt_algo, crypt_key=crypt_key, auth_algo=auth_algo, auth_key=auth_key,
        tunnel_header=tunnel_header, nat_t_header=UDP(sport=4500, dport=4500) if nat_t else None,
    )


def esp_next_header(sa: SecurityAssociation, encrypted) -> int:
    """Decrypt the ESP payload and return its next header field."""
    esp = encrypted[ESP]
    icv = sa.crypt_icv_size or sa.crypt_algo.icv_size or sa.auth_algo.icv_size
    return sa.crypt_algo.decrypt(sa, esp, sa.crypt_key, icv).nh


def encrypt_and_check(sa, plain, protected, expected_nh: int, round_trip: bool) -> int:
    """Encrypt ``plain``, check the ESP next header (and, if asked, that decryption gives back
    ``protected``); return the length of the encrypted packet."""
    encrypted = sa.encrypt(plain)
    wire = bytes(encrypted)
    parsed = encrypted.__class__(wire)
    assert esp_next_header(sa, parsed) == expected_nh
    if round_trip:  # scapy is slow: one full decryption per test is enough to trust the packet
        assert bytes(protected) in bytes(sa.decrypt(parsed))
    return len(wire)


ESP_IDS = [f"{e}+{i}" for e, i in ESP_COMBOS]
CASES = [
    pytest.param(encap, mode, outer, nat_t, gre_key, id=f"{encap}-{mode}-{outer}-natt{int(nat_t)}-key{int(gre_key)}")
    for encap, mode in (("gre", "transport"), ("gre", "tunnel"), ("vti", "tunnel"), ("getvpn", "tunnel"))
    for outer in ("ipv4", "ipv6")
    for nat_t in (False, True)
    for gre_key in (False, True)
    if not (encap == "getvpn" and nat_t) and not (encap == "vti" and gre_key)
]
CASE_KEYS = [tuple(case.values) for case in CASES]


@pytest.mark.parametrize(("esp_encryption", "esp_integrity"), list(ESP_COMBOS), ids=ESP_IDS)
@pytest.mark.parametrize(("encap", "ipsec_mode", "outer", "nat_t", "gre_key"), CASES)
def test_esp_wire_size_matches_scapy(encap, ipsec_mode, outer, nat_t, gre_key, esp_encryption, esp_integrity):
    profile = {"encap": encap, "esp_encryption": esp_encryption, "esp_integrity": esp_integrity, "outer": outer, "nat_t": nat_t}
    if encap == "gre":
        profile["ipsec_mode"] = ipsec_mode
    if encap != "vti":
        profile["gre_key"] = gre_key
    if encap == "getvpn":
        del profile["nat_t"]

    # scapy needs a few ms per packet, so stride through sizes x labels: each test takes every third
    # size (the slice shifts with the ESP combo and the case, so each cipher and each case sees all
    # sizes), with the label depth shifting too; every test sees all label depths.
    offset = list(ESP_COMBOS).index((esp_encryption, esp_integrity)) + CASE_KEYS.index((encap, ipsec_mode, outer, nat_t, gre_key))
    for index, size in enumerate(INNER_SIZES[offset % 3::3]):
        labels = LABELS[(index + offset) % len(LABELS)]
        if encap == "gre" and ipsec_mode == "transport":
            # ESP transport mode protects what follows the IP header: GRE + labels + inner.
            plain = gre_packet(size, labels, outer, gre_key, "outer")
            sa, protected, nh = make_sa(esp_encryption, esp_integrity, nat_t=nat_t), plain[GRE], NEXT_HEADER["gre"]
        elif encap in ("gre", "getvpn"):
            # The GRE delivery packet, protected whole in ESP tunnel mode. GET VPN copies the
            # delivery header into the outer header (header preservation): same addresses.
            plain = gre_packet(size, labels, outer, gre_key, "delivery")
            header = ip_header(outer, "delivery" if encap == "getvpn" else "outer")
            sa, protected, nh = make_sa(esp_encryption, esp_integrity, nat_t=nat_t, tunnel_header=header), plain, NEXT_HEADER[outer]
        elif labels:
            # vti: the label stack itself is the ESP payload, next header 137 (MPLS-in-IP, RFC 4023).
            # scapy's tunnel mode only wraps IP/IPv6 packets, so protect an MPLS-in-IP packet between
            # the tunnel endpoints in transport mode instead: ESP takes the IP header's protocol
            # (137) as its next header and the label stack as its payload, which gives the
            # byte-for-byte same packet as tunnel mode with tunnel_header=that IP header.
            plain = ip_header(outer, "outer", NEXT_HEADER["mpls"]) / labelled(size, labels)
            sa, protected, nh = make_sa(esp_encryption, esp_integrity, nat_t=nat_t), plain[MPLS], NEXT_HEADER["mpls"]
        else:
            # vti without labels: a plain IPv4 packet in ESP tunnel mode (next header 4).
            plain = protected = inner_packet(size)
            sa = make_sa(esp_encryption, esp_integrity, nat_t=nat_t, tunnel_header=ip_header(outer, "outer"))
            nh = NEXT_HEADER["ipv4"]
        got = encrypt_and_check(sa, plain, protected, nh, round_trip=index < len(LABELS))
        assert mtu.wire_size(size, labels=labels, **profile) == got, (size, labels, mtu.breakdown(size, labels=labels, **profile))


def test_getvpn_preserves_the_delivery_header():
    plain = gre_packet(1500, 2, "ipv4", False, "delivery")
    sa = make_sa("aes-gcm-256", "none", tunnel_header=ip_header("ipv4", "delivery"))
    encrypted = IP(bytes(sa.encrypt(plain)))
    assert (encrypted.src, encrypted.dst) == (plain.src, plain.dst)
    assert len(bytes(encrypted)) == mtu.wire_size(1500, encap="getvpn", labels=2) == mtu.wire_size(1500, ipsec_mode="tunnel", labels=2)


def test_vti_saves_exactly_the_gre_delivery_header_and_gre():
    for size, labels in itertools.product((64, 1500, 1501, 9000), LABELS):
        sizes = {}
        for encap in ("gre", "vti"):
            if encap == "gre":
                sa = make_sa("aes-gcm-256", "none", tunnel_header=ip_header("ipv4", "outer"))
                plain = gre_packet(size, labels, "ipv4", False, "delivery")
            else:  # see test_esp_wire_size_matches_scapy for why MPLS-in-IP in transport mode
                sa = make_sa("aes-gcm-256", "none")
                plain = ip_header("ipv4", "outer", NEXT_HEADER["mpls"] if labels else NEXT_HEADER["ipv4"]) / labelled(size, labels)
            sizes[encap] = len(bytes(sa.encrypt(plain)))
        assert sizes["gre"] - sizes["vti"] == 24
        assert mtu.wire_size(size, ipsec_mode="tunnel", labels=labels) - mtu.wire_size(size, encap="vti", labels=labels) == 24


MACSEC_KEYS = {"gcm-aes-128": 16, "gcm-aes-256": 32, "gcm-aes-xpn-128": 16, "gcm-aes-xpn-256": 32}


@pytest.mark.parametrize("macsec_sci", (True, False), ids=("sci", "nosci"))
@pytest.mark.parametrize("macsec_cipher", list(MACSEC_KEYS))
def test_macsec_wire_size_matches_scapy(macsec_cipher, macsec_sci):
    xpn = "xpn" in macsec_cipher
    extra = {"xpn_en": True, "ssci": 1, "salt": b"\x11" * 12} if xpn else {}
    sa = MACsecSA(sci=0x0200000000010001, an=0, pn=(1 << 32) + 5 if xpn else 5, key=b"m" * MACSEC_KEYS[macsec_cipher],
                  icvlen=16, encrypt=True, send_sci=macsec_sci, **extra)
    for index, size in enumerate(INNER_SIZES):
        labels = LABELS[index % len(LABELS)]
        frame = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02", type=0x8847 if labels else 0x0800) / labelled(size, labels)
        encrypted = sa.encrypt(sa.encap(frame))
        wire = bytes(encrypted)
        assert wire[12:14] == b"\x88\xe5"
        parsed = Ether(wire)
        assert parsed[MACsec].SC == int(macsec_sci)
        assert bytes(sa.decap(sa.decrypt(parsed))) == bytes(frame)
        # The carrier carries everything after DA, SA and the 0x88E5 EtherType (FCS not built by scapy).
        assert mtu.wire_size(size, encap="macsec", labels=labels, macsec_cipher=macsec_cipher, macsec_sci=macsec_sci) == len(wire) - 14
        assert len(wire) - len(bytes(frame)) == (32 if macsec_sci else 24)


@pytest.mark.parametrize("size", INNER_SIZES)
def test_inner_packet_has_exactly_the_asked_size(size):
    assert len(bytes(inner_packet(size))) == size
    assert len(bytes(labelled(size, 3))) == size + 12


def test_plain_mpls_matches_scapy():
    for size, labels in itertools.product(INNER_SIZES, LABELS):
        frame = Ether(type=0x8847 if labels else 0x0800) / labelled(size, labels)
        assert mtu.wire_size(size, encap="none", labels=labels) == len(bytes(frame)) - 14

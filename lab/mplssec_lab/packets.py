"""Real packets, built and encrypted with scapy, to size what the carrier has to deliver.

Every size the lab uses (DF pings, hellos over a protected tunnel) comes from ``len(bytes(pkt))`` of a
packet built here: the inner IPv4 packet (ICMP echo padded to the requested IP size), optional MPLS
labels, the GRE header (with the optional key), and ESP built by scapy's :class:`SecurityAssociation`
with the negotiated transform — transport mode (ESP inserted after the GRE delivery IP header) or tunnel
mode (a new outer IP header; this is also what GRE over an sVTI / gr-0/0/0 over st0 puts on the wire).
ESP padding, IV and ICV are therefore whatever the real encryption produces.  Nothing here is a formula,
and nothing is imported from the collection (``plugins/``).
"""
from __future__ import annotations

import functools
import hashlib

# Normalised model vocabulary -> scapy algorithm names and key sizes (bytes, incl. the 4-byte AEAD salt).
CRYPT = {
    "null": ("NULL", 0),
    "des": ("DES", 8),
    "3des": ("3DES", 24),
    "aes-cbc-128": ("AES-CBC", 16),
    "aes-cbc-192": ("AES-CBC", 24),
    "aes-cbc-256": ("AES-CBC", 32),
    "aes-gcm-128": ("AES-GCM", 20),
    "aes-gcm-192": ("AES-GCM", 28),
    "aes-gcm-256": ("AES-GCM", 36),
}
AUTH = {
    "none": ("NULL", 0),
    None: ("NULL", 0),
    "md5": ("HMAC-MD5-96", 16),
    "sha1": ("HMAC-SHA1-96", 20),
    "sha256": ("SHA2-256-128", 32),
    "sha384": ("SHA2-384-192", 48),
    "sha512": ("SHA2-512-256", 64),
}
AEAD = {"aes-gcm-128", "aes-gcm-192", "aes-gcm-256"}

ETH_MPLS = 0x8847
ETH_IPV4 = 0x0800
ICMP_HEADER = 8
IPV4_HEADER = 20


def _scapy():
    # scapy's import takes ~0.5 s: only pay it when a packet is really built.
    from scapy.contrib.mpls import MPLS
    from scapy.layers.inet import ICMP, IP
    from scapy.layers.ipsec import ESP, SecurityAssociation
    from scapy.layers.l2 import GRE
    from scapy.packet import Raw
    return IP, ICMP, GRE, MPLS, ESP, SecurityAssociation, Raw


def _key(label: str, size: int) -> bytes:
    out = b""
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(f"{label}/{counter}".encode()).digest()
        counter += 1
    return out[:size]


def inner_packet(ip_size: int, src: str = "10.255.255.1", dst: str = "10.255.255.2", df: bool = True):
    """An ICMP echo request whose whole IP packet is exactly ``ip_size`` bytes (a bare IP fragment if < 28)."""
    IP, ICMP, _, _, _, _, Raw = _scapy()
    payload = ip_size - IPV4_HEADER - ICMP_HEADER
    if ip_size < IPV4_HEADER:
        raise ValueError(f"an IPv4 packet is at least 20 bytes, not {ip_size}")
    if payload < 0:   # trailing fragment of a larger datagram
        return IP(bytes(IP(src=src, dst=dst, proto=1, frag=1) / Raw(b"\xab" * (ip_size - IPV4_HEADER))))
    pkt = IP(src=src, dst=dst, flags="DF" if df else 0) / ICMP(type=8, id=1, seq=1) / Raw(b"\xab" * payload)
    return IP(bytes(pkt))


def esp_sa(encryption: str, integrity: str | None, spi: int = 0x1001, tunnel_src: str | None = None,
           tunnel_dst: str | None = None):
    """A scapy SecurityAssociation for the negotiated transform (tunnel mode when tunnel_src/dst given)."""
    IP, _, _, _, ESP, SecurityAssociation, _ = _scapy()
    if encryption not in CRYPT:
        raise ValueError(f"unknown ESP encryption {encryption!r}")
    crypt_name, crypt_len = CRYPT[encryption]
    if encryption in AEAD:
        integrity = "none"
    if integrity not in AUTH:
        raise ValueError(f"unknown ESP integrity {integrity!r}")
    auth_name, auth_len = AUTH[integrity]
    kwargs = {"crypt_algo": crypt_name, "auth_algo": auth_name}
    if crypt_len:
        kwargs["crypt_key"] = _key("crypt", crypt_len)
    if auth_len:
        kwargs["auth_key"] = _key("auth", auth_len)
    if tunnel_src is not None:
        kwargs["tunnel_header"] = IP(src=tunnel_src, dst=tunnel_dst)
    return SecurityAssociation(ESP, spi=spi, **kwargs)


def build(inner_size: int, *, labels: int = 0, encap: str = "gre", ipsec_mode: str | None = "transport",
          encryption: str = "aes-gcm-256", integrity: str | None = "none", gre_key: int | None = None,
          outer_src: str = "192.0.2.0", outer_dst: str = "192.0.2.1", df: bool = True):
    """Build the packet the carrier sees for one inner IP packet of ``inner_size`` bytes.

    encap: ``gre`` (MPLS/IP over GRE) or ``none`` (the inner packet directly, e.g. sVTI/st0 or the clear link).
    ipsec_mode: ``transport`` | ``tunnel`` | None (no ESP).
    labels: MPLS label stack depth carried inside GRE (or in front of the packet when encap is none).
    Returns the scapy packet (already encrypted when ipsec_mode is set).
    """
    IP, _, GRE, MPLS, _, _, _ = _scapy()
    pkt = inner_packet(inner_size, df=df)
    payload = pkt
    if labels:
        stack = None
        for i in range(labels):
            lbl = MPLS(label=16 + i, s=1 if i == labels - 1 else 0, ttl=64)
            stack = lbl if stack is None else stack / lbl
        payload = stack / pkt
    if encap == "gre":
        gre = GRE(proto=ETH_MPLS if labels else ETH_IPV4)
        if gre_key is not None:
            gre.key_present = 1
            gre.key = gre_key
        src, dst = ("198.51.100.128", "198.51.100.129") if ipsec_mode == "tunnel" else (outer_src, outer_dst)
        delivery = IP(src=src, dst=dst, proto=47, flags="DF" if df else 0) / gre / payload
        delivery = IP(bytes(delivery))
    elif encap == "none":
        if labels:
            raise ValueError("labels without GRE would need an MPLS-capable L2 carrier, use encap=gre")
        delivery = pkt
    else:
        raise ValueError(f"unknown encap {encap!r}")
    if ipsec_mode is None:
        return delivery
    if ipsec_mode == "transport":
        if encap != "gre":
            raise ValueError("transport mode protects the GRE delivery packet: encap must be gre")
        sa = esp_sa(encryption, integrity)
        return sa.encrypt(delivery)
    if ipsec_mode == "tunnel":
        sa = esp_sa(encryption, integrity, tunnel_src=outer_src, tunnel_dst=outer_dst)
        return sa.encrypt(delivery)
    raise ValueError(f"unknown ipsec_mode {ipsec_mode!r}")


@functools.lru_cache(maxsize=4096)
def wire_size(inner_size: int, labels: int = 0, encap: str = "gre", ipsec_mode: str | None = "transport",
              encryption: str = "aes-gcm-256", integrity: str | None = "none",
              gre_key: int | None = None) -> int:
    """Bytes of the outer IPv4 packet the carrier must deliver for an inner IP packet of ``inner_size``."""
    pkt = build(inner_size, labels=labels, encap=encap, ipsec_mode=ipsec_mode, encryption=encryption,
                integrity=integrity, gre_key=gre_key)
    return len(bytes(pkt))


def max_inner(carrier_mtu: int, **profile) -> int:
    """Largest inner IP packet whose encapsulation still fits ``carrier_mtu`` (search over real packets)."""
    lo, hi = 28, carrier_mtu
    if wire_size(lo, **profile) > carrier_mtu:
        return 0
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if wire_size(mid, **profile) <= carrier_mtu:
            lo = mid
        else:
            hi = mid - 1
    return lo


def roundtrip(inner_size: int, **profile) -> bool:
    """Encrypt and decrypt one packet with the negotiated transform (sanity check of the SA build)."""
    IP = _scapy()[0]
    encryption = profile.get("encryption", "aes-gcm-256")
    integrity = profile.get("integrity", "none")
    mode = profile.get("ipsec_mode", "transport")
    pkt = build(inner_size, **profile)
    if mode == "tunnel":
        sa = esp_sa(encryption, integrity, tunnel_src="192.0.2.0", tunnel_dst="192.0.2.1")
    else:
        sa = esp_sa(encryption, integrity)
    clear = sa.decrypt(IP(bytes(pkt)))
    return bytes(clear).endswith(b"\xab" * (inner_size - 28))


def warm() -> None:
    """Import scapy and build one packet (the server does this in a thread right after start-up)."""
    wire_size(100)


# -- MACsec (IEEE 802.1AE) ----------------------------------------------------------------------------
MACSEC_CIPHERS = {   # cipher suite -> (SAK bytes, extended packet numbering)
    "gcm-aes-128": (16, False), "gcm-aes-256": (32, False),
    "gcm-aes-xpn-128": (16, True), "gcm-aes-xpn-256": (32, True),
}
ETHER_HEADER = 14    # DA, SA, EtherType (in a MACsec frame the EtherType 0x88E5 opens the SecTAG)


@functools.lru_cache(maxsize=1024)
def macsec_payload(inner_size: int, labels: int = 0, cipher: str = "gcm-aes-128", include_sci: bool = True) -> int:
    """Ethernet payload bytes (frame minus the 14-byte MAC header, FCS excluded) of one IP packet of ``inner_size``
    (under ``labels`` MPLS labels) secured by scapy's MACsecSA with ``cipher``: SecTAG (8 bytes, 16 with the SCI)
    + the original EtherType + the packet + the 16-byte ICV. The carrier delivers a frame when this fits its MTU."""
    from scapy.contrib.macsec import MACsecSA
    from scapy.contrib.mpls import MPLS
    from scapy.layers.l2 import Ether
    key_len, xpn = MACSEC_CIPHERS[cipher]
    payload = inner_packet(inner_size)
    for i in reversed(range(labels)):
        payload = MPLS(label=16 + i, s=1 if i == labels - 1 else 0, ttl=64) / payload
    frame = Ether(src="52:54:00:00:00:01", dst="52:54:00:00:00:02",
                  type=ETH_MPLS if labels else ETH_IPV4) / payload
    sa = MACsecSA(sci=bytes.fromhex("525400000001" "0001"), an=0, pn=1, key=_key("sak", key_len), icvlen=16,
                  encrypt=True, send_sci=include_sci, xpn_en=xpn,
                  ssci=b"\x00\x00\x00\x01" if xpn else None, salt=_key("salt", 12) if xpn else None)
    return len(bytes(sa.encrypt(sa.encap(frame)))) - ETHER_HEADER

"""packets.py sizes against hand-checked values (RFC 4303 ESP layout, RFC 2784/2890 GRE, RFC 3032 labels)."""
from __future__ import annotations

import pytest

from mplssec_lab import packets

GCM = {"encryption": "aes-gcm-256", "integrity": "none"}


@pytest.mark.parametrize("inner,profile,expected", [
    # transport: IP20 + ESP8 + IV8 + [GRE4 + labels8 + 1418 + pad0 + trailer2 = 1432] + ICV16
    (1418, dict(labels=2, ipsec_mode="transport", **GCM), 1484),
    # tunnel: IP20 + ESP8 + IV8 + [IP20 + GRE4 + labels8 + 1418 + trailer2 = 1452] + ICV16
    (1418, dict(labels=2, ipsec_mode="tunnel", **GCM), 1504),
    # AES-CBC-256/SHA-256: payload 1412 + 2 -> pad to 1424 (16-byte blocks) + ESP8 + IV16 + ICV16 + IP20
    (1400, dict(labels=2, ipsec_mode="transport", encryption="aes-cbc-256", integrity="sha256"), 1484),
    # AES-CBC-128/SHA-1 tunnel: 20+4+1000+2=1026 -> 1040 + 8 + 16 + 12 + 20
    (1000, dict(labels=0, ipsec_mode="tunnel", encryption="aes-cbc-128", integrity="sha1"), 1096),
    # 3DES/SHA-1 transport: 4+1000+2=1006 -> 1008 (8-byte blocks) + 8 + 8 + 12 + 20
    (1000, dict(labels=0, ipsec_mode="transport", encryption="3des", integrity="sha1"), 1056),
    # sVTI/st0 carrying IP directly: 1000+2 -> 1004 + 8 + 8 + 16 + 20
    (1000, dict(encap="none", ipsec_mode="tunnel", **GCM), 1056),
    # clear GRE: 20 + 4 + 1400, with key + 4
    (1400, dict(ipsec_mode=None), 1424),
    (1400, dict(ipsec_mode=None, gre_key=7), 1428),
])
def test_wire_size_hand_checked(inner, profile, expected):
    assert packets.wire_size(inner, **profile) == expected


def test_max_inner_hand_checked():
    assert packets.max_inner(1500, labels=2, ipsec_mode="transport", **GCM) == 1434
    assert packets.max_inner(1500, labels=2, ipsec_mode="tunnel", **GCM) == 1414
    assert packets.max_inner(1496, labels=2, ipsec_mode="tunnel", **GCM) == 1410
    # CBC pads to 16: the limit is the last inner size before the next block
    n = packets.max_inner(1500, labels=2, ipsec_mode="transport", encryption="aes-cbc-256", integrity="sha256")
    assert packets.wire_size(n, labels=2, ipsec_mode="transport", encryption="aes-cbc-256",
                             integrity="sha256") <= 1500
    assert packets.wire_size(n + 1, labels=2, ipsec_mode="transport", encryption="aes-cbc-256",
                             integrity="sha256") > 1500


@pytest.mark.parametrize("profile", [
    dict(labels=2, ipsec_mode="transport", **GCM),
    dict(labels=2, ipsec_mode="tunnel", **GCM),
    dict(labels=1, ipsec_mode="tunnel", encryption="aes-cbc-128", integrity="sha512"),
])
def test_real_encryption_roundtrip(profile):
    assert packets.roundtrip(700, **profile)
    pkt = bytes(packets.build(700, **profile))
    assert b"\xab" * 32 not in pkt          # the payload is really encrypted
    assert pkt[9] == 50                      # outer IP protocol is ESP


def test_labels_and_gre_protocol():
    from scapy.contrib.mpls import MPLS
    from scapy.layers.l2 import GRE
    pkt = packets.build(200, labels=2, ipsec_mode=None)
    assert pkt[GRE].proto == 0x8847
    assert pkt[MPLS].s == 0 and pkt[MPLS].payload.s == 1
    assert packets.build(200, labels=0, ipsec_mode=None)[GRE].proto == 0x0800


def test_inner_packet_exact_size():
    for n in (28, 100, 1500):
        assert len(bytes(packets.inner_packet(n))) == n

"""Cisco type 7 reversible password encoding (how IOS-XE shows a MACsec key chain ``key-string``: ``key-string 7
<hex>``; the clear CAK is never shown). The well-known XOR scheme: two decimal digits give the offset into the
constant below, then each character is XORed with the next constant character, two hex digits each. The offset is
derived from the text (stable rendering; a real router picks it at random)."""
from __future__ import annotations

import hashlib

_XLAT = "dsfd;kfoA,.iyewrkldJKDHSUBsgvca69834ncxv9873254k;fg87"


def encode(plain: str) -> str:
    seed = hashlib.sha256(plain.encode()).digest()[0] % 16
    return "%02d" % seed + "".join("%02X" % (ord(c) ^ ord(_XLAT[(seed + i) % len(_XLAT)]))
                                   for i, c in enumerate(plain))


def decode(enc: str) -> str:
    seed = int(enc[:2])
    body = enc[2:]
    return "".join(chr(int(body[i:i + 2], 16) ^ ord(_XLAT[(seed + i // 2) % len(_XLAT)]))
                   for i in range(0, len(body), 2))

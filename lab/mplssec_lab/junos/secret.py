"""Junos ``$9$`` reversible secret encoding (the form ``show configuration`` prints for
``pre-shared-key ascii-text``).  Real Junos salts it randomly; the emulator derives the salt from the
clear text so that the rendered configuration is stable (documented gap: a re-entered identical key
never shows up in ``show | compare``, which matches what the collection's idempotence expects)."""

from __future__ import annotations

import hashlib

_FAMILY = ["QzF3n6/9CAtpu0O", "B1IREhcSyrleKvMW8LXx", "7N-dVbwsY2g4oaJZGUDj", "iHkq.mPf5T"]
_EXTRA = {c: 3 - i for i, fam in enumerate(_FAMILY) for c in fam}
_ALPHA = "".join(_FAMILY)
_NUM = {c: i for i, c in enumerate(_ALPHA)}
_ENCODING = [[1, 4, 32], [1, 16, 32], [1, 8, 32], [1, 64], [1, 32], [1, 4, 16, 128], [1, 32, 64]]


def is_9(s: str) -> bool:
    return isinstance(s, str) and s.startswith("$9$") and len(s) > 4 and all(c in _NUM for c in s[3:])


def decrypt9(crypt: str) -> str:
    chars = crypt[3:]
    first, chars = chars[0], chars[1:]
    chars = chars[_EXTRA[first] :]
    prev, out = first, []
    while chars:
        decode = _ENCODING[len(out) % len(_ENCODING)]
        nib, chars = chars[: len(decode)], chars[len(decode) :]
        if len(nib) < len(decode):
            raise ValueError("bad $9$ secret")
        total = 0
        for mult, c in zip(decode, nib, strict=True):
            gap = (_NUM[c] - _NUM[prev]) % len(_ALPHA) - 1
            total += gap * mult
            prev = c
        out.append(chr(total % 256))
    return "".join(out)


def _rand_chars(seed: bytes, n: int, offset: int):
    h = hashlib.sha256(seed + bytes([offset])).digest()
    return "".join(_ALPHA[b % len(_ALPHA)] for b in h[:n])


def encrypt9(plain: str) -> str:
    seed = plain.encode()
    salt = _rand_chars(seed, 1, 0)
    rand = _rand_chars(seed, _EXTRA[salt], 1)
    prev = salt
    crypt = "$9$" + salt + rand
    for pos, ch in enumerate(plain):
        enc = _ENCODING[pos % len(_ENCODING)]
        val = ord(ch)
        gaps = []
        for mult in reversed(enc):
            gaps.insert(0, val // mult)
            val %= mult
        for gap in gaps:
            gap += _NUM[prev] + 1
            prev = _ALPHA[gap % len(_ALPHA)]
            crypt += prev
    return crypt

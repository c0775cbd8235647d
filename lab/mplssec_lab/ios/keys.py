"""IOS-XE RSA key pairs (the key store, outside the configuration), docs/lab.md "RSA key pairs".

Sources:

* Cisco IOS "Deploying RSA Keys Within a PKI" (sec-deploy-rsa-pki): ``crypto key generate rsa [general-keys] [label
  NAME] [modulus N] [exportable]`` and ``crypto key zeroize rsa [NAME]`` are global configuration commands, the keys
  are kept in private NVRAM and never appear in the running configuration (so ``configure replace`` does not touch
  them); ``show crypto key mypubkey rsa [NAME]`` lists them ("Key name", "Key type: RSA KEYS", "Usage: General Purpose
  Key", "Key is exportable." / "not exportable", "Key Data:" then the DER SubjectPublicKeyInfo in 8-hex-digit words).
* Cisco TechNote 225161 "Configure GETVPN with COOP Key Servers and Certificate Authentication" (IOS XE 16.12, a real
  transcript): the generate dialogue ``The name for the keys will be: NAME`` / ``% The key modulus size is N bits`` /
  ``% Generating N bit RSA keys, keys will be non-exportable...`` / ``[OK] (elapsed time was 0 seconds)``.
* The replace and remove questions (``% You already have RSA keys defined named NAME.`` / ``% Do you really want to
  replace them? [yes/no]:`` and ``% Keys to be removed are named 'NAME'.`` ... ``[yes/no]:``): the wording of the
  Cisco Security Command Reference examples; what matters to automation is that both ask ``[yes/no]``.

The key data here is a well-formed 2048-bit RSA SubjectPublicKeyInfo header around random modulus bytes: the lab never
signs with it, it only compares keys (the key servers of a cooperative pair must hold the same key).
"""
from __future__ import annotations

import hashlib
import os
import time

#: DER of SubjectPublicKeyInfo{rsaEncryption, RSAPublicKey{modulus (N bytes), 65537}} up to the modulus bytes
_SPKI_HEAD = {1024: "30819F300D06092A864886F70D010101050003818D0030818902818100",
              2048: "30820122300D06092A864886F70D01010105000382010F003082010A0282010100",
              4096: "30820222300D06092A864886F70D01010105000382020F003082020A0282020100"}
_SPKI_TAIL = "0203010001"


def key_data(modulus: int = 2048, seed: str | None = None) -> str:
    """A public key's DER as upper-case hex: random, or derived from ``seed`` (the same key on two lab routers)."""
    size = modulus // 8
    if seed is None:
        body = bytearray(os.urandom(size))
    else:
        body = bytearray()
        n = 0
        while len(body) < size:
            body += hashlib.sha256(f"{seed}/{n}".encode()).digest()
            n += 1
        body = body[:size]
    body[0] |= 0x80
    body[-1] |= 0x01
    return _SPKI_HEAD.get(modulus, _SPKI_HEAD[2048]) + body.hex().upper() + _SPKI_TAIL


def new_key(modulus: int = 2048, exportable: bool = False, seed: str | None = None, at: float | None = None) -> dict:
    return {"modulus": modulus, "exportable": exportable, "data": key_data(modulus, seed),
            "at": time.time() if at is None else at}


def generate_lines(tokens: list[str]) -> dict | None:
    """``crypto key generate rsa ...`` tokens -> {label, modulus, exportable} (None: not this command)."""
    low = [t.lower() for t in tokens]
    if low[:4] != ["crypto", "key", "generate", "rsa"]:
        return None
    out = {"label": None, "modulus": None, "exportable": False}
    i = 4
    while i < len(low):
        if low[i] in ("general-keys", "usage-keys", "redundancy"):
            i += 1
        elif low[i] == "label" and i + 1 < len(low):
            out["label"] = tokens[i + 1]
            i += 2
        elif low[i] == "modulus" and i + 1 < len(low) and low[i + 1].isdigit():
            out["modulus"] = int(low[i + 1])
            i += 2
        elif low[i] == "exportable":
            out["exportable"] = True
            i += 1
        else:
            return {"error": i}
    return out


def format_mypubkey(keys: dict, name: str | None = None) -> str:
    """``show crypto key mypubkey rsa [NAME]``."""
    out = []
    for label in sorted(keys):
        if name is not None and label != name:
            continue
        k = keys[label]
        data = k["data"]
        words = [data[i:i + 8] for i in range(0, len(data), 8)]
        out += ["% Key pair was generated at: " + time.strftime("%H:%M:%S UTC %b %d %Y", time.gmtime(k["at"])),
                f"Key name: {label}",
                "Key type: RSA KEYS",
                " Storage Device: private-config",
                " Usage: General Purpose Key",
                " Key is exportable. Redundancy enabled." if k["exportable"] else " Key is not exportable. Redundancy enabled.",
                " Key Data:"]
        out += ["  " + " ".join(words[i:i + 8]) for i in range(0, len(words), 8)]
    return "\n".join(out)

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Post-deployment checks of an encrypted P-P link, as show/valid pairs (netlab style).

Every check is a pair:

* ``show_commands(check, plan, link)`` returns the CLI commands the role runs on the router, in
  order (for ``ipsec_sa`` a sample, test traffic, a second sample; for ``mtu_ping`` the ping at the
  planned size and the ping one byte larger). Device syntax for verification lives only here.
* ``run_check(check, outputs, plan, link)`` parses those outputs (TextFSM templates of the project in
  ``plugins/textfsm/`` for IOS-XE text, ``| display json`` for Junos, Junos text as a fallback) and
  calls the matching ``valid_<check>`` function, which compares the parsed state with the plan fact
  and returns ``{"name", "host", "status": "pass"|"fail", "detail"}`` with a readable detail.

The ``valid_*`` functions take already-normalised records, so they can be tested with tables
without any device output. Nothing here talks to a device, and no function reads a secret: the
plan fact never contains one and the details are built only from parsed show output.

Check names (exactly these, in this order): ``ike_sa``, ``ipsec_sa``, ``ldp_session``,
``igp_adjacency``, ``no_clear_mpls``, ``mtu_ping``, ``lsp_ping`` (labelled forwarding: an MPLS LSP ping
to the peer's loopback at the planned MPLS size), ``no_carrier_ldp`` (after cut-over: no LDP hello
adjacency left on the carrier interface); for mode macsec ``mka_session`` and ``macsec_sa`` (section "MACsec" below),
with the IGP, LDP and ping checks run on the carrier interface (``on_carrier_if_macsec``).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any, Iterable
from xml.etree import ElementTree

__all__ = [
    "CHECKS",
    "OutputError",
    "TEMPLATE_DIR",
    "VerifyError",
    "build_reports",
    "ike_sas",
    "igp_neighbors",
    "ipsec_counters",
    "ipsec_sas",
    "junit_xml",
    "junos_simplify",
    "ldp_neighbors",
    "ldp_sessions",
    "mpls_interfaces",
    "norm_dh",
    "norm_encryption",
    "norm_hash",
    "parse_text",
    "ping_result",
    "run_check",
    "same_interface",
    "show_commands",
    "summary_table",
    "valid_igp_adjacency",
    "valid_ike_sa",
    "valid_ipsec_sa",
    "valid_ldp_session",
    "valid_lsp_ping",
    "valid_mtu_ping",
    "valid_no_carrier_ldp",
    "lsp_ping_result",
    "lsp_ping_size",
    "valid_no_clear_mpls",
    "valid_no_clear_igp",
    "MACSEC_CHECKS",
    "checks_for",
    "macsec_states",
    "mka_sessions",
    "on_carrier_if_macsec",
    "valid_macsec_sa",
    "valid_mka_session",
]

CHECKS: tuple[str, ...] = ("ike_sa", "ipsec_sa", "mka_session", "macsec_sa", "ldp_session", "igp_adjacency", "no_clear_mpls",
                           "mtu_ping", "lsp_ping", "no_carrier_ldp", "no_clear_igp", "clear_igp_adjacency", "clear_ldp_session",
                           "gdoi_registered")
#: GET VPN checks across routers, run by the verify engine after gdoi_registered (engine.Engine.getvpn_groups): the key
#: server sees every planned member registered, both members hold the key server's TEK, and rekeys happen; they sort
#: after CHECKS
GROUP_CHECKS: tuple[str, ...] = ("gdoi_ks_members", "gdoi_tek", "gdoi_rekey")
#: GET VPN member checks (mode getvpn): implemented in plugins/plugin_utils/verify_getvpn.py
GETVPN_CHECKS: tuple[str, ...] = ("gdoi_registered",)
#: MACsec checks (mode macsec)
MACSEC_CHECKS: tuple[str, ...] = ("mka_session", "macsec_sa")
#: the checks that prove a link's traffic is encrypted, per mode; a selection naming another mode's crypto checks gets
#: the link's own in their place (the verify role's default list names those of every mode)
CRYPTO_CHECKS: dict[str, tuple[str, ...]] = {
    "gre_ipsec": ("ike_sa", "ipsec_sa"), "getvpn": GETVPN_CHECKS, "macsec": MACSEC_CHECKS}
#: checks that do not apply to a mode: MACsec keeps MPLS/LDP/IGP on the carrier by design
NOT_FOR_MODE: dict[str, tuple[str, ...]] = {"macsec": ("no_clear_mpls", "no_carrier_ldp", "no_clear_igp")}
#: checks of the link's clear state (the carrier interface): the deploy gates of cut-over (no_clear_igp) and of the
#: decommission steps (clear_*) use them; same commands and parsers as igp_adjacency / ldp_session
CLEAR_CHECKS: tuple[str, ...] = ("no_clear_igp", "clear_igp_adjacency", "clear_ldp_session")
PLATFORMS: tuple[str, ...] = ("ios", "junos")
TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "textfsm"

#: test traffic sent between the two ipsec_sa samples, and pings per MTU probe
TRAFFIC_COUNT = 5
PING_COUNT = 3
#: the planned-size DF ping passes with at least this share of replies
MIN_SUCCESS_PCT = 66


class VerifyError(ValueError):
    """A check name, platform, link or input shape is not usable."""


class OutputError(VerifyError):
    """A command output has a shape no parser accepts (the check fails, it does not raise)."""


# --------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------


def _result(name: str, host: str, ok: bool, detail: str) -> dict:
    return {"name": name, "host": host, "status": "pass" if ok else "fail", "detail": detail}


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _lower_keys(rows: Iterable[dict]) -> list[dict]:
    return [{str(k).lower(): v for k, v in row.items()} for row in rows]


def same_interface(a: str | None, b: str | None) -> bool:
    """True when two interface names denote the same interface.

    Accepts IOS abbreviations (``Tu100`` = ``Tunnel100``, ``Gi2`` = ``GigabitEthernet2``); Junos
    names must match exactly (``gr-0/0/0.100``).
    """
    if not a or not b:
        return False
    a, b = a.strip().lower(), b.strip().lower()
    if a == b:
        return True
    ma = re.match(r"^([a-z][a-z-]*?)\s*(\d[\d/.:]*)$", a)
    mb = re.match(r"^([a-z][a-z-]*?)\s*(\d[\d/.:]*)$", b)
    if not ma or not mb or ma.group(2) != mb.group(2):
        return False
    pa, pb = ma.group(1), mb.group(1)
    if "-" in pa or "-" in pb:  # Junos style names are never abbreviated
        return False
    return pa.startswith(pb) or pb.startswith(pa)


def _same_or_parent(name: str | None, phys: str) -> bool:
    """``name`` is the interface ``phys`` or its parent/child unit (Junos ``ge-0/0/0`` vs ``ge-0/0/0.0``)."""
    if not name:
        return False
    if same_interface(name, phys):
        return True
    n, p = name.strip().lower(), phys.strip().lower()
    return n == p.split(".")[0] or p == n.split(".")[0]


# --------------------------------------------------------------------------------------------
# algorithm names: vendor spelling -> the plan's vocabulary
# --------------------------------------------------------------------------------------------


def norm_encryption(text: Any, keysize: Any = None) -> str | None:
    """``AES-CBC`` + 128, ``AES-GCM`` + 256, ``esp-256-aes``, ``esp-gcm 256``, ``aes256-gcm``,
    ``aes-gcm-128``, ``3des`` ... -> ``aes-cbc-128``, ``aes-gcm-256``, ``3des``, ``null``."""
    if text is None:
        return None
    t = str(text).strip().lower()
    if not t:
        return None
    if "3des" in t or "des3" in t:
        return "3des"
    if "null" in t:
        return "null"
    if "gcm" in t or "gmac" in t or "aes" in t:
        mode = "gcm" if ("gcm" in t or "gmac" in t) else "cbc"
        m = re.search(r"(128|192|256)", t)
        size = int(m.group(1)) if m else _int(keysize)
        if not size:
            size = 128  # IOS esp-aes / esp-gcm without a key size means 128
        return "aes-%s-%d" % (mode, size)
    if re.search(r"\bdes\b", t) or t in ("des", "esp-des"):
        return "des"
    return t


def norm_hash(text: Any) -> str | None:
    """``SHA96``/``esp-sha-hmac``/``hmac-sha1-96`` -> ``sha1``; ``SHA256``/``hmac-sha256-128`` ->
    ``sha256``; ``None``/``-``/empty (AEAD) -> ``none``."""
    if text is None:
        return None
    t = str(text).strip().lower()
    if t in ("", "none", "-", "null"):
        return "none"
    for bits in ("512", "384", "256"):
        if "sha" + bits in t or "sha-" + bits in t or "sha2-" + bits in t:
            return "sha" + bits
    if "md5" in t:
        return "md5"
    if "sha" in t:  # sha1, sha, sha96 (HMAC-SHA1-96), hmac-sha1-96
        return "sha1"
    return t


def norm_dh(text: Any) -> int | None:
    """``16``, ``DH-group-14``, ``group20``, ``Group 19`` -> int; ``none`` -> None."""
    if text is None:
        return None
    m = re.search(r"(\d+)\s*$", str(text).strip())
    return int(m.group(1)) if m else None


def _esp_transform_ios(text: str) -> tuple[str | None, str]:
    """IOS ``transform: esp-256-aes esp-sha256-hmac`` / ``esp-gcm 256`` -> (encryption, integrity)."""
    tokens = str(text).replace(",", " ").split()
    enc_tokens, integ = [], "none"
    for tok in tokens:
        low = tok.lower()
        if low.endswith("-hmac") or low in ("esp-sha", "esp-md5"):
            integ = norm_hash(low) or "none"
        elif low.isdigit():
            enc_tokens.append(low)
        elif low.startswith("esp-") or low.startswith("ah-"):
            enc_tokens.append(low)
    enc = norm_encryption(" ".join(enc_tokens)) if enc_tokens else None
    return enc, integ


# --------------------------------------------------------------------------------------------
# input shapes: TextFSM rows, raw text, Junos JSON (raw with {"data": ...} wrappers or simplified)
# --------------------------------------------------------------------------------------------

_TEMPLATES = {
    ("ios", "ike_sa"): "ios_show_crypto_ikev2_sa.textfsm",
    ("ios", "ipsec_sa"): "ios_show_crypto_ipsec_sa.textfsm",
    ("ios", "ldp_neighbor"): "ios_show_mpls_ldp_neighbor.textfsm",
    ("ios", "mpls_interfaces"): "ios_show_mpls_interfaces.textfsm",
    ("ios", "ospf_neighbor"): "ios_show_ip_ospf_neighbor.textfsm",
    ("ios", "isis_neighbor"): "ios_show_isis_neighbors.textfsm",
    ("ios", "ping"): "ios_ping.textfsm",
    ("ios", "ping_mpls"): "ios_ping_mpls.textfsm",
    ("ios", "crypto_session"): "ios_show_crypto_session.textfsm",  # diagnostic, no check uses it
    ("junos", "ike_sa"): "junos_show_security_ike_security_associations.textfsm",
    ("junos", "ipsec_sa"): "junos_show_security_ipsec_security_associations.textfsm",
    ("junos", "ldp_session"): "junos_show_ldp_session.textfsm",
    ("junos", "ldp_neighbor"): "junos_show_ldp_neighbor.textfsm",
    ("junos", "ping"): "junos_ping.textfsm",
    ("junos", "ping_mpls"): "junos_ping_mpls.textfsm",
}


def parse_text(platform: str, what: str, text: str) -> list[dict]:
    """Parse CLI text with the project's TextFSM template for (platform, what); rows with lower-case keys."""
    import textfsm  # controller requirement (requirements/requirements.txt)

    try:
        name = _TEMPLATES[(platform, what)]
    except KeyError:
        raise OutputError("no TextFSM template for %s %s (expected JSON output)" % (platform, what)) from None
    with open(TEMPLATE_DIR / name, encoding="utf-8") as handle:
        fsm = textfsm.TextFSM(handle)
        return _lower_keys(fsm.ParseTextToDicts(text or ""))


def junos_simplify(obj: Any) -> Any:
    """Junos ``| display json`` -> plain data: ``[{"data": "x"}]`` -> ``"x"``, one-item lists of
    objects stay lists, ``attributes`` dropped. Already simple data passes unchanged."""
    if isinstance(obj, list):
        if len(obj) == 1 and isinstance(obj[0], dict) and set(obj[0]) <= {"data", "attributes"} and "data" in obj[0]:
            return obj[0]["data"]
        if len(obj) == 1 and isinstance(obj[0], dict) and set(obj[0]) == {"attributes"}:
            return ""  # empty element, e.g. <sa-block-state/>
        return [junos_simplify(item) for item in obj]
    if isinstance(obj, dict):
        if set(obj) <= {"data", "attributes"} and "data" in obj:
            return obj["data"]
        return {k: junos_simplify(v) for k, v in obj.items() if k != "attributes"}
    return obj


def junos_xml_to_json(xml_text: str) -> dict:
    """Junos XML (``| display xml`` / RPC reply) -> the JSON shape of ``| display json``
    (every element a list of objects, leaves ``[{"data": text}]``). Used for XML captures."""

    def conv(elem):
        children = list(elem)
        if not children:
            return {"data": (elem.text or "").strip()} if (elem.text or "").strip() else {}
        out: dict = {}
        for child in children:
            tag = child.tag.split("}")[-1]
            out.setdefault(tag, []).append(conv(child))
        return out

    root = ElementTree.fromstring(xml_text.strip())
    return {root.tag.split("}")[-1]: [conv(root)]}


def find_all(obj: Any, key: str, flatten: bool = True) -> list:
    """All values of ``key`` anywhere in nested dicts/lists (Junos ``| display json``); with ``flatten`` a value that
    is a list of records contributes its records. Shared with plugins/plugin_utils/facts.py."""
    found: list = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == key:
                found.extend(v if flatten and isinstance(v, list) else [v])
            else:
                found.extend(find_all(v, key, flatten))
    elif isinstance(obj, list):
        for item in obj:
            found.extend(find_all(item, key, flatten))
    return found


def _first(obj: Any, *keys: str) -> Any:
    for key in keys:
        values = find_all(obj, key)
        if values:
            return values[0]
    return None


def _as_data(platform: str, what: str, data: Any) -> Any:
    """Normalise one command output: TextFSM rows -> rows (lower keys), JSON text -> simplified
    JSON, Junos JSON -> simplified, CLI text -> rows via the project template."""
    if data is None:
        return []
    if isinstance(data, str):
        stripped = data.strip()
        if stripped.startswith("{"):
            try:
                return junos_simplify(json.loads(stripped))
            except ValueError:
                pass
        if stripped.startswith("<"):
            return junos_simplify(junos_xml_to_json(stripped))
        return parse_text(platform, what, data)
    if isinstance(data, dict):
        return junos_simplify(data)
    if isinstance(data, list):
        if all(isinstance(r, dict) for r in data):
            return _lower_keys(data)
        raise OutputError("%s: expected TextFSM rows (list of dicts), got a list of %s" % (what, type(data[0]).__name__))
    raise OutputError("%s: unsupported output type %s" % (what, type(data).__name__))


def _is_rows(data: Any) -> bool:
    return isinstance(data, list)


# --------------------------------------------------------------------------------------------
# extractors: one normalised record list per command family
# --------------------------------------------------------------------------------------------


def ike_sas(platform: str, data: Any) -> list[dict]:
    """IKE SAs -> ``[{remote, local, state, established, encryption, integrity, prf, dh_group}]``.

    IOS ``show crypto ikev2 sa [detailed]`` rows; Junos ``show security ike security-associations
    [detail] | display json`` (algorithms only in detail) or its text (no algorithms)."""
    data = _as_data(platform, "ike_sa", data)
    out = []
    if _is_rows(data) and platform == "ios":
        for r in data:
            out.append(
                {
                    "remote": r.get("remote") or None,
                    "local": r.get("local") or None,
                    "state": r.get("status") or "",
                    "established": (r.get("status") or "").upper() == "READY",
                    "encryption": norm_encryption(r.get("encryption"), r.get("keysize")) if r.get("encryption") else None,
                    "integrity": norm_hash(r.get("hash")) if r.get("hash") else None,
                    "prf": norm_hash(r.get("prf")) if r.get("prf") else None,
                    "dh_group": norm_dh(r.get("dh_group")) if r.get("dh_group") else None,
                }
            )
        return out
    if _is_rows(data):  # Junos text rows
        for r in data:
            out.append(
                {
                    "remote": r.get("remote_address") or None,
                    "local": None,
                    "state": r.get("state") or "",
                    "established": (r.get("state") or "").upper() == "UP",
                    "encryption": None,
                    "integrity": None,
                    "prf": None,
                    "dh_group": None,
                }
            )
        return out
    for sa, block_remote in _junos_ike_records(data):
        state = str(_first(sa, "ike-sa-state") or "")
        enc = _first(sa, "ike-sa-encryption-algorithm")
        integ = _first(sa, "ike-sa-authentication-algorithm", "ike-sa-integrity-algorithm")
        prf = _first(sa, "ike-sa-prf-algorithm")
        dh = _first(sa, "ike-sa-dhgroup", "ike-sa-dh-group")
        out.append(
            {
                "remote": _first(sa, "ike-sa-remote-address") or block_remote,
                "local": _first(sa, "ike-sa-local-address"),
                "state": state,
                "established": state.upper() == "UP",
                "encryption": norm_encryption(enc) if enc else None,
                "integrity": norm_hash(integ) if integ else None,
                "prf": norm_hash(prf) if prf else None,
                "dh_group": norm_dh(dh) if dh else None,
            }
        )
    return out


def ipsec_sas(platform: str, data: Any) -> list[dict]:
    """IPsec SAs per peer -> ``[{peer, interface, inbound, outbound, transforms, modes, encaps, decaps,
    tunnel_index}]``; ``inbound``/``outbound`` = number of ACTIVE/up ESP SAs per direction,
    ``transforms`` = sorted ``encryption/integrity`` strings, ``encaps``/``decaps`` = IOS counters."""
    data = _as_data(platform, "ipsec_sa", data)
    out: list[dict] = []
    if _is_rows(data) and platform == "ios":
        for r in data:
            transforms = set()
            for t in list(r.get("inbound_transform") or []) + list(r.get("outbound_transform") or []):
                enc, integ = _esp_transform_ios(t)
                transforms.add("%s/%s" % (enc, integ))
            modes = set()
            for s in list(r.get("inbound_settings") or []) + list(r.get("outbound_settings") or []):
                low = s.lower()
                modes.add("transport" if "transport" in low else "tunnel" if "tunnel" in low else low.strip(" ,"))
            out.append(
                {
                    "peer": r.get("remote_endpt") or r.get("peer"),
                    "interface": r.get("interface") or None,
                    "inbound": sum(1 for s in r.get("inbound_status") or [] if s.upper().startswith("ACTIVE")),
                    "outbound": sum(1 for s in r.get("outbound_status") or [] if s.upper().startswith("ACTIVE")),
                    "transforms": sorted(transforms),
                    "modes": sorted(modes),
                    "encaps": _int(r.get("encaps")) or 0,
                    "decaps": _int(r.get("decaps")) or 0,
                    "tunnel_index": None,
                }
            )
        return out
    records: list[dict] = []
    if _is_rows(data):  # Junos text rows
        for r in data:
            records.append(
                {
                    "peer": r.get("gateway"),
                    "direction": r.get("direction"),
                    "index": r.get("tunnel_id"),
                    "enc": r.get("encryption"),
                    "integ": r.get("integrity"),
                    "up": True,
                }
            )
    else:
        blocks = find_all(data, "ipsec-security-associations-block")
        groups = [(b, _first(b, "sa-block-state")) for b in blocks if isinstance(b, dict)] or [(data, None)]
        for block, state in groups:
            for sa in find_all(block, "ipsec-security-associations"):
                if not isinstance(sa, dict):
                    continue
                records.append(
                    {
                        "peer": _first(sa, "sa-remote-gateway"),
                        "direction": _first(sa, "sa-direction"),
                        "index": _first(sa, "sa-tunnel-index"),
                        "enc": _first(sa, "sa-esp-encryption-algorithm"),
                        "integ": _first(sa, "sa-hmac-algorithm"),
                        "up": state is None or str(state).lower() == "up",
                    }
                )
    by_peer: dict = {}
    for rec in records:
        entry = by_peer.setdefault(
            rec["peer"],
            {"peer": rec["peer"], "interface": None, "inbound": 0, "outbound": 0, "transforms": set(), "modes": [],
             "encaps": None, "decaps": None, "tunnel_index": rec["index"]},
        )
        if rec["up"]:
            if rec["direction"] in ("<", "inbound"):
                entry["inbound"] += 1
            elif rec["direction"] in (">", "outbound"):
                entry["outbound"] += 1
        entry["transforms"].add("%s/%s" % (norm_encryption(rec["enc"]), norm_hash(rec["integ"]) or "none"))
    for entry in by_peer.values():
        entry["transforms"] = sorted(entry["transforms"])
        out.append(entry)
    return out


def ipsec_counters(platform: str, data: Any, peer: str | None = None) -> tuple[int | None, int | None]:
    """(encrypted, decrypted) packets: IOS = sum of ``#pkts encaps``/``decaps`` of the SAs to ``peer``;
    Junos = ``show security ipsec statistics | display json`` ESP encrypted/decrypted packets."""
    if platform == "ios" or _is_rows(data) or (isinstance(data, str) and not data.strip().startswith("{")):
        sas = [s for s in ipsec_sas(platform, data) if peer is None or s["peer"] == peer]
        if not sas or any(s["encaps"] is None for s in sas):
            return None, None
        return sum(s["encaps"] for s in sas), sum(s["decaps"] for s in sas)
    data = _as_data(platform, "ipsec_statistics", data)
    enc = [_int(v) for v in find_all(data, "esp-encrypted-packets")]
    dec = [_int(v) for v in find_all(data, "esp-decrypted-packets")]
    if not enc or not dec:
        return None, None
    return sum(v or 0 for v in enc), sum(v or 0 for v in dec)


def ldp_neighbors(platform: str, data: Any) -> list[dict]:
    """LDP peers/adjacencies -> ``[{peer_id, state, interfaces, address}]``.

    IOS ``show mpls ldp neighbor`` (state Oper, discovery interfaces); Junos ``show ldp neighbor``
    (hello adjacencies: label space id -> peer_id, interface; no state)."""
    data = _as_data(platform, "ldp_neighbor", data)
    out = []
    if _is_rows(data) and platform == "ios":
        for r in data:
            out.append(
                {
                    "peer_id": r.get("peer_ldp_id"),
                    "state": r.get("state") or "",
                    "interfaces": list(r.get("discovery_interfaces") or []),
                    "address": r.get("peer_tcp_addr") or None,
                }
            )
        return out
    if _is_rows(data):
        rows = [{"ldp-neighbor-address": r.get("address"), "interface-name": r.get("interface"),
                 "ldp-label-space-id": r.get("label_space_id")} for r in data]
    else:
        rows = [n for n in find_all(data, "ldp-neighbor") if isinstance(n, dict)]
    for n in rows:
        lsid = str(n.get("ldp-label-space-id") or "")
        out.append(
            {
                "peer_id": lsid.split(":", maxsplit=1)[0] or None,
                "state": "",
                "interfaces": [n.get("interface-name")] if n.get("interface-name") else [],
                "address": n.get("ldp-neighbor-address"),
            }
        )
    return out


def ldp_sessions(platform: str, data: Any) -> list[dict]:
    """Junos ``show ldp session`` (JSON or text) -> ``[{address, state, connection}]``."""
    data = _as_data(platform, "ldp_session", data)
    if _is_rows(data):
        return [{"address": r.get("address"), "state": r.get("state") or "", "connection": r.get("connection") or ""}
                for r in data]
    return [
        {
            "address": s.get("ldp-neighbor-address"),
            "state": str(s.get("ldp-session-state") or ""),
            "connection": str(s.get("ldp-connection-state") or ""),
        }
        for s in find_all(data, "ldp-session")
        if isinstance(s, dict)
    ]


def igp_neighbors(platform: str, protocol: str, data: Any) -> list[dict]:
    """OSPF/IS-IS neighbours -> ``[{neighbor, address, interface, state, up}]``."""
    if protocol not in ("ospf", "isis"):
        raise VerifyError("igp protocol must be ospf or isis, got %r" % (protocol,))
    data = _as_data(platform, protocol + "_neighbor", data)
    out = []
    if _is_rows(data):
        for r in data:
            if protocol == "ospf":
                state = (r.get("state") or "").upper()
                out.append({"neighbor": r.get("neighbor_id"), "address": r.get("address"),
                            "interface": r.get("interface"), "state": r.get("state") or "", "up": state == "FULL"})
            else:
                state = (r.get("state") or "").upper()
                out.append({"neighbor": r.get("system_id"), "address": r.get("ip_address"),
                            "interface": r.get("interface"), "state": r.get("state") or "", "up": state == "UP"})
        return out
    if protocol == "ospf":
        for n in find_all(data, "ospf-neighbor"):
            if isinstance(n, dict):
                state = str(n.get("ospf-neighbor-state") or "")
                out.append({"neighbor": n.get("neighbor-id"), "address": n.get("neighbor-address"),
                            "interface": n.get("interface-name"), "state": state, "up": state.upper() == "FULL"})
    else:
        for n in find_all(data, "isis-adjacency"):
            if isinstance(n, dict):
                state = str(n.get("adjacency-state") or "")
                out.append({"neighbor": n.get("system-name"), "address": None,
                            "interface": n.get("interface-name"), "state": state, "up": state.upper() == "UP"})
    return out


def mpls_interfaces(platform: str, data: Any) -> list[dict]:
    """MPLS-enabled interfaces -> ``[{interface, detail}]``: IOS ``show mpls interfaces``; Junos
    ``show interfaces <unit> | display json`` (logical interfaces with family mpls) or
    ``show mpls interface | display json``."""
    data = _as_data(platform, "mpls_interfaces", data)
    if _is_rows(data):
        return [
            {"interface": r.get("interface"),
             "detail": "IP %s, operational %s" % (r.get("ip") or "?", r.get("operational") or "?")}
            for r in data
        ]
    out = [
        {"interface": i.get("interface-name"), "detail": "state %s" % (i.get("mpls-interface-state") or "?")}
        for i in find_all(data, "mpls-interface")
        if isinstance(i, dict)
    ]
    for unit in find_all(data, "logical-interface"):
        if not isinstance(unit, dict):
            continue
        families = [str(f) for f in find_all(unit, "address-family-name")]
        if "mpls" in families:
            out.append({"interface": unit.get("name"), "detail": "family mpls"})
    return out


def ping_result(platform: str, data: Any) -> dict | None:
    """One ping -> ``{sent, received, pct}`` or None when no result line was found."""
    data = _as_data(platform, "ping", data)
    if _is_rows(data):
        if not data:
            return None
        r = data[-1]
        if platform == "ios":
            sent, received = _int(r.get("total")) or _int(r.get("sent")), _int(r.get("received"))
            pct = _int(r.get("success_pct"))
        else:
            sent, received = _int(r.get("sent")), _int(r.get("received"))
            pct = None
        if received is None:
            return None
        if pct is None:
            pct = int(round(100.0 * received / sent)) if sent else 0
        return {"sent": sent or 0, "received": received, "pct": pct}
    sent = _int(_first(data, "probes-sent"))
    received = _int(_first(data, "responses-received"))
    if sent is None or received is None:
        return None
    return {"sent": sent, "received": received, "pct": int(round(100.0 * received / sent)) if sent else 0}


# --------------------------------------------------------------------------------------------
# valid_* : parsed state + plan link -> {name, host, status, detail}
# --------------------------------------------------------------------------------------------


def _peer(link: dict) -> dict:
    peer = link.get("peer") or {}
    if not peer.get("address"):
        raise VerifyError("link %s: plan has no peer.address" % link.get("name"))
    return peer


def valid_ike_sa(link: dict, sas: list[dict], host: str = "") -> dict:
    """An established IKE SA to the peer's carrier address with the planned encryption, integrity,
    PRF and DH group."""
    name = "ike_sa"
    peer = _peer(link)["address"]
    planned = ((link.get("crypto") or {}).get("ike") or {})
    to_peer = [s for s in sas if s.get("remote") == peer]
    if not to_peer:
        others = sorted({str(s.get("remote")) for s in sas if s.get("remote")})
        return _result(name, host, False, "no IKE SA to peer %s%s" % (
            peer, " (SAs to: %s)" % ", ".join(others) if others else " (no IKE SA at all)"))
    up = [s for s in to_peer if s.get("established")]
    if not up:
        return _result(name, host, False, "IKE SA to %s not established (state %s)" % (
            peer, ", ".join(sorted({s.get("state") or "?" for s in to_peer}))))
    wanted = {
        "encryption": planned.get("encryption"),
        "integrity": planned.get("integrity"),
        "prf": planned.get("prf"),
        "dh_group": _int(planned.get("dh_group")) if planned.get("dh_group") is not None else None,
    }
    wanted = {k: v for k, v in wanted.items() if v is not None}
    if "gcm" in str(wanted.get("encryption")) and wanted.get("integrity") == "none":
        del wanted["integrity"]  # AEAD: no integrity transform to compare (Junos still prints an HMAC name)
    problems_per_sa = []
    for sa in up:
        problems = []
        for key, want in wanted.items():
            have = sa.get(key)
            if have is None:
                problems.append("%s not shown (planned %s)" % (key, want))
            elif str(have) != str(want):
                problems.append("%s %s (planned %s)" % (key, have, want))
        if not problems:
            desc = "/".join("%s %s" % (k, wanted[k]) for k in ("encryption", "integrity", "prf", "dh_group") if k in wanted)
            return _result(name, host, True, "IKE SA to %s %s: %s" % (peer, sa.get("state"), desc))
        problems_per_sa.append(problems)
    return _result(name, host, False, "IKE SA to %s %s but proposal differs: %s" % (
        peer, up[0].get("state"), "; ".join(problems_per_sa[0])))


def valid_ipsec_sa(
    link: dict,
    sas: list[dict],
    before: tuple[int | None, int | None],
    after: tuple[int | None, int | None],
    host: str = "",
) -> dict:
    """IPsec SA(s) to the peer with an active inbound and outbound ESP SA, the planned transform
    (and, where shown, mode), and encrypt/decrypt counters that increased between two samples."""
    name = "ipsec_sa"
    peer = _peer(link)["address"]
    esp = ((link.get("crypto") or {}).get("esp") or {})
    want = "%s/%s" % (esp.get("encryption"), esp.get("integrity") or "none")
    mode = link.get("ipsec_mode")
    to_peer = [s for s in sas if s.get("peer") == peer]
    if not to_peer:
        others = sorted({str(s.get("peer")) for s in sas if s.get("peer")})
        return _result(name, host, False, "no IPsec SA to peer %s%s" % (
            peer, " (SAs to: %s)" % ", ".join(others) if others else " (no IPsec SA at all)"))
    inbound = sum(s["inbound"] for s in to_peer)
    outbound = sum(s["outbound"] for s in to_peer)
    if not inbound or not outbound:
        return _result(name, host, False, "IPsec SA to %s not up: %d active inbound, %d active outbound ESP SA(s)" % (
            peer, inbound, outbound))
    transforms = sorted({t for s in to_peer for t in s.get("transforms") or []})
    if esp.get("encryption") and want not in transforms:
        return _result(name, host, False, "IPsec SA to %s uses transform %s (planned %s)" % (
            peer, ", ".join(transforms) or "?", want))
    modes = sorted({m for s in to_peer for m in s.get("modes") or []})
    if mode and modes and mode not in modes:
        return _result(name, host, False, "IPsec SA to %s in %s mode (planned %s)" % (peer, ", ".join(modes), mode))
    (enc1, dec1), (enc2, dec2) = before, after
    if None in (enc1, dec1, enc2, dec2):
        return _result(name, host, False, "IPsec SA to %s up (%s) but its encrypt/decrypt counters were not found" % (
            peer, want))
    counters = "encrypted %s->%s, decrypted %s->%s" % (enc1, enc2, dec1, dec2)
    if enc2 <= enc1 or dec2 <= dec1:
        return _result(name, host, False, "IPsec SA to %s up (%s) but counters did not increase with test traffic: %s" % (
            peer, want, counters))
    where = ", ".join(sorted({s["interface"] for s in to_peer if s.get("interface")}))
    return _result(name, host, True, "IPsec SA to %s up (%s%s%s): %s" % (
        peer, want, ", " + ", ".join(modes) if modes else "", " on " + where if where else "", counters))


def valid_ldp_session(link: dict, neighbors: list[dict], sessions: list[dict] | None = None, host: str = "") -> dict:
    """LDP session to the peer's router id operational, discovered over the tunnel interface."""
    name = "ldp_session"
    peer = _peer(link)
    rid = peer.get("router_id")
    tunnel = (link.get("tunnel") or {}).get("interface")
    mine = [n for n in neighbors if n.get("peer_id") == rid]
    if sessions is not None:  # Junos: session state from "show ldp session", adjacency from "show ldp neighbor"
        sess = [s for s in sessions if s.get("address") == rid]
        if not sess:
            others = sorted({str(s.get("address")) for s in sessions})
            return _result(name, host, False, "no LDP session to %s%s" % (
                rid, " (sessions: %s)" % ", ".join(others) if others else " (no LDP session at all)"))
        if not any(s["state"].lower() == "operational" for s in sess):
            return _result(name, host, False, "LDP session to %s is %s (expected Operational)" % (
                rid, ", ".join(s["state"] or "?" for s in sess)))
        state_ok = "Operational"
    else:
        if not mine:
            others = sorted({str(n.get("peer_id")) for n in neighbors})
            return _result(name, host, False, "no LDP neighbor %s%s" % (
                rid, " (neighbors: %s)" % ", ".join(others) if others else " (no LDP neighbor at all)"))
        if not any(n["state"].lower() == "oper" for n in mine):
            return _result(name, host, False, "LDP session to %s is %s (expected Oper)" % (
                rid, ", ".join(n["state"] or "?" for n in mine)))
        state_ok = "Oper"
    ifaces = sorted({i for n in mine for i in n.get("interfaces") or []})
    if not any(same_interface(i, tunnel) for i in ifaces):
        return _result(name, host, False, "LDP session to %s %s but not discovered over %s (discovery: %s)" % (
            rid, state_ok, tunnel, ", ".join(ifaces) or "none"))
    return _result(name, host, True, "LDP session to %s %s over %s" % (rid, state_ok, tunnel))


def valid_igp_adjacency(link: dict, neighbors: list[dict], host: str = "") -> dict:
    """OSPF FULL / IS-IS Up adjacency over the tunnel interface (OSPF: neighbour id = peer router id)."""
    name = "igp_adjacency"
    igp = link.get("igp") or {}
    protocol = igp.get("protocol", "ospf")
    label = {"ospf": "OSPF", "isis": "IS-IS"}.get(protocol, protocol)
    wanted_state = "FULL" if protocol == "ospf" else "Up"
    peer = _peer(link)
    tunnel = (link.get("tunnel") or {}).get("interface")
    on_tunnel = [n for n in neighbors if same_interface(n.get("interface"), tunnel)]
    if protocol == "ospf" and peer.get("router_id"):
        on_tunnel = [n for n in on_tunnel if n.get("neighbor") in (peer.get("router_id"), None)]
    if not on_tunnel:
        others = ["%s on %s %s" % (n.get("neighbor"), n.get("interface"), n.get("state")) for n in neighbors]
        return _result(name, host, False, "no %s adjacency on %s%s" % (
            label, tunnel, " (neighbors: %s)" % "; ".join(others) if others else " (no neighbor at all)"))
    up = [n for n in on_tunnel if n.get("up")]
    if not up:
        return _result(name, host, False, "%s neighbor %s on %s is %s (expected %s)" % (
            label, on_tunnel[0].get("neighbor"), tunnel, on_tunnel[0].get("state") or "?", wanted_state))
    return _result(name, host, True, "%s neighbor %s on %s %s" % (label, up[0].get("neighbor"), tunnel, up[0].get("state")))


def valid_no_clear_mpls(link: dict, interfaces: list[dict], ldp: list[dict] | None = None, host: str = "") -> dict:
    """No MPLS forwarding and no LDP hello adjacency left on the physical carrier interface."""
    name = "no_clear_mpls"
    phys = (link.get("physical") or {}).get("interface")
    if not phys:
        raise VerifyError("link %s: plan has no physical.interface" % link.get("name"))
    hits = [i for i in interfaces if _same_or_parent(i.get("interface"), phys)]
    if hits:
        return _result(name, host, False, "MPLS still enabled on carrier interface %s (%s)" % (
            hits[0]["interface"], hits[0].get("detail")))
    ldp_hits = [n for n in ldp or [] if any(_same_or_parent(i, phys) for i in n.get("interfaces") or [])]
    if ldp_hits:
        return _result(name, host, False, "LDP adjacency still on carrier interface %s (neighbor %s)" % (
            phys, ldp_hits[0].get("address") or ldp_hits[0].get("peer_id")))
    listed = ", ".join(sorted(str(i.get("interface")) for i in interfaces)) or "none"
    return _result(name, host, True, "no MPLS/LDP on carrier interface %s (MPLS interfaces: %s)" % (phys, listed))


def valid_mtu_ping(link: dict, at_size: dict | None, over_size: dict | None, host: str = "",
                   platform: str = "ios", min_success_pct: int = MIN_SUCCESS_PCT) -> dict:
    """DF ping to the peer's tunnel address: the planned ``ip_mtu`` passes, ``ip_mtu + 1`` gets no reply."""
    name = "mtu_ping"
    ip_mtu = _int(((link.get("mtu") or {}).get("ip_mtu")))
    target = _peer(link).get("tunnel_address")
    if not ip_mtu or not target:
        raise VerifyError("link %s: plan has no mtu.ip_mtu or peer.tunnel_address" % link.get("name"))
    note = "" if platform == "ios" else " (Junos payload %d/%d + 28)" % (ip_mtu - 28, ip_mtu - 27)
    if at_size is None or over_size is None:
        return _result(name, host, False, "DF ping to %s: no result parsed at %s bytes" % (
            target, ip_mtu if at_size is None else ip_mtu + 1))
    summary = "DF ping to %s: %d bytes %d/%d (%d%%), %d bytes %d/%d (%d%%)%s" % (
        target, ip_mtu, at_size["received"], at_size["sent"], at_size["pct"],
        ip_mtu + 1, over_size["received"], over_size["sent"], over_size["pct"], note)
    if at_size["received"] == 0 or at_size["pct"] < min_success_pct:
        return _result(name, host, False, summary + " - the planned ip_mtu does not pass")
    if over_size["received"] > 0:
        return _result(name, host, False, summary + " - ip_mtu+1 passes: the tunnel MTU is larger than planned")
    return _result(name, host, True, summary)


# --------------------------------------------------------------------------------------------
# show/valid pairs
# --------------------------------------------------------------------------------------------


def checks_for(link: dict, selected: Iterable[str]) -> list[str]:
    """The checks of ``selected`` that apply to ``link`` (a plan entry): another mode's crypto checks are replaced, once,
    by the link's own (CRYPTO_CHECKS), unless the selection names them already; the checks that do not apply to the
    link's mode (NOT_FOR_MODE) are left out; every other check is kept in order."""
    mode = str((link or {}).get("mode") or "gre_ipsec")
    selected = [c for c in selected if c not in NOT_FOR_MODE.get(mode, ())]
    own = CRYPTO_CHECKS.get(mode, ())
    crypto = {check for checks in CRYPTO_CHECKS.values() for check in checks}
    out: list[str] = []
    for check in selected:
        if check not in crypto or check in own:
            out.append(check)
        elif own and not set(own) & (set(selected) | set(out)):
            out.extend(own)
    return out


def _link_from_plan(plan: dict, link: Any) -> dict:
    if isinstance(link, dict):
        return link
    for item in (plan or {}).get("links") or []:
        if item.get("name") == link:
            return item
    raise VerifyError("link %r is not in the p2p_plan of host %s" % (link, (plan or {}).get("host")))


def _platform(plan: dict) -> str:
    platform = (plan or {}).get("platform")
    if platform not in PLATFORMS:
        raise VerifyError("p2p_plan.platform must be one of %s, got %r" % (", ".join(PLATFORMS), platform))
    return platform


def _check_name(check: str) -> str:
    if check not in CHECKS:
        raise VerifyError("unknown check %r (known: %s)" % (check, ", ".join(CHECKS)))
    return check


def show_commands(check: str, plan: dict, link: Any) -> list[str]:
    """The commands for one check on one router, in the order they must run."""
    check, platform, link = _check_name(check), _platform(plan), on_carrier_if_macsec(_link_from_plan(plan, link))
    if check in MACSEC_CHECKS:
        return _macsec_show_commands(check, platform, link)
    peer = _peer(link)
    target = peer.get("tunnel_address")
    ip_mtu = _int((link.get("mtu") or {}).get("ip_mtu"))
    protocol = (link.get("igp") or {}).get("protocol", "ospf")
    if check in LABEL_CHECKS:
        return _label_show_commands(check, platform, link)
    if check in CLEAR_CHECKS:
        return show_commands("ldp_session" if check == "clear_ldp_session" else "igp_adjacency", plan, link)
    if check in GETVPN_CHECKS:
        return _getvpn().show_commands(check, platform, link)
    if platform == "ios":
        if check == "ike_sa":
            return ["show crypto ikev2 sa"]
        if check == "ipsec_sa":
            return ["show crypto ipsec sa", "ping %s repeat %d" % (target, TRAFFIC_COUNT), "show crypto ipsec sa"]
        if check == "ldp_session":
            return ["show mpls ldp neighbor"]
        if check == "igp_adjacency":
            return ["show ip ospf neighbor"] if protocol == "ospf" else ["show isis neighbors"]
        if check == "no_clear_mpls":
            return ["show mpls interfaces"]
        return ["ping %s size %d df-bit repeat %d" % (target, size, PING_COUNT) for size in (ip_mtu, ip_mtu + 1)]
    if check == "ike_sa":
        return ["show security ike security-associations detail | display json"]
    if check == "ipsec_sa":
        return [
            "show security ipsec security-associations | display json",
            "show security ipsec statistics | display json",
            "ping %s count %d rapid" % (target, TRAFFIC_COUNT),
            "show security ipsec statistics | display json",
        ]
    if check == "ldp_session":
        return ["show ldp session | display json", "show ldp neighbor | display json"]
    if check == "igp_adjacency":
        return ["show ospf neighbor | display json"] if protocol == "ospf" else ["show isis adjacency | display json"]
    if check == "no_clear_mpls":
        return ["show interfaces %s | display json" % (link.get("physical") or {}).get("interface"),
                "show ldp neighbor | display json"]
    return ["ping %s size %d do-not-fragment count %d rapid" % (target, size - 28, PING_COUNT)
            for size in (ip_mtu, ip_mtu + 1)]


def run_check(check: str, outputs: list, plan: dict, link: Any, error: str | None = None,
              min_success_pct: int = MIN_SUCCESS_PCT) -> dict:
    """Parse the outputs of ``show_commands(check, plan, link)`` (same order) and validate them."""
    check, platform, link = _check_name(check), _platform(plan), on_carrier_if_macsec(_link_from_plan(plan, link))
    host = str(plan.get("host") or "")
    expected = len(show_commands(check, plan, link))
    if error:
        m = re.search(r"<error-message>(.*?)</error-message>", str(error), re.S)  # NETCONF rpc-error
        return _result(check, host, False, "commands failed: %s" % _short(html.unescape(m.group(1)) if m else error))
    outputs = list(outputs or [])
    if len(outputs) != expected:
        return _result(check, host, False, "expected %d command outputs, got %d" % (expected, len(outputs)))
    try:
        if check in MACSEC_CHECKS:
            return _macsec_run_check(check, platform, outputs, link, host)
        if check in LABEL_CHECKS:
            return _label_run_check(check, platform, outputs, link, host, min_success_pct)
        if check in CLEAR_CHECKS:
            return _clear_run_check(check, platform, outputs, link, host)
        if check in GETVPN_CHECKS:
            return _getvpn().valid_gdoi_registered(link, platform, outputs, host)
        if check == "ike_sa":
            return valid_ike_sa(link, ike_sas(platform, outputs[0]), host)
        if check == "ipsec_sa":
            peer = _peer(link)["address"]
            if platform == "ios":
                sas = ipsec_sas(platform, outputs[2])
                return valid_ipsec_sa(link, sas, ipsec_counters(platform, outputs[0], peer),
                                      ipsec_counters(platform, outputs[2], peer), host)
            sas = ipsec_sas(platform, outputs[0])
            return valid_ipsec_sa(link, sas, ipsec_counters(platform, outputs[1]), ipsec_counters(platform, outputs[3]), host)
        if check == "ldp_session":
            if platform == "ios":
                return valid_ldp_session(link, ldp_neighbors(platform, outputs[0]), None, host)
            return valid_ldp_session(link, ldp_neighbors(platform, outputs[1]), ldp_sessions(platform, outputs[0]), host)
        if check == "igp_adjacency":
            protocol = (link.get("igp") or {}).get("protocol", "ospf")
            return valid_igp_adjacency(link, igp_neighbors(platform, protocol, outputs[0]), host)
        if check == "no_clear_mpls":
            if platform == "ios":
                return valid_no_clear_mpls(link, mpls_interfaces(platform, outputs[0]), None, host)
            return valid_no_clear_mpls(link, mpls_interfaces(platform, outputs[0]), ldp_neighbors(platform, outputs[1]), host)
        return valid_mtu_ping(link, ping_result(platform, outputs[0]), ping_result(platform, outputs[1]), host,
                              platform, min_success_pct)
    except OutputError as exc:
        return _result(check, host, False, "could not parse the output: %s" % _short(str(exc)))
    except VerifyError:
        raise
    except Exception as exc:  # a parser error on unexpected output is a failed check, not a crash
        return _result(check, host, False, "could not parse the output: %s: %s" % (type(exc).__name__, _short(str(exc))))


def _getvpn():
    """plugins/plugin_utils/verify_getvpn.py (imported late: it builds on this module's parsers)."""
    try:
        from ansible_collections.mplssec.p2p.plugins.plugin_utils import verify_getvpn
    except ImportError:  # pragma: no cover - used when the package is imported without the collection path
        from . import verify_getvpn  # type: ignore[no-redef]
    return verify_getvpn


def _on_carrier(link: dict) -> dict:
    """The link with the carrier interface in place of the tunnel: what the clear state is checked against."""
    phys = (link.get("physical") or {}).get("interface")
    if not phys:
        raise VerifyError("link %s: plan has no physical.interface" % link.get("name"))
    return dict(link, tunnel=dict(link.get("tunnel") or {}, interface=phys))


def valid_no_clear_igp(link: dict, neighbors: list[dict], host: str = "") -> dict:
    """After cut-over no IGP adjacency is left up on the carrier interface (vendor-truth #3: a network statement keeps
    OSPF there, and with equal costs ECMP sends half the traffic unlabelled and in clear)."""
    name = "no_clear_igp"
    phys = (link.get("physical") or {}).get("interface")
    protocol = (link.get("igp") or {}).get("protocol", "ospf")
    label = {"ospf": "OSPF", "isis": "IS-IS"}.get(protocol, protocol)
    hits = [n for n in neighbors if n.get("up") and _same_or_parent(n.get("interface"), phys)]
    if hits:
        return _result(name, host, False, "%s adjacency still up on carrier interface %s (neighbor %s %s)" % (
            label, phys, hits[0].get("neighbor"), hits[0].get("state")))
    return _result(name, host, True, "no %s adjacency on carrier interface %s" % (label, phys))


def _clear_run_check(check: str, platform: str, outputs: list, link: dict, host: str) -> dict:
    protocol = (link.get("igp") or {}).get("protocol", "ospf")
    if check == "no_clear_igp":
        return valid_no_clear_igp(link, igp_neighbors(platform, protocol, outputs[0]), host)
    carrier = _on_carrier(link)
    if check == "clear_igp_adjacency":
        result = valid_igp_adjacency(carrier, igp_neighbors(platform, protocol, outputs[0]), host)
    elif platform == "ios":
        result = valid_ldp_session(carrier, ldp_neighbors(platform, outputs[0]), None, host)
    else:
        result = valid_ldp_session(carrier, ldp_neighbors(platform, outputs[1]), ldp_sessions(platform, outputs[0]), host)
    return dict(result, name=check)


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --------------------------------------------------------------------------------------------
# reports
# --------------------------------------------------------------------------------------------


def build_reports(results: list[dict], expected: list[dict] | None = None, checks: Iterable[str] | None = None,
                  links: Iterable[str] | None = None) -> list[dict]:
    """Group check results (each with ``link``) into one report per link:
    ``{"link", "status", "checks": [{name, host, status, detail}]}``, sorted by link, host, check order.

    ``expected``: the ``p2p_plan`` facts of every host that should have reported; a selected check
    of a planned link with no result (host unreachable, play stopped) is reported as failed."""
    selected = list(checks or CHECKS)
    wanted_links = set(links or [])
    seen = set()
    by_link: dict = {}
    for r in results or []:
        link = r.get("link")
        if link is None:
            raise VerifyError("result without link: %r" % (r,))
        item = {"name": r.get("name"), "host": r.get("host"), "status": r.get("status"), "detail": r.get("detail")}
        by_link.setdefault(link, []).append(item)
        seen.add((link, item["host"], item["name"]))
    for plan in expected or []:
        for link in plan.get("links") or []:
            if wanted_links and link.get("name") not in wanted_links:
                continue
            for check in checks_for(link, selected):
                key = (link.get("name"), plan.get("host"), check)
                if key not in seen:
                    by_link.setdefault(key[0], []).append(
                        {"name": check, "host": key[1], "status": "fail",
                         "detail": "no result: host unreachable or verify did not run on it"})
                    seen.add(key)
    order = {name: i for i, name in enumerate(CHECKS + GROUP_CHECKS)}
    reports = []
    for link in sorted(by_link):
        checks_ = sorted(by_link[link], key=lambda c: (str(c["host"]), order.get(c["name"], 99), str(c["name"])))
        status = "pass" if checks_ and all(c["status"] == "pass" for c in checks_) else "fail"
        reports.append({"link": link, "status": status, "checks": checks_})
    return reports


def junit_xml(report: dict) -> str:
    """One link report -> JUnit XML: one testsuite per link, one testcase per check per host."""
    checks = report.get("checks") or []
    failures = sum(1 for c in checks if c.get("status") != "pass")
    suites = ElementTree.Element("testsuites", name="mplssec.p2p.verify", tests=str(len(checks)), failures=str(failures))
    suite = ElementTree.SubElement(
        suites, "testsuite", name="verify-%s" % report.get("link"), tests=str(len(checks)),
        failures=str(failures), errors="0", skipped="0")
    for c in checks:
        case = ElementTree.SubElement(
            suite, "testcase", classname="%s.%s" % (report.get("link"), c.get("host")), name=str(c.get("name")))
        if c.get("status") != "pass":
            fail = ElementTree.SubElement(case, "failure", message=str(c.get("detail")), type="check_failed")
            fail.text = str(c.get("detail"))
        else:
            out = ElementTree.SubElement(case, "system-out")
            out.text = str(c.get("detail"))
    ElementTree.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(suites, encoding="unicode") + "\n"


def summary_table(reports: list[dict], width: int = 100) -> list[str]:
    """A fixed-width table, one row per link/host/check, as a list of lines."""
    rows = [("LINK", "HOST", "CHECK", "STATUS", "DETAIL")]
    for rep in reports or []:
        for c in rep.get("checks") or []:
            rows.append((str(rep.get("link")), str(c.get("host")), str(c.get("name")),
                         "PASS" if c.get("status") == "pass" else "FAIL", _short(str(c.get("detail")), width)))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = []
    for r in rows:
        lines.append("  ".join(r[i].ljust(widths[i]) for i in range(4)) + "  " + r[4])
    total = len(rows) - 1
    failed = sum(1 for r in rows[1:] if r[3] == "FAIL")
    lines.append("%d checks, %d passed, %d failed" % (total, total - failed, failed))
    return lines


# --------------------------------------------------------------------------------------------
# labelled forwarding (issue 8 section 3): lsp_ping and no_carrier_ldp
# --------------------------------------------------------------------------------------------

#: checks of this section (show_commands/run_check hand them to _label_show_commands/_label_run_check)
LABEL_CHECKS: tuple[str, ...] = ("lsp_ping", "no_carrier_ldp")
#: MPLS echo requests per LSP ping
LSP_PING_COUNT = 5


def _junos_ike_records(data: Any) -> list[tuple[dict, Any]]:
    """Junos IKE SA records with the block-level remote address as a fallback (review finding #18).

    ``show security ike security-associations detail | display json`` wraps each SA in an
    ``ike-security-associations-block`` whose ``ike-sa-remote-address`` may appear only at block level;
    the brief form has no block. Returns ``[(sa_record, block_remote_or_None)]``."""
    out: list[tuple[dict, Any]] = []
    blocks = [b for b in find_all(data, "ike-security-associations-block") if isinstance(b, dict)]
    for block in blocks:
        remote = block.get("ike-sa-remote-address")
        remote = remote[0] if isinstance(remote, list) and remote else remote
        nested = [sa for sa in find_all(block, "ike-security-associations") if isinstance(sa, dict)]
        if nested:
            out.extend((sa, remote) for sa in nested)
        elif block.get("ike-sa-state") is not None:
            out.append((block, remote))
    if not blocks:
        out = [(sa, None) for sa in find_all(data, "ike-security-associations") if isinstance(sa, dict)]
    return out


def lsp_ping_size(platform: str, link: dict) -> int:
    """The ``size`` argument of the LSP ping for the planned MTU (see docs/verify.md).

    IOS-XE: ``size`` is "the size of the packet with the label stack imposed" (Cisco MPLS command
    reference, ping mpls) and ``force-explicit-null`` imposes one label toward the penultimate hop, so
    ``size = mtu.mpls_mtu`` puts exactly a planned-size labelled packet into the GRE tunnel.
    Junos: ``size`` is "the size of the LSP ping request packet", 4-byte aligned by rounding UP
    (Juniper CLI reference, ping mpls ldp), and Junos has no option to force a label toward a PHP
    neighbour; the largest multiple of 4 not above ``mtu.ip_mtu`` fits both as an IP packet (PHP) and
    with one label inside ``mpls_mtu``."""
    mtu = link.get("mtu") or {}
    if platform == "ios":
        size = _int(mtu.get("mpls_mtu"))
        if not size:
            raise VerifyError("link %s: plan has no mtu.mpls_mtu (lsp_ping)" % link.get("name"))
        return size
    ip_mtu = _int(mtu.get("ip_mtu"))
    if not ip_mtu:
        raise VerifyError("link %s: plan has no mtu.ip_mtu (lsp_ping)" % link.get("name"))
    return ip_mtu // 4 * 4


def _label_show_commands(check: str, platform: str, link: dict) -> list[str]:
    rid = _peer(link).get("router_id")
    if check == "lsp_ping":
        if not rid:
            raise VerifyError("link %s: plan has no peer.router_id (lsp_ping)" % link.get("name"))
        size = lsp_ping_size(platform, link)
        if platform == "ios":
            tunnel = (link.get("tunnel") or {}).get("interface")
            if not tunnel:
                raise VerifyError("link %s: plan has no tunnel.interface (lsp_ping)" % link.get("name"))
            # out of the tunnel: before cut-over the carrier is an equal path, and the check is about the tunnel
            return ["ping mpls ipv4 %s/32 size %d repeat %d force-explicit-null output interface %s"
                    % (rid, size, LSP_PING_COUNT, tunnel)]
        return ["ping mpls ldp %s size %d count %d" % (rid, size, LSP_PING_COUNT)]
    if platform == "ios":
        return ["show mpls ldp neighbor detail"]
    return ["show ldp neighbor | display json"]


def lsp_ping_result(platform: str, data: Any) -> dict | None:
    """One LSP ping -> ``{sent, received, pct, size, codes}`` (``codes`` the per-request marks,
    ``size`` the IOS ``N-byte MPLS Echos``) or None when no result line was found."""
    rows = _as_data(platform, "ping_mpls", data)
    if not _is_rows(rows) or not rows:
        return None
    r = rows[-1]
    codes = "".join(r.get("codes") or [])
    if platform == "ios":
        sent, received, pct = _int(r.get("total")) or _int(r.get("sent")), _int(r.get("received")), _int(r.get("success_pct"))
    else:
        sent, received, pct = _int(r.get("sent")), _int(r.get("received")), None
    if received is None:
        return None
    if pct is None:
        pct = int(100 * received // sent) if sent else 0
    return {"sent": sent or 0, "received": received, "pct": pct, "size": _int(r.get("size")), "codes": codes}


_LSP_CODES = {
    "Q": "request not sent (no label binding for the FEC, or the request exceeds the MPLS MTU)",
    ".": "timeout (labelled requests or replies lost: labels do not cross the tunnel or the size does not fit)",
    "B": "unlabelled output interface",
    "x": "reply with an error return code",
    "N": "no label entry at the peer",
    "F": "no FEC mapping at the peer",
}


def valid_lsp_ping(link: dict, result: dict | None, host: str = "", platform: str = "ios",
                   min_success_pct: int = MIN_SUCCESS_PCT) -> dict:
    """MPLS LSP ping to the peer's loopback (LDP FEC /32) at the planned MPLS size gets replies."""
    name = "lsp_ping"
    rid = _peer(link).get("router_id")
    size = lsp_ping_size(platform, link)
    what = "LSP ping to %s/32 at %d bytes (%s)" % (
        rid, size, "labelled, mpls_mtu" if platform == "ios" else "ip_mtu rounded down to 4")
    if result is None:
        return _result(name, host, False, what + ": no result parsed")
    if platform == "ios" and result.get("size") not in (None, size):
        return _result(name, host, False, what + ": the router sent %s-byte echos" % result.get("size"))
    summary = "%s: %d/%d (%d%%)" % (what, result["received"], result["sent"], result["pct"])
    if result["received"] == 0 or result["pct"] < min_success_pct:
        why = sorted({_LSP_CODES[c] for c in result.get("codes") or "" if c in _LSP_CODES})
        return _result(name, host, False, summary + " - labels do not cross%s" % (
            " [%s: %s]" % (result.get("codes"), "; ".join(why)) if why else ""))
    return _result(name, host, True, summary)


def _carrier_ldp_hits(link: dict, neighbors: list[dict]) -> list[dict]:
    phys = (link.get("physical") or {}).get("interface")
    if not phys:
        raise VerifyError("link %s: plan has no physical.interface" % link.get("name"))
    return [n for n in neighbors or [] if any(_same_or_parent(i, phys) for i in n.get("interfaces") or [])]


def valid_no_carrier_ldp(link: dict, neighbors: list[dict], host: str = "") -> dict:
    """After cut-over no LDP hello adjacency is left on the physical carrier interface (IOS: the
    discovery sources of ``show mpls ldp neighbor detail``; Junos: the Interface of ``show ldp neighbor``)."""
    name = "no_carrier_ldp"
    phys = (link.get("physical") or {}).get("interface")
    hits = _carrier_ldp_hits(link, neighbors)
    if hits:
        return _result(name, host, False, "LDP hello adjacency still on carrier interface %s (neighbor %s)" % (
            phys, ", ".join(sorted(str(n.get("peer_id") or n.get("address")) for n in hits))))
    seen = sorted({"%s via %s" % (n.get("peer_id") or n.get("address"), i)
                   for n in neighbors or [] for i in n.get("interfaces") or []})
    return _result(name, host, True, "no LDP hello adjacency on carrier interface %s (adjacencies: %s)" % (
        phys, ", ".join(seen) or "none"))


def _label_run_check(check: str, platform: str, outputs: list, link: dict, host: str, min_success_pct: int) -> dict:
    if check == "lsp_ping":
        return valid_lsp_ping(link, lsp_ping_result(platform, outputs[0]), host, platform, min_success_pct)
    return valid_no_carrier_ldp(link, ldp_neighbors(platform, outputs[0]), host)


# --------------------------------------------------------------------------------------------
# report a person reads (issue 11 section 3): verify-<link>.md and verify-summary.md
# --------------------------------------------------------------------------------------------

_MTU_FIELDS = ("carrier_mtu", "overhead", "ip_mtu", "labels", "mpls_mtu", "tcp_mss", "carrier_mtu_for_1500")


def _md(text: Any) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def markdown_report(report: dict, plans: list[dict] | None = None, title: str = "verify") -> str:
    """One link report -> Markdown: verdict, the plan's MTU figures (from the ``p2p_plan`` facts in
    ``plans``), and one row per check per host with its detail. Same data as the JSON and JUnit files."""
    link = report.get("link")
    checks = report.get("checks") or []
    failed = sum(1 for c in checks if c.get("status") != "pass")
    lines = ["# %s %s: %s" % (title, link, "PASS" if report.get("status") == "pass" else "FAIL"), "",
             "%d checks, %d passed, %d failed." % (len(checks), len(checks) - failed, failed), ""]
    mtu = None
    for plan in plans or []:
        for item in plan.get("links") or []:
            if item.get("name") == link and item.get("mtu"):
                mtu = item["mtu"]
                break
        if mtu:
            break
    if mtu:
        lines += ["## MTU (plan)", "", "| " + " | ".join(_MTU_FIELDS) + " |", "|" + "---|" * len(_MTU_FIELDS),
                  "| " + " | ".join(_md(mtu.get(k, "")) for k in _MTU_FIELDS) + " |", ""]
        if mtu.get("warning"):
            lines += ["Warning: %s" % _md(mtu["warning"]), ""]
    lines += ["## Checks", "", "| host | check | status | detail |", "|---|---|---|---|"]
    for c in checks:
        lines.append("| %s | %s | %s | %s |" % (_md(c.get("host")), _md(c.get("name")),
                                                "PASS" if c.get("status") == "pass" else "**FAIL**", _md(c.get("detail"))))
    return "\n".join(lines) + "\n"


def markdown_summary(reports: list[dict], title: str = "verify") -> str:
    """The fleet summary of one run (verify-summary.md): one row per link with its counts."""
    lines = ["# %s summary" % title, "", "| link | status | checks | failed | failed checks |", "|---|---|---|---|---|"]
    for rep in reports or []:
        checks = rep.get("checks") or []
        bad = ["%s %s" % (c.get("host"), c.get("name")) for c in checks if c.get("status") != "pass"]
        verdict = "PASS" if rep.get("status") == "pass" else "**FAIL**"
        lines.append("| %s | %s | %d | %d | %s |" % (_md(rep.get("link")), verdict, len(checks), len(bad), _md(", ".join(bad)) or "-"))
    total = sum(len(r.get("checks") or []) for r in reports or [])
    bad_links = sum(1 for r in reports or [] if r.get("status") != "pass")
    lines += ["", "%d links, %d failed; %d checks." % (len(reports or []), bad_links, total)]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# MACsec (mode macsec, issue 10): mka_session and macsec_sa; the other checks on the carrier interface
# --------------------------------------------------------------------------------------------

def on_carrier_if_macsec(link: dict) -> dict:
    """A macsec link has no tunnel: the IGP, LDP, the DF ping and the LSP ping run over the carrier interface, to the
    peer's carrier address. Other links are returned unchanged."""
    if (link or {}).get("mode") != "macsec":
        return link
    peer = dict(link.get("peer") or {})
    peer["tunnel_address"] = peer.get("address")
    return dict(link, tunnel={"interface": (link.get("physical") or {}).get("interface")}, peer=peer)


def _port(link: dict, platform: str) -> str:
    phys = (link.get("physical") or {}).get("interface")
    if not phys:
        raise VerifyError("link %s: plan has no physical.interface" % link.get("name"))
    return phys.split(".")[0] if platform == "junos" else phys


def _macsec_show_commands(check: str, platform: str, link: dict) -> list[str]:
    port, peer = _port(link, platform), _peer(link)["address"]
    if platform == "ios":
        if check == "mka_session":
            return ["show mka sessions interface %s detail" % port]
        return ["show macsec interface %s" % port, "ping %s repeat %d" % (peer, TRAFFIC_COUNT), "show macsec interface %s" % port]
    if check == "mka_session":
        return ["show security mka sessions interface %s | display json" % port]
    stats = "show security macsec statistics interface %s | display json" % port
    return ["show security macsec connections interface %s | display json" % port, stats,
            "ping %s count %d rapid" % (peer, TRAFFIC_COUNT), stats]


def _ckn_digest(ckn: Any) -> str | None:
    import hashlib

    return hashlib.sha256(str(ckn).strip().lower().encode()).hexdigest()[:16] if ckn not in (None, "") else None


def _cipher(text: Any) -> str | None:
    m = re.search(r"gcm-aes(?:-xpn)?-(?:128|256)", str(text or ""), re.I)
    return m.group(0).lower() if m else None


_IOS_MKA_ROW1 = re.compile(r"^(?P<interface>\S+)\s+(?P<local_sci>[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}/[0-9a-f]{4})\s+"
                           r"(?P<policy>.+?)\s+(?P<inherited>YES|NO)\s+(?P<key_server>YES|NO)\s*$", re.I)
_IOS_MKA_ROW2 = re.compile(r"^(?P<port_id>\d+)\s+(?P<peer_sci>\S+)\s+(?P<peers>\d+)\s+(?P<status>\S.*?)\s+"
                           r"(?P<ckn>[0-9a-f]+)\s*$", re.I)
_JUNOS_NO_SAK = re.compile(r"^0+/0$")


def _ios_mka_detail(text: str) -> list[dict]:
    """``show mka sessions [interface X] detail``: one block per session, "Label....... value" lines (IOS-XE 17 layout
    of genieparser ShowMkaSessionDetail / ShowMkaSessionsInterfaceDetails golden outputs)."""
    out = []
    for block in re.split(r"^MKA Detailed Status for MKA Session\s*$", text, flags=re.M)[1:]:
        def field(label: str, where: str = block) -> str | None:
            m = re.search(r"^\s*%s\.+ *(.*?)\s*$" % re.escape(label), where, re.M)
            return m.group(1) if m else None
        status = (re.search(r"^\s*Status:\s*(.*?)\s*$", block, re.M) or [None, ""])[1]
        peers = _int(field("# of MACsec Capable Live Peers"))
        live = re.search(r"^Live Peers List:\s*$(.*?)(?=^\S|\Z)", block, re.M | re.S)
        rows = [r for r in (live.group(1).splitlines() if live else [])
                if re.match(r"^\s+[0-9A-F]{24}\s+\d+\s+\S+", r)]
        sak = field("Latest SAK Status") or ""
        out.append({"interface": field("Interface Name"), "status": status.split(" - ")[0].strip(),
                    "secured": status.upper().startswith("SECURED") and sak.lower() in ("rx & tx", ""),
                    "key_server": (field("Key Server") or "").upper() == "YES",
                    "ckn_sha256": _ckn_digest(field("CAK Name (CKN)")),
                    "live_peers": min(peers if peers is not None else len(rows), len(rows)) if live else (peers or 0),
                    "cipher": _cipher(field("SAK Cipher Suite"))})
    return out


def _ios_mka_summary(text: str) -> list[dict]:
    """``show mka sessions [interface X]``: two lines per session under the "Interface / Port-ID" header (the captures
    in device-output/ios/show_mka_sessions). The summary shows no cipher suite."""
    out, first = [], None
    for line in text.splitlines():
        m1, m2 = _IOS_MKA_ROW1.match(line), _IOS_MKA_ROW2.match(line)
        if m1:
            first = m1.groupdict()
        elif m2 and first is not None:
            row = m2.groupdict()
            status = row["status"].strip()
            out.append({"interface": first["interface"], "status": status,
                        "secured": status.lower() == "secured", "key_server": first["key_server"].upper() == "YES",
                        "ckn_sha256": _ckn_digest(row["ckn"]), "live_peers": int(row["peers"]), "cipher": None})
            first = None
    return out


def mka_sessions(platform: str, data: Any) -> list[dict]:
    """MKA sessions -> ``[{interface, secured, status, key_server, ckn_sha256, live_peers, cipher}]``.

    IOS: ``show mka sessions interface X detail`` (secured = Status "SECURED" with the latest SAK installed Rx & Tx;
    live peers = the Live Peers List rows) or the summary table of ``show mka sessions`` (secured = Status exactly
    "Secured": real routers also print "Secured, no peer"). Junos ``show security mka sessions interface X | display
    json`` (``mka-session-information``: ``interface-state`` "Secured - Primary", ``cak-name`` (inside ``session-live``
    in the detail form), ``key-server``; a live peer is an ``mka-peer-information`` element or, where the release
    shows none, a distributed SAK: ``latest-sak-key-identifier`` other than ``000000000000000000000000/0``, the test
    of Juniper's own MACsec automation scripts). The CKN itself is not kept: only its digest, compared with the
    plan's."""
    if platform == "ios":
        text = str(data or "")
        if re.search(r"^MKA Detailed Status for MKA Session", text, re.M):
            return _ios_mka_detail(text)
        return _ios_mka_summary(text)
    doc = _as_data(platform, "mka_session", data)
    out = []
    for sess in find_all(doc, "mka-session-information"):
        if not isinstance(sess, dict):
            continue
        state = str(_first(sess, "interface-state") or "")
        live = sess.get("session-live")
        ckn = _first(live, "cak-name") if live else _first(sess, "cak-name")
        peers = len(find_all(sess, "mka-peer-information"))
        ki = str(_first(sess, "latest-sak-key-identifier") or "").strip()
        if not peers and ki and not _JUNOS_NO_SAK.match(ki):
            peers = 1
        out.append({"interface": _first(sess, "interface-name"), "secured": state.lower().startswith("secured"),
                    "status": state, "key_server": str(_first(sess, "key-server") or "").lower() == "yes",
                    "ckn_sha256": _ckn_digest(ckn), "live_peers": peers, "cipher": None})
    return out


def valid_mka_session(link: dict, sessions: list[dict], host: str = "", platform: str = "ios") -> dict:
    """The MKA session on the carrier port is secured with a live peer, under the planned CKN (digest), with the planned
    key server (side a) and, where shown, the planned cipher suite."""
    name = "mka_session"
    port = _port(link, platform)
    want = link.get("macsec") or {}
    mine = [s for s in sessions if same_interface(s.get("interface"), port)]
    if not mine:
        return _result(name, host, False, "no MKA session on %s%s" % (port, " (sessions on: %s)" % ", ".join(
            sorted(str(s.get("interface")) for s in sessions)) if sessions else " (no MKA session at all)"))
    # several sessions on one port (a key chain rolling over runs one per CKN): the planned CKN's first, secured first
    planned = want.get("ckn_sha256")
    s = sorted(mine, key=lambda x: (bool(planned) and x.get("ckn_sha256") != planned, not x["secured"]))[0]
    if not s["secured"] or not s["live_peers"]:
        return _result(name, host, False, "MKA session on %s not secured (%s, %d live peer(s))" % (
            port, s.get("status") or "?", s.get("live_peers") or 0))
    if want.get("ckn_sha256") and s.get("ckn_sha256") != want["ckn_sha256"]:
        return _result(name, host, False, "MKA session on %s secured under another CKN than the plan's" % port)
    if "key_server" in want and s["key_server"] != want["key_server"]:
        return _result(name, host, False, "MKA session on %s: this router is %sthe key server (planned: %s)" % (
            port, "" if s["key_server"] else "not ", "side a" if want["key_server"] else "the peer"))
    if s.get("cipher") and want.get("cipher_suite") and s["cipher"] != want["cipher_suite"]:
        return _result(name, host, False, "MKA session on %s distributes %s (planned %s)" % (
            port, s["cipher"], want["cipher_suite"]))
    return _result(name, host, True, "MKA session on %s secured with %d live peer, CKN as planned, %s%s" % (
        port, s["live_peers"], "key server" if s["key_server"] else "peer is key server",
        ", " + s["cipher"] if s.get("cipher") else ""))


def _ios_sc_counters(section: str) -> dict:
    """Counters of one direction of ``show macsec interface``: per secure channel (``SCI :`` line) the larger of its
    "SC Statistics" value and the sum of its "SA Statistics" values, summed over the channels. Real routers keep the
    SC-level counters at 0 and count in the SA statistics (genieparser ShowMacsecInterface golden outputs 1 and 2);
    others count at both levels: the larger of the two is right for both without double counting."""
    chans: list = []
    kind = None
    for line in section.splitlines():
        t = line.strip()
        if t.startswith("SCI :"):
            chans.append({"sc": {}, "sa": {}})
            kind = None
        elif t in ("SC Statistics", "SA Statistics"):
            kind = t[:2].lower()
        elif t.endswith("Statistics"):
            kind = None
        elif kind and chans:
            m = re.match(r"^(.*?)\s*:?\s*(\d+)$", t)
            if m:
                bucket = chans[-1][kind]
                bucket[m.group(1)] = bucket.get(m.group(1), 0) + int(m.group(2))
    total: dict = {}
    for c in chans:
        for label in set(c["sc"]) | set(c["sa"]):
            total[label] = total.get(label, 0) + max(c["sc"].get(label, 0), c["sa"].get(label, 0))
    return total


def _ios_macsec_interface(text: str) -> dict:
    """``show macsec interface X`` (genieparser ShowMacsecInterface golden outputs 1-3: "MACsec is enabled|disabled",
    the Transmit / Receive Secure Channels, or "No Transmit Secure Channels")."""
    t = str(text or "")

    def section(title: str) -> str:
        m = re.search(r"^ %s\s*$(.*?)(?=^ \S|\Z)" % re.escape(title), t, re.M | re.S)
        return m.group(1) if m else ""
    tx, rx = section("Transmit Secure Channels"), section("Receive Secure Channels")
    txc, rxc = _ios_sc_counters(tx), _ios_sc_counters(rx)
    m = re.search(r"^\s*Access control\s*:\s*(.+?)\s*$", t, re.M)
    return {
        "enabled": bool(re.search(r"^\s*MACsec is enabled", t, re.M)),
        "cipher": _cipher((re.search(r"^\s*Cipher\s*:\s*(\S+)", t, re.M) or [None, None])[1]),
        "offset": _int((re.search(r"Confidentiality Offset\s*:\s*(\d+)", t) or [None, None])[1]),
        "include_sci": (re.search(r"Include SCI\s*:\s*(\w+)", t) or [None, ""])[1].lower() == "yes",
        "access": m.group(1).lower() if m else None,
        "tx_sa_inuse": bool(re.search(r"SA State:\s*inUse", tx)),
        "rx_sa_inuse": bool(re.search(r"SA State:\s*inUse", rx)),
        "encrypted": txc.get("Encrypted Pkts") if tx else None, "received": rxc.get("Valid pkts") if rx else None,
        "unencrypted_tx": txc.get("Auth-only Pkts", 0),
        "unencrypted_rx": sum(rxc.get(k, 0) for k in ("Uncheck pkts", "Notvalid pkts", "Invalid pkts")),
    }


def _junos_macsec(connections: Any, statistics: Any) -> dict:
    """``show security macsec connections|statistics interface X | display json`` (the Junos 23.2R2 RPC replies:
    ``macsec-interface-common-information`` then ``create-time``, ``outbound-secure-channel``, ``inbound-secure-channel``
    as siblings; ``secure-channel-sent`` / ``secure-channel-received`` counters). Received bytes "validated" beyond
    those "decrypted" are integrity-only: some releases count every received byte as validated as well as decrypted
    (validated = decrypted on encrypted traffic, as public Junos automation expects), others leave validated at 0."""
    conn = _as_data("junos", "macsec_connections", connections)
    stats = _as_data("junos", "macsec_statistics", statistics)

    def status(tag: str) -> bool:
        return any(str(_first(sa, "association-number-status") or "").lower() == "inuse"
                   for sa in find_all(conn, tag) if isinstance(sa, dict))

    def counter(group: str, key: str) -> int | None:
        values = [_int(_first(g, key)) for g in find_all(stats, group) if isinstance(g, dict)]
        return values[0] if values else None
    return {
        "enabled": bool(find_all(conn, "macsec-interface-common-information")),
        "cipher": _cipher(_first(conn, "cipher-suite")),
        "offset": _int(_first(conn, "offset")),
        "include_sci": str(_first(conn, "include-sci") or "").lower() == "yes",
        "access": None,  # not shown operationally by Junos (the configuration says must-secure / should-secure)
        "tx_sa_inuse": status("outbound-secure-association"),
        "rx_sa_inuse": status("inbound-secure-association"),
        "encrypted": counter("secure-channel-sent", "encrypted-packets"),
        "received": counter("secure-channel-received", "ok-packets"),
        "unencrypted_tx": counter("secure-channel-sent", "protected-packets"),
        "unencrypted_rx": max(0, (counter("secure-channel-received", "validated-bytes") or 0)
                              - (counter("secure-channel-received", "decrypted-bytes") or 0)),
    }


def macsec_states(platform: str, outputs: list) -> tuple[dict, dict]:
    """The MACsec port state before and after the test traffic (outputs of the macsec_sa commands)."""
    if platform == "ios":
        return _ios_macsec_interface(outputs[0]), _ios_macsec_interface(outputs[2])
    return _junos_macsec(outputs[0], outputs[1]), _junos_macsec(outputs[0], outputs[3])


def valid_macsec_sa(link: dict, before: dict, after: dict, host: str = "", platform: str = "ios") -> dict:
    """Tx and Rx SA in use with the planned cipher suite and offset, encrypted and received counters moving with test
    traffic, and no frame counted unencrypted: none sent integrity-only (IOS Auth-only, Junos protected packets), none
    received unchecked or invalid (IOS Uncheck/Notvalid/Invalid pkts, Junos validated-only bytes)."""
    name = "macsec_sa"
    port = _port(link, platform)
    want = link.get("macsec") or {}
    if not after.get("enabled"):
        return _result(name, host, False, "MACsec is not enabled on %s" % port)
    if not after["tx_sa_inuse"] or not after["rx_sa_inuse"]:
        return _result(name, host, False, "MACsec on %s: Tx SA %s, Rx SA %s (expected both in use)" % (
            port, "in use" if after["tx_sa_inuse"] else "not in use", "in use" if after["rx_sa_inuse"] else "not in use"))
    if want.get("cipher_suite") and after.get("cipher") and after["cipher"] != want["cipher_suite"]:
        return _result(name, host, False, "MACsec on %s uses %s (planned %s)" % (port, after["cipher"], want["cipher_suite"]))
    if want.get("offset") is not None and after.get("offset") is not None and after["offset"] != want["offset"]:
        return _result(name, host, False, "MACsec on %s: confidentiality offset %s (planned %s)" % (
            port, after["offset"], want["offset"]))
    counts = (before.get("encrypted"), after.get("encrypted"), before.get("received"), after.get("received"))
    if None in counts:
        return _result(name, host, False, "MACsec on %s: SAs in use but the SA counters were not found" % port)
    summary = "encrypted %s->%s, received %s->%s" % counts
    if counts[1] <= counts[0] or counts[3] <= counts[2]:
        return _result(name, host, False, "MACsec on %s: counters did not move with test traffic: %s" % (port, summary))
    bad = {"sent integrity-only": after.get("unencrypted_tx"), "received unencrypted/invalid": after.get("unencrypted_rx")}
    bad = {k: v for k, v in bad.items() if v}
    if bad:
        return _result(name, host, False, "MACsec on %s: frames counted without encryption: %s" % (
            port, ", ".join("%s %s" % (k, v) for k, v in bad.items())))
    access = ", %s" % after["access"] if after.get("access") else ""
    return _result(name, host, True, "MACsec on %s: Tx/Rx SA in use (%s%s), %s, none unencrypted" % (
        port, after.get("cipher") or "?", access, summary))


def _macsec_run_check(check: str, platform: str, outputs: list, link: dict, host: str) -> dict:
    if check == "mka_session":
        return valid_mka_session(link, mka_sessions(platform, outputs[0]), host, platform)
    before, after = macsec_states(platform, outputs)
    return valid_macsec_sa(link, before, after, host, platform)

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""GET VPN checks (mode getvpn), one implementation shared by the deploy gates and verify (through verify.py):
the command, the parser and the pass criterion of each.

* ``gdoi_registered`` (a member, per link): IOS-XE ``show crypto gdoi`` (TextFSM ios_show_crypto_gdoi) — the link's
  group is Registered with one of the planned key servers, at least one TEK is installed on the link's carrier
  interface, and the downloaded policy permits the link's GRE both ways; Junos ``show security group-vpn member ike
  security-associations | display json`` + ``... ipsec security-associations | display json`` — the registration SA
  to a planned key server is UP and a TEK of the group (identity) is installed.
* key servers (no link of their own): :func:`ks_show_commands` / :func:`run_ks_check` — every planned member pair is
  Registered in ``show crypto gdoi ks members`` (TextFSM ios_show_crypto_gdoi_ks_members), with the TEK SPIs of
  ``show crypto gdoi ks policy``.
* :func:`valid_tek_match`: the TEK SPIs of both members and of the key server agree (one group key).
* ``gdoi_rekey``, rekeys happen: :func:`valid_rekey_health` from one sample (no missed rekey ACK at the key server, no
  TEK about to expire without its successor, the last rekey within one TEK lifetime), and with the verify option
  ``rekey_wait`` :func:`valid_rekeyed` from two samples across the next rekey (:func:`rekey_wait_seconds`): every
  member then holds a new TEK, the key server's, received by rekey (IOS-XE members, ``rekey: unicast``: one more rekey
  since the latest registration, no new registration) or by re-registration (``rekey: none``).
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

try:
    from ansible_collections.mplssec.p2p.plugins.plugin_utils import verify as V
except ImportError:  # pragma: no cover - used when the package is imported without the collection path
    from . import verify as V  # type: ignore[no-redef]

CHECKS: tuple[str, ...] = ("gdoi_registered",)
#: a Cisco key server sends a rekey 90 s before the TEK expires, a member without one re-registers 60 s before it
#: (Juniper release notes, "Group VPN Interoperability with Cisco's GET VPN"; docs/lab.md "GET VPN" sources)
REKEY_LEAD_S = 90
REREGISTER_LEAD_S = 60
#: seconds of slack on those times (a TEK with less left and no successor is overdue; the second sample comes this
#: much after the next rekey is due)
REKEY_SLACK_S = 15


def _spi(text: Any) -> str:
    """One SPI spelling for every output: 0x + 8 upper-case hex digits."""
    return "0x%08X" % int(str(text), 16)


def _gre_aces(link: dict) -> set[str]:
    me, peer = link["physical"]["address"], link["peer"]["address"]
    return {f"permit gre host {me} host {peer}", f"permit gre host {peer} host {me}"}


def show_commands(check: str, platform: str, link: dict) -> list[str]:
    if platform == "ios":
        return ["show crypto gdoi"]
    return ["show security group-vpn member ike security-associations | display json",
            "show security group-vpn member ipsec security-associations | display json"]


def gdoi_groups(data: Any) -> list[dict]:
    """IOS ``show crypto gdoi`` -> one row per installed TEK (group fields filled down), lower-case keys."""
    if isinstance(data, str):
        return V._lower_keys(_parse(data, "ios_show_crypto_gdoi.textfsm"))  # noqa: SLF001
    return V._lower_keys(data or [])  # noqa: SLF001


def ks_members(data: Any) -> list[dict]:
    """IOS ``show crypto gdoi ks members`` -> one row per registered member."""
    if isinstance(data, str):
        return V._lower_keys(_parse(data, "ios_show_crypto_gdoi_ks_members.textfsm"))  # noqa: SLF001
    return V._lower_keys(data or [])  # noqa: SLF001


def _parse(text: str, template: str) -> list[dict]:
    import textfsm  # controller requirement (requirements/requirements.txt)

    with open(V.TEMPLATE_DIR / template, encoding="utf-8") as handle:
        return textfsm.TextFSM(handle).ParseTextToDicts(text or "")


def junos_teks(ike: Any, ipsec: Any) -> tuple[list[dict], list[dict]]:
    """Junos group-vpn member replies -> (IKE SAs [{remote, state}], TEKs [{spi, gateway, group_id, remaining}]:
    ``remaining`` is the TEK's ``sa-hard-lifetime`` in seconds, None when not a number)."""
    ike_d, ipsec_d = V._as_data("junos", "gvpn_ike", ike), V._as_data("junos", "gvpn_ipsec", ipsec)  # noqa: SLF001
    sas = [{"remote": str(V._first(r, "ike-sa-remote-address")), "state": str(V._first(r, "ike-sa-state"))}  # noqa: SLF001
           for r in V.find_all(ike_d, "ike-security-associations")]
    teks = []
    for r in V.find_all(ipsec_d, "ipsec-security-associations"):
        if isinstance(r, dict):
            life = str(V._first(r, "sa-hard-lifetime"))  # noqa: SLF001
            teks.append({"spi": _spi(V._first(r, "sa-spi")), "gateway": str(V._first(r, "sa-remote-gateway")),  # noqa: SLF001
                         "group_id": str(V._first(r, "sa-group-id")),  # noqa: SLF001
                         "remaining": int(life) if life.isdigit() else None})
    return sas, teks


def valid_gdoi_registered(link: dict, platform: str, outputs: list, host: str = "") -> dict:
    gv = link.get("getvpn") or {}
    kss = set(gv.get("key_servers") or [])
    name = "gdoi_registered"
    if platform == "ios":
        rows = [r for r in gdoi_groups(outputs[0]) if r.get("group_name") == gv.get("objects")]
        if not rows:
            return V._result(name, host, False, "group %s: no TEK installed (not registered)" % gv.get("objects"))  # noqa: SLF001
        row = rows[0]
        if row.get("registration") != "Registered" or row.get("registered_with") not in kss:
            return V._result(name, host, False, "group %s: %s with %s, planned key servers %s" % (  # noqa: SLF001
                gv.get("objects"), row.get("registration"), row.get("registered_with"), sorted(kss)))
        if not V.same_interface(row.get("tek_interface"), link["physical"]["interface"]):
            return V._result(name, host, False, "TEK installed on %s, not on the carrier %s" % (  # noqa: SLF001
                row.get("tek_interface"), link["physical"]["interface"]))
        acl = {" ".join(a.split()) for a in row.get("acl") or []}
        missing = sorted(_gre_aces(link) - acl)
        if missing:
            return V._result(name, host, False, "the downloaded policy does not encrypt the link's GRE: missing %s"  # noqa: SLF001
                             % "; ".join(missing))
        spis = [_spi(r["spi"]) for r in rows]
        return V._result(name, host, True, "registered with %s, TEK %s on %s, policy covers the GRE both ways" % (  # noqa: SLF001
            row["registered_with"], ", ".join(spis), row["tek_interface"]))
    sas, teks = junos_teks(outputs[0], outputs[1])
    up = [s for s in sas if s["state"] == "UP" and s["remote"] in kss]
    mine = [t for t in teks if t["group_id"] == str(gv.get("identity")) and t["gateway"] in kss]
    if not up:
        return V._result(name, host, False, "no registration SA UP to a planned key server %s (%s)" % (  # noqa: SLF001
            sorted(kss), sas or "none"))
    if not mine:
        return V._result(name, host, False, "no TEK of group %s installed" % gv.get("identity"))  # noqa: SLF001
    return V._result(name, host, True, "registered with %s, TEK %s of group %s" % (  # noqa: SLF001
        up[0]["remote"], ", ".join(sorted({t["spi"] for t in mine})), gv.get("identity")))


def tek_spis(platform: str, outputs: list, link: dict) -> set[str]:
    """The TEK SPIs a member holds for the link's group (upper-case 0x hex)."""
    return set(rekey_state(platform, outputs, link)["teks"])


def _seconds(hms: Any) -> int | None:
    parts = str(hms or "").split(":")
    return int(parts[0]) * 3600 + int(parts[1]) * 60 + int(parts[2]) if len(parts) == 3 and all(
        p.isdigit() for p in parts) else None


def rekey_state(platform: str, outputs: list, link: dict) -> dict:
    """What a member shows of its group's keys: ``teks`` {SPI: remaining seconds}; IOS-XE also ``registrations``
    (Succeeded registration), ``rekeys`` (Rekeys cumulative, After latest register) and ``last_rekey_age`` (Rekey
    Rcvd(hh:mm:ss), seconds); None where the platform does not show it (Junos shows the TEKs and their lifetimes)."""
    gv = link.get("getvpn") or {}
    if platform == "ios":
        rows = [r for r in gdoi_groups(outputs[0]) if r.get("group_name") == gv.get("objects")]
        first = rows[0] if rows else {}

        def num(key: str) -> int | None:
            return int(first[key]) if str(first.get(key) or "").isdigit() else None
        return {"teks": {_spi(r["spi"]): int(r["remaining"]) if str(r.get("remaining") or "").isdigit() else None
                         for r in rows},
                "registrations": num("succeeded_registrations"), "rekeys": num("rekeys_since_registration"),
                "last_rekey_age": _seconds(first.get("last_rekey_age"))}
    teks = {t["spi"]: t["remaining"] for t in junos_teks(outputs[0], outputs[1])[1] if t["group_id"] == str(gv.get("identity"))}
    return {"teks": teks, "registrations": None, "rekeys": None, "last_rekey_age": None}


def _newest(state: Mapping[str, Any]) -> int | None:
    left = [v for v in (state.get("teks") or {}).values() if v is not None]
    return max(left) if left else None


def valid_rekey_health(group: str, rekey: str, lifetime: int, members: Mapping[str, dict], missed: Mapping[str, Any],
                       host: str = "") -> dict:
    """Rekeys happen, from one sample of the members (``{host: rekey_state}``) and of the key server (``missed``:
    {member host: its Rekey Acks missed, or None}): with ``rekey: unicast`` no rekey was left unacknowledged and an
    IOS-XE member's last rekey is less than one TEK lifetime old; on every member the newest TEK has more than
    REREGISTER_LEAD_S - REKEY_SLACK_S left (the next one comes before: by rekey, or by re-registration)."""
    bad, good = [], []
    for member in sorted(members):
        st = members[member]
        newest = _newest(st)
        if newest is None:
            bad.append("%s: no TEK lifetime shown" % member)
            continue
        if newest < REREGISTER_LEAD_S - REKEY_SLACK_S:
            bad.append("%s: its newest TEK expires in %d s and no next TEK came (neither by rekey nor by "
                       "re-registration)" % (member, newest))
            continue
        if rekey == "unicast" and (missed.get(member) or 0) > 0:
            bad.append("%s: the key server counts %s rekey(s) it did not acknowledge (not received, or not verified: "
                       "a cooperative pair must sign with the same RSA key pair)" % (member, missed[member]))
            continue
        age = st.get("last_rekey_age")
        if rekey == "unicast" and st.get("rekeys") and age is not None and age > lifetime + REKEY_LEAD_S + REKEY_SLACK_S:
            bad.append("%s: last rekey %d s ago, longer than one TEK lifetime (%d s): rekeys stopped" % (member, age, lifetime))
            continue
        how = ("%s rekey(s) since its registration" % st["rekeys"]) if st.get("rekeys") is not None else "TEKs %s" % (
            ", ".join(sorted(st["teks"])))
        good.append("%s: %s, newest TEK %d s left" % (member, how, newest))
    if bad:
        return V._result("gdoi_rekey", host, False, "group %s (rekey %s): %s" % (group, rekey, "; ".join(bad)))  # noqa: SLF001
    return V._result("gdoi_rekey", host, True, "group %s (rekey %s): %s" % (group, rekey, "; ".join(good)))  # noqa: SLF001


def rekey_wait_seconds(rekey: str, members: Mapping[str, dict]) -> float:
    """Seconds from the first sample until every member must hold the TEK after its newest one: the newest TEK's
    remaining life minus the rekey (or re-registration) lead, plus REKEY_SLACK_S."""
    lead = REKEY_LEAD_S if rekey == "unicast" else REREGISTER_LEAD_S
    newest = [n for n in (_newest(st) for st in members.values()) if n is not None]
    return float(max(0, max(newest) - lead) + REKEY_SLACK_S) if newest else float(REKEY_SLACK_S)


def valid_rekeyed(group: str, rekey: str, before: Mapping[str, dict], after: Mapping[str, dict], ks: set[str],
                  waited: float, host: str = "") -> dict:
    """Rekeys happen, from two samples across the next rekey: every member holds a TEK it did not hold before, which
    the key server hands out; IOS-XE members with ``rekey: unicast`` got it by rekey (one more since the same
    registration), with ``rekey: none`` by re-registering."""
    bad, good = [], []
    for member in sorted(before):
        old, new = before[member], after.get(member) or {}
        fresh = sorted(set(new.get("teks") or {}) - set(old.get("teks") or {}))
        if not fresh:
            bad.append("%s: no new TEK after %d s (TEKs %s)" % (member, waited, ", ".join(sorted(new.get("teks") or {})) or "none"))
        elif ks and not set(fresh) & ks:
            bad.append("%s: new TEK %s is not the key server's (%s)" % (member, ", ".join(fresh), ", ".join(sorted(ks))))
        elif rekey == "unicast" and old.get("registrations") is not None and new.get("registrations") is not None:
            if new["registrations"] != old["registrations"]:
                bad.append("%s: the new TEK came by re-registration (registrations %d -> %d), not by rekey" % (
                    member, old["registrations"], new["registrations"]))
            elif (new.get("rekeys") or 0) <= (old.get("rekeys") or 0):
                bad.append("%s: no rekey counted (%s -> %s)" % (member, old.get("rekeys"), new.get("rekeys")))
            else:
                good.append("%s: TEK %s by rekey" % (member, ", ".join(fresh)))
        else:
            good.append("%s: TEK %s%s" % (member, ", ".join(fresh), " by re-registration" if rekey != "unicast" else ""))
    detail = "group %s (rekey %s), sampled %d s apart: %s" % (group, rekey, waited, "; ".join(bad or good))
    return V._result("gdoi_rekey", host, not bad, detail)  # noqa: SLF001


# -- key servers ----------------------------------------------------------------------------------------------------
def ks_show_commands() -> list[str]:
    return ["show crypto gdoi ks members", "show crypto gdoi ks policy"]


def ks_policy_spis(text: str, objects: str) -> set[str]:
    """TEK SPIs of a group in ``show crypto gdoi ks policy``."""
    out: set[str] = set()
    for block in re.split(r"(?m)^For group ", text or "")[1:]:
        if block.split()[0] == objects:
            out |= {_spi(s) for s in re.findall(r"(?m)^\s*spi\s+:\s*(0x[0-9A-Fa-f]{8})\s*$", block)}
    return out


def ks_policy_kek(text: str, objects: str) -> dict:
    """The KEK of a group in ``show crypto gdoi ks policy``: {spi, sig_key} (empty without one). Layout of a real key
    server's output (``KEK POLICY (transport type : Unicast)`` / ``spi : 0x<32 hex digits>`` / ``sig key name :
    NAME``; docs/verify.md)."""
    for block in re.split(r"(?m)^For group ", text or "")[1:]:
        if block.split()[0] == objects:
            kek = re.search(r"KEK POLICY.*?\n\s*spi\s*:\s*(0x[0-9A-Fa-f]{16,})", block, re.S)
            sig = re.search(r"(?m)^\s*sig key name\s*:\s*(\S+)", block)
            return {"spi": kek.group(1).upper().replace("0X", "0x") if kek else None, "sig_key": sig.group(1) if sig else None}
    return {}


def run_ks_check(outputs: list, server: dict, members: Iterable[str], host: str = "") -> dict:
    """Key server of ``server`` (a getvpn_servers entry of its p2p_plan): every planned member address Registered,
    and with ``rekey: unicast`` a KEK signed with the group's key pair (``objects``)."""
    name = "gdoi_ks_members"
    rows = [r for r in ks_members(outputs[0]) if r.get("group_name") == server["objects"]]
    got = {r["member"]: r for r in rows}
    missing = sorted(set(members) - {m for m, r in got.items() if r.get("state") == "Registered"})
    spis = ks_policy_spis(outputs[1], server["objects"])
    if missing:
        return V._result(name, host, False, "group %s: not registered: %s" % (server["objects"], ", ".join(missing)))  # noqa: SLF001
    if not spis:
        return V._result(name, host, False, "group %s: no TEK in the key server policy" % server["objects"])  # noqa: SLF001
    kek = ""
    if server.get("rekey") == "unicast":
        found = ks_policy_kek(outputs[1], server["objects"])
        if not found.get("spi") or found.get("sig_key") != server["objects"]:
            return V._result(name, host, False, "group %s: rekeys need a KEK signed with the key pair %s; the key "  # noqa: SLF001
                             "server shows KEK %s signed with %s" % (server["objects"], server["objects"],
                                                                    found.get("spi") or "none", found.get("sig_key") or "none"))
        kek = ", KEK %s signed with %s" % (found["spi"], found["sig_key"])
    return V._result(name, host, True, "group %s: %d members registered, TEK %s%s" % (  # noqa: SLF001
        server["objects"], len(got), ", ".join(sorted(spis)), kek))


def valid_tek_match(group: str, members: dict[str, set[str]], ks: set[str], host: str = "") -> dict:
    """One group key: every member holds the TEK the key server hands out (and so the members share it)."""
    bad = sorted(h for h, spis in members.items() if not spis & ks)
    if not ks or bad:
        return V._result("gdoi_tek", host, False, "group %s: key server TEK %s, not held by %s" % (  # noqa: SLF001
            group, sorted(ks) or "none", ", ".join(bad) or "-"))
    return V._result("gdoi_tek", host, True, "group %s: TEK %s held by %s" % (  # noqa: SLF001
        group, ", ".join(sorted(ks)), ", ".join(sorted(members))))

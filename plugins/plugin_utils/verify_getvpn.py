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
* :func:`valid_tek_match`: the TEK SPIs of both members and of the key server agree (one group key), and
  :func:`valid_rekeyed`: the TEK in use changed between two samples one TEK lifetime apart (rekeys happen).
"""

from __future__ import annotations

import re
from typing import Any, Iterable

try:
    from ansible_collections.mplssec.p2p.plugins.plugin_utils import verify as V
except ImportError:  # pragma: no cover - used when the package is imported without the collection path
    from . import verify as V  # type: ignore[no-redef]

CHECKS: tuple[str, ...] = ("gdoi_registered",)


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
    """Junos group-vpn member replies -> (IKE SAs [{remote, state}], TEKs [{spi, gateway, group_id}])."""
    ike_d, ipsec_d = V._as_data("junos", "gvpn_ike", ike), V._as_data("junos", "gvpn_ipsec", ipsec)  # noqa: SLF001
    sas = [{"remote": str(V._first(r, "ike-sa-remote-address")), "state": str(V._first(r, "ike-sa-state"))}  # noqa: SLF001
           for r in V.find_all(ike_d, "ike-security-associations")]
    teks = [{"spi": _spi(V._first(r, "sa-spi")), "gateway": str(V._first(r, "sa-remote-gateway")),  # noqa: SLF001
             "group_id": str(V._first(r, "sa-group-id"))}  # noqa: SLF001
            for r in V.find_all(ipsec_d, "ipsec-security-associations") if isinstance(r, dict)]
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
    gv = link.get("getvpn") or {}
    if platform == "ios":
        return {_spi(r["spi"]) for r in gdoi_groups(outputs[0]) if r.get("group_name") == gv.get("objects")}
    return {t["spi"] for t in junos_teks(outputs[0], outputs[1])[1] if t["group_id"] == str(gv.get("identity"))}


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


def run_ks_check(outputs: list, server: dict, members: Iterable[str], host: str = "") -> dict:
    """Key server of ``server`` (a getvpn_servers entry of its p2p_plan): every planned member address Registered."""
    name = "gdoi_ks_members"
    rows = [r for r in ks_members(outputs[0]) if r.get("group_name") == server["objects"]]
    got = {r["member"]: r for r in rows}
    missing = sorted(set(members) - {m for m, r in got.items() if r.get("state") == "Registered"})
    spis = ks_policy_spis(outputs[1], server["objects"])
    if missing:
        return V._result(name, host, False, "group %s: not registered: %s" % (server["objects"], ", ".join(missing)))  # noqa: SLF001
    if not spis:
        return V._result(name, host, False, "group %s: no TEK in the key server policy" % server["objects"])  # noqa: SLF001
    return V._result(name, host, True, "group %s: %d members registered, TEK %s" % (  # noqa: SLF001
        server["objects"], len(got), ", ".join(sorted(spis))))


def valid_tek_match(group: str, members: dict[str, set[str]], ks: set[str], host: str = "") -> dict:
    """One group key: every member holds the TEK the key server hands out (and so the members share it)."""
    bad = sorted(h for h, spis in members.items() if not spis & ks)
    if not ks or bad:
        return V._result("gdoi_tek", host, False, "group %s: key server TEK %s, not held by %s" % (  # noqa: SLF001
            group, sorted(ks) or "none", ", ".join(bad) or "-"))
    return V._result("gdoi_tek", host, True, "group %s: TEK %s held by %s" % (  # noqa: SLF001
        group, ", ".join(sorted(ks)), ", ".join(sorted(members))))


def valid_rekeyed(group: str, before: set[str], after: set[str], host: str = "") -> dict:
    """Rekeys happen: after one TEK lifetime the TEK in use is a new one (it is not the same set of SPIs)."""
    ok = bool(before) and bool(after) and after != before and bool(after - before)
    return V._result("gdoi_rekey", host, ok, "group %s: TEK %s then %s" % (  # noqa: SLF001
        group, ", ".join(sorted(before)) or "none", ", ".join(sorted(after)) or "none"))

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""GET VPN (``mode: getvpn``): the shared groups of ``p2p_getvpn_groups``, their checks, and what the plan derives
for the members (the two routers of each link) and for the key servers.

Design (docs/data-model.md "GET VPN"): a group is defined once in ``p2p_getvpn_groups`` and named by each link
(``getvpn.group``), so several links share one group: one identity number, one key server configuration whose policy
ACL lists the GRE packets of every member pair (both directions, nothing else), one TEK transform and lifetime, one
registration key. On a P-P link GET VPN protects the MPLS-over-GRE tunnel between the two P routers: the GRE tunnel
is plain GRE between the carrier addresses and the group's policy encrypts exactly those GRE packets (tunnel mode with
header preservation; the MTU is sized as encap ``getvpn`` by mtu.py).

The platform facts (key servers are IOS-XE, the limits of a Junos member under a Cisco key server) come from
capabilities.GETVPN; nothing here talks to a device. Pure Python, no Ansible.
"""

from __future__ import annotations

import copy
from typing import Any, Mapping

try:
    from ansible_collections.mplssec.p2p.plugins.plugin_utils import capabilities, model
except ImportError:  # pragma: no cover - used when the package is imported without the collection path
    from . import capabilities, model  # type: ignore[no-redef]

Field = model.Field


class PlanError(model.PlanError):
    """An error of a group (or of a link about its group): named ``getvpn group NAME: field: ...`` (no "link")."""

    def __str__(self) -> str:
        if not self.link.startswith("getvpn group"):
            return super().__str__()
        where = f"{self.link}: {self.field}: " if self.field else f"{self.link}: "
        return f"{where}{self.problem}. Fix: {self.fix}."


GROUP_NAME_PATTERN = r"^[a-z][a-z0-9-]{0,15}$"

GROUP_SCHEMA: Mapping[str, Field] = {
    "name": Field("str", "Group name, ^[a-z][a-z0-9-]{0,15}$; links name it in getvpn.group. Device objects are named "
                  "MPLSSEC-GV-<NAME>.", required=True, pattern=GROUP_NAME_PATTERN,
                  fix="use 1-16 lower-case letters, digits or '-', starting with a letter (e.g. p2p)"),
    "identity": Field("int", "GDOI group identity number, the same on the key servers and every member (1-65535).",
                      required=True, minimum=1, maximum=65535, fix="set {path} to a number from 1 to 65535"),
    "key_servers": Field("raw", "One inventory host, or two for a cooperative pair: IOS-XE routers of their own (not an "
                         "end of a link of this group), with p2p_router_id, which is the key server's GDOI address.",
                         required=True, fix="set {path} to a list of one or two IOS-XE inventory hosts"),
    "psk": Field("str", "Registration pre-shared key (IKEv1 phase 1 between each member and the key servers), >= 16 "
                 "characters. Keep it in Ansible Vault.", secret=True, required=True,
                 fix="set {path} from Ansible Vault (e.g. psk: \"{{{{ vault_p2p_getvpn_psk_<group> }}}}\")"),
    "esp": Field("dict", "The TEK: ESP transform and lifetime every member uses (the MTU of every link of the group is "
                 "sized with it).", default={}, fields={
                     "encryption": Field("str", "ESP encryption of the TEK.", default="aes-cbc-256", choices=model.ENCRYPTIONS,
                                         weak=model.WEAK_ENCRYPTION),
                     "integrity": Field("str", "ESP integrity (none with AES-GCM).", default="sha256",
                                        choices=model.INTEGRITIES, weak=model.WEAK_INTEGRITY),
                     "lifetime": Field("int", "TEK lifetime in seconds (900-86400).", default=3600, minimum=900,
                                       maximum=86400),
                 }),
    "kek_lifetime": Field("int", "KEK (rekey key) lifetime in seconds (300-86400, the IOS-XE range).", default=86400,
                          minimum=300, maximum=86400),
    "rekey": Field("str", "unicast: the key servers push each new TEK by unicast rekey (acknowledged by IOS-XE members); "
                   "none: no rekey, members re-register before the TEK expires (required with a Junos member).",
                   default="unicast", choices=("unicast", "none")),
    "anti_replay": Field("str", "counter: counter-based anti-replay (only for a group of exactly two members); time: "
                         "Cisco time-based (IOS-XE members only); none.", default="counter",
                         choices=("counter", "time", "none")),
    "anti_replay_window": Field("int", "counter: window in packets (64-1024); time: window in seconds (1-100).",
                                default=64, minimum=1, maximum=1024),
    "isakmp": Field("dict", "IKEv1 phase 1 of the registration (GDOI runs over IKEv1, RFC 6407; the IKEv2 variant "
                    "G-IKEv2 is IOS-XE only).", default={}, fields={
                        "encryption": Field("str", "Phase 1 encryption.", default="aes-cbc-256", choices=model.CBC),
                        "integrity": Field("str", "Phase 1 hash.", default="sha256", choices=("sha256", "sha384", "sha512")),
                        "dh_group": Field("int", "Phase 1 DH group.", default=14, choices=(14, 15, 16, 19, 20, 21)),
                    }),
    "ks_priorities": Field("raw", "Cooperative pair only: local priority of each key server, in key_servers order "
                           "(default 100 and 90: the first is the primary)."),
}


def objects(group_name: str) -> str:
    """Name of every device object of a group: ``MPLSSEC-GV-<NAME>``."""
    return f"MPLSSEC-GV-{group_name.upper()}"


def isakmp_priority(identity: int) -> int:
    """The IOS-XE ``crypto isakmp policy`` number of a group's registration (9001-9999 by identity: one per group,
    clear of the low numbers operators use)."""
    return 9000 + (identity - 1) % 999 + 1


def normalise_groups(raw: Any) -> tuple[dict[str, dict[str, Any]], list[PlanError]]:
    """Validate p2p_getvpn_groups field by field; returns {name: group} (valid names only) and the errors."""
    errors: list[PlanError] = []
    out: dict[str, dict[str, Any]] = {}
    if raw is None:
        return out, errors
    if not isinstance(raw, (list, tuple)):
        return out, [PlanError("(all)", "p2p_getvpn_groups", f"must be a list of groups, got {type(raw).__name__}",
                               "define p2p_getvpn_groups as a YAML list (see docs/data-model.md, GET VPN)")]
    for index, item in enumerate(raw):
        label = f"getvpn group {item.get('name') if isinstance(item, Mapping) and item.get('name') else '#' + str(index + 1)}"
        found: list[model.PlanError] = []
        group = model._walk(item, GROUP_SCHEMA, "", label, found)  # noqa: SLF001 - the model's one field walker
        errors += [PlanError(e.link, e.field, e.problem, e.fix) for e in found]
        group["_label"] = label
        ks = group.get("key_servers")
        if ks is not None and (not isinstance(ks, (list, tuple)) or not 1 <= len(ks) <= 2
                               or not all(isinstance(h, str) and h for h in ks) or len(set(ks)) != len(ks)):
            errors.append(PlanError(label, "key_servers", f"{ks!r} is not a list of one or two distinct hosts",
                                    "list one key server, or two for a cooperative pair"))
            group["key_servers"] = None
        prio = group.get("ks_priorities")
        if prio is not None and (not isinstance(prio, (list, tuple)) or not isinstance(ks, (list, tuple))
                                 or len(prio) != len(ks) or not all(isinstance(p, int) and 1 <= p <= 255 for p in prio)):
            errors.append(PlanError(label, "ks_priorities", f"{prio!r} is not one priority (1-255) per key server",
                                    "give one number per key server, or leave it out"))
        esp = group.get("esp") or {}
        enc, integ = esp.get("encryption"), esp.get("integrity")
        if enc in model.AEAD and integ not in (None, "none"):
            errors.append(PlanError(label, "esp.integrity", f"{integ!r} with {enc}: AES-GCM authenticates itself",
                                    "set esp.integrity: none (or use aes-cbc-256)"))
        elif enc in model.CBC and integ == "none":
            errors.append(PlanError(label, "esp.integrity", f"'none' with {enc}: AES-CBC needs an HMAC",
                                    "set esp.integrity: sha256"))
        psk = group.get("psk")
        if isinstance(psk, str) and len(psk) < model.PSK_MIN_LENGTH:
            errors.append(PlanError(label, "psk", f"is shorter than {model.PSK_MIN_LENGTH} characters",
                                    "use a random key of at least 16 characters stored with ansible-vault"))
        name = group.get("name")
        if name in out:
            errors.append(PlanError(label, "name", f"{name!r} is defined twice", "give every group its own name"))
        elif name:
            out[name] = group
    identities: dict[int, str] = {}
    for name, group in out.items():
        ident = group.get("identity")
        if ident in identities:
            errors.append(PlanError(group["_label"], "identity", f"{ident} is also the identity of group "
                                    f"{identities[ident]}", "give every group its own identity number"))
        elif ident is not None:
            identities[ident] = name
    return out, errors


def prepare_link(link: dict[str, Any], groups: Mapping[str, dict[str, Any]], errors: list[PlanError]) -> dict | None:
    """A getvpn link names a defined group; its ESP (for the MTU) is the group's TEK. Returns the group."""
    label = link["_label"]
    if link.get("mode") != "getvpn":
        if (link.get("getvpn") or {}).get("group"):
            errors.append(PlanError(label, "getvpn", f"only applies to mode getvpn, not {link.get('mode')}",
                                    "remove getvpn or set mode: getvpn"))
        return None
    name = (link.get("getvpn") or {}).get("group")
    if not name:
        errors.append(PlanError(label, "getvpn.group", "is required with mode getvpn",
                                "set getvpn.group to a group of p2p_getvpn_groups"))
        return None
    group = groups.get(name)
    if group is None:
        errors.append(PlanError(label, "getvpn.group", f"{name!r} is not a group of p2p_getvpn_groups",
                                "define it in p2p_getvpn_groups" + (f" (known: {', '.join(sorted(groups))})" if groups else "")))
        return None
    esp = group.get("esp") or {}
    link["crypto"]["esp"] = dict(link["crypto"]["esp"], encryption=esp.get("encryption"), integrity=esp.get("integrity"),
                                 lifetime=esp.get("lifetime"))
    return group


def check_groups(links: list[dict[str, Any]], groups: Mapping[str, dict[str, Any]], host_info, errors: list[PlanError]) -> None:
    """Key servers (inventory, platform, not a member of their own group) and the member platform limits.

    ``host_info(host)`` returns ``(info or None, [(problem, fix)])`` like plan._Hosts.get."""
    facts = capabilities.GETVPN
    members: dict[str, list[tuple[str, str]]] = {}        # group -> [(host, link label)]
    for link in links:
        name = (link.get("getvpn") or {}).get("group") if link.get("mode") == "getvpn" else None
        if name in groups:
            for side in ("a", "b"):
                host = (link.get(side) or {}).get("host")
                if host:
                    members.setdefault(name, []).append((host, link["_label"]))
    for name, group in groups.items():
        label = group["_label"]
        for ks in group.get("key_servers") or []:
            info, problems = host_info(ks)
            for problem, fix in problems:
                errors.append(PlanError(label, "key_servers", problem.replace("host", "key server", 1), fix))
            if info and info["platform"] not in facts["key_server_platforms"]:
                errors.append(PlanError(label, "key_servers", f"{ks} is {capabilities.PLATFORMS[info['platform']]['title']}: "
                                        f"{facts['key_server_reason']}", "use an IOS-XE router as key server"))
            for host, link_label in members.get(name, []):
                if host == ks:
                    errors.append(PlanError(link_label, "getvpn.group", f"{ks} is a key server of group {name} and an end "
                                            f"of this link: {facts['ks_member_reason']}",
                                            "use a key server that ends no link of the group, or another group"))
        hosts = sorted({h for h, _link in members.get(name, [])})
        platforms = {h: (host_info(h)[0] or {}).get("platform") for h in hosts}
        for (field, value), limit in facts["member_limits"].items():
            if group.get(field) != value:
                continue
            if limit.get("more_than_two") and len(hosts) <= 2:
                continue
            who = [h for h in hosts if platforms[h] in limit["platforms"]]
            if who:
                errors.append(PlanError(label, field, f"{value} with {', '.join(who)} ({limit['who']}) in the group: "
                                        f"{limit['reason']} (see {limit['reference']})", limit["fix"]))


#: the interface a member registers from when the host var p2p_loopback_interface is not set (its address is the
#: router id): the carrier address would stop being routed at cut-over (OSPF leaves the carrier), and the key server
#: could then neither answer a re-registration nor send rekeys (docs/lab.md "GET VPN", docs/data-model.md)
LOOPBACK = {"ios": "Loopback0", "junos": "lo0.0"}


def member_fact(link: Mapping[str, Any], group: Mapping[str, Any], ks_info: Mapping[str, Any],
                me: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The ``getvpn`` block of a link's plan entry on one router ``me`` ({platform, router_id, loopback_interface})."""
    me = me or {}
    return {
        "group": group["name"],
        "objects": objects(group["name"]),
        "identity": group["identity"],
        "key_servers": [ks_info[h]["router_id"] for h in group["key_servers"]],
        "isakmp": dict(group["isakmp"], priority=isakmp_priority(group["identity"])),
        "registration_address": me.get("router_id"),
        "registration_interface": me.get("loopback_interface") or LOOPBACK.get(me.get("platform", ""), None),
    }


def server_facts(groups: Mapping[str, Mapping[str, Any]], links: list[Mapping[str, Any]],
                 ks_info: Mapping[str, Mapping[str, Any]], router_ids: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """{key server host: its p2p_plan} with one ``getvpn_servers`` entry per group it serves. The policy ACL permits
    exactly the GRE packets between the carrier addresses of each member pair, both directions; ``members`` are the
    members' registration addresses (router ids)."""
    out: dict[str, dict[str, Any]] = {}
    for name in sorted(groups):
        group = groups[name]
        acl, members = [], []
        for link in sorted((x for x in links if (x.get("getvpn") or {}).get("group") == name), key=lambda x: x["name"]):
            a, b = (str(link[s]["address"]).split("/", maxsplit=1)[0] for s in ("a", "b"))
            acl += [{"action": "permit", "proto": "gre", "src": a, "dst": b},
                    {"action": "permit", "proto": "gre", "src": b, "dst": a}]
            members += [router_ids[link[s]["host"]] for s in ("a", "b")]
        kss = list(group["key_servers"])
        prios = list(group.get("ks_priorities") or [100, 90][: len(kss)])
        for i, ks in enumerate(kss):
            info = ks_info[ks]
            fact = out.setdefault(ks, {"host": ks, "platform": info["platform"], "router_id": info["router_id"],
                                       "links": [], "getvpn_servers": []})
            fact["getvpn_servers"].append({
                "group": name, "objects": objects(name), "identity": group["identity"], "address": info["router_id"],
                "acl": copy.deepcopy(acl), "esp": dict(group["esp"]), "kek_lifetime": group["kek_lifetime"],
                "rekey": group["rekey"], "anti_replay": group["anti_replay"],
                "anti_replay_window": group["anti_replay_window"], "members": sorted(set(members), key=_ip_key),
                "isakmp": dict(group["isakmp"], priority=isakmp_priority(group["identity"])),
                "redundancy": ({"priority": prios[i], "peers": [ks_info[p]["router_id"] for p in kss if p != ks]}
                               if len(kss) > 1 else None),
                "key_server_hosts": kss,
            })
    return out


def _ip_key(addr: str) -> tuple[int, ...]:
    return tuple(int(x) for x in addr.split("."))


def argument_spec_options() -> dict[str, Any]:
    """GROUP_SCHEMA as role argument-spec options (entry point ``getvpn_group`` of roles/plan/meta/argument_specs.yml)."""
    return model.argument_spec_options(GROUP_SCHEMA)

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Preflight: combine the plan (intent) with the gathered device facts (``p2p_facts``), before any change.

``apply_facts(result, hostvars)`` is called once by ``plan.build_plan`` on the assembled plan. For every
router that has ``hostvars[router].p2p_facts`` it adds ``device`` to the router's ``p2p_plan`` and
``carrier`` (+ ``existing``) to each of its link entries, and returns the list of refusals, each
``link <name>: <router>: <what>: <found>. Fix: <fix>.`` Routers without facts are left as they are
(``plan_p2p.yml`` without ``p2p_gather_facts``). What is refused and what is adapted, and why, is in
docs/deploy.md "Gather and preflight".
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, Mapping

try:
    from ansible_collections.mplssec.p2p.plugins.plugin_utils import capabilities
except ImportError:  # pragma: no cover - used when the package is imported without the collection path
    from . import capabilities  # type: ignore[no-redef]

__all__ = ["apply_facts", "confirm_timer_errors", "SRX_NO_PACKET_MODE"]

# Juniper, forwarding-options (Security): "Packet-based processing is not supported on the following SRX
# Series devices: SRX5400, SRX5600, and SRX5800."
# https://www.juniper.net/documentation/us/en/software/junos/mpls/topics/ref/statement/security-edit-forwarding-options.html
SRX_NO_PACKET_MODE = ("srx5400", "srx5600", "srx5800")
PACKET = "packet-based"


def _msg(link: str, router: str, what: str, found: str, fix: str) -> str:
    return f"link {link}: {router}: {what}: {found}. Fix: {fix}."


def _hostvar(hostvars: Mapping[str, Any], host: str, key: str) -> Any:
    try:
        return hostvars[host].get(key)
    except (KeyError, AttributeError, TypeError):
        return None


def _true(value: Any) -> bool:
    return value is True or str(value).strip().lower() in ("true", "yes", "on", "1")


def apply_facts(result: dict[str, Any], hostvars: Mapping[str, Any], gathered: Mapping[str, Any] | None = None) -> list[str]:
    """Add ``device``/``carrier``/``existing`` to the plan facts of routers with facts -- ``gathered[router]`` (the
    engine's gather, one localhost fact) or ``hostvars[router].p2p_facts`` -- and return the refusals."""
    errors: list[str] = []
    warnings: list[str] = result.setdefault("warnings", [])
    for host, plan in result.get("hosts", {}).items():
        facts = (gathered or {}).get(host) or _hostvar(hostvars, host, "p2p_facts")
        if not isinstance(facts, Mapping) or not facts:
            continue
        # one reboot per run: after the one playbooks/reboot_p2p.yml did, a mode still not in effect is refused
        allow_reboot = _true(_hostvar(hostvars, host, "p2p_allow_reboot")) and not _true(_hostvar(hostvars, host, "p2p_reboot_done"))
        security = facts.get("security") or {}
        active = security.get("flow_active") or {}
        plan["device"] = {
            "model": facts.get("model"),
            "version": facts.get("version"),
            "mpls_mode_active": active.get("mpls"),
            "iso_mode_active": active.get("iso"),
            "inet6_mode_active": active.get("inet6"),
            "tcp_mss_ipsec_vpn": security.get("tcp_mss_ipsec_vpn"),
        }
        actions: list[dict[str, Any]] = []
        for entry in plan.get("links", []):
            errors.extend(_link(host, plan, entry, facts, allow_reboot, actions, warnings))
        plan["actions"] = _unique(actions)
    errors.extend(_rekey_keys(result, hostvars, gathered))
    result["warnings"] = sorted(set(warnings))
    return errors


def _rekey_keys(result: dict[str, Any], hostvars: Mapping[str, Any], gathered: Mapping[str, Any] | None) -> list[str]:
    """GET VPN key servers: the RSA key pair that signs a group's unicast rekeys (named like the group's objects).
    Without it a key server makes no KEK and no TEK, and the key servers of a cooperative pair must hold the same key
    pair (Cisco Security Manager 4.4 User Guide, "Generating and Synchronizing RSA Keys"; docs/lab.md "RSA key
    pairs"). A single key server gets one generated (``rsa_key.generate``, template getvpn_ks_keys) and removed when
    the group is decommissioned (``rsa_key.remove``); a cooperative pair's key pair is the operator's (exported from one
    and imported into the other): it is checked, never made or removed here. Key servers without facts: unchecked."""
    errors: list[str] = []
    for host, plan in result.get("hosts", {}).items():
        for server in plan.get("getvpn_servers") or []:
            if server.get("rekey") != "unicast":
                continue
            kss = list(server.get("key_server_hosts") or [host])
            found = {}
            for ks in kss:
                facts = (gathered or {}).get(ks) or _hostvar(hostvars, ks, "p2p_facts")
                if not isinstance(facts, Mapping) or not facts:
                    break
                found[ks] = (facts.get("rsa_keys") or {}).get(server["objects"])
            else:
                label = server["objects"]
                if len(kss) == 1:
                    server["rsa_key"] = {"label": label, "generate": found[host] is None, "remove": found[host] is not None}
                    continue
                server["rsa_key"] = {"label": label, "generate": False, "remove": False}
                datas = {ks: (key or {}).get("data") for ks, key in found.items()}
                if host != kss[0] or (all(datas.values()) and len(set(datas.values())) == 1):
                    continue  # one message per group (on its first key server)
                state = "; ".join("%s %s" % (ks, "has none" if not datas[ks] else "holds the key with SHA-256 %s" % (
                    hashlib.sha256(datas[ks].encode()).hexdigest()[:16])) for ks in kss)
                errors.append(
                    f"getvpn group {server['group']}: key_servers: the cooperative key servers {', '.join(kss)} must "
                    f"hold the same RSA key pair {label} (their unicast rekeys are signed with it; a member registered "
                    f"with one cannot verify rekeys signed by the other): {state}. Fix: on {kss[0]} 'crypto key generate "
                    f"rsa general-keys label {label} modulus 2048 exportable' (if it has none) and 'crypto key export rsa "
                    f"{label} pem terminal 3des <passphrase>', then on {', '.join(kss[1:])} 'crypto key import rsa {label} "
                    f"pem terminal <passphrase>', pasting the exported keys (Cisco, Deploying RSA Keys Within a PKI: "
                    f"exporting and importing RSA keys in PEM files); or set the group's rekey: none.")
    return errors


def _unique(actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen, out = set(), []
    for action in actions:
        key = (action["action"], action.get("reason"))
        if key not in seen:
            seen.add(key)
            out.append(action)
    return out


def _link(host: str, plan: Mapping[str, Any], entry: dict[str, Any], facts: Mapping[str, Any], allow_reboot: bool,
          actions: list[dict[str, Any]], warnings: list[str]) -> list[str]:
    name = entry["name"]
    errors: list[str] = []
    interfaces = facts.get("interfaces") or {}
    ifname = entry["physical"]["interface"]
    iface = interfaces.get(ifname)
    if iface is None:
        errors.append(_msg(name, host, f"carrier interface {ifname}", "not in the configuration of the router",
                           f"correct {entry['side']}.interface (configured interfaces: {', '.join(sorted(interfaces)[:12])})"))
        return errors
    wanted = f"{entry['physical']['address']}/{entry['physical']['prefixlen']}"
    if wanted not in iface.get("ipv4", []):
        errors.append(_msg(name, host, f"{ifname} address", ", ".join(iface.get("ipv4") or []) or "no IPv4 address",
                           f"set {entry['side']}.address to the carrier interface's address, or correct {entry['side']}.interface "
                           f"(the plan has {wanted})"))
    carrier_mtu = entry["mtu"]["carrier_mtu"]
    # macsec already on the carrier (a re-run): the IP MTU is the deploy's own, the port's decides
    ip_mtu = iface.get("port_ip_mtu") if entry.get("mode") == "macsec" and iface.get("macsec") else iface.get("ip_mtu")
    if ip_mtu is not None and ip_mtu < carrier_mtu:
        errors.append(_msg(name, host, f"{ifname} IP MTU", f"{ip_mtu}, below carrier_mtu {carrier_mtu}",
                           f"set carrier_mtu: {ip_mtu} (or raise the interface MTU to {carrier_mtu})"))
    ospf = iface.get("ospf")
    igp = entry["igp"]
    carrier = {
        "ospf_network": bool(ospf and ospf.get("via") == "network"),
        "acl_in": iface.get("acl_in"),
        "acl6_in": iface.get("acl6_in"),
        "zone": iface.get("zone"),
        "zone_ike": iface.get("zone_ike"),
        # IOS (issue 8 #3/#13): passive before the deploy (then cut-over/rollback leave passive-interface alone),
        # IPv6 on the carrier, and the entries of the existing inbound ACLs (fail-closed merges them)
        "ospf_passive": bool(ospf and ospf.get("passive")),
        "ipv6": bool(iface.get("ipv6")),
        "acl_in_entries": list((facts.get("acls") or {}).get(iface.get("acl_in") or "", [])),
        "acl6_in_entries": list((facts.get("acls") or {}).get("ipv6 " + (iface.get("acl6_in") or ""), [])),
    }
    if entry.get("tunnel"):
        _pre_deploy(entry, carrier, interfaces, facts)
    entry["carrier"] = carrier
    if igp.get("protocol") == "ospf" and ospf:
        if ospf.get("process") is not None and ospf["process"] != igp.get("process_id"):
            errors.append(_msg(name, host, f"OSPF on {ifname}", f"process {ospf['process']} ({_via(ospf)})",
                               f"set igp.process_id: {ospf['process']} (the tunnel must join the carrier's OSPF process)"))
        if ospf.get("area") is not None and ospf["area"] != igp.get("area"):
            errors.append(_msg(name, host, f"OSPF on {ifname}", f"area {ospf['area']} ({_via(ospf)})",
                               f"set igp.area: {ospf['area']} (the tunnel must join the carrier's area)"))
    if igp.get("protocol") == "ospf" and iface.get("isis") and not ospf:
        errors.append(_msg(name, host, f"IGP on {ifname}", "IS-IS, not OSPF", "set igp.protocol: isis"))
    if igp.get("protocol") == "isis" and ospf and not iface.get("isis"):
        errors.append(_msg(name, host, f"IGP on {ifname}", f"OSPF ({_via(ospf)}), not IS-IS", "set igp.protocol: ospf"))
    if carrier["ospf_network"]:
        warnings.append(f"link {name}: {host}: OSPF runs on {ifname} through 'network {ospf['network']}' under router ospf "
                        f"{ospf['process']}: cut-over makes {ifname} passive (passive-interface) instead of removing ip ospf, "
                        "rollback removes the passive-interface again")
    for key, label in (("acl_in", "inbound IPv4 filter"), ("acl6_in", "inbound IPv6 filter")):
        if carrier[key]:
            warnings.append(f"link {name}: {host}: {ifname} has an {label} {carrier[key]}: fail-closed merges it, "
                            "rollback restores it")
    if entry.get("mode") == "macsec":
        errors.extend(_macsec(host, plan, entry, facts, iface, warnings))
    if plan.get("platform") == "junos":
        errors.extend(_junos(host, entry, facts, iface, allow_reboot, actions, warnings))
    errors.extend(_existing(host, entry, facts))
    return errors


# What phase1 records in the GRE tunnel's description when the plan had carrier facts (ios/tunnel.j2): the
# carrier as it was before the deploy. A re-run or rollback_p2p reads the deployed router, whose carrier has
# the fail-closed ACL and the passive-interface of the deploy; they must be planned from the original.
_PRE = re.compile(r"\bpre acl_in=(\S+) acl6_in=(\S+) ospf_passive=(yes|no)\b")


def _pre_deploy(entry: Mapping[str, Any], carrier: dict[str, Any], interfaces: Mapping[str, Any],
                facts: Mapping[str, Any]) -> None:
    tunnel = interfaces.get(entry["tunnel"]["interface"]) or {}
    found = _PRE.search(str(tunnel.get("description") or ""))
    if not found:
        return
    acls = facts.get("acls") or {}
    acl_in, acl6_in = (None if v == "-" else v for v in found.group(1, 2))
    carrier.update(acl_in=acl_in, acl6_in=acl6_in, ospf_passive=found.group(3) == "yes", deployed=True,
                   acl_in_entries=list(acls.get(acl_in or "", [])), acl6_in_entries=list(acls.get("ipv6 " + (acl6_in or ""), [])))


def _via(ospf: Mapping[str, Any]) -> str:
    return f"network {ospf['network']}" if ospf.get("via") == "network" else "enabled on the interface"


def _junos(host: str, entry: dict[str, Any], facts: Mapping[str, Any], iface: Mapping[str, Any], allow_reboot: bool,
           actions: list[dict[str, Any]], warnings: list[str]) -> list[str]:
    name = entry["name"]
    errors: list[str] = []
    security = facts.get("security") or {}
    active = security.get("flow_active") or {}
    configured = security.get("flow_configured") or {}
    model = str(facts.get("model") or "").lower()
    ifname = entry["physical"]["interface"]
    if model in SRX_NO_PACKET_MODE:
        errors.append(_msg(name, host, "model", f"{facts.get('model')}: Juniper does not support packet-based "
                           "(MPLS) forwarding on SRX5400/5600/5800 (forwarding-options (Security) reference)",
                           "end the link on a router that can forward MPLS (another SRX model, or IOS-XE)"))
        return errors
    families = [("mpls", "MPLS", "security forwarding-options family mpls mode packet-based")]
    if entry["igp"].get("protocol") == "isis":
        families.append(("iso", "ISO (IS-IS)", "security forwarding-options family iso mode packet-based"))
    for fam, label, statement in families:
        mode = active.get(fam)
        if mode == PACKET:
            continue
        shown = mode.replace("-", " ") if mode else "unknown (no output of show security flow status)"
        conf = configured.get(fam)
        state = ("configured but not active: the mode changes only after a reboot" if conf == PACKET
                 else "not configured; once configured it takes effect only after a reboot")
        if allow_reboot:
            actions.append({"action": "reboot", "reason": f"{label} forwarding mode {shown} -> packet-based",
                            "configure": statement})
            warnings.append(f"link {name}: {host}: {label} forwarding mode in effect is {shown} ({state}); "
                            "p2p_allow_reboot is true: playbooks/reboot_p2p.yml commits it, reboots the router and reads it again "
                            "before the deploy")
            continue
        errors.append(_msg(name, host, f"{label} forwarding mode in effect (show security flow status)", f"{shown}, {state}",
                           f"set {statement}, commit and reboot {host} in a maintenance window, then re-run; "
                           f"or set p2p_allow_reboot: true for {host} to let the deploy reboot it"))
    if (entry.get("tunnel") or {}).get("ipv6") and active.get("inet6") not in ("flow-based", PACKET):
        shown = active.get("inet6") or "unknown"
        errors.append(_msg(name, host, "inet6 forwarding mode in effect", f"{shown}: the SRX drops the IPv6 of tunnel.ipv6",
                           f"set security forwarding-options family inet6 mode flow-based, commit and reboot {host}, "
                           "or remove tunnel.ipv6"))
    if not iface.get("zone_ike") and entry.get("mode") != "macsec":  # MKA is layer 2: no IKE, no host-inbound
        # vendor-truth #1: refused, never changed by the product (the zone is the operator's security policy).
        zone = iface.get("zone")
        found = (f"in zone {zone}, whose host-inbound-traffic does not admit IKE (udp 500/4500 to {ifname} is dropped)"
                 if zone else "in no security zone (an SRX drops everything addressed to it)")
        if zone:
            fix = (f"admit IKE in zone {zone}: set security zones security-zone {zone} host-inbound-traffic system-services ike "
                   f"(or, when {ifname} has host-inbound-traffic of its own, set security zones security-zone {zone} "
                   f"interfaces {ifname} host-inbound-traffic system-services ike), commit, then re-run")
        else:
            fix = (f"put {ifname} in the zone that faces the carrier and admit IKE there (set security zones security-zone "
                   f"untrust interfaces {ifname} host-inbound-traffic system-services ike), commit, then re-run")
        errors.append(_msg(name, host, f"security zone of {ifname}", found, fix))
    existing = security.get("tcp_mss_ipsec_vpn")
    planned = entry["mtu"].get("tcp_mss")
    if existing is not None and planned is not None and existing != planned:
        # vendor-truth #16: the global value is never set by the product (it does not act on GRE/labelled packets)
        warnings.append(f"link {name}: {host}: security flow tcp-mss ipsec-vpn mss is {existing} (global, used by the "
                        f"router's other VPNs), the link's MSS is {planned}: the product does not change the global value")
    return errors


def _existing(host: str, entry: dict[str, Any], facts: Mapping[str, Any]) -> list[str]:
    """Tunnel interfaces the plan wants that exist with other content; leftover MPLSSEC objects."""
    name = entry["name"]
    errors: list[str] = []
    interfaces = facts.get("interfaces") or {}
    if not entry.get("tunnel"):  # macsec: no interface of its own; its objects (key chain, MKA policy / CA) are expected
        prefix = entry["objects"]
        entry["existing"] = {"interfaces": [], "files": [f for f in facts.get("files") or [] if f.startswith(f"mplssec-{name}-")],
                             "objects": [o for o in facts.get("objects") or [] if prefix in o.split()]}
        return errors
    wanted = [(entry["tunnel"]["interface"], f"{entry['tunnel']['address']}/{entry['tunnel']['prefixlen']}")]
    if entry.get("ipsec_tunnel"):
        ipsec = entry["ipsec_tunnel"]
        wanted.append((ipsec["interface"], f"{ipsec['address']}/{ipsec['prefixlen']}"))
    found_any = False
    for ifname, address in wanted:
        iface = interfaces.get(ifname)
        if iface is None:
            continue
        found_any = True
        if iface.get("ipv4") and address not in iface["ipv4"]:
            errors.append(_msg(name, host, f"{ifname} (tunnel.id {entry['id']})", f"exists with address "
                               f"{', '.join(iface['ipv4'])}, not this link's {address}",
                               "choose another tunnel.id, or remove the interface if it is unused"))
    prefix = entry["objects"]
    objects = [o for o in facts.get("objects") or [] if o.split()[-1] == prefix or o.split()[-1].startswith(prefix + "-")]
    files = [f for f in facts.get("files") or [] if f.startswith(f"mplssec-{name}-")]
    entry["existing"] = {"interfaces": [i for i, _a in wanted if i in interfaces], "objects": objects, "files": files}
    if objects and not found_any:
        errors.append(_msg(name, host, f"objects {prefix}", f"{', '.join(objects[:4])} exist but no tunnel interface of the "
                           "link does (left over from an earlier run?)",
                           "remove them on the router, or roll the link back (playbooks/rollback_p2p.yml), then re-run"))
    return errors


# ----------------------------------------------------------------------------------- confirm timers (issue 8 section 4)

#: per check, beyond its polling window (retries x interval): its last attempt's commands (a ping that times out,
#: IOS 5 x 2 s); device.poll_check stops polling at the window, so this bounds one check
GATE_COMMAND_SECONDS = 10
#: per step, beyond its gates: the push (IOS-XE revert timer reset + configure, Junos load + commit confirmed)
STEP_PUSH_SECONDS = 30
#: IOS-XE ``configure terminal revert timer`` / ``configure revert timer``: 1-120 minutes
IOS_REVERT_MAX_MINUTES = 120


def step_worst_seconds(checks: int, retries: int, interval: float) -> float:
    """The longest one deploy step can take from its push to the end of its gate on the slower of the two routers
    (both routers push, then gate, in parallel; the next step starts when both finished)."""
    return STEP_PUSH_SECONDS + checks * (retries * interval + GATE_COMMAND_SECONDS)


def confirm_timer_errors(step_lists: Any, retries: Any, interval: Any, minutes: Any) -> list[str]:
    """Refusals (empty: fine) of a ``deploy_confirm_minutes`` that cannot outlast the worst-case step.

    Each step restarts both routers' timers (Junos ``commit confirmed``, IOS-XE ``configure revert timer``) when it
    pushes, and the finish confirms after the last gate, so a timer must outlast the longest step:
    ``STEP_PUSH_SECONDS + checks x (deploy_wait_retries x deploy_wait_interval + GATE_COMMAND_SECONDS)`` for the step
    with the most checks of ``step_lists`` (the encrypt, rollback and rotate step lists of roles/deploy/vars/main.yml).
    A timer that ends while a gate still runs rolls a router back under the deploy."""
    errors: list[str] = []
    try:
        retries_n, interval_s = int(retries), float(interval)
    except (TypeError, ValueError):
        return [f"deploy_wait_retries / deploy_wait_interval: {retries!r} / {interval!r} are not numbers. Fix: set "
                "them to integers (e.g. -e deploy_wait_retries=30 -e deploy_wait_interval=2)"]
    if retries_n < 1 or interval_s <= 0:
        errors.append(f"deploy_wait_retries / deploy_wait_interval: {retries_n} / {interval_s:g} s: a gate needs at least one "
                      "attempt and a positive interval. Fix: e.g. -e deploy_wait_retries=30 -e deploy_wait_interval=2")
        return errors
    if isinstance(minutes, bool) or not re.fullmatch(r"\d+", str(minutes).strip()):
        return [f"deploy_confirm_minutes: {minutes!r} is not a whole number of minutes. Fix: -e deploy_confirm_minutes=10"]
    minutes_n = int(str(minutes).strip())
    checks = 0
    for steps in step_lists or []:
        for step in steps or []:
            checks = max(checks, len((step or {}).get("checks") or []))
    need = step_worst_seconds(checks, retries_n, interval_s)
    need_min = int(-(-need // 60))
    if not 1 <= minutes_n <= IOS_REVERT_MAX_MINUTES:
        errors.append(f"deploy_confirm_minutes: {minutes_n} is outside 1-{IOS_REVERT_MAX_MINUTES} (the IOS-XE revert timer's "
                      f"range; the same value sets the Junos commit confirmed). Fix: -e deploy_confirm_minutes="
                      f"{min(max(need_min, 1), IOS_REVERT_MAX_MINUTES)}")
    elif need > minutes_n * 60:
        budget = (f"the longest deploy step ({need:g} s: {STEP_PUSH_SECONDS} s push + {checks} checks x ({retries_n} "
                  f"deploy_wait_retries x {interval_s:g} s deploy_wait_interval + {GATE_COMMAND_SECONDS} s for a check's "
                  "last commands), both routers in step)")
        if need_min <= IOS_REVERT_MAX_MINUTES:
            errors.append(f"deploy_confirm_minutes: {minutes_n} min is shorter than {budget}: the Junos commit confirmed / "
                          "IOS-XE revert timer would roll a router back while its gates still run. Fix: "
                          f"-e deploy_confirm_minutes={need_min}, or fewer deploy_wait_retries / a shorter deploy_wait_interval")
        else:
            most = int((IOS_REVERT_MAX_MINUTES * 60 - STEP_PUSH_SECONDS) / max(checks, 1) - GATE_COMMAND_SECONDS) // interval_s
            errors.append(f"deploy_wait_retries: {budget} is longer than the IOS-XE revert timer's maximum of "
                          f"{IOS_REVERT_MAX_MINUTES} min. Fix: -e deploy_wait_retries={int(most)} (or a shorter "
                          f"deploy_wait_interval) with -e deploy_confirm_minutes={IOS_REVERT_MAX_MINUTES}")
    return errors


def _macsec(host: str, plan: Mapping[str, Any], entry: dict[str, Any], facts: Mapping[str, Any], iface: Mapping[str, Any],
            warnings: list[str]) -> list[str]:
    """mode macsec: the carrier port must do MACsec (capabilities.MACSEC_PORTS, from the gathered model); an explicit
    IP/MPLS MTU of the carrier before the deploy is warned about (rollback_p2p removes the deploy's ip/mpls mtu)."""
    name, ifname = entry["name"], entry["physical"]["interface"]
    model = facts.get("model")
    support = capabilities.macsec_port_support(str(plan.get("platform")), model, ifname)
    entry["carrier"]["macsec_capable"] = support["supported"]
    if not support["supported"]:
        ref = f" (see {support['reference']})" if support.get("reference") else ""
        return [_msg(name, host, f"MACsec on {ifname}", f"not possible: {support['reason']}{ref}",
                     f"use {support['alternative']}")]
    deployed = bool(iface.get("macsec"))
    entry["carrier"]["macsec_deployed"] = deployed
    # the keys of the port's MKA key chain as digests (IOS; rotate_p2p's rollover renders from them)
    chain = (facts.get("mka_key_chains") or {}).get(iface.get("mka_key_chain") or "") or []
    entry["carrier"]["macsec_keys"] = [dict(k) for k in chain]
    if not deployed and (iface.get("ip_mtu_set") or iface.get("mpls_mtu") is not None):
        warnings.append(f"link {name}: {host}: {ifname} has an IP/MPLS MTU of its own (ip mtu {iface.get('ip_mtu')}, "
                        f"mpls mtu {iface.get('mpls_mtu')}): the deploy sets ip mtu {entry['mtu']['ip_mtu']} / mpls mtu "
                        f"{entry['mtu']['mpls_mtu']}; a failed deploy restores them exactly, rollback_p2p removes them")
    return []

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan: validate ``p2p_links`` against the inventory and derive one ``p2p_plan`` fact per router.

Pure Python (netaddr for addressing, jmespath for the summary selection), no Ansible needed.
``build_plan()`` either returns the complete plan or raises :class:`PlanValidationError` listing
EVERY problem found, each naming the link, the field, the problem and the fix. Nothing here talks
to a device. The MTU numbers come only from ``mtu.py`` (architecture.md section 1), the platform
facts only from ``capabilities.py``.

Output (architecture.md section 3)::

    {"hosts": {host: p2p_plan}, "links": [summary rows], "warnings": [str], "table": str}
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

try:
    import jmespath
    from netaddr import AddrFormatError, IPAddress, IPNetwork
except ImportError as _exc:  # the filter reports it; ansible-test's import sanity has neither package
    IMPORT_ERROR: ImportError | None = _exc
    AddrFormatError = ValueError  # type: ignore[misc,assignment]
else:
    IMPORT_ERROR = None

try:
    from ansible_collections.mplssec.p2p.plugins.plugin_utils import capabilities, getvpn, model, mtu, preflight
except ImportError:  # pragma: no cover - used when the package is imported without the collection path
    from . import capabilities, getvpn, model, mtu, preflight  # type: ignore[no-redef]

__all__ = ["PlanValidationError", "build_plan", "object_name", "format_table", "format_mode_table", "mode_choices",
           "macsec_profile"]

MIN_INNER_IP = 1280  # the smallest inner packet every link must carry (IPv6 minimum MTU, RFC 8200)
FULL_INNER_IP = 1500
OSPF_MAX_METRIC = 65535
ISIS_MAX_METRIC = 16777214
PSK_FORBIDDEN = re.compile(r"[\s\"'?]")

PlanError = model.PlanError


class PlanValidationError(ValueError):
    """The plan found errors; ``errors`` holds one message per problem (never a secret)."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__(f"{len(errors)} error(s) in p2p_links:\n- " + "\n- ".join(errors))


def object_name(link_name: str) -> str:
    """Name of every crypto object of a link on the devices: ``MPLSSEC-<NAME>``."""
    return f"MPLSSEC-{link_name.upper()}"


# --------------------------------------------------------------------------- inventory


def _in_inventory(host: str, hostvars: Mapping[str, Any], groups: Mapping[str, Any] | None) -> bool:
    if groups is not None and host in (groups.get("all") or []):
        return True
    try:
        return host in hostvars
    except TypeError:
        return False


def _hostvar(hostvars: Mapping[str, Any], host: str, key: str) -> Any:
    try:
        return hostvars[host].get(key)
    except (KeyError, AttributeError, TypeError):
        return None


def _inventory_names(hostvars: Mapping[str, Any], groups: Mapping[str, Any] | None) -> list[str]:
    names = set(groups.get("all") or []) if groups is not None else set()
    try:
        names.update(hostvars.keys())
    except AttributeError:
        pass
    return sorted(str(n) for n in names)


class _Hosts:
    """Facts the plan needs about each router, with the errors found, checked once per host."""

    def __init__(self, hostvars: Mapping[str, Any], groups: Mapping[str, Any] | None):
        self.hostvars = hostvars
        self.groups = groups
        self.cache: dict[str, tuple[dict[str, Any] | None, list[tuple[str, str]]]] = {}

    def get(self, host: str) -> tuple[dict[str, Any] | None, list[tuple[str, str]]]:
        """Return ({platform, network_os, router_id} or None, [(problem, fix)])."""
        if host in self.cache:
            return self.cache[host]
        problems: list[tuple[str, str]] = []
        info: dict[str, Any] | None = None
        if not _in_inventory(host, self.hostvars, self.groups):
            known = _inventory_names(self.hostvars, self.groups)
            problems.append((f"host {host!r} is not in the inventory",
                             "add it to the inventory or correct the name" + _did_you_mean(host, known)))
        else:
            network_os = _hostvar(self.hostvars, host, "ansible_network_os")
            supported = ", ".join(capabilities.NETWORK_OS)
            platform = capabilities.NETWORK_OS.get(str(network_os)) if network_os else None
            if not network_os:
                problems.append((f"host {host!r} has no ansible_network_os", f"set ansible_network_os for {host} to one of {supported}"))
            elif platform is None:
                problems.append((f"host {host!r} has ansible_network_os {network_os!r}, which mplssec.p2p does not support",
                                 f"use a router with one of {supported}"))
            router_id = _hostvar(self.hostvars, host, "p2p_router_id")
            rid = None
            if router_id in (None, ""):
                problems.append((f"host {host!r} has no p2p_router_id (the loopback address LDP and the IGP use)",
                                 f"set p2p_router_id in host_vars/{host} (e.g. 203.0.113.1)"))
            else:
                try:
                    rid = IPAddress(str(router_id), version=4)
                except (AddrFormatError, ValueError):
                    problems.append((f"host {host!r} has p2p_router_id {router_id!r}, which is not an IPv4 address",
                                     f"set p2p_router_id for {host} to its loopback IPv4 address"))
            if platform and rid is not None:
                info = {"platform": platform, "network_os": str(network_os), "router_id": str(rid)}
        self.cache[host] = (info, problems)
        return self.cache[host]


def _did_you_mean(word: str, options: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


# --------------------------------------------------------------------------- addresses


def _parse_network(value: Any, version: int, field: str, label: str, errors: list[PlanError],
                   allowed: tuple[int, ...], example: str) -> IPNetwork | None:
    """Parse a tunnel subnet: given as the network, with an allowed prefix length."""
    fam = "IPv4" if version == 4 else "IPv6"
    sizes = " or ".join(f"/{p}" for p in allowed)
    try:
        net = IPNetwork(str(value))
        if net.version != version or "/" not in str(value):
            raise ValueError
    except (AddrFormatError, ValueError, TypeError):
        errors.append(PlanError(label, field, f"{value!r} is not an {fam} subnet with a prefix length", f"write it like {example}"))
        return None
    full = 32 if version == 4 else 128
    if net.prefixlen not in allowed:
        if net.prefixlen > max(allowed):
            problem = f"{net} is too small: a /{net.prefixlen} holds {net.size} address(es), a point-to-point tunnel needs two"
            if net.prefixlen == full:
                problem = f"{net} is too small: a /{full} holds one address, a point-to-point tunnel needs two"
        else:
            problem = f"{net} is too large for a point-to-point tunnel"
        errors.append(PlanError(label, field, problem, f"use a {sizes} (e.g. {example})"))
        return None
    if net.ip != net.network:
        errors.append(PlanError(label, field, f"{value} has host bits set", f"write the network: {net.cidr}"))
        return None
    return net


def _hosts_of(net: IPNetwork) -> tuple[IPAddress, IPAddress]:
    """The two tunnel addresses: /31 and /127 both addresses, /30 the two usable hosts."""
    if net.version == 4 and net.prefixlen == 30:
        return net[1], net[2]
    return net[0], net[1]


def _parse_endpoint(link: Mapping[str, Any], side: str, errors: list[PlanError]) -> IPNetwork | None:
    label = link["_label"]
    value = link[side]["address"]
    field = f"{side}.address"
    try:
        iface = IPNetwork(str(value))
        if iface.version == 6 and "/" in str(value):
            errors.append(PlanError(label, field, f"{value} is IPv6: the carrier (outer) addressing is planned for IPv4 only",
                                    "give the carrier interface an IPv4 address (IPv6 can ride inside: tunnel.ipv6)"))
            return None
        if iface.version != 4 or "/" not in str(value):
            raise ValueError
    except (AddrFormatError, ValueError, TypeError):
        errors.append(PlanError(label, field, f"{value!r} is not an IPv4 address with a prefix length",
                                "write it like 192.0.2.0/31 (the carrier interface's address and prefix)"))
        return None
    if iface.prefixlen == 32:
        errors.append(PlanError(label, field, f"{iface} is a /32: the two routers cannot share a subnet",
                                "use the carrier subnet's prefix length (/31 or /30)"))
        return None
    if iface.prefixlen < 31 and iface.ip in (iface.network, iface.broadcast):
        kind = "network" if iface.ip == iface.network else "broadcast"
        errors.append(PlanError(label, field, f"{iface} is the subnet's {kind} address",
                                f"use a host address of {iface.cidr}"))
        return None
    return iface


# --------------------------------------------------------------------------- checks


def _check_crypto(link: dict[str, Any], platforms: list[str], errors: list[PlanError], warnings: list[str]) -> None:
    label = link["_label"]
    crypto = link["crypto"]
    auth = crypto.get("auth")
    psk = crypto.get("psk")
    if link.get("mode") == "getvpn" and psk is not None:
        errors.append(PlanError(label, "crypto.psk", "is not used with mode getvpn: the members register with the "
                                "key servers using the group's psk", "remove crypto.psk (set psk in p2p_getvpn_groups)"))
    elif link.get("mode") == "getvpn":
        pass
    elif auth == "psk" and "crypto.psk" not in link["_failed"]:
        if psk is None:
            errors.append(PlanError(label, "crypto.psk", "is required with auth psk",
                                    "set crypto.psk from Ansible Vault (e.g. psk: \"{{ vault_p2p_psk_<link> }}\"), "
                                    f"at least {model.PSK_MIN_LENGTH} characters"))
        elif isinstance(psk, str):
            if len(psk) < model.PSK_MIN_LENGTH:
                errors.append(PlanError(label, "crypto.psk", f"is shorter than {model.PSK_MIN_LENGTH} characters",
                                        f"use a random key of at least {model.PSK_MIN_LENGTH} characters "
                                        "(e.g. openssl rand -base64 24) stored with ansible-vault"))
            elif PSK_FORBIDDEN.search(psk):
                errors.append(PlanError(label, "crypto.psk", "contains whitespace, a quote or '?', which the device CLIs "
                                        "cannot take verbatim", "generate a key from letters, digits and +/=-_.:@ only"))
    elif auth in ("rsa-sig", "ecdsa-sig"):
        if psk is not None:
            errors.append(PlanError(label, "crypto.psk", f"is set but auth is {auth}", "remove crypto.psk or set crypto.auth: psk"))
        if not crypto.get("trustpoint"):
            errors.append(PlanError(label, "crypto.trustpoint", f"is required with auth {auth}",
                                    "set crypto.trustpoint to the CA of both routers' certificates: the IOS-XE PKI "
                                    "trustpoint the router's certificate is enrolled under / the Junos CA profile"))
        for side in ("a", "b"):
            platform = (link.get("_side_platforms") or {}).get(side)
            end = link.get(side) if isinstance(link.get(side), dict) else {}
            if not end.get("certificate_subject") and f"{side}.certificate_subject" not in link["_failed"]:
                errors.append(PlanError(label, f"{side}.certificate_subject", f"is required with auth {auth}: without it the "
                                        "other router would accept any certificate of the CA that claims this router's "
                                        "address (vendor-truth #20)", f"set {side}.certificate_subject to the subject DN of "
                                        f"{end.get('host') or 'the router'}'s certificate (e.g. CN=p1.example.net,O=Example)"))
            if platform == "junos" and not end.get("certificate") and f"{side}.certificate" not in link["_failed"]:
                errors.append(PlanError(label, f"{side}.certificate", f"is required with auth {auth} on a Junos router",
                                        f"set {side}.certificate to the local certificate id of {end.get('host') or 'the router'} "
                                        "(show security pki local-certificate)"))
        if crypto.get("certificate") is not None:
            errors.append(PlanError(label, "crypto.certificate", "is refused: one local certificate id for both routers gives "
                                    "one of them the other's name (vendor-truth #20)",
                                    "move it to a.certificate / b.certificate, each router's own local certificate id "
                                    "(Junos ends)"))
    for side in ("a", "b"):
        end = link.get(side) if isinstance(link.get(side), dict) else {}
        for key in ("certificate_subject", "certificate"):
            if end.get(key) is not None and (auth not in ("rsa-sig", "ecdsa-sig") or link.get("mode") == "getvpn"):
                errors.append(PlanError(label, f"{side}.{key}", "is only used with crypto.auth rsa-sig or ecdsa-sig",
                                        f"remove {side}.{key} or set crypto.auth: rsa-sig"))
    for section in ("ike", "esp"):
        enc, integ = crypto[section].get("encryption"), crypto[section].get("integrity")
        if enc is None or integ is None:
            continue
        if enc in model.AEAD and integ != "none":
            errors.append(PlanError(label, f"crypto.{section}.integrity",
                                    f"{integ!r} with {enc}: AES-GCM authenticates itself, an HMAC on top is invalid",
                                    f"set crypto.{section}.integrity: none (or use an aes-cbc encryption)"))
        elif enc in model.CBC and integ == "none":
            errors.append(PlanError(label, f"crypto.{section}.integrity", f"'none' with {enc}: AES-CBC needs an HMAC",
                                    f"set crypto.{section}.integrity: sha256 (or sha384/sha512), or use aes-gcm-256"))
    _check_legacy(link, errors, warnings)
    ike_life, esp_life = crypto["ike"].get("lifetime"), crypto["esp"].get("lifetime")
    if ike_life is not None and esp_life is not None and esp_life > ike_life:
        warnings.append(f"link {label}: crypto.esp.lifetime {esp_life} s is longer than crypto.ike.lifetime {ike_life} s; "
                        "child SAs are normally rekeyed more often than the IKE SA")


def _check_legacy(link: dict[str, Any], errors: list[PlanError], warnings: list[str]) -> None:
    """SHA-1 (IKE integrity and PRF, ESP integrity) is MUST- in RFC 8247 / RFC 8221: refused unless the link says
    crypto.allow_legacy: true (then a warning), issue 8 section 4b."""
    label, crypto = link["_label"], link["crypto"]
    for path, value in ((f"crypto.{section}.{key}", crypto[section].get(key))
                        for section, key in (("ike", "integrity"), ("ike", "prf"), ("esp", "integrity"))):
        if value != "sha1" or path in link["_failed"]:
            continue
        rfc = "RFC 8221" if path.startswith("crypto.esp") else "RFC 8247"
        if crypto.get("allow_legacy") is True:
            warnings.append(f"link {label}: {path} sha1 is legacy ({rfc} MUST-), accepted by crypto.allow_legacy; "
                            "prefer sha256 or the strong preset")
        else:
            errors.append(PlanError(label, path, f"'sha1' is legacy ({rfc} MUST-: kept only for interoperability)",
                                    "use sha256, sha384 or sha512 (or the strong preset); to interoperate with a peer that "
                                    "cannot, set crypto.allow_legacy: true"))


def _check_igp(link: dict[str, Any], errors: list[PlanError]) -> None:
    label = link["_label"]
    igp = link["igp"]
    proto = igp.get("protocol")
    if proto == "ospf":
        pid = igp.get("process_id", None)
        if pid is None:
            igp["process_id"] = 1
        elif isinstance(pid, bool) or not isinstance(pid, int) or not 1 <= pid <= 65535:
            errors.append(PlanError(label, "igp.process_id", f"{pid!r} is not an OSPF process id", "use an integer from 1 to 65535"))
        area = igp.get("area")
        if area is None:
            igp["area"] = 0
        else:
            parsed = _ospf_area(area)
            if parsed is None:
                errors.append(PlanError(label, "igp.area", f"{area!r} is not an OSPF area",
                                        "use an integer (0) or a dotted quad (0.0.0.0)"))
            else:
                igp["area"] = parsed
        if igp.get("level") is not None:
            errors.append(PlanError(label, "igp.level", "is an IS-IS setting but igp.protocol is ospf", "remove igp.level"))
        maximum = OSPF_MAX_METRIC
    elif proto == "isis":
        if igp.get("area") is not None:
            errors.append(PlanError(label, "igp.area", "is an OSPF setting; an IS-IS area is part of the router's NET",
                                    "remove igp.area"))
        pid = igp.get("process_id")
        if pid is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,32}", str(pid)):
            errors.append(PlanError(label, "igp.process_id", f"{pid!r} is not an IS-IS tag", "use letters, digits, '-' or '_'"))
        elif pid is not None:
            igp["process_id"] = str(pid)
        if igp.get("level") is None:
            igp["level"] = 2
        maximum = ISIS_MAX_METRIC
    else:
        return
    for key in ("metric", "clear_metric"):
        value = igp.get(key)
        if value is not None and value > maximum:
            errors.append(PlanError(label, f"igp.{key}", f"{value} is out of range for {proto}", f"use a value from 1 to {maximum}"))
    if link.get("keep_clear_igp"):
        # vendor-truth #12: the clear link would stay in the IGP without labels (MPLS/LDP leave it at cut-over).
        # When the tunnel fails the IGP reroutes there: LDP LSPs break (IOS forwards "No Label", VPN traffic is
        # lost) and whatever IP remains crosses the carrier in clear -- broken and fail-open at once. Refused;
        # docs/deploy.md "keep_clear_igp".
        errors.append(PlanError(label, "keep_clear_igp", "true keeps the clear carrier in the IGP without MPLS/LDP: when the "
                                "tunnel fails, labelled traffic is blackholed and IP traffic crosses the carrier in clear "
                                "(fail-open)", "set keep_clear_igp: false (the default; the link then fails closed); "
                                "a clear backup path belongs on another, deliberately unencrypted labelled link"))


def _ospf_area(area: Any) -> int | None:
    if isinstance(area, bool):
        return None
    if isinstance(area, int):
        return area if 0 <= area <= 4294967295 else None
    text = str(area).strip()
    if re.fullmatch(r"[0-9]+", text):
        return _ospf_area(int(text))
    try:
        return int(IPAddress(text, version=4)) if re.fullmatch(r"[0-9]+(\.[0-9]+){3}", text) else None
    except (AddrFormatError, ValueError):
        return None


def _profile(link: Mapping[str, Any]) -> dict[str, Any]:
    """MTU profile keywords of a link (architecture.md section 1)."""
    encap = {"gre_ipsec": "gre", "vti": "vti", "getvpn": "getvpn", "macsec": "macsec"}[link["mode"]]
    profile: dict[str, Any] = {"encap": encap, "labels": link["labels"]}
    if encap == "macsec":
        profile.update(macsec_profile(link))
    if encap in ("gre", "vti", "getvpn"):
        profile["esp_encryption"] = link["crypto"]["esp"]["encryption"]
        profile["esp_integrity"] = link["crypto"]["esp"]["integrity"]
    if encap == "gre":
        profile["ipsec_mode"] = link["ipsec_mode"]
    return profile


def _vti_saving(link: Mapping[str, Any], ipsec_mode: str) -> int | None:
    """Bytes per full-size packet VTI would have saved against the gre_ipsec alternative."""
    esp = link["crypto"]["esp"]
    if link.get("labels") is None or esp.get("encryption") is None or esp.get("integrity") is None:
        return None
    common = {"labels": link["labels"], "esp_encryption": esp["encryption"], "esp_integrity": esp["integrity"]}
    try:
        return mtu.overhead(FULL_INNER_IP, encap="gre", ipsec_mode=ipsec_mode, **common) - mtu.overhead(
            FULL_INNER_IP, encap="vti", **common)
    except mtu.MtuError:
        return None


def _check_capabilities(link: dict[str, Any], sides: Mapping[str, dict[str, Any] | None], errors: list[PlanError]) -> bool:
    """Check mode / ipsec_mode on both routers; True when the link can be built."""
    label, mode, ipsec_mode = link["_label"], link.get("mode"), link.get("ipsec_mode")
    if mode is None:
        return False
    if mode != "gre_ipsec" and ipsec_mode is not None:
        errors.append(PlanError(label, "ipsec_mode", f"only applies to mode gre_ipsec, not {mode}", "remove ipsec_mode"))
    ok = True
    seen: set[str] = set()
    platforms = [info["platform"] for info in sides.values() if info]
    for side in ("a", "b"):
        info = sides[side]
        if not info or info["platform"] in seen:
            continue
        platform = info["platform"]
        seen.add(platform)
        title = capabilities.PLATFORMS[platform]["title"]
        host = link[side]["host"]
        support = capabilities.mode_support(platform, mode)
        if not support["supported"]:
            ok = False
            fix = f"use {support['alternative']}"
            if mode == "vti":
                alt_mode = "tunnel" if "junos" in platforms else "transport"
                saved = _vti_saving(link, alt_mode)
                if saved is not None:
                    fix += (f"; VTI would have saved {saved} bytes per 1500-byte packet "
                            f"(gre_ipsec/{alt_mode} vs vti with {link['labels']} labels, computed by the MTU filter)")
            ref = f" (see {support['reference']})" if support.get("reference") else ""
            errors.append(PlanError(label, "mode", f"{mode} is not supported on {host} ({title}): {support['reason']}{ref}", fix))
            continue
        if mode == "gre_ipsec" and ipsec_mode is not None:
            sub = capabilities.mode_support(platform, mode, ipsec_mode)
            if not sub["supported"]:
                ok = False
                ref = f" (see {sub['reference']})" if sub.get("reference") else ""
                errors.append(PlanError(label, "ipsec_mode", f"{ipsec_mode} is not supported on {host} ({title}): "
                                        f"{sub['reason']}{ref}", f"use {sub['alternative']}"))
    return ok


def _check_mtu(link: dict[str, Any], errors: list[PlanError], warnings: list[str]) -> dict[str, Any] | None:
    """The mtu block of the plan fact, computed by mtu.py (architecture.md section 1)."""
    esp = link["crypto"]["esp"]
    if esp.get("encryption") is None or esp.get("integrity") is None:
        return None
    if esp["encryption"] in model.AEAD and esp["integrity"] != "none" or esp["encryption"] in model.CBC and esp["integrity"] == "none":
        return None  # reported by _check_crypto
    return _mtu_block(link, errors, warnings, f"{link['mode']}/{link.get('ipsec_mode')} {esp['encryption']}")


def _mtu_block(link: dict[str, Any], errors: list[PlanError], warnings: list[str], over: str, payload: str = "",
               applied: str = "") -> dict[str, Any] | None:
    """The mtu block of a link's plan fact from mtu.py with the link's profile; ``over`` names the encapsulation in
    the refusal, ``payload`` what the carrier MTU counts, ``applied`` where the IP MTU goes (both for the messages)."""
    label, carrier, labels = link["_label"], link.get("carrier_mtu"), link.get("labels")
    if carrier is None or labels is None:
        return None
    profile = _profile(link)
    needed = mtu.wire_size(MIN_INNER_IP, **profile)
    for_1500 = mtu.wire_size(FULL_INNER_IP, **profile)
    try:
        ip_mtu = mtu.max_inner(carrier, **profile)
    except mtu.MtuError:
        ip_mtu = 0
    if ip_mtu < MIN_INNER_IP:
        largest = f"the largest inner packet is {ip_mtu} bytes" if ip_mtu else "not even a 68-byte packet fits"
        errors.append(PlanError(label, "carrier_mtu", f"{carrier} cannot carry a {MIN_INNER_IP}-byte inner packet with "
                                f"{labels} label(s) over {over} ({largest})", f"the carrier must deliver at least "
                                f"{needed} bytes{payload}: order a larger carrier MTU and set carrier_mtu: {needed} or more "
                                "(or plan fewer labels)"))
        return None
    warning = None
    if ip_mtu < FULL_INNER_IP:
        where = applied.format(ip_mtu=ip_mtu, mpls_mtu=ip_mtu + 4 * labels)
        warning = (f"carrier_mtu {carrier} limits inner packets to {ip_mtu} bytes (< {FULL_INNER_IP}){where}; "
                   f"a carrier MTU of {for_1500}{payload} would carry full {FULL_INNER_IP}-byte packets")
        warnings.append(f"link {label}: {warning}")
    return {
        "carrier_mtu": carrier,
        "labels": labels,
        "ip_mtu": ip_mtu,
        "mpls_mtu": ip_mtu + 4 * labels,
        "tcp_mss": mtu.tcp_mss(carrier, **profile),
        "carrier_mtu_for_1500": for_1500,
        "overhead": mtu.overhead(ip_mtu, **profile),
        "ipsec_ip_mtu": mtu.esp_plaintext(ip_mtu, **profile) if link.get("ipsec_mode") == "tunnel" else None,
        "warning": warning,
    }


# --------------------------------------------------------------------------- the plan


def build_plan(links: Any, hostvars: Mapping[str, Any], groups: Mapping[str, Any] | None = None,
               getvpn_groups: Any = None, facts: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Validate ``links`` (the p2p_links list) and compute the plan.

    :param links: the ``p2p_links`` variable.
    :param hostvars: Ansible ``hostvars`` (or any mapping host -> vars mapping).
    :param groups: Ansible ``groups`` (optional): hosts listed in ``groups['all']`` count as inventory hosts.
    :param getvpn_groups: the ``p2p_getvpn_groups`` variable (GET VPN groups the ``mode: getvpn`` links name).
    :param facts: the gathered device facts, router -> facts (the localhost fact ``p2p_gathered``); a router without
        an entry is planned from ``hostvars[router].p2p_facts`` when it has them, else from the inventory alone.
    :returns: ``{"hosts": {host: p2p_plan}, "links": [...], "warnings": [...], "table": str}``.
    :raises PlanValidationError: with every problem found.
    """
    if IMPORT_ERROR is not None:
        raise ImportError(f"the plan needs the Python packages netaddr and jmespath on the control node "
                          f"(pip install netaddr jmespath): {IMPORT_ERROR}") from IMPORT_ERROR
    errors: list[PlanError] = []
    warnings: list[str] = []
    if links is None or (isinstance(links, (list, tuple)) and not links):
        # issue 8 section 4b: an empty list used to plan nothing and let the deploy "succeed" with no link
        raise PlanValidationError([str(PlanError("(all)", "p2p_links", "is empty (or undefined): there is no link to plan",
                                                 "define p2p_links as a list of at least one link (docs/data-model.md), "
                                                 "or check that the inventory's group_vars are loaded"))])
    if not isinstance(links, (list, tuple)):
        raise PlanValidationError([str(PlanError("(all)", "p2p_links", f"must be a list of links, got {model.type_name(links)}",
                                                 "define p2p_links as a YAML list (see docs/data-model.md)"))])
    hosts = _Hosts(hostvars, groups)
    normalised: list[dict[str, Any]] = []
    for index, raw in enumerate(links):
        link, found = model.normalise_link(raw, index)
        errors.extend(found)
        if link:
            normalised.append(link)

    gv_groups, found = getvpn.normalise_groups(getvpn_groups)
    errors.extend(found)
    for link in normalised:
        getvpn.prepare_link(link, gv_groups, errors)
    getvpn.check_groups(normalised, gv_groups, hosts.get, errors)

    derived: list[dict[str, Any]] = []
    for link in normalised:
        result = _check_link(link, hosts, errors, warnings)
        if result is not None:
            derived.append(result)
    _check_across(normalised, hosts, errors)

    # grouped by link (in p2p_links order), each link's errors in the order they were found
    position = {link["_label"]: link["_index"] for link in normalised}
    ordered = sorted(enumerate(errors), key=lambda item: (position.get(item[1].link, len(links)), item[0]))
    messages = list(dict.fromkeys(str(error) for _position, error in ordered))
    if messages:
        raise PlanValidationError(messages)
    result = _assemble(derived, warnings, gv_groups, hosts)
    refused = preflight.apply_facts(result, hostvars, facts)  # device facts, when gathered
    if refused:
        raise PlanValidationError(refused)
    result["modes"] = mode_choices(derived, result, hostvars)
    result["mode_table"] = format_mode_table(result["modes"])
    return result


def _check_link(link: dict[str, Any], hosts: _Hosts, errors: list[PlanError], warnings: list[str]) -> dict[str, Any] | None:
    """All checks of one link; returns what derivation needs, or None when something is wrong."""
    label = link["_label"]
    before = len(errors)
    sides: dict[str, dict[str, Any] | None] = {"a": None, "b": None}
    for side in ("a", "b"):
        end = link.get(side)
        if not end or not end.get("host"):
            continue
        info, problems = hosts.get(end["host"])
        for problem, fix in problems:
            errors.append(PlanError(label, f"{side}.host", problem, fix))
        sides[side] = info
        if info and end.get("interface"):
            why = capabilities.physical_interface_problem(info["platform"], end["interface"])
            if why:
                errors.append(PlanError(label, f"{side}.interface", why, "name the physical carrier interface"))
    if link.get("a") and link.get("b") and link["a"].get("host") and link["a"]["host"] == link["b"]["host"]:
        errors.append(PlanError(label, "b.host", f"both ends are on host {link['a']['host']!r}",
                                "a link joins two different routers: set b.host to the peer router"))

    phys: dict[str, IPNetwork | None] = {"a": None, "b": None}
    if link.get("a") and link.get("b") and link["a"].get("address") and link["b"].get("address"):
        phys = {side: _parse_endpoint(link, side, errors) for side in ("a", "b")}
        pa, pb = phys["a"], phys["b"]
        if pa is not None and pb is not None:
            if pa.ip == pb.ip:
                errors.append(PlanError(label, "b.address", f"{pb.ip} is also a.address", "give each end its own address"))
            elif pa.cidr != pb.cidr:
                errors.append(PlanError(label, "b.address", f"{pb} is not in a.address's subnet {pa.cidr}",
                                        f"put b.address in {pa.cidr} (or correct a.address): both ends share one subnet"))

    tunnel = link.get("tunnel")
    nets: dict[str, IPNetwork | None] = {"ipv4": None, "ipv6": None, "ipsec_ipv4": None}
    _check_macsec_fields(link, errors)
    if tunnel and link.get("mode") != "macsec":
        if tunnel.get("ipv4") is not None:
            nets["ipv4"] = _parse_network(tunnel["ipv4"], 4, "tunnel.ipv4", label, errors, (31, 30), "198.51.100.0/31")
        if tunnel.get("ipv6") is not None:
            nets["ipv6"] = _parse_network(tunnel["ipv6"], 6, "tunnel.ipv6", label, errors, (127,), "2001:db8:ff::/127")
        tunnel_mode = link.get("mode") == "gre_ipsec" and link.get("ipsec_mode") == "tunnel"
        if tunnel.get("ipsec_ipv4") is not None:
            if link.get("mode") is None or link.get("ipsec_mode") is None and link.get("mode") == "gre_ipsec":
                pass  # the mode itself is wrong; reported already
            elif not tunnel_mode:
                errors.append(PlanError(label, "tunnel.ipsec_ipv4", "is only used with mode gre_ipsec and ipsec_mode tunnel",
                                        "remove tunnel.ipsec_ipv4 or set ipsec_mode: tunnel"))
            else:
                nets["ipsec_ipv4"] = _parse_network(tunnel["ipsec_ipv4"], 4, "tunnel.ipsec_ipv4", label, errors, (31, 30),
                                                    "198.51.100.128/31")
        elif tunnel_mode:
            errors.append(PlanError(label, "tunnel.ipsec_ipv4", "is required with ipsec_mode tunnel (the route-based IPsec "
                                    "interface the GRE tunnel is sourced from)", "set tunnel.ipsec_ipv4 to a free /31 "
                                    "(e.g. 198.51.100.128/31)"))

    platforms = [info["platform"] for info in sides.values() if info]
    link["_side_platforms"] = {side: (info or {}).get("platform") for side, info in sides.items()}
    if link.get("mode") != "macsec":
        _check_crypto(link, platforms, errors, warnings)
    _check_igp(link, errors)
    buildable = _check_capabilities(link, sides, errors)
    if link.get("mode") == "macsec":
        buildable = buildable and _check_macsec(link, sides, errors, warnings)
        mtu_block = _check_mtu_macsec(link, errors, warnings) if buildable else None
    else:
        mtu_block = _check_mtu(link, errors, warnings) if buildable and "ipsec_mode" not in link["_failed"] else None

    if len(errors) > before or not buildable or mtu_block is None or None in (sides["a"], sides["b"]):
        return None
    return {"link": link, "sides": sides, "phys": phys, "nets": nets, "mtu": mtu_block}


def _check_across(links: list[dict[str, Any]], hosts: _Hosts, errors: list[PlanError]) -> None:
    """Rules between links: names, interfaces, tunnel ids, overlapping subnets, router ids."""
    names: dict[str, str] = {}
    interfaces: dict[tuple[str, str], str] = {}
    tunnels: dict[tuple[str, str], str] = {}
    subnets = _Subnets()
    for link in links:
        label, name = link["_label"], link.get("name")
        if name:
            if name in names:
                errors.append(PlanError(label, "name", f"{name!r} is already the name of link {names[name]}",
                                        "give every link a unique name"))
            else:
                names[name] = f"#{link['_index'] + 1}"
        for side in ("a", "b"):
            end = link.get(side)
            if not end or not end.get("host"):
                continue
            host = end["host"]
            if end.get("interface"):
                key = (host, end["interface"])
                if key in interfaces:
                    errors.append(PlanError(label, f"{side}.interface", f"{host} {end['interface']} is already used by link "
                                            f"{interfaces[key]}", "each link needs its own physical interface"))
                else:
                    interfaces[key] = label
            info = hosts.get(host)[0]
            tunnel = link.get("tunnel") or {}
            if info and tunnel.get("id") is not None:
                roles = ["tunnel"] + (["ipsec_tunnel"] if link.get("ipsec_mode") == "tunnel" else [])
                for role in roles:
                    ifname = capabilities.interface_name(info["platform"], role, tunnel["id"])
                    key = (host, ifname)
                    if key in tunnels and tunnels[key] != label:
                        errors.append(PlanError(label, "tunnel.id", f"{tunnel['id']} makes {ifname} on {host}, which link "
                                                f"{tunnels[key]} already uses (duplicate tunnel id)",
                                                "choose another tunnel.id (IOS-XE sVTIs use id+1000)"))
                    tunnels.setdefault(key, label)
        for field, value in _link_subnets(link):
            other = subnets.first_overlap(value)
            if other is not None:
                other_value, other_label, other_field = other
                where = f"{other_field} {other_value.cidr}" + (f" of link {other_label}" if other_label != label else "")
                errors.append(PlanError(label, field, f"{value.cidr} overlaps {where}",
                                        "give every tunnel and physical link its own subnet"))
            subnets.add(value, (value, label, field))
    for link in links:
        for side in ("a", "b"):
            end = link.get(side)
            info = hosts.get(end["host"])[0] if end and end.get("host") else None
            if not info:
                continue
            rid = IPAddress(info["router_id"])
            for value, other_label, field in subnets.containing(IPNetwork(f"{rid}/32")):
                errors.append(PlanError(link["_label"], f"{side}.host", f"p2p_router_id {rid} of {end['host']} lies in "
                                        f"{field} {value.cidr} of link {other_label}",
                                        "the router id must be the loopback address, outside every link subnet"))


class _Subnets:
    """The subnets seen so far, indexed by prefix so that overlap queries cost O(prefix length), not O(subnets).

    Two CIDR blocks overlap only when one contains the other. ``exact`` holds every subnet under its own
    (version, network, prefix length) key; ``under`` holds, under the key of each of its ancestors (itself
    included), the first subnet seen below that prefix. Results come in the order the subnets were added, as the
    pairwise scan this replaces reported them (issue 9: it was quadratic, 2.4 s of a 500-link plan).
    """

    def __init__(self) -> None:
        self.exact: dict[tuple[int, int, int], list[tuple[int, Any]]] = {}
        self.under: dict[tuple[int, int, int], tuple[int, Any]] = {}
        self.count = 0

    @staticmethod
    def _keys(net: IPNetwork) -> list[tuple[int, int, int]]:
        bits = 32 if net.version == 4 else 128
        first = int(net.network)
        return [(net.version, first >> (bits - p), p) for p in range(net.prefixlen + 1)]

    def add(self, net: IPNetwork, item: Any) -> None:
        keys = self._keys(net)
        self.exact.setdefault(keys[-1], []).append((self.count, item))
        for key in keys:
            self.under.setdefault(key, (self.count, item))
        self.count += 1

    def containing(self, net: IPNetwork) -> list[Any]:
        """Every subnet that contains ``net`` (or equals it), in the order they were added."""
        found = [entry for key in self._keys(net) for entry in self.exact.get(key, [])]
        return [item for _index, item in sorted(found, key=lambda entry: entry[0])]

    def first_overlap(self, net: IPNetwork) -> Any | None:
        """The first subnet added that contains ``net`` or lies inside it, or None."""
        keys = self._keys(net)
        found = [entries[0] for key in keys if (entries := self.exact.get(key))]
        if keys[-1] in self.under:
            found.append(self.under[keys[-1]])
        return min(found, key=lambda entry: entry[0])[1] if found else None


def _link_subnets(link: Mapping[str, Any]) -> list[tuple[str, IPNetwork]]:
    out: list[tuple[str, IPNetwork]] = []
    a = link.get("a") or {}
    try:
        if a.get("address"):
            out.append(("a.address", IPNetwork(str(a["address"])).cidr))
    except (AddrFormatError, ValueError, TypeError):
        pass
    tunnel = link.get("tunnel") or {}
    for key in ("ipv4", "ipsec_ipv4", "ipv6"):
        try:
            if tunnel.get(key):
                out.append((f"tunnel.{key}", IPNetwork(str(tunnel[key])).cidr))
        except (AddrFormatError, ValueError, TypeError):
            pass
    return out


def _assemble(derived: list[dict[str, Any]], warnings: list[str], gv_groups: Mapping[str, Any] | None = None,
              hosts_info: _Hosts | None = None) -> dict[str, Any]:
    facts: dict[str, dict[str, Any]] = {}
    rows: list[dict[str, Any]] = []
    for item in sorted(derived, key=lambda d: d["link"]["name"]):
        link = item["link"]
        for side, peer_side in (("a", "b"), ("b", "a")):
            host = link[side]["host"]
            info = item["sides"][side]
            fact = facts.setdefault(host, {"host": host, "platform": info["platform"], "router_id": info["router_id"], "links": []})
            fact["links"].append(_side_fact(item, side, peer_side))
        rows.append(item)
    _assemble_getvpn(derived, facts, gv_groups or {}, hosts_info)
    _assemble_pki(facts)
    for fact in facts.values():
        fact["links"].sort(key=lambda entry: entry["name"])
    hosts = {host: facts[host] for host in sorted(facts)}
    summary = _summary(hosts)
    return {"hosts": hosts, "links": summary, "warnings": sorted(set(warnings)), "table": format_table(summary)}


def _assemble_pki(facts: dict[str, dict[str, Any]]) -> None:
    """Certificate links: the trustpoint / CA profile's revocation setting is one per router, shared by every
    certificate link of the router that uses it; its undo goes with the router's only such link
    (crypto.pki_last_on_router, undo_remove.j2)."""
    for fact in facts.values():
        users: dict[str, int] = {}
        for entry in fact["links"]:
            tp = (entry.get("crypto") or {}).get("trustpoint")
            if tp:
                users[tp] = users.get(tp, 0) + 1
        for entry in fact["links"]:
            crypto = entry.get("crypto") or {}
            if crypto.get("trustpoint"):
                crypto["pki_last_on_router"] = users[crypto["trustpoint"]] == 1


def _dn(value: Any) -> str | None:
    """A subject DN written the way both CLIs print it: 'CN=p1.example.net,O=Example' (no blanks around , and =)."""
    if not value:
        return None
    return ",".join(f"{k.strip()}={v.strip()}" for k, _sep, v in (part.partition("=") for part in str(value).split(",")))


def _assemble_getvpn(derived: list[dict[str, Any]], facts: dict[str, dict[str, Any]], gv_groups: Mapping[str, Any],
                     hosts_info: _Hosts | None) -> None:
    """mode getvpn: the group block of each member's link entry, and a p2p_plan for each key server (getvpn.py)."""
    links = [item["link"] for item in derived if item["link"]["mode"] == "getvpn"]
    used = {name: gv_groups[name] for name in sorted({link["getvpn"]["group"] for link in links})}
    if not used or hosts_info is None:
        return
    ks_info = {ks: hosts_info.get(ks)[0] for group in used.values() for ks in group["key_servers"]}
    per_router: dict[tuple[str, str], int] = {}
    for link in links:
        for side in ("a", "b"):
            key = (link[side]["host"], link["getvpn"]["group"])
            per_router[key] = per_router.get(key, 0) + 1
    for link in links:
        group = used[link["getvpn"]["group"]]
        for side in ("a", "b"):
            entry = next(e for e in facts[link[side]["host"]]["links"] if e["name"] == link["name"])
            host = link[side]["host"]
            me = dict(facts[host], loopback_interface=_hostvar(hosts_info.hostvars, host, "p2p_loopback_interface"))
            entry["getvpn"] = getvpn.member_fact(link, group, ks_info, me)
            # the group's objects on this router go with its last link of the group (undo_remove)
            entry["getvpn"]["last_on_router"] = per_router[(link[side]["host"], group["name"])] == 1
    router_ids = {link[s]["host"]: facts[link[s]["host"]]["router_id"] for link in links for s in ("a", "b")}
    for host, fact in getvpn.server_facts(used, links, ks_info, router_ids).items():
        facts[host] = fact


def _addr(net: IPNetwork | None, side: str) -> IPAddress | None:
    if net is None:
        return None
    low, high = _hosts_of(net)
    return low if side == "a" else high


def _fact_head(item: Mapping[str, Any], side: str, peer: str, tunnel_address: str | None = None,
               tunnel_ipv6: str | None = None, ipsec_address: str | None = None) -> dict[str, Any]:
    """The first keys of a link's plan entry (every mode): the link, this side, and the peer."""
    link, other = item["link"], item["sides"][peer]
    return {
        "name": link["name"],
        "id": link["tunnel"]["id"] if link.get("tunnel") else None,
        "mode": link["mode"],
        "ipsec_mode": link["ipsec_mode"],
        "side": side,
        "objects": object_name(link["name"]),
        "peer": {
            "host": link[peer]["host"],
            "platform": other["platform"],
            "interface": link[peer]["interface"],
            "address": str(item["phys"][peer].ip),
            "tunnel_address": tunnel_address,
            "tunnel_ipv6": tunnel_ipv6,
            "ipsec_address": ipsec_address,
            "router_id": other["router_id"],
        },
    }


def _side_fact(item: Mapping[str, Any], side: str, peer: str) -> dict[str, Any]:
    if item["link"]["mode"] == "macsec":
        return _side_fact_macsec(item, side, peer)
    link, sides, phys, nets = item["link"], item["sides"], item["phys"], item["nets"]
    me = sides[side]
    tid = link["tunnel"]["id"]
    tunnel_mode = link["ipsec_mode"] == "tunnel"
    t4, ipsec = nets["ipv4"], nets["ipsec_ipv4"]
    my_phys, peer_phys = phys[side], phys[peer]
    ipsec_if = capabilities.interface_name(me["platform"], "ipsec_tunnel", tid) if tunnel_mode else None
    v6 = nets["ipv6"]

    def v6addr(s: str) -> str | None:
        return f"{_addr(v6, s)}/{v6.prefixlen}" if v6 is not None else None

    ipsec_tunnel = None
    if tunnel_mode:
        ipsec_tunnel = {
            "interface": ipsec_if,
            "address": str(_addr(ipsec, side)),
            "prefixlen": ipsec.prefixlen,
            "netmask": str(ipsec.netmask),
            "source": link[side]["interface"],
            "destination": str(peer_phys.ip),
        }
    crypto = link["crypto"]
    return {
        **_fact_head(item, side, peer, tunnel_address=str(_addr(t4, peer)), tunnel_ipv6=v6addr(peer),
                     ipsec_address=str(_addr(ipsec, peer)) if tunnel_mode else None),
        "physical": {
            "interface": link[side]["interface"],
            "address": str(my_phys.ip),
            "prefixlen": my_phys.prefixlen,
            "netmask": str(my_phys.netmask),
            "network": str(my_phys.cidr),
        },
        "tunnel": {
            "interface": capabilities.interface_name(me["platform"], "tunnel", tid),
            "address": str(_addr(t4, side)),
            "prefixlen": t4.prefixlen,
            "netmask": str(t4.netmask),
            "ipv6": v6addr(side),
            "source": ipsec_if if tunnel_mode else link[side]["interface"],
            "source_address": str(_addr(ipsec, side)) if tunnel_mode else str(my_phys.ip),
            "destination": str(_addr(ipsec, peer)) if tunnel_mode else str(peer_phys.ip),
        },
        "ipsec_tunnel": ipsec_tunnel,
        "crypto": {
            "ike": dict(crypto["ike"]),
            "esp": dict(crypto["esp"]),
            "dpd": dict(crypto["dpd"]),
            "anti_replay_window": crypto.get("anti_replay_window") or 1024,
            "auth": crypto["auth"],
            "trustpoint": crypto.get("trustpoint") if crypto["auth"] != "psk" else None,
            # certificates (vendor-truth #20): this router's own certificate id and subject, and the subject it
            # accepts from the peer (docs/deploy.md "Certificates")
            "certificate": link[side].get("certificate") if crypto["auth"] != "psk" else None,
            "certificate_subject": _dn(link[side].get("certificate_subject")) if crypto["auth"] != "psk" else None,
            "peer_certificate_subject": _dn(link[peer].get("certificate_subject")) if crypto["auth"] != "psk" else None,
        },
        "mtu": dict(item["mtu"]),
        "igp": dict(link["igp"]),
        "keep_clear_igp": link["keep_clear_igp"],
        "fail_closed": link["fail_closed"],
    }


# side a's entries, grouped by their host: one row per link
_SIDE_A = "[].{host: host, links: links[?side=='a']}"


def _summary(hosts: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per link, read from side a's fact (and side b's for its interfaces)."""
    by_host = {h: {entry["name"]: entry for entry in fact["links"]} for h, fact in hosts.items()}
    rows: list[dict[str, Any]] = []
    for group in jmespath.search(_SIDE_A, list(hosts.values())) or []:
        for entry in group["links"]:
            b = by_host[entry["peer"]["host"]][entry["name"]]
            mtu_block = entry["mtu"]
            tunnel, b_tunnel = entry["tunnel"] or {"interface": "-"}, b["tunnel"] or {"interface": "-"}
            rows.append({
                "name": entry["name"],
                "mode": entry["mode"] + (f"/{entry['ipsec_mode']}" if entry["ipsec_mode"] else ""),
                "id": entry["id"] if entry["id"] is not None else "-",
                "a": f"{group['host']} {entry['physical']['interface']} {tunnel['interface']}",
                "b": f"{entry['peer']['host']} {b['physical']['interface']} {b_tunnel['interface']}",
                "tunnel": (f"{tunnel['address']}-{entry['peer']['tunnel_address']}/{tunnel['prefixlen']}" if entry["tunnel"]
                           else "-"),
                "carrier_mtu": mtu_block["carrier_mtu"],
                "labels": mtu_block["labels"],
                "ip_mtu": mtu_block["ip_mtu"],
                "mpls_mtu": mtu_block["mpls_mtu"],
                "tcp_mss": mtu_block["tcp_mss"],
                "carrier_mtu_for_1500": mtu_block["carrier_mtu_for_1500"],
                "warning": mtu_block["warning"],
            })
    return sorted(rows, key=lambda r: r["name"])


_COLUMNS = (("link", "name"), ("mode", "mode"), ("id", "id"), ("a: host intf tunnel", "a"), ("b: host intf tunnel", "b"),
            ("tunnel subnet", "tunnel"), ("carrier", "carrier_mtu"), ("labels", "labels"), ("ip mtu", "ip_mtu"),
            ("mpls mtu", "mpls_mtu"), ("mss", "tcp_mss"), ("1500 needs", "carrier_mtu_for_1500"))


def format_table(rows: list[Mapping[str, Any]]) -> str:
    """A fixed-width text table of the summary rows (what the plan role prints)."""
    if not rows:
        return "(no p2p_links)"
    cells = [[title for title, _key in _COLUMNS]] + [[str(row[key]) for _title, key in _COLUMNS] for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(_COLUMNS))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


# --------------------------------------------------------------------------- MACsec (mode macsec)
#
# A macsec link has no tunnel: MPLS, LDP and the IGP stay on the carrier interface, encrypted with everything after the
# SecTAG. The plan checks the keys (never kept: only a digest of the CKN enters the fact), picks the cipher suite (XPN
# rule), sizes the carrier (mtu.py) and names the key server; the capability of each router's port is decided by the
# preflight from the gathered model (capabilities.MACSEC_PORTS). docs/data-model.md "macsec", docs/mtu.md "MACsec".

#: XPN (64-bit packet numbers, IEEE 802.1AEbw) from this port speed on: with 32-bit PNs an SA is exhausted after 2^32
#: frames, i.e. in 2^32 / (line rate in minimum frames) seconds -- 289 s at 10 Gb/s, 72 s at 40 Gb/s, 29 s at 100 Gb/s --
#: and MKA must distribute a new SAK before that (IEEE 802.1X-2010 9.8). Both vendors recommend the XPN suites from
#: 40 Gb/s (Cisco "MACsec and MKA" configuration guide, Juniper "cipher-suite" statement).
XPN_MIN_MBPS = 40000
MIN_FRAME_ON_WIRE = 64 + 20  # minimum Ethernet frame + preamble/SFD (8) + inter-frame gap (12), bytes
PN_SPACE = 2 ** 32
#: key server priorities of the two sides (lower wins, IEEE 802.1X-2010 9.5.1): side a is the key server
KEY_SERVER_PRIORITY = {"a": 16, "b": 32}
CMAC_BY_CAK_DIGITS = {32: "aes-128-cmac", 64: "aes-256-cmac"}


def link_speed_mbps(link: Mapping[str, Any]) -> int | None:
    """The faster of the two carrier ports' nominal speeds (from their names), None when neither is known."""
    speeds = [capabilities.port_speed_mbps(str((link.get(side) or {}).get("interface") or "")) for side in ("a", "b")]
    known = [s for s in speeds if s]
    return max(known) if known else None


def pn_exhaustion_seconds(speed_mbps: int | None) -> float | None:
    """Seconds until a 32-bit packet number is used up at line rate in minimum-size frames."""
    if not speed_mbps:
        return None
    return PN_SPACE / (speed_mbps * 1e6 / (MIN_FRAME_ON_WIRE * 8))


def macsec_cipher(link: Mapping[str, Any]) -> str:
    """The link's cipher suite: macsec.cipher_suite, else the XPN rule's default."""
    chosen = (link.get("macsec") or {}).get("cipher_suite")
    if chosen:
        return str(chosen)
    speed = link_speed_mbps(link)
    return "gcm-aes-xpn-256" if speed and speed >= XPN_MIN_MBPS else "gcm-aes-256"


def macsec_profile(link: Mapping[str, Any]) -> dict[str, Any]:
    """MTU profile keywords of MACsec (mtu.py): the cipher, and the SCI in every SecTAG -- IOS-XE always sends it
    (show macsec interface: Include SCI yes) and the Junos template sets include-sci, so that both directions carry the
    same overhead and the two ends get the same IP MTU (OSPF compares the interface MTUs in its DBD packets)."""
    return {"macsec_cipher": macsec_cipher(link), "macsec_sci": True}


def _check_macsec_fields(link: dict[str, Any], errors: list[PlanError]) -> None:
    """Fields that belong to the other modes on a macsec link (and the reverse)."""
    label = link["_label"]
    if link.get("mode") == "macsec":
        if link.get("tunnel"):
            errors.append(PlanError(label, "tunnel", "is not used with mode macsec (no tunnel: the carrier interface "
                                    "itself is encrypted)", "remove tunnel"))
        return
    keys = link.get("macsec") or {}
    if keys.get("ckn") is not None or keys.get("cak") is not None or keys.get("cipher_suite") is not None:
        errors.append(PlanError(label, "macsec", f"is only used with mode macsec (this link is {link.get('mode')})",
                                "remove macsec, or set mode: macsec"))


def _check_macsec_keys(link: dict[str, Any], errors: list[PlanError]) -> None:
    label, keys = link["_label"], link.get("macsec") or {}
    failed = link["_failed"]
    for key, what in (("ckn", "the CAK's name"), ("cak", "the pre-shared key")):
        if keys.get(key) is None and f"macsec.{key}" not in failed:
            errors.append(PlanError(label, f"macsec.{key}", f"is required with mode macsec ({what})",
                                    f"set macsec.{key} from Ansible Vault (e.g. {key}: \"{{{{ vault_p2p_{key}_<link> }}}}\"; "
                                    f"openssl rand -hex {16 if key == 'ckn' else 32})"))


def _check_macsec(link: dict[str, Any], sides: Mapping[str, dict[str, Any] | None], errors: list[PlanError],
                  warnings: list[str]) -> bool:
    """Keys, cipher suite (XPN rule, CAK length), tagged service, offset. True when the link can be built."""
    label, keys = link["_label"], link["macsec"]
    before = len(errors)
    _check_macsec_keys(link, errors)
    cipher = macsec_cipher(link)
    speed = link_speed_mbps(link)
    exhausted = pn_exhaustion_seconds(speed)
    if "xpn" not in cipher and speed and speed >= XPN_MIN_MBPS:
        errors.append(PlanError(label, "macsec.cipher_suite", f"{cipher} on a {speed // 1000} Gb/s carrier: its 32-bit "
                                f"packet number is used up in {exhausted:.0f} s at line rate, faster than MKA can be "
                                "relied on to rekey", f"use {cipher.replace('gcm-aes-', 'gcm-aes-xpn-')} (or leave "
                                "macsec.cipher_suite out: the plan picks XPN from 40 Gb/s)"))
    cak = keys.get("cak")
    if isinstance(cak, str) and "macsec.cak" not in link["_failed"] and cipher.endswith("256") and len(cak) != 64:
        errors.append(PlanError(label, "macsec.cak", f"has {len(cak)} hex digits; {cipher} takes a 256-bit key, derived "
                                "from a 256-bit CAK (AES-256-CMAC, 64 hex digits)",
                                "use a 64-hex-digit CAK (openssl rand -hex 32), or a 128-bit cipher suite"))
    if keys.get("tagged_service"):
        for side in ("a", "b"):
            info = sides.get(side)
            if info and info["platform"] == "junos":
                errors.append(PlanError(label, "macsec.tagged_service", f"{link[side]['host']} (Juniper Junos) would have "
                                        "to keep the service's 802.1Q tag in clear in front of the SecTAG; mplssec.p2p "
                                        "configures Junos MACsec on the physical port (untagged) only",
                                        "use a port-based carrier service (EPL) for this link, or mode: gre_ipsec with "
                                        "ipsec_mode: tunnel"))
    if keys.get("offset"):
        warnings.append(f"link {label}: macsec.offset {keys['offset']}: the first {keys['offset']} bytes after the SecTAG "
                        "(the MPLS labels and the inner IP header) cross the carrier in clear; 0 encrypts them")
    if keys.get("replay_window") == 0:
        warnings.append(f"link {label}: macsec.replay_window 0: a frame the carrier delivers out of order is dropped")
    return len(errors) == before


def _check_mtu_macsec(link: dict[str, Any], errors: list[PlanError], warnings: list[str]) -> dict[str, Any] | None:
    """The mtu block of a macsec link (mtu.py): the IP/MPLS MTU of the carrier interface once every frame carries the
    SecTAG (with SCI) and the ICV, and the carrier MTU (Ethernet payload) full-size packets need."""
    return _mtu_block(link, errors, warnings, f"MACsec {macsec_cipher(link)} with SCI", " of Ethernet payload",
                      " (the carrier interfaces get ip mtu {ip_mtu} / mpls mtu {mpls_mtu})")


def _side_fact_macsec(item: Mapping[str, Any], side: str, peer: str) -> dict[str, Any]:
    """The plan entry of a macsec link on one router (no tunnel; the keys stay in the inventory)."""
    import hashlib

    link, sides, phys = item["link"], item["sides"], item["phys"]
    me = sides[side]
    keys = link["macsec"]
    cipher = macsec_cipher(link)
    speed = link_speed_mbps(link)
    exhausted = pn_exhaustion_seconds(speed)
    my_phys = phys[side]
    return {
        **_fact_head(item, side, peer),
        "physical": {
            "interface": link[side]["interface"],
            "port": link[side]["interface"].split(".")[0] if me["platform"] == "junos" else link[side]["interface"],
            "address": str(my_phys.ip),
            "prefixlen": my_phys.prefixlen,
            "netmask": str(my_phys.netmask),
            "network": str(my_phys.cidr),
        },
        "tunnel": None,
        "ipsec_tunnel": None,
        "crypto": None,
        "macsec": {
            "cipher_suite": cipher,
            "xpn": "xpn" in cipher,
            "mka_cmac": CMAC_BY_CAK_DIGITS.get(len(str(keys.get("cak") or "")), "aes-256-cmac"),
            # the CKN is a secret of the inventory: the fact keeps a digest, which verify compares with the shown CKN
            "ckn_sha256": hashlib.sha256(str(keys.get("ckn") or "").lower().encode()).hexdigest()[:16],
            "eapol_address": keys["eapol_address"],
            "tagged_service": keys["tagged_service"],
            "offset": keys["offset"],
            "replay_window": keys["replay_window"],
            "include_sci": True,
            "key_server_priority": KEY_SERVER_PRIORITY[side],
            "key_server": side == "a",
            "port_speed_mbps": speed,
            "pn_exhaustion_s": round(exhausted) if exhausted else None,
        },
        "mtu": dict(item["mtu"]),
        "igp": dict(link["igp"]),
        "keep_clear_igp": link["keep_clear_igp"],
        "fail_closed": link["fail_closed"],
    }


# --------------------------------------------------------------------------- the choice of mode (plan_p2p.yml)

#: the modes a link could have, in the order the table shows them
MODE_CANDIDATES: tuple[tuple[str, str | None], ...] = (
    ("gre_ipsec", "transport"), ("gre_ipsec", "tunnel"), ("vti", None), ("getvpn", None), ("macsec", None))


def _candidate_profile(link: Mapping[str, Any], mode: str, ipsec_mode: str | None) -> dict[str, Any]:
    esp = link["crypto"]["esp"]
    profile: dict[str, Any] = {"labels": link["labels"]}
    if mode == "macsec":
        return dict(profile, encap="macsec", **macsec_profile(link))
    profile.update(esp_encryption=esp["encryption"], esp_integrity=esp["integrity"])
    if mode == "gre_ipsec":
        return dict(profile, encap="gre", ipsec_mode=ipsec_mode)
    return dict(profile, encap=mode)


def _facts_model(hostvars: Mapping[str, Any], host: str) -> Any:
    facts = _hostvar(hostvars, host, "p2p_facts")
    return facts.get("model") if isinstance(facts, Mapping) else None


def mode_choices(derived: list[dict[str, Any]], result: Mapping[str, Any], hostvars: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Per link, every mode: can both routers do it (capability map + gathered model), its overhead on a full-size
    packet and the IP MTU it leaves on this carrier, and why a mode is refused. Read only: decides nothing."""
    rows: list[dict[str, Any]] = []
    for item in sorted(derived, key=lambda d: d["link"]["name"]):
        link, sides = item["link"], item["sides"]
        chosen = (link["mode"], link.get("ipsec_mode"))
        for mode, ipsec_mode in MODE_CANDIDATES:
            why: list[str] = []
            unknown: list[str] = []
            for side in ("a", "b"):
                platform, host = sides[side]["platform"], link[side]["host"]
                title = capabilities.PLATFORMS[platform]["title"]
                support = capabilities.mode_support(platform, mode, ipsec_mode)
                if not support["supported"]:
                    why.append(f"{host} ({title}): {support['reason']}")
                elif mode == "macsec":
                    port = capabilities.macsec_port_support(platform, _facts_model(hostvars, host), link[side]["interface"])
                    if port["supported"] is None:
                        unknown.append(f"{host}: {port['reason']}")
                    elif not port["supported"]:
                        why.append(f"{host}: {port['reason']}")
            name = mode + (f"/{ipsec_mode}" if ipsec_mode else "")
            row: dict[str, Any] = {"link": link["name"], "mode": name, "overhead": None, "ip_mtu": None,
                                   "carrier_mtu_for_1500": None, "status": "possible", "why": ""}
            try:
                profile = _candidate_profile(link, mode, ipsec_mode)
                row["overhead"] = mtu.overhead(FULL_INNER_IP, **profile)
                row["carrier_mtu_for_1500"] = mtu.wire_size(FULL_INNER_IP, **profile)
                row["ip_mtu"] = mtu.max_inner(link["carrier_mtu"], **profile)
            except mtu.MtuError as exc:
                row["why"] = str(exc)
            if why:
                row["status"] = "refused"
                row["why"] = "; ".join(dict.fromkeys(why))
                if mode == "vti":
                    alt = "tunnel" if any(sides[s]["platform"] == "junos" for s in ("a", "b")) else "transport"
                    saved = _vti_saving(link, alt)
                    if saved is not None:
                        row["why"] += f" -- it would have saved {saved} bytes per 1500-byte packet against gre_ipsec/{alt}"
            elif unknown:
                row["status"] = "unknown"
                row["why"] = "; ".join(unknown)
            if (mode, ipsec_mode if mode == "gre_ipsec" else None) == chosen:
                row["status"] = "chosen" if row["status"] in ("possible", "unknown") else row["status"]
            rows.append(row)
    return rows


_MODE_COLUMNS = (("link", "link"), ("mode", "mode"), ("status", "status"), ("overhead@1500", "overhead"),
                 ("ip mtu", "ip_mtu"), ("1500 needs", "carrier_mtu_for_1500"), ("why", "why"))


def format_mode_table(rows: list[Mapping[str, Any]]) -> str:
    """The choice of mode as a text table: one line per link and mode."""
    if not rows:
        return "(no p2p_links)"
    cells = [[title for title, _key in _MODE_COLUMNS]] + [
        ["-" if row[key] is None else str(row[key]) for _title, key in _MODE_COLUMNS] for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(_MODE_COLUMNS) - 1)]
    lines = ["  ".join([c.ljust(w) for c, w in zip(line[:-1], widths, strict=True)] + [line[-1]]).rstrip() for line in cells]
    lines.insert(1, "  ".join("-" * w for w in widths) + "  ---")
    return "\n".join(lines)

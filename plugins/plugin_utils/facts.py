# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read before you write: the read-only commands that gather a router's facts, and their parsers.

Pure Python (netaddr for the OSPF wildcard match), no Ansible needed. ``gather_commands()`` lists
every command of one router, to be sent in ONE ``ios_command`` / ``junos_command`` call;
``parse_facts()`` turns their outputs (same order) into the structured ``p2p_facts`` of the router
(docs/deploy.md "Gather and preflight"). Nothing here decides anything: the plan's preflight
(``preflight.py``) compares these facts with the intent.

Secrets: the facts never hold a key. IOS crypto sections are reduced to their header line
(``crypto ikev2 keyring MPLSSEC-CORE1``), interface lines that carry a key/password are masked,
and from the Junos configuration only interface units, protocol membership, zones and the
forwarding options are kept.

Vendor formats (sources):

* IOS-XE ``show version``: ``Cisco IOS XE Software, Version 17.09.04a`` and
  ``cisco C8000V (VXE) processor (revision VXE) with ...`` -- the same regexes as cisco.ios'
  cliconf ``get_device_info`` (``Version (\\S+)``, ``^[Cc]isco (\\S+).+bytes of .*memory``).
* IOS-XE running-config: top-level lines start a section, child lines are indented by one space.
  OSPF ``network <address> <wildcard> area <area>`` enables OSPF on every interface whose primary
  or secondary address matches (address bits where the wildcard is 0); ``ip ospf <pid> area <a>``
  on the interface takes precedence over a network statement (Cisco IOS-XE IP Routing OSPF
  configuration guide, "OSPFv2 ... interface mode").
* IOS-XE ``dir flash:``: ``   12  -rw-   100  Dec 02 2026 09:09:33 +00:00  mplssec-core1-pre.cfg``.
* Junos ``show configuration | display json`` (Junos JSON: named lists ``[{"name": ...}]``, empty
  leaves ``[null]``), ``show version | display json`` (``software-information`` /
  ``product-model`` / ``junos-version``, each ``[{"data": ...}]``).
* Junos ``show security flow status``: text ``MPLS forwarding mode: packet based`` / ``drop`` /
  ``flow based`` (Juniper CLI reference "show security flow status"; public vSRX captures), XML
  ``<flow-status-all><flow-forwarding-mode><flow-forwarding-mode-mpls>drop</...>`` (public Juniper
  automation test data), i.e. JSON ``{"flow-status-all": [{"flow-forwarding-mode":
  [{"flow-forwarding-mode-mpls": [{"data": "drop"}]}]}]}``. The configured mode
  (``security forwarding-options family mpls mode packet-based``) takes effect only after a reboot.
* Junos host-inbound-traffic: ``system-services ike`` or ``all`` admit IKE, ``<service> except``
  removes one from ``all``; services configured on the interface of a zone override the zone's.
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterable, Mapping

try:
    from ansible_collections.mplssec.p2p.plugins.plugin_utils import verify
except ImportError:  # pragma: no cover - running from a checkout without the collection loader
    from . import verify  # type: ignore[no-redef]

try:
    from netaddr import AddrFormatError, IPAddress, IPNetwork
except ImportError as _exc:  # reported by the filter
    IMPORT_ERROR: ImportError | None = _exc
    AddrFormatError = ValueError  # type: ignore[misc,assignment]
else:
    IMPORT_ERROR = None

__all__ = ["FactsError", "gather_commands", "parse_facts", "OBJECT_PREFIX"]

OBJECT_PREFIX = "MPLSSEC-"
FILE_PREFIX = "mplssec-"

IOS_COMMANDS = ("show version", "show running-config", "dir flash:", "show inventory", "show crypto key mypubkey rsa")
JUNOS_COMMANDS = (
    "show version | display json",
    "show configuration | display json",
    "show security flow status | display json",
    "show chassis hardware | display json",
)
#: the commands every output list has; later ones came later (the hardware inventory for MACsec ports by model, the
#: IOS RSA key pairs for GET VPN key servers) and outputs without them still parse
_REQUIRED = 3
_SECRET_LINE = re.compile(r"\b(key|password|secret|authentication-key|message-digest-key|pre-shared-key)\b", re.I)


class FactsError(ValueError):
    """An output could not be parsed (names the command)."""


def gather_commands(platform: str, links_of_router: Iterable[Any] | None = None) -> list[str]:
    """The read-only commands of one router, in order: send them in one device module call.

    ``links_of_router`` is accepted for symmetry with the plan (the carrier interfaces are read from
    the full configuration, so no per-link command is needed and the list is the same for every router
    of a platform: 3 commands, one round trip per router).
    """
    del links_of_router
    if platform == "ios":
        return list(IOS_COMMANDS)
    if platform == "junos":
        return list(JUNOS_COMMANDS)
    raise FactsError(f"unknown platform {platform!r} (ios or junos)")


def parse_facts(platform: str, outputs: Any) -> dict[str, Any]:
    """Parse the outputs of ``gather_commands(platform)`` (a list in the same order, or a mapping
    command -> output) into the router's facts."""
    commands = gather_commands(platform)
    if isinstance(outputs, Mapping):
        values = [outputs.get(c) for c in commands]
    elif isinstance(outputs, (list, tuple)):
        if _REQUIRED <= len(outputs) < len(commands):
            outputs = list(outputs) + [None] * (len(commands) - len(outputs))
        if len(outputs) != len(commands):
            raise FactsError(f"{platform}: expected {len(commands)} outputs ({', '.join(commands)}), got {len(outputs)}")
        values = list(outputs)
    else:
        raise FactsError(f"outputs must be a list or a mapping, got {type(outputs).__name__}")
    if IMPORT_ERROR is not None:
        raise FactsError(f"the facts parser needs netaddr on the control node: {IMPORT_ERROR}")
    if platform == "ios":
        return _parse_ios(*values)
    return _parse_junos(*values)


# --------------------------------------------------------------------------- IOS-XE


def ios_sections(text: str) -> list[tuple[str, list[str]]]:
    """Top-level sections of an IOS running-config: (header, child lines without the first space)."""
    sections: list[tuple[str, list[str]]] = []
    for raw in (text or "").splitlines():
        line = raw.rstrip()
        if not line or line.startswith("!"):
            continue
        if not line.startswith(" "):
            sections.append((line, []))
        elif sections:
            sections[-1][1].append(line[1:])
    return sections


def _mask(line: str) -> str:
    match = _SECRET_LINE.search(line)
    return line[: match.end()] + " <masked>" if match else line


def _ios_version(text: str) -> tuple[str | None, str | None, str | None]:
    version = model = hostname = None
    for pattern in (r"Cisco IOS XE Software, Version (\S+)", r"Version (\S+?),", r"Version (\S+)"):
        found = re.search(pattern, text or "")
        if found:
            version = found.group(1)
            break
    found = re.search(r"^[Cc]isco (\S+).+bytes of .*memory", text or "", re.M) or re.search(r"^[Cc]isco (.+) \(revision", text or "", re.M)
    if found:
        model = found.group(1)
    found = re.search(r"^(\S+) uptime is", text or "", re.M)
    if found:
        hostname = found.group(1)
    return version, model, hostname


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _ios_interface(name: str, body: list[str]) -> dict[str, Any]:
    iface: dict[str, Any] = {
        "config": [f"interface {name}"] + [" " + _mask(line) for line in body],
        "ipv4": [], "ipv6": False, "mtu": 1500, "ip_mtu": None, "acl_in": None, "acl6_in": None, "mpls": False, "ldp": False,
        "ospf": None, "ospf_cost": None, "isis": None, "shutdown": False, "description": None,
        "tunnel_source": None, "tunnel_destination": None, "zone": None, "zone_ike": None,
        "macsec": False, "mpls_mtu": None, "ip_mtu_set": False,
    }
    for line in body:
        words = line.split()
        if not words:
            continue
        if words[:2] == ["ip", "address"] and len(words) >= 4:
            try:
                iface["ipv4"].append(str(IPNetwork(f"{words[2]}/{words[3]}")))
            except (AddrFormatError, ValueError):
                pass
        elif words[0] == "ipv6" and len(words) >= 2 and words[1] in ("address", "enable"):
            iface["ipv6"] = True
        elif words[0] == "mtu" and len(words) == 2:
            iface["mtu"] = _int(words[1]) or 1500
        elif words[:2] == ["ip", "mtu"] and len(words) == 3:
            iface["ip_mtu"] = _int(words[2])
            iface["ip_mtu_set"] = True
        elif words[:2] == ["mpls", "mtu"] and len(words) >= 3:
            iface["mpls_mtu"] = _int(words[-1])
        elif words[:2] == ["macsec", "network-link"]:
            iface["macsec"] = True
        elif words[:3] == ["mka", "pre-shared-key", "key-chain"] and len(words) == 4:
            iface["mka_key_chain"] = words[3]
        elif words[:2] == ["ip", "access-group"] and len(words) == 4 and words[3] == "in":
            iface["acl_in"] = words[2]
        elif words[:2] == ["ipv6", "traffic-filter"] and len(words) == 4 and words[3] == "in":
            iface["acl6_in"] = words[2]
        elif words[:2] == ["mpls", "ip"] and len(words) == 2:
            iface["mpls"] = iface["ldp"] = True
        elif words[:2] == ["ip", "ospf"] and len(words) >= 5 and words[3] == "area" and _int(words[2]) is not None:
            iface["ospf"] = {"process": _int(words[2]), "area": _area(words[4]), "via": "interface", "network": None}
        elif words[:3] == ["ip", "ospf", "cost"] and len(words) == 4:
            iface["ospf_cost"] = _int(words[3])
        elif words[:3] == ["ip", "router", "isis"]:
            iface["isis"] = {"tag": words[3] if len(words) > 3 else None, "metric": None}
        elif words[:2] == ["isis", "metric"] and len(words) >= 3:
            iface.setdefault("_isis_metric", _int(words[2]))
        elif words == ["shutdown"]:
            iface["shutdown"] = True
        elif words[0] == "description":
            iface["description"] = line.split(" ", 1)[1] if " " in line else ""
        elif words[:2] == ["tunnel", "source"] and len(words) == 3:
            iface["tunnel_source"] = words[2]
        elif words[:2] == ["tunnel", "destination"] and len(words) == 3:
            iface["tunnel_destination"] = words[2]
    metric = iface.pop("_isis_metric", None)
    if iface["isis"] is not None:
        iface["isis"]["metric"] = metric
    if iface["ip_mtu"] is None:
        iface["ip_mtu"] = iface["mtu"]
    iface["port_ip_mtu"] = iface["mtu"]  # the IP MTU without an ip mtu of its own
    return iface


def _area(text: Any) -> int | None:
    """OSPF area as an integer (0, 0.0.0.0 and 1 alike)."""
    value = str(text).strip()
    if re.fullmatch(r"[0-9]+", value):
        return int(value)
    try:
        return int(IPAddress(value, version=4)) if re.fullmatch(r"[0-9]+(\.[0-9]+){3}", value) else None
    except (AddrFormatError, ValueError):
        return None


def wildcard_match(address: str, network: str, wildcard: str) -> bool:
    """IOS ``network <network> <wildcard>``: do the bits where the wildcard is 0 agree?"""
    try:
        ip, net, wild = int(IPAddress(address)), int(IPAddress(network)), int(IPAddress(wildcard))
    except (AddrFormatError, ValueError, TypeError):
        return False
    return (ip | wild) == (net | wild)


def ios_inventory(text: Any) -> list[dict[str, str]]:
    """IOS ``show inventory``: ``NAME: "Chassis", DESCR: "..."`` / ``PID: X , VID: .., SN: ..`` pairs ->
    ``[{name, descr, pid}]`` (the chassis first, then the modules, as IOS lists them)."""
    out: list[dict[str, str]] = []
    for found in re.finditer(r'NAME:\s*"([^"]*)"\s*,\s*DESCR:\s*"([^"]*)"\s*\n\s*PID:\s*([^\s,]*)', str(text or "")):
        out.append({"name": found.group(1), "descr": found.group(2), "pid": found.group(3)})
    return out


def junos_inventory(doc: Any) -> list[dict[str, str]]:
    """Junos ``show chassis hardware | display json`` -> ``[{name, descr, pid}]``: the chassis, then its modules."""
    data = _json(doc, JUNOS_COMMANDS[3])
    out: list[dict[str, str]] = []
    for chassis in _findall(data, "chassis"):
        for item in chassis if isinstance(chassis, list) else [chassis]:
            if not isinstance(item, dict):
                continue
            out.append({"name": _data(item.get("name")) or "Chassis", "descr": _data(item.get("description")) or "",
                        "pid": _data(item.get("description")) or ""})
            for module in _findall(item, "chassis-module"):
                for mod in module if isinstance(module, list) else [module]:
                    if isinstance(mod, dict):
                        out.append({"name": _data(mod.get("name")) or "", "descr": _data(mod.get("description")) or "",
                                    "pid": _data(mod.get("model-number")) or _data(mod.get("part-number")) or ""})
    return out


def ios_rsa_keys(text: Any) -> dict[str, dict[str, Any]]:
    """IOS ``show crypto key mypubkey rsa`` -> {key name: {data (the public key, hex), exportable}} (Cisco "Deploying
    RSA Keys Within a PKI": ``Key name: X``, `` Key is exportable.`` / ``not exportable``, `` Key Data:`` then hex
    words; a key pair's name is its label)."""
    keys: dict[str, dict[str, Any]] = {}
    current: dict[str, Any] | None = None
    data = False
    for line in str(text or "").splitlines():
        named = re.match(r"^\s*Key name:\s*(\S+)", line)
        if named:
            current = keys.setdefault(named.group(1), {"data": "", "exportable": False})
            data = False
        elif current is not None and re.match(r"^\s*Key is exportable", line):
            current["exportable"] = True
        elif current is not None and re.match(r"^\s*Key Data:", line):
            data = True
        elif current is not None and data and re.match(r"^\s+[0-9A-Fa-f]{2,8}(\s+[0-9A-Fa-f]{2,8})*\s*$", line):
            current["data"] += "".join(line.split()).upper()
        elif line.strip():
            data = False
    return keys


def _parse_ios(version_text: Any, running: Any, flash: Any, inventory: Any = None, rsa: Any = None) -> dict[str, Any]:
    version, model, hostname = _ios_version(str(version_text or ""))
    hardware = ios_inventory(inventory)
    if hardware and hardware[0]["pid"]:
        model = hardware[0]["pid"]  # the chassis PID is exact (show version names the processor board)
    sections = ios_sections(str(running or ""))
    interfaces: dict[str, dict[str, Any]] = {}
    ospf: dict[int, dict[str, Any]] = {}
    isis: list[str | None] = []
    objects: list[str] = []
    acls: dict[str, list[str]] = {}
    key_chains: dict[str, list[str]] = {}
    for header, body in sections:
        words = header.split()
        if words[:2] == ["key", "chain"] and words[-1:] == ["macsec"] and len(words) == 4:
            key_chains[words[2]] = _mka_keys(body)
        if words[:3] == ["ip", "access-list", "extended"] and len(words) == 4:
            acls[words[3]] = [line.strip() for line in body]  # ACL entries hold no secret
        elif words[:2] == ["ipv6", "access-list"] and len(words) == 3:
            acls["ipv6 " + words[2]] = [line.strip() for line in body]
        if words[0] == "interface" and len(words) == 2:
            interfaces[words[1]] = _ios_interface(words[1], body)
        elif words[:2] == ["router", "ospf"] and len(words) >= 3 and _int(words[2]) is not None:
            proc: dict[str, Any] = {"networks": [], "passive_default": False, "passive": [], "no_passive": []}
            for line in body:
                w = line.split()
                if w[:1] == ["network"] and len(w) == 5 and w[3] == "area":
                    proc["networks"].append({"network": w[1], "wildcard": w[2], "area": _area(w[4])})
                elif w == ["passive-interface", "default"]:
                    proc["passive_default"] = True
                elif w[:1] == ["passive-interface"] and len(w) == 2:
                    proc["passive"].append(w[1])
                elif w[:2] == ["no", "passive-interface"] and len(w) == 3:
                    proc["no_passive"].append(w[2])
            ospf[int(words[2])] = proc
        elif words[:2] == ["router", "isis"]:
            isis.append(words[2] if len(words) > 2 else None)
        if OBJECT_PREFIX in header and words[0] != "interface":
            objects.append(header)  # header only: a keyring's body holds the PSK
        elif words[0] == "interface" and any(OBJECT_PREFIX in line for line in body):
            pass  # an interface that refers to an object: reported under the object
    # OSPF via network statements (interface mode wins; Cisco: ip ospf area takes precedence)
    for name, iface in interfaces.items():
        if iface["ospf"] is not None:
            iface["ospf"]["cost"] = iface["ospf_cost"]
            iface["ospf"]["passive"] = _passive(ospf.get(iface["ospf"]["process"]), name)
        else:
            for pid in sorted(ospf):
                hit = _network_hit(ospf[pid], iface["ipv4"])
                if hit is not None:
                    iface["ospf"] = {"process": pid, "area": hit["area"], "via": "network",
                                     "network": f"{hit['network']} {hit['wildcard']} area {hit['area']}",
                                     "cost": iface["ospf_cost"], "passive": _passive(ospf[pid], name)}
                    break
        del iface["ospf_cost"]
    files = [name for name in _flash_files(str(flash or "")) if name.startswith(FILE_PREFIX)]
    return {
        "platform": "ios",
        "hostname": hostname,
        "model": model,
        "version": version,
        "interfaces": interfaces,
        "ospf": {str(pid): proc for pid, proc in ospf.items()},
        "isis": isis,
        "security": None,
        "objects": objects,
        "files": files,
        "acls": acls,
        "hardware": hardware,
        "rsa_keys": ios_rsa_keys(rsa),
        "mka_key_chains": key_chains,
    }


def ckn_digest(ckn: Any) -> str:
    """How plans and facts name a CKN without holding it: verify's digest (the first 16 hex digits of the SHA-256 of
    the lower-case CKN, as the plan's ``macsec.ckn_sha256``)."""
    return verify._ckn_digest(ckn) or ""  # noqa: SLF001


def _mka_keys(body: list[str]) -> list[dict[str, Any]]:
    """The keys of an IOS ``key chain NAME macsec``, chain order: ``[{ckn_sha256, lifetime}]`` (the key ID is the CKN,
    kept as its digest only; the key-string is not read)."""
    out: list[dict[str, Any]] = []
    for line in body:
        words = line.split()
        if line.startswith("key ") and len(words) == 2:      # the section body, one level of indentation off
            out.append({"ckn_sha256": ckn_digest(words[1]), "lifetime": False})
        elif out and words[:1] == ["lifetime"]:
            out[-1]["lifetime"] = True
    return out


def _passive(proc: Mapping[str, Any] | None, name: str) -> bool:
    if not proc:
        return False
    if proc["passive_default"]:
        return name not in proc["no_passive"]
    return name in proc["passive"]


def _network_hit(proc: Mapping[str, Any], addresses: list[str]) -> dict[str, Any] | None:
    """The first network statement (config order) matching one of the interface's addresses."""
    for stmt in proc["networks"]:
        for addr in addresses:
            if wildcard_match(addr.split("/")[0], stmt["network"], stmt["wildcard"]):
                return stmt
    return None


_DIR_LINE = re.compile(r"^\s*\d+\s+[-d][-rwx]+\s+\d+\s+.*?\s(\S+)\s*$")


def _flash_files(text: str) -> list[str]:
    return [m.group(1) for m in (_DIR_LINE.match(line) for line in text.splitlines()) if m]


# --------------------------------------------------------------------------- Junos


def _json(value: Any, command: str) -> Any:
    if value is None or value == "":
        return {}
    if isinstance(value, (dict, list)):
        return value
    try:
        return json.loads(str(value))
    except ValueError as exc:
        raise FactsError(f"{command}: not JSON ({exc})") from None


def _find(obj: Any, key: str) -> Any:
    """First value of ``key`` anywhere in a Junos JSON document (depth first)."""
    if isinstance(obj, dict):
        if key in obj:
            return obj[key]
        for value in obj.values():
            found = _find(value, key)
            if found is not None:
                return found
    elif isinstance(obj, list):
        for value in obj:
            found = _find(value, key)
            if found is not None:
                return found
    return None


def _findall(obj: Any, key: str) -> list[Any]:
    return verify.find_all(obj, key, flatten=False)


def _data(value: Any) -> str | None:
    """A Junos operational JSON leaf: ``[{"data": "x"}]`` -> "x" (plain strings too)."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("data")
    return None if value is None else str(value)


def _items(value: Any) -> list[dict[str, Any]]:
    """A Junos configuration JSON list of named entries (one entry may come as a dict)."""
    if value is None:
        return []
    if isinstance(value, dict):
        return [value]
    return [v for v in value if isinstance(v, dict)]


def _has(container: Any, key: str) -> bool:
    return isinstance(container, dict) and key in container


def _unit_filter(family: Any) -> str | None:
    if not isinstance(family, dict):
        return None
    flt = family.get("filter") or {}
    inp = flt.get("input")
    if isinstance(inp, dict):
        return inp.get("filter-name") or inp.get("name")
    if isinstance(inp, str):
        return inp
    lst = flt.get("input-list")
    if lst:
        return " ".join(str(x) for x in (lst if isinstance(lst, list) else [lst]))
    return None


def _members(proto: Any) -> dict[str, dict[str, Any]]:
    return {str(i.get("name")): i for i in _items((proto or {}).get("interface"))} if isinstance(proto, dict) else {}


def _services_admit_ike(hit: Any) -> bool | None:
    """host-inbound-traffic -> True/False for IKE; None when no system-services are configured."""
    if not isinstance(hit, dict) or "system-services" not in hit:
        return None
    services = _items(hit.get("system-services"))
    allowed = {s.get("name") for s in services if "except" not in s}
    excepted = {s.get("name") for s in services if "except" in s}
    if "ike" in excepted:
        return False
    return "ike" in allowed or "all" in allowed


def _inactive(value: Any) -> bool:
    return isinstance(value, Mapping) and isinstance(value.get("@"), Mapping) and bool(value["@"].get("inactive"))


def _active(obj: Any) -> Any:
    """The configuration without its inactive statements (``deactivate``d: the router ignores them). Junos JSON puts a
    named entry's or container's attributes in its ``"@"`` member, a leaf's in a sibling ``"@<name>"``."""
    if isinstance(obj, list):
        return [_active(item) for item in obj if not _inactive(item)]
    if isinstance(obj, Mapping):
        return {k: _active(v) for k, v in obj.items() if not k.startswith("@")
                and not _inactive(v) and not (isinstance(obj.get("@" + k), Mapping) and obj["@" + k].get("inactive"))}
    return obj


def _parse_junos(version_out: Any, config_out: Any, flow_out: Any, hardware_out: Any = None) -> dict[str, Any]:
    version_doc = _json(version_out, JUNOS_COMMANDS[0])
    config_doc = _active(_json(config_out, JUNOS_COMMANDS[1]))
    cfg = config_doc.get("configuration", config_doc) if isinstance(config_doc, dict) else {}
    if isinstance(cfg, list):
        cfg = cfg[0] if cfg else {}
    model = _data(_find(version_doc, "product-model"))
    version = _data(_find(version_doc, "junos-version"))
    hostname = _data(_find(version_doc, "host-name"))
    protocols = cfg.get("protocols") or {}
    security = cfg.get("security") or {}
    mpls, ldp = _members(protocols.get("mpls")), _members(protocols.get("ldp"))
    isis = _members(protocols.get("isis"))
    ospf: dict[str, tuple[int | None, dict[str, Any]]] = {}
    for area in _items((protocols.get("ospf") or {}).get("area")):
        for member in _items(area.get("interface")):
            ospf[str(member.get("name"))] = (_area(area.get("name")), member)
    zones: dict[str, dict[str, Any]] = {}
    zone_of: dict[str, tuple[str, bool | None]] = {}
    for zone in _items((security.get("zones") or {}).get("security-zone")):
        zname = str(zone.get("name"))
        zone_ike = _services_admit_ike(zone.get("host-inbound-traffic"))
        members = _items(zone.get("interfaces"))
        zones[zname] = {"interfaces": [str(m.get("name")) for m in members], "ike": bool(zone_ike)}
        for member in members:
            own = _services_admit_ike(member.get("host-inbound-traffic"))
            zone_of[str(member.get("name"))] = (zname, bool(own if own is not None else zone_ike))
    interfaces: dict[str, dict[str, Any]] = {}
    existing_units: dict[str, dict[str, Any]] = {}
    for phys in _items((cfg.get("interfaces") or {}).get("interface")):
        pname = str(phys.get("name"))
        media = _int(phys.get("mtu"))
        tagged = _has(phys, "vlan-tagging") or _has(phys, "flexible-vlan-tagging")
        for unit in _items(phys.get("unit")):
            name = f"{pname}.{unit.get('name')}"
            family = unit.get("family") or {}
            inet = family.get("inet") if isinstance(family.get("inet"), dict) else {}
            inet6 = family.get("inet6") if isinstance(family.get("inet6"), dict) else {}
            ip_mtu = _int(inet.get("mtu")) if inet else None
            port_ip_mtu = (media - (18 if tagged else 14)) if media else 1500  # without a family inet mtu
            if ip_mtu is None:
                ip_mtu = port_ip_mtu
            member = ospf.get(name) or ospf.get("all")
            zone = zone_of.get(name)
            mpls_family = family.get("mpls") if isinstance(family.get("mpls"), dict) else {}
            entry = {
                "config": _redacted(unit),
                "ipv4": [str(a.get("name")) for a in _items(inet.get("address"))] if inet else [],
                "mtu": media or 1514,
                "ip_mtu": ip_mtu,
                "port_ip_mtu": port_ip_mtu,
                "acl_in": _unit_filter(inet),
                "acl6_in": _unit_filter(inet6),
                "mpls": "mpls" in family and (name in mpls or "all" in mpls),
                "ldp": name in ldp or "all" in ldp,
                "ospf": None if member is None or _has(member[1], "disable") else {
                    "process": None, "area": member[0], "via": "interface", "network": None,
                    "cost": _int(member[1].get("metric")), "passive": _has(member[1], "passive")},
                "isis": {"tag": None, "metric": _isis_metric(isis[name])} if name in isis else None,
                "shutdown": _has(phys, "disable") or _has(unit, "disable"),
                "description": unit.get("description"),
                "tunnel_source": _find(unit.get("tunnel"), "source") if unit.get("tunnel") else None,
                "tunnel_destination": _find(unit.get("tunnel"), "destination") if unit.get("tunnel") else None,
                "zone": zone[0] if zone else None,
                "zone_ike": zone[1] if zone else None,
                "macsec": pname in _junos_macsec_ports(security),
                "mpls_mtu": _int(mpls_family.get("mtu")) if mpls_family else None,
                "ip_mtu_set": bool(inet) and inet.get("mtu") is not None,
            }
            interfaces[name] = entry
            if pname.startswith(("st0", "gr-")):
                existing_units[name] = entry
    configured = {fam: _find((((security.get("forwarding-options") or {}).get("family") or {}).get(fam) or {}), "mode")
                  for fam in ("inet6", "iso", "mpls")}
    tcp_mss = _int(_find(((security.get("flow") or {}).get("tcp-mss") or {}).get("ipsec-vpn"), "mss"))
    flow = parse_flow_status(flow_out)
    return {
        "platform": "junos",
        "hostname": hostname or (cfg.get("system") if isinstance(cfg.get("system"), dict) else {}).get("host-name"),
        "model": model,
        "version": version,
        "interfaces": interfaces,
        "ospf": {},
        "isis": [],
        "security": {
            "flow_active": flow,
            "flow_configured": {fam: (str(mode) if mode else None) for fam, mode in configured.items()},
            "tcp_mss_ipsec_vpn": tcp_mss,
            "zones": zones,
        },
        "objects": sorted(set(_object_names(cfg))),
        "files": [],
        "hardware": junos_inventory(hardware_out),
        "macsec": _junos_macsec_ports(security),
    }


def _junos_macsec_ports(security: Mapping[str, Any]) -> list[str]:
    """Ports with ``security macsec interfaces X`` configured (no key: the CA's keys stay out of the facts)."""
    return sorted(str(i.get("name")) for i in _items((security.get("macsec") or {}).get("interfaces")))


def _isis_metric(member: Mapping[str, Any]) -> int | None:
    for level in _items(member.get("level")):
        metric = _int(level.get("metric"))
        if metric is not None:
            return metric
    return None


def _redacted(unit: Any) -> Any:
    """A unit's configuration without anything that looks like a secret."""
    if isinstance(unit, dict):
        return {k: ("<masked>" if _SECRET_LINE.search(k) else _redacted(v)) for k, v in unit.items()}
    if isinstance(unit, list):
        return [_redacted(v) for v in unit]
    return unit


def _object_names(cfg: Any, path: str = "") -> Iterable[str]:
    """``<hierarchy> <name>`` of every named configuration entry called MPLSSEC-*."""
    if isinstance(cfg, dict):
        name = cfg.get("name")
        if isinstance(name, str) and name.startswith(OBJECT_PREFIX):
            yield f"{path} {name}".strip()
        for key, value in cfg.items():
            if key != "name":
                yield from _object_names(value, f"{path} {key}".strip())
    elif isinstance(cfg, list):
        for value in cfg:
            yield from _object_names(value, path)


_FLOW_TEXT = {"inet": "Inet", "inet6": "Inet6", "mpls": "MPLS", "iso": "ISO"}


def _mode(text: str | None) -> str | None:
    """'packet based' -> 'packet-based' (the configuration's spelling), 'drop', 'flow-based'."""
    if text is None:
        return None
    value = str(text).strip().lower()
    value = re.sub(r"\s*\(.*$", "", value)  # a trailing remark in parentheses
    return value.replace(" ", "-") if value else None


def parse_flow_status(output: Any) -> dict[str, str | None]:
    """``show security flow status`` (JSON or text) -> {inet, inet6, mpls, iso}: the mode in effect.

    A chassis cluster prints one block per node: a family counts as packet-based only if every node
    says so (the least capable node's value is kept).
    """
    result: dict[str, str | None] = {fam: None for fam in _FLOW_TEXT}
    if output in (None, ""):
        return result
    doc: Any = output
    if isinstance(output, str):
        try:
            doc = json.loads(output)
        except ValueError:
            doc = None
    if isinstance(doc, (dict, list)):
        for fam in _FLOW_TEXT:
            values = [_mode(_data(v)) for v in _findall(doc, f"flow-forwarding-mode-{fam}")]
            result[fam] = _weakest(values)
        return result
    for fam, label in _FLOW_TEXT.items():
        values = [_mode(m) for m in re.findall(rf"^\s*{label} forwarding mode:\s*(.+?)\s*$", str(output), re.M)]
        result[fam] = _weakest(values)
    return result


def _weakest(values: list[str | None]) -> str | None:
    values = [v for v in values if v]
    if not values:
        return None
    for v in values:
        if v != values[0]:
            return "drop" if "drop" in values else next(x for x in values if x != "packet-based")
    return values[0]

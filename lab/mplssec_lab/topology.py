"""The lab topology: N independent P-router pairs (the default), or a ring / partial mesh of routers that each
end several carrier Ethernet links (docs/lab.md "Topologies").

``--pairs N``: pair k (1-based) is hosts ``p{2k-1}`` (side a) and ``p{2k}`` (side b), joined by link ``core{k}``.
``--topology ring:N``: hosts p1..pN, link ``core{i}`` joins p{i} (side a) and p{i+1} (pN and p1 for i = N).
``--topology mesh:N``: the ring plus chords: for i = 1..N, p{i} (side a) is also joined to p{i+2} (mod N, side b),
unless the two are already joined (no parallel links); chords are numbered core{N+1}, ... in order of i.

Platforms: host i is ``HOST_PLATFORMS[(i-1) % 6]`` (IOS, Junos, IOS, IOS, Junos, Junos), so pairs cycle
IOS–Junos, IOS–IOS, Junos–Junos and a ring of 6 has every combination.  Every router also has an in-building
"core" interface towards an emulated clear-MPLS neighbour (no listener: physics answers for it) and a loopback
router id.  A router's carrier interfaces are assigned in increasing link number: IOS GigabitEthernet2, 3, ...;
Junos ge-0/0/0.0, then ge-0/0/2.0, ge-0/0/3.0, ... (ge-0/0/1.0 stays the core interface).

Addressing (unique per link / host):

* carrier link k: 192.0.2.(2k-2)/31 for k <= 128, then /31s from 198.18.0.0/16
* tunnel k: 198.51.100.(2k-2)/31 for k <= 64, then /31s from 198.19.0.0/17
* IPsec (sVTI/st0) tunnel k: 198.51.100.(128+2k-2)/31 for k <= 64, then /31s from 198.19.128.0/17
* tunnel id of link k: 100 with --pairs (one link per router); 100 + k - 1 in a ring / mesh (unique per router)
* router id of host i: 203.0.113.i for i <= 254, then 198.18.255.x / ...
* core interface of host i: 10.(1 + i//256).(i%256).1/30, emulated neighbour .2, neighbour id 10.254.(i//256).(i%256)

``--mode getvpn`` (docs/lab.md "GET VPN") adds key servers ks1 (and ks2 with ``key_servers=2``): IOS-XE routers with no
carrier link, loopback 100.64.0.k/32 and an in-building interface GigabitEthernet1 100.64.k.1/30 into the clear core
(emulated neighbour .2), through which every router's in-building neighbour reaches them (docs/lab.md, lab decision).
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from . import pki

MAX_PAIRS = 500
MAX_LINKS = 500              # ring / mesh: tunnel ids 100..599, so no id meets an IOS sVTI id (id + 1000)
PLATFORM_CYCLE = [("ios", "junos"), ("ios", "ios"), ("junos", "junos")]
HOST_PLATFORMS = [p for pair in PLATFORM_CYCLE for p in pair]
KINDS = ("pairs", "ring", "mesh")
MIN_ROUTERS = {"ring": 3, "mesh": 4}
MODES = ("gre_ipsec", "getvpn", "macsec")  # how `up` writes the links (p2p_links mode) and whether key servers exist
MAX_KEY_SERVERS = 2                    # one key server or a cooperative pair

NAMES = {
    "ios": {"loopback": "Loopback0", "core": "GigabitEthernet1"},
    "junos": {"loopback": "lo0.0", "core": "ge-0/0/1.0"},
}


@dataclass(frozen=True)
class RouterModel:
    """A router model the lab can present (docs/lab.md "Router models"): what ``show version`` names and whether its
    Ethernet ports do MACsec (IEEE 802.1AE with MKA)."""
    key: str                   # the lab's name; Junos show version "Model:" prints it
    platform: str
    pid: str                   # product id (IOS show version / show inventory, Junos show chassis hardware)
    virtual: bool
    macsec: bool               # its carrier ports are MACsec-capable
    source: str                # where the MACsec (non-)support is documented


MODELS = {
    "c8000v": RouterModel("c8000v", "ios", "C8000V", True, False,
                          "Cisco Catalyst 8000V Edge Software data sheet: virtual NICs, no MACsec listed (lab decision)"),
    "asr1001-x": RouterModel("asr1001-x", "ios", "ASR1001-X", False, True,
                             "Cisco MACsec and MKA Configuration Guide, IOS XE 3S, WAN MACsec and MKA Support "
                             "Enhancements: 'On the Cisco ASR1001-X router, MACSEC is supported on the built-in ports'"),
    "vsrx": RouterModel("vsrx", "junos", "VSRX", True, False,
                        "Juniper Feature Explorer: MACsec not listed for vSRX (lab decision)"),
    "srx380": RouterModel("srx380", "junos", "SRX380", False, True,
                          "Juniper, Media Access Control Security (MACsec) on Chassis Cluster: 'Starting in Junos OS "
                          "Release 20.1R1, MACsec is supported on control ports, fabric ports and revenue ports of "
                          "SRX380 devices'"),
}
DEFAULT_MODEL = {"ios": "c8000v", "junos": "vsrx"}
MACSEC_MODEL = {"ios": "asr1001-x", "junos": "srx380"}     # scenario macsec-hw

# EAPoL destination addresses (IEEE 802.1X-2010 Table 11-1; Cisco "eapol destination-address", Juniper
# "eapol-address"), and what a carrier Ethernet service delivers by default (docs/lab.md "MACsec", lab decision:
# the provider consumes the 802.1X PAE group address, as Juniper "MACsec over WAN" describes).
PAE = "01:80:c2:00:00:03"
BRIDGE = "01:80:c2:00:00:00"
LLDP = "01:80:c2:00:00:0e"
BROADCAST = "ff:ff:ff:ff:ff:ff"
CARRIER_DELIVERS = frozenset({BRIDGE, LLDP, BROADCAST, "unicast"})


def carrier_name(platform: str, j: int) -> str:
    """The j-th (1-based, in increasing link number) carrier interface of a router."""
    if platform == "ios":
        return f"GigabitEthernet{j + 1}"
    return "ge-0/0/0.0" if j == 1 else f"ge-0/0/{j}.0"


@dataclass
class Host:
    name: str
    platform: str
    index: int                 # 1-based host number
    pair: int | None           # 1-based pair number (--pairs only)
    side: str | None           # "a" | "b" (--pairs only; in a ring/mesh each link has its own sides)
    router_id: str
    loopback: str              # interface name
    core_interface: str
    core_address: str          # "10.1.1.1/30"
    core_neighbor_address: str
    core_neighbor_id: str
    links: list = field(default_factory=list)   # carrier link names, in the order of its carrier interfaces
    role: str = "p"            # "p" (a P router ending carrier links) | "ks" (a GET VPN key server)
    uplink: str | None = None  # key server: the name of its in-building link (fault link-down target)


@dataclass
class CarrierLink:
    name: str                  # "core1" — also the p2p_links name
    pair: int                  # link number k (= the pair number with --pairs)
    a: str                     # host names
    b: str
    a_interface: str
    b_interface: str
    a_address: str
    b_address: str
    mtu: int = 1500            # what both interfaces say (IP MTU); the carrier-mtu fault lowers what is delivered
    tunnel_ipv4: str = ""
    ipsec_ipv4: str | None = None
    ipsec_mode: str = "transport"
    tunnel_id: int = 100
    # the carrier Ethernet service (docs/lab.md "MACsec"): which EAPoL destination addresses it delivers ("unicast" for
    # any individual address), and whether it is a VLAN-tagged service (EVPL: it forwards on the 802.1Q tag, so a
    # frame whose tag is encrypted inside MACsec is not delivered)
    eapol_delivers: frozenset = CARRIER_DELIVERS
    tagged: bool = False

    def end(self, host: str) -> tuple[str, str]:
        return (self.a_interface, self.a_address) if host == self.a else (self.b_interface, self.b_address)

    def other(self, host: str) -> str:
        return self.b if host == self.a else self.a


# Brownfield starting points (``mplssec-lab up --scenario NAME[:LINK,...]``), docs/lab.md "Scenarios".
# Each names what it changes in the baseline of the routers ending the selected links (= pairs with --pairs).
SCENARIOS = {
    "ospf-network": "IOS: OSPF on the carrier enabled by 'network <carrier> 0.0.0.1 area 0' under router ospf 1 "
                    "instead of 'ip ospf 1 area 0' on the interface",
    "carrier-acl": "IOS: an inbound ACL CARRIER-IN already on the carrier (deny udp any any eq snmp, permit ip any any)",
    "rollback-file": "IOS: flash:mplssec-<link>-pre.cfg already exists (a stale rollback point of an earlier run)",
    "macsec-hw": "both routers are hardware with MACsec ports: IOS ASR1001-X, Junos SRX380 (instead of C8000V / vSRX)",
    "carrier-l2cp-transparent": "the carrier also delivers EAPoL to the 802.1X PAE group address 01:80:C2:00:00:03",
    "carrier-tagged": "the carrier is a VLAN-tagged service (EVPL): MACsec needs the 802.1Q tag in clear",
    "pki": "both routers hold a certificate issued by MPLSSEC-CA (subject CN=<host>.mplssec.lab,O=MPLSSEC, SAN = "
           "the carrier address; IOS trustpoint MPLSSEC-CA, Junos ca-profile MPLSSEC-CA + certificate mplssec-<host>); "
           "the link is written with certificate auth (rsa-sig)",
    "pki-rogue": "as pki, but side b's certificate is for CN=rogue.mplssec.lab (same CA, still claiming b's carrier "
                 "address): the plan expects CN=<b>.mplssec.lab",
}
PKI_SCENARIOS = ("pki", "pki-rogue")
SCENARIOS.update({
    "ks-rsa-mismatch": "GET VPN with two key servers: ks2 holds another RSA key pair under the group's key name "
                       "(MPLSSEC-GV-P2P) than ks1 (the cooperative pair normally holds one key, imported on both)",
    "ks-rsa-missing": "GET VPN with two key servers: ks2 holds no RSA key pair for the group (ks1 does)",
})



def _junos_scenarios() -> dict:
    from .junos.device import SCENARIOS as junos
    return junos


SCENARIOS.update(_junos_scenarios())


def parse_scenarios(specs) -> dict:
    """["ospf-network", "carrier-acl:1,3"] -> {"ospf-network": None (all links), "carrier-acl": {1, 3}}."""
    out: dict = {}
    for spec in specs or []:
        name, _, pairs = str(spec).partition(":")
        if name not in SCENARIOS:
            raise ValueError(f"unknown scenario {name!r} (known: {', '.join(sorted(SCENARIOS))})")
        out[name] = {int(x) for x in pairs.split(",") if x.strip()} if pairs else None
    return out


def parse_topology(spec: str | None, pairs: int = 1) -> tuple[str, int]:
    """"ring:6" -> ("ring", 6); None -> ("pairs", pairs)."""
    if spec is None or spec == "":
        return "pairs", int(pairs)
    kind, sep, n = str(spec).partition(":")
    if kind not in KINDS or not sep or not n.strip().isdigit():
        raise ValueError(f"topology must be pairs:N, ring:N or mesh:N, got {spec!r}")
    return kind, int(n)


@dataclass
class Topology:
    pairs: int                 # number of pairs (--pairs), 0 for a ring / mesh
    hosts: dict = field(default_factory=dict)    # name -> Host
    links: dict = field(default_factory=dict)    # name -> CarrierLink
    scenarios: dict = field(default_factory=dict)  # scenario name -> set of link numbers, or None = every link
    kind: str = "pairs"
    size: int = 0              # pairs:N -> N pairs; ring:N / mesh:N -> N routers
    mode: str = "gre_ipsec"    # the links' encryption mode written to the inventory (MODES)
    key_servers: list = field(default_factory=list)   # GET VPN key server host names (ks1, ks2)

    @property
    def spec(self) -> str:
        return f"{self.kind}:{self.size}"

    def _selected(self, name: str, link: CarrierLink) -> bool:
        sel = self.scenarios[name]
        return sel is None or link.pair in sel

    def scenarios_of(self, host: str) -> list:
        """Scenarios of the router: those selecting at least one of its links."""
        links = self.links_of(host)
        return sorted(n for n in self.scenarios if any(self._selected(n, x) for x in links))

    def links_of(self, host: str) -> list[CarrierLink]:
        return [self.links[n] for n in self.hosts[host].links]

    def link_of(self, host: str) -> CarrierLink:
        """The first carrier link of ``host`` (its only one with --pairs)."""
        return self.links_of(host)[0]

    def peer(self, host: str) -> str:
        return self.link_of(host).other(host)

    def link_between(self, a: str, b: str) -> CarrierLink | None:
        """The carrier link joining a and b (at most one: the topologies never build parallel links)."""
        h = self.hosts.get(a)
        for n in h.links if h else ():
            link = self.links.get(n)
            if link is not None and link.other(a) == b:
                return link
        return None

    def neighbours(self, host: str) -> list[str]:
        return [x.other(host) for x in self.links_of(host)]

    def component(self, host: str) -> list[str]:
        """The hosts whose configurations can influence ``host``: itself and the far end of each of its links
        (the physics is one hop: docs/lab.md "Known gaps"), plus every key server (a member's registration); a key
        server's state depends on every member: all hosts. In host order."""
        if self.hosts[host].role == "ks":
            return sorted(self.hosts, key=lambda n: self.hosts[n].index)
        near = {host, *self.neighbours(host), *self.key_servers}
        return sorted(near, key=lambda n: self.hosts[n].index)

    def resolve_link(self, spec: str | int | None) -> list[str]:
        """Link names for a PAIR/link number, a link name, a host name (all its links), or None (= all links)."""
        if spec is None or spec == "" or spec == "all":
            return list(self.links)
        spec = str(spec)
        if spec in self.links:
            return [spec]
        if spec.isdigit() and f"core{int(spec)}" in self.links:
            return [f"core{int(spec)}"]
        if spec in self.hosts:
            h = self.hosts[spec]
            return [h.uplink] if h.uplink else list(h.links)
        raise KeyError(f"no such pair/link/host: {spec}")

    def model_of(self, host: str) -> RouterModel:
        """The router model: hardware with MACsec ports when a scenario macsec-hw selects one of its links."""
        h = self.hosts[host]
        key = MACSEC_MODEL[h.platform] if "macsec-hw" in self.scenarios_of(host) else DEFAULT_MODEL[h.platform]
        return MODELS[key]

    def baseline(self, host: str, auth: dict | None = None) -> dict:
        """The vendor-neutral baseline spec handed to a device class (docs/dev-contracts-lab.md)."""
        h = self.hosts[host]
        ospf = {"area": "0", "cost": 10, "network": "point-to-point"}
        spec = {
            "hostname": h.name,
            "router_id": h.router_id,
            "platform": h.platform,
            "model": self.model_of(host).key,
            "loopback": {"name": h.loopback, "address": f"{h.router_id}/32",
                         "ospf": {"area": "0", "passive": True}},
            "interfaces": [
                {"name": h.core_interface, "address": h.core_address, "role": "core",
                 "mpls": True, "ldp": True, "ospf": dict(ospf),
                 "description": f"in-building clear MPLS to {h.core_neighbor_id}"},
            ],
            "ospf": {"process": "1"},
        }
        if h.role == "ks":
            spec["interfaces"][0].update(mpls=False, ldp=False, description="in-building clear core (key server)")
            spec["rsa_keys"] = self._ks_keys(host)
        for link in self.links_of(host):
            ifname, addr = link.end(host)
            spec["interfaces"].append(
                {"name": ifname, "address": addr, "role": "carrier", "link": link.name,
                 "mpls": True, "ldp": True, "ospf": dict(ospf),
                 "description": f"carrier circuit {link.name} to {link.other(host)}"})
        for link in self.links_of(host):
            names = [n for n in PKI_SCENARIOS if n in self.scenarios and self._selected(n, link)]
            if names and "pki" not in spec:
                rogue = "pki-rogue" in names and host == link.b
                spec["pki"] = pki.issue(host, h.platform, link.end(host)[1].split("/")[0],
                                        subject=pki.rogue_subject() if rogue else None)
        if h.platform == "ios":
            self._ios_scenarios(h, spec)
        if h.platform == "junos":
            spec["scenarios"] = [n for n in self.scenarios_of(h.name) if n.startswith("srx")]
        if auth:
            spec["auth"] = dict(auth)
            spec["enable_password"] = auth.get("enable_password")
        return spec

    def _ios_scenarios(self, h: Host, spec: dict) -> None:
        """IOS scenarios change the carrier interface of each selected link."""
        for carrier in spec["interfaces"]:
            if carrier["role"] != "carrier":
                continue
            link = self.links[carrier["link"]]
            names = [n for n in self.scenarios if self._selected(n, link)]
            if "ospf-network" in names:
                net = ipaddress.ip_interface(carrier["address"]).network
                carrier["ospf"] = dict(carrier["ospf"], via="network")
                spec["ospf"].setdefault("networks", []).append(
                    {"network": str(net.network_address), "wildcard": str(net.hostmask), "area": "0"})
            if "carrier-acl" in names:
                carrier["acl_in"] = "CARRIER-IN"
                spec["acls"] = {"CARRIER-IN": ["deny udp any any eq snmp", "permit ip any any"]}
            if "rollback-file" in names:
                spec.setdefault("files", {})[f"mplssec-{link.name}-pre.cfg"] = (
                    "! stale rollback point of an earlier run\nend\n")

    def p2p_links(self) -> list[dict]:
        """The links in the collection's input model (docs/architecture.md §2), keys from the vault: the PSK
        (gre_ipsec), or the MKA CKN/CAK (``--mode macsec``: no tunnel; tagged_service on a carrier-tagged link)."""
        out = []
        for link in self.links.values():
            var = link.name.replace("-", "_")
            if self.mode == "macsec":
                macsec = {"ckn": "{{ vault_p2p_ckn_%s }}" % var, "cak": "{{ vault_p2p_cak_%s }}" % var}
                if link.tagged:
                    macsec["tagged_service"] = True
                out.append({
                    "name": link.name, "mode": "macsec", "macsec": macsec, "carrier_mtu": link.mtu, "labels": 2,
                    "igp": {"protocol": "ospf", "process_id": 1, "area": 0, "metric": 10},
                    "a": {"host": link.a, "interface": link.a_interface, "address": link.a_address},
                    "b": {"host": link.b, "interface": link.b_interface, "address": link.b_address},
                })
                continue
            entry = {
                "name": link.name,
                "mode": self.mode,
                "ipsec_mode": link.ipsec_mode,
                "crypto": {"preset": "strong", "psk": "{{ vault_p2p_psk_%s }}" % var},
                "carrier_mtu": link.mtu,
                "labels": 2,
                "tunnel": {"id": link.tunnel_id, "ipv4": link.tunnel_ipv4},
                "igp": {"protocol": "ospf", "process_id": 1, "area": 0, "metric": 10},
                "a": {"host": link.a, "interface": link.a_interface, "address": link.a_address},
                "b": {"host": link.b, "interface": link.b_interface, "address": link.b_address},
            }
            if link.ipsec_ipv4 and self.mode == "gre_ipsec":
                entry["tunnel"]["ipsec_ipv4"] = link.ipsec_ipv4
            if self.mode == "gre_ipsec" and any(n in self.scenarios and self._selected(n, link) for n in PKI_SCENARIOS):
                # certificate auth: the CA's trustpoint / ca-profile, each router's certificate subject (what its
                # peer pins) and, on Junos, its local certificate id (docs/lab.md "PKI")
                entry["crypto"] = {"preset": "strong", "auth": "rsa-sig", "trustpoint": pki.CA_NAME}
                for side in ("a", "b"):
                    host = getattr(link, side)
                    entry[side]["certificate_subject"] = pki.subject_of(host)
                    if self.hosts[host].platform == "junos":
                        entry[side]["certificate"] = f"mplssec-{host}"
            if self.mode == "getvpn":      # GRE protected by the group's TEK; the registration key is the group's
                del entry["ipsec_mode"], entry["crypto"]
                entry["getvpn"] = {"group": GETVPN_GROUP}
            out.append(entry)
        return out

    def _ks_keys(self, host: str) -> list[dict]:
        """The RSA key pair a cooperative pair of key servers already holds (docs/lab.md "RSA key pairs"): the operator
        generated it exportable on ks1 and imported it on ks2 (the same key, as Cisco requires), before the lab starts.
        A single key server holds none (the product generates it). Scenarios: ks-rsa-mismatch (ks2 holds another key
        of the same name), ks-rsa-missing (ks2 holds none)."""
        if len(self.key_servers) < 2:
            return []
        label = "MPLSSEC-GV-" + GETVPN_GROUP.upper()
        if host != self.key_servers[0] and "ks-rsa-missing" in self.scenarios:
            return []
        seed = label + ("/" + host if host != self.key_servers[0] and "ks-rsa-mismatch" in self.scenarios else "")
        return [{"label": label, "modulus": 2048, "exportable": True, "seed": seed}]

    def getvpn_groups(self) -> list[dict]:
        """The shared GET VPN group of the lab's links (docs/lab.md "GET VPN"): one group, every link a member pair,
        served by the lab's key server(s); the registration PSK comes from the vault. With a Junos member: no rekey and
        no anti-replay (the documented limits of a Junos member under a Cisco key server); counter-based anti-replay
        only for a group of two members, else time-based."""
        if not self.key_servers:
            return []
        junos = any(self.hosts[h].platform == "junos" for x in self.links.values() for h in (x.a, x.b))
        members = {h for x in self.links.values() for h in (x.a, x.b)}
        replay = "counter" if len(members) == 2 else ("none" if junos else "time")
        return [{"name": GETVPN_GROUP, "identity": 1001, "key_servers": list(self.key_servers),
                 "rekey": "none" if junos else "unicast", "anti_replay": replay,
                 "anti_replay_window": 64 if replay == "counter" else 20,
                 "psk": "{{ vault_p2p_getvpn_psk_%s }}" % GETVPN_GROUP.replace("-", "_")}]


def _nth_31(base: str, n: int) -> ipaddress.IPv4Network:
    net = ipaddress.ip_network(base)
    addr = net.network_address + 2 * n
    if addr + 1 > net.broadcast_address:
        raise ValueError(f"address pool {base} exhausted")
    return ipaddress.ip_network(f"{addr}/31")


def carrier_subnet(k: int) -> ipaddress.IPv4Network:
    """k is 1-based."""
    return _nth_31("192.0.2.0/24", k - 1) if k <= 128 else _nth_31("198.18.0.0/16", k - 129)


def tunnel_subnet(k: int) -> ipaddress.IPv4Network:
    return _nth_31("198.51.100.0/25", k - 1) if k <= 64 else _nth_31("198.19.0.0/17", k - 65)


def ipsec_subnet(k: int) -> ipaddress.IPv4Network:
    return _nth_31("198.51.100.128/25", k - 1) if k <= 64 else _nth_31("198.19.128.0/17", k - 65)


def router_id(i: int) -> str:
    if i <= 254:
        return f"203.0.113.{i}"
    j = i - 255
    return f"198.18.{255 - j // 254}.{j % 254 + 1}"


def _host(i: int, pair: int | None = None, side: str | None = None) -> Host:
    platform = HOST_PLATFORMS[(i - 1) % len(HOST_PLATFORMS)]
    core_net = ipaddress.ip_network(f"10.{1 + i // 256}.{i % 256}.0/30")
    return Host(name=f"p{i}", platform=platform, index=i, pair=pair, side=side, router_id=router_id(i),
                loopback=NAMES[platform]["loopback"], core_interface=NAMES[platform]["core"],
                core_address=f"{core_net.network_address + 1}/30",
                core_neighbor_address=str(core_net.network_address + 2),
                core_neighbor_id=f"10.254.{i // 256}.{i % 256}")


def _add_link(topo: Topology, k: int, a: str, b: str, tunnel_id: int) -> None:
    """Link core{k} between hosts a and b, each on its next free carrier interface."""
    ha, hb = topo.hosts[a], topo.hosts[b]
    if a == b or topo.link_between(a, b) is not None:
        raise ValueError(f"core{k}: {a} and {b} would get a parallel link")
    sub = carrier_subnet(k)
    name = f"core{k}"
    junos_involved = "junos" in (ha.platform, hb.platform)
    topo.links[name] = CarrierLink(
        name=name, pair=k, a=a, b=b,
        a_interface=carrier_name(ha.platform, len(ha.links) + 1),
        b_interface=carrier_name(hb.platform, len(hb.links) + 1),
        a_address=f"{sub.network_address}/31", b_address=f"{sub.network_address + 1}/31",
        tunnel_ipv4=str(tunnel_subnet(k)),
        ipsec_ipv4=str(ipsec_subnet(k)) if junos_involved else None,
        ipsec_mode="tunnel" if junos_involved else "transport",
        tunnel_id=tunnel_id)
    ha.links.append(name)
    hb.links.append(name)


def ring_edges(n: int) -> list[tuple[int, int]]:
    """(i, j) host numbers of ring links core1..coreN: p{i} - p{i+1}, and pN - p1."""
    return [(i, i % n + 1) for i in range(1, n + 1)]


def mesh_edges(n: int) -> list[tuple[int, int]]:
    """The ring, then for i = 1..N the chord p{i} - p{i+2 mod N} unless those two are already joined."""
    edges = ring_edges(n)
    joined = {frozenset(e) for e in edges}
    for i in range(1, n + 1):
        j = (i + 1) % n + 1
        if frozenset((i, j)) not in joined:
            edges.append((i, j))
            joined.add(frozenset((i, j)))
    return edges


GETVPN_GROUP = "p2p"        # the product's group name (device objects MPLSSEC-GV-P2P)


def key_server_host(k: int) -> Host:
    """Key server k (1-based): IOS, loopback 100.64.0.k, in-building 100.64.k.1/30 to an emulated neighbour .2."""
    return Host(name=f"ks{k}", platform="ios", index=MAX_PAIRS * 2 + k, pair=None, side=None,
                router_id=f"100.64.0.{k}", loopback=NAMES["ios"]["loopback"], core_interface=NAMES["ios"]["core"],
                core_address=f"100.64.{k}.1/30", core_neighbor_address=f"100.64.{k}.2",
                core_neighbor_id=f"10.254.250.{k}", role="ks", uplink=f"ks{k}-core")


def build(pairs: int = 1, scenarios=None, topology: str | None = None, mode: str = "gre_ipsec",
          key_servers: int = 1) -> Topology:
    """``build(N)``: N independent pairs; ``build(topology="ring:6")`` / ``"mesh:8"`` / ``"pairs:3"``;
    ``mode="getvpn"`` adds ``key_servers`` (1 or 2) GET VPN key servers (docs/lab.md "GET VPN")."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    topo = _build(pairs, scenarios, topology)
    topo.mode = mode
    if mode == "getvpn":
        if not 1 <= int(key_servers) <= MAX_KEY_SERVERS:
            raise ValueError(f"key servers must be 1 or {MAX_KEY_SERVERS}")
        for k in range(1, int(key_servers) + 1):
            h = key_server_host(k)
            topo.hosts[h.name] = h
            topo.key_servers.append(h.name)
    return topo


def _build(pairs: int, scenarios, topology: str | None) -> Topology:
    kind, n = parse_topology(topology, pairs)
    if kind == "pairs":
        return _carrier_scenarios(_build_pairs(n, scenarios))
    if n < MIN_ROUTERS[kind]:
        raise ValueError(f"{kind} needs at least {MIN_ROUTERS[kind]} routers")
    edges = ring_edges(n) if kind == "ring" else mesh_edges(n)
    if len(edges) > MAX_LINKS:
        raise ValueError(f"{kind}:{n} would have {len(edges)} links, at most {MAX_LINKS}")
    topo = Topology(pairs=0, scenarios=parse_scenarios(scenarios), kind=kind, size=n)
    for i in range(1, n + 1):
        topo.hosts[f"p{i}"] = _host(i)
    for k, (i, j) in enumerate(edges, 1):
        _add_link(topo, k, f"p{i}", f"p{j}", tunnel_id=100 + k - 1)
    return _carrier_scenarios(topo)


def _carrier_scenarios(topo: Topology) -> Topology:
    for link in topo.links.values():
        if "carrier-l2cp-transparent" in topo.scenarios and topo._selected("carrier-l2cp-transparent", link):
            link.eapol_delivers = CARRIER_DELIVERS | {PAE}
        if "carrier-tagged" in topo.scenarios and topo._selected("carrier-tagged", link):
            link.tagged = True
    return topo


def _build_pairs(pairs: int, scenarios) -> Topology:
    if not 1 <= pairs <= MAX_PAIRS:
        raise ValueError(f"pairs must be between 1 and {MAX_PAIRS}")
    topo = Topology(pairs=pairs, scenarios=parse_scenarios(scenarios), kind="pairs", size=pairs)
    for k in range(1, pairs + 1):
        a, b = _host(2 * k - 1, k, "a"), _host(2 * k, k, "b")
        topo.hosts[a.name], topo.hosts[b.name] = a, b
        _add_link(topo, k, a.name, b.name, tunnel_id=100)
    return topo

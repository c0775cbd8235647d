"""The lab topology: N independent P-router pairs, each joined by one carrier Ethernet link.

Pair k (1-based) is hosts ``p{2k-1}`` (side a) and ``p{2k}`` (side b); platforms cycle
IOS–Junos, IOS–IOS, Junos–Junos.  Every router also has an in-building "core" interface towards an
emulated clear-MPLS neighbour (no listener: physics answers for it) and a loopback router id.

Addressing (unique per pair / host):

* carrier link k: 192.0.2.(2k-2)/31 for k <= 128, then /31s from 198.18.0.0/16
* tunnel k: 198.51.100.(2k-2)/31 for k <= 64, then /31s from 198.19.0.0/17
* IPsec (sVTI/st0) tunnel k: 198.51.100.(128+2k-2)/31 for k <= 64, then /31s from 198.19.128.0/17
* router id of host i: 203.0.113.i for i <= 254, then 198.18.255.x / ...
* core interface of host i: 10.(1 + i//256).(i%256).1/30, emulated neighbour .2, neighbour id 10.254.(i//256).(i%256)
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

MAX_PAIRS = 500
PLATFORM_CYCLE = [("ios", "junos"), ("ios", "ios"), ("junos", "junos")]

NAMES = {
    "ios": {"loopback": "Loopback0", "core": "GigabitEthernet1", "carrier": "GigabitEthernet2"},
    "junos": {"loopback": "lo0.0", "core": "ge-0/0/1.0", "carrier": "ge-0/0/0.0"},
}
MODELS = {"ios": "Cat8000v (IOS-XE 17.x)", "junos": "vSRX 3.0 (Junos)"}


@dataclass
class Host:
    name: str
    platform: str
    index: int                 # 1-based host number
    pair: int                  # 1-based pair number
    side: str                  # "a" | "b"
    router_id: str
    loopback: str              # interface name
    core_interface: str
    core_address: str          # "10.1.1.1/30"
    core_neighbor_address: str
    core_neighbor_id: str
    carrier_interface: str
    carrier_address: str       # "192.0.2.0/31"
    link: str                  # carrier link name


@dataclass
class CarrierLink:
    name: str                  # "core1" — also the p2p_links name
    pair: int
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

    def end(self, host: str) -> tuple[str, str]:
        return (self.a_interface, self.a_address) if host == self.a else (self.b_interface, self.b_address)

    def other(self, host: str) -> str:
        return self.b if host == self.a else self.a


# Brownfield starting points (``mplssec-lab up --scenario NAME[:PAIR,...]``), docs/lab.md "Scenarios".
# Each names what it changes in the baseline of the routers of the selected pairs (IOS-XE ends only).
SCENARIOS = {
    "ospf-network": "IOS: OSPF on the carrier enabled by 'network <carrier> 0.0.0.1 area 0' under router ospf 1 "
                    "instead of 'ip ospf 1 area 0' on the interface",
    "carrier-acl": "IOS: an inbound ACL CARRIER-IN already on the carrier (deny udp any any eq snmp, permit ip any any)",
    "rollback-file": "IOS: flash:mplssec-<link>-pre.cfg already exists (a stale rollback point of an earlier run)",
}



def _junos_scenarios() -> dict:
    from .junos.device import SCENARIOS as junos
    return junos


SCENARIOS.update(_junos_scenarios())


def parse_scenarios(specs) -> dict:
    """["ospf-network", "carrier-acl:1,3"] -> {"ospf-network": None (all pairs), "carrier-acl": {1, 3}}."""
    out: dict = {}
    for spec in specs or []:
        name, _, pairs = str(spec).partition(":")
        if name not in SCENARIOS:
            raise ValueError(f"unknown scenario {name!r} (known: {', '.join(sorted(SCENARIOS))})")
        out[name] = {int(x) for x in pairs.split(",") if x.strip()} if pairs else None
    return out


@dataclass
class Topology:
    pairs: int
    hosts: dict = field(default_factory=dict)    # name -> Host
    links: dict = field(default_factory=dict)    # name -> CarrierLink
    scenarios: dict = field(default_factory=dict)  # scenario name -> set of pair numbers, or None = every pair

    def scenarios_of(self, host: str) -> list:
        pair = self.hosts[host].pair
        return sorted(n for n, pairs in self.scenarios.items() if pairs is None or pair in pairs)

    def link_of(self, host: str) -> CarrierLink:
        return self.links[self.hosts[host].link]

    def peer(self, host: str) -> str:
        return self.link_of(host).other(host)

    def component(self, host: str) -> list[str]:
        """The hosts whose configurations can influence ``host`` (its pair)."""
        link = self.link_of(host)
        return [link.a, link.b]

    def resolve_link(self, spec: str | int | None) -> list[str]:
        """Link names for a PAIR number, a link name, a host name, or None (= all links)."""
        if spec is None or spec == "" or spec == "all":
            return list(self.links)
        spec = str(spec)
        if spec in self.links:
            return [spec]
        if spec.isdigit() and f"core{int(spec)}" in self.links:
            return [f"core{int(spec)}"]
        if spec in self.hosts:
            return [self.hosts[spec].link]
        raise KeyError(f"no such pair/link/host: {spec}")

    def baseline(self, host: str, auth: dict | None = None) -> dict:
        """The vendor-neutral baseline spec handed to a device class (docs/dev-contracts-lab.md)."""
        h = self.hosts[host]
        spec = {
            "hostname": h.name,
            "router_id": h.router_id,
            "platform": h.platform,
            "model": MODELS[h.platform],
            "loopback": {"name": h.loopback, "address": f"{h.router_id}/32",
                         "ospf": {"area": "0", "passive": True}},
            "interfaces": [
                {"name": h.core_interface, "address": h.core_address, "role": "core",
                 "mpls": True, "ldp": True, "ospf": {"area": "0", "cost": 10, "network": "point-to-point"},
                 "description": f"in-building clear MPLS to {h.core_neighbor_id}"},
                {"name": h.carrier_interface, "address": h.carrier_address, "role": "carrier",
                 "mpls": True, "ldp": True, "ospf": {"area": "0", "cost": 10, "network": "point-to-point"},
                 "description": f"carrier circuit {h.link} to {self.peer(host)}"},
            ],
            "ospf": {"process": "1"},
        }
        if h.platform == "ios":
            self._ios_scenarios(h, spec)
        if h.platform == "junos":
            spec["scenarios"] = [n for n in self.scenarios_of(h.name) if n.startswith("srx")]
        if auth:
            spec["auth"] = dict(auth)
            spec["enable_password"] = auth.get("enable_password")
        return spec

    def _ios_scenarios(self, h: Host, spec: dict) -> None:
        names = self.scenarios_of(h.name)
        carrier = spec["interfaces"][1]
        if "ospf-network" in names:
            net = ipaddress.ip_interface(h.carrier_address).network
            carrier["ospf"] = dict(carrier["ospf"], via="network")
            spec["ospf"]["networks"] = [{"network": str(net.network_address),
                                         "wildcard": str(net.hostmask), "area": "0"}]
        if "carrier-acl" in names:
            carrier["acl_in"] = "CARRIER-IN"
            spec["acls"] = {"CARRIER-IN": ["deny udp any any eq snmp", "permit ip any any"]}
        if "rollback-file" in names:
            spec["files"] = {f"mplssec-{h.link}-pre.cfg": "! stale rollback point of an earlier run\nend\n"}

    def p2p_links(self) -> list[dict]:
        """The links in the collection's input model (docs/architecture.md §2), PSK from the vault."""
        out = []
        for link in self.links.values():
            entry = {
                "name": link.name,
                "mode": "gre_ipsec",
                "ipsec_mode": link.ipsec_mode,
                "crypto": {"preset": "strong", "psk": "{{ vault_p2p_psk_%s }}" % link.name.replace("-", "_")},
                "carrier_mtu": link.mtu,
                "labels": 2,
                "tunnel": {"id": 100, "ipv4": link.tunnel_ipv4},
                "igp": {"protocol": "ospf", "process_id": 1, "area": 0, "metric": 10},
                "a": {"host": link.a, "interface": link.a_interface, "address": link.a_address},
                "b": {"host": link.b, "interface": link.b_interface, "address": link.b_address},
            }
            if link.ipsec_ipv4:
                entry["tunnel"]["ipsec_ipv4"] = link.ipsec_ipv4
            out.append(entry)
        return out


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


def build(pairs: int = 1, scenarios=None) -> Topology:
    if not 1 <= pairs <= MAX_PAIRS:
        raise ValueError(f"pairs must be between 1 and {MAX_PAIRS}")
    topo = Topology(pairs=pairs, scenarios=parse_scenarios(scenarios))
    for k in range(1, pairs + 1):
        pa, pb = PLATFORM_CYCLE[(k - 1) % len(PLATFORM_CYCLE)]
        link_name = f"core{k}"
        sub = carrier_subnet(k)
        addrs = [f"{sub.network_address}/31", f"{sub.network_address + 1}/31"]
        names = []
        for side, platform, addr in (("a", pa, addrs[0]), ("b", pb, addrs[1])):
            i = 2 * k - 1 if side == "a" else 2 * k
            name = f"p{i}"
            core_net = ipaddress.ip_network(f"10.{1 + i // 256}.{i % 256}.0/30")
            topo.hosts[name] = Host(
                name=name, platform=platform, index=i, pair=k, side=side, router_id=router_id(i),
                loopback=NAMES[platform]["loopback"], core_interface=NAMES[platform]["core"],
                core_address=f"{core_net.network_address + 1}/30",
                core_neighbor_address=str(core_net.network_address + 2),
                core_neighbor_id=f"10.254.{i // 256}.{i % 256}",
                carrier_interface=NAMES[platform]["carrier"], carrier_address=addr, link=link_name)
            names.append(name)
        junos_involved = "junos" in (pa, pb)
        topo.links[link_name] = CarrierLink(
            name=link_name, pair=k, a=names[0], b=names[1],
            a_interface=NAMES[pa]["carrier"], b_interface=NAMES[pb]["carrier"],
            a_address=addrs[0], b_address=addrs[1],
            tunnel_ipv4=str(tunnel_subnet(k)),
            ipsec_ipv4=str(ipsec_subnet(k)) if junos_involved else None,
            ipsec_mode="tunnel" if junos_involved else "transport")
    return topo

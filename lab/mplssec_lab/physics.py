"""Link physics: protocol state derived from BOTH routers' configurations, never stored as a flag.

``derive(views, topology, faults, now, memo=None) -> {host: LinkState}`` reads the
:class:`~mplssec_lab.model.DeviceView` of every router (what its configuration means), the topology
(which physical ports the carrier joins, the emulated in-building neighbours) and the injected faults,
and works out, in this order:

1. physical line protocol (carrier link faults, ``shutdown``/``disable``), then MACsec/MKA on the carrier
   (:mod:`mplssec_lab.macsec`: secured or not, which decides what frames cross the carrier and how big they are);
2. IKE SAs (addresses pointing at each other over an up carrier, IKE packets passing the inbound filters,
   version, first proposal of the initiator the responder accepts, DH group, auth method, PSK or certificates
   (:mod:`mplssec_lab.pki`: trust, revocation, certificate map / DN identity), identities);
3. IPsec SAs (IKE SA up, both protected interfaces exist and are of the same kind — GRE tunnel protection
   with GRE tunnel protection, sVTI/st0 with sVTI/st0 —, modes, transforms, PFS);
4. tunnel line protocol (sVTI/st0 up only with its SA; GRE / gr-0/0/0 up when source is up and the
   destination is routed over an up interface other than itself — without needing an SA);
5. "connections" = interface pairs packets can cross (the carrier itself, paired tunnels) and whether a
   given packet passes (filters, protection agreement, SA up, real scapy size vs what the carrier delivers);
6. IGP adjacencies (OSPF / IS-IS: same area, network type, subnet, OSPF interface MTU, hellos pass);
7. LDP (both ends' interface LDP + MPLS, IGP adjacency on that interface, router ids advertised;
   never over an IOS-XE sVTI), and carrier interfaces carrying labels in clear;
8. SA counters, lifetimes and SPIs, deterministic functions of ``now`` and of the first time the SA
   was seen (``memo``, kept by the Lab across calls: history, not state).

``ping(...)`` follows the same derivation and sizes the packet with :mod:`mplssec_lab.packets`.
"""
from __future__ import annotations

import hashlib
import ipaddress
import math
from dataclasses import dataclass, field

from . import gdoi, macsec, model, pki
from .faults import Faults

# Effective IP MTU when the configuration sets none (documented decisions, docs/lab.md).
DEFAULT_IP_MTU = {
    ("ios", "ethernet"): 1500, ("ios", "gre"): 1476, ("ios", "ipsec"): 1438, ("ios", "loopback"): 1514,
    ("junos", "ethernet"): 1500, ("junos", "gre"): 1476, ("junos", "ipsec"): 9192, ("junos", "loopback"): 65535,
}
DEFAULT_OSPF_COST = {"ethernet": 1, "gre": 1000, "ipsec": 1000, "loopback": 1}
HELLO_IP_SIZE = 80          # an OSPF/LDP hello as an IP packet (bytes)
RATE = {"ospf": 0.1, "isis": 1 / 3, "ldp": 0.2 + 1 / 60}   # packets per second one way (hello/keepalive timers)
NEIGHBOR = "<neighbor>"     # pseudo host name of an emulated in-building neighbour
IKE_RENEGOTIATE_S = 1.0     # a cleared IKE SA and its child SAs are down this long (docs/lab.md, "Clearing SAs")


def _area(a) -> str:
    if a is None:
        return "0.0.0.0"
    s = str(a)
    if s.isdigit():
        return str(ipaddress.IPv4Address(int(s)))
    return s


def _addr(x) -> ipaddress.IPv4Address | None:
    if x is None:
        return None
    try:
        return ipaddress.IPv4Address(str(x).split("/")[0])
    except ValueError:
        return None


def eff_ip_mtu(view: model.DeviceView, iface: model.Interface) -> int:
    d = DEFAULT_IP_MTU.get((view.platform, iface.kind), 1500)
    v = iface.ip_mtu if iface.ip_mtu is not None else (iface.mtu if iface.mtu is not None else d)
    if iface.mtu is not None:
        v = min(v, iface.mtu)
    return v


def eff_p2p(iface: model.Interface, proto: dict) -> bool:
    return bool(proto.get("p2p")) or iface.kind in ("gre", "ipsec")


def ospf_hello_params(iface: model.Interface, proto: dict) -> tuple:
    """(network type, hello, dead) of an OSPF interface. Defaults: point-to-point (configured, or a GRE/sVTI/st0
    tunnel) and broadcast hello 10 s / dead 40 s, point-to-multipoint and non-broadcast 30 s / 120 s; a hello set
    alone gives dead = 4 x hello (Cisco 'ip ospf hello-interval' / 'dead-interval', Juniper 'hello-interval' /
    'dead-interval' defaults). RFC 2328 10.5: a hello whose HelloInterval or RouterDeadInterval differs from the
    receiving interface's is dropped, so no adjacency forms (docs/lab.md "OSPF")."""
    kind = proto.get("type") or ("point-to-point" if eff_p2p(iface, proto) else "broadcast")
    base = 30 if kind in ("point-to-multipoint", "non-broadcast") else 10
    hello = int(proto.get("hello") or base)
    dead = int(proto.get("dead") or (4 * hello))
    return kind, hello, dead


def spi(*parts) -> int:
    h = hashlib.sha256("/".join(str(p) for p in parts).encode()).digest()
    return 0x100 + int.from_bytes(h[:4], "big") % 0xFFFFFE00


def filter_permits(view: model.DeviceView, iface: model.Interface, proto: str, port: int | None) -> bool:
    """Inbound filter on ``iface`` (first match, implicit deny; an undefined filter permits all)."""
    if not iface.filter_in:
        return True
    rules = view.filters.get(iface.filter_in)
    if rules is None:
        return True
    aliases = {"50": "esp", "47": "gre", "89": "ospf", "1": "icmp", "6": "tcp", "17": "udp", "ipsec": "esp"}
    for r in rules:
        if r.get("fragment"):
            continue            # a fragments-only term (Junos is-fragment): the packets checked here are whole
        rp = aliases.get(str(r.get("proto", "ip")).lower(), str(r.get("proto", "ip")).lower())
        if rp not in ("ip", "any", proto):
            continue
        if r.get("port") is not None and port is not None and int(r["port"]) != int(port):
            continue
        if r.get("port") is not None and port is None:
            continue
        return r.get("action", "permit") == "permit"
    return False


def host_inbound_ok(view: model.DeviceView, ifname: str, proto: str, port: int | None) -> bool:
    """SRX zones: may this packet addressed to the router itself enter through ``ifname``?"""
    allowed = getattr(view, "host_inbound", None)
    if allowed is None:
        return True
    if proto in ("esp", "gre"):
        return True            # handled by the VPN / tunnel termination, not host-inbound-traffic
    services = allowed.get(ifname)
    if services is None:
        return False           # interface in no security zone
    if "all" in services:
        return True
    need = {("udp", 500): "ike", ("udp", 4500): "ike", ("udp", 848): "ike", ("udp", 646): "ldp", ("tcp", 646): "ldp",
            ("udp", 3784): "bfd", ("udp", 3785): "bfd", ("tcp", 22): "ssh", ("tcp", 830): "netconf",
            ("udp", 161): "snmp", ("udp", 123): "ntp", ("tcp", 179): "bgp"}.get((proto, port))
    need = need or {"icmp": "ping", "ospf": "ospf", "isis": "isis"}.get(proto)
    return need is None or need in services


def fwd_mode_ok(view: model.DeviceView, family: str) -> bool:
    """SRX: does the forwarding mode IN EFFECT let this family through (MPLS/ISO need packet-based, IPv6
    flow- or packet-based)? Devices without ``fwd_modes`` (IOS) always forward."""
    modes = getattr(view, "fwd_modes", None)
    if modes is None:
        return True
    mode = modes.get(family)
    if family in ("mpls", "iso"):
        return mode == "packet-based"
    return mode in ("flow-based", "packet-based")


@dataclass
class Conn:
    """Two interfaces packets can cross: the carrier (kind physical) or a pair of tunnels."""
    a: str
    a_if: str
    b: str
    b_if: str
    kind: str                  # "physical" | "gre" | "ipsec" | "neighbor"
    link: str | None = None    # carrier link name underneath


@dataclass
class _IkeSa:
    a: str
    a_peer: model.IkePeer
    b: str
    b_peer: model.IkePeer | None
    a_local: str | None
    established: bool
    reason: str | None = None
    proposal: dict = field(default_factory=dict)


@dataclass
class _IpsecSa:
    a: str
    a_pol: model.IpsecPolicy
    b: str
    b_pol: model.IpsecPolicy | None
    a_local: str | None
    a_peer: str | None
    established: bool
    reason: str | None = None
    transform: dict = field(default_factory=dict)
    mode: str | None = None
    ike: _IkeSa | None = None


class PingResult(list):
    """list[bool] (one per echo) with why it failed: reason in ok|mtu|timeout|no-route|bad-source."""

    def __init__(self, results, reason="ok", egress=None, wire=None, detail=None):
        super().__init__(results)
        self.reason = reason
        self.egress = egress
        self.wire = wire
        self.detail = detail

    def as_dict(self):
        return {"results": list(self), "reason": self.reason, "egress": self.egress, "wire": self.wire,
                "detail": self.detail}


class _Ctx:
    def __init__(self, views, topology, faults, now, memo):
        self.views = {h: v for h, v in views.items() if v is not None}
        self.topo = topology
        self.faults = faults or Faults()
        self.now = now
        self.memo = memo if memo is not None else {}
        self.memo.setdefault("since", {})
        self.memo.setdefault("extra", {})
        self.seen = set()
        self.up: dict = {h: {} for h in self.views}
        self.ike: list[_IkeSa] = []
        self.ipsec: list[_IpsecSa] = []
        self.conns: list[Conn] = []
        self.adj: dict = {h: [] for h in self.views}
        self.ldp_hello: list = []     # (Conn)
        self.ldp_sessions: set = set()  # frozenset({a, b}) or (host, NEIGHBOR)
        self.mka_sessions: dict = {}    # link name -> macsec.Session
        self.gdoi = gdoi.Derived()      # GET VPN registrations and key server groups (gdoi.derive)

    # -- history ------------------------------------------------------------------------------------
    def since(self, token) -> float:
        self.seen.add(token)
        return self.memo["since"].setdefault(token, self.now)

    # -- topology helpers ---------------------------------------------------------------------------
    def host(self, name):
        return self.topo.hosts.get(name) if self.topo else None

    def carriers(self, host) -> dict:
        """{carrier interface name: link name} of ``host`` (one entry per carrier link it ends)."""
        h = self.host(host)
        if h is None:
            return {}
        return {self.topo.links[n].end(host)[0]: n for n in h.links if n in self.topo.links}

    def carrier_if(self, host, link_name):
        """``host``'s interface on carrier link ``link_name`` (None when it does not end that link)."""
        link = self.topo.links.get(link_name) if (self.topo and link_name) else None
        return link.end(host)[0] if link is not None and host in (link.a, link.b) else None

    def link_between(self, a, b):
        return self.topo.link_between(a, b) if self.topo and self.host(a) else None

    def delivered(self, link_name) -> int:
        link = self.topo.links[link_name]
        return self.faults.delivered_mtu(link_name, link.mtu)

    def link_up(self, link_name) -> bool:
        return link_name not in self.faults.link_down

    # -- addresses / routing ------------------------------------------------------------------------
    def owner(self, host, addr):
        """Interface name of ``host`` that owns address ``addr`` (any state)."""
        a = _addr(addr)
        v = self.views.get(host)
        if v is None or a is None:
            return None
        for name, i in v.interfaces.items():
            if any(x.ip == a for x in i.ipv4):
                return name
        return None

    def connected(self, host, addr, exclude=None):
        """Up interface of ``host`` whose connected subnet contains ``addr`` (longest prefix)."""
        a = _addr(addr)
        v = self.views.get(host)
        if v is None or a is None:
            return None
        best = None
        for name, i in v.interfaces.items():
            if name == exclude or not self.up[host].get(name):
                continue
            for x in i.ipv4:
                if a in x.network and (best is None or x.network.prefixlen > best[1]):
                    best = (name, x.network.prefixlen)
        return best[0] if best else None

    def local_source(self, host, peer_addr):
        name = self.connected(host, peer_addr)
        if not name:
            return None
        i = self.views[host].interfaces[name]
        a = _addr(peer_addr)
        for x in i.ipv4:
            if a in x.network:
                return str(x.ip)
        return None

    def same_subnet(self, ia: model.Interface, ib: model.Interface):
        for x in ia.ipv4:
            for y in ib.ipv4:
                if x.network == y.network and x.ip != y.ip:
                    return x, y
        return None

    # -- 1. physical ----------------------------------------------------------------------------------
    def physical(self):
        for host, v in self.views.items():
            carriers = self.carriers(host)
            for name, i in v.interfaces.items():
                if i.kind in ("gre", "ipsec"):
                    continue
                up = i.enabled
                if up and name in carriers and not self.link_up(carriers[name]):
                    up = False
                h = self.host(host)
                if up and h is not None and h.uplink and name == h.core_interface and not self.link_up(h.uplink):
                    up = False          # fault link-down on a key server: its in-building link
                self.up[host][name] = up

    def carrier_path(self, a, b):
        """(a_if, b_if, link) when a's and b's interfaces on the link joining them are up, in one subnet."""
        link = self.link_between(a, b)
        if link is None or b not in self.views:
            return None
        ai, bi = link.end(a)[0], link.end(b)[0]
        va, vb = self.views[a], self.views[b]
        if ai not in va.interfaces or bi not in vb.interfaces:
            return None
        if not (self.up[a].get(ai) and self.up[b].get(bi)):
            return None
        if not self.same_subnet(va.interfaces[ai], vb.interfaces[bi]):
            return None
        return ai, bi, link.name

    def physical_pass(self, a, b, proto, port=None, size=None, outer_frag=False) -> tuple[bool, str | None]:
        p = self.carrier_path(a, b)
        if p is None:
            return False, "carrier path down"
        ai, bi, link = p
        if size is not None and outer_frag:
            size = min(size, eff_ip_mtu(self.views[a], self.views[a].interfaces[ai]))
        ok, why, size = macsec.frame_pass(self, link, a, b, size)
        if not ok:
            return False, why
        if size is not None and size > self.delivered(link):
            return False, f"{size}-byte packet larger than the carrier delivers ({self.delivered(link)})"
        vb = self.views[b]
        if proto != "isis" and not filter_permits(vb, vb.interfaces[bi], proto, port):
            return False, f"{proto} dropped by inbound filter {vb.interfaces[bi].filter_in} on {b} {bi}"
        if not host_inbound_ok(vb, bi, proto, port):
            return False, f"{proto} not allowed by the security zone host-inbound-traffic of {b} {bi}"
        return True, None

    def addressed_over_carrier(self, a, addr):
        """Peer host whose interface on a carrier link owns addr, when a reaches it over that link's subnet."""
        h = self.host(a)
        for n in h.links if h else ():
            link = self.topo.links.get(n)
            if link is None:
                continue
            b = link.other(a)
            if b not in self.views:
                continue
            if self.owner(b, addr) == link.end(b)[0] and self.connected(a, addr) == link.end(a)[0]:
                return b
        return None

    # -- 2. IKE ---------------------------------------------------------------------------------------
    def ike_local(self, host, peer: model.IkePeer):
        return peer.local_address or self.local_source(host, peer.peer_address)

    def policy_peer(self, host, pol: model.IpsecPolicy):
        v = self.views[host]
        ike = v.ike.get(pol.ike_peer) if pol.ike_peer else None
        if ike is not None:
            return ike.peer_address, self.ike_local(host, ike)
        iface = self.policy_iface(host, pol)
        if iface is None:
            return None, None
        dst = iface.tunnel_destination
        return dst, (iface.tunnel_source or (self.local_source(host, dst) if dst else None))

    def policy_iface(self, host, pol: model.IpsecPolicy):
        v = self.views[host]
        if pol.interface and pol.interface in v.interfaces:
            return v.interfaces[pol.interface]
        for i in v.interfaces.values():
            if i.ipsec_policy == pol.name and i.kind in ("gre", "ipsec"):
                return i
        return None

    def ike_in_use(self, host, peer: model.IkePeer) -> bool:
        v = self.views[host]
        for pol in v.ipsec.values():
            if self.policy_iface(host, pol) is None:
                continue
            if pol.ike_peer == peer.name:
                return True
            if pol.ike_peer is None and self.policy_peer(host, pol)[0] == peer.peer_address:
                return True
        return False

    def negotiate_ike(self, a, pa: model.IkePeer, b, pb: model.IkePeer, a_local, b_local):
        if pa.version != pb.version:
            return False, f"IKE version mismatch (v{pa.version} vs v{pb.version})", {}
        # the initiator is the end with the lower address (both would initiate; one SA survives)
        init, resp = (pa, pb) if int(_addr(a_local)) < int(_addr(b_local)) else (pb, pa)

        def key(p, dh=True):
            t = (p.get("encryption"), p.get("integrity") or "none", p.get("dh_group") if dh else None)
            if pa.version == 2:
                t = t + (p.get("prf") or p.get("integrity"),)
            return t
        chosen = None
        for p in init.proposals:
            if any(key(p) == key(q) for q in resp.proposals):
                chosen = dict(p)
                break
        if chosen is None:
            for p in init.proposals:
                if any(key(p, False) == key(q, False) for q in resp.proposals):
                    return False, "DH group mismatch (NO_PROPOSAL_CHOSEN)", {}
            return False, "no IKE proposal chosen (NO_PROPOSAL_CHOSEN)", {}
        if pa.auth != pb.auth:
            return False, f"authentication method mismatch ({pa.auth} vs {pb.auth})", chosen
        if pa.auth == "psk" and (not pa.psk or not pb.psk or pa.psk != pb.psk):
            return False, "pre-shared key mismatch (AUTHENTICATION_FAILED)", chosen
        if pa.auth in ("rsa-sig", "ecdsa-sig"):
            # certificates: each side verifies the other's certificate, trust, revocation and identity (pki.py)
            for v, pv, p, pp, p_local in ((a, pa, b, pb, b_local), (b, pb, a, pa, a_local)):
                why = pki.check(v, self.views[v], pv, p, self.views[p], pp, p_local, pa.auth)
                if why:
                    return False, why, chosen
            return True, None, chosen
        a_sent = pa.local_id or a_local
        b_sent = pb.local_id or b_local
        if pa.remote_id and str(pa.remote_id) != str(b_sent):
            return False, f"identity mismatch: {a} expects {pa.remote_id}, peer sends {b_sent}", chosen
        if pb.remote_id and str(pb.remote_id) != str(a_sent):
            return False, f"identity mismatch: {b} expects {pb.remote_id}, peer sends {a_sent}", chosen
        return True, None, chosen

    def ike_sas(self):
        for a, va in self.views.items():
            for pa in va.ike.values():
                a_local = self.ike_local(a, pa)
                b = self.addressed_over_carrier(a, pa.peer_address)
                sa = _IkeSa(a=a, a_peer=pa, b=b, b_peer=None, a_local=a_local, established=False)
                if not self.ike_in_use(a, pa) and b is not None and not any(
                        self.ike_in_use(b, q) and _addr(q.peer_address) == _addr(a_local)
                        for q in self.views[b].ike.values()):
                    sa.reason = "not in use (no protected interface references it)"
                    self.ike.append(sa)
                    continue
                if b is None:
                    sa.reason = f"peer {pa.peer_address} unreachable over the carrier"
                    self.ike.append(sa)
                    continue
                ok, why = self.physical_pass(a, b, "udp", 500)
                ok2, why2 = self.physical_pass(b, a, "udp", 500)
                if not (ok and ok2):
                    sa.reason = "IKE packets do not pass: " + (why or why2)
                    self.ike.append(sa)
                    continue
                vb = self.views[b]
                cands = [q for q in vb.ike.values() if _addr(q.peer_address) == _addr(a_local)
                         and _addr(self.ike_local(b, q)) == _addr(pa.peer_address)]
                if not cands:
                    sa.reason = f"{b} has no IKE peer for {a_local}"
                    self.ike.append(sa)
                    continue
                pb = cands[0]
                sa.b_peer = pb
                held = self.renegotiating(a, pa.peer_address) or self.renegotiating(b, a_local)
                if held:
                    sa.reason = f"IKE SA cleared on {held}: re-negotiating (IKE_SA_INIT, IKE_AUTH)"
                    self.ike.append(sa)
                    continue
                sa.established, sa.reason, sa.proposal = self.negotiate_ike(
                    a, pa, b, pb, a_local, self.ike_local(b, pb))
                if not sa.established and sa.reason.startswith("pre-shared key mismatch") and self.authenticated(
                        a, pa, b, pb):
                    sa.established = True      # authenticated when it was set up; the PSK is not asked again
                if sa.established:
                    sa.reason = None
                self.ike.append(sa)

    @staticmethod
    def ike_token(a, pa, b, pb):
        return ("ike", a, pa.name, b, pb.name)

    def authenticated(self, a, pa, b, pb) -> bool:
        """An IKE SA up since the last derivation keeps the authentication it was set up with: the PSK is used in
        IKE_AUTH only, and an IKEv2 IKE SA is rekeyed by CREATE_CHILD_SA without a new AUTH (RFC 7296 sections
        1.3.2, 2.8, 2.15). IKEv1 renews its phase 1 by a new main mode, which authenticates again: a changed PSK
        holds only until the end of the current lifetime."""
        since = self.memo["since"].get(self.ike_token(a, pa, b, pb))
        if since is None:
            return False
        if pa.version == 2:
            return True
        life = max(1, pa.lifetime)
        return (self.now - since) // life == 0

    def renegotiating(self, host, peer_addr) -> str | None:
        """The router on which ``clear crypto session`` / ``clear security ike security-associations`` removed
        the IKE SA to ``peer_addr`` less than IKE_RENEGOTIATE_S ago (docs/lab.md), else None."""
        for (h, peer), until in self.memo.get("cleared", {}).items():
            if until > self.now and h == host and (peer is None or _addr(peer) == _addr(peer_addr)):
                return h
        return None

    def find_ike(self, a, name_or_addr, by_addr=False):
        for s in self.ike:
            if s.a != a:
                continue
            if (not by_addr and s.a_peer.name == name_or_addr) or (
                    by_addr and _addr(s.a_peer.peer_address) == _addr(name_or_addr)):
                return s
        return None

    # -- 3. IPsec -------------------------------------------------------------------------------------
    def eff_mode(self, host, pol):
        iface = self.policy_iface(host, pol)
        return "tunnel" if iface is not None and iface.kind == "ipsec" else (pol.mode or "tunnel")

    def ipsec_sas(self):
        for a, va in self.views.items():
            for pa in va.ipsec.values():
                ia = self.policy_iface(a, pa)
                if ia is None:
                    continue        # a profile applied nowhere negotiates nothing
                peer, local = self.policy_peer(a, pa)
                sa = _IpsecSa(a=a, a_pol=pa, b=None, b_pol=None, a_local=local, a_peer=peer, established=False)
                self.ipsec.append(sa)
                ike = self.find_ike(a, pa.ike_peer) if pa.ike_peer else self.find_ike(a, peer, by_addr=True)
                sa.ike = ike
                if ike is None:
                    sa.reason = "no IKE peer configured for the protected interface"
                    continue
                sa.b = ike.b
                if not ike.established:
                    sa.reason = f"IKE SA down: {ike.reason}"
                    continue
                # IOS tunnel protection (GRE or sVTI): the IPsec peer is the tunnel destination; a tunnel whose
                # destination is not the IKE peer gets no child SA (issue 8 section 5, docs/lab.md "IPsec")
                if ia.tunnel_destination and _addr(ia.tunnel_destination) != _addr(ike.a_peer.peer_address):
                    sa.reason = (f"tunnel destination {ia.tunnel_destination} of {ia.name} is not the IKE peer "
                                 f"{ike.a_peer.peer_address}: no IPsec SA for the tunnel")
                    continue
                b, vb = ike.b, self.views[ike.b]
                cands = []
                for pb in vb.ipsec.values():
                    ib = self.policy_iface(b, pb)
                    if ib is None:
                        continue
                    bpeer, blocal = self.policy_peer(b, pb)
                    if _addr(bpeer) == _addr(local) and _addr(blocal) == _addr(peer):
                        cands.append((pb, ib))
                if not cands:
                    sa.reason = f"{b} has no IPsec policy for {local}"
                    continue
                pb, ib = cands[0]
                sa.b_pol = pb
                if ia.kind != ib.kind:
                    sa.reason = (f"traffic selectors mismatch ({ia.kind} protection vs {ib.kind}): "
                                 "TS_UNACCEPTABLE")
                    continue
                ma, mb = self.eff_mode(a, pa), self.eff_mode(b, pb)
                if ma != mb:
                    # transport mode is only requested (RFC 7296 1.3.1, USE_TRANSPORT_MODE): a peer that wants tunnel
                    # mode declines it and the child SA is a tunnel-mode SA -- unless the transport side says
                    # 'mode transport require' (IOS), which refuses the tunnel-mode SA (ios/README.md)
                    strict = [h for h, m, pol in ((a, ma, pa), (b, mb, pb)) if m == "transport" and pol.mode_required]
                    if strict:
                        sa.reason = (f"encapsulation mode mismatch ({ma} vs {mb}): {strict[0]} requires transport mode "
                                     "('mode transport require'), the peer proposes tunnel mode")
                        continue
                    ma = "tunnel"
                sa.mode = ma
                ike_init_is_a = int(_addr(ike.a_local)) < int(_addr(peer))
                init, resp = (pa, pb) if ike_init_is_a else (pb, pa)

                def tkey(t):
                    enc = t.get("encryption")
                    integ = "none" if enc and enc.startswith("aes-gcm") else (t.get("integrity") or "none")
                    return enc, integ
                chosen = None
                for t in init.transforms:
                    if any(tkey(t) == tkey(u) for u in resp.transforms):
                        chosen = {"encryption": tkey(t)[0], "integrity": tkey(t)[1]}
                        break
                if chosen is None:
                    sa.reason = "no transform chosen (NO_PROPOSAL_CHOSEN)"
                    continue
                if pa.pfs_group != pb.pfs_group:
                    sa.reason = f"PFS mismatch ({pa.pfs_group} vs {pb.pfs_group})"
                    continue
                sa.transform = chosen
                sa.established = True

    def sa_of_iface(self, host, ifname) -> _IpsecSa | None:
        for s in self.ipsec:
            if s.a == host and self.policy_iface(host, s.a_pol) is self.views[host].interfaces.get(ifname):
                return s
        return None

    def reverse_sa(self, s: _IpsecSa) -> _IpsecSa | None:
        for t in self.ipsec:
            if t.a == s.b and t.a_pol is s.b_pol and t.established:
                return t
        return None

    # -- 4. tunnels -----------------------------------------------------------------------------------
    def tunnels(self):
        for host, v in self.views.items():
            for name, i in v.interfaces.items():
                if i.kind == "ipsec":
                    s = self.sa_of_iface(host, name)
                    src_ok = i.tunnel_source is None or self._src_up(host, i.tunnel_source)
                    self.up[host][name] = bool(i.enabled and src_ok and s is not None and s.established)
                elif i.kind == "gre":
                    self.up[host][name] = False
        for _ in range(3):   # GRE over GRE/sVTI: settle in a few passes
            for host, v in self.views.items():
                for name, i in v.interfaces.items():
                    if i.kind != "gre":
                        continue
                    self.up[host][name] = bool(
                        i.enabled and i.tunnel_source and i.tunnel_destination
                        and self._src_up(host, i.tunnel_source)
                        and self.connected(host, i.tunnel_destination, exclude=name))

    def _src_up(self, host, src):
        name = self.owner(host, src)
        if name is None:
            name = src if src in self.views[host].interfaces else None
        return bool(name and self.up[host].get(name))

    # -- 5. connections -------------------------------------------------------------------------------
    def connections(self):
        hosts = list(self.views)
        for link in (self.topo.links.values() if self.topo else ()):
            a, b = link.a, link.b      # link order: the same (a, b) whatever subset of hosts is derived
            if a not in self.views or b not in self.views:
                continue
            ai, bi = link.a_interface, link.b_interface
            if ai in self.views[a].interfaces and bi in self.views[b].interfaces:
                self.conns.append(Conn(a, ai, b, bi, "physical", link.name))
            for ta, ia in self.views[a].interfaces.items():
                if ia.kind not in ("gre", "ipsec"):
                    continue
                for tb, ib in self.views[b].interfaces.items():
                    if ib.kind != ia.kind:
                        continue
                    if (_addr(ia.tunnel_destination) == _addr(ib.tunnel_source)
                            and _addr(ib.tunnel_destination) == _addr(ia.tunnel_source)
                            and ia.tunnel_source is not None):
                        self.conns.append(Conn(a, ta, b, tb, ia.kind, link.name))
        for a in hosts:
            h = self.host(a)
            if h and h.core_interface in self.views[a].interfaces:
                self.conns.append(Conn(a, h.core_interface, NEIGHBOR, h.core_neighbor_address, "neighbor"))

    def conn_pass(self, c: Conn, frm, proto, port=None, inner=HELLO_IP_SIZE, labels=0, df=True):
        """Can a packet of IP size ``inner`` (carrying ``labels``) go from ``frm`` across connection c?

        Returns (ok, reason, wire_size, via_sa) where via_sa is the _IpsecSa on the sending side."""
        if c.kind == "neighbor":
            v = self.views[c.a]
            i = v.interfaces[c.a_if]
            if not self.up[c.a].get(c.a_if):
                return False, "interface down", None, None
            if not filter_permits(v, i, proto, port) or not host_inbound_ok(v, c.a_if, proto, port):
                return False, "inbound filter", None, None
            return True, None, inner, None
        to = c.b if frm == c.a else c.a
        f_if, t_if = (c.a_if, c.b_if) if frm == c.a else (c.b_if, c.a_if)
        if not (self.up[frm].get(f_if) and self.up[to].get(t_if)):
            return False, "line protocol down", None, None
        if labels:
            # a label is imposed only out of an MPLS interface, and an interface without MPLS drops labelled
            # packets it receives (IOS "mpls ip", Junos "family mpls" + "protocols mpls interface"; docs/lab.md)
            off = [f"{h} {i}" for h, i in ((frm, f_if), (to, t_if)) if not self.views[h].interfaces[i].mpls]
            if off:
                return False, f"labelled packet dropped: MPLS not enabled on {', '.join(off)}", None, None
        if c.kind == "physical":
            if labels and not (fwd_mode_ok(self.views[frm], "mpls") and fwd_mode_ok(self.views[to], "mpls")):
                return False, "labelled packet dropped: MPLS forwarding mode in effect is not packet-based", None, None
            if labels:
                inner_wire = inner + 4 * labels
            else:
                inner_wire = inner
                got = gdoi.crypto_map_pass(self, c.link, frm, to, proto, port, inner, 0, None, df)
                if got is not None:
                    return got + (None,)
            ok, why = self.physical_pass(frm, to, proto, port, size=inner_wire)
            return ok, why, inner_wire, None
        vf, vt = self.views[frm], self.views[to]
        fi, ti = vf.interfaces[f_if], vt.interfaces[t_if]
        if labels and not (fwd_mode_ok(vf, "mpls") and fwd_mode_ok(vt, "mpls")):
            who = frm if not fwd_mode_ok(vf, "mpls") else to
            return False, f"labelled packet dropped by {who}: MPLS forwarding mode in effect is not packet-based", None, None
        if not host_inbound_ok(vt, t_if, proto, port):
            return False, f"{proto} not allowed by the security zone of {to} {t_if}", None, None
        if c.kind == "ipsec":
            s = self.sa_of_iface(frm, f_if)
            if s is None or not s.established:
                return False, "no IPsec SA", None, None
            from . import packets
            wire = packets.wire_size(inner, 0, "none", "tunnel", s.transform["encryption"],
                                     s.transform["integrity"])
            ok, why = self.physical_pass(frm, to, "esp", None, size=wire, outer_frag=self.outer_frag(s, df))
            return ok, why, wire, s
        # GRE
        if fi.tunnel_key != ti.tunnel_key:
            return False, "GRE key mismatch", None, None
        if bool(fi.ipsec_policy or self.sa_of_iface(frm, f_if)) != bool(ti.ipsec_policy or self.sa_of_iface(to, t_if)):
            return False, "tunnel protection on one end only", None, None
        from . import packets
        s = self.sa_of_iface(frm, f_if)
        under = self.connected(frm, fi.tunnel_destination, exclude=f_if)
        under_if = vf.interfaces.get(under) if under else None
        if s is not None:
            if not s.established:
                return False, "tunnel protection: no IPsec SA", None, None
            wire = packets.wire_size(inner, labels, "gre", s.mode, s.transform["encryption"],
                                     s.transform["integrity"], fi.tunnel_key)
            if under is not None and under == self.carrier_if(frm, c.link):
                ok, why = self.physical_pass(frm, to, "esp", None, size=wire, outer_frag=self.outer_frag(s, df))
                return ok, why, wire, s
            return False, "protected tunnel not routed over the carrier", None, None
        if under_if is not None and under_if.kind == "ipsec":
            s2 = self.sa_of_iface(frm, under)
            if s2 is None or not s2.established or not self.up[frm].get(under):
                return False, "underlying IPsec tunnel down", None, None
            wire = packets.wire_size(inner, labels, "gre", "tunnel", s2.transform["encryption"],
                                     s2.transform["integrity"], fi.tunnel_key)
            ok, why = self.physical_pass(frm, to, "esp", None, size=wire, outer_frag=self.outer_frag(s2, df))
            return ok, why, wire, s2
        if under is not None and under == self.carrier_if(frm, c.link):
            got = gdoi.crypto_map_pass(self, c.link, frm, to, "gre", None, inner, labels, fi, df)
            if got is not None:       # GET VPN crypto map on the carrier: the GRE packet matched against its policy
                return got + (None,)
            wire = packets.wire_size(inner, labels, "gre", None, gre_key=fi.tunnel_key)
            ok, why = self.physical_pass(frm, to, "gre", None, size=wire, outer_frag=not df)
            return ok, why, wire, None
        return False, "tunnel destination not routed", None, None

    @staticmethod
    def outer_frag(s, df):
        """May the router fragment the encrypted packet? (inner DF copied to the outer header by default)"""
        return (not df) or s.a_pol.df_bit == "clear"

    def conn_pass_both(self, c, proto, port=None, inner=HELLO_IP_SIZE):
        ok1, why1, _, _ = self.conn_pass(c, c.a, proto, port, inner)
        if c.kind == "neighbor":
            return ok1, why1
        ok2, why2, _, _ = self.conn_pass(c, c.b, proto, port, inner)
        return ok1 and ok2, why1 or why2

    # -- 6. IGP ---------------------------------------------------------------------------------------
    def igp(self):
        for c in self.conns:
            va = self.views[c.a]
            ia = va.interfaces[c.a_if]
            if c.kind == "neighbor":
                h = self.host(c.a)
                if self.neighbor_ospf_ok(c):
                    self.adj[c.a].append(model.Adjacency("ospf", c.a_if, h.core_neighbor_address, h.core_neighbor_id,
                                                         "FULL", self.since(("ospf", c.a, c.a_if, NEIGHBOR))))
                continue
            vb = self.views[c.b]
            ib = vb.interfaces[c.b_if]
            pair = self.same_subnet(ia, ib)
            if pair is None:
                continue
            xa, xb = pair
            # OSPF
            oa, ob = ia.ospf, ib.ospf
            if (va.ospf is not None and vb.ospf is not None and oa and ob
                    and not oa.get("passive") and not ob.get("passive")
                    and _area(oa.get("area")) == _area(ob.get("area"))
                    and eff_p2p(ia, oa) == eff_p2p(ib, ob)
                    and ospf_hello_params(ia, oa) == ospf_hello_params(ib, ob)
                    and (eff_ip_mtu(va, ia) == eff_ip_mtu(vb, ib) or oa.get("mtu_ignore") or ob.get("mtu_ignore"))
                    and self.conn_pass_both(c, "ospf")[0]):
                since = self.since(("ospf", c.a, c.a_if, c.b, c.b_if))
                self.adj[c.a].append(model.Adjacency("ospf", c.a_if, str(xb.ip), self.rid(c.b), "FULL", since))
                self.adj[c.b].append(model.Adjacency("ospf", c.b_if, str(xa.ip), self.rid(c.a), "FULL", since))
            # IS-IS (hellos are padded to the interface MTU)
            sa_, sb_ = ia.isis, ib.isis
            if (va.isis is not None and vb.isis is not None and sa_ and sb_
                    and not sa_.get("passive") and not sb_.get("passive")
                    and eff_p2p(ia, sa_) == eff_p2p(ib, sb_)
                    and fwd_mode_ok(va, "iso") and fwd_mode_ok(vb, "iso")):
                size = min(eff_ip_mtu(va, ia), eff_ip_mtu(vb, ib))
                if self.conn_pass_both(c, "isis", None, inner=size)[0]:
                    since = self.since(("isis", c.a, c.a_if, c.b, c.b_if))
                    self.adj[c.a].append(model.Adjacency("isis", c.a_if, str(xb.ip), c.b, "Up", since))
                    self.adj[c.b].append(model.Adjacency("isis", c.b_if, str(xa.ip), c.a, "Up", since))

    def neighbor_ospf_ok(self, c: Conn) -> bool:
        """OSPF with the emulated in-building neighbour: area 0, not passive, IP MTU 1500, hellos pass."""
        va = self.views[c.a]
        ia = va.interfaces[c.a_if]
        h = self.host(c.a)
        sub = any(_addr(h.core_neighbor_address) in x.network for x in ia.ipv4)
        return bool(va.ospf is not None and ia.ospf and not ia.ospf.get("passive") and sub
                    and _area(ia.ospf.get("area")) == "0.0.0.0" and eff_ip_mtu(va, ia) == 1500
                    and self.conn_pass_both(c, "ospf")[0])

    def core_reach(self, host, proto="udp", port=None) -> bool:
        """Does ``host`` reach the clear in-building core (the key servers' side, docs/lab.md "GET VPN"): its
        in-building interface up with OSPF to the emulated neighbour, and ``proto``/``port`` passing its filter."""
        c = next((c for c in self.conns if c.kind == "neighbor" and c.a == host), None)
        return c is not None and self.neighbor_ospf_ok(c) and self.conn_pass(c, host, proto, port)[0]

    def core_routes(self, host, addr) -> bool:
        """Does the clear core route ``addr`` back to ``host``: the address is on an up interface of ``host`` that runs
        OSPF (a passive loopback counts: it is advertised), and ``host`` has its OSPF adjacency into the core. A carrier
        address stops being routed once OSPF leaves the carrier (cut-over) -- docs/lab.md "GET VPN", lab decision."""
        name = self.owner(host, addr)
        v = self.views.get(host)
        if name is None or v is None or not self.up[host].get(name):
            return False
        ospf = v.interfaces[name].ospf
        return bool(v.ospf is not None and ospf and ospf.get("area") is not None and self.core_reach(host, "ospf"))

    def rid(self, host):
        v = self.views[host]
        return (v.ospf or {}).get("router_id") or v.router_id or (self.host(host).router_id if self.host(host) else None)

    def igp_up(self, host, ifname, peer=None):
        return [x for x in self.adj[host] if x.protocol in ("ospf", "isis") and x.interface == ifname
                and (peer is None or x.peer_id == peer or peer == NEIGHBOR)]

    def advertises_rid(self, host):
        v = self.views[host]
        rid = _addr(v.router_id or self.rid(host))
        for i in v.interfaces.values():
            if any(x.ip == rid for x in i.ipv4) and (i.ospf or i.isis) and i.enabled:
                return True
        return False

    # -- 7. LDP ---------------------------------------------------------------------------------------
    def ldp(self):
        hellos = {}
        for c in self.conns:
            va = self.views[c.a]
            ia = va.interfaces[c.a_if]
            if not (va.ldp_enabled and ia.ldp and ia.mpls and self.up[c.a].get(c.a_if)):
                continue
            if va.platform == "ios" and ia.kind == "ipsec":
                continue          # IOS-XE sVTI: "mpls ip" accepted, LDP never forms (IP-only interface)
            if c.kind == "neighbor":
                if self.igp_up(c.a, c.a_if) and self.advertises_rid(c.a) and self.conn_pass_both(c, "udp", 646)[0]:
                    hellos.setdefault((c.a, NEIGHBOR), []).append(c)
                continue
            vb = self.views[c.b]
            ib = vb.interfaces[c.b_if]
            if not (vb.ldp_enabled and ib.ldp and ib.mpls):
                continue
            if vb.platform == "ios" and ib.kind == "ipsec":
                continue
            if not self.igp_up(c.a, c.a_if):
                continue
            if not self.conn_pass_both(c, "udp", 646)[0]:
                continue
            if not self.link_up(c.link):
                continue
            hellos.setdefault((c.a, c.b), []).append(c)
        for (a, b), conns in hellos.items():
            if b == NEIGHBOR:
                h = self.host(a)
                since = self.since(("ldp", a, NEIGHBOR))
                for c in conns:
                    self.adj[a].append(model.Adjacency("ldp", c.a_if, h.core_neighbor_id, f"{h.core_neighbor_id}:0",
                                                       "Operational", since))
                continue
            # transport addresses (router ids) must be advertised in the IGP and TCP 646 must pass
            if not (self.advertises_rid(a) and self.advertises_rid(b)):
                continue
            if not any(self.conn_pass_both(c, "tcp", 646)[0] for c in conns):
                continue
            since = self.since(("ldp", a, b))
            self.ldp_sessions.add(frozenset((a, b)))
            ra, rb = self.views[a].router_id or self.rid(a), self.views[b].router_id or self.rid(b)
            for c in conns:
                self.adj[a].append(model.Adjacency("ldp", c.a_if, rb, f"{rb}:0", "Operational", since))
                self.adj[b].append(model.Adjacency("ldp", c.b_if, ra, f"{ra}:0", "Operational", since))
            self.ldp_hello.extend(conns)

    # -- 8. SA state ----------------------------------------------------------------------------------
    def sa_token(self, s):
        return ("ipsec", s.a, s.a_pol.name, s.b, s.b_pol.name if s.b_pol else None)

    def ike_state(self, s: _IkeSa) -> model.SaState:
        st = model.SaState(name=s.a_peer.name, local=s.a_local or "", peer=s.a_peer.peer_address,
                           status="UP" if s.established else "DOWN", established=s.established,
                           proposal=dict(s.proposal), lifetime=s.a_peer.lifetime, reason=s.reason)
        if s.established:
            tok = ("ike", s.a, s.a_peer.name, s.b, s.b_peer.name)
            st.created = self.since(tok)
            gen = int((self.now - st.created) // max(1, s.a_peer.lifetime))
            st.created += gen * s.a_peer.lifetime
            lo, hi = sorted([(s.a, s.a_peer.name), (s.b, s.b_peer.name)])
            st.spi_in = spi("ike", lo, hi, self.memo["since"][tok], gen, s.a)
            st.spi_out = spi("ike", lo, hi, self.memo["since"][tok], gen, s.b)
        return st

    def ipsec_state(self, s: _IpsecSa, rates: dict) -> model.SaState:
        iface = self.policy_iface(s.a, s.a_pol)
        st = model.SaState(name=s.a_pol.name, local=s.a_local or "", peer=s.a_peer or "",
                           status="UP" if s.established else "DOWN", established=s.established,
                           proposal=dict(s.transform), mode=s.mode or self.eff_mode(s.a, s.a_pol),
                           interface=iface.name if iface else None, lifetime=s.a_pol.lifetime, reason=s.reason)
        if not s.established:
            return st
        lo, hi = sorted([(s.a, s.a_pol.name), (s.b, s.b_pol.name)])
        pair_tok = ("ipsec-pair", lo, hi)
        born = self.since(pair_tok)
        self.since(self.sa_token(s))
        gen = int((self.now - born) // max(1, s.a_pol.lifetime))
        st.created = born + gen * s.a_pol.lifetime
        st.spi_in = spi("esp", lo, hi, born, gen, s.a)     # new SPIs for every negotiation (born) and rekey (gen)
        st.spi_out = spi("esp", lo, hi, born, gen, s.b)
        rate = rates.get(pair_tok, 0.0)
        hello = int(rate * (self.now - born))
        extra = self.memo["extra"]
        mine = extra.get(("ipsec", s.a, pair_tok), {})
        st.pkts_encaps = hello + mine.get("encaps", 0)
        st.pkts_decaps = hello + mine.get("decaps", 0)
        st.bytes_encaps = hello * HELLO_IP_SIZE + mine.get("bytes_encaps", 0)
        st.bytes_decaps = hello * HELLO_IP_SIZE + mine.get("bytes_decaps", 0)
        self.seen.add(("ipsec", s.a, pair_tok))
        return st

    def sa_pair_token(self, s: _IpsecSa):
        lo, hi = sorted([(s.a, s.a_pol.name), (s.b, s.b_pol.name)])
        return ("ipsec-pair", lo, hi)

    def rates(self) -> dict:
        out = {}
        for host, adjs in self.adj.items():
            for x in adjs:
                c = next((c for c in self.conns if (c.a == host and c.a_if == x.interface)), None)
                if c is None or c.kind not in ("gre", "ipsec"):
                    continue
                ok, _, _, s = self.conn_pass(c, c.a, "ospf")
                if s is not None and s.established and s.b_pol is not None:
                    tok = self.sa_pair_token(s)
                    out[tok] = out.get(tok, 0.0) + RATE.get(x.protocol, 0.1)
        return out

    def macsec_rates(self) -> dict:
        """Hello packets per second one way over each carrier link (adjacencies on it or on tunnels across it)."""
        out = {}
        for host, adjs in self.adj.items():
            for x in adjs:
                c = next((c for c in self.conns if c.a == host and c.a_if == x.interface), None)
                if c is not None and c.link:
                    out[c.link] = out.get(c.link, 0.0) + RATE.get(x.protocol, 0.1)
        return out

    def states(self) -> dict:
        rates = self.rates()
        mrates = self.macsec_rates()
        out = {}
        for host in self.views:
            ls = model.LinkState()
            ls.interfaces_up = dict(self.up[host])
            ls.ike_sas = [self.ike_state(s) for s in self.ike if s.a == host]
            ls.ipsec_sas = [self.ipsec_state(s, rates) for s in self.ipsec if s.a == host]
            ls.adjacencies = list(self.adj[host])
            clear = []
            for c in self.ldp_hello:
                if c.kind == "physical":
                    clear.append(c.a_if if c.a == host else c.b_if if c.b == host else None)
            ls.clear_mpls_interfaces = sorted({x for x in clear if x})
            ls.mka = macsec.mka_states(self, host, mrates)
            ls.gdoi = gdoi.states(self, host)
            out[host] = ls
        return out

    def run(self):
        self.physical()
        self.mka_sessions = macsec.derive(self)
        self.ike_sas()
        self.ipsec_sas()
        self.tunnels()
        self.connections()
        self.gdoi = gdoi.derive(self)
        self.igp()
        self.ldp()
        return self.states()

    def forget_unseen(self):
        """Drop the history of what this derivation could see and did not: tokens whose routers all have a
        view here (a ring router's derivation sees its neighbours, not their other links)."""
        hosts = set(self.views)
        known = set(self.topo.hosts) if self.topo else hosts
        for store in (self.memo["since"], self.memo["extra"]):
            for tok in list(store):
                if tok in self.seen:
                    continue
                involved = {p for p in _flatten(tok) if isinstance(p, str)} & known
                if involved and involved <= hosts:
                    del store[tok]


def clear_ike(views: dict, memo: dict, host: str, peer: str | None, now: float) -> int:
    """``host`` deletes its IKE SAs (to ``peer``, or all) and their child SAs, as ``clear crypto session [remote
    peer]`` (IOS-XE) and ``clear security ike security-associations [peer]`` (Junos) do: the peer is told (DELETE),
    the SAs are re-negotiated from scratch with the configuration in force, which takes IKE_RENEGOTIATE_S.
    Returns how many IKE peers of ``host`` it matched."""
    v = views.get(host)
    peers = [p for p in (v.ike.values() if v else []) if peer is None or _addr(p.peer_address) == _addr(peer)]
    if peers:
        memo.setdefault("cleared", {})[(host, peer)] = now + IKE_RENEGOTIATE_S
        for k, until in list(memo["cleared"].items()):
            if until <= now:
                del memo["cleared"][k]
    return len(peers)


def _flatten(t):
    for x in t:
        if isinstance(x, tuple):
            yield from _flatten(x)
        else:
            yield x


def _analyse(views, topology, faults, now, memo):
    ctx = _Ctx(views, topology, faults, now, memo)
    states = ctx.run()
    ctx.forget_unseen()
    return ctx, states


def derive(views: dict, topology, faults: Faults | None = None, now: float = 0.0, memo: dict | None = None) -> dict:
    """{host: LinkState} for every host that has a view (None views are absent devices)."""
    return _analyse(views, topology, faults, now, memo)[1]


# -- ping ---------------------------------------------------------------------------------------------
def _fragments(size, mtu):
    if size <= mtu:
        return [size]
    per = (mtu - 20) // 8 * 8
    data = size - 20
    n = math.ceil(data / per)
    return [per + 20] * (n - 1) + [data - per * (n - 1) + 20]


def _route(ctx, host, dst):
    """(connection, egress interface, someone answers for dst there) of the route ``host`` uses to ``dst``:
    connected, then IGP-learned (one hop: the pair, or the emulated in-building neighbour; lowest OSPF cost)."""
    v = ctx.views[host]
    a = _addr(dst)
    egress = ctx.connected(host, dst)
    conn, target_ok = None, False
    if egress:
        for c in ctx.conns:
            if c.a == host and c.a_if == egress:
                conn = c
                target_ok = (c.b == NEIGHBOR and c.b_if == dst) or (c.b != NEIGHBOR and ctx.owner(c.b, dst) is not None)
            elif c.b == host and c.b_if == egress:
                conn = c
                target_ok = ctx.owner(c.a, dst) is not None
            if conn is not None:
                break
    else:
        best = None
        for x in ctx.adj[host]:
            if x.protocol != "ospf":
                continue
            c = next((c for c in ctx.conns if (c.a == host and c.a_if == x.interface)
                      or (c.b == host and c.b_if == x.interface)), None)
            if c is None:
                continue
            far = c.b if c.a == host else c.a
            reach = False
            if far == NEIGHBOR:
                reach = str(a) == ctx.host(host).core_neighbor_id
            else:
                vf = ctx.views[far]
                for i in vf.interfaces.values():
                    if i.ospf and i.enabled and any(a in y.network for y in i.ipv4):
                        reach = True
                h = ctx.host(far)
                if h and str(a) == h.core_neighbor_id and ctx.igp_up(far, h.core_interface):
                    reach = True
            if not reach:
                continue
            cost = (v.interfaces[x.interface].ospf or {}).get("cost") or DEFAULT_OSPF_COST.get(
                v.interfaces[x.interface].kind, 1)
            if best is None or (cost, x.interface) < best[0]:
                best = ((cost, x.interface), c)
        if best:
            conn, target_ok = best[1], True
            egress = best[0][1]
    return conn, egress, target_ok


def ping(views: dict, topology, faults: Faults | None, now: float, host: str, dst: str, size: int = 100,
         df: bool = False, source: str | None = None, count: int = 5, labels: int = 0,
         memo: dict | None = None) -> PingResult:
    """Send ``count`` echoes of IP size ``size`` from ``host`` to ``dst``; see module doc."""
    ctx, _ = _analyse(views, topology, faults, now, memo)
    v = ctx.views.get(host)
    fail = lambda reason, **kw: PingResult([False] * count, reason, **kw)  # noqa: E731
    if v is None:
        return fail("no-route")
    if source:
        if not (ctx.owner(host, source) or source in v.interfaces):
            return fail("bad-source", detail=f"{source} is not a local address or interface")
    a = _addr(dst)
    if a is None:
        return fail("no-route", detail="bad address")
    if size < 28:
        size = 28
    if ctx.owner(host, dst) and ctx.up[host].get(ctx.owner(host, dst)):
        return PingResult([True] * count, "ok", egress=ctx.owner(host, dst), wire=size)
    conn, egress, target_ok = _route(ctx, host, dst)
    if conn is None or not egress:
        return fail("no-route", detail=f"no route to {dst}")
    iface = v.interfaces[egress]
    mtu = eff_ip_mtu(v, iface)
    if df and size > mtu:
        return fail("mtu", egress=egress, detail=f"{size} > ip mtu {mtu} of {egress} with DF set")
    if not target_ok:
        return fail("timeout", egress=egress, detail=f"nobody answers for {dst}")
    frags = _fragments(size, mtu)
    wire = 0
    sa = None
    for frag in frags:
        ok, why, w, s = ctx.conn_pass(conn, host, "icmp", None, inner=frag, labels=labels, df=df)
        sa = s or sa
        if w is not None:
            wire = max(wire, w)
        if not ok:
            phys_if = ctx.carrier_if(host, conn.link)
            if w is not None and phys_if and conn.kind in ("gre", "ipsec") and "larger" in (why or ""):
                # encapsulated packet bigger than what the egress interface says it carries -> local M
                phys = v.interfaces.get(phys_if)
                if phys is not None and df and w > eff_ip_mtu(v, phys):
                    return fail("mtu", egress=egress, wire=w, detail=f"encapsulated {w} > {eff_ip_mtu(v, phys)}")
            _count(ctx, sa, count, frag, delivered=False, conn=conn, frm=host)
            return fail("timeout", egress=egress, wire=w, detail=why)
        back = conn.b if conn.a == host else conn.a
        if back != NEIGHBOR:
            ok2, why2, _, _ = ctx.conn_pass(conn, back, "icmp", None, inner=frag, labels=labels, df=df)
            if not ok2:
                _count(ctx, sa, count, frag, delivered=True, replied=False, conn=conn, frm=host)
                return fail("timeout", egress=egress, wire=w, detail="reply: " + (why2 or ""))
    _count(ctx, sa, count, size, delivered=True, replied=True, conn=conn, frm=host)
    return PingResult([True] * count, "ok", egress=egress, wire=wire)


def eff_mpls_mtu(view: model.DeviceView, iface: model.Interface) -> int:
    """Largest labelled packet (labels included) sent out of ``iface``: ``mpls mtu`` / ``family mpls mtu``, else
    the interface's IP MTU (lab decision, docs/lab.md "LSP ping")."""
    return iface.mpls_mtu if iface.mpls_mtu is not None else eff_ip_mtu(view, iface)


def lsp_ping(views: dict, topology, faults: Faults | None, now: float, host: str, fec: str, size: int,
             labels: int, count: int = 5, out_if: str | None = None, memo: dict | None = None) -> PingResult:
    """MPLS echo requests (RFC 8029, UDP 3503, DF set) from ``host`` down the LDP LSP to ``fec`` (a /32).

    ``size`` is the request with its label stack (``labels`` labels: 1 for IOS ``force-explicit-null``,
    0 where the penultimate hop pops, as a Junos one-hop ``ping mpls ldp``).  Reasons: ``no-lsp`` (no LDP
    label binding for the FEC through the IGP next hop: IOS 'Q'), ``mtu`` (bigger than the egress MPLS MTU:
    not sent, IOS 'Q'), ``timeout`` (request or reply lost on the way: '.'), ``ok``.  ``out_if`` (IOS ``output
    interface``) sends the requests out of that interface instead of the best IGP path."""
    ctx, _ = _analyse(views, topology, faults, now, memo)
    fail = lambda reason, **kw: PingResult([False] * count, reason, **kw)  # noqa: E731
    v = ctx.views.get(host)
    if v is None or _addr(fec) is None:
        return fail("no-lsp", detail="bad FEC")
    conn, egress, target_ok = _route(ctx, host, fec)
    if out_if is not None and out_if != egress:
        conn = next((c for c in ctx.conns if (c.a, c.a_if) == (host, out_if) or (c.b, c.b_if) == (host, out_if)), None)
        far = None if conn is None else (conn.b if conn.a == host else conn.a)
        egress, target_ok = out_if, far not in (None, NEIGHBOR) and ctx.owner(far, fec) is not None
    if conn is None or not egress or conn.kind == "neighbor":
        return fail("no-lsp", detail=f"no IGP route to {fec} toward an LDP peer")
    far = conn.b if conn.a == host else conn.a
    far_rid = ctx.views[far].router_id or ctx.rid(far)
    if not any(x.protocol == "ldp" and x.interface == egress and x.peer_id == f"{far_rid}:0" for x in ctx.adj[host]):
        return fail("no-lsp", egress=egress, detail=f"no LDP label binding for {fec}/32 via {egress}")
    if not target_ok:
        return fail("timeout", egress=egress, detail=f"nobody answers for {fec}")
    limit = eff_mpls_mtu(v, v.interfaces[egress])
    if size > limit:
        return fail("mtu", egress=egress, detail=f"{size} > mpls mtu {limit} of {egress} (DF set)")
    ok, why, wire, sa = ctx.conn_pass(conn, host, "udp", 3503, inner=size - 4 * labels, labels=labels, df=True)
    if not ok:
        _count(ctx, sa, count, size, delivered=False, conn=conn, frm=host)
        return fail("timeout", egress=egress, wire=wire, detail=why)
    # the echo reply: IPv4 UDP from the egress back to the sender, as big as the request (its pad TLV)
    ok2, why2, _, _ = ctx.conn_pass(conn, far, "udp", 3503, inner=size - 4 * labels, df=True)
    if not ok2:
        _count(ctx, sa, count, size, delivered=True, replied=False, conn=conn, frm=host)
        return fail("timeout", egress=egress, wire=wire, detail="reply: " + (why2 or ""))
    _count(ctx, sa, count, size, delivered=True, replied=True, conn=conn, frm=host)
    return PingResult([True] * count, "ok", egress=egress, wire=wire)


def _count(ctx, sa, count, size, delivered, replied=False, conn=None, frm=None):
    if conn is not None and conn.kind != "neighbor":
        macsec.count(ctx, conn.link, frm, count, size, delivered, replied)
    if sa is None or not sa.established or sa.b_pol is None:
        return
    tok = ctx.sa_pair_token(sa)
    extra = ctx.memo["extra"]

    def add(host, key, n, b):
        d = extra.setdefault(("ipsec", host, tok), {})
        d[key] = d.get(key, 0) + n
        d["bytes_" + key] = d.get("bytes_" + key, 0) + b
    add(sa.a, "encaps", count, count * size)
    if delivered:
        add(sa.b, "decaps", count, count * size)
    if replied:
        add(sa.b, "encaps", count, count * size)
        add(sa.a, "decaps", count, count * size)


def traffic(views, topology, faults, now, packets_n: int = 100, size: int = 1000, memo: dict | None = None) -> int:
    """Move ``packets_n`` packets each way across every established IPsec SA and every secured MACsec link (the
    IPsec packets cross the carrier inside MACsec too); returns SAs and MACsec sessions touched."""
    ctx, _ = _analyse(views, topology, faults, now, memo)
    touched = set()
    for s in ctx.mka_sessions.values():
        if s.secured:
            touched.add(("macsec", s.link))
            macsec.count(ctx, s.link, s.a, packets_n, size, delivered=True, replied=True)
    for s in ctx.ipsec:
        if s.established and s.b_pol is not None and ctx.reverse_sa(s) is not None:
            tok = ctx.sa_pair_token(s)
            if tok in touched:
                continue
            touched.add(tok)
            _count(ctx, s, packets_n, size, delivered=True, replied=True)
    return len(touched)

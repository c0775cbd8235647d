"""Hand-built DeviceViews (no device classes involved) for the physics tests."""
from __future__ import annotations

import ipaddress

from mplssec_lab import model
from mplssec_lab.topology import build, ipsec_subnet

PSK = "correct-horse-battery-staple"
IKE = [{"encryption": "aes-gcm-256", "integrity": "none", "prf": "sha384", "dh_group": 20}]
ESP = [{"encryption": "aes-gcm-256", "integrity": "none"}]


def ifc(name, kind="ethernet", addr=None, **kw):
    i = model.Interface(name=name, kind=kind, **kw)
    if addr:
        i.ipv4 = [ipaddress.IPv4Interface(addr)]
    return i


def base(topo, host):
    """The clear baseline: OSPF + LDP on the core and every carrier interface."""
    h = topo.hosts[host]
    v = model.DeviceView(hostname=host, platform=h.platform, router_id=h.router_id, ldp_enabled=True,
                         ospf={"process": "1", "router_id": None})
    v.interfaces[h.loopback] = ifc(h.loopback, "loopback", f"{h.router_id}/32",
                                   ospf={"process": "1", "area": "0", "passive": True})
    for name, addr in [(h.core_interface, h.core_address)] + [x.end(host) for x in topo.links_of(host)]:
        v.interfaces[name] = ifc(name, "ethernet", addr, mpls=True, ldp=True,
                                 ospf={"process": "1", "area": "0", "cost": 10})
    return v


def encrypt(topo, views, *, mode=None, psk_a=PSK, psk_b=PSK, dh_b=20, mode_b=None, ldp_b=True,
            ipsec_mtu=None, tunnel_mtu=None, fail_closed=True, svti=None):
    """Apply the collection's intended end state by hand: GRE+IPsec, IGP/LDP moved to the tunnel."""
    link = next(iter(topo.links.values()))
    mode = mode or link.ipsec_mode
    tun = ipaddress.ip_network(link.tunnel_ipv4)
    if svti is None:
        svti = bool(link.ipsec_ipv4)
    sec = ipaddress.ip_network(link.ipsec_ipv4 or str(ipsec_subnet(link.pair)))
    for side, host in (("a", link.a), ("b", link.b)):
        v = views[host]
        me, peer = (0, 1) if side == "a" else (1, 0)
        carrier_if, local = link.end(host)
        local = local.split("/")[0]
        remote = link.end(link.other(host))[1].split("/")[0]
        props = [dict(p, dh_group=(dh_b if side == "b" else p["dh_group"])) for p in IKE]
        v.ike["MPLSSEC-CORE1"] = model.IkePeer(name="MPLSSEC-CORE1", version=2, local_address=local,
                                               peer_address=remote, proposals=props,
                                               psk=psk_a if side == "a" else psk_b)
        m = mode if side == "a" or mode_b is None else mode_b
        ios = v.platform == "ios"
        tname = "Tunnel100" if ios else "gr-0/0/0.100"
        if m == "transport" or not svti:
            v.ipsec["MPLSSEC-CORE1"] = model.IpsecPolicy(name="MPLSSEC-CORE1", ike_peer="MPLSSEC-CORE1",
                                                         transforms=ESP, mode=m, pfs_group=20, interface=tname)
            v.interfaces[tname] = ifc(tname, "gre", f"{tun.network_address + me}/31", tunnel_source=local,
                                      tunnel_destination=remote, ipsec_policy="MPLSSEC-CORE1", ip_mtu=tunnel_mtu,
                                      mpls=True, ldp=True if side == "a" else ldp_b,
                                      ospf={"process": "1", "area": "0", "cost": 10, "p2p": True})
        else:
            sname = "Tunnel1100" if ios else "st0.100"
            v.ipsec["MPLSSEC-CORE1"] = model.IpsecPolicy(name="MPLSSEC-CORE1", ike_peer="MPLSSEC-CORE1",
                                                         transforms=ESP, mode="tunnel", pfs_group=20,
                                                         interface=sname)
            v.interfaces[sname] = ifc(sname, "ipsec", f"{sec.network_address + me}/31", tunnel_source=local,
                                      tunnel_destination=remote, ipsec_policy="MPLSSEC-CORE1", ip_mtu=ipsec_mtu)
            v.interfaces[tname] = ifc(tname, "gre", f"{tun.network_address + me}/31",
                                      tunnel_source=str(sec.network_address + me),
                                      tunnel_destination=str(sec.network_address + peer), ip_mtu=tunnel_mtu,
                                      mpls=True, ldp=True if side == "a" else ldp_b,
                                      ospf={"process": "1", "area": "0", "cost": 10, "p2p": True})
        carrier = v.interfaces[carrier_if]
        carrier.mpls = carrier.ldp = False
        carrier.ospf = None
        if fail_closed:
            carrier.filter_in = "MPLSSEC-CORE1-IN"
            v.filters["MPLSSEC-CORE1-IN"] = [{"action": "permit", "proto": "udp", "port": 500},
                                             {"action": "permit", "proto": "udp", "port": 4500},
                                             {"action": "permit", "proto": "esp", "port": None}]
    return views


def pair(kind="ios-junos", **kw):
    """(topology, views) for pair 1 (ios-junos), pair 2 (ios-ios) or pair 3 (junos-junos) alone."""
    topo = build(3)
    k = {"ios-junos": 1, "ios-ios": 2, "junos-junos": 3}[kind]
    link = topo.links[f"core{k}"]
    topo.links = {link.name: link}
    topo.hosts = {h: topo.hosts[h] for h in (link.a, link.b)}
    views = {h: base(topo, h) for h in topo.hosts}
    return topo, views

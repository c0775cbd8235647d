"""GET VPN (Cisco Group Encrypted Transport VPN) / Junos Group VPNv2: GDOI (RFC 6407) registration, group keys and
the crypto map on the carrier, derived from ALL routers' views (``DeviceView.getvpn``) every query.

``derive(ctx)`` runs after the connections step of :mod:`mplssec_lab.physics` and works out, in this order
(docs/lab.md "GET VPN", every behaviour with its source there):

1. **key server groups**: ``crypto gdoi group`` with ``server local`` (IOS-XE), usable when it has an identity number
   and an ``sa ipsec`` whose profile has a transform set and whose policy ACL exists; a cooperative pair (``redundancy``
   naming each other, same identity, both reachable) shares the keys of its primary (highest ``local priority``,
   then highest address); otherwise each key server makes its own keys;
2. **registrations**: a member (IOS crypto map ``gdoi`` applied to an interface, or a Junos ``group-vpn member ipsec
   vpn`` on its external interface) registers with the first key server of its list it reaches (both routers reach
   the clear in-building core, UDP 500 and 848 pass), which has a usable group with the member's identity number,
   after an IKEv1 phase 1 (first member proposal the key server also has; pre-shared keys equal on both sides).
   A member keeps its keys through a key server outage until the TEK it holds expires;
3. **group keys**: TEK generation k of a key source is valid [born + k·L, born + (k+1)·L) (L = the profile's SA
   lifetime); the key server makes generation k+1 REKEY_LEAD_S before the boundary, a member gets it by a unicast
   rekey then, or re-registers REREGISTER_LEAD_S before the boundary when rekeys do not reach it;
4. :func:`crypto_map_pass`: a packet leaving a carrier with a GET VPN crypto map is encrypted when its member is
   registered and the downloaded policy permits it (tunnel mode, header preserved: sized with scapy like GRE in IPsec
   tunnel mode), else sent clear; the receiver needs the same TEK for ESP and drops clear packets its policy says must
   be encrypted.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from . import model, packets

GDOI_PORT = 848          # GDOI registration and rekeys (RFC 6407 section 5; Juniper "listens on UDP port 848")
REKEY_LEAD_S = 90        # a Cisco key server sends the rekey 90 s before the TEK expires (Juniper release notes)
REREGISTER_LEAD_S = 60   # a member re-registers 60 s before its TEK expires without a rekey (same source)
MAX_EVENTS = 5000        # bound on the rekey/re-registration events replayed per query
HELLO_DST = {"ospf": "224.0.0.5", ("udp", 646): "224.0.0.2"}


@dataclass
class KsGroup:
    """One key server's instance of a group."""
    host: str
    server: model.GdoiServer
    address: str
    usable: bool
    reason: str | None = None
    primary: str | None = None      # host whose keys this group hands out (itself, or its cooperative primary)
    role: str = "Primary"
    born: float = 0.0
    peers: list = field(default_factory=list)   # cooperative key servers in its set (hosts)


@dataclass
class Registration:
    host: str
    member: model.GdoiMember
    local: str | None
    ks: KsGroup | None = None
    registered: bool = False        # holds a valid TEK now
    reason: str | None = None
    reachable: bool = False         # the key server is reachable and accepted it now
    since: float = 0.0              # first registration of this history
    events: dict = field(default_factory=dict)   # timeline() counters


@dataclass
class Derived:
    servers: dict = field(default_factory=dict)      # (host, group) -> KsGroup
    members: dict = field(default_factory=dict)      # (host, group) -> Registration


def _int(a):
    try:
        return int(ipaddress.IPv4Address(str(a).split("/")[0]))
    except ValueError:
        return 0


# -- 1. key servers -----------------------------------------------------------------------------------------------
def _ks_address(ctx, host, srv: model.GdoiServer) -> str:
    return srv.address or ctx.views[host].router_id or ctx.topo.hosts[host].router_id


def _servers(ctx) -> dict:
    out = {}
    for host, v in ctx.views.items():
        if v.getvpn is None:
            continue
        for name, srv in v.getvpn.servers.items():
            addr = _ks_address(ctx, host, srv)
            g = KsGroup(host, srv, addr, usable=not srv.errors, reason="; ".join(srv.errors) or None, primary=host)
            if g.usable and ctx.owner(host, addr) is None:
                g.usable, g.reason = False, f"address ipv4 {addr} is not an address of {host}"
            out[(host, name)] = g
    # cooperative key servers: redundancy naming each other, same identity, both reaching the core
    by_addr = {(g.address, g.server.identity): g for g in out.values() if g.server.redundancy is not None}
    for g in out.values():
        red = g.server.redundancy
        if red is None or not g.usable:
            continue
        group = {g.host: g}
        for peer in red["peers"]:
            p = by_addr.get((peer, g.server.identity))
            if (p is not None and p.usable and g.address in p.server.redundancy["peers"]
                    and ctx.core_reach(g.host, "tcp", GDOI_PORT) and ctx.core_reach(p.host, "tcp", GDOI_PORT)):
                group[p.host] = p
        best = max(group.values(), key=lambda x: (x.server.redundancy["priority"], _int(x.address)))
        g.primary, g.peers = best.host, sorted(group)
        g.role = "Primary" if best is g else "Secondary"
    for g in out.values():
        src = out[(g.primary, g.server.group)] if (g.primary, g.server.group) in out else g
        g.born = ctx.since(("gdoi-keys", g.primary, src.server.group, src.server.identity))
    return out


# -- 2. registrations ---------------------------------------------------------------------------------------------
def _isakmp_match(m: model.GdoiMember, ks_view: model.DeviceView) -> model.IsakmpPolicy | None:
    """IKEv1 main mode: the member (initiator) offers its policies; the key server takes one equal to one of its own in
    encryption, hash, DH group and authentication (Cisco IOS Security Configuration Guide, "Configuring IKE": the
    lifetime is not compared here, lab decision)."""
    for p in m.isakmp:
        for q in ks_view.getvpn.isakmp:
            if (p.encryption, p.integrity, p.dh_group, p.auth) == (q.encryption, q.integrity, q.dh_group, q.auth):
                return p
    return None


def _psk(keys: dict, addr):
    return keys.get(str(addr)) or keys.get("0.0.0.0")


def _try_server(ctx, reg: Registration, ks_addr, kss: dict) -> str | None:
    """None when ``reg`` registers with the key server at ``ks_addr`` now, else why not."""
    g_host = next((h for (h, _), g in kss.items() if ctx.owner(h, ks_addr) is not None), None)
    if g_host is None:
        return f"no key server answers at {ks_addr}"
    for h in (reg.host, g_host):
        if not ctx.core_reach(h, "udp", GDOI_PORT):     # phase 1 and GDOI both on UDP 848 (capture: addr/848)
            return f"key server {ks_addr} unreachable (no path through the in-building core from {h})"
    if not ctx.core_routes(g_host, ks_addr):
        return f"key server address {ks_addr} is not routed by the core (not on an interface in OSPF on {g_host})"
    if not ctx.core_routes(reg.host, reg.local):
        return (f"registration source {reg.local} is not routed by the core back to {reg.host} (its interface runs "
                "no OSPF: the key server cannot answer)")
    cands = [g for (h, _), g in kss.items() if h == g_host and g.server.identity == reg.member.identity]
    if not cands:
        return (f"key server {ks_addr} has no group with identity number {reg.member.identity} "
                "(registration refused)")
    g = cands[0]
    if not g.usable:
        return f"key server {ks_addr} group {g.server.group} is not usable: {g.reason}"
    kv = ctx.views[g_host]
    prop = _isakmp_match(reg.member, kv)
    if prop is None:
        return f"IKEv1 phase 1 with {ks_addr}: no ISAKMP proposal chosen"
    if prop.auth != "psk":
        return f"IKEv1 phase 1 with {ks_addr}: authentication {prop.auth} not modelled (lab)"
    mine, theirs = _psk(reg.member.psk, ks_addr), _psk(kv.getvpn.psk, reg.local)
    if not mine or not theirs or mine != theirs:
        return f"IKEv1 phase 1 with {ks_addr}: authentication failed (pre-shared key mismatch)"
    reg.ks = g
    return None


def _registrations(ctx, kss: dict) -> dict:
    out = {}
    for host, v in ctx.views.items():
        if v.getvpn is None:
            continue
        for name, m in v.getvpn.members.items():
            iface = v.interfaces.get(m.interface) if m.interface else None
            local = m.local_address or (str(iface.ipv4[0].ip) if iface is not None and iface.ipv4 else None)
            reg = Registration(host, m, local)
            out[(host, name)] = reg
            if (host, name) in kss or any(g.server.identity == m.identity for (h, _), g in kss.items() if h == host):
                reg.reason = "this router is a key server of the group: a key server does not register with it"
            elif m.identity is None:
                reg.reason = "no identity number"
            elif iface is None or not ctx.up[host].get(m.interface):
                reg.reason = f"crypto map interface {m.interface} down"
            elif not m.servers:
                reg.reason = "no key server address"
            else:
                whys = []
                for a in m.servers:         # the first key server of the list that takes it
                    why = _try_server(ctx, reg, a, kss)
                    if why is None:
                        break
                    whys.append(why)
                reg.reachable = reg.ks is not None
                if reg.ks is None:
                    reg.reason = whys[0]
            _keys(ctx, reg)
    return out


# -- 3. group keys ------------------------------------------------------------------------------------------------
def _delivery(g: KsGroup, member_platform: str, kss: dict | None = None) -> str:
    """How the next TEK reaches a member: "rekey-ack" (unicast rekey acknowledged), "rekey-noack" (a Junos member
    under a Cisco key server: it does not send Cisco's proprietary rekey ACK and is removed), "reregister" (no rekey
    configured, multicast rekeys that the lab's core does not route), "rekey-badsig" (rekeys the member cannot verify:
    they come from the cooperative primary, signed with its RSA key, and the member holds the public key of the key
    server it registered with, so the two must hold the same key pair; the member drops them unacknowledged and
    re-registers; docs/lab.md "RSA key pairs")."""
    srv = g.server
    if srv.rekey_rsa is None or srv.rekey_transport != "unicast":
        return "reregister"
    sender = (kss or {}).get((g.primary, srv.group))
    if sender is not None and sender.server.rekey_key != srv.rekey_key:
        return "rekey-badsig"
    return "rekey-ack" if member_platform == "ios" else "rekey-noack"


def timeline(born: float, life: int, reg_at: float, now: float, delivery: str) -> dict:
    """Replay the rekeys and re-registrations of a member registered at ``reg_at`` until ``now``: for every TEK
    boundary after the registration the member gets the next generation by a rekey (REKEY_LEAD_S before it) or by
    re-registering (REREGISTER_LEAD_S before it). ``held_next``: it already holds the generation after the current."""
    life = max(1, int(life))
    ev = {"rekeys": 0, "acks": 0, "acks_missed": 0, "registrations": 1, "last_reg": reg_at, "last_rekey": None,
          "at_ks": True, "since_reg": 0}
    k = int((reg_at - born) // life) + 1          # the first TEK boundary after the registration
    for _ in range(MAX_EVENTS):
        by_rekey = delivery == "rekey-ack" or (delivery == "rekey-noack" and ev["at_ks"])
        at = born + k * life - (REKEY_LEAD_S if by_rekey else REREGISTER_LEAD_S)
        if delivery == "rekey-badsig" and ev["at_ks"] and reg_at < born + k * life - REKEY_LEAD_S <= now:
            ev["acks_missed"] += 1                # sent by the primary, dropped unverified: no ACK
        if at > now:
            break
        if at > reg_at:                           # else: generation k was already there when it registered
            if by_rekey:
                ev["rekeys"] += 1
                ev["since_reg"] += 1
                ev["last_rekey"] = at
                ev["acks" if delivery == "rekey-ack" else "acks_missed"] += 1
                ev["at_ks"] = delivery == "rekey-ack"    # no ACK: the key server removes it
            else:
                ev["registrations"] += 1
                ev["since_reg"] = 0
                ev["last_reg"] = at
                ev["at_ks"] = True
        k += 1
    ev["held_next"] = k > int((now - born) // life) + 1
    return ev


def _keys(ctx, reg: Registration) -> None:
    """Registration history: the first registration of this history, and a member that cannot reach or register
    with its key server now keeps the keys it holds until its TEK expires (unless its own configuration changed:
    lab decision, docs/lab.md "GET VPN")."""
    store = ctx.memo.setdefault("gdoi", {})
    key = (reg.host, reg.member.group)
    if reg.ks is not None:
        tok = ("gdoi-reg", reg.host, reg.member.group, reg.ks.primary, reg.ks.born)
        reg.since = ctx.since(tok)
        reg.registered = True
        store[key] = {"ks": (reg.ks.host, reg.ks.server.group), "tok": tok, "since": reg.since, "last": ctx.now,
                      "config": repr(reg.member)}
        return
    held = store.get(key)
    if held is None or held["config"] != repr(reg.member):
        return          # never registered, or its own group configuration changed since (it registers afresh)
    g = ctx.gdoi_servers.get(held["ks"])
    if g is None or held["tok"][4] != g.born:
        return
    life = max(1, g.server.tek_lifetime)
    gen_last = int((held["last"] - g.born) // life)
    if ctx.now < g.born + (gen_last + 1) * life:     # the TEK it held when it last reached the key server
        ctx.seen.add(held["tok"])
        reg.ks, reg.since, reg.registered = g, held["since"], True
        reg.reason = (reg.reason or "key server unreachable") + "; keeps its TEK until it expires"


def derive(ctx) -> Derived:
    kss = _servers(ctx)
    ctx.gdoi_servers = kss
    d = Derived(servers=kss)
    d.members = _registrations(ctx, kss)
    for reg in d.members.values():
        if reg.registered:
            plat = ctx.views[reg.host].platform
            reg.events = timeline(reg.ks.born, reg.ks.server.tek_lifetime, reg.since, ctx.now,
                                  _delivery(reg.ks, plat, kss) if reg.reachable else "reregister")
    return d


def key_source(reg: Registration):
    """The identity of the keys a registered member holds (equal for members that can talk)."""
    return (reg.ks.primary, reg.ks.server.group, reg.ks.born) if reg.registered else None


def tek_spi(reg_or_group, gen: int) -> int:
    from .physics import spi
    g = reg_or_group.ks if isinstance(reg_or_group, Registration) else reg_or_group
    return spi("gdoi-tek", g.primary, g.server.group, g.born, gen)


def kek_spi(g: KsGroup, gen: int) -> str:
    from .physics import spi
    return "%08X%08X%08X%08X" % tuple(spi("gdoi-kek", g.primary, g.server.group, g.born, gen, i) for i in range(4))


# -- 4. the crypto map on the carrier -----------------------------------------------------------------------------
def _acl_permits(acl: list, proto: str, src: str, dst: str, port) -> bool:
    """First match of the downloaded policy; a deny or no match means "not encrypted" (Cisco GET VPN guide: deny
    entries are sent clear)."""
    s, d = ipaddress.IPv4Address(src), ipaddress.IPv4Address(dst)
    for e in acl or ():
        ep = str(e["proto"]).lower()
        if ep not in ("ip", proto):
            continue
        if s not in e["src"] or d not in e["dst"]:
            continue
        if e.get("dport") is not None and e["dport"] != port:
            continue
        return e["action"] == "permit"
    return False


def _member_on(ctx, host, ifname) -> Registration | None:
    for (h, _), reg in ctx.gdoi.members.items():
        if h == host and reg.member.interface == ifname:
            return reg
    return None


def _replay_drop(ctx, frm, to, reg_to: Registration) -> str | None:
    replay = reg_to.ks.server.replay
    if replay is None:
        return None
    if replay[0] == "time" and {ctx.views[frm].platform, ctx.views[to].platform} == {"ios", "junos"}:
        return ("time-based anti-replay: the Cisco pseudotime in the packet is proprietary, a Junos member and a Cisco "
                "member do not accept each other's packets")
    if replay[0] == "counter":
        src = key_source(reg_to)
        senders = {c.a if c.b == to else c.b for c in ctx.conns if c.kind == "gre" and to in (c.a, c.b)}
        senders = [h for h in senders if (r := _any_member(ctx, h)) is not None and key_source(r) == src]
        if len(senders) > 1:
            return (f"counter-based anti-replay with {len(senders)} members sending to {to} under one SA: their "
                    "sequence numbers overlap (counter-based anti-replay only between two members)")
    return None


def _any_member(ctx, host) -> Registration | None:
    return next((r for (h, _), r in ctx.gdoi.members.items() if h == host and r.registered), None)


def crypto_map_pass(ctx, link, frm, to, proto, port, inner, labels, gre_if, df):
    """(ok, reason, wire) for a packet from ``frm`` across carrier ``link`` when a GET VPN crypto map sits on either
    carrier interface, else None (no GET VPN there). ``gre_if`` is the sending GRE tunnel interface (None: a packet
    of the carrier itself: unlabelled IP)."""
    f_if, t_if = ctx.carrier_if(frm, link), ctx.carrier_if(to, link)
    rf, rt = _member_on(ctx, frm, f_if), _member_on(ctx, to, t_if)
    if rf is None and rt is None:
        return None
    va, vb = ctx.views[frm], ctx.views[to]
    if gre_if is not None:
        src, dst = gre_if.tunnel_source, gre_if.tunnel_destination
    else:
        src = str(va.interfaces[f_if].ipv4[0].ip) if va.interfaces[f_if].ipv4 else None
        dst = HELLO_DST.get(proto) or HELLO_DST.get((proto, port))
        dst = dst or (str(vb.interfaces[t_if].ipv4[0].ip) if vb.interfaces[t_if].ipv4 else None)
    if src is None or dst is None:
        return None
    key = gre_if.tunnel_key if gre_if is not None else None
    encap = "gre" if gre_if is not None else "none"
    enc = rf is not None and rf.registered and _acl_permits(rf.ks.server.acl, proto, src, dst, port)
    if enc:
        tr = rf.ks.server.transform
        wire = packets.wire_size(inner, labels, encap, "tunnel", tr["encryption"], tr["integrity"], key)
        if rt is None or not rt.registered or key_source(rt) != key_source(rf):
            return False, f"ESP from the GET VPN member {frm}: {to} has no SA for its TEK (bad SPI, dropped)", wire
        why = _replay_drop(ctx, frm, to, rt)
        if why:
            return False, why, wire
        ok, why = ctx.physical_pass(frm, to, "esp", None, size=wire, outer_frag=not df)
        return ok, why, wire
    wire = packets.wire_size(inner, labels, encap, None, gre_key=key) if encap == "gre" else inner
    if rt is not None and rt.registered and _acl_permits(rt.ks.server.acl, proto, src, dst, port):
        return (False, f"clear {proto} packet from {frm} matches the GET VPN policy of {to}: dropped "
                "(%CRYPTO-4-RECVD_PKT_NOT_IPSEC)", wire)
    ok, why = ctx.physical_pass(frm, to, proto, port, size=wire, outer_frag=not df)
    return ok, why, wire


# -- state for the show commands ----------------------------------------------------------------------------------
def _teks(g: KsGroup, now: float, held_next: bool) -> tuple:
    """(generation in use, [{"spi", "remaining"}] newest first): the current TEK, and the next one once made by the
    key server and held (``held_next``)."""
    life = max(1, g.server.tek_lifetime)
    gen = int((now - g.born) // life)
    end = g.born + (gen + 1) * life
    teks = [{"spi": tek_spi(g, gen), "remaining": int(end - now)}]
    if held_next and now >= end - REKEY_LEAD_S:
        teks.insert(0, {"spi": tek_spi(g, gen + 1), "remaining": int(end + life - now)})
    return gen, teks


def _common(st: model.GdoiState, g: KsGroup, now: float, held_next: bool) -> None:
    srv = g.server
    _, st.teks = _teks(g, now, held_next)
    st.tek_spi = st.teks[-1]["spi"]
    st.tek_remaining = st.teks[-1]["remaining"]
    kgen = int((now - g.born) // max(1, srv.kek_lifetime))
    st.kek_spi = kek_spi(g, kgen)
    st.kek_remaining = int(g.born + (kgen + 1) * srv.kek_lifetime - now)
    st.tek_lifetime, st.kek_lifetime = srv.tek_lifetime, srv.kek_lifetime
    st.transform, st.replay = dict(srv.transform or {}), srv.replay
    st.acl, st.acl_name, st.rekey_transport = list(srv.acl or []), srv.acl_name, srv.rekey_transport


def states(ctx, host) -> list:
    out = []
    d = ctx.gdoi
    now = ctx.now
    for (h, name), g in sorted(d.servers.items()):
        if h != host:
            continue
        st = model.GdoiState(group=name, identity=g.server.identity, role="server", registered=g.usable,
                             reason=g.reason, server=g.address, acl_name=g.server.acl_name)
        if g.server.redundancy is not None:
            st.redundancy = {"role": g.role, "priority": g.server.redundancy["priority"], "peers": g.peers}
        if g.usable:
            _common(st, g, now, True)
            st.since = g.born
            if g.server.rekey_rsa is not None:
                st.rekeys = max(0, int((now - g.born + REKEY_LEAD_S) // max(1, g.server.tek_lifetime)))
            for (mh, mn), reg in sorted(d.members.items()):
                if not (reg.registered and reg.reachable and reg.ks.primary == g.primary
                        and reg.ks.server.identity == g.server.identity and reg.events.get("at_ks", True)):
                    continue
                ev = reg.events
                st.members.append({"address": reg.local, "host": mh, "group": mn, "key_server": reg.ks.address,
                                   "state": "Registered", "rekeys": ev["rekeys"], "acks": ev["acks"],
                                   "acks_missed": ev["acks_missed"], "version": _version(ctx, mh)})
        out.append(st)
    for (h, name), reg in sorted(d.members.items()):
        if h != host:
            continue
        m = reg.member
        st = model.GdoiState(group=name, identity=m.identity, role="member", registered=reg.registered,
                             reason=reg.reason, local=reg.local, interface=m.interface, servers=list(m.servers))
        if reg.registered:
            ev = reg.events
            _common(st, reg.ks, now, ev.get("held_next", False))
            st.server, st.since = reg.ks.address, reg.since
            st.rekeys, st.acks, st.acks_missed = ev["rekeys"], ev["acks"], ev["acks_missed"]
            st.registrations = ev["registrations"]
            st.rekeys_since_registration = ev["since_reg"]
            st.last_rekey = ev["last_rekey"]
        out.append(st)
    return out


def _version(ctx, host) -> str:
    """GDOI version a member announces (IOS "GM Version", lab decision: the captures' 1.0.25 for IOS, 1.0.0 Junos)."""
    return "1.0.25" if ctx.views[host].platform == "ios" else "1.0.0"

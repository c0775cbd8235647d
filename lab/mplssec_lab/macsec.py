"""MACsec (IEEE 802.1AE) with MKA pre-shared keys (IEEE 802.1X-2010 clause 9), derived from BOTH routers' views.

``derive(ctx)`` runs right after the physical step of :mod:`mplssec_lab.physics` and decides, for every carrier link
whose ends have a :class:`~mplssec_lab.model.MacsecPort`, whether the MKA session is secured (SAK installed, Tx/Rx SA in
use), in this order (docs/lab.md "MACsec"):

1. both ports are MACsec-capable (the router model, topology.MODELS) and both carrier interfaces are up;
2. EAPoL (MKPDUs) passes both ways: the carrier delivers the destination address each end sends to
   (``CarrierLink.eapol_delivers``), the receiver listens on it (its own configured group address, or its own MAC for a
   unicast destination), the EAPoL EtherTypes agree, and on a VLAN-tagged carrier the sender keeps the tag in clear;
3. CKN equal; each CAK's length fits its CMAC algorithm (aes-128-cmac 32 hex digits, aes-256-cmac 64) and both
   CAKs and algorithms are equal (otherwise the ICV of every MKPDU fails: no live peer);
4. key server: the numerically lowest key-server priority, ties broken by the lowest SCI (802.1X-2010 9.5.1);
5. cipher suite: the key server's first suite the peer also accepts (XPN only when both take XPN); none: not secured;
6. confidentiality offset equal on both ends (lab decision, docs/lab.md);
7. on a VLAN-tagged carrier: both ends keep one 802.1Q tag in clear.

:func:`frame_pass` is what the carrier step asks for every frame: secured -> the frame grows by SecTAG + ICV (real
scapy MACsec frame, :func:`mplssec_lab.packets.macsec_payload`) and must fit the delivered MTU; not secured ->
``must-secure`` on either end drops everything but EAPoL, ``should-secure`` lets clear frames through.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace

from . import model, packets

CMAC_HEX = {"aes-128-cmac": 32, "aes-256-cmac": 64}
XPN = {"gcm-aes-xpn-128", "gcm-aes-xpn-256"}
GROUP_ADDRESSES = {"01:80:c2:00:00:03", "01:80:c2:00:00:00", "01:80:c2:00:00:0e", "ff:ff:ff:ff:ff:ff"}


def port_mac(host: str, ifname: str) -> str:
    """The port's MAC address (stable per router and interface), "52:54:00:xx:xx:xx"."""
    h = hashlib.sha256(f"{host}/{ifname}".encode()).digest()
    return "52:54:00:%02x:%02x:%02x" % (h[0], h[1], h[2])


def port_number(ifname: str) -> int:
    """The SCI port identifier: the interface's number (GigabitEthernet2 -> 2), 1 for a Junos ge-x/y/z unit."""
    if "/" in ifname:
        return 1
    digits = "".join(c for c in ifname if c.isdigit())
    return int(digits) if digits else 1


def sci(host: str, ifname: str) -> tuple[str, int]:
    return port_mac(host, ifname), port_number(ifname)


@dataclass
class Session:
    """One MKA session across a carrier link (both ends)."""
    link: str
    a: str
    a_if: str
    b: str
    b_if: str
    secured: bool = False
    reason: str | None = None
    key_server: str | None = None        # host
    cipher: str | None = None
    since: float = 0.0
    ports: dict = field(default_factory=dict)   # host -> MacsecPort


def _eapol_ok(link, frm, pf: model.MacsecPort, to, pt: model.MacsecPort) -> str | None:
    dst = pf.eapol_address
    kind = dst if dst in GROUP_ADDRESSES else "unicast"
    if kind not in link.eapol_delivers:
        return f"the carrier does not deliver EAPoL to {dst} ({frm} -> {to})"
    if link.tagged and pf.tags_in_clear < 1:
        return f"VLAN-tagged carrier: {frm} sends its frames without the 802.1Q tag in clear (dot1q-in-clear)"
    if dst != pt.eapol_address and dst != port_mac(to, pt.interface):
        return f"{to} does not listen on EAPoL destination {dst} (it uses {pt.eapol_address})"
    if pf.eapol_ethertype != pt.eapol_ethertype:
        return f"EAPoL EtherType mismatch (0x{pf.eapol_ethertype:04X} vs 0x{pt.eapol_ethertype:04X})"
    return None


def _keys_ok(pa: model.MacsecPort, pb: model.MacsecPort) -> str | None:
    if not (pa.ckn and pa.cak and pb.ckn and pb.cak):
        return "no pre-shared key (CKN/CAK) on both ends"
    if pa.ckn != pb.ckn:
        return "CKN mismatch (no live peer: MKPDUs name another CA)"
    for p in (pa, pb):
        need = CMAC_HEX.get(p.mka_algorithm or "aes-128-cmac")
        if len(p.cak) != need:
            return f"CAK of {p.interface} is {len(p.cak)} hex digits, {p.mka_algorithm} needs {need}"
    if pa.mka_algorithm != pb.mka_algorithm or pa.cak != pb.cak:
        return "CAK mismatch (ICV of the peer's MKPDUs does not verify)"
    return None


def active_key(port: model.MacsecPort, now: float):
    """The pre-shared key an IOS key chain puts in force at ``now``: of the keys whose lifetime holds ``now``, the one
    whose lifetime ends first (a key without lifetime never ends), ties in chain order. Cisco: "MKA rolls over to the
    next configured valid pre-shared key in the key chain, when a valid key expires" (Catalyst 4500 IOS XE 3.9.xE
    guide, "Key Lifetime and Hitless Key Rollover"); which of several valid keys is used before one expires is not
    documented: earliest end, then chain order, is a **lab decision** (docs/lab.md "MACsec"). Junos ports (no key
    chain) keep their one pre-shared key. Returns the port with that key's CKN/CAK/algorithm, or None (no key valid)."""
    if not port.keys:
        return port
    valid = [(k.end if k.end is not None else float("inf"), i, k) for i, k in enumerate(port.keys) if k.valid(now)]
    if not valid:
        return None
    key = min(valid, key=lambda x: x[:2])[2]
    return replace(port, ckn=key.ckn, cak=key.cak, mka_algorithm=key.mka_algorithm)


def negotiate(ctx, link) -> Session | None:
    a, b = link.a, link.b
    if a not in ctx.views or b not in ctx.views:
        return None
    pa, pb = ctx.views[a].macsec.get(link.a_interface), ctx.views[b].macsec.get(link.b_interface)
    if pa is None and pb is None:
        return None
    s = Session(link.name, a, link.a_interface, b, link.b_interface, ports={h: p for h, p in ((a, pa), (b, pb)) if p})

    def fail(why):
        s.reason = why
        return s
    for h, p in ((a, pa), (b, pb)):
        if p is not None and not p.capable:
            return fail(f"{h} {p.interface}: MACsec is not supported on this port (model {ctx.topo.model_of(h).pid})")
    for h, p in ((a, pa), (b, pb)):
        if p is None:
            return fail(f"{h} has no MACsec on {link.end(h)[0]}: no peer")
    if not (ctx.link_up(link.name) and ctx.up[a].get(link.a_interface) and ctx.up[b].get(link.b_interface)):
        return fail("carrier interface down")
    for h, p in ((a, pa), (b, pb)):
        if active_key(p, ctx.now) is None:
            return fail(f"{h} {p.interface}: no key of key chain {p.keychain} is within its lifetime (no CKN/CAK in "
                        "force)")
    pa, pb = active_key(pa, ctx.now), active_key(pb, ctx.now)
    s.ports = {a: pa, b: pb}
    why = _eapol_ok(link, a, pa, b, pb) or _eapol_ok(link, b, pb, a, pa) or _keys_ok(pa, pb)
    if why:
        return fail(why)
    ks, peer = sorted(((pa.key_server_priority, sci(a, pa.interface), a, pa), (pb.key_server_priority,
                      sci(b, pb.interface), b, pb)))
    s.key_server = ks[2]
    ks_port, peer_port = ks[3], peer[3]
    cipher = next((c for c in ks_port.ciphers if c in peer_port.ciphers), None)
    if cipher is None:
        return fail(f"no cipher suite of the key server {ks[2]} ({', '.join(ks_port.ciphers)}) is accepted by "
                    f"{peer[2]} ({', '.join(peer_port.ciphers)})")
    s.cipher = cipher
    if pa.offset != pb.offset:
        return fail(f"confidentiality offset mismatch ({pa.offset} vs {pb.offset})")
    if link.tagged and min(pa.tags_in_clear, pb.tags_in_clear) < 1:
        return fail("VLAN-tagged carrier: dot1q-in-clear needed on both ends")
    s.secured = True
    s.since = ctx.since(("mka", link.name, a, b, pa.ckn))   # a new CKN is a new CA: new session, new SAK, new SAs
    return s


def derive(ctx) -> dict:
    """{link name: Session} for every carrier link with MACsec configured on at least one end."""
    out = {}
    for link in (ctx.topo.links.values() if ctx.topo else ()):
        s = negotiate(ctx, link)
        if s is not None:
            out[link.name] = s
    return out


def frame_pass(ctx, link_name: str, frm: str, to: str, size: int | None) -> tuple[bool, str | None, int | None]:
    """Does a frame carrying an IP/MPLS packet of ``size`` bytes cross ``link_name`` from ``frm`` to ``to``?
    Returns (ok, reason, Ethernet payload bytes the carrier must deliver)."""
    s = ctx.mka_sessions.get(link_name)
    if s is None:
        return True, None, size
    if s.secured:
        p = s.ports[frm]
        return True, None, (packets.macsec_payload(size, 0, s.cipher, p.include_sci) if size is not None else None)
    for h in (frm, to):
        p = s.ports.get(h)
        if p is not None and p.capable and p.must_secure:
            return False, f"MKA not secured ({s.reason}): must-secure on {h} drops everything but EAPoL", None
    return True, None, size


def mka_states(ctx, host: str, rates: dict) -> list:
    """The MkaState of each MACsec port of ``host`` (counters: hellos over the secured link + pings/traffic)."""
    out = []
    for s in ctx.mka_sessions.values():
        if host not in s.ports:
            continue
        p = s.ports[host]
        peer = s.b if host == s.a else s.a
        peer_if = s.b_if if host == s.a else s.a_if
        mac, num = sci(host, p.interface)
        st = model.MkaState(interface=p.interface, policy=p.policy, ckn=p.ckn, secured=s.secured,
                            status="Secured" if s.secured else "Init", key_server=s.key_server == host,
                            peer=peer if s.secured else None, peer_interface=peer_if if s.secured else None,
                            local_sci=f"{mac}/{num}", cipher=s.cipher if s.secured else None, offset=p.offset,
                            include_sci=p.include_sci, reason=s.reason)
        if s.secured:
            pm, pn = sci(peer, peer_if)
            st.peer_sci = f"{pm}/{pn}"
            st.peer_priority = s.ports[peer].key_server_priority
            st.since = s.since
            n = int(rates.get(s.link, 0.0) * (ctx.now - s.since))
            extra = ctx.memo["extra"].get(("macsec", host, s.link, s.since), {})
            ctx.seen.add(("macsec", host, s.link, s.since))
            st.tx_pkts, st.rx_pkts = n + extra.get("tx", 0), n + extra.get("rx", 0)
            st.tx_bytes = n * packets.macsec_payload(80, 0, s.cipher, p.include_sci) + extra.get("tx_bytes", 0)
            st.rx_bytes = n * packets.macsec_payload(80, 0, s.cipher, s.ports[peer].include_sci) + extra.get("rx_bytes", 0)
        out.append(st)
    return out


def count(ctx, link_name: str | None, frm: str, n: int, size: int, delivered: bool, replied: bool) -> None:
    """Pings / traffic over a secured link move its SA counters (sender Tx, receiver Rx, and back)."""
    s = ctx.mka_sessions.get(link_name) if link_name else None
    if s is None or not s.secured or frm not in s.ports:
        return
    to = s.b if frm == s.a else s.a
    extra = ctx.memo["extra"]

    def add(host, key, sender):
        d = extra.setdefault(("macsec", host, s.link, s.since), {})
        d[key] = d.get(key, 0) + n
        d[key + "_bytes"] = d.get(key + "_bytes", 0) + n * packets.macsec_payload(
            size, 0, s.cipher, s.ports[sender].include_sci)
    add(frm, "tx", frm)
    if delivered:
        add(to, "rx", frm)
    if replied:
        add(to, "tx", to)
        add(frm, "rx", to)

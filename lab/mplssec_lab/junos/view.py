"""Committed Junos configuration -> vendor-neutral :class:`mplssec_lab.model.DeviceView`."""

from __future__ import annotations

import ipaddress

from .. import model

ENC = {
    "aes-128-cbc": "aes-cbc-128",
    "aes-192-cbc": "aes-cbc-192",
    "aes-256-cbc": "aes-cbc-256",
    "aes-128-gcm": "aes-gcm-128",
    "aes-192-gcm": "aes-gcm-192",
    "aes-256-gcm": "aes-gcm-256",
    "3des-cbc": "3des",
    "des-cbc": "des",
}
IKE_AUTH = {"sha1": "sha1", "sha-256": "sha256", "sha-384": "sha384", "sha-512": "sha512", "md5": "md5"}
ESP_AUTH = {
    "hmac-sha1-96": "sha1",
    "hmac-sha-256-128": "sha256",
    "hmac-sha-256-96": "sha256",
    "hmac-sha-384-192": "sha384",
    "hmac-sha-512-256": "sha512",
    "hmac-md5-96": "md5",
}
AUTH_METHOD = {"pre-shared-keys": "psk", "rsa-signatures": "rsa-sig", "ecdsa-signatures-256": "ecdsa-sig", "ecdsa-signatures-384": "ecdsa-sig"}

# proposal-set basic/compatible/standard (Junos documented contents, first choice only matters here)
IKE_SETS = {
    "basic": [("des-cbc", "sha1", 1), ("des-cbc", "md5", 1)],
    "compatible": [("3des-cbc", "sha1", 2), ("3des-cbc", "md5", 2), ("des-cbc", "sha1", 2), ("des-cbc", "md5", 2)],
    "standard": [("aes-128-cbc", "sha1", 2), ("3des-cbc", "sha1", 2)],
    "suiteb-gcm-128": [("aes-128-cbc", "sha-256", 19)],
    "suiteb-gcm-256": [("aes-256-cbc", "sha-384", 20)],
}
ESP_SETS = {
    "basic": [("des-cbc", "hmac-sha1-96"), ("des-cbc", "hmac-md5-96")],
    "compatible": [("3des-cbc", "hmac-sha1-96"), ("3des-cbc", "hmac-md5-96"), ("des-cbc", "hmac-sha1-96")],
    "standard": [("aes-128-cbc", "hmac-sha1-96"), ("3des-cbc", "hmac-sha1-96")],
    "suiteb-gcm-128": [("aes-128-gcm", None)],
    "suiteb-gcm-256": [("aes-256-gcm", None)],
}


def _group(s):
    return int(s[5:]) if s and s.startswith("group") else None


def _ike_prop(enc, auth, dh):
    aead = enc and enc.endswith("gcm")
    integ = "none" if aead else IKE_AUTH.get(auth, "sha1")
    prf = IKE_AUTH.get(auth, "sha256") if auth else ("sha256" if not aead else "sha256")
    return {"encryption": ENC.get(enc, enc), "integrity": integ, "prf": prf, "dh_group": dh}


def build(hostname, root) -> model.DeviceView:
    v = model.DeviceView(hostname=hostname, platform="junos")
    ifs = root.get("interfaces")
    proto = root.get("protocols")
    mpls_ifs, ldp_ifs, ospf_ifs, isis_ifs = set(), set(), {}, {}
    if proto is not None and not proto.inactive:
        m = proto.get("mpls")
        if m is not None and not m.inactive:
            mpls_ifs = {n for n, c in m.entries("interface") if c.get("disable") is None}
        ln = proto.get("ldp")
        if ln is not None and not ln.inactive:
            v.ldp_enabled = True
            ldp_ifs = {n for n, c in ln.entries("interface") if c.get("disable") is None}
        o = proto.get("ospf")
        if o is not None and not o.inactive:
            v.ospf = {"process": "1", "router_id": None}
            for area, an in o.entries("area"):
                for ifn, c in an.entries("interface"):
                    if c.get("disable") is not None:
                        continue
                    met = c.leaf("metric")
                    ospf_ifs[ifn] = {
                        "process": "1",
                        "area": str(int(ipaddress.IPv4Address(area))) if area.count(".") == 3 else area,
                        "area_id": area,
                        "cost": int(met) if met else None,
                        "p2p": c.leaf("interface-type") == "p2p",
                        "passive": c.get("passive") is not None,
                    }
                    itype = {"p2p": "point-to-point", "p2mp": "point-to-multipoint", "nbma": "non-broadcast"}.get(
                        c.leaf("interface-type") or "")
                    for key, value in (("type", itype), ("hello", c.leaf("hello-interval")), ("dead", c.leaf("dead-interval"))):
                        if value is not None:
                            ospf_ifs[ifn][key] = value if key == "type" else int(value)
        i = proto.get("isis")
        if i is not None and not i.inactive:
            v.isis = {"net": None, "level": 2}
            for ifn, c in i.entries("interface"):
                if c.get("disable") is not None:
                    continue
                met = c.leaf("level 2", "metric")
                isis_ifs[ifn] = {"metric": int(met) if met else None, "p2p": c.get("point-to-point") is not None, "passive": c.get("passive") is not None}
    rid = root.leaf("routing-options", "router-id")
    v.router_id = rid
    if v.ospf is not None:
        v.ospf["router_id"] = rid
    filters = {}
    fw = root.get("firewall", "family", "inet")
    if fw is not None and not fw.inactive:
        for fname, f in fw.entries("filter"):
            rules = []
            for _t, term in f.entries("term"):
                then = term.get("then")
                action = "permit" if then is not None and then.get("accept") is not None else "deny"
                frm = term.get("from")
                protos = (frm.leaf("protocol") if frm is not None else None) or ["ip"]
                ports = ((frm.leaf("destination-port") or frm.leaf("port")) if frm is not None else None) or [None]
                fragment = frm is not None and frm.get("is-fragment") is not None
                for p in protos:
                    for port in ports:
                        rule = {"action": action, "proto": p, "port": _port(port)}
                        if fragment:
                            rule["fragment"] = True     # matches only non-initial fragments / more-fragments
                        rules.append(rule)
            filters[fname] = rules
    v.filters = filters

    if ifs is not None:
        for phys, pn in ifs.entries(None):
            if pn.inactive:
                continue
            pmtu = pn.leaf("mtu")
            for unit, un in pn.entries("unit"):
                name = f"{phys}.{unit}"
                kind = (
                    "gre"
                    if phys.startswith("gr-")
                    else "ipsec" if phys == "st0" else "loopback" if phys == "lo0" else "ethernet" if phys[:3] in ("ge-", "xe-", "et-") else "other"
                )
                it = model.Interface(name=name, kind=kind, description=un.leaf("description"))
                it.enabled = pn.get("disable") is None and un.get("disable") is None
                inet = un.get("family", "inet")
                if inet is not None and not inet.inactive:
                    it.ipv4 = [ipaddress.IPv4Interface(a) for a, _ in inet.entries("address")]
                    m = inet.leaf("mtu")
                    it.ip_mtu = int(m) if m else None
                    mss = inet.leaf("tcp-mss")
                    it.tcp_mss = int(mss) if mss else None
                    it.filter_in = inet.leaf("filter", "input")
                inet6 = un.get("family", "inet6")
                if inet6 is not None and not inet6.inactive:
                    it.ipv6 = [ipaddress.IPv6Interface(a) for a, _ in inet6.entries("address")]
                fm = un.get("family", "mpls")
                if pmtu:
                    # physical media MTU includes the 14-byte Ethernet header on Junos
                    it.mtu = int(pmtu) - (14 if kind == "ethernet" else 0)
                if fm is not None and not fm.inactive:
                    m = fm.leaf("mtu")
                    it.mpls_mtu = int(m) if m else None
                    it.mpls = name in mpls_ifs or "all" in mpls_ifs
                    it.ldp = it.mpls and (name in ldp_ifs or "all" in ldp_ifs)
                if name in ospf_ifs:
                    d = dict(ospf_ifs[name])
                    d.pop("area_id", None)
                    it.ospf = d
                if name in isis_ifs:
                    it.isis = isis_ifs[name]
                t = un.get("tunnel")
                if t is not None:
                    it.tunnel_source = t.leaf("source")
                    it.tunnel_destination = t.leaf("destination")
                    k = t.leaf("key")
                    it.tunnel_key = int(k) if k else None
                v.interfaces[name] = it

    sec = root.get("security")
    v.host_inbound = zones_host_inbound(sec)
    v.fwd_modes = configured_modes(root)
    if sec is not None and not sec.inactive:
        ike = sec.get("ike")
        ipsec = sec.get("ipsec")
        if ike is not None and not ike.inactive:
            props = dict(ike.entries("proposal"))
            pols = dict(ike.entries("policy"))
            for gname, g in ike.entries("gateway"):
                pol = pols.get(g.leaf("ike-policy") or "")
                proposals, psk, auth, life = [], None, "psk", 86400
                if pol is not None:
                    psk = pol.leaf("pre-shared-key", "ascii-text") or pol.leaf("pre-shared-key", "hexadecimal")
                    for pn in pol.leaf("proposals") or []:
                        p = props.get(pn)
                        if p is None:
                            continue
                        proposals.append(_ike_prop(p.leaf("encryption-algorithm"), p.leaf("authentication-algorithm"), _group(p.leaf("dh-group"))))
                        auth = AUTH_METHOD.get(p.leaf("authentication-method") or "pre-shared-keys", "psk")
                        if p.leaf("lifetime-seconds"):
                            life = int(p.leaf("lifetime-seconds"))
                    if not proposals and pol.leaf("proposal-set"):
                        proposals = [_ike_prop(e, a, d) for e, a, d in IKE_SETS.get(pol.leaf("proposal-set"), [])]
                addrs = g.leaf("address") or []
                ext = g.leaf("external-interface")
                local = g.leaf("local-address")
                if local is None and ext and ext in v.interfaces and v.interfaces[ext].ipv4:
                    local = str(v.interfaces[ext].ipv4[0].ip)
                dpd = None
                d = g.get("dead-peer-detection")
                if d is not None:
                    dpd = (int(d.leaf("interval") or 10), int(d.leaf("threshold") or 5))
                ver = g.leaf("version")
                v.ike[gname] = model.IkePeer(
                    name=gname,
                    version=2 if ver == "v2-only" else 1,
                    local_address=local,
                    peer_address=addrs[0] if addrs else None,
                    proposals=proposals,
                    psk=psk,
                    auth=auth,
                    local_id=g.leaf("local-identity", "inet"),
                    remote_id=g.leaf("remote-identity", "inet"),
                    local_id_dn=_present(g, "local-identity", "distinguished-name"),
                    local_cert=pol.leaf("certificate", "local-certificate") if pol is not None else None,
                    remote_dn=_remote_dn(g),
                    lifetime=life,
                    dpd=dpd,
                )
        v.pki = _pki(sec)
        if ipsec is not None and not ipsec.inactive:
            props = dict(ipsec.entries("proposal"))
            pols = dict(ipsec.entries("policy"))
            for vname, vpn in ipsec.entries("vpn"):
                pol = pols.get(vpn.leaf("ike", "ipsec-policy") or "")
                transforms, pfs, life = [], None, 3600
                if pol is not None:
                    pfs = _group(pol.leaf("perfect-forward-secrecy", "keys"))
                    for pn in pol.leaf("proposals") or []:
                        p = props.get(pn)
                        if p is None:
                            continue
                        enc = p.leaf("encryption-algorithm")
                        auth = p.leaf("authentication-algorithm")
                        transforms.append(
                            {"encryption": ENC.get(enc, enc), "integrity": "none" if (enc or "").endswith("gcm") and not auth else ESP_AUTH.get(auth, "none")}
                        )
                        if p.leaf("lifetime-seconds"):
                            life = int(p.leaf("lifetime-seconds"))
                    if not transforms and pol.leaf("proposal-set"):
                        transforms = [
                            {"encryption": ENC.get(e, e), "integrity": ESP_AUTH.get(a, "none")} for e, a in ESP_SETS.get(pol.leaf("proposal-set"), [])
                        ]
                bi = vpn.leaf("bind-interface")
                v.ipsec[vname] = model.IpsecPolicy(
                    name=vname,
                    ike_peer=vpn.leaf("ike", "gateway"),
                    transforms=transforms,
                    mode="tunnel",
                    pfs_group=pfs,
                    lifetime=life,
                    interface=bi,
                    df_bit=vpn.leaf("df-bit") or "clear",
                )
                if bi in v.interfaces:
                    v.interfaces[bi].ipsec_policy = vname
    _macsec(sec, v)
    v.getvpn = _group_vpn(sec, v)
    return v


# Junos defaults when no "security forwarding-options family X mode" is configured: IPv4 is flow-based;
# MPLS, ISO and IPv6 are dropped (junos-es 9.3 "mode (Forwarding-Options)": "By default, the device drops
# traffic for the protocol family"; "mpls": "By default, the device drops MPLS traffic"; forwarding-options
# (Security) reference: inet6 "drop - Drop IPv6 packets. This is the default setting.").
DEFAULT_MODES = {"inet": "flow-based", "inet6": "drop", "mpls": "drop", "iso": "drop"}


def configured_modes(root) -> dict:
    """The forwarding modes the committed configuration asks for (they take effect after a reboot)."""
    out = dict(DEFAULT_MODES)
    fam = root.get("security", "forwarding-options", "family")
    if fam is None or fam.inactive:
        return out
    for name in ("inet6", "mpls", "iso"):
        node = fam.get(name)
        if node is not None and not node.inactive and node.leaf("mode"):
            out[name] = node.leaf("mode")
    return out


def _services(hit) -> set | None:
    """host-inbound-traffic node -> set of admitted services/protocols (None when the node is absent)."""
    if hit is None or hit.inactive:
        return None
    out = set()
    for kind in ("system-services", "protocols"):
        entries = list(hit.entries(kind))
        names = {n for n, c in entries if c.get("except") is None and not c.inactive}
        excepted = {n for n, c in entries if c.get("except") is not None}
        if "all" in names or "any-service" in names:
            # "all" minus the "<name> except" entries of the same statement
            base = {"ike", "ping", "ssh", "telnet", "http", "https", "netconf", "traceroute", "dhcp", "ntp", "snmp", "bfd"} \
                if kind == "system-services" else {"ospf", "ospf3", "isis", "ldp", "rsvp", "bgp", "bfd", "pim", "vrrp"}
            names = (names | base) - excepted - {"all", "any-service"}
        out |= names
    return out


def zones_host_inbound(sec) -> dict:
    """Interface -> admitted host-inbound services (SRX security zones).

    Juniper, "Supported System Services for Host Inbound Traffic" / security-zone host-inbound-traffic:
    services configured on an interface of a zone override the zone's host-inbound-traffic for that interface;
    an interface in no zone accepts no host-inbound traffic at all (its key is absent)."""
    out: dict = {}
    zones = sec.get("zones") if sec is not None and not sec.inactive else None
    if zones is None or zones.inactive:
        return out
    for _zname, zone in zones.entries("security-zone"):
        if zone.inactive:
            continue
        zone_services = _services(zone.get("host-inbound-traffic")) or set()
        for ifname, member in zone.entries("interfaces"):
            if member.inactive:
                continue
            own = _services(member.get("host-inbound-traffic"))
            out[ifname] = own if own is not None else set(zone_services)
    return out


def _port(p):
    if p is None:
        return None
    names = {"ike": 500, "ipsec-nat-t": 4500, "bfd": 3784, "ssh": 22, "ldp": 646, "bgp": 179}
    if p in names:
        return names[p]
    try:
        return int(p)
    except ValueError:
        return None


# Juniper "eapol-address (MACsec)": pae 01:80:C2:00:00:03 (default), provider-bridge 01:80:C2:00:00:00,
# lldp-multicast 01:80:C2:00:00:0E
EAPOL = {"pae": "01:80:c2:00:00:03", "provider-bridge": "01:80:c2:00:00:00", "lldp-multicast": "01:80:c2:00:00:0e"}


def _macsec(sec, v: model.DeviceView) -> None:
    """``security macsec interfaces IF connectivity-association CA`` (static CAK) -> MacsecPort keyed by the carrier
    unit of IF. Junos defaults: cipher gcm-aes-128, key-server-priority 16, offset 0, SCI not included, replay
    protection off, EAPoL to the PAE group address; unsecured traffic is dropped unless ``mka should-secure``
    (fail-open). The CAK's length selects the MKA CMAC (32 hex digits AES-128-CMAC, 64 AES-256-CMAC)."""
    ms = sec.get("macsec") if sec is not None and not sec.inactive else None
    if ms is None or ms.inactive:
        return
    cas = dict(ms.entries("connectivity-association"))
    for ifname, node in ms.entries("interfaces"):
        ca_name = node.leaf("connectivity-association")
        ca = cas.get(ca_name)
        unit = next((n for n in v.interfaces if n.split(".")[0] == ifname), f"{ifname}.0")
        port = model.MacsecPort(interface=unit, policy=ca_name, key_server_priority=16, include_sci=False)
        if ca is not None:
            port.ciphers = [ca.leaf("cipher-suite") or "gcm-aes-128"]
            if ca.leaf("security-mode") == "static-cak":
                ckn, cak = ca.leaf("pre-shared-key", "ckn"), ca.leaf("pre-shared-key", "cak")
                port.ckn = ckn.lower() if ckn else None
                port.cak = cak.lower() if cak else None
                if port.cak:
                    port.mka_algorithm = "aes-128-cmac" if len(port.cak) <= 32 else "aes-256-cmac"
            ksp = ca.leaf("mka", "key-server-priority")
            port.key_server_priority = int(ksp) if ksp is not None else 16
            port.eapol_address = EAPOL[ca.leaf("mka", "eapol-address") or "pae"]
            port.must_secure = ca.get("mka", "should-secure") is None
            port.offset = int(ca.leaf("offset") or 0)
            port.include_sci = ca.get("include-sci") is not None
            rp = ca.get("replay-protect")
            if rp is not None and not rp.inactive:
                port.replay_window = int(rp.leaf("replay-window-size") or 0)
            rk = ca.leaf("mka", "sak-rekey-interval")
            port.sak_rekey = int(rk) if rk else None
        v.macsec[unit] = port


def _group_vpn(sec, v: model.DeviceView) -> model.GetvpnView | None:
    """``security group-vpn member``: each ``ipsec vpn`` is a member of group ``group`` registering through its ike
    gateway (``server-address`` list, ``local-address``) with the gateway policy's proposals and pre-shared key; the
    policy downloaded from the key server applies to ``group-vpn-external-interface`` (Juniper Group VPNv2 member
    configuration; GDOI registration: IKEv1 main mode, then GROUPKEY-PULL on UDP 848)."""
    gv = sec.get("group-vpn", "member") if sec is not None and not sec.inactive else None
    if gv is None or gv.inactive:
        return None
    out = model.GetvpnView()
    ike = gv.get("ike")
    props = dict(ike.entries("proposal")) if ike is not None else {}
    pols = dict(ike.entries("policy")) if ike is not None else {}
    gws = dict(ike.entries("gateway")) if ike is not None else {}
    ipsec = gv.get("ipsec")
    for name, vpn in (ipsec.entries("vpn") if ipsec is not None else []):
        gw = gws.get(vpn.leaf("ike-gateway") or "")
        pol = pols.get(gw.leaf("ike-policy") or "") if gw is not None else None
        isakmp, psk = [], None
        if pol is not None:
            psk = pol.leaf("pre-shared-key", "ascii-text") or pol.leaf("pre-shared-key", "hexadecimal")
            for pn in pol.leaf("proposals") or []:
                p = props.get(pn)
                if p is not None:
                    isakmp.append(model.IsakmpPolicy(
                        encryption=ENC.get(p.leaf("encryption-algorithm"), p.leaf("encryption-algorithm") or "des"),
                        integrity=IKE_AUTH.get(p.leaf("authentication-algorithm"), "sha1"),
                        dh_group=_group(p.leaf("dh-group")) or 1,
                        auth=AUTH_METHOD.get(p.leaf("authentication-method") or "", "rsa-sig"),
                        lifetime=int(p.leaf("lifetime-seconds") or 86400)))
        servers = (gw.leaf("server-address") or []) if gw is not None else []
        group = vpn.leaf("group")
        out.members[name] = model.GdoiMember(
            group=name, identity=int(group) if group else None, servers=list(servers),
            interface=vpn.leaf("group-vpn-external-interface"),
            local_address=gw.leaf("local-address") if gw is not None else None,
            isakmp=isakmp, psk={a: psk for a in servers} if psk else {})
    return out


def _present(node, *path) -> bool:
    n = node.get(*path)
    return n is not None and not n.inactive


def _remote_dn(g):
    """remote-identity distinguished-name: ("container"|"wildcard", string), or ("any", None) without either."""
    dn = g.get("remote-identity", "distinguished-name")
    if dn is None or dn.inactive:
        return None
    for kind in ("container", "wildcard"):
        if dn.leaf(kind):
            return (kind, dn.leaf(kind))
    return ("any", None)


def _pki(sec) -> model.PkiView:
    """CA profiles and their revocation methods: default CRL (download failure fails the check), ``crl disable
    on-download-failure`` = CRL then accept, ``revocation-check disable`` = none. The certificates are device state
    (JunosDevice adds them)."""
    out = model.PkiView()
    pki = sec.get("pki") if sec is not None else None
    if pki is None or pki.inactive:
        return out
    for name, prof in pki.entries("ca-profile"):
        if _present(prof, "revocation-check", "disable"):
            out.revocation[name] = ["none"]
        elif _present(prof, "revocation-check", "crl", "disable", "on-download-failure"):
            out.revocation[name] = ["crl", "none"]
        else:
            out.revocation[name] = ["crl"]
    return out

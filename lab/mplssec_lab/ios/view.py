"""IOS configuration tree -> vendor-neutral DeviceView."""
from __future__ import annotations

import ipaddress

from .. import model
from . import grammar as g
from .config import Node

ENC_IKE = {"aes-cbc-128": "aes-cbc-128", "aes-cbc-192": "aes-cbc-192", "aes-cbc-256": "aes-cbc-256",
           "aes-gcm-128": "aes-gcm-128", "aes-gcm-256": "aes-gcm-256", "3des": "3des", "des": "des"}


# IOS ACL port keywords (Cisco IOS Security Command Reference, "permit (IP extended)": port names)
IOS_PORTS = {"isakmp": 500, "non500-isakmp": 4500, "domain": 53, "ntp": 123, "tftp": 69, "bgp": 179, "snmp": 161,
             "www": 80, "telnet": 23, "ssh": 22, "bootps": 67, "bootpc": 68, "syslog": 514}


def esp_transform(tokens):
    """['esp-gcm', '256'] / ['esp-aes', '256', 'esp-sha256-hmac'] -> {"encryption", "integrity"}."""
    enc, integ = None, "none"
    i = 0
    while i < len(tokens):
        t = tokens[i]
        size = tokens[i + 1] if i + 1 < len(tokens) and tokens[i + 1].isdigit() else None
        if t in ("esp-gcm", "esp-aes", "esp-gmac"):
            base = {"esp-gcm": "aes-gcm", "esp-aes": "aes-cbc", "esp-gmac": "aes-gmac"}[t]
            enc = f"{base}-{size or 128}"
            i += 2 if size else 1
            continue
        if t == "esp-3des":
            enc = "3des"
        elif t == "esp-des":
            enc = "des"
        elif t == "esp-null":
            enc = "null"
        elif t.endswith("-hmac"):
            integ = {"esp-sha-hmac": "sha1", "esp-sha256-hmac": "sha256", "esp-sha384-hmac": "sha384",
                     "esp-sha512-hmac": "sha512", "esp-md5-hmac": "md5"}[t]
        i += 1
    return {"encryption": enc, "integrity": integ}


def _addr_of(root: Node, ifname):
    n = root.find("interface " + ifname)
    if n is None:
        return None
    ip = n.line("ip address")
    if ip is None or ip.text.startswith("no "):
        return None
    return ip.tokens()[2]


def _iface(root: Node, n: Node) -> model.Interface:
    name = n.tokens()[1]
    typ = g.split_ifname(name)[0]
    kind = {"GigabitEthernet": "ethernet", "TenGigabitEthernet": "ethernet", "Loopback": "loopback",
            "Tunnel": "gre"}.get(typ, "other")
    i = model.Interface(name=name, kind=kind)
    for c in n.ordered():
        t = c.tokens()
        txt = c.text
        if txt.startswith("ip address "):
            i.ipv4.append(ipaddress.IPv4Interface(f"{t[2]}/{t[3]}"))
        elif txt.startswith("ipv6 address "):
            i.ipv6.append(ipaddress.IPv6Interface(t[2]))
        elif txt == "shutdown":
            i.enabled = False
        elif t[0] == "mtu":
            i.mtu = int(t[1])
        elif txt.startswith("ip mtu "):
            i.ip_mtu = int(t[2])
        elif txt.startswith("mpls mtu "):
            i.mpls_mtu = int(t[-1])
        elif txt.startswith("ip tcp adjust-mss "):
            i.tcp_mss = int(t[3])
        elif txt == "mpls ip":
            i.mpls = True
            i.ldp = True
        elif txt.startswith("ip ospf ") and "area" in t:
            i.ospf = dict(i.ospf or {}, process=t[2], area=t[4])
        elif txt.startswith("ip ospf cost "):
            i.ospf = dict(i.ospf or {}, cost=int(t[3]))
        elif txt.startswith("ip ospf network "):
            i.ospf = dict(i.ospf or {}, p2p=(t[3] == "point-to-point"), type=t[3])
        elif txt.startswith("ip ospf hello-interval "):
            i.ospf = dict(i.ospf or {}, hello=int(t[3]))
        elif txt.startswith("ip ospf dead-interval "):
            i.ospf = dict(i.ospf or {}, dead=int(t[3]))
        elif txt.startswith("ip router isis"):
            i.isis = dict(i.isis or {}, tag=t[3] if len(t) > 3 else None)
        elif txt.startswith("isis metric "):
            i.isis = dict(i.isis or {}, metric=int(t[2]))
        elif txt == "isis network point-to-point":
            i.isis = dict(i.isis or {}, p2p=True)
        elif txt.startswith("tunnel source "):
            src = t[2]
            i.tunnel_source = src if src[0].isdigit() else _addr_of(root, src)
        elif txt.startswith("tunnel destination "):
            i.tunnel_destination = t[2]
        elif txt.startswith("tunnel key "):
            i.tunnel_key = int(t[2])
        elif txt.startswith("tunnel mode "):
            if t[2] == "ipsec":
                i.kind = "ipsec"
            elif t[2:4] != ["gre", "ip"]:
                i.kind = "other"
        elif txt.startswith("tunnel protection ipsec profile "):
            i.ipsec_policy = t[4]
        elif txt.startswith("ip access-group ") and t[-1] == "in":
            i.filter_in = t[2]
        elif t[0] == "description":
            i.description = txt.split(" ", 1)[1]
    if i.ospf is not None:
        i.ospf.setdefault("process", None)
        i.ospf.setdefault("area", None)
        i.ospf.setdefault("cost", None)
        i.ospf.setdefault("p2p", False)
        i.ospf.setdefault("passive", False)
    if i.isis is not None:
        i.isis.setdefault("metric", None)
        i.isis.setdefault("p2p", False)
        i.isis.setdefault("passive", False)
    return i


def _ospf_networks(proc_node: Node, proc: str, interfaces: dict) -> None:
    """``network A W area X`` under ``router ospf N``: OSPF runs on every interface with an address
    whose bits agree with A where W is 0 (Cisco OSPF command reference, ``network area``). An interface
    with ``ip ospf N area X`` keeps that (interface mode takes precedence). The first statement in
    configuration order that matches wins."""
    stmts = []
    for c in proc_node.ordered():
        t = c.tokens()
        if t[0] == "network" and len(t) == 5 and t[3] == "area":
            stmts.append((int(ipaddress.IPv4Address(t[1])), int(ipaddress.IPv4Address(t[2])), t[4]))
    if not stmts:
        return
    for i in interfaces.values():
        if i.ospf is not None and i.ospf.get("area") is not None:
            continue
        for net, wild, area in stmts:
            if any((int(a.ip) | wild) == (net | wild) for a in i.ipv4):
                i.ospf = dict(i.ospf or {}, process=proc, area=area, via="network")
                for key, default in (("cost", None), ("p2p", False), ("passive", False)):
                    i.ospf.setdefault(key, default)
                break


def _proposal(node: Node):
    vals = {}
    for c in node.ordered():
        t = c.tokens()
        vals[t[0]] = t[1:]
    out = []
    for enc in vals.get("encryption", []):
        aead = "gcm" in enc
        integs = ["none"] if aead else vals.get("integrity", ["sha1"])
        prfs = vals.get("prf") or ([x for x in vals.get("integrity", [])] if not aead else []) or ["sha1"]
        for integ in integs:
            for prf in prfs[:1]:
                for grp in vals.get("group", []):
                    out.append({"encryption": ENC_IKE.get(enc, enc), "integrity": integ, "prf": prf,
                                "dh_group": int(grp)})
    return out


def build_view(root: Node, hostname: str) -> model.DeviceView:
    v = model.DeviceView(hostname=hostname, platform="ios")
    hn = root.find("hostname")
    if hn is not None:
        v.hostname = hn.tokens()[1]
    # interfaces
    for n in root.ordered():
        if n.text.startswith("interface "):
            i = _iface(root, n)
            v.interfaces[i.name] = i
    # routing
    rid = root.find("mpls ldp router-id")
    ldp_rid = None
    if rid is not None:
        ldp_rid = _addr_of(root, rid.tokens()[3])
    for n in root.ordered():
        if n.text.startswith("router ospf ") and v.ospf is None:
            proc = n.tokens()[2]
            r = n.find("router-id")
            v.ospf = {"process": proc, "router_id": r.tokens()[1] if r else None}
            _ospf_networks(n, proc, v.interfaces)
            for c in n.ordered():
                t = c.tokens()
                if t[0] == "passive-interface" and t[1] in v.interfaces and v.interfaces[t[1]].ospf:
                    v.interfaces[t[1]].ospf["passive"] = True
            continue
        if n.text.startswith("router isis"):
            net = n.line("net")
            lvl = n.find("is-type")
            level = {"is-type level-1": 1, "is-type level-2-only": 2}.get(lvl.text if lvl else "", 3)
            v.isis = {"net": net.tokens()[1] if net else None, "level": level}
            for c in n.ordered():
                t = c.tokens()
                if t[0] == "passive-interface" and t[1] in v.interfaces and v.interfaces[t[1]].isis:
                    v.interfaces[t[1]].isis["passive"] = True
    # "ip ospf cost|network" alone does not run OSPF on an interface: it needs "ip ospf N area X" or a
    # matching network statement (the interface parameters are kept for when it is enabled).
    for i in v.interfaces.values():
        if i.ospf is not None and i.ospf.get("area") is None:
            i.ospf = None
    if ldp_rid is None:
        lo = [i for i in v.interfaces.values() if i.kind == "loopback" and i.ipv4]
        if lo:
            ldp_rid = str(lo[0].ipv4[0].ip)
    v.router_id = ldp_rid or (v.ospf or {}).get("router_id")
    v.ldp_enabled = any(i.ldp for i in v.interfaces.values())
    # IKEv2
    proposals = {n.tokens()[3]: _proposal(n) for n in root.ordered() if n.text.startswith("crypto ikev2 proposal ")}
    policies = [n for n in root.ordered() if n.text.startswith("crypto ikev2 policy ")]
    keyrings = {n.tokens()[3]: n for n in root.ordered() if n.text.startswith("crypto ikev2 keyring ")}
    for n in root.ordered():
        if not n.text.startswith("crypto ikev2 profile "):
            continue
        name = n.tokens()[3]
        remote = None
        for c in n.ordered():
            t = c.tokens()
            if t[:4] == ["match", "identity", "remote", "address"]:
                remote = t[4]
                break
        loc = n.find("match address local")
        local = None
        if loc is not None:
            t = loc.tokens()
            local = t[3] if t[3] != "interface" else _addr_of(root, t[4])
        idl = n.find("identity local")
        local_id = idl.tokens()[3] if idl is not None and len(idl.tokens()) > 3 else None
        local_id_dn = idl is not None and idl.tokens()[2:] == ["dn"]
        tps = [c.tokens()[2:] for c in n.ordered() if c.text.startswith("pki trustpoint ")]
        sign = [t[0] for t in tps if t[1:] in ([], ["sign"])]
        maps = [c.tokens()[2] for c in n.ordered() if c.text.startswith("match certificate ")]
        auth_l = n.find("authentication local")
        auth = {"pre-share": "psk"}.get(auth_l.tokens()[2], auth_l.tokens()[2]) if auth_l else "psk"
        kr = n.find("keyring local")
        psk = None
        if kr is not None and kr.tokens()[2] in keyrings:
            psk = _psk_for(keyrings[kr.tokens()[2]], remote)
        life = n.find("lifetime")
        dpd = n.find("dpd")
        # proposals: from the policies matching our local address (or all policies without a match)
        if local is None:
            for p in policies:
                ml = [c.tokens()[3] for c in p.ordered() if c.text.startswith("match address local ")]
                if ml:
                    local = ml[0]
                    break
        props = []
        for p in policies:
            ml = [c.tokens()[3] for c in p.ordered() if c.text.startswith("match address local ")]
            if ml and local is not None and local not in ml:
                continue
            for c in p.ordered():
                if c.text.startswith("proposal "):
                    props += proposals.get(c.tokens()[1], [])
        if not policies:
            props = []  # IOS falls back to its default proposal only with the default policy (not modelled)
        v.ike[name] = model.IkePeer(
            name=name, version=2, local_address=local, peer_address=remote, proposals=props, psk=psk,
            auth=auth, local_id=local_id, remote_id=remote, local_id_dn=local_id_dn,
            trustpoint=sign[0] if sign else None,
            verify_trustpoints=[t[0] for t in tps if t[1:] in ([], ["verify"])],
            cert_map=",".join(maps) if maps else None,
            cert_rules=[seq for m in maps for seq in _cert_map(root, m)] if maps else None,
            lifetime=int(life.tokens()[1]) if life else 86400,
            dpd=(int(dpd.tokens()[1]), int(dpd.tokens()[2])) if dpd else None)
    # IPsec profiles
    tsets = {}
    for n in root.ordered():
        if n.text.startswith("crypto ipsec transform-set "):
            t = n.tokens()
            mode = n.find("mode")
            tsets[t[3]] = (esp_transform(t[4:]), mode.tokens()[1] if mode else "tunnel",
                           bool(mode and mode.tokens()[2:] == ["require"]))
    # IKE is sourced from the tunnel source of the interface whose profile uses this ikev2 profile
    for i in v.interfaces.values():
        if not i.ipsec_policy:
            continue
        pn = root.find("crypto ipsec profile " + i.ipsec_policy)
        ref = pn.find("set ikev2-profile") if pn is not None else None
        if ref is not None and ref.tokens()[2] in v.ike and v.ike[ref.tokens()[2]].local_address is None:
            v.ike[ref.tokens()[2]].local_address = i.tunnel_source
        # a profile selected by certificate only (no match identity remote address): the initiator's peer is the
        # tunnel destination of the interface it protects (Cisco sVTI / GRE tunnel protection)
        if ref is not None and ref.tokens()[2] in v.ike and v.ike[ref.tokens()[2]].peer_address is None:
            v.ike[ref.tokens()[2]].peer_address = i.tunnel_destination
    v.pki = _pki(root)
    dfbit = root.find("crypto ipsec df-bit")
    df = dfbit.tokens()[3] if dfbit is not None else "copy"
    users = {i.ipsec_policy: i.name for i in v.interfaces.values() if i.ipsec_policy}
    for n in root.ordered():
        if not n.text.startswith("crypto ipsec profile "):
            continue
        name = n.tokens()[3]
        ts = n.find("set transform-set")
        transforms, mode, required = [], "tunnel", False
        if ts is not None:
            for tname in ts.tokens()[2:]:
                if tname in tsets:
                    transforms.append(tsets[tname][0])
                    if not transforms[:-1]:
                        mode, required = tsets[tname][1], tsets[tname][2]
        pfs = n.find("set pfs")
        life = n.find("set security-association lifetime seconds")
        ikep = n.find("set ikev2-profile")
        v.ipsec[name] = model.IpsecPolicy(
            name=name, ike_peer=ikep.tokens()[2] if ikep else None, transforms=transforms, mode=mode, mode_required=required,
            pfs_group=int(pfs.tokens()[2][5:]) if pfs else None,
            lifetime=int(life.tokens()[4]) if life else 3600, interface=users.get(name), df_bit=df)
    _macsec(root, v)
    v.getvpn = _getvpn(root, v)
    # filters
    for n in root.ordered():
        if n.text.startswith("ip access-list extended "):
            rules = []
            for c in n.ordered():
                t = c.tokens()[1:]
                if t[0] == "remark":
                    continue
                port = None
                if "eq" in t:
                    p = t[t.index("eq") + 1]
                    port = IOS_PORTS.get(p, int(p) if p.isdigit() else None)
                rules.append({"action": t[0], "proto": t[1], "port": port})
            v.filters[n.tokens()[3]] = rules
    return v


def _psk_for(keyring: Node, remote):
    fallback = None
    for peer in keyring.ordered():
        addr = peer.find("address")
        psk = peer.find("pre-shared-key") or peer.find("pre-shared-key local")
        key = psk.tokens()[-1] if psk else None
        if addr is None:
            fallback = fallback or key
            continue
        t = addr.tokens()
        net = ipaddress.IPv4Network(f"{t[1]}/{t[2] if len(t) > 2 else '255.255.255.255'}", strict=False)
        if remote is None or ipaddress.IPv4Address(remote) in net:
            return key
    return fallback


# "eapol destination-address" keywords (Cisco WAN MACsec and MKA guide; IEEE 802.1X-2010 Table 11-1)
EAPOL_KEYWORDS = {"bridge-group-address": "01:80:c2:00:00:00", "broadcast-address": "ff:ff:ff:ff:ff:ff",
                  "lldp-multicast-address": "01:80:c2:00:00:0e"}
PAE_GROUP = "01:80:c2:00:00:03"    # the default destination


def _hhh(v: str) -> str:
    """"0018.b967.3cd0" -> "00:18:b9:67:3c:d0"."""
    h = "".join(x.zfill(4) for x in v.split(".")).lower()
    return ":".join(h[i:i + 2] for i in range(0, 12, 2))


_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                        "dec"), 1)}


def _ios_time(tokens) -> float | None:
    """("12:21:00", "Sep", "9", "2015") -> epoch seconds. The router's local time is UTC in the lab (``clock timezone``
    is not modelled): **lab decision**, docs/lab.md "MACsec"."""
    import calendar
    try:
        hh, mm, ss = (int(x) for x in tokens[0].split(":"))
        if tokens[1].isdigit():          # IOS takes "9 Sep 2015" as well as "Sep 9 2015"
            day, month = int(tokens[1]), _MONTHS[tokens[2][:3].lower()]
        else:
            month, day = _MONTHS[tokens[1][:3].lower()], int(tokens[2])
        return float(calendar.timegm((int(tokens[3]), month, day, hh, mm, ss)))
    except (ValueError, KeyError, IndexError):
        return None


def _lifetime(text: str) -> tuple:
    """``lifetime local START (infinite | END | duration SECONDS)`` -> (start, end) epoch seconds (end None = infinite);
    no lifetime: always valid (Cisco key chain: "In the absence of a lifetime configuration, the default lifetime is
    unlimited")."""
    t = text.split()[2:]
    start = _ios_time(t[:4])
    if start is None:
        return None, None
    rest = t[4:]
    if rest[:1] == ["duration"] and len(rest) > 1 and rest[1].isdigit():
        return start, start + int(rest[1])
    if rest[:1] == ["infinite"] or not rest:
        return start, None
    return start, _ios_time(rest[:4])


def _keychain(root: Node, name) -> list:
    """The keys of ``key chain NAME macsec`` in chain order: [model.MkaKey] (CKN, CAK, algorithm, lifetime)."""
    kc = root.line(f"key chain {name}") if name else None
    if kc is None:
        return []
    out = []
    for key in kc.ordered():
        t = key.tokens()
        ks = key.find("key-string")
        alg = key.find("cryptographic-algorithm")
        life = key.find("lifetime")
        cak = None
        if ks is not None:
            kt = ks.tokens()
            if len(kt) == 3 and kt[1] == "7":
                from .type7 import decode
                cak = decode(kt[2]).lower()
            else:   # type 6 needs the router's master key: the lab compares the encrypted text
                cak = "type6:" + kt[-1]
        start, stop = _lifetime(life.text) if life is not None else (None, None)
        out.append(model.MkaKey(ckn=t[1].lower(), cak=cak, mka_algorithm=alg.tokens()[1] if alg else "aes-128-cmac",
                                start=start, end=stop, lifetime=life is not None))
    return out


def _macsec(root: Node, v: model.DeviceView) -> None:
    """``macsec network-link`` + ``mka policy`` + ``mka pre-shared-key key-chain`` on an interface -> MacsecPort.
    Defaults: Cisco's *DEFAULT POLICY* (key-server priority 0, GCM-AES-128, offset 0), SCI included, access-control
    should-secure, EAPoL to the PAE group address with EtherType 0x888E, replay protection on with window 0."""
    for n in root.ordered():
        if not n.text.startswith("interface ") or n.line("macsec network-link") is None:
            continue
        name = n.tokens()[1]
        port = model.MacsecPort(interface=name, replay_window=0, key_server_priority=0)
        pol = n.find("mka policy")
        if pol is not None:
            port.policy = pol.tokens()[2]
            pn = root.line(f"mka policy {port.policy}")
            for c in (pn.ordered() if pn is not None else []):
                t = c.tokens()
                if t[0] == "key-server":
                    port.key_server_priority = int(t[2])
                elif t[0] == "macsec-cipher-suite":
                    port.ciphers = t[1:]
                elif t[0] == "confidentiality-offset":
                    port.offset = int(t[1])
                elif t[:2] == ["sak-rekey", "interval"]:
                    port.sak_rekey = int(t[2])
        psk = n.find("mka pre-shared-key")
        if psk is not None:
            port.keychain = psk.tokens()[3]
            port.keys = _keychain(root, port.keychain)
            if port.keys:       # the first key; macsec.active_key picks the one in force at the lab's time
                port.ckn, port.cak, port.mka_algorithm = port.keys[0].ckn, port.keys[0].cak, port.keys[0].mka_algorithm
        for c in n.ordered():
            t = c.tokens()
            if t[:2] == ["eapol", "destination-address"]:
                port.eapol_address = EAPOL_KEYWORDS.get(t[2]) or _hhh(t[2])
            elif t[:2] == ["eapol", "eth-type"]:
                port.eapol_ethertype = int(t[2], 16)
            elif t[:2] == ["macsec", "dot1q-in-clear"]:
                port.tags_in_clear = int(t[2])
            elif t[:2] == ["macsec", "replay-protection"]:
                port.replay_window = int(t[3])
            elif t[:2] == ["macsec", "access-control"]:
                port.must_secure = t[2] == "must-secure"
        v.macsec[name] = port


# -- GET VPN ----------------------------------------------------------------------------------------------------
ISAKMP_ENC = {("aes",): "aes-cbc-128", ("aes", "128"): "aes-cbc-128", ("aes", "192"): "aes-cbc-192",
              ("aes", "256"): "aes-cbc-256", ("3des",): "3des", ("des",): "des"}
ISAKMP_HASH = {"sha": "sha1", "sha256": "sha256", "sha384": "sha384", "sha512": "sha512", "md5": "md5"}


def _isakmp_policies(root: Node) -> list:
    """``crypto isakmp policy N`` in priority order; unset lines take the IOS defaults (encr des, hash sha,
    authentication rsa-sig, group 1, lifetime 86400: Cisco IOS Security Command Reference, crypto isakmp policy)."""
    out = []
    for n in root.ordered():
        if not n.text.startswith("crypto isakmp policy "):
            continue
        p = model.IsakmpPolicy()
        for c in n.ordered():
            t = c.tokens()
            if t[0] == "encr":
                p.encryption = ISAKMP_ENC.get(tuple(t[1:]), t[1])
            elif t[0] == "hash":
                p.integrity = ISAKMP_HASH.get(t[1], t[1])
            elif t[0] == "authentication":
                p.auth = {"pre-share": "psk"}.get(t[1], t[1])
            elif t[0] == "group":
                p.dh_group = int(t[1])
            elif t[0] == "lifetime":
                p.lifetime = int(t[1])
        out.append(p)
    return out


def _isakmp_keys(root: Node) -> dict:
    """``crypto isakmp key [0] KEY address A [MASK]`` -> {A: KEY}; "0.0.0.0" is the wildcard key."""
    out = {}
    for n in root.ordered():
        t = n.tokens()
        if t[:3] == ["crypto", "isakmp", "key"] and "address" in t:
            i = t.index("address")
            key = t[i - 1]
            out[t[i + 1]] = key
    return out


def _acl_addr(t, i):
    """(network, next index) of an ACL address at t[i]: any | host A | A WILDCARD."""
    if t[i] == "any":
        return ipaddress.IPv4Network("0.0.0.0/0"), i + 1
    if t[i] == "host":
        return ipaddress.IPv4Network(t[i + 1] + "/32"), i + 2
    wild = int(ipaddress.IPv4Address(t[i + 1]))
    mask = ipaddress.IPv4Address(0xFFFFFFFF ^ wild)
    return ipaddress.IPv4Network(f"{t[i]}/{mask}", strict=False), i + 2


def _acl_port(t, i):
    if i < len(t) and t[i] in ("eq", "gt", "lt", "neq"):
        p = t[i + 1]
        return IOS_PORTS.get(p, int(p) if p.isdigit() else None), i + 2
    return None, i


def acl_entries(root: Node, name) -> list | None:
    """The entries of ``ip access-list extended NAME`` as {"action", "proto", "src", "dst", "sport", "dport",
    "text"} (None when the ACL is not defined)."""
    n = root.find("ip access-list extended " + name) if name else None
    if n is None:
        return None
    out = []
    for c in n.ordered():
        t = c.tokens()[1:]
        if t[0] == "remark":
            continue
        src, i = _acl_addr(t, 2)
        sport, i = _acl_port(t, i)
        dst, i = _acl_addr(t, i)
        dport, i = _acl_port(t, i)
        out.append({"action": t[0], "proto": t[1], "src": src, "dst": dst, "sport": sport, "dport": dport,
                    "text": " ".join(t)})
    return out


def _gdoi_server(root: Node, group: Node, local: Node) -> model.GdoiServer:
    ident = group.find("identity number")
    srv = model.GdoiServer(group=group.tokens()[3], identity=int(ident.tokens()[2]) if ident else None)
    for c in local.ordered():
        t = c.tokens()
        if t[:3] == ["rekey", "lifetime", "seconds"]:
            srv.kek_lifetime = int(t[3])
        elif t[:4] == ["rekey", "authentication", "mypubkey", "rsa"]:
            srv.rekey_rsa = t[4]
        elif t[:3] == ["rekey", "transport", "unicast"]:
            srv.rekey_transport = "unicast"
        elif t[:2] == ["address", "ipv4"]:
            srv.address = t[2]
        elif t[0] == "redundancy":
            prio = c.find("local priority")
            srv.redundancy = {"priority": int(prio.tokens()[2]) if prio else 1,
                              "peers": [x.tokens()[3] for x in c.ordered() if x.text.startswith("peer address ipv4")]}
        elif t[:2] == ["sa", "ipsec"] and srv.sa_ipsec is None:
            srv.sa_ipsec = int(t[2])
            for x in c.ordered():
                xt = x.tokens()
                if xt[0] == "profile":
                    srv.profile = xt[1]
                elif xt[:3] == ["match", "address", "ipv4"]:
                    srv.acl_name = xt[3]
                elif xt == ["no", "replay"]:
                    srv.replay = None
                elif xt[0] == "replay":
                    srv.replay = (xt[1], int(xt[3]))
    if srv.acl_name:
        srv.acl = acl_entries(root, srv.acl_name)
    prof = root.find("crypto ipsec profile " + srv.profile) if srv.profile else None
    if prof is not None:
        life = prof.find("set security-association lifetime seconds")
        srv.tek_lifetime = int(life.tokens()[4]) if life else 3600
        ts = prof.find("set transform-set")
        for tname in (ts.tokens()[2:] if ts else []):
            tn = root.find("crypto ipsec transform-set " + tname)
            if tn is not None:
                srv.transform = esp_transform(tn.tokens()[4:])
                break
    if srv.identity is None:
        srv.errors.append("no identity number")
    if srv.sa_ipsec is None or prof is None or srv.transform is None:
        srv.errors.append("no sa ipsec with an ipsec profile and transform set")
    elif srv.acl is None:
        srv.errors.append(f"policy ACL {srv.acl_name} not defined")
    return srv


def _getvpn(root: Node, v: model.DeviceView) -> model.GetvpnView | None:
    """``crypto gdoi group`` (key server: ``server local``; member: ``server address ipv4`` used by a ``crypto map N
    gdoi`` / ``set group`` applied to an interface), ``crypto isakmp policy`` and ``crypto isakmp key`` (GDOI
    registration runs IKEv1 phase 1, then the GDOI GROUPKEY-PULL on UDP 848: RFC 6407)."""
    groups = {n.tokens()[-1]: n for n in root.ordered() if n.text.startswith("crypto gdoi group ")}
    if not groups:
        return None
    gv = model.GetvpnView(isakmp=_isakmp_policies(root), psk=_isakmp_keys(root))
    for name, grp in groups.items():
        local = grp.find("server local")
        if local is not None:
            gv.servers[name] = _gdoi_server(root, grp, local)
    applied = {}
    for i in v.interfaces:
        n = root.find("interface " + i)
        cm = n.find("crypto map") if n is not None else None
        if cm is not None:
            applied.setdefault(cm.tokens()[2], i)
    for n in root.ordered():
        t = n.tokens()
        if t[:2] != ["crypto", "map"] or len(t) != 5 or t[4] != "gdoi" or t[2] not in applied:
            continue
        sg = n.find("set group")
        grp = groups.get(sg.tokens()[2]) if sg else None
        if grp is None:
            continue
        ident = grp.find("identity number")
        ifname = applied[t[2]]
        local = None
        reg = grp.find("client registration interface")
        la = root.find(f"crypto map {t[2]} local-address")
        src_if = reg.tokens()[3] if reg is not None else (la.tokens()[4] if la is not None else None)
        if src_if is not None:
            local = _addr_of(root, src_if)
        gv.members[grp.tokens()[-1]] = model.GdoiMember(
            group=grp.tokens()[-1], identity=int(ident.tokens()[2]) if ident else None,
            servers=[c.tokens()[3] for c in grp.ordered() if c.text.startswith("server address ipv4 ")],
            interface=ifname, local_address=local, isakmp=gv.isakmp, psk=gv.psk, crypto_map=t[2])
    return gv


def _cert_map(root, name: str) -> list:
    """``crypto pki certificate map NAME SEQ`` entries in sequence order: [[(field, op, value), ...], ...]."""
    seqs = []
    for n in root.ordered():
        t = n.tokens()
        if t[:4] == ["crypto", "pki", "certificate", "map"] and len(t) > 5 and t[4] == name:
            rules = [(c.tokens()[0], c.tokens()[1], " ".join(c.tokens()[2:])) for c in n.ordered()]
            seqs.append((int(t[5]), rules))
    return [r for _, r in sorted(seqs)]


def _pki(root) -> model.PkiView:
    """Trustpoints of the configuration and their ``revocation-check`` methods (IOS default crl). The certificates
    themselves are device state (IosDevice.pki), added by the device to this view."""
    out = model.PkiView()
    for n in root.ordered():
        if n.text.startswith("crypto pki trustpoint "):
            rc = n.line("revocation-check")
            out.revocation[n.tokens()[3]] = rc.tokens()[1:] if rc is not None else ["crl"]
    return out

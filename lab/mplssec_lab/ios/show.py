"""Show command renderers in the real IOS-XE formats (built from config + LinkState)."""
from __future__ import annotations

import ipaddress
import time

from . import grammar as g
from .config import render_lines

# ------------------------------------------------------------------ helpers


def clock_str(t):
    return time.strftime("%H:%M:%S.000 UTC %a %b %d %Y", time.gmtime(t)).replace(" 0", "  ", 0)


def _dur(seconds):
    s = max(0, int(seconds))
    if s < 86400:
        return "%02d:%02d:%02d" % (s // 3600, s % 3600 // 60, s % 60)
    d, h = s // 86400, s % 86400 // 3600
    if d < 7:
        return f"{d}d{h}h"
    return f"{d // 7}w{d % 7}d"


def _iface_nodes(dev):
    return [n for n in dev.root.ordered() if n.text.startswith("interface ")]


def _ifaddr(node):
    ip = node.line("ip address")
    if ip is None or ip.text.startswith("no "):
        return None
    t = ip.tokens()
    return ipaddress.IPv4Interface(f"{t[2]}/{t[3]}")


def _line_up(dev, state, name):
    node = dev.root.find("interface " + name)
    if node is None:
        return False
    if node.find("shutdown") is not None:
        return False
    if name in state.interfaces_up:
        return bool(state.interfaces_up[name])
    typ = g.split_ifname(name)[0]
    if typ == "Tunnel":
        return node.find("tunnel source") is not None and node.find("tunnel destination") is not None
    return True


def _status(dev, state, name):
    node = dev.root.find("interface " + name)
    if node.find("shutdown") is not None:
        return "administratively down", "down"
    return "up", ("up" if _line_up(dev, state, name) else "down")


def _spi_hex(v):
    return "0x%X(%d)" % (v, v) if v else "0x0(0)"


def _spi64(seed):
    return ("%016X" % (abs(hash(("ike", seed))) & 0xFFFFFFFFFFFFFFFF))


# ------------------------------------------------------------------ version / clock


def show_version(dev):
    up = _dur_words(dev._now() - dev.boot_time)
    ngi = sum(1 for h in dev.hardware if h.startswith("GigabitEthernet"))
    # virtual vs hardware lines (the ASR1001-X ones from public ASR1001-X "show version" outputs)
    if dev.model.virtual:
        family, throughput = "Virtual XE", "The current throughput level is 250000 kbps \n\n\n"
        processor = "cisco C8000V (VXE) processor (revision VXE) with 1987213K/3075K bytes of memory."
    else:
        family, throughput = "ASR1000", "\n"
        processor = f"cisco {dev.model.pid} (1NG) processor (revision 1NG) with 3712209K/6147K bytes of memory."
    return f"""Cisco IOS XE Software, Version 17.09.04a
Cisco IOS Software [Cupertino], {family} Software (X86_64_LINUX_IOSD-UNIVERSALK9-M), Version 17.9.4a, RELEASE SOFTWARE (fc3)
Technical Support: http://www.cisco.com/techsupport
Copyright (c) 1986-2023 by Cisco Systems, Inc.
Compiled Fri 20-Oct-23 10:44 by mcpre


Cisco IOS-XE software, Copyright (c) 2005-2023 by cisco Systems, Inc.
All rights reserved.  Certain components of Cisco IOS-XE software are
licensed under the GNU General Public License ("GPL") Version 2.0.  The
software code licensed under GPL Version 2.0 is free software that comes
with ABSOLUTELY NO WARRANTY.  You can redistribute and/or modify such
GPL code under the terms of GPL Version 2.0.  For more details, see the
documentation or "License Notice" file accompanying the IOS-XE software,
or the applicable URL provided on the flyer accompanying the IOS-XE
software.


ROM: IOS-XE ROMMON

{dev.hostname} uptime is {up}
Uptime for this control processor is {up}
System returned to ROM by reload
System image file is "bootflash:packages.conf"
Last reload reason: factory-reset



This product contains cryptographic features and is subject to United
States and local country laws governing import, export, transfer and
use. Delivery of Cisco cryptographic products does not imply
third-party authority to import, export, distribute or use encryption.
Importers, exporters, distributors and users are responsible for
compliance with U.S. and local country laws. By using this product you
agree to comply with applicable laws and regulations. If you are unable
to comply with U.S. and local laws, return this product immediately.

A summary of U.S. laws governing Cisco cryptographic products may be found at:
http://www.cisco.com/wwl/export/crypto/tool/stqrg.html

If you require further assistance please contact us by sending email to
export@cisco.com.

License Level: network-advantage
License Type: Perpetual
Next reload license Level: network-advantage

Addon License Level: dna-advantage
Addon License Type: Subscription
Next reload addon license Level: dna-advantage

{throughput}Smart Licensing Status: Smart Licensing Using Policy

{processor}
Processor board ID {dev.serial}
Router operating mode: Autonomous
{ngi} Gigabit Ethernet interfaces
32768K bytes of non-volatile configuration memory.
3965384K bytes of physical memory.
11526144K bytes of virtual hardware disk at bootflash:.

Configuration register is 0x2102
"""


def _dur_words(s):
    s = int(s)
    d, h, m = s // 86400, s % 86400 // 3600, s % 3600 // 60
    parts = []
    if d:
        parts.append(f"{d} day" + ("s" if d != 1 else ""))
    if h:
        parts.append(f"{h} hour" + ("s" if h != 1 else ""))
    parts.append(f"{m} minute" + ("s" if m != 1 else ""))
    return ", ".join(parts)


def show_clock(dev):
    return time.strftime("*%H:%M:%S.000 UTC %a %b %d %Y", time.gmtime(dev._now()))


def show_run_interface(dev, name):
    node = dev.root.find("interface " + name)
    body = ["interface " + name] + [" " + c.text for c in node.ordered()] if node else []
    lines = body + ["end"]
    text = "\n".join(lines) + "\n"
    return f"Building configuration...\n\nCurrent configuration : {len(text) - 4} bytes\n" + "\n".join(
        ["!"] + lines) + "\n"


# ------------------------------------------------------------------ interfaces


def show_ip_int_brief(dev):
    st = dev.state()
    out = ["Interface              IP-Address      OK? Method Status                Protocol"]
    nodes = _iface_nodes(dev)
    phys = [n for n in nodes if n.tokens()[1].startswith(("GigabitEthernet", "TenGigabitEthernet"))]
    rest = [n for n in nodes if n not in phys]
    for n in phys + rest:
        name = n.tokens()[1]
        a = _ifaddr(n)
        status, proto = _status(dev, st, name)
        ip = str(a.ip) if a else "unassigned"
        method = "NVRAM" if a else "unset"
        out.append(f"{name:<23}{ip:<16}YES {method:<7}{status:<22}{proto}")
    return "\n".join(out) + "\n"


def _counters(ethernet):
    c = ["  Last input 00:00:00, output 00:00:00, output hang never",
         '  Last clearing of "show interface" counters never',
         "  Input queue: 0/375/0/0 (size/max/drops/flushes); Total output drops: 0",
         "  Queueing strategy: fifo",
         "  Output queue: 0/40 (size/max)" if ethernet else "  Output queue: 0/0 (size/max)",
         "  5 minute input rate 0 bits/sec, 0 packets/sec",
         "  5 minute output rate 0 bits/sec, 0 packets/sec",
         "     0 packets input, 0 bytes, 0 no buffer",
         "     Received 0 broadcasts (0 IP multicasts)",
         "     0 runts, 0 giants, 0 throttles ",
         "     0 input errors, 0 CRC, 0 frame, 0 overrun, 0 ignored" + ("" if ethernet else ", 0 abort")]
    if ethernet:
        c.append("     0 watchdog, 0 multicast, 0 pause input")
    c += ["     0 packets output, 0 bytes, 0 underruns",
          "     Output 0 broadcasts (0 IP multicasts)",
          "     0 output errors, 0 collisions, 0 interface resets",
          "     0 unknown protocol drops"]
    if ethernet:
        c += ["     0 babbles, 0 late collision, 0 deferred",
              "     0 lost carrier, 0 no carrier, 0 pause output"]
    c.append("     0 output buffer failures, 0 output buffers swapped out")
    return c


def _mac(name):
    h = abs(hash(name)) & 0xFFFFFF
    return "5254.00%02x.%04x" % (h >> 16, h & 0xFFFF)


def show_interfaces(dev, name=None):
    st = dev.state()
    nodes = _ifindex_order(_iface_nodes(dev))
    if name:
        nodes = [n for n in nodes if n.tokens()[1] == name]
    out = []
    for n in nodes:
        ifn = n.tokens()[1]
        typ = g.split_ifname(ifn)[0]
        status, proto = _status(dev, st, ifn)
        out.append(f"{ifn} is {status}, line protocol is {proto} ")
        a = _ifaddr(n)
        desc = n.find("description")
        if typ in ("GigabitEthernet", "TenGigabitEthernet"):
            mac = _mac(ifn)
            mtu = n.find("mtu")
            out.append(f"  Hardware is vNIC, address is {mac} (bia {mac})")
            if desc:
                out.append("  Description: " + desc.text.split(" ", 1)[1])
            if a:
                out.append(f"  Internet address is {a.with_prefixlen}")
            out += [f"  MTU {mtu.tokens()[1] if mtu else 1500} bytes, BW 1000000 Kbit/sec, DLY 10 usec, ",
                    "     reliability 255/255, txload 1/255, rxload 1/255",
                    "  Encapsulation ARPA, loopback not set",
                    "  Keepalive set (10 sec)",
                    "  Full Duplex, 1000Mbps, link type is auto, media type is Virtual",
                    "  output flow-control is unsupported, input flow-control is unsupported",
                    "  ARP type: ARPA, ARP Timeout 04:00:00"]
            out += _counters(True)
        elif typ == "Loopback":
            out.append("  Hardware is Loopback")
            if desc:
                out.append("  Description: " + desc.text.split(" ", 1)[1])
            if a:
                out.append(f"  Internet address is {a.with_prefixlen}")
            out += ["  MTU 1514 bytes, BW 8000000 Kbit/sec, DLY 5000 usec, ",
                    "     reliability 255/255, txload 1/255, rxload 1/255",
                    "  Encapsulation LOOPBACK, loopback not set",
                    "  Keepalive set (10 sec)"]
            out += _counters(False)
        else:
            out += _tunnel_lines(dev, n, st, a, desc)
            out += _counters(False)
    return "\n".join(out) + "\n"


def _tunnel_lines(dev, n, st, a, desc):
    ifn = n.tokens()[1]
    out = ["  Hardware is Tunnel"]
    if desc:
        out.append("  Description: " + desc.text.split(" ", 1)[1])
    if a:
        out.append(f"  Internet address is {a.with_prefixlen}")
    mode = n.find("tunnel mode")
    ipsec = mode is not None and mode.tokens()[2] == "ipsec"
    src = n.find("tunnel source")
    dst = n.find("tunnel destination")
    prot = n.find("tunnel protection")
    key = n.find("tunnel key")
    transport = 1500
    srcaddr = None
    if src is not None:
        s = src.tokens()[2]
        if s[0].isdigit():
            srcaddr = s
        else:
            sn = dev.root.find("interface " + s)
            if sn is not None:
                ad = _ifaddr(sn)
                srcaddr = str(ad.ip) if ad else None
                m = sn.find("mtu")
                transport = int(m.tokens()[1]) if m else 1500
    overhead = 24 + (4 if key else 0)
    if ipsec:
        overhead = 62
    tmtu = transport - overhead
    out += [f"  MTU {9938 if ipsec else 9976} bytes, BW 100 Kbit/sec, DLY 50000 usec, ",
            "     reliability 255/255, txload 1/255, rxload 1/255",
            "  Encapsulation TUNNEL, loopback not set",
            "  Keepalive not set"]
    if dst is None:
        out.append("  Tunnel linestate evaluation down - no IPv4 tunnel destination address")
    elif srcaddr is None:
        out.append("  Tunnel linestate evaluation down - no output interface")
    else:
        up = _line_up(dev, st, ifn)
        out.append("  Tunnel linestate evaluation " + ("up" if up else "down - transport reassembly pending"))
    if src is None:
        srcs = "UNKNOWN"
    else:
        s = src.tokens()[2]
        srcs = s if s[0].isdigit() else f"{srcaddr or 'UNKNOWN'} ({s})"
    out.append(f"  Tunnel source {srcs}" + (f", destination {dst.tokens()[2]}" if dst else ""))
    if src is not None and not src.tokens()[2][0].isdigit():
        s = src.tokens()[2]
        out += ["   Tunnel Subblocks:", "      src-track:",
                f"         {ifn} source tracking subblock associated with {s}",
                f"          Set of tunnels with source {s}, 1 member (includes iterators), on interface <OK>"]
    if ipsec:
        out.append("  Tunnel protocol/transport IPSEC/IP")
    else:
        out.append("  Tunnel protocol/transport GRE/IP")
        out.append("    Key " + (f"0x{int(key.tokens()[2]):X}, " if key else "disabled, ") + "sequencing disabled")
        out.append("    Checksumming of packets disabled")
    out.append("  Tunnel TTL 255, Fast tunneling enabled")
    if n.find("tunnel path-mtu-discovery") is not None:
        out.append("  Path MTU Discovery, ager 10 mins, min MTU 92")
    out.append(f"  Tunnel transport MTU {tmtu - (38 if prot is not None and not ipsec else 0)} bytes")
    out += ["  Tunnel transmit bandwidth 8000 (kbps)", "  Tunnel receive bandwidth 8000 (kbps)"]
    if prot is not None:
        out.append(f'  Tunnel protection via IPSec (profile "{prot.tokens()[4]}")')
    return out


# ------------------------------------------------------------------ MPLS / LDP / IGP


def _ifindex_order(nodes):
    phys = [n for n in nodes if n.tokens()[1].startswith(("GigabitEthernet", "TenGigabitEthernet"))]
    return phys + [n for n in nodes if n not in phys]


def _mpls_ifaces(dev):
    return _ifindex_order([n for n in _iface_nodes(dev) if n.find("mpls ip") is not None])


def show_mpls_interfaces(dev, detail=False):
    st = dev.state()
    if not detail:
        out = ["Interface              IP            Tunnel   BGP Static Operational"]
        for n in _mpls_ifaces(dev):
            ifn = n.tokens()[1]
            op = "Yes" if _line_up(dev, st, ifn) else "No "
            out.append(f"{ifn:<23}Yes (ldp)     No       No  No     {op}")
        return "\n".join(out) + "\n"
    out = []
    for n in _mpls_ifaces(dev):
        ifn = n.tokens()[1]
        mm = n.find("mpls mtu")
        ipm = n.find("ip mtu")
        m = n.find("mtu")
        if mm:
            mtu = mm.tokens()[-1]
        elif ipm:
            mtu = ipm.tokens()[2]
        elif m:
            mtu = m.tokens()[1]
        else:
            mtu = "1500" if not ifn.startswith("Tunnel") else "1476"
        out += [f"Interface {ifn}:", "        Type Unknown", "        IP labeling enabled (ldp) :",
                "          Interface config", "        LSP Tunnel labeling not enabled",
                "        IP FRR labeling not enabled", "        BGP labeling not enabled",
                "        MPLS operational" if _line_up(dev, st, ifn) else "        MPLS not operational",
                f"        MTU = {mtu}"]
    return "\n".join(out) + "\n"


def _peer_ifaddr(dev, ifn, fallback):
    n = dev.root.find("interface " + ifn)
    a = _ifaddr(n) if n is not None else None
    if a is None:
        return fallback
    net = a.network
    if net.prefixlen == 31:
        return str([h for h in net if h != a.ip][0])
    if net.prefixlen == 30:
        return str([h for h in net.hosts() if h != a.ip][0])
    return fallback


def show_ldp_neighbor(dev, detail=False):
    st = dev.state()
    v = dev.view()
    rid = v.router_id or "0.0.0.0"
    peers = {}
    for adj in st.adjacencies:
        if adj.protocol == "ldp":
            peers.setdefault(adj.peer_id.split(":")[0], []).append(adj)
    out = []
    now = dev._now()
    for uid, (pid, adjs) in enumerate(peers.items(), 1):
        since = min(a.since for a in adjs)
        port = 20000 + (abs(hash((pid, rid))) % 40000)
        mine_active = rid > pid
        tcp = (f"{pid}.646 - {rid}.{port}" if mine_active else f"{pid}.{port} - {rid}.646")
        out.append(f"    Peer LDP Ident: {pid}:0; Local LDP Ident {rid}:0")
        out.append(f"        TCP connection: {tcp}")
        if detail:
            out.append("        Password: not required, none, in use")
        msgs = 10 + int(max(0, now - since) // 60)
        out.append(f"        State: Oper; Msgs sent/rcvd: {msgs}/{msgs}; Downstream"
                   + ("; Last TIB rev sent 12" if detail else ""))
        out.append(f"        Up time: {_dur(now - since)}" + (f"; UID: {uid}; Peer Id {uid - 1}" if detail else ""))
        out.append("        LDP discovery sources:")
        addrs = [pid]
        for a in adjs:
            src = _peer_ifaddr(dev, a.interface, a.peer_address)
            if detail:
                out.append(f"          {a.interface}; Src IP addr: {src}")
                out.append("            holdtime: 15000 ms, hello interval: 5000 ms")
            else:
                out.append(f"          {a.interface}, Src IP addr: {src}")
            if src not in addrs:
                addrs.append(src)
        out.append("        Addresses bound to peer LDP Ident:")
        out.append("          " + " ".join(f"{x:<15}" for x in addrs).rstrip())
        if detail:
            out += ["        Peer holdtime: 180000 ms; KA interval: 60000 ms; Peer state: estab",
                    "        NSR: Not Ready", "        Capabilities Sent:",
                    "          [ICCP (type 0x0405) MajVer 1 MinVer 0]", "          [Dynamic Announcement (0x0506)]",
                    "          [mLDP Point-to-Multipoint (0x0508)]",
                    "          [mLDP Multipoint-to-Multipoint (0x0509)]", "          [Typed Wildcard (0x050B)]",
                    "        Capabilities Received:", "          [None]"]
    return "\n".join(out) + ("\n" if out else "")


def show_ospf_neighbor(dev):
    st = dev.state()
    v = dev.view()
    out = ["", "Neighbor ID     Pri   State           Dead Time   Address         Interface"]
    for adj in st.adjacencies:
        if adj.protocol != "ospf":
            continue
        i = v.interfaces.get(adj.interface)
        p2p = adj.interface.startswith("Tunnel") or (i is not None and i.ospf and i.ospf.get("p2p"))
        if p2p:
            pri, state = 0, "FULL/  -"
        else:
            pri = 1
            state = "FULL/DR" if ipaddress.IPv4Address(adj.peer_id) > ipaddress.IPv4Address(
                v.router_id or (v.ospf or {}).get("router_id") or "0.0.0.0") else "FULL/BDR"
        dead = "00:00:%02d" % (31 + int(dev._now()) % 9)
        out.append(f"{adj.peer_id:<15}{pri:>4}   {state:<16}{dead:<12}{adj.peer_address:<16}{adj.interface}")
    return "\n".join(out) + "\n"


def show_isis_neighbors(dev):
    st = dev.state()
    out = ["", "Tag null:", "System Id       Type Interface     IP Address      State Holdtime Circuit Id"]
    for adj in st.adjacencies:
        if adj.protocol != "isis":
            continue
        out.append(f"{adj.peer_id:<16}L2   {g.short_ifname(adj.interface):<14}{adj.peer_address:<16}UP    27       00")
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------ crypto


def _encr_words(enc):
    if not enc:
        return "Unknown"
    if enc.startswith("aes-gcm-"):
        return f"AES-GCM, keysize: {enc.rsplit('-', 1)[1]}"
    if enc.startswith("aes-cbc-"):
        return f"AES-CBC, keysize: {enc.rsplit('-', 1)[1]}"
    return enc.upper()


def _hash_word(integ):
    return {"sha1": "SHA96", "sha256": "SHA256", "sha384": "SHA384", "sha512": "SHA512", "md5": "MD596",
            "none": "None", None: "None"}.get(integ, str(integ).upper())


def _ike_sas(dev):
    st = dev.state()
    return [s for s in st.ike_sas if s.established]


def show_ikev2_sa(dev, detailed=False):
    v = dev.view()
    sas = _ike_sas(dev)
    out = [" IPv4 Crypto IKEv2  SA ", ""]
    now = dev._now()
    for tid, sa in enumerate(sas, 1):
        p = sa.proposal or {}
        ikep = v.ike.get(sa.name)
        auth = {"rsa-sig": "RSA", "ecdsa-sig": "ECDSA"}.get(ikep.auth if ikep else "psk", "PSK")
        out.append("Tunnel-id Local                 Remote                fvrf/ivrf            Status ")
        out.append(f"{tid:<10}{sa.local + '/500':<22}{sa.peer + '/500':<22}{'none/none':<21}READY  ")
        out.append(f"      Encr: {_encr_words(p.get('encryption'))}, PRF: {str(p.get('prf', 'sha1')).upper()}, "
                   f"Hash: {_hash_word(p.get('integrity'))}, DH Grp:{p.get('dh_group', 0)}, Auth sign: {auth}, "
                   f"Auth verify: {auth}")
        life = sa.lifetime or 86400
        out.append(f"      Life/Active Time: {life}/{int(max(0, now - sa.created))} sec")
        out.append(f"      CE id: 0, Session-id: {tid}")
        lspi, rspi = _spi64((dev.name, sa.local, sa.peer)), _spi64((sa.peer, sa.local, "r"))
        out.append(f"      Local spi: {lspi}       Remote spi: {rspi}")
        if detailed:
            ike = v.ike.get(sa.name)
            dpd = ike.dpd if ike and ike.dpd else (0, 0)
            out += ["      Status Description: Negotiation done",
                    f"      Local id: {(ike.local_id if ike and ike.local_id else sa.local)}",
                    f"      Remote id: {sa.peer}",
                    "      Local req msg id:  2              Remote req msg id:  0         ",
                    "      Local next msg id: 2              Remote next msg id: 0         ",
                    "      Local req queued:  2              Remote req queued:  0         ",
                    "      Local window:      5              Remote window:      5         ",
                    f"      DPD configured for {dpd[0]} seconds, retry {dpd[1]}",
                    "      Fragmentation not  configured.",
                    "      Dynamic Route Update: enabled",
                    "      Extended Authentication not configured.",
                    "      NAT-T is not detected  ",
                    "      Cisco Trust Security SGT is disabled",
                    "      Initiator of SA : " + ("Yes" if sa.local < sa.peer else "No"),
                    "      PEER TYPE: " + ("IOS-XE" if sa.peer else "Other")]
        out.append("")
    out += [" IPv6 Crypto IKEv2  SA ", ""]
    return "\n".join(out) + "\n"


def _esp_transform_words(tr):
    enc = (tr or {}).get("encryption") or ""
    integ = (tr or {}).get("integrity")
    if enc.startswith("aes-gcm-"):
        words = "esp-gcm " + enc.rsplit("-", 1)[1]
    elif enc.startswith("aes-cbc-"):
        size = enc.rsplit("-", 1)[1]
        words = "esp-aes" if size == "128" else f"esp-{size}-aes"
    elif enc:
        words = "esp-" + enc
    else:
        words = "esp-null"
    if integ and integ != "none":
        words += " " + {"sha1": "esp-sha-hmac", "sha256": "esp-sha256-hmac", "sha384": "esp-sha384-hmac",
                        "sha512": "esp-sha512-hmac", "md5": "esp-md5-hmac"}.get(integ, integ)
    return words + " ,"


def _protected_tunnels(dev):
    v = dev.view()
    out = []
    for n in _iface_nodes(dev):
        if n.find("tunnel protection") is not None:
            name = n.tokens()[1]
            out.append((n, v.interfaces[name]))
    return out


def _tunnel_srcif(dev, node):
    src = node.find("tunnel source")
    if src is None:
        return "GigabitEthernet1"
    s = src.tokens()[2]
    if not s[0].isdigit():
        return s
    for n in _iface_nodes(dev):
        a = _ifaddr(n)
        if a and str(a.ip) == s:
            return n.tokens()[1]
    return "GigabitEthernet1"


def show_ipsec_sa(dev, peer=None, interface=None, detail=False):
    st = dev.state()
    v = dev.view()
    out = []
    now = dev._now()
    for node, i in _protected_tunnels(dev):
        if interface and i.name != interface:
            continue
        if peer and i.tunnel_destination != peer:
            continue
        sa = next((s for s in st.ipsec_sas if s.interface == i.name and s.established), None)
        pol = v.ipsec.get(i.ipsec_policy)
        local = i.tunnel_source or "0.0.0.0"
        remote = i.tunnel_destination or "0.0.0.0"
        tag = f"{i.name}-head-0"
        if i.kind == "ipsec":
            lid = rid = "0.0.0.0/0.0.0.0/0/0"
        else:
            lid, rid = f"{local}/255.255.255.255/47/0", f"{remote}/255.255.255.255/47/0"
        mode = (sa.mode if sa and sa.mode else (pol.mode if pol else "tunnel"))
        if i.kind == "ipsec":
            mode = "tunnel"
        settings = "Transport" if mode == "transport" else "Tunnel"
        pe = sa.pkts_encaps if sa else 0
        pd = sa.pkts_decaps if sa else 0
        out += [f"interface: {i.name}", f"    Crypto map tag: {tag}, local addr {local}", "",
                "   protected vrf: (none)",
                f"   local  ident (addr/mask/prot/port): ({lid})",
                f"   remote ident (addr/mask/prot/port): ({rid})",
                f"   current_peer {remote} port 500",
                "     PERMIT, flags={origin_is_acl,}",
                f"    #pkts encaps: {pe}, #pkts encrypt: {pe}, #pkts digest: {pe}",
                f"    #pkts decaps: {pd}, #pkts decrypt: {pd}, #pkts verify: {pd}",
                "    #pkts compressed: 0, #pkts decompressed: 0",
                "    #pkts not compressed: 0, #pkts compr. failed: 0",
                "    #pkts not decompressed: 0, #pkts decompress failed: 0"]
        if detail:
            out += ["    #pkts no sa (send) 0, #pkts invalid sa (rcv) 0",
                    "    #pkts encaps failed (send) 0, #pkts decaps failed (rcv) 0",
                    "    #pkts invalid prot (recv) 0, #pkts verify failed: 0",
                    "    #pkts invalid identity (recv) 0, #pkts invalid len (rcv) 0",
                    "    #pkts replay rollover (send): 0, #pkts replay rollover (rcv) 0",
                    "    ##pkts replay failed (rcv): 0",
                    "    #pkts tagged (send): 0, #pkts untagged (rcv): 0",
                    "    #pkts not tagged (send): 0, #pkts not untagged (rcv): 0",
                    "    #pkts internal err (send): 0, #pkts internal err (recv) 0"]
        else:
            out.append("    #send errors 0, #recv errors 0")
        srcif = _tunnel_srcif(dev, node)
        pmtu = 1500
        sn = dev.root.find("interface " + srcif)
        if sn is not None and sn.find("mtu") is not None:
            pmtu = int(sn.find("mtu").tokens()[1])
        tr = (sa.proposal if sa else None) or (pol.transforms[0] if pol and pol.transforms else {})
        gcm = "gcm" in (tr.get("encryption") or "")
        plain = pmtu - (20 + 8 + (16 if gcm else 16) + 2 + (16 if gcm else 16)) + (0 if mode == "tunnel" else 20)
        out += ["", f"     local crypto endpt.: {local}, remote crypto endpt.: {remote}",
                f"     plaintext mtu {plain}, path mtu {pmtu}, ip mtu {pmtu}, ip mtu idb {srcif}",
                f"     current outbound spi: {_spi_hex(sa.spi_out if sa else 0)}"]
        if sa and pol and pol.pfs_group:
            out.append(f"     PFS (Y/N): Y, DH group: group{pol.pfs_group}")
        else:
            out.append("     PFS (Y/N): N, DH group: none")
        out.append("")
        for direction, spi in (("inbound", sa.spi_in if sa else 0), ("outbound", sa.spi_out if sa else 0)):
            out.append(f"     {direction} esp sas:")
            if sa:
                left = max(0, int((sa.lifetime or 3600) - (now - sa.created)))
                cid = 2000 + (spi % 97) * 2 + (1 if direction == "inbound" else 0)
                out += [f"      spi: {_spi_hex(spi)}",
                        f"        transform: {_esp_transform_words(tr)}",
                        f"        in use settings ={{{settings}, }}",
                        f"        conn id: {cid}, flow_id: CSR:{cid - 2000}, sibling_flags FFFFFFFF80000048, "
                        f"crypto map: {tag}",
                        f"        sa timing: remaining key lifetime (k/sec): (4608000/{left})",
                        f"        IV size: {8 if gcm else 16} bytes",
                        f"        replay detection support: Y  replay window size: {_replay_window(dev, i)}",
                        "        Status: ACTIVE(ACTIVE)"]
            out += ["", f"     {direction} ah sas:", "", f"     {direction} pcp sas:", ""]
        out.append("")
    if not out:
        return "No IPSec SAs\n" if False else ""
    return "\n".join(out).rstrip("\n") + "\n"


def _replay_window(dev, iface=None):
    """The IPsec profile's "set security-association replay window-size N" wins over the global one."""
    prof = dev.root.find("crypto ipsec profile " + iface.ipsec_policy) if iface is not None and iface.ipsec_policy else None
    own = prof.find("set security-association replay") if prof is not None else None
    if own is not None and own.tokens()[3] == "window-size":
        return own.tokens()[4] if len(own.tokens()) > 4 else "64"
    n = dev.root.find("crypto ipsec security-association replay")
    t = n.tokens() if n is not None else []
    return t[5] if len(t) > 5 and t[4] == "window-size" else "64"


def show_crypto_session(dev, detail=False):
    st = dev.state()
    v = dev.view()
    now = dev._now()
    out = ["Crypto session current status", ""]
    if detail:
        out = ["Crypto session current status", "",
               "Code: C - IKE Configuration mode, D - Dead Peer Detection     ",
               "K - Keepalives, N - NAT-traversal, T - cTCP encapsulation     ",
               "X - IKE Extended Authentication, F - IKE Fragmentation",
               "R - IKE Auto Reconnect, U - IKE Dynamic Route Update",
               "S - SIP VPN", ""]
    for sid, (_node, i) in enumerate(_protected_tunnels(dev), 1):
        pol = v.ipsec.get(i.ipsec_policy)
        prof = pol.ike_peer if pol else None
        local = i.tunnel_source or "0.0.0.0"
        remote = i.tunnel_destination or "0.0.0.0"
        ike = next((s for s in st.ike_sas if s.established and s.peer == remote
                    and (s.local == local or not s.local)), None)
        ipsec = next((s for s in st.ipsec_sas if s.interface == i.name and s.established), None)
        up = ipsec is not None and ike is not None
        if not i.enabled:
            status = "DOWN"
        elif up:
            status = "UP-ACTIVE"
        elif ike is not None:
            status = "UP-IDLE"
        else:
            status = "DOWN-NEGOTIATING"
        out.append(f"Interface: {i.name}")
        if prof and (detail or up):
            out.append(f"Profile: {prof}")
        if detail and up:
            out.append(f"Uptime: {_dur(now - ipsec.created)}")
        out.append(f"Session status: {status}    ")
        if detail:
            out.append(f"Peer: {remote} port 500 fvrf: (none) ivrf: (none)")
            out.append(f"      Phase1_id: {remote if ike else '(none)'}")
            out.append("      Desc: (none)")
        else:
            out.append(f"Peer: {remote} port 500 ")
        if status != "DOWN":
            out.append(f"  Session ID: {sid if ike else 0}  ")
            state = "Active" if ike else "Inactive"
            out.append(f"  IKEv2 SA: local {local}/500 remote {remote}/500 {state}")
            if detail:
                if ike:
                    left = max(0, int((ike.lifetime or 86400) - (now - ike.created)))
                    caps = "D" if (v.ike.get(ike.name) and v.ike[ike.name].dpd) else "(none)"
                    out.append(f"          Capabilities:{caps} connid:{sid} lifetime:{_dur(left)}")
                else:
                    out.append("          Capabilities:(none) connid:0 lifetime:0")
        if i.kind == "ipsec":
            flow = "permit ip 0.0.0.0/0.0.0.0 0.0.0.0/0.0.0.0"
        else:
            flow = f"permit 47 host {local} host {remote}"
        out.append(f"  IPSEC FLOW: {flow}")
        out.append(f"        Active SAs: {2 if up else 0}, origin: crypto map")
        if detail:
            if up:
                left = max(0, int((ipsec.lifetime or 3600) - (now - ipsec.created)))
                out.append(f"        Inbound:  #pkts dec'ed {ipsec.pkts_decaps} drop 0 life (KB/Sec) 4607999/{left}")
                out.append(f"        Outbound: #pkts enc'ed {ipsec.pkts_encaps} drop 0 life (KB/Sec) 4607999/{left}")
            else:
                out.append("        Inbound:  #pkts dec'ed 0 drop 0 life (KB/Sec) 0/0")
                out.append("        Outbound: #pkts enc'ed 0 drop 0 life (KB/Sec) 0/0")
        out.append("")
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------ files / archive


def show_archive(dev):
    path, maximum = dev.archive_path()
    if path is None:
        return "Archive feature not enabled"
    out = [f"The maximum archive configurations allowed is {maximum}.",
           f"There are currently {len(dev.archive_files)} archive configurations saved.",
           f"The next archive file will be named {dev.next_archive_name()}",
           " Archive #  Name"]
    for k in range(1, maximum + 1):
        if k <= len(dev.archive_files):
            name = dev.archive_files[k - 1]
            tag = " <- Most Recent" if k == len(dev.archive_files) else ""
            out.append(f"   {k:<8} {name}{tag}")
        else:
            out.append(f"   {k:<8} ")
    return "\n".join(out) + "\n"


def show_file_systems(dev):
    return ("File Systems:\n\n       Size(b)       Free(b)      Type  Flags  Prefixes\n"
            "*  11353194496    9853194496      disk     rw   bootflash: flash:\n"
            "        33554432      33518248     nvram     rw   nvram:\n")


def dir_listing(dev, where):
    out = ["Directory of bootflash:/", ""]
    t = time.strftime("%b %d %Y %H:%M:%S +00:00", time.gmtime(dev.boot_time))
    out.append(f"   11  drwx            16384  {t}  lost+found")
    for k, (name, text) in enumerate(sorted(dev.files.items()), 12):
        out.append(f"{k:>5}  -rw-  {len(text):>15}  {t}  {name}")
    out += ["", "11353194496 bytes total (9853194496 bytes free)"]
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------ ping


def _egress(dev, dest):
    d = ipaddress.IPv4Address(dest)
    for n in _iface_nodes(dev):
        a = _ifaddr(n)
        if a and d in a.network and n.find("shutdown") is None:
            return n
    return None


def _ping_options(canon, i):
    """The keyword options of ``ping`` / ``ping mpls`` from canon[i:]: values of size/repeat/timeout/source,
    ``output interface IF`` and the flags (df-bit, force-explicit-null, verbose) present."""
    opts = {"size": 100, "repeat": 5, "timeout": 2, "source": None, "output": None, "flags": set()}
    while i < len(canon):
        k = canon[i]
        if k == "output":
            opts["output"] = canon[i + 2]
            i += 3
        elif k in ("size", "repeat", "timeout"):
            opts[k] = int(canon[i + 1])
            i += 2
        elif k == "source":
            opts["source"] = canon[i + 1]
            i += 2
        else:
            opts["flags"].add(k)
            i += 1
    return opts


async def ping(dev, canon, write):
    dest = canon[1]
    o = _ping_options(canon, 2)
    size, repeat, timeout, source, df = o["size"], o["repeat"], o["timeout"], o["source"], "df-bit" in o["flags"]
    src_addr = source
    if source and not source[0].isdigit():
        n = dev.root.find("interface " + source)
        a = _ifaddr(n) if n is not None else None
        src_addr = str(a.ip) if a else None
    out = ["Type escape sequence to abort.",
           f"Sending {repeat}, {size}-byte ICMP Echos to {dest}, timeout is {timeout} seconds:"]
    if src_addr:
        out.append(f"Packet sent with a source address of {src_addr} ")
    if df:
        out.append("Packet sent with the DF bit set")
    eg = _egress(dev, dest)
    local_limit = None
    if eg is not None and df:
        ipm = eg.find("ip mtu")
        m = eg.find("mtu")
        if ipm is not None:
            local_limit = int(ipm.tokens()[2])
        elif m is not None:
            local_limit = int(m.tokens()[1])
        elif eg.tokens()[1].startswith(("GigabitEthernet", "TenGigabitEthernet")):
            local_limit = 1500
    if local_limit is not None and size > local_limit:
        marks = "M" * repeat
    else:
        try:
            res = dev.lab.ping(dev.name, dest, size, df, source=src_addr, count=repeat)
        except TypeError:
            res = dev.lab.ping(dev.name, dest, size, df, src_addr, repeat)
        except Exception:
            res = [False] * repeat
        fail = "M" if getattr(res, "reason", None) == "mtu" else "."
        res = list(res)[:repeat] + [False] * max(0, repeat - len(res))
        marks = "".join("!" if ok else fail for ok in res)
    lines = [marks[k:k + 70] for k in range(0, len(marks), 70)] or [""]
    out += lines
    ok = marks.count("!")
    pct = ok * 100 // repeat if repeat else 0
    if ok:
        out.append(f"Success rate is {pct} percent ({ok}/{repeat}), round-trip min/avg/max = 1/1/2 ms")
    else:
        out.append(f"Success rate is 0 percent (0/{repeat})")
    return "\n".join(out) + "\n"


def ping_mpls(dev, canon):
    """``ping mpls ipv4 A.B.C.D/M ...`` (Cisco IOS MPLS Command Reference, ping mpls: size is the packet with
    its label stack, 40-18024, default 100; repeat default 5; DF set, MPLS Basic Configuration Guide, "MTU
    Discovery in an LSP").  'Q' = not sent (no LSP for the FEC, or bigger than the egress MPLS MTU),
    '.' = timeout; ``output interface`` sends out of that interface; the lab never returns the error codes
    (docs/lab.md "LSP ping")."""
    fec = canon[3]
    o = _ping_options(canon, 4)
    size, repeat, timeout, out_if = o["size"], o["repeat"], o["timeout"], o["output"]
    explicit_null = "force-explicit-null" in o["flags"]
    addr, plen = fec.split("/")
    if plen != "32":
        res = [False] * repeat
        reason = "no-lsp"
    else:
        res = dev.lab.lsp_ping(dev.name, addr, size, 1 if explicit_null else 0, count=repeat, out_if=out_if)
        reason = res.reason
    fail = "Q" if reason in ("no-lsp", "mtu") else "."
    marks = "".join("!" if ok else fail for ok in res)
    out = [f"Sending {repeat}, {size}-byte MPLS Echos to {fec},",
           f"     timeout is {timeout} seconds, send interval is 0 msec:", "",
           "Codes: '!' - success, 'Q' - request not sent, '.' - timeout,",
           "  'L' - labeled output interface, 'B' - unlabeled output interface,",
           "  'D' - DS Map mismatch, 'F' - no FEC mapping, 'f' - FEC mismatch,",
           "  'M' - malformed request, 'm' - unsupported tlvs, 'N' - no label entry,",
           "  'P' - no rx intf label prot, 'p' - premature termination of LSP,",
           "  'R' - transit router, 'I' - unknown upstream index,",
           "  'l' - Label switched with FEC change, 'd' - see DDMAP for return code,",
           "  'X' - unknown return code, 'x' - return code 0", "",
           "Type escape sequence to abort."]
    out += [marks[k:k + 70] for k in range(0, len(marks), 70)] or [""]
    ok = marks.count("!")
    if ok:
        out.append(f"Success rate is {ok * 100 // repeat} percent ({ok}/{repeat}), round-trip min/avg/max = 1/1/4 ms")
    else:
        out.append(f"Success rate is 0 percent (0/{repeat})")
    out.append(f"Total Time Elapsed {repeat * 2} ms")
    return "\n".join(out) + "\n"


__all__ = ["render_lines"]


def _pki_dn_lines(dn: str, indent: str = "    ") -> list:
    from .. import pki
    return [indent + part for part in pki.ios_dn(dn).split(",")]


def _pki_date(ts: str) -> str:
    """'2026-01-01 00:00:00' -> '00:00:00 UTC Jan 1 2026' (IOS validity date format)."""
    import time as _t
    t = _t.strptime(ts, "%Y-%m-%d %H:%M:%S")
    return _t.strftime("%H:%M:%S UTC %b ", t) + f"{t.tm_mday} {t.tm_year}"


def show_pki_certificates(dev, trustpoint=None):
    """``show crypto pki certificates [TRUSTPOINT]``: the identity certificate, then the CA certificate, of each
    configured trustpoint (layout of IOS-XE; docs/lab.md "PKI")."""
    pki_view = dev.view().pki
    out = []
    for name, cert in sorted((pki_view.certificates if pki_view else {}).items()):
        if trustpoint and name != trustpoint:
            continue
        out += ["Certificate", "  Status: Available", f"  Certificate Serial Number (hex): {cert.serial}",
                "  Certificate Usage: General Purpose", "  Issuer: ", *_pki_dn_lines(cert.issuer), "  Subject:",
                f"    Name: {cert.san_dns or ''}"]
        if cert.san_ip:
            out.append(f"    IP Address: {cert.san_ip}")
        out += _pki_dn_lines(cert.subject)
        if cert.cdp:
            out += ["  CRL Distribution Points: ", f"    {cert.cdp}"]
        out += ["  Validity Date: ", f"    start date: {_pki_date(cert.not_before)}",
                f"    end   date: {_pki_date(cert.not_after)}", f"  Associated Trustpoints: {name} ", ""]
    for name, ca in sorted((pki_view.cas if pki_view else {}).items()):
        if trustpoint and name != trustpoint:
            continue
        out += ["CA Certificate", "  Status: Available", f"  Certificate Serial Number (hex): {ca.serial}",
                "  Certificate Usage: Signature", "  Issuer: ", *_pki_dn_lines(ca.issuer), "  Subject: ",
                *_pki_dn_lines(ca.subject), "  Validity Date: ", f"    start date: {_pki_date(ca.not_before)}",
                f"    end   date: {_pki_date(ca.not_after)}", f"  Associated Trustpoints: {name} ", ""]
    return "\n".join(out) + ("\n" if out else "")

"""IOS-XE MACsec / MKA show commands, rendered from the configuration (the device view) and the derived MkaState.

Layouts follow real captures (docs/lab.md "MACsec show outputs"): ``show mka sessions [interface X]`` and ``show
macsec summary`` the captures in ``../shared/reference/device-output/ios/show_mka_sessions/{01,02}`` and
``show_macsec_summary/03``; ``show mka sessions interface X detail`` genieparser golden outputs
``ShowMkaSessionsInterfaceDetails/golden_output_1`` and ``ShowMkaSessionDetail/golden_output_{1,2}`` (IOS-XE 17);
``show macsec interface X`` genieparser ``ShowMacsecInterface/golden_output_{1,2,3}`` (CiscoTestAutomation/genieparser
@ 366d83b9). Values the lab does not model (Member Identifiers, timers) are derived or fixed, never the secrets."""
from __future__ import annotations

import hashlib

from . import grammar as g

SAK_SUITE = {"gcm-aes-128": "0080C20001000001", "gcm-aes-256": "0080C20001000002",
             "gcm-aes-xpn-128": "0080C20001000003", "gcm-aes-xpn-256": "0080C20001000004"}
PEERS_HEAD = ["  MI                        MN          Rx-SCI (Peer)        KS        RxSA          SSCI",
              "                                                             Priority  Installed",
              "  " + "-" * 87]


def _dot(sci: str) -> str:
    """"52:54:00:1b:75:98/2" -> "5254.001b.7598/0002"."""
    if not sci:
        return "N/A"
    mac, _, port = sci.partition("/")
    h = mac.replace(":", "")
    return f"{h[0:4]}.{h[4:8]}.{h[8:12]}/{int(port):04x}"


def _hex_sci(sci: str) -> str:
    mac, _, port = sci.partition("/")
    return mac.replace(":", "").upper() + f"{int(port):04X}"


def _mi(dev, iface) -> str:
    return hashlib.sha256(f"mi/{dev.name}/{iface}".encode()).hexdigest()[:24].upper()


def _uptime(seconds: float) -> str:
    """IOS elapsed-time style: hh:mm:ss under a day, then XdYYh, then XwYd (as in the captures: 01:09:26, 1d18h, 7w0d)."""
    s = int(max(0, seconds))
    if s < 86400:
        return "%02d:%02d:%02d" % (s // 3600, s % 3600 // 60, s % 60)
    if s < 7 * 86400:
        return "%dd%02dh" % (s // 86400, s % 86400 // 3600)
    return "%dw%dd" % (s // (7 * 86400), s % (7 * 86400) // 86400)


def _full(name):
    return g.normalize_ifname(name) or name


def _sessions(dev, interface=None):
    st = dev.state()
    want = _full(interface) if interface else None
    out = [m for m in st.mka if want is None or m.interface == want]
    return sorted(out, key=lambda m: g.split_ifname(m.interface) or (m.interface,))


def show_mka_sessions(dev, interface=None, detail=False):
    sessions = _sessions(dev, interface)
    if detail:
        return "".join("\n" + _detail(dev, m) + "\n" for m in sessions) if sessions else "\n"
    secured = sum(1 for m in sessions if m.secured)
    if interface:
        head = ["", f"Summary of All Currently Active MKA Sessions on Interface {_full(interface)}...", ""]
    else:
        head = ["", f"Total MKA Sessions....... {len(sessions)}", f"      Secured Sessions... {secured}",
                f"      Pending Sessions... {len(sessions) - secured}", ""]
    bar = "=" * 100
    lines = head + [bar, "Interface      Local-TxSCI         Policy-Name      Inherited         Key-Server",
                    "Port-ID        Peer-RxSCI          MACsec-Peers     Status            CKN", bar]
    for m in sessions:
        policy = m.policy or "*DEFAULT POLICY*"
        lines.append(f"{g.short_ifname(m.interface):<15}{_dot(m.local_sci):<20}{policy:<17}{'NO':<18}"
                     f"{'YES' if m.key_server else 'NO'}")
        port = m.local_sci.partition("/")[2]
        lines.append(f"{port:<15}{_dot(m.peer_sci):<20}{(1 if m.secured else 0):<17}{m.status:<18}"
                     f"{m.ckn or ''}")
        lines.append("")
    return "\n".join(lines) + "\n"


def _detail(dev, m):
    port = dev.view().macsec.get(m.interface)
    mac = _dot(m.local_sci).split("/", 1)[0]
    status = "SECURED - Secured MKA Session with MACsec" if m.secured else "INITIALIZING - Searching for Peer"
    mi = _mi(dev, m.interface)
    mn = int(max(0, dev._now() - m.since) // 2) if m.secured else 0
    suite = f"{SAK_SUITE.get(m.cipher or '', '')} ({(m.cipher or '').upper()})" if m.secured else "N/A"
    ki = f"{mi}00000001 (1)" if m.secured else "N/A (0)"
    peers = 1 if m.secured else 0
    lines = ["MKA Detailed Status for MKA Session", "===================================",
             f"Status: {status}", "",
             f"Local Tx-SCI............. {_dot(m.local_sci)}",
             f"Interface MAC Address.... {mac}",
             f"MKA Port Identifier...... {int(m.local_sci.partition('/')[2])}",
             f"Interface Name........... {m.interface}",
             "Audit Session ID.........",
             f"CAK Name (CKN)........... {m.ckn or ''}",
             f"Member Identifier (MI)... {mi}",
             f"Message Number (MN)...... {mn}",
             "EAP Role................. NA",
             f"Key Server............... {'YES' if m.key_server else 'NO'}",
             f"MKA Cipher Suite......... {(port.mka_algorithm if port and port.mka_algorithm else 'aes-128-cmac').upper()}",
             "",
             f"Latest SAK Status........ {'Rx & Tx' if m.secured else 'No Rx, No Tx'}",
             f"Latest SAK AN............ {0 if m.secured else 'N/A'}",
             f"Latest SAK KI (KN)....... {ki}",
             "Old SAK Status........... No Rx, No Tx",
             "Old SAK AN............... 0",
             "Old SAK KI (KN).......... RETIRED (0)", "",
             "SAK Transmit Wait Time... 0s (Not waiting for any peers to respond)",
             "SAK Retire Time.......... 0s (No Old SAK to retire)",
             "SAK Rekey Time........... 0s (SAK Rekey interval not applicable)", "",
             f"MKA Policy Name.......... {m.policy or '*DEFAULT POLICY*'}",
             f"Key Server Priority...... {port.key_server_priority if port else 0}",
             "Delay Protection......... NO",
             "Delay Protection Timer.......... 0s (Not enabled)", "",
             f"Confidentiality Offset... {m.offset}",
             "Algorithm Agility........ 80C201",
             "SAK Rekey On Live Peer Loss........ NO",
             "Send Secure Announcement.. DISABLED",
             "SCI Based SSCI Computation.... NO",
             f"SAK Cipher Suite......... {suite}",
             "MACsec Capability........ 3 (MACsec Integrity, Confidentiality, & Offset)",
             "MACsec Desired........... YES", "",
             f"# of MACsec Capable Live Peers............ {peers}",
             f"# of MACsec Capable Live Peers Responded.. {peers}", "",
             "Live Peers List:"] + PEERS_HEAD
    if m.secured:
        peer_mi = hashlib.sha256(f"mi/{m.peer}/{m.peer_interface}".encode()).hexdigest()[:24].upper()
        lines.append(f"  {peer_mi}  {mn:<11} {_dot(m.peer_sci):<20} {m.peer_priority:<9} {'YES':<14} 0")
    lines += ["", "Potential Peers List:"] + PEERS_HEAD
    return "\n".join(lines)


def show_macsec_summary(dev):
    v = dev.view()
    st = {m.interface: m for m in dev.state().mka}
    lines = ["MACsec Capable Interface                Extension              Installed Rx SC",
             "-" * 81]
    for name in sorted(dev.macsec_ports, key=lambda n: g.split_ifname(n) or (n,)):
        rx = "1" if st.get(name) is not None and st[name].secured else ""
        lines.append(f" {name:<40}{'One tag-in-clear':<33}{rx}".rstrip())
    lines += ["", " MACsec Enabled Interface         Receive SC   VLAN", "-" * 53]
    for name, port in sorted(v.macsec.items()):
        if not port.capable:
            continue
        rx = 1 if st.get(name) is not None and st[name].secured else 0
        vlan = name.rsplit(".", 1)[1] if "." in name else ""
        lines.append(f" {name:<29}:        {rx:<7}{vlan}".rstrip())
    return "\n".join(lines) + "\n"


def _capabilities(validate):
    return [" Capabilities", "  ICV length : 16", "  Data length change supported: yes",
            "  Max. Rx SA : 16", "  Max. Tx SA : 16", "  Max. Rx SC : 8", "  Max. Tx SC : 8",
            f"  Validate Frames : {validate}", "  PN threshold notification support : Yes",
            "  Ciphers supported : GCM-AES-128", "                      GCM-AES-256",
            "                      GCM-AES-XPN-128", "                      GCM-AES-XPN-256", ""]


def show_macsec_interface(dev, name):
    name = _full(name)
    port = dev.view().macsec.get(name)
    m = next((x for x in dev.state().mka if x.interface == name), None)
    if port is None or not port.capable:
        return "\n".join([" MACsec is disabled", ""] + _capabilities("disabled") +
                         [" Access control : must secure", "", " No Transmit Secure Channels",
                          " No Receive Secure Channels"]) + "\n"
    up = m is not None and m.secured
    cipher = (m.cipher if up else port.ciphers[0]).upper()
    lines = [" MACsec is enabled",
             f"  Replay protect : {'enabled' if port.replay_window is not None else 'disabled'}",
             f"  Replay window : {port.replay_window or 0}",
             f"  Include SCI : {'yes' if port.include_sci else 'no'}",
             "  Use ES Enable : no", "  Use SCB Enable : no", "  Admin Pt2Pt MAC : forceTrue(1)",
             "  Pt2Pt MAC Operational : no",
             f"  Cipher : {cipher}", f"  Confidentiality Offset : {port.offset}", ""]
    lines += _capabilities("strict")
    lines += [f" Access control : {'must secure' if port.must_secure else 'should secure'}", ""]
    if port.tags_in_clear:
        lines += [" Cleartag Details", "  Type    : one dot1q in clear"]
        if "." in name:
            lines.append(f"  VlanId1 : {name.rsplit('.', 1)[1]}")
        lines.append("")
    if not up:
        return "\n".join(lines + [" No Transmit Secure Channels", " No Receive Secure Channels"]) + "\n"
    age = _uptime(dev._now() - m.since)
    lines += [" Transmit Secure Channels", f"  SCI : {_hex_sci(m.local_sci)}", "  SC state : inUse(1)",
              f"   Elapsed time : {age}", f"   Start time : {age}",
              "   Current AN: 0", "   Previous AN: -", f"   Next PN: {m.tx_pkts + 1}",
              "   SA State: inUse(1)", "   Confidentiality : yes", "   SAK Unchanged : yes",
              f"   SA Create time : {age}", f"   SA Start time : {age}",
              "   SC Statistics", "    Auth-only Pkts : 0", "    Auth-only Bytes : 0",
              "    Encrypted Pkts : 0", "    Encrypted Bytes : 0",
              "   SA Statistics", "    Auth-only Pkts : 0", "    Auth-only Bytes : 0",
              f"    Encrypted Pkts : {m.tx_pkts}", f"    Encrypted Bytes : {m.tx_bytes}", "",
              "  Port Statistics", "   Egress untag pkts  0", "   Egress long pkts  0", ""]
    rx_counts = ["    Notvalid pkts 0", "    Invalid pkts 0", "    Valid pkts %d", "    Late pkts 0",
                 "    Uncheck pkts 0", "    Delay pkts 0", "    UnusedSA pkts 0", "    NousingSA pkts 0",
                 "    Validated Bytes 0", "    Decrypted Bytes %d"]
    lines += [" Receive Secure Channels", f"  SCI : {_hex_sci(m.peer_sci)}", "  SC state : inUse(1)",
              f"   Elapsed time : {age}", f"   Start time : {age}", "   Current AN: 0",
              "   Previous AN: -", f"   Next PN: {m.rx_pkts + 1}", "   RX SA Count: 0",
              "   SA State: inUse(1)", "   SAK Unchanged : yes",
              f"   SA Create time : {age}", f"   SA Start time : {age}", "   SC Statistics"]
    lines += [x % 0 if "%d" in x else x for x in rx_counts]
    lines += ["   SA Statistics"]
    lines += [x.replace("%d", str(m.rx_pkts if "Valid pkts" in x else m.rx_bytes)) for x in rx_counts]
    lines += ["", "  Port Statistics", "   Ingress untag pkts  0", "   Ingress notag pkts  0",
              "   Ingress badtag pkts  0", "   Ingress unknownSCI pkts  0", "   Ingress noSCI pkts  0",
              "   Ingress overrun pkts  0"]
    return "\n".join(lines) + "\n"


def show_inventory(dev):
    descr = f"Cisco {dev.model.pid} Chassis"
    return (f'NAME: "Chassis", DESCR: "{descr}"\n'
            f"PID: {dev.model.pid:<18}, VID: {'V00' if dev.model.virtual else 'V07'}  , SN: {dev.serial}\n\n")

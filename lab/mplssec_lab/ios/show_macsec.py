"""IOS-XE MACsec / MKA show commands, rendered from the configuration (the device view) and the derived MkaState.

Line shapes: ``show mka sessions`` and ``show macsec summary`` follow the captures in
``../shared/reference/device-output/ios/show_mka_sessions`` and ``show_macsec_summary/03`` (CiscoTestAutomation
genieparser golden outputs); ``show macsec interface`` follows genieparser ``ShowMacsecInterface`` golden output 1;
``show mka sessions detail`` follows the field list of Cisco's WAN MACsec and MKA guide examples (an approximation:
no capture of it in the reference set)."""
from __future__ import annotations

import hashlib

from . import grammar as g

SAK_SUITE = {"gcm-aes-128": "0080C20001000001", "gcm-aes-256": "0080C20001000002",
             "gcm-aes-xpn-128": "0080C20001000003", "gcm-aes-xpn-256": "0080C20001000004"}


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


def _sessions(dev, interface=None):
    st = dev.state()
    out = [m for m in st.mka if interface is None or m.interface == interface]
    return sorted(out, key=lambda m: g.split_ifname(m.interface) or (m.interface,))


def show_mka_sessions(dev, interface=None, detail=False):
    sessions = _sessions(dev, interface)
    if detail:
        return "\n".join(_detail(dev, m) for m in sessions) + "\n" if sessions else "\n"
    secured = sum(1 for m in sessions if m.secured)
    if interface:
        head = ["", f"Summary of All Currently Active MKA Sessions on Interface {interface}...", ""]
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
        lines.append(f"{port:<15}{_dot(m.peer_sci):<20}{(1 if m.secured else 0):<17}{m.status:<18}{m.ckn or ''}")
        lines.append("")
    return "\n".join(lines) + "\n"


def _detail(dev, m):
    port = dev.view().macsec.get(m.interface)
    mac = _dot(m.local_sci).split("/")[0]
    status = "SECURED - Secured MKA Session with MACsec" if m.secured else "INITIALIZING - Searching for Peer"
    suite = SAK_SUITE.get(m.cipher or "", "")
    mi = _mi(dev, m.interface)
    lines = ["", "MKA Detailed Status for MKA Session", "===================================",
             f"Status: {status}", "",
             f"Local Tx-SCI............. {_dot(m.local_sci)}",
             f"Interface MAC Address.... {mac}",
             f"MKA Port Identifier...... {int(m.local_sci.partition('/')[2])}",
             f"Interface Name........... {m.interface}",
             f"CAK Name (CKN)........... {m.ckn or ''}",
             f"Member Identifier (MI)... {mi}",
             f"Message Number (MN)...... {int(max(0, dev._now() - m.since) // 2) if m.secured else 0}",
             f"Key Server............... {'YES' if m.key_server else 'NO'}",
             f"MKA Cipher Suite......... {(port.mka_algorithm if port else 'aes-128-cmac').upper()}", "",
             f"Latest SAK Status........ {'Rx & Tx' if m.secured else 'Not Installed'}",
             f"Latest SAK AN............ {0 if m.secured else 'N/A'}",
             f"MKA Policy Name.......... {m.policy or '*DEFAULT POLICY*'}",
             f"Key Server Priority...... {port.key_server_priority if port else 0}",
             f"Confidentiality Offset... {m.offset}",
             f"SAK Cipher Suite......... {suite + ' (' + m.cipher.upper() + ')' if m.secured else 'N/A'}",
             "MACsec Capability........ 3 (MACsec Integrity, Confidentiality, & Offset)",
             "MACsec Desired........... YES", "",
             f"# of MACsec Capable Live Peers............ {1 if m.secured else 0}",
             f"# of MACsec Capable Live Peers Responded.. {1 if m.secured else 0}", "",
             "Live Peers List:",
             "  MI                        MN          Rx-SCI (Peer)        KS        RxSA",
             "                                                             Priority  Installed",
             "  " + "-" * 78]
    if m.secured:
        peer_mi = hashlib.sha256(f"mi/{m.peer}/{m.peer_interface}".encode()).hexdigest()[:24].upper()
        lines.append(f"  {peer_mi}  {int(max(0, dev._now() - m.since) // 2):<11} {_dot(m.peer_sci):<20} "
                     f"{'':<9} YES")
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
        lines.append(f" {name:<29}:        {rx}")
    return "\n".join(lines) + "\n"


def show_macsec_interface(dev, name):
    port = dev.view().macsec.get(name)
    m = next((x for x in dev.state().mka if x.interface == name), None)
    if port is None or not port.capable:
        return " MACsec is disabled\n"
    up = m is not None and m.secured
    cipher = (m.cipher if up else port.ciphers[0]).upper()
    tx_an = "0" if up else "N/A"
    lines = [" MACsec is enabled",
             f"  Replay protect : {'enabled' if port.replay_window is not None else 'disabled'}",
             f"  Replay window : {port.replay_window or 0}",
             f"  Include SCI : {'yes' if port.include_sci else 'no'}",
             "  Use ES Enable : no", "  Use SCB Enable : no", "  Admin Pt2Pt MAC : forceTrue(1)",
             f"  Pt2Pt MAC Operational : {'yes' if up else 'no'}",
             f"  Cipher : {cipher}", f"  Confidentiality Offset : {port.offset}", "",
             " Capabilities", "  ICV length : 16", "  Data length change supported: yes",
             "  Max. Rx SA : 16", "  Max. Tx SA : 16", "  Max. Rx SC : 8", "  Max. Tx SC : 8",
             "  Validate Frames : strict", "  PN threshold notification support : Yes",
             "  Ciphers supported : GCM-AES-128", "                      GCM-AES-256",
             "                      GCM-AES-XPN-128", "                      GCM-AES-XPN-256", "",
             f" Access control : {'must secure' if port.must_secure else 'should secure'}", ""]
    if port.tags_in_clear:
        lines += [" Cleartag Details", "  Type    : one dot1q in clear", ""]
    lines += [" Transmit Secure Channels"]
    if up:
        lines += [f"  SCI : {_hex_sci(m.local_sci)}", "  SC state : inUse(1)",
                  f"   Current AN: {tx_an}", "   Previous AN: -", f"   Next PN: {m.tx_pkts + 1}",
                  "   SA State: inUse(1)", "   Confidentiality : yes", "   SC Statistics",
                  "    Auth-only Pkts : 0", "    Auth-only Bytes : 0",
                  f"    Encrypted Pkts : {m.tx_pkts}", f"    Encrypted Bytes : {m.tx_bytes}", "   SA Statistics",
                  "    Auth-only Pkts : 0", "    Auth-only Bytes : 0",
                  f"    Encrypted Pkts : {m.tx_pkts}", f"    Encrypted Bytes : {m.tx_bytes}", ""]
    lines += [" Receive Secure Channels"]
    if up:
        lines += [f"  SCI : {_hex_sci(m.peer_sci)}", "  SC state : inUse(1)", f"   Current AN: {tx_an}",
                  "   Previous AN: -", f"   Next PN: {m.rx_pkts + 1}", "   RX SA Count: 0",
                  "   SA State: inUse(1)", "   SC Statistics", "    Notvalid pkts 0", "    Invalid pkts 0",
                  f"    Valid pkts {m.rx_pkts}", "    Late pkts 0", "    Uncheck pkts 0", "    Delay pkts 0",
                  "    UnusedSA pkts 0", "    NousingSA pkts 0", "    Validated Bytes 0",
                  f"    Decrypted Bytes {m.rx_bytes}", "   SA Statistics", "    Notvalid pkts 0",
                  "    Invalid pkts 0", f"    Valid pkts {m.rx_pkts}", "    UnusedSA pkts 0", "    NousingSA pkts 0",
                  "    Validated Bytes 0", f"    Decrypted Bytes {m.rx_bytes}", ""]
    return "\n".join(lines) + "\n"


def show_inventory(dev):
    descr = f"Cisco {dev.model.pid} Chassis"
    return (f'NAME: "Chassis", DESCR: "{descr}"\n'
            f"PID: {dev.model.pid:<18}, VID: {'V00' if dev.model.virtual else 'V07'}  , SN: {dev.serial}\n\n")

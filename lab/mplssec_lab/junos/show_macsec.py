"""Junos MACsec / MKA operational commands from the committed configuration (view) and the derived MkaState.

Field names and order: Juniper CLI reference "show security mka sessions", "show security macsec connections",
"show security macsec statistics" (output field tables); the text layout of ``show security mka sessions`` and
``show security macsec statistics`` (indentation, value widths) from real MX304 transcripts (docs/lab.md "MACsec show
outputs"). XML element names: ``macsec-connection-information`` /
``macsec-interface-common-information`` / ``outbound-secure-channel`` / ``inbound-secure-channel`` and
``macsec-statistics`` / ``secure-channel-sent`` / ``secure-channel-received`` from public Junos 23.2 RPC replies
used as test data by open-source exporters; ``mka-session-information`` with ``interface-state`` ("Secured -
Primary"), ``member-identifier``, ``cak-name`` from public automation code reading ``| display json``. The text of
``show security macsec connections`` is the lab's rendering of its field table (lab decision)."""
from __future__ import annotations

import hashlib

from .show import E, Result, _state


def _phys(unit: str) -> str:
    return unit.split(".")[0]


def _sci(sci: str) -> str:
    mac, _, port = sci.partition("/")
    return f"{mac.upper()}/{port}"


def _mi(host, iface) -> str:
    return hashlib.sha256(f"mi/{host}/{iface}".encode()).hexdigest()[:24].upper()


def _sessions(dev, interface):
    st = _state(dev)
    return [m for m in st.mka if interface is None or _phys(m.interface) == _phys(interface)]


def _interface_arg(rest):
    if rest and rest[0] == "interface" and len(rest) == 2:
        return rest[1]
    return None


def show_mka_sessions(dev, interface=None):
    lines, x = [], E("mka-session-information", junos_style="brief")
    for m in _sessions(dev, interface):
        port = dev.view().macsec.get(m.interface)
        mi = _mi(dev.hostname, m.interface)
        mn = int(max(0, dev._now() - m.since) // 2) if m.secured else 0
        state = "Secured - Primary" if m.secured else "Unsecured"
        ki = f"{mi}/1" if m.secured else "000000000000000000000000/0"
        ksp = port.key_server_priority if port else 16
        # indentation and value widths of a real transcript (MX304, show security mka sessions detail); the fields
        # of the brief form (CLI reference field table); docs/lab.md "MACsec show outputs"
        lines += [f" Interface name: {_phys(m.interface)}", f"   Interface state: {state}",
                  f"   Member identifier: {mi}", f"   CAK name: {m.ckn or ''}",
                  "   CAK type: primary", "   Transmit interval: 2000(ms)",
                  f"   Outbound SCI: {_sci(m.local_sci)}",
                  f"   Message number: {mn:<7}Key number: {1 if m.secured else 0}",
                  f"   Key server: {('yes' if m.key_server else 'no'):<9}Key server priority: {ksp}",
                  f"   Latest SAK AN: {0:<7}Latest SAK KI: {ki}",
                  f"   Previous SAK AN: {0:<6}Previous SAK KI: 000000000000000000000000/0"]
        for tag, val in (("interface-name", _phys(m.interface)), ("interface-state", state),
                         ("member-identifier", mi), ("cak-name", m.ckn or ""), ("transmit-interval", "2000"),
                         ("outbound-sci", _sci(m.local_sci)), ("message-number", mn), ("key-server",
                         "yes" if m.key_server else "no"), ("key-server-priority", ksp), ("latest-sak-an", 0),
                         ("latest-sak-key-identifier", ki)):
            E(tag, val, x)
        if m.secured:
            peer_mi = _mi(m.peer, m.peer_interface)
            lines += ["   Peer list: (1)", f"       1. Member identifier: {peer_mi} (live)",
                      f"         Message number: {mn:<8}Hold time: 6000 (ms)",
                      f"         SCI: {_sci(m.peer_sci)}", "         Lowest acceptable PN: 0"]
            p = E("mka-peer-information", None, x)
            E("member-identifier", peer_mi, p)
            E("peer-sci", _sci(m.peer_sci), p)
        lines.append("")
    return Result("\n".join(lines) + ("\n" if lines else ""), x)


def _dur(s):
    s = int(max(0, s))
    d, s = divmod(s, 86400)
    h, s = divmod(s, 3600)
    mi, s = divmod(s, 60)
    return (f"{d}d " if d else "") + f"{h:02d}:{mi:02d}:{s:02d}"


def show_macsec_connections(dev, interface=None):
    lines, x = [], E("macsec-connection-information")
    for m in _sessions(dev, interface):
        port = dev.view().macsec.get(m.interface)
        if port is None or not port.capable:
            continue
        cipher = (m.cipher or port.ciphers[0]).upper()
        replay = "on" if port.replay_window is not None else "off"
        common = E("macsec-interface-common-information", None, x)
        for tag, val in (("interface-name", _phys(m.interface)), ("connectivity-association-name", port.policy),
                         ("cipher-suite", cipher), ("encryption", "on"), ("offset", port.offset),
                         ("include-sci", "yes" if port.include_sci else "no"), ("replay-protect", replay),
                         ("replay-protect-window", port.replay_window or 0)):
            E(tag, val, common)
        lines += [f"  Interface name: {_phys(m.interface)}", f"    CA name: {port.policy}",
                  f"    Cipher suite: {cipher:<16}Encryption: on",
                  f"    Key server offset: {port.offset:<10}Include SCI: {'yes' if port.include_sci else 'no'}",
                  f"    Replay protect: {replay:<13}Replay window: {port.replay_window or 0}"]
        # create-time follows every interface's common information, secured or not (Junos 23.2R2 RPC reply)
        age = _dur(dev._now() - m.since) if m.secured else _dur(0)
        secs = str(int(dev._now() - m.since)) if m.secured else "0"
        E("create-time", age, x, junos_seconds=secs)
        if m.secured:
            out = E("outbound-secure-channel", None, x)
            E("sci", _sci(m.local_sci), out)
            E("outgoing-packet-number", m.tx_pkts + 1, out)
            osa = E("outbound-secure-association", None, out)
            E("association-number", 0, osa)
            E("association-number-status", "inuse", osa)
            E("create-time", age, osa, junos_seconds=secs)
            inb = E("inbound-secure-channel", None, x)
            E("sci", _sci(m.peer_sci), inb)
            isa = E("inbound-secure-association", None, inb)
            E("association-number", 0, isa)
            E("association-number-status", "inuse", isa)
            E("create-time", age, isa, junos_seconds=secs)
            lines += ["      Outbound secure channels", f"        SC Id: {_sci(m.local_sci)}",
                      f"        Outgoing packet number: {m.tx_pkts + 1}", "        Secure associations",
                      f"        AN: 0 Status: inuse Create time: {age}",
                      "      Inbound secure channels", f"        SC Id: {_sci(m.peer_sci)}",
                      "        Secure associations", f"        AN: 0 Status: inuse Create time: {age}"]
        lines.append("")
    return Result("\n".join(lines) + ("\n" if lines else ""), x)


def show_macsec_statistics(dev, interface=None):
    lines, x = [], E("macsec-statistics")
    for m in _sessions(dev, interface):
        port = dev.view().macsec.get(m.interface)
        if port is None or not port.capable:
            continue
        E("interface-name", _phys(m.interface), x)
        groups = (("secure-channel-sent", "Secure Channel transmitted",
                   (("encrypted-packets", "Encrypted packets", m.tx_pkts), ("encrypted-bytes", "Encrypted bytes",
                    m.tx_bytes), ("protected-packets", "Protected packets", 0), ("protected-bytes",
                                                                                 "Protected bytes", 0))),
                  ("secure-association-sent", "Secure Association transmitted",
                   (("encrypted-packets", "Encrypted packets", m.tx_pkts), ("protected-packets",
                                                                            "Protected packets", 0))),
                  ("secure-channel-received", "Secure Channel received",
                   (("ok-packets", "Accepted packets", m.rx_pkts), ("validated-bytes", "Validated bytes", 0),
                    ("decrypted-bytes", "Decrypted bytes", m.rx_bytes))),
                  ("secure-association-received", "Secure Association received",
                   (("ok-packets", "Accepted packets", m.rx_pkts), ("validated-bytes", "Validated bytes", 0),
                    ("decrypted-bytes", "Decrypted bytes", 0))))
        # the layout of a real transcript (MX304, show security macsec statistics): group titles at 2, fields at 4,
        # one space after "packets:", two after "bytes:"
        lines.append(f" Interface name: {_phys(m.interface)}")
        for tag, label, fields in groups:
            g = E(tag, None, x)
            lines.append(f"  {label}")
            for ftag, flabel, val in fields:
                E(ftag, val, g)
                lines.append(f"    {flabel}:{'  ' if flabel.endswith('bytes') else ' '}{val}")
    return Result("\n".join(lines) + ("\n" if lines else ""), x)


def show_chassis_hardware(dev):
    from ..topology import MODELS
    model = MODELS.get(dev.model)
    descr = model.pid if model else dev.model.upper()
    serial = "CV" + hashlib.sha256(dev.hostname.encode()).hexdigest()[:10].upper()
    text = ("Hardware inventory:\nItem             Version  Part number  Serial number     Description\n"
            f"Chassis                                {serial:<18}{descr}\n")
    x = E("chassis-inventory")
    ch = E("chassis", None, x, junos_style="inventory")
    E("name", "Chassis", ch)
    E("serial-number", serial, ch)
    E("description", descr, ch)
    return Result(text, x)


def dispatch(dev, what, rest):
    """``show security mka ...`` / ``show security macsec ...`` (``what`` is "mka" or "macsec")."""
    from .show import CmdError
    sub = rest[1] if len(rest) > 1 else None
    iface = _interface_arg(rest[2:])
    if len(rest) > 2 and iface is None:
        raise CmdError("syntax", rest[-1])
    if what == "mka" and sub == "sessions":
        return show_mka_sessions(dev, iface)
    if what == "macsec" and sub == "connections":
        return show_macsec_connections(dev, iface)
    if what == "macsec" and sub == "statistics":
        return show_macsec_statistics(dev, iface)
    raise CmdError("syntax", sub or what)

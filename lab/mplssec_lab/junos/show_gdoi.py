"""Junos Group VPNv2 member operational commands from the committed configuration (view) and the derived GdoiState.

``show security group-vpn member ike security-associations [detail]`` and ``show security group-vpn member ipsec
security-associations [detail]``: field names and order from the Juniper CLI reference pages of these commands; the
text columns follow ``show security ike|ipsec security-associations`` (the lab's existing renderings of the reference
captures), with the key server as gateway and port 848 (lab decision: no capture of the group-vpn commands in the
reference set). XML element names reuse those of the IKE/IPsec SA replies plus ``sa-group-id`` (lab decision)."""
from __future__ import annotations

from .show import E, Result, _h, _hint, _state

ENC_TXT = {"aes-cbc-256": "aes-cbc (256 bits)", "aes-cbc-128": "aes-cbc (128 bits)", "aes-cbc-192": "aes-cbc (192 bits)",
           "aes-gcm-256": "aes-gcm (256 bits)", "aes-gcm-128": "aes-gcm (128 bits)", "3des": "3des-cbc"}


def _members(dev):
    return [g for g in _state(dev).gdoi if g.role == "member"]


def show_ike_sa(dev, detail=False):
    x = E("ike-security-associations-information", junos_style="detail" if detail else "brief")
    lines = [] if detail else ["Index   State  Initiator cookie  Responder cookie  Mode           Remote Address"]
    rows = [g for g in _members(dev) if g.registered]
    for g in rows:
        idx = _hint(dev.hostname, "gvpn", g.group, mod=9000000, lo=1000000)
        ic, rc = _h(dev.hostname, g.group, g.since, "i", n=16), _h(dev.hostname, g.group, g.since, "r", n=16)
        block = E("ike-security-associations", None, x)
        for tag, val in (("ike-sa-index", idx), ("ike-sa-remote-address", g.server), ("ike-sa-remote-port", 848),
                         ("ike-sa-state", "UP"), ("ike-sa-initiator-cookie", ic), ("ike-sa-responder-cookie", rc),
                         ("ike-sa-exchange-type", "Main"), ("ike-sa-local-address", g.local), ("ike-sa-local-port", 848)):
            E(tag, val, block)
        if detail:
            lines += [f"IKE peer {g.server}, Index {idx}, Gateway Name: {g.group}", "  Role: Initiator, State: UP",
                      f"  Initiator cookie: {ic}, Responder cookie: {rc}",
                      "  Exchange type: Main, Authentication method: Pre-shared-keys",
                      f"  Local: {g.local}:848, Remote: {g.server}:848", ""]
        else:
            lines.append(f"{idx:<7} {'UP':<6} {ic:<17} {rc:<17} {'Main':<14} {g.server}")
    if not rows and not detail:
        lines = []
    return Result("\n".join(lines) + ("\n" if lines else ""), x)


def show_ipsec_sa(dev, detail=False):
    rows = [g for g in _members(dev) if g.registered]
    n_sa = sum(len(g.teks) for g in rows)
    x = E("ipsec-security-associations-information", junos_style="detail" if detail else "brief")
    E("total-active-tunnels", len(rows), x)
    E("total-ipsec-sas", n_sa, x)
    lines = [] if detail else [f"  Total active tunnels: {len(rows)}     Total Ipsec sas: {n_sa}",
                               "  ID    Server          Port  Algorithm       SPI      Life:sec/kb  GId vsys"]
    for i, g in enumerate(rows):
        tid = 49153 + i
        enc = g.transform.get("encryption", "")
        integ = g.transform.get("integrity") or "none"
        blk = E("ipsec-security-associations-block", None, x)
        E("sa-block-state", "up", blk)
        for t in g.teks:
            for d in (">", "<"):
                a = E("ipsec-security-associations", None, blk)
                for tag, val in (("sa-direction", d), ("sa-tunnel-index", tid), ("sa-spi", f"{t['spi']:08x}"),
                                 ("sa-remote-gateway", g.server), ("sa-port", 848), ("sa-protocol", "ESP"),
                                 ("sa-esp-encryption-algorithm", enc), ("sa-hmac-algorithm", integ),
                                 ("sa-hard-lifetime", t["remaining"]), ("sa-lifesize-remaining", "unlim"),
                                 ("sa-group-id", g.identity), ("sa-virtual-system", "root")):
                    E(tag, val, a)
                if not detail:
                    lines.append(f"  {d}{tid} {g.server:<15} 848   ESP:{enc}/{integ} {t['spi']:08x} "
                                 f"{t['remaining']}/ unlim {g.identity} root")
        if detail:
            lines += [f"ID: {tid} Virtual-system: root, Group VPN Name: {g.group}",
                      f"  Local Gateway: {g.local}, GDOI Server: {g.server}", f"  Group Id: {g.identity}",
                      "  Routing Instance: default", f"  Group VPN external interface: {g.interface}"]
            for t in g.teks:
                lines += [f"  Direction: inbound/outbound, SPI: {t['spi']:08x}",
                          f"    Hard lifetime: Expires in {t['remaining']} seconds",
                          "    Mode: Tunnel(0 0), Type: group VPN, State: installed",
                          f"    Protocol: ESP, Authentication: {integ}, Encryption: {ENC_TXT.get(enc, enc)}",
                          "    Anti-replay service: " + ("disabled" if g.replay is None else
                                                         f"{g.replay[0]}-based enabled, window {g.replay[1]}")]
            lines.append("")
    return Result("\n".join(lines) + "\n", x)


def dispatch(dev, rest):
    """``show security group-vpn member {ike|ipsec} security-associations [detail]`` (rest starts at group-vpn)."""
    from .show import CmdError, _expect
    if _expect(rest, 1, ["member"]) != "member":
        raise CmdError("syntax", rest[-1])
    kind = _expect(rest, 2, ["ike", "ipsec"])
    if kind is None or _expect(rest, 3, ["security-associations"]) != "security-associations":
        raise CmdError("syntax", rest[-1])
    detail = _expect(rest, 4, ["detail", "brief"]) == "detail"
    if len(rest) > 5:
        raise CmdError("syntax", rest[5])
    return (show_ike_sa if kind == "ike" else show_ipsec_sa)(dev, detail)

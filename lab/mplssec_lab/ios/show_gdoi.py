"""IOS-XE GET VPN show commands, rendered from the configuration (device view) and the derived GdoiState.

Line shapes: the member part of ``show crypto gdoi`` and ``show crypto gdoi ks members`` follow the captures in
``../shared/reference/device-output/ios/show_crypto_gdoi/01.txt`` and ``show_crypto_gdoi_ks_members/01.txt``
(CiscoTestAutomation genieparser golden outputs); the key server part of ``show crypto gdoi`` follows the example of
the Cisco IOS Security Command Reference (``show crypto gdoi``, key server), ``show crypto gdoi ks policy`` the field
list of the Cisco GET VPN configuration guide ("Verifying and Troubleshooting") — a rendering of those field lists
(lab decision: no capture of them in the reference set). ``show crypto isakmp sa`` lists the GDOI registrations in the
layout of ``show_crypto_isakmp_sa/02.txt`` with the state GDOI_IDLE."""
from __future__ import annotations

import ipaddress

from .show import _dur, _esp_transform_words

KEY_BYTES = {"aes-cbc-128": 16, "aes-cbc-192": 24, "aes-cbc-256": 32, "aes-gcm-128": 16, "aes-gcm-256": 32,
             "3des": 24, "des": 8}
SIG_BYTES = {"sha1": 20, "sha256": 32, "sha384": 48, "sha512": 64, "md5": 16, "none": 0}
RETRIES = 2          # rekey retransmit default: 2 retransmits (Cisco GET VPN guide, "rekey retransmit")
GROUP_TYPE = "GDOI (ISAKMP)"


def _groups(dev, role=None):
    return [g for g in dev.state().gdoi if role is None or g.role == role]


def _addr(net: ipaddress.IPv4Network) -> str:
    if net.prefixlen == 0:
        return "any"
    if net.prefixlen == 32:
        return f"host {net.network_address}"
    return f"{net.network_address} {net.hostmask}"


def ace_text(e: dict) -> str:
    """A downloaded ACE as ``show crypto gdoi`` prints it: ``deny udp any port = 848 any``."""
    out = [e["action"], e["proto"], _addr(e["src"])]
    if e.get("sport") is not None:
        out += ["port", "=", str(e["sport"])]
    out.append(_addr(e["dst"]))
    if e.get("dport") is not None:
        out += ["port", "=", str(e["dport"])]
    return " ".join(out)


def _transform(tr) -> str:
    return _esp_transform_words(tr).rstrip(" ,")


def _replay_line(replay) -> list:
    if replay is None:
        return []
    if replay[0] == "time":
        return [f"        Anti-Replay(Time Based) : {replay[1]} sec interval"]
    return [f"        Anti-Replay(Counter Based) : {replay[1]}"]


def _member(dev, g) -> list:
    now = dev._now()
    label = lambda k, v, ind=4: f"{' ' * ind}{k:<25}: {v}"  # noqa: E731
    out = ["GROUP INFORMATION", "", label("Group Name", g.group), label("Group Identity", g.identity),
           label("Group Type", GROUP_TYPE), label("Crypto Path", "ipv4"), label("Key Management Path", "ipv4"),
           label("Rekeys received", g.rekeys), label("IPSec SA Direction", "Both"), "",
           f"     Group Server list       : {', '.join(g.servers) if g.servers else 'Not configured'}", "",
           f"Group Member Information For Group {g.group}:", label("IPSec SA Direction", "Both")]
    if g.registered:
        out.append(label("ACL Received From KS", f"gdoi_group_{g.group}_temp_acl"))
    ks = g.server or (g.servers[0] if g.servers else "0.0.0.0")
    local = g.local or "0.0.0.0"
    lab = lambda k, v: f"       {k:<22}: {v}"  # noqa: E731
    out += ["", f"    Group member             : {local:<15} vrf: None",
            lab("Local addr/port", f"{local}/848"), lab("Remote addr/port", f"{ks}/848"),
            lab("fvrf/ivrf", "None/None"), lab("Version", "1.0.25"),
            lab("Registration status", "Registered" if g.registered else "Not registered")]
    if g.registered:
        rereg = max(0, g.tek_remaining - 60)
        out += [lab("Registered with", g.server), lab("Re-registers in", f"{rereg} sec"),
                lab("Succeeded registration", g.registrations), lab("Attempted registration", g.registrations),
                lab("Last rekey from", g.server if g.rekeys else "0.0.0.0"), lab("Last rekey seq num", 0),
                lab("Unicast rekey received", g.rekeys), lab("Rekey ACKs sent", g.acks),
                lab("Rekey Rcvd(hh:mm:ss)", _dur(now - g.last_rekey) if g.last_rekey else "00:00:00")]
    else:
        out += [lab("Succeeded registration", 0), lab("Attempted registration", 1)]
    out += [lab("PFS Rekey received", 0), lab("DP Error Monitoring", "OFF"),
            "       IPSEC init reg executed    : 0", "       IPSEC init reg postponed   : 0",
            lab("Active TEK Number", len(g.teks)), lab("SA Track (OID/status)", "disabled"),
            "       Fail-Close Revert : Disabled", "", "       allowable rekey cipher: any",
            "       allowable rekey hash  : any", "       allowable transformtag: any ESP", "",
            "    Rekeys cumulative", lab("Total received", g.rekeys), lab("After latest register", g.rekeys_since_registration),
            lab("Rekey Acks sents", g.acks), ""]
    if not g.registered:
        return out
    out.append(f" ACL Downloaded From KS {g.server}:")
    out += [f"   access-list   {ace_text(e)}" for e in g.acl]
    enc = g.transform.get("encryption") or ""
    out += ["", "KEK POLICY:", label("Rekey Transport Type", g.rekey_transport.capitalize()),
            label("Lifetime (secs)", g.kek_remaining), label("Encrypt Algorithm", "AES"), label("Key Size", 256),
            label("Sig Hash Algorithm", "HMAC_AUTH_SHA"), label("Sig Key Length (bits)", 4400), "",
            "TEK POLICY for the current KS-Policy ACEs Downloaded:", f"  {g.interface}:"]
    for t in g.teks:
        out += ["    IPsec SA:", f"        spi: 0x{t['spi']:X}({t['spi']})", f"        transform: {_transform(g.transform)}",
                f"        sa timing:remaining key lifetime (sec): ({t['remaining']})", *_replay_line(g.replay),
                "        tag method : disabled", f"        alg key size: {KEY_BYTES.get(enc, 16)} (bytes)",
                f"        sig key size: {SIG_BYTES.get(g.transform.get('integrity') or 'none', 0)} (bytes)",
                "        encaps: ENCAPS_TUNNEL", ""]
    out += ["", "KGS POLICY:", f"  REG_GM: local_addr {local}", "", "P2P POLICY:", f"  REG_GM: local_addr {local}"]
    return out


def _server(dev, g) -> list:
    label = lambda k, v, ind=4: f"{' ' * ind}{k:<25}: {v}"  # noqa: E731
    srv = dev.view().getvpn.servers.get(g.group)
    out = ["GROUP INFORMATION", "", label("Group Name", f"{g.group} ({g.rekey_transport.capitalize()})"),
           label("Group Identity", g.identity), label("Group Type", GROUP_TYPE), label("Crypto Path", "ipv4"),
           label("Key Management Path", "ipv4"), label("Group Members", len(g.members)),
           label("IPSec SA Direction", "Both")]
    if g.redundancy:
        out += [label("Redundancy", "Configured"), label("Local Address", g.server, 8),
                label("Local Priority", g.redundancy["priority"], 8), label("Local KS Status", "Alive", 8),
                label("Local KS Role", g.redundancy["role"], 8), label("Local KS Version", "1.0.25", 8)]
    else:
        out.append(label("Redundancy", "Not configured"))
    out += [label("Group Rekey Lifetime", f"{g.kek_lifetime} secs"), "    Group Rekey",
            label("Remaining Lifetime", f"{g.kek_remaining} secs", 8),
            label("Rekey Retransmit Period", "10 secs"), label("Rekey Retransmit Attempts", RETRIES),
            "    Group Retransmit", label("Remaining Lifetime", "0 secs", 8), ""]
    if g.registered:
        replay = g.replay
        out += [label("IPSec SA Number", srv.sa_ipsec if srv else 1, 6),
                label("IPSec SA Rekey Lifetime", f"{g.tek_lifetime} secs", 6),
                label("Profile Name", srv.profile if srv else "", 6),
                label("Replay method", {"time": "Time Based", "counter": "Count Based"}[replay[0]] if replay
                      else "Disabled", 6)]
        if replay:
            out.append(label("Replay Window Size", replay[1], 6))
        out += ["      SA Rekey", label("Remaining Lifetime", f"{g.tek_remaining} secs", 9),
                label("ACL Configured", f"access-list {g.acl_name}", 6)]
    else:
        out.append(f"    Group not usable: {g.reason}")
    out += ["", "     Group Server list       : Local", ""]
    return out


def show_crypto_gdoi(dev, role=None) -> str:
    """``show crypto gdoi`` (``gm`` / ``ks``: only the member / key server groups)."""
    out = []
    if role in (None, "ks"):
        for g in _groups(dev, "server"):
            out += _server(dev, g)
    if role in (None, "gm"):
        for g in _groups(dev, "member"):
            out += _member(dev, g)
    return "\n".join(out) + "\n" if out else "\n"


def show_ks_members(dev) -> str:
    """``show crypto gdoi ks members``: per group the rekey summary, then one block per registered member."""
    out = []
    for g in _groups(dev, "server"):
        out += ["", f"Number of rekeys sent for group {g.group} : {g.rekeys}",
                f"Number of retransmits during the last rekey for group {g.group} : 0",
                f"Duration of the last rekey for group {g.group} : 1 msec"]
        for m in g.members:
            out += ["", f"Group Member ID    : {m['address']}  GM Version: {m['version']}",
                    f" Group ID          : {g.identity}", f" Group Name        : {g.group}",
                    f" Group Type        : {GROUP_TYPE}", f" GM State          : {m['state']}",
                    f" Key Server ID     : {m['key_server']}", f" Rekeys sent       : {m['rekeys']}",
                    f" Rekeys retries    : {m['acks_missed'] * RETRIES}", f" Rekey Acks Rcvd   : {m['acks']}",
                    f" Rekey Acks missed : {m['acks_missed']}", "",
                    " Sent seq num : " + "0     " * 4, " Rcvd seq num : " + "0     " * 4, ""]
    return "\n".join(out) + "\n"


def show_ks_policy(dev) -> str:
    """``show crypto gdoi ks policy``: the KEK and the TEK(s) a key server hands out, with their SPIs."""
    out = ["Key Server Policy:"]
    for g in _groups(dev, "server"):
        srv = dev.view().getvpn.servers.get(g.group)
        out += [f"For group {g.group} (handle: 2147483650) server {g.server} (handle: 2147483650):", ""]
        if not g.registered:
            out += [f"  Group not usable: {g.reason}", ""]
            continue
        out += [f"  # of teks : {len(g.teks)}  Seq num : {g.rekeys}",
                f"  KEK POLICY (transport type : {g.rekey_transport.capitalize()})", f"    spi : 0x{g.kek_spi}",
                "    management alg     : disabled    encrypt alg       : AES",
                "    crypto iv length   : 16          key size          : 32",
                f"    orig life(sec): {g.kek_lifetime}       remaining life(sec): {g.kek_remaining}",
                f"    sig key name       : {srv.rekey_rsa if srv and srv.rekey_rsa else '(none)'}", ""]
        enc = g.transform.get("encryption") or ""
        for t in g.teks:
            out += ["  TEK POLICY (encaps : ENCAPS_TUNNEL)", f"    spi                : 0x{t['spi']:08X}",
                    f"    access-list        : {g.acl_name}", f"    transform          : {_transform(g.transform)}",
                    f"    alg key size       : {KEY_BYTES.get(enc, 16):<14}sig key size          : "
                    f"{SIG_BYTES.get(g.transform.get('integrity') or 'none', 0)}",
                    f"    orig life(sec)     : {g.tek_lifetime:<14}remaining life(sec)   : {t['remaining']}",
                    f"    antireplay window size: {g.replay[1] if g.replay else 0}", ""]
    return "\n".join(out) + "\n"


def show_isakmp_sa(dev) -> str:
    """IKEv1 SAs: one GDOI registration SA per registered member group (member: to its key server; key server: from
    each member), state GDOI_IDLE."""
    rows = []
    for g in _groups(dev):
        if g.role == "member" and g.registered:
            rows.append((g.server, g.local))
        elif g.role == "server":
            rows += [(g.server, m["address"]) for m in g.members]
    out = ["IPv4 Crypto ISAKMP SA", "dst             src             state          conn-id status"]
    for n, (dst, src) in enumerate(rows):
        out.append(f"{dst:<16}{src:<16}{'GDOI_IDLE':<15}{1001 + n:>7} ACTIVE")
    out += ["", "IPv6 Crypto ISAKMP SA", ""]
    return "\n".join(out) + "\n"

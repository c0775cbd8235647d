"""Operational commands: text in the real Junos line shapes, XML with the real element names and
nesting, JSON as the mechanical Junos conversion of that XML (:func:`xml_to_json`)."""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
import time

from lxml import etree

from . import schema as S
from . import tree as T
from .device import JUNOS_VERSION, MODEL, fmt_time

JUNOS_NS = f"http://xml.juniper.net/junos/{JUNOS_VERSION}/junos"


class CmdError(Exception):
    """``kind``: "unknown" (first word) or "syntax"; ``token`` the offending word."""

    def __init__(self, kind, token, message=None):
        super().__init__(message or kind)
        self.kind, self.token, self.message = kind, token, message


class Result:
    def __init__(self, text, xml=None):
        self.text, self.xml = text, xml


def E(tag, text=None, parent=None, **attrs):
    el = etree.SubElement(parent, tag) if parent is not None else etree.Element(tag, nsmap={"junos": JUNOS_NS})
    if text is not None:
        el.text = str(text)
    for k, v in attrs.items():
        el.set(f"{{{JUNOS_NS}}}{k[6:]}" if k.startswith("junos_") else k, v)
    return el


def _h(*parts, n=8):
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:n]


def _hint(*parts, lo=0, mod=10**7):
    return lo + int(_h(*parts, n=12), 16) % mod


# ------------------------------------------------------------------------------------ JSON


def xml_to_json(el):
    """Junos JSON: every element is a list of objects; leaf text under "data", attributes under
    "attributes"; an empty element is ``[{"data": [null]}]``; repeated siblings share one list."""

    def conv(e):
        obj = {}
        attrs = {}
        for k, v in e.attrib.items():
            q = etree.QName(k)
            pfx = "junos:" if q.namespace == JUNOS_NS else ""
            attrs[pfx + q.localname] = v
        kids = [c for c in e if isinstance(c.tag, str)]
        if not kids:
            obj["data"] = e.text if (e.text is not None and e.text.strip() != "" or e.text) else [None]
            if e.text is None or e.text == "":
                obj["data"] = [None]
            if attrs:
                obj["attributes"] = attrs
            return obj
        if attrs:
            obj["attributes"] = attrs
        for c in kids:
            obj.setdefault(etree.QName(c).localname, []).append(conv(c))
        return obj

    return {etree.QName(el).localname: [conv(el)]}


def json_text(el):
    return json.dumps(xml_to_json(el), indent=4)


def xml_text(el):
    """``| display xml``: the rpc-reply as the CLI prints it."""
    reply = etree.Element("rpc-reply", nsmap={"junos": JUNOS_NS})
    reply.append(el)
    cli = etree.SubElement(reply, "cli")
    etree.SubElement(cli, "banner")
    etree.indent(reply, space="    ")
    return etree.tostring(reply, encoding="unicode")


# ------------------------------------------------------------------------------------ dispatch


def run(dev, line, session=None):
    """Run one operational command line (with pipes) -> (text, xml element or None)."""
    parts = [p.strip() for p in line.split("|")]
    base = parts[0].split()
    display = None
    filters = []
    for p in parts[1:]:
        w = p.split()
        if not w:
            raise CmdError("syntax", "|")
        if w[0] == "display" and len(w) >= 2 and w[1] in ("xml", "json", "set", "inheritance"):
            display = w[1]
        elif w[0] in ("match", "except", "find") and len(w) >= 2:
            filters.append((w[0], " ".join(w[1:]).strip('"')))
        elif w[0] in ("count", "no-more", "last", "trim"):
            filters.append((w[0], " ".join(w[1:])))
        elif w[0] == "compare" and base[:2] == ["show", "configuration"]:
            n = int(w[2]) if len(w) == 3 and w[1] == "rollback" and w[2].isdigit() else None
            if n is None:
                raise CmdError("syntax", w[-1])
            try:
                old = dev.rollback_tree(n)
            except T.JunosError as e:
                raise CmdError("syntax", w[2], f"error: {e.message}") from None
            return T.compare(old, dev.committed), None
        else:
            raise CmdError("syntax", w[0])
    res = dispatch(dev, base, display, session)
    if display in ("xml", "json") and res.xml is not None:
        text = xml_text(res.xml) if display == "xml" else json_text(res.xml)
    else:
        text = res.text
    if text and not text.endswith("\n"):
        text += "\n"
    for kind, arg in filters:
        lines = text.splitlines()
        if kind == "match":
            lines = [ln for ln in lines if re.search(arg, ln)]
        elif kind == "except":
            lines = [ln for ln in lines if not re.search(arg, ln)]
        elif kind == "count":
            lines = [f"Count: {len(lines)} lines"]
        elif kind == "last" and arg.isdigit():
            lines = lines[-int(arg) :]
        elif kind == "find":
            idx = next((i for i, ln in enumerate(lines) if re.search(arg, ln)), len(lines))
            lines = lines[idx:]
        text = "\n".join(lines) + ("\n" if lines else "")
    return text, res.xml


def _expect(toks, i, words):
    if i >= len(toks):
        return None
    cands = [w for w in words if w == toks[i]] or [w for w in words if w.startswith(toks[i])]
    if len(cands) != 1:
        raise CmdError("syntax", toks[i])
    return cands[0]


def dispatch(dev, toks, display=None, session=None):
    if not toks:
        return Result("")
    verb = _expect(toks, 0, ["show", "ping", "request", "clear", "monitor", "file", "set", "traceroute"])
    if verb == "ping":
        return ping(dev, toks[1:])
    if verb == "request" and len(toks) == 3 and _expect(toks, 1, ["system"]) and _expect(toks, 2, ["reboot"]):
        text = dev.request_reboot()
        x = E("request-reboot-results")
        E("request-reboot-status", "Shutdown NOW!", x)
        return Result(text, x)
    if verb == "clear":
        return clear(dev, toks[1:])
    if verb != "show":
        raise CmdError("syntax", toks[1] if len(toks) > 1 else toks[0])
    if len(toks) < 2:
        raise CmdError("syntax", toks[0])
    what = _expect(toks, 1, ["version", "configuration", "security", "ldp", "ospf", "isis", "interfaces", "system", "route", "chassis"])
    rest = toks[2:]
    if what == "version":
        return show_version(dev)
    if what == "configuration":
        return show_configuration(dev, rest, display, dev.committed)
    if what == "system":
        if _expect(rest, 0, ["commit", "uptime"]) == "commit":
            return show_system_commit(dev)
        return Result(f"Current time: {fmt_time(dev._now())}\n")
    if what == "security":
        sub = _expect(rest, 0, ["ike", "ipsec", "flow", "mka", "macsec", "group-vpn", "pki"])
        if sub is None:
            raise CmdError("syntax", "security")
        if sub == "pki":
            kind = _expect(rest, 1, ["local-certificate", "ca-certificate"])
            if kind is None or len(rest) > 2:
                raise CmdError("syntax", rest[-1])
            return show_pki(dev, kind)
        if sub == "group-vpn":
            from . import show_gdoi
            return show_gdoi.dispatch(dev, rest)
        if sub in ("mka", "macsec"):
            from . import show_macsec
            return show_macsec.dispatch(dev, sub, rest)
        if sub == "flow":
            if _expect(rest, 1, ["status"]) != "status" or len(rest) > 2:
                raise CmdError("syntax", rest[-1])
            return show_flow_status(dev)
        nxt = _expect(rest, 1, ["security-associations", "inactive-tunnels", "statistics"])
        if nxt is None:
            raise CmdError("syntax", sub)
        if sub == "ipsec" and nxt == "statistics":
            return show_ipsec_statistics(dev)
        detail = _expect(rest, 2, ["detail", "brief"]) == "detail"
        if sub == "ike" and nxt == "security-associations":
            return show_ike_sa(dev, detail)
        if sub == "ipsec" and nxt == "security-associations":
            return show_ipsec_sa(dev, detail)
        if sub == "ipsec" and nxt == "inactive-tunnels":
            return show_ipsec_inactive(dev)
        raise CmdError("syntax", nxt)
    if what == "ldp":
        sub = _expect(rest, 0, ["session", "neighbor"])
        if sub == "session":
            addr, detail = None, False
            for t in rest[1:]:
                if t == "detail":
                    detail = True
                elif _is_ip(t):
                    addr = t
                else:
                    raise CmdError("syntax", t)
            return show_ldp_session(dev, detail, addr)
        if sub == "neighbor":
            return show_ldp_neighbor(dev)
        raise CmdError("syntax", "ldp")
    if what == "ospf":
        if _expect(rest, 0, ["neighbor", "interface"]) == "neighbor":
            return show_ospf_neighbor(dev)
        raise CmdError("syntax", rest[0] if rest else "ospf")
    if what == "isis":
        if _expect(rest, 0, ["adjacency"]) == "adjacency":
            return show_isis_adjacency(dev)
        raise CmdError("syntax", "isis")
    if what == "interfaces":
        return show_interfaces(dev, rest)
    if what == "chassis" and rest == ["hardware"]:
        from .show_macsec import show_chassis_hardware
        return show_chassis_hardware(dev)
    raise CmdError("syntax", toks[1])


def clear(dev, toks):
    """``clear security ike security-associations [peer-address]``: the IKE SAs (to the peer, or all) and their
    IPsec SAs are deleted and re-negotiated (Junos prints nothing)."""
    if _expect(toks, 0, ["security"]) != "security" or _expect(toks, 1, ["ike"]) != "ike" or \
            _expect(toks, 2, ["security-associations"]) != "security-associations":
        raise CmdError("syntax", toks[-1] if toks else "clear")
    rest = toks[3:]
    if len(rest) > 1 or (rest and not _is_ip(rest[0])):
        raise CmdError("syntax", rest[-1])
    dev.lab.clear_ike(dev.hostname, rest[0] if rest else None)
    return Result("", E("clear-ike-security-associations-results"))


def _is_ip(t):
    try:
        ipaddress.IPv4Address(t)
        return True
    except ValueError:
        return False


# ------------------------------------------------------------------------------------ version/config


def _model(dev):
    return getattr(dev, "model", MODEL)


def show_version(dev):
    text = (
        f"Hostname: {dev.hostname}\nModel: {_model(dev)}\nJunos: {JUNOS_VERSION}\n"
        f"JUNOS OS Kernel 64-bit  [20240918.2f2fdb5_builder_stable_13-204]\n"
        f"JUNOS OS libs [20240918.2f2fdb5_builder_stable_13-204]\n"
        f"JUNOS OS runtime [20240918.2f2fdb5_builder_stable_13-204]\n"
        f"JUNOS OS time zone information [20240918.2f2fdb5_builder_stable_13-204]\n"
        + (f"JUNOS vSRX Software Suite [{JUNOS_VERSION}]\n" if _model(dev) == "vsrx" else
           f"JUNOS Packet Forwarding Engine Support (SRX) [{JUNOS_VERSION}]\n")
    )
    x = E("software-information")
    E("host-name", dev.hostname, x)
    E("product-model", _model(dev), x)
    E("product-name", _model(dev), x)
    E("junos-version", JUNOS_VERSION, x)
    pi = E("package-information", None, x)
    E("name", "junos", pi)
    E("comment", f"JUNOS Software Release [{JUNOS_VERSION}]", pi)
    return Result(text, x)


_FLOW_LABEL = (("inet", "Inet"), ("inet6", "Inet6"), ("mpls", "MPLS"), ("iso", "ISO"))


def show_flow_status(dev):
    """``show security flow status``: the forwarding modes IN EFFECT (the configured ones apply after a
    reboot). Line shapes: Juniper CLI reference "show security flow status" and public vSRX captures
    ("MPLS forwarding mode: packet based"); XML ``<flow-status-all><flow-forwarding-mode>
    <flow-forwarding-mode-mpls>`` (public Juniper automation test data)."""
    dev.booting()  # completes a reboot whose time is over
    modes = dev.active_modes
    lines = ["  Flow forwarding mode:"]
    x = E("flow-status-all")
    fm = E("flow-forwarding-mode", None, x)
    for fam, label in _FLOW_LABEL:
        mode = modes.get(fam) or "drop"
        lines.append(f"    {label} forwarding mode: {mode.replace('-', ' ')}")
        E(f"flow-forwarding-mode-{fam}", mode.replace("-", " "), fm)
    lines += ["  Flow trace status", "    Flow tracing status: off", "  Flow session distribution",
              "    Distribution mode: RR-based", "  Flow ipsec performance acceleration: off",
              "  Flow packet ordering", "    Ordering mode: Hardware"]
    return Result("\n".join(lines) + "\n", x)


def config_subtree(root, path_toks):
    if not path_toks:
        return root, []
    steps = T.walk(S.ROOT, path_toks, allow_partial=True, values_optional=True)
    node = root
    keys = []
    for st in steps:
        if isinstance(st.schema, S.N) and st.name is None:
            break
        keys.append(st.key)
        node = node.children.get(st.key) if node is not None else None
    return node, keys


def show_configuration(dev, rest, display, root, last_commit=True):
    """``show configuration``, as the user's login class sees it (scenario srx-no-secret-view: no 'secret' permission)."""
    token = T.HIDE_SECRETS.set(bool(getattr(dev, "hide_secrets", False)))
    try:
        return _show_configuration(dev, rest, display, root, last_commit)
    finally:
        T.HIDE_SECRETS.reset(token)


def _show_configuration(dev, rest, display, root, last_commit=True):
    try:
        node, keys = config_subtree(root, rest)
    except T.JunosError as e:
        raise CmdError("syntax", e.bad or (rest[-1] if rest else "")) from None
    if node is None:
        return Result("", etree.Element("configuration"))
    if keys and isinstance(node.schema, (S.L, S.LL, S.F)):
        wrap = T.Node(S.ROOT)
        wrap.children = {keys[-1]: node}
        text = T.render_text(wrap)
        parent_keys = keys[:-1]
    else:
        wrap = node
        text = T.render_text(node)
        parent_keys = keys
    if display == "set":
        lines = T.to_set(wrap, "set", tuple(parent_keys))
        sets = [ln for ln in lines if not ln.startswith("deactivate ")] + [ln for ln in lines if ln.startswith("deactivate ")]
        return Result("\n".join(sets) + ("\n" if sets else ""), None)
    if display == "json":
        return Result(T.render_json(root), None) if not keys else Result(json.dumps(T.to_json_obj(wrap), indent=4), None)
    if display == "xml":
        cfg = T.render_xml_element(root)
        return Result(xml_text(cfg), cfg)
    if not keys and last_commit and dev.history:
        c = dev.history[0]
        text = f"## Last commit: {fmt_time(c.ts)} by {c.user}\n" + text
    return Result(text, T.render_xml_element(root))


def show_system_commit(dev):
    lines = []
    x = E("commit-information")
    for i, c in enumerate(dev.history):
        how = c.via
        extra = ""
        if c.confirmed and i == 0 and dev.confirm_pending():
            extra = f" commit confirmed, rollback in {c.confirmed}mins"
        elif c.confirmed:
            extra = f" commit confirmed, rollback in {c.confirmed}mins"
        lines.append(f"{i:<3} {fmt_time(c.ts)} by {c.user} via {how}{extra}")
        if c.comment:
            lines.append(f"    {c.comment}")
        h = E("commit-history", None, x)
        E("sequence-number", i, h)
        E("user", c.user, h)
        E("client", how, h)
        E("date-time", fmt_time(c.ts), h, junos_seconds=str(int(c.ts)))
        if c.comment:
            E("log", c.comment, h)
        if c.confirmed:
            E("confirm-timeout", c.confirmed, h)
    return Result("\n".join(lines) + "\n", x)


# ------------------------------------------------------------------------------------ security


def _state(dev):
    try:
        return dev.state()
    except Exception:
        from .. import model

        return model.LinkState()


def _ike_mode(dev, sa):
    peer = dev.view().ike.get(sa.name)
    if peer is None or peer.version == 2:
        return "IKEv2"
    return "Main"


def _cookies(dev, sa):
    ic = _h(dev.hostname, sa.name, sa.created, "i", n=16)
    rc = _h(dev.hostname, sa.name, sa.created, "r", n=16) if sa.established else "0" * 16
    return ic, rc


def show_ike_sa(dev, detail=False):
    st = _state(dev)
    x = E("ike-security-associations-information", junos_style="detail" if detail else "brief")
    lines = []
    if not detail:
        lines.append("Index   State  Initiator cookie  Responder cookie  Mode           Remote Address")
    now = dev._now()
    for sa in st.ike_sas:
        idx = _hint(dev.hostname, sa.name, mod=9000000, lo=1000000)
        state = "UP" if sa.established else "DOWN"
        ic, rc = _cookies(dev, sa)
        mode = _ike_mode(dev, sa)
        if detail:  # SRX detail nesting: ...-block/{ike-gw-name, ike-security-associations/{..., ike-sa-algorithms}}
            outer = E("ike-security-associations-block", None, x)
            E("ike-sa-remote-address", sa.peer, outer)
            E("ike-gw-name", sa.name, outer)
            block = E("ike-security-associations", None, outer)
        else:
            block = E("ike-security-associations", None, x)
        E("ike-sa-index", idx, block)
        E("ike-sa-remote-address", sa.peer, block)
        E("ike-sa-remote-port", 500, block)
        E("ike-sa-state", state, block)
        E("ike-sa-initiator-cookie", ic, block)
        E("ike-sa-responder-cookie", rc, block)
        E("ike-sa-exchange-type", mode, block)
        if not detail:
            lines.append(f"{idx:<7} {state:<6} {ic:<17} {rc:<17} {mode:<14} {sa.peer}")
            continue
        prop = sa.proposal or {}
        life = max(0, int(sa.lifetime - (now - sa.created))) if sa.established else 0
        enc = prop.get("encryption", "")
        enc_txt = {"aes-gcm-256": "aes256-gcm", "aes-gcm-128": "aes128-gcm", "aes-cbc-256": "aes256-cbc", "aes-cbc-128": "aes128-cbc"}.get(enc, enc)
        integ = prop.get("integrity")
        integ_txt = (
            "hmac-" + integ + {"sha1": "-96", "sha256": "-128", "sha384": "-192", "sha512": "-256"}.get(integ, "") if integ and integ != "none" else "none"
        )
        lines += [
            f"IKE peer {sa.peer}, Index {idx}, Gateway Name: {sa.name}",
            f"  Role: Initiator, State: {state}",
            f"  Initiator cookie: {ic}, Responder cookie: {rc}",
            f"  Exchange type: {mode}, Authentication method: Pre-shared-keys",
            f"  Local gateway interface: {sa.interface or 'unknown'}",
            "  Routing instance: default",
            f"  Local: {sa.local}:500, Remote: {sa.peer}:500",
            f"  Lifetime: Expires in {life} seconds",
            "  Reauth Lifetime: Disabled",
            "  IKE Fragmentation: Enabled, Size: 576",
            "  Remote Access Client Info: Unknown Client",
            f"  Peer ike-id: {sa.peer}",
            "  AAA assigned IP: 0.0.0.0",
            "  Algorithms:",
            f"   Authentication        : {integ_txt}",
            f"   Encryption            : {enc_txt}",
            f"   Pseudo random function: hmac-{prop.get('prf', 'sha256')}",
            f"   Diffie-Hellman group  : DH-group-{prop.get('dh_group', '')}",
            "  Traffic statistics:",
            f"   Input  bytes  :                 {sa.bytes_decaps:>4}",
            f"   Output bytes  :                 {sa.bytes_encaps:>4}",
            f"   Input  packets:                    {sa.pkts_decaps}",
            f"   Output packets:                    {sa.pkts_encaps}",
            f"  IPSec security associations: {2 if sa.established else 0} created, 0 deleted",
            "  Phase 2 negotiations in progress: 0",
            "",
        ]
        if sa.reason and not sa.established:
            lines.insert(-1, f"  Failure reason: {sa.reason}")
        E("ike-sa-role", "Initiator", block)
        E("ike-sa-authentication-method", "Pre-shared-keys", block)
        E("ike-sa-local-gateway-interface", sa.interface or "", block)
        E("ike-sa-routing-instance", "default", block)
        E("ike-sa-local-address", sa.local, block)
        E("ike-sa-local-port", 500, block)
        E("ike-sa-lifetime", f"Expires in {life} seconds", block)
        alg = E("ike-sa-algorithms", None, block)
        E("ike-sa-authentication-algorithm", integ_txt, alg)
        E("ike-sa-encryption-algorithm", enc_txt, alg)
        E("ike-sa-prf-algorithm", f"hmac-{prop.get('prf', 'sha256')}", alg)
        E("ike-sa-dhgroup", f"DH-group-{prop.get('dh_group', '')}", alg)
        ts = E("ike-sa-traffic-statistics", None, block)
        E("ike-sa-input-bytes", sa.bytes_decaps, ts)
        E("ike-sa-output-bytes", sa.bytes_encaps, ts)
        E("ike-sa-input-packets", sa.pkts_decaps, ts)
        E("ike-sa-output-packets", sa.pkts_encaps, ts)
    if not st.ike_sas and not detail:
        lines = []
    return Result("\n".join(lines) + ("\n" if lines else ""), x)


def _esp_names(prop):
    enc = prop.get("encryption", "")
    integ = prop.get("integrity") or "none"
    return enc, ("None" if integ == "none" else integ)


def show_ipsec_sa(dev, detail=False):
    st = _state(dev)
    now = dev._now()
    sas = [s for s in st.ipsec_sas if s.established]
    x = E("ipsec-security-associations-information", junos_style="detail" if detail else "brief")
    E("total-active-tunnels", len(sas), x)
    E("total-ipsec-sas", len(sas), x)
    lines = []
    if not detail:
        lines.append(f"  Total active tunnels: {len(sas)}     Total Ipsec sas: {len(sas)}")
        lines.append("  ID    Algorithm       SPI      Life:sec/kb  Mon lsys Port  Gateway")
    view = dev.view()
    for n, sa in enumerate(sorted(sas, key=lambda s: s.name)):
        tid = 131073 + list(view.ipsec).index(sa.name) if sa.name in view.ipsec else 131073 + n
        enc, integ = _esp_names(sa.proposal or {})
        life = max(0, int(sa.lifetime - (now - sa.created)))
        spi_in = f"{(sa.spi_in or _hint(sa.name, 'in', mod=2**32)):08x}"
        spi_out = f"{(sa.spi_out or _hint(sa.name, 'out', mod=2**32)):08x}"
        blk = E("ipsec-security-associations-block", None, x)
        E("sa-block-state", "up", blk)
        for d, spi in (("<", spi_in), (">", spi_out)):
            a = E("ipsec-security-associations", None, blk)
            E("sa-direction", d, a)
            E("sa-tunnel-index", tid, a)
            E("sa-spi", spi, a)
            E("sa-aux-spi", 0, a)
            E("sa-remote-gateway", sa.peer, a)
            E("sa-port", 500, a)
            E("sa-vpn-monitoring-state", "-", a)
            E("sa-protocol", "ESP", a)
            E("sa-esp-encryption-algorithm", enc, a)
            E("sa-hmac-algorithm", integ.lower() if integ != "None" else "none", a)
            E("sa-hard-lifetime", life, a)
            E("sa-lifesize-remaining", "unlim", a)
            E("sa-virtual-system", "root", a)
            if not detail:
                lines.append(f"  {d}{tid} ESP:{enc}/{integ} {spi} {life}/ unlim - root 500 {sa.peer}")
        if detail:
            vp = view.ipsec.get(sa.name)
            lines += [
                f"ID: {tid} Virtual-system: root, VPN Name: {sa.name}",
                f"  Local Gateway: {sa.local}, Remote Gateway: {sa.peer}",
                "  Local Identity: ipv4(0.0.0.0-255.255.255.255)",
                "  Remote Identity: ipv4(0.0.0.0-255.255.255.255)",
                f"  Version: {'IKEv2' if _ike_mode(dev, sa) == 'IKEv2' else 'IKEv1'}",
                f"  DF-bit: {vp.df_bit if vp else 'clear'}, Copy-Outer-DSCP Disabled, Bind-interface: {sa.interface or (vp.interface if vp else '')}",
                "  Port: 500, Nego#: 1, Fail#: 0, Def-Del#: 0 Flag: 0x600a29",
                "  Multi-sa, Tunnel events: ",
            ]
            for d, spi, _name in (("inbound", spi_in, "in"), ("outbound", spi_out, "out")):
                enc_bits = re.search(r"(\d+)$", enc)
                lines += [
                    f"  Direction: {d}, SPI: {spi}, AUX-SPI: 0",
                    "                              , VPN Monitoring: -",
                    f"    Hard lifetime: Expires in {life} seconds",
                    "    Lifesize Remaining:  Unlimited",
                    f"    Soft lifetime: Expires in {max(0, life - 600)} seconds",
                    "    Mode: Tunnel(0 0), Type: dynamic, State: installed",
                    f"    Protocol: ESP, Authentication: {'hmac-' + integ.lower() if integ != 'None' else 'none'}, "
                    f"Encryption: {enc.rsplit('-', 1)[0]} ({enc_bits.group(1) if enc_bits else ''} bits)",
                    "    Anti-replay service: counter-based enabled, Replay window size: 64",
                ]
            lines.append("")
    return Result("\n".join(lines) + "\n", x)


def show_ipsec_statistics(dev):
    """Totals over the installed SAs (usp-ipsec-total-statistics-information)."""
    sas = [s for s in _state(dev).ipsec_sas if s.established]
    eb, db = sum(s.bytes_encaps for s in sas), sum(s.bytes_decaps for s in sas)
    ep, dp = sum(s.pkts_encaps for s in sas), sum(s.pkts_decaps for s in sas)
    text = (
        "ESP Statistics:\n"
        f"  Encrypted bytes:     {eb:>12}\n"
        f"  Decrypted bytes:     {db:>12}\n"
        f"  Encrypted packets:   {ep:>12}\n"
        f"  Decrypted packets:   {dp:>12}\n"
        "AH Statistics:\n"
        f"  Input bytes:         {0:>12}\n"
        f"  Output bytes:        {0:>12}\n"
        f"  Input packets:       {0:>12}\n"
        f"  Output packets:      {0:>12}\n"
        "Errors:\n"
        "  AH authentication failures: 0, Replay errors: 0\n"
        "  ESP authentication failures: 0, ESP decryption failures: 0\n"
        "  Bad headers: 0, Bad trailers: 0\n"
    )
    x = E("usp-ipsec-total-statistics-information")
    es = E("esp-statistics", None, x)
    E("esp-encrypted-bytes", eb, es)
    E("esp-decrypted-bytes", db, es)
    E("esp-encrypted-packets", ep, es)
    E("esp-decrypted-packets", dp, es)
    ah = E("ah-statistics", None, x)
    for k in ("ah-input-bytes", "ah-output-bytes", "ah-input-packets", "ah-output-packets"):
        E(k, 0, ah)
    er = E("error-statistics", None, x)
    for k in ("ah-authentication-failures", "replay-errors", "esp-authentication-failures", "esp-decryption-failures", "bad-headers", "bad-trailers"):
        E(k, 0, er)
    return Result(text, x)


def show_ipsec_inactive(dev):
    st = _state(dev)
    down = [s for s in st.ipsec_sas if not s.established]
    view = dev.view()
    lines = [f"  Total inactive tunnels: {len(down)}", f"  Total inactive tunnels with establish immediately: {len(down)}"]
    x = E("ipsec-unestablished-tunnel-information")
    E("total-inactive-tunnels", len(down), x)
    if down:
        lines.append("  ID           Port   Gateway          Pending SAs   Tunnel Down Reason")
        for n, sa in enumerate(down):
            tid = 131073 + (list(view.ipsec).index(sa.name) if sa.name in view.ipsec else n)
            lines.append(f"  {tid:<12} {500:<6} {sa.peer:<16} {1:<13} {sa.reason or 'Negotiation failed'}")
            b = E("ipsec-unestablished-tunnel", None, x)
            E("sa-tunnel-index", tid, b)
            E("sa-remote-gateway", sa.peer, b)
            E("sa-tunnel-down-reason", sa.reason or "Negotiation failed", b)
    return Result("\n".join(lines) + "\n", x)


# ------------------------------------------------------------------------------------ LDP / IGP


def _adj(dev, proto):
    return [a for a in _state(dev).adjacencies if a.protocol == proto]


def _lsid(peer_id):
    return peer_id if ":" in peer_id else f"{peer_id}:0"


def _dur(sec):
    sec = max(0, int(sec))
    d, r = divmod(sec, 86400)
    h, r = divmod(r, 3600)
    m, s = divmod(r, 60)
    return (f"{d}d " if d else "") + f"{h:02d}:{m:02d}:{s:02d}"


def show_ldp_session(dev, detail=False, addr=None):
    sess = [a for a in _adj(dev, "ldp") if addr is None or a.peer_address == addr or a.peer_id.split(":")[0] == addr]
    v = dev.view()
    rid = v.router_id or "0.0.0.0"
    now = dev._now()
    x = E("ldp-session-information")
    lines = [] if detail else ["  Address                           State       Connection  Hold time  Adv. Mode"]
    for a in sess:
        peer = a.peer_id.split(":")[0]
        up = a.state.lower() in ("operational", "up", "full")
        state = "Operational" if up else "Nonexistent"
        conn = "Open" if up else "Closed"
        hold = 20 + _hint(a.peer_id, int(now) // 10, mod=10) if up else 0
        s = E("ldp-session", None, x)
        E("ldp-neighbor-address", peer, s)
        E("ldp-session-state", state, s)
        E("ldp-connection-state", conn, s)
        E("ldp-remaining-time", hold, s)
        E("ldp-session-adv-mode", "DU", s)
        if not detail:
            lines.append(f"{peer:<36}{state:<12}{conn:<14}{hold:<11}DU")
            continue
        role = "Active" if ipaddress.IPv4Address(rid) > ipaddress.IPv4Address(peer) else "Passive"
        lines += [f"  Address: {peer}, State: {state}, Connection: {conn}, Hold time: {hold}", f"    Session ID: {rid}:0--{peer}:0"]
        if up:
            lines.append(f"    Next keepalive in {_hint(peer, int(now), mod=10)} seconds")
        lines += [
            f"    {role}, Maximum PDU: 4096, Hold time: 30, Neighbor count: 1",
            "    Neighbor types: discovered",
            "    Keepalive interval: 10, Connect retry interval: 1",
        ]
        if up:
            lines += [f"    Local address: {rid}, Remote address: {peer}", f"    Up for {_dur(now - a.since)}"]
        lines += [
            "    Capabilities advertised: none",
            "    Capabilities received: none",
            "    Protection: disabled",
            "    Session flags: none",
            "    Local - Restart: disabled, Helper mode: enabled",
            "    Remote - Restart: disabled, Helper mode: enabled",
            "    Local maximum neighbor reconnect time: 120000 msec",
            "    Local maximum neighbor recovery time: 240000 msec",
            "    Local Label Advertisement mode: Downstream unsolicited",
            "    Remote Label Advertisement mode: Downstream unsolicited",
            "    Negotiated Label Advertisement mode: Downstream unsolicited",
            "    MTU discovery: disabled",
            "    Nonstop routing state: Not in sync",
        ]
        if up:
            lines += ["    Next-hop addresses received:", f"        {a.peer_address}"]
        lines.append("")
        E("ldp-session-id", f"{rid}:0--{peer}:0", s)
        E("ldp-session-role", role, s)
        E("ldp-session-max-pdu", 4096, s)
        E("ldp-holdtime", 30, s)
        E("ldp-neighbor-count", 1, s)
        if up:
            E("ldp-local-address", rid, s)
            E("ldp-remote-address", peer, s)
            E("ldp-up-time", _dur(now - a.since), s)
            sa = E("ldp-session-address", None, s)
            E("interface-address", a.peer_address, sa)
    if not sess and not detail:
        lines = []
    return Result("\n".join(lines) + ("\n" if lines else ""), x)


def show_ldp_neighbor(dev):
    x = E("ldp-neighbor-information")
    lines = ["Address                             Interface       Label space ID     Hold time"]
    for a in _adj(dev, "ldp"):
        hold = 10 + _hint(a.peer_address, int(dev._now()) // 5, mod=5)
        lines.append(f"{a.peer_address:<36}{a.interface:<16}{_lsid(a.peer_id):<20}{hold}")
        n = E("ldp-neighbor", None, x)
        E("ldp-neighbor-address", a.peer_address, n)
        E("interface-name", a.interface, n)
        E("ldp-label-space-id", _lsid(a.peer_id), n)
        E("ldp-remaining-time", hold, n)
    if len(lines) == 1:
        lines = []
    return Result("\n".join(lines) + ("\n" if lines else ""), x)


def show_ospf_neighbor(dev):
    x = E("ospf-neighbor-information")
    adj = _adj(dev, "ospf")
    lines = ["Address          Interface              State           ID               Pri  Dead"] if adj else []
    for a in adj:
        dead = 30 + _hint(a.peer_address, int(dev._now()) // 3, mod=9)
        st = "Full" if a.state.upper() == "FULL" else a.state.capitalize()
        lines.append(f"{a.peer_address:<16} {a.interface:<22} {st:<15} {a.peer_id:<16} {128:>3} {dead:>5}")
        n = E("ospf-neighbor", None, x)
        E("neighbor-address", a.peer_address, n)
        E("interface-name", a.interface, n)
        E("ospf-neighbor-state", st, n)
        E("neighbor-id", a.peer_id, n)
        E("neighbor-priority", 128, n)
        E("activity-timer", dead, n)
    return Result("\n".join(lines) + ("\n" if lines else ""), x)


def show_isis_adjacency(dev):
    x = E("isis-adjacency-information", junos_style="brief")
    adj = _adj(dev, "isis")
    lines = ["Interface             System         L State         Hold (secs) SNPA"] if adj else []
    for a in adj:
        hold = 20 + _hint(a.peer_id, int(dev._now()) // 3, mod=7)
        st = "Up" if a.state.lower() in ("up", "full") else a.state
        lines.append(f"{a.interface:<21} {a.peer_id:<14} 2  {st:<13} {hold:>11}")
        n = E("isis-adjacency", None, x)
        E("interface-name", a.interface, n)
        E("system-name", a.peer_id, n)
        E("level", 2, n)
        E("adjacency-state", st, n)
        E("holdtime", hold, n)
    return Result("\n".join(lines) + ("\n" if lines else ""), x)


# ------------------------------------------------------------------------------------ interfaces


def _iface_up(dev, name, st):
    it = dev.view().interfaces.get(name)
    if name in st.interfaces_up:
        return bool(st.interfaces_up[name])
    if it is not None:
        return it.enabled and it.kind in ("ethernet", "loopback")
    return True


def _units(dev):
    """phys -> [(unit name, view Interface)] from the committed config (all units, even down)."""
    out = {}
    for name, it in dev.view().interfaces.items():
        phys = name.rsplit(".", 1)[0]
        out.setdefault(phys, []).append((name, it))
    return out


def _families(it):
    fams = []
    if it.ipv4 or it.ip_mtu:
        fams.append(("inet", [str(a) for a in it.ipv4]))
    if it.ipv6:
        fams.append(("inet6", [str(a) for a in it.ipv6]))
    if it.mpls_mtu is not None or it.mpls:
        fams.append(("mpls", []))
    return fams


def _family_mtu(it, fam, phys_mtu):
    if fam == "inet":
        return it.ip_mtu or (9192 if it.kind == "ipsec" else phys_mtu)
    if fam == "mpls":
        return it.mpls_mtu or ((9192 if it.kind == "ipsec" else phys_mtu) - 12)
    return phys_mtu


def _phys_mtu(it, kind):
    if kind == "gre" or kind == "ipsec":
        return None
    if it is not None and it.mtu:
        return it.mtu
    return 1500


def show_interfaces(dev, rest):
    name, style = None, "normal"
    for t in rest:
        if t in ("terse", "extensive", "detail", "brief", "statistics"):
            style = t
        elif name is None and re.fullmatch(r"[a-z]+-?[\d/]*(\.\d+)?|lo0(\.\d+)?|st0(\.\d+)?", t):
            name = t
        else:
            raise CmdError("syntax", t)
    st = _state(dev)
    units = _units(dev)
    cfg_ifs = dev.committed.get("interfaces")
    phys_names = [k for k, _ in cfg_ifs.entries(None)] if cfg_ifs is not None else []
    for p in units:
        if p not in phys_names:
            phys_names.append(p)
    phys_names.sort(key=T._natkey)
    if name is not None:
        if "." in name:
            phys = name.rsplit(".", 1)[0]
            sel_units = [(n, it) for n, it in units.get(phys, []) if n == name]
            if not sel_units:
                raise CmdError("missing", name, f"error: device {name} not found")
            return _render_ifaces(dev, st, [], sel_units, style, logical_only=True)
        if name not in phys_names:
            raise CmdError("missing", name, f"error: device {name} not found")
        return _render_ifaces(dev, st, [name], units, style)
    return _render_ifaces(dev, st, phys_names, units, style)


def _render_ifaces(dev, st, phys_list, units, style, logical_only=False):
    x = E("interface-information", junos_style=style if style != "normal" else "normal")
    lines = []
    if style == "terse":
        lines.append("Interface               Admin Link Proto    Local                 Remote")

    def unit_block(parent_el, uname, it, idx):
        up = _iface_up(dev, uname, st)
        admin = "up" if it.enabled else "down"
        link = "up" if up and it.enabled else "down"
        kind = it.kind
        phys_mtu = _phys_mtu(it, kind) or 1500
        le = E("logical-interface", None, parent_el)
        E("name", uname, le)
        E("local-index", 70 + idx, le)
        E("snmp-index", 520 + idx, le)
        if style == "terse":
            E("admin-status", admin, le)
            E("oper-status", link, le)
            fams = _families(it)
            first = True
            for fam, addrs in fams or [(None, [])]:
                fa = E("address-family", None, le) if fam else None
                if fa is not None:
                    E("address-family-name", fam, fa)
                for a in addrs or [None]:
                    if a and fa is not None:
                        ia = E("interface-address", None, fa)
                        E("ifa-local", a, ia, junos_emit="emit")
                    if first:
                        lines.append(f"{uname:<24}{admin:<6}{link:<5}{(fam or ''):<9}{a or ''}".rstrip())
                        first = False
                    else:
                        lines.append(f"{'':<35}{(fam or '') if a == (addrs or [None])[0] else '':<9}{a or ''}".rstrip())
            return
        flags = ("Up" if link == "up" else "Down") + " Point-To-Point SNMP-Traps 0x4000"
        if kind == "gre":
            flags += f" IP-Header {it.tunnel_destination}:{it.tunnel_source}:47:df:64:0000000000000000"
            enc = "GRE-NULL"
        elif kind == "ipsec":
            enc = "Secure-Tunnel"
        else:
            flags = ("Up" if link == "up" else "Down") + " SNMP-Traps 0x4000"
            enc = "ENET2" if kind == "ethernet" else "Unspecified"
        ifc = E("if-config-flags", None, le)
        E("iff-up" if link == "up" else "iff-down", None, ifc)
        E("encapsulation", enc, le)
        lines.append(f"  Logical interface {uname} (Index {70 + idx}) (SNMP ifIndex {520 + idx})")
        lines.append(f"    Flags: {flags} Encapsulation: {enc}")
        if kind == "gre":
            lines.append("    Gre keepalives configured: Off, Gre keepalives adjacency state: down")
        lines.append("    Input packets : 0")
        lines.append("    Output packets: 0")
        ts = E("traffic-statistics", None, le)
        E("input-packets", 0, ts)
        E("output-packets", 0, ts)
        zone = _zone_of(dev, uname)
        if zone:
            lines.append(f"    Security: Zone: {zone}")
            E("logical-interface-zone-name", zone, le)
        for fam, addrs in _families(it):
            mtu = _family_mtu(it, fam, phys_mtu)
            fa = E("address-family", None, le)
            E("address-family-name", fam, fa)
            E("mtu", mtu, fa)
            if fam == "mpls":
                lines.append(f"    Protocol mpls, MTU: {mtu}, Maximum labels: 3")
                E("maximum-labels", 3, fa)
                continue
            lines.append(f"    Protocol {fam}, MTU: {mtu}")
            lines.append("      Flags: Sendbcast-pkt-to-re")
            for a in addrs:
                ii = ipaddress.ip_interface(a)
                lines.append("      Addresses, Flags: Is-Preferred Is-Primary")
                dst = _junos_net(ii.network)
                bcast = f", Broadcast: {ii.network.broadcast_address}" if kind == "ethernet" and ii.version == 4 and ii.network.prefixlen < 31 else ""
                lines.append(f"        Destination: {dst}, Local: {ii.ip}{bcast}")
                ia = E("interface-address", None, fa)
                E("ifa-destination", dst, ia)
                E("ifa-local", str(ii.ip), ia)
                if bcast:
                    E("ifa-broadcast", str(ii.network.broadcast_address), ia)

    idx = 0
    if logical_only:
        for uname, it in units:
            unit_block(x, uname, it, idx)
            idx += 1
        return Result("\n".join(lines) + "\n", x)
    for phys in phys_list:
        us = sorted(units.get(phys, []), key=lambda u: int(u[0].rsplit(".", 1)[1]))
        kind = us[0][1].kind if us else ("gre" if phys.startswith("gr-") else "ipsec" if phys == "st0" else "ethernet")
        up = any(_iface_up(dev, n, st) for n, _ in us) if kind == "ethernet" and us else True
        admin_en = not (dev.committed.get("interfaces", phys, "disable") is not None)
        pe = E("physical-interface", None, x)
        E("name", phys, pe)
        E("admin-status", "up" if admin_en else "down", pe)
        E("oper-status", "up" if up else "down", pe)
        mtu = _phys_mtu(us[0][1] if us else None, kind)
        if style == "terse":
            lines.append(f"{phys:<24}{'up' if admin_en else 'down':<6}{'up' if up else 'down'}")
        else:
            lines.append(f"Physical interface: {phys}, {'Enabled' if admin_en else 'Disabled'}, Physical link is {'Up' if up else 'Down'}")
            lines.append(f"  Interface index: {133 + idx}, SNMP ifIndex: {506 + idx}")
            if kind == "gre":
                lines.append("  Type: GRE, Link-level type: GRE, MTU: Unlimited, Speed: 800mbps")
            elif kind == "ipsec":
                lines.append("  Type: Secure-Tunnel, Link-level type: Secure-Tunnel, MTU: 9192")
            else:
                lines.append(f"  Link-level type: Ethernet, MTU: {(mtu or 1500) + 14}, Link-mode: Full-duplex, Speed: 1000mbps,")
            lines.append("  Device flags   : Present Running")
            E("mtu", "Unlimited" if kind == "gre" else (mtu or 1500) + 14 if kind == "ethernet" else 9192, pe)
        for uname, it in us:
            unit_block(pe, uname, it, idx)
            idx += 1
        if style != "terse":
            lines.append("")
        idx += 1
    return Result("\n".join(lines) + "\n", x)


def _junos_net(net):
    """Junos prints destinations with trailing zero octets dropped: 172.16.1.0/24 -> 172.16.1/24."""
    octs = str(net.network_address).split(".")
    while len(octs) > 1 and octs[-1] == "0":
        octs.pop()
    return ".".join(octs) + f"/{net.prefixlen}"


def _zone_of(dev, ifname):
    zones = dev.committed.get("security", "zones")
    if zones is None:
        return None
    for z, zn in zones.entries("security-zone"):
        if zn.get(f"interfaces {ifname}") is not None:
            return z
    return None


# ------------------------------------------------------------------------------------ ping


def ping_mpls_ldp(dev, toks):
    """``ping mpls ldp FEC [size N] [count N]`` (Juniper CLI reference, ping mpls ldp: size 88..65468, 4-byte
    aligned by rounding up; count default 5; output "!"/"."/"x" then "--- lsping statistics ---").  The FEC
    is pinged with the label the next hop advertised: implicit null from a one-hop LDP peer (the default), so
    the request leaves unlabelled.  A FEC without an LDP LSP: every request reported lost (lab decision,
    docs/lab.md "LSP ping")."""
    if not toks:
        raise CmdError("syntax", "ldp")
    fec = toks[0]
    try:
        net = ipaddress.IPv4Interface(fec if "/" in fec else fec + "/32")
    except ValueError:
        raise CmdError("syntax", fec) from None
    size, count = 100, 5
    i = 1
    while i < len(toks):
        t = toks[i]
        if t in ("size", "count", "source", "exp", "destination", "instance") and i + 1 < len(toks):
            val = toks[i + 1]
            if t in ("size", "count") and not val.isdigit():
                raise CmdError("syntax", val)
            if t == "size":
                if not 88 <= int(val) <= 65468:
                    raise CmdError("syntax", val, f"error: Value {val} is not within range (88..65468)")
                size = (int(val) + 3) // 4 * 4
            elif t == "count":
                count = int(val)
            i += 2
            continue
        if t not in ("detail", "sweep"):
            raise CmdError("syntax", t)
        i += 1
    if net.network.prefixlen == 32:
        res = dev.lab.lsp_ping(dev.hostname, str(net.ip), size, 0, count=count)
    else:
        res = [False] * count
    recv = sum(1 for r in res if r)
    loss = int(round(100 * (count - recv) / count)) if count else 0
    text = "".join("!" if r else "." for r in res) + "\n--- lsping statistics ---\n"
    text += f"{count} packets transmitted, {recv} packets received, {loss}% packet loss\n"
    return Result(text)


def ping(dev, toks):
    if not toks:
        raise CmdError("syntax", "ping")
    if toks[0] == "mpls":
        if len(toks) < 2 or toks[1] != "ldp":
            raise CmdError("syntax", toks[1] if len(toks) > 1 else "mpls")
        return ping_mpls_ldp(dev, toks[2:])
    dst = toks[0]
    try:
        ipaddress.IPv4Address(dst)
    except ValueError:
        raise CmdError("syntax", dst, f"ping: cannot resolve {dst}: Unknown host") from None
    size, count, df, source, rapid = 56, 5, False, None, False
    i = 1
    while i < len(toks):
        t = toks[i]
        if t in ("size", "count", "source", "wait", "interval", "ttl", "tos", "routing-instance", "interface") and i + 1 < len(toks):
            val = toks[i + 1]
            if t == "size":
                if not val.isdigit() or int(val) > 65468:
                    raise CmdError("syntax", val, f"error: Value {val} is not within range (0..65468)" if val.isdigit() else None)
                size = int(val)
            elif t == "count":
                if not val.isdigit():
                    raise CmdError("syntax", val)
                count = int(val)
            elif t == "source":
                source = val
            i += 2
            continue
        if t == "do-not-fragment":
            df = True
        elif t == "rapid":
            rapid = True
        elif t in ("no-resolve", "strict", "quiet"):
            pass
        else:
            raise CmdError("syntax", t)
        i += 1
    ip_size = size + 28
    res = dev.lab.ping(dev.hostname, dst, ip_size, df, source=source, count=count)
    reason = getattr(res, "reason", None)
    if reason is None:
        # no physics verdict: local DF check against the egress interface MTU
        egress_mtu = _egress_mtu(dev, dst)
        local_err = "Message too long" if df and egress_mtu is not None and ip_size > egress_mtu else None
    else:
        # physics: "mtu" without a wire size = the local kernel refuses the DF packet (sendto EMSGSIZE)
        local_err = {"no-route": "No route to host", "bad-source": None}.get(reason)
        if reason == "mtu" and getattr(res, "wire", None) is None:
            local_err = "Message too long"
    x = E("ping-results")
    E("target-host", dst, x)
    E("target-ip", dst, x)
    E("packet-size", size, x)
    out = [f"PING {dst} ({dst}): {size} data bytes"]
    if reason == "bad-source":
        return Result("ping: bind: Can't assign requested address\n", E("ping-failure", "Can't assign requested address"))
    if local_err:
        results = [None] * count
        out += [f"ping: sendto: {local_err}"] * count
    else:
        results = list(res)
        if rapid:
            out.append("".join("!" if r else "." for r in results))
        else:
            for seq, r in enumerate(results):
                if r:
                    out.append(f"{size + 8} bytes from {dst}: icmp_seq={seq} ttl=64 time={1.1 + seq * 0.013:.3f} ms")
                else:
                    out.append(f"Request timeout for icmp_seq {seq}")
    recv = sum(1 for r in results if r)
    loss = 0 if count == 0 else int(round(100 * (count - recv) / count))
    out += ["", f"--- {dst} ping statistics ---", f"{count} packets transmitted, {recv} packets received, {loss}% packet loss"]
    if recv:
        out.append("round-trip min/avg/max/stddev = 1.100/1.126/1.152/0.019 ms")
    for seq, r in enumerate(results):
        if r:
            pr = E("probe-result", None, x)
            E("probe-index", seq + 1, pr)
            E("probe-success", None, pr)
            E("sequence-number", seq, pr)
            E("ip-address", dst, pr)
            E("response-size", size + 8, pr)
    s = E("probe-results-summary", None, x)
    E("probes-sent", count, s)
    E("responses-received", recv, s)
    E("packet-loss", loss, s)
    if recv:
        E("ping-success", None, x)
    else:
        E("ping-failure", local_err or "no response", x)
    return Result("\n".join(out) + "\n", x)


def _egress_mtu(dev, dst):
    d = ipaddress.IPv4Address(dst)
    best = None
    for _name, it in dev.view().interfaces.items():
        for a in it.ipv4:
            if d in a.network and (best is None or a.network.prefixlen > best[0]):
                mtu = it.ip_mtu or (9192 if it.kind == "ipsec" else (it.mtu or 1500) if it.kind == "ethernet" else None)
                if it.kind == "gre" and not it.ip_mtu:
                    mtu = 9192 - 24  # gr-0/0/0 without family inet mtu: limited by the route to the destination
                best = (a.network.prefixlen, mtu)
    return best[1] if best else None


def _pki_issuer(dn: str) -> str:
    """Junos prints an issuer as 'CN = MPLSSEC-CA, O = MPLSSEC'."""
    return ", ".join(f"{k.upper()} = {v}" for k, v in ((p.partition("=")[0].strip(), p.partition("=")[2].strip())
                                                        for p in dn.split(",") if "=" in p))


def _pki_time(ts: str) -> str:
    t = time.strptime(ts, "%Y-%m-%d %H:%M:%S")
    return time.strftime("%m-%d-%Y %H:%M UTC", t)


def show_pki(dev, kind):
    """``show security pki local-certificate`` / ``ca-certificate`` (layout of the Juniper CLI reference sample
    output; docs/lab.md "PKI")."""
    v = dev.view()
    certs = (v.pki.certificates if kind == "local-certificate" else v.pki.cas) if v.pki else {}
    out = []
    root = E("x509-certificate-information")
    for name, c in sorted(certs.items()):
        cn = next((p.partition("=")[2].strip() for p in c.subject.split(",") if p.strip().lower().startswith("cn=")),
                  c.subject)
        out += [f"Certificate identifier: {name}", f"  Issued to: {cn}, Issued by: {_pki_issuer(c.issuer)}",
                "  Validity:", f"    Not before: {_pki_time(c.not_before)}", f"    Not after: {_pki_time(c.not_after)}",
                f"  Public key algorithm: {'rsaEncryption' if c.key == 'rsa' else 'ecdsaEncryption'}({c.bits} bits)"]
        if kind == "local-certificate":
            out.append("  Keypair Location: Keypair generated locally")
        out.append("")
        x = E("x509-certificate", parent=root)
        E("certificate-identifier", name, x)
        E("subject", c.subject, x)
        E("issuer", c.issuer, x)
    return Result("\n".join(out), root)

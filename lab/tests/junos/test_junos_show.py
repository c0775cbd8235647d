"""Show renderers vs the real Junos captures in the reference data's device-output/junos (tests/mplssec_reference.py):
text line shapes (regexes derived from the captures, checked against both), XML element names and
nesting, JSON = the mechanical conversion of the XML."""

from __future__ import annotations

import json
import re

import pytest
from junos_helpers import GRE_IPSEC, REFERENCE
from lxml import etree
from mplssec_reference import REFERENCE_TEST

from mplssec_lab import model
from mplssec_lab.junos import show as SH
from mplssec_lab.junos import tree as T
from mplssec_lab.junos.device import Session

CAP = REFERENCE / "device-output" / "junos"


def captures(name):
    d = CAP / name
    assert d.is_dir(), f"capture {name} missing from {CAP}"  # only REFERENCE_TEST tests call this
    return [p.read_text() for p in sorted(d.glob("*.txt"))]


def body(text):
    """Capture body without the 'node0:' cluster banner / echoed command / outer indentation."""
    lines = [ln.rstrip() for ln in text.splitlines()]
    lines = [ln for ln in lines if ln.strip() and not ln.strip().startswith("show ") and ln.strip() != "node0:" and not set(ln.strip()) <= {"-"}]
    min((len(ln) - len(ln.lstrip()) for ln in lines), default=0)
    # genie-style captures are indented as a block: remove the common extra indentation
    common = 8 if all(ln.startswith("        ") for ln in lines) else 0
    return [ln[common:] for ln in lines]


@pytest.fixture
def up(dev, lab):
    s = Session("netconf")
    new, _ = T.load_set(dev.candidate, GRE_IPSEC)
    dev.set_candidate(s, new)
    dev.commit(s)
    t0 = lab.t - 600
    prop = {"encryption": "aes-gcm-256", "integrity": "none", "prf": "sha384", "dh_group": 20}
    lab.link_state = model.LinkState(
        interfaces_up={"gr-0/0/0.100": True, "st0.100": True, "ge-0/0/0.0": True, "ge-0/0/1.0": True, "lo0.0": True},
        ike_sas=[
            model.SaState(
                name="MPLSSEC-CORE1",
                local="192.0.2.1",
                peer="192.0.2.0",
                status="UP",
                established=True,
                proposal=prop,
                interface="ge-0/0/0.0",
                created=t0,
                lifetime=86400,
            )
        ],
        ipsec_sas=[
            model.SaState(
                name="MPLSSEC-CORE1",
                local="192.0.2.1",
                peer="192.0.2.0",
                status="UP",
                established=True,
                proposal={"encryption": "aes-gcm-256", "integrity": "none"},
                mode="tunnel",
                interface="st0.100",
                spi_in=0x1A2B3C4D,
                spi_out=0x5E6F7A8B,
                created=t0,
                lifetime=3600,
            )
        ],
        adjacencies=[
            model.Adjacency("ldp", "gr-0/0/0.100", "198.51.100.0", "203.0.113.1", "Operational", since=t0),
            model.Adjacency("ospf", "gr-0/0/0.100", "198.51.100.0", "203.0.113.1", "FULL", since=t0),
            model.Adjacency("isis", "gr-0/0/0.100", "198.51.100.0", "p1", "Up", since=t0),
        ],
    )
    return dev


def run(dev, cmd):
    return SH.run(dev, cmd)


# ----------------------------------------------------------------------------- text shapes

IKE_HDR = re.compile(r"^Index\s+State\s+Initiator cookie\s+Responder cookie\s+Mode\s+Remote Address$")
IKE_ROW = re.compile(r"^\d{7} (UP|DOWN)\s+[0-9a-f]{16}  [0-9a-f]{16}  (IKEv2|Main)\s+\d+\.\d+\.\d+\.\d+$")
IKE_ROW_COLS = re.compile(r"^(.{7}) (.{6}) (.{17}) (.{17}) (.{14}) (\S+)$")

IPSEC_TOTAL = re.compile(r"^  Total active tunnels: \d+     Total Ipsec sas: \d+$")
IPSEC_HDR = re.compile(r"^  ID    Algorithm       SPI      Life:sec/kb  Mon lsys Port  Gateway\s*$")
IPSEC_ROW = re.compile(r"^  [<>]\d+ ESP:[a-z0-9-]+/(\w+) [0-9a-f]{8} \d+/ unlim - root \d+ \S+\s*$")

LDP_HDR = re.compile(r"^\s*Address\s+State\s+Connection\s+Hold time\s+Adv\. Mode$")
LDP_ROW = re.compile(r"^(\d+\.\d+\.\d+\.\d+)\s+(Operational|Nonexistent)\s+(Open|Closed)\s+\d+\s+DU$")
LDP_ROW_COLS = re.compile(r"^(.{36})(.{12})(.{14})(.{11})DU$")

LDP_DETAIL = [
    re.compile(r"^  Address: \S+, State: \w+, Connection: \w+, Hold time: \d+$"),
    re.compile(r"^    Session ID: \S+:0--\S+:0$"),
    re.compile(r"^    (Passive|Active), Maximum PDU: 4096, Hold time: 30, Neighbor count: \d+$"),
    re.compile(r"^    Keepalive interval: 10, Connect retry interval: 1$"),
    re.compile(r"^    Local address: \S+, Remote address: \S+$"),
    re.compile(r"^    Up for \d\d:\d\d:\d\d$"),
    re.compile(r"^    Negotiated Label Advertisement mode: Downstream unsolicited$"),
    re.compile(r"^    Next-hop addresses received:$"),
]

LDP_NBR_HDR = re.compile(r"^Address\s+Interface\s+Label space ID\s+Hold time$")
LDP_NBR_ROW = re.compile(r"^\d+\.\d+\.\d+\.\d+\s+\S+\.\d+\s+\d+\.\d+\.\d+\.\d+:0\s+\d+$")

TERSE_HDR = re.compile(r"^Interface {15}Admin Link Proto {4}Local {17}Remote$")
TERSE_PHYS = re.compile(r"^(\S+)\s+(up|down)\s+(up|down)$")
TERSE_UNIT = re.compile(r"^(\S+\.\d+)\s+(up|down)\s+(up|down)\s+(inet|mpls)\s+(\S+)?$")
TERSE_CONT = re.compile(r"^ {35}(mpls|inet6?)( .*)?$")


def _check_lines(lines, hdr, row, min_rows=1):
    assert any(hdr.match(ln) for ln in lines), lines
    rows = [ln for ln in lines if row.match(ln)]
    assert len(rows) >= min_rows, lines
    return rows


@REFERENCE_TEST
@pytest.mark.parametrize("cap", range(4))
def test_regexes_match_real_ike_captures(cap):
    caps = captures("show_security_ike_security_associations")
    lines = body(caps[cap % len(caps)])
    _check_lines(lines, IKE_HDR, IKE_ROW)
    assert all(IKE_ROW_COLS.match(ln) for ln in lines if IKE_ROW.match(ln))


@REFERENCE_TEST
def test_ike_sa_text(up):
    lines = run(up, "show security ike security-associations")[0].splitlines()
    rows = _check_lines(lines, IKE_HDR, IKE_ROW)
    assert rows[0].split()[-1] == "192.0.2.0" and " UP " in rows[0]
    assert IKE_ROW_COLS.match(rows[0])
    # header identical to the real capture's
    real = [ln for ln in body(captures("show_security_ike_security_associations")[0]) if IKE_HDR.match(ln)][0]
    assert lines[0] == real


def test_ike_sa_down_row(up, lab):
    lab.link_state.ike_sas[0].established = False
    rows = [ln for ln in run(up, "show security ike security-associations")[0].splitlines() if IKE_ROW.match(ln)]
    assert " DOWN " in rows[0] and "0000000000000000" in rows[0]


@REFERENCE_TEST
def test_regexes_match_real_ipsec_captures():
    for c in captures("show_security_ipsec_security_associations"):
        lines = body(c)
        assert any(IPSEC_TOTAL.match(ln) for ln in lines)
        _check_lines(lines, IPSEC_HDR, IPSEC_ROW, 2)


def test_ipsec_sa_text(up):
    lines = run(up, "show security ipsec security-associations")[0].splitlines()
    assert IPSEC_TOTAL.match(lines[0]) and lines[0].endswith("Total Ipsec sas: 1")
    rows = _check_lines(lines, IPSEC_HDR, IPSEC_ROW, 2)
    assert rows[0].startswith("  <131073 ESP:aes-gcm-256/None 1a2b3c4d ")
    assert rows[1].startswith("  >131073 ESP:aes-gcm-256/None 5e6f7a8b ")


def test_ipsec_none_established(up, lab):
    lab.link_state.ipsec_sas[0].established = False
    lines = run(up, "show security ipsec security-associations")[0].splitlines()
    assert lines[0] == "  Total active tunnels: 0     Total Ipsec sas: 0"
    assert not [ln for ln in lines if IPSEC_ROW.match(ln)]
    inact = run(up, "show security ipsec inactive-tunnels")[0].splitlines()
    assert inact[0] == "  Total inactive tunnels: 1"


def _xml_paths(el, prefix=""):
    out = set()
    for c in el:
        if not isinstance(c.tag, str):
            continue
        p = prefix + "/" + etree.QName(c).localname
        out.add(p)
        out |= _xml_paths(c, p)
    return out


@REFERENCE_TEST
def test_ipsec_xml_matches_real_capture_structure(up):
    real = etree.fromstring(captures("show_security_ipsec_security_associations_xml")[-1].encode())
    real_info = real.find(".//ipsec-security-associations-information")
    _text, ours = run(up, "show security ipsec security-associations")
    assert etree.QName(ours).localname == "ipsec-security-associations-information"
    assert ours.get("{%s}style" % SH.JUNOS_NS) == real_info.get("{%s}style" % real.nsmap["junos"]) == "brief"
    assert _xml_paths(ours) == _xml_paths(real_info)
    # children order inside one SA is the real one
    real_sa = [etree.QName(c).localname for c in real_info.find(".//ipsec-security-associations")]
    our_sa = [etree.QName(c).localname for c in ours.find(".//ipsec-security-associations")]
    assert our_sa == real_sa
    assert ours.find(".//sa-esp-encryption-algorithm").text == "aes-gcm-256"


def test_display_xml_and_json_pipes(up):
    text, _ = run(up, "show security ike security-associations | display xml")
    root = etree.fromstring(text.encode())
    assert etree.QName(root).localname == "rpc-reply"
    sa = root.find(".//ike-security-associations")
    assert sa.find("ike-sa-remote-address").text == "192.0.2.0"
    assert sa.find("ike-sa-state").text == "UP"
    j = json.loads(run(up, "show security ike security-associations | display json")[0])
    info = j["ike-security-associations-information"][0]
    assert info["attributes"] == {"junos:style": "brief"}
    assert info["ike-security-associations"][0]["ike-sa-state"] == [{"data": "UP"}]


def test_xml_to_json_rules():
    el = etree.fromstring(f'<a xmlns:junos="{SH.JUNOS_NS}"><b junos:style="x">1</b><b>2</b><c/><d><e>t</e></d></a>')
    assert SH.xml_to_json(el) == {
        "a": [{"b": [{"data": "1", "attributes": {"junos:style": "x"}}, {"data": "2"}], "c": [{"data": [None]}], "d": [{"e": [{"data": "t"}]}]}]
    }


@REFERENCE_TEST
def test_regexes_match_real_ldp_captures():
    for c in captures("show_ldp_session"):
        lines = body(c)
        _check_lines(lines, LDP_HDR, LDP_ROW)
    lines = body(captures("show_ldp_session")[1])
    assert all(LDP_ROW_COLS.match(ln) for ln in lines if LDP_ROW.match(ln))
    for c in captures("show_ldp_session_detail")[:2]:
        lines = [ln.rstrip() for ln in c.splitlines()]
        lines = [ln[8:] if ln.startswith("        ") else ln for ln in lines]
        for rx in LDP_DETAIL:
            assert any(rx.match(ln) for ln in lines), rx.pattern
    for c in captures("show_ldp_neighbor"):
        _check_lines(body(c), LDP_NBR_HDR, LDP_NBR_ROW)


def test_ldp_renderers(up):
    lines = run(up, "show ldp session")[0].splitlines()
    rows = _check_lines(lines, LDP_HDR, LDP_ROW)
    assert LDP_ROW_COLS.match(rows[0]) and rows[0].startswith("203.0.113.1 ")
    det = run(up, "show ldp session detail")[0].splitlines()
    for rx in LDP_DETAIL:
        assert any(rx.match(ln) for ln in det), rx.pattern
    nb = run(up, "show ldp neighbor")[0].splitlines()
    rows = _check_lines(nb, LDP_NBR_HDR, LDP_NBR_ROW)
    assert "gr-0/0/0.100" in rows[0] and "203.0.113.1:0" in rows[0]
    _t, x = run(up, "show ldp session")
    s = x.find("ldp-session")
    assert [etree.QName(c).localname for c in s] == [
        "ldp-neighbor-address",
        "ldp-session-state",
        "ldp-connection-state",
        "ldp-remaining-time",
        "ldp-session-adv-mode",
    ]


def test_ldp_session_down_when_no_adjacency(up, lab):
    lab.link_state.adjacencies = []
    assert run(up, "show ldp session")[0] == ""


@REFERENCE_TEST
def test_regexes_match_real_terse_capture():
    lines = [ln.rstrip() for ln in captures("show_interfaces_gr_terse")[0].splitlines() if ln.strip()]
    assert TERSE_HDR.match(lines[0])
    assert TERSE_PHYS.match(lines[1]) and TERSE_UNIT.match(lines[2]) and TERSE_CONT.match(lines[3])


def test_interfaces_terse(up):
    lines = run(up, "show interfaces terse")[0].splitlines()
    assert TERSE_HDR.match(lines[0])
    i = lines.index("gr-0/0/0                up    up")
    assert TERSE_UNIT.match(lines[i + 1]) and lines[i + 1].split()[-1] == "198.51.100.1/31"
    assert TERSE_CONT.match(lines[i + 2]) and lines[i + 2].strip() == "mpls"
    names = [ln.split()[0] for ln in lines[1:] if ln and not ln.startswith(" ")]
    assert names.index("ge-0/0/0") < names.index("ge-0/0/1") < names.index("gr-0/0/0") < names.index("lo0") < names.index("st0")


def test_interfaces_logical_gr_and_st0(up, lab):
    t, x = run(up, "show interfaces gr-0/0/0.100")
    assert "  Logical interface gr-0/0/0.100 (Index " in t
    assert "    Flags: Up Point-To-Point SNMP-Traps 0x4000 IP-Header 198.51.100.128:198.51.100.129:47:df:64:0000000000000000 Encapsulation: GRE-NULL" in t
    assert "    Protocol inet, MTU: 1418" in t and "    Protocol mpls, MTU: 1426, Maximum labels: 3" in t
    assert x.find("logical-interface/name").text == "gr-0/0/0.100"
    assert x.find("logical-interface/address-family[address-family-name='mpls']/mtu").text == "1426"
    lab.link_state.interfaces_up["st0.100"] = False
    t, _ = run(up, "show interfaces st0.100")
    assert "Flags: Down Point-To-Point" in t and "Encapsulation: Secure-Tunnel" in t
    t, _ = run(up, "show interfaces st0.100 terse")
    assert t.splitlines()[1].startswith("st0.100                 up    down inet     198.51.100.129/31")
    with pytest.raises(SH.CmdError):
        run(up, "show interfaces gr-0/0/0.999")
    # physical + logical XML nesting
    _t, x = run(up, "show interfaces gr-0/0/0")
    assert x.find("physical-interface/logical-interface/name").text == "gr-0/0/0.100"


def test_ospf_isis(up):
    t = run(up, "show ospf neighbor")[0].splitlines()
    assert t[0] == "Address          Interface              State           ID               Pri  Dead"
    assert re.match(r"^198\.51\.100\.0 +gr-0/0/0\.100 +Full +203\.0\.113\.1 +128 +\d+$", t[1])
    _t, x = run(up, "show ospf neighbor")
    assert x.find("ospf-neighbor/ospf-neighbor-state").text == "Full"
    t = run(up, "show isis adjacency")[0].splitlines()
    assert re.match(r"^gr-0/0/0\.100 +p1 +2 +Up +\d+$", t[1])


def test_version_and_commit(up):
    t, x = run(up, "show version")
    assert re.search(r"^Hostname: p2$", t, re.M) and re.search(r"^Model: vsrx$", t, re.M)
    assert re.search(r"^Junos: (\S+)$", t, re.M).group(1) == x.find("junos-version").text
    t, _ = run(up, "show system commit")
    assert re.match(r"^0   \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC by admin via netconf$", t.splitlines()[0])
    assert re.match(r"^1   .* by root via cli$", t.splitlines()[1])


def test_ping(up, lab):
    lab.ping_result = lambda size: size <= 1418
    t, x = run(up, "ping 198.51.100.0 size 1390 do-not-fragment count 3")
    assert lab.pings[-1] == ("p2", "198.51.100.0", 1418, True, None, 3)
    lines = t.splitlines()
    assert lines[0] == "PING 198.51.100.0 (198.51.100.0): 1390 data bytes"
    assert lines[1] == "1398 bytes from 198.51.100.0: icmp_seq=0 ttl=64 time=1.100 ms"
    assert "3 packets transmitted, 3 packets received, 0% packet loss" in lines
    assert x.find("probe-results-summary/responses-received").text == "3"
    t, x = run(up, "ping 198.51.100.0 size 1391 do-not-fragment count 2")  # 1419 > gr family inet mtu 1418
    assert t.splitlines()[1] == "ping: sendto: Message too long"
    assert "2 packets transmitted, 0 packets received, 100% packet loss" in t
    assert lab.pings[-1][2] == 1419
    lab.ping_result = False
    t, _ = run(up, "ping 10.2.2.2 count 2 rapid source 10.2.2.1")
    assert t.splitlines()[1] == ".." and lab.pings[-1][4] == "10.2.2.1"


def test_unknown_and_syntax_errors(up):
    with pytest.raises(SH.CmdError) as ei:
        run(up, "show securty ike")
    assert ei.value.token == "securty"
    with pytest.raises(SH.CmdError):
        run(up, "show version | display bogus")


def test_ike_detail_srx_nesting_and_json(up):
    t, x = run(up, "show security ike security-associations detail")
    assert t.splitlines()[0] == "IKE peer 192.0.2.0, Index %s, Gateway Name: MPLSSEC-CORE1" % t.split("Index ")[1].split(",")[0]
    assert "  Role: Initiator, State: UP" in t and "   Diffie-Hellman group  : DH-group-20" in t
    blk = x.find("ike-security-associations-block")
    assert blk.find("ike-gw-name").text == "MPLSSEC-CORE1"
    alg = blk.find("ike-security-associations/ike-sa-algorithms")
    assert alg.find("ike-sa-encryption-algorithm").text == "aes256-gcm"
    assert alg.find("ike-sa-prf-algorithm").text == "hmac-sha384"
    assert alg.find("ike-sa-dhgroup").text == "DH-group-20"
    j = json.loads(run(up, "show security ike security-associations detail | display json")[0])
    sa = j["ike-security-associations-information"][0]["ike-security-associations-block"][0]["ike-security-associations"][0]
    assert sa["ike-sa-state"] == [{"data": "UP"}] and sa["ike-sa-local-address"] == [{"data": "192.0.2.1"}]


def test_ipsec_statistics(up, lab):
    lab.link_state.ipsec_sas[0].pkts_encaps = 7
    lab.link_state.ipsec_sas[0].pkts_decaps = 5
    t, x = run(up, "show security ipsec statistics")
    assert re.search(r"^  Encrypted packets:\s+7$", t, re.M) and re.search(r"^  Decrypted packets:\s+5$", t, re.M)
    assert x.find("esp-statistics/esp-encrypted-packets").text == "7"
    assert etree.QName(x).localname == "usp-ipsec-total-statistics-information"


IF_RX = {
    "Physical interface:": re.compile(r"^Physical interface: \S+, (Enabled|Disabled), Physical link is (Up|Down)$"),
    "Logical interface": re.compile(r"^Logical interface \S+ \(Index \d+\) \(SNMP ifIndex \d+\)$"),
    "Flags:": re.compile(r"^Flags: (.*Encapsulation: \S+|[\w-]+(, [\w-]+)*)$"),
    "Input packets": re.compile(r"^Input packets : \d+$"),
    "Output packets": re.compile(r"^Output packets: \d+$"),
    "Security:": re.compile(r"^Security: Zone: \S+$"),
    "Protocol": re.compile(r"^Protocol (inet|inet6|mpls), MTU: (\d+|Unlimited)(, Maximum labels: \d+)?$"),
    "Addresses,": re.compile(r"^Addresses, Flags:( (Is-Preferred|Is-Primary|Is-Default|Primary|Preferred))+$"),
    "Destination:": re.compile(r"^Destination: [\w.:]+(/\d+)?, Local: [\w.:]+(, Broadcast: [\d.]+)?$"),
}


def _if_lines_check(text):
    seen = set()
    for ln in text.splitlines():
        ln = ln.strip()
        for head, rx in IF_RX.items():
            if ln.startswith(head):
                assert rx.match(ln), ln
                seen.add(head)
    return seen


@REFERENCE_TEST
def test_interface_regexes_match_real_capture():
    seen = _if_lines_check(captures("show_interfaces_statistics")[0])
    assert seen == set(IF_RX)


def test_interfaces_detail_shapes(up):
    text = run(up, "show interfaces ge-0/0/1")[0] + run(up, "show interfaces gr-0/0/0")[0] + run(up, "show interfaces st0")[0]
    seen = _if_lines_check(text)
    assert seen == set(IF_RX)
    assert "        Destination: 10.2.2/30, Local: 10.2.2.1, Broadcast: 10.2.2.3" in text
    assert "        Destination: 198.51.100/31, Local: 198.51.100.1" in text


def test_ping_uses_physics_verdict(up, lab):
    class PR(list):
        def __init__(self, r, reason, wire=None):
            super().__init__(r)
            self.reason, self.wire = reason, wire

    lab.ping_result = None
    lab.ping = lambda *a, **k: PR([False] * k.get("count", 5), "mtu")
    t, _ = run(up, "ping 10.9.9.9 size 1472 do-not-fragment count 2")
    assert t.splitlines()[1:3] == ["ping: sendto: Message too long"] * 2
    lab.ping = lambda *a, **k: PR([False] * k.get("count", 5), "mtu", wire=1500)
    t, _ = run(up, "ping 10.9.9.9 size 1472 do-not-fragment count 2 rapid")
    assert t.splitlines()[1] == ".."
    lab.ping = lambda *a, **k: PR([False] * k.get("count", 5), "no-route")
    t, _ = run(up, "ping 10.9.9.9 count 1")
    assert t.splitlines()[1] == "ping: sendto: No route to host"
    lab.ping = lambda *a, **k: PR([True] * k.get("count", 5), "ok")
    t, _ = run(up, "ping 10.9.9.9 count 5 rapid")
    assert t.splitlines()[1] == "!!!!!" and "5 packets transmitted, 5 packets received, 0% packet loss" in t


def test_show_configuration_compare_rollback(up):
    t, _ = run(up, "show configuration | compare rollback 1")
    assert t.startswith("[edit interfaces]\n+   ge-0/0/0 {") or "[edit interfaces]" in t
    assert "+   gr-0/0/0 {" in t and "+   st0 {" in t
    with pytest.raises(SH.CmdError):
        run(up, "show configuration | compare rollback 9")

"""Show renderers: third-party parsers (ntc-templates) and real-capture line shapes, up and down."""
import re

import pytest
from ios_helpers import COLLECTION_CONFIG, REF_OUTPUT, push, run_cli
from mplssec_reference import REFERENCE_TEST
from ntc_templates.parse import parse_output

from mplssec_lab import model


def _out(dev, cmd):
    """Output of one command (without the echo line and the trailing prompt)."""
    t = run_cli(dev, [cmd])
    body = t.split("p1#" + cmd + "\n", 1)[1]
    assert body.endswith("p1#")
    return body[: -len("p1#")]


@pytest.fixture
def up(dev, lab):
    push(dev, COLLECTION_CONFIG.splitlines())
    t = lab.t
    lab.states["p1"] = model.LinkState(
        interfaces_up={"Tunnel100": True},
        ike_sas=[model.SaState(name="MPLSSEC-CORE1", local="192.0.2.0", peer="192.0.2.1", status="READY",
                               established=True, created=t - 100, lifetime=86400,
                               proposal={"encryption": "aes-gcm-256", "integrity": "none", "prf": "sha384",
                                         "dh_group": 20})],
        ipsec_sas=[model.SaState(name="MPLSSEC-CORE1", local="192.0.2.0", peer="192.0.2.1", status="UP",
                                 established=True, proposal={"encryption": "aes-gcm-256", "integrity": "none"},
                                 mode="transport", interface="Tunnel100", spi_in=0x1234ABCD, spi_out=0xABCDEF01,
                                 created=t - 100, lifetime=3600, pkts_encaps=10, pkts_decaps=12)],
        adjacencies=[model.Adjacency("ospf", "Tunnel100", "198.51.100.1", "203.0.113.2", "FULL", t - 50),
                     model.Adjacency("ospf", "GigabitEthernet1", "10.1.1.2", "203.0.113.9", "FULL", t - 50),
                     model.Adjacency("ldp", "Tunnel100", "203.0.113.2", "203.0.113.2", "Operational", t - 40)])
    return dev


@pytest.fixture
def down(dev, lab):
    push(dev, COLLECTION_CONFIG.splitlines())
    lab.states["p1"] = model.LinkState(interfaces_up={"Tunnel100": False})
    return dev


def _real_rows(command):
    folder = REF_OUTPUT / {"show interfaces": "show_interfaces_tunnel"}.get(command, command.replace(" ", "_"))
    rows = []
    for f in sorted(folder.glob("*.txt")):
        try:
            rows += parse_output(platform="cisco_ios", command=command, data=f.read_text())
        except Exception:
            continue
    assert rows, f"no real capture of {command!r} parses with ntc-templates"
    return rows


def _shape(row):
    return {k: type(v).__name__ for k, v in row.items()}


NTC = ["show crypto ipsec sa detail", "show crypto session detail", "show interfaces", "show ip interface brief",
       "show mpls interfaces"]


@REFERENCE_TEST
@pytest.mark.parametrize("command", NTC)
@pytest.mark.parametrize("state", ["up", "down"])
def test_ntc_templates_parse_like_real_captures(command, state, request):
    dev = request.getfixturevalue(state)
    real = _real_rows(command)
    ours = parse_output(platform="cisco_ios", command=command, data=_out(dev, command))
    if command == "show crypto ipsec sa detail" and state == "down":
        # no SA: IOS prints the flow with empty "esp sas" sections; ntc yields no SA rows for it (05.txt too)
        assert ours == []
        return
    assert ours, f"ntc-templates parsed nothing from our {command!r}"
    assert _shape(ours[0]) == _shape(real[0])


def test_ntc_values_up(up):
    sa = parse_output(platform="cisco_ios", command="show crypto ipsec sa detail",
                      data=_out(up, "show crypto ipsec sa detail"))
    assert {r["sa_orientation"] for r in sa} == {"inbound", "outbound"}
    assert sa[0]["interface"] == "Tunnel100" and sa[0]["sa_status"] == "ACTIVE(ACTIVE)"
    assert sa[0]["sa_in_use_settings"] == "Transport"
    cs = parse_output(platform="cisco_ios", command="show crypto session detail",
                      data=_out(up, "show crypto session detail"))
    assert cs[0]["session_status"] == "UP-ACTIVE" and cs[0]["active_sa"] == "2"
    br = {r["interface"]: r for r in parse_output(platform="cisco_ios", command="show ip interface brief",
                                                  data=_out(up, "show ip interface brief"))}
    assert br["Tunnel100"]["ip_address"] == "198.51.100.0" and br["Tunnel100"]["proto"] == "up"
    assert br["GigabitEthernet3"]["status"] == "administratively down"
    mp = {r["interface"]: r for r in parse_output(platform="cisco_ios", command="show mpls interfaces",
                                                  data=_out(up, "show mpls interfaces"))}
    assert set(mp) == {"GigabitEthernet1", "Tunnel100"} and mp["Tunnel100"]["operational"] == "Yes"


def test_ntc_values_down(down):
    cs = parse_output(platform="cisco_ios", command="show crypto session detail",
                      data=_out(down, "show crypto session detail"))
    assert cs[0]["session_status"] == "DOWN-NEGOTIATING" and cs[0]["active_sa"] == "0"
    mp = {r["interface"]: r for r in parse_output(platform="cisco_ios", command="show mpls interfaces",
                                                  data=_out(down, "show mpls interfaces"))}
    assert mp["Tunnel100"]["operational"] == "No"


# ---- commands ntc-templates does not cover: line shapes derived from the real captures

IKEV2_ROW = re.compile(r"^(\d+)\s+(\S+)/(500|4500)\s+(\S+)/(500|4500)\s+(\S+)/(\S+)\s+(READY|IN-NEG|DELETE)\s*$")
IKEV2_ENCR = re.compile(r"^\s+Encr: (AES-CBC|AES-GCM), keysize: (\d+), PRF: (SHA\d+), Hash: (SHA\d+|None), "
                        r"DH Grp:(\d+), Auth sign: (PSK|RSA|ECDSA), Auth verify: (PSK|RSA|ECDSA)")
IKEV2_LIFE = re.compile(r"^\s+Life/Active Time: (\d+)/(\d+) sec\s*$")
IKEV2_SPI = re.compile(r"^\s+Local spi: ([0-9A-F]{16})\s+Remote spi: ([0-9A-F]{16})\s*$")
IKEV2_HDR = re.compile(r"^\s*IPv(4|6) Crypto IKEv2\s+SA\s*$")


@REFERENCE_TEST
def test_real_ikev2_captures_match_our_regexes():
    # the regexes are derived from the real captures: prove they match them
    txt = (REF_OUTPUT / "show_crypto_ikev2_sa" / "01.txt").read_text()
    lines = txt.split("\n")
    assert any(IKEV2_ROW.match(ln) for ln in lines)
    assert any(IKEV2_ENCR.match(ln) for ln in lines)
    assert any(IKEV2_LIFE.match(ln) for ln in lines)
    d = (REF_OUTPUT / "show_crypto_ikev2_sa_detailed" / "02.txt").read_text().split("\n")
    assert any(IKEV2_SPI.match(ln) for ln in d)


@REFERENCE_TEST
def test_show_crypto_ikev2_sa_up(up):
    out = _out(up, "show crypto ikev2 sa")
    lines = out.split("\n")
    row = [IKEV2_ROW.match(ln) for ln in lines if IKEV2_ROW.match(ln)]
    assert len(row) == 1 and row[0].group(2) == "192.0.2.0" and row[0].group(8) == "READY"
    enc = [IKEV2_ENCR.match(ln) for ln in lines if IKEV2_ENCR.match(ln)][0]
    assert enc.groups() == ("AES-GCM", "256", "SHA384", "None", "20", "PSK", "PSK")
    assert [IKEV2_LIFE.match(ln).groups() for ln in lines if IKEV2_LIFE.match(ln)] == [("86400", "100")]
    assert sum(bool(IKEV2_HDR.match(ln)) for ln in lines) == 2
    # the real header row, column for column
    real_hdr = (REF_OUTPUT / "show_crypto_ikev2_sa" / "01.txt").read_text().split("\n")[2]
    assert real_hdr in lines
    detailed = _out(up, "show crypto ikev2 sa detailed")
    assert any(IKEV2_SPI.match(ln) for ln in detailed.split("\n"))
    assert "      DPD configured for 10 seconds, retry 3" in detailed.split("\n")


def test_show_crypto_ikev2_sa_down(down):
    out = _out(down, "show crypto ikev2 sa")
    assert not any(IKEV2_ROW.match(ln) for ln in out.split("\n"))
    assert sum(bool(IKEV2_HDR.match(ln)) for ln in out.split("\n")) == 2


SESS = {
    "iface": re.compile(r"^Interface: (Tunnel\d+)\s*$"),
    "status": re.compile(r"^Session status: (UP-ACTIVE|DOWN-NEGOTIATING|DOWN|UP-IDLE)\s*$"),
    "peer": re.compile(r"^Peer: (\S+) port (\d+)\s*$"),
    "ike": re.compile(r"^  IKEv(1|2) SA: local (\S+)/(\d+) remote (\S+)/(\d+) (Active|Inactive)\s*$"),
    "flow": re.compile(r"^  IPSEC FLOW: permit (47|ip) (host \S+|\S+/\S+) (host \S+|\S+/\S+)\s*$"),
    "sas": re.compile(r"^        Active SAs: (\d+), origin: crypto map\s*$"),
}


@REFERENCE_TEST
def test_real_crypto_session_capture_shapes():
    lines = (REF_OUTPUT / "show_crypto_session" / "03.txt").read_text().split("\n")
    for name, rx in SESS.items():
        assert any(rx.match(ln) for ln in lines), name


@pytest.mark.parametrize("state,status,active,ike", [("up", "UP-ACTIVE", "2", "Active"),
                                                     ("down", "DOWN-NEGOTIATING", "0", "Inactive")])
def test_show_crypto_session(state, status, active, ike, request):
    dev = request.getfixturevalue(state)
    lines = _out(dev, "show crypto session").split("\n")
    got = {k: [rx.match(ln) for ln in lines if rx.match(ln)] for k, rx in SESS.items()}
    assert all(got.values()), got
    assert got["status"][0].group(1) == status
    assert got["sas"][0].group(1) == active
    assert got["ike"][0].group(6) == ike and got["ike"][0].group(1) == "2"
    assert got["flow"][0].groups() == ("47", "host 192.0.2.0", "host 192.0.2.1")


LDP = {
    "peer": re.compile(r"^\s*Peer LDP Ident: (\S+):0; Local LDP Ident (\S+):0\s*$"),
    "tcp": re.compile(r"^\s*TCP connection: (\S+)\.(\d+) - (\S+)\.(\d+)\s*$"),
    "state": re.compile(r"^\s*State: Oper; Msgs sent/rcvd: (\d+)/(\d+); Downstream\s*$"),
    "uptime": re.compile(r"^\s*Up time: (\S+)\s*$"),
    "src": re.compile(r"^\s*(\S+), Src IP addr: (\S+)\s*$"),
}


@REFERENCE_TEST
def test_real_ldp_capture_shapes():
    lines = (REF_OUTPUT / "show_mpls_ldp_neighbor" / "01.txt").read_text().split("\n")
    for name, rx in LDP.items():
        assert any(rx.match(ln) for ln in lines), name


def test_show_mpls_ldp_neighbor(up, lab):
    lines = _out(up, "show mpls ldp neighbor").split("\n")
    got = {k: [rx.match(ln) for ln in lines if rx.match(ln)] for k, rx in LDP.items()}
    assert all(got.values()), got
    assert got["peer"][0].groups() == ("203.0.113.2", "203.0.113.1")
    assert got["src"][0].groups() == ("Tunnel100", "198.51.100.1")
    lab.states["p1"] = model.LinkState()
    assert _out(up, "show mpls ldp neighbor").strip() == ""


def test_show_ip_ospf_neighbor(up):
    out = _out(up, "show ip ospf neighbor").split("\n")
    assert out[1] == "Neighbor ID     Pri   State           Dead Time   Address         Interface"
    row = [ln for ln in out if ln.endswith("Tunnel100")][0]
    assert re.match(r"^203\.0\.113\.2\s+0\s+FULL/  -\s+\d\d:\d\d:\d\d\s+198\.51\.100\.1\s+Tunnel100$", row)
    gi = [ln for ln in out if ln.endswith("GigabitEthernet1")][0]
    assert "FULL/DR" in gi


def test_show_version_satisfies_cisco_ios_get_device_info(dev):
    out = _out(dev, "show version")
    assert re.search(r"Version (\S+)", out).group(1) == "17.09.04a"
    assert re.search(r"^[Cc]isco (.+) \(revision", out, re.M)
    assert re.search(r"^(.+) uptime", out, re.M).group(1) == "p1"
    assert re.search(r'image file is "(.+)"', out).group(1) == "bootflash:packages.conf"


def test_no_output_line_trips_network_cli(up):
    cmds = ["show running-config", "show crypto ikev2 sa detailed", "show crypto ipsec sa detail",
            "show crypto session detail", "show interfaces", "show mpls ldp neighbor detail", "show version",
            "show mpls interfaces detail", "show ip ospf neighbor", "show archive", "dir flash:"]
    for c in cmds:
        out = _out(up, c)
        assert "p1#" not in out and " not found" not in out, c
        assert "% Invalid" not in out, c


def test_ping(up, lab):
    out = _out(up, "ping 198.51.100.1 source Tunnel100 size 1418 df-bit repeat 3 timeout 1")
    assert "Sending 3, 1418-byte ICMP Echos to 198.51.100.1, timeout is 1 seconds:" in out
    assert "Packet sent with a source address of 198.51.100.0 " in out
    assert "Packet sent with the DF bit set" in out
    assert "!!!\nSuccess rate is 100 percent (3/3), round-trip min/avg/max" in out
    assert lab.pings[-1] == ("p1", "198.51.100.1", 1418, True, "198.51.100.0", 3)
    out = _out(up, "ping 198.51.100.1 size 1419 df-bit")   # above the tunnel's ip mtu: IOS refuses locally
    assert "MMMMM\nSuccess rate is 0 percent (0/5)" in out
    lab.ping_result = lambda size, df: [False, True, True, True, True]
    out = _out(up, "ping 203.0.113.2 source Loopback0 size 1400 df-bit")
    assert ".!!!!\nSuccess rate is 80 percent (4/5), round-trip min/avg/max" in out
    out = _out(up, "ping 192.0.2.1 size 1600 df-bit")      # bigger than the local Gi2 MTU: M
    assert "MMMMM" in out


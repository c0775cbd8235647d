# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The verify parsers against EVERY relevant real capture in the reference data's device-output/.

The captures are read in place (the repository never copies them): tests/mplssec_reference.py finds them
(``../shared/reference`` beside the checkout, as in CI, or ``$MPLSSEC_REFERENCE``); the tests marked
``REFERENCE_TEST`` skip with that module's reason without them, and fail under CI=true. Where the capture's
source published a parsed result
(``NN.expected.json`` from genieparser, ``NN.expected.yml`` from ntc-templates), the fields the
checks rely on are compared with it; otherwise the values are asserted literally.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
import textfsm
import yaml
from mplssec_reference import REFERENCE, REFERENCE_TEST, params

ROOT = Path(__file__).resolve().parents[3]
try:
    from ansible_collections.mplssec.p2p.plugins.plugin_utils import verify as V
except ImportError:  # collection not linked into a collections path: import from the checkout
    sys.path.insert(0, str(ROOT / ".cache" / "collections"))
    from ansible_collections.mplssec.p2p.plugins.plugin_utils import verify as V

REF = REFERENCE / "device-output"
TEMPLATES = ROOT / "plugins" / "textfsm"


def captures(platform: str, *commands: str) -> list[Path]:
    files = []
    for command in commands:
        files.extend(sorted((REF / platform / command).glob("*.txt")))
    return files


def capture_id(path) -> str:
    return "%s/%s" % (path.parent.name, path.stem)


def textfsm_rows(template: str, path: Path) -> list[dict]:
    with open(TEMPLATES / template, encoding="utf-8") as handle:
        return textfsm.TextFSM(handle).ParseTextToDicts(path.read_text())


def expected(path: Path):
    js, yml = path.with_suffix(".expected.json"), path.with_suffix(".expected.yml")
    if js.exists():
        return json.loads(js.read_text())
    if yml.exists():
        return yaml.safe_load(yml.read_text())
    return None


@REFERENCE_TEST
def test_reference_captures_are_present():
    """The canary: the reference data is where tests/mplssec_reference.py says (skipped/failed with its reason)."""
    assert (REF / "INDEX.md").is_file(), "real captures expected at %s" % REF


# Number of real captures per command the verify parsers are tested against (INDEX.md counts).
COVERAGE = {
    ("ios", "show_crypto_ikev2_sa"): 3,
    ("ios", "show_crypto_ikev2_sa_detailed"): 7,
    ("ios", "show_crypto_ipsec_sa"): 1,
    ("ios", "show_crypto_ipsec_sa_detail"): 7,
    ("ios", "show_mpls_ldp_neighbor"): 2,
    ("ios", "show_mpls_ldp_neighbor_detail"): 2,
    ("ios", "show_mpls_interfaces"): 3,
    ("ios", "show_crypto_session"): 4,
    ("ios", "show_crypto_session_detail"): 5,
    ("junos", "show_security_ike_security_associations"): 4,
    ("junos", "show_security_ipsec_security_associations"): 4,
    ("junos", "show_security_ipsec_security_associations_xml"): 2,
    ("junos", "show_ldp_session"): 2,
    ("junos", "show_ldp_session_detail"): 3,
    ("junos", "show_ldp_neighbor"): 1,
}


@REFERENCE_TEST
@pytest.mark.parametrize("platform,command", sorted(COVERAGE))
def test_every_capture_of_a_relevant_command_is_tested(platform, command):
    assert len(captures(platform, command)) == COVERAGE[(platform, command)]


# ---------------------------------------------------------------------------------------------
# IOS show crypto ikev2 sa [detailed]
# ---------------------------------------------------------------------------------------------

IKEV2 = captures("ios", "show_crypto_ikev2_sa", "show_crypto_ikev2_sa_detailed")


def _expected_ikev2(exp: dict) -> dict:
    """genie expected -> {tunnel_id: (remote, status, encryption, keysize, dh)}."""
    out = {}
    tables = [exp["tunnel_id"]] if "tunnel_id" in exp else [exp.get("ipv4", {}), exp.get("ipv6", {})]
    for table in tables:
        for tid, sa in table.items():
            remote = sa.get("remote_ip") or sa["remote"].split("/")[0]
            out[str(tid)] = (
                remote,
                sa["status"].upper(),
                sa["encryption"].upper(),
                int(sa["keysize"]),
                int(sa.get("dh_group", sa.get("dh_grp"))),
            )
    return out


@REFERENCE_TEST
@pytest.mark.parametrize("path", params(IKEV2), ids=capture_id)
def test_ios_ikev2_sa_template_matches_expected(path):
    rows = textfsm_rows("ios_show_crypto_ikev2_sa.textfsm", path)
    want = _expected_ikev2(expected(path))
    got = {
        r["TUNNEL_ID"]: (r["REMOTE"], r["STATUS"], r["ENCRYPTION"].upper(), int(r["KEYSIZE"]), int(r["DH_GROUP"]))
        for r in rows
    }
    assert got == want
    for r in rows:  # fields the ike_sa check relies on are always filled
        assert r["LOCAL"] and r["REMOTE_PORT"] and r["PRF"] and r["HASH"]


@REFERENCE_TEST
@pytest.mark.parametrize("path", params(IKEV2), ids=capture_id)
def test_ios_ikev2_sa_normalised(path):
    sas = V.ike_sas("ios", path.read_text())
    assert sas and all(s["established"] and s["state"] == "READY" for s in sas)
    assert all(re.match(r"^aes-(cbc|gcm)-(128|256)$", s["encryption"]) for s in sas)
    assert all(isinstance(s["dh_group"], int) for s in sas)


@REFERENCE_TEST
def test_ios_ikev2_gcm_sa_values():
    sas = V.ike_sas("ios", (REF / "ios/show_crypto_ikev2_sa_detailed/02.txt").read_text())
    gcm = [s for s in sas if s["remote"] == "10.1.1.1"][0]
    assert gcm == {
        "remote": "10.1.1.1", "local": "10.1.1.2", "state": "READY", "established": True,
        "encryption": "aes-gcm-256", "integrity": "none", "prf": "sha384", "dh_group": 20,
    }
    cbc = V.ike_sas("ios", (REF / "ios/show_crypto_ikev2_sa/01.txt").read_text())[0]
    assert (cbc["encryption"], cbc["integrity"], cbc["prf"], cbc["dh_group"]) == ("aes-cbc-128", "sha1", "sha1", 16)


# ---------------------------------------------------------------------------------------------
# IOS show crypto ipsec sa [detail]
# ---------------------------------------------------------------------------------------------

IPSEC = captures("ios", "show_crypto_ipsec_sa", "show_crypto_ipsec_sa_detail")


def _expected_ipsec(exp) -> set:
    """-> {(interface, peer, encaps, decaps, inbound spi count)}."""
    out = set()
    if "parsed_sample" in exp:  # ntc-templates: one row per SA, counters repeated
        by_flow: dict = {}
        for row in exp["parsed_sample"]:
            by_flow.setdefault((row["interface"], row["current_peer"], int(row["pkts_encaps"]), int(row["pkts_decaps"])), 0)
        return {k + (None,) for k in by_flow}
    for iface, data in exp["interface"].items():
        for ident in data["ident"].values():
            spis = (ident.get("inbound_esp_sas") or {}).get("spi") or {}
            out.add((iface, ident["peer_ip"], int(ident["pkts_encaps"]), int(ident["pkts_decaps"]), len(spis)))
    return out


@REFERENCE_TEST
@pytest.mark.parametrize("path", params(IPSEC), ids=capture_id)
def test_ios_ipsec_sa_template_matches_expected(path):
    rows = textfsm_rows("ios_show_crypto_ipsec_sa.textfsm", path)
    want = _expected_ipsec(expected(path))
    with_spis = {(r["INTERFACE"], r["PEER"], int(r["ENCAPS"]), int(r["DECAPS"]), len(r["INBOUND_SPI"])) for r in rows}
    if any(w[4] is None for w in want):
        assert {g[:4] for g in with_spis} == {w[:4] for w in want}
    else:
        assert with_spis == want
    for r in rows:
        assert len(r["INBOUND_SPI"]) == len(r["INBOUND_STATUS"]) == len(r["INBOUND_TRANSFORM"])
        assert len(r["OUTBOUND_SPI"]) == len(r["OUTBOUND_STATUS"]) == len(r["OUTBOUND_TRANSFORM"])


@REFERENCE_TEST
def test_ios_ipsec_sa_values():
    sas = V.ipsec_sas("ios", (REF / "ios/show_crypto_ipsec_sa_detail/06.txt").read_text())
    assert sas[0] == {
        "peer": "22.51.51.123", "interface": "Tunnel1", "inbound": 1, "outbound": 1,
        "transforms": ["aes-cbc-256/sha256"], "modes": ["transport"], "encaps": 410, "decaps": 349,
        "tunnel_index": None,
    }
    gcm = V.ipsec_sas("ios", (REF / "ios/show_crypto_ipsec_sa_detail/04.txt").read_text())[0]
    assert (gcm["transforms"], gcm["modes"]) == (["aes-gcm-128/none"], ["tunnel"])
    rekey = V.ipsec_sas("ios", (REF / "ios/show_crypto_ipsec_sa_detail/02.txt").read_text())[1]
    assert (rekey["inbound"], rekey["outbound"]) == (2, 2)  # rekey overlap: two SPIs per direction
    assert rekey["transforms"] == ["aes-cbc-256/md5", "aes-cbc-256/sha1"]
    assert V.ipsec_counters("ios", (REF / "ios/show_crypto_ipsec_sa/01.txt").read_text(), "1.1.1.1") == (4, 4)


@REFERENCE_TEST
def test_ios_ipsec_sa_down_capture_has_no_active_sa():
    down = V.ipsec_sas("ios", (REF / "ios/show_crypto_ipsec_sa_detail/05.txt").read_text())
    assert down == [{
        "peer": "17.0.0.1", "interface": "GigabitEthernet0/0/0", "inbound": 0, "outbound": 0,
        "transforms": [], "modes": [], "encaps": 0, "decaps": 0, "tunnel_index": None,
    }]


# ---------------------------------------------------------------------------------------------
# IOS show mpls ldp neighbor [detail]
# ---------------------------------------------------------------------------------------------

LDP = captures("ios", "show_mpls_ldp_neighbor", "show_mpls_ldp_neighbor_detail")


def _expected_ldp(exp) -> set:
    out = set()
    for vrf in exp["vrf"].values():
        for peer, data in vrf["peers"].items():
            for ls in data["label_space_id"].values():
                ifaces = tuple(sorted(((ls.get("ldp_discovery_sources") or {}).get("interface") or {}).keys()))
                out.add((peer, ifaces))
    return out


@REFERENCE_TEST
@pytest.mark.parametrize("path", params(LDP), ids=capture_id)
def test_ios_ldp_neighbor_template_matches_expected(path):
    rows = textfsm_rows("ios_show_mpls_ldp_neighbor.textfsm", path)
    assert {(r["PEER_LDP_ID"], tuple(sorted(r["DISCOVERY_INTERFACES"]))) for r in rows} == _expected_ldp(expected(path))
    assert all(r["STATE"] == "Oper" for r in rows)


@REFERENCE_TEST
def test_ios_ldp_neighbor_values():
    peers = V.ldp_neighbors("ios", (REF / "ios/show_mpls_ldp_neighbor/01.txt").read_text())
    assert peers[0] == {"peer_id": "10.169.197.252", "state": "Oper", "interfaces": ["GigabitEthernet0/0/0"],
                        "address": "10.169.197.252"}
    tabbed = V.ldp_neighbors("ios", (REF / "ios/show_mpls_ldp_neighbor_detail/02.txt").read_text())
    assert tabbed[0]["interfaces"] == ["Port-channel20"]  # the targeted hello is not an interface


# ---------------------------------------------------------------------------------------------
# IOS show mpls interfaces (incl. the echoed-prompt captures ntc-templates 9.3 fails on)
# ---------------------------------------------------------------------------------------------

MPLS = captures("ios", "show_mpls_interfaces")


def _expected_mpls(exp) -> set:
    if "parsed_sample" in exp:
        return {(r["interface"], r["operational"]) for r in exp["parsed_sample"]}
    return {(name, d["operational"].capitalize()) for vrf in exp["vrf"].values() for name, d in vrf["interfaces"].items()}


@REFERENCE_TEST
@pytest.mark.parametrize("path", params(MPLS), ids=capture_id)
def test_ios_mpls_interfaces_template_matches_expected(path):
    rows = textfsm_rows("ios_show_mpls_interfaces.textfsm", path)
    assert {(r["INTERFACE"], r["OPERATIONAL"]) for r in rows} == _expected_mpls(expected(path))


@REFERENCE_TEST
def test_ios_mpls_interfaces_echoed_prompt():
    rows = V.mpls_interfaces("ios", (REF / "ios/show_mpls_interfaces/02.txt").read_text())
    assert rows == [{"interface": "GigabitEthernet6", "detail": "IP Yes (ldp), operational Yes"}]


# ---------------------------------------------------------------------------------------------
# IOS show crypto session [detail] (diagnostic template, no check depends on it)
# ---------------------------------------------------------------------------------------------

SESSION = captures("ios", "show_crypto_session", "show_crypto_session_detail")


def _expected_sessions(exp) -> set:
    if "parsed_sample" in exp:
        return {(r["interface"], r["session_status"], r["peer"]) for r in exp["parsed_sample"]}
    return {(iface, d["session_status"], peer) for iface, d in exp["interface"].items() for peer in d["peer"]}


@REFERENCE_TEST
@pytest.mark.parametrize("path", params(SESSION), ids=capture_id)
def test_ios_crypto_session_template_matches_expected(path):
    rows = V.parse_text("ios", "crypto_session", path.read_text())
    assert {(r["interface"], r["session_status"], r["peer"]) for r in rows} == _expected_sessions(expected(path))
    for r in rows:
        assert len(r["ike_version"]) == len(r["ike_local"]) == len(r["ike_remote"]) == len(r["ike_status"]) >= 1
        assert len(r["flows"]) == len(r["active_sas"]) >= 1
    exp = expected(path)
    if "interface" in exp:  # genie: IKE SA states and active SAs per flow
        for r in rows:
            port = exp["interface"][r["interface"]]["peer"][r["peer"]]["port"][r["peer_port"]]
            assert sorted(r["ike_status"]) == sorted(sa["sa_status"] for sa in port["ike_sa"].values())
            assert sorted(int(a) for a in r["active_sas"]) == sorted(f["active_sas"] for f in port["ipsec_flow"].values())


@REFERENCE_TEST
def test_ios_crypto_session_down_and_wrapped():
    rows = V.parse_text("ios", "crypto_session", (REF / "ios/show_crypto_session_detail/01.txt").read_text())
    assert [(r["session_status"], r["ike_status"], r["active_sas"]) for r in rows] == [
        ("DOWN-NEGOTIATING", ["Inactive", "Inactive"], ["0"]),
        ("UP-ACTIVE", ["Active"], ["2"]),
        ("DOWN-NEGOTIATING", ["Inactive", "Inactive"], ["0"]),
    ]
    wrapped = V.parse_text("ios", "crypto_session", (REF / "ios/show_crypto_session/04.txt").read_text())[0]
    assert (wrapped["ike_local"], wrapped["ike_remote"], wrapped["ike_status"]) == (
        ["2001:DB8:ACAD:1::1"], ["2001:DB8:ACAD:1::2"], ["Active"])


# ---------------------------------------------------------------------------------------------
# Junos: text captures (TextFSM fallback), XML captures (converted to the | display json shape),
# genie expected JSON (same element names as Junos JSON)
# ---------------------------------------------------------------------------------------------

JUNOS_IKE = captures("junos", "show_security_ike_security_associations")
JUNOS_IKE_STATE = {"01": ("13.68.203.192", "UP"), "02": ("13.68.202.166", "UP"),
                   "03": ("128.168.104.229", "UP"), "04": ("128.168.104.229", "DOWN")}


@REFERENCE_TEST
@pytest.mark.parametrize("path", params(JUNOS_IKE), ids=capture_id)
def test_junos_ike_sa_text(path):
    sas = V.ike_sas("junos", path.read_text())
    remote, state = JUNOS_IKE_STATE[path.stem]
    assert [(s["remote"], s["state"], s["established"]) for s in sas] == [(remote, state, state == "UP")]


JUNOS_IPSEC = captures("junos", "show_security_ipsec_security_associations")
JUNOS_IPSEC_SA = {"01": ("13.68.203.192", "aes-cbc-256/sha1"), "02": ("13.68.202.166", "aes-cbc-256/sha1"),
                  "03": ("128.168.104.229", "aes-gcm-128/none"), "04": ("40.xx.xx.xx", "aes-cbc-256/sha256")}


@REFERENCE_TEST
@pytest.mark.parametrize("path", params(JUNOS_IPSEC), ids=capture_id)
def test_junos_ipsec_sa_text(path):
    sas = V.ipsec_sas("junos", path.read_text())
    peer, transform = JUNOS_IPSEC_SA[path.stem]
    assert [(s["peer"], s["inbound"], s["outbound"], s["transforms"], s["tunnel_index"]) for s in sas] == [
        (peer, 1, 1, [transform], "131073")]


JUNOS_IPSEC_XML = captures("junos", "show_security_ipsec_security_associations_xml")


@REFERENCE_TEST
@pytest.mark.parametrize("path", params(JUNOS_IPSEC_XML), ids=capture_id)
def test_junos_ipsec_sa_xml_as_display_json(path):
    as_json = V.junos_xml_to_json(path.read_text())  # the raw | display json shape ({"data": ...} leaves)
    assert "rpc-reply" in as_json
    sas = V.ipsec_sas("junos", as_json)
    by_peer = {s["peer"]: s for s in sas}
    assert by_peer["1.1.1.1"]["inbound"] == 2 and by_peer["1.1.1.1"]["outbound"] == 2  # rekey overlap
    assert by_peer["1.1.1.1"]["transforms"] == ["3des/sha256"]
    assert all(s["inbound"] >= 1 and s["outbound"] >= 1 for s in sas)
    # the same data as a JSON string (what junos_command returns over network_cli)
    assert V.ipsec_sas("junos", json.dumps(as_json)) == sas


JUNOS_LDP_SESSION = captures("junos", "show_ldp_session", "show_ldp_session_detail")
JUNOS_LDP_STATE = {
    "show_ldp_session/01": ("10.34.2.250", "Operational"),
    "show_ldp_session/02": ("172.16.1.2", "Operational"),
    "show_ldp_session_detail/01": ("10.169.14.240", "Operational"),
    "show_ldp_session_detail/02": ("10.169.14.240", "Operational"),
    "show_ldp_session_detail/03": ("10.169.14.240", "Nonexistent"),
}


@REFERENCE_TEST
@pytest.mark.parametrize("path", params(JUNOS_LDP_SESSION), ids=capture_id)
def test_junos_ldp_session_text_and_expected_json(path):
    want = JUNOS_LDP_STATE["%s/%s" % (path.parent.name, path.stem)]
    assert [(s["address"], s["state"]) for s in V.ldp_sessions("junos", path.read_text())] == [want]
    exp = expected(path)
    if exp is not None:  # genie's dict uses the Junos element names: the JSON path of the check
        assert [(s["address"], s["state"]) for s in V.ldp_sessions("junos", exp)] == [want]


@REFERENCE_TEST
def test_junos_ldp_neighbor_text_and_expected_json():
    path = captures("junos", "show_ldp_neighbor")[0]
    want = [{"peer_id": "10.34.2.250", "state": "", "interfaces": ["ge-0/0/0.0"], "address": "10.169.14.158"}]
    assert V.ldp_neighbors("junos", path.read_text()) == want
    assert V.ldp_neighbors("junos", expected(path)) == want


def test_junos_raw_json_data_wrappers():
    raw = {"ike-security-associations-information": [{
        "attributes": {"xmlns": "http://xml.juniper.net/junos/21.4R0/junos-kmd"},
        "ike-security-associations": [{
            "ike-sa-remote-address": [{"data": "192.0.2.0"}],
            "ike-sa-state": [{"data": "UP"}],
            "ike-sa-algorithms": [{
                "ike-sa-authentication-algorithm": [{"data": "hmac-sha384-192"}],
                "ike-sa-encryption-algorithm": [{"data": "aes256-gcm"}],
                "ike-sa-prf-algorithm": [{"data": "hmac-sha384"}],
                "ike-sa-dhgroup": [{"data": "DH-group-20"}],
            }],
        }],
    }]}
    assert V.ike_sas("junos", raw) == [{
        "remote": "192.0.2.0", "local": None, "state": "UP", "established": True,
        "encryption": "aes-gcm-256", "integrity": "sha384", "prf": "sha384", "dh_group": 20,
    }]


# ---------------------------------------------------------------------------------------------
# Commands without a shared capture: OSPF/IS-IS neighbours and ping (formats as printed by IOS-XE
# and Junos; the integration test runs them against the lab)
# ---------------------------------------------------------------------------------------------

OSPF = """Neighbor ID     Pri   State           Dead Time   Address         Interface
203.0.113.2       0   FULL/  -        00:00:33    198.51.100.1    Tunnel100
10.190.30.3       1   FULL/DR         00:00:04    10.190.16.12    GigabitEthernet0/2.101
10.190.30.4       1   INIT/DROTHER    00:00:38    10.190.16.13    GigabitEthernet1
"""

ISIS = """Tag null:
System Id       Type Interface     IP Address      State Holdtime Circuit Id
p2              L2   Tu100         198.51.100.1    UP    27       00
XRv3            L1   Gi2           10.1.2.3        INIT  8        XRv3.03
"""

PING_OK = """Type escape sequence to abort.
Sending 3, 1418-byte ICMP Echos to 198.51.100.1, timeout is 2 seconds:
Packet sent with the DF bit set
!!!
Success rate is 100 percent (3/3), round-trip min/avg/max = 1/1/2 ms
"""

PING_FAIL = """Type escape sequence to abort.
Sending 3, 1419-byte ICMP Echos to 198.51.100.1, timeout is 2 seconds:
Packet sent with the DF bit set
...
Success rate is 0 percent (0/3)
"""

JUNOS_PING = """PING 198.51.100.0 (198.51.100.0): 1390 data bytes
!!!
--- 198.51.100.0 ping statistics ---
3 packets transmitted, 3 packets received, 0% packet loss
round-trip min/avg/max/stddev = 1.021/1.134/1.262/0.099 ms
"""

JUNOS_PING_FAIL = """PING 198.51.100.0 (198.51.100.0): 1391 data bytes
...
--- 198.51.100.0 ping statistics ---
3 packets transmitted, 0 packets received, 100% packet loss
"""


def test_ios_ospf_neighbor():
    rows = V.igp_neighbors("ios", "ospf", OSPF)
    assert rows[0] == {"neighbor": "203.0.113.2", "address": "198.51.100.1", "interface": "Tunnel100",
                       "state": "FULL", "up": True}
    assert [r["up"] for r in rows] == [True, True, False]


def test_ios_isis_neighbors():
    rows = V.igp_neighbors("ios", "isis", ISIS)
    assert rows[0] == {"neighbor": "p2", "address": "198.51.100.1", "interface": "Tu100", "state": "UP", "up": True}
    assert rows[1]["up"] is False


@pytest.mark.parametrize("text,want", [
    (PING_OK, {"sent": 3, "received": 3, "pct": 100}),
    (PING_FAIL, {"sent": 3, "received": 0, "pct": 0}),
    ("% Invalid input detected at '^' marker.", None),
])
def test_ios_ping(text, want):
    assert V.ping_result("ios", text) == want


@pytest.mark.parametrize("text,want", [
    (JUNOS_PING, {"sent": 3, "received": 3, "pct": 100}),
    (JUNOS_PING_FAIL, {"sent": 3, "received": 0, "pct": 0}),
    ({"ping-results": {"probe-results-summary": {"probes-sent": "3", "responses-received": "2"}}},
     {"sent": 3, "received": 2, "pct": 67}),
])
def test_junos_ping(text, want):
    assert V.ping_result("junos", text) == want


# ---------------------------------------------------------------------------------------------
# The same templates through ansible.utils.cli_parse (parser ansible.utils.textfsm, template_path)
# ---------------------------------------------------------------------------------------------

CLI_PARSE_CASES = [
    ("ios_show_crypto_ikev2_sa.textfsm", REF / "ios/show_crypto_ikev2_sa_detailed/04.txt"),
    ("ios_show_crypto_ipsec_sa.textfsm", REF / "ios/show_crypto_ipsec_sa_detail/02.txt"),
    ("ios_show_mpls_ldp_neighbor.textfsm", REF / "ios/show_mpls_ldp_neighbor/01.txt"),
    ("ios_show_mpls_interfaces.textfsm", REF / "ios/show_mpls_interfaces/02.txt"),
]


@REFERENCE_TEST
def test_templates_through_ansible_utils_cli_parse(tmp_path):
    """The role parses in the p2p_check filter; users can run the same templates through cli_parse."""
    import os
    import subprocess

    playbook = tmp_path / "cli_parse.yml"
    tasks = []
    for i, (template, capture) in enumerate(CLI_PARSE_CASES):
        tasks.append({
            "name": f"parse {i}",
            "ansible.utils.cli_parse": {
                "text": "{{ lookup('ansible.builtin.file', '%s') }}" % capture,
                "parser": {"name": "ansible.utils.textfsm", "template_path": str(TEMPLATES / template)},
            },
            "register": f"r{i}",
        })
    tasks.append({"ansible.builtin.copy": {
        "content": "{{ [%s] | to_json }}" % ", ".join(f"r{i}.parsed" for i in range(len(CLI_PARSE_CASES))),
        "dest": str(tmp_path / "parsed.json")}})
    playbook.write_text(yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "tasks": tasks}]))
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".cache" / "collections"), ANSIBLE_NOCOLOR="1")
    ansible_playbook = Path(sys.executable).with_name("ansible-playbook")
    proc = subprocess.run([str(ansible_playbook), "-i", "localhost,", "-c", "local", "-e",
                           f"ansible_python_interpreter={sys.executable}", str(playbook)],
                          env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    parsed = json.loads((tmp_path / "parsed.json").read_text())
    for (template, capture), rows in zip(CLI_PARSE_CASES, parsed, strict=True):
        assert rows == textfsm_rows(template, capture)


# --- no_carrier_ldp against the real "show mpls ldp neighbor detail" / "show ldp neighbor" captures:
# the capture's own discovery interface plays the carrier (fail), any other interface passes.

@REFERENCE_TEST
@pytest.mark.parametrize("path,carrier", [
    (REF / "ios/show_mpls_ldp_neighbor_detail/01.txt", "GigabitEthernet0/0/2"),
    (REF / "ios/show_mpls_ldp_neighbor_detail/02.txt", "Port-channel20"),
    (REF / "ios/show_mpls_ldp_neighbor/01.txt", "GigabitEthernet0/0/0"),
], ids=lambda v: str(v).rsplit("device-output/", 1)[-1])
def test_no_carrier_ldp_ios_captures(path, carrier):
    link = {"name": "x", "physical": {"interface": carrier}, "peer": {"address": "192.0.2.1"}}
    text = path.read_text()
    assert V.valid_no_carrier_ldp(link, V.ldp_neighbors("ios", text))["status"] == "fail"
    link["physical"]["interface"] = "Tunnel100"
    assert V.valid_no_carrier_ldp(link, V.ldp_neighbors("ios", text))["status"] == "pass"


@REFERENCE_TEST
def test_no_carrier_ldp_junos_capture():
    text = (REF / "junos/show_ldp_neighbor/01.txt").read_text()
    link = {"name": "x", "physical": {"interface": "ge-0/0/0.0"}, "peer": {"address": "192.0.2.1"}}
    assert V.valid_no_carrier_ldp(link, V.ldp_neighbors("junos", text))["detail"] == (
        "LDP hello adjacency still on carrier interface ge-0/0/0.0 (neighbor 10.34.2.250)")
    link["physical"]["interface"] = "ge-0/0/1.0"
    assert V.valid_no_carrier_ldp(link, V.ldp_neighbors("junos", text))["status"] == "pass"

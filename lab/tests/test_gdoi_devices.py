"""GET VPN through the emulated devices: vendor-guide configurations pushed over the IOS CLI and Junos set/commit
(gdoi_configs.py), read back with the show commands, and parsed with ONE parser that also parses the real captures
(../shared/reference/device-output/ios/show_crypto_gdoi*, show_crypto_isakmp_sa): the lab's output must have the
capture's layout (docs/lab.md "GET VPN")."""
from __future__ import annotations

import json
import re
import secrets

import pytest
from gdoi_configs import ios_pair, junos_commit, make_lab, mixed_pair
from ios_helpers import REF_OUTPUT, push, run_cli
from mplssec_reference import REFERENCE_TEST

from mplssec_lab.ios import parser as P
from mplssec_lab.junos import show as JS


@pytest.fixture
def key():
    return secrets.token_hex(12)


# -- one parser for the captures and the lab ----------------------------------------------------------------------
GM_FIELDS = {
    "group_name": r"Group Name\s*:\s*(\S+)",
    "group_identity": r"Group Identity\s*:\s*(\d+)",
    "group_type": r"Group Type\s*:\s*(.+?)\s*$",
    "rekeys_received": r"Rekeys received\s*:\s*(\d+)",
    "group_server_list": r"Group Server list\s*:\s*(\S+)",
    "acl_received_from_ks": r"ACL Received From KS\s*:\s*(\S+)",
    "local_addr": r"Group member\s*:\s*(\S+)\s+vrf:",
    "local_addr_port": r"Local addr/port\s*:\s*\S+/(\d+)",
    "remote_addr_port": r"Remote addr/port\s*:\s*(\S+)",
    "registration": r"Registration status\s*:\s*(.+?)\s*$",
    "server_ip": r"Registered with\s*:\s*(\S+)",
    "re_register_time_sec": r"Re-registers in\s*:\s*(\d+) sec",
    "succeeded_registration_count": r"Succeeded registration\s*:\s*(\d+)",
    "rekey_acks_sent": r"Rekey ACKs sent\s*:\s*(\d+)",
    "active_tek_num": r"Active TEK Number\s*:\s*(\d+)",
    "rekey_transport_type": r"Rekey Transport Type\s*:\s*(\S+)",
    "kek_lifetime": r"Lifetime \(secs\)\s*:\s*(\d+)",
}


def parse_gdoi(text: str) -> dict:
    out = {}
    for k, rx in GM_FIELDS.items():
        m = re.search(rx, text, re.M)
        out[k] = m.group(1) if m else None
    out["spis"] = re.findall(r"spi: (0x[0-9A-F]+\(\d+\))", text)
    out["transforms"] = re.findall(r"transform: (.+?)\s*$", text, re.M)
    out["remaining"] = [int(x) for x in re.findall(r"remaining key lifetime \(sec\): \((\d+)\)", text)]
    out["encaps"] = re.findall(r"encaps: (\S+)", text)
    out["acl"] = [" ".join(x.split()) for x in re.findall(r"^\s*(access-list\s+.+?)\s*$", text, re.M)]
    tek = text.split("TEK POLICY", 1)[1] if "TEK POLICY" in text else ""
    m = re.search(r"^\s*([A-Za-z][\w/.-]*\d):\s*$", tek, re.M)
    out["tek_interface"] = m.group(1) if m else None
    return out


MEMBER_FIELDS = {
    "gm_version": r"GM Version:\s*(\S+)", "group_id": r"Group ID\s*:\s*(\d+)", "group_name": r"Group Name\s*:\s*(\S+)",
    "group_type": r"Group Type\s*:\s*(.+?)\s*$", "gm_state": r"GM State\s*:\s*(\S+)",
    "key_server_id": r"Key Server ID\s*:\s*(\S+)", "rekeys_sent": r"Rekeys sent\s*:\s*(\d+)",
    "rekeys_retries": r"Rekeys retries\s*:\s*(\d+)", "rekey_acks_rcvd": r"Rekey Acks Rcvd\s*:\s*(\d+)",
    "rekey_acks_missed": r"Rekey Acks missed\s*:\s*(\d+)", "sent_seq_num": r"Sent seq num\s*:\s*((?:\d+\s+){3}\d+)",
    "rcvd_seq_num": r"Rcvd seq num\s*:\s*((?:\d+\s+){3}\d+)",
}


def parse_ks_members(text: str) -> dict:
    groups = {}
    for name, sent in re.findall(r"Number of rekeys sent for group (\S+) : (\d+)", text):
        groups[name] = {"rekeys_sent": int(sent), "group_members": {}}
    for block in re.split(r"(?=Group Member ID\s*:)", text)[1:]:
        gm = re.search(r"Group Member ID\s*:\s*(\S+)", block).group(1)
        fields = {k: (m.group(1) if (m := re.search(rx, block, re.M)) else None) for k, rx in MEMBER_FIELDS.items()}
        groups.setdefault(fields["group_name"], {"group_members": {}})["group_members"][gm] = fields
    return groups


ISAKMP_ROW = re.compile(r"^(\d+\.\d+\.\d+\.\d+)\s+(\d+\.\d+\.\d+\.\d+)\s+(\S+)\s+(\d+)\s+(ACTIVE.*?)\s*$", re.M)


# -- the parser against the captures (and genieparser's expected values) -----------------------------------------
@REFERENCE_TEST
def test_parser_reads_the_captures_like_genieparser():
    cap = (REF_OUTPUT / "show_crypto_gdoi" / "01.txt").read_text()
    exp = json.loads((REF_OUTPUT / "show_crypto_gdoi" / "01.expected.json").read_text())["group_name"]["getvpn1"]
    info = exp["group_information"]
    gm = info["group_member"]["3.3.1.1"]
    p = parse_gdoi(cap)
    assert p["group_name"] == "getvpn1" and p["group_identity"] == info["group_identity"]
    assert p["group_type"] == info["group_type"] and p["registration"] == gm["registration"]
    assert p["server_ip"] == gm["server_ip"] and int(p["re_register_time_sec"]) == gm["re_register_time_sec"]
    assert int(p["active_tek_num"]) == gm["active_tek_num"] and p["local_addr"] == gm["local_addr"]
    spis = info["tek_policy"]["interfaces"]["GigabitEthernet0/0/1"]["ipsec_sa"]["spi"]
    assert p["spis"] == list(spis) and p["tek_interface"] == "GigabitEthernet0/0/1"
    assert p["remaining"] == [v["sa_remaining_key_lifetime"] for v in spis.values()]
    assert p["acl"] == [" ".join(x.split()) for x in info["group_member_information"]["acl_download_from_ks"]
                        ["1.1.1.1"]["acl_list"]]
    assert int(p["kek_lifetime"]) == info["kek_policy"]["lifetime"]
    assert p["rekey_transport_type"] == info["kek_policy"]["rekey_transport_type"]
    cap2 = parse_gdoi((REF_OUTPUT / "show_crypto_gdoi" / "02.txt").read_text())
    assert cap2["group_identity"] == "1000" and len(cap2["spis"]) == 2 and cap2["registration"] == "Registered"
    ks = (REF_OUTPUT / "show_crypto_gdoi_ks_members" / "01.txt").read_text()
    kexp = json.loads((REF_OUTPUT / "show_crypto_gdoi_ks_members" / "01.expected.json").read_text())["groups"]
    got = parse_ks_members(ks)
    assert set(got) == set(kexp)
    for name, g in kexp.items():
        assert got[name]["rekeys_sent"] == g["rekeys_sent"]
        for gm_id, m in g["group_members"].items():
            mine = got[name]["group_members"][gm_id]
            assert (mine["gm_state"], mine["key_server_id"], int(mine["group_id"]), mine["gm_version"]) == \
                (m["gm_state"], m["key_server_id"], m["group_id"], m["gm_version"])
    rows = ISAKMP_ROW.findall((REF_OUTPUT / "show_crypto_isakmp_sa" / "02.txt").read_text())
    assert [r[2] for r in rows] == ["QM_IDLE", "MM_NO_STATE", "QM_IDLE"]


# -- the lab's output through the same parser ---------------------------------------------------------------------
@REFERENCE_TEST
def test_lab_show_crypto_gdoi_has_the_capture_layout(key):
    lab, clock = make_lab()
    ios_pair(lab, key)
    clock.t += 1800 - 89                     # just after the rekey: two TEKs, as in the capture
    out = run_cli(lab.devices["p3"], ["show crypto gdoi"])
    mine = parse_gdoi(out)
    cap = parse_gdoi((REF_OUTPUT / "show_crypto_gdoi" / "01.txt").read_text())
    assert {k for k, v in cap.items() if v not in (None, [])} <= {k for k, v in mine.items() if v not in (None, [])}
    st = next(g for g in lab.state("p3").gdoi if g.role == "member")
    assert mine["group_identity"] == "1001" and mine["registration"] == "Registered" and mine["server_ip"] == st.server
    assert mine["spis"] == [f"0x{t['spi']:X}({t['spi']})" for t in st.teks] and mine["active_tek_num"] == "2"
    assert mine["tek_interface"] == "GigabitEthernet2" and mine["encaps"] == ["ENCAPS_TUNNEL"] * 2
    assert mine["transforms"] == ["esp-256-aes esp-sha256-hmac"] * 2
    assert mine["acl"] == ["access-list permit gre host 192.0.2.2 host 192.0.2.3",
                           "access-list permit gre host 192.0.2.3 host 192.0.2.2"]
    assert mine["rekey_acks_sent"] == "1" and mine["rekey_transport_type"] == "Unicast"
    # the key server's TEK SPIs (show crypto gdoi ks policy) are the members'
    pol = run_cli(lab.devices["ks1"], ["show crypto gdoi ks policy"])
    assert re.findall(r"spi\s+: 0x([0-9A-F]{8})\s*$", pol, re.M) == [f"{t['spi']:08X}" for t in st.teks]


@REFERENCE_TEST
def test_lab_ks_members_and_isakmp_sa_have_the_capture_layout(key):
    lab, clock = make_lab(pairs=1)
    mixed_pair(lab, key)
    clock.t += 1800 - 89
    got = parse_ks_members(run_cli(lab.devices["ks1"], ["show crypto gdoi ks members"]))
    members = got["GETVPN-P2P"]["group_members"]
    assert set(members) == {"192.0.2.0"}       # the Junos member answered no rekey: removed
    m = members["192.0.2.0"]
    assert None not in m.values()
    assert (m["gm_state"], m["key_server_id"], m["group_id"], m["rekey_acks_rcvd"]) == ("Registered", "100.64.0.1",
                                                                                       "1001", "1")
    assert got["GETVPN-P2P"]["rekeys_sent"] == 1
    rows = ISAKMP_ROW.findall(run_cli(lab.devices["p1"], ["show crypto isakmp sa"]))
    assert [(r[0], r[1], r[2]) for r in rows] == [("100.64.0.1", "192.0.2.0", "GDOI_IDLE")]


def test_junos_member_shows_and_json(key):
    lab, _ = make_lab(pairs=1)
    mixed_pair(lab, key)
    dev = lab.devices["p2"]
    ike = JS.run(dev, "show security group-vpn member ike security-associations")[0]
    assert re.search(r"^\d+\s+UP\s+[0-9a-f]{16}\s+[0-9a-f]{16}\s+Main\s+100\.64\.0\.1\s*$", ike, re.M)
    data = json.loads(JS.run(dev, "show security group-vpn member ipsec security-associations | display json")[0])
    sas = data["ipsec-security-associations-information"][0]["ipsec-security-associations-block"][0][
        "ipsec-security-associations"]
    ks_spi = next(g for g in lab.state("ks1").gdoi if g.role == "server").tek_spi
    assert {sa["sa-spi"][0]["data"] for sa in sas} == {f"{ks_spi:08x}"}
    assert {sa["sa-group-id"][0]["data"] for sa in sas} == {"1001"}
    detail = JS.run(dev, "show security group-vpn member ipsec security-associations detail")[0]
    assert "Group VPN external interface: ge-0/0/0.0" in detail and "GDOI Server: 100.64.0.1" in detail
    # an unregistered member shows no SA
    junos_commit(dev, "set security group-vpn member ipsec vpn GV-VPN group 9\n")
    assert "Total active tunnels: 0" in JS.run(dev, "show security group-vpn member ipsec security-associations")[0]


def test_key_server_config_round_trips_and_refuses_bad_lines(key):
    lab, _ = make_lab()
    ios_pair(lab, key, ks_kw={"replay": "no replay", "redundancy": (120, "100.64.0.2")})
    dev = lab.devices["ks1"]
    run = dev.running_config()
    block = run[run.index("crypto gdoi group"):].split("\n!\n")[0]
    assert block.splitlines() == [
        "crypto gdoi group GETVPN-P2P", " identity number 1001", " server local",
        "  rekey authentication mypubkey rsa GETVPN-KEYS",      # rekey lifetime 86400 is the default: not shown
        "  rekey transport unicast", "  sa ipsec 1", "   profile GETVPN-PROF", "   match address ipv4 GETVPN-POLICY",
        "   no replay", "  !", "  address ipv4 100.64.0.1", "  redundancy", "   local priority 120",
        "   peer address ipv4 100.64.0.2", "  !", " !"]
    root, errors = P.load_text(run, hardware=dev.hardware)
    assert not errors and root == dev.root          # the rendering parses back to the same configuration
    out = push(dev, ["crypto gdoi group GETVPN-P2P", " server local", "  rekey lifetime seconds 10"])
    assert "% Invalid input detected at '^' marker." in out        # below the 300 s minimum
    out = push(dev, ["crypto gdoi group GETVPN-P2P", " server local", "  sa ipsec 1", "   replay time window-size 5"])
    assert "   replay time window-size 5" in dev.running_config()
    assert "(gkm-sa-ipsec)#" in out and "(gkm-local-server)#" in out

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The MACsec verify parsers (mka_session, macsec_sa) against real router output, and the lab's MACsec show commands
against the real layouts (docs/lab.md "MACsec show outputs").

1. The product's parsers read the real captures in place (../shared/reference/device-output/ios/show_mka_sessions and
   show_macsec_summary, with genieparser's expected values beside them); skipped with the one reference reason
   without them.
2. The lab prints like the real routers: the same header lines and column positions as the captures; for the
   commands with no capture in the reference set (``show mka sessions interface X detail``, ``show macsec interface
   X``) the same field labels in the same order as genieparser's golden outputs (CiscoTestAutomation/genieparser
   @ 366d83b9: ShowMkaSessionsInterfaceDetails/golden_output_1, ShowMacsecInterface/golden_output_1 and _3), written
   down below as the list of labels, not as a copy of the outputs.
3. The checks run on the lab's output of a secured IOS-Junos link (vendor-guide configurations pushed into the lab)
   and fail on the real failure shapes ("Secured, no peer", SC-level counters that never move, integrity-only)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from mplssec_reference import REFERENCE, REFERENCE_TEST

from ansible_collections.mplssec.p2p.plugins.plugin_utils import verify as V

ROOT = Path(__file__).resolve().parents[3]
CAPTURES = REFERENCE / "device-output" / "ios"

sys.path.insert(0, str(ROOT / "lab" / "tests"))
sys.path.insert(0, str(ROOT / "lab" / "tests" / "ios"))
pytest.importorskip("mplssec_lab")
from ios_helpers import run_cli  # noqa: E402
from test_macsec_devices import CKN, ios_push, junos_commit, make_lab  # noqa: E402

from mplssec_lab.junos import show as JS  # noqa: E402


def _link(platform, interface, peer, key_server):
    return {"name": "core1", "mode": "macsec", "physical": {"interface": interface, "address": "192.0.2.9"},
            "peer": {"address": peer, "platform": "junos" if platform == "ios" else "ios"},
            "macsec": {"ckn_sha256": V._ckn_digest(CKN), "key_server": key_server, "cipher_suite": "gcm-aes-256",
                       "offset": 0}}


IOS_LINK = _link("ios", "GigabitEthernet2", "192.0.2.1", True)       # IOS priority 10 beats the SRX's 20
JUNOS_LINK = _link("junos", "ge-0/0/0.0", "192.0.2.0", False)


def _ios_out(dev, cmd):
    """What the router prints after the echoed command line, without the next prompt."""
    out = run_cli(dev, [cmd]).split(cmd, 1)[1]
    return out[1:].rsplit("\n", 1)[0] if out.startswith("\n") else out.rsplit("\n", 1)[0]


def _run(lab, host, link):
    dev = lab.devices[host]
    plan = {"host": host, "platform": dev.platform, "links": [link]}
    out = {}
    for check in V.MACSEC_CHECKS:
        cmds = V.show_commands(check, plan, link)
        outs = [_ios_out(dev, c) if dev.platform == "ios" else JS.run(dev, c)[0] for c in cmds]
        out[check] = (V.run_check(check, outs, plan, link), outs)
    return out


@pytest.fixture(scope="module")
def secured():
    lab, clock = make_lab("macsec-hw")
    ios_push(lab)
    junos_commit(lab)
    clock.t += 120
    return lab


# --------------------------------------------------------------------------- 1. the real captures


@REFERENCE_TEST
@pytest.mark.parametrize("sample", ["01", "02"])
def test_mka_summary_parser_reads_the_captures(sample):
    text = (CAPTURES / "show_mka_sessions" / f"{sample}.txt").read_text()
    expected = json.loads((CAPTURES / "show_mka_sessions" / f"{sample}.expected.json").read_text())["sessions"]
    rows = V.mka_sessions("ios", text)
    want = [v for k, v in sorted(expected.items()) if isinstance(v, dict)]
    assert [(r["interface"], r["status"], r["key_server"], r["live_peers"], r["ckn_sha256"]) for r in rows] == [
        (w["interface"], w["status"], w["key-server"] == "YES", int(w["macsec-peers"]), V._ckn_digest(w["ckn"]))
        for w in want]
    # "Secured, no peer" with 0 MACsec peers is not a secured session with a live peer: the check fails
    assert not any(r["secured"] for r in rows)
    link = {"name": "x", "mode": "macsec", "physical": {"interface": "HundredGigE1/0/3.5"}, "macsec": {}}
    res = V.valid_mka_session(link, rows, "r1", "ios")
    assert res["status"] == "fail" and "not secured (Secured, no peer, 0 live peer(s))" in res["detail"], res


@REFERENCE_TEST
def test_mka_summary_secured_row_of_the_capture_layout_passes():
    """The capture's own rows with a live peer (status "Secured", 1 MACsec peer) pass: the parser is not just failing."""
    text = (CAPTURES / "show_mka_sessions" / "02.txt").read_text()
    text = text.replace(" 0                Secured, no peer  90", " 1                Secured           90")
    link = {"name": "x", "mode": "macsec", "physical": {"interface": "Hu1/0/3.5"},
            "macsec": {"ckn_sha256": V._ckn_digest("90"), "key_server": False}}
    res = V.valid_mka_session(link, V.mka_sessions("ios", text), "r1", "ios")
    assert res["status"] == "pass", res
    other = dict(link, macsec={"ckn_sha256": V._ckn_digest("91")})
    assert "another CKN" in V.valid_mka_session(other, V.mka_sessions("ios", text), "r1", "ios")["detail"]


# --------------------------------------------------------------------------- 2. lab layout = real layout


def _columns(line):
    """Start offsets of the fields of a column-aligned line (fields separated by 2+ spaces or by one before a
    field that starts a column: the offsets of every run of non-blank text after 2+ blanks)."""
    return [m.start() for m in re.finditer(r"(?:(?<=\s\s)|^)\S", line)]


def _aligned(row, starts):
    return all(i < len(row) and row[i] != " " and (i == 0 or row[i - 1] == " ") for i in starts)


@REFERENCE_TEST
@pytest.mark.parametrize("sample,cmd", [("01", "show mka sessions"),
                                        ("02", "show mka sessions interface GigabitEthernet2")])
def test_lab_mka_summary_prints_like_the_capture(secured, sample, cmd):
    ref = (CAPTURES / "show_mka_sessions" / f"{sample}.txt").read_text().splitlines()[1:]   # no echoed command
    ours = _ios_out(secured.devices["p1"], cmd).splitlines()
    ref_head = [x.rstrip() for x in ref if x.startswith(("=", "Interface ", "Port-ID "))]
    our_head = [x.rstrip() for x in ours if x.startswith(("=", "Interface ", "Port-ID "))]
    assert our_head == ref_head
    if sample == "01":
        assert [re.sub(r"\d+$", "N", x) for x in ours[:5]] == [re.sub(r"\d+$", "N", x) for x in ref[:5]]
    else:   # the full interface name in the title, as the capture (typed Hu1/0/3.5, printed HundredGigE1/0/3.5)
        assert ours[1] == "Summary of All Currently Active MKA Sessions on Interface GigabitEthernet2..."
        assert ref[1].startswith("Summary of All Currently Active MKA Sessions on Interface HundredGigE")
    head = ref.index(ref_head[1]) + 3
    rows_ref = [x.rstrip() for x in ref[head:head + 2]]
    rows_ours = [x.rstrip() for x in ours[ours.index(our_head[1]) + 3:][:2]]
    # every field of both row lines starts under its header's column, in the capture and in the lab
    for row_ref, row_ours, header in zip(rows_ref, rows_ours, ref_head[1:3], strict=True):
        starts = _columns(header)
        assert _aligned(row_ref, starts) and _aligned(row_ours, starts), (row_ours, row_ref)
    parsed = V.mka_sessions("ios", "\n".join(ours))
    assert len(parsed) == 1 and parsed[0]["secured"] and parsed[0]["live_peers"] == 1


@REFERENCE_TEST
def test_lab_macsec_summary_prints_like_the_capture(secured):
    ref = (CAPTURES / "show_macsec_summary" / "03.txt").read_text().splitlines()
    ours = _ios_out(secured.devices["p1"], "show macsec summary").splitlines()
    assert ours[:2] == [x.rstrip() for x in ref[:2]]
    assert " MACsec Enabled Interface         Receive SC   VLAN" in ours and "-" * 53 in ours
    cap_ref = next(x for x in ref if x.rstrip().endswith(" 1") and "tag-in-clear" in x)
    cap_ours = next(x for x in ours if x.startswith(" GigabitEthernet2 "))
    assert _columns(cap_ours) == _columns(cap_ref)
    en_ref = next(x for x in ref if ":" in x)
    en_ours = next(x for x in ours if x.startswith(" GigabitEthernet2") and ":" in x)
    assert en_ours.index(":") == en_ref.index(":") and _columns(en_ours)[:2] == _columns(en_ref)[:2]


# genieparser ShowMkaSessionsInterfaceDetails/golden_output_1 (IOS-XE 17): the labels, in order
MKA_DETAIL_LABELS = [
    "Status", "Local Tx-SCI", "Interface MAC Address", "MKA Port Identifier", "Interface Name", "Audit Session ID",
    "CAK Name (CKN)", "Member Identifier (MI)", "Message Number (MN)", "EAP Role", "Key Server", "MKA Cipher Suite",
    "Latest SAK Status", "Latest SAK AN", "Latest SAK KI (KN)", "Old SAK Status", "Old SAK AN", "Old SAK KI (KN)",
    "SAK Transmit Wait Time", "SAK Retire Time", "SAK Rekey Time", "MKA Policy Name", "Key Server Priority",
    "Delay Protection", "Delay Protection Timer", "Confidentiality Offset", "Algorithm Agility",
    "SAK Rekey On Live Peer Loss", "Send Secure Announcement", "SCI Based SSCI Computation", "SAK Cipher Suite",
    "MACsec Capability", "MACsec Desired", "# of MACsec Capable Live Peers", "# of MACsec Capable Live Peers Responded",
    "Live Peers List", "Potential Peers List"]
PEERS_HEADER = "  MI                        MN          Rx-SCI (Peer)        KS        RxSA          SSCI"

# genieparser ShowMacsecInterface/golden_output_1: the lines' labels with their indentation, in order (secured)
MACSEC_IF_LABELS = [
    " MACsec is enabled", "  Replay protect", "  Replay window", "  Include SCI", "  Use ES Enable", "  Use SCB Enable",
    "  Admin Pt2Pt MAC", "  Pt2Pt MAC Operational", "  Cipher", "  Confidentiality Offset", " Capabilities",
    "  ICV length", "  Data length change supported", "  Max. Rx SA", "  Max. Tx SA", "  Max. Rx SC", "  Max. Tx SC",
    "  Validate Frames", "  PN threshold notification support", "  Ciphers supported", " Access control",
    " Transmit Secure Channels", "  SCI", "  SC state", "   Elapsed time", "   Start time", "   Current AN",
    "   Previous AN", "   Next PN", "   SA State", "   Confidentiality", "   SAK Unchanged", "   SA Create time",
    "   SA Start time", "   SC Statistics", "    Auth-only Pkts", "    Auth-only Bytes", "    Encrypted Pkts",
    "    Encrypted Bytes", "   SA Statistics", "    Auth-only Pkts", "    Auth-only Bytes", "    Encrypted Pkts",
    "    Encrypted Bytes", "  Port Statistics", "   Egress untag pkts", "   Egress long pkts",
    " Receive Secure Channels", "  SCI", "  SC state", "   Elapsed time", "   Start time", "   Current AN",
    "   Previous AN", "   Next PN", "   RX SA Count", "   SA State", "   SAK Unchanged", "   SA Create time",
    "   SA Start time", "   SC Statistics"]


def _labels(text, dotted):
    out = []
    for line in text.splitlines():
        if not line.strip() or set(line.strip()) <= {"=", "-"}:
            continue
        if dotted:
            m = re.match(r"^(Status|[^.:]+?)(?:\.{2,}|:)", line)
            if m and not line.startswith(" "):
                out.append(m.group(1))
        else:
            m = re.match(r"^( +[A-Za-z#.][^:]*?)\s*(?::|$|  \d)", line)
            if m and not line.startswith(" " * 22):
                out.append(m.group(1))
    return out


def test_lab_mka_detail_has_the_real_labels_in_order(secured):
    text = _ios_out(secured.devices["p1"], "show mka sessions interface GigabitEthernet2 detail")
    assert _labels(text, dotted=True) == MKA_DETAIL_LABELS
    assert text.count(PEERS_HEADER) == 2
    assert re.search(r"^  [0-9A-F]{24}  \d+\s+[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}/[0-9a-f]{4}\s+20\s+YES\s+0$",
                     text, re.M), text    # the SRX peer's key-server priority 20 in the KS Priority column


def test_lab_macsec_interface_has_the_real_labels_in_order(secured):
    text = _ios_out(secured.devices["p1"], "show macsec interface GigabitEthernet2")
    labels = _labels(text, dotted=False)
    assert labels[:len(MACSEC_IF_LABELS)] == MACSEC_IF_LABELS
    assert "   SC Statistics" in labels and labels.count("   SA Statistics") == 2 and labels[-1] == "   Ingress overrun pkts"
    # a port without MACsec: as genieparser golden_output_3
    off = _ios_out(secured.devices["p1"], "show macsec interface GigabitEthernet1")
    assert off.splitlines()[0] == " MACsec is disabled" and " No Transmit Secure Channels" in off.splitlines()


# --------------------------------------------------------------------------- 3. the checks on the lab's output


def test_checks_pass_on_a_secured_ios_junos_link(secured):
    ios, junos = _run(secured, "p1", IOS_LINK), _run(secured, "p2", JUNOS_LINK)
    for host, res in (("p1", ios), ("p2", junos)):
        for check in V.MACSEC_CHECKS:
            assert res[check][0]["status"] == "pass", (host, res[check][0])
            assert CKN not in res[check][0]["detail"]
    assert "gcm-aes-256" in ios["mka_session"][0]["detail"]


def test_ios_sa_counters_are_read_at_the_sa_level(secured):
    """Real routers leave "SC Statistics" at 0 and count under "SA Statistics": only those moving is not a failure."""
    outs = _run(secured, "p1", IOS_LINK)["macsec_sa"][1]
    before, after = V.macsec_states("ios", outs)
    assert after["encrypted"] > before["encrypted"] > 0 and after["received"] > before["received"] > 0
    sc_only = [re.sub(r"(   SA Statistics\n(?:    .*\n)+)", lambda m: re.sub(r"\d+$", "0", m.group(1), flags=re.M),
                      o) for o in outs]
    res = V.valid_macsec_sa(IOS_LINK, *V.macsec_states("ios", sc_only), "p1", "ios")
    assert res["status"] == "fail" and "did not move" in res["detail"], res


def test_ios_real_failure_shapes_fail(secured):
    text = _ios_out(secured.devices["p1"], "show mka sessions interface GigabitEthernet2 detail")
    # SECURED with no live peer left (genieparser ShowMkaSessionsInterfaceDetails/golden_output_1 shows this state)
    lone = re.sub(r"^  [0-9A-F]{24} .*\n", "", text, flags=re.M)
    lone = lone.replace("Live Peers............ 1", "Live Peers............ 0")
    res = V.valid_mka_session(IOS_LINK, V.mka_sessions("ios", lone), "p1", "ios")
    assert res["status"] == "fail" and "0 live peer" in res["detail"], res
    not_installed = text.replace("Latest SAK Status........ Rx & Tx", "Latest SAK Status........ Rx, No Tx")
    assert V.valid_mka_session(IOS_LINK, V.mka_sessions("ios", not_installed), "p1", "ios")["status"] == "fail"
    # "Key Server Priority" must not be read as "Key Server"
    assert V.mka_sessions("ios", text)[0]["key_server"] is True


def test_junos_received_bytes_validated_and_decrypted(secured):
    outs = _run(secured, "p2", JUNOS_LINK)["macsec_sa"][1]
    stats = json.loads(outs[3])
    rx = stats["macsec-statistics"][0]["secure-channel-received"][0]
    dec = rx["decrypted-bytes"][0]["data"]
    # releases that count every received byte as validated as well as decrypted: still all encrypted
    rx["validated-bytes"][0]["data"] = dec
    same = list(outs[:3]) + [json.dumps(stats)]
    assert V.valid_macsec_sa(JUNOS_LINK, *V.macsec_states("junos", same), "p2", "junos")["status"] == "pass"
    # integrity-only frames: validated bytes beyond the decrypted ones
    rx["validated-bytes"][0]["data"] = str(int(dec) + 500)
    more = list(outs[:3]) + [json.dumps(stats)]
    res = V.valid_macsec_sa(JUNOS_LINK, *V.macsec_states("junos", more), "p2", "junos")
    assert res["status"] == "fail" and "received unencrypted/invalid 500" in res["detail"], res


def test_junos_mka_without_peer_elements_reads_the_sak_identifier(secured):
    """A release that lists no peer elements: a distributed SAK (key identifier not all zero) is the live peer."""
    out = _run(secured, "p2", JUNOS_LINK)["mka_session"][1][0]
    doc = json.loads(out)
    for sess in doc["mka-session-information"]:
        sess.pop("mka-peer-information", None)
    rows = V.mka_sessions("junos", json.dumps(doc))
    assert rows[0]["live_peers"] == 1 and rows[0]["secured"]
    for sess in doc["mka-session-information"]:
        sess["latest-sak-key-identifier"] = [{"data": "000000000000000000000000/0"}]
    res = V.valid_mka_session(JUNOS_LINK, V.mka_sessions("junos", json.dumps(doc)), "p2", "junos")
    assert res["status"] == "fail" and "0 live peer" in res["detail"], res


def test_the_planned_ckns_session_is_judged_when_the_port_has_two(secured):
    """A port can show two MKA sessions (a key chain rolling over runs one per CKN): the planned CKN's is judged."""
    text = _ios_out(secured.devices["p1"], "show mka sessions interface GigabitEthernet2 detail")
    other = text.replace(f"CAK Name (CKN)........... {CKN}", "CAK Name (CKN)........... 2000").replace(
        "SECURED - Secured MKA Session with MACsec", "INITIALIZING - Searching for Peer")
    both = other + "\n" + text
    assert V.valid_mka_session(IOS_LINK, V.mka_sessions("ios", both), "p1", "ios")["status"] == "pass"
    planned_other = dict(IOS_LINK, macsec=dict(IOS_LINK["macsec"], ckn_sha256=V._ckn_digest("2000")))
    res = V.valid_mka_session(planned_other, V.mka_sessions("ios", both), "p1", "ios")
    assert res["status"] == "fail" and "not secured" in res["detail"], res


# A public WAN-MACsec write-up's MX304 transcripts (docs/lab.md "MACsec show outputs"): each label's indentation, and
# the labels printed on one line
JUNOS_MKA_INDENT = {"Interface name": 1, "Interface state": 3, "Member identifier": 3, "CAK name": 3,
                    "Transmit interval": 3, "Outbound SCI": 3, "Message number": 3, "Key server": 3,
                    "Latest SAK AN": 3, "Previous SAK AN": 3, "1. Member identifier": 7, "SCI": 9,
                    "Lowest acceptable PN": 9}
JUNOS_MKA_PAIRS = [("Message number", "Key number"), ("Key server", "Key server priority"),
                   ("Latest SAK AN", "Latest SAK KI"), ("Previous SAK AN", "Previous SAK KI"),
                   ("Message number", "Hold time")]
JUNOS_STATS_SHAPE = [" Interface name:", "  Secure Channel transmitted", "    Encrypted packets: N",
                     "    Encrypted bytes:  N", "    Protected packets: N", "    Protected bytes:  N",
                     "  Secure Association transmitted", "    Encrypted packets: N", "    Protected packets: N",
                     "  Secure Channel received", "    Accepted packets: N", "    Validated bytes:  N",
                     "    Decrypted bytes:  N", "  Secure Association received", "    Accepted packets: N",
                     "    Validated bytes:  N", "    Decrypted bytes:  N"]


def test_lab_junos_mka_sessions_text_is_indented_like_the_real_transcript(secured):
    text = JS.run(secured.devices["p2"], "show security mka sessions interface ge-0/0/0")[0]
    seen = {}
    for line in text.splitlines():
        m = re.match(r"^( *)(\S.*?): ", line)
        if m:
            seen.setdefault(m.group(2), len(m.group(1)))
        for first, second in JUNOS_MKA_PAIRS:
            if line.strip().startswith(first + ":") and second + ":" in line:
                seen[(first, second)] = True
    assert {k: seen.get(k) for k in JUNOS_MKA_INDENT} == JUNOS_MKA_INDENT, text
    assert all(seen.get(p) for p in JUNOS_MKA_PAIRS), text


def test_lab_junos_macsec_statistics_text_has_the_real_shape(secured):
    text = JS.run(secured.devices["p2"], "show security macsec statistics interface ge-0/0/0")[0]
    shape = [re.sub(r"\d+$", "N", x) if ":" in x and not x.startswith(" Interface") else x.split(" ge-")[0]
             for x in text.splitlines() if x.strip()]
    assert shape == JUNOS_STATS_SHAPE, text

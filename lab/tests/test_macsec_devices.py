"""MACsec through the emulated devices of a real Lab: configurations written from the vendor configuration guides
(not from any renderer), pushed into the devices, read back with their show commands (docs/lab.md "MACsec")."""
from __future__ import annotations

import secrets
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "ios"))

from ios_helpers import push, run_cli  # noqa: E402
from mplssec_reference import REFERENCE, REFERENCE_TEST  # noqa: E402

from mplssec_lab import topology  # noqa: E402
from mplssec_lab.junos import show as JS  # noqa: E402
from mplssec_lab.junos import tree as T  # noqa: E402
from mplssec_lab.lab import Lab  # noqa: E402

CAK = secrets.token_hex(32)   # a fresh test key per run (64 hex, AES-256-CMAC): no key literal in the repository
CKN = "1000"

# Cisco MACsec and MKA Configuration Guide (IOS XE), "WAN MACsec and MKA Support Enhancements": key chain with
# cryptographic-algorithm and key-string, mka policy, and the interface statements of the configuration example.
IOS_MACSEC = f"""key chain KC-CORE1 macsec
 key {CKN}
  cryptographic-algorithm aes-256-cmac
  key-string 0 {CAK}
mka policy MKA-CORE1
 key-server priority 10
 macsec-cipher-suite gcm-aes-256
 confidentiality-offset 0
 sak-rekey interval 30
 include-icv-indicator
interface GigabitEthernet2
 macsec network-link
 mka policy MKA-CORE1
 mka pre-shared-key key-chain KC-CORE1
 eapol destination-address {{eapol}}
 macsec replay-protection window-size 64
 macsec access-control {{access}}
""".splitlines()

# Juniper, "Configuring MACsec" (static CAK): connectivity-association with cipher-suite, security-mode static-cak,
# pre-shared-key ckn/cak, mka key-server-priority, then security macsec interfaces IF connectivity-association CA.
JUNOS_MACSEC = f"""set security macsec connectivity-association CA-CORE1 cipher-suite gcm-aes-256
set security macsec connectivity-association CA-CORE1 security-mode static-cak
set security macsec connectivity-association CA-CORE1 pre-shared-key ckn {CKN}
set security macsec connectivity-association CA-CORE1 pre-shared-key cak {CAK}
set security macsec connectivity-association CA-CORE1 mka key-server-priority 20
set security macsec connectivity-association CA-CORE1 mka eapol-address {{eapol}}
set security macsec connectivity-association CA-CORE1 replay-protect replay-window-size 64
set security macsec interfaces ge-0/0/0 connectivity-association CA-CORE1
"""


class Clock:
    def __init__(self):
        self.t = 1_800_000_000.0

    def __call__(self):
        return self.t


def make_lab(*scenarios):
    clock = Clock()
    return Lab(topology.build(1, scenarios=list(scenarios)), clock=clock), clock


def ios_push(lab, eapol="bridge-group-address", access="should-secure"):
    lines = [ln.format(eapol=eapol, access=access) for ln in IOS_MACSEC]
    return push(lab.devices["p1"], lines)


def junos_commit(lab, eapol="provider-bridge"):
    dev = lab.devices["p2"]
    tree, warnings = T.load_set(dev.candidate.copy(), JUNOS_MACSEC.format(eapol=eapol))
    assert not warnings
    dev.candidate = tree
    dev.commit(None)
    return dev


def junos(dev, cmd):
    return JS.run(dev, cmd)[0]


def test_c8000v_refuses_the_interface_statements():
    lab, _ = make_lab()
    out = ios_push(lab)
    assert out.count("% Invalid input detected at '^' marker.") == 6     # every interface MACsec/MKA/EAPoL line
    run = lab.devices["p1"].running_config()
    assert "key chain KC-CORE1 macsec" in run and "mka policy MKA-CORE1" in run
    assert "macsec network-link" not in run
    assert "C8000V" in run_cli(lab.devices["p1"], ["show version"])


def test_asr1001x_accepts_and_hides_the_cak():
    lab, _ = make_lab("macsec-hw")
    out = ios_push(lab)
    assert "Invalid input" not in out
    dev = lab.devices["p1"]
    shown = run_cli(dev, ["show running-config", "show running-config | section key chain"])
    assert "key-string 7 " in shown and CAK not in shown and CAK.upper() not in shown
    assert " macsec network-link" in shown and " macsec replay-protection window-size 64" in shown
    assert "eapol destination-address bridge-group-address" in shown
    assert "cisco ASR1001-X" in run_cli(dev, ["show version"])
    assert "PID: ASR1001-X" in run_cli(dev, ["show inventory"])


def test_ios_junos_secured_and_counters_move():
    lab, clock = make_lab("macsec-hw")
    ios_push(lab)
    j = junos_commit(lab)
    clock.t += 120
    ios = lab.devices["p1"]
    mka = run_cli(ios, ["show mka sessions"])
    assert "Secured Sessions... 1" in mka and f"Secured           {CKN}" in mka
    assert "Gi2            " in mka and "MKA-CORE1" in mka
    assert "Key-Server" in mka and "YES" in mka                  # priority 10 beats the SRX's 20
    before = run_cli(ios, ["show macsec interface GigabitEthernet2"])
    assert "Cipher : GCM-AES-256" in before and "Replay window : 64" in before
    js = junos(j, "show security mka sessions")
    assert "Interface state: Secured - Primary" in js and f"CAK name: {CKN}" in js and "Key server: no" in js
    conn = junos(j, "show security macsec connections | display json")
    assert '"GCM-AES-256"' in conn and '"inuse"' in conn
    stats0 = JS.run(j, "show security macsec statistics interface ge-0/0/0 | display xml")[1]
    lab.traffic(packets_n=100, size=1000)
    after = run_cli(ios, ["show macsec interface GigabitEthernet2"])
    enc = [int(x.split(":")[1]) for x in after.splitlines() if "Encrypted Pkts" in x]
    enc0 = [int(x.split(":")[1]) for x in before.splitlines() if "Encrypted Pkts" in x]
    # as on the captured routers: the SC-level counter stays 0, the SA-level one counts
    assert enc[0] == 0 and enc[1] == enc0[1] + 100
    stats1 = JS.run(j, "show security macsec statistics interface ge-0/0/0 | display xml")[1]
    ok = [int(e.text) for e in stats1.iter("ok-packets")][0]
    ok0 = [int(e.text) for e in stats0.iter("ok-packets")][0]
    assert ok == ok0 + 100
    # the CAK never appears in clear in any configuration output
    for fmt in ("", " | display set", " | display xml", " | display json"):
        text = junos(j, "show configuration security macsec" + fmt)
        assert CAK not in text and "$9$" in text
    assert "SRX380" in junos(j, "show chassis hardware") and "Model: srx380" in junos(j, "show version")


def test_default_pae_address_is_consumed_by_the_carrier():
    lab, _ = make_lab("macsec-hw")
    ios_push(lab, eapol="0180.c200.0003")
    junos_commit(lab, eapol="pae")
    st = lab.state("p1").mka[0]
    assert not st.secured and "does not deliver EAPoL to 01:80:c2:00:00:03" in st.reason
    assert "Init" in run_cli(lab.devices["p1"], ["show mka sessions"])
    lab2, _ = make_lab("macsec-hw", "carrier-l2cp-transparent")
    ios_push(lab2, eapol="0180.c200.0003")
    junos_commit(lab2, eapol="pae")
    assert lab2.state("p1").mka[0].secured


def test_must_secure_before_the_peer_drops_igp_and_ldp_on_the_carrier():
    lab, _ = make_lab("macsec-hw")
    ios_push(lab, access="must-secure")
    adj = {(a.protocol, a.interface) for a in lab.state("p1").adjacencies}
    assert ("ospf", "GigabitEthernet2") not in adj and ("ldp", "GigabitEthernet2") not in adj
    assert ("ospf", "GigabitEthernet1") in adj
    assert "Access control : must secure" in run_cli(lab.devices["p1"], ["show macsec interface GigabitEthernet2"])
    junos_commit(lab)
    assert ("ospf", "GigabitEthernet2") in {(a.protocol, a.interface) for a in lab.state("p1").adjacencies}


def test_vsrx_commits_macsec_but_nothing_is_secured():
    lab, _ = make_lab()
    j = junos_commit(lab)
    text = junos(j, "show security mka sessions")
    assert "Interface state: Unsecured" in text
    assert "not supported" in lab.state("p2").mka[0].reason
    assert junos(j, "show security macsec connections").strip() == ""
    assert "VSRX" in junos(j, "show chassis hardware")
    # the vSRX default (no should-secure) would be must-secure, but its port does nothing: clear OSPF stays up
    assert any(a.protocol == "ospf" and a.interface == "ge-0/0/0.0" for a in lab.state("p2").adjacencies)


def test_tagged_carrier_without_dot1q_in_clear():
    lab, _ = make_lab("macsec-hw:1", "carrier-tagged")
    ios_push(lab)
    junos_commit(lab)
    assert "802.1Q tag in clear" in lab.state("p1").mka[0].reason


@REFERENCE_TEST
def test_show_mka_sessions_header_matches_the_capture():
    ref = (REFERENCE / "device-output" / "ios" / "show_mka_sessions" / "01.txt").read_text().splitlines()
    lab, _ = make_lab("macsec-hw")
    ios_push(lab)
    ours = run_cli(lab.devices["p1"], ["show mka sessions"]).splitlines()
    for line in ref[1:11]:
        if line.startswith(("Total", "      ", "=", "Interface", "Port-ID")):
            assert any(o.rstrip().startswith(line.split(".")[0].rstrip()) for o in ours), line
    header = [x for x in ref if x.startswith(("Interface ", "Port-ID "))]
    assert all(h.rstrip() in [o.rstrip() for o in ours] for h in header)


@REFERENCE_TEST
def test_show_macsec_summary_header_matches_the_capture():
    ref = (REFERENCE / "device-output" / "ios" / "show_macsec_summary" / "03.txt").read_text().splitlines()
    lab, _ = make_lab("macsec-hw")
    ours = [x.rstrip() for x in run_cli(lab.devices["p1"], ["show macsec summary"]).splitlines()]
    assert ref[0].rstrip() in ours and ref[1].rstrip() in ours
    assert " MACsec Enabled Interface         Receive SC   VLAN" in ours


@pytest.mark.parametrize("line", ["macsec network-link", "mka pre-shared-key key-chain X",
                                  "eapol destination-address broadcast-address"])
def test_each_interface_statement_is_refused_on_c8000v(line):
    lab, _ = make_lab()
    out = push(lab.devices["p1"], ["interface GigabitEthernet2", line])
    assert "% Invalid input detected at '^' marker." in out


def test_type7_codec_matches_the_known_cisco_value():
    from mplssec_lab.ios import type7
    assert type7.decode("0822455D0A16") == "cisco"
    assert type7.decode(type7.encode(CAK)) == CAK and CAK not in type7.encode(CAK)


@pytest.mark.parametrize("rpc", ["get-mka-session-information", "get-macsec-connection-information",
                                 "get-macsec-statistics", "get-chassis-inventory"])
def test_junos_macsec_rpcs_answer_with_the_documented_root_element(rpc):
    from mplssec_lab.junos.netconf import OP_RPCS
    lab, _ = make_lab("macsec-hw")
    ios_push(lab)
    j = junos_commit(lab)
    root = {"get-mka-session-information": "mka-session-information",
            "get-macsec-connection-information": "macsec-connection-information",
            "get-macsec-statistics": "macsec-statistics", "get-chassis-inventory": "chassis-inventory"}[rpc]
    xml = JS.run(j, OP_RPCS[rpc])[1]
    assert xml.tag.endswith(root) and len(xml)


# -- MKA key chain lifetimes (IOS-XE): the key in force, hitless rollover when both ends roll at the same time --------

def _when(t):
    """Epoch seconds -> the IOS lifetime form "HH:MM:SS Mon D YYYY" (the lab's routers keep UTC)."""
    import time
    return time.strftime("%H:%M:%S %b %d %Y", time.gmtime(t)).replace(" 0", " ")


def ios_pair_with_keys(lab, keys, hosts=("p3", "p4"), access="must-secure"):
    """IOS-IOS link core2 with ``keys`` = [(ckn, cak, lifetime or None)] in the key chain, on both routers (or as
    given per host: {host: keys})."""
    per_host = keys if isinstance(keys, dict) else {h: keys for h in hosts}
    for host in hosts:
        lines = ["key chain KC-CORE2 macsec"]
        for ckn, cak, life in per_host[host]:
            lines += [f" key {ckn}", "  cryptographic-algorithm aes-256-cmac", f"  key-string 0 {cak}"]
            if life:
                lines.append(f"  lifetime local {life}")
        lines += ["mka policy MKA-CORE2", " key-server priority 10" if host == "p3" else " key-server priority 20",
                  " macsec-cipher-suite gcm-aes-256", "interface GigabitEthernet2", " macsec network-link",
                  " mka policy MKA-CORE2", " mka pre-shared-key key-chain KC-CORE2",
                  " eapol destination-address bridge-group-address", f" macsec access-control {access}"]
        out = push(lab.devices[host], lines)
        assert "% " not in out, out


def _core2(lab):
    return next(m for m in lab.state("p3").mka if m.interface == "GigabitEthernet2")


def test_key_lifetimes_roll_both_ends_over_together_without_a_gap():
    _, clock = make_lab()
    lab2 = Lab(topology.build(2, scenarios=["macsec-hw"]), clock=clock)
    new_ckn, new_cak = "2000", secrets.token_hex(32)
    t = clock.t + 600
    ios_pair_with_keys(lab2, [(CKN, CAK, f"{_when(clock.t - 86400)} {_when(t)}"),
                              (new_ckn, new_cak, f"{_when(t)} infinite")])
    seen = []
    for step in (-60, -1, 0, 1, 60):
        clock.t = t + step
        m = _core2(lab2)
        seen.append((m.secured, m.ckn))
        assert ("ospf", "GigabitEthernet2") in {(a.protocol, a.interface) for a in lab2.state("p3").adjacencies}
    assert seen == [(True, CKN), (True, CKN), (True, new_ckn), (True, new_ckn), (True, new_ckn)]
    out = run_cli(lab2.devices["p3"], ["show mka sessions interface GigabitEthernet2 detail"])
    assert f"CAK Name (CKN)........... {new_ckn}" in out and new_cak not in out


def test_new_key_on_one_end_first_is_a_ckn_mismatch_until_the_other_has_it():
    _, clock = make_lab()
    lab = Lab(topology.build(2, scenarios=["macsec-hw"]), clock=clock)
    new_ckn, new_cak = "2000", secrets.token_hex(32)
    t, t_late = clock.t + 600, clock.t + 900
    ios_pair_with_keys(lab, {
        "p3": [(CKN, CAK, f"{_when(clock.t - 86400)} {_when(t)}"), (new_ckn, new_cak, f"{_when(t)} infinite")],
        "p4": [(CKN, CAK, f"{_when(clock.t - 86400)} {_when(t_late)}"),
               (new_ckn, new_cak, f"{_when(t_late)} infinite")]})
    clock.t = t - 1
    assert _core2(lab).secured
    clock.t = t + 1       # p3 rolled over, p4 still on the old key: no live peer; must-secure drops the carrier
    m = _core2(lab)
    assert not m.secured and "CKN mismatch" in m.reason
    assert ("ospf", "GigabitEthernet2") not in {(a.protocol, a.interface) for a in lab.state("p3").adjacencies}
    clock.t = t_late + 1
    assert _core2(lab).secured and _core2(lab).ckn == new_ckn


def test_no_key_in_its_lifetime_is_no_session():
    _, clock = make_lab()
    lab = Lab(topology.build(2, scenarios=["macsec-hw"]), clock=clock)
    ios_pair_with_keys(lab, [(CKN, CAK, f"{_when(clock.t - 86400)} duration 3600")])
    m = _core2(lab)
    assert not m.secured and "no key of key chain KC-CORE2 is within its lifetime" in m.reason
    shown = run_cli(lab.devices["p3"], ["show running-config | section key chain"])
    assert "lifetime local" in shown and CAK not in shown


def test_two_valid_keys_the_one_ending_first_is_in_force():
    """Lab decision (docs/lab.md): of several valid keys the one whose lifetime ends first; without lifetimes, the
    first key of the chain."""
    _, clock = make_lab()
    lab = Lab(topology.build(2, scenarios=["macsec-hw"]), clock=clock)
    other = secrets.token_hex(32)
    ios_pair_with_keys(lab, [("3000", other, None), (CKN, CAK, f"{_when(clock.t - 60)} {_when(clock.t + 60)}")])
    assert _core2(lab).ckn == CKN
    clock.t += 61
    assert _core2(lab).secured and _core2(lab).ckn == "3000"


def test_a_key_chain_with_several_keys_loads_back_unchanged():
    """" key 2000" typed (or read back) after the lines of key 1000 starts the next key: IOS's running configuration
    lists the keys of a chain one after the other and loads back unchanged (configure replace, rollback points)."""
    from mplssec_lab.ios import parser as P
    from mplssec_lab.ios import view
    _, clock = make_lab()
    lab = Lab(topology.build(2, scenarios=["macsec-hw"]), clock=clock)
    ios_pair_with_keys(lab, [(CKN, CAK, None), ("2000", secrets.token_hex(32), f"{_when(clock.t)} infinite")])
    dev = lab.devices["p3"]
    run = dev.running_config()
    root, errors = P.load_text(run, hardware=dev.hardware, macsec=dev.macsec_ports)
    assert not errors and [k.ckn for k in view._keychain(root, "KC-CORE2")] == [CKN, "2000"]
    assert " key-string 7 " in run and run.count("\n key ") == 2

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Mode macsec (issue 10) without a device: the plan (keys, XPN rule, CAK length, tagged service on Junos, MTU from
mtu.py), the preflight's capability decision from the gathered model (capabilities.MACSEC_PORTS), the choice-of-mode
table, the facts' hardware inventory, the verify parsers and pass criteria, and the masking of the MKA keys.

Device outputs are in the layouts the lab renders from the vendor field lists (lab/mplssec_lab/*/show_macsec.py,
docs/lab.md "MACsec"); a failing variant of each is derived from them here."""

from __future__ import annotations

import copy
import json
import secrets

import pytest
from test_plan import CORE1, HOSTVARS

from ansible_collections.mplssec.p2p.plugins.plugin_utils import capabilities, device, facts, mtu, plan
from ansible_collections.mplssec.p2p.plugins.plugin_utils import verify as V

CKN = secrets.token_hex(16)
CAK = secrets.token_hex(32)
MACSEC = {k: v for k, v in copy.deepcopy(CORE1).items() if k not in ("tunnel", "crypto", "ipsec_mode")}
MACSEC.update(mode="macsec", macsec={"ckn": CKN, "cak": CAK})


def link(**patch):
    out = copy.deepcopy(MACSEC)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key].update(value)
        else:
            out[key] = value
    return out


def errors_of(links, hostvars=None):
    with pytest.raises(plan.PlanValidationError) as err:
        plan.build_plan(links, hostvars or HOSTVARS)
    return err.value.errors


def with_models(ios_model, junos_model):
    hv = copy.deepcopy(HOSTVARS)
    iface = {"ipv4": [], "ip_mtu": 1500, "port_ip_mtu": 1500, "mtu": 1500}
    hv["p1"]["p2p_facts"] = {"model": ios_model, "interfaces": {"GigabitEthernet2": dict(iface, ipv4=["192.0.2.0/31"])}}
    hv["p2"]["p2p_facts"] = {"model": junos_model, "interfaces": {"ge-0/0/0.0": dict(iface, ipv4=["192.0.2.1/31"], zone=None)},
                             "security": {"flow_active": {"mpls": "packet-based"}}}
    return hv


# --------------------------------------------------------------------------- plan


def test_plan_fact_has_no_tunnel_no_key_and_the_mtu_of_mtu_py():
    result = plan.build_plan([MACSEC], HOSTVARS)
    entry = result["hosts"]["p1"]["links"][0]
    assert entry["tunnel"] is None and entry["crypto"] is None and entry["id"] is None
    text = json.dumps(result)
    assert CAK not in text and CKN not in text, "no MKA key enters the plan"
    profile = {"encap": "macsec", "labels": 2, "macsec_cipher": "gcm-aes-256", "macsec_sci": True}
    assert entry["mtu"]["ip_mtu"] == mtu.max_inner(1500, **profile) == 1460
    assert entry["mtu"]["mpls_mtu"] == 1468 and entry["mtu"]["carrier_mtu_for_1500"] == mtu.wire_size(1500, **profile) == 1540
    ms = entry["macsec"]
    assert (ms["cipher_suite"], ms["xpn"], ms["mka_cmac"], ms["key_server"], ms["eapol_address"]) == (
        "gcm-aes-256", False, "aes-256-cmac", True, "bridge")
    peer = result["hosts"]["p2"]["links"][0]["macsec"]
    assert peer["key_server"] is False and peer["key_server_priority"] > ms["key_server_priority"]
    assert any("limits inner packets to 1460" in w for w in result["warnings"])


def test_xpn_rule_from_the_port_speed():
    fast = link(a={"interface": "HundredGigE0/0/0"}, b={"interface": "et-0/0/0.0"})
    entry = plan.build_plan([fast], HOSTVARS)["hosts"]["p1"]["links"][0]["macsec"]
    assert entry["cipher_suite"] == "gcm-aes-xpn-256" and entry["xpn"] and entry["pn_exhaustion_s"] == 29
    assert round(plan.pn_exhaustion_seconds(10000)) == 289 and round(plan.pn_exhaustion_seconds(40000)) == 72
    errors = errors_of([link(a={"interface": "FortyGigabitEthernet0/0/0"}, macsec={"cipher_suite": "gcm-aes-256"})])
    assert errors == ["link core1: macsec.cipher_suite: gcm-aes-256 on a 40 Gb/s carrier: its 32-bit packet number is used "
                      "up in 72 s at line rate, faster than MKA can be relied on to rekey. Fix: use gcm-aes-xpn-256 (or "
                      "leave macsec.cipher_suite out: the plan picks XPN from 40 Gb/s)."]


def test_key_errors_name_link_field_and_fix_never_the_key():
    errors = errors_of([link(macsec={"ckn": "abc", "cak": CAK[:32], "cipher_suite": "gcm-aes-xpn-256"})])
    assert errors[0].startswith("link core1: macsec.ckn: <hidden> is not a valid macsec.ckn. Fix: set macsec.ckn to an even")
    assert errors[1].startswith("link core1: macsec.cak: has 32 hex digits; gcm-aes-xpn-256 takes a 256-bit key")
    assert not any(CAK[:32] in e for e in errors)
    assert errors_of([link(macsec={"ckn": None, "cak": None})]) == [
        "link core1: macsec.ckn: is required with mode macsec (the CAK's name). Fix: set macsec.ckn from Ansible Vault "
        "(e.g. ckn: \"{{ vault_p2p_ckn_<link> }}\"; openssl rand -hex 16).",
        "link core1: macsec.cak: is required with mode macsec (the pre-shared key). Fix: set macsec.cak from Ansible Vault "
        "(e.g. cak: \"{{ vault_p2p_cak_<link> }}\"; openssl rand -hex 32)."]
    # a 128-bit cipher takes a 128-bit CAK (AES-128-CMAC)
    entry = plan.build_plan([link(macsec={"cak": CAK[:32], "cipher_suite": "gcm-aes-128"})], HOSTVARS)
    assert entry["hosts"]["p1"]["links"][0]["macsec"]["mka_cmac"] == "aes-128-cmac"


def test_fields_of_other_modes_refused():
    gre = copy.deepcopy(CORE1)
    gre["macsec"] = {"ckn": CKN, "cak": CAK}
    assert errors_of([gre]) == ["link core1: macsec: is only used with mode macsec (this link is gre_ipsec). Fix: remove "
                                "macsec, or set mode: macsec."]
    with_tunnel = link(tunnel={"ipv4": "198.51.100.0/31"})
    assert errors_of([with_tunnel])[0] == ("link core1: tunnel: is not used with mode macsec (no tunnel: the carrier "
                                           "interface itself is encrypted). Fix: remove tunnel.")


def test_tagged_service_refused_on_junos_warned_offset():
    errors = errors_of([link(macsec={"tagged_service": True})])
    assert errors[0].startswith("link core1: macsec.tagged_service: p2 (Juniper Junos) would have to keep the service's "
                                "802.1Q tag in clear")
    result = plan.build_plan([link(macsec={"offset": 30})], HOSTVARS)
    assert any("macsec.offset 30: the first 30 bytes after the SecTAG" in w for w in result["warnings"])


def test_carrier_too_small_refused_with_what_it_needs():
    errors = errors_of([link(carrier_mtu=1300)])
    assert errors == ["link core1: carrier_mtu: 1300 cannot carry a 1280-byte inner packet with 2 label(s) over MACsec "
                      "gcm-aes-256 with SCI (the largest inner packet is 1260 bytes). Fix: the carrier must "
                      "deliver at least 1320 bytes of Ethernet payload: order a larger carrier MTU and set carrier_mtu: "
                      "1320 or more (or plan fewer labels)."]


# --------------------------------------------------------------------------- capability (preflight) and mode table


@pytest.mark.parametrize("ios,junos,expect", [
    ("C8000V", "vsrx", ["link core1: p1: MACsec on GigabitEthernet2: not possible: model C8000V is virtual: Catalyst 8000V",
                        "link core1: p2: MACsec on ge-0/0/0.0: not possible: model vsrx is virtual: vSRX"]),
    ("ISR4451-X", "srx380", ["link core1: p1: MACsec on GigabitEthernet2: not possible: model ISR4451-X is not in the "
                             "capability map's MACsec list (known: ASR1001-X)"]),
    ("ASR1001-X", "srx380", []),
])
def test_preflight_decides_from_the_gathered_model(ios, junos, expect):
    hv = with_models(ios, junos)
    if not expect:
        result = plan.build_plan([MACSEC], hv)
        rows = {r["mode"]: r for r in result["modes"]}
        assert rows["macsec"]["status"] == "chosen" and rows["macsec"]["overhead"] == 40
        assert rows["vti"]["status"] == "refused" and "it would have saved 24 bytes" in rows["vti"]["why"]
        assert "macsec" in result["mode_table"] and result["hosts"]["p1"]["links"][0]["carrier"]["macsec_capable"]
        return
    errors = errors_of([MACSEC], hv)
    assert len(errors) == len(expect)
    for error, start in zip(errors, expect, strict=True):
        assert error.startswith(start), error
        assert error.endswith("Fix: use mode: gre_ipsec.") or "gre_ipsec" in error.split("Fix:")[1]


def test_port_rules_of_the_capability_map():
    assert capabilities.macsec_port_support("ios", "ASR1001-X", "GigabitEthernet0/0/3")["supported"]
    epa = capabilities.macsec_port_support("ios", "asr1001-x", "TenGigabitEthernet0/1/0")
    assert epa["supported"] is False and "built-in ports only" in epa["reason"]
    assert capabilities.macsec_port_support("junos", "SRX380", "ge-0/0/5.0")["supported"]
    assert capabilities.macsec_port_support("junos", None, "ge-0/0/5.0")["supported"] is None
    assert capabilities.port_speed_mbps("TenGigabitEthernet0/0/0") == 10000 and capabilities.port_speed_mbps("lo0") is None


def test_mode_table_without_facts_says_unknown():
    result = plan.build_plan([MACSEC], HOSTVARS)
    row = next(r for r in result["modes"] if r["mode"] == "macsec")
    assert row["status"] == "chosen" and "the router model is not known" in row["why"]


# --------------------------------------------------------------------------- facts: the hardware inventory


def test_inventory_facts():
    ios_inv = 'NAME: "Chassis", DESCR: "Cisco ASR1001-X Chassis"\nPID: ASR1001-X         , VID: V07  , SN: 1\n\n'
    assert facts.ios_inventory(ios_inv) == [{"name": "Chassis", "descr": "Cisco ASR1001-X Chassis", "pid": "ASR1001-X"}]
    doc = {"chassis-inventory": [{"chassis": [{"name": [{"data": "Chassis"}], "description": [{"data": "SRX380"}]}]}]}
    assert facts.junos_inventory(json.dumps(doc))[0]["pid"] == "SRX380"
    running = "interface GigabitEthernet2\n ip mtu 1460\n mpls mtu 1468\n macsec network-link\n"
    f = facts.parse_facts("ios", ["cisco C8000V (VXE) processor with 1K bytes of memory.", running, "", ios_inv])
    gi2 = f["interfaces"]["GigabitEthernet2"]
    assert f["model"] == "ASR1001-X" and gi2["macsec"] and gi2["ip_mtu"] == 1460 and gi2["port_ip_mtu"] == 1500


# --------------------------------------------------------------------------- verify

PLAN = plan.build_plan([MACSEC], HOSTVARS)["hosts"]
IOS_MKA = f"""
MKA Detailed Status for MKA Session
===================================
Status: SECURED - Secured MKA Session with MACsec

Interface Name........... GigabitEthernet2
CAK Name (CKN)........... {CKN.upper()}
Key Server............... YES
SAK Cipher Suite......... 0080C20001000002 (GCM-AES-256)

# of MACsec Capable Live Peers............ 1
"""
IOS_SA = """ MACsec is enabled
  Include SCI : yes
  Cipher : GCM-AES-256
  Confidentiality Offset : 0

 Access control : must secure

 Transmit Secure Channels
  SCI : 5254001B75980002
   SA State: inUse(1)
   SC Statistics
    Auth-only Pkts : {auth}
    Encrypted Pkts : {enc}

 Receive Secure Channels
  SCI : 5254008FC5A20001
   SA State: inUse(1)
   SC Statistics
    Notvalid pkts 0
    Invalid pkts 0
    Valid pkts {rx}
    Uncheck pkts 0
"""


def junos_mka(state="Secured - Primary", ckn=CKN, key_server="no", peers=1):
    sess = {"interface-name": [{"data": "ge-0/0/0"}], "interface-state": [{"data": state}],
            "cak-name": [{"data": ckn}], "key-server": [{"data": key_server}],
            "mka-peer-information": [{"member-identifier": [{"data": "AB"}]}] * peers}
    return {"mka-session-information": [sess]}


def junos_conn(status="inuse"):
    sa = [{"association-number-status": [{"data": status}]}]
    return {"macsec-connection-information": [{
        "macsec-interface-common-information": [{"cipher-suite": [{"data": "GCM-AES-256"}], "offset": [{"data": "0"}],
                                                 "include-sci": [{"data": "yes"}]}],
        "outbound-secure-channel": [{"outbound-secure-association": sa}],
        "inbound-secure-channel": [{"inbound-secure-association": sa}]}]}


def junos_stats(enc, rx, protected=0):
    return {"macsec-statistics": [{"secure-channel-sent": [{"encrypted-packets": [{"data": str(enc)}],
                                                            "protected-packets": [{"data": str(protected)}]}],
                                   "secure-channel-received": [{"ok-packets": [{"data": str(rx)}],
                                                                "validated-bytes": [{"data": "0"}]}]}]}


def test_commands_and_carrier_view():
    assert V.show_commands("mka_session", PLAN["p1"], "core1") == ["show mka sessions interface GigabitEthernet2 detail"]
    assert V.show_commands("macsec_sa", PLAN["p2"], "core1")[0] == (
        "show security macsec connections interface ge-0/0/0 | display json")
    # the IGP/LDP/ping checks of a macsec link run on the carrier, to the peer's carrier address
    assert V.show_commands("mtu_ping", PLAN["p1"], "core1")[0] == "ping 192.0.2.1 size 1460 df-bit repeat 3"
    assert V.show_commands("lsp_ping", PLAN["p1"], "core1")[0].endswith("output interface GigabitEthernet2")
    entry = PLAN["p1"]["links"][0]
    assert V.checks_for(entry, V.CHECKS) == [c for c in V.CHECKS if c not in V.NOT_FOR_MODE["macsec"]
                                             and c not in ("ike_sa", "ipsec_sa", "gdoi_registered")]
    assert "mka_session" not in V.checks_for({"mode": "gre_ipsec"}, V.CHECKS)


def test_ios_checks_pass_and_fail():
    ok = V.run_check("mka_session", [IOS_MKA], PLAN["p1"], "core1")
    assert ok["status"] == "pass" and CKN not in ok["detail"] and CKN.upper() not in ok["detail"], ok
    other = V.run_check("mka_session", [IOS_MKA.replace(CKN.upper(), "00AA")], PLAN["p1"], "core1")
    assert other["status"] == "fail" and "another CKN" in other["detail"]
    init = IOS_MKA.replace("SECURED - Secured MKA Session with MACsec", "INITIALIZING - Searching for Peer")
    assert "not secured" in V.run_check("mka_session", [init], PLAN["p1"], "core1")["detail"]
    sa = [IOS_SA.format(auth=0, enc=10, rx=10), "!!!!!", IOS_SA.format(auth=0, enc=15, rx=15)]
    assert V.run_check("macsec_sa", sa, PLAN["p1"], "core1")["status"] == "pass"
    still = [sa[0], "", sa[0]]
    assert "did not move" in V.run_check("macsec_sa", still, PLAN["p1"], "core1")["detail"]
    clear = [sa[0], "", IOS_SA.format(auth=3, enc=15, rx=15)]
    assert "sent integrity-only 3" in V.run_check("macsec_sa", clear, PLAN["p1"], "core1")["detail"]


def test_junos_checks_pass_and_fail():
    ok = V.run_check("mka_session", [junos_mka()], PLAN["p2"], "core1")
    assert ok["status"] == "pass", ok
    assert "this router is the key server" in V.run_check("mka_session", [junos_mka(key_server="yes")], PLAN["p2"],
                                                          "core1")["detail"]
    assert V.run_check("mka_session", [junos_mka(state="Unsecured", peers=0)], PLAN["p2"], "core1")["status"] == "fail"
    good = [junos_conn(), junos_stats(5, 5), "", junos_stats(10, 10)]
    assert V.run_check("macsec_sa", good, PLAN["p2"], "core1")["status"] == "pass"
    idle = [junos_conn("not-inuse"), junos_stats(5, 5), "", junos_stats(10, 10)]
    assert "expected both in use" in V.run_check("macsec_sa", idle, PLAN["p2"], "core1")["detail"]


# --------------------------------------------------------------------------- masking


def test_mka_keys_masked_in_every_form():
    text = "\n".join([f" key {CKN}", "  key-string 7 0822455D0A16", f"  key-string {CAK}",
                      f"set security macsec connectivity-association X pre-shared-key ckn {CKN}",
                      f"set security macsec connectivity-association X pre-shared-key cak {CAK}",
                      f"        ckn {CKN};", '        cak "$9$abc"; ## SECRET-DATA'])
    masked = device.mask(text)
    assert CKN not in masked and CAK not in masked and "0822455D0A16" not in masked and "$9$" not in masked
    assert masked.count("<masked>") == 7


def test_facts_read_the_mka_key_chain_as_digests_only():
    """The keys of the carrier's MKA key chain (rotate_p2p's rollover renders from them): digests of the CKNs, whether
    a lifetime is set; neither the CKN nor the CAK enters the facts."""
    other = secrets.token_hex(16)
    running = "\n".join([
        "key chain MPLSSEC-CORE1 macsec", f" key {CKN}", "  cryptographic-algorithm aes-256-cmac",
        "  key-string 7 0822455D0A16", "  lifetime local 00:00:00 Jan 1 2020 10:00:00 Jan 1 2027", " !",
        f" key {other}", "  key-string 7 0822455D0A16", " !",
        "interface GigabitEthernet2", " ip address 192.0.2.0 255.255.255.254", " macsec network-link",
        " mka pre-shared-key key-chain MPLSSEC-CORE1", ""])
    f = facts.parse_facts("ios", ["cisco ASR1001-X (1NG) processor", running, "", ""])
    assert f["interfaces"]["GigabitEthernet2"]["mka_key_chain"] == "MPLSSEC-CORE1"
    assert f["mka_key_chains"]["MPLSSEC-CORE1"] == [{"ckn_sha256": facts.ckn_digest(CKN), "lifetime": True},
                                                    {"ckn_sha256": facts.ckn_digest(other), "lifetime": False}]
    assert facts.ckn_digest(CKN) == V._ckn_digest(CKN.upper())      # the plan's and the verify's digest
    dumped = json.dumps(f["mka_key_chains"])
    assert CKN not in dumped and other not in dumped and "0822455D0A16" not in dumped

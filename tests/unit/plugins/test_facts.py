# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parsers of the gather step (plugins/plugin_utils/facts.py) against real captures and documented samples.

Sources:
- reference configs/ios/vti_ikev1_01.cfg (tests/mplssec_reference.py): a real IOS-XE (CSR) show running-config (batfish lab-validation),
  with pre-shared keys in its keyrings: none of them may reach the facts.
- reference configs/junos/junos_st0_01.cfg: a set-format SRX export (batfish srx-testbed); its zones are
  turned into the Junos JSON shape (named lists, [null] for empty leaves) by to_junos_json() below.
- show security flow status text: Juniper CLI reference "show security flow status" (field names) and a public vSRX
  capture quoted in a blog post ("MPLS forwarding mode: packet based", "ISO forwarding mode: drop"); node0/node1
  blocks from a public SRX cluster capture ("Inet6 forwarding mode: flow based", "MPLS forwarding mode: drop").
- flow status XML/JSON element names flow-forwarding-mode-{inet,inet6,mpls,iso}: public Juniper automation test
  data (<flow-status-all><flow-forwarding-mode>...).
- IOS show version / dir flash: lines: the formats cisco.ios' cliconf parses (Version (\\S+), ^cisco (\\S+).+bytes of memory).
"""

from __future__ import annotations

import json

import pytest
from mplssec_reference import REFERENCE, REFERENCE_TEST

from ansible_collections.mplssec.p2p.plugins.plugin_utils import facts

REF = REFERENCE / "configs"

IOS_VERSION = """Cisco IOS XE Software, Version 17.09.04a
Cisco IOS Software [Cupertino], Virtual XE Software (X86_64_LINUX_IOSD-UNIVERSALK9-M), Version 17.9.4a, RELEASE SOFTWARE (fc3)
p1 uptime is 3 weeks, 2 days, 1 hour, 4 minutes
cisco C8000V (VXE) processor (revision VXE) with 1987213K/3075K bytes of memory.
"""

IOS_DIR = """Directory of bootflash:/

   11  drwx            16384  Dec 02 2026 09:09:33 +00:00  lost+found
   12  -rw-             2210  Dec 02 2026 09:09:33 +00:00  mplssec-core1-pre.cfg
   13  -rw-               11  Dec 02 2026 09:09:33 +00:00  packages.conf

11353194496 bytes total (9853194496 bytes free)
"""

# An IOS-XE P router whose OSPF runs through network statements (Cisco IOS-XE OSPF guide syntax).
IOS_NETWORK = """interface Loopback0
 ip address 203.0.113.1 255.255.255.255
!
interface GigabitEthernet2
 description carrier
 mtu 1600
 ip address 192.0.2.0 255.255.255.254
 ip access-group EDGE-IN in
 ipv6 traffic-filter EDGE6-IN in
 ip ospf message-digest-key 1 md5 s3cr3tOSPF
 ip ospf cost 20
 mpls ip
!
interface GigabitEthernet3
 ip address 10.9.9.1 255.255.255.0
 ip ospf 2 area 5
!
interface Tunnel100
 ip address 198.51.100.40 255.255.255.254
 tunnel destination 192.0.2.99
!
crypto ikev2 keyring MPLSSEC-CORE1
 peer p2
  pre-shared-key local Zz9-secret-keyring-psk
!
router ospf 1
 router-id 203.0.113.1
 passive-interface Loopback0
 network 203.0.113.1 0.0.0.0 area 0
 network 192.0.2.0 0.0.0.255 area 0
 network 10.9.9.0 0.0.0.255 area 0
!
end
"""


def ios(running: str) -> dict:
    return facts.parse_facts("ios", [IOS_VERSION, running, IOS_DIR])


MYPUBKEY = """\
% Key pair was generated at: 10:02:11 UTC Dec 8 2026
Key name: MPLSSEC-GV-P2P
Key type: RSA KEYS
 Storage Device: private-config
 Usage: General Purpose Key
 Key is exportable. Redundancy enabled.
 Key Data:
  30820122 300D0609 2A864886 F70D0101 01050003 82010F00 3082010A 02820101
  00C0FFEE 0203 010001
% Key pair was generated at: 10:02:12 UTC Dec 8 2026
Key name: p1.example.net
Key type: RSA KEYS
 Storage Device: not specified
 Usage: General Purpose Key
 Key is not exportable.
 Key Data:
  305C300D 06092A86
% Key pair was generated at: 10:02:13 UTC Dec 8 2026
Key name: p1.example.net.server
Temporary key
 Usage: Encryption Key
 Key is not exportable.
 Key Data:
  307C300D
"""


def test_rsa_key_pairs_by_name_with_their_public_key():
    got = facts.ios_rsa_keys(MYPUBKEY)
    assert got == {"MPLSSEC-GV-P2P": {"data": "30820122300D06092A864886F70D01010105000382010F003082010A0282010100C0FFEE"
                                              "0203010001", "exportable": True},
                   "p1.example.net": {"data": "305C300D06092A86", "exportable": False},
                   "p1.example.net.server": {"data": "307C300D", "exportable": False}}
    assert facts.parse_facts("ios", [IOS_VERSION, "hostname p1\n", IOS_DIR])["rsa_keys"] == {}   # older outputs


def test_gather_commands_one_call_per_router():
    assert facts.gather_commands("ios", []) == ["show version", "show running-config", "dir flash:", "show inventory",
                                                "show crypto key mypubkey rsa"]
    assert facts.gather_commands("junos", []) == ["show version | display json", "show configuration | display json",
                                                  "show security flow status | display json",
                                                  "show chassis hardware | display json"]
    with pytest.raises(facts.FactsError):
        facts.gather_commands("eos", [])


def test_ios_version_model_files():
    f = ios(IOS_NETWORK)
    assert (f["platform"], f["model"], f["version"], f["hostname"]) == ("ios", "C8000V", "17.09.04a", "p1")
    assert f["files"] == ["mplssec-core1-pre.cfg"]


def test_ios_network_statement_wildcard_match():
    f = ios(IOS_NETWORK)
    gi2 = f["interfaces"]["GigabitEthernet2"]
    assert gi2["ospf"] == {"process": 1, "area": 0, "via": "network", "network": "192.0.2.0 0.0.0.255 area 0",
                           "cost": 20, "passive": False}
    assert (gi2["acl_in"], gi2["acl6_in"], gi2["mtu"], gi2["ip_mtu"], gi2["mpls"], gi2["ldp"]) == \
        ("EDGE-IN", "EDGE6-IN", 1600, 1600, True, True)
    # interface mode wins over a matching network statement (Cisco: ip ospf area takes precedence)
    assert f["interfaces"]["GigabitEthernet3"]["ospf"]["via"] == "interface"
    assert f["interfaces"]["GigabitEthernet3"]["ospf"]["area"] == 5
    assert f["interfaces"]["Loopback0"]["ospf"]["passive"] is True


@pytest.mark.parametrize(("address", "network", "wildcard", "hit"), [
    ("192.0.2.0", "192.0.2.0", "0.0.0.255", True),
    ("192.0.2.1", "192.0.2.0", "0.0.0.0", False),
    ("192.0.2.1", "0.0.0.0", "255.255.255.255", True),  # network 0.0.0.0 255.255.255.255: every interface
    ("10.1.1.1", "10.0.0.0", "0.255.255.255", True),
    ("11.1.1.1", "10.0.0.0", "0.255.255.255", False),
    ("192.0.2.5", "192.0.2.4", "0.0.0.3", True),
])
def test_wildcard_match(address, network, wildcard, hit):
    assert facts.wildcard_match(address, network, wildcard) is hit


def test_ios_secrets_never_in_facts():
    f = ios(IOS_NETWORK)
    text = json.dumps(f)
    assert "Zz9-secret-keyring-psk" not in text and "s3cr3tOSPF" not in text
    assert f["objects"] == ["crypto ikev2 keyring MPLSSEC-CORE1"]
    assert f["interfaces"]["Tunnel100"]["ipv4"] == ["198.51.100.40/31"]


@REFERENCE_TEST
def test_ios_real_running_config_capture():
    path = REF / "ios" / "vti_ikev1_01.cfg"
    running = path.read_text()
    f = ios(running)
    assert f["interfaces"]["Tunnel1"]["ipv4"] == ["169.254.25.162/30"]
    assert f["interfaces"]["Tunnel1"]["tunnel_destination"] == "3.19.24.131"
    assert f["interfaces"]["GigabitEthernet1"]["ipv4"] == ["10.10.100.2/24"]
    assert f["interfaces"]["GigabitEthernet1"]["ospf"] is None
    text = json.dumps(f)
    for line in running.splitlines():
        if "pre-shared-key" in line:
            assert line.split()[-1] not in text


# --------------------------------------------------------------------------- Junos


def to_junos_json(set_lines: list[str]) -> dict:
    """The Junos JSON shape of the zone/interface statements used here (named lists, [null] leaves)."""
    cfg: dict = {"interfaces": {"interface": []}, "security": {"zones": {"security-zone": []}}}

    def named(lst: list, name: str) -> dict:
        for item in lst:
            if item["name"] == name:
                return item
        item = {"name": name}
        lst.append(item)
        return item

    for line in set_lines:
        w = line.split()
        if w[:4] == ["set", "security", "zones", "security-zone"]:
            zone = named(cfg["security"]["zones"]["security-zone"], w[4])
            if w[5] == "host-inbound-traffic" and w[6] == "system-services":
                svc = named(zone.setdefault("host-inbound-traffic", {}).setdefault("system-services", []), w[7])
                if len(w) > 8 and w[8] == "except":
                    svc["except"] = [None]
            elif w[5] == "interfaces":
                member = named(zone.setdefault("interfaces", []), w[6])
                if len(w) > 9 and w[7] == "host-inbound-traffic" and w[8] == "system-services":
                    svc = named(member.setdefault("host-inbound-traffic", {}).setdefault("system-services", []), w[9])
                    if len(w) > 10 and w[10] == "except":
                        svc["except"] = [None]
        elif w[:2] == ["set", "interfaces"] and len(w) > 5 and w[3] == "unit":
            phys = named(cfg["interfaces"]["interface"], w[2])
            unit = named(phys.setdefault("unit", []), w[4])
            if w[5:8] == ["family", "inet", "address"]:
                unit.setdefault("family", {}).setdefault("inet", {}).setdefault("address", []).append({"name": w[8]})
            elif w[5:9] == ["family", "inet", "filter", "input"]:
                unit.setdefault("family", {}).setdefault("inet", {})["filter"] = {"input": {"filter-name": w[9]}}
    return {"configuration": cfg}


VERSION_JSON = {"software-information": [{"host-name": [{"data": "p2"}], "product-model": [{"data": "vsrx"}],
                                          "junos-version": [{"data": "23.4R2-S3.9"}]}]}
FLOW_TEXT = """Flow forwarding mode:
Inet forwarding mode: flow based
Inet6 forwarding mode: flow based
MPLS forwarding mode: packet based
ISO forwarding mode: drop
Flow trace status
Flow tracing status: off
"""


def junos(config: dict, flow=FLOW_TEXT) -> dict:
    return facts.parse_facts("junos", [VERSION_JSON, config, flow])


@REFERENCE_TEST
def test_junos_real_srx_zones_capture():
    path = REF / "junos" / "junos_st0_01.cfg"
    lines = [ln for ln in path.read_text().splitlines() if ln.startswith(("set security zones", "set interfaces"))]
    f = junos(to_junos_json(lines))
    assert f["interfaces"]["ge-0/0/0.0"]["zone"] == "untrust"
    assert f["interfaces"]["ge-0/0/0.0"]["zone_ike"] is True   # untrust: system-services ike
    assert f["interfaces"]["ge-0/0/2.0"]["zone"] == "hostos"
    assert f["interfaces"]["ge-0/0/2.0"]["zone_ike"] is False  # hostos: ping, ssh only
    assert f["security"]["zones"]["trust"]["ike"] is False


@pytest.mark.parametrize(("lines", "ike"), [
    (["set security zones security-zone z host-inbound-traffic system-services all"], True),
    (["set security zones security-zone z host-inbound-traffic system-services all",
      "set security zones security-zone z host-inbound-traffic system-services ike except"], False),
    (["set security zones security-zone z host-inbound-traffic system-services ssh"], False),
    # interface-level services override the zone's
    (["set security zones security-zone z host-inbound-traffic system-services ike",
      "set security zones security-zone z interfaces ge-0/0/0.0 host-inbound-traffic system-services ssh"], False),
    (["set security zones security-zone z host-inbound-traffic system-services ssh",
      "set security zones security-zone z interfaces ge-0/0/0.0 host-inbound-traffic system-services ike"], True),
])
def test_junos_zone_admits_ike(lines, ike):
    base = ["set interfaces ge-0/0/0 unit 0 family inet address 192.0.2.1/31",
            "set security zones security-zone z interfaces ge-0/0/0.0"]
    f = junos(to_junos_json(base + lines))
    assert f["interfaces"]["ge-0/0/0.0"]["zone"] == "z"
    assert f["interfaces"]["ge-0/0/0.0"]["zone_ike"] is ike


def test_junos_filter_and_no_zone():
    f = junos(to_junos_json(["set interfaces ge-0/0/0 unit 0 family inet address 192.0.2.1/31",
                             "set interfaces ge-0/0/0 unit 0 family inet filter input EDGE-IN"]))
    unit = f["interfaces"]["ge-0/0/0.0"]
    assert (unit["acl_in"], unit["zone"], unit["zone_ike"], unit["ipv4"]) == ("EDGE-IN", None, None, ["192.0.2.1/31"])
    assert (f["model"], f["version"]) == ("vsrx", "23.4R2-S3.9")


def test_flow_status_text_json_and_cluster():
    assert facts.parse_flow_status(FLOW_TEXT) == {"inet": "flow-based", "inet6": "flow-based", "mpls": "packet-based",
                                                  "iso": "drop"}
    doc = {"flow-status-all": [{"flow-forwarding-mode": [{
        "flow-forwarding-mode-inet": [{"data": "flow based"}], "flow-forwarding-mode-inet6": [{"data": "flow based"}],
        "flow-forwarding-mode-mpls": [{"data": "drop"}], "flow-forwarding-mode-iso": [{"data": "drop"}]}]}]}
    assert facts.parse_flow_status(doc)["mpls"] == "drop"
    assert facts.parse_flow_status(json.dumps(doc))["inet6"] == "flow-based"
    cluster = ("node0:\n----\n  Flow forwarding mode:\n    MPLS forwarding mode: packet based\n"
               "node1:\n----\n  Flow forwarding mode:\n    MPLS forwarding mode: drop\n")
    assert facts.parse_flow_status(cluster)["mpls"] == "drop"  # the least capable node counts
    assert facts.parse_flow_status("")["mpls"] is None


def test_junos_configured_modes_and_tcp_mss():
    cfg = {"configuration": {"security": {
        "forwarding-options": {"family": {"mpls": {"mode": "packet-based"}, "iso": {"mode": "packet-based"}}},
        "flow": {"tcp-mss": {"ipsec-vpn": {"mss": "1350"}}}}}}
    f = junos(cfg, flow=FLOW_TEXT)
    assert f["security"]["flow_configured"] == {"inet6": None, "iso": "packet-based", "mpls": "packet-based"}
    assert f["security"]["flow_active"]["iso"] == "drop"  # configured, not active: needs a reboot
    assert f["security"]["tcp_mss_ipsec_vpn"] == 1350


def test_junos_objects_and_units():
    cfg = {"configuration": {
        "interfaces": {"interface": [{"name": "st0", "unit": [{"name": "100", "family": {"inet": {"address": [
            {"name": "198.51.100.200/31"}]}}}]}]},
        "security": {"ike": {"gateway": [{"name": "MPLSSEC-CORE1", "ike-policy": "MPLSSEC-CORE1"}],
                             "policy": [{"name": "MPLSSEC-CORE1", "pre-shared-key": {"ascii-text": "$9$secret"}}]}}}}
    f = junos(cfg)
    assert f["objects"] == ["security ike gateway MPLSSEC-CORE1", "security ike policy MPLSSEC-CORE1"]
    assert f["interfaces"]["st0.100"]["ipv4"] == ["198.51.100.200/31"]
    assert "$9$secret" not in json.dumps(f)


def test_outputs_count_checked():
    with pytest.raises(facts.FactsError, match="expected 5 outputs"):
        facts.parse_facts("ios", ["x"])


def test_junos_inactive_statements_are_absent():
    """The cut-over deactivates MPLS, LDP and OSPF on the carrier (junos/cutover.j2): the router ignores them, so do
    the facts. Junos JSON: a named entry's or container's attributes in "@", a leaf's in a sibling "@<name>"."""
    cfg = {"configuration": {
        "interfaces": {"interface": [{"name": "ge-0/0/0", "unit": [{"name": "0", "family": {
            "inet": {"address": [{"name": "192.0.2.1/31"}]}, "mpls": {"@": {"inactive": True}}}}]}]},
        "protocols": {
            "mpls": {"interface": [{"name": "ge-0/0/0.0", "@": {"inactive": True}}, {"name": "lo0.0"}]},
            "ldp": {"interface": [{"name": "ge-0/0/0.0", "@": {"inactive": True}}]},
            "ospf": {"area": [{"name": "0.0.0.0", "interface": [
                {"name": "ge-0/0/0.0", "@": {"inactive": True}, "metric": "10"},
                {"name": "ge-0/0/1.0", "metric": "10", "@metric": {"inactive": True}}]}]}}}}
    unit = junos(cfg)["interfaces"]["ge-0/0/0.0"]
    assert (unit["mpls"], unit["ldp"], unit["ospf"]) == (False, False, None)
    assert facts._active(cfg)["configuration"]["protocols"]["ospf"]["area"][0]["interface"] == [{"name": "ge-0/0/1.0"}]

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit comparison (plugins/plugin_utils/audit.py) on hand-written configurations of both vendors.

The device configurations below are written the way IOS-XE `show running-config` and Junos `show configuration`
print (indentation, `!`, braces, `## SECRET-DATA`, `inactive:`, lists in brackets); the phases are small renders in
the deploy templates' syntax. The lab-backed test (tests/integration/test_audit_lab.py) runs the real templates
against the emulated routers.
"""

from __future__ import annotations

import pytest

from ansible_collections.mplssec.p2p.plugins.plugin_utils import audit

P = audit.PSK_PLACEHOLDER
IOS_PHASES = [
    {"name": "phase1", "text": f"crypto ikev2 keyring MPLSSEC-CORE1\n peer MPLSSEC-CORE1\n  address 192.0.2.1\n"
                               f"  pre-shared-key {P}\ninterface Tunnel100\n description MPLSSEC core1 gre to p2\n ip mtu 1414\n"},
    {"name": "phase3", "text": "interface Tunnel100\n ip ospf 1 area 0\n mpls ip\n"},
    {"name": "phase4", "text": "interface GigabitEthernet2\n no mpls ip\n no ip ospf 1 area 0\n"},
]
IOS_CLEAR = """Building configuration...
!
hostname p1
!
interface GigabitEthernet2
 ip address 192.0.2.0 255.255.255.254
 ip ospf 1 area 0
 mpls ip
!
end
"""
IOS_DEPLOYED = """hostname p1
!
crypto ikev2 keyring MPLSSEC-CORE1
 peer MPLSSEC-CORE1
  address 192.0.2.1
  pre-shared-key 6 bQ]bW\\ZAHdPSGIHRaEJ^cQWGdFEVTAAB
!
interface Tunnel100
 description MPLSSEC core1 gre to p2
 ip mtu 1414
 ip ospf 1 area 0
 mpls ip
!
interface GigabitEthernet2
 ip address 192.0.2.0 255.255.255.254
!
end
"""


def state(platform, config, phases):
    return audit.audit_link(platform, config, phases)


def test_ios_states():
    assert state("ios", IOS_CLEAR, IOS_PHASES)["state"] == "clear"
    out = state("ios", IOS_DEPLOYED, IOS_PHASES)
    assert out["state"] == "matching", out
    # a deploy that stopped after phase 1: tunnel up, IGP/LDP still on the carrier
    stopped = IOS_DEPLOYED.replace(" ip ospf 1 area 0\n mpls ip\n!\ninterface GigabitEthernet2\n ip address 192.0.2.0 255.255.255.254\n",
                                   "!\ninterface GigabitEthernet2\n ip address 192.0.2.0 255.255.255.254\n ip ospf 1 area 0\n mpls ip\n")
    out = state("ios", stopped, IOS_PHASES)
    assert (out["state"], out["detail"]) == ("half_deployed", "half_deployed: phase1 in place, phase3, phase4 not applied")
    # drift: another MTU on the tunnel, and OSPF back on the carrier; parents are named, the PSK never
    drifted = IOS_DEPLOYED.replace(" ip mtu 1414", " ip mtu 1400").replace(" ip address 192.0.2.0 255.255.255.254\n!",
                                                                           " ip address 192.0.2.0 255.255.255.254\n ip ospf 1 area 0\n!")
    out = state("ios", drifted, IOS_PHASES)
    assert out["state"] == "drifted"
    assert "phase1: interface Tunnel100 / ip mtu 1414" in out["detail"]
    assert "phase4: interface GigabitEthernet2 / ip ospf 1 area 0 (must be absent)" in out["detail"]
    assert P not in out["detail"] and "bQ]bW" not in out["detail"]


def test_ios_a_line_under_another_parent_does_not_count():
    moved = IOS_DEPLOYED.replace("interface Tunnel100\n description MPLSSEC core1 gre to p2\n ip mtu 1414\n",
                                 "interface Tunnel100\n description MPLSSEC core1 gre to p2\n!\ninterface Tunnel200\n ip mtu 1414\n")
    assert "interface Tunnel100 / ip mtu 1414" in state("ios", moved, IOS_PHASES)["detail"]


def test_ios_missing_key_is_drift():
    out = state("ios", IOS_DEPLOYED.replace("  pre-shared-key 6 bQ]bW\\ZAHdPSGIHRaEJ^cQWGdFEVTAAB\n", ""), IOS_PHASES)
    assert out["state"] == "drifted" and "pre-shared-key <psk>" in out["detail"]


JUNOS_PHASES = [
    {"name": "phase1", "text": f'set security ike policy MPLSSEC-CORE1 pre-shared-key ascii-text "{P}"\n'
                               "set interfaces gr-0/0/0 unit 100 description \"MPLSSEC core1 gre to p1\"\n"
                               "set interfaces gr-0/0/0 unit 100 family mpls\n"
                               "set security forwarding-options family mpls mode packet-based\n"},
    {"name": "phase4", "text": "delete protocols ldp interface ge-0/0/0.0\ndelete interfaces ge-0/0/0 unit 0 family mpls\n"},
    {"name": "phase5", "text": "set firewall family inet filter MPLSSEC-CORE1-CARRIER term deny then discard\n"
                               "set interfaces ge-0/0/0 unit 0 family inet filter input MPLSSEC-CORE1-CARRIER\n"},
]
JUNOS_CLEAR = """## Last commit: 2026-12-02 13:44:36 UTC by root
version 23.4R2-S3.9;
interfaces {
    ge-0/0/0 {
        unit 0 {
            description "carrier circuit core1 to p1";
            family {
                inet {
                    address 192.0.2.1/31;
                }
                mpls;
            }
        }
    }
}
protocols {
    ldp {
        interface ge-0/0/0.0;
    }
}
security {
    forwarding-options {
        family {
            mpls {
                mode packet-based;
            }
        }
    }
}
"""
JUNOS_DEPLOYED = """## Last commit: 2026-12-02 13:50:01 UTC by admin
version 23.4R2-S3.9;
/* encrypted by mplssec.p2p */
interfaces {
    ge-0/0/0 {
        unit 0 {
            family {
                inet {
                    filter {
                        input MPLSSEC-CORE1-CARRIER;
                    }
                    address 192.0.2.1/31;
                }
            }
        }
    }
    gr-0/0/0 {
        unit 100 {
            description "MPLSSEC core1 gre to p1";
            family {
                mpls;
            }
        }
    }
}
firewall {
    family {
        inet {
            filter MPLSSEC-CORE1-CARRIER {
                term deny {
                    then {
                        discard;
                    }
                }
            }
        }
    }
}
security {
    ike {
        policy MPLSSEC-CORE1 {
            pre-shared-key ascii-text "$9$Hk5FCA0hSeK8X7"; ## SECRET-DATA
        }
    }
    forwarding-options {
        family {
            mpls {
                mode packet-based;
            }
        }
    }
}
"""


def test_junos_states():
    assert state("junos", JUNOS_CLEAR, JUNOS_PHASES)["state"] == "clear"
    assert state("junos", JUNOS_DEPLOYED, JUNOS_PHASES)["state"] == "matching"
    # the filter written but not applied to the carrier: a partial phase is drift, not a stopped deploy
    unapplied = JUNOS_DEPLOYED.replace("                        input MPLSSEC-CORE1-CARRIER;\n", "")
    out = state("junos", unapplied, JUNOS_PHASES)
    assert out["state"] == "drifted" and "phase5: set interfaces ge-0/0/0 unit 0 family inet filter input" in out["detail"]
    # no filter at all: phases 1 and 4 in place, phase 5 not applied (a deploy that stopped before fail-closed)
    firewall = unapplied[unapplied.index("firewall {"):unapplied.index("security {")]
    out = state("junos", unapplied.replace(firewall, ""), JUNOS_PHASES)
    assert (out["state"], out["detail"]) == ("half_deployed", "half_deployed: phase1, phase4 in place, phase5 not applied")
    out = state("junos", JUNOS_DEPLOYED.replace("            family {\n                mpls;\n            }\n        }\n    }\n}",
                                                "            family {\n                mpls;\n            }\n        }\n    }\n}\n"
                                                "protocols {\n    ldp {\n        interface ge-0/0/0.0;\n    }\n}"), JUNOS_PHASES)
    assert out["state"] == "drifted"
    assert "phase4: set protocols ldp interface ge-0/0/0.0 (must be absent)" in out["detail"]
    assert "$9$" not in out["detail"]


def test_junos_set_lines_of_the_curly_form():
    text = """## Last changed: x
system {
    host-name p2;
    /* a comment
       over two lines */
    name-server [ 192.0.2.53 198.51.100.53 ];
    inactive: ntp {
        server 192.0.2.123;
    }
    login {
        message "two words; and a brace {";
    }
}
"""
    assert audit.junos_set_lines(text) == [
        "set system host-name p2",
        "set system name-server 192.0.2.53",
        "set system name-server 198.51.100.53",
        "set system ntp server 192.0.2.123",
        "set system login message two words; and a brace {",
        "deactivate system ntp",        # as display set prints an inactive block: its set lines, then deactivate
    ]
    already = "set system host-name p2\nset system services ssh\ndeactivate system services ssh\n"
    assert audit.junos_set_lines(already) == ["set system host-name p2", "set system services ssh",
                                              "deactivate system services ssh"]
    leaf = "interfaces {\n    ge-0/0/0 {\n        unit 0 {\n            inactive: family mpls;\n        }\n    }\n}\n"
    assert audit.junos_set_lines(leaf) == ["set interfaces ge-0/0/0 unit 0 family mpls",
                                           "deactivate interfaces ge-0/0/0 unit 0 family mpls"]


def test_results_have_the_verify_shape_and_bad_input_is_refused():
    result = audit.audit_results("core1", "p1", "ios", IOS_DEPLOYED, IOS_PHASES)
    assert result == {"link": "core1", "name": "config", "host": "p1", "status": "pass", "state": "matching",
                      "detail": "matching: all 8 lines of 3 phases are in place"}
    with pytest.raises(audit.AuditError, match="platform must be ios or junos"):
        audit.audit_link("eos", "", IOS_PHASES)
    with pytest.raises(audit.AuditError, match="name and a text"):
        audit.audit_link("ios", "", ["phase1"])

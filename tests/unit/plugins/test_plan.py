# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan: derivation (addresses, names, crypto, MTU, IGP), defaults, presets, determinism, golden plans,
and the argument spec staying in step with the model. The error catalogue is in test_plan_errors.py.

Golden plans: tests/golden/plan/<case>.json; `UPDATE_GOLDEN=1 pytest tests/unit/plugins/test_plan.py`
rewrites them (review the diff before committing).
"""

from __future__ import annotations

import copy
import json
import os
import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.mplssec.p2p.plugins.plugin_utils import capabilities, model, mtu, plan

ROOT = Path(__file__).resolve().parents[3]
GOLDEN = ROOT / "tests" / "golden" / "plan"
DELETE = object()

PSK_CORE1 = "Xk3-9vQz_LmP2wRt7sYb"  # 20 characters, test-only
PSK_CORE2 = "Hq8:Jd4@Nw6=Tc2.Vf5e"

HOSTVARS: dict[str, dict[str, Any]] = {
    "p1": {"ansible_network_os": "cisco.ios.ios", "p2p_router_id": "203.0.113.1"},
    "p2": {"ansible_network_os": "junipernetworks.junos.junos", "p2p_router_id": "203.0.113.2"},
    "p3": {"ansible_network_os": "cisco.ios.ios", "p2p_router_id": "203.0.113.3"},
    "p4": {"ansible_network_os": "cisco.ios.ios", "p2p_router_id": "203.0.113.4"},
    "sw1": {"ansible_network_os": "arista.eos.eos", "p2p_router_id": "203.0.113.9"},
    "p5": {"ansible_network_os": "cisco.ios.ios"},
}

# IOS-XE <-> Junos: gre_ipsec in tunnel mode (the only mode Junos can do).
CORE1: dict[str, Any] = {
    "name": "core1",
    "mode": "gre_ipsec",
    "ipsec_mode": "tunnel",
    "crypto": {"preset": "strong", "psk": PSK_CORE1},
    "carrier_mtu": 1500,
    "labels": 2,
    "tunnel": {"id": 100, "ipv4": "198.51.100.0/31", "ipv6": "2001:db8:ff::/127", "ipsec_ipv4": "198.51.100.128/31"},
    "igp": {"protocol": "ospf", "process_id": 1, "area": 0, "metric": 10},
    "a": {"host": "p1", "interface": "GigabitEthernet2", "address": "192.0.2.0/31"},
    "b": {"host": "p2", "interface": "ge-0/0/0.0", "address": "192.0.2.1/31"},
}

# IOS-XE <-> IOS-XE: gre_ipsec in transport mode, defaults everywhere else.
CORE2: dict[str, Any] = {
    "name": "core2",
    "crypto": {"psk": PSK_CORE2},
    "tunnel": {"id": 200, "ipv4": "198.51.100.4/30"},
    "a": {"host": "p3", "interface": "GigabitEthernet3", "address": "192.0.2.9/30"},
    "b": {"host": "p4", "interface": "GigabitEthernet3", "address": "192.0.2.10/30"},
}


def patched(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge ``patch`` into a copy of ``base``; DELETE removes a key."""
    out = copy.deepcopy(base)
    for key, value in patch.items():
        if value is DELETE:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = patched(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def entry(result: dict[str, Any], host: str, name: str) -> dict[str, Any]:
    (found,) = [e for e in result["hosts"][host]["links"] if e["name"] == name]
    return found


@pytest.fixture(scope="module")
def example() -> dict[str, Any]:
    return plan.build_plan([CORE1, CORE2], HOSTVARS)


# --------------------------------------------------------------------------- derivation


def test_hosts_and_platforms(example):
    assert list(example["hosts"]) == ["p1", "p2", "p3", "p4"]
    assert {h: (f["platform"], f["router_id"]) for h, f in example["hosts"].items()} == {
        "p1": ("ios", "203.0.113.1"), "p2": ("junos", "203.0.113.2"), "p3": ("ios", "203.0.113.3"), "p4": ("ios", "203.0.113.4")}
    assert all(f["host"] == h for h, f in example["hosts"].items())


def test_ios_side_of_a_tunnel_mode_link(example):
    e = entry(example, "p1", "core1")
    assert (e["side"], e["id"], e["mode"], e["ipsec_mode"], e["objects"]) == ("a", 100, "gre_ipsec", "tunnel", "MPLSSEC-CORE1")
    assert e["physical"] == {"interface": "GigabitEthernet2", "address": "192.0.2.0", "prefixlen": 31,
                             "netmask": "255.255.255.254", "network": "192.0.2.0/31"}
    assert e["tunnel"] == {"interface": "Tunnel100", "address": "198.51.100.0", "prefixlen": 31, "netmask": "255.255.255.254",
                           "ipv6": "2001:db8:ff::/127", "source": "Tunnel1100", "source_address": "198.51.100.128",
                           "destination": "198.51.100.129"}
    assert e["ipsec_tunnel"] == {"interface": "Tunnel1100", "address": "198.51.100.128", "prefixlen": 31,
                                 "netmask": "255.255.255.254", "source": "GigabitEthernet2", "destination": "192.0.2.1"}
    assert e["peer"] == {"host": "p2", "platform": "junos", "interface": "ge-0/0/0.0", "address": "192.0.2.1",
                         "tunnel_address": "198.51.100.1", "tunnel_ipv6": "2001:db8:ff::1/127",
                         "ipsec_address": "198.51.100.129", "router_id": "203.0.113.2"}


def test_junos_side_of_a_tunnel_mode_link(example):
    e = entry(example, "p2", "core1")
    assert e["side"] == "b"
    assert (e["tunnel"]["interface"], e["tunnel"]["address"], e["tunnel"]["ipv6"]) == ("gr-0/0/0.100", "198.51.100.1", "2001:db8:ff::1/127")
    assert (e["tunnel"]["source"], e["tunnel"]["source_address"], e["tunnel"]["destination"]) == ("st0.100", "198.51.100.129", "198.51.100.128")
    assert (e["ipsec_tunnel"]["interface"], e["ipsec_tunnel"]["address"], e["ipsec_tunnel"]["destination"]) == ("st0.100", "198.51.100.129", "192.0.2.0")
    assert e["peer"]["platform"] == "ios" and e["peer"]["tunnel_address"] == "198.51.100.0"


def test_transport_mode_slash30_link(example):
    a, b = entry(example, "p3", "core2"), entry(example, "p4", "core2")
    assert a["ipsec_mode"] == "transport" and a["ipsec_tunnel"] is None and a["peer"]["ipsec_address"] is None
    # /30: side a gets the first host, side b the second
    assert (a["tunnel"]["address"], b["tunnel"]["address"], a["tunnel"]["netmask"]) == ("198.51.100.5", "198.51.100.6", "255.255.255.252")
    assert a["tunnel"] == {"interface": "Tunnel200", "address": "198.51.100.5", "prefixlen": 30, "netmask": "255.255.255.252",
                           "ipv6": None, "source": "GigabitEthernet3", "source_address": "192.0.2.9", "destination": "192.0.2.10"}
    assert b["tunnel"]["destination"] == "192.0.2.9" and b["peer"]["tunnel_address"] == "198.51.100.5"
    assert a["physical"]["network"] == "192.0.2.8/30"


def test_defaults(example):
    e = entry(example, "p3", "core2")
    assert (e["mode"], e["ipsec_mode"], e["keep_clear_igp"], e["fail_closed"]) == ("gre_ipsec", "transport", False, True)
    assert e["igp"] == {"protocol": "ospf", "process_id": 1, "area": 0, "level": None, "metric": 10, "clear_metric": 1000}
    assert (e["mtu"]["carrier_mtu"], e["mtu"]["labels"]) == (1500, 2)
    assert e["crypto"]["auth"] == "psk"


def test_tunnel_id_defaults_to_100_plus_index():
    links = [patched(CORE1, {"tunnel": {"id": DELETE}}), patched(CORE2, {"tunnel": {"id": DELETE}})]
    result = plan.build_plan(links, HOSTVARS)
    assert entry(result, "p1", "core1")["tunnel"]["interface"] == "Tunnel100"
    assert entry(result, "p1", "core1")["ipsec_tunnel"]["interface"] == "Tunnel1100"
    assert entry(result, "p2", "core1")["ipsec_tunnel"]["interface"] == "st0.100"
    assert entry(result, "p3", "core2")["tunnel"]["interface"] == "Tunnel101"


def test_strong_preset(example):
    assert entry(example, "p1", "core1")["crypto"] == {
        "ike": {"version": 2, "encryption": "aes-gcm-256", "integrity": "none", "prf": "sha384", "dh_group": 20, "lifetime": 86400},
        "esp": {"encryption": "aes-gcm-256", "integrity": "none", "pfs_group": 20, "lifetime": 3600},
        "dpd": {"interval": 10, "retries": 3},
        "anti_replay_window": 1024,
        "auth": "psk", "trustpoint": None, "certificate": None, "certificate_subject": None,
        "peer_certificate_subject": None,
    }
    link = patched(CORE2, {"crypto": {"anti_replay_window": 256}})
    assert entry(plan.build_plan([link], HOSTVARS), "p3", "core2")["crypto"]["anti_replay_window"] == 256


def test_compatible_preset_with_overrides():
    link = patched(CORE2, {"crypto": {"preset": "compatible", "ike": {"dh_group": 19, "lifetime": 28800}, "dpd": {"retries": 5}}})
    crypto = entry(plan.build_plan([link], HOSTVARS), "p3", "core2")["crypto"]
    assert crypto["ike"] == {"version": 2, "encryption": "aes-cbc-256", "integrity": "sha256", "prf": "sha256", "dh_group": 19,
                             "lifetime": 28800}
    assert crypto["esp"] == {"encryption": "aes-cbc-256", "integrity": "sha256", "pfs_group": 14, "lifetime": 3600}
    assert crypto["dpd"] == {"interval": 10, "retries": 5}


CERTS = {"crypto": {"auth": "ecdsa-sig", "psk": DELETE, "trustpoint": "CORE-CA"},
         "a": {"certificate_subject": "CN=p1.example.net, O=Example"},
         "b": {"certificate_subject": "CN=p2.example.net,O=Example", "certificate": "p2-cert"}}


def test_certificate_auth_needs_no_psk():
    """Each router gets its own certificate id and subject, and the subject it accepts from the peer (vendor-truth
    #20: the frozen plan gave p8 p7's certificate name)."""
    result = plan.build_plan([patched(CORE1, CERTS)], HOSTVARS)
    crypto = entry(result, "p2", "core1")["crypto"]
    assert (crypto["auth"], crypto["trustpoint"], crypto["certificate"]) == ("ecdsa-sig", "CORE-CA", "p2-cert")
    assert crypto["certificate_subject"] == "CN=p2.example.net,O=Example"
    assert crypto["peer_certificate_subject"] == "CN=p1.example.net,O=Example"     # blanks removed, as the CLIs print it
    assert crypto["pki_last_on_router"] is True
    p1 = entry(result, "p1", "core1")["crypto"]
    assert (p1["certificate"], p1["certificate_subject"], p1["peer_certificate_subject"]) == (
        None, "CN=p1.example.net,O=Example", "CN=p2.example.net,O=Example")


def test_isis_igp_and_dotted_ospf_area():
    isis = patched(CORE2, {"igp": {"protocol": "isis", "process_id": "core", "metric": 100}})
    assert entry(plan.build_plan([isis], HOSTVARS), "p3", "core2")["igp"] == {
        "protocol": "isis", "process_id": "core", "area": None, "level": 2, "metric": 100, "clear_metric": 1000}
    ospf = patched(CORE2, {"igp": {"area": "0.0.0.51"}})
    assert entry(plan.build_plan([ospf], HOSTVARS), "p3", "core2")["igp"]["area"] == 51


def test_the_plan_never_contains_a_secret(example):
    dump = json.dumps(example)
    assert PSK_CORE1 not in dump and PSK_CORE2 not in dump

    def keys(node: Any) -> set[str]:
        if isinstance(node, dict):
            return set(node) | {k for v in node.values() for k in keys(v)}
        if isinstance(node, list):
            return {k for v in node for k in keys(v)}
        return set()

    assert "psk" not in keys(example)


# --------------------------------------------------------------------------- MTU


def test_mtu_values_computed_by_hand(example):
    # strong, transport, 2 labels, 1500: outer 20 + ESP 8 + IV 8 + GRE 4 + labels 8 + inner + pad + 2 + ICV 16
    # = 66 + inner (+ pad to a 4-byte boundary): 1434 fits exactly (12 + 1434 + 2 = 1448 = 4 * 362)
    assert entry(example, "p3", "core2")["mtu"] == {
        "carrier_mtu": 1500, "labels": 2, "ip_mtu": 1434, "mpls_mtu": 1442, "tcp_mss": 1394, "carrier_mtu_for_1500": 1568,
        "overhead": 66, "ipsec_ip_mtu": None,
        "warning": "carrier_mtu 1500 limits inner packets to 1434 bytes (< 1500); a carrier MTU of 1568 would carry full 1500-byte packets",
    }
    # tunnel mode adds the 20-byte GRE delivery header
    m = entry(example, "p1", "core1")["mtu"]
    assert (m["ip_mtu"], m["mpls_mtu"], m["tcp_mss"], m["carrier_mtu_for_1500"], m["overhead"]) == (1414, 1422, 1374, 1588, 86)
    assert entry(example, "p2", "core1")["mtu"] == m
    # the sVTI/st0 carries the GRE delivery packet: 20 + 4 + 8 + 1414 = 1446, what IOS-XE itself shows as
    # "plaintext mtu 1446" for esp-gcm tunnel mode over 1500 (../shared/reference show_crypto_ipsec_sa_detail/04.txt)
    assert m["ipsec_ip_mtu"] == 1446


def test_mtu_compatible_preset_by_hand():
    # AES-CBC: IV 16, ICV 16 (HMAC-SHA-256-128), ESP payload + 2 padded to 16: roundup16(12 + x + 2) <= 1500 - 60
    link = patched(CORE2, {"crypto": {"preset": "compatible"}})
    assert entry(plan.build_plan([link], HOSTVARS), "p3", "core2")["mtu"]["ip_mtu"] == 1426


def test_no_warning_when_1500_fits():
    link = patched(CORE2, {"carrier_mtu": 1600})
    result = plan.build_plan([link], HOSTVARS)
    assert entry(result, "p3", "core2")["mtu"]["warning"] is None and result["warnings"] == []


def test_carrier_mtu_exactly_for_1280_is_accepted():
    needed = mtu.wire_size(1280, encap="gre", ipsec_mode="transport", esp_encryption="aes-gcm-256", esp_integrity="none", labels=2)
    ok = plan.build_plan([patched(CORE2, {"carrier_mtu": needed})], HOSTVARS)
    assert entry(ok, "p3", "core2")["mtu"]["ip_mtu"] >= 1280
    with pytest.raises(plan.PlanValidationError, match=f"carrier_mtu: {needed - 1} cannot carry a 1280-byte inner packet"):
        plan.build_plan([patched(CORE2, {"carrier_mtu": needed - 1})], HOSTVARS)


@settings(max_examples=60, deadline=None)
@given(carrier=st.integers(min_value=1400, max_value=9216), labels=st.integers(min_value=1, max_value=8),
       preset=st.sampled_from(["strong", "compatible"]), tunnel=st.booleans())
def test_mtu_block_follows_the_architecture_formulas(carrier, labels, preset, tunnel):
    base = CORE1 if tunnel else CORE2
    link = patched(base, {"carrier_mtu": carrier, "labels": labels, "crypto": {"preset": preset}})
    esp = model.PRESETS[preset]["esp"]
    profile = {"encap": "gre", "ipsec_mode": "tunnel" if tunnel else "transport", "labels": labels,
               "esp_encryption": esp["encryption"], "esp_integrity": esp["integrity"]}
    needed = mtu.wire_size(1280, **profile)
    if carrier < needed:  # the plan refuses it and names the carrier MTU that would do
        with pytest.raises(plan.PlanValidationError, match=f"set carrier_mtu: {needed} or more"):
            plan.build_plan([link], HOSTVARS)
        return
    m = entry(plan.build_plan([link], HOSTVARS), "p1" if tunnel else "p3", link["name"])["mtu"]
    # ip_mtu is the largest packet that fits: it fits, one byte more does not
    assert mtu.wire_size(m["ip_mtu"], **profile) <= carrier < mtu.wire_size(m["ip_mtu"] + 1, **profile)
    assert m["mpls_mtu"] == m["ip_mtu"] + 4 * labels
    assert m["tcp_mss"] == m["ip_mtu"] - 40
    assert m["carrier_mtu_for_1500"] == mtu.wire_size(1500, **profile)
    assert (m["warning"] is None) == (m["ip_mtu"] >= 1500)


# --------------------------------------------------------------------------- determinism, summary


def test_output_does_not_depend_on_input_order():
    third = patched(CORE2, {"name": "core3", "tunnel": {"id": 300, "ipv4": "198.51.100.8/31"},
                            "a": {"host": "p1", "interface": "GigabitEthernet3", "address": "192.0.2.16/31"},
                            "b": {"host": "p3", "interface": "GigabitEthernet4", "address": "192.0.2.17/31"}})
    links = [CORE1, CORE2, third]
    reference = json.dumps(plan.build_plan(links, HOSTVARS))
    shuffled = links[:]
    random.Random(7).shuffle(shuffled)
    assert shuffled != links
    assert json.dumps(plan.build_plan(shuffled, HOSTVARS)) == reference
    result = json.loads(reference)
    assert [e["name"] for e in result["hosts"]["p1"]["links"]] == ["core1", "core3"]
    assert [e["side"] for e in result["hosts"]["p3"]["links"]] == ["a", "b"]


def test_summary_rows_and_table(example):
    assert [r["name"] for r in example["links"]] == ["core1", "core2"]
    row = example["links"][0]
    assert row == {"name": "core1", "mode": "gre_ipsec/tunnel", "id": 100, "a": "p1 GigabitEthernet2 Tunnel100",
                   "b": "p2 ge-0/0/0.0 gr-0/0/0.100", "tunnel": "198.51.100.0-198.51.100.1/31", "carrier_mtu": 1500,
                   "labels": 2, "ip_mtu": 1414, "mpls_mtu": 1422, "tcp_mss": 1374, "carrier_mtu_for_1500": 1588,
                   "warning": row["warning"]}
    lines = example["table"].splitlines()
    assert lines[0].split()[:3] == ["link", "mode", "id"] and set(lines[1]) == {"-", " "}
    assert lines[2].startswith("core1  gre_ipsec/tunnel") and lines[3].startswith("core2  gre_ipsec/transport")
    assert example["warnings"] == [
        "link core1: carrier_mtu 1500 limits inner packets to 1414 bytes (< 1500); a carrier MTU of 1588 would carry full 1500-byte packets",
        "link core2: carrier_mtu 1500 limits inner packets to 1434 bytes (< 1500); a carrier MTU of 1568 would carry full 1500-byte packets",
    ]


def test_empty_link_list():
    with pytest.raises(plan.PlanValidationError, match="p2p_links: is empty"):
        plan.build_plan([], HOSTVARS)
    with pytest.raises(plan.PlanValidationError, match="p2p_links: is empty"):
        plan.build_plan(None, HOSTVARS)


# --------------------------------------------------------------------------- golden plans

GOLDEN_CASES: dict[str, list[dict[str, Any]]] = {
    "example": [CORE1, CORE2],
    "compatible-isis-jumbo": [patched(CORE2, {"crypto": {"preset": "compatible"}, "carrier_mtu": 9000, "labels": 3,
                                              "igp": {"protocol": "isis", "metric": 100}})],
    "one-router-two-links": [
        CORE1,
        patched(CORE2, {"name": "core3", "ipsec_mode": "tunnel",
                        "tunnel": {"id": 300, "ipv4": "198.51.100.8/31", "ipsec_ipv4": "198.51.100.130/31"},
                        "a": {"host": "p1", "interface": "GigabitEthernet3", "address": "192.0.2.16/31"},
                        "b": {"host": "p3", "interface": "GigabitEthernet4", "address": "192.0.2.17/31"}}),
    ],
}


@pytest.mark.parametrize("case", sorted(GOLDEN_CASES))
def test_golden_plan(case):
    path = GOLDEN / f"{case}.json"
    text = json.dumps(plan.build_plan(GOLDEN_CASES[case], HOSTVARS), indent=2, sort_keys=False) + "\n"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing {path}: run UPDATE_GOLDEN=1 pytest {__file__}"
    assert text == path.read_text(encoding="utf-8"), f"{path} differs from the computed plan (UPDATE_GOLDEN=1 to accept)"


# --------------------------------------------------------------------------- capability map and argument spec


def test_capability_map_is_complete():
    for platform, spec in capabilities.PLATFORMS.items():
        assert set(spec["modes"]) == set(capabilities.MODES), platform
        for mode, support in spec["modes"].items():
            if not support["supported"]:
                assert support["reason"] and support["alternative"], (platform, mode)
        assert set(spec["modes"]["gre_ipsec"]["ipsec_modes"]) == set(capabilities.IPSEC_MODES)
    assert set(capabilities.NETWORK_OS.values()) == set(capabilities.PLATFORMS)


def test_buildable_modes():
    supported = {(p, m) for p, s in capabilities.PLATFORMS.items() for m, e in s["modes"].items() if e["supported"]}
    assert supported == {(p, m) for p in ("ios", "junos") for m in ("gre_ipsec", "getvpn", "macsec")}
    # macsec: decided per router from the gathered model (capabilities.MACSEC_PORTS)
    assert all(capabilities.PLATFORMS[p]["modes"]["macsec"]["requires"] == "macsec_ports" for p in ("ios", "junos"))
    assert not capabilities.mode_support("junos", "gre_ipsec", "transport")["supported"]
    assert capabilities.mode_support("ios", "gre_ipsec", "transport")["supported"]


ARGUMENT_SPECS = ROOT / "roles" / "plan" / "meta" / "argument_specs.yml"
ARGUMENT_SPECS_HEADER = """---
# Role argument spec of mplssec.p2p.plan. Entry point "link" is GENERATED from LINK_SCHEMA in
# plugins/plugin_utils/model.py: tests/unit/plugins/test_plan.py fails when they differ, and
# `UPDATE_GOLDEN=1 pytest tests/unit/plugins/test_plan.py` rewrites it. Edit entry point "main" here.
"""


class _IndentedDumper(yaml.SafeDumper):
    """Indent block sequences under their key (yamllint's default indentation rule)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


def test_argument_spec_documents_exactly_the_model():
    specs = yaml.safe_load(ARGUMENT_SPECS.read_text())
    expected = copy.deepcopy(specs)
    expected["argument_specs"]["link"]["options"] = model.argument_spec_options()
    if os.environ.get("UPDATE_GOLDEN") == "1" and specs != expected:
        text = yaml.dump(expected, Dumper=_IndentedDumper, sort_keys=False, width=110, default_flow_style=False)
        ARGUMENT_SPECS.write_text(ARGUMENT_SPECS_HEADER + text, encoding="utf-8")
        specs = expected
    assert specs["argument_specs"]["link"]["options"] == model.argument_spec_options(), (
        "roles/plan/meta/argument_specs.yml (entry point link) differs from model.LINK_SCHEMA (UPDATE_GOLDEN=1 to regenerate)")
    # p2p_links is documented in the description, not validated by the spec: the spec would template every PSK
    # before the first task and fail on an undefined vault variable without naming the link (issue 8 section 4b)
    assert "p2p_links" not in specs["argument_specs"]["main"]["options"]
    assert "p2p_links (required)" in " ".join(specs["argument_specs"]["main"]["description"])
    assert set(specs["argument_specs"]) == {"main", "gather", "link"}


def test_crypto_warnings():
    link = patched(CORE2, {"carrier_mtu": 1600, "crypto": {"preset": "compatible", "esp": {"integrity": "sha1", "lifetime": 86400},
                                                           "ike": {"lifetime": 3600}, "allow_legacy": True}})
    assert plan.build_plan([link], HOSTVARS)["warnings"] == [
        "link core2: crypto.esp.integrity sha1 is legacy (RFC 8221 MUST-), accepted by crypto.allow_legacy; prefer sha256 "
        "or the strong preset",
        "link core2: crypto.esp.lifetime 86400 s is longer than crypto.ike.lifetime 3600 s; child SAs are normally rekeyed more "
        "often than the IKE SA",
    ]


def test_filter_returns_the_plan():
    from ansible_collections.mplssec.p2p.plugins.filter.p2p_plan import FilterModule

    result = FilterModule().filters()["p2p_plan"]([CORE1, CORE2], HOSTVARS, {"all": sorted(HOSTVARS)})
    assert (result.pop("batches"), len(result.pop("batch_table"))) == ([["core1", "core2"]], 1)  # test_batches.py
    assert result == plan.build_plan([CORE1, CORE2], HOSTVARS)


def test_subnet_index_agrees_with_the_pairwise_scan():
    # plan._Subnets replaces an O(n^2) pairwise scan; on random nested/disjoint v4 and v6 blocks it must give the
    # same first overlap and the same containing blocks, in the same order.
    from netaddr import IPNetwork

    rng = random.Random(9)
    nets = []
    for _index in range(400):
        if rng.random() < 0.5:
            nets.append(IPNetwork(f"10.{rng.randrange(4)}.{rng.randrange(4)}.{rng.randrange(256)}/{rng.choice((16, 24, 30, 31, 32))}").cidr)
        else:
            nets.append(IPNetwork(f"2001:db8:{rng.randrange(4):x}::{rng.randrange(8):x}/{rng.choice((48, 64, 126, 127, 128))}").cidr)
    index = plan._Subnets()
    seen = []
    for net in nets:
        brute = next((o for o in seen if o.version == net.version and (net in o or o in net)), None)
        assert index.first_overlap(net) == brute, net
        index.add(net, net)
        seen.append(net)
    for net in nets[:50]:
        host = IPNetwork(f"{net.network}/{32 if net.version == 4 else 128}")
        assert index.containing(host) == [o for o in seen if o.version == net.version and host in o]


@pytest.mark.parametrize("section,key", [("ike", "integrity"), ("ike", "prf"), ("esp", "integrity")])
def test_sha1_is_refused_unless_allow_legacy(section, key):
    """Issue 8 section 4b: SHA-1 (RFC 8247 / RFC 8221 MUST-) is refused, not only warned about."""
    crypto = {"preset": "compatible", section: {key: "sha1"}}
    with pytest.raises(plan.PlanValidationError) as err:
        plan.build_plan([patched(CORE2, {"carrier_mtu": 1600, "crypto": crypto})], HOSTVARS)
    assert f"link core2: crypto.{section}.{key}: 'sha1' is legacy" in str(err.value)
    assert "set crypto.allow_legacy: true" in str(err.value)
    crypto["allow_legacy"] = True
    result = plan.build_plan([patched(CORE2, {"carrier_mtu": 1600, "crypto": crypto})], HOSTVARS)
    assert any(f"crypto.{section}.{key} sha1 is legacy" in w for w in result["warnings"])

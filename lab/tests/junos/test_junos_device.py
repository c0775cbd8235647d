"""JunosDevice configuration database: baseline, view, candidate/lock semantics, commit confirmed
with automatic rollback (scaled minute), commit-failure injection, rollback history."""

from __future__ import annotations

import asyncio

import pytest
from junos_helpers import BASELINE, GRE_IPSEC

from mplssec_lab.junos import JunosDevice
from mplssec_lab.junos import tree as T
from mplssec_lab.junos.device import ConfigFailure, Session


def test_baseline_rendering_and_view(dev):
    cfg = dev.running_config()
    assert cfg.startswith("## Last commit: ")
    assert "    host-name p2;" in cfg
    assert "version 23.4R2-S3.9;" in cfg
    assert "                mode packet-based;" in cfg
    s = T.render_set(dev.committed)
    for line in (
        "set system services netconf ssh",
        "set interfaces ge-0/0/0 unit 0 family inet address 192.0.2.1/31",
        "set interfaces ge-0/0/0 unit 0 family mpls",
        "set interfaces lo0 unit 0 family inet address 203.0.113.2/32",
        "set routing-options router-id 203.0.113.2",
        "set protocols ospf area 0.0.0.0 interface ge-0/0/0.0 metric 10",
        "set protocols mpls interface ge-0/0/0.0",
        "set protocols ldp interface ge-0/0/0.0",
        "set security forwarding-options family mpls mode packet-based",
    ):
        assert line in s
    v = dev.view()
    assert v.platform == "junos" and v.router_id == "203.0.113.2" and v.ldp_enabled
    ge = v.interfaces["ge-0/0/0.0"]
    assert ge.kind == "ethernet" and ge.mpls and ge.ldp and ge.ospf["cost"] == 10 and ge.ospf["area"] == "0"
    assert v.interfaces["lo0.0"].kind == "loopback"


def test_view_of_gre_ipsec(dev):
    s = Session("netconf")
    new, _ = T.load_set(dev.candidate, GRE_IPSEC)
    dev.set_candidate(s, new)
    dev.commit(s)
    v = dev.view()
    gr = v.interfaces["gr-0/0/0.100"]
    assert gr.kind == "gre" and gr.tunnel_source == "198.51.100.129" and gr.tunnel_destination == "198.51.100.128"
    assert gr.ip_mtu == 1418 and gr.mpls_mtu == 1426 and gr.mpls and gr.ldp and gr.ospf["p2p"]
    st0 = v.interfaces["st0.100"]
    assert st0.kind == "ipsec" and st0.ipsec_policy == "MPLSSEC-CORE1"
    ike = v.ike["MPLSSEC-CORE1"]
    assert ike.version == 2 and ike.peer_address == "192.0.2.0" and ike.local_address == "192.0.2.1"
    assert ike.psk == "0123456789abcdef-secret" and ike.dpd == (10, 3)
    assert ike.proposals == [{"encryption": "aes-gcm-256", "integrity": "none", "prf": "sha384", "dh_group": 20}]
    ip = v.ipsec["MPLSSEC-CORE1"]
    assert ip.interface == "st0.100" and ip.mode == "tunnel" and ip.pfs_group == 20 and ip.ike_peer == "MPLSSEC-CORE1"
    assert ip.transforms == [{"encryption": "aes-gcm-256", "integrity": "none"}]
    assert v.filters["MPLSSEC-CORE1"][0] == {"action": "permit", "proto": "udp", "port": 500}
    assert v.filters["MPLSSEC-CORE1"][-1]["action"] == "deny"


def test_commit_records_history_and_notifies(dev, lab):
    s = Session("netconf")
    new, _ = T.load_set(dev.candidate, "set interfaces ge-0/0/1 unit 0 description core")
    dev.set_candidate(s, new)
    dev.commit(s, comment="first")
    assert lab.changed == ["p2"] and dev.stats["commits"] == 1
    assert dev.history[0].comment == "first" and dev.history[1].user == "root"
    assert T.compare(dev.rollback_tree(1), dev.committed).startswith("[edit interfaces ge-0/0/1 unit 0]")
    with pytest.raises(T.JunosError):
        dev.rollback_tree(7)


def test_history_capped_at_50(dev):
    s = Session("cli")
    for i in range(55):
        new, _ = T.load_set(dev.candidate, f"set interfaces ge-0/0/1 unit 0 description d{i}")
        dev.set_candidate(s, new)
        dev.commit(s)
    assert len(dev.history) == 50


def test_commit_fault_injection(dev, lab):
    s = Session("netconf")
    lab.fault = "mgd: commit failed: (statements constraint check failed)"
    new, _ = T.load_set(dev.candidate, "set interfaces ge-0/0/1 unit 0 description x")
    dev.set_candidate(s, new)
    with pytest.raises(ConfigFailure) as ei:
        dev.commit(s)
    assert ei.value.errors[0].message == lab.fault
    assert dev.committed.get("interfaces", "ge-0/0/1", "unit 0", "description") is None
    assert lab.changed == []


def test_commit_mandatory_failure(dev):
    s = Session("netconf")
    new, _ = T.load_set(dev.candidate, "set interfaces gr-0/0/0 unit 5 family inet address 10.9.9.1/31")
    dev.set_candidate(s, new)
    with pytest.raises(ConfigFailure) as ei:
        dev.commit(s)
    assert ei.value.final == "configuration check-out failed: (missing mandatory statements)"
    assert [e.message for e in ei.value.errors] == ["Missing mandatory statement: 'source'", "Missing mandatory statement: 'destination'"]


def test_lock_semantics(dev):
    a, b = Session("netconf"), Session("netconf")
    dev.lock(a)
    with pytest.raises(T.JunosError) as ei:
        dev.lock(b)
    assert ei.value.message.startswith("configuration database locked by:")
    with pytest.raises(T.JunosError):
        dev.set_candidate(b, dev.candidate)
    new, _ = T.load_set(dev.candidate, "set interfaces ge-0/0/1 unit 0 description x")
    dev.set_candidate(a, new)
    dev.unlock(a)  # unlock before commit discards (Junos <lock> semantics)
    assert not dev.shared_dirty()
    # an unlocked (shared) change by b survives b's session and blocks a's lock
    dev.set_candidate(b, new)
    dev.end_session(b)
    assert dev.shared_dirty()
    with pytest.raises(T.JunosError) as ei:
        dev.lock(a)
    assert ei.value.message == "configuration database modified"
    dev.discard(a)
    dev.lock(a)


def test_session_end_while_locked_discards(dev):
    a = Session("netconf")
    dev.lock(a)
    new, _ = T.load_set(dev.candidate, "set interfaces ge-0/0/1 unit 0 description x")
    dev.set_candidate(a, new)
    dev.end_session(a)
    assert not dev.shared_dirty() and dev.lock_owner is None


def test_commit_confirmed_auto_rollback(monkeypatch, lab):
    monkeypatch.setenv("MPLSSEC_LAB_MINUTE_SECONDS", "0.05")

    async def scenario():
        dev = JunosDevice("p2", lab, BASELINE)
        s = Session("netconf")
        new, _ = T.load_set(dev.candidate, "set interfaces ge-0/0/1 unit 0 description confirmed")
        dev.set_candidate(s, new)
        dev.commit(s, confirmed=2, comment="try")
        assert dev.confirm_pending()
        assert dev.committed.leaf("interfaces", "ge-0/0/1", "unit 0", "description") == "confirmed"
        await asyncio.sleep(0.2)
        return dev

    dev = asyncio.run(scenario())
    assert not dev.confirm_pending()
    assert dev.committed.get("interfaces", "ge-0/0/1", "unit 0", "description") is None
    assert dev.history[0].via == "other" and dev.history[1].comment == "try"
    assert lab.changed == ["p2", "p2"]


def test_commit_confirmed_then_confirmed_by_plain_commit(monkeypatch, lab):
    monkeypatch.setenv("MPLSSEC_LAB_MINUTE_SECONDS", "0.05")

    async def scenario():
        dev = JunosDevice("p2", lab, BASELINE)
        s = Session("netconf")
        new, _ = T.load_set(dev.candidate, "set interfaces ge-0/0/1 unit 0 description confirmed")
        dev.set_candidate(s, new)
        dev.commit(s, confirmed=1)
        await asyncio.sleep(0.01)
        dev.commit(s)  # confirms
        await asyncio.sleep(0.15)
        return dev

    dev = asyncio.run(scenario())
    assert dev.committed.leaf("interfaces", "ge-0/0/1", "unit 0", "description") == "confirmed"
    assert not dev.confirm_pending()
    assert len(dev.history) == 3

"""NETCONF sessions with ncclient (junos device handler) against the device served by a minimal
asyncssh server on 127.0.0.1 (port 0): the exact RPC sequences junos_config/junos_command send."""

from __future__ import annotations

import json
import time

import pytest
from lxml import etree
from ncclient import manager
from ncclient.operations.rpc import RPCError


def connect(server):
    return manager.connect(
        host="127.0.0.1",
        port=server.port,
        username="admin",
        password="admin",
        hostkey_verify=False,
        device_params={"name": "junos"},
        look_for_keys=False,
        allow_agent=False,
        timeout=15,
    )


def rpc(m, xml):
    return m.rpc(etree.fromstring(xml))


def test_hello_and_software_information(server, dev, lab):
    with connect(server) as m:
        caps = set(m.server_capabilities)
        assert "urn:ietf:params:netconf:base:1.0" in caps and "urn:ietf:params:netconf:base:1.1" not in caps
        assert ":validate" in m.server_capabilities and ":candidate" in m.server_capabilities
        assert ":confirmed-commit" in m.server_capabilities
        r = rpc(m, "<get-software-information/>")
        x = etree.fromstring(r.tostring)
        assert x.find(".//software-information/host-name").text == "p2"
        assert x.find(".//software-information/product-model").text == "vsrx"
        assert x.find(".//software-information/junos-version").text
    assert dev.stats["ssh_sessions"] == 1 and dev.stats["netconf_rpcs"] >= 1 and lab.commands >= 1


def test_junos_config_sequence_confirmed_commit(server, dev, lab):
    lines = [
        "set interfaces ge-0/0/1 unit 0 description core-link",
        "set interfaces st0 unit 100 family inet address 198.51.100.129/31",
        "set security ike proposal P authentication-method pre-shared-keys",
        "set security ike proposal P dh-group group20",
        "set security ike policy P proposals P",
        'set security ike policy P pre-shared-key ascii-text "a-very-secret-key-123"',
        "set security ike gateway G ike-policy P",
        "set security ike gateway G address 192.0.2.0",
        "set security ike gateway G external-interface ge-0/0/0.0",
        "set security ipsec vpn V bind-interface st0.100",
        "set security ipsec vpn V ike gateway G",
    ]
    with connect(server) as m:
        m.lock("candidate")
        cfg = etree.fromstring(m.get_configuration(format="set").tostring)
        assert "set system host-name p2" in cfg.find(".//configuration-set").text
        m.load_configuration(action="set", format="text", config=lines)
        m.validate(source="candidate")
        diff = etree.fromstring(rpc(m, '<get-configuration compare="rollback" rollback="0" format="text"/>').tostring)
        out = diff.find(".//configuration-output").text
        assert "[edit interfaces ge-0/0/1 unit 0]\n+   description core-link;" in out
        assert "[edit security]\n+   ike {" in out
        assert "a-very-secret-key-123" not in out and "## SECRET-DATA" in out
        r = rpc(m, "<commit-configuration><confirmed/><log>test change</log><confirm-timeout>5</confirm-timeout></commit-configuration>")
        assert etree.fromstring(r.tostring).find(".//commit-success") is not None
        m.unlock("candidate")
        out = etree.fromstring(m.command("show system commit", format="text").tostring).find(".//output").text.strip("\n")
        assert out.splitlines()[0].endswith("via netconf commit confirmed, rollback in 5mins")
        assert out.splitlines()[1] == "    test change"
        # confirm_commit: empty commit confirms
        m.lock("candidate")
        rpc(m, "<commit-configuration/>")
        m.unlock("candidate")
    assert server.call(dev.confirm_pending) is False
    assert dev.view().ike["G"].psk == "a-very-secret-key-123"
    assert lab.changed == ["p2", "p2"] and dev.stats["commits"] == 2


def test_load_error_then_unlock_discards(server, dev):
    with connect(server) as m:
        m.lock("candidate")
        m.load_configuration(action="set", format="text", config=["set interfaces ge-0/0/1 unit 0 description ok"])
        with pytest.raises(RPCError) as ei:
            m.load_configuration(action="set", format="text", config=["set interfaces ge-0/0/1 unit 0 bogus 1"])
        assert ei.value.message.strip() == "syntax error"
        assert "bogus" in ei.value.xml.find(".//{*}bad-element").text
        m.unlock("candidate")
    assert server.call(dev.shared_dirty) is False
    with connect(server) as m:
        m.lock("candidate")  # not refused: nothing left behind
        m.unlock("candidate")


def test_lock_conflicts(server, dev):
    with connect(server) as a, connect(server) as b:
        a.lock("candidate")
        with pytest.raises(RPCError) as ei:
            b.lock("candidate")
        assert "configuration database locked by" in ei.value.message
        a.unlock("candidate")
        # b edits the shared candidate without a lock and leaves
        b.load_configuration(action="set", format="text", config=["set interfaces ge-0/0/1 unit 0 description dirty"])
    with connect(server) as c:
        with pytest.raises(RPCError) as ei:
            c.lock("candidate")
        assert ei.value.message.strip() == "configuration database modified"
        c.discard_changes()
        c.lock("candidate")
        c.unlock("candidate")


def _err_xml(exc):
    return etree.tostring(exc.xml).decode() if exc.xml is not None else str(exc)


def test_commit_errors_as_rpc_error(server, dev, lab):
    with connect(server) as m:
        m.lock("candidate")
        m.load_configuration(action="set", format="text", config=["set interfaces gr-0/0/0 unit 7 family inet address 10.7.7.1/31"])
        with pytest.raises(RPCError) as ei:
            m.validate(source="candidate")
        with pytest.raises(RPCError) as ei:
            rpc(m, "<commit-configuration><log>x</log></commit-configuration>")
        x = _err_xml(ei.value)
        assert "<error-path>[edit interfaces gr-0/0/0 unit 7 tunnel]</error-path>" in x
        assert "<error-message>mgd: Missing mandatory statement: 'source'</error-message>" in x
        assert "<bad-element>tunnel</bad-element>" in x
        assert "configuration check-out failed: (missing mandatory statements)" in x
        m.discard_changes()
        lab.fault = "commit script failure: injected"
        m.load_configuration(action="set", format="text", config=["set interfaces ge-0/0/1 unit 0 description x"])
        with pytest.raises(RPCError) as ei:
            m.commit()
        assert "commit script failure: injected" in _err_xml(ei.value)
        m.unlock("candidate")
    assert server.call(lambda: dev.committed.get("interfaces", "ge-0/0/1", "unit 0", "description")) is None
    assert lab.changed == []


def test_get_configuration_formats_and_command_formats(server, dev):
    with connect(server) as m:
        x = etree.fromstring(m.get_configuration(format="text").tostring)
        assert "host-name p2;" in x.find(".//configuration-text").text
        x = etree.fromstring(m.get_configuration(format="xml").tostring)
        assert x.find(".//configuration/system/host-name").text == "p2"
        r = rpc(m, '<get-configuration format="json" database="committed"/>')
        j = json.loads(etree.fromstring(r.tostring).text)
        assert j["configuration"]["system"]["host-name"] == "p2"
        r = m.command("show version", format="json")
        j = json.loads(etree.fromstring(r.tostring).text)
        assert j["software-information"][0]["host-name"][0]["data"] == "p2"
        r = m.command("show ldp session", format="xml")
        assert etree.fromstring(r.tostring).find(".//ldp-session-information") is not None
        with pytest.raises(RPCError):
            m.command("show bogus", format="text")
        r = rpc(m, "<get-interface-information><interface-name>ge-0/0/0.0</interface-name><terse/></get-interface-information>")
        assert etree.fromstring(r.tostring).find(".//logical-interface/name").text == "ge-0/0/0.0"


def test_load_text_xml_rollback(server, dev):
    with connect(server) as m:
        m.lock("candidate")
        m.load_configuration(action="merge", format="text", config="interfaces { ge-0/0/1 { unit 0 { description via-text; } } }")
        m.load_configuration(
            action="merge",
            format="xml",
            config=etree.fromstring(
                "<interfaces><interface><name>ge-0/0/1</name><unit><name>0</name>"
                "<family><inet><mtu>1400</mtu></inet></family></unit></interface></interfaces>"
            ),
        )
        m.commit(comment="two loads")
        rpc(m, '<load-configuration rollback="1"/>')
        diff = etree.fromstring(rpc(m, '<get-configuration compare="rollback" rollback="0" format="text"/>').tostring)
        out = diff.find(".//configuration-output").text
        assert "-   description via-text;" in out and "-       mtu 1400;" in out or "-   mtu 1400;" in out
        m.discard_changes()
        m.unlock("candidate")


def test_on_command_fault_drops_session(server, lab):
    m = connect(server)
    lab.drop = True
    with pytest.raises(Exception):  # noqa: B017 - ncclient raises TransportError/SessionCloseError/timeout
        rpc(m, "<get-software-information/>")
    lab.drop = False
    time.sleep(0.3)
    assert isinstance(server.dropped, ConnectionAbortedError)
    assert not m.connected


def test_load_json_and_xml_config_namespace(server, dev):
    with connect(server) as m:
        m.lock("candidate")
        m.load_configuration(
            action="merge",
            format="json",
            config='{"configuration": {"interfaces": {"interface": [{"name": "ge-0/0/1", ' '"unit": [{"name": "0", "description": "via-json"}]}]}}}',
        )
        x = etree.fromstring(m.get_configuration(format="xml").tostring)
        cfg = x.find(".//{*}configuration") if x.find(".//configuration") is None else x.find(".//configuration")
        assert any(k.endswith("commit-seconds") for k in cfg.attrib)
        assert "via-json" in etree.tostring(cfg).decode()
        m.discard_changes()
        m.unlock("candidate")


def test_load_set_reports_every_bad_line_and_keeps_good_ones(server, dev):
    with connect(server) as m:
        m.lock("candidate")
        with pytest.raises(RPCError) as ei:
            m.load_configuration(
                action="set",
                format="text",
                config=[
                    "set interfaces ge-0/0/1 unit 0 description good",
                    "set interfaces ge-0/0/1 unit 0 bad-one 1",
                    "set security ike proposal P dh-group group99",
                ],
            )
        x = _err_xml(ei.value)
        assert "<bad-element>bad-one</bad-element>" in x and "<bad-element>group99</bad-element>" in x
        assert "<load-error-count>2</load-error-count>" in x
        diff = etree.fromstring(rpc(m, '<get-configuration compare="rollback" rollback="0" format="text"/>').tostring)
        assert "+   description good;" in diff.find(".//configuration-output").text
        m.unlock("candidate")
    assert server.call(dev.shared_dirty) is False

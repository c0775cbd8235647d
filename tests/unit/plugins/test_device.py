# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""plugins/plugin_utils/device.py (the deploy engine's device calls) against recording fake connections, the
clear-state checks of verify.py the rollback gates use, and config_text.ios_drop_noop_negations."""

from __future__ import annotations

import json

import pytest
from lxml import etree
from test_verify_checks import LINK_IOS, LINK_JUNOS, PLAN_IOS, PLAN_JUNOS

from ansible_collections.mplssec.p2p.plugins.plugin_utils import config_text, device
from ansible_collections.mplssec.p2p.plugins.plugin_utils import verify as V

PSK = "FIXTURE-psk-0123456789abcdef"
IOS_OPS = {"show_config": "show running-config", "rollback_point": "copy running-config flash:x.cfg",
           "rollback_point_prompts": ["Destination filename", "over write"], "restore": "configure replace flash:x.cfg force",
           "restore_ok": "Rollback Done", "delete_rollback_point": "delete /force flash:x.cfg", "volatile": ["^! Last"]}


class FakeCli:
    """cliconf calls as the persistent connection answers them; edit_config applies lines to ``running``."""

    def __init__(self, running: str, fail_on: str = ""):
        self.running, self.fail_on, self.sent, self.edits = running, fail_on, [], []

    def get(self, command, prompt=None, answer=None, check_all=False):
        self.sent.append((command, prompt, answer, check_all))
        if self.fail_on and self.fail_on in command:
            raise ConnectionError(command + "\n% Invalid input detected at '^' marker. key " + PSK)
        if command == "show running-config":
            return self.running
        if command.startswith("configure replace"):
            return "Total number of passes: 1\nRollback Done"
        return ""

    def get_config(self):
        return self.running

    def get_diff(self, candidate, running):
        """Like cisco.ios cliconf get_diff (diff_match line): flat commands, a parent before its missing children."""
        have, out, parent = set(running.split("\n")), [], None
        for line in candidate.split("\n"):
            if not line.startswith(" "):
                parent = line
                if line not in have:
                    out.append(line)
            elif line not in have:
                if parent in have and parent not in out:
                    out.append(parent)
                out.append(line.strip())
        return {"config_diff": "\n".join(out)}

    def edit_config(self, candidate):
        self.edits.append(list(candidate))
        if any(self.fail_on and self.fail_on in line for line in candidate):
            raise ConnectionError("line has invalid autocommand: pre-shared-key local " + PSK)
        self.running += "\n" + "\n".join(candidate)


def test_ios_push_sends_only_missing_lines_once_then_nothing():
    conn = FakeCli("interface GigabitEthernet2\n ip address 192.0.2.0 255.255.255.254\n mpls ip")
    sess = device.session("ios", conn, IOS_OPS, [PSK])
    config = "interface GigabitEthernet2\n no mpls ip\n no ip ospf 1 area 0\ninterface Tunnel100\n ip mtu 1414"
    assert sess.push(config) is True
    # "no ip ospf 1 area 0" changes nothing (ip ospf is not on the interface): not sent
    assert conn.edits == [["interface GigabitEthernet2", "no mpls ip", "interface Tunnel100", "ip mtu 1414"]]
    conn.running = "interface GigabitEthernet2\n ip address 192.0.2.0 255.255.255.254\ninterface Tunnel100\n ip mtu 1414"
    # (the device's running configuration after the push, indented again)
    assert sess.push(config) is False and len(conn.edits) == 1, "a second push of the same step sends nothing"


def test_ios_snapshot_answers_both_prompts_and_errors_are_masked():
    conn = FakeCli("hostname p1\n! Last configuration change at 10:00\ncrypto ikev2 keyring K\n pre-shared-key local " + PSK)
    sess = device.session("ios", conn, IOS_OPS, [PSK])
    saved = sess.snapshot()
    assert conn.sent[0] == ("copy running-config flash:x.cfg", ["Destination filename", "over write"], ["", ""], True)
    assert PSK in saved and PSK not in device.mask(saved, [])
    assert device.digest(saved, IOS_OPS["volatile"]) == device.digest(saved.replace("10:00", "11:00"), IOS_OPS["volatile"])
    bad = device.session("ios", FakeCli("", fail_on="ikev2"), IOS_OPS, [PSK])
    with pytest.raises(device.DeviceError) as err:
        bad.push("crypto ikev2 keyring K\n pre-shared-key local " + PSK)
    assert PSK not in str(err.value) and "<masked>" in str(err.value)


def test_ios_restore_requires_the_success_line():
    conn = FakeCli("x")
    device.session("ios", conn, IOS_OPS).restore("x")
    conn.get = lambda command, **_: "%Rollback aborted"
    with pytest.raises(device.DeviceError, match="did not report"):
        device.session("ios", conn, IOS_OPS).restore("x")


class FakeNetconf:
    """The netconf plugin's RPCs as NetconfConnection returns them (parsed elements)."""

    def __init__(self, compare: str = "[edit]\n+ set x", committed: str = "system { host-name p2; }"):
        self.calls, self.compare, self.committed = [], compare, committed

    def __getattr__(self, name):
        def call(*args, **kwargs):
            self.calls.append((name, args, kwargs))
            if name == "execute_rpc":
                el = etree.fromstring(args[0])
                if el.tag == "get-configuration":
                    return etree.fromstring("<rpc-reply><configuration-output>%s</configuration-output></rpc-reply>" % self.compare)
                if el.get("format") == "json":
                    return etree.fromstring("<rpc-reply>%s</rpc-reply>" % json.dumps({"ldp-session-information": [{}]}))
                return etree.fromstring("<rpc-reply><output>  %s out  </output></rpc-reply>" % el.text)
            if name == "get_configuration":
                return etree.fromstring("<rpc-reply><configuration-text>%s</configuration-text></rpc-reply>" % self.committed)
            return None
        return call


def test_junos_push_commits_confirmed_in_one_locked_transaction():
    conn = FakeNetconf()
    sess = device.session("junos", conn, {"volatile": ["^## Last commit"]}, [PSK])
    assert sess.push("set a\n\nset b", comment="mplssec.p2p core1 phase1", confirm_minutes=10) is True
    names = [c[0] for c in conn.calls]
    assert names == ["lock", "load_configuration", "validate", "execute_rpc", "commit", "unlock"]
    assert conn.calls[1][2] == {"format": "text", "action": "set", "config": "set a\nset b"}
    assert conn.calls[4][2] == {"confirmed": True, "timeout": "10", "comment": "mplssec.p2p core1 phase1"}


def test_junos_push_without_difference_discards_and_does_not_commit():
    conn = FakeNetconf(compare="")
    assert device.session("junos", conn, {}).push("set a", confirm_minutes=10) is False
    assert [c[0] for c in conn.calls] == ["lock", "load_configuration", "validate", "execute_rpc", "discard_changes", "unlock"]


def test_junos_run_gives_the_stock_module_shapes_and_restore_overrides():
    conn = FakeNetconf()
    sess = device.session("junos", conn, {})
    text, data = sess.run(["show ospf neighbor", "show ldp session | display json"])
    assert text == "show ospf neighbor out" and data == {"ldp-session-information": [{}]}
    assert etree.fromstring(conn.calls[1][1][0]).attrib == {"format": "json"}
    assert etree.fromstring(conn.calls[1][1][0]).text == "show ldp session"
    conn.calls.clear()
    sess.restore("system { host-name p2; }", comment="back")
    assert [c[0] for c in conn.calls] == ["lock", "load_configuration", "commit", "unlock"]
    assert conn.calls[1][2]["action"] == "override"
    assert sess.read_config() == "system { host-name p2; }"


def test_mask_hides_the_secret_and_every_key_line():
    text = 'pre-shared-key ascii-text "$9$abc.def"; ## SECRET-DATA\n pre-shared-key local 0 %s\nfoo %s bar' % (PSK, PSK)
    out = device.mask(text, [PSK])
    assert PSK not in out and "$9$" not in out and out.count("<masked>") == 3


# --- clear-state checks (rollback gates, cut-over gate) ----------------------------------------------------------

def nbr(interface, up=True, neighbor="203.0.113.2"):
    return {"neighbor": neighbor, "interface": interface, "state": "FULL" if up else "INIT", "up": up}


@pytest.mark.parametrize("neighbors,status", [
    ([nbr("Tunnel100")], "pass"),
    ([nbr("Tunnel100"), nbr("GigabitEthernet2")], "fail"),
    ([nbr("Tunnel100"), nbr("GigabitEthernet2", up=False)], "pass"),
])
def test_no_clear_igp(neighbors, status):
    assert V.valid_no_clear_igp(LINK_IOS, neighbors)["status"] == status


def test_clear_checks_use_the_carrier_interface():
    assert V.show_commands("clear_igp_adjacency", PLAN_IOS, "core1") == V.show_commands("igp_adjacency", PLAN_IOS, "core1")
    assert V.show_commands("clear_ldp_session", PLAN_JUNOS, "core1") == V.show_commands("ldp_session", PLAN_JUNOS, "core1")
    run = V._clear_run_check
    assert run("clear_igp_adjacency", "ios", [""], LINK_IOS, "p1")["name"] == "clear_igp_adjacency"
    carrier = V._on_carrier(LINK_IOS)
    assert carrier["tunnel"]["interface"] == "GigabitEthernet2" and LINK_IOS["tunnel"]["interface"] == "Tunnel100"
    ok = V.valid_igp_adjacency(carrier, [nbr("GigabitEthernet2")])
    assert ok["status"] == "pass"
    assert V.valid_igp_adjacency(carrier, [nbr("Tunnel100")])["status"] == "fail"
    assert V._on_carrier(LINK_JUNOS)["tunnel"]["interface"] == "ge-0/0/0.0"


def test_drop_noop_negations_keeps_real_removals():
    running = "interface GigabitEthernet2\n mpls ip\n ip ospf 1 area 0\nrouter ospf 1\n passive-interface Tunnel9"
    cmds = ["interface GigabitEthernet2", " no mpls ip", " no ip ospf 1 area 0", " no ip access-group X in",
            "router ospf 1", " no passive-interface GigabitEthernet2", "no ip domain lookup"]
    assert config_text.ios_drop_noop_negations(cmds, running) == [
        "interface GigabitEthernet2", " no mpls ip", " no ip ospf 1 area 0"]


def test_junos_deleting_the_last_unit_deletes_the_emptied_interface_in_the_same_transaction():
    conn = FakeNetconf(committed="interfaces {\n    gr-0/0/0;\n    st0 {\n        unit 7 {\n            family inet;\n        }\n    }\n}")
    sess = device.session("junos", conn, {})
    assert sess.push("delete interfaces gr-0/0/0 unit 100\ndelete interfaces st0 unit 100\nset a") is True
    names = [c[0] for c in conn.calls]
    assert names == ["lock", "load_configuration", "get_configuration", "load_configuration", "validate", "execute_rpc",
                     "commit", "unlock"]
    assert conn.calls[2][2]["filter"] == "<configuration><interfaces/></configuration>"
    assert conn.calls[3][2]["config"] == "delete interfaces gr-0/0/0"      # st0 still has unit 7
    conn.calls.clear()
    sess.push("set interfaces gr-0/0/0 unit 100 family inet")               # nothing deleted: no read
    assert [c[0] for c in conn.calls][:3] == ["lock", "load_configuration", "validate"]


# -- the dead-man timers (issue 8 section 4) ------------------------------------------------------------------------

REVERT_OPS = dict(IOS_OPS, rollback_file="flash:x.cfg", revert_status="show archive config rollback timer",
                  revert_idle="No Rollback Confirmed Change pending", revert_arm="configure terminal revert timer %d",
                  revert_backup=r"Backing up current running config to (\S+)", revert_reset="configure revert timer %d",
                  revert_confirm="configure confirm", revert_now="configure revert now", revert_path="flash:x-rev",
                  revert_archive=["archive", " path flash:x-rev", " maximum 1"], revert_unarchive=["no archive"])


class FakeRevertCli(FakeCli):
    """FakeCli with the IOS-XE Rollback Confirmed Change answers: a timer is pending after ``configure terminal revert
    timer`` until ``configure confirm`` / ``configure revert now``."""

    def __init__(self, running: str, pending: bool = False):
        super().__init__(running)
        self.pending = pending

    def get(self, command, prompt=None, answer=None, check_all=False):
        out = super().get(command, prompt, answer, check_all)
        if command == "show archive config rollback timer":
            return "Timer type: Revert Timer\nTimer value: 3 min" if self.pending else "%No Rollback Confirmed Change pending"
        if command.startswith("configure terminal revert timer"):
            self.pending = True
            return "Rollback Confirmed Change: Backing up current running config to flash:x-rev-0\n"
        if command in ("configure confirm", "configure revert now"):
            self.pending = False
            return "Rollback Done" if command.endswith("now") else ""
        if command == "dir flash:":
            return "Directory of bootflash:/\n   12  -rw-   100  Dec 02 2026 09:09:33 +00:00  x-rev-0\n   13  -rw- 1 x.cfg\n"
        return out


def test_ios_first_change_arms_the_revert_timer_after_adding_the_archive_and_overwrites_its_backup():
    conn = FakeRevertCli("interface GigabitEthernet2\n mpls ip")
    sess = device.session("ios", conn, REVERT_OPS, [PSK])
    assert sess.push("interface Tunnel100\n ip mtu 1414", confirm_minutes=3) is True
    sent = [c[0] for c in conn.sent]
    assert sent == ["show archive config rollback timer", "configure terminal revert timer 3", "end", "copy flash:x.cfg flash:x-rev-0"]
    assert conn.edits[0] == ["archive", " path flash:x-rev", " maximum 1"], "the timer needs the archive feature"
    assert conn.sent[-1][1] == ["Destination filename", "over write"], "the overwrite question is answered"
    # the next step resets the pending timer, even when it changes nothing (rearm)
    conn.running = "interface GigabitEthernet2\n mpls ip\ninterface Tunnel100\n ip mtu 1414"
    conn.sent.clear()
    assert sess.push("interface Tunnel100\n ip mtu 1414", confirm_minutes=3, rearm=True) is False
    assert [c[0] for c in conn.sent] == ["show archive config rollback timer", "configure revert timer 3"]
    # no timer asked, nothing sent for it; no change and no pending timer of this run: nothing at all
    conn.sent.clear()
    assert sess.push("interface Tunnel100\n ip mtu 1414", confirm_minutes=3) is False and conn.sent == []


def test_ios_an_existing_archive_is_used_as_it_is():
    conn = FakeRevertCli("archive\n path flash:ops\n maximum 5\ninterface GigabitEthernet2")
    device.session("ios", conn, REVERT_OPS).push("interface Tunnel100", confirm_minutes=3)
    assert conn.edits == [["interface Tunnel100"]], "no archive block is added when the router has one"


def test_ios_confirm_then_remove_the_added_archive_and_cleanup_deletes_its_files():
    conn = FakeRevertCli("archive\n path flash:x-rev\n maximum 1\nhostname p1", pending=True)
    sess = device.session("ios", conn, REVERT_OPS)
    sess.confirm()
    assert [c[0] for c in conn.sent][:2] == ["show archive config rollback timer", "configure confirm"]
    assert conn.edits == [["no archive"]] and conn.pending is False
    conn.sent.clear()
    sess.cleanup()
    assert [c[0] for c in conn.sent] == ["delete /force flash:x.cfg", "dir flash:", "delete /force flash:x-rev-0"]


def test_ios_confirm_keeps_an_operators_archive():
    conn = FakeRevertCli("archive\n path flash:ops\nhostname p1", pending=True)
    device.session("ios", conn, REVERT_OPS).confirm()
    assert conn.edits == [] and conn.pending is False


def test_ios_restore_ends_a_pending_timer_with_revert_now_else_configure_replace():
    conn = FakeRevertCli("x", pending=True)
    device.session("ios", conn, REVERT_OPS).restore("x")
    assert [c[0] for c in conn.sent] == ["show archive config rollback timer", "configure revert now"]
    conn.sent.clear()
    device.session("ios", conn, REVERT_OPS).restore("x")
    assert [c[0] for c in conn.sent] == ["show archive config rollback timer", "configure replace flash:x.cfg force"]


def test_ios_snapshot_refuses_a_pending_timer():
    conn = FakeRevertCli("x", pending=True)
    with pytest.raises(device.DeviceError, match="Rollback Confirmed Change is pending"):
        device.session("ios", conn, REVERT_OPS).snapshot()
    assert not any(c[0].startswith("copy") for c in conn.sent)


def test_junos_step_without_change_restarts_a_pending_commit_confirmed():
    conn = FakeNetconf(compare="")
    assert device.session("junos", conn, {}).push("set a", confirm_minutes=4, rearm=True) is False
    names = [c[0] for c in conn.calls]
    assert names == ["lock", "load_configuration", "validate", "execute_rpc", "discard_changes", "commit", "unlock"]
    assert conn.calls[5][2]["confirmed"] is True and conn.calls[5][2]["timeout"] == "4"


def test_poll_check_stops_at_its_window(monkeypatch):
    import time as _time
    clock = [0.0]
    monkeypatch.setattr(_time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(_time, "sleep", lambda s: clock.__setitem__(0, clock[0] + s))

    class Slow:
        platform, secrets = "ios", []

        def run(self, commands):
            clock[0] += 5.0  # each attempt's commands take 5 s
            return ["" for _command in commands]

    device.poll_check(Slow(), "no_clear_mpls", PLAN_IOS, LINK_IOS, attempts=30, interval=2)
    assert clock[0] <= 30 * 2 + 5, "one check polls at most attempts x interval plus its last commands"


def test_a_dead_session_is_closed_so_the_next_call_opens_a_fresh_one():
    """Issue 8 section 4b: after 'Failed to write to ssh channel' / 'Not connected to NETCONF server' the session is
    closed on the persistent connection (the next call connects again); a read is done once more at once."""
    class Dropping(FakeCli):
        closed = 0
        dead = True

        def get(self, command, prompt=None, answer=None, check_all=False):
            if self.dead:
                raise ConnectionError("Failed to write to ssh channel")
            return super().get(command, prompt, answer, check_all)

        def close(self):
            self.closed += 1
            self.dead = False  # the persistent connection opens a new session on the next call

    conn = Dropping("hostname p1")
    assert device.session("ios", conn, IOS_OPS).read_config() == "hostname p1"
    assert conn.closed == 1
    conn.dead = True
    with pytest.raises(device.DeviceError, match="ssh channel"):
        device.session("ios", conn, IOS_OPS).restore("x")   # not retried here: the action retries the rollback
    assert conn.closed == 2 and not conn.dead

    class DeadNetconf(FakeNetconf):
        def __getattr__(self, name):
            call = super().__getattr__(name)

            def wrapped(*args, **kwargs):
                if name == "unlock":
                    raise ConnectionError("Not connected to NETCONF server")
                return call(*args, **kwargs)
            return wrapped

    jconn = DeadNetconf()
    device.session("junos", jconn, {}).restore("system { host-name p2; }")
    assert [c[0] for c in jconn.calls][-1] == "close", "a dead unlock closes the session for the next call"


class HistoryNetconf(FakeNetconf):
    """FakeNetconf with a commit history (get-commit-information) that grows with every commit."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.history = [("2026-12-01 10:00:00 UTC", "admin", "cli", "")]

    def __getattr__(self, name):
        call = super().__getattr__(name)

        def wrapped(*args, **kwargs):
            if name == "execute_rpc" and "get-commit-information" in args[0]:
                self.calls.append((name, args, kwargs))
                body = "".join("<commit-history><sequence-number>%d</sequence-number><date-time>%s</date-time><user>%s</user>"
                               "<client>%s</client><log>%s</log></commit-history>" % ((i,) + h) for i, h in enumerate(self.history))
                return etree.fromstring("<rpc-reply><commit-information>%s</commit-information></rpc-reply>" % body)
            if name == "commit":
                self.history.insert(0, ("2026-12-01 10:0%d:00 UTC" % len(self.history), "netconf", "netconf",
                                        kwargs.get("comment") or ""))
            return call(*args, **kwargs)
        return wrapped


def test_junos_rollback_uses_the_routers_own_rollback_n_not_the_shown_text():
    """vendor-truth #17: a login class without the 'secret' permission reads /* SECRET-DATA */; loading that text back
    would fail or wipe the secrets. The rollback point records its commit history entry; the rollback is rollback N."""
    conn = HistoryNetconf(committed="security { ike { policy P { pre-shared-key { ascii-text /* SECRET-DATA */; } } } }")
    sess = device.session("junos", conn, {"volatile": ["^## Last commit", "^## mplssec rollback point: "]})
    saved = sess.snapshot()
    assert saved.startswith("## mplssec rollback point: 2026-12-01 10:00:00 UTC|admin|cli|\n")
    assert "rollback point" not in device.mask(saved), "the marker is not shown in diffs"
    sess.push("set a", comment="mplssec.p2p core1 phase1", confirm_minutes=5)
    sess.push("set b", comment="mplssec.p2p core1 phase3", confirm_minutes=5)
    conn.calls.clear()
    sess.restore(saved, comment="rollback")
    rpcs = [etree.fromstring(c[1][0]) for c in conn.calls if c[0] == "execute_rpc"]
    loads = [r for r in rpcs if r.tag == "load-configuration"]
    assert len(loads) == 1 and loads[0].get("rollback") == "2", "two commits since the rollback point: rollback 2"
    assert not any(c[0] == "load_configuration" for c in conn.calls), "no load override of the shown text"
    assert [c[0] for c in conn.calls if c[0] in ("lock", "commit", "unlock")] == ["lock", "commit", "unlock"]
    # the entry gone from the history and the secrets hidden: refused, never loaded
    conn.history = conn.history[:1]
    with pytest.raises(device.DeviceError, match="secrets hidden"):
        sess.restore(saved)


def test_ios_clock_reads_the_routers_wall_time():
    import calendar
    at = calendar.timegm((2026, 12, 8, 10, 2, 11, 0, 0, 0))
    assert device.ios_clock("*10:02:11.123 UTC Tue Dec 8 2026") == at
    assert device.ios_clock(".10:02:11.000 CET Tue Dec 8 2026\n") == at      # the router's own zone: as if UTC
    assert device.ios_clock("10:02:11 PST Tue Dec 08 2026") == at
    assert device.ios_clock("% Invalid input") is None

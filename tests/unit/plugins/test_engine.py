# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""plugins/plugin_utils/engine.py against recording fake routers: the order of the operations on both routers of a link,
parallel links, failures and rollback (also on a fresh session), batches, check mode, masking, the outcome messages."""

from __future__ import annotations

import threading
import time

import pytest

from ansible_collections.mplssec.p2p.plugins.plugin_utils import device, engine

SECRET = "s3cr3t-PSK-value-0123"
STEPS = [
    {"template": "phase1", "gate": "phase2", "checks": ["ike_sa"]},
    {"template": "phase3", "gate": "phase3", "checks": ["igp_adjacency", {"check": "no_clear_igp", "unless_plan": "keep_clear_igp"}]},
    {"template": "phase5", "gate": "phase5", "checks": ["ike_sa"], "when_plan": "fail_closed"},
]


class Router:
    """A fake router: a configuration (a list of lines) and a log of every call, shared by all its sessions."""

    def __init__(self, name: str, platform: str = "ios"):
        self.name, self.platform = name, platform
        self.config = ["hostname %s" % name]
        self.log: list[tuple] = []
        self.fail: dict[str, str] = {}  # operation -> error message (raised once per session unless sticky)
        self.dead = False  # every call of the current session fails with a transport error
        self.sessions = 0


class Session:
    def __init__(self, router: Router):
        self.router = router
        self.platform = router.platform
        self.secrets: list = []
        self.calls = 0
        router.sessions += 1
        self.dead = router.dead

    def _op(self, what: str, *args):
        self.calls += 1
        self.router.log.append((what,) + args)
        if self.dead:
            raise device.DeviceError("%s: Failed to write to ssh channel" % what)
        if what in self.router.fail:
            raise device.DeviceError(self.router.fail.pop(what))

    def volatile(self):
        return []

    def snapshot(self):
        self._op("snapshot")
        return "\n".join(self.router.config)

    def read_config(self):
        self._op("read")
        return "\n".join(self.router.config)

    def push(self, config, comment="", confirm_minutes=0, rearm=False):
        self._op("push", config.split("\n")[0])
        new = [line for line in config.split("\n") if line and line not in self.router.config]
        self.router.config.extend(new)
        return bool(new)

    def run(self, commands):
        self._op("run", tuple(commands))
        return ["" for _command in commands]

    def confirm(self):
        self._op("confirm")

    def cleanup(self):
        self._op("cleanup")

    def restore(self, saved, comment=""):
        self._op("restore")
        self.router.config = saved.split("\n")

    def config_exec(self, commands):
        self._op("config_exec", tuple(commands))
        self.router.keys = getattr(self.router, "keys", 0) + 1

    def would_change(self, config):
        self._op("would_change")
        new = [line for line in config.split("\n") if line and line not in self.router.config]
        return new if self.platform == "ios" else "\n".join("+ " + line for line in new)


class Pool:
    def __init__(self, routers):
        self.routers = {r.name: r for r in routers}
        self.reopened: list = []

    def session(self, host, link=None):
        return Session(self.routers[host])

    def reopen(self, host, link=None):
        self.reopened.append((host, threading.current_thread() is threading.main_thread()))
        self.routers[host].dead = False
        return Session(self.routers[host])


def link(name, a, b, **extra):
    plan_a = {"host": a.name, "platform": a.platform, "links": []}
    plan_b = {"host": b.name, "platform": b.platform, "links": []}
    entry = {"name": name, "fail_closed": False, "keep_clear_igp": False, **extra}
    ends = [engine.End(a.name, plan_a, dict(entry, side="a")), engine.End(b.name, plan_b, dict(entry, side="b"))]
    return ends


def render(end, template):
    return "%s %s %s\nkey %s" % (template, end.link["name"], end.host, SECRET)


@pytest.fixture
def gates(monkeypatch):
    """Gate outcomes: {(host, check): 'pass' | 'fail' | seconds to wait then fail}; default pass."""
    table: dict = {}
    polled: list = []

    def poll_check(sess, check, plan, link_, retries, interval, min_pct, stop=None):
        polled.append((plan["host"], check))
        outcome = table.get((plan["host"], check), "pass")
        if outcome == "pass":
            return {"name": check, "host": plan["host"], "status": "pass", "detail": "ok"}
        if isinstance(outcome, (int, float)):
            end = time.time() + outcome
            while time.time() < end:
                if stop is not None and stop():
                    return {"name": check, "host": plan["host"], "status": "fail", "detail": "stopped", "stopped": True}
                time.sleep(0.01)
        return {"name": check, "host": plan["host"], "status": "fail", "detail": "%s failed on %s (%s)" % (check, plan["host"], SECRET)}

    monkeypatch.setattr(engine.device, "poll_check", poll_check)
    monkeypatch.setattr(engine.verify, "show_commands", lambda check, plan, link_: ["show " + check])
    return table, polled


class Run:
    """One engine run over fake routers: ``out`` (diffs, changed), ``done`` (the outcome), ``lines`` (progress), ``pool``."""

    def __init__(self, links_by_batch, routers, steps=None, **kw):
        self.pool = Pool(routers)
        self.lines: list = []
        eng = engine.Engine(self.pool, render, say=self.lines.append, secrets=[SECRET], retries=3, interval=0, **kw)
        self.out = eng.deploy(links_by_batch, STEPS if steps is None else steps)
        self.done = engine.outcome([(ends[0].link["name"], ends) for batch in links_by_batch for ends in batch])


def test_both_routers_in_step_and_deployed(gates):
    p1, p2 = Router("p1"), Router("p2", "junos")
    core1 = link("core1", p1, p2)
    r = Run([[core1]], [p1, p2])
    out, done, lines = r.out, r.done, r.lines
    assert done["done"] == {"core1": ["p1", "p2"]} and done["failed"] == {}
    for r in (p1, p2):
        ops = [entry[0] for entry in r.log]
        assert ops == ["snapshot", "push", "push", "confirm", "read", "cleanup"]  # phase5 skipped: fail_closed false
        assert "phase1 core1 %s" % r.name in r.config
    assert out["changed"] is True and len(out["diffs"]) == 2
    assert all(SECRET not in d["after"] and "<masked>" in d["after"] for d in out["diffs"])
    assert [line.split(",")[0] for line in lines] == ["link core1 (1/1): step 1/2 phase1", "link core1 (1/1): step 2/2 phase3"]
    assert all(line.endswith(": ok") for line in lines)
    # unless_plan: no_clear_igp is polled (keep_clear_igp false) after igp_adjacency, on both routers
    assert sorted(gates[1]) == sorted([(h, c) for h in ("p1", "p2") for c in ("ike_sa", "igp_adjacency", "no_clear_igp")])


def test_unless_plan_and_when_plan(gates):
    p1, p2 = Router("p1"), Router("p2")
    core1 = link("core1", p1, p2, keep_clear_igp=True, fail_closed=True)
    Run([[core1]], [p1, p2])
    assert ("p1", "no_clear_igp") not in gates[1]
    assert [e[1] for e in p1.log if e[0] == "push"] == ["phase1 core1 p1", "phase3 core1 p1", "phase5 core1 p1"]


def test_a_gate_failure_rolls_back_both_routers_and_the_other_link_carries_on(gates):
    table = gates[0]
    p1, p2, p3, p4 = Router("p1"), Router("p2", "junos"), Router("p3"), Router("p4")
    before = {r.name: list(r.config) for r in (p1, p2, p3, p4)}
    table[("p1", "igp_adjacency")] = "fail"
    table[("p2", "igp_adjacency")] = 5  # would poll 5 s: must stop when p1 fails
    core1, core2 = link("core1", p1, p2), link("core2", p3, p4)
    started = time.time()
    r = Run([[core1, core2]], [p1, p2, p3, p4])
    done, lines = r.done, r.lines
    assert time.time() - started < 4
    assert done["done"] == {"core2": ["p3", "p4"]}
    message = done["failed"]["core1"]
    assert message.startswith("link core1 FAILED at gate phase3, check igp_adjacency")
    assert "rolled back: p1 and p2 returned to their exact prior configuration (verified)" in message
    assert SECRET not in message
    assert p1.config == before["p1"] and p2.config == before["p2"]
    assert p3.config != before["p3"]
    assert done["states"]["core1"]["p2"]["status"] == "rolled_back"
    assert any("FAILED at gate phase3" in line for line in lines)
    assert ("confirm",) not in p1.log and ("cleanup",) in p1.log  # rollback verified, rollback file deleted


def test_a_push_error_skips_the_gate_and_rolls_back(gates):
    p1, p2 = Router("p1"), Router("p2")
    p2.fail["push"] = "configure: %% Invalid input %s" % SECRET
    r = Run([[link("core1", p1, p2)]], [p1, p2])
    done = r.done
    assert gates[1] == []
    assert "FAILED at push phase1 to p2" in done["failed"]["core1"] and SECRET not in done["failed"]["core1"]
    assert p1.config == ["hostname p1"] and p2.config == ["hostname p2"]


def test_no_rollback_point_no_change(gates):
    p1, p2 = Router("p1"), Router("p2")
    p2.fail["snapshot"] = "copy: timeout"
    done = Run([[link("core1", p1, p2)]], [p1, p2]).done
    message = done["failed"]["core1"]
    assert "FAILED at rollback point on p2: copy: timeout" in message
    assert "no change made on p2 (no rollback point was taken)" in message
    assert [e[0] for e in p2.log] == ["snapshot"]
    assert [e[0] for e in p1.log] == ["snapshot", "restore", "read", "cleanup"]


def test_a_dead_session_is_rolled_back_on_a_fresh_one(gates):
    table = gates[0]
    p1, p2 = Router("p1"), Router("p2")
    table[("p2", "ike_sa")] = "fail"

    original = Session.push

    def push_then_die(self, config, comment="", confirm_minutes=0, rearm=False):
        changed = original(self, config, comment, confirm_minutes, rearm)
        if self.router is p2:
            self.dead = True  # the session drops after the change was made
        return changed

    Session.push = push_then_die
    try:
        r = Run([[link("core1", p1, p2)]], [p1, p2])
        done, pool = r.done, r.pool
    finally:
        Session.push = original
    assert pool.reopened == [("p2", True)]  # reopened from the thread that runs the engine (it may fork)
    assert p2.config == ["hostname p2"] and p1.config == ["hostname p1"]
    assert "rolled back: p1 and p2 returned" in done["failed"]["core1"]


def test_rollback_incomplete_is_named(gates):
    table = gates[0]
    p1, p2 = Router("p1"), Router("p2")
    table[("p1", "ike_sa")] = "fail"
    original = Session.restore

    def restore_wrong(self, saved, comment=""):
        original(self, saved, comment)
        if self.router is p1:
            self.router.config.append("leftover")

    Session.restore = restore_wrong
    try:
        done = Run([[link("core1", p1, p2)]], [p1, p2]).done
    finally:
        Session.restore = original
    assert "ROLLBACK INCOMPLETE: p1: configuration after rollback differs from the rollback point" in done["failed"]["core1"]
    assert done["states"]["core1"]["p1"]["status"] == "rollback_incomplete"


def test_a_batch_that_failed_everywhere_stops_the_run(gates):
    table = gates[0]
    p1, p2, p3, p4 = Router("p1"), Router("p2"), Router("p3"), Router("p4")
    table[("p1", "ike_sa")] = "fail"
    batches = [[link("core1", p1, p2)], [link("core2", p3, p4)]]
    done = Run(batches, [p1, p2, p3, p4]).done
    assert done["failed"]["core2"] == "link core2 NOT STARTED: an earlier batch failed on every link (nothing was changed)"
    assert p3.log == [] and p4.log == []


def test_links_of_a_batch_run_at_once(gates):
    table = gates[0]
    routers = [Router("p%d" % i) for i in range(1, 9)]
    for r in routers:
        table[(r.name, "ike_sa")] = 0.3  # every gate takes 0.3 s (then fails: rolled back)
    batch = [link("core%d" % i, routers[2 * i], routers[2 * i + 1]) for i in range(4)]
    started = time.time()
    done = Run([batch], routers).done
    assert time.time() - started < 1.0  # 4 links x 2 routers x 0.3 s, all at once
    assert len(done["failed"]) == 4


def test_exec_step_only_after_a_change(gates):
    p1, p2 = Router("p1"), Router("p2")
    steps = [{"template": "rotate", "gate": "rotate", "checks": []}, {"template": "reauth", "gate": "reauth", "exec": True, "checks": []}]
    Run([[link("core1", p1, p2)]], [p1, p2], steps=steps)
    assert any(e[0] == "run" for e in p1.log)
    p1.log.clear()
    Run([[link("core1", p1, p2)]], [p1, p2], steps=steps)  # nothing new: nothing to prove
    assert not any(e[0] == "run" for e in p1.log)


def test_rerun_changes_nothing(gates):
    p1, p2 = Router("p1"), Router("p2")
    Run([[link("core1", p1, p2)]], [p1, p2])
    r = Run([[link("core1", p1, p2)]], [p1, p2])
    out, done = r.out, r.done
    assert out["changed"] is False and out["diffs"] == [] and done["done"] == {"core1": ["p1", "p2"]}


def test_check_mode_pushes_nothing(gates):
    p1, p2 = Router("p1"), Router("p2", "junos")
    pool = Pool([p1, p2])
    eng = engine.Engine(pool, render, secrets=[SECRET])
    out = eng.check([[link("core1", p1, p2)]], STEPS)
    assert out["changed"] is True and len(out["diffs"]) == 2 and out["errors"] == []
    assert all(SECRET not in (d["before"] + d["after"]) for d in out["diffs"])
    assert p1.config == ["hostname p1"] and {e[0] for e in p1.log + p2.log} == {"would_change"}


def test_gather_and_verify_one_thread_per_router(gates, monkeypatch):
    p1, p2 = Router("p1"), Router("p2", "junos")
    p2.fail["run"] = "show version: connection refused"
    monkeypatch.setattr(engine.facts, "parse_facts", lambda platform, outputs: {"platform": platform, "n": len(outputs)})
    eng = engine.Engine(Pool([p1, p2]), render)
    found, errors = eng.gather({"p1": "ios", "p2": "junos"})
    assert found == {"p1": {"platform": "ios", "n": len(engine.facts.gather_commands("ios"))}}
    assert errors == {"p2": "show version: connection refused"}
    plan = {"host": "p1", "platform": "ios", "links": [{"name": "core1"}]}
    results = eng.verify({"p1": (plan, ["core1"])}, ["ike_sa", "ldp_session"])
    assert [(r["link"], r["name"], r["status"]) for r in results] == [("core1", "ike_sa", "pass"), ("core1", "ldp_session", "pass")]


def test_outcome_of_an_untouched_link():
    p1, p2 = Router("p1"), Router("p2")
    ends = link("core9", p1, p2)
    assert engine.outcome([("core9", ends)])["failed"]["core9"].startswith("link core9 NOT STARTED")


def test_routers_whose_planned_reboot_did_not_happen_hold_their_links():
    plans = {"p1": {"actions": []}, "p2": {"actions": [{"action": "reboot", "configure": "x"}]}, "p3": {}}
    assert engine.unbooted(plans, []) == {"p2"}
    assert engine.unbooted(plans, ["p2"]) == set()


def test_config_exec_steps_run_when_rendered_and_are_listed_in_check_mode(gates):
    """Key server steps that are commands, not configuration (GET VPN's RSA key pair): run only when the template
    renders something (the facts say it is needed), never diffed; check mode lists them and runs nothing."""
    ks = Router("ks1")
    wanted = {"needed": True}

    def keys_render(end, template):
        if template == "keys":
            return "crypto key generate rsa general-keys label K modulus 2048" if wanted["needed"] else ""
        return "crypto gdoi group G"
    steps = [{"hosts": "key_servers", "template": "keys", "config_exec": True},
             {"hosts": "key_servers", "template": "group", "gate": "group"}]
    end = engine.End("ks1", {"host": "ks1", "platform": "ios", "links": []}, {"name": "ks-ks1", "mode": "getvpn"})
    checked = engine.Engine(Pool([ks]), keys_render).check([[[end]]], steps)
    assert checked["changed"] and "crypto key generate rsa general-keys label K modulus 2048" in checked["diffs"][0]["after"]
    assert not any(e[0] == "config_exec" for e in ks.log)
    engine.Engine(Pool([ks]), keys_render).servers([end], steps)
    assert [e for e in ks.log if e[0] == "config_exec"] == [
        ("config_exec", ("crypto key generate rsa general-keys label K modulus 2048",))]
    assert end.state["status"] == "deployed" and "crypto key generate" not in "\n".join(ks.config)
    wanted["needed"] = False                       # a re-run: the key pair is there, the template renders nothing
    ks.log.clear()
    again = engine.End("ks1", {"host": "ks1", "platform": "ios", "links": []}, {"name": "ks-ks1", "mode": "getvpn"})
    engine.Engine(Pool([ks]), keys_render).servers([again], steps)
    assert not any(e[0] == "config_exec" for e in ks.log) and again.state["changed"] is False

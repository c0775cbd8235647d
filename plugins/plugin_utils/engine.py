# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The deploy engine: every router of a run, driven from one task on the controller, links in parallel.

One run (encrypt, rollback, rotate) is the plan's batches in order; the links of a batch run at once, one thread per
link, and each link drives its two routers in step (two threads): rollback point on both, then for every step one
transaction on both (plugins/plugin_utils/device.py: IOS-XE configure terminal, Junos commit confirmed) and its gate on
both (the checks of plugins/plugin_utils/verify.py, the same commands, parsers and pass criteria as the verify role),
then finish (confirm, changed = the configuration differs from the rollback point, a masked diff, the IOS-XE rollback
file deleted). A link that fails anywhere stops on both routers (the other router's gate stops polling) and both are
returned to their rollback point and compared with it, byte for byte (volatile header lines aside); the other links of
the batch carry on. A router whose session died is rolled back on a fresh session (``Pool.reopen``). After a batch in
which every link failed no further batch starts.

Nothing here knows Ansible: the action plugin (plugins/action/p2p_engine.py) gives it the sessions (``Pool``), the
renders of the templates and a ``say`` for progress lines; the unit tests give it fakes.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Iterable, Mapping, Sequence

try:
    from ansible_collections.mplssec.p2p.plugins.plugin_utils import audit, config_text, device, facts, verify
except ImportError:  # pragma: no cover - running from a checkout without the collection loader
    from . import audit, config_text, device, facts, verify  # type: ignore[no-redef]

__all__ = ["End", "Engine", "EngineError", "failure", "outcome", "steps_for"]

FAILED = ("failed", "rolled_back", "rollback_incomplete")


class EngineError(ValueError):
    """The engine's input is wrong (names what and where)."""


class End:
    """One router's part of one link in one run."""

    def __init__(self, host: str, plan: Mapping[str, Any], link: Mapping[str, Any]):
        self.host = host
        self.plan = dict(plan)
        self.platform = str(plan.get("platform"))
        self.link = dict(link)
        self.sess: Any = None
        self.saved = ""
        self.before_digest = ""
        self.needs_fresh = False
        self.state: dict[str, Any] = {"host": host, "status": "not_started", "step": "", "msg": "", "changed": False,
                                      "snapshot": False, "calls": 0}

    @property
    def failed(self) -> bool:
        return self.state["status"] in FAILED

    def fail(self, msg: str) -> None:
        if self.state["status"] not in FAILED:
            self.state.update(status="failed", msg=msg, failed_at=time.time())


class Engine:
    """A run over the routers of ``pool`` (see the module docstring).

    ``pool``: ``session(host, link=None) -> device session`` (any thread; ``link`` chooses the link's rollback file),
    ``reopen(host, link=None) -> device session`` on a fresh SSH/NETCONF session (called from the thread that created
    the engine only: it may fork);
    ``render(end, template) -> text``: the template for this router and link (PSK included);
    ``say(line)``: a progress line; ``secrets``: every secret of the run (masked out of anything returned)."""

    def __init__(self, pool: Any, render: Callable[[End, str], str], say: Callable[[str], None] = lambda line: None,
                 secrets: Iterable[str] = (), retries: int = 30, interval: float = 2.0, min_pct: int = verify.MIN_SUCCESS_PCT,
                 confirm_minutes: int = 0, show_config: bool = False):
        self.pool = pool
        self.render = render
        self.say = say
        self.secrets = [s for s in secrets if s]
        self.retries, self.interval, self.min_pct = int(retries), float(interval), int(min_pct)
        self.confirm_minutes = int(confirm_minutes)
        self.show_config = bool(show_config)

    def mask(self, text: Any) -> str:
        return device.mask(text, self.secrets)

    # -- helpers ------------------------------------------------------------------------------------------------

    @staticmethod
    def _parallel(fn: Callable[[Any], None], items: Sequence[Any]) -> None:
        """``fn(item)`` for every item at once (the first in this thread); returns when all are done."""
        items = list(items)
        if len(items) <= 1:
            for item in items:
                fn(item)
            return
        with ThreadPoolExecutor(max_workers=len(items) - 1) as pool:
            futures = [pool.submit(fn, item) for item in items[1:]]
            fn(items[0])
            for future in futures:
                future.result()

    def _guard(self, end: End, what: str, fn: Callable[[], None]) -> None:
        """Run one router's operation; any error fails the router's link with a masked message."""
        try:
            fn()
        except device.DeviceError as exc:
            end.fail(self.mask(exc))
        except Exception as exc:  # noqa: BLE001 - a bug or an unexpected reply must fail the link, never the run
            end.fail(self.mask("%s on %s: internal error: %s: %s" % (what, end.host, type(exc).__name__, exc)))

    def _session(self, end: End) -> Any:
        if end.sess is None:
            end.sess = self.pool.session(end.host, end.link.get("name"))
        return end.sess

    # -- one router ---------------------------------------------------------------------------------------------

    def _snapshot(self, end: End) -> None:
        end.state.update(status="started", step="rollback point on %s" % end.host, t0=time.time())
        sess = self._session(end)
        end.saved = sess.snapshot()
        end.before_digest = device.digest(end.saved, sess.volatile())
        end.state["snapshot"] = True

    def _push(self, end: End, step: Mapping[str, Any], peer: End, shown: list) -> None:
        name = step_name(step)
        end.state["step"] = "push %s to %s" % (name, end.host)
        sess = self._session(end)
        config = self.render(end, step["template"]) if step.get("template") else ""
        if step.get("exec") or step.get("config_exec"):
            # commands, not configuration: never diffed. exec: operational commands (rotate_p2p's re-authentication),
            # only after a step of this run changed the link on one of its routers (a re-run that changed nothing has
            # nothing new to prove). config_exec: global configuration commands that are not configuration (GET VPN
            # key servers' RSA key pairs), which the template renders only when the gathered facts say they are
            # needed (a re-run runs nothing): running them is the change
            commands = _commands(config)
            if commands and (step.get("config_exec") or end.state["changed"] or peer.state["changed"]):
                if self.show_config:
                    shown.append((end.host, self.mask("\n".join(commands))))
                if step.get("config_exec"):
                    sess.config_exec(commands)
                    end.state["changed"] = True
                else:
                    sess.run(commands)
            end.state["step"] = "%s run" % name
            return
        if self.show_config:
            shown.append((end.host, self.mask(config)))
        if config.strip():
            comment = "mplssec.p2p %s %s" % (end.link.get("name"), name)
            # rearm: a dead-man timer of this run is pending on the router (Junos commit confirmed, IOS-XE revert timer):
            # every step restarts it, also one that changes nothing, so each step has the whole timer for its gates
            if sess.push(config, comment=comment, confirm_minutes=self.confirm_minutes,
                         rearm=bool(end.state.get("pending_confirm"))):
                end.state["changed"] = True
                end.state["pending_confirm"] = True
        end.state["step"] = "%s pushed" % name

    def _gate(self, end: End, step: Mapping[str, Any], stop: threading.Event) -> None:
        name = step_name(step)
        sess = self._session(end)
        for check in gate_checks(step, end.link):
            end.state["step"] = "gate %s, check %s (%s) on %s after %d x %s s" % (
                step.get("gate") or name, check, "; ".join(verify.show_commands(check, end.plan, end.link)), end.host,
                self.retries, self.interval)
            result = device.poll_check(sess, check, end.plan, end.link, self.retries, self.interval, self.min_pct, stop=stop.is_set)
            if result["status"] != "pass":
                if stop.is_set() and result.get("stopped"):
                    return  # the peer failed first: its failure is the link's cause
                end.fail(self.mask(result["detail"]))
                stop.set()
                return
        end.state["step"] = "%s done" % name

    def _finish(self, end: End, diffs: list) -> None:
        sess = self._session(end)
        if end.state.get("pending_confirm"):
            end.state["step"] = "confirm the change on %s" % end.host
            sess.confirm()
            end.state["pending_confirm"] = False
        end.state["step"] = "read the configuration of %s after the change" % end.host
        after = sess.read_config()
        changed = device.digest(after, sess.volatile()) != end.before_digest
        if changed:
            diffs.append({"before": self.mask(end.saved) + "\n", "after": self.mask(after) + "\n",
                          "before_header": "%s before" % end.host, "after_header": "%s after" % end.host})
        end.state.update(status="deployed", step="done", changed=changed)
        try:
            sess.cleanup()
        except device.DeviceError as exc:
            end.state["warning"] = "%s; the rollback file is still on %s (it holds the pre-change configuration): " \
                                   "delete it by hand" % (self.mask(exc), end.host)

    def _restore(self, end: End) -> None:
        """Back to the rollback point, then the configuration read back must equal it."""
        sess = self._session(end)
        comment = "mplssec.p2p %s rollback to the configuration before the change" % end.link.get("name")
        error = ""
        for attempt in range(3):
            try:
                sess.restore(end.saved, comment=comment)
                error = ""
                break
            except device.DeviceError as exc:
                error = "rollback command failed: %s" % self.mask(exc)
                if device.TRANSPORT_ERROR.search(str(exc)) and not end.needs_fresh:
                    end.needs_fresh = True  # a dead session: the run rolls back again on a fresh one
                    return
                if attempt < 2:
                    time.sleep(3)
        end.needs_fresh = False
        if not error:
            try:
                now = sess.read_config()
                if device.strip_volatile(now, sess.volatile()) != device.strip_volatile(end.saved, sess.volatile()):
                    error = "configuration after rollback differs from the rollback point"
            except device.DeviceError as exc:
                error = "could not read the configuration after the rollback: %s" % self.mask(exc)
        if error:
            end.state.update(status="rollback_incomplete", restore_error="%s: %s" % (end.host, error))
            return
        end.state.update(status="rolled_back", restore_error="")
        try:
            sess.cleanup()
        except device.DeviceError as exc:
            end.state["warning"] = "%s; delete the rollback file on %s by hand" % (self.mask(exc), end.host)

    # -- one link -----------------------------------------------------------------------------------------------

    def _run_link(self, ends: list[End], steps: Sequence[Mapping[str, Any]], position: str, diffs: list) -> None:
        a, b = ends
        peer = {id(a): b, id(b): a}
        self._parallel(lambda e: self._guard(e, "rollback point", lambda: self._snapshot(e)), ends)
        stop = threading.Event()
        todo = steps_for(steps, a.link)
        for index, step in enumerate(todo):
            if any(e.failed for e in ends):
                break
            shown: list = []
            self._parallel(lambda e, s=step, out=shown: self._guard(e, "push", lambda: self._push(e, s, peer[id(e)], out)), ends)
            if not any(e.failed for e in ends) and step.get("checks"):
                self._parallel(lambda e, s=step: self._guard(e, "gate", lambda: self._gate(e, s, stop)), ends)
            self._progress(ends, index, len(todo), step, position, shown)
        if any(e.failed for e in ends):
            for e in ends:  # the link stopped on both routers: the one that had not failed records it
                if e.state["status"] == "started":
                    e.state.update(status="failed", msg="", step="stopped: the link failed on %s" % peer[id(e)].host)
            self._parallel(lambda e: self._guard(e, "rollback", lambda: self._restore(e)),
                           [e for e in ends if e.state["snapshot"]])
        else:
            self._parallel(lambda e: self._guard(e, "finish", lambda: self._finish(e, diffs)), ends)

    def _progress(self, ends: list[End], index: int, total: int, step: Mapping[str, Any], position: str, shown: list) -> None:
        a = ends[0]
        bad = sorted((e.state for e in ends if e.state.get("failed_at")), key=lambda s: s["failed_at"])
        elapsed = time.time() - float(a.state.get("t0") or time.time())
        self.say("link %s (%s): step %d/%d %s, %.1f s since its first step: %s" % (
            a.link.get("name"), position, index + 1, total, step_name(step), elapsed,
            ("FAILED at %s: %s" % (bad[0]["step"], bad[0]["msg"])) if bad else "ok"))
        for host, text in shown:
            self.say("%s %s:\n%s" % (host, step_name(step), text))

    # -- a run --------------------------------------------------------------------------------------------------

    def _restore_fresh(self, ends: Sequence[End]) -> None:
        """Roll back, on a fresh session, the routers whose rollback met a dead session (here: reopen may fork)."""
        fresh = [e for e in ends if e.needs_fresh]
        for end in fresh:
            try:
                end.sess = self.pool.reopen(end.host, end.link.get("name"))
            except Exception as exc:  # noqa: BLE001 - the router cannot be reached again
                end.state.update(status="rollback_incomplete",
                                 restore_error=self.mask("%s: no new session for the rollback: %s" % (end.host, exc)))
                end.needs_fresh = False
        self._parallel(lambda e: self._guard(e, "rollback", lambda: self._restore(e)), [e for e in fresh if e.needs_fresh])

    def servers(self, ends: Sequence[End], steps: Sequence[Mapping[str, Any]]) -> list:
        """Routers that end no link but serve links (GET VPN key servers): the steps on each at once, each router its own
        transaction per step with a rollback point; a router that fails is rolled back to it. Returns the diffs."""
        diffs: list = []

        def one(end: End) -> None:
            self._guard(end, "rollback point", lambda: self._snapshot(end))
            for step in steps:
                if end.failed:
                    break
                self._guard(end, "push", lambda s=step: self._push(end, s, end, []))
            if end.failed:
                if end.state["snapshot"]:
                    self._guard(end, "rollback", lambda: self._restore(end))
            else:
                self._guard(end, "finish", lambda: self._finish(end, diffs))

        self._parallel(one, list(ends))
        self._restore_fresh(ends)
        return diffs

    def deploy(self, batches: Sequence[Sequence[Sequence[End]]], steps: Any) -> dict[str, Any]:
        """Run the steps on the links of every batch, the batches in order. ``batches``: lists of links, a link
        being its two Ends (side a first); ``steps``: a list, or a function of a link's plan entry giving its list
        (the steps of its mode). Returns ``{diffs, changed}``; the states are on the Ends."""
        diffs: list = []
        total = sum(len(batch) for batch in batches)
        number = 0
        stopped = False
        for batch in batches:
            if stopped:
                break
            positions = {}
            for ends in batch:
                number += 1
                positions[id(ends)] = "%d/%d" % (number, total)
            self._parallel(lambda ends, at=positions: self._run_link(list(ends), _listed(steps, ends[0].link), at[id(ends)], diffs),
                           batch)
            self._restore_fresh([e for ends in batch for e in ends])
            stopped = all(any(e.failed for e in ends) for ends in batch)
        for end in (e for batch in batches for ends in batch for e in ends):
            end.state["calls"] = getattr(end.sess, "calls", 0) if end.sess is not None else 0
        return {"diffs": diffs, "changed": any(e.state["changed"] for batch in batches for ends in batch for e in ends)}

    def check(self, batches: Sequence[Sequence[Sequence[End]]], steps: Any) -> dict[str, Any]:
        """Check mode: what each router would get (nothing is pushed; Junos loads and discards), as diffs. ``batches``
        may hold single routers (key servers) beside links; ``steps`` as for ``deploy``."""
        diffs: list = []
        errors: list = []
        lock = threading.Lock()

        def one(end: End) -> None:
            listed = steps_for(_listed(steps, end.link), end.link)
            todo = [s for s in listed if s.get("template") and not s.get("exec") and not s.get("config_exec")]
            config = "\n".join(text for text in (self.render(end, s["template"]) for s in todo) if text)
            # config_exec steps (RSA key pairs) are not configuration: what they would run is listed as commands
            runs = [c for s in listed if s.get("template") and s.get("config_exec") for c in _commands(self.render(end, s["template"]))]
            sess = self._session(end)
            try:
                if sess.platform == "ios":
                    commands = [self.mask(line) for line in sess.would_change(config)] + runs
                    view = config_text.ios_change_view(commands, self.mask(config))
                    changed = bool(commands)
                else:
                    compare = sess.would_change(config)
                    view = config_text.junos_change_view(self.mask(compare))
                    changed = bool(compare.strip())
            except device.DeviceError as exc:
                with lock:
                    errors.append("link %s: %s" % (end.link.get("name"), self.mask(exc)))
                return
            if changed:
                with lock:
                    diffs.append({"before": view["before"], "after": view["after"], "before_header": "%s now" % end.host,
                                  "after_header": "%s would be" % end.host})
            end.state.update(changed=changed)

        for batch in batches:
            self._parallel(one, [e for ends in batch for e in ends])
        return {"diffs": diffs, "errors": errors,
                "changed": any(e.state["changed"] for batch in batches for ends in batch for e in ends)}

    # -- read-only operations, one thread per router -------------------------------------------------------------

    def gather(self, routers: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
        """``routers``: {host: platform}. Returns ({host: p2p_facts}, {host: error})."""
        found: dict = {}
        errors: dict = {}

        def one(host: str) -> None:
            try:
                sess = self.pool.session(host)
                found[host] = facts.parse_facts(routers[host], sess.run(facts.gather_commands(routers[host])))
            except (device.DeviceError, facts.FactsError) as exc:
                errors[host] = self.mask(str(exc))

        self._parallel(one, sorted(routers))
        return found, errors

    def verify(self, work: Mapping[str, tuple[Mapping[str, Any], Sequence[str]]], checks: Sequence[str]) -> list[dict]:
        """``work``: {host: (router plan, [link names])}. Every check of every link, each polled until it passes."""
        results: dict = {}

        def one(host: str) -> None:
            plan, links = work[host]
            out = []
            error = ""
            try:
                sess = self.pool.session(host)
            except Exception as exc:  # noqa: BLE001 - an unreachable router: its checks fail with the reason
                sess = None
                error = self.mask(str(exc))
            for link in links:
                for check in verify.checks_for(verify._link_from_plan(plan, link), checks):
                    if sess is None:
                        out.append(dict(verify.run_check(check, [], plan, link, error=error), link=link))
                        continue
                    result = device.poll_check(sess, check, plan, link, self.retries, self.interval, self.min_pct)
                    out.append(dict(result, detail=self.mask(result.get("detail", "")), link=link))
            results[host] = out

        self._parallel(one, sorted(work))
        return [r for host in sorted(results) for r in results[host]]

    def getvpn_groups(self, plans: Mapping[str, Mapping[str, Any]], links: Iterable[str],
                      rekey_wait: float | None = None) -> list[dict]:
        """GET VPN, across routers (plugins/plugin_utils/verify_getvpn.py): on every key server of the groups of ``links``
        (mode getvpn), the link's two members Registered and a TEK in its policy (``gdoi_ks_members``); per link, both
        members hold the TEK the key server hands out: one group key (``gdoi_tek``), and rekeys happen (``gdoi_rekey``:
        one sample; with ``rekey_wait`` (the most seconds to wait) a second sample after the next rekey is due).
        Results carry the link's name."""
        try:
            from ansible_collections.mplssec.p2p.plugins.plugin_utils import verify_getvpn as G
        except ImportError:  # pragma: no cover - running from a checkout without the collection loader
            from . import verify_getvpn as G  # type: ignore[no-redef]
        wanted = set(links)
        members: dict = {}  # link -> [(host, plan)]
        for host, plan in plans.items():
            for link in plan.get("links") or []:
                if link.get("name") in wanted and link.get("mode") == "getvpn":
                    members.setdefault(link["name"], []).append((host, plan))
        groups = {link_name: verify._link_from_plan(ends[0][1], link_name)["getvpn"]["group"] for link_name, ends in members.items()}
        servers = [(host, server) for host, plan in plans.items() for server in plan.get("getvpn_servers") or []
                   if server.get("group") in set(groups.values())]
        ks_read: dict = {}
        results: dict = {}

        def read_ks(item: tuple) -> None:
            host, server = item
            try:
                ks_read[(host, server["group"])] = self.pool.session(host).run(G.ks_show_commands())
            except device.DeviceError as exc:
                ks_read[(host, server["group"])] = self.mask(exc)

        def read_member(item: tuple) -> None:
            link_name, host, plan = item
            link = verify._link_from_plan(plan, link_name)
            try:
                outputs = self.pool.session(host).run(verify.show_commands("gdoi_registered", plan, link_name))
                results[(link_name, host)] = G.rekey_state(str(plan.get("platform")), outputs, link)
            except (device.DeviceError, verify.VerifyError, KeyError, ValueError) as exc:
                results[(link_name, host)] = self.mask(exc)

        def read_all() -> None:
            self._parallel(read_ks, servers)
            self._parallel(read_member, [(name, host, plan) for name, ends in members.items() for host, plan in ends])

        read_all()
        out = self._group_results(G, servers, groups, members, ks_read, results)
        if rekey_wait is not None:
            out = self._rekey_wait(G, out, servers, groups, members, ks_read, results, read_all, rekey_wait)
        return out

    @staticmethod
    def _group_results(gv: Any, servers: list, groups: dict, members: dict, ks_read: dict, results: dict) -> list:
        out = []
        for host, server in servers:
            outputs = ks_read[(host, server["group"])]
            for link_name in sorted(n for n, g in groups.items() if g == server["group"]):
                if isinstance(outputs, str):
                    out += [dict(verify._result(name, host, False, "commands failed: " + outputs), link=link_name)  # noqa: SLF001
                            for name in verify.GROUP_CHECKS]
                    continue
                # this link's two members (their registration addresses): the group's other links answer for theirs
                addresses = {h: verify._link_from_plan(plan, link_name)["getvpn"].get("registration_address")
                             for h, plan in members[link_name]}
                out.append(dict(gv.run_ks_check(outputs, server, [a for a in addresses.values() if a], host), link=link_name))
                held = {h: results[(link_name, h)] for h, _plan in members[link_name]}
                errors = {h: v for h, v in held.items() if isinstance(v, str)}
                if errors:
                    for name in ("gdoi_tek", "gdoi_rekey"):
                        out.append(dict(verify._result(name, host, False, "; ".join(  # noqa: SLF001
                            "%s: %s" % item for item in sorted(errors.items()))), link=link_name))
                    continue
                ks_teks = gv.ks_policy_spis(outputs[1], server["objects"])
                tek = gv.valid_tek_match(server["group"], {h: set(v["teks"]) for h, v in held.items()}, ks_teks, host)
                out.append(dict(tek, link=link_name))
                rows = {r.get("member"): r for r in gv.ks_members(outputs[0]) if r.get("group_name") == server["objects"]}
                missed = {h: rows.get(a, {}).get("acks_missed") for h, a in addresses.items()}
                missed = {h: int(v) if str(v or "").isdigit() else None for h, v in missed.items()}
                lifetime = int((server.get("esp") or {}).get("lifetime") or 3600)
                health = gv.valid_rekey_health(server["group"], server.get("rekey") or "none", lifetime, held, missed, host)
                out.append(dict(health, link=link_name))
        return out

    def _rekey_wait(self, gv: Any, out: list, servers: list, groups: dict, members: dict, ks_read: dict, results: dict,
                    read_all: Callable[[], None], most: float) -> list:
        """The second sample of ``gdoi_rekey``: after the next rekey of every group is due (at most ``most`` seconds),
        read every member and key server again and replace each passed ``gdoi_rekey`` by the two-sample verdict."""
        before = {k: v for k, v in results.items() if not isinstance(v, str)}
        rekeys = {s["group"]: s.get("rekey") or "none" for _h, s in servers}
        waits = {name: gv.rekey_wait_seconds(rekeys[groups[name]], {h: before[(name, h)] for h, _p in ends if (name, h) in before})
                 for name, ends in members.items()}
        wait = max([w for w in waits.values() if w <= most] or [0.0])
        self.say("GET VPN: waiting %d s for the next rekey of %s" % (wait, ", ".join(sorted(set(groups.values())))))
        time.sleep(wait)
        read_all()
        final = []
        for r in out:
            if r["name"] != "gdoi_rekey" or r["status"] != "pass":
                final.append(r)
                continue
            name, ks_host = r["link"], r["host"]
            if waits[name] > most:  # not proven: say so rather than sample too early
                final.append(dict(verify._result("gdoi_rekey", ks_host, False, "%s; the next rekey is due in %d s, "  # noqa: SLF001
                                                 "beyond the wait allowed (%d s): raise p2p_verify_rekey_wait" % (
                                                     r["detail"], waits[name], most)), link=name))
                continue
            server = next(s for h, s in servers if h == ks_host and s["group"] == groups[name])
            now = ks_read[(ks_host, server["group"])]
            after = {h: results[(name, h)] for h, _p in members[name]}
            broken = {h: v for h, v in after.items() if isinstance(v, str)} or ({ks_host: now} if isinstance(now, str) else {})
            if broken:
                final.append(dict(verify._result("gdoi_rekey", ks_host, False, "second sample: " + "; ".join(  # noqa: SLF001
                    "%s: %s" % item for item in sorted(broken.items()))), link=name))
                continue
            first = {h: before[(name, h)] for h, _p in members[name]}
            verdict = gv.valid_rekeyed(server["group"], rekeys[server["group"]], first, after,
                                       gv.ks_policy_spis(now[1], server["objects"]), wait, ks_host)
            final.append(dict(verdict, link=name))
        return final

    def audit(self, work: Mapping[str, tuple[Mapping[str, Any], Sequence[Mapping[str, Any]]]],
              phases: Callable[[End], list[dict]]) -> list[dict]:
        """``work``: {host: (router plan, [link plan entries])}; ``phases(end)``: the renders the link should hold."""
        results: dict = {}

        def one(host: str) -> None:
            plan, links = work[host]
            try:
                config = self.pool.session(host).read_config()
            except device.DeviceError as exc:
                results[host] = [{"link": link["name"], "name": "config", "host": host, "status": "fail", "state": "unknown",
                                  "detail": "unknown: the configuration could not be read: %s" % self.mask(str(exc))}
                                 for link in links]
                return
            results[host] = [audit.audit_results(link["name"], host, str(plan.get("platform")), config,
                                                 phases(End(host, plan, link))) for link in links]

        self._parallel(one, sorted(work))
        return [r for host in sorted(results) for r in results[host]]


def _commands(text: str) -> list[str]:
    """The commands of a rendered exec / config_exec step: its non-empty lines."""
    return [line.strip() for line in str(text or "").split("\n") if line.strip()]


def _listed(steps: Any, link: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
    """``steps`` as given: a list, or a function of the link's plan entry (the steps of its mode)."""
    return steps(link) if callable(steps) else steps


def steps_for(steps: Sequence[Mapping[str, Any]], link: Mapping[str, Any]) -> list:
    """The steps that run for ``link``: ``when_plan: KEY`` runs only when the link's plan has KEY true."""
    return [s for s in steps if s.get("when_plan") is None or link.get(s["when_plan"]) is True]


def step_name(step: Mapping[str, Any]) -> str:
    return str(step.get("template") or step.get("gate") or "step")


def gate_checks(step: Mapping[str, Any], link: Mapping[str, Any]) -> list[str]:
    """Check names of a step's gate; ``{check: NAME, unless_plan: KEY}`` drops NAME when the link's plan has KEY true."""
    out = []
    for item in step.get("checks") or []:
        if isinstance(item, Mapping):
            if link.get(item.get("unless_plan") or "") is True:
                continue
            item = item.get("check")
        out.append(str(item))
    return out


def unbooted(plans: Mapping[str, Mapping[str, Any]], rebooted: Iterable[str]) -> set:
    """Routers whose plan reboots them first (an action ``reboot``: p2p_allow_reboot) and that were not rebooted: their
    links must not start (the plan was made for the router after the reboot)."""
    done = set(rebooted)
    return {h for h, plan in plans.items() if h not in done
            and any(a.get("action") == "reboot" for a in plan.get("actions") or [])}


def outcome(links: Sequence[tuple[str, Sequence[End]]]) -> dict[str, Any]:
    """Each link's outcome from its two routers' states: ``{done: {link: [hosts]}, failed: {link: message},
    states: {link: {host: state}}}`` (the messages the play fails with)."""
    done: dict = {}
    failed: dict = {}
    states: dict = {}
    for name, ends in links:
        st = [dict(e.state) for e in ends]
        states[name] = {s["host"]: {k: v for k, v in s.items() if k != "t0"} for s in st}
        if all(s["status"] == "deployed" for s in st):
            done[name] = [e.host for e in ends]
        elif all(s["status"] == "not_started" for s in st):
            failed[name] = "link %s NOT STARTED: %s (nothing was changed)" % (
                name, st[0].get("msg") or "an earlier batch failed on every link")
        else:
            failed[name] = failure("link " + name, st)
    return {"done": done, "failed": failed, "states": states}


def failure(label: str, st: Sequence[Mapping[str, Any]]) -> str:
    """Why ``label`` (a link, or a key server) failed, and what its rollback gave, from its routers' states."""
    culprit = (sorted((s for s in st if s.get("failed_at")), key=lambda s: s["failed_at"]) + list(st))[0]
    errors = [s["restore_error"] for s in st if s.get("restore_error")]
    restored = sorted(s["host"] for s in st if s["status"] == "rolled_back")
    unrestored = [s["host"] for s in st if s["status"] == "failed"]
    if errors:
        tail = "ROLLBACK INCOMPLETE: " + "; ".join(errors)
    else:
        tail = ("rolled back: %s returned to %s exact prior configuration (verified)" % (
            " and ".join(restored), "their" if len(restored) > 1 else "its") if restored else "")
        if unrestored:
            tail += "; no change made on %s (no rollback point was taken)" % " and ".join(unrestored)
    return "%s FAILED at %s: %s -- %s" % (label, culprit.get("step") or "?", culprit.get("msg") or "failed", tail)

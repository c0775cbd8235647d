# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin mplssec.p2p.p2p_deploy: one router's part of one deploy phase, on the controller.

Documentation: plugins/modules/p2p_deploy.py. The device calls: plugins/plugin_utils/device.py; the gates' commands
and pass criteria: plugins/plugin_utils/verify.py (the same functions the verify role runs).
"""

from __future__ import annotations

import time
from typing import Any

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

try:
    from ansible_collections.mplssec.p2p.plugins.plugin_utils import config_text, device, verify
except ImportError:  # pragma: no cover - running from a checkout without the collection loader
    from ..plugin_utils import config_text, device, verify  # type: ignore[no-redef]

OPS = ("snapshot", "push", "gate", "finish", "restore", "check")
FAILED = ("failed", "rolled_back", "rollback_incomplete")


class ActionModule(ActionBase):
    """One task = one router, one operation (see the module documentation)."""

    TRANSFERS_FILES = False
    _peer_changed = False  # whether the link changed on the peer in this run (set per task by run)
    _supports_check_mode = True
    _requires_connection = True

    def run(self, tmp: Any = None, task_vars: dict | None = None) -> dict:
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        args = dict(self._task.args)
        op = args.get("op")
        if op not in OPS:
            raise AnsibleActionFail("op must be one of %s, got %r" % (", ".join(OPS), op))
        link_name = args.get("link") or ""
        if not link_name:
            result.update(skipped=True, msg="this router ends no link of this batch")
            return result
        plan = args.get("plan") or {}
        link = verify._link_from_plan(plan, link_name)
        host = str(plan.get("host") or task_vars.get("inventory_hostname"))
        state = dict(task_vars.get("p2p_deploy_state") or {})
        mine = dict(state.get(link_name) or {})
        peer_host = (link.get("peer") or {}).get("host")
        peer = self._peer_state(task_vars, peer_host, link_name)
        secrets = [str(s) for s in args.get("secrets") or [] if s]
        ops = args.get("ops") or {}

        if op == "snapshot":
            mine = {"host": host, "status": "started", "step": "rollback point", "t0": time.time(), "changed": False,
                    "pending_confirm": False, "snapshot": False, "calls": 0, "msg": ""}
        elif op == "restore":
            if not mine.get("snapshot") or not (mine.get("status") == "failed" or peer.get("status") == "failed"):
                result.update(skipped=True, msg="nothing to roll back on %s" % host)
                return result
        elif op != "check" and (mine.get("status") != "started" or peer.get("status") in FAILED):
            result.update(skipped=True, msg="link %s failed (%s): no further step on %s" % (
                link_name, mine.get("step") if mine.get("status") in FAILED else "on %s" % peer_host, host))
            return result

        sess = self._session(plan.get("platform"), ops, secrets, mine)
        if sess is None:  # p2p_deploy_step without a live connection: the next task (p2p_deploy) does this op
            result.update(needs_connection=True, msg="no live persistent connection to %s: the fallback task runs" % host)
            return result
        if op == "snapshot":
            mine["socket"] = getattr(self._connection, "socket_path", None)
        if op == "check":  # read only: no state
            try:
                self._op_check(sess, args, link, {"host": host}, result)
            except device.DeviceError as exc:  # reported by the next task (this one is no_log: its args hold the PSK)
                result["check_error"] = str(exc)
            return result
        self._peer_changed = bool(peer.get("changed"))  # read by _op_push (exec steps); not part of the state
        try:
            getattr(self, "_op_" + op)(sess, args, link, mine, result)
        except device.DeviceError as exc:
            mine.update(status="failed", msg=str(exc))
        if mine.get("status") == "failed" and not mine.get("failed_at"):
            mine["failed_at"] = time.time()  # the first failure of a link is its cause (the peer's gate fails after it)
        mine["calls"] = mine.get("calls", 0) + sess.calls
        state[link_name] = mine
        result["ansible_facts"] = {"p2p_deploy_state": state}
        result["link_state"] = {k: v for k, v in mine.items() if k != "t0"}
        return result

    def _session(self, platform: Any, ops: dict, secrets: list, mine: dict) -> Any:
        """The router's session over this task's persistent connection."""
        return device.connect(self, platform, ops, secrets)

    @staticmethod
    def _peer_state(task_vars: dict, peer_host: str | None, link_name: str) -> dict:
        hostvars = task_vars.get("hostvars") or {}
        if not peer_host or peer_host not in hostvars:
            return {}
        try:
            return dict((hostvars[peer_host].get("p2p_deploy_state") or {}).get(link_name) or {})
        except Exception:  # an undefined or unreadable fact of the peer: no state yet
            return {}

    # -- operations -----------------------------------------------------------------------------------------------

    def _op_snapshot(self, sess: Any, args: dict, link: dict, mine: dict, result: dict) -> None:
        saved = sess.snapshot()
        mine["snapshot"] = True
        result["saved"] = saved
        result["before"] = device.mask(saved, sess.secrets)
        result["before_digest"] = device.digest(saved, sess.volatile())

    def _op_push(self, sess: Any, args: dict, link: dict, mine: dict, result: dict) -> None:
        step = args.get("step") or "phase"
        mine["step"] = "push %s to %s" % (step, mine["host"])
        config = str(args.get("config") or "")
        if args.get("exec"):
            # operational commands (rotate_p2p's re-authentication), only after a step of this run changed the link
            # on one of its routers: a re-run that changed nothing has nothing new to prove
            commands = [line.strip() for line in config.split("\n") if line.strip()]
            if commands and (mine.get("changed") or self._peer_changed):
                if args.get("show_config"):
                    result["config_masked"] = device.mask("\n".join(commands), sess.secrets).split("\n")
                sess.run(commands)
                result["ran"] = commands
            mine["step"] = "%s run" % step
            return
        if args.get("show_config"):
            result["config_masked"] = device.mask(config, sess.secrets).split("\n")
        if config.strip():
            comment = "mplssec.p2p %s %s" % (link.get("name"), step)
            changed = sess.push(config, comment=comment, confirm_minutes=int(args.get("confirm_minutes") or 0),
                                rearm=bool(mine.get("pending_confirm")))
            mine["changed"] = mine.get("changed") or changed
            if changed:  # Junos commit confirmed / IOS-XE revert timer: the finish confirms
                mine["pending_confirm"] = True
        mine["step"] = "%s pushed" % step

    def _op_gate(self, sess: Any, args: dict, link: dict, mine: dict, result: dict) -> None:
        step = args.get("step") or "phase"
        retries, interval = int(args.get("retries") or 30), float(args.get("interval") or 2)
        plan = args.get("plan") or {}
        results = []
        for check in self._checks(args.get("checks") or [], link):
            mine["step"] = "gate %s, check %s (%s) on %s after %d x %s s" % (
                args.get("gate") or step, check, "; ".join(verify.show_commands(check, plan, link)), mine["host"],
                retries, args.get("interval") or 2)
            results.append(device.poll_check(sess, check, plan, link, retries, interval,
                                             int(args.get("min_success_pct") or verify.MIN_SUCCESS_PCT)))
            if results[-1]["status"] != "pass":
                mine.update(status="failed", msg=results[-1]["detail"])
                break
        result["checks"] = results
        if mine.get("status") != "failed":
            mine["step"] = "%s done" % step

    @staticmethod
    def _checks(checks: list, link: dict) -> list[str]:
        """Check names of a gate; ``{check: NAME, unless_plan: KEY}`` drops NAME when the link's plan has KEY true."""
        out = []
        for item in checks:
            if isinstance(item, dict):
                if link.get(item.get("unless_plan") or "") is True:
                    continue
                item = item.get("check")
            out.append(str(item))
        return out

    def _op_finish(self, sess: Any, args: dict, link: dict, mine: dict, result: dict) -> None:
        if mine.get("pending_confirm"):
            mine["step"] = "confirm the commit on %s" % mine["host"]
            sess.confirm()
            mine["pending_confirm"] = False
        mine["step"] = "read the configuration of %s after the deploy" % mine["host"]
        after = sess.read_config()
        result["changed"] = device.digest(after, sess.volatile()) != args.get("before_digest")
        before = str(args.get("before") or "")
        if result["changed"] and before:
            result["diff"] = {"before": before + "\n", "after": device.mask(after, sess.secrets) + "\n",
                              "before_header": "%s before" % mine["host"], "after_header": "%s after" % mine["host"]}
        mine.update(status="deployed", step="done", changed=result["changed"])
        try:
            sess.cleanup()
        except device.DeviceError as exc:
            result["warnings"] = ["%s; the rollback file is still on %s (it holds the pre-change configuration): "
                                  "delete it by hand" % (exc, mine["host"])]

    def _op_restore(self, sess: Any, args: dict, link: dict, mine: dict, result: dict) -> None:
        saved = str(args.get("saved") or "")
        comment = "mplssec.p2p %s rollback to the configuration before the deploy" % link.get("name")
        error = ""
        for _attempt in range(3):  # a router busy after a dropped session; the task runs after a reset_connection
            try:
                sess.restore(saved, comment=comment)
                error = ""
                break
            except device.DeviceError as exc:
                error = "rollback command failed: %s" % exc
                time.sleep(3)
        if not error:
            try:
                now = sess.read_config()
                if device.strip_volatile(now, sess.volatile()) != device.strip_volatile(saved, sess.volatile()):
                    error = "configuration after rollback differs from the rollback point"
            except device.DeviceError as exc:
                error = "could not read the configuration after the rollback: %s" % exc
        result["changed"] = True
        if error:
            mine.update(status="rollback_incomplete", restore_error="%s: %s" % (mine["host"], error))
            return
        mine.update(status="rolled_back", restore_error="")
        try:
            sess.cleanup()
        except device.DeviceError as exc:
            result["warnings"] = ["%s; delete the rollback file on %s by hand" % (exc, mine["host"])]

    def _op_check(self, sess: Any, args: dict, link: dict, mine: dict, result: dict) -> None:
        config = str(args.get("config") or "")
        if sess.platform == "ios":
            commands = [device.mask(line, sess.secrets) for line in sess.would_change(config)]
            view = config_text.ios_change_view(commands, device.mask(config, sess.secrets))
            result["changed"] = bool(commands)
        else:
            compare = sess.would_change(config)
            view = config_text.junos_change_view(device.mask(compare, sess.secrets))
            result["changed"] = bool(compare.strip())
        if result["changed"]:
            result["diff"] = {"before": view["before"], "after": view["after"],
                              "before_header": "%s now" % mine.get("host", ""), "after_header": "%s would be" % mine.get("host", "")}

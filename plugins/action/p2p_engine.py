# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin mplssec.p2p.p2p_engine: one task on the controller for every router of a run.

Documentation: plugins/modules/p2p_engine.py. The orchestration: plugins/plugin_utils/engine.py; the routers'
persistent connections: plugins/plugin_utils/sessions.py (forked here, one per router per run, reused by every later
task of the run); the device calls: plugins/plugin_utils/device.py; the checks: plugins/plugin_utils/verify.py.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

import yaml
from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

try:
    from ansible_collections.mplssec.p2p.plugins.plugin_utils import audit, device, engine, sessions, verify
except ImportError:  # pragma: no cover - running from a checkout without the collection loader
    from ..plugin_utils import audit, device, engine, sessions, verify  # type: ignore[no-redef]

OPS = ("gather", "deploy", "verify", "audit", "close")
#: rotate_p2p, mode macsec: the templates rendered at push time with the link's rollover time T (the same for both of
#: its routers, ROLLOVER_LEAD seconds after the first of them is pushed: both hold the new key before T)
ROLLOVER_TEMPLATES = ("macsec_rollover",)
ROLLOVER_LEAD = 20
display = Display()


class _Pool:
    """The device sessions of the run's routers, over their persistent connections (started here, main thread)."""

    def __init__(self, action: "ActionModule", task_vars: dict, hosts: list[str], ops: Any, secrets: list[str],
                 idle_timeout: int | None):
        self.action, self.task_vars, self.ops, self.secrets = action, task_vars, ops, secrets
        self.idle_timeout = idle_timeout
        self.sockets: dict[str, str] = {}
        self.errors: dict[str, str] = {}
        self.platforms: dict[str, str] = {}
        for host in hosts:
            self.add(host)

    def _variables(self, host: str) -> dict:
        variables = sessions.router_variables(self.task_vars, host)
        if self.idle_timeout:
            variables["ansible_connect_timeout"] = self.idle_timeout
        # IOS-XE network_cli over paramiko, not libssh: when the router drops the SSH session, network_cli's libssh
        # reader polls an empty channel until the command timeout (60 s), paramiko reports "Socket is closed" at once,
        # so a dead session is noticed in seconds (issue 8 section 4b; measured in the lab: 65 s against 5 s). No
        # effect on Junos (netconf). p2p_network_cli_ssh_type overrides it.
        variables["ansible_network_cli_ssh_type"] = self.task_vars.get("p2p_network_cli_ssh_type") or "paramiko"
        return variables

    def add(self, host: str) -> None:
        """Start (or find) the session of ``host``; a router that cannot have one gets its reason instead."""
        try:
            variables = self._variables(host)
            os_name = str(self.action._templar.copy_with_new_env(available_variables=variables).template(
                variables.get("ansible_network_os") or ""))
            self.platforms[host] = "junos" if os_name.endswith("junos") else "ios"
            self.sockets[host] = sessions.start(self.action, host, variables)
            self.errors.pop(host, None)
        except Exception as exc:  # noqa: BLE001 - reported on the router's links, the other routers carry on
            self.errors[host] = device.mask("%s: no session: %s" % (host, exc), self.secrets)

    def session(self, host: str, link: str | None = None) -> Any:
        if host in self.errors or host not in self.sockets:
            raise device.DeviceError(self.errors.get(host) or "%s: no session" % host)
        platform = self.platforms[host]
        sess = device.connect(self.action, platform, self.ops(platform, link), self.secrets, socket_path=self.sockets[host])
        sess.restart = lambda: self._restart(host)  # a dead session is replaced from the thread that met it
        return sess

    def _restart(self, host: str) -> str:
        self.sockets[host] = sessions.restart(self.action, host, self._variables(host))
        return self.sockets[host]

    def reopen(self, host: str, link: str | None = None) -> Any:
        sessions.stop(self.sockets.pop(host, ""))
        self.add(host)
        return self.session(host, link)


class ActionModule(ActionBase):
    """See plugins/modules/p2p_engine.py."""

    TRANSFERS_FILES = False
    _supports_check_mode = True
    _requires_connection = False

    def run(self, tmp: Any = None, task_vars: dict | None = None) -> dict:
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        args = dict(self._task.args)
        op = args.get("op")
        if op not in OPS:
            raise AnsibleActionFail("op must be one of %s, got %r" % (", ".join(OPS), op))
        self._vars = task_vars
        self._ops_cache: dict = {}
        self._rollover_at: dict = {}
        self._rollover_pool: Any = None
        self._pools: list[_Pool] = []
        result = getattr(self, "_op_" + op)(args, task_vars, result)
        # the sockets of this run's sessions (op close ends them without looking each up again)
        sockets = dict(task_vars.get("p2p_sessions") or {}) if op != "close" else {}
        for pool in self._pools:
            sockets.update(pool.sockets)
        result.setdefault("ansible_facts", {})["p2p_sessions"] = sockets
        return result

    # -- inputs ---------------------------------------------------------------------------------------------------

    def _secrets(self, task_vars: dict, names: list[str]) -> dict[str, dict]:
        """The keys of each named link, read here from p2p_links (never a task argument: the result stays showable):
        ``{link: {"psk": crypto.psk, "macsec_keys": {"ckn", "cak"}}}`` (mode macsec: its MKA pre-shared key)."""
        raw = task_vars.get("p2p_links") or []
        out: dict[str, dict] = {}
        for item in raw if isinstance(raw, list) else []:
            if not isinstance(item, dict) or item.get("name") not in names:
                continue
            keys: dict = {}
            crypto, mka = item.get("crypto") or {}, item.get("macsec") or {}
            if isinstance(crypto, dict) and crypto.get("psk") is not None:
                keys["psk"] = str(self._templar.template(crypto["psk"]))
            if isinstance(mka, dict) and mka.get("cak") is not None:
                keys["macsec_keys"] = {k: str(self._templar.template(mka.get(k) or "")) for k in ("ckn", "cak")}
                if mka.get("previous_ckn") is not None:   # rotate_p2p: the CKN the new pair replaces
                    keys["macsec_keys"]["previous_ckn"] = str(self._templar.template(mka["previous_ckn"]))
            out[item["name"]] = keys
        return out

    def _template(self, name: str, template_vars: dict) -> str:
        lookup = self._shared_loader_obj.lookup_loader.get("ansible.builtin.template", loader=self._loader, templar=self._templar)
        variables = {"ansible_search_path": self._vars.get("ansible_search_path") or [], "role_path": self._vars.get("role_path")}
        value = lookup.run([name], variables=variables, template_vars=template_vars)[0]
        return "" if value is None else str(value)  # ansible-core 2.19 renders an empty template as None

    def _ops(self, platform: str, link: str | None, rollback_file: str) -> dict:
        key = (platform, link)
        if key not in self._ops_cache:
            path = rollback_file.replace("{link}", link or "") if link else ""
            self._ops_cache[key] = yaml.safe_load(self._template("%s/ops.j2" % platform, {"rollback_file": path})) or {}
        return self._ops_cache[key]

    @staticmethod
    def _steps_by_mode(args: dict) -> dict:
        """The ``steps`` argument: a list (one mode, gre_ipsec), or {mode: list} (the role's deploy_steps_by_mode)."""
        listed = args.get("steps") or []
        return listed if isinstance(listed, dict) else {"gre_ipsec": list(listed)}

    @staticmethod
    def _plans(args: dict) -> dict:
        plans = args.get("plans") or {}
        if not isinstance(plans, dict):
            raise AnsibleActionFail("plans must be the plan role's p2p_plans fact ({router: plan})")
        return plans

    def _ends(self, plans: dict, name: str) -> list[engine.End]:
        ends = []
        for host in sorted(plans):
            for link in plans[host].get("links") or []:
                if link.get("name") == name:
                    ends.append(engine.End(host, plans[host], link))
        if len(ends) != 2:
            raise AnsibleActionFail("link %s: the plan has %d router(s) for it, expected 2 (run the mplssec.p2p.plan role "
                                    "first)" % (name, len(ends)))
        return sorted(ends, key=lambda e: e.link.get("side") != "a")

    def _pool(self, args: dict, hosts: list[str], secrets: list[str], ops: bool = False) -> _Pool:
        """The sessions of ``hosts``; with ``ops`` they know the deploy role's operational commands (templates/*/ops.j2:
        rollback point, restore, configuration read), which read-only checks do not need."""
        rollback_file = str(args.get("rollback_file") or "")
        idle = int(args.get("idle_timeout") or 0) or None
        pool = _Pool(self, self._vars, sorted(set(hosts)),
                     (lambda platform, link: self._ops(platform, link, rollback_file)) if ops else (lambda platform, link: {}),
                     secrets, idle)
        self._pools.append(pool)
        return pool

    def _engine(self, args: dict, pool: _Pool, renders: dict, secrets: list[str]) -> engine.Engine:
        def say(line: str) -> None:
            display.display(line)

        def render(end: engine.End, template: str) -> str:
            text = renders[(end.host, end.link["name"], template)]
            return text() if callable(text) else text

        return engine.Engine(pool, render, say=say,
                             secrets=secrets, retries=int(args.get("retries") or 30),
                             interval=float(args.get("interval") if args.get("interval") is not None else 2),
                             min_pct=int(args.get("min_success_pct") or verify.MIN_SUCCESS_PCT),
                             confirm_minutes=int(args.get("confirm_minutes") or 0), show_config=bool(args.get("show_config")))

    # -- operations -----------------------------------------------------------------------------------------------

    def _op_gather(self, args: dict, task_vars: dict, result: dict) -> dict:
        routers = [str(h) for h in args.get("routers") or []]
        pool = self._pool(args, routers, [])
        found, errors = self._engine(args, pool, {}, []).gather({h: pool.platforms.get(h, "ios") for h in routers})
        errors.update({h: e for h, e in pool.errors.items() if h not in found})
        result.update(changed=False, ansible_facts={"p2p_gathered": found}, unreadable=errors)
        if errors:
            result.update(failed=True, msg="could not read %s (nothing was changed): %s" % (
                ", ".join(sorted(errors)), "; ".join(errors[h] for h in sorted(errors))))
        return result

    def _op_deploy(self, args: dict, task_vars: dict, result: dict) -> dict:
        plans = self._plans(args)
        selected = [str(n) for n in args.get("links") or []]
        batches = [[n for n in batch if n in selected] for batch in args.get("batches") or []]
        batches = [b for b in batches if b]
        by_mode = self._steps_by_mode(args)

        def mode_steps(link: dict) -> list:
            return list(by_mode[link.get("mode") or "gre_ipsec"])

        def link_steps(link: dict) -> list:  # the routers of the link; key server steps (hosts:) are not theirs
            return [s for s in mode_steps(link) if not s.get("hosts")]

        links = {name: self._ends(plans, name) for batch in batches for name in batch}
        missing = sorted(name for name, ends in links.items() if (ends[0].link.get("mode") or "gre_ipsec") not in by_mode)
        if missing:
            raise AnsibleActionFail("link(s) %s: their mode has no steps in this operation (modes with steps: %s); "
                                    "nothing was changed" % (", ".join(missing), ", ".join(sorted(by_mode))))
        keys, group_psks = self._secrets(task_vars, list(links)), self._group_secrets(task_vars, links)
        secrets = [v for k in keys.values() for v in [k.get("psk")] + list((k.get("macsec_keys") or {}).values()) if v]
        secrets += list(group_psks.values())
        servers = self._key_servers(plans, links)  # GET VPN: {key server: its groups}, steps before / after the links
        before, after = self._server_steps(mode_steps, links)
        renders = {}
        for name, ends in links.items():
            for end in ends:
                # the key of the templates: the link's PSK (gre_ipsec), its group's (getvpn), its CAK (macsec, with the CKN)
                mka = keys.get(name, {}).get("macsec_keys")
                key = group_psks.get((end.link.get("getvpn") or {}).get("group"),
                                     (mka or {}).get("cak") or keys.get(name, {}).get("psk", ""))
                for step in link_steps(end.link):
                    if step.get("template") in ROLLOVER_TEMPLATES:
                        renders[(end.host, name, step["template"])] = self._rollover_render(args, end, step["template"],
                                                                                            key, mka)
                    elif step.get("template"):
                        renders[(end.host, name, step["template"])] = self._render(args, end, step["template"], key, mka)
        ks_ends = {host: engine.End(host, plans[host], {"name": "ks-%s" % host, "mode": "getvpn"}) for host in servers}
        for host, end in ks_ends.items():
            keys = {group: group_psks.get(group, "") for group in servers[host]}
            for step in before + after:
                renders[(host, end.link["name"], step["template"])] = self._render(args, end, step["template"], keys)
        pool = self._pool(args, [e.host for ends in links.values() for e in ends] + list(ks_ends), secrets, ops=True)
        self._rollover_pool = pool  # the routers' clocks, read at push time by _rollover_render
        eng = self._engine(args, pool, renders, secrets)
        runs = [[links[name] for name in batch] for batch in batches]
        started = time.time()
        if self._task.check_mode:
            out = eng.check(runs + [[[e] for e in ks_ends.values()]], lambda link: link_steps(link) if link.get("side")
                            else before + after)
            result.update(changed=out["changed"], diff=out["diffs"])
            if out["errors"]:
                result.update(failed=True, msg="; ".join(out["errors"]))
            return result
        diffs = eng.servers(list(ks_ends.values()), before) if before else []
        broken = {group: host for host, end in ks_ends.items() if end.failed for group in servers[host]}
        hostvars = task_vars.get("hostvars") or {}
        unbooted = engine.unbooted(plans, [h for h in plans if (hostvars.get(h) or {}).get("p2p_reboot_done")])

        def held(ends: list) -> str:
            """Why a link does not start ("" when it starts): a router whose planned reboot (p2p_allow_reboot) did not
            happen, or its group's key server failed."""
            waiting = sorted(e.host for e in ends if e.host in unbooted)
            if waiting:
                return ("the plan reboots %s first (p2p_allow_reboot) and that reboot did not happen (see the reboot "
                        "play above)" % ", ".join(waiting))
            group = (ends[0].link.get("getvpn") or {}).get("group")
            return "key server %s of group %s failed" % (broken[group], group) if group in broken else ""
        why = {name: held(ends) for name, ends in links.items()}
        for name, ends in links.items():
            if why[name]:
                for e in ends:
                    e.state["msg"] = why[name]
        runs = [[ends for ends in batch if not why[ends[0].link["name"]]] for batch in runs]
        out = eng.deploy([b for b in runs if b], link_steps)
        diffs += out["diffs"]
        if after:  # e.g. the key servers removed, once no link of their groups is left on any router
            ready = [end for host, end in ks_ends.items() if self._all_done(plans, servers[host], links)]
            diffs += eng.servers(ready, after)
            for host in set(ks_ends) - {e.host for e in ready}:
                ks_ends[host].state.update(msg="kept: a link of its group(s) is still encrypted or was not in this run")
        done = engine.outcome([(name, links[name]) for batch in batches for name in batch])
        for host, end in ks_ends.items():
            done["states"]["key server " + host] = {host: {k: v for k, v in end.state.items() if k != "t0"}}
            if end.failed:
                done["failed"]["key server " + host] = engine.failure("key server " + host, [end.state])
        result.update(changed=out["changed"] or any(e.state["changed"] for e in ks_ends.values()), diff=diffs,
                      seconds=round(time.time() - started, 1),
                      ansible_facts={"p2p_deploy_done": done["done"], "p2p_deploy_failed": done["failed"],
                                     "p2p_deploy_state": done["states"]})
        warnings = [s["warning"] for states in done["states"].values() for s in states.values() if s.get("warning")]
        if warnings:
            result["warnings"] = warnings
        return result

    def _rollover_render(self, args: dict, end: engine.End, template: str, psk: Any, macsec_keys: dict | None):
        """A render made when the engine asks for it (the push): the link's rollover instant is fixed at its first
        router's push, ROLLOVER_LEAD seconds ahead, and each router gets it in its own wall clock (``show clock`` read
        just before: the IOS ``lifetime local`` form), so the two roll over at one instant whatever their clocks'
        offset from the controller's or their time zone (docs/rotate.md)."""
        def later() -> str:
            when = self._rollover_at.setdefault(end.link.get("name"), time.time() + ROLLOVER_LEAD)
            local = self._rollover_pool.session(end.host, end.link.get("name")).clock()
            offset = (local - time.time()) if local is not None else 0.0
            rollover = time.strftime("%H:%M:%S %b %d %Y", time.gmtime(when + offset)).replace(" 0", " ")
            return self._render(args, end, template, psk, dict(macsec_keys or {}), rollover_at=rollover)
        return later

    def _render(self, args: dict, end: engine.End, template: str, psk: Any, macsec_keys: dict | None = None,
                rollover_at: str | None = None) -> str:
        router = {k: v for k, v in end.plan.items() if k != "links"}
        path = str(args.get("rollback_file") or "").replace("{link}", str(end.link.get("name")))
        template_vars = {"link": end.link, "router": router, "psk": psk, "rollback_file": path}
        if macsec_keys:
            template_vars["macsec_keys"] = macsec_keys
        if rollover_at:
            template_vars["rollover_at"] = rollover_at
        return self._template("%s/%s.j2" % (end.platform, template), template_vars)

    def _group_secrets(self, task_vars: dict, links: dict) -> dict:
        """GET VPN: the registration key of each group the links name (p2p_getvpn_groups[*].psk)."""
        wanted = {(ends[0].link.get("getvpn") or {}).get("group") for ends in links.values()} - {None}
        out = {}
        for group in task_vars.get("p2p_getvpn_groups") or [] if wanted else []:
            if isinstance(group, dict) and group.get("name") in wanted and group.get("psk") is not None:
                out[group["name"]] = str(self._templar.template(group["psk"]))
        return out

    @staticmethod
    def _key_servers(plans: dict, links: dict) -> dict:
        """{key server: [groups]} for the GET VPN groups of the links of this run (their plans' getvpn_servers)."""
        wanted = {(ends[0].link.get("getvpn") or {}).get("group") for ends in links.values()} - {None}
        out = {}
        for host, plan in plans.items():
            groups = [s.get("group") for s in plan.get("getvpn_servers") or [] if s.get("group") in wanted]
            if groups:
                out[host] = groups
        return out

    @staticmethod
    def _server_steps(mode_steps: Any, links: dict) -> tuple[list, list]:
        """The key server steps (``hosts: key_servers``) of the modes of this run: those before the routers' steps and
        those after them."""
        before, after = [], []
        for mode_link in {ends[0].link.get("mode") or "gre_ipsec": ends[0].link for ends in links.values()}.values():
            listed = mode_steps(mode_link)
            firsts = 0
            while firsts < len(listed) and listed[firsts].get("hosts"):
                firsts += 1
            before += [s for s in listed[:firsts] if s not in before]
            after += [s for s in listed[firsts:] if s.get("hosts") and s not in after]
        return before, after

    @staticmethod
    def _all_done(plans: dict, groups: list, links: dict) -> bool:
        """Every link of these groups in the plan was in this run and finished on both routers."""
        names = {link["name"] for plan in plans.values() for link in plan.get("links") or []
                 if (link.get("getvpn") or {}).get("group") in groups}
        return all(name in links and all(e.state["status"] == "deployed" for e in links[name]) for name in names)

    def _op_verify(self, args: dict, task_vars: dict, result: dict) -> dict:
        plans = self._plans(args)
        wanted = set(args.get("links") or [])
        checks = [verify._check_name(c) for c in args.get("checks") or []]
        work = {host: (plan, [link["name"] for link in plan.get("links") or [] if not wanted or link["name"] in wanted])
                for host, plan in plans.items()}
        work = {host: item for host, item in work.items() if item[1]}
        pool = self._pool(args, list(work), [])
        eng = engine.Engine(pool, lambda end, template: "", say=display.display, retries=int(args.get("retries") or 0) + 1,
                            interval=float(args.get("delay") if args.get("delay") is not None else 5),
                            min_pct=int(args.get("min_success_pct") or verify.MIN_SUCCESS_PCT))
        results = eng.verify(work, checks) if checks else []
        # GET VPN across routers (key servers, one group key), when the crypto checks were asked for
        gv_links = sorted({r["link"] for r in results if r["name"] in verify.GETVPN_CHECKS})
        if gv_links:
            servers = [h for h, plan in plans.items() if plan.get("getvpn_servers")]
            for host in servers:
                if host not in pool.sockets and host not in pool.errors:
                    pool.add(host)  # the key servers end no link: their sessions start here
            wait = int(args.get("rekey_wait") or 0)
            results += eng.getvpn_groups(plans, gv_links, rekey_wait=wait if wait > 0 else None)
        return self._report(args, result, results, [plans[h] for h in sorted(work)], sorted(wanted))

    def _op_audit(self, args: dict, task_vars: dict, result: dict) -> dict:
        plans = self._plans(args)
        wanted = set(args.get("links") or [])
        by_mode = self._steps_by_mode(args)
        work = {host: (plan, [link for link in plan.get("links") or [] if not wanted or link["name"] in wanted])
                for host, plan in plans.items()}
        work = {host: item for host, item in work.items() if item[1]}
        phases = {}
        for host, (plan, links) in work.items():
            for link in links:
                end = engine.End(host, plan, link)
                steps = [s for s in engine.steps_for(by_mode.get(link.get("mode") or "gre_ipsec") or [], link)
                         if s.get("template") and not s.get("exec") and not s.get("hosts")]
                phases[(host, link["name"])] = [
                    {"name": s["template"], "text": self._render(args, end, s["template"], audit.PSK_PLACEHOLDER)}
                    for s in steps]
        pool = self._pool(args, list(work), [], ops=True)
        eng = engine.Engine(pool, lambda end, template: "")
        results = eng.audit(work, lambda end: phases[(end.host, end.link["name"])])
        return self._report(args, result, results, [plans[h] for h in sorted(work)], sorted(wanted))

    def _op_close(self, args: dict, task_vars: dict, result: dict) -> dict:
        """End the persistent connections of the run's routers (the engine started them; the strategy does not know
        them, so its end-of-run clean-up would leave them until their idle timeout)."""
        known = task_vars.get("p2p_sessions") or {}
        closed = []
        for host in sorted(set(args.get("routers") or [])):
            path = known.get(host)
            if not path:
                try:
                    path = sessions.running(self, host, sessions.router_variables(task_vars, host))
                except Exception:  # noqa: BLE001 - a router without usable connection variables has no session
                    continue
            if path and os.path.exists(path):
                sessions.stop(path)
                closed.append(host)
        result.update(changed=False, closed=closed)
        return result

    # -- reports --------------------------------------------------------------------------------------------------

    def _report(self, args: dict, result: dict, results: list, plans: list, links: list) -> dict:
        # every router of the run answered for each of its links and checks (an unreachable one with failed results), and
        # a link's checks depend on its mode (verify.checks_for): the results alone make the reports
        reports = verify.build_reports(results, None, None, links)
        name = str(args.get("report_name") or "verify")
        directory = args.get("report_dir")
        written = []
        if directory and reports:
            directory = os.path.realpath(os.path.expanduser(str(directory)))
            os.makedirs(directory, exist_ok=True)
            for report in reports:
                base = os.path.join(directory, "%s-%s" % (name, report["link"]))
                for path, text in ((base + ".json", json.dumps(report, indent=2) + "\n"),
                                   (base + ".xml", verify.junit_xml(report)),
                                   (base + ".md", verify.markdown_report(report, plans, name))):
                    _write(path, text)
                    written.append(path)
            _write(os.path.join(directory, "%s-summary.md" % name), verify.markdown_summary(reports, name))
        failed = [r["link"] for r in reports if r["status"] != "pass"]
        result.update(changed=False, results=results, reports=reports, table=verify.summary_table(reports), files=written,
                      ansible_facts={"p2p_verify_results": results})
        total = sum(len(r["checks"]) for r in reports)
        if failed:
            result["msg"] = "%s failed for link(s) %s (see the table above and %s/%s-<link>.json)" % (
                name.capitalize(), ", ".join(failed), directory or ".", name)
            result["failed"] = bool(args.get("fail", True))
        else:
            result["msg"] = "All %d checks passed" % total
        return result


def _write(path: str, text: str) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)

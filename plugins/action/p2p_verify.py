# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin mplssec.p2p.p2p_verify: every check of every selected link of one router, in one task, on the
controller over the router's persistent connection. Documentation: plugins/modules/p2p_verify.py."""

from __future__ import annotations

from typing import Any

from ansible.plugins.action import ActionBase

try:
    from ansible_collections.mplssec.p2p.plugins.plugin_utils import device, verify
except ImportError:  # pragma: no cover - running from a checkout without the collection loader
    from ..plugin_utils import device, verify  # type: ignore[no-redef]


class ActionModule(ActionBase):
    """Read only: show commands and pings, parsed and judged by plugins/plugin_utils/verify.py."""

    TRANSFERS_FILES = False
    _supports_check_mode = True
    _requires_connection = True

    def run(self, tmp: Any = None, task_vars: dict | None = None) -> dict:
        result = super().run(tmp, task_vars)
        args = self._task.args
        plan = args.get("plan") or {}
        links = list(args.get("links") or [])
        checks = list(args.get("checks") or [])
        for name in checks:
            verify._check_name(name)
        attempts = int(args.get("retries") or 0) + 1
        interval = float(args.get("delay") if args.get("delay") is not None else 5)
        min_pct = int(args.get("min_success_pct") or verify.MIN_SUCCESS_PCT)
        results = []
        if links and checks:
            sess = device.connect(self, verify._platform(plan), {})
            for link in links:
                for check in verify.checks_for_link(verify._link_from_plan(plan, link), checks):  # by the link's mode
                    results.append(dict(device.poll_check(sess, check, plan, link, attempts, interval, min_pct), link=link))
            result["calls"] = sess.calls
        result.update(changed=False, checks=results,
                      failed=bool(args.get("fail")) and any(r["status"] != "pass" for r in results))
        if result["failed"]:
            result["msg"] = "; ".join("%s %s %s: %s" % (r["link"], r["host"], r["name"], r["detail"])
                                      for r in results if r["status"] != "pass")
        return result

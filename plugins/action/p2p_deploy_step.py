# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin mplssec.p2p.p2p_deploy_step: mplssec.p2p.p2p_deploy's push and gate, without a connection of the task.

ansible-core starts a new ``ansible-connection`` process for every task that uses a persistent connection, only to find
the running one again (``start_connection`` in executor/task_executor.py): about 0.5 s of controller CPU per task and
router, two thirds of the deploy's CPU (docs/performance.md). The deploy's push and gate tasks use this plugin instead:
it declares no connection (``_requires_connection = False``) and talks to the persistent connection that the batch's
snapshot task (p2p_deploy) opened, through the socket recorded in ``p2p_deploy_state``. When that connection is no
longer there (its idle timeout), it does nothing and returns ``needs_connection``: the role's next task, p2p_deploy with
the same arguments, then runs the operation on a connection of its own. Documentation: plugins/modules/p2p_deploy_step.py.
"""

from __future__ import annotations

import os
from typing import Any

from ansible.errors import AnsibleActionFail

try:
    from ansible_collections.mplssec.p2p.plugins.action.p2p_deploy import ActionModule as DeployAction
    from ansible_collections.mplssec.p2p.plugins.plugin_utils import device
except ImportError:  # pragma: no cover - running from a checkout without the collection loader
    from ..plugin_utils import device  # type: ignore[no-redef]
    from .p2p_deploy import ActionModule as DeployAction  # type: ignore[no-redef]


class ActionModule(DeployAction):
    """p2p_deploy's push and gate over the recorded socket of the router's persistent connection."""

    _requires_connection = False

    def run(self, tmp: Any = None, task_vars: dict | None = None) -> dict:
        if self._task.args.get("op") not in ("push", "gate"):
            raise AnsibleActionFail("p2p_deploy_step does op push and gate only (the others need the task's connection)")
        return super().run(tmp, task_vars)

    def _session(self, platform: Any, ops: dict, secrets: list, mine: dict) -> Any:
        socket_path = mine.get("socket")
        if not socket_path or not os.path.exists(socket_path):
            return None
        return device.connect(self, platform, ops, secrets, socket_path=socket_path)

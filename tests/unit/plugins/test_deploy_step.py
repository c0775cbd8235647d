# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""plugins/action/p2p_deploy_step.py: push/gate over the socket the batch's snapshot recorded; without a live socket it
does nothing and asks for the fallback task (the deploy role's p2p_deploy with the same arguments)."""

from __future__ import annotations

from unittest import mock

import pytest
from ansible.errors import AnsibleActionFail
from ansible.playbook.play_context import PlayContext
from test_verify_checks import PLAN_IOS

from ansible_collections.mplssec.p2p.plugins.action import p2p_deploy_step


def action(args):
    task = mock.MagicMock()
    task.args = dict(args)
    task.async_val = 0
    task.check_mode = False
    task.diff = False
    task.action = "mplssec.p2p.p2p_deploy_step"
    return p2p_deploy_step.ActionModule(task, mock.MagicMock(), PlayContext(), loader=None, templar=None,
                                        shared_loader_obj=None)


def state(socket):
    link = PLAN_IOS["links"][0]["name"]
    return link, {"inventory_hostname": PLAN_IOS.get("host", "p1"),
                  "p2p_deploy_state": {link: {"host": "p1", "status": "started", "socket": socket, "changed": False}}}


def test_no_connection_of_its_own():
    assert p2p_deploy_step.ActionModule._requires_connection is False


def test_gone_socket_asks_for_the_fallback_and_changes_no_state(tmp_path):
    link, task_vars = state(str(tmp_path / "gone.sock"))
    with mock.patch.object(p2p_deploy_step.device, "connect") as connect:
        result = action({"op": "push", "link": link, "plan": PLAN_IOS, "config": "x"}).run(task_vars=task_vars)
    assert result["needs_connection"] is True and "ansible_facts" not in result
    connect.assert_not_called()


def test_live_socket_is_used(tmp_path):
    sock = tmp_path / "live.sock"
    sock.write_text("")
    link, task_vars = state(str(sock))
    sess = mock.MagicMock(calls=1, secrets=[], platform="ios")
    sess.push.return_value = True
    with mock.patch.object(p2p_deploy_step.device, "connect", return_value=sess) as connect:
        result = action({"op": "push", "link": link, "plan": PLAN_IOS, "config": "x", "step": "phase1"}).run(task_vars=task_vars)
    assert connect.call_args.kwargs["socket_path"] == str(sock)
    assert result["ansible_facts"]["p2p_deploy_state"][link]["step"] == "phase1 pushed"
    assert "needs_connection" not in result


def test_other_ops_refused():
    with pytest.raises(AnsibleActionFail, match="push and gate only"):
        action({"op": "snapshot", "link": "core1", "plan": PLAN_IOS}).run(task_vars={})

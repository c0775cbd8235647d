#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation of the action plugin mplssec.p2p.p2p_deploy_step (plugins/action/p2p_deploy_step.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: p2p_deploy_step
short_description: The push and gate of M(mplssec.p2p.p2p_deploy) on the connection an earlier task opened
version_added: 0.1.0
description:
  - "M(mplssec.p2p.p2p_deploy) with O(op=push) or O(op=gate), the same options and results, but the task itself uses no
    connection: it talks to the router's persistent connection through the socket that the batch's O(op=snapshot) task
    recorded in C(p2p_deploy_state). ansible-core would otherwise start an C(ansible-connection) process for every task
    only to find the running connection again (about half a second of controller CPU per task and router)."
  - When that connection is gone (its idle timeout, C(persistent_connect_timeout)), nothing is done and RV(needs_connection)
    is true; the deploy role then runs the same operation with M(mplssec.p2p.p2p_deploy), which opens a connection.
author: mplssec.p2p developers (@mplssec)
extends_documentation_fragment: mplssec.p2p.p2p_deploy
options:
  op:
    description: The operation (see M(mplssec.p2p.p2p_deploy)).
    type: str
    required: true
    choices: [push, gate]
notes:
  - Tasks that pass a PSK (O(config), O(secrets)) must be C(no_log).
"""

EXAMPLES = r"""
- name: Push phase 1 over the connection of the batch's snapshot task
  mplssec.p2p.p2p_deploy_step:
    op: push
    link: core1
    plan: "{{ p2p_plan }}"
    step: phase1
    config: "{{ lookup('ansible.builtin.template', p2p_plan.platform ~ '/phase1.j2', template_vars=deploy_tvars) }}"
    ops: "{{ deploy_ops }}"
    secrets: ["{{ deploy_psk }}"]
  register: deploy_phase
  no_log: true
"""

RETURN = r"""
needs_connection:
  description: The recorded connection is gone; nothing was done (run the operation with M(mplssec.p2p.p2p_deploy)).
  returned: when the connection is gone
  type: bool
  sample: true
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.mplssec.p2p.plugins.module_utils.p2p_deploy_spec import argument_spec


def main():
    """Only reached when run as a module: the work happens in the action plugin on the controller."""
    module = AnsibleModule(argument_spec=argument_spec(["push", "gate"]), supports_check_mode=True)
    module.fail_json(msg="mplssec.p2p.p2p_deploy_step is an action plugin: it runs on the controller, not as a module")


if __name__ == "__main__":
    main()

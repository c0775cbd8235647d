#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation of the action plugin mplssec.p2p.p2p_deploy (plugins/action/p2p_deploy.py); it runs on the controller."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: p2p_deploy
short_description: One router's part of one step of the mplssec.p2p deploy (push or gate), over its persistent connection
version_added: 0.1.0
description:
  - "An action plugin, run on the controller against the router's persistent connection (C(ansible.netcommon.network_cli)
    for IOS-XE, C(ansible.netcommon.netconf) for Junos): one task per router per step instead of one per command, so that
    a step on every router of a batch happens at once. The deploy role (C(roles/deploy/tasks/batch.yml)) is its user."
  - "O(op=snapshot): the rollback point (IOS-XE: running configuration copied to flash with the role's ops.j2 command, then
    read; Junos: the committed configuration read as text). O(op=push): one configuration transaction (IOS-XE: the lines
    missing from the running configuration in one configure terminal ... end, as C(ansible.netcommon.cli_config); Junos:
    lock, load set, validate, show | compare, commit confirmed or discard, unlock, as C(junipernetworks.junos.junos_config)).
    O(op=gate): each check of O(checks) (the commands, parsers and pass criteria of the verify role,
    C(plugins/plugin_utils/verify.py)) polled until it passes; a lost session fails it at once. O(op=finish): Junos commits confirmed, change reported
    (masked diff), IOS-XE rollback file deleted. O(op=restore): back to the rollback point (IOS-XE configure replace, Junos
    load override + commit) and the configuration read back must equal it. O(op=check): what the router would get (check
    mode; nothing is changed)."
  - The state of the link on this router is the fact C(p2p_deploy_state), one entry per link name with C(host), C(status),
    C(step), C(msg), C(changed), C(restore_error) and C(calls); status C(started), C(deployed), C(failed), C(rolled_back)
    or C(rollback_incomplete). A
    push, gate or finish is skipped when the link already failed on this router or on its peer (the peer's fact), so both
    routers of a link stop together and are rolled back together while the other links carry on.
  - Every message, diff and configuration returned is masked (the O(secrets), any pre-shared-key value, Junos C($9$)
    strings). Tasks that pass a PSK (O(config), O(secrets)) or receive a configuration (O(op=snapshot)) must be C(no_log).
author: mplssec.p2p developers (@mplssec)
extends_documentation_fragment: mplssec.p2p.p2p_deploy
options:
  op:
    description: The operation.
    type: str
    required: true
    choices: [snapshot, push, gate, finish, restore, check]
notes:
  - Needs a persistent connection; the check mode operation (O(op=check)) only reads and loads-then-discards (Junos).
  - The IOS-XE session is the one the stock modules use (cliconf C(get), C(get_config), C(get_diff), C(edit_config)); the
    Junos one the netconf plugin's RPCs (C(execute_rpc), C(load_configuration), C(validate), C(commit), C(lock), C(unlock)).
"""

EXAMPLES = r"""
- name: Phase 1 on every router of the batch
  mplssec.p2p.p2p_deploy:
    op: push
    link: "{{ deploy_link }}"
    plan: "{{ p2p_plan }}"
    step: phase1
    config: "{{ lookup('ansible.builtin.template', p2p_plan.platform ~ '/phase1.j2', template_vars=deploy_tvars) }}"
    ops: "{{ deploy_ops }}"
    secrets: ["{{ deploy_psk }}"]
    confirm_minutes: 10
  no_log: true

- name: Its gate on every router
  mplssec.p2p.p2p_deploy:
    op: gate
    link: "{{ deploy_link }}"
    plan: "{{ p2p_plan }}"
    step: phase1
    checks: [ike_sa, ipsec_sa]
"""

RETURN = r"""
link_state:
  description: The state of the link on this router after the operation (the entry of the fact C(p2p_deploy_state)).
  returned: unless skipped
  type: dict
saved:
  description: The configuration of the rollback point (secrets inside).
  returned: op=snapshot
  type: str
before:
  description: The configuration of the rollback point, masked.
  returned: op=snapshot
  type: str
before_digest:
  description: SHA-256 of the rollback point without its volatile lines.
  returned: op=snapshot
  type: str
config_masked:
  description: The rendered configuration, masked, one line per item.
  returned: op=push with show_config
  type: list
  elements: str
ran:
  description: The operational commands run (O(exec=true)); absent when the link had nothing new to prove.
  returned: op=push with exec, when run
  type: list
  elements: str
checks:
  description: The result of each check polled (C(name), C(host), C(status), C(detail)), in order, up to the first that failed.
  returned: op=gate
  type: list
  elements: str
check_error:
  description: Why the router could not be compared (check mode).
  returned: op=check, on failure
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.mplssec.p2p.plugins.module_utils.p2p_deploy_spec import argument_spec


def main():
    """Only reached when run as a module: the work happens in the action plugin on the controller."""
    module = AnsibleModule(
        argument_spec=argument_spec(["snapshot", "push", "gate", "finish", "restore", "check"]),
        supports_check_mode=True,
    )
    module.fail_json(msg="mplssec.p2p.p2p_deploy is an action plugin: it runs on the controller, not as a module")


if __name__ == "__main__":
    main()

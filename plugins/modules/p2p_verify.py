#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation of the action plugin mplssec.p2p.p2p_verify (plugins/action/p2p_verify.py); it runs on the controller."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: p2p_verify
short_description: Run the mplssec.p2p checks of a router's links in one task, over its persistent connection (read only)
version_added: 0.1.0
description:
  - "An action plugin, run on the controller against the router's persistent connection (C(ansible.netcommon.network_cli)
    for IOS-XE, C(ansible.netcommon.netconf) for Junos): each check of O(checks) on each link of O(links), its commands
    run, parsed and judged by C(plugins/plugin_utils/verify.py) (the functions behind the filters
    P(mplssec.p2p.p2p_show#filter) and P(mplssec.p2p.p2p_check#filter), and the deploy's gates), polled until it passes."
  - Read only (show commands and pings); no module runs on the router. The verify role (C(roles/verify/tasks/check.yml))
    is its user.
author: mplssec.p2p developers (@mplssec)
options:
  plan:
    description: The router's C(p2p_plan) (set by the C(mplssec.p2p.plan) role).
    type: dict
    required: true
  links:
    description: Names of the links of O(plan) to check.
    type: list
    elements: str
    default: []
  checks:
    description: Names of the checks (C(plugins/plugin_utils/verify.py) CHECKS), in order.
    type: list
    elements: str
    default: []
  retries:
    description: Extra attempts of a failing check.
    type: int
    default: 2
  delay:
    description: Seconds between two attempts.
    type: float
    default: 5
  min_success_pct:
    description: Share of ping replies a planned-size ping needs.
    type: int
    default: 66
  fail:
    description: Fail the task when a check failed (the verify role reports first, then fails).
    type: bool
    default: false
notes:
  - Supports check mode (it changes nothing).
"""

EXAMPLES = r"""
- name: Every check of every link of this router
  mplssec.p2p.p2p_verify:
    plan: "{{ p2p_plan }}"
    links: "{{ p2p_plan.links | map(attribute='name') }}"
    checks: [ike_sa, ipsec_sa, ldp_session, igp_adjacency, no_clear_mpls, mtu_ping]
  register: verify_run
"""

RETURN = r"""
checks:
  description: One result per link and check, C(link), C(name), C(host), C(status) (C(pass) or C(fail)) and C(detail).
  returned: always
  type: list
  elements: dict
calls:
  description: Device calls made (commands, RPCs).
  returned: when something was checked
  type: int
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    """Only reached when run as a module: the work happens in the action plugin on the controller."""
    module = AnsibleModule(
        argument_spec=dict(
            plan=dict(type="dict", required=True),
            links=dict(type="list", elements="str", default=[]),
            checks=dict(type="list", elements="str", default=[]),
            retries=dict(type="int", default=2),
            delay=dict(type="float", default=5),
            min_success_pct=dict(type="int", default=66),
            fail=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    module.fail_json(msg="mplssec.p2p.p2p_verify is an action plugin: it runs on the controller, not as a module")


if __name__ == "__main__":
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation of the action plugin mplssec.p2p.p2p_engine (plugins/action/p2p_engine.py); it runs on the controller."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: p2p_engine
short_description: Every router of an mplssec.p2p run from one task on the controller (gather, deploy, verify, audit)
version_added: 0.1.0
description:
  - "An action plugin, run once on the control node (C(localhost)) for all the routers of a run. Each router is reached over
    its persistent connection (C(ansible.netcommon.network_cli) for IOS-XE, C(ansible.netcommon.netconf) for Junos), which
    this task starts exactly as ansible-core would for a task on the router (the router's connection variables, the same
    socket and connection process) but forked from this task instead of a new C(ansible-connection) interpreter per router,
    or finds running when an earlier task of the playbook run started it: one SSH/NETCONF session per router per run
    (C(plugins/plugin_utils/sessions.py)). The routers are driven at once from threads; no module runs on them."
  - "O(op=gather): read both routers of every link (read only) into the fact C(p2p_gathered) (router -> facts, no secret),
    which the plan's preflight reads."
  - "O(op=deploy): the plan's batches (O(batches)) in order, the links of a batch at once, both routers of a link in step
    through the steps O(steps) (C(roles/deploy/vars/main.yml)): a rollback point on both routers, then per step one
    configuration transaction on each (IOS-XE: the missing lines in one configure terminal; Junos: commit confirmed) and its
    gate on each (the checks of the verify role, polled until they pass), then finish (Junos confirm, masked diff, IOS-XE
    rollback file deleted). A link that fails is rolled back on both routers to their exact prior configuration (checked by
    reading it back; on a fresh session when the old one died) while the other links carry on; after a batch in which every
    link failed, no further batch starts. Sets the facts C(p2p_deploy_done) (link -> routers), C(p2p_deploy_failed) (link ->
    message) and C(p2p_deploy_state) (link -> router -> state). In check mode nothing is pushed: the diff shows what each
    router would get. One progress line per link and step is printed as the links move."
  - "O(op=verify): the checks O(checks) of the links O(links) on both of their routers, each polled until it passes; the
    reports C(<report_name>-<link>.json), C(.xml) (JUnit), C(.md) and C(<report_name>-summary.md) in O(report_dir). Sets
    C(p2p_verify_results)."
  - "O(op=audit): one configuration read per router, compared with the deploy's renders of O(steps) (a placeholder instead of
    the PSK): matching, clear, half_deployed or drifted; reports like O(op=verify) with the check name C(config)."
  - "O(op=close): end the persistent connections of O(routers) (the strategy's end-of-run clean-up does not know them)."
  - "The PSKs are read by the plugin from C(p2p_links) (they are never arguments), and every text returned (diffs, messages,
    progress) is masked (each PSK, any pre-shared-key value, Junos C($9$) strings), so the task needs no C(no_log)."
author: mplssec.p2p developers (@mplssec)
options:
  op:
    description: The operation.
    type: str
    required: true
    choices: [gather, deploy, verify, audit, close]
  routers:
    description: The routers (inventory hostnames) to read (O(op=gather)) or whose sessions to end (O(op=close)).
    type: list
    elements: str
    default: []
  plans:
    description: The plan role's fact C(p2p_plans) (router -> plan).
    type: dict
    default: {}
  links:
    description: The selected link names (C(p2p_deploy_selected), C(p2p_verify_links)); for verify and audit, empty means every
      planned link.
    type: list
    elements: str
    default: []
  batches:
    description: The plan's batches (C(p2p_batches)), lists of link names; only the links of O(links) run.
    type: list
    elements: list
    default: []
  steps:
    description:
      - The steps (C(deploy_steps_encrypt), C(deploy_steps_rollback), C(deploy_steps_rotate)); each a dict with
        C(template) (pushed), C(gate) (its name), C(checks) (names, or C({check, unless_plan})), C(when_plan), C(exec)
        (operational commands), C(config_exec) (global configuration commands that are not configuration, never
        diffed), C(hosts) (C(key_servers) - the step runs on the GET VPN key servers).
    type: list
    elements: dict
    default: []
  checks:
    description: The checks of O(op=verify).
    type: list
    elements: str
    default: []
  rekey_wait:
    description:
      - O(op=verify), GET VPN links only. C(0) (default) checks that rekeys happen from one sample (C(gdoi_rekey)).
        A number of seconds also waits, up to that long, until the next rekey of each group is due and samples
        again; every member must then hold a new TEK, the key server's, received by rekey (or by re-registration with
        C(rekey=none)). A rekey comes about once per TEK lifetime (at least 900 s).
    type: int
    default: 0
  retries:
    description: How many times a gate check is polled (O(op=deploy)); extra attempts of a failing check (O(op=verify)).
    type: int
    default: 30
  interval:
    description: Seconds between two polls of a gate check (O(op=deploy)).
    type: float
    default: 2
  delay:
    description: Seconds between two attempts of a failing check (O(op=verify)).
    type: float
    default: 5
  min_success_pct:
    description: Share of ping replies a ping check needs.
    type: int
    default: 66
  confirm_minutes:
    description: The commit confirmed timer of every step (Junos).
    type: int
    default: 0
  show_config:
    description: Print every step's configuration, masked.
    type: bool
    default: false
  rollback_file:
    description: The IOS-XE rollback point, C({link}) replaced by the link's name.
    type: str
    default: ""
  idle_timeout:
    description: The idle timeout (seconds) of the persistent connections this task starts (C(ansible_connect_timeout)).
    type: int
    default: 600
  report_dir:
    description: Directory of the reports (O(op=verify), O(op=audit)); none are written without it.
    type: str
  report_name:
    description: The reports' file name prefix.
    type: str
    default: verify
  fail:
    description: Fail the task when a check failed (O(op=verify), O(op=audit)).
    type: bool
    default: true
notes:
  - Runs on the controller only; the routers need C(ansible_connection) C(ansible.netcommon.network_cli) (IOS-XE) or
    C(ansible.netcommon.netconf) (Junos) and their usual connection variables.
"""

EXAMPLES = r"""
- name: Encrypt the selected links (the deploy role's task)
  mplssec.p2p.p2p_engine:
    op: deploy
    plans: "{{ p2p_plans }}"
    batches: "{{ p2p_batches }}"
    links: "{{ p2p_deploy_selected }}"
    steps: "{{ deploy_steps_encrypt }}"
    confirm_minutes: 10
    rollback_file: "flash:mplssec-{link}-pre.cfg"

- name: Verify every planned link
  mplssec.p2p.p2p_engine:
    op: verify
    plans: "{{ p2p_plans }}"
    checks: [ike_sa, ipsec_sa, ldp_session, igp_adjacency]
    report_dir: reports
"""

RETURN = r"""
p2p_gathered:
  description: O(op=gather) - router -> facts (as C(ansible_facts)).
  returned: op=gather
  type: dict
unreadable:
  description: O(op=gather) - router -> why it could not be read.
  returned: op=gather
  type: dict
diff:
  description: O(op=deploy) - one diff per router that changed (or would change, in check mode), masked.
  returned: op=deploy
  type: list
  elements: dict
results:
  description: O(op=verify), O(op=audit) - one result per check, link and router (C(link), C(name), C(host), C(status), C(detail)).
  returned: op=verify, op=audit
  type: list
  elements: dict
reports:
  description: O(op=verify), O(op=audit) - one report per link (C(link), C(status), C(checks)).
  returned: op=verify, op=audit
  type: list
  elements: dict
table:
  description: O(op=verify), O(op=audit) - the summary table, one line per item.
  returned: op=verify, op=audit
  type: list
  elements: str
files:
  description: The report files written.
  returned: op=verify, op=audit
  type: list
  elements: str
closed:
  description: O(op=close) - the routers whose session was ended.
  returned: op=close
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    """Only reached when run as a module: the work happens in the action plugin on the controller."""
    module = AnsibleModule(
        argument_spec=dict(
            op=dict(type="str", required=True, choices=["gather", "deploy", "verify", "audit", "close"]),
            routers=dict(type="list", elements="str", default=[]),
            plans=dict(type="dict", default={}),
            links=dict(type="list", elements="str", default=[]),
            batches=dict(type="list", elements="list", default=[]),
            steps=dict(type="list", elements="dict", default=[]),
            checks=dict(type="list", elements="str", default=[]),
            rekey_wait=dict(type="int", default=0, no_log=False),
            retries=dict(type="int", default=30),
            interval=dict(type="float", default=2),
            delay=dict(type="float", default=5),
            min_success_pct=dict(type="int", default=66),
            confirm_minutes=dict(type="int", default=0),
            show_config=dict(type="bool", default=False),
            rollback_file=dict(type="str", default=""),
            idle_timeout=dict(type="int", default=600),
            report_dir=dict(type="str"),
            report_name=dict(type="str", default="verify"),
            fail=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    module.fail_json(msg="mplssec.p2p.p2p_engine is an action plugin: it runs on the controller, not as a module")


if __name__ == "__main__":
    main()

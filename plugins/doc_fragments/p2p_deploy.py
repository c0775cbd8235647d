# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The options that mplssec.p2p.p2p_deploy and mplssec.p2p.p2p_deploy_step share (everything but op)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r"""
options:
  link:
    description: Name of the link (C(p2p_links[*].name)) this router deploys; empty skips the task (the router ends no link of the batch).
    type: str
    default: ""
  plan:
    description: The router's C(p2p_plan) (set by the C(mplssec.p2p.plan) role).
    type: dict
    required: true
  ops:
    description: The operational commands of the platform (the role's C(templates/<platform>/ops.j2) as a dict).
    type: dict
    default: {}
  secrets:
    description: Strings masked in everything returned (the link's PSK).
    type: list
    elements: str
    default: []
  config:
    description: The rendered configuration of the step (O(op=push)) or of every step (O(op=check)).
    type: str
    default: ""
  exec:
    description:
      - With O(op=push), O(config) holds operational commands (one per line), not configuration; they run only when
        an earlier step of this run changed the link on this router or its peer (rotate_p2p's re-authentication).
    type: bool
    default: false
  step:
    description: Name of the step (the template), for messages and the Junos commit comment.
    type: str
    default: step
  gate:
    description: Name of the gate, for messages.
    type: str
    default: ""
  checks:
    description:
      - The checks of the gate, in order (names of C(plugins/plugin_utils/verify.py) CHECKS). An item
        C({check, unless_plan}) is left out when the link's plan has that key true (e.g. no_clear_igp unless keep_clear_igp).
    type: list
    elements: raw
    default: []
  retries:
    description: How many times each check is polled.
    type: int
    default: 30
  interval:
    description: Seconds between two polls.
    type: float
    default: 2
  min_success_pct:
    description: Share of ping replies a planned-size ping needs.
    type: int
    default: 66
  confirm_minutes:
    description: Junos commit confirmed timer (minutes); 0 commits without confirmation.
    type: int
    default: 0
  show_config:
    description: Return the rendered configuration, masked, as RV(mplssec.p2p.p2p_deploy#module:config_masked).
    type: bool
    default: false
  before:
    description: The masked configuration of the rollback point (RV(mplssec.p2p.p2p_deploy#module:before) of O(op=snapshot)), for the diff of O(op=finish).
    type: str
    default: ""
  before_digest:
    description: RV(mplssec.p2p.p2p_deploy#module:before_digest) of O(op=snapshot); O(op=finish) reports C(changed) when the configuration now differs.
    type: str
    default: ""
  saved:
    description: The configuration of the rollback point (RV(mplssec.p2p.p2p_deploy#module:saved) of O(op=snapshot)) for O(op=restore).
    type: str
    default: ""
"""

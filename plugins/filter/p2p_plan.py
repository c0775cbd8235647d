# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter p2p_plan: thin wrapper over plugin_utils/plan.py (validation + derivation of the p2p plan)."""

from __future__ import annotations

from typing import Any

from ansible.errors import AnsibleFilterError

try:
    from ansible_collections.mplssec.p2p.plugins.plugin_utils import plan
except ImportError:  # pragma: no cover
    from ..plugin_utils import plan  # type: ignore[no-redef]

DOCUMENTATION = r"""
name: p2p_plan
author: mplssec.p2p developers
version_added: 0.1.0
short_description: Validate p2p_links against the inventory and compute the per-router p2p_plan facts
description:
  - Checks every link of O(_input) (the C(p2p_links) list, see C(ansible-doc -t role mplssec.p2p.plan) entry point
    C(link) and C(docs/data-model.md)) before any device is touched, and computes one C(p2p_plan) fact per router
    that ends a link (architecture.md section 3).
  - Unknown fields are rejected at every level with a did-you-mean suggestion; hosts, platforms, addresses,
    subnets, tunnel ids, interfaces, crypto strength and combinations, the platform capability map and the MTU
    are checked. ALL problems are reported at once in one AnsibleFilterError, one line per problem naming the
    link, the field, the problem and the fix. A PSK is never echoed.
  - The MTU values come from the collection's MTU math (P(mplssec.p2p.wire_size#filter) and friends); this filter
    computes no overhead itself.
  - Pure function, no device contact; the logic lives in C(plugins/plugin_utils/plan.py).
options:
  _input:
    description: The C(p2p_links) list.
    type: list
    elements: dict
    required: true
  hostvars:
    description: The C(hostvars) magic variable (each router needs C(ansible_network_os) and C(p2p_router_id)).
    type: dict
    required: true
  groups:
    description: The C(groups) magic variable (optional); hosts in C(groups.all) count as inventory hosts.
    type: dict
    required: false
"""

EXAMPLES = r"""
- name: Compute the plan (fails with every problem found)
  ansible.builtin.set_fact:
    _plan: "{{ p2p_links | mplssec.p2p.p2p_plan(hostvars, groups) }}"

- name: One router's plan fact
  ansible.builtin.debug:
    var: _plan.hosts['p1']
"""

RETURN = r"""
_value:
  description: The plan.
  type: dict
  contains:
    hosts:
      description: host -> p2p_plan fact (C(host), C(platform), C(router_id), C(links) sorted by name), see docs/architecture.md section 3.
      type: dict
    links:
      description: One summary row per link (name, mode, id, a, b, tunnel, carrier_mtu, labels, ip_mtu, mpls_mtu, tcp_mss,
        carrier_mtu_for_1500, warning), sorted by name.
      type: list
      elements: dict
    warnings:
      description: Things that work but deserve attention (e.g. a carrier MTU that forces inner packets below 1500 bytes).
      type: list
      elements: str
    table:
      description: The summary rows as a fixed-width text table.
      type: str
"""


def p2p_plan(p2p_links: Any, hostvars: Any = None, groups: Any = None) -> dict[str, Any]:
    """See DOCUMENTATION."""
    if hostvars is None or not hasattr(hostvars, "__getitem__") or not hasattr(hostvars, "__contains__"):
        raise AnsibleFilterError("mplssec.p2p.p2p_plan: the first argument must be hostvars, e.g. p2p_links | mplssec.p2p.p2p_plan(hostvars, groups)")
    if groups is not None and not hasattr(groups, "get"):
        raise AnsibleFilterError("mplssec.p2p.p2p_plan: groups must be the groups magic variable (a mapping)")
    try:
        return plan.build_plan(p2p_links, hostvars, groups)
    except plan.PlanValidationError as exc:
        raise AnsibleFilterError(f"mplssec.p2p.p2p_plan: {exc}") from None
    except ImportError as exc:
        raise AnsibleFilterError(f"mplssec.p2p.p2p_plan: {exc}") from None


class FilterModule:
    """mplssec.p2p.p2p_plan"""

    def filters(self) -> dict[str, Any]:
        return {"p2p_plan": p2p_plan}

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter p2p_plan: thin wrapper over plugin_utils/plan.py (validation + derivation of the p2p plan)."""

from __future__ import annotations

from typing import Any

from ansible.errors import AnsibleFilterError

try:
    from ansible_collections.mplssec.p2p.plugins.plugin_utils import batches, model, plan
except ImportError:  # pragma: no cover
    from ..plugin_utils import batches, model, plan  # type: ignore[no-redef]

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
  batch_size:
    description:
      - The maximum number of links per batch (C(p2p_batch_size)); an integer >= 1 or a string of one (C(-e p2p_batch_size=4)).
        Unset (or empty) means no cap, only the rule that no router ends two links of one batch.
    type: raw
    required: false
  select:
    description:
      - The links to put in batches (C(p2p_deploy_links)), a list of link names or one comma-separated string. Default every
        link. Only the batches are restricted; the plan still covers (and validates) every link.
    type: raw
    required: false
  facts:
    description:
      - The gathered device facts, router -> facts (the localhost fact C(p2p_gathered) that C(playbooks/gather_p2p.yml)
        sets). The preflight combines them with the links (docs/deploy.md "Gather and preflight"); a router without an
        entry is planned from its C(p2p_facts) host fact when it has one, else from the inventory alone.
    type: dict
    required: false
  getvpn_groups:
    description:
      - The GET VPN groups (C(p2p_getvpn_groups)) that C(mode=getvpn) links name in C(getvpn.group); see docs/data-model.md.
    type: list
    elements: dict
    required: false
"""

EXAMPLES = r"""
- name: Compute the plan (fails with every problem found)
  ansible.builtin.set_fact:
    _plan: "{{ p2p_links | mplssec.p2p.p2p_plan(hostvars, groups) }}"

- name: The plan with batches of at most 4 links of the selected links
  ansible.builtin.set_fact:
    _plan: "{{ p2p_links | mplssec.p2p.p2p_plan(hostvars, groups, batch_size=4, select=['core1', 'core2', 'core3']) }}"

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
    modes:
      description:
        - The choice of mode, one row per link and mode (C(gre_ipsec/transport), C(gre_ipsec/tunnel), C(vti), C(getvpn),
          C(macsec)) with C(link), C(mode), C(status) (C(chosen), C(possible), C(refused), C(unknown) for MACsec without
          gathered facts), C(overhead) on a 1500-byte packet, C(ip_mtu) on the link's carrier, C(carrier_mtu_for_1500)
          and C(why) (the refusal reasons per router). Read only, decides nothing.
      type: list
      elements: dict
    mode_table:
      description: The rows of RV(_value.modes) as a fixed-width text table (printed by the plan role).
      type: str
    batches:
      description:
        - The links in deployment order, as a list of batches (lists of link names). No router ends two links of one
          batch; no batch holds more than O(batch_size) links; every (selected) link is in exactly one batch. An edge
          colouring of the link graph (routers = vertices, links = edges) with the fewest batches for bipartite graphs
          (pairs, even rings, stars, trees) and at most one more otherwise (C(plugins/plugin_utils/batches.py)).
          Deterministic, largest batch first.
      type: list
      elements: list
    batch_table:
      description: 'One line per batch, e.g. C(batch 1/2 (3 links): core1 p1-p2, core3 p3-p4, core5 p5-p6).'
      type: list
      elements: str
"""


def p2p_plan(p2p_links: Any, hostvars: Any = None, groups: Any = None, batch_size: Any = None, select: Any = None,
             getvpn_groups: Any = None, facts: Any = None) -> dict[str, Any]:
    """See DOCUMENTATION."""
    if hostvars is None or not hasattr(hostvars, "__getitem__") or not hasattr(hostvars, "__contains__"):
        raise AnsibleFilterError("mplssec.p2p.p2p_plan: the first argument must be hostvars, e.g. p2p_links | mplssec.p2p.p2p_plan(hostvars, groups)")
    if groups is not None and not hasattr(groups, "get"):
        raise AnsibleFilterError("mplssec.p2p.p2p_plan: groups must be the groups magic variable (a mapping)")
    try:
        cap = batches.parse_batch_size(batch_size)
    except batches.BatchError as exc:
        raise AnsibleFilterError(f"mplssec.p2p.p2p_plan: {exc}") from None
    try:
        if facts is not None and not hasattr(facts, "get"):
            raise AnsibleFilterError("mplssec.p2p.p2p_plan: facts must be a mapping router -> facts (p2p_gathered)")
        result = plan.build_plan(p2p_links, hostvars, groups, getvpn_groups, facts)
    except plan.PlanValidationError as exc:
        raise AnsibleFilterError(f"mplssec.p2p.p2p_plan: {exc}") from None
    except ImportError as exc:
        raise AnsibleFilterError(f"mplssec.p2p.p2p_plan: {exc}") from None
    return _with_batches(result, cap, select)


def _with_batches(result: dict[str, Any], cap: int | None, select: Any) -> dict[str, Any]:
    """Add ``batches`` and ``batch_table`` (plugins/plugin_utils/batches.py) to the plan."""
    links = batches.links_of_plan(result["hosts"])
    if select is not None:
        wanted = [n.strip() for n in select.split(",")] if isinstance(select, str) else select
        if not isinstance(wanted, (list, tuple)) or not all(isinstance(n, str) for n in wanted):
            raise AnsibleFilterError("mplssec.p2p.p2p_plan: select (p2p_deploy_links) must be a list of link names, "
                                     f"got {model.type_name(select)}; fix: e.g. -e '{{\"p2p_deploy_links\": [\"core1\"]}}'")
        known = {name for name, _a, _b in links}
        unknown = sorted(set(wanted) - known, key=batches.natural_key)
        if unknown:
            raise AnsibleFilterError(f"mplssec.p2p.p2p_plan: select (p2p_deploy_links): unknown link(s) {unknown}; "
                                     f"fix: use names of p2p_links ({sorted(known, key=batches.natural_key)})")
        links = [item for item in links if item[0] in set(wanted)]
    result["batches"] = batches.compute_batches(links, cap)
    result["batch_table"] = batches.format_batches(result["batches"], links)
    return result


class FilterModule:
    """mplssec.p2p.p2p_plan"""

    def filters(self) -> dict[str, Any]:
        return {"p2p_plan": p2p_plan}

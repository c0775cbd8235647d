# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter p2p_change_view: a thin wrapper over plugins/plugin_utils/config_text.py.

Documented in p2p_change_view.yml beside this file; its arguments are validated against that DOCUMENTATION
(plugins/plugin_utils/filter_args.py: the argument spec is built once, at import).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ansible.errors import AnsibleFilterError

from ansible_collections.mplssec.p2p.plugins.plugin_utils import config_text, filter_args

SPECS = filter_args.load(__file__, ("p2p_change_view",))


def p2p_change_view(*args: Any, **kwargs: Any) -> dict[str, str]:
    """Before/after texts of a pending change, for a real Ansible diff; see p2p_change_view.yml."""
    p = SPECS["p2p_change_view"].params(args, kwargs)
    if p["platform"] == "ios":
        if not isinstance(p["_input"], list):
            raise AnsibleFilterError("mplssec.p2p.p2p_change_view: with platform ios the input is the list of commands")
        return config_text.ios_change_view([str(c) for c in p["_input"]], p["rendered"] or "")
    if not isinstance(p["_input"], str):
        raise AnsibleFilterError("mplssec.p2p.p2p_change_view: with platform junos the input is the show | compare text")
    return config_text.junos_change_view(p["_input"])


class FilterModule:
    """Change view filter of mplssec.p2p."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {"p2p_change_view": p2p_change_view}

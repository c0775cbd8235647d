# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter p2p_audit: a thin wrapper over plugins/plugin_utils/audit.py.

Documented in p2p_audit.yml beside this file; its arguments are validated against that DOCUMENTATION
(plugins/plugin_utils/filter_args.py: the argument spec is built once, at import).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ansible.errors import AnsibleFilterError

from ansible_collections.mplssec.p2p.plugins.plugin_utils import audit, filter_args

SPECS = filter_args.load(__file__, ("p2p_audit",))


def p2p_audit(*args: Any, **kwargs: Any) -> dict[str, Any]:
    """The audit result of one link on one router; see p2p_audit.yml."""
    p = SPECS["p2p_audit"].params(args, kwargs)
    try:
        return audit.audit_results(p["link"], p["host"], p["platform"], p["_input"], p["phases"])
    except audit.AuditError as exc:
        raise AnsibleFilterError(f"mplssec.p2p.p2p_audit: {exc}") from None


class FilterModule:
    """Audit filter of mplssec.p2p."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {"p2p_audit": p2p_audit}

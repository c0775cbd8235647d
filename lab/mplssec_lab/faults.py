"""Injected faults.  Physics reads ``link_down`` and ``carrier_mtu``; the server and the Lab the rest."""
from __future__ import annotations

from dataclasses import dataclass, field

# What a real Junos prints when mgd refuses a commit (used as <error-message> / CLI "error: ...").
COMMIT_FAIL_MESSAGE = "commit failed: (statements constraint check failed)"


class DropSession(Exception):
    """Raised by Lab.on_command when an ssh-drop fault fires: the server aborts that SSH connection."""


@dataclass
class Faults:
    link_down: set = field(default_factory=set)        # carrier link names that are down
    carrier_mtu: dict = field(default_factory=dict)    # link name -> IP bytes the carrier really delivers
    ssh_drop: dict = field(default_factory=dict)       # host -> commands/RPCs still allowed before the drop
    ssh_drop_then: dict = field(default_factory=dict)  # host -> after the drop, commands/RPCs before a second drop
    commit_fail: dict = field(default_factory=dict)    # host -> number of commits still to fail
    unreachable: set = field(default_factory=set)      # hosts whose SSH listener refuses connections

    def clear(self) -> None:
        self.link_down.clear()
        self.carrier_mtu.clear()
        self.ssh_drop.clear()
        self.ssh_drop_then.clear()
        self.commit_fail.clear()
        self.unreachable.clear()

    def delivered_mtu(self, link: str, nominal: int) -> int:
        return min(nominal, self.carrier_mtu.get(link, nominal))

    def as_dict(self) -> dict:
        return {
            "link_down": sorted(self.link_down),
            "carrier_mtu": dict(sorted(self.carrier_mtu.items())),
            "ssh_drop": dict(sorted(self.ssh_drop.items())),
            "ssh_drop_then": dict(sorted(self.ssh_drop_then.items())),
            "commit_fail": dict(sorted(self.commit_fail.items())),
            "unreachable": sorted(self.unreachable),
        }

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The change view of check mode / --diff (plugins/plugin_utils/config_text.py) on the golden renders.

The golden renders (tests/golden/deploy/core1/p1-ios-*.cfg) are files of this repository: a missing one fails.
The command lists are what ansible.netcommon.cli_config returns in check mode: flat, parents included.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from ansible_collections.mplssec.p2p.plugins.plugin_utils import config_text

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "deploy" / "core1"


def unified(view):
    return "".join(difflib.unified_diff(view["before"].splitlines(True), view["after"].splitlines(True), n=100))[len("--- \n+++ \n"):]


def render(*phases):
    return "\n".join((GOLDEN / f"p1-ios-{p}.cfg").read_text() for p in phases)


def test_a_line_under_two_parents_gets_each_parent():
    rendered = render("phase1")
    dpd = next(line.strip() for line in rendered.splitlines() if line.strip().startswith("dpd "))
    commands = ["crypto ikev2 policy MPLSSEC-CORE1", "match address local 192.0.2.0",
                "crypto ikev2 profile MPLSSEC-CORE1", "match address local 192.0.2.0", dpd]
    diff = unified(config_text.ios_change_view(commands, rendered))
    assert diff.splitlines()[1:] == [" crypto ikev2 policy MPLSSEC-CORE1", "+ match address local 192.0.2.0",
                                     " crypto ikev2 profile MPLSSEC-CORE1", "+ match address local 192.0.2.0",
                                     "+ " + dpd]


def test_a_parent_is_shown_again_where_its_lines_resume_and_top_level_lines_are_added():
    rendered = render("phase4", "phase5")
    commands = [line.strip() for line in rendered.splitlines() if line.strip()]
    lines = unified(config_text.ios_change_view(commands, rendered)).splitlines()[1:]
    assert lines[:3] == [" interface GigabitEthernet2", "+ no mpls ip", "+ no ip ospf 1 area 0"]
    assert lines[-2:] == [" interface GigabitEthernet2", "+ ip access-group MPLSSEC-CORE1 in"]
    assert " ip access-list extended MPLSSEC-CORE1" in lines


def test_every_command_is_shown_once():
    rendered = render("phase1", "phase3", "phase4", "phase5")
    commands = [line.strip() for line in rendered.splitlines() if line.strip()]
    view = config_text.ios_change_view(commands, rendered)
    added = [line[1:].strip() for line in unified(view).splitlines() if line.startswith("+")]
    parents = {line.strip() for line in view["before"].splitlines()}
    assert sorted(added) == sorted(c for c in commands if c not in parents)  # each line sent, once, as added
    assert config_text.ios_change_view([], rendered) == {"before": "", "after": ""}


def test_junos_compare_keeps_its_markers():
    # Junos show | compare: the marker in column 1 of the 4-space indentation
    compare = """
[edit interfaces ge-0/0/0 unit 0 family]
-   mpls;
[edit protocols ldp]
-   interface ge-0/0/0.0;
+   interface gr-0/0/0.100;
"""
    assert unified(config_text.junos_change_view(compare)).splitlines()[1:] == [
        " [edit interfaces ge-0/0/0 unit 0 family]", "-   mpls;", " [edit protocols ldp]", "-   interface ge-0/0/0.0;",
        "+   interface gr-0/0/0.100;"]

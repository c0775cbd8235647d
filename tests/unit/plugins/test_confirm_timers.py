# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""preflight.confirm_timer_errors / filter p2p_confirm_check: the dead-man timers (Junos commit confirmed, IOS-XE revert
timer) must outlast the longest deploy step; the refusal names the variable and the fix (issue 8 section 4)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ansible_collections.mplssec.p2p.plugins.filter.deploy import p2p_confirm_check
from ansible_collections.mplssec.p2p.plugins.plugin_utils import preflight

VARS = yaml.safe_load((Path(__file__).resolve().parents[3] / "roles" / "deploy" / "vars" / "main.yml").read_text())
STEPS = [VARS["deploy_steps_encrypt"], VARS["deploy_steps_rollback"], VARS["deploy_steps_rotate"]]


def test_the_role_defaults_pass():
    defaults = yaml.safe_load((Path(__file__).resolve().parents[3] / "roles" / "deploy" / "defaults" / "main.yml").read_text())
    assert p2p_confirm_check(STEPS, defaults["deploy_wait_retries"], defaults["deploy_wait_interval"],
                             defaults["deploy_confirm_minutes"]) == []


def test_the_longest_step_is_the_cutover_gate():
    # phase4 has 7 checks: 30 s + 7 x (30 x 2 s + 10 s) = 520 s
    assert preflight.step_worst_seconds(7, 30, 2) == 520
    assert preflight.confirm_timer_errors(STEPS, 30, 2, 9) == []
    errors = preflight.confirm_timer_errors(STEPS, 30, 2, 8)
    assert len(errors) == 1 and errors[0].startswith("deploy_confirm_minutes: 8 min is shorter than the longest deploy step (520 s")
    assert "Fix: -e deploy_confirm_minutes=9" in errors[0]


@pytest.mark.parametrize("retries,interval,minutes,expect", [
    (30, 2, 0, "deploy_confirm_minutes: 0 is outside 1-120"),
    (30, 2, 121, "deploy_confirm_minutes: 121 is outside 1-120"),
    (30, 2, "ten", "deploy_confirm_minutes: 'ten' is not a whole number"),
    (0, 2, 10, "a gate needs at least one attempt"),
    ("x", 2, 10, "are not numbers"),
    (1200, 2, 120, "deploy_wait_retries: the longest deploy step"),
])
def test_refusals_name_the_variable_and_the_fix(retries, interval, minutes, expect):
    errors = preflight.confirm_timer_errors(STEPS, retries, interval, minutes)
    assert errors and expect in errors[0] and "Fix:" in errors[0], errors


def test_the_suggested_retries_fit_the_ios_maximum():
    errors = preflight.confirm_timer_errors(STEPS, 1200, 2, 120)
    suggested = int(errors[0].split("-e deploy_wait_retries=")[1].split()[0])
    assert preflight.confirm_timer_errors(STEPS, suggested, 2, 120) == []
    assert preflight.confirm_timer_errors(STEPS, suggested + 1, 2, 120) != []

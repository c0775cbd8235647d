# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The argument spec of mplssec.p2p.p2p_deploy and mplssec.p2p.p2p_deploy_step (documented in doc_fragments/p2p_deploy.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def argument_spec(ops):
    """The spec of both modules; ``ops`` = the op choices of the module."""
    return dict(
        op=dict(type="str", required=True, choices=list(ops)),
        link=dict(type="str", default=""),
        plan=dict(type="dict", required=True),
        ops=dict(type="dict", default={}),
        secrets=dict(type="list", elements="str", default=[], no_log=True),
        config=dict(type="str", default="", no_log=True),
        step=dict(type="str", default="step"),
        gate=dict(type="str", default=""),
        checks=dict(type="list", elements="raw", default=[]),
        retries=dict(type="int", default=30),
        interval=dict(type="float", default=2),
        min_success_pct=dict(type="int", default=66),
        confirm_minutes=dict(type="int", default=0),
        show_config=dict(type="bool", default=False),
        exec=dict(type="bool", default=False),
        before=dict(type="str", default=""),
        before_digest=dict(type="str", default=""),
        saved=dict(type="str", default="", no_log=True),
    )

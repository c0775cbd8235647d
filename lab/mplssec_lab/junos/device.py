"""JunosDevice: the configuration database (committed, shared candidate, private candidates,
rollback history, exclusive lock, commit confirmed) and the SSH entry point.

Candidate semantics (as real Junos):

* The shared candidate (CLI ``configure``, NETCONF without ``<lock>``) survives the session: a
  client that loads changes and disconnects leaves it dirty, and the next ``<lock>`` from another
  session fails with ``configuration database modified``.
* ``<lock>`` is ``configure exclusive``: "If the NETCONF session ends or the application emits the
  <unlock> tag element before the candidate configuration is committed, all changes made to the
  candidate are discarded" (Junos NETCONF guide, <lock>).  So junos_config's ``unlock`` after a
  failed load leaves a clean candidate.
* ``configure private`` / ``<open-configuration><private/>`` edits a private copy, discarded on exit.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import time

from .. import pki
from . import tree as T
from . import view as V

JUNOS_VERSION = "23.4R2-S3.9"
MODEL = "vsrx"
# Juniper, forwarding-options (Security): "Packet-based processing is not supported on the following SRX
# Series devices: SRX5400, SRX5600, and SRX5800."
NO_PACKET_MODE_MODELS = ("srx5400", "srx5600", "srx5800")

# Lab scenarios for Junos routers (``mplssec-lab up --scenario NAME[:PAIR,...]``), docs/lab.md "Scenarios".
SCENARIOS = {
    "srx-carrier-no-ike": "Junos: the carrier unit's zone (untrust) admits ping, OSPF and LDP but no IKE",
    "srx-mpls-not-active": "Junos: 'security forwarding-options family mpls mode packet-based' committed, but the "
                           "router was not rebooted since, so MPLS is still dropped (show security flow status: drop)",
    "srx-mpls-absent": "Junos: no security forwarding-options (factory default: MPLS, ISO and IPv6 dropped)",
    "srx5600": "Junos: the router is an SRX5600 (packet-based MPLS unsupported: refused at commit, MPLS dropped)",
    "srx-no-secret-view": "Junos: the automation user's login class lacks the 'secret' permission: show configuration "
                          "(text, set) prints every secret as /* SECRET-DATA */; the router has another VPN's IKE policy "
                          "OTHER-VPN with a pre-shared key",
}


def reboot_seconds():
    """How long an emulated ``request system reboot`` keeps the router away (a real SRX takes minutes)."""
    try:
        return float(os.environ.get("MPLSSEC_LAB_REBOOT_SECONDS", "3"))
    except ValueError:
        return 3.0


def minute_seconds():
    try:
        return float(os.environ.get("MPLSSEC_LAB_MINUTE_SECONDS", "60"))
    except ValueError:
        return 60.0


def fmt_time(ts):
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(ts))


class Commit:
    def __init__(self, tree, ts, user, via, comment=None, confirmed=None):
        self.tree, self.ts, self.user, self.via, self.comment, self.confirmed = tree, ts, user, via, comment, confirmed


class Session:
    _ids = itertools.count(3001)

    def __init__(self, via, user="admin"):
        self.id = next(self._ids)
        self.via, self.user = via, user
        self.private = None  # Node: private candidate
        self.exclusive = False  # holds the configuration lock
        self.started = time.time()


class ConfigFailure(Exception):
    """A failed commit/check: ``errors`` are JunosErrors; ``final`` the closing message."""

    def __init__(self, errors, final):
        super().__init__(final)
        self.errors, self.final = errors, final


def baseline_set(hostname, spec):
    rid = spec.get("router_id")
    user = (spec.get("auth") or {}).get("username", "admin")
    lines = [
        f"set version {JUNOS_VERSION}",
        f"set system host-name {hostname}",
        'set system root-authentication encrypted-password "$6$mplssec$Gm3yB4Wb0q7nSCOwXr4Ed1H0N1g7d3uXk0k6J1pQnHfZ2o5cY9a2Vq2eYb1zU8d1T8oT3rFhK0m4J9bS2aQ1."',
        f"set system login user {user} uid 2000",
        f"set system login user {user} class super-user",
        f"set system login user {user} authentication encrypted-password "
        '"$6$mplssec$Q2l1d1XcXmZbq6p6s4vJr3Oa9o0Qm1KXhT6c5r0lJbYwQ0jvYw1pV4b2m8c3n9x7z5y6w4v2u1t0s9r8q7p6o."',
        "set system services ssh",
        "set system services netconf ssh",
        "set system syslog file messages any any",
        "set system syslog file interactive-commands interactive-commands any",
    ]
    ifaces = []
    lo = spec.get("loopback")
    if lo:
        ifaces.append((lo["name"], lo["address"], {"ospf": lo["ospf"]} if lo.get("ospf") else {}))
    for i in spec.get("interfaces", []):
        ifaces.append((i["name"], i.get("address"), i))
    for name, addr, i in ifaces:
        phys, unit = name.rsplit(".", 1) if "." in name else (name, "0")
        if i.get("description"):
            lines.append(f'set interfaces {phys} unit {unit} description "{i["description"]}"')
        if addr:
            lines.append(f"set interfaces {phys} unit {unit} family inet address {addr}")
        if i.get("mpls"):
            lines.append(f"set interfaces {phys} unit {unit} family mpls")
    if rid:
        lines.append(f"set routing-options router-id {rid}")
    if lo and "ospf" not in lo and any(i.get("ospf") for _n, _a, i in ifaces):
        ifaces[0] = (lo["name"], lo["address"], dict(ifaces[0][2], ospf={"area": "0", "passive": True}))
    for name, _addr, i in ifaces:
        o = i.get("ospf")
        if o:
            area = str(o.get("area", "0"))
            area = area if "." in area else str(__import__("ipaddress").IPv4Address(int(area)))
            if o.get("passive"):
                lines.append(f"set protocols ospf area {area} interface {name} passive")
                continue
            if o.get("network", "point-to-point") == "point-to-point":
                lines.append(f"set protocols ospf area {area} interface {name} interface-type p2p")
            if o.get("cost"):
                lines.append(f"set protocols ospf area {area} interface {name} metric {o['cost']}")
    for name, _addr, i in ifaces:
        if i.get("mpls"):
            lines.append(f"set protocols mpls interface {name}")
    for name, _addr, i in ifaces:
        if i.get("ldp"):
            lines.append(f"set protocols ldp interface {name}")
    scen = set(spec.get("scenarios") or [])
    if not scen & {"srx-mpls-absent", "srx5600"}:
        lines.append("set security forwarding-options family mpls mode packet-based")
    lines += [
        "set security policies default-policy permit-all",
        "set security zones security-zone trust host-inbound-traffic system-services all",
        "set security zones security-zone trust host-inbound-traffic protocols all",
    ]
    # the carrier unit faces the provider: zone untrust, as in real SRX VPN configs
    # (../shared/reference/configs/junos/junos_st0_01.cfg: untrust + system-services ike + ge-0/0/0.0)
    carrier = [name for name, _addr, i in ifaces if i.get("role") == "carrier"]
    if carrier:
        if "srx-carrier-no-ike" not in scen:
            lines.append("set security zones security-zone untrust host-inbound-traffic system-services ike")
        lines += [
            "set security zones security-zone untrust host-inbound-traffic system-services ping",
            "set security zones security-zone untrust host-inbound-traffic protocols ospf",
            "set security zones security-zone untrust host-inbound-traffic protocols ldp",
        ]
    for name, _addr, _i in ifaces:
        zone = "untrust" if name in carrier else "trust"
        lines.append(f"set security zones security-zone {zone} interfaces {name}")
    held = pki.load(spec.get("pki"))
    if held:      # scenario pki: the CA certificate is loaded under this ca-profile (junos/README.md "PKI")
        lines.append(f"set security pki ca-profile {held[0].name} ca-identity {held[0].name}")
    if "srx-no-secret-view" in scen:
        # another VPN of the router, whose key the automation user cannot see (a per-router value, no key literal)
        import hashlib
        key = "lab-" + hashlib.sha256(("other-vpn-" + hostname).encode()).hexdigest()[:24]
        lines += [
            "set security ike proposal OTHER-VPN authentication-method pre-shared-keys",
            "set security ike proposal OTHER-VPN dh-group group14",
            "set security ike proposal OTHER-VPN authentication-algorithm sha-256",
            "set security ike proposal OTHER-VPN encryption-algorithm aes-256-cbc",
            "set security ike policy OTHER-VPN proposals OTHER-VPN",
            f"set security ike policy OTHER-VPN pre-shared-key ascii-text {key}",
        ]
    return "\n".join(lines)


class JunosDevice:
    platform = "junos"

    def __init__(self, hostname: str, lab, baseline: dict):
        self.hostname = hostname
        self.lab = lab
        self.baseline = baseline
        tree, _w = T.load_set(T.new_root(), baseline_set(hostname, baseline))
        errs = T.check_commit(tree)
        if errs:
            raise ValueError(f"baseline does not commit: {[e.message for e in errs]}")
        now = self._now()
        self.history = [Commit(tree, now, "root", "cli", None)]
        self.committed = tree.copy()
        self.candidate = tree.copy()  # shared candidate
        self.candidate_owner = None  # session id that last modified the shared candidate
        self.lock_owner = None  # Session holding the exclusive lock
        self.confirm_timer = None  # asyncio.TimerHandle of a pending commit confirmed
        self.confirm_deadline = None
        self.stats = {"ssh_sessions": 0, "cli_commands": 0, "netconf_rpcs": 0, "config_transactions": 0, "commits": 0}
        self.sessions = set()
        self._view = None
        self.started = now
        scen = set(baseline.get("scenarios") or [])
        self.model = "srx5600" if "srx5600" in scen else (baseline.get("model") or MODEL)
        self.hide_secrets = "srx-no-secret-view" in scen
        self.pki_spec = baseline.get("pki")   # scenario pki: certificates held (docs/lab.md "PKI")
        # the forwarding modes in effect: the committed ones at boot, except that the scenario
        # srx-mpls-not-active committed packet-based MPLS after the last boot
        self.active_modes = V.configured_modes(self.committed)
        if "srx-mpls-not-active" in scen:
            self.active_modes["mpls"] = "drop"
        self.booting_until = None

    # ------------------------------------------------------------------ contract
    def view(self):
        if self.booting_until is not None and self._now() >= self.booting_until:
            self._boot_done()
        if self._view is None:
            v = V.build(self.hostname, self.committed)
            v.fwd_modes = dict(self.active_modes)
            held = pki.load(self.pki_spec)
            if held and v.pki is not None:
                # the local certificate is loaded (request security pki local-certificate load); the CA certificate
                # counts while its ca-profile is configured
                ca, cert = held
                v.pki.certificates[cert.name] = cert
                if ca.name in v.pki.revocation:
                    v.pki.cas[ca.name] = ca
            from ..topology import MODELS
            capable = MODELS[self.model].macsec if self.model in MODELS else False
            for port in v.macsec.values():      # a vSRX accepts the statements; its ports do no MACsec
                port.capable = capable
            if self.booting_until is not None:   # rebooting: no interface forwards anything
                for it in v.interfaces.values():
                    it.enabled = False
            self._view = v
        return self._view

    # ------------------------------------------------------------------ reboot
    def booting(self):
        if self.booting_until is not None and self._now() >= self.booting_until:
            self._boot_done()
        return self.booting_until is not None

    def request_reboot(self):
        """``request system reboot``: every session drops, the router is away for reboot_seconds(), then
        comes back with the committed configuration, and the configured forwarding modes take effect."""
        delay = reboot_seconds()
        self._cancel_confirm()
        self.booting_until = self._now() + delay
        self._changed()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is not None and os.environ.get("MPLSSEC_LAB_REBOOT_REPLY") == "lost":
            # test knob: the shutdown ends the sessions before the reply goes out (a client that never reads it)
            self._drop_sessions()
            loop.call_later(delay, self._boot_done)
        elif loop is not None:
            # the reply goes out, then the shutdown ends every session (an abort: what is still unsent is lost);
            # one second later, so a loaded client still reads the reply (lab decision: a real SRX answers
            # "Shutdown NOW!" and its processes stop over the following seconds)
            loop.call_later(min(1.0, delay / 2), self._drop_sessions)
            loop.call_later(delay, self._boot_done)
        return f"Shutdown NOW!\n[pid {4242 + len(self.history)}]\n"

    def _drop_sessions(self):
        hook = getattr(self.lab, "on_drop", None)
        if hook is not None:
            try:
                hook(self.hostname)
            except Exception:
                pass

    def _boot_done(self):
        if self.booting_until is None:
            return
        self.booting_until = None
        self.active_modes = V.configured_modes(self.committed)
        self.candidate = self.committed.copy()
        self.candidate_owner = None
        self.lock_owner = None
        self.started = self._now()
        self._changed()

    def running_config(self) -> str:
        c = self.history[0]
        head = f"## Last commit: {fmt_time(c.ts)} by {c.user}\n"
        return head + T.render_text(self.committed)

    def _now(self):
        try:
            return float(self.lab.now())
        except Exception:
            return time.time()

    def state(self):
        return self.lab.state(self.hostname)

    # ------------------------------------------------------------------ candidate access
    def candidate_for(self, sess):
        return sess.private if (sess is not None and sess.private is not None) else self.candidate

    def check_writable(self, sess):
        if self.lock_owner is not None and self.lock_owner is not sess and (sess is None or sess.private is None):
            raise T.JunosError(self.lock_message(), kind="lock")

    def lock_message(self):
        o = self.lock_owner
        return (
            f"configuration database locked by:\n  {o.user} terminal p0 (pid {o.id}) on since " f"{fmt_time(o.started)}, idle 00:00:01\n      exclusive [edit]"
        )

    def set_candidate(self, sess, tree):
        self.check_writable(sess)
        if sess is not None and sess.private is not None:
            sess.private = tree
        else:
            self.candidate = tree
            self.candidate_owner = sess.id if sess is not None else None
        self.stats["config_transactions"] += 1

    def shared_dirty(self):
        return T.to_set(self.candidate) != T.to_set(self.committed)

    def lock(self, sess):
        if self.lock_owner is not None and self.lock_owner is not sess:
            raise T.JunosError(self.lock_message(), kind="lock")
        if self.lock_owner is None and self.shared_dirty() and self.candidate_owner != sess.id:
            raise T.JunosError("configuration database modified", kind="lock")
        self.lock_owner = sess
        sess.exclusive = True

    def unlock(self, sess):
        if self.lock_owner is not sess:
            raise T.JunosError("configuration database is not open", kind="lock")
        # <unlock> before commit discards the changes made under the lock
        if self.shared_dirty():
            self.candidate = self.committed.copy()
        self.candidate_owner = None
        self.lock_owner = None
        sess.exclusive = False

    def discard(self, sess):
        if sess is not None and sess.private is not None:
            sess.private = self.committed.copy()
        else:
            self.check_writable(sess)
            self.candidate = self.committed.copy()
            self.candidate_owner = None

    def end_session(self, sess):
        if self.lock_owner is sess:
            try:
                self.unlock(sess)
            except T.JunosError:
                self.lock_owner = None
        sess.private = None
        self.sessions.discard(sess)

    def rollback_tree(self, n):
        if not 0 <= n < len(self.history):
            raise T.JunosError(f"rollback {n} does not exist" if n < 50 else f"Value {n} is not within range (0..49)", kind="rollback")
        return self.history[n].tree.copy()

    # ------------------------------------------------------------------ commit
    def check(self, sess):
        fault = self.lab.commit_fault(self.hostname) if hasattr(self.lab, "commit_fault") else None
        if fault:
            raise ConfigFailure([T.JunosError(fault, (), None, kind="fault")], "configuration check-out failed")
        cand = self.candidate_for(sess)
        errs = T.check_commit(cand)
        if self.model in NO_PACKET_MODE_MODELS and cand.leaf("security", "forwarding-options", "family", "mpls", "mode") == "packet-based":
            # lab wording (the real message is not documented): the platform does not support the statement
            errs = list(errs) + [T.JunosError("Packet-based processing is not supported on this platform "
                                              f"({self.model.upper()})", ("security", "forwarding-options", "family", "mpls"), "mode")]
        if errs:
            mand = any(e.kind == "mandatory" for e in errs)
            raise ConfigFailure(errs, "configuration check-out failed" + (": (missing mandatory statements)" if mand else ""))
        return cand

    def commit(self, sess, confirmed=None, comment=None, via="netconf", check_only=False):
        cand = self.check(sess)
        if check_only:
            return None
        if sess is not None and sess.private is not None and self.shared_dirty() and self.candidate_owner != sess.id:
            raise ConfigFailure([T.JunosError("shared configuration database modified", kind="lock")], "commit failed: shared configuration database modified")
        self._cancel_confirm()
        user = sess.user if sess is not None else "root"
        self.history.insert(0, Commit(cand.copy(), self._now(), user, via, comment, confirmed))
        del self.history[50:]
        self.committed = cand.copy()
        if sess is not None and sess.private is not None:
            sess.private = self.committed.copy()
        if not (self.shared_dirty() and self.candidate_owner not in (None, getattr(sess, "id", None))):
            self.candidate = self.committed.copy()
            self.candidate_owner = None
        if confirmed:
            self._schedule_confirm(int(confirmed))
        self.stats["commits"] += 1
        self._changed()
        return self.history[0]

    def _changed(self):
        self._view = None
        try:
            self.lab.config_changed(self.hostname)
        except Exception:
            pass

    def _schedule_confirm(self, minutes):
        delay = minutes * minute_seconds()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        self.confirm_deadline = self._now() + delay
        if loop is not None:
            self.confirm_timer = loop.call_later(delay, self._auto_rollback)

    def _cancel_confirm(self):
        if self.confirm_timer is not None:
            self.confirm_timer.cancel()
        self.confirm_timer = None
        self.confirm_deadline = None

    def confirm_pending(self):
        return self.confirm_deadline is not None

    def _auto_rollback(self):
        """commit confirmed not confirmed in time: rollback 1 becomes active again."""
        self.confirm_timer = None
        self.confirm_deadline = None
        if len(self.history) < 2:
            return
        prev = self.history[1].tree.copy()
        self.history.insert(0, Commit(prev.copy(), self._now(), "root", "other", "commit confirmed rollback"))
        del self.history[50:]
        self.committed = prev
        self.candidate = prev.copy()
        self.candidate_owner = None
        self._changed()

    # ------------------------------------------------------------------ lab hooks
    def on_command(self):
        self.lab.on_command(self.hostname)

    # ------------------------------------------------------------------ SSH
    async def handle_process(self, process):
        if self.booting():   # rebooting: the SSH service is not up yet
            try:
                conn = process.get_extra_info("connection")
                conn.abort() if conn is not None else process.close()
            except Exception:
                pass
            return
        self.stats["ssh_sessions"] += 1
        if getattr(process, "subsystem", None) == "netconf":
            from .netconf import NetconfSession

            await NetconfSession(self, process).run()
        else:
            from .cli import CliSession

            await CliSession(self, process).run()

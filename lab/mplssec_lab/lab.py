"""The Lab object: owns the devices, the topology and the faults; devices call it (dev-contracts-lab.md)."""
from __future__ import annotations

import math
import time
from typing import Callable

from . import physics
from .faults import COMMIT_FAIL_MESSAGE, DropSession, Faults
from .topology import Topology

STAT_KEYS = ("ssh_sessions", "cli_commands", "netconf_rpcs", "config_transactions", "commits")


def default_factories() -> dict:
    from .ios import IosDevice
    from .junos import JunosDevice
    return {"ios": IosDevice, "junos": JunosDevice}


class _Devices(dict):
    """name -> device, built on first use (the server warms them in the background after start-up)."""

    def __init__(self, build):
        super().__init__()
        self._build = build

    def __missing__(self, name):
        dev = self._build(name)
        self[name] = dev
        return dev


class Lab:
    def __init__(self, topology: Topology, factories: dict | None = None, auth: dict | None = None,
                 clock: Callable[[], float] = time.time, faults: Faults | None = None, lazy: bool = False):
        self.topology = topology
        self.faults = faults or Faults()
        self.auth = dict(auth or {"username": "admin", "password": "admin", "enable_password": "admin"})
        self.clock = clock
        self.skew = 0.0               # seconds added to the clock by advance()
        self.memo: dict = {}
        self._views: dict = {}
        self._states: dict = {}
        self.streams: dict = {}       # link name -> steady labelled stream being measured (stream_start)
        self.on_drop: Callable[[str], None] | None = None     # server hook: abort the host's SSH sessions
        self.started = clock()
        factories = factories if factories is not None else default_factories()
        self.factories = factories

        def build(name):
            if name not in topology.hosts:
                raise KeyError(name)
            cls = factories[topology.hosts[name].platform]
            return cls(name, self, topology.baseline(name, self.auth))
        self.devices = _Devices(build)
        if not lazy:
            for name in topology.hosts:
                self.devices[name]
            self._refresh_all()

    # -- the contract ---------------------------------------------------------------------------------
    def now(self) -> float:
        return self.clock() + self.skew

    def advance(self, seconds: float) -> float:
        """Move the lab's time forward (``mplssec-lab clock advance``): what derives from time (key lifetimes, GET VPN
        rekeys and re-registrations) jumps ahead at once, as if that much time had passed (docs/lab.md "Clock")."""
        if seconds < 0:
            raise ValueError("the lab's clock only moves forward")
        self.skew += float(seconds)
        self.faults_changed()
        return self.skew

    def state(self, hostname: str):
        comp = self.topology.component(hostname)
        states = physics.derive({h: self._view(h) for h in comp}, self.topology, self.faults, self.now(), self.memo)
        self._states.update(states)
        return states[hostname]

    def config_changed(self, hostname: str) -> None:
        self._views.pop(hostname, None)
        self._refresh(hostname)
        self.stream_tick()

    def ping(self, hostname: str, destination: str, size: int, df: bool, source: str | None = None,
             count: int = 5, labels: int = 0) -> physics.PingResult:
        comp = self.topology.component(hostname)
        return physics.ping({h: self._view(h) for h in comp}, self.topology, self.faults, self.now(), hostname,
                            destination, size=size, df=df, source=source, count=count, labels=labels,
                            memo=self.memo)

    def lsp_ping(self, hostname: str, fec: str, size: int, labels: int, count: int = 5,
                 out_if: str | None = None) -> physics.PingResult:
        comp = self.topology.component(hostname)
        return physics.lsp_ping({h: self._view(h) for h in comp}, self.topology, self.faults, self.now(), hostname,
                                fec, size, labels, count=count, out_if=out_if, memo=self.memo)

    def clear_ike(self, hostname: str, peer: str | None = None) -> int:
        """``clear crypto session`` / ``clear security ike security-associations`` on ``hostname``."""
        n = physics.clear_ike({hostname: self._view(hostname)}, self.memo, hostname, peer, self.now())
        self._refresh(hostname)         # the SAs are gone now: their history ends (re-negotiated afresh)
        self.stream_tick()
        return n

    def on_command(self, hostname: str) -> None:
        left = self.faults.ssh_drop.get(hostname)
        if left is None:
            return
        if left <= 0:
            del self.faults.ssh_drop[hostname]
            if hostname in self.faults.ssh_drop_then:   # --then M: the session that replaces it drops too
                self.faults.ssh_drop[hostname] = self.faults.ssh_drop_then.pop(hostname)
            raise DropSession(hostname)
        self.faults.ssh_drop[hostname] = left - 1

    def commit_fault(self, hostname: str) -> str | None:
        left = self.faults.commit_fail.get(hostname, 0)
        if left <= 0:
            return None
        if left == 1:
            del self.faults.commit_fail[hostname]
        else:
            self.faults.commit_fail[hostname] = left - 1
        return COMMIT_FAIL_MESSAGE

    # -- used by the server / CLI ---------------------------------------------------------------------
    def _view(self, hostname: str):
        v = self._views.get(hostname)
        if v is None:
            v = self.devices[hostname].view()
            self._views[hostname] = v
        return v

    def _refresh(self, hostname: str) -> None:
        """Recompute the router and its link peers at once so that SA/adjacency history (memo) sees every
        transition."""
        self.state(hostname)

    def _refresh_all(self) -> None:
        for link in self.topology.links.values():
            self._refresh(link.a)

    def faults_changed(self) -> None:
        self._refresh_all()
        self.stream_tick()

    # -- steady stream (loss measurement, docs/lab.md "Streams") ---------------------------------------
    def _stream_ok(self, st: dict) -> tuple[bool, str]:
        a, b = self.topology.hosts[st["a"]], self.topology.hosts[st["b"]]
        there = self.ping(a.name, b.router_id, st["size"], False, source=a.router_id, count=1, labels=1)
        back = self.ping(b.name, a.router_id, st["size"], False, source=b.router_id, count=1, labels=1)
        bad = next((r for r in (there, back) if not all(r)), None)
        return bad is None, "" if bad is None else f"{bad.reason}{': ' + bad.detail if bad.detail else ''}"

    def stream_start(self, link_name: str, rate: float = 100.0, size: int = 1000) -> dict:
        link = self.topology.links[link_name]
        now = self.now()
        st = {"a": link.a, "b": link.b, "rate": float(rate), "size": int(size), "t0": now, "down_since": None,
              "windows": []}
        st["up"], why = self._stream_ok(st)
        if not st["up"]:
            st["down_since"], st["why"] = now, why
        self.streams[link_name] = st
        return self.stream_report(link_name)

    def stream_tick(self) -> None:
        """Sample every stream now: called after every configuration change, clear and fault (the only events that
        change forwarding at once) and by the server's timer (changes that come with time, e.g. re-negotiation)."""
        now = self.now()
        for st in self.streams.values():
            ok, why = self._stream_ok(st)
            if st["up"] and not ok:
                st["down_since"], st["why"] = now, why
            elif not st["up"] and ok:
                st["windows"].append({"from": st["down_since"], "to": now, "why": st.get("why", "")})
                st["down_since"] = None
            st["up"] = ok

    def stream_report(self, link_name: str) -> dict:
        st = self.streams[link_name]
        now = self.now()
        windows = list(st["windows"])
        if not st["up"]:
            windows.append({"from": st["down_since"], "to": now, "why": st.get("why", ""), "open": True})
        rate = st["rate"]
        lost = sum(max(1, math.ceil((w["to"] - w["from"]) * rate)) for w in windows)
        return {"link": link_name, "from": st["a"], "to": st["b"], "rate_pps": rate, "size": st["size"],
                "seconds": round(now - st["t0"], 3), "sent": int((now - st["t0"]) * rate), "lost": lost,
                "down": [{"start_s": round(w["from"] - st["t0"], 3), "seconds": round(w["to"] - w["from"], 3),
                          "why": w["why"]} for w in windows]}

    def stream_stop(self, link_name: str) -> dict:
        self.stream_tick()
        report = self.stream_report(link_name)
        del self.streams[link_name]
        return report

    def stats(self) -> dict:
        out = {}
        for name in self.topology.hosts:
            dev = self.devices[name]
            st = dict(getattr(dev, "stats", {}) or {})
            for k in STAT_KEYS:
                st.setdefault(k, 0)
            out[name] = st
        return out

    def running_config(self, hostname: str) -> str:
        return self.devices[hostname].running_config()

    def traffic(self, packets_n: int = 100, size: int = 1000) -> int:
        n = 0
        for link in self.topology.links.values():
            comp = [link.a, link.b]
            n += physics.traffic({h: self._view(h) for h in comp}, self.topology, self.faults, self.now(),
                                 packets_n, size, memo=self.memo)
        return n

    def state_dict(self, hostname: str) -> dict:
        from dataclasses import asdict
        return asdict(self.state(hostname))

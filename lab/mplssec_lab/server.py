"""The lab daemon: one asyncio process serving every emulated router plus a control channel.

Started by ``mplssec-lab up`` as ``python -m mplssec_lab.server --state-dir DIR`` (new session, stdio to
``DIR/lab.log``).  It reads ``DIR/lab.json`` (pairs or topology, credentials), builds the topology, the Lab and the
devices, opens one asyncssh listener per router on 127.0.0.1 (port 0 → the kernel picks a free one),
opens the control channel on 127.0.0.1 (free port, token-authenticated, JSON lines) and only then writes
``DIR/state.json`` (pid, ports, control port) — the CLI waits for that file.

Control requests: ``{"token": T, "cmd": C, ...}`` one per line, one JSON reply line each:
status | config host | stats | state host | ping host dst size df [source count labels] |
fault kind ... | traffic [packets size] | down.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
import threading
import time
from dataclasses import asdict

import asyncssh

from .faults import DropSession
from .lab import Lab
from .topology import build

log = logging.getLogger("mplssec_lab.server")
SSH_ENCODING = {"ios": "utf-8", "junos": None}


class _SSHServer(asyncssh.SSHServer):
    def __init__(self, daemon: "Daemon", host: str):
        self.daemon, self.host, self.conn = daemon, host, None

    def connection_made(self, conn):
        self.conn = conn
        self.daemon.conns.setdefault(self.host, set()).add(conn)

    def connection_lost(self, exc):
        self.daemon.conns.get(self.host, set()).discard(self.conn)

    def begin_auth(self, username):
        return True

    def password_auth_supported(self):
        return True

    def validate_password(self, username, password):
        auth = self.daemon.lab.auth
        return username == auth["username"] and password == auth["password"]


class Daemon:
    def __init__(self, state_dir: str):
        self.state_dir = os.path.abspath(state_dir)
        with open(os.path.join(self.state_dir, "lab.json")) as f:
            self.cfg = json.load(f)
        self.topology = build(int(self.cfg.get("pairs") or 1), self.cfg.get("scenarios"), self.cfg.get("topology"),
                              self.cfg.get("mode") or "gre_ipsec", int(self.cfg.get("key_servers") or 1))
        self.lab = Lab(self.topology, factories=_factories(self.cfg.get("devices")), auth=self.cfg["auth"], lazy=True)
        self.lab.on_drop = self.drop_host
        self.listeners: dict = {}
        self.ports: dict = {}
        self.conns: dict = {}
        self.stop = asyncio.Event()
        self.control = None
        self.control_port = None
        self.key = None

    # -- SSH listeners ------------------------------------------------------------------------------
    def _host_key(self):
        path = os.path.join(self.state_dir, "ssh_host_ed25519_key")
        if os.path.exists(path):
            return asyncssh.read_private_key(path)
        key = asyncssh.generate_private_key("ssh-ed25519")
        key.write_private_key(path)
        os.chmod(path, 0o600)
        return key

    async def _listen(self, host: str, port: int = 0):
        platform = self.topology.hosts[host].platform
        enc = SSH_ENCODING.get(platform, "utf-8")
        cls = (self.lab.factories or {}).get(platform)
        enc = getattr(cls, "ssh_encoding", enc)

        async def process_factory(process):
            try:
                await self.lab.devices[host].handle_process(process)
            except DropSession:
                self.drop_host(host)
            except (asyncssh.Error, ConnectionError, BrokenPipeError):
                pass
            except Exception:   # a device bug must not kill the daemon
                log.exception("%s: session handler failed", host)
                try:
                    process.exit(1)
                except Exception:
                    pass

        server = await asyncssh.create_server(
            lambda: _SSHServer(self, host), "127.0.0.1", port, server_host_keys=[self.key],
            process_factory=process_factory, encoding=enc, line_editor=False, allow_scp=False,
            agent_forwarding=False, x11_forwarding=False, reuse_address=True, keepalive_interval=0,
            login_timeout=30)
        self.listeners[host] = server
        self.ports[host] = server.sockets[0].getsockname()[1]

    def drop_host(self, host: str) -> None:
        for conn in list(self.conns.get(host, ())):
            conn.abort()

    async def set_unreachable(self, host: str, unreachable: bool) -> None:
        if unreachable:
            srv = self.listeners.pop(host, None)
            if srv is not None:
                srv.close()
                await srv.wait_closed()
            self.drop_host(host)
        elif host not in self.listeners:
            await self._listen(host, self.ports[host])

    # -- control channel ----------------------------------------------------------------------------
    async def _control_client(self, reader, writer):
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                try:
                    req = json.loads(line)
                    if req.get("token") != self.cfg["token"]:
                        reply = {"ok": False, "error": "bad token"}
                    else:
                        reply = await self.handle(req)
                except Exception as exc:  # report, never die
                    log.exception("control request failed")
                    reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
                writer.write((json.dumps(reply, default=str) + "\n").encode())
                await writer.drain()
                if reply.get("_stop"):
                    self.stop.set()
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()
            try:
                await writer.wait_closed()
            except (ConnectionError, asyncio.CancelledError):
                pass

    def _host(self, name):
        if name not in self.topology.hosts:
            raise KeyError(f"no such host: {name} (hosts: {', '.join(self.topology.hosts)})")
        return name

    async def handle(self, req: dict) -> dict:
        cmd = req.get("cmd")
        lab = self.lab
        if cmd == "status":
            return {"ok": True, "pid": os.getpid(), "pairs": self.topology.pairs, "topology": self.topology.spec,
                    "mode": self.topology.mode, "key_servers": list(self.topology.key_servers),
                    "started": lab.started,
                    "uptime": time.time() - lab.started, "control_port": self.control_port,
                    "hosts": {h: {"platform": self.topology.hosts[h].platform,
                                  "model": self.topology.model_of(h).pid, "port": self.ports[h],
                                  "listening": h in self.listeners,
                                  "sessions": len(self.conns.get(h, ()))} for h in self.topology.hosts},
                    "links": {n: {"a": link.a, "b": link.b, "up": n not in lab.faults.link_down,
                                  "mtu": link.mtu, "delivered_mtu": lab.faults.delivered_mtu(n, link.mtu),
                                  "eapol_delivers": sorted(link.eapol_delivers), "tagged": link.tagged}
                              for n, link in self.topology.links.items()},
                    "faults": lab.faults.as_dict()}
        if cmd == "config":
            return {"ok": True, "config": lab.running_config(self._host(req["host"]))}
        if cmd == "stats":
            return {"ok": True, "stats": lab.stats()}
        if cmd == "state":
            return {"ok": True, "state": asdict(lab.state(self._host(req["host"])))}
        if cmd == "ping":
            r = lab.ping(self._host(req["host"]), req["dst"], int(req.get("size", 100)), bool(req.get("df")),
                         source=req.get("source"), count=int(req.get("count", 5)), labels=int(req.get("labels", 0)))
            return {"ok": True, "ping": r.as_dict()}
        if cmd == "traffic":
            n = lab.traffic(int(req.get("packets", 100)), int(req.get("size", 1000)))
            return {"ok": True, "sas": n}
        if cmd == "fault":
            return await self.fault(req)
        if cmd == "clock":
            if req.get("advance") is not None:
                lab.advance(float(req["advance"]))
            return {"ok": True, "clock": {"now": lab.now(), "skew": lab.skew}}
        if cmd == "stream":
            link = self.topology.resolve_link(req.get("link"))
            if len(link) != 1:
                raise ValueError("stream: name exactly one link (%s)" % ", ".join(self.topology.links))
            action = req.get("action")
            if action == "start":
                return {"ok": True, "stream": lab.stream_start(link[0], float(req.get("rate", 100)),
                                                                int(req.get("size", 1000)))}
            if link[0] not in lab.streams:
                raise ValueError(f"no stream on {link[0]}: start one first")
            if action == "stop":
                return {"ok": True, "stream": lab.stream_stop(link[0])}
            lab.stream_tick()
            return {"ok": True, "stream": lab.stream_report(link[0])}
        if cmd == "down":
            return {"ok": True, "_stop": True}
        return {"ok": False, "error": f"unknown command {cmd!r}"}

    async def fault(self, req: dict) -> dict:
        f, topo, kind = self.lab.faults, self.topology, req.get("kind")
        if kind == "link-down":
            f.link_down.update(topo.resolve_link(req.get("target")))
        elif kind == "link-up":
            for n in topo.resolve_link(req.get("target")):
                f.link_down.discard(n)
        elif kind == "carrier-mtu":
            mtu = int(req["mtu"])
            if not 68 <= mtu <= 9216:
                raise ValueError("carrier MTU must be between 68 and 9216")
            for n in topo.resolve_link(req.get("target")):
                if mtu >= topo.links[n].mtu:
                    f.carrier_mtu.pop(n, None)
                else:
                    f.carrier_mtu[n] = mtu
        elif kind == "ssh-drop":
            f.ssh_drop[self._host(req["host"])] = int(req.get("after", 0))
            if req.get("then") is not None:
                f.ssh_drop_then[self._host(req["host"])] = int(req["then"])
        elif kind == "commit-fail":
            host = self._host(req["host"])
            if topo.hosts[host].platform != "junos":
                raise ValueError(f"{host} is not a Junos router (commit-fail injects a Junos commit failure)")
            f.commit_fail[host] = int(req.get("count", 1))
        elif kind == "unreachable":
            host = self._host(req["host"])
            f.unreachable.add(host)
            await self.set_unreachable(host, True)
        elif kind == "reachable":
            host = self._host(req["host"])
            f.unreachable.discard(host)
            await self.set_unreachable(host, False)
        elif kind == "clear":
            hosts = set(f.unreachable)
            f.clear()
            for host in hosts:
                await self.set_unreachable(host, False)
        else:
            return {"ok": False, "error": f"unknown fault {kind!r}"}
        self.lab.faults_changed()
        return {"ok": True, "faults": f.as_dict()}

    # -- lifecycle ----------------------------------------------------------------------------------
    async def run(self) -> None:
        self.key = self._host_key()
        await asyncio.gather(*(self._listen(h) for h in self.topology.hosts))
        self.control = await asyncio.start_server(self._control_client, "127.0.0.1", 0)
        self.control_port = self.control.sockets[0].getsockname()[1]
        state = {"pid": os.getpid(), "ports": self.ports, "control_port": self.control_port,
                 "pairs": self.topology.pairs, "topology": self.topology.spec, "started": self.lab.started,
                 "startup_cpu_seconds": round(time.process_time(), 3),
                 "platforms": {h: x.platform for h, x in self.topology.hosts.items()}}
        tmp = os.path.join(self.state_dir, "state.json.tmp")
        with open(tmp, "w") as fh:
            json.dump(state, fh, indent=1)
        os.chmod(tmp, 0o600)
        os.replace(tmp, os.path.join(self.state_dir, "state.json"))
        log.info("lab up: %d routers, control port %d", len(self.ports), self.control_port)
        threading.Thread(target=_warm, daemon=True).start()
        self._warm_task = asyncio.create_task(self._warm_devices())
        self._watch_task = asyncio.create_task(self._watch_state_dir())
        self._stream_task = asyncio.create_task(self._stream_timer())
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stop.set)
        await self.stop.wait()
        await self.shutdown()

    async def _watch_state_dir(self) -> None:
        """An orphaned lab (its state dir deleted, e.g. a killed test run's tmp dir) stops itself."""
        marker = os.path.join(self.state_dir, "lab.json")
        while not self.stop.is_set():
            await asyncio.sleep(2)
            if not os.path.exists(marker):
                log.warning("state dir %s is gone: stopping", self.state_dir)
                self.stop.set()

    async def _stream_timer(self) -> None:
        """Sample the streams every 50 ms (what changes with time alone, e.g. an SA re-negotiated after a clear)."""
        while not self.stop.is_set():
            await asyncio.sleep(0.05)
            if self.lab.streams:
                self.lab.stream_tick()

    async def _warm_devices(self) -> None:
        """Build every device (baseline parse) in small steps once the listeners are up."""
        for link in self.topology.links.values():
            for host in (link.a, link.b):
                self.lab.devices[host]
                await asyncio.sleep(0)
            self.lab.state(link.a)          # first derivation: SA/adjacency history starts now
            await asyncio.sleep(0)

    async def shutdown(self) -> None:
        for srv in self.listeners.values():
            srv.close()
        for host in list(self.conns):
            self.drop_host(host)
        self.control.close()
        for srv in list(self.listeners.values()):
            try:
                await asyncio.wait_for(srv.wait_closed(), 2)
            except asyncio.TimeoutError:
                pass
        try:
            os.unlink(os.path.join(self.state_dir, "state.json"))
        except FileNotFoundError:
            pass
        log.info("lab down")
        logging.getLogger("asyncio").setLevel(logging.CRITICAL)


def _factories(spec: dict | None):
    """Device classes: the real ones, unless lab.json names others ({"ios": "module:Class"}; tests only)."""
    if not spec:
        return None
    import importlib

    from .lab import default_factories
    out = {}
    for platform in ("ios", "junos"):
        if spec.get(platform):
            mod, _, cls = spec[platform].partition(":")
            out[platform] = getattr(importlib.import_module(mod), cls)
        else:
            out[platform] = default_factories()[platform]
    return out


def _warm():
    try:
        from . import packets
        packets.warm()
    except Exception:  # pragma: no cover - only a latency optimisation
        pass


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="mplssec_lab.server")
    ap.add_argument("--state-dir", required=True)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("asyncssh").setLevel(logging.WARNING)
    daemon = Daemon(args.state_dir)
    asyncio.run(daemon.run())
    return 0


if __name__ == "__main__":
    sys.exit(main())

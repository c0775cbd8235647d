"""``mplssec-lab``: start/stop/inspect the emulated lab and inject faults.

    mplssec-lab up [--pairs N | --topology ring:N|mesh:N] [--mode gre_ipsec|getvpn|macsec [--key-servers 1|2]]
                   [--inventory PATH] [--state-dir DIR]
    mplssec-lab down | status | stats
    mplssec-lab config HOST
    mplssec-lab state HOST                       (derived LinkState as JSON)
    mplssec-lab ping HOST DST [--size N] [--df] [--count N] [--labels L] [--source ADDR]
    mplssec-lab traffic [--packets N] [--size N]
    mplssec-lab fault link-down|link-up [PAIR|LINK|HOST]
    mplssec-lab fault carrier-mtu N [PAIR|LINK|HOST]
    mplssec-lab fault ssh-drop HOST --after N [--then M]
    mplssec-lab fault commit-fail HOST [--count N]
    mplssec-lab fault unreachable|reachable HOST
    mplssec-lab fault clear

Every command but ``up`` talks to the running daemon through its control channel (``state.json`` in the
state dir).  Exit status: 0 ok, 1 error, 3 lab not running.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time

DEFAULT_INVENTORY = "inventory/lab/hosts.yml"
DEFAULT_STATE = ".lab"
EXIT_NOT_RUNNING = 3


class LabError(Exception):
    pass


class NotRunning(LabError):
    pass


# -- state dir helpers ----------------------------------------------------------------------------------
def _read_json(path):
    try:
        with open(path) as fh:
            return json.load(fh)
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def _proc_alive(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)          # reap if it happens to be our child
    except ChildProcessError:
        pass
    try:
        with open(f"/proc/{pid}/stat") as fh:
            state = fh.read().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    except (FileNotFoundError, IndexError, ProcessLookupError):
        return False


def _server_pids(state_dir: str) -> list[int]:
    """PIDs of lab daemons serving this state dir (ours: matched on our own module and our own dir)."""
    out = []
    want = os.path.abspath(state_dir)
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/cmdline", "rb") as fh:
                args = fh.read().split(b"\0")
        except OSError:
            continue
        args = [a.decode(errors="replace") for a in args]
        if "mplssec_lab.server" in args and "--state-dir" in args:
            i = args.index("--state-dir")
            if i + 1 < len(args) and os.path.abspath(args[i + 1]) == want and _proc_alive(int(d)):
                out.append(int(d))
    return out


class Client:
    def __init__(self, state_dir: str):
        self.state_dir = os.path.abspath(state_dir)
        self.cfg = _read_json(os.path.join(self.state_dir, "lab.json"))
        self.state = _read_json(os.path.join(self.state_dir, "state.json"))
        if not self.cfg or not self.state or not _proc_alive(int(self.state.get("pid", 0))):
            raise NotRunning(f"no lab running in {self.state_dir}")

    def call(self, cmd: str, timeout: float = 30, **kw) -> dict:
        req = dict(kw, cmd=cmd, token=self.cfg["token"])
        with socket.create_connection(("127.0.0.1", self.state["control_port"]), timeout=timeout) as s:
            s.sendall((json.dumps(req) + "\n").encode())
            buf = b""
            while not buf.endswith(b"\n"):
                chunk = s.recv(65536)
                if not chunk:
                    break
                buf += chunk
        if not buf:
            raise LabError("control channel closed without a reply")
        reply = json.loads(buf)
        if not reply.get("ok"):
            raise LabError(reply.get("error", "failed"))
        return reply


# -- up / down ------------------------------------------------------------------------------------------
def _port_accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def up(pairs: int, inventory: str, state_dir: str, timeout: float = 30.0, scenarios=None,
       topology: str | None = None, mode: str = "gre_ipsec", key_servers: int = 1) -> dict:
    from . import inventory as inv
    from .topology import build

    topo = build(pairs, scenarios, topology, mode, key_servers)   # refuses a bad spec before anything starts
    pairs = topo.pairs

    state_dir = os.path.abspath(state_dir)
    os.makedirs(state_dir, exist_ok=True)
    os.chmod(state_dir, 0o700)
    try:
        c = Client(state_dir)
        running = c.state.get("topology") or f"pairs:{c.state.get('pairs')}"
        if (running != topo.spec or sorted(c.cfg.get("scenarios") or []) != sorted(scenarios or [])
                or (c.cfg.get("mode") or "gre_ipsec", len(c.cfg.get("key_servers_list") or [])) !=
                (topo.mode, len(topo.key_servers))):
            raise LabError(f"a lab with topology {running}, scenarios {c.cfg.get('scenarios') or []} and mode "
                           f"{c.cfg.get('mode') or 'gre_ipsec'} is already running in {state_dir}; "
                           "run `mplssec-lab down` first")
        files = inv.write(inventory, topo, c.state["ports"], c.cfg["auth"])
        return {"already_running": True, "pid": c.state["pid"], **files, "ports": c.state["ports"]}
    except NotRunning:
        pass
    for pid in _server_pids(state_dir):       # a stale daemon of ours (state.json lost): stop it
        _terminate(pid)
    cfg = {"pairs": pairs, "topology": topo.spec, "scenarios": list(scenarios or []), "mode": topo.mode,
           "key_servers": len(topo.key_servers), "key_servers_list": list(topo.key_servers),
           "token": inv.random_secret(32),
           "auth": {"username": "admin", "password": inv.random_secret(20),
                    "enable_password": inv.random_secret(20)},
           "inventory": os.path.abspath(inventory)}
    devices = os.environ.get("MPLSSEC_LAB_DEVICES")     # test hook: "ios=mod:Class,junos=mod:Class"
    if devices:
        cfg["devices"] = dict(x.split("=", 1) for x in devices.split(",") if "=" in x)
    inv._write(os.path.join(state_dir, "lab.json"), json.dumps(cfg, indent=1), 0o600)
    for stale in ("state.json", "state.json.tmp"):
        try:
            os.unlink(os.path.join(state_dir, stale))
        except FileNotFoundError:
            pass
    logf = open(os.path.join(state_dir, "lab.log"), "ab")
    proc = subprocess.Popen([sys.executable, "-m", "mplssec_lab.server", "--state-dir", state_dir],
                            stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT,
                            start_new_session=True, close_fds=True, cwd=state_dir)
    logf.close()
    vault = inv.prepare_vault(inventory, topo)     # (imports ansible) while the daemon boots
    deadline = time.monotonic() + timeout
    state = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise LabError(f"lab daemon exited with {proc.returncode}:\n{_log_tail(state_dir)}")
        state = _read_json(os.path.join(state_dir, "state.json"))
        if state and state.get("pid") == proc.pid:
            break
        time.sleep(0.05)
    else:
        _terminate(proc.pid)
        raise LabError(f"lab did not come up within {timeout:.0f}s:\n{_log_tail(state_dir)}")
    missing = [h for h, p in state["ports"].items() if not _port_accepts(p)]
    if missing or not _port_accepts(state["control_port"]):
        _terminate(proc.pid)
        raise LabError(f"listeners not accepting: {missing}")
    files = inv.write(inventory, topo, state["ports"], cfg["auth"], vault)
    return {"already_running": False, "pid": proc.pid, **files, "ports": state["ports"]}


def _log_tail(state_dir, n=30):
    try:
        with open(os.path.join(state_dir, "lab.log"), errors="replace") as fh:
            return "".join(fh.readlines()[-n:])
    except FileNotFoundError:
        return ""


def _terminate(pid: int, grace: float = 5.0) -> None:
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 2.0)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        end = time.monotonic() + wait
        while time.monotonic() < end:
            if not _proc_alive(pid):
                return
            time.sleep(0.05)


def down(state_dir: str, timeout: float = 10.0) -> dict:
    state_dir = os.path.abspath(state_dir)
    state = _read_json(os.path.join(state_dir, "state.json")) or {}
    pids = set(_server_pids(state_dir))
    if state.get("pid") and _proc_alive(int(state["pid"])):
        pids.add(int(state["pid"]))
    ports = list((state.get("ports") or {}).values())
    was_running = bool(pids)
    try:
        Client(state_dir).call("down", timeout=5)
    except (LabError, OSError, ValueError):
        pass
    end = time.monotonic() + timeout
    while time.monotonic() < end and any(_proc_alive(p) for p in pids):
        time.sleep(0.05)
    for pid in pids:
        if _proc_alive(pid):
            _terminate(pid)
    left = [p for p in pids if _proc_alive(p)] + _server_pids(state_dir)
    listening = [p for p in ports if _port_accepts(p)]
    for f in ("state.json", "state.json.tmp"):
        try:
            os.unlink(os.path.join(state_dir, f))
        except FileNotFoundError:
            pass
    if left:
        raise LabError(f"lab processes still running: {sorted(set(left))}")
    if listening:
        raise LabError(f"ports still accepting connections: {listening}")
    return {"was_running": was_running, "stopped": sorted(pids)}


# -- output ---------------------------------------------------------------------------------------------
def _print_status(st: dict) -> None:
    what = f"{st['pairs']} pair(s)" if st.get("topology", "pairs:").startswith("pairs:") else st["topology"]
    mode = f", mode {st.get('mode')}" + (f" (key servers {', '.join(st['key_servers'])})" if st.get("key_servers") else "")
    print(f"lab up: pid {st['pid']}, {what}{mode}, uptime {st['uptime']:.0f}s")
    print(f"{'host':<6} {'platform':<8} {'port':>6}  {'listening':<9} sessions")
    for h, x in st["hosts"].items():
        print(f"{h:<6} {x['platform']:<8} {x['port']:>6}  {'yes' if x['listening'] else 'NO':<9} {x['sessions']}")
    for n, link in st["links"].items():
        mtu = f"mtu {link['mtu']}" + (f" (delivers {link['delivered_mtu']})" if link["delivered_mtu"] != link["mtu"] else "")
        print(f"link {n}: {link['a']} <-> {link['b']} {'up' if link['up'] else 'DOWN'} {mtu}")
    active = {k: v for k, v in st["faults"].items() if v}
    print("faults: " + (json.dumps(active) if active else "none"))


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="mplssec-lab", description="Embedded emulated IOS-XE/Junos P-router lab")
    ap.add_argument("--state-dir", default=os.environ.get("MPLSSEC_LAB_STATE", DEFAULT_STATE),
                    help="daemon state directory (default .lab, env MPLSSEC_LAB_STATE)")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("up", help="start the lab in the background and write the inventory")
    shape = p.add_mutually_exclusive_group()
    shape.add_argument("--pairs", type=int, default=1, help="N independent router pairs (default 1)")
    shape.add_argument("--topology", metavar="ring:N|mesh:N|pairs:N",
                       help="routers ending several carrier links: a ring of N, or a ring plus the chords "
                            "p(i)-p(i+2) (docs/lab.md, Topologies)")
    from .topology import MAX_KEY_SERVERS, MODES
    p.add_argument("--mode", choices=MODES, default="gre_ipsec",
                   help="how the inventory's links are encrypted (p2p_links mode): gre_ipsec (default); getvpn: "
                        "adds the GET VPN key server(s) ks1[, ks2] (IOS-XE, reached through the in-building core) "
                        "and the shared group p2p_getvpn_groups (docs/lab.md, GET VPN); macsec writes MACsec links "
                        "(MKA CKN/CAK in the vault, no tunnel): they deploy on hardware models only, so add "
                        "--scenario macsec-hw (on the default virtual models the plan refuses them, docs/lab.md)")
    p.add_argument("--key-servers", type=int, default=1, choices=range(1, MAX_KEY_SERVERS + 1),
                   help="--mode getvpn: 1 key server, or 2 for a cooperative pair (default 1)")
    p.add_argument("--inventory", default=DEFAULT_INVENTORY)
    p.add_argument("--timeout", type=float, default=30.0)
    from .topology import SCENARIOS
    p.add_argument("--scenario", action="append", default=[], metavar="NAME[:LINK,...]",
                   help="brownfield starting point for every link, or only the listed link numbers (= pairs with "
                        "--pairs; repeatable): "
                        + "; ".join(f"{k}: {v}" for k, v in SCENARIOS.items()))
    sub.add_parser("down", help="stop the lab (verifies no process or listener is left)")
    p = sub.add_parser("status")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("config", help="running/committed configuration of HOST")
    p.add_argument("host")
    sub.add_parser("stats", help="per-device counters as JSON")
    p = sub.add_parser("state", help="derived LinkState of HOST as JSON")
    p.add_argument("host")
    p = sub.add_parser("ping", help="emulated ping (IP size semantics)")
    p.add_argument("host")
    p.add_argument("dst")
    p.add_argument("--size", type=int, default=100)
    p.add_argument("--df", action="store_true")
    p.add_argument("--count", type=int, default=5)
    p.add_argument("--labels", type=int, default=0)
    p.add_argument("--source")
    p = sub.add_parser("traffic", help="move packets across every established IPsec SA")
    p.add_argument("--packets", type=int, default=100)
    p.add_argument("--size", type=int, default=1000)
    p = sub.add_parser("stream", help="a steady labelled stream between the two routers of LINK: loss measured")
    p.add_argument("action", choices=("start", "show", "stop"))
    p.add_argument("link", help="link name or pair number")
    p.add_argument("--rate", type=float, default=100.0, help="packets per second (default 100)")
    p.add_argument("--size", type=int, default=1000, help="IP size of each packet (default 1000)")
    p = sub.add_parser("clock", help="the lab's time; advance SECONDS moves it forward (key lifetimes, rekeys)")
    p.add_argument("action", nargs="?", choices=("show", "advance"), default="show")
    p.add_argument("seconds", nargs="?", type=float, default=0.0)
    f = sub.add_parser("fault", help="inject or clear faults").add_subparsers(dest="kind", required=True)
    for k in ("link-down", "link-up"):
        x = f.add_parser(k)
        x.add_argument("target", nargs="?", help="pair number, link name or host (default: all links)")
    x = f.add_parser("carrier-mtu")
    x.add_argument("mtu", type=int)
    x.add_argument("target", nargs="?")
    x = f.add_parser("ssh-drop")
    x.add_argument("host")
    x.add_argument("--after", type=int, default=0)
    x.add_argument("--then", type=int, default=None,
                   help="after the drop, drop again after this many commands/RPCs of the sessions that follow")
    x = f.add_parser("commit-fail")
    x.add_argument("host")
    x.add_argument("--count", type=int, default=1)
    for k in ("unreachable", "reachable"):
        f.add_parser(k).add_argument("host")
    f.add_parser("clear")
    return ap


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.cmd == "up":
            t0 = time.monotonic()
            r = up(args.pairs, args.inventory, args.state_dir, args.timeout, args.scenario, args.topology,
                   args.mode, args.key_servers)
            verb = "already running" if r["already_running"] else f"up in {time.monotonic() - t0:.1f}s"
            print(f"lab {verb}: pid {r['pid']}, {len(r['ports'])} routers, inventory {r['inventory']}")
            print(f"vault password file: {r['vault_password_file']} "
                  f"(ansible-playbook -i {r['inventory']} --vault-password-file {r['vault_password_file']} ...)")
            return 0
        if args.cmd == "down":
            r = down(args.state_dir)
            print("lab stopped" if r["was_running"] else "lab was not running", "(no process left)")
            return 0
        c = Client(args.state_dir)
        if args.cmd == "status":
            st = c.call("status")
            if args.json:
                print(json.dumps({k: v for k, v in st.items() if k != "ok"}, indent=1))
            else:
                _print_status(st)
        elif args.cmd == "config":
            sys.stdout.write(c.call("config", host=args.host)["config"])
        elif args.cmd == "stats":
            print(json.dumps(c.call("stats")["stats"], indent=1))
        elif args.cmd == "state":
            print(json.dumps(c.call("state", host=args.host)["state"], indent=1, default=str))
        elif args.cmd == "ping":
            r = c.call("ping", host=args.host, dst=args.dst, size=args.size, df=args.df, count=args.count,
                       labels=args.labels, source=args.source)["ping"]
            marks = "".join("!" if ok else ("M" if r["reason"] == "mtu" else ".") for ok in r["results"])
            print(f"{marks}  {sum(r['results'])}/{len(r['results'])} reason={r['reason']} egress={r['egress']} "
                  f"wire={r['wire']}" + (f" ({r['detail']})" if r["detail"] else ""))
            return 0 if all(r["results"]) else 1
        elif args.cmd == "traffic":
            print(f"traffic moved across {c.call('traffic', packets=args.packets, size=args.size)['sas']} SA pair(s)")
        elif args.cmd == "stream":
            print(json.dumps(c.call("stream", action=args.action, link=args.link, rate=args.rate, size=args.size)["stream"]))
        elif args.cmd == "clock":
            req = {"advance": args.seconds} if args.action == "advance" else {}
            print(json.dumps(c.call("clock", **req)["clock"]))
        elif args.cmd == "fault":
            req = {"kind": args.kind}
            for k in ("target", "mtu", "host", "after", "then", "count"):
                if hasattr(args, k):
                    req[k] = getattr(args, k)
            print(json.dumps(c.call("fault", **req)["faults"]))
        return 0
    except NotRunning as exc:
        print(f"mplssec-lab: {exc}", file=sys.stderr)
        return EXIT_NOT_RUNNING
    except (LabError, OSError, ValueError, KeyError) as exc:
        print(f"mplssec-lab: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

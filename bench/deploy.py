#!/usr/bin/env python3
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark (issue 9 section 4): the deploy against the embedded lab. A measuring script, not a test.

Run from the checkout after `make bootstrap`:
    .venv/bin/python bench/deploy.py [--links 1,5,20] [--json bench.json] [--naive-wait 5] [--no-naive]

For each size N (lab pairs = links; N independent pairs, IOS-Junos / IOS-IOS / Junos-Junos cycling):
1. a fresh lab (`mplssec-lab up --pairs N`), then, timed one after the other on it:
   - encrypt: `ansible-playbook playbooks/encrypt_p2p.yml -f 2N -e p2p_batch_size=N -e p2p_verify_after_deploy=false`
     (every link in one batch, no verify play);
   - verify:  `ansible-playbook playbooks/verify_p2p.yml -f 2N` (read only, on the encrypted links);
   the lab is stopped.
2. (unless --no-naive) a fresh lab with the same inventory (so the same vaulted PSKs), then, timed:
   - naive: `ansible-playbook bench/naive_push.yml -f 2N -e naive_wait=S`. How the naive configuration is obtained:
     naive_push.yml runs the product's plan role (p2p_plan per router) and renders the product's own phase templates
     (bench/templates links to roles/deploy/templates; phase1, phase3, phase4, phase5 with the variables of the deploy
     role's deploy_tvars: the link's plan entry, the router's plan, the PSK), then pushes them with stock modules:
     IOS-XE one cisco.ios.ios_config (parents + lines) per configuration block, Junos one junipernetworks.junos.junos_config
     (lines) per phase, all routers in parallel, with a fixed pause of S seconds between phases and no gate, snapshot
     or rollback. Afterwards the routers' configurations are compared with those the product left (in memory, never
     printed: they hold the PSKs), lines that change with every transaction excepted.
For every run: wall time; controller CPU (user+sys of ansible-playbook and every process it waited for, via os.wait4,
plus the persistent-connection processes it leaves behind: they are daemonized, so this script makes itself their
child subreaper (Linux prctl) while the playbook runs and reads their /proc CPU times when it ends); the task
results summed over the PLAY RECAP (ok, changed, skipped, failed, unreachable, rescued, ignored); per router, the
deltas of the lab's counters (`mplssec-lab stats`, see docs/performance.md for what each counts): SSH sessions
opened, CLI commands, NETCONF RPCs, configuration transactions, commits; the CPU the lab process itself used (the
emulated routers, not the controller).
Output: a table on stdout and a JSON file with every figure and the load average at start and end. The targets of
the issue are printed as met / not met, computed from the figures of this run (never asserted).
Labs live under .cache/bench/deploy (own state dirs); every lab started here is stopped here.
"""

from __future__ import annotations

import argparse
import ctypes
import datetime
import difflib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
LAB = BIN / "mplssec-lab"
VOLATILE = re.compile(r"^(! Last configuration change at |## Last commit: )")
RECAP_KEYS = ("ok", "changed", "skipped", "failed", "unreachable", "rescued", "ignored")
STAT_KEYS = ("ssh_sessions", "cli_commands", "netconf_rpcs", "config_transactions", "commits")
TICK = os.sysconf("SC_CLK_TCK")
PR_SET_CHILD_SUBREAPER = 36


def env(work: Path) -> dict:
    return dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_COLLECTIONS_PATH=str(REPO / ".cache" / "collections"),
                ANSIBLE_NOCOLOR="1", ANSIBLE_LOCAL_TEMP=str(work / "ansible-tmp"), PATH=f"{BIN}:{os.environ['PATH']}")


class Lab:
    """One lab of N pairs, with its own state dir; the inventory path is given (kept across labs of one size)."""

    def __init__(self, state: Path, inventory: Path, pairs: int) -> None:
        self.state, self.inventory, self.pairs = state, inventory, pairs
        self.vault_pass = inventory.parent / ".vault-pass"

    def cli(self, *args: str, timeout: int = 180) -> str:
        proc = subprocess.run([str(LAB), "--state-dir", str(self.state), *args], capture_output=True, text=True,
                              timeout=timeout, check=False)
        if proc.returncode:
            raise RuntimeError(f"mplssec-lab {' '.join(args)}: {proc.stdout}{proc.stderr}")
        return proc.stdout

    def up(self) -> None:
        self.cli("up", "--pairs", str(self.pairs), "--inventory", str(self.inventory))

    def down(self) -> None:
        self.cli("down")

    def stats(self) -> dict:
        return json.loads(self.cli("stats"))

    def pid(self) -> int:
        return int(json.loads((self.state / "state.json").read_text())["pid"])

    def configs(self) -> dict[str, str]:
        return {h: "".join(line for line in self.cli("config", h).splitlines(keepends=True) if not VOLATILE.match(line))
                for h in sorted(self.stats())}


def _subreaper(on: bool) -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, int(on), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _proc_cpu(pid: int) -> tuple[float, float]:
    """utime+cutime, stime+cstime of a process (also of a zombie), in seconds; 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0, 0.0
    return (int(fields[11]) + int(fields[13])) / TICK, (int(fields[12]) + int(fields[14])) / TICK


def _children() -> list[int]:
    me, out = str(os.getpid()), []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            if re.search(r"^PPid:\s+(\d+)$", status.read_text(), re.M).group(1) == me:
                out.append(int(status.parent.name))
        except (OSError, AttributeError):
            pass
    return out


ORPHANS: list[int] = []


def _sweep() -> None:
    """Reap the persistent-connection processes of earlier runs that have exited since (they are our children)."""
    for pid in list(ORPHANS):
        try:
            if os.waitpid(pid, os.WNOHANG)[0]:
                ORPHANS.remove(pid)
        except ChildProcessError:
            ORPHANS.remove(pid)


def recap(out: str) -> dict[str, int]:
    sums = dict.fromkeys(RECAP_KEYS, 0)
    for counts in re.findall(r"^\S+\s+:\s+(ok=.*)$", out, re.M):
        for key, value in re.findall(r"(\w+)=(\d+)", counts):
            if key in sums:
                sums[key] += int(value)
    return sums


def run(lab: Lab, work: Path, playbook: str, *extra: str) -> dict:
    """One timed ansible-playbook run against ``lab``: wall, controller CPU, recap sums, per-router counter deltas."""
    _sweep()
    before, lab_cpu0 = lab.stats(), _proc_cpu(lab.pid())
    cmd = [str(BIN / "ansible-playbook"), "-i", str(lab.inventory), "--vault-password-file", str(lab.vault_pass),
           str(REPO / playbook), "-e", f"p2p_report_dir={work / 'reports'}", *extra]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        reaper = _subreaper(True)
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, env=env(work), cwd=str(work))  # noqa: S603
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        orphans = [pid for pid in _children() if pid != lab.pid()] if reaper else []
        orphan_cpu = [_proc_cpu(pid) for pid in orphans]
        _subreaper(False)
        ORPHANS.extend(orphans)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    after, lab_cpu1 = lab.stats(), _proc_cpu(lab.pid())
    user = usage.ru_utime + sum(u for u, _ in orphan_cpu)
    system = usage.ru_stime + sum(s for _, s in orphan_cpu)
    routers = {h: {k: after[h][k] - before[h][k] for k in STAT_KEYS} for h in sorted(after)}
    result = {
        "command": " ".join([playbook, *extra]), "rc": proc.returncode, "wall_s": round(wall, 2),
        "cpu_user_s": round(user, 2), "cpu_sys_s": round(system, 2), "cpu_s": round(user + system, 2),
        "cpu_counts_connection_processes": reaper, "connection_processes": len(orphans),
        "lab_cpu_s": round(sum(lab_cpu1) - sum(lab_cpu0), 2),
        "recap": recap(stdout), "routers": routers,
        "max_sessions_per_router": max((r["ssh_sessions"] for r in routers.values()), default=0),
        "totals": {k: sum(r[k] for r in routers.values()) for k in STAT_KEYS},
    }
    if proc.returncode:
        print(f"!! {playbook} exited {proc.returncode}; the end of its output:\n{stdout[-4000:]}\n{stderr[-2000:]}", file=sys.stderr)
    return result


def measure(n: int, base: Path, naive: bool, naive_wait: float) -> dict:
    work = base / f"links{n}"
    work.mkdir(parents=True, exist_ok=True)
    inventory = work / "inv" / "hosts.yml"
    figures: dict = {"links": n}
    forks = ["-f", str(2 * n)]
    lab = Lab(work / "state-product", inventory, n)
    lab.up()
    try:
        product_before = lab.configs()
        figures["encrypt"] = run(lab, work, "playbooks/encrypt_p2p.yml", *forks, "-e", f"p2p_batch_size={n}",
                                 "-e", "p2p_verify_after_deploy=false")
        product_configs = lab.configs()
        figures["verify"] = run(lab, work, "playbooks/verify_p2p.yml", *forks)
    finally:
        lab.down()
    if naive:
        lab = Lab(work / "state-naive", inventory, n)
        lab.up()
        try:
            naive_before = lab.configs()
            figures["naive"] = run(lab, work, "bench/naive_push.yml", *forks, "-e", f"naive_wait={naive_wait}")
            naive_configs = lab.configs()
        finally:
            lab.down()
        figures["naive"]["fixed_wait_s"] = 3 * naive_wait
        # router -> the changed lines ("+ "/"- " as a diff of before and after) that only the product's run ("product: ")
        # or only the naive run ("naive: ") made; each lab's own per-`up` lines (password hashes) are the same before and after
        figures["naive"]["config_differs_from_product"] = config_diff(changes(product_before, product_configs),
                                                                   changes(naive_before, naive_configs), psks(inventory))
    return figures


def psks(inventory: Path) -> list[str]:
    """The lab's PSKs (inline !vault values of group_vars/all/vault.yml), only to mask them in what is reported."""
    from ansible.parsing.vault import VaultLib, VaultSecret

    vault = VaultLib([("default", VaultSecret((inventory.parent / ".vault-pass").read_bytes().strip()))])
    text = (inventory.parent / "group_vars" / "all" / "vault.yml").read_text()
    return [vault.decrypt("\n".join(line.strip() for line in blob.splitlines() if line.strip()).encode()).decode()
            for blob in re.findall(r"!vault \|\n((?:[ \t]+\S.*\n?)+)", text)]


SECRET_LINE = re.compile(r"(pre-shared-key|ascii-text|hexadecimal|secret|password)(\s+).*")


def changes(before: dict[str, str], after: dict[str, str]) -> dict[str, list[str]]:
    """Per router, the lines a run removed ("- ") and added ("+ "), in order (a diff without context)."""
    return {host: [line.rstrip("\n") for line in difflib.unified_diff(before[host].splitlines(), after[host].splitlines(), n=0,
                                                                      lineterm="")
                   if line[:1] in "+-" and not line.startswith(("+++", "---"))] for host in sorted(after)}


def config_diff(product: dict[str, list[str]], naive: dict[str, list[str]], secrets: list[str]) -> dict[str, list[str]]:
    def mask(line: str) -> str:
        for secret in secrets:
            line = line.replace(secret, "<masked>")
        return SECRET_LINE.sub(r"\1\2<masked>", line)

    out = {}
    for host in sorted(product):
        mine, theirs = product[host], naive.get(host, [])
        if mine != theirs:
            only_mine = [x for x in mine if x not in theirs]
            only_theirs = [x for x in theirs if x not in mine]
            out[host] = [f"product: {mask(x)}" for x in only_mine] + [f"naive: {mask(x)}" for x in only_theirs] or ["(same lines, other order)"]
    return out


def _target(name: str, value: bool | None, detail: str, *runs: dict) -> dict:
    """A target is judged only on runs that succeeded: a failed playbook run leaves it undecided (met: null)."""
    failed = [r["command"].split()[0] for r in runs if r["rc"]]
    if failed:
        return {"target": name, "met": None, "detail": f"{detail}; not judged, a run failed: {', '.join(failed)}"}
    return {"target": name, "met": value, "detail": detail}


def targets(results: list[dict]) -> list[dict]:
    by_n = {r["links"]: r for r in results}
    top = max(by_n)
    out = []
    for key, label in (("encrypt", "encrypt: N links in one batch <= 3 x the wall of 1 link"),
                       ("verify", "verify: N links <= 3 x the wall of 1 link")):
        if 1 in by_n and top > 1:
            one, big = by_n[1][key]["wall_s"], by_n[top][key]["wall_s"]
            out.append(_target(f"{label} (N={top}; the issue: 20)", big <= 3 * one, f"{big:.1f} s vs 3 x {one:.1f} s = {3 * one:.1f} s",
                               by_n[1][key], by_n[top][key]))
        else:
            out.append(_target(label, None, "needs sizes 1 and N > 1 in --links"))
    runs = [(n, key, r[key]) for n, r in sorted(by_n.items()) for key in ("encrypt", "verify")]
    worst = max(runs, key=lambda x: x[2]["max_sessions_per_router"])
    out.append(_target("one SSH/NETCONF session per router per run (encrypt and verify runs)",
                       all(r["max_sessions_per_router"] <= 1 for _, _, r in runs),
                       f"most sessions on one router in one run: {worst[2]['max_sessions_per_router']} ({worst[1]}, {worst[0]} links)",
                       *[r for _, _, r in runs]))
    if "naive" in by_n[top]:
        enc, nai = by_n[top]["encrypt"]["wall_s"], by_n[top]["naive"]["wall_s"]
        out.append(_target(f">= 3 x faster than the naive playbook at N={top} links (the issue: 20)", nai >= 3 * enc,
                           f"naive {nai:.1f} s (of which {by_n[top]['naive']['fixed_wait_s']:.0f} s fixed waits) vs "
                           f"encrypt {enc:.1f} s: {nai / enc if enc else 0:.2f} x", by_n[top]["encrypt"], by_n[top]["naive"]))
    else:
        out.append(_target(">= 3 x faster than the naive playbook", None, "not measured (--no-naive)"))
    return out


def table(results: list[dict], goals: list[dict]) -> str:
    head = (f"{'links':>5} {'run':8} {'rc':>3} {'wall s':>7} {'cpu s':>7} {'lab cpu':>7} {'ok':>5} {'chg':>4} {'skip':>5} "
            f"{'sess/rtr':>8} {'cmds':>6} {'rpcs':>5} {'cfg tx':>6} {'commits':>7}")
    lines = [head, "-" * len(head)]
    for r in results:
        for key in ("encrypt", "verify", "naive"):
            if key not in r:
                continue
            f, t = r[key], r[key]["totals"]
            lines.append(f"{r['links']:5d} {key:8} {f['rc']:3d} {f['wall_s']:7.1f} {f['cpu_s']:7.1f} {f['lab_cpu_s']:7.1f} "
                         f"{f['recap']['ok']:5d} {f['recap']['changed']:4d} {f['recap']['skipped']:5d} "
                         f"{f['max_sessions_per_router']:8d} {t['cli_commands']:6d} {t['netconf_rpcs']:5d} "
                         f"{t['config_transactions']:6d} {t['commits']:7d}")
        if "naive" in r:
            differ = r["naive"]["config_differs_from_product"]
            lines.append(f"{'':5} naive change = the product's change on {len(r['encrypt']['routers']) - len(differ)}/"
                         f"{len(r['encrypt']['routers'])} routers")
            lines += [f"{'':7}{host}: {line}" for host, diff in differ.items() for line in diff[:6]]
    lines.append("")
    lines.append("targets (issue 9), computed from this run:")
    for g in goals:
        verdict = "n/a" if g["met"] is None else ("met" if g["met"] else "NOT MET")
        lines.append(f"  [{verdict:7}] {g['target']}: {g['detail']}")
    lines.append("columns: cpu = controller user+sys; lab cpu = the lab process (emulated routers); ok/chg/skip = PLAY RECAP sums; "
                 "sess/rtr = most SSH sessions opened on one router; cmds, rpcs, cfg tx, commits = sums over the routers "
                 "of the lab's counters")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", default="1,5,20", help="comma-separated sizes (links = lab pairs), default 1,5,20")
    parser.add_argument("--json", default="bench.json", help="where to write every figure (default bench.json)")
    parser.add_argument("--naive-wait", type=int, default=5, help="naive_push.yml's pause between phases, s (default 5)")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive playbook")
    parser.add_argument("--work", default=str(REPO / ".cache" / "bench" / "deploy"), help="state dirs and inventories")
    opts = parser.parse_args()
    sizes = sorted({int(x) for x in opts.links.split(",") if x.strip()})
    base = Path(opts.work).resolve()
    doc: dict = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "commit": subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, cwd=REPO, check=False).stdout.strip(),
        "cpus": os.cpu_count(), "loadavg_start": os.getloadavg(), "sizes": sizes, "naive_wait_s": opts.naive_wait,
        "results": [],
    }
    for n in sizes:
        print(f"== {n} link(s): encrypt, verify" + ("" if opts.no_naive else ", naive (fresh lab)"), flush=True)
        doc["results"].append(measure(n, base, not opts.no_naive, opts.naive_wait))
    doc["loadavg_end"] = os.getloadavg()
    doc["targets"] = targets(doc["results"])
    print(table(doc["results"], doc["targets"]))
    print(f"load average: start {doc['loadavg_start'][0]:.2f}, end {doc['loadavg_end'][0]:.2f} ({doc['cpus']} CPUs)")
    Path(opts.json).write_text(json.dumps(doc, indent=1) + "\n")
    print(f"figures: {Path(opts.json).resolve()}")


if __name__ == "__main__":
    main()

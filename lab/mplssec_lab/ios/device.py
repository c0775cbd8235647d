"""The emulated IOS-XE router (Cat8000v flavour)."""
from __future__ import annotations

import asyncio
import ipaddress
import os
import time

from .. import pki
from . import keys as K
from . import parser as P
from .config import Node, render_lines
from .view import build_view

VERSION = "17.9"
VERSION_LONG = "17.9.4a"


class IosDevice:
    platform = "ios"

    def __init__(self, hostname: str, lab, baseline: dict):
        self.name = hostname              # the lab's name for this router (never changes)
        self.lab = lab
        self.baseline = dict(baseline)
        self.stats = {"ssh_sessions": 0, "cli_commands": 0, "netconf_rpcs": 0, "config_transactions": 0,
                      "commits": 0}
        hw = [i["name"] for i in baseline.get("interfaces", [])
              if not i["name"].startswith(("Loopback", "Tunnel"))]
        hw += list(baseline.get("hardware", []))
        for n in range(1, 4):
            if f"GigabitEthernet{n}" not in hw:
                hw.append(f"GigabitEthernet{n}")
        self.hardware = hw
        from ..topology import DEFAULT_MODEL, MODELS
        self.model = MODELS[baseline.get("model") or DEFAULT_MODEL["ios"]]
        # a hardware model's Ethernet ports do MACsec (topology.MODELS); a C8000V has none
        self.macsec_ports = {h for h in hw if h.startswith(("GigabitEthernet", "TenGigabitEthernet"))} \
            if self.model.macsec else set()
        self.serial = "9" + "".join(str(ord(c) % 10) for c in (hostname * 10))[:10].upper()
        self.files = {}                   # flash file name -> content
        self.startup = None
        self.archive_files = []           # [(name)] oldest first
        self.archive_counter = 0
        self.revert = None                # {"deadline": t, "file": archive file to roll back to}
        self.log = []                     # syslog lines of the rollback confirmed change
        self.last_change = self._now()
        self.last_change_by = "admin"
        self.boot_time = self._now()
        self.saved_at = None
        self._view_cache = None
        self.root = self._baseline_root()
        self.startup = "\n".join(self.config_lines()) + "\n"
        self.files["packages.conf"] = "# packages\n"
        self.files.update(baseline.get("files") or {})   # scenario rollback-file
        # RSA key pairs (private NVRAM, not configuration: ios/keys.py); a baseline may hold some (GET VPN key servers)
        self.rsa_keys = {k["label"]: K.new_key(k.get("modulus", 2048), k.get("exportable", False), k.get("seed"),
                                               at=self._now())
                         for k in baseline.get("rsa_keys") or []}
        self._revert_task = None

    # ------------------------------------------------------------ baseline
    def _baseline_root(self) -> Node:
        b = self.baseline
        user = (b.get("auth") or {}).get("username", "admin")
        lines = [
            "service timestamps debug datetime msec",
            "service timestamps log datetime msec",
            "platform qfp utilization monitor load 80",
            "platform punt-keepalive disable-kernel-core",
            "platform console virtual",
            f"hostname {b.get('hostname', self.name)}",
            "boot-start-marker",
            "boot-end-marker",
            *( [f"enable secret 9 $9${_h(b['enable_password'], 14)}${_h(b['enable_password'] + 'x', 43)}"]
               if b.get("enable_password") else []),
            "no aaa new-model",
            "login on-success log",
            "subscriber templating",
            "multilink bundle-name authenticated",
            f"license udi pid {self.model.pid} sn {self.serial}",
            "diagnostic bootup level minimal",
            "memory free low-watermark processor 63709",
            "spanning-tree extend system-id",
            f"username {user} privilege 15 secret 9 $9${_h(user, 14)}${_h(user + 'pw', 43)}",
            "redundancy",
        ]
        lo = b.get("loopback")
        proc = str((b.get("ospf") or {}).get("process", "1"))
        passive = []
        if lo:
            net = ipaddress.IPv4Interface(lo["address"])
            lines += [f"interface {lo['name']}", f" ip address {net.ip} {net.netmask}"]
            if lo.get("ospf"):
                lines.append(f" ip ospf {proc} area {lo['ospf'].get('area', '0')}")
                if lo["ospf"].get("passive"):
                    passive.append(lo["name"])
        for i in b.get("interfaces", []):
            lines.append(f"interface {i['name']}")
            if i.get("description"):
                lines.append(f" description {i['description']}")
            if i.get("address"):
                net = ipaddress.IPv4Interface(i["address"])
                lines.append(f" ip address {net.ip} {net.netmask}")
            else:
                lines.append(" no ip address")
            if i.get("acl_in"):
                lines.append(f" ip access-group {i['acl_in']} in")
            ospf = i.get("ospf")
            if ospf and ospf.get("network"):
                lines.append(f" ip ospf network {ospf['network']}")
            if ospf and ospf.get("via") != "network":
                lines.append(f" ip ospf {proc} area {ospf.get('area', '0')}")
            if ospf:
                if ospf.get("cost") is not None:
                    lines.append(f" ip ospf cost {ospf['cost']}")
            if i["name"].startswith("GigabitEthernet"):
                lines.append(" negotiation auto")
            if i.get("mpls"):
                lines.append(" mpls ip")
            if i["name"].startswith("GigabitEthernet"):
                lines += [" no mop enabled", " no mop sysid"]
        used = {i["name"] for i in b.get("interfaces", [])}
        for hw in self.hardware:
            if hw not in used:
                lines += [f"interface {hw}", " no ip address", " shutdown", " negotiation auto",
                          " no mop enabled", " no mop sysid"]
        if b.get("ospf") is not None or any(i.get("ospf") for i in b.get("interfaces", [])):
            lines.append(f"router ospf {proc}")
            if b.get("router_id"):
                lines.append(f" router-id {b['router_id']}")
            for p in passive:
                lines.append(f" passive-interface {p}")
            for n in (b.get("ospf") or {}).get("networks", []):
                lines.append(f" network {n['network']} {n['wildcard']} area {n['area']}")
        pki_spec = pki.load(b.get("pki"))
        if pki_spec:      # scenario pki: a trustpoint enrolled (enrollment terminal) before the lab starts
            cert = pki_spec[1]
            lines += [f"crypto pki trustpoint {cert.name}", " enrollment terminal",
                      f" subject-name {pki.ios_dn(cert.subject)}", " revocation-check crl",
                      " rsakeypair MPLSSEC"]
        lines += ["ip forward-protocol nd", "no ip http server", "no ip http secure-server", "ip ssh version 2"]
        for name, entries in (b.get("acls") or {}).items():
            lines.append(f"ip access-list extended {name}")
            lines += [f" {10 * (n + 1)} {e}" for n, e in enumerate(entries)]
        if lo and any(i.get("ldp") or i.get("mpls") for i in b.get("interfaces", [])):
            lines.append(f"mpls ldp router-id {lo['name']} force")
        lines += ["control-plane", "line con 0", " stopbits 1", "line vty 0 4", " login local",
                  " transport input ssh"]
        root, errors = P.load_text("\n".join(lines), hardware=self.hardware, macsec=self.macsec_ports)
        if errors:
            raise ValueError(f"baseline for {self.name} does not parse: {errors}")
        return root

    # ------------------------------------------------------------ contract
    def _now(self):
        try:
            return float(self.lab.now())
        except Exception:
            return time.time()

    @property
    def hostname(self):
        n = self.root.find("hostname")
        return n.tokens()[1] if n else "Router"

    def config_lines(self):
        return render_lines(self.root)

    def config_text(self):
        """The configuration as saved to a file (no 'Building configuration...' header)."""
        ts = time.strftime("%H:%M:%S UTC %a %b %d %Y", time.gmtime(self.last_change))
        head = ["", "!", f"! Last configuration change at {ts} by {self.last_change_by}"]
        if self.saved_at is not None:
            head.append("! NVRAM config last updated at %s by admin"
                        % time.strftime("%H:%M:%S UTC %a %b %d %Y", time.gmtime(self.saved_at)))
        head += ["!", f"version {VERSION}"]
        return "\n".join(head + self.config_lines()) + "\n"

    def running_config(self) -> str:
        body = self.config_text()
        return f"Building configuration...\n\nCurrent configuration : {len(body)} bytes" + body

    def view(self):
        self.check_revert()
        if self._view_cache is None:
            self._view_cache = build_view(self.root, self.name)
            held = pki.load(self.baseline.get("pki"))
            if held and self._view_cache.pki is not None:
                # certificates live under their trustpoint: usable while it is configured
                ca, cert = held
                if cert.name in self._view_cache.pki.revocation:
                    self._view_cache.pki.certificates[cert.name] = cert
                    self._view_cache.pki.cas[cert.name] = ca
            for port in self._view_cache.macsec.values():
                port.capable = port.interface in self.macsec_ports
            for srv in (self._view_cache.getvpn.servers.values() if self._view_cache.getvpn else ()):
                # the key server signs its rekeys (KEK and TEK) with this key pair; without it it makes neither
                # (docs/lab.md "RSA key pairs": Cisco Security Manager 4.4 User Guide, "Generating and Synchronizing
                # RSA Keys")
                key = self.rsa_keys.get(srv.rekey_rsa) if srv.rekey_rsa else None
                srv.rekey_key = key["data"] if key else None
                if srv.rekey_rsa and key is None:
                    srv.errors.append(f"RSA Keys not created for group {srv.group} (no key pair {srv.rekey_rsa})")
        return self._view_cache

    def rederive(self):
        """What the router derives (its view, the lab's state) is derived again: after a configuration change, or a
        key store change (which is not one: the configuration's time stays)."""
        self._view_cache = None
        try:
            self.lab.config_changed(self.name)
        except Exception:
            pass

    def changed(self):
        """The configuration changed: its time is recorded, and what the router derives is derived again."""
        self.last_change = self._now()
        self.rederive()

    def state(self):
        try:
            return self.lab.state(self.name)
        except Exception:
            from ..model import LinkState
            return LinkState()

    # ------------------------------------------------------------ rollback / revert
    def replace_config(self, text: str):
        """configure replace: the running config becomes exactly `text`."""
        root, errors = P.load_text(text, hardware=self.hardware, macsec=self.macsec_ports)
        if errors:
            return errors
        if root != self.root:
            self._swap(root)
            self.changed()
        return []

    def _swap(self, new_root: Node):
        """Replace the running config in place (other sessions keep a valid root)."""
        self.root.children = new_root.clone().children

    def start_revert(self, minutes: int, backup: str):
        """Rollback Confirmed Change: roll back to the archive file ``backup`` after ``minutes`` unless
        ``configure confirm`` (ios/README.md "Rollback Confirmed Change")."""
        self.revert = {"deadline": self._now() + minutes * minute_seconds(), "file": backup}
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if self._revert_task is None or self._revert_task.done():
            self._revert_task = loop.create_task(self._revert_loop())

    def reset_revert(self, minutes: int):
        """``configure revert timer N``: the pending rollback now happens N minutes from now."""
        self.revert["deadline"] = self._now() + minutes * minute_seconds()

    def revert_left(self) -> float:
        return max(0.0, self.revert["deadline"] - self._now()) / minute_seconds() * 60 if self.revert else 0.0

    async def _revert_loop(self):
        while self.revert is not None:
            await asyncio.sleep(0.2)
            self.check_revert()

    def check_revert(self, now: bool = False):
        """When the timer is over (or ``configure revert now``): a configuration replace with the archive file,
        read from flash at that moment (lab decision: IOS logs ``Start rolling to: <file>`` and runs the replace
        passes then; what it does when the file is gone is not documented: the lab keeps the configuration and
        logs it)."""
        r = self.revert
        if r is not None and (now or self._now() >= r["deadline"]):
            self.revert = None
            text = self.files.get(fs_name(r["file"]))
            if text is None:
                self.log.append(f"%ARCHIVE_DIFF-3-ROLLBK_CNFMD_CHG_FAILED: rollback to {r['file']} failed (no such file)")
                return False
            self.log.append(f"%ARCHIVE_DIFF-5-ROLLBK_CNFMD_CHG_ROLLBACK_START: Start rolling to: {r['file']}")
            return not self.replace_config(text)
        return False

    def confirm(self):
        had = self.revert is not None
        self.revert = None
        return had

    # ------------------------------------------------------------ archive
    def archive_path(self):
        a = self.root.find("archive")
        if a is None:
            return None, 10
        p = a.find("path")
        m = a.find("maximum")
        return (p.tokens()[1] if p else None), (int(m.tokens()[1]) if m else 10)

    def next_archive_name(self):
        path, _ = self.archive_path()
        if path is None:
            return None
        name = path.replace("$h", self.hostname).replace("$t", time.strftime(
            "%b-%d-%H-%M-%S", time.gmtime(self._now())))
        return f"{name}-{self.archive_counter}"

    def archive_config(self):
        """``archive config``: the running configuration saved as the next archive file; ``(error, name)``."""
        path, maximum = self.archive_path()
        if path is None:
            return "% Archive path not specified", None
        name = self.next_archive_name()
        self.archive_counter += 1
        self.files[fs_name(name)] = self.config_text()
        self.archive_files.append(name)
        while len(self.archive_files) > maximum:
            old = self.archive_files.pop(0)
            self.files.pop(fs_name(old), None)
        return None, name

    async def handle_process(self, process):
        from .cli import Session
        await Session(self, process).run()


def minute_seconds() -> float:
    """The length of a revert-timer minute; MPLSSEC_LAB_MINUTE_SECONDS shortens it for lab tests (as on Junos)."""
    try:
        return float(os.environ.get("MPLSSEC_LAB_MINUTE_SECONDS", "60"))
    except ValueError:
        return 60.0


def _h(text: str, n: int) -> str:
    """A stable IOS-looking type-9 hash fragment (the emulator never stores the clear secret in the config)."""
    import hashlib
    alphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    d = hashlib.sha256(text.encode()).digest() * 2
    return "".join(alphabet[b % 64] for b in d[:n])


def fs_name(path: str) -> str:
    """'flash:foo' / 'bootflash:/foo' / 'foo' -> 'foo' (flash: is bootflash: on a Cat8000v)."""
    if ":" in path:
        path = path.split(":", 1)[1]
    return path.lstrip("/")

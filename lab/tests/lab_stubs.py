"""Minimal stand-ins for the device classes, used ONLY by these tests (never by the package).

They honour the device contract (view/running_config/stats/handle_process) with a trivial line shell
so the daemon, control channel and fault plumbing can be tested on their own.
"""
from __future__ import annotations

import ipaddress

from mplssec_lab import model


class _Stub:
    platform = "?"

    def __init__(self, hostname, lab, baseline):
        self.hostname, self.lab, self.baseline = hostname, lab, baseline
        self.stats = {"ssh_sessions": 0, "cli_commands": 0, "netconf_rpcs": 0, "config_transactions": 0,
                      "commits": 0}
        self.extra = []

    def view(self):
        b = self.baseline
        v = model.DeviceView(hostname=self.hostname, platform=self.platform, router_id=b["router_id"],
                             ldp_enabled=True, ospf={"process": "1", "router_id": None})
        lo = b["loopback"]
        v.interfaces[lo["name"]] = model.Interface(lo["name"], "loopback",
                                                   ipv4=[ipaddress.IPv4Interface(lo["address"])],
                                                   ospf={"area": "0", "passive": True})
        for i in b["interfaces"]:
            v.interfaces[i["name"]] = model.Interface(i["name"], "ethernet",
                                                      ipv4=[ipaddress.IPv4Interface(i["address"])],
                                                      mpls=i["mpls"], ldp=i["ldp"], ospf=dict(i["ospf"]))
        return v

    def running_config(self):
        lines = [f"hostname {self.hostname}"]
        for i in self.baseline["interfaces"]:
            lines += [f"interface {i['name']}", f" ip address {i['address']}"]
        return "\n".join(lines + self.extra) + "\n"

    async def handle_process(self, process):
        self.stats["ssh_sessions"] += 1
        binary = process.channel.get_encoding()[0] is None

        def out(text):
            process.stdout.write(text.encode() if binary else text)
        out(f"\r\n{self.hostname}#")
        buf = ""
        while True:
            data = await process.stdin.read(1024)
            if not data:
                break
            buf += data.decode() if isinstance(data, bytes) else data
            while "\r" in buf or "\n" in buf:
                i = min(x for x in (buf.find("\r"), buf.find("\n")) if x >= 0)
                line, buf = buf[:i].strip(), buf[i + 1:]
                if not line:
                    continue
                self.lab.on_command(self.hostname)
                self.stats["cli_commands"] += 1
                if line == "show running-config":
                    out(self.running_config().replace("\n", "\r\n"))
                elif line.startswith("set "):
                    self.extra.append(line)
                    self.stats["config_transactions"] += 1
                    self.lab.config_changed(self.hostname)
                elif line == "exit":
                    process.exit(0)
                    return
                out(f"\r\n{self.hostname}#")
        process.exit(0)


class StubIos(_Stub):
    platform = "ios"


class StubJunos(_Stub):
    platform = "junos"

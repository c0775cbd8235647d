"""Interactive Junos CLI over an SSH shell (what junos_command / network_cli drives).

Operational mode prompt ``admin@<host>> ``, configuration mode ``admin@<host># `` preceded by the
``[edit ...]`` banner.  The session echoes input itself and writes CRLF line endings."""

from __future__ import annotations

import re

from . import schema as S
from . import show as SH
from . import tree as T
from .device import ConfigFailure, Session, fmt_time

OP_WORDS = ["show", "ping", "configure", "set", "exit", "quit", "request", "clear", "file", "monitor", "help", "traceroute", "start"]
CFG_WORDS = [
    "set",
    "delete",
    "deactivate",
    "activate",
    "commit",
    "rollback",
    "show",
    "exit",
    "quit",
    "top",
    "up",
    "edit",
    "run",
    "load",
    "status",
    "compare",
    "annotate",
    "help",
]


class CliSession:
    def __init__(self, dev, process, user="admin"):
        self.dev, self.process = dev, process
        self.sess = Session("cli", user)
        self.mode = "op"  # op | cfg
        self.cfgkind = None  # None | private | exclusive
        self.edit_path = []  # [Step.key...] for "edit"
        self.edit_steps = []
        self.screen_length = 24
        self.closed = False

    # ------------------------------------------------------------------ io
    def prompt(self):
        if getattr(self, "question", None):
            return self.question
        return self._prompt()

    def _prompt(self):
        host = self.dev.hostname
        return f"{self.sess.user}@{host}{'#' if self.mode == 'cfg' else '>'} "

    def out(self, text):
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
        try:
            self.process.stdout.write(text if self._text else text.encode())
        except Exception:
            self.closed = True

    async def run(self):
        self.sess.user = _username(self.process)
        self.dev.sessions.add(self.sess)
        ch = self.process.channel
        for m in ("set_line_mode", "set_echo"):
            try:
                getattr(ch, m)(False)
            except Exception:
                pass
        try:
            self._text = self.process.channel.get_encoding()[0] is not None
        except Exception:
            self._text = True
        cmd = getattr(self.process, "command", None)
        try:
            if cmd:  # "ssh host show version": exec, no prompt
                self.dev.stats["cli_commands"] += 1
                self.dev.on_command()
                self.out(self.execute(cmd.strip()))
                self.process.exit(0)
                return
            self.out("--- JUNOS " + self._ver() + " Kernel 64-bit  JNPR-14.1-20240918.2f2fdb5_buil\r\n")
            self.out(self.prompt())
            buf = ""
            while not self.closed:
                data = await self.process.stdin.read(4096)
                if not data:
                    break
                if isinstance(data, bytes):
                    data = data.decode(errors="replace")
                for c in data:
                    if c in "\r\n":
                        if c == "\n" and getattr(self, "_last_cr", False):
                            self._last_cr = False
                            continue
                        self._last_cr = c == "\r"
                        line, buf = buf, ""
                        self.out("\n")
                        self.dev.stats["cli_commands"] += 1
                        self.dev.on_command()  # may raise -> drop the session
                        text = self.execute(line.strip())
                        if self.closed:
                            if text:
                                self.out(text)
                            break
                        self.out(text + self.prompt())
                    elif c in "\x7f\x08":
                        if buf:
                            buf = buf[:-1]
                            self.out("\b \b")
                        self._last_cr = False
                    elif c == "\x03":
                        buf = ""
                        self.out("\n" + self.prompt())
                    elif c == "\x04":
                        self.closed = True
                        break
                    elif c >= " " or c == "\t":
                        self._last_cr = False
                        buf += c
                        self.out(c)
        except Exception:
            self.leave_config()
            self.dev.end_session(self.sess)
            try:
                conn = self.process.get_extra_info("connection")
                conn.abort() if conn is not None else self.process.close()
            except Exception:
                pass
            raise  # the server turns lab.faults.DropSession into drop_host()
        self.leave_config()
        self.dev.end_session(self.sess)
        try:
            self.process.exit(0)
        except Exception:
            pass

    def _ver(self):
        from .device import JUNOS_VERSION

        return JUNOS_VERSION

    # ------------------------------------------------------------------ commands
    def execute(self, line):
        if getattr(self, "question", None):   # the answer to "Reboot the system ? [yes,no] (no)"
            self.question = None
            if line.strip().lower() not in ("yes", "y"):
                return ""
            text = self.dev.request_reboot()
            self.closed = True   # the router goes down: the session ends
            return (f"\n*** FINAL System shutdown message from {self.sess.user}@{self.dev.hostname} ***\n\n"
                    f"System going down IMMEDIATELY\n\n{text}")
        if self.mode == "op" and line.split()[:3] == ["request", "system", "reboot"] and len(line.split()) == 3:
            self.question = "Reboot the system ? [yes,no] (no) "
            return ""
        if not line:
            return "\n[edit]\n" if self.mode == "cfg" and False else ("" if self.mode == "op" else self._edit_banner())
        try:
            if self.mode == "op":
                return self.op(line)
            return self.cfg(line)
        except SH.CmdError as e:
            return self._err(line, e)
        except ConnectionError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError, IndexError) as e:  # never kill the shell on an emulator bug
            import traceback

            traceback.print_exc()
            return f"error: {type(e).__name__}: {e}\n"
        except T.JunosError as e:
            return (
                self._caret(line, e.bad)
                + (e.message if e.message != "syntax error" else "syntax error.")
                + "\n"
                + (self._edit_banner() if self.mode == "cfg" else "")
            )

    def _caret(self, line, tok):
        plen = len(self.prompt())
        pos = line.find(tok) if tok else -1
        if pos < 0:
            pos = len(line)
        return " " * (plen + pos) + "^\n"

    def _err(self, line, e):
        if e.message:
            return e.message + "\n"
        first = line.split()[0] if line.split() else line
        if e.kind == "unknown" or e.token == first:
            return self._caret(line, e.token) + "unknown command.\n"
        return self._caret(line, e.token) + "syntax error, expecting <command>.\n"

    def op(self, line):
        words = line.split()
        w0 = words[0]
        if w0 == "set" and len(words) >= 3 and words[1] == "cli":
            if words[2] in ("screen-length", "screen-width") and len(words) == 4 and words[3].isdigit():
                if words[2] == "screen-length":
                    self.screen_length = int(words[3])
                return f"Screen {'length' if words[2] == 'screen-length' else 'width'} set to {words[3]}\n"
            if words[2] == "timestamp" and len(words) == 4 and words[3] in ("disable", "enable"):
                return "Timestamp: disabled\n" if words[3] == "disable" else "Timestamp: enabled\n"
            if words[2] == "complete-on-space" and len(words) == 4:
                return "Disabling complete-on-space\n" if words[3] == "off" else "Enabling complete-on-space\n"
            raise SH.CmdError("syntax", words[-1])
        if w0 in ("exit", "quit"):
            self.closed = True
            return ""
        if w0 == "configure" or (len(w0) >= 3 and "configure".startswith(w0)):
            kind = words[1] if len(words) > 1 else None
            if kind not in (None, "private", "exclusive"):
                raise SH.CmdError("syntax", kind)
            return self.enter_config(kind)
        if not any(w.startswith(w0) for w in OP_WORDS) or w0 in ("help",):
            raise SH.CmdError("unknown", w0)
        text, _x = SH.run(self.dev, line, self.sess)
        return text

    # ------------------------------------------------------------------ configuration mode
    def _edit_banner(self):
        return "\n[edit" + "".join(" " + k for k in self.edit_path) + "]\n"

    def enter_config(self, kind):
        msgs = []
        if kind == "exclusive":
            try:
                self.dev.lock(self.sess)
            except T.JunosError as e:
                return f"error: {e.message}\n"
            msgs.append("warning: uncommitted changes will be discarded on exit")
        elif kind == "private":
            if self.dev.shared_dirty():
                return "error: shared configuration database modified\nPlease use 'configure' instead\n"
            self.sess.private = self.dev.committed.copy()
            msgs.append("warning: uncommitted changes will be discarded on exit")
        else:
            others = [s for s in self.dev.sessions if s is not self.sess and s.via == "cli"]
            if others:
                msgs.append(
                    f"Users currently editing the configuration:\n  {others[0].user} terminal p0 (pid {others[0].id}) on since {fmt_time(others[0].started)}"
                )
            if self.dev.shared_dirty():
                msgs.append("The configuration has been changed but not committed")
        self.mode, self.cfgkind = "cfg", kind
        self.edit_path, self.edit_steps = [], []
        return "\n".join(msgs + ["Entering configuration mode"]) + "\n" + self._edit_banner()

    def leave_config(self):
        if self.mode != "cfg":
            return ""
        msg = ""
        if self.cfgkind == "exclusive":
            if self.dev.shared_dirty():
                msg = "warning: discarding uncommitted changes\n"
            try:
                self.dev.unlock(self.sess)
            except T.JunosError:
                pass
        elif self.cfgkind == "private":
            if T.to_set(self.sess.private) != T.to_set(self.dev.committed):
                msg = "warning: discarding uncommitted changes\n"
            self.sess.private = None
        elif self.dev.shared_dirty():
            msg = "The configuration has been changed but not committed\n"
        self.mode, self.cfgkind, self.edit_path, self.edit_steps = "op", None, [], []
        return msg + "Exiting configuration mode\n\n"

    def _cand(self):
        return self.dev.candidate_for(self.sess)

    def cfg(self, line):
        words = T.tokenize_line(line)
        w0 = words[0]
        ban = self._edit_banner()
        if w0 in ("exit", "quit"):
            if len(words) > 1 and words[1] == "configuration-mode" or not self.edit_path:
                return self.leave_config()
            self.edit_path, self.edit_steps = [], []
            return ban if False else self._edit_banner()
        if w0 == "top":
            self.edit_path, self.edit_steps = [], []
            return self._edit_banner()
        if w0 == "up":
            self.edit_path, self.edit_steps = self.edit_path[:-1], self.edit_steps[:-1]
            return self._edit_banner()
        if w0 == "run":
            return self.op(line.split(None, 1)[1] if len(words) > 1 else "") + ban
        if w0 == "edit":
            steps = T.walk(self._cur_schema(), words[1:], self.edit_path, allow_partial=True)
            self.edit_steps += steps
            self.edit_path += [s.key for s in steps]
            return self._edit_banner()
        if w0 in ("set", "delete", "deactivate", "activate"):
            if len(words) < 2 and w0 != "delete":
                raise T.JunosError("syntax error", self.edit_path, w0)
            self.dev.check_writable(self.sess)
            " ".join(self.edit_path)
            text = w0 + (" " + _requote(self._abs_tokens(words[1:])) if len(words) > 1 or self.edit_path else "")
            new, warnings = T.load_set(self._cand(), text)
            self.dev.set_candidate(self.sess, new)
            return "".join(w + "\n" for w in warnings) + ban
        if w0 == "rollback":
            n = int(words[1]) if len(words) > 1 and words[1].isdigit() else 0
            self.dev.set_candidate(self.sess, self.dev.rollback_tree(n))
            return "load complete\n" + ban
        if w0 == "show":
            return self.cfg_show(line) + ban
        if w0 == "commit":
            return self.cfg_commit(words[1:]) + ban
        if w0 == "load":
            raise T.JunosError("syntax error", self.edit_path, words[1] if len(words) > 1 else "load")
        raise T.JunosError("syntax error", self.edit_path, w0) if w0 in CFG_WORDS else SH.CmdError("unknown", w0)

    def _cur_schema(self):
        if not self.edit_steps:
            return S.ROOT
        sc = self.edit_steps[-1].schema
        return sc.c if isinstance(sc, S.N) else sc

    def _abs_tokens(self, toks):
        return self._edit_tokens() + toks

    def _edit_tokens(self):
        out = []
        for k in self.edit_path:
            out += k.split(" ")
        return out

    def cfg_show(self, line):
        parts = [p.strip() for p in line.split("|")]
        words = parts[0].split()[1:]
        pipes = parts[1:]
        cand = self._cand()
        if any(p.startswith("compare") for p in pipes):
            m = re.search(r"compare\s+rollback\s+(\d+)", line)
            old = self.dev.rollback_tree(int(m.group(1))) if m else self.dev.committed
            return T.compare(old, cand)
        display = None
        for p in pipes:
            w = p.split()
            if w[:1] == ["display"] and len(w) > 1:
                display = w[1]
        res = SH.show_configuration(self.dev, self._edit_tokens() + words, display, cand, last_commit=False)
        return res.text

    def cfg_commit(self, args):
        check = confirmed = False
        minutes = None
        comment = None
        i = 0
        while i < len(args):
            a = args[i]
            if a == "check":
                check = True
            elif a == "confirmed":
                confirmed = True
                if i + 1 < len(args) and args[i + 1].isdigit():
                    minutes = int(args[i + 1])
                    i += 1
            elif a == "comment" and i + 1 < len(args):
                comment = args[i + 1].strip('"')
                i += 1
            elif a in ("and-quit", "synchronize"):
                pass
            else:
                raise T.JunosError("syntax error", (), a)
            i += 1
        try:
            if check:
                self.dev.commit(self.sess, check_only=True)
                return "configuration check succeeds\n"
            self.dev.confirm_pending()
            self.dev.commit(self.sess, confirmed=(minutes or 10) if confirmed else None, comment=comment, via="cli")
        except ConfigFailure as f:
            out = []
            for e in f.errors:
                if e.kind == "fault":
                    out.append(f"error: {e.message}")
                    continue
                out.append(e.edit)
                out.append(f"  '{e.bad}'")
                out.append(f"    {e.message}")
            fin = f.final.replace("configuration check-out failed", "commit failed") if not check else f.final
            out.append(f"error: {fin}")
            return "\n".join(out) + "\n"
        if confirmed:
            return (
                f"commit confirmed will be automatically rolled back in {minutes or 10} minutes unless confirmed\n"
                f"commit complete\n\n# commit confirmed will be rolled back in {minutes or 10} minutes\n"
            ).rstrip("\n") + "\n"
        return "commit complete\n"


def _requote(toks):
    return " ".join('"%s"' % t.replace('"', '\\"') if (not t or re.search(r'[\s"]', t)) else t for t in toks)


def _username(process):
    try:
        return process.get_extra_info("username") or "admin"
    except Exception:
        return "admin"

"""The SSH side of the device tests: one password-checking asyncssh server class for every test that
serves a single emulated device on 127.0.0.1 (the daemon's own server in mplssec_lab.server is bound to
the daemon's connection bookkeeping, so tests use this one)."""
import asyncssh


class PasswordServer(asyncssh.SSHServer):
    """Accepts admin/admin with password authentication only, as the lab's test devices expect."""

    def begin_auth(self, username):
        return True

    def password_auth_supported(self):
        return True

    def validate_password(self, username, password):
        return username == "admin" and password == "admin"

"""Test hosts on this machine: Linux network namespaces joined by veth links to one bridge, removed afterwards.

Each host is a namespace `<prefix>-<pid>-<host>` with its loopback and one veth link, `eth0`, holding
`10.254.29.<n>/24`; the link's other end sits in the switch namespace `<prefix>-<pid>-sw`, on a bridge
with no address. No default route anywhere and nothing in the machine's own namespace, so the hosts
reach each other and nothing else. Taking a host's switch port down cuts it off as a pulled cable does.
`ip` is Debian's iproute2; making namespaces needs root (CI runs as root). Namespaces left by a run
that died (its pid is gone) are removed when the next one starts.
"""
from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field

PREFIX = "dsc29"  # every namespace this module makes starts with it, and nothing else here does
SUBNET = "10.254.29"  # a private /24 that lives only on the links between these namespaces
NETNS_DIR = "/run/netns"
CLONE_NEWNET = 0x40000000
IP_TIMEOUT_S = 30


class NetnsError(RuntimeError):
    """An `ip` command failed: its output says why."""


def ip(*args: str) -> str:
    """Run `ip ARGS`; NetnsError with its output when it fails."""
    done = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=IP_TIMEOUT_S)
    if done.returncode != 0:
        raise NetnsError(f"ip {' '.join(args)}: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


def missing_reason() -> str | None:
    """Why test hosts cannot be made here (no iproute2, not root, namespaces refused), or None when they can."""
    if shutil.which("ip") is None:
        return "iproute2's `ip` is not installed (apt-get install iproute2)"
    if os.geteuid() != 0:
        return "network namespaces need root (CI runs as root)"
    probe = f"{PREFIX}-{os.getpid()}-probe"
    try:
        ip("netns", "add", probe)
    except (NetnsError, OSError) as error:
        return f"network namespaces are not permitted here ({error})"
    ip("netns", "del", probe)
    return None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale(prefix: str = PREFIX) -> list[str]:
    """Delete namespaces with `prefix` whose creating process has gone; the names removed."""
    removed = []
    names = os.listdir(NETNS_DIR) if os.path.isdir(NETNS_DIR) else []
    for name in names:
        parts = name.split("-")
        if len(parts) >= 3 and parts[0] == prefix and parts[1].isdigit() and not _pid_alive(int(parts[1])):
            subprocess.run(["ip", "netns", "del", name], capture_output=True, timeout=IP_TIMEOUT_S)
            removed.append(name)
    return removed


def namespaces_of(pid: int, prefix: str = PREFIX) -> list[str]:
    """The namespaces process `pid` made that still exist."""
    names = os.listdir(NETNS_DIR) if os.path.isdir(NETNS_DIR) else []
    return sorted(name for name in names if name.startswith(f"{prefix}-{pid}-"))


@dataclass
class Network:
    """Hosts on one bridge: `address(host)`, `command(host, argv)`, `cut(host)` / `restore(host)`, `remove()`."""

    hosts: Sequence[str]
    prefix: str = PREFIX
    owner: int = field(default_factory=os.getpid)
    made: list[str] = field(default_factory=list)

    def netns(self, host: str) -> str:
        return f"{self.prefix}-{self.owner}-{host}"

    @property
    def switch(self) -> str:
        return self.netns("sw")

    def address(self, host: str) -> str:
        return f"{SUBNET}.{list(self.hosts).index(host) + 1}"

    def port(self, host: str) -> str:
        """The host's port on the switch (an interface name in the switch namespace: at most 15 characters)."""
        return f"p-{host}"[:15]

    def create(self) -> Network:
        """Make the switch and every host; on any failure what was made is removed and the error raised."""
        remove_stale(self.prefix)
        try:
            self._add(self.switch)
            ip("-n", self.switch, "link", "add", "br0", "type", "bridge")
            ip("-n", self.switch, "link", "set", "br0", "up")
            for host in self.hosts:
                self._add_host(host)
        except BaseException:
            self.remove()
            raise
        return self

    def _add(self, name: str) -> None:
        ip("netns", "add", name)
        self.made.append(name)
        ip("-n", name, "link", "set", "lo", "up")

    def _add_host(self, host: str) -> None:
        name, port = self.netns(host), self.port(host)
        self._add(name)
        ip("link", "add", "eth0", "netns", name, "type", "veth", "peer", "name", port, "netns", self.switch)
        ip("-n", self.switch, "link", "set", port, "master", "br0")
        ip("-n", self.switch, "link", "set", port, "up")
        ip("-n", name, "addr", "add", f"{self.address(host)}/24", "dev", "eth0")
        ip("-n", name, "link", "set", "eth0", "up")

    def command(self, host: str, argv: Sequence[str]) -> list[str]:
        """`argv` run on `host` (in its namespace)."""
        return ["ip", "netns", "exec", self.netns(host), *argv]

    def cut(self, host: str) -> None:
        """The host's cable pulled: its switch port goes down; its processes keep running."""
        ip("-n", self.switch, "link", "set", self.port(host), "down")

    def restore(self, host: str) -> None:
        ip("-n", self.switch, "link", "set", self.port(host), "up")

    def remove(self) -> None:
        """Delete every namespace made (their veth links go with them); safe to call twice."""
        for name in reversed(self.made):
            subprocess.run(["ip", "netns", "del", name], capture_output=True, timeout=IP_TIMEOUT_S)
        self.made.clear()


def enter(netns: str) -> None:
    """Move this process's network stack into `netns`: call it before any thread starts (threads made later
    inherit it). Python 3.11 has no os.setns, so libc's setns(2)."""
    libc = ctypes.CDLL(None, use_errno=True)
    descriptor = os.open(f"{NETNS_DIR}/{netns}", os.O_RDONLY)
    try:
        if libc.setns(descriptor, CLONE_NEWNET) != 0:
            error = ctypes.get_errno()
            raise NetnsError(f"setns({netns}): {os.strerror(error)}")
    finally:
        os.close(descriptor)

"""The second wall around a query worker: a process that cannot reach any network.

The endpoint refuses federated queries before a worker sees them; should that filter
ever be fooled, the worker itself must have nowhere to send a request. At start-up,
before it has any threads, a worker moves into a network namespace of its own
(``unshare(CLONE_NEWUSER | CLONE_NEWNET)``): it holds only a loopback interface that is
down, so every connection fails with ENETUNREACH. Where namespaces are refused (some
containers, kernels with unprivileged user namespaces off), a seccomp filter makes
``socket(AF_INET | AF_INET6, …)`` fail with EACCES instead. Where neither can be set up
(not Linux, an unknown CPU), the worker runs without a wall and the service says so on
standard error at start-up. Each worker also gets an address-space limit, so a query
that balloons kills its worker (which is replaced) instead of the machine.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import platform
import resource
import socket
import struct
import sys

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000

NAMESPACE = "network namespace"
SECCOMP = "seccomp filter"


def wall_off_network() -> str | None:
    """Cut this process (single-threaded) off from the network; name the wall, or None."""
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0:
        return NAMESPACE
    if _deny_inet_sockets(libc):
        return SECCOMP
    return None


def limit_memory(max_bytes: int) -> None:
    """Cap this process's address space: allocations beyond it fail and the worker dies."""
    resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))


# seccomp-BPF, from <linux/seccomp.h>, <linux/filter.h> and <linux/audit.h>.
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
_SECCOMP_RET_ALLOW = 0x7FFF0000
_SECCOMP_RET_ERRNO = 0x00050000
_BPF_LD_W_ABS = 0x20
_BPF_JEQ_K = 0x15
_BPF_JGE_K = 0x35
_X32_BIT = 0x40000000
_BPF_RET_K = 0x06
# (audit architecture, number of the socket system call) per machine.
_ARCHITECTURES = {"x86_64": (0xC000003E, 41), "aarch64": (0xC00000B7, 198)}
# Offsets in struct seccomp_data: nr, arch, then args[0] (the address family of socket()).
_NR, _ARCH, _ARG0 = 0, 4, 16


class _SockFilter(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_ushort),
        ("jt", ctypes.c_ubyte),
        ("jf", ctypes.c_ubyte),
        ("k", ctypes.c_uint),
    ]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def _deny_inet_sockets(libc: ctypes.CDLL) -> bool:
    """Install a seccomp filter: socket(AF_INET or AF_INET6) fails with EACCES."""
    machine = platform.machine()
    if machine not in _ARCHITECTURES or struct.calcsize("P") != 8:
        return False
    arch, socket_nr = _ARCHITECTURES[machine]
    deny = _SECCOMP_RET_ERRNO | errno.EACCES
    program = [
        (_BPF_LD_W_ABS, 0, 0, _ARCH),
        (_BPF_JEQ_K, 1, 0, arch),
        (_BPF_RET_K, 0, 0, deny),  # another ABI (32-bit calls): deny every call
        (_BPF_LD_W_ABS, 0, 0, _NR),
        (_BPF_JGE_K, 4, 0, _X32_BIT),  # x32 numbering of the same calls: deny
        (_BPF_JEQ_K, 0, 4, socket_nr),
        (_BPF_LD_W_ABS, 0, 0, _ARG0),
        (_BPF_JEQ_K, 1, 0, socket.AF_INET),
        (_BPF_JEQ_K, 0, 1, socket.AF_INET6),
        (_BPF_RET_K, 0, 0, deny),
        (_BPF_RET_K, 0, 0, _SECCOMP_RET_ALLOW),
    ]
    filters = (_SockFilter * len(program))(*(_SockFilter(*row) for row in program))
    prog = _SockFprog(len(program), filters)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return False
    return libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) == 0

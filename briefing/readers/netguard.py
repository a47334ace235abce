"""The network guard under every fetch: which addresses may be contacted, and a whole-request deadline.

Every TCP connection goes through ``GuardedBackend.connect_tcp``: the host name is resolved there,
every address it resolves to is checked, and the socket is connected to a checked address, so a DNS
answer that changes between the check and the connection (DNS rebinding) cannot slip through. Each
read and write is given only the time left before the deadline, so a server that sends one byte
every few seconds is cut off when the request's time is up, not one read timeout later.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Iterable
from typing import Any

import httpcore

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")


class RefusedAddress(Exception):
    """The host resolves to an address that is not on the public internet."""

    def __init__(self, host: str, address: str) -> None:
        super().__init__(f"{host} resolves to {address}")
        self.host = host
        self.address = address


def is_public_address(address: IPAddress) -> bool:
    """Whether ``address`` is a global unicast address (after unwrapping IPv4 inside IPv6)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in NAT64_PREFIX:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            address = embedded
    return address.is_global and not (address.is_multicast or address.is_reserved)


# A lookup that overruns its deadline is abandoned, but its thread lives until the system's resolver
# answers (it cannot be cancelled). Bounding how many may be pending bounds the threads a dead
# resolver can pile up over a run of many fetches; the threads are daemons, so exit does not wait.
MAX_PENDING_LOOKUPS = 8
_pending_lookups = threading.BoundedSemaphore(MAX_PENDING_LOOKUPS)


def resolve(host: str, port: int, timeout: float) -> list[IPAddress]:
    """Every address ``host`` resolves to, within ``timeout`` seconds (the resolver itself has no timeout)."""
    if not _pending_lookups.acquire(timeout=timeout):
        raise httpcore.ConnectTimeout(f"resolving {host}: the system's resolver has not answered "
                                      f"{MAX_PENDING_LOOKUPS} earlier lookups")
    answer: list[Any] = []

    def lookup() -> None:
        try:
            answer.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except (OSError, UnicodeError) as error:
            answer.append(error)
        finally:
            _pending_lookups.release()

    resolver = threading.Thread(target=lookup, name=f"resolve {host}", daemon=True)
    try:
        resolver.start()
    except RuntimeError as error:  # no thread to be had (a memory limit): this fetch fails, not the run
        _pending_lookups.release()
        raise httpcore.ConnectError(f"cannot resolve {host}: {error}") from None
    resolver.join(timeout)
    if not answer:
        raise httpcore.ConnectTimeout(f"resolving {host} took longer than {timeout:.3g} s")
    if isinstance(answer[0], BaseException):
        raise httpcore.ConnectError(f"cannot resolve {host}: {answer[0]}")
    found = answer[0]
    addresses: list[IPAddress] = []
    for _, _, _, _, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


class Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    def left(self, timeout: float | None, error: type[Exception]) -> float:
        """The smaller of ``timeout`` and the time left; ``error`` when none is left."""
        remaining = self._end - time.monotonic()
        if remaining <= 0:
            raise error(f"the deadline of {self.seconds:g} s has passed")
        return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream, deadline: Deadline) -> None:
        self._stream = stream
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._deadline.left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._deadline.left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        timeout = self._deadline.left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, timeout), self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class GuardedBackend(httpcore.NetworkBackend):
    """Connects only to checked addresses and keeps every socket operation within ``deadline``."""

    def __init__(self, deadline: Deadline, allow_private: bool) -> None:
        self._deadline = deadline
        self._allow_private = allow_private
        self._backend = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        addresses = resolve(host, port, self._deadline.left(timeout, httpcore.ConnectTimeout))
        if not self._allow_private:
            for address in addresses:
                if not is_public_address(address):
                    raise RefusedAddress(host, str(address))
        last_error: Exception = httpcore.ConnectError(f"{host} has no address")
        for address in addresses:
            try:
                stream = self._backend.connect_tcp(
                    str(address), port, self._deadline.left(timeout, httpcore.ConnectTimeout),
                    local_address, socket_options)
            except httpcore.ConnectError as error:
                last_error = error
                continue
            return _DeadlineStream(stream, self._deadline)
        raise last_error

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("Unix sockets are not fetched")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

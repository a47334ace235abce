"""The part of uvicorn's insides the server's guard builds on: the one module that imports them.

uvicorn offers no hook for a header deadline, a header size bound or a connection bound, so
``guard.GuardedProtocol`` subclasses its httptools protocol, which is not part of uvicorn's
documented API. What the subclass relies on:

- the hooks it overrides, with the parameters in ``OVERRIDDEN_HOOKS``, and that uvicorn calls
  ``on_response_complete`` whenever a response has been sent;
- the state the protocol keeps: ``transport`` and ``loop``, set once the connection is made, and
  ``cycle``, the request being answered, read only through ``answer_pending``.

pyproject.toml pins uvicorn to the releases tested; tests/test_dependency_internals.py fails, naming
what moved, when a release changes any of this.
"""

from __future__ import annotations

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["OVERRIDDEN_HOOKS", "HttpToolsProtocol", "answer_pending"]

# Each hook GuardedProtocol overrides, with the parameters (after self) it is called with.
OVERRIDDEN_HOOKS: dict[str, tuple[str, ...]] = {
    "connection_made": ("transport",),
    "connection_lost": ("exc",),
    "data_received": ("data",),
    "on_headers_complete": (),
    "on_response_complete": (),
    "pause_writing": (),
    "resume_writing": (),
    "send_400_response": ("msg",),
}


def answer_pending(protocol: HttpToolsProtocol) -> bool:
    """Whether the connection has a request whose response is not yet completely sent."""
    return protocol.cycle is not None and not protocol.cycle.response_complete

"""The part of pyttsx3's espeak driver the pyttsx3 engine reaches into: the one module that does.

None of this is pyttsx3's public API; it is what makes its espeak driver dependable (see
``pyttsx3_engine``). What is relied on, in ``pyttsx3.drivers.espeak`` and its ctypes binding
``pyttsx3.drivers._espeak``:

- the driver module calls the global ``print`` to say "Audio saved to ...": replaced by a no-op;
- its only use of its global ``time`` is the loop's ``time.sleep(0.01)`` after every utterance:
  replaced by a clock whose sleep ends when the utterance has finished;
- ``_espeak.Synchronize()`` returns once espeak-ng has applied what it was given;
- ``_espeak.dll`` is the loaded libespeak-ng, whose ``espeak_GetParameter`` reads the rate back.

Where libespeak-ng is missing pyttsx3 picks another driver and none of this is touched.
pyproject.toml pins pyttsx3 to the releases tested; tests/test_dependency_internals.py fails,
naming what moved, when a release changes any of this.
"""

from __future__ import annotations

import ctypes
import functools
import threading
from types import ModuleType
from typing import Any

_RATE_PARAMETER = 1  # espeakRATE


def espeak_driver() -> ModuleType | None:
    """pyttsx3's espeak driver module, or None where libespeak-ng cannot be loaded."""
    try:
        from pyttsx3.drivers import espeak
    except (ImportError, OSError):  # no libespeak: pyttsx3 will pick another driver
        return None
    return espeak


def silence_driver_prints() -> None:
    """The espeak driver prints from espeak's own thread, after any redirect of ours has ended."""
    if (driver := espeak_driver()) is not None:
        driver.print = lambda *args, **kwargs: None  # type: ignore[attr-defined]


class UtteranceClock:
    """Stands in for ``time`` in the espeak driver, whose only use is the loop's 10 ms sleep: the sleep
    ends as soon as the utterance has finished, and lasts as long as before while it has not."""

    def __init__(self, finished: threading.Event) -> None:
        self._finished = finished

    def sleep(self, seconds: float) -> None:
        self._finished.wait(seconds)


def wake_driver_loop_on(finished: threading.Event) -> None:
    if (driver := espeak_driver()) is not None:
        driver.time = UtteranceClock(finished)  # type: ignore[attr-defined]


def wait_for_espeak() -> None:
    """Return once espeak-ng has applied the settings and text it was given."""
    if espeak_driver() is not None:
        from pyttsx3.drivers import _espeak

        _espeak.Synchronize()


def espeak_rate() -> int | None:
    """espeak-ng's current rate, or None when it cannot be read (pyttsx3's own binding of
    ``espeak_GetParameter`` leaves out the argument that asks for the current value)."""
    function = _espeak_get_parameter()
    return None if function is None else int(function(_RATE_PARAMETER, 1))


@functools.cache
def _espeak_get_parameter() -> Any:
    if espeak_driver() is None:
        return None
    from pyttsx3.drivers import _espeak

    function = getattr(_espeak.dll, "espeak_GetParameter", None)
    if function is not None:
        function.argtypes, function.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return function

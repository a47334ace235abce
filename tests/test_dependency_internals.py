"""What briefing relies on inside its dependencies, checked against the installed releases.

Each dependency whose private parts briefing uses is pinned in pyproject.toml to the releases tested,
and its private parts are touched in one module: uvicorn's httptools protocol (server/uvicorn_internals),
pyttsx3's espeak driver (audio/engines/pyttsx3_internals), Starlette's ``FileResponse._open_file``
(server/app) and hibari's text-to-phonemes loaders (audio/engines/hibari_tables). A release that moves
any of it fails here, saying what moved, before it fails (or quietly falls back) in use.
"""

from __future__ import annotations

import ast
import http.client
import inspect
import socket
import threading
import time
import tomllib
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
STARTUP_S = 10.0


def declared_requirements() -> dict[str, Requirement]:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    lines = project["dependencies"] + [line for extra in project["optional-dependencies"].values() for line in extra]
    return {(requirement := Requirement(line)).name: requirement for line in lines}


@pytest.mark.parametrize("name", ["uvicorn", "pyttsx3", "starlette", "hibari-tts"])
def test_the_installed_release_is_one_the_pin_allows(name: str) -> None:
    requirement = declared_requirements()[name]
    assert requirement.specifier, f"{name} is used through its private parts but pyproject.toml does not pin it"
    try:
        installed = metadata.version(name)
    except metadata.PackageNotFoundError:
        pytest.skip(f"{name} is not installed (an optional extra)")
    assert requirement.specifier.contains(installed, prereleases=True), (
        f"{name} {installed} is installed but pyproject.toml pins {requirement.specifier}: run this file's tests "
        "against it, adapt the module that wraps its internals, then widen the pin")


def module_tree(module: Any) -> ast.Module:
    return ast.parse(inspect.getsource(module))


# ---- uvicorn ---------------------------------------------------------------------------------------


def test_uvicorn_protocol_hooks_the_guard_overrides_keep_their_parameters() -> None:
    from briefing.server.uvicorn_internals import OVERRIDDEN_HOOKS, HttpToolsProtocol

    for name, parameters in OVERRIDDEN_HOOKS.items():
        hook = getattr(HttpToolsProtocol, name, None)
        assert callable(hook), f"uvicorn {metadata.version('uvicorn')}: HttpToolsProtocol.{name} is gone"
        found = tuple(inspect.signature(hook).parameters)[1:]
        assert found == parameters, (f"uvicorn {metadata.version('uvicorn')}: HttpToolsProtocol.{name}{found} "
                                     f"is not the {name}{parameters} that server/guard.py overrides")


class RecordedServer:
    """uvicorn serving a one-line answer on 127.0.0.1 through a protocol that records, after each hook
    the guard overrides, whether a request was waiting for its answer."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, bool]] = []
        self.state: dict[str, bool] = {}
        self.answered = threading.Event()

    def protocol(self) -> type:
        from briefing.server.uvicorn_internals import OVERRIDDEN_HOOKS, HttpToolsProtocol, answer_pending

        recorder = self

        def recording(name: str) -> Any:
            def hook(self: HttpToolsProtocol, *args: Any) -> Any:
                result = getattr(HttpToolsProtocol, name)(self, *args)
                if name == "connection_made":
                    recorder.state["transport"] = self.transport is args[0]
                    recorder.state["loop"] = self.loop.is_running()
                recorder.calls.append((name, answer_pending(self)))
                if name == "on_response_complete":
                    recorder.answered.set()
                return result
            return hook

        return type("RecordingProtocol", (HttpToolsProtocol,), {name: recording(name) for name in OVERRIDDEN_HOOKS})

    @staticmethod
    async def app(scope: dict, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
        await send({"type": "http.response.body", "body": b"ok"})

    def serve(self) -> tuple[Any, threading.Thread, socket.socket]:
        import uvicorn

        listener = socket.create_server(("127.0.0.1", 0))
        config = uvicorn.Config(self.app, http=self.protocol(), ws="none", lifespan="off", log_level="critical")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + STARTUP_S
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
            threading.Event().wait(0.01)
        return server, thread, listener


def test_uvicorn_calls_the_hooks_and_keeps_the_state_the_guard_reads() -> None:
    recorded = RecordedServer()
    server, thread, listener = recorded.serve()
    try:
        client = http.client.HTTPConnection("127.0.0.1", listener.getsockname()[1], timeout=STARTUP_S)
        client.request("GET", "/")
        assert client.getresponse().read() == b"ok"
        client.close()
        assert recorded.answered.wait(STARTUP_S), "uvicorn no longer calls on_response_complete once a response is sent"
        with socket.create_connection(listener.getsockname(), timeout=STARTUP_S) as bad:
            bad.sendall(b"NOT HTTP AT ALL\r\n\r\n")
            assert bad.recv(100).startswith(b"HTTP/1.1 400")
    finally:
        server.should_exit = True
        thread.join(STARTUP_S)
        listener.close()
    version = metadata.version("uvicorn")
    assert recorded.state == {"transport": True, "loop": True}, (
        f"uvicorn {version}: after connection_made the protocol's transport and running loop are {recorded.state}")
    calls = dict(recorded.calls)  # each hook's last call
    assert calls.get("on_headers_complete") is True, (
        f"uvicorn {version}: after on_headers_complete no request waits for its answer (cycle): {recorded.calls}")
    assert calls.get("on_response_complete") is False, (
        f"uvicorn {version}: after on_response_complete the answer is still pending (cycle): {recorded.calls}")
    assert "send_400_response" in calls, f"uvicorn {version}: a malformed request no longer goes to send_400_response"
    assert "connection_lost" in calls and "data_received" in calls


# ---- pyttsx3 ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def espeak_driver() -> Any:
    from briefing.audio.engines.pyttsx3_internals import espeak_driver

    driver = espeak_driver()
    if driver is None:
        pytest.skip("no libespeak-ng: pyttsx3 uses another driver and none of its espeak internals")
    return driver


def test_the_espeak_drivers_only_use_of_time_is_the_sleep_the_engine_replaces(espeak_driver: Any) -> None:
    tree = module_tree(espeak_driver)
    names = [node for node in ast.walk(tree) if isinstance(node, ast.Name) and node.id == "time"]
    attributes = [node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)
                  and isinstance(node.value, ast.Name) and node.value.id == "time"]
    assert names and set(attributes) == {"sleep"} and len(attributes) == len(names), (
        f"pyttsx3 {metadata.version('pyttsx3')}: its espeak driver uses its global time for {sorted(set(attributes))}"
        f" ({len(names)} uses): pyttsx3_internals.UtteranceClock stands in for time.sleep alone")


def test_the_espeak_driver_writes_to_stdout_only_through_print(espeak_driver: Any) -> None:
    stdout = [node for node in ast.walk(module_tree(espeak_driver))
              if isinstance(node, ast.Attribute) and node.attr in ("stdout", "__stdout__")]
    assert not stdout, (f"pyttsx3 {metadata.version('pyttsx3')}: its espeak driver writes to sys.stdout directly; "
                        "pyttsx3_internals.silence_driver_prints silences only its print")


def test_the_espeak_binding_synchronizes_and_reads_the_rate_back(espeak_driver: Any) -> None:
    from pyttsx3.drivers import _espeak

    from briefing.audio.engines import VoiceSettings, load_engine
    from briefing.audio.engines.pyttsx3_internals import UtteranceClock, espeak_rate

    version = metadata.version("pyttsx3")
    assert callable(getattr(_espeak, "Synchronize", None)), f"pyttsx3 {version}: _espeak.Synchronize is gone"
    assert hasattr(getattr(_espeak, "dll", None), "espeak_GetParameter"), (
        f"pyttsx3 {version}: _espeak.dll is not libespeak-ng with espeak_GetParameter")
    engine = load_engine("pyttsx3", VoiceSettings(voice="en-gb", rate=177))
    try:
        assert espeak_rate() == 177, f"pyttsx3 {version}: espeak-ng's rate does not read back as the rate set"
        assert isinstance(espeak_driver.time, UtteranceClock)
    finally:
        engine.close()


# ---- Starlette -------------------------------------------------------------------------------------


def test_starlettes_file_response_reads_its_file_only_through_open_file_read_and_seek() -> None:
    """server/app.py's LibraryFileResponse gives ``_open_file`` a reader with only ``seek`` and ``read``."""
    from starlette.responses import FileResponse

    version = metadata.version("starlette")
    opener = getattr(FileResponse, "_open_file", None)
    assert opener is not None, f"starlette {version}: FileResponse._open_file is gone"
    assert tuple(inspect.signature(inspect.unwrap(opener)).parameters) == ("self",), (
        f"starlette {version}: FileResponse._open_file takes other parameters than self")
    opened, used = 0, set()
    for node in ast.walk(module_tree(inspect.getmodule(FileResponse))):
        if isinstance(node, ast.AsyncWith):
            for item in node.items:
                call = item.context_expr
                if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "_open_file":
                    opened += 1
                    name = item.optional_vars.id if isinstance(item.optional_vars, ast.Name) else None
                    used |= {inner.attr for inner in ast.walk(node) if isinstance(inner, ast.Attribute)
                             and isinstance(inner.value, ast.Name) and inner.value.id == name}
    assert opened, f"starlette {version}: FileResponse no longer opens its file through _open_file"
    assert used <= {"read", "seek"}, (f"starlette {version}: FileResponse uses the opened file's {sorted(used)}; "
                                      "server/app.py's _Pread has only read and seek")


# ---- hibari ----------------------------------------------------------------------------------------


def test_hibari_still_has_the_loaders_and_files_the_shared_tables_are_built_from() -> None:
    """hibari_tables falls back to hibari's own dictionaries (quietly, 100 MB a worker) when these move;
    tests/test_hibari_tables.py checks the G2P built from them against hibari's own."""
    pytest.importorskip("hibari")
    import os

    import hibari.g2p

    from briefing.audio.engines.hibari_tables import _SOURCES

    version = metadata.version("hibari-tts")
    missing = [name for name in ("G2P", "Lexicon", "Tagger", "Tokenizer", "_load_json", "ASSETS")
               if not hasattr(hibari.g2p, name)]
    assert not missing, f"hibari-tts {version}: hibari.g2p no longer has {missing}"
    for accent in ("us", "gb"):
        for source in _SOURCES:
            path = os.path.join(hibari.g2p.ASSETS, source.format(accent=accent))
            assert os.path.isfile(path), f"hibari-tts {version}: no {path}"

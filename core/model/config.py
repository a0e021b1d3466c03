"""Everything needed to rebuild a captioner, stored as ``config.json`` beside its weights."""

from __future__ import annotations

import dataclasses
import importlib.metadata
import math
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, Literal, TypeVar

from vocalens.core.errors import ConfigError, ModelError, ModelNotInstalledError, first_line
from vocalens.core.files import NotAFile, read_json

FORMAT_VERSION = 1
CONFIG = "config.json"  # a model folder's description, beside its weights
MAX_BEAMS = 16  # wider beams cost memory and time, and no caption gains from them
MAX_NEW_TOKENS = 256  # a caption is a sentence; GPT-2 sees 1 024 positions in all
MAX_CONFIG_BYTES = 1 << 20  # a config.json is a few KB
MAX_INPUT = 1024  # pixels a side the image encoder may ask for (CLIP towers use 224 to 448)
ProjectorKind = Literal["mlp", "clipcap-mlp", "transformer"]
Strategy = Literal["greedy", "beam", "sample"]
DEFAULT_CLIP = "ViT-B-32"  # the CLIP image tower, open_clip's name (with the openai tag)
DEFAULT_GPT2 = "openai-community/gpt2"  # the base GPT-2: its tokenizer and architecture


@dataclass
class EncoderConfig:
    model: str = DEFAULT_CLIP  # open_clip architecture name or "hf-hub:org/repo"
    pretrained: str | None = "openai"  # open_clip tag, checkpoint file, or None
    model_cfg: dict[str, Any] | None = None  # open_clip architecture (embed_dim, vision_cfg, ...)
    preprocess: dict[str, Any] | None = None  # size, mean, std, interpolation, resize_mode
    normalize: bool = False  # L2-normalise the embedding (ClipCap's released weights: no)
    weights: str | None = None  # visual tower weights inside the checkpoint directory

    def validate(self) -> EncoderConfig:
        size = (self.preprocess or {}).get("size", 224)
        sides = size if isinstance(size, list | tuple) else [size]
        if not sides or not all(isinstance(n, int) and 16 <= n <= MAX_INPUT for n in sides):
            raise ConfigError(
                f"The encoder's input size in config.json is out of range ({size!r}).",
                f"It must be between 16 and {MAX_INPUT} pixels.",
            )
        return self


@dataclass
class ProjectorConfig:
    kind: ProjectorKind = "mlp"
    input_dim: int = 512  # D: CLIP embedding size
    embed_dim: int = 768  # E: GPT-2 embedding size
    prefix_length: int = 10  # K: prefix tokens handed to GPT-2
    hidden_dim: int | None = None  # mlp only; default K*E/2 like ClipCap
    clip_length: int = 10  # transformer only: K' tokens made from the CLIP embedding
    num_layers: int = 8  # transformer only
    num_heads: int = 8  # transformer only
    mlp_ratio: float = 2.0  # transformer only
    weights: str = "projector.safetensors"

    def validate(self) -> ProjectorConfig:
        sizes = [self.input_dim, self.embed_dim, self.prefix_length, self.clip_length]
        sizes += [self.num_layers, self.num_heads, self.hidden_dim or 1]
        if not all(0 < n <= 1 << 16 for n in sizes) or not 0 < self.mlp_ratio <= 64:
            raise ConfigError("The projector's sizes in config.json are out of range.")
        return self


@dataclass
class DecoderConfig:
    base: str = DEFAULT_GPT2  # Hub id or directory the frozen GPT-2 comes from
    gpt2_config: dict[str, Any] | None = None  # architecture, kept so weights rebuild offline
    weights: str | None = None  # fine-tuned GPT-2 weights inside the checkpoint directory
    tokenizer: str = "tokenizer"  # tokenizer folder inside the checkpoint directory


@dataclass
class DecodingConfig:
    strategy: Strategy = "beam"
    num_beams: int = 3
    top_p: float = 0.9
    temperature: float = 1.0
    seed: int | None = None  # sampling only; None draws a fresh seed
    max_new_tokens: int = 30
    min_new_tokens: int = 1  # stop tokens are blocked until this many tokens exist
    stop_strings: list[str] = field(default_factory=lambda: ["."])
    repetition_penalty: float = 1.0  # > 1 discourages tokens already produced
    length_penalty: float = 1.0  # beam only: score / length**length_penalty

    def validate(self) -> DecodingConfig:
        problems = []
        if self.strategy not in ("greedy", "beam", "sample"):
            problems.append(f"strategy must be greedy, beam or sample, not '{self.strategy}'")
        if not 1 <= self.num_beams <= MAX_BEAMS:
            problems.append(f"the beam width must be between 1 and {MAX_BEAMS}")
        if not math.isfinite(self.temperature):
            problems.append("the temperature must be a finite number")
        if not 0.0 < self.top_p <= 1.0:
            problems.append("top-p must be in (0, 1]")
        if self.temperature <= 0.0:
            problems.append("the temperature must be above 0")
        if not 1 <= self.max_new_tokens <= MAX_NEW_TOKENS:
            problems.append(f"the token limit must be between 1 and {MAX_NEW_TOKENS}")
        if not 0 <= self.min_new_tokens <= self.max_new_tokens:
            problems.append("the minimum length must be between 0 and the token limit")
        if self.repetition_penalty <= 0.0:
            problems.append("the repetition penalty must be above 0")
        if problems:
            raise ConfigError(f"Invalid decoding settings: {'; '.join(problems)}.")
        return self


@dataclass
class CaptionerConfig:
    encoder: EncoderConfig = field(default_factory=EncoderConfig)
    projector: ProjectorConfig = field(default_factory=ProjectorConfig)
    decoder: DecoderConfig = field(default_factory=DecoderConfig)
    decoding: DecodingConfig = field(default_factory=DecodingConfig)
    name: str = ""
    format_version: int = FORMAT_VERSION
    versions: dict[str, str] = field(default_factory=dict)  # libraries that wrote it

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CaptionerConfig:
        version = data.get("format_version", FORMAT_VERSION)
        if not isinstance(version, int) or isinstance(version, bool):
            raise ConfigError(f"format_version in config.json is {version!r}.", DAMAGED)
        if version > FORMAT_VERSION:
            raise ConfigError(
                f"This model was saved by a newer VocaLens (format {version}).",
                "Update VocaLens to load it.",
            )
        return cls(
            encoder=_build(EncoderConfig, data.get("encoder", {})),
            projector=_build(ProjectorConfig, data.get("projector", {})),
            decoder=_build(DecoderConfig, data.get("decoder", {})),
            decoding=_build(DecodingConfig, data.get("decoding", {})),
            name=str(data.get("name", "")),
            format_version=version,
            versions=dict(data.get("versions", {})),
        )


def library_versions() -> dict[str, str]:
    """Versions of the libraries whose behaviour a checkpoint depends on."""
    versions = {}
    for dist in ("vocalens", "torch", "open_clip_torch", "transformers"):
        try:
            versions[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
    return versions


T = TypeVar("T")


DAMAGED = "The file may be damaged or come from another program."
FILE_FIELDS = ("weights", "tokenizer")  # names of files inside the model folder


def _build(cls: type[T], data: Any, check_types: bool = True) -> T:
    """One schema for config.json: known fields, each of its declared type (and range, where a
    ``validate`` says), and file names that stay inside the model folder. ``check_types=False``
    leaves the values to the class's own ``validate`` (training settings say it their way)."""
    if not isinstance(data, dict):
        raise ConfigError(f"{cls.__name__} in config.json is not an object.", DAMAGED)
    hints = typing.get_type_hints(cls)
    unknown = sorted(set(data) - set(hints))
    if unknown:
        raise ConfigError(
            f"Unknown {cls.__name__} field(s) in config.json: {', '.join(unknown)}.", DAMAGED
        )
    for name, value in data.items():
        if check_types and not _is_a(value, hints[name]):
            raise ConfigError(f"{cls.__name__}.{name} in config.json is {value!r}.", DAMAGED)
        if name in FILE_FIELDS and value is not None and not _inside(value):
            raise ConfigError(
                f"{cls.__name__}.{name} in config.json points outside the model folder.", DAMAGED
            )
    built = cls(**data)
    validate = getattr(built, "validate", None)
    return validate() if validate is not None else built


def _is_a(value: Any, hint: Any) -> bool:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_is_a(value, a) for a in args)
    if origin is Literal:
        return value in args
    if origin in (list, dict):
        return isinstance(value, origin)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint)


def _inside(name: str) -> bool:
    """A relative path with no way up: it cannot name a file outside the folder."""
    path = PurePosixPath(name.replace("\\", "/"))
    return (
        bool(name)
        and not path.is_absolute()
        and ".." not in path.parts
        and not (PureWindowsPath(name).drive)
    )


def apply_overrides(config: DecodingConfig, **overrides: Any) -> DecodingConfig:
    """A copy of ``config`` with the given fields replaced (``None`` keeps the stored value)."""
    changes = {k: v for k, v in overrides.items() if v is not None}
    return dataclasses.replace(config, **changes).validate()


def read_config(directory: Path) -> CaptionerConfig:
    path = directory / CONFIG
    try:
        data = read_json(path, MAX_CONFIG_BYTES)
    except NotAFile as exc:
        if exc.reason != "no such file":
            raise ModelError(f"{path} {exc.reason}.", "Download or save the model again.") from None
        raise ModelNotInstalledError(
            f"{directory} is not a VocaLens model folder (no {CONFIG}).",
            "Give a folder made by `vocalens models download` or `vocalens train`.",
            missing=[str(path)],
        ) from None
    except ValueError as exc:
        raise ModelError(
            f"{path} is not valid JSON ({first_line(exc)}).", "Download or save the model again."
        ) from None
    if not isinstance(data, dict):
        raise ModelError(f"{path} does not hold a model configuration.")
    return CaptionerConfig.from_dict(data)

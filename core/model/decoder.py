"""The GPT-2 decoder and its tokenizer."""

from __future__ import annotations

from pathlib import Path

from transformers import GPT2Config, GPT2LMHeadModel, GPT2Tokenizer

from vocalens.core.errors import ModelError, ModelNotInstalledError
from vocalens.core.model.config import DecoderConfig
from vocalens.core.model.weights import load_into_skeleton

TOKENIZER_FILES = ("vocab.json", "merges.txt")


def open_decoder(
    cfg: DecoderConfig, directory: Path | None = None, cache_dir: Path | None = None
) -> GPT2LMHeadModel:
    """GPT-2 from the checkpoint's own weights when it has them, else from ``cfg.base``.

    Hub ids are only read from the local cache: fetching is ``vocalens models download``'s job.
    """
    if cfg.weights and directory is not None:
        path = directory / cfg.weights
        if not path.is_file():
            raise ModelNotInstalledError(
                f"The GPT-2 weights are missing: {path}.",
                "Download or convert the model again.",
                missing=[str(path)],
            )
        if not cfg.gpt2_config:
            raise ModelError(
                f"{directory / 'config.json'} does not describe the GPT-2 architecture."
            )
        config = GPT2Config(**cfg.gpt2_config)
        model = load_into_skeleton(  # no random init: the weights replace it at once
            lambda: _no_init(GPT2LMHeadModel, config),
            path,
            tied={
                "lm_head.weight": "transformer.wte.weight",
                "transformer.wte.weight": "lm_head.weight",
            },
        )
        return model.eval()  # type: ignore[return-value]
    try:
        model = GPT2LMHeadModel.from_pretrained(
            cfg.base, cache_dir=cache_dir, local_files_only=not Path(cfg.base).is_dir()
        )
    except OSError as exc:
        raise ModelNotInstalledError(
            f"GPT-2 '{cfg.base}' is not on this machine.",
            f"Fetch it with `vocalens models download {cfg.base}` while online, "
            "or give a local folder in Hugging Face format.",
            missing=[cfg.base],
        ) from exc
    return model.eval()


def _no_init(cls: type[GPT2LMHeadModel], config: GPT2Config) -> GPT2LMHeadModel:
    try:
        from transformers.initialization import no_init_weights
    except ImportError:  # other transformers releases: initialise (slower, same result)
        return cls(config)
    with no_init_weights():
        return cls(config)


def open_tokenizer(folder: Path) -> GPT2Tokenizer:
    missing = [str(folder / name) for name in TOKENIZER_FILES if not (folder / name).is_file()]
    if missing and not (folder / "tokenizer.json").is_file():
        raise ModelNotInstalledError(
            f"The tokenizer files are missing: {', '.join(missing)}.",
            "Download or convert the model again, or copy GPT-2's vocab.json and merges.txt there.",
            missing=missing,
        )
    return GPT2Tokenizer.from_pretrained(str(folder))


def gpt2_config_dict(model: GPT2LMHeadModel) -> dict[str, object]:
    """The architecture fields needed to rebuild ``model`` with random weights."""
    keys = (
        "vocab_size",
        "n_positions",
        "n_embd",
        "n_layer",
        "n_head",
        "n_inner",
        "activation_function",
        "layer_norm_epsilon",
        "bos_token_id",
        "eos_token_id",
    )
    full = model.config.to_dict()
    return {k: full[k] for k in keys if k in full}

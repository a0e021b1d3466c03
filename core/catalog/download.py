"""Explicit downloads: the only time VocaLens talks to the network."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vocalens.core.catalog import clip_towers
from vocalens.core.catalog.registry import REGISTRY, HubFile, lookup
from vocalens.core.errors import ModelError, VocaLensError
from vocalens.core.files import write_text_atomic
from vocalens.core.hashes import sha256
from vocalens.core.paths import bundled_models_dir, hub_cache, models_dir
from vocalens.core.words import tr

GPT2_FILES = ["config.json", "vocab.json", "merges.txt", "model.safetensors"]
TOKENIZER_ONLY = ["config.json", "vocab.json", "merges.txt"]


def installed_path(name: str) -> Path:
    """The user's own copy, else one shipped inside the packaged app, else where the user's
    copy would go."""
    own = models_dir() / name
    bundled = bundled_models_dir()
    if (own / "config.json").is_file() or bundled is None:
        return own
    shipped = bundled / name
    return shipped if (shipped / "config.json").is_file() else own


def is_installed(name: str) -> bool:
    return (installed_path(name) / "config.json").is_file()


Progress = Callable[[str, int, int], None]  # (what, bytes done, bytes in all or 0)


class DownloadCancelled(VocaLensError):
    """The user stopped a download; the files already fetched are kept for the next one."""


@dataclass(frozen=True)
class Fetched:
    """A model's parts, downloaded and verified, not yet converted."""

    name: str
    weights: Path | None  # ClipCap's checkpoint; None for a plain GPT-2 (nothing to convert)
    gpt2: Path  # the GPT-2 tokenizer (or the whole GPT-2) snapshot
    clip: Path | None = None  # the CLIP checkpoint the image tower comes from


def download_model(
    name: str, progress: Progress | None = None, cancel: threading.Event | None = None
) -> Path:
    """Fetch a registered model's parts (with progress; finished files are kept), verify them,
    and convert them once into a model folder under the models directory. Also fetches a plain
    GPT-2 when ``name`` is a Hub id that is not in the registry. ``progress`` hears about each
    step; setting ``cancel`` stops the download (``DownloadCancelled``)."""
    return convert_model(fetch_model(name, progress, cancel), progress)


def fetch_model(
    name: str, progress: Progress | None = None, cancel: threading.Event | None = None
) -> Fetched:
    """The network half of ``download_model``."""
    report = progress or (lambda what, done, total: None)
    bar = _reporting_tqdm(progress, cancel)
    if name not in REGISTRY and "/" in name:
        return Fetched(name, None, fetch_snapshot(name, GPT2_FILES, bar))
    entry = lookup(name)
    report(f"Downloading {entry.weights.filename}", 0, 0)
    weights = fetch_file(entry.weights, bar)
    report(f"Downloading the CLIP image encoder ({entry.clip_model})", 0, 0)
    clip = fetch_file(clip_towers.hub_file(entry.clip_model, entry.clip_pretrained), bar)
    report("Downloading the GPT-2 tokenizer", 0, 0)
    return Fetched(name, weights, fetch_snapshot(entry.gpt2, TOKENIZER_ONLY, bar), clip)


def convert_model(fetched: Fetched, progress: Progress | None = None) -> Path:
    """The model half of ``download_model``: build the model folder from the downloaded
    files (numpy only). Run it where the model work runs."""
    if fetched.weights is None:
        return fetched.gpt2
    report = progress or (lambda what, done, total: None)
    entry = lookup(fetched.name)
    if fetched.clip is None:
        raise ModelError(
            tr("The CLIP weights of {name} were not downloaded.").format(name=fetched.name)
        )
    report("Converting", 0, 0)
    from vocalens.core.catalog.clipcap_import import import_clipcap

    out = installed_path(fetched.name)
    import_clipcap(
        fetched.weights,
        out,
        clip_towers.tower(entry.clip_model, entry.clip_pretrained, fetched.clip),
        gpt2=entry.gpt2,
        tokenizer=fetched.gpt2,
        name=fetched.name,
    )
    report("Done", 1, 1)
    return out


def downloads(name: str) -> list[Path]:
    """The downloaded files a registered model was made from, where they are still on this
    machine: once it is converted, they are needed only to convert it again."""
    from huggingface_hub import try_to_load_from_cache

    entry = lookup(name)
    sources = [entry.weights, clip_towers.hub_file(entry.clip_model, entry.clip_pretrained)]
    found = [try_to_load_from_cache(s.repo, s.filename, cache_dir=hub_cache()) for s in sources]
    return [Path(f) for f in found if isinstance(f, str) and Path(f).is_file()]


def download_size(name: str) -> int:
    return _size(downloads(name))


def remove_downloads(name: str) -> int:
    """Delete the downloaded files of a converted model; returns the bytes freed."""
    found = downloads(name)
    freed = _size(found)
    for path in found:
        _delete_cached(path)
    return freed


def _size(paths: list[Path]) -> int:
    return sum(path.resolve().stat().st_size for path in paths)


def _reporting_tqdm(progress: Progress | None, cancel: threading.Event | None = None) -> Any:
    """Our download bar (drawn on a terminal only) that also tells ``progress`` how far a
    download has come, and stops it when ``cancel`` is set."""
    from tqdm.auto import tqdm

    class Reporting(tqdm):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("disable", None)  # None: no bar where stderr is not a terminal
            super().__init__(*args, **kwargs)
            self.what = str(kwargs.get("desc") or "Downloading")  # kept even with no bar
            self.done = int(kwargs.get("initial") or 0)

        def update(self, n: float | None = 1) -> bool | None:
            if cancel is not None and cancel.is_set():
                raise DownloadCancelled(
                    tr("The download was stopped."),
                    tr("Start it again; the files already fetched are kept."),
                )
            self.done += int(n or 0)
            if progress is not None:
                progress(self.what, self.done, int(getattr(self, "total", 0) or 0))
            return super().update(n)

    return Reporting


def fetch_file(source: HubFile, bar: Any = None) -> Path:
    """Download (or find in the cache) and verify one file. Its sha256 is the registry's when
    known; otherwise the one recorded at its first download is kept and checked from then on.
    A file that fails is deleted, cached copy included, and fetched once more."""
    for _ in range(2):
        path = _download(source, bar)
        expected = source.sha256 or recorded_sha256(source)
        actual = sha256sum(path)
        if expected is None:
            record_sha256(source, actual)
            return path
        if actual == expected:
            return path
        _delete_cached(path)
    raise ModelError(
        tr(
            "{filename} does not match the copy first downloaded (or the registry's checksum), "
            "and was deleted."
        ).format(filename=source.filename),
        tr("Try again later; if it keeps failing, the file has changed at its source: report it."),
    )


CONNECT_TIMEOUT = 5.0  # seconds: an unreachable network is said this soon, not after retries


def _download(source: HubFile, bar: Any) -> Path:
    from huggingface_hub import hf_hub_download

    try:
        _reachable(source)
        return Path(
            hf_hub_download(
                source.repo,
                source.filename,
                revision=source.revision,
                cache_dir=hub_cache(),
                tqdm_class=bar,
            )
        )
    except DownloadCancelled:
        raise
    except Exception as exc:  # the hub raises many kinds of network and HTTP errors
        raise _network_error(Path(source.filename).name, exc) from None


def _reachable(source: HubFile) -> None:
    """Ask for a file not downloaded yet once, without retries: the hub's own download
    retries a refused connection for about 23 s before it gives up."""
    from huggingface_hub import get_hf_file_metadata, hf_hub_url, try_to_load_from_cache

    cached = try_to_load_from_cache(
        source.repo, source.filename, cache_dir=hub_cache(), revision=source.revision
    )
    if not isinstance(cached, str):
        url = hf_hub_url(source.repo, source.filename, revision=source.revision)
        get_hf_file_metadata(url, timeout=CONNECT_TIMEOUT)


def _delete_cached(path: Path) -> None:
    """The cache's link and the stored file it points to: otherwise it is linked again."""
    blob = path.resolve()
    path.unlink(missing_ok=True)
    blob.unlink(missing_ok=True)


PINS = "sha256.json"  # the hashes recorded at first download, for files the registry cannot pin


def _pins() -> dict[str, str]:
    try:
        pins = json.loads((hub_cache() / PINS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in pins.items() if isinstance(v, str)} if isinstance(pins, dict) else {}


def _pin_key(source: HubFile) -> str:
    return f"{source.repo}/{source.revision}/{source.filename}"


def recorded_sha256(source: HubFile) -> str | None:
    return _pins().get(_pin_key(source))


def record_sha256(source: HubFile, digest: str) -> None:
    pins = {**_pins(), _pin_key(source): digest}
    with contextlib.suppress(OSError):  # not recorded: checked against nothing next time
        write_text_atomic(hub_cache() / PINS, json.dumps(pins, indent=2, sort_keys=True) + "\n")


def fetch_snapshot(repo: str, names: list[str], bar: Any = None) -> Path:
    """The folder holding ``names`` from ``repo``, each fetched and verified like any file."""
    paths = [fetch_file(HubFile(repo, name), bar) for name in names]
    if len({p.parent for p in paths}) > 1:
        raise ModelError(
            tr("{repo} changed while it was being downloaded.").format(repo=repo),
            tr("Run the download again; the files already fetched are kept."),
        )
    return paths[0].parent


def sha256sum(path: Path) -> str:
    digest = sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _network_error(what: str, exc: Exception) -> ModelError:
    """One whole sentence for what went wrong while downloading ``what``, and what to do."""
    from huggingface_hub import constants, errors

    again = tr("run the download again; the files already fetched are kept")
    if isinstance(exc, errors.OfflineModeIsEnabled) or constants.is_offline_mode():
        return ModelError(
            tr(
                "Could not download {what}: downloads are switched off (HF_HUB_OFFLINE is set)."
            ).format(what=what),
            tr("Unset HF_HUB_OFFLINE and {again}.").format(again=again),
        )
    if isinstance(exc, errors.RepositoryNotFoundError | errors.RevisionNotFoundError):
        return ModelError(
            tr("Could not download {what}: the model's source no longer has it.").format(what=what),
            tr("Update VocaLens, or give a model folder with --model DIR."),
        )
    if isinstance(exc, errors.RemoteEntryNotFoundError):
        return ModelError(
            tr("Could not download {what}: the file is missing at its source.").format(what=what),
            tr("Update VocaLens, or give a model folder with --model DIR."),
        )
    if isinstance(exc, errors.HfHubHTTPError) and exc.response is not None:
        return ModelError(
            tr("Could not download {what}: the server answered {status_code}.").format(
                what=what, status_code=exc.response.status_code
            ),
            tr("Wait a while and {again}.").format(again=again),
        )
    network = isinstance(exc, ConnectionError | TimeoutError)
    if isinstance(exc, OSError) and not network and exc.errno and exc.strerror:
        return ModelError(  # the disk: full, read-only, no permission
            tr("Could not save {what}: {problem} ({path}).").format(
                what=what, problem=exc.strerror.lower(), path=exc.filename or hub_cache()
            ),
            tr("Free some space or fix the folder's permissions, then {again}.").format(
                again=again
            ),
        )
    return ModelError(
        tr("Could not download {what}: the internet could not be reached.").format(what=what),
        tr(
            "Check the connection (and any proxy), then {again}. Without internet, copy a model "
            "folder from another computer and choose it as the model in Settings."
        ).format(again=again),
    )

"""A local stand-in for the model hub: real HTTP on a local port, serving files as the Hugging
Face Hub does (HEAD with an ETag and a commit, ranged GETs), slowly enough to be stopped."""

from __future__ import annotations

import contextlib
import hashlib
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Files = dict[str, bytes]  # "repo/name/filename" → its bytes


def _handler(files: Files, pause: float) -> type[BaseHTTPRequestHandler]:
    class Hub(BaseHTTPRequestHandler):
        def do_HEAD(self) -> None:
            self.serve(body=False)

        def do_GET(self) -> None:
            self.serve(body=True)

        def serve(self, body: bool) -> None:
            found = re.fullmatch(r"/(.+?/.+?)/resolve/[^/]+/(.+)", self.path.split("?")[0])
            repo = found.group(1) if found else ""
            data = files.get(f"{repo}/{found.group(2)}") if found else None
            if data is None:
                self.send_response(404)
                self.send_header("X-Error-Code", "EntryNotFound")
                self.end_headers()
                return
            start = 0
            asked = self.headers.get("Range")
            if body and asked:
                start = int(re.match(r"bytes=(\d+)-", asked).group(1))  # type: ignore[union-attr]
            self.send_response(206 if start else 200)
            self.send_header("Content-Length", str(len(data) - start))
            self.send_header("ETag", f'"{hashlib.sha256(data).hexdigest()}"')
            self.send_header("X-Repo-Commit", _commit(files, repo))
            self.send_header("Accept-Ranges", "bytes")
            if start:
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            self.end_headers()
            if body:
                for at in range(start, len(data), 64 << 10):  # as over a real network
                    self.wfile.write(data[at : at + (64 << 10)])
                    time.sleep(pause)

        def log_message(self, *args: object) -> None:
            pass

    return Hub


def _commit(files: Files, repo: str) -> str:
    """The repository's commit: one for all its files, a new one when any of them changes."""
    digest = hashlib.sha1(repo.encode())
    for path in sorted(p for p in files if p.startswith(f"{repo}/")):
        digest.update(path.encode() + hashlib.sha256(files[path]).digest())
    return digest.hexdigest()


@contextlib.contextmanager
def serve(files: Files, pause: float = 0.0) -> Iterator[str]:
    """Serve ``files`` (the dict may change while serving) and yield the hub's address."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(files, pause))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def hub_env(address: str) -> dict[str, str]:
    """What a process needs to download from the stand-in and nowhere else."""
    return {
        "HF_ENDPOINT": address,
        "HF_HUB_OFFLINE": "0",
        "NO_PROXY": "127.0.0.1",
        "HF_HUB_DISABLE_XET": "1",
    }

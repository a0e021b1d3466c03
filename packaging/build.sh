#!/usr/bin/env bash
# Build the one-folder VocaLens app in a clean environment:
#   packaging/build.sh            -> build/bundle/dist/VocaLens (and its size)
# A CPU build of torch is used where the platform offers one (TORCH_INDEX, default the
# PyTorch CPU index); where that index cannot be reached, torch comes from PyPI, and if that
# is a CUDA build its CUDA libraries stay in the bundle (they cannot be dropped from it).
# BUILD_DIR changes where everything goes; PYTHON picks the interpreter.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build/bundle}
PYTHON=${PYTHON:-python3}
TORCH_INDEX=${TORCH_INDEX:-https://download.pytorch.org/whl/cpu}
ENV="$BUILD/env"
PIP=("$ENV/bin/python" -m pip install --quiet --disable-pip-version-check)

works() { "$ENV/bin/python" -c "import torch, torchvision" 2>/dev/null; }

test -x "$ENV/bin/python" || "$PYTHON" -m venv "$ENV"
if ! works; then
    "${PIP[@]}" torch torchvision --index-url "$TORCH_INDEX" --retries 0 --timeout 15 \
        2>/dev/null || true
fi
if ! works; then
    # Unreachable, or a pair that does not load together (a torchvision built for another torch).
    echo "No working CPU build of torch and torchvision came from $TORCH_INDEX; using PyPI's." >&2
    "$ENV/bin/python" -m pip uninstall --quiet --yes torch torchvision 2>/dev/null || true
    "${PIP[@]}" torch torchvision
    works || { echo "torch and torchvision do not load together in $ENV." >&2; exit 1; }
fi
"${PIP[@]}" "$ROOT[desktop,ocr]" pyinstaller
if "$ENV/bin/python" -c "import sys, torch; sys.exit(torch.version.cuda is None)"; then
    echo "This torch is a CUDA build: its CUDA libraries stay in (a large bundle)." >&2
    export VOCALENS_KEEP_CUDA=1
fi
rm -rf "$BUILD/dist"
"$ENV/bin/pyinstaller" "$ROOT/packaging/vocalens.spec" --noconfirm --log-level WARN \
    --distpath "$BUILD/dist" --workpath "$BUILD/work"
APP="$BUILD/dist/VocaLens"
case "$(uname -s)" in
    Linux) cp "$ROOT"/packaging/linux/{vocalens.desktop,install.sh,uninstall.sh} "$APP/" ;;
esac
echo "Built $APP ($(du -sh "$APP" | cut -f1))"

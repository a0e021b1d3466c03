#!/usr/bin/env bash
# Build the one-folder VocaLens app:
#   packaging/build.sh            -> build/bundle/dist/VocaLens (and its size)
# Everything is installed from the lock (packaging/requirements.lock), so the app holds the
# versions the suite passed with. A CPU build of torch is used where the platform offers one
# (TORCH_INDEX, default the PyTorch CPU index); where that index cannot be reached, torch comes
# from the lock, and if that is a CUDA build its CUDA libraries stay in the bundle.
# BUILD_DIR changes where everything goes; PYTHON picks the interpreter; BUILD_ENV=DIR builds
# from an environment that already holds the locked packages (the test command passes its own)
# instead of making a clean one.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build/bundle}
PYTHON=${PYTHON:-python3}
TORCH_INDEX=${TORCH_INDEX:-https://download.pytorch.org/whl/cpu}
LOCK="$ROOT/packaging/requirements.lock"
ENV=${BUILD_ENV:-$BUILD/env}
PIP=("$ENV/bin/python" -m pip install --quiet --disable-pip-version-check)

works() { "$ENV/bin/python" -c "import torch, torchvision" 2>/dev/null; }

if [ -z "${BUILD_ENV:-}" ]; then
    test -x "$ENV/bin/python" || "$PYTHON" -m venv "$ENV"
    if ! works; then
        "${PIP[@]}" torch torchvision --index-url "$TORCH_INDEX" --retries 0 --timeout 15 \
            2>/dev/null || true
    fi
    if ! works; then
        # Unreachable, or a pair that does not load together (a torchvision built for another torch).
        echo "No working CPU build of torch and torchvision came from $TORCH_INDEX; using the lock's." >&2
        "$ENV/bin/python" -m pip uninstall --quiet --yes torch torchvision 2>/dev/null || true
        "${PIP[@]}" -c "$LOCK" torch torchvision
        works || { echo "torch and torchvision do not load together in $ENV." >&2; exit 1; }
    fi
    "${PIP[@]}" -c "$LOCK" "$ROOT[desktop,ocr]" pyinstaller
fi
works || { echo "$ENV has no working torch and torchvision." >&2; exit 1; }
if [ -n "${BUILD_ENV:-}" ]; then
    # An editable install of VocaLens is invisible to PyInstaller's analysis: build from a
    # plain copy of the package.
    rm -rf "$BUILD/src"
    "${PIP[@]}" --no-deps --target "$BUILD/src" "$ROOT"
    export PYTHONPATH="$BUILD/src${PYTHONPATH:+:$PYTHONPATH}"
fi
if "$ENV/bin/python" -c "import sys, torch; sys.exit(torch.version.cuda is None)"; then
    echo "This torch is a CUDA build: its CUDA libraries stay in (a large bundle)." >&2
    export VOCALENS_KEEP_CUDA=1
fi
rm -rf "$BUILD/dist"
"$ENV/bin/pyinstaller" "$ROOT/packaging/vocalens.spec" --noconfirm --log-level WARN \
    --distpath "$BUILD/dist" --workpath "$BUILD/work"
rm -rf "$BUILD/work"  # intermediate files only
APP="$BUILD/dist/VocaLens"
case "$(uname -s)" in
    Linux) cp "$ROOT"/packaging/linux/{vocalens.desktop,install.sh,uninstall.sh} "$APP/" ;;
esac
echo "Built $APP ($(du -sh "$APP" | cut -f1))"
if [ -n "${BUILD_ENV:-}" ] && command -v hardlink >/dev/null; then
    # A test build beside its environment: the libraries copied from it take no second copy
    # of disk space.
    hardlink --quiet --ignore-time --ignore-mode "$ENV" "$APP" >/dev/null 2>&1 || true
fi

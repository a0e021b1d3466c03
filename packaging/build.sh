#!/usr/bin/env bash
# Build the one-folder VocaLens app:
#   packaging/build.sh            -> build/bundle/dist/VocaLens (and its size)
# Everything is installed from the lock (packaging/requirements.lock), so the app holds the
# versions the suite passed with, and from the app's own extras only: no torch, transformers or
# open_clip (the app runs the captioner on onnxruntime). BUILD_DIR changes where everything
# goes (its env/ is made once and kept); PYTHON picks the interpreter.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build/bundle}
PYTHON=${PYTHON:-python3}
LOCK="$ROOT/packaging/requirements.lock"
ENV=$BUILD/env
PIP=("$ENV/bin/python" -m pip install --quiet --disable-pip-version-check)

test -x "$ENV/bin/python" || "$PYTHON" -m venv "$ENV"
# Not editable: PyInstaller's analysis cannot see an editable install.
"${PIP[@]}" -c "$LOCK" --force-reinstall --no-deps "$ROOT"
"${PIP[@]}" -c "$LOCK" "$ROOT[desktop,ocr]" pyinstaller
for heavy in torch torchvision transformers open_clip; do
    if "$ENV/bin/python" -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('$heavy') is None)"; then
        echo "$ENV holds $heavy, which the app must not carry." >&2
        exit 1
    fi
done
rm -rf "$BUILD/dist"
"$ENV/bin/pyinstaller" "$ROOT/packaging/vocalens.spec" --noconfirm --log-level WARN \
    --distpath "$BUILD/dist" --workpath "$BUILD/work"
rm -rf "$BUILD/work"  # intermediate files only
APP="$BUILD/dist/VocaLens"
if [ "$(uname -s)" = Linux ] && command -v strip >/dev/null; then
    # The system's own libraries (libpython above all) carry symbols only debuggers read.
    # Libraries inside wheels are left alone: stripping one rewritten by auditwheel breaks it.
    find "$APP/_internal" "$APP/_internal"/python3*/lib-dynload -maxdepth 1 -type f \
        -name "*.so*" -exec strip --strip-unneeded {} +
fi
case "$(uname -s)" in
    Linux) cp "$ROOT"/packaging/linux/{vocalens.desktop,install.sh,uninstall.sh} "$APP/" ;;
esac
echo "Built $APP ($(du -sh "$APP" | cut -f1))"
if command -v hardlink >/dev/null; then
    # The libraries copied from the environment take no second copy of disk space.
    hardlink --quiet --ignore-time --ignore-mode "$ENV" "$APP" >/dev/null 2>&1 || true
fi

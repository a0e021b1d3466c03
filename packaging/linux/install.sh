#!/bin/sh
# Install this VocaLens folder for the current user (no root needed):
#   ./install.sh            into ~/.local
#   PREFIX=/opt/x ./install.sh
# It copies the app to $PREFIX/lib/vocalens, links `vocalens` and `vocalens-desktop` into
# $PREFIX/bin, and adds the menu entry and icons. ./uninstall.sh undoes it.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
PREFIX=${PREFIX:-$HOME/.local}
APP="$PREFIX/lib/vocalens"
SHARE=${XDG_DATA_HOME:-$PREFIX/share}
[ "$PREFIX" = "$HOME/.local" ] || SHARE="$PREFIX/share"

if [ ! -x "$HERE/vocalens-desktop" ]; then
    echo "This script belongs inside the VocaLens folder, next to vocalens-desktop." >&2
    exit 1
fi
if [ "$HERE" != "$APP" ]; then
    rm -rf "$APP.new"
    mkdir -p "$(dirname "$APP")"
    # hard links where the folders share a disk (no second copy), else a copy
    cp -al "$HERE" "$APP.new" 2>/dev/null || { rm -rf "$APP.new"; cp -a "$HERE" "$APP.new"; }
    rm -rf "$APP"
    mv "$APP.new" "$APP"
fi
mkdir -p "$PREFIX/bin" "$SHARE/applications"
ln -sf "$APP/vocalens" "$PREFIX/bin/vocalens"
ln -sf "$APP/vocalens-desktop" "$PREFIX/bin/vocalens-desktop"
sed "s|@BIN@|$APP|g" "$APP/vocalens.desktop" > "$SHARE/applications/vocalens.desktop"
for png in "$APP"/_internal/vocalens/resources/icons/vocalens-*.png; do
    size=$(basename "$png" .png | sed 's/vocalens-//')
    mkdir -p "$SHARE/icons/hicolor/${size}x${size}/apps"
    cp "$png" "$SHARE/icons/hicolor/${size}x${size}/apps/vocalens.png"
done
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$SHARE/applications" || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$SHARE/icons/hicolor" || true
echo "VocaLens is installed in $APP. Start it from the menu or with: $PREFIX/bin/vocalens-desktop"
case ":$PATH:" in *":$PREFIX/bin:"*) ;; *) echo "($PREFIX/bin is not on your PATH.)" ;; esac

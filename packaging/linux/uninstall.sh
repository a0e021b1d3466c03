#!/bin/sh
# Remove what ./install.sh added (same PREFIX). Your settings and downloaded models stay;
# the last lines say where they are, for removing them too.
set -eu
PREFIX=${PREFIX:-$HOME/.local}
APP="$PREFIX/lib/vocalens"
SHARE=${XDG_DATA_HOME:-$PREFIX/share}
[ "$PREFIX" = "$HOME/.local" ] || SHARE="$PREFIX/share"

rm -f "$PREFIX/bin/vocalens" "$PREFIX/bin/vocalens-desktop"
rm -f "$SHARE/applications/vocalens.desktop"
rm -f "$SHARE"/icons/hicolor/*/apps/vocalens.png
rm -f "${XDG_CONFIG_HOME:-$HOME/.config}/autostart/vocalens.desktop"
case "$(cd "$(dirname "$0")" && pwd)" in
    "$APP") echo "Delete this folder to finish: rm -rf $APP" ;;
    *) rm -rf "$APP" ;;
esac
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$SHARE/applications" || true
echo "VocaLens is uninstalled. Settings and models are kept in:"
echo "  ${XDG_CONFIG_HOME:-$HOME/.config}/vocalens  ${XDG_DATA_HOME:-$HOME/.local/share}/vocalens  ${XDG_CACHE_HOME:-$HOME/.cache}/vocalens"

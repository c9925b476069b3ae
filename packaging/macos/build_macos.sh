#!/usr/bin/env bash
# macOS: build "CoderAI Desktop.app", check it, and pack it in a .dmg; sign and notarise when asked.
#
#   packaging/macos/build_macos.sh                  unsigned (ad-hoc signed) .app and .dmg, for testing
#   CODESIGN_IDENTITY="Developer ID Application: Name (TEAMID)" NOTARY_PROFILE=coderai-notary \
#       packaging/macos/build_macos.sh              signed, notarised and stapled (.app and .dmg)
#
# Needs: Xcode command line tools (codesign, hdiutil, xcrun notarytool/stapler), a Python 3.11 built for the
# target architecture (python.org's universal2 installer or Homebrew; PYTHON=/path/to/python3.11).
# The app is built for the machine's architecture (arm64 on Apple silicon); build on each for both.
# See README.md in this folder for the one-time signing and notarisation setup.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(uname)" = Darwin ] || { echo "build_macos.sh runs on macOS" >&2; exit 1; }

APP="dist/CoderAI Desktop.app"
VERSION=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' coderai_desktop/__init__.py)
DMG="dist/CoderAI-Desktop-$VERSION-macos-$(uname -m).dmg"

[ -x .venv-build/bin/python ] || "${PYTHON:-python3.11}" -m venv .venv-build
. .venv-build/bin/activate
pip install -q -e . "pyinstaller>=6.10,<7"  # editable: PyInstaller sees this checkout
python packaging/make_icons.py
# coderai.spec reads CODESIGN_IDENTITY: PyInstaller then signs every binary and the .app with the hardened
# runtime, a secure timestamp and packaging/macos/entitlements.plist (without it: ad-hoc signatures).
pyinstaller --noconfirm --clean --log-level WARN coderai.spec

# The self-test and the GUI up to its login dialog, from inside the .app, before anything is shipped.
python packaging/check_bundle.py "$APP"

notarise() {  # submit a .zip, .dmg or .pkg and wait for Apple's verdict (its log says why when refused)
    xcrun notarytool submit "$1" --keychain-profile "$NOTARY_PROFILE" --wait --timeout 1h
}

if [ -n "${CODESIGN_IDENTITY:-}" ]; then
    codesign --verify --deep --strict --verbose=2 "$APP"
    if [ -n "${NOTARY_PROFILE:-}" ]; then
        # Notarise the app itself and staple its ticket, so a copy dragged out of the disk image opens offline.
        ditto -c -k --keepParent "$APP" "dist/app-for-notary.zip"
        notarise "dist/app-for-notary.zip"
        rm "dist/app-for-notary.zip"
        xcrun stapler staple "$APP"
    fi
fi

# The disk image: the app and a link to /Applications to drag it onto.
staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
ditto "$APP" "$staging/CoderAI Desktop.app"   # ditto keeps the signatures' extended attributes and links
ln -s /Applications "$staging/Applications"
rm -f "$DMG"
hdiutil create -volname "CoderAI Desktop $VERSION" -srcfolder "$staging" -fs HFS+ -format UDZO -ov "$DMG"

if [ -n "${CODESIGN_IDENTITY:-}" ]; then
    codesign --sign "$CODESIGN_IDENTITY" --timestamp "$DMG"
    if [ -n "${NOTARY_PROFILE:-}" ]; then
        notarise "$DMG"
        xcrun stapler staple "$DMG"
        spctl --assess --type open --context context:primary-signature --verbose=2 "$DMG"
        spctl --assess --type execute --verbose=2 "$APP"
    fi
fi
echo "Built: $APP and $DMG ($(du -sh "$APP" | cut -f1) app, $(du -h "$DMG" | cut -f1) disk image)"

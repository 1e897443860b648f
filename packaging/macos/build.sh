#!/usr/bin/env bash
# Builds Confab for macOS on the machine's own architecture (arm64 or x86_64):
#
#   dist/Confab.app                          from packaging/confab.spec (Info.plist: bundle id,
#                                            version, high-resolution, minimum macOS)
#   dist/Confab-<version>-macos-<arch>.dmg   the app and a link to /Applications
#
#   bash packaging/macos/build.sh
#
# Signing and notarisation happen only when their secrets are in the environment; without them
# the app keeps PyInstaller's ad-hoc signature (it runs on the machine that built it; elsewhere
# Gatekeeper asks the user to allow it in System Settings > Privacy & Security).
#   MACOS_CERTIFICATE           base64 of a "Developer ID Application" .p12
#   MACOS_CERTIFICATE_PASSWORD  its password
#   APPLE_ID, APPLE_TEAM_ID, APPLE_APP_PASSWORD   an app-specific password, for notarytool
# Other environment: PYTHON (default: python3 with Confab and the `package` extra installed),
# DIST_DIR (default dist), BUILD_DIR (default build).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
PYTHON=${PYTHON:-python3}
DIST_DIR=$(cd "$ROOT" && mkdir -p "${DIST_DIR:-dist}" && cd "${DIST_DIR:-dist}" && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}

step() { printf '== %s\n' "$*"; }
die() { printf 'build.sh: %s\n' "$*" >&2; exit 1; }
[ "$(uname -s)" = Darwin ] || die "this script runs on macOS"

version=$("$PYTHON" -c 'import desktop; print(desktop.__version__)')
arch=$(uname -m)
app=$DIST_DIR/Confab.app

signing=0
if [ -n "${MACOS_CERTIFICATE:-}" ] && [ -n "${MACOS_CERTIFICATE_PASSWORD:-}" ]; then
  step "Developer ID certificate into a temporary keychain"
  signing=1
  keychain=$BUILD_DIR/signing.keychain-db
  keychain_password=$(uuidgen)
  mkdir -p "$BUILD_DIR"
  rm -f "$keychain"
  security create-keychain -p "$keychain_password" "$keychain"
  trap 'security delete-keychain "$keychain" 2>/dev/null || true' EXIT
  security set-keychain-settings -lut 3600 "$keychain"
  security unlock-keychain -p "$keychain_password" "$keychain"
  certificate=$BUILD_DIR/certificate.p12
  base64 --decode > "$certificate" <<<"$MACOS_CERTIFICATE"
  security import "$certificate" -k "$keychain" -P "$MACOS_CERTIFICATE_PASSWORD" \
    -T /usr/bin/codesign
  rm -f "$certificate"
  security set-key-partition-list -S apple-tool:,apple: -s -k "$keychain_password" "$keychain" \
    >/dev/null
  # shellcheck disable=SC2046  # the existing keychains, one word each
  security list-keychains -d user -s "$keychain" $(security list-keychains -d user | tr -d '"')
  identity=$(security find-identity -v -p codesigning "$keychain" \
    | sed -n 's/.*"\(Developer ID Application:.*\)"/\1/p' | head -1)
  [ -n "$identity" ] || die "no Developer ID Application identity in MACOS_CERTIFICATE"
  # confab.spec hands it to PyInstaller, which signs every binary, then the app, with the
  # hardened runtime and packaging/macos/entitlements.plist.
  export CONFAB_CODESIGN_IDENTITY=$identity
fi

step "PyInstaller app (Confab $version, $arch) -> $app"
"$PYTHON" -m PyInstaller --noconfirm --log-level WARN \
  --distpath "$DIST_DIR" --workpath "$BUILD_DIR/pyinstaller" packaging/confab.spec
rm -rf "$DIST_DIR/confab"  # the folder BUNDLE was made from; Confab.app has all of it
plist=$app/Contents/Info.plist
for key in CFBundleIdentifier CFBundleShortVersionString CFBundleVersion LSMinimumSystemVersion; do
  printf '%s = %s\n' "$key" "$(/usr/libexec/PlistBuddy -c "Print :$key" "$plist")"
done
[ "$(/usr/libexec/PlistBuddy -c 'Print :CFBundleShortVersionString' "$plist")" = "$version" ] \
  || die "Info.plist does not carry version $version"
reported=$("$app/Contents/MacOS/confab" --version)
[ "$reported" = "Confab $version" ] || die "the app says '$reported', expected 'Confab $version'"
codesign --verify --deep --strict "$app"

step "disk image"
dmg=$DIST_DIR/Confab-$version-macos-$arch.dmg
staging=$BUILD_DIR/dmg
rm -rf "$staging" "$dmg"
mkdir -p "$staging"
ditto "$app" "$staging/Confab.app"
ln -s /Applications "$staging/Applications"
hdiutil create -volname "Confab $version" -srcfolder "$staging" -fs HFS+ -format UDZO \
  -ov "$dmg" >/dev/null

if [ "$signing" = 1 ]; then
  codesign --force --timestamp --sign "$identity" "$dmg"
  if [ -n "${APPLE_ID:-}" ] && [ -n "${APPLE_TEAM_ID:-}" ] && [ -n "${APPLE_APP_PASSWORD:-}" ]; then
    step "notarisation"
    xcrun notarytool submit "$dmg" --apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" \
      --password "$APPLE_APP_PASSWORD" --wait
    xcrun stapler staple "$dmg"
  else
    echo "notarisation skipped: APPLE_ID, APPLE_TEAM_ID or APPLE_APP_PASSWORD not set"
  fi
fi

step "done"
du -sh "$app" "$dmg"

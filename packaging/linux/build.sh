#!/usr/bin/env bash
# Builds Confab for Linux (x86_64) from packaging/confab.spec:
#
#   dist/confab/                              the PyInstaller bundle (run dist/confab/confab)
#   dist/confab_<version>_amd64.deb           /opt/confab, /usr/bin/confab, menu entry, icons,
#                                             AppStream metainfo; `apt install ./dist/confab_…deb`
#   dist/confab-<version>-linux-x86_64.tar.gz the same bundle, portable: unpack, run ./confab
#
#   bash packaging/linux/build.sh
#
# With no PYTHON given it first runs .ci/setup (Qt's system libraries, .venv with Confab) and
# installs the `package` extra (PyInstaller, Pillow) into .venv. Either way it installs what
# is missing of binutils and the Python shared library PyInstaller needs (.ci/libpython), with
# sudo when not root. Environment:
#   PYTHON     a Python that has Confab and the `package` extra installed: skips the setup
#   DIST_DIR   where the results go (default: dist)
#   BUILD_DIR  PyInstaller's work files and the .deb's staging tree (default: build)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
DIST_DIR=$(realpath -m "${DIST_DIR:-dist}")
BUILD_DIR=$(realpath -m "${BUILD_DIR:-build}")
APP_ID=io.github.confab.Confab
HERE=$ROOT/packaging/linux

# Libraries the bundle leaves to the system (see _SYSTEM_LIBS in confab.spec) and the Qt
# plugins' own (xcb, Wayland, EGL/GL), as Debian 12 / Ubuntu 22.04 name their packages.
# tests/packaging/test_bundle.py checks that every library the bundle links and does not
# carry comes from one of these.
DEPENDS=(
  libdbus-1-3 libegl1 libfontconfig1 libfreetype6 libgl1 libglib2.0-0
  libwayland-client0 libwayland-cursor0 libwayland-egl1
  libx11-6 libx11-xcb1 libxkbcommon0 libxkbcommon-x11-0
  libxcb1 libxcb-cursor0 libxcb-glx0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
  libxcb-randr0 libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1
  libxcb-util1 libxcb-xfixes0 libxcb-xkb1
)

step() { printf '== %s\n' "$*"; }
die() { printf 'build.sh: %s\n' "$*" >&2; exit 1; }

if [ -z "${PYTHON:-}" ]; then
  bash .ci/setup
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[package]"
  PYTHON=$ROOT/.venv/bin/python
fi
# PyInstaller bundles the interpreter's libpython3.X.so.1.0, which Debian's and Ubuntu's python3
# leave to the package libpython3.X (missing on a fresh machine): install it when needed.
bash "$ROOT/.ci/libpython" "$PYTHON"
# readelf, objdump, strip: binutils, which `.ci/setup --test` installs but plain .ci/setup does not.
if ! command -v readelf >/dev/null || ! command -v objdump >/dev/null || ! command -v strip >/dev/null
then
  if command -v apt-get >/dev/null; then
    sudo=""
    [ "$(id -u)" = 0 ] || ! command -v sudo >/dev/null || sudo=sudo
    echo "Installing binutils (readelf, objdump, strip)"
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      binutils >/dev/null
  fi
fi
for tool in readelf objdump strip; do
  command -v "$tool" >/dev/null || die "$tool not found: install binutils (apt-get install binutils)"
done
command -v dpkg-deb >/dev/null || die "dpkg-deb not found: build on Debian or Ubuntu"
[ "$(uname -m)" = x86_64 ] || die "this script builds x86_64 packages only, not $(uname -m)"

version=$("$PYTHON" -c 'import desktop; print(desktop.__version__)')
started=$SECONDS

step "PyInstaller bundle (Confab $version) -> $DIST_DIR/confab"
"$PYTHON" -m PyInstaller --noconfirm --log-level WARN \
  --distpath "$DIST_DIR" --workpath "$BUILD_DIR/pyinstaller" packaging/confab.spec
bundle=$DIST_DIR/confab
reported=$("$bundle/confab" --version)
[ "$reported" = "Confab $version" ] || die "the bundle says '$reported', expected 'Confab $version'"

# The oldest glibc the bundle accepts: the newest symbol version its binaries use. libstdc++:
# the Qt wheels need GLIBCXX_3.4.29 (GCC 11) at most, which the test checks.
glibc=$( (find "$bundle" -type f \( -name '*.so*' -o -name confab \) -exec objdump -T {} + \
  2>/dev/null || true) | grep -o 'GLIBC_[0-9.]*[0-9]' | sed 's/GLIBC_//' | sort -uV | tail -1)
depends="libc6 (>= $glibc), libstdc++6 (>= 11), libgcc-s1, $(printf '%s, ' "${DEPENDS[@]}")"
depends=${depends%, }

step "Debian package"
stage=$BUILD_DIR/deb/confab_${version}_amd64
rm -rf "$stage"
mkdir -p "$stage/DEBIAN" "$stage/opt" "$stage/usr/bin" "$stage/usr/share/applications" \
  "$stage/usr/share/metainfo"
cp -a "$bundle" "$stage/opt/confab"
ln -s /opt/confab/confab "$stage/usr/bin/confab"
install -m 0644 "$HERE/$APP_ID.desktop" "$stage/usr/share/applications/$APP_ID.desktop"
release_date=$(date -u -d "@${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}" +%F)
sed -e "s/@VERSION@/$version/" -e "s/@DATE@/$release_date/" "$HERE/$APP_ID.metainfo.xml" \
  > "$stage/usr/share/metainfo/$APP_ID.metainfo.xml"
for png in resources/icons/confab-*.png; do
  size=${png##*-}; size=${size%.png}
  install -D -m 0644 "$png" "$stage/usr/share/icons/hicolor/${size}x${size}/apps/$APP_ID.png"
done
install -D -m 0644 resources/icons/confab.svg "$stage/usr/share/icons/hicolor/scalable/apps/$APP_ID.svg"
chmod -R u+rwX,go+rX,go-w "$stage"
installed_kib=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat > "$stage/DEBIAN/control" <<EOF
Package: confab
Version: $version
Architecture: amd64
Maintainer: The Confab developers <confab@users.noreply.github.com>
Installed-Size: $installed_kib
Depends: $depends
Suggests: gnome-keyring, fonts-noto-cjk
Section: net
Priority: optional
Description: fast, frugal desktop client for OpenAI-compatible chat APIs
 Confab talks to OpenAI, DeepSeek, OpenRouter and local servers such as Ollama,
 LM Studio, llama.cpp and vLLM. It streams replies, keeps API keys in the system
 keyring (never in a file), shows what each message costs, and saves every
 conversation as a plain JSON file.
EOF
mkdir -p "$DIST_DIR"
deb=$DIST_DIR/confab_${version}_amd64.deb
# xz -3: a third of the bundle's size in 15 s here (-6 saves 3 MB more in 35 s; gzip -9 is
# 13 MB larger). Debian 12 and Ubuntu 22.04, the oldest with the glibc the bundle needs, read it.
dpkg-deb --build --root-owner-group -Zxz -z3 "$stage" "$deb" >/dev/null

step "portable archive"
tarball=$DIST_DIR/confab-$version-linux-x86_64.tar.gz
tar -C "$DIST_DIR" --owner=0 --group=0 --numeric-owner --sort=name \
  --transform "s,^confab,confab-$version," -czf "$tarball" confab

step "done in $((SECONDS - started)) s"
du -sh "$bundle" "$deb" "$tarball"

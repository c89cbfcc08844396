#!/usr/bin/env bash
# Builds jiefen_VERSION_ARCH.deb from a configured build tree, with dpkg-deb alone:
#   bash deploy/build-deb.sh [BUILD_DIR]      (default: build/ under the checkout)
# The version is jiefend's own (`jiefend --version`) unless JIEFEN_DEB_VERSION is set (the
# package test builds an upgrade that way); the .deb goes to JIEFEN_DEB_OUT (default
# BUILD_DIR). Prints the package's path on its last line. Why no debhelper or CPack:
# docs/operations.md, "The Debian package".
set -euo pipefail
umask 022

src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
out=${JIEFEN_DEB_OUT:-$build}
cmake --build "$build" -j2 --target jiefend jiefenctl jiefen-pdf jiefen-http jiefen-zip >/dev/null
version=${JIEFEN_DEB_VERSION:-$("$build/node/jiefend" --version | awk '{print $2}')}
arch=$(dpkg --print-architecture)

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root=$stage/jiefen
doc=$root/usr/share/doc/jiefen

# The programs, stripped as Debian wants them (the console is inside jiefend).
install -d "$root/usr/bin" "$root/usr/sbin"
install -m 0755 "$build/node/jiefenctl" "$root/usr/bin/jiefenctl"
install -m 0755 "$build/node/jiefend" "$root/usr/sbin/jiefend"
# jiefend's modules, loaded on first use from ../lib/jiefen/ beside it (common/module.h).
install -d "$root/usr/lib/jiefen"
install -m 0644 "$build"/lib/jiefen/jiefen-*.so "$root/usr/lib/jiefen/"
strip --remove-section=.comment --remove-section=.note --strip-unneeded \
    "$root/usr/bin/jiefenctl" "$root/usr/sbin/jiefend" "$root"/usr/lib/jiefen/jiefen-*.so

install -D -m 0644 "$src/deploy/jiefend@.service" "$root/usr/lib/systemd/system/jiefend@.service"

# The conffile: a commented configuration with every option, as `jiefend init` writes it.
"$build/node/jiefend" init --data "$stage/example" --tier village --id example \
    --name 示例 >/dev/null
install -D -m 0644 "$stage/example/jiefend.conf" "$root/etc/jiefen/NAME.conf.example"

install -D -m 0644 "$src/deploy/deb/jiefend.8" "$root/usr/share/man/man8/jiefend.8"
install -D -m 0644 "$src/deploy/deb/jiefenctl.1" "$root/usr/share/man/man1/jiefenctl.1"
install -D -m 0644 "$src/deploy/deb/copyright" "$doc/copyright"
install -D -m 0644 "$src/deploy/deb/lintian-overrides" "$root/usr/share/lintian/overrides/jiefen"
{
    if [ "$version" != "$(dpkg-parsechangelog -l "$src/deploy/deb/changelog" -S Version)" ]; then
        printf 'jiefen (%s) unstable; urgency=medium\n\n  * Built from %s.\n\n -- %s  %s\n\n' \
            "$version" "$(git -C "$src" describe --always --dirty 2>/dev/null || echo source)" \
            "$(dpkg-parsechangelog -l "$src/deploy/deb/changelog" -S Maintainer)" \
            "$(date -R)"
    fi
    cat "$src/deploy/deb/changelog"
} >"$doc/changelog"
for f in cli.md api.md operations.md; do
    install -m 0644 "$src/docs/$f" "$doc/$f"
done
find "$root/usr/share/man" "$doc" -type f ! -name copyright -exec gzip -9n {} +

# The control area: shared libraries the programs link (dpkg-shlibdeps), scripts, conffiles.
install -d "$root/DEBIAN" "$stage/debian"
printf 'Source: jiefen\n\nPackage: jiefen\nArchitecture: any\n' >"$stage/debian/control"
depends=$(cd "$stage" && dpkg-shlibdeps -O "$root/usr/sbin/jiefend" "$root/usr/bin/jiefenctl" \
    "$root"/usr/lib/jiefen/jiefen-*.so \
    2>/dev/null | sed -n 's/^shlibs:Depends=//p')
for s in postinst prerm postrm; do
    install -m 0755 "$src/deploy/deb/$s" "$root/DEBIAN/$s"
done
(cd "$root" && find etc -type f -printf '/%p\n') >"$root/DEBIAN/conffiles"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<CONTROL
Package: jiefen
Version: $version
Architecture: $arch
Maintainer: $(dpkg-parsechangelog -l "$src/deploy/deb/changelog" -S Maintainer)
Installed-Size: $size
Depends: adduser, $depends
Recommends: fonts-noto-cjk
Section: net
Priority: optional
Description: multi-tier dispute-resolution centre node (解纷)
 Jiefen runs the village, township and county dispute-resolution centres
 (矛盾纠纷多元化解) as a tree of nodes: each keeps its own store of signed
 events and serves an HTTP JSON API and a web console in simplified Chinese.
 .
 This package holds the daemon jiefend (with its console), the control tool
 jiefenctl and the systemd unit template jiefend@.service.
CONTROL
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z \
    | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums" "$root/DEBIAN/conffiles"

deb=$out/jiefen_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"

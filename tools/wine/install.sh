#!/bin/sh
# Installs segur-wine (beside this script) in /usr/local/bin, and the wine
# it runs: Debian 13's wine 10 in a Debian 13 of its own under
# /opt/segur-wine (debootstrap from Debian's package archive; the system's
# own packages are not touched). Debian 12's wine 8.0 cannot start a Go
# program (ProcessPrng, Wine ≥ 8.13). Nothing is done when it is there
# already. Root only; about 10 minutes and 2 Go (of which the wine prefix
# 0.8 Go) the first time.
set -eu
root=${SEGUR_WINE_ROOT:-/opt/segur-wine}
here=$(cd "$(dirname "$0")" && pwd -P)
if [ ! -d "$root/usr/lib/wine" ]; then
	command -v debootstrap >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null; }
	rm -rf "$root.partiel"
	debootstrap --variant=minbase trixie "$root.partiel" >/dev/null
	chroot "$root.partiel" /bin/sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wine64 wine && apt-get clean' >/dev/null
	mkdir -p -m 700 "$root.partiel/root/.xdg"
	mv "$root.partiel" "$root"
fi
install -m 755 "$here/segur-wine" /usr/local/bin/segur-wine
# The wine prefix (C:\ and the registry), made once: later runs start in
# about a second instead of half a minute.
if [ ! -f "$root/root/.wine/system.reg" ]; then
	cd /
	segur-wine "$root/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/hostname.exe" >/dev/null 2>&1 || true
fi
test -f "$root/root/.wine/system.reg"

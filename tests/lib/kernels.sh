#!/bin/bash
# Guest kernels and per-kernel module builds.
#
# Sourced: defines kernel_version, kernel_prepare, module_build, ...
# Run:     tests/lib/kernels.sh [--help] COMMAND [6.1|6.12|all]
#
# For each flavour the exact kernel version comes from the candidate of the
# apt metapackage (linux-image-amd64, linux-image-6.12-amd64). The image is
# fetched with `apt-get download` and unpacked into the cache folder (never
# installed into the host /boot); only linux-headers-<ver> is installed on
# the host, for /lib/modules/<ver>/build.
#
# Cache layout (${NVMEV_CACHE:-<repo>/.cache}):
#   kernels/<ver>/root/boot/vmlinuz-<ver>      guest kernel
#   kernels/<ver>/root/lib/modules/<ver>/      guest modules (+ depmod)
#   build/<ver>/nvmev.ko                       module built for <ver>

# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

kernels_usage() {
	cat <<EOF
Usage: tests/lib/kernels.sh [--help] COMMAND [FLAVOUR]

Commands (FLAVOUR is 6.1, 6.12 or all; default all):
  version   print the exact kernel version of each flavour
  prepare   install headers, download and unpack the guest kernel
  build     prepare, then build the module from src/ for each flavour
  path      print the guest kernel image and module paths

Environment: NVMEV_CACHE (default <repo>/.cache),
             NVMEV_MODULE_SRC (default <repo>/src).
EOF
}

# Exact version named by the metapackage candidate, e.g. 6.1.0-56-amd64.
kernel_version() {
	local meta=${NVMEV_METAPKG[$1]:?unknown flavour $1} pkg
	apt_update_once
	pkg=$(apt-cache show --no-all-versions "$meta" 2>/dev/null |
		sed -n 's/^Depends: //p' | tr ',' '\n' |
		grep -o 'linux-image-[0-9][^ ]*' | head -n1)
	[[ -n $pkg ]] || die "cannot resolve $meta with apt-cache"
	echo "${pkg#linux-image-}"
}

kernel_dir() { echo "$NVMEV_CACHE/kernels/$1"; }
kernel_root() { echo "$NVMEV_CACHE/kernels/$1/root"; }
kernel_image() { echo "$NVMEV_CACHE/kernels/$1/root/boot/vmlinuz-$1"; }
kernel_moddir() { echo "$NVMEV_CACHE/kernels/$1/root/lib/modules/$1"; }
module_dir() { echo "$NVMEV_CACHE/build/$1"; }
module_ko() { echo "$NVMEV_CACHE/build/$1/nvmev.ko"; }

kernel_headers() {
	local ver=$1
	[[ -f /lib/modules/$ver/build/Makefile ]] && return 0
	say "installing linux-headers-$ver on the host"
	ensure_packages "linux-headers-$ver"
}

# Download and unpack linux-image-<ver> into the cache (once).
kernel_fetch() {
	local ver=$1 dir deb
	dir=$(kernel_dir "$ver")
	[[ -f $dir/.unpacked ]] && return 0
	say "downloading linux-image-$ver into $dir"
	rm -rf "$dir" && mkdir -p "$dir/deb"
	# _apt must be able to write here, else apt warns and downloads as root.
	chmod 0777 "$dir/deb"
	(cd "$dir/deb" && apt-get download -q "linux-image-$ver" >&2)
	deb=$(ls "$dir"/deb/linux-image-"$ver"_*.deb)
	say "unpacking $(basename "$deb")"
	dpkg-deb -x "$deb" "$dir/root"
	# Newer packages may ship modules under usr/lib; depmod -b wants lib/.
	if [[ ! -d $dir/root/lib/modules/$ver && -d $dir/root/usr/lib/modules/$ver ]]; then
		mkdir -p "$dir/root/lib/modules"
		mv "$dir/root/usr/lib/modules/$ver" "$dir/root/lib/modules/"
	fi
	[[ -f $(kernel_image "$ver") ]] || die "no vmlinuz in $deb"
	rm -rf "$dir/deb"
	touch "$dir/.unpacked"
}

kernel_depmod() {
	local ver=$1 dir
	dir=$(kernel_dir "$ver")
	[[ -f $dir/.depmod ]] && return 0
	say "depmod for guest kernel $ver"
	depmod -b "$(kernel_root "$ver")" "$ver"
	touch "$dir/.depmod"
}

# Print the version after making headers, image and modules ready.
kernel_prepare() {
	local flavour=$1 ver
	ver=$(kernel_version "$flavour")
	say "kernel $flavour: $ver"
	kernel_headers "$ver"
	kernel_fetch "$ver"
	kernel_depmod "$ver"
	echo "$ver"
}

# Build nvmev.ko for <ver> from a copy of the module source tree.
# Incremental: rsync keeps timestamps and build products, make does the rest.
module_build() {
	local ver=$1 dir log
	dir=$(module_dir "$ver")
	log=$dir.log
	[[ -d $NVMEV_MODULE_SRC ]] || {
		warn "no module source at $NVMEV_MODULE_SRC"
		return 1
	}
	mkdir -p "$dir"
	rsync -a --delete \
		--exclude='*.o' --exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' \
		--exclude='.*.cmd' --exclude='modules.order' --exclude='Module.symvers' \
		"$NVMEV_MODULE_SRC/" "$dir/"
	# src/Kbuild reads the version from ../VERSION, as in the source tree.
	cp "$NVMEV_MODULE_SRC/../VERSION" "$(dirname "$dir")/VERSION"
	say "building nvmev.ko for $ver (log: $log)"
	if ! make -C "/lib/modules/$ver/build" M="$dir" -j"$(nproc)" modules >"$log" 2>&1; then
		tail -n 30 "$log" >&2
		warn "module build failed for $ver (full log: $log)"
		return 1
	fi
	[[ -f $(module_ko "$ver") ]] || {
		warn "build for $ver produced no nvmev.ko (log: $log)"
		return 1
	}
}

kernels_main() {
	local cmd=${1:-} flavour ver rc=0
	case $cmd in
	-h | --help | help) kernels_usage; return 0 ;;
	version | prepare | build | path) ;;
	*) kernels_usage >&2; return 2 ;;
	esac
	[[ $cmd == version ]] || need_root
	[[ $cmd == version ]] || ensure_host_packages
	for flavour in $(expand_flavours "${2:-all}"); do
		case $cmd in
		version) echo "$flavour $(kernel_version "$flavour")" ;;
		prepare) kernel_prepare "$flavour" >/dev/null ;;
		build)
			ver=$(kernel_prepare "$flavour")
			module_build "$ver" && module_ko "$ver" || rc=1
			;;
		path)
			ver=$(kernel_version "$flavour")
			echo "$flavour $(kernel_image "$ver") $(kernel_moddir "$ver")"
			;;
		esac
	done
	return $rc
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	set -euo pipefail
	kernels_main "$@"
fi

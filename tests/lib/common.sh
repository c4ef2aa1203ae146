# shellcheck shell=bash
# Host-side helpers shared by tests/run, tests/demo.sh and tests/lib/*.sh.
# Source this file; it defines paths and small utilities, nothing runs.

NVMEV_TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NVMEV_REPO=$(cd "$NVMEV_TESTS_DIR/.." && pwd)
NVMEV_CACHE=${NVMEV_CACHE:-$NVMEV_REPO/.cache}
# Module source tree copied into the per-kernel build folder.
NVMEV_MODULE_SRC=${NVMEV_MODULE_SRC:-$NVMEV_REPO/src}
# Kernel flavours: short name -> apt metapackage naming the exact image.
NVMEV_FLAVOURS=(6.1 6.12)
declare -A NVMEV_METAPKG=([6.1]=linux-image-amd64 [6.12]=linux-image-6.12-amd64)

# Host packages: what the harness itself uses plus the userland the guest
# borrows from the host root (nvme-cli, fio, e2fsprogs, util-linux, ...).
NVMEV_HOST_PACKAGES=(
	qemu-system-x86 busybox-static kmod cpio xz-utils zstd rsync make
	fio nvme-cli e2fsprogs xfsprogs btrfs-progs util-linux coreutils
)

say() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

need_root() {
	[[ $(id -u) -eq 0 ]] || die "must run as root (apt-get, 9p export of /)"
}

# True when a Debian package is fully installed.
pkg_installed() {
	[[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]
}

# Make sure apt has package lists (a clean machine may have none).
apt_lists_ready() {
	[[ -n $(apt-cache policy "${NVMEV_METAPKG[6.1]}" 2>/dev/null |
		awk '/Candidate:/ && $2 != "(none)" {print $2}') ]]
}

apt_update_once() {
	apt_lists_ready && return 0
	say "apt-get update"
	DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
}

# Install the given packages, only those not installed yet.
ensure_packages() {
	local p missing=()
	for p in "$@"; do
		pkg_installed "$p" || missing+=("$p")
	done
	[[ ${#missing[@]} -eq 0 ]] && return 0
	apt_update_once
	say "apt-get install ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends -o DPkg::Lock::Timeout=900 "${missing[@]}" >&2
}

ensure_host_packages() {
	ensure_packages "${NVMEV_HOST_PACKAGES[@]}"
}

# Accept "6.1", "6.12" or "all"; print flavours one per line.
expand_flavours() {
	local f
	case $1 in
	all) printf '%s\n' "${NVMEV_FLAVOURS[@]}" ;;
	*)
		for f in "${NVMEV_FLAVOURS[@]}"; do
			[[ $f == "$1" ]] && { echo "$f"; return 0; }
		done
		die "unknown kernel '$1' (expected: ${NVMEV_FLAVOURS[*]} or all)"
		;;
	esac
}

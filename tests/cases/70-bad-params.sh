#!/bin/bash
# Bad module parameters are refused: insmod fails, exactly one nvmev: error
# line, module not left loaded. A good load works afterwards.
# append: memmap=2M$0x100000000
# timeout: 300
source "$(dirname "$0")/../lib/guest.sh"

# Default parameters with KEY=VALUE replacing the same key (or added).
with_param() {
	local kv=$1 p out=()
	for p in "${NVMEV_DEFAULT_PARAMS[@]}"; do
		[[ ${p%%=*} == "${kv%%=*}" ]] || out+=("$p")
	done
	echo "${out[*]} $kv"
}

one_nvmev_error() {
	local n
	n=$(dmesg_errors | grep -c 'nvmev:' || true)
	[[ $n -eq 1 ]] || {
		echo "want 1 err-level nvmev: line, got $n:"
		dmesg_since | tail -n 5
		return 1
	}
}

refused() {
	local params
	read -r -a params <<<"$(with_param "$1")"
	dmesg_mark
	check "$1 refused by insmod" expect_fail nvmev_insmod "${params[@]}"
	check "$1: one nvmev: error line" one_nvmev_error
	if nvmev_loaded; then
		check "$1: module not left loaded" false
		nvmev_unload || fail "cannot unload after $1"
	fi
}

modprobe nvme
for bad in cpus=1 cpus=1,1 cpus=1,99 kind=bogus capacity=0 memmap_size=0 \
	memmap_start=4097 read_lat_ns=100000000000 write_lat_ns=100000000000 \
	lba_size=1000; do
	refused "$bad"
done

check "good load after the bad ones" nvmev_load
check "namespace usable" dd if=/dev/zero of="$NVME_NS" bs=4k count=16 oflag=direct status=none
check "unload" nvmev_unload

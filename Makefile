# SPDX-License-Identifier: GPL-2.0
#
# nvmev top-level Makefile.
#
#   make            build src/nvmev.ko for the running kernel (or KDIR=...)
#   make install    install it into /lib/modules/<release>/updates
#   make check      every test: unit tests, then the VM suite on Debian 6.1 and 6.12
#   make demo       boot a throwaway VM with the device attached and show it
#   make bench      benchmark nvmev against null_blk, brd and QEMU's NVMe (bench/run)
#   make unit       user-space unit tests only
#   make sim        build the SSD, ZNS and KV simulators into .cache/bin/
#                   (user space; tune an SSD profile: docs/ssdsim.md)
#   make deb        build the nvmev-dkms .deb into .cache/pkg/ (dpkg-buildpackage)
#   make rpm        build the nvmev-dkms .rpm into .cache/pkg/ (rpmbuild)
#   make clean

KDIR ?= /lib/modules/$(shell uname -r)/build

all: module

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/src modules

install: module
	$(MAKE) -C $(KDIR) M=$(CURDIR)/src INSTALL_MOD_DIR=updates modules_install
	depmod -a $(notdir $(patsubst %/build,%,$(KDIR)))

unit:
	$(MAKE) -C tests/unit

check:
	tests/check

demo:
	tests/demo.sh

bench:
	bench/run

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/src clean
	$(MAKE) -C tests/unit clean

.PHONY: all module install unit check demo bench clean

# --- The SSD simulator: the FTL of src/pure/ in user space, on a virtual
# clock. It goes to $(NVMEV_CACHE)/bin (default .cache/bin, ignored by git).
SSDSIM := $(if $(NVMEV_CACHE),$(abspath $(NVMEV_CACHE)),$(CURDIR)/.cache)/bin/nvmev-ssdsim
SSDSIM_SRCS := $(CURDIR)/src/tools/nvmev-ssdsim.c $(wildcard $(CURDIR)/src/pure/*.c)
# The ZNS kind's model on a virtual clock, beside it.
ZNSSIM := $(dir $(SSDSIM))nvmev-znssim
ZNSSIM_SRCS := $(CURDIR)/src/tools/nvmev-znssim.c $(wildcard $(CURDIR)/src/pure/*.c)

# And the KV kind's.
KVSIM := $(dir $(SSDSIM))nvmev-kvsim
KVSIM_SRCS := $(CURDIR)/src/tools/nvmev-kvsim.c $(wildcard $(CURDIR)/src/pure/*.c)

sim: $(SSDSIM) $(ZNSSIM) $(KVSIM)

$(KVSIM): $(KVSIM_SRCS) $(wildcard $(CURDIR)/src/pure/*.h)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -Wall -Wextra -O2 -I$(CURDIR)/src/pure -o $@ $(KVSIM_SRCS) -lm
	@echo "built $@ (try: $@ --help)"

$(ZNSSIM): $(ZNSSIM_SRCS) $(wildcard $(CURDIR)/src/pure/*.h)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -Wall -Wextra -O2 -I$(CURDIR)/src/pure -o $@ $(ZNSSIM_SRCS)
	@echo "built $@ (try: $@ --help)"

$(SSDSIM): $(SSDSIM_SRCS) $(wildcard $(CURDIR)/src/pure/*.h)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -Wall -Wextra -O2 -I$(CURDIR)/src/pure -o $@ $(SSDSIM_SRCS) -lm
	@echo "built $@ (try: $@ --help)"

.PHONY: sim

# --- Packages (nvmev-dkms). VERSION is the single source of the version. ---
NVMEV_VERSION := $(shell cat $(CURDIR)/VERSION)
# Packages go to $(NVMEV_CACHE)/pkg (default .cache/pkg), like the tests' cache.
PKGDIR := $(if $(NVMEV_CACHE),$(abspath $(NVMEV_CACHE)),$(CURDIR)/.cache)/pkg

# The tree's files (tracked and new, not ignored) that packages are built from.
define tree-files
cd $(CURDIR) && { if git rev-parse --is-inside-work-tree >/dev/null 2>&1; \
  then git ls-files -co --exclude-standard; \
  else find . \( -path ./.cache -o -path ./.git \) -prune -o -type f ! -name '*.o' \
    ! -name '*.ko' ! -name '*.cmd' -print | sed 's|^\./||'; fi; } | \
  while read -r f; do [ -f "$$f" ] && printf '%s\n' "$$f"; done
endef

# Install missing Debian packages ($(1)) with apt-get; nothing if all present.
define need-debs
missing=; for p in $(1); do dpkg -s $$p 2>/dev/null | grep -q '^Status: .* installed' || \
  missing="$$missing $$p"; done; [ -z "$$missing" ] || \
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing
endef

deb:
	@$(call need-debs,dpkg-dev debhelper dh-dkms)
	rm -rf $(PKGDIR)/deb-build && mkdir -p $(PKGDIR)/deb-build/nvmev-$(NVMEV_VERSION)
	$(tree-files) | tar -cf - -T - | tar -C $(PKGDIR)/deb-build/nvmev-$(NVMEV_VERSION) -xf -
	cd $(PKGDIR)/deb-build/nvmev-$(NVMEV_VERSION) && dpkg-buildpackage -us -uc -b
	rm -f $(PKGDIR)/nvmev-dkms_*.deb $(PKGDIR)/nvmev_*.changes $(PKGDIR)/nvmev_*.buildinfo
	mv $(PKGDIR)/deb-build/*.deb $(PKGDIR)/deb-build/*.changes $(PKGDIR)/deb-build/*.buildinfo $(PKGDIR)/
	rm -rf $(PKGDIR)/deb-build
	@ls -1 $(PKGDIR)/nvmev-dkms_$(NVMEV_VERSION)_all.deb

rpm:
	@$(call need-debs,rpm)
	rm -rf $(PKGDIR)/rpmbuild && mkdir -p $(PKGDIR)/rpmbuild/SOURCES
	$(tree-files) | tar --owner=0 --group=0 --transform 's,^,nvmev-$(NVMEV_VERSION)/,' \
	  -czf $(PKGDIR)/rpmbuild/SOURCES/nvmev-$(NVMEV_VERSION).tar.gz -T -
	rpmbuild --nodeps --define '_topdir $(PKGDIR)/rpmbuild' \
	  --define 'nvmev_version $(NVMEV_VERSION)' -ba rpm/nvmev-dkms.spec
	rm -f $(PKGDIR)/nvmev-dkms-*.rpm
	mv $(PKGDIR)/rpmbuild/RPMS/noarch/*.rpm $(PKGDIR)/rpmbuild/SRPMS/*.rpm $(PKGDIR)/
	rm -rf $(PKGDIR)/rpmbuild
	@ls -1 $(PKGDIR)/nvmev-dkms-$(NVMEV_VERSION)-*.noarch.rpm

.PHONY: deb rpm

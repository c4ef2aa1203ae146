# SPDX-License-Identifier: GPL-2.0
#
# nvmev top-level Makefile.
#
#   make            build src/nvmev.ko for the running kernel (or KDIR=...)
#   make install    install it into /lib/modules/<release>/updates
#   make check      every test: unit tests, then the VM suite on Debian 6.1 and 6.12
#   make demo       boot a throwaway VM with the device attached and show it
#   make unit       user-space unit tests only
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

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/src clean
	$(MAKE) -C tests/unit clean

.PHONY: all module install unit check demo clean

# SPDX-License-Identifier: GPL-2.0-only
#
# oe-ext: the one entry point. `make help` lists the targets.
#
# Inputs: KSRC (vanilla v6.6, only ever read), kernel/, patches/, usr/.
# Outputs: everything under build/ (never tracked).

KSRC	?= /usr/src/linux-6.6
BUILD	:= $(CURDIR)/build
VMOUT	:= $(BUILD)/vm/x86_64
export KSRC BUILD

# The test programs of the in-guest suites: tests/vm/<suite>/<prog>.c.
VM_TEST_SRCS := $(wildcard tests/vm/*/*.c)
VM_TEST_BINS := $(patsubst tests/vm/%.c,$(BUILD)/tests/vm/%,$(VM_TEST_SRCS))
VM_SUITES    := $(notdir $(patsubst %/,%,$(dir $(wildcard tests/vm/*/run))))
# Every KUnit suite of the OE options, as kunit_test_suite() names them.
KUNIT_SUITES  = $(shell grep -rhA2 '^static struct kunit_suite' kernel | \
		  sed -n 's/.*\.name = "\(.*\)".*/\1/p')
BZIMAGE	:= $(BUILD)/linux/arch/x86/boot/bzImage
INITRD	:= $(VMOUT)/initramfs.cpio

.PHONY: all help deps ksrc usr unit lint kernel series series-check vm vm-check \
	check clean FORCE

all: usr

help:
	@sed -n 's/^## //p' $(MAKEFILE_LIST)

## make check         everything this machine can run: userspace build, unit
##                    tests under ASan+UBSan, lint; with KSRC at v6.6 also
##                    the kernel tier (series round trip, build, VM tests)
check:
	@tools/check

## make deps          install the Debian packages the build and tests need
deps:
	@tools/install-deps

## make ksrc          download Linux 6.6 from kernel.org into KSRC (needs
##                    the internet; checked against kernel.org's sha256sums)
ksrc:
	tools/get-ksrc

## make usr           build oe-ctld and oe-ctl (-Werror) into build/usr
usr:
	$(MAKE) -C usr O=$(BUILD)/usr

## make unit          cmocka tests under ASan+UBSan (TAP: build/usr-san/unit.tap)
unit:
	$(MAKE) -C usr O=$(BUILD)/usr-san SAN=1 check

## make lint          inputs consistent, SPDX lines, netlink specs valid
lint:
	@tools/lint

## make kernel        patched tree build/linux from KSRC + kernel/ + patches/,
##                    built with the VM config (ccache; incremental)
kernel:
	tools/oe-tree sync
	tools/oe-kernel

## make series        the git-am-able series, one commit per area: build/series
series:
	tools/oe-tree series $(BUILD)/series

## make series-check  the series applies to v6.6 with git am, gives the
##                    tree make kernel builds, and passes checkpatch --strict
series-check: series
	tools/oe-tree verify $(BUILD)/series
	tools/checkpatch-series $(BUILD)/series

$(BUILD)/tests/vm/%: tests/vm/%.c tests/vm/genl_raw.h
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -Wall -Wextra -Werror -O2 -Ikernel/include/uapi -o $@ $< -lnuma

$(INITRD): usr $(VM_TEST_BINS) FORCE
	@mkdir -p $(dir $@)
	tools/vm/mkinitramfs $@ $(BUILD)/usr $(BUILD)/tests/vm

## make vm            boot the patched kernel in QEMU with oe-ctld running
##                    and show `oe-ctl status`; VM_SHELL=1 gives a shell
vm: kernel $(INITRD)
	tools/vm/run $(if $(VM_SHELL),shell,show) $(BZIMAGE) $(INITRD) $(VMOUT)

## make vm-check      boot the test kernel, run every OE KUnit suite and every
##                    tests/vm suite: build/vm/x86_64/{results.tap,console.log}
vm-check: kernel $(INITRD)
	@tools/vm/run check $(BZIMAGE) $(INITRD) $(VMOUT); \
	tools/vm/collect $(VMOUT) $(addprefix kunit:,$(KUNIT_SUITES)) $(VM_SUITES)

## make clean         remove build/ (the ccache cache stays)
clean:
	rm -rf $(BUILD)

FORCE:

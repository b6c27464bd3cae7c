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

# The test programs of the in-guest suites: tests/vm/<suite>/<prog>.c, and
# the BPF schedulers of the sched_ext suite: tests/vm/<suite>/<name>.bpf.c.
VM_BPF_SRCS  := $(wildcard tests/vm/*/*.bpf.c)
VM_BPF_OBJS  := $(patsubst tests/vm/%.c,$(BUILD)/tests/vm/%.o,$(VM_BPF_SRCS))
VM_TEST_SRCS := $(filter-out $(VM_BPF_SRCS),$(wildcard tests/vm/*/*.c))
VM_TEST_BINS := $(patsubst tests/vm/%.c,$(BUILD)/tests/vm/%,$(VM_TEST_SRCS))
BPF_BUILD := $(BUILD)/bpf
VMLINUX	:= $(BUILD)/linux/vmlinux
VM_SUITES    := $(notdir $(patsubst %/,%,$(dir $(wildcard tests/vm/*/run))))
# Every KUnit suite of the OE options, as kunit_test_suite() names them.
KUNIT_SUITES  = $(shell grep -rhA2 '^static struct kunit_suite' kernel | \
		  sed -n 's/.*\.name = "\(.*\)".*/\1/p')
# The modules build has no BPF (sched_ext is bool and needs BTF) and no
# THP (GMem is bool and needs it): their suites run in the test kernel.
MODULES_KUNIT_SUITES = $(filter-out sched_ext_% gmem_%,$(KUNIT_SUITES))
BZIMAGE	:= $(BUILD)/linux/arch/x86/boot/bzImage
INITRD	:= $(VMOUT)/initramfs.cpio
BENCH_BUILD := $(BUILD)/bench
MODEL_MIB ?= 2048
MODEL_IMG := $(BENCH_BUILD)/model-$(MODEL_MIB)M.img
LINUX_612 ?= /usr/src/linux-source-6.12.tar.xz
YNL	:= $(BUILD)/ynl
YNL_GEN	:= $(YNL)/tools/net/ynl/ynl-gen-c.py

.PHONY: all help deps ksrc usr unit lint ynl-regen kernel bpf series series-check vm vm-check fuzz \
	check clean modules-check bench bench-progs bench-kernel bench-modelfs \
	bench-sched_ext bench-gmem FORCE

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

## make lint          inputs consistent, SPDX lines, generated netlink code
##                    what ynl-gen-c.py makes of the specs today
lint: $(YNL_GEN)
	@YNL=$(YNL) tools/lint

## make ynl-regen     regenerate the netlink code (uapi headers, kernel
##                    policies and op tables) from the specs in
##                    kernel/Documentation/netlink/specs
ynl-regen: $(YNL_GEN)
	tools/ynl-regen $(YNL)

# Upstream's netlink generator and schemas, from Debian's linux-source-6.12.
$(YNL_GEN): $(LINUX_612)
	rm -rf $(YNL) && mkdir -p $(YNL)
	tar -xf $(LINUX_612) -C $(YNL) --strip-components=1 \
		linux-source-6.12/tools/net/ynl linux-source-6.12/Documentation/netlink
	touch $@

## make kernel        patched tree build/linux from KSRC + kernel/ + patches/,
##                    built with the VM config (ccache; incremental)
kernel:
	tools/oe-tree sync
	tools/oe-kernel

## make modules-check build the patched tree with every OE option that can
##                    be a module as one (modpost must accept them), boot
##                    it, and run the tests/modules suites: build/modules
modules-check: usr
	BUILD=$(BUILD)/modules tools/oe-tree sync
	BUILD=$(BUILD)/modules KTARGETS="bzImage modules" tools/oe-kernel \
		tools/configs/vm.config tools/configs/debug.config \
		tools/configs/modules.config
	MODULES_FROM=$(BUILD)/modules/linux tools/vm/mkinitramfs \
		$(BUILD)/modules/initramfs.cpio $(BUILD)/usr $(BUILD)/tests/vm
	@VM_APPEND=gmem=on tools/vm/run modules \
		$(BUILD)/modules/linux/arch/x86/boot/bzImage \
		$(BUILD)/modules/initramfs.cpio $(BUILD)/modules/vm; \
	tools/vm/collect $(BUILD)/modules/vm \
		$(addprefix kunit:,$(MODULES_KUNIT_SUITES)) \
		$(notdir $(wildcard tests/modules/*))

## make series        the git-am-able series, one commit per area: build/series
series:
	tools/oe-tree series $(BUILD)/series

## make series-check  the series applies to v6.6 with git am, gives the
##                    tree make kernel builds, and passes checkpatch --strict
series-check: series
	tools/oe-tree verify $(BUILD)/series
	tools/checkpatch-series $(BUILD)/series

$(BUILD)/tests/vm/%: tests/vm/%.c $(wildcard tests/vm/*.h tests/vm/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -Wall -Wextra -Werror -O2 -Ikernel/include/uapi -o $@ $< -lnuma

# The sched_ext suite's loader links liboesched (make usr builds it).
$(BUILD)/tests/vm/sched_ext/scx_load: tests/vm/sched_ext/scx_load.c usr
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -Wall -Wextra -Werror -O2 -D_GNU_SOURCE \
		-Iusr/lib/liboesched -Iusr/bpf $$(pkg-config --cflags libbpf) \
		-o $@ $< $(BUILD)/usr/liboesched.a $$(pkg-config --libs libbpf)

# The sched_ext suite's sleepable-callback test loads with libbpf alone.
$(BUILD)/tests/vm/sched_ext/scx_sleepable: tests/vm/sched_ext/scx_sleepable.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -Wall -Wextra -Werror -O2 $$(pkg-config --cflags libbpf) \
		-o $@ $< $$(pkg-config --libs libbpf)

# The gmem suite's libgmem test links libgmem (make usr builds it).
$(BUILD)/tests/vm/gmem/gmem_lib: tests/vm/gmem/gmem_lib.c tests/vm/gmem/gmem_test.h usr
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -Wall -Wextra -Werror -O2 -D_GNU_SOURCE \
		-Ikernel/include/uapi -Iusr/lib/libgmem \
		-o $@ $< $(BUILD)/usr/libgmem.a -pthread

## make bpf           the sched_ext policies, their skeletons and loaders,
##                    against the test kernel's BTF: build/bpf
bpf: kernel usr
	$(MAKE) -C usr/bpf O=$(BPF_BUILD) VMLINUX=$(VMLINUX) \
		LIBOESCHED=$(BUILD)/usr/liboesched.a

$(BUILD)/tests/vm/%.bpf.o: tests/vm/%.bpf.c bpf usr/bpf/include/scx/common.bpf.h
	@mkdir -p $(dir $@)
	clang -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 -Wall -Werror \
		-I$(BPF_BUILD) -Iusr/bpf/include -Iusr/bpf -c $< -o $@

$(INITRD): usr bpf $(VM_TEST_BINS) $(VM_BPF_OBJS) FORCE
	@mkdir -p $(dir $@)
	BPF_FROM=$(BPF_BUILD) tools/vm/mkinitramfs $@ $(BUILD)/usr $(BUILD)/tests/vm

## make vm            boot the patched kernel in QEMU with oe-ctld running
##                    and show `oe-ctl status`; VM_SHELL=1 gives a shell
vm: kernel $(INITRD)
	tools/vm/run $(if $(VM_SHELL),shell,show) $(BZIMAGE) $(INITRD) $(VMOUT)

## make vm-check      boot the test kernel with gmem=on, run every OE KUnit
##                    suite and every tests/vm suite but gmem_off and
##                    sentry; boot it again, without gmem= and KUnit, for
##                    those two: build/vm/x86_64/{results.tap,console.log,
##                    fresh/}
comma := ,
# The second boot's suites: gmem_off needs gmem= absent, and sentry's
# global OOM touches every free page. After the other suites, some of
# those pages made TCG so slow to clear (one page took minutes) that the
# soft-lockup detector fired; on a fresh boot it never has.
VM_FRESH_SUITES := gmem_off sentry
# fuzz has a boot of its own: make fuzz.
VM_ON_SUITES := $(filter-out $(VM_FRESH_SUITES) fuzz,$(VM_SUITES))
vm-check: kernel $(INITRD)
	@VM_SUITES=$(subst $(eval) ,$(comma),$(VM_ON_SUITES)) VM_APPEND=gmem=on \
		VM_TIMEOUT=$${VM_TIMEOUT:-2400} tools/vm/run check $(BZIMAGE) \
		$(INITRD) $(VMOUT); \
	VM_SUITES=$(subst $(eval) ,$(comma),$(VM_FRESH_SUITES)) \
		VM_APPEND=kunit.enable=0 VM_TIMEOUT=900 \
		tools/vm/run check $(BZIMAGE) $(INITRD) $(VMOUT)/fresh; \
	tools/vm/collect $(VMOUT) --also=$(VMOUT)/fresh \
		$(addprefix kunit:,$(KUNIT_SUITES)) $(VM_ON_SUITES) \
		$(VM_FRESH_SUITES)

## make fuzz          FUZZ_S seconds (default 60) of hostile input in the
##                    test VM under KASAN and lockdep: the seeded GMem and
##                    netlink fuzzers of tests/vm/fuzz and trinity; any
##                    kernel report fails it, its seed is in the console.
##                    FUZZ_SEED= runs the same rounds again
FUZZ_S ?= 60
fuzz: kernel $(INITRD)
	@VM_SUITES=fuzz VM_TIMEOUT=$$(( $(FUZZ_S) + 1200 )) \
		VM_APPEND="gmem=on kunit.enable=0 oe.fuzz_s=$(FUZZ_S) oe.suite_s=$$(( $(FUZZ_S) + 900 ))$(if $(FUZZ_SEED), oe.fuzz_seed=$(FUZZ_SEED))" \
		tools/vm/run check $(BZIMAGE) $(INITRD) $(VMOUT)/fuzz; \
	tools/vm/collect $(VMOUT)/fuzz fuzz

## make bench         every benchmark, on a non-debug kernel (build/bench)
## make bench-modelfs cold loads of a 2 GiB (MODEL_MIB) synthetic
##                    safetensors model from a virtio-blk disk: ext4,
##                    ext4 + fadvise(WILLNEED), ModelFS template; ratios
bench: bench-modelfs bench-sched_ext bench-gmem

## make bench-progs   build the benchmark programs only (make check does)
bench-progs: $(BUILD)/tests/bench/modelfs/loader $(BENCH_BUILD)/mkmodel \
	$(BUILD)/tests/bench/gmem/gmem_bench

bench-kernel:
	BUILD=$(BENCH_BUILD) tools/oe-tree sync
	BUILD=$(BENCH_BUILD) tools/oe-kernel tools/configs/vm.config \
		tools/configs/bpf.config tools/configs/bench.config

## make bench-sched_ext hackbench time and the p99 wake-up latency of
##                    cyclictest (alone, and with a BE co-runner) under
##                    CFS and each OE policy in one boot, taking turns
##                    for 5 rounds; medians, ranges, ratios to CFS
bench-sched_ext: bench-kernel usr
	$(MAKE) -C usr/bpf O=$(BENCH_BUILD)/bpf \
		VMLINUX=$(BENCH_BUILD)/linux/vmlinux \
		LIBOESCHED=$(BUILD)/usr/liboesched.a
	BPF_FROM=$(BENCH_BUILD)/bpf tools/vm/mkinitramfs \
		$(BENCH_BUILD)/initramfs-sched_ext.cpio $(BUILD)/usr \
		$(BUILD)/tests/vm $(BUILD)/tests/bench
	VM_SUITES=sched_ext VM_TIMEOUT=$${VM_TIMEOUT:-1800} tools/vm/run bench \
		$(BENCH_BUILD)/linux/arch/x86/boot/bzImage \
		$(BENCH_BUILD)/initramfs-sched_ext.cpio $(BENCH_BUILD)/vm-sched_ext
	tools/vm/bench-report $(BENCH_BUILD)/vm-sched_ext/bench.out

$(BUILD)/tests/bench/modelfs/loader: tests/bench/modelfs/loader.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -Wall -Wextra -Werror -O2 $(shell pkg-config --cflags json-c) \
		-o $@ $< $(shell pkg-config --libs json-c)

$(BENCH_BUILD)/mkmodel: tests/bench/modelfs/mkmodel.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -Wall -Wextra -Werror -O2 -o $@ $<

$(MODEL_IMG): $(BENCH_BUILD)/mkmodel tests/bench/modelfs/mkimage
	tests/bench/modelfs/mkimage $@ $(BENCH_BUILD)/mkmodel $(MODEL_MIB)

bench-modelfs: bench-kernel usr $(BUILD)/tests/bench/modelfs/loader $(MODEL_IMG)
	tools/vm/mkinitramfs $(BENCH_BUILD)/initramfs.cpio $(BUILD)/usr \
		$(BUILD)/tests/vm $(BUILD)/tests/bench
	VM_SUITES=modelfs VM_DISK=$(MODEL_IMG) VM_TIMEOUT=$${VM_TIMEOUT:-3600} \
		tools/vm/run bench \
		$(BENCH_BUILD)/linux/arch/x86/boot/bzImage \
		$(BENCH_BUILD)/initramfs.cpio $(BENCH_BUILD)/vm
	tools/vm/bench-report $(BENCH_BUILD)/vm/bench.out

## make bench-gmem    device reads streaming over 0.5x-3x of the simulated
##                    device memory: GMem (gmem_sim) against HMM (test_hmm
##                    dmirror with migrate_vma); throughputs and ratios
bench-gmem: bench-kernel usr $(BUILD)/tests/bench/gmem/gmem_bench
	tools/vm/mkinitramfs $(BENCH_BUILD)/initramfs-gmem.cpio $(BUILD)/usr \
		$(BUILD)/tests/vm $(BUILD)/tests/bench
	VM_SUITES=gmem VM_APPEND=gmem=on VM_TIMEOUT=$${VM_TIMEOUT:-1800} \
		tools/vm/run bench $(BENCH_BUILD)/linux/arch/x86/boot/bzImage \
		$(BENCH_BUILD)/initramfs-gmem.cpio $(BENCH_BUILD)/vm-gmem
	tools/vm/bench-report $(BENCH_BUILD)/vm-gmem/bench.out

$(BUILD)/tests/bench/gmem/gmem_bench: tests/bench/gmem/gmem_bench.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -Wall -Wextra -Werror -O2 -Ikernel/include/uapi -o $@ $<

## make clean         remove build/ (the ccache cache stays)
clean:
	rm -rf $(BUILD)

FORCE:

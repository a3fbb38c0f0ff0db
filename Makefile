# klp-bundle - top-level Makefile.  'make help' lists the targets.
#
# Userspace is built into $(O) (default build/); 'make asan' builds the same
# tree with ASan+UBSan into build-asan/.  Kernel code is built in place by
# kbuild against $(KDIR), derived from the installed kernel (tools/kver).

O ?= build
SANITIZE ?=
WERROR ?= 1
NO_SETUP ?=
CC ?= cc
CFLAGS ?= -O2 -g
PKG_CONFIG ?= pkg-config
PKGS := libcbor libkmod libcrypto libelf libzstd liblzma

# Recursive (=) so that pkg-config and tools/kver run after 'setup' installed them.
KVER ?= $(shell tools/kver)
KDIR ?= /lib/modules/$(KVER)/build
# Where kbuild builds for $(KVER): the repository (empty KTREE) or a linked tree.
KTREE ?=
KTOP = $(if $(KTREE),$(abspath $(KTREE)),$(CURDIR))
# The newest release of every other installed series (tools/kver --all): each is
# built into $(O)/ktree/R and gets the in-guest subset (selftests/vm/series).
OTHER_KVERS = $(filter-out $(KVER),$(shell tools/kver --all))

WARNINGS := -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes \
	-Wmissing-prototypes -Wno-unused-parameter $(if $(filter 1,$(WERROR)),-Werror)
comma := ,
SAN_FLAGS := $(if $(SANITIZE),-fsanitize=address$(comma)undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all)
KLPB_CFLAGS = -std=gnu11 $(WARNINGS) -D_GNU_SOURCE -MMD -MP \
	-DKLPB_RUNTIME_DIR='"$(CURDIR)/kernel"' \
	$(if $(SANITIZE),,-D_FORTIFY_SOURCE=2) -fvisibility=hidden \
	$(KLPB_INCLUDES) $(shell $(PKG_CONFIG) --cflags $(PKGS)) $(SAN_FLAGS) $(CFLAGS)
# Each layer sees only the include paths it may use (tools/check-layers checks
# the rest): util/ sees util/ ("util/x.h"), format/ its own headers and the
# shared facts (no path into bundler/ or util/), bundler/ and the tests all.
FORMAT_INCLUDES := -Iformat -Iformat/include -Ikernel/include/uapi
KLPB_INCLUDES = -I. $(FORMAT_INCLUDES) -Ibundler -Iselftests/lib
$(O)/util/%.o: KLPB_INCLUDES = -I.
$(O)/format/%.o: KLPB_INCLUDES = $(FORMAT_INCLUDES)
KLPB_LDLIBS = $(shell $(PKG_CONFIG) --libs $(PKGS))
KLPB_LDFLAGS = $(SAN_FLAGS) $(LDFLAGS)

UTIL_SRCS := $(sort $(wildcard util/*.c))
FORMAT_SRCS := $(sort $(wildcard format/*.c))
BUNDLER_SRCS := $(sort $(wildcard bundler/*.c bundler/*/*.c))
UNIT_SRCS := $(sort $(wildcard selftests/unit/*.c))
TAP_SRCS := selftests/lib/tap.c

UTIL_LIB := $(O)/libklpb-util.a
FORMAT_LIB := $(O)/libklpb-format.a
BUNDLER_OBJS := $(patsubst %.c,$(O)/%.o,$(filter-out bundler/main.c,$(BUNDLER_SRCS)))
KLPB := $(O)/klp-bundle
UNIT_BINS := $(patsubst %.c,$(O)/%,$(UNIT_SRCS))
UNIT_TESTS := $(filter $(O)/selftests/unit/test-%,$(UNIT_BINS))

# Kernel-side directories built by kbuild: every one with a Kbuild file.
# Targets before the bundles: the bundles' descriptors record their build-ids.
KBUILD_DIRS := $(patsubst %/Kbuild,%,$(wildcard kernel/Kbuild selftests/modules/Kbuild \
	selftests/modules/*/Kbuild examples/*/module/Kbuild selftests/bundles/*/Kbuild))

CLI_TESTS := $(sort $(wildcard selftests/cli/t[0-9]*.sh))
VM_TESTS := selftests/vm/vmtest-selftest selftests/vm/run selftests/vm/sigenforce \
	selftests/vm/orderings selftests/vm/depmodel selftests/vm/series \
	selftests/vm/from-patch-stable
# What the in-guest runners need to know: the release, its kbuild tree, the others.
VM_ENV = KLPB_BUILD=$(CURDIR)/$(O) KVER=$(KVER) KTREE=$(KTOP) KLPB_OTHER_KVERS="$(OTHER_KVERS)"
FUZZ_TESTS := selftests/fuzz/run
LINT_TESTS := selftests/lint/run selftests/lint/layers
CFI_TESTS := selftests/cfi/run
# The static IBT check of the payloads built for an IBT kernel (6.12); last,
# so it also checks the bundles the in-guest tests built for that kernel.
IBT_TESTS := selftests/ibt/run
ASAN_CLI_TESTS := selftests/cli/asan
PROVE ?= prove
PROVE_FLAGS ?= --failures --comments

.PHONY: all setup kernel kernels tests asan check unit-check vmcheck lint clean help demo \
	bench-apply

all: $(KLPB) $(FORMAT_LIB) $(UTIL_LIB)

setup:
ifeq ($(NO_SETUP),)
	@tools/setup
endif

$(O)/%.o: %.c Makefile | setup
	@mkdir -p $(@D)
	$(CC) $(KLPB_CFLAGS) -c -o $@ $<

$(UTIL_LIB): $(patsubst %.c,$(O)/%.o,$(UTIL_SRCS))
$(FORMAT_LIB): $(patsubst %.c,$(O)/%.o,$(FORMAT_SRCS))
$(O)/libklpb-%.a:
	@rm -f $@
	$(AR) rcs $@ $^

$(KLPB): $(O)/bundler/main.o $(BUNDLER_OBJS) $(FORMAT_LIB) $(UTIL_LIB)
	$(CC) $(KLPB_LDFLAGS) -o $@ $^ $(KLPB_LDLIBS)

# Every selftests/unit/X.c is a program linked with the tap harness, the
# bundler's objects (not main), the format and util libraries; test-* ones are run.
$(O)/selftests/unit/%: $(O)/selftests/unit/%.o $(O)/selftests/lib/tap.o $(BUNDLER_OBJS) \
		$(FORMAT_LIB) $(UTIL_LIB)
	$(CC) $(KLPB_LDFLAGS) -o $@ $^ $(KLPB_LDLIBS)

tests: all $(UNIT_BINS)

asan:
	$(MAKE) O=build-asan SANITIZE=1 NO_SETUP=1 tests

# The test bundles' cores are written by mkcore (selftests/bundles/test-bundle.kbuild).
kernel: setup $(O)/selftests/unit/mkcore
	$(if $(KTREE),@tools/ktree $(KTOP) $(KBUILD_DIRS))
	@for d in $(KBUILD_DIRS); do \
		$(MAKE) -C $(KDIR) M=$(KTOP)/$$d KLPB_MKCORE=$(abspath $(O))/selftests/unit/mkcore \
			modules || exit 1; \
	done

# 'kernel' for $(KVER), then for every other installed series' newest release.
kernels: kernel
	@for r in $(OTHER_KVERS); do \
		$(MAKE) NO_SETUP=1 kernel KVER=$$r KDIR=/lib/modules/$$r/build KTREE=$(O)/ktree/$$r || \
			exit 1; \
	done

# The whole suite, one prove run and one summary: unit tests and CLI tests
# (plain and ASan+UBSan), lint (checkpatch, shellcheck), the unit tests
# built with clang's CFI (selftests/cfi/run builds build-cfi/), bounded
# fuzzing, and the in-guest tests (the suite in one boot, the sig_enforce
# boot, the model checks in one-CPU guests side by side; on every other
# installed series the suite, sig_enforce and a shard of each model check).
check: setup
	$(MAKE) NO_SETUP=1 tests
	$(MAKE) NO_SETUP=1 asan
	$(MAKE) NO_SETUP=1 kernels
	$(VM_ENV) $(PROVE) $(PROVE_FLAGS) --exec '' \
		$(UNIT_TESTS) $(patsubst $(O)/%,build-asan/%,$(UNIT_TESTS)) \
		$(CLI_TESTS) $(ASAN_CLI_TESTS) $(LINT_TESTS) $(CFI_TESTS) $(FUZZ_TESTS) $(VM_TESTS) \
		$(IBT_TESTS)

unit-check: tests
	KLPB_BUILD=$(CURDIR)/$(O) $(PROVE) $(PROVE_FLAGS) --exec '' $(UNIT_TESTS) $(CLI_TESTS)

vmcheck: setup kernels
	$(VM_ENV) $(PROVE) $(PROVE_FLAGS) --exec '' $(VM_TESTS)

lint: setup
	tools/lint

# The transaction engine on the seed example in a guest, as a transcript.
demo: setup
	NO_SETUP=1 tools/demo

# apply+revert against bare insmod/poll/disable/rmmod, one guest; prints the ratio.
bench-apply: setup
	$(MAKE) NO_SETUP=1 all kernel
	bench/apply

clean:
	rm -rf build build-asan build-cfi
	@for d in $(KBUILD_DIRS); do \
		[ -d $(KDIR) ] && $(MAKE) -C $(KDIR) M=$(CURDIR)/$$d clean >/dev/null; \
	done; true

help:
	@echo 'targets:'
	@echo '  all (default)  build $(KLPB), $(FORMAT_LIB) and $(UTIL_LIB)'
	@echo '  kernel         build kernel/ and the test modules with kbuild (KVER=, KDIR=, KTREE=)'
	@echo '  kernels        kernel, then the same for every other installed series into $(O)/ktree/'
	@echo '  tests          build the unit tests'
	@echo '  asan           build everything with ASan+UBSan into build-asan/'
	@echo '  check          set up, build, run every test (unit, ASan, CLI, in-guest)'
	@echo '  unit-check     unit and CLI tests only (no guest)'
	@echo '  vmcheck        in-guest tests only'
	@echo '  lint           checkpatch on kernel/, shellcheck on scripts, clang-format'
	@echo '  demo           set up, build, boot a guest and show apply/status/replace/revert'
	@echo '  bench-apply    klp-bundle apply+revert vs bare insmod+rmmod (ratio of medians)'
	@echo '  clean          remove build output'

-include $(shell find $(O) build-asan -name '*.d' 2>/dev/null)

# scorch - build, test and demo.  GNU Make.
#
#   make            build build/scorch (installs missing Debian packages first)
#   make check      build and run every test (unit + end to end)
#   make check SANITIZE=1   the same under ASan+UBSan, in build-san/
#   make demo       build and run the bundled example into a flame graph
#   make fuzz       long fuzzing runs of every reader (clang + libFuzzer)
#   make include-graph   the folder-level include graph of src/; fails on
#                   a cycle or a layer crossing (scripts/include-graph.sh,
#                   tests/e2e/include_graph.sh)
#   make install    build/scorch to $(DESTDIR)$(PREFIX)/bin and the man pages
#                   (docs/man/*.1) to $(DESTDIR)$(PREFIX)/share/man/man1;
#                   PREFIX defaults to /usr/local.  make uninstall removes them.
#
# Sources are found by wildcard: a new .c file under src/ is built and
# linked without touching this file.

SANITIZE ?=
ifeq ($(SANITIZE),1)
BUILD ?= build-san
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD ?= build
SAN_FLAGS :=
endif

CC ?= cc
PKGS := libelf libdw capstone zlib libprotobuf-c libzstd libbpf
OPT ?= -O2
WARN := -Wall -Wextra -Werror
CFLAGS ?=
# scorch exports nothing: exported, its error() (src/util/error.c) stood in
# for the glibc error() libdw calls when out of memory, and crashed
VISIBILITY := -fvisibility=hidden
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(OPT) -g $(WARN) $(SAN_FLAGS) $(VISIBILITY) -Isrc -I$(BUILD)/gen \
	$(shell pkg-config --cflags $(PKGS)) $(CFLAGS)
# capstone is loaded on first use (src/util/capstone_lazy.c), not linked
LDLIBS = $(shell pkg-config --libs $(filter-out capstone,$(PKGS))) -liberty -lm -lpthread -ldl

# (the BPF program, *.bpf.c, is built by clang below, not linked)
SRCS := $(shell find src -name '*.c' ! -name '*.bpf.c' | sort)
LIB_SRCS := $(filter-out src/main.c,$(SRCS))
PROTOS := $(wildcard src/formats/*.proto)
GEN_SRCS := $(patsubst src/formats/%.proto,$(BUILD)/gen/%.pb-c.c,$(PROTOS))
LIB_OBJS := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(LIB_SRCS)) $(GEN_SRCS:.c=.o)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
DEPS_STAMP := build/.deps-build

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
MAN_PAGES := $(wildcard docs/man/*.1)

.PHONY: all check demo deps test-deps fuzz clean install uninstall include-graph
# generated sources are kept, not deleted as intermediates
.SECONDARY: $(GEN_SRCS) $(GEN_SRCS:.c=.h)
all: $(BUILD)/scorch

deps: $(DEPS_STAMP)
$(DEPS_STAMP): scripts/deps.sh
	@mkdir -p build
	scripts/deps.sh build
	@touch $@

test-deps: deps
	scripts/deps.sh test
	scripts/test-tools.sh
	scripts/pythons.sh

$(BUILD)/gen/%.pb-c.c $(BUILD)/gen/%.pb-c.h: src/formats/%.proto | $(DEPS_STAMP)
	@mkdir -p $(BUILD)/gen
	protoc-c --c_out=$(BUILD)/gen --proto_path=src/formats $<

$(BUILD)/gen/%.pb-c.o: $(BUILD)/gen/%.pb-c.c
	$(CC) -std=c11 $(OPT) -g $(SAN_FLAGS) -I$(BUILD)/gen $(shell pkg-config --cflags libprotobuf-c) -c -o $@ $<

$(BUILD)/obj/%.o: src/%.c $(GEN_SRCS) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# The pages' scripts (svg_script.js for the flame graph, html_script.js
# for the HTML viewer) as C string literals (one per line; backslash,
# quote and '?' escaped) for formats/svg_script.c and html_script.c.
$(BUILD)/obj/formats/svg_script.o: $(BUILD)/gen/svg_script.inc
$(BUILD)/obj/formats/html_script.o: $(BUILD)/gen/html_script.inc
$(BUILD)/gen/%.inc: src/formats/%.js
	@mkdir -p $(BUILD)/gen
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/?/\\?/g' -e 's/^/"/' -e 's/$$/\\n"/' $< >$@.tmp && mv $@.tmp $@

# The BPF engine's kernel program (engines/bpf/sampler.bpf.c): compiled by
# clang for the BPF target against the running kernel's types (vmlinux.h,
# dumped from its BTF into the build dir, never committed; CO-RE relocates
# the program on any BTF kernel), then embedded in scorch as a libbpf
# skeleton header that engines/bpf/bpf_load.c includes.
BPFTOOL ?= $(shell PATH=$$PATH:/usr/sbin:/sbin command -v bpftool)
BPF_CLANG ?= clang
BPF_ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' -e 's/ppc64le/powerpc/' -e 's/s390x/s390/')
# A build machine whose kernel has no BTF builds scorch without the
# program: the bpf engine then says so in its one line (bpf_load.c).
# BPF_BTF=FILE builds against another kernel's BTF.
BPF_BTF ?= /sys/kernel/btf/vmlinux
ifneq ($(wildcard $(BPF_BTF)),)
$(BUILD)/gen/vmlinux.h: | $(DEPS_STAMP)
	@mkdir -p $(BUILD)/gen
	$(BPFTOOL) btf dump file $(BPF_BTF) format c >$@.tmp && mv $@.tmp $@

$(BUILD)/gen/sampler.bpf.o: src/engines/bpf/sampler.bpf.c src/engines/bpf/sampler.h $(BUILD)/gen/vmlinux.h
	$(BPF_CLANG) -target bpf -mcpu=v3 -g -O2 -Wall -Werror -D__TARGET_ARCH_$(BPF_ARCH) \
		-I$(BUILD)/gen -Isrc $(shell pkg-config --cflags libbpf) -c -o $@ $<

$(BUILD)/gen/sampler.skel.h: $(BUILD)/gen/sampler.bpf.o
	$(BPFTOOL) gen skeleton $< name sampler >$@.tmp && mv $@.tmp $@

$(BUILD)/obj/engines/bpf/bpf_load.o: $(BUILD)/gen/sampler.skel.h
else
$(BUILD)/obj/engines/bpf/bpf_load.o: CFLAGS += -DSCORCH_NO_BPF_PROGRAM
endif

$(BUILD)/libscorch.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/scorch: $(BUILD)/obj/main.o $(BUILD)/libscorch.a
	$(CC) $(SAN_FLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/test.h $(BUILD)/libscorch.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(BUILD)/libscorch.a $(LDLIBS)

check: $(BUILD)/scorch $(UNIT_BINS) test-deps
	BUILD=$(BUILD) SANITIZE=$(SANITIZE) tests/run.sh

demo: $(BUILD)/scorch
	examples/demo.sh $(BUILD)/scorch

fuzz: deps
	tests/fuzz/run.sh long

include-graph:
	scripts/include-graph.sh src

install: $(BUILD)/scorch
	install -d '$(DESTDIR)$(BINDIR)' '$(DESTDIR)$(MANDIR)/man1'
	install -m 755 $(BUILD)/scorch '$(DESTDIR)$(BINDIR)/scorch'
	install -m 644 $(MAN_PAGES) '$(DESTDIR)$(MANDIR)/man1/'

uninstall:
	rm -f '$(DESTDIR)$(BINDIR)/scorch'
	rm -f $(patsubst docs/man/%,'$(DESTDIR)$(MANDIR)/man1/%',$(MAN_PAGES))

clean:
	rm -rf build build-san

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

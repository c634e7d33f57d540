# bpinv - the one build. `make`, `make check`, `make bench`, `make demo`, `make format`.
# Options: WERROR=1 (warnings are errors), SANITIZE=1 (ASan + UBSan, objects in build-san/),
# MPI=1 (bpinv for mpirun, built with mpicc against OpenMPI's parallel HDF5, in build-mpi/:
# docs/scaling.md).

VERSION := 0.1.0

CC      ?= cc
# -std=c11 keeps a * b + c two roundings (no FMA contraction), so vectorised clones give the
# scalar loop's bits; -fno-math-errno lets sqrt be one instruction (nothing reads errno after
# a math function), so the optimiser's step vectorises.
STD     := -std=c11 -D_POSIX_C_SOURCE=200809L -fno-math-errno
WARN    := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wpointer-arith -Wcast-qual -Wwrite-strings -Wvla -Wformat=2 -Wundef -fno-common
OPT     ?= -O2
DEBUG   ?= -g
ifeq ($(WERROR),1)
WARN    += -Werror
endif
ifeq ($(SANITIZE),1)
BUILD   := build-san
# at the release build's -O2: the code checked is the code that ships (at -O1 test_invnet
# took 74 s, at -O2 65)
OPT     := -O2 -fno-omit-frame-pointer
SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all
else ifeq ($(MPI),1)
BUILD   := build-mpi
SAN     :=
else
BUILD   := build
SAN     :=
endif
# Debian installs the serial and the MPI HDF5 side by side, and `hdf5.pc` names whichever
# was installed last: each build asks for its own by name.
ifeq ($(MPI),1)
CC      := $(or $(MPICC),mpicc)
HDF5_PC := hdf5-openmpi
else
HDF5_PC := $(shell pkg-config --exists hdf5-serial 2>/dev/null && echo hdf5-serial || echo hdf5)
endif

# HAVE_INLINE: GSL's accessors (gsl_vector_get, gsl_matrix_set, ...) inline, their range
# checks kept (the GSL manual, "Inline functions"): a refined batch 2.6 % faster.
CPPFLAGS := -I. -DHAVE_INLINE -DBPINV_VERSION='"$(VERSION)"' $(if $(filter 1,$(MPI)),-DBPINV_MPI)
CFLAGS   = $(STD) $(WARN) $(OPT) $(DEBUG) $(SAN) -fopenmp -MMD -MP
LDFLAGS  = $(SAN) -fopenmp
# GSL with its BLAS interface on OpenBLAS (not libgslcblas).
HDF5_CFLAGS := $(shell pkg-config --cflags $(HDF5_PC) 2>/dev/null)
# HDF5 linked statically: Debian's shared libhdf5 pulls in libcurl and some 30 libraries
# (for its S3 driver, unused here), which doubled the start-up time of every command. The
# MPI build links the shared one: MPI's own start-up is far longer.
HDF5_LIBDIR := $(patsubst -L%,%,$(shell pkg-config --libs-only-L $(HDF5_PC) 2>/dev/null))
ifeq ($(MPI),1)
HDF5_LIBS   := $(shell pkg-config --libs $(HDF5_PC) 2>/dev/null)
else
HDF5_LIBS   := $(HDF5_LIBDIR)/libhdf5.a -lsz -lz -ldl
endif
PLPLOT_CFLAGS := $(shell pkg-config --cflags plplot 2>/dev/null)
CPPFLAGS += $(HDF5_CFLAGS)
# Each library links what it includes: libfwd GSL (on OpenBLAS); libsmp and libinvnet HDF5 too.
FWD_LDLIBS := -lgsl -lopenblas -lm
LDLIBS     := $(HDF5_LIBS) -lz $(FWD_LDLIBS)

FWD_SRC   := $(wildcard forward/*.c forward/*/*.c)
SMP_SRC   := $(wildcard samples/*.c)
INV_SRC   := $(wildcard invnet/*.c invnet/*/*.c)
TINV_SRC  := $(wildcard tests/invnet/*.c)
TSMP_SRC  := $(wildcard tests/samples/*.c)
TOOL_SRC  := $(wildcard tools/*.c)
TFWD_SRC  := $(wildcard tests/forward/*.c)
TTOOL_SRC := $(wildcard tests/tools/*.c)
BENCH_SRC := tests/bench/bench_forward.c
BTRAIN_SRC := tests/bench/bench_train.c
BINV_SRC  := tests/bench/bench_invert.c
BGROW_SRC := tests/bench/bench_growth.c
BSUB_SRC  := tests/bench/bench_subspan.c tests/bench/bench_util.c
BRNG_SRC  := tests/bench/bench_ranges.c tests/bench/bench_util.c
BLAY_SRC  := tests/bench/bench_layers.c tests/bench/bench_util.c
BWRT_SRC  := tests/bench/bench_writer.c
BMIS_SRC  := tests/bench/bench_misfit.c tests/bench/bench_util.c
BSTA_SRC  := tests/bench/bench_starts.c tests/bench/bench_util.c

FWD_OBJ   := $(FWD_SRC:%.c=$(BUILD)/%.o)
SMP_OBJ   := $(SMP_SRC:%.c=$(BUILD)/%.o)
INV_OBJ   := $(INV_SRC:%.c=$(BUILD)/%.o)
TINV_OBJ  := $(TINV_SRC:%.c=$(BUILD)/%.o)
TSMP_OBJ  := $(TSMP_SRC:%.c=$(BUILD)/%.o)
TOOL_OBJ  := $(TOOL_SRC:%.c=$(BUILD)/%.o)
TFWD_OBJ  := $(TFWD_SRC:%.c=$(BUILD)/%.o)
TTOOL_OBJ := $(TTOOL_SRC:%.c=$(BUILD)/%.o)
# what the tools' tests test: the command-line helpers, without main() and the commands
TOOL_TESTED := $(BUILD)/tools/cli_opt.o $(BUILD)/tools/cli.o $(BUILD)/tools/cli_field.o \
	$(BUILD)/tools/cli_par.o $(BUILD)/tools/cli_heap.o
BENCH_OBJ := $(BENCH_SRC:%.c=$(BUILD)/%.o)
BTRAIN_OBJ := $(BTRAIN_SRC:%.c=$(BUILD)/%.o)
BINV_OBJ  := $(BINV_SRC:%.c=$(BUILD)/%.o)
BGROW_OBJ := $(BGROW_SRC:%.c=$(BUILD)/%.o)
BSUB_OBJ  := $(BSUB_SRC:%.c=$(BUILD)/%.o)
BRNG_OBJ  := $(BRNG_SRC:%.c=$(BUILD)/%.o)
BLAY_OBJ  := $(BLAY_SRC:%.c=$(BUILD)/%.o)
BWRT_OBJ  := $(BWRT_SRC:%.c=$(BUILD)/%.o)
BMIS_OBJ  := $(BMIS_SRC:%.c=$(BUILD)/%.o)
BSTA_OBJ  := $(BSTA_SRC:%.c=$(BUILD)/%.o)

LIBFWD    := $(BUILD)/libfwd.a
LIBSMP    := $(BUILD)/libsmp.a
LIBINV    := $(BUILD)/libinvnet.a
BPINV     := $(BUILD)/bpinv

# The shared library of the three libraries, for programs and Python (make install,
# docs/install.md): soname libbpinv.so.MAJOR, the version's major number; the library
# objects are position-independent for it. bpinv itself links the static libraries.
# Before 1.0 a minor version may break the ABI: the soname is then MAJOR.MINOR (0.1).
SOMAJOR   := $(firstword $(subst ., ,$(VERSION)))
SOMINOR   := $(word 2,$(subst ., ,$(VERSION)))
SOVERSION := $(if $(filter 0,$(SOMAJOR)),$(SOMAJOR).$(SOMINOR),$(SOMAJOR))
LIBSO_NAME := libbpinv.so.$(SOVERSION)
LIBSO     := $(BUILD)/libbpinv.so.$(VERSION)
SO_LDLIBS := $(shell pkg-config --libs $(HDF5_PC) 2>/dev/null) -lz $(FWD_LDLIBS)
# The manual page and the bash completion, made by bpinv from its option tables.
MANPAGE   := $(BUILD)/bpinv.1
BASHCOMP  := $(BUILD)/bpinv.bash
# The public headers: every header of the libraries but their internal ones.
PUB_HDR   := $(filter-out %_internal.h,$(wildcard forward/*.h forward/*/*.h samples/*.h \
	invnet/*.h invnet/*/*.h))

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR     ?= $(PREFIX)/share/man
DOCDIR     ?= $(PREFIX)/share/doc/bpinv
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions

.PHONY: valgrind valgrind-ci all deps check test mpi-build bench bench-peers demo format format-check clean install uninstall print-soversion filter-table \
	test-forward test-samples test-invnet test-tools test-cli check-one
.DEFAULT_GOAL := all

ifeq ($(SANITIZE),1)
all: $(BPINV)
else ifeq ($(MPI),1)
all: $(BPINV)
	@ln -sf $(BPINV) bpinv-mpi
else
all: $(BPINV) $(LIBSO) $(MANPAGE) $(BASHCOMP)
	@ln -sf $(BPINV) bpinv
endif

# `make V=1` shows the compiler command lines.
ifeq ($(V),1)
Q :=
else
Q := @
endif

# Objects are rebuilt when the compiler or the flags that change the code change (OPT,
# DEBUG, the version, -fPIC of the libraries...; not the warnings, so that WERROR=1 and a
# plain make share the objects): the stamp is rewritten, when make reads this file, only
# when its line differs (so make -q and make -n still tell whether anything is to be built).
FLAGS_STAMP := $(BUILD)/flags.stamp
FLAGS_LINE  := $(subst ',,$(CC) $(CPPFLAGS) $(STD) $(OPT) $(DEBUG) $(SAN) libraries: -fPIC)
ifeq ($(filter clean format format-check print-soversion,$(MAKECMDGOALS)),)
$(shell mkdir -p $(BUILD) && { echo '$(FLAGS_LINE)' | cmp -s - $(FLAGS_STAMP) || \
	echo '$(FLAGS_LINE)' > $(FLAGS_STAMP); })
endif

$(BUILD)/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(LIBFWD): $(FWD_OBJ)
	$(AR) rcs $@ $^

$(LIBSMP): $(SMP_OBJ)
	$(AR) rcs $@ $^

$(LIBINV): $(INV_OBJ)
	$(AR) rcs $@ $^

# private: not passed on to their prerequisites (the flags stamp)
$(FWD_OBJ) $(SMP_OBJ) $(INV_OBJ): private CFLAGS += -fPIC

# Only the public API's prefixes are exported (tools/libbpinv.map.in).
$(BUILD)/libbpinv.map: tools/libbpinv.map.in Makefile
	@mkdir -p $(BUILD)
	$(Q)sed 's|@SOVERSION@|$(SOVERSION)|' $< > $@
$(LIBSO): $(FWD_OBJ) $(SMP_OBJ) $(INV_OBJ) $(BUILD)/libbpinv.map
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -shared -Wl,-soname,$(LIBSO_NAME) -Wl,--version-script=$(BUILD)/libbpinv.map \
		-Wl,--no-undefined -o $@ $(FWD_OBJ) $(SMP_OBJ) $(INV_OBJ) $(SO_LDLIBS)
	@ln -sf $(notdir $@) $(BUILD)/$(LIBSO_NAME)
	@ln -sf $(LIBSO_NAME) $(BUILD)/libbpinv.so

# The shared-grid filter's table (forward/fwd_filter_shared.c), written from its design
# (forward/fwd_hankel.c) after a change to it; checked by test_forward.
$(BUILD)/gen_filter_shared: tools/gen/gen_filter_shared.c $(BUILD)/forward/fwd_hankel.o \
		$(BUILD)/forward/base/fwd_error.o
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(FWD_LDLIBS)
filter-table: $(BUILD)/gen_filter_shared
	$(Q)$< > $(BUILD)/fwd_filter_shared.c && mv $(BUILD)/fwd_filter_shared.c forward/

$(MANPAGE): $(BPINV)
	$(Q)$(BPINV) help --man > $@.tmp && mv $@.tmp $@
$(BASHCOMP): $(BPINV)
	$(Q)$(BPINV) help --bash-completion > $@.tmp && mv $@.tmp $@

# make install [PREFIX=/usr/local] [DESTDIR=]: the command, the shared library and its
# headers, bpinv.pc, the manual page, the bash completion, and the README, licence,
# changelog and guides (docs/ as in the source tree, so their links hold) under DOCDIR.
DOC_FILES := $(wildcard docs/*.md docs/dev/*.md docs/bench/*.md docs/examples/* docs/img/*.png)
install: $(BPINV) $(LIBSO) $(MANPAGE) $(BASHCOMP)
ifeq ($(SANITIZE),1)
	@echo "make install: not from a SANITIZE=1 build; run make install without it" >&2; exit 1
endif
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(BASHCOMPDIR) $(addprefix $(DESTDIR)$(DOCDIR)/,$(sort $(dir $(DOC_FILES)))) \
		$(addprefix $(DESTDIR)$(INCLUDEDIR)/bpinv/,$(sort $(dir $(PUB_HDR))))
	install -m 755 $(BPINV) $(DESTDIR)$(BINDIR)/bpinv
	install -m 755 $(LIBSO) $(DESTDIR)$(LIBDIR)/
	ln -sf $(notdir $(LIBSO)) $(DESTDIR)$(LIBDIR)/$(LIBSO_NAME)
	ln -sf $(LIBSO_NAME) $(DESTDIR)$(LIBDIR)/libbpinv.so
	for h in $(PUB_HDR); do install -m 644 $$h $(DESTDIR)$(INCLUDEDIR)/bpinv/$$h || exit 1; done
	sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		-e 's|@VERSION@|$(VERSION)|; s|@HDF5_PC@|$(HDF5_PC)|' tools/bpinv.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/bpinv.pc
	install -m 644 $(MANPAGE) $(DESTDIR)$(MANDIR)/man1/bpinv.1
	install -m 644 $(BASHCOMP) $(DESTDIR)$(BASHCOMPDIR)/bpinv
	install -m 644 README.md LICENSE CHANGELOG.md $(DESTDIR)$(DOCDIR)/
	for f in $(DOC_FILES); do install -m 644 $$f $(DESTDIR)$(DOCDIR)/$$f || exit 1; done

# Removes the files make install installed (with the same PREFIX, DESTDIR and the like),
# then bpinv's own directories (include/bpinv, DOCDIR) when they are left empty; shared
# directories (bin, lib, man1, ...) stay. Nothing else is removed, whatever DOCDIR names.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/bpinv $(DESTDIR)$(LIBDIR)/$(notdir $(LIBSO)) \
		$(DESTDIR)$(LIBDIR)/$(LIBSO_NAME) $(DESTDIR)$(LIBDIR)/libbpinv.so \
		$(DESTDIR)$(LIBDIR)/pkgconfig/bpinv.pc $(DESTDIR)$(MANDIR)/man1/bpinv.1 \
		$(DESTDIR)$(BASHCOMPDIR)/bpinv \
		$(addprefix $(DESTDIR)$(INCLUDEDIR)/bpinv/,$(PUB_HDR)) \
		$(addprefix $(DESTDIR)$(DOCDIR)/,README.md LICENSE CHANGELOG.md $(DOC_FILES))
	for d in $(sort $(dir $(PUB_HDR))); do rmdir -p --ignore-fail-on-non-empty \
		$(DESTDIR)$(INCLUDEDIR)/bpinv/$$d 2>/dev/null || true; done
	for d in $(sort $(dir $(DOC_FILES))); do rmdir -p --ignore-fail-on-non-empty \
		$(DESTDIR)$(DOCDIR)/$$d 2>/dev/null || true; done

# PLplot only for the tools' plots (tools/plot.c), which load it when they draw.
$(BUILD)/tools/plot.o: private CPPFLAGS += $(PLPLOT_CFLAGS)

$(BPINV): $(TOOL_OBJ) $(LIBINV) $(LIBSMP) $(LIBFWD)
	$(CC) $(LDFLAGS) -o $@ $(TOOL_OBJ) $(LIBINV) $(LIBSMP) $(LIBFWD) $(LDLIBS)

$(BUILD)/test_invnet: $(TINV_OBJ) $(LIBINV) $(LIBSMP) $(LIBFWD)
	$(CC) $(LDFLAGS) -o $@ $(TINV_OBJ) $(LIBINV) $(LIBSMP) $(LIBFWD) -lcriterion $(LDLIBS)

$(BUILD)/test_samples: $(TSMP_OBJ) $(LIBSMP) $(LIBFWD)
	$(CC) $(LDFLAGS) -o $@ $(TSMP_OBJ) $(LIBSMP) $(LIBFWD) -lcriterion $(LDLIBS)

$(BUILD)/test_forward: $(TFWD_OBJ) $(LIBFWD)
	$(CC) $(LDFLAGS) -o $@ $(TFWD_OBJ) $(LIBFWD) -lcriterion $(FWD_LDLIBS)

$(BUILD)/test_tools: $(TTOOL_OBJ) $(TOOL_TESTED) $(LIBSMP) $(LIBFWD)
	$(CC) $(LDFLAGS) -o $@ $(TTOOL_OBJ) $(TOOL_TESTED) $(LIBSMP) $(LIBFWD) -lcriterion $(LDLIBS)

$(BUILD)/bench_forward: $(BENCH_OBJ) $(LIBFWD)
	$(CC) $(LDFLAGS) -o $@ $(BENCH_OBJ) $(LIBFWD) $(FWD_LDLIBS)

$(BUILD)/bench_train: $(BTRAIN_OBJ) $(LIBINV) $(LIBSMP) $(LIBFWD)
	$(CC) $(LDFLAGS) -o $@ $(BTRAIN_OBJ) $(LIBINV) $(LIBSMP) $(LIBFWD) $(LDLIBS)

$(BUILD)/bench_invert: $(BINV_OBJ) $(LIBINV) $(LIBSMP) $(LIBFWD)
	$(CC) $(LDFLAGS) -o $@ $(BINV_OBJ) $(LIBINV) $(LIBSMP) $(LIBFWD) $(LDLIBS)

$(BUILD)/bench_subspan: $(BSUB_OBJ) $(LIBINV) $(LIBSMP) $(LIBFWD)
	$(CC) $(LDFLAGS) -o $@ $(BSUB_OBJ) $(LIBINV) $(LIBSMP) $(LIBFWD) $(LDLIBS)

$(BUILD)/bench_ranges: $(BRNG_OBJ) $(LIBINV) $(LIBSMP) $(LIBFWD)
	$(CC) $(LDFLAGS) -o $@ $(BRNG_OBJ) $(LIBINV) $(LIBSMP) $(LIBFWD) $(LDLIBS)
$(BUILD)/bench_layers: $(BLAY_OBJ) $(LIBINV) $(LIBSMP) $(LIBFWD)
	$(CC) $(LDFLAGS) -o $@ $(BLAY_OBJ) $(LIBINV) $(LIBSMP) $(LIBFWD) $(LDLIBS)

$(BUILD)/bench_writer: $(BWRT_OBJ) $(LIBSMP) $(LIBFWD)
	$(CC) $(LDFLAGS) -o $@ $(BWRT_OBJ) $(LIBSMP) $(LIBFWD) $(LDLIBS)

$(BUILD)/bench_misfit: $(BMIS_OBJ) $(LIBINV) $(LIBSMP) $(LIBFWD)
	$(CC) $(LDFLAGS) -o $@ $(BMIS_OBJ) $(LIBINV) $(LIBSMP) $(LIBFWD) $(LDLIBS)

$(BUILD)/bench_starts: $(BSTA_OBJ) $(LIBINV) $(LIBSMP) $(LIBFWD)
	$(CC) $(LDFLAGS) -o $@ $(BSTA_OBJ) $(LIBINV) $(LIBSMP) $(LIBFWD) $(LDLIBS)

$(BUILD)/bench_growth: $(BGROW_OBJ) $(LIBINV) $(LIBSMP) $(LIBFWD)
	$(CC) $(LDFLAGS) -o $@ $(BGROW_OBJ) $(LIBINV) $(LIBSMP) $(LIBFWD) $(LDLIBS)

# Installs the Debian packages the build and tests need (as root, or says how).
deps:
	@sh tools/deps.sh $(if $(filter 1,$(MPI)),openmpi-bin libhdf5-openmpi-dev)

# The whole test suite: unit tests (Criterion) and the command-line tests.
check: deps
	@$(MAKE) --no-print-directory test

# The unit tests run BLAS as bpinv does (tools/cli.c, cli_blas_serial): on one thread.
# OpenBLAS's own pool, a thread a core, spins in sched_yield beside Criterion's two tests
# and their OpenMP threads (test_invnet under the sanitizers: 96 s, 74 s on one thread).
# Not the CLI scripts: test_invert checks bpinv's own answer to an unset variable.
UNIT = OPENBLAS_NUM_THREADS=1
# Leaks kept by PLplot's libraries until exit are not ours (tests/lsan.supp).
test: export LSAN_OPTIONS = suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0
# Criterion runs two tests at once, each with OpenMP threads: threads that spin while they
# wait (libgomp's default) then starve each other (test_invnet took 141 s instead of 11).
test: export OMP_WAIT_POLICY = passive
test: all $(BUILD)/test_forward $(BUILD)/test_samples $(BUILD)/test_invnet $(BUILD)/test_tools \
	mpi-build
	$(UNIT) $(BUILD)/test_forward --jobs 2
	$(UNIT) $(BUILD)/test_samples --jobs 2
	$(UNIT) $(BUILD)/test_invnet --jobs 2
	$(UNIT) $(BUILD)/test_tools --jobs 2
	sh tests/cli/run.sh $(BPINV) $(CLI_TESTS)

# One part of the suite (README, "Running one test"): a library's unit tests, the CLI
# scripts, or one thing by name: `make check-one T=fwd_geom` (a Criterion suite),
# `T=fwd_geom/comma_list` (one test), `T=tests/cli/test_invert.sh` (one script).
test-forward test-samples test-invnet test-tools test-cli: export LSAN_OPTIONS = suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0
test-forward test-samples test-invnet test-tools test-cli check-one: export OMP_WAIT_POLICY = passive
test-forward: $(BUILD)/test_forward
	$(UNIT) $(BUILD)/test_forward --jobs 2
test-samples: $(BUILD)/test_samples
	$(UNIT) $(BUILD)/test_samples --jobs 2
test-invnet: $(BUILD)/test_invnet
	$(UNIT) $(BUILD)/test_invnet --jobs 2
test-tools: $(BUILD)/test_tools
	$(UNIT) $(BUILD)/test_tools --jobs 2
test-cli: all mpi-build
	sh tests/cli/run.sh $(BPINV) $(CLI_TESTS)
check-one: all $(BUILD)/test_forward $(BUILD)/test_samples $(BUILD)/test_invnet $(BUILD)/test_tools mpi-build
	@if [ -z "$(T)" ]; then echo "make check-one T=SUITE[/TEST] or T=tests/cli/SCRIPT.sh" >&2; exit 2; fi
	@case "$(T)" in \
	*.sh) sh "$(T)" $(BPINV) ;; \
	*) s=$$(echo "$(T)" | cut -d/ -f1); t=$$(echo "$(T)/*" | cut -d/ -f2); found=0; \
	   for b in forward samples invnet tools; do \
	     if $(BUILD)/test_$$b --list | grep -q "^$$s:"; then found=1; \
	       $(UNIT) $(BUILD)/test_$$b --jobs 2 --filter "$$s/$$t" || exit 1; fi; \
	   done; \
	   [ $$found = 1 ] || { echo "check-one: no Criterion suite '$$s' (list them: $(BUILD)/test_forward --list)" >&2; exit 2; } ;; \
	esac

# The MPI build beside this one, for tests/cli/test_mpi.sh, where MPI is installed (sh
# tools/deps.sh openmpi-bin libhdf5-openmpi-dev, or make deps MPI=1); where it is not, that
# test says it is skipped. Not beside the sanitizers' build.
MPI_READY := $(shell command -v mpicc >/dev/null 2>&1 && pkg-config --exists hdf5-openmpi 2>/dev/null && echo 1)
mpi-build:
ifeq ($(MPI_READY)$(SANITIZE)$(MPI),1)
	@$(MAKE) --no-print-directory MPI=1 all
endif

# The command-line tests, run side by side (tests/cli/run.sh), the longest first (measured:
# a script begun last that runs long keeps one core busy alone at the end). The README's
# tutorial trains two full nets, and the fault tests kill runs at random moments: too slow
# under the sanitizers, run without.
NOSAN = $(if $(filter 1,$(SANITIZE)),,$(1))
CLI_TESTS = $(call NOSAN,tests/cli/test_mpi.sh tests/cli/test_tutorial.sh tests/cli/test_faults.sh \
	tests/cli/test_python.sh) \
	tests/cli/test_invert.sh tests/cli/test_invert_field.sh tests/cli/test_bad_inputs.sh \
	tests/cli/test_train.sh tests/cli/test_samples.sh tests/cli/test_init.sh tests/cli/test_forward.sh \
	tests/cli/test_resume.sh tests/cli/test_fuzz_regress.sh $(call NOSAN,tests/cli/test_install.sh) \
	tests/cli/test_features.sh tests/cli/test_help.sh tests/cli/test_layers.sh tests/cli/test_golden.sh \
	tests/cli/test_style.sh

# The command-line tests with every bpinv run under valgrind memcheck (no faults: their
# kills and timings are not memcheck's business; no tutorial: two full trainings; no
# test_help, the --help texts, help and --version: the sanitizers' run has them). The
# longest first: the scripts run side by side.
VALGRIND_TESTS = tests/cli/test_train.sh tests/cli/test_invert.sh tests/cli/test_invert_field.sh \
	tests/cli/test_bad_inputs.sh \
	tests/cli/test_samples.sh tests/cli/test_resume.sh tests/cli/test_forward.sh \
	tests/cli/test_fuzz_regress.sh tests/cli/test_init.sh
valgrind: all
	@sh tools/deps.sh valgrind
	sh tests/valgrind/run.sh $(BPINV) $(VALGRIND_TESTS)

# CI's run under memcheck (.ci/run), to keep CI well under 15 minutes on 2 cores: the
# scripts of damaged and foreign inputs, files, checkpoints and warm starts whole, and for
# invert and train a run of each main feature (test_features.sh) in place of
# test_invert.sh, test_invert_field.sh and test_train.sh, which take 465 of the 717 s of
# CPU (370 s on 2 cores) the whole set takes under memcheck (228 runs, a second of start-up each) and which the
# sanitizers' run checks whole.
VALGRIND_CI_TESTS = tests/cli/test_bad_inputs.sh tests/cli/test_samples.sh tests/cli/test_features.sh \
	tests/cli/test_resume.sh tests/cli/test_init.sh tests/cli/test_forward.sh tests/cli/test_fuzz_regress.sh
valgrind-ci: all
	@sh tools/deps.sh valgrind
	sh tests/valgrind/run.sh $(BPINV) $(VALGRIND_CI_TESTS)

# The FANN peer is built only where libfann-dev is installed (make bench-peers).
bench: deps mpi-build
	@$(MAKE) --no-print-directory all $(BUILD)/bench_forward $(BUILD)/bench_train $(BUILD)/bench_invert \
		$(BUILD)/bench_growth $(BUILD)/bench_subspan $(BUILD)/bench_ranges $(BUILD)/bench_layers $(BUILD)/bench_writer $(BUILD)/bench_misfit $(BUILD)/bench_starts $(if $(wildcard /usr/include/doublefann.h),$(BUILD)/peer_train_fann)
	sh tests/bench/run.sh $(BUILD)

$(BUILD)/peer_train_fann: $(BUILD)/tests/bench/peer_train_fann.o $(LIBINV) $(LIBSMP) $(LIBFWD)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBINV) $(LIBSMP) $(LIBFWD) -ldoublefann $(LDLIBS)

# The optional peers the benchmarks compare with (large: PyTorch is ~1 GB installed).
bench-peers:
	@sh tools/deps.sh python3-torch python3-numpy python3-h5py python3-scipy libfann-dev

demo: deps
	@$(MAKE) --no-print-directory all
	@sh tools/demo.sh $(BPINV)

FORMAT_FILES = $(wildcard forward/*.[ch] forward/*/*.[ch] samples/*.[ch] invnet/*.[ch] invnet/*/*.[ch] \
	tools/*.[ch] tools/gen/*.c tests/*/*.[ch])
format:
	clang-format -i $(FORMAT_FILES)
format-check:
	clang-format --dry-run -Werror $(FORMAT_FILES)

clean:
	rm -rf build build-san build-mpi build-fuzz bpinv bpinv-mpi

# The soname's version (for the install test).
print-soversion:
	@echo $(SOVERSION)

include tests/fuzz/fuzz.mk

-include $(FWD_OBJ:.o=.d) $(SMP_OBJ:.o=.d) $(INV_OBJ:.o=.d) $(TINV_OBJ:.o=.d) $(TOOL_OBJ:.o=.d) $(TFWD_OBJ:.o=.d) $(TSMP_OBJ:.o=.d) $(TTOOL_OBJ:.o=.d) \
	$(BENCH_OBJ:.o=.d) $(BTRAIN_OBJ:.o=.d) $(BINV_OBJ:.o=.d) $(BGROW_OBJ:.o=.d) $(BSUB_OBJ:.o=.d) $(BRNG_OBJ:.o=.d) $(BLAY_OBJ:.o=.d) $(BWRT_OBJ:.o=.d) $(BMIS_OBJ:.o=.d) $(BSTA_OBJ:.o=.d)

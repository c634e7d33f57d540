# SPDX-License-Identifier: MIT
# fuzz.mk - libFuzzer targets (tests/fuzz/README.md), included by the top Makefile.
#   make fuzz [FUZZ_TIME=60]   build, then fuzz each target FUZZ_TIME seconds on a scratch
#                              copy of its seed corpus (build-fuzz/corpus/<target>, kept
#                              between runs); `make -j2 fuzz` runs two at a time
#   make fuzz-smoke            build, run each target over its committed corpus and its
#                              regression inputs (tests/data/fuzz-regress/<target>-*), then
#                              fuzz it FUZZ_SMOKE_TIME (10) seconds; non-zero exit on a crash
#   make fuzz-<target>         one target (sounding, edi, geom, samples_h5, net_h5)
#   make fuzz-clean            removes build-fuzz/
# Needs clang and libclang-rt (Debian: clang, libclang-rt-14-dev) and libomp (libomp-dev).
# Crash, leak and timeout inputs are written to build-fuzz/artifacts/<target>/.

FUZZ_CC         ?= clang
FUZZ_BUILD      := build-fuzz
FUZZ_TIME       ?= 60
FUZZ_SMOKE_TIME ?= 10
FUZZ_TARGETS    := sounding edi geom samples_h5 net_h5
# Instrumented for coverage and checked by ASan and UBSan (any UB stops the run).
FUZZ_SAN        := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS      = $(STD) $(WARN) -Wno-pass-failed -g -O1 -fno-omit-frame-pointer -fopenmp -MMD -MP
FUZZ_LIB_OBJ    := $(patsubst %.c,$(FUZZ_BUILD)/%.o,$(FWD_SRC) $(SMP_SRC) $(INV_SRC))
FUZZ_BINS       := $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz_%)
# libFuzzer options per target: the largest input (text or HDF5) and limits.
FUZZ_MAXLEN_sounding   := 65536
FUZZ_MAXLEN_edi        := 65536
FUZZ_MAXLEN_geom       := 8192
FUZZ_MAXLEN_samples_h5 := 262144
FUZZ_MAXLEN_net_h5     := 262144
FUZZ_OPTS = -rss_limit_mb=2048 -timeout=25 -max_len=$(FUZZ_MAXLEN_$*) -print_final_stats=1 \
            -artifact_prefix=$(FUZZ_BUILD)/artifacts/$*/ \
            $(if $(wildcard tests/fuzz/fuzz_$*.dict),-dict=tests/fuzz/fuzz_$*.dict)
# One thread each: the fuzzers run two at a time beside the tests.
# Leaks inside libhdf5 on damaged files are HDF5's (tests/fuzz/hdf5.supp).
# The HDF5 mutator forks (fuzz_h5mut.h): a smaller ASan quarantine makes that faster.
# Scratch files in build-fuzz/tmp (a crash skips their removal).
FUZZ_ENV = TMPDIR=$(CURDIR)/$(FUZZ_BUILD)/tmp OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 \
           LSAN_OPTIONS=suppressions=$(CURDIR)/tests/fuzz/hdf5.supp:print_suppressions=0 \
           $(if $(filter %_h5,$*),ASAN_OPTIONS=quarantine_size_mb=16)

.PHONY: fuzz fuzz-deps fuzz-build fuzz-smoke fuzz-clean $(FUZZ_TARGETS:%=fuzz-%) \
        $(FUZZ_TARGETS:%=fuzz-smoke-%)

fuzz-build: $(FUZZ_BINS)
# kept: not intermediate files to delete after the link
.SECONDARY: $(FUZZ_LIB_OBJ) $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/tests/fuzz/fuzz_%.o)

# the compiler and its fuzzing runtime, installed when missing (as make check does)
fuzz-deps:
	@sh tools/deps.sh clang libclang-rt-14-dev libomp-dev

$(FUZZ_BUILD)/%.o: %.c | fuzz-deps
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZCC  $<")
	$(Q)$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(FUZZ_SAN) -c $< -o $@

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/tests/fuzz/fuzz_%.o $(FUZZ_LIB_OBJ)
	@$(if $(Q),echo "  FUZZLD  $@")
	$(Q)$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -fopenmp -o $@ $^ $(LDLIBS)

fuzz: $(FUZZ_TARGETS:%=fuzz-%)

# Prints the target's executions and its corpus size when it stops.
$(FUZZ_TARGETS:%=fuzz-%): fuzz-%: $(FUZZ_BUILD)/fuzz_%
	@mkdir -p $(FUZZ_BUILD)/corpus/$* $(FUZZ_BUILD)/artifacts/$* $(FUZZ_BUILD)/tmp
	@cp -n tests/fuzz/corpus/$*/* $(FUZZ_BUILD)/corpus/$*/
	@echo "  FUZZ    $* for $(FUZZ_TIME) s (log: $(FUZZ_BUILD)/fuzz_$*.log)"
	@$(FUZZ_ENV) $< $(FUZZ_OPTS) -max_total_time=$(FUZZ_TIME) $(FUZZ_BUILD)/corpus/$* \
	    >$(FUZZ_BUILD)/fuzz_$*.log 2>&1; rc=$$?; \
	  echo "  FUZZ    $*: $$(grep -h 'stat::number_of_executed_units' $(FUZZ_BUILD)/fuzz_$*.log | \
	    awk '{print $$2}') executions, corpus $$(ls $(FUZZ_BUILD)/corpus/$* | wc -l) files, exit $$rc"; \
	  if [ $$rc -ne 0 ]; then grep -h -A3 'ERROR\|SUMMARY\|Test unit written' \
	    $(FUZZ_BUILD)/fuzz_$*.log | tail -20; fi; exit $$rc

fuzz-smoke: $(FUZZ_TARGETS:%=fuzz-smoke-%)

$(FUZZ_TARGETS:%=fuzz-smoke-%): fuzz-smoke-%: $(FUZZ_BUILD)/fuzz_%
	@rm -rf $(FUZZ_BUILD)/smoke/$*
	@mkdir -p $(FUZZ_BUILD)/smoke/$* $(FUZZ_BUILD)/artifacts/$* $(FUZZ_BUILD)/tmp
	@set -e; regress="$(wildcard tests/data/fuzz-regress/$*-*)"; \
	  if [ -n "$$regress" ]; then $(FUZZ_ENV) $< $(FUZZ_OPTS) $$regress \
	    >$(FUZZ_BUILD)/smoke-regress-$*.log 2>&1 || \
	    { tail -30 $(FUZZ_BUILD)/smoke-regress-$*.log; exit 1; }; fi
	@$(FUZZ_ENV) $< $(FUZZ_OPTS) -max_total_time=$(FUZZ_SMOKE_TIME) \
	    $(FUZZ_BUILD)/smoke/$* tests/fuzz/corpus/$* >$(FUZZ_BUILD)/smoke-$*.log 2>&1; rc=$$?; \
	  echo "  SMOKE   $*: $$(grep -h 'stat::number_of_executed_units' $(FUZZ_BUILD)/smoke-$*.log | \
	    awk '{print $$2}') executions, exit $$rc"; \
	  if [ $$rc -ne 0 ]; then tail -30 $(FUZZ_BUILD)/smoke-$*.log; fi; exit $$rc

fuzz-clean:
	rm -rf $(FUZZ_BUILD)

-include $(FUZZ_LIB_OBJ:.o=.d) $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/tests/fuzz/fuzz_%.d)

# tests/fuzz.mk: libFuzzer harnesses for the decoder and the catalog reader (tests/fuzz/), built
# with clang under ASan+UBSan into build-fuzz/. Included by the Makefile.
#
#   make fuzz         each harness for FUZZ_SECONDS (default 300); crashes land in build-fuzz/
#   make fuzz-smoke   each for 20 s (make check runs it)
#
# Seeds: the hostile corpus (tests/hostile/) for the decoder; the shipped and test catalogs,
# broken ones included, for the reader. New inputs go to build-fuzz/corpus-*, never into the tree.

FUZZ_DIR     ?= build-fuzz
FUZZ_SECONDS ?= 300
FUZZ_CC      ?= clang
FUZZ_FLAGS   := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
                -std=c11 -D_POSIX_C_SOURCE=200809L -Iinclude -Iproto -Idaemon \
                $(shell $(PKG_CONFIG) --cflags $(PKGS_CORE) 2>/dev/null)
FUZZ_PROTO   := $(FUZZ_DIR)/fuzz_proto
FUZZ_CATALOG := $(FUZZ_DIR)/fuzz_catalog

.PHONY: fuzz fuzz-smoke
$(FUZZ_PROTO): tests/fuzz/fuzz_proto.c $(PROTO_SRC) $(wildcard proto/*.h include/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ tests/fuzz/fuzz_proto.c $(PROTO_SRC) $(LIBS_CORE)

$(FUZZ_CATALOG): tests/fuzz/fuzz_catalog.c daemon/catalog.c $(PROTO_SRC) $(wildcard daemon/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ tests/fuzz/fuzz_catalog.c daemon/catalog.c $(PROTO_SRC) \
	    $(LIBS_CORE)

# Run one harness for $(2) seconds on its own corpus and the seeds; a crash fails the target.
define fuzz_run
	@mkdir -p $(FUZZ_DIR)/corpus-$(notdir $(1)) $(FUZZ_DIR)/crashes
	@cd $(FUZZ_DIR) && echo "fuzz: $(notdir $(1)) for $(2) s" && \
	    { ./$(notdir $(1)) -max_total_time=$(2) -max_len=65536 -timeout=10 \
	      -artifact_prefix=crashes/ -print_final_stats=1 corpus-$(notdir $(1)) $(3) \
	      > $(notdir $(1)).log 2>&1; rc=$$?; \
	      grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|==[0-9]+==ERROR|SUMMARY)' \
	      $(notdir $(1)).log; test $$rc -eq 0 || { tail -40 $(notdir $(1)).log; exit 1; }; }
endef

fuzz: $(FUZZ_PROTO) $(FUZZ_CATALOG)
	$(call fuzz_run,$(FUZZ_PROTO),$(FUZZ_SECONDS),../tests/hostile)
	$(call fuzz_run,$(FUZZ_CATALOG),$(FUZZ_SECONDS),../tests/catalog ../catalog ../tests/data)

fuzz-smoke:
	@if command -v $(FUZZ_CC) >/dev/null 2>&1; then \
	    $(MAKE) --no-print-directory fuzz FUZZ_SECONDS=20; \
	else echo "fuzz-smoke: no $(FUZZ_CC); skipped"; fi

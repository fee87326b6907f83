# tests/fuzz.mk: libFuzzer harnesses for the decoder and the catalog reader (tests/fuzz/), built
# with clang under ASan+UBSan into build-fuzz/. Included by the Makefile.
#
#   make fuzz         each harness for FUZZ_SECONDS (default 300; make -j2 fuzz runs both at once)
#   make fuzz-smoke   each for 20 s, both at once (make check runs it)
#
# Seeds: tests/fuzz/seeds/<harness>/ (made by tests/fuzz/make_seeds.py: PROTOCOL.md's goldens and
# the hostile corpus for the decoder; the shipped and test catalogs, broken ones included, for the
# reader), with a dictionary each. New inputs go to build-fuzz/corpus-<harness>/ and crashes to
# build-fuzz/crashes/, never into the tree; a crash fails the target and shows the report.

FUZZ_DIR     ?= build-fuzz
FUZZ_SECONDS ?= 300
FUZZ_CC      ?= clang
FUZZ_FLAGS   := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
                $(filter-out -MMD -MP,$(CPPFLAGS)) $(WARN) \
                $(shell $(PKG_CONFIG) --cflags $(PKGS_CORE) 2>/dev/null)
FUZZ_PROTO   := $(FUZZ_DIR)/fuzz_proto
FUZZ_CATALOG := $(FUZZ_DIR)/fuzz_catalog

.PHONY: fuzz fuzz-smoke fuzz-proto fuzz-catalog
$(FUZZ_PROTO): tests/fuzz/fuzz_proto.c $(PROTO_SRC) $(LAKIP_SRC) $(wildcard proto/*.h lakip/*.h include/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ tests/fuzz/fuzz_proto.c $(PROTO_SRC) $(LAKIP_SRC) $(LIBS_MSGPACK)

$(FUZZ_CATALOG): tests/fuzz/fuzz_catalog.c $(CATALOG_SRC) $(PROTO_SRC) $(LAKIP_SRC) $(MEM_SRC) \
                 $(wildcard daemon/catalog*.h proto/*.h lakip/*.h mem/*.h include/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ tests/fuzz/fuzz_catalog.c $(CATALOG_SRC) $(PROTO_SRC) $(LAKIP_SRC) \
	    $(MEM_SRC) $(LIBS_MSGPACK)

# Run harness $(1) for FUZZ_SECONDS on its grown corpus and its seeds, from inside $(FUZZ_DIR)
# (libFuzzer writes crash-*, leak-*, timeout-* files into crashes/ there). Prints the runs and
# their rate; on a failure, the end of the log.
define fuzz_run
	@mkdir -p $(FUZZ_DIR)/corpus-$(1) $(FUZZ_DIR)/crashes
	@cd $(FUZZ_DIR) && echo "fuzz: $(1) for $(FUZZ_SECONDS) s" && \
	    { ./fuzz_$(1) -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 \
	      -dict=$(CURDIR)/tests/fuzz/$(1).dict -artifact_prefix=crashes/ -print_final_stats=1 \
	      corpus-$(1) $(CURDIR)/tests/fuzz/seeds/$(1) > $(1).log 2>&1; rc=$$?; \
	      sed -n -e 's/^stat::number_of_executed_units: */fuzz: $(1): runs /p' \
	          -e 's/^stat::average_exec_per_sec: */fuzz: $(1): exec\/s /p' \
	          -e '/==[0-9]*==ERROR/p' -e '/^SUMMARY/p' $(1).log; \
	      test $$rc -eq 0 || { tail -60 $(1).log; exit 1; }; }
endef

fuzz-proto: $(FUZZ_PROTO)
	$(call fuzz_run,proto)

fuzz-catalog: $(FUZZ_CATALOG)
	$(call fuzz_run,catalog)

fuzz: fuzz-proto fuzz-catalog

fuzz-smoke:
	@if command -v $(FUZZ_CC) >/dev/null 2>&1; then \
	    $(MAKE) --no-print-directory -j2 fuzz FUZZ_SECONDS=20; \
	else echo "fuzz-smoke: no $(FUZZ_CC) (scripts/deps.sh test installs it); skipped"; fi

# iki: one non-recursive Makefile for the daemon, the client, the tests and the benchmark.
#
#   make            build build/ikid and build/iki
#   make run        install what is missing, build, run ikid and ikiweb on ./state (Sampang catalog)
#   make check      install what is missing, build, run every test
#   make asan       the same tests under ASan+UBSan, in build-asan/
#   make bench      throughput and latency figures, and iki submit over 32 and 64 kbit/s (see bench/)
#   make field      the slow-link tests at full scale: a 10-minute outage, 3,000 events
#   make crash      the crash test with 200 kill -9s (make check runs it with 25)
#   make fuzz       the decoder's and the catalog reader's fuzzers, FUZZ_SECONDS each (see tests/fuzz.mk)
#   make install    PREFIX=/usr/local DESTDIR=

PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
SBINDIR  ?= $(PREFIX)/sbin
DATADIR  ?= $(PREFIX)/share/iki
MANDIR   ?= $(PREFIX)/share/man
INCDIR   ?= $(PREFIX)/include
LIBDIR   ?= $(PREFIX)/lib
UNITDIR  ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= /etc
LOCALEDIR ?= $(PREFIX)/share/locale
BUILD    ?= build
WERROR   ?= -Werror
SANITIZE ?=

PKG_CONFIG ?= pkg-config
MSGPACK_PC := $(shell $(PKG_CONFIG) --exists msgpack-c 2>/dev/null && echo msgpack-c || echo msgpack)
PKGS_CORE  := libzmq $(MSGPACK_PC) lmdb
PKGS_CLI   := json-c

CC       ?= cc
CFLAGS   ?= -O2 -g
WARN     := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 $(WERROR)
CPPFLAGS += -std=c11 -D_POSIX_C_SOURCE=200809L -Iinclude -Iproto -Ilakip -Ikeys -Imem -Idaemon -Iclient -MMD -MP
ifneq ($(SANITIZE),)
CFLAGS   += -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS  += -fsanitize=address,undefined
endif
ALL_CFLAGS = $(CPPFLAGS) $(WARN) $(CFLAGS) $(shell $(PKG_CONFIG) --cflags $(PKGS_CORE) $(PKGS_CLI) check 2>/dev/null)
LIBS_CORE  = $(shell $(PKG_CONFIG) --libs $(PKGS_CORE)) -lm
LIBS_MSGPACK = $(shell $(PKG_CONFIG) --libs $(MSGPACK_PC)) -lm
LIBS_CLI   = $(shell $(PKG_CONFIG) --libs $(PKGS_CLI))
LIBS_CHECK = $(shell $(PKG_CONFIG) --libs check)
# iki report --format xlsx (client/xlsx.c): Debian's libxlsxwriter-dev; iki only, not libiki
ALL_CFLAGS += $(shell $(PKG_CONFIG) --cflags xlsxwriter 2>/dev/null)
LIBS_XLSX  = $(shell $(PKG_CONFIG) --libs xlsxwriter)

# The wire format (msgpack only), the LAKIP's calendar and arithmetic (pure), the CURVE key files
# (libzmq), the growable array; every program links them all (SHARED_OBJ), the codec's tests the
# first two.
PROTO_SRC  := proto/proto.c proto/proto_dec.c proto/proto_enc.c proto/mpack.c proto/element.c proto/batch.c proto/iki.c
LAKIP_SRC  := lakip/period.c lakip/lakip.c
KEYS_SRC   := keys/curve.c
MEM_SRC    := mem/grow.c
CATALOG_SRC := daemon/catalog.c daemon/catalog_read.c daemon/catalog_sections.c
STORE_SRC  := daemon/store_lmdb.c daemon/store_rules.c daemon/store_record.c daemon/store_read.c \
              daemon/store_batch.c daemon/store_derive.c daemon/store_apply.c daemon/store_admin.c \
              daemon/store.c daemon/store_check.c
DAEMON_SRC := $(CATALOG_SRC) $(STORE_SRC) daemon/server.c daemon/publish.c daemon/thread.c daemon/auth.c daemon/authz.c daemon/targets.c daemon/schedule.c daemon/log.c daemon/guard.c daemon/reader.c daemon/reply.c daemon/config.c daemon/notify.c daemon/metrics.c
# The client's words (client/i18n.h): po/LANG.po compiled into BUILD/locale/LANG/LC_MESSAGES/iki.mo,
# where BUILD/iki finds it (beside the binary), and installed under LOCALEDIR.
PO := $(wildcard po/*.po)
MO := $(PO:po/%.po=$(BUILD)/locale/%/LC_MESSAGES/iki.mo)
CLIENT_SRC := client/libiki.c client/stream.c client/input.c client/csvlocale.c client/outbox.c client/deliver.c
# iki report's tables (client/tables.h), which ikiweb prints too: the model, then each format.
TABLES_SRC := client/tables.c client/tables_syllables.c client/tables_text.c client/tables_csv.c client/tables_html.c

PROTO_OBJ  := $(PROTO_SRC:%.c=$(BUILD)/%.o)
LAKIP_OBJ  := $(LAKIP_SRC:%.c=$(BUILD)/%.o)
SHARED_OBJ := $(PROTO_OBJ) $(LAKIP_OBJ) $(KEYS_SRC:%.c=$(BUILD)/%.o) $(MEM_SRC:%.c=$(BUILD)/%.o)
DAEMON_OBJ := $(DAEMON_SRC:%.c=$(BUILD)/%.o)
CATALOG_OBJ := $(CATALOG_SRC:%.c=$(BUILD)/%.o)
CLIENT_OBJ := $(CLIENT_SRC:%.c=$(BUILD)/%.o)
TABLES_OBJ := $(TABLES_SRC:%.c=$(BUILD)/%.o)

TESTS := $(BUILD)/tests/check_proto $(BUILD)/tests/check_catalog $(BUILD)/tests/check_store \
         $(BUILD)/tests/check_client $(BUILD)/tests/check_e2e $(BUILD)/tests/check_trust \
         $(BUILD)/tests/check_report $(BUILD)/tests/check_pdf \
         $(BUILD)/tests/check_crash $(BUILD)/tests/check_live \
         $(BUILD)/tests/check_hostile $(BUILD)/tests/check_lakip $(BUILD)/tests/check_year \
         $(BUILD)/tests/check_outbox $(BUILD)/tests/check_link \
         $(BUILD)/tests/check_limits \
         $(BUILD)/tests/check_wire $(BUILD)/tests/check_batch $(BUILD)/tests/check_exchange $(BUILD)/tests/check_dhis2 $(BUILD)/tests/check_words \
         $(BUILD)/tests/check_national $(BUILD)/tests/check_metrics

.PHONY: all run check test asan bench bench-peer bench-scale field crash install deps clean po-check
all: $(BUILD)/ikid $(BUILD)/iki $(BUILD)/libiki.a $(MO)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/ikid: $(BUILD)/daemon/main.o $(DAEMON_OBJ) $(SHARED_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CORE) $(LIBS_METRICS)

# ikid's GET /metrics (daemon/metrics.c) is served by libmicrohttpd, as ikiweb is; its
# ikid_build_info names the commit ikid was built from (the stamp rebuilds it when that changes).
LIBS_METRICS = $(shell $(PKG_CONFIG) --libs libmicrohttpd) -lpthread
IKI_VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
$(shell mkdir -p $(BUILD); echo '$(IKI_VERSION)' | cmp -s - $(BUILD)/version.stamp || \
	echo '$(IKI_VERSION)' > $(BUILD)/version.stamp)
$(BUILD)/daemon/metrics.o: CPPFLAGS += $(shell $(PKG_CONFIG) --cflags libmicrohttpd) -DIKI_VERSION='"$(IKI_VERSION)"'
$(BUILD)/daemon/metrics.o: $(BUILD)/version.stamp

$(BUILD)/iki: $(BUILD)/client/iki.o $(BUILD)/client/i18n.o $(BUILD)/client/query.o $(BUILD)/client/list.o $(BUILD)/client/sync.o $(BUILD)/client/watch.o $(BUILD)/client/live.o $(BUILD)/client/live_model.o $(BUILD)/client/live_draw.o $(BUILD)/client/cli.o $(BUILD)/client/admin.o $(BUILD)/client/report.o $(TABLES_OBJ) $(BUILD)/client/text.o $(BUILD)/client/xlsx.o $(BUILD)/client/dhis2.o $(BUILD)/client/dhis2_cmd.o $(CLIENT_OBJ) $(SHARED_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CORE) $(LIBS_CLI) $(LIBS_XLSX)

$(BUILD)/locale/%/LC_MESSAGES/iki.mo: po/%.po
	@mkdir -p $(@D)
	msgfmt --check -o $@ $<

# Every string the client marks with _() or N_() has a translation (msgfmt counts what is
# untranslated or fuzzy; tests/check_words runs it too).
po-check: $(MO)
	@set -e; t=$$(mktemp -d); \
	xgettext --from-code=UTF-8 -k_ -kN_ -o $$t/iki.pot client/*.c; \
	for p in $(PO); do msgcmp $$p $$t/iki.pot 2>&1 | grep -v 'not used' || true; \
	  msgcmp $$p $$t/iki.pot 2>/dev/null || { rm -rf $$t; exit 1; }; done; \
	rm -rf $$t

$(BUILD)/client/i18n.o: CPPFLAGS += -DIKI_LOCALEDIR='"$(LOCALEDIR)"'

# The client library for other programs (static and shared, libiki.pc): lib/libiki.mk

$(BUILD)/tests/check_proto: $(BUILD)/tests/check_proto.o $(PROTO_OBJ) $(LAKIP_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_MSGPACK) $(LIBS_CHECK)

$(BUILD)/tests/check_batch: $(BUILD)/tests/check_batch.o $(PROTO_OBJ) $(LAKIP_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_MSGPACK) $(LIBS_CHECK)

$(BUILD)/tests/check_grow: $(BUILD)/tests/check_grow.o $(BUILD)/mem/grow.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CHECK)
TESTS += $(BUILD)/tests/check_grow

$(BUILD)/tests/check_catalog: $(BUILD)/tests/check_catalog.o $(CATALOG_OBJ) $(SHARED_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CORE) $(LIBS_CHECK)

STORE_OBJ  := $(STORE_SRC:%.c=$(BUILD)/%.o)

$(BUILD)/tests/check_store: $(BUILD)/tests/check_store.o $(STORE_OBJ) $(CATALOG_OBJ) $(SHARED_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CORE) $(LIBS_CHECK)

# The store's catalog rules for an event (store_rules.c) are pure: their test needs no LMDB store.
$(BUILD)/tests/check_rules: $(BUILD)/tests/check_rules.o $(BUILD)/daemon/store_rules.o $(CATALOG_OBJ) $(SHARED_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CORE) $(LIBS_CHECK)
TESTS += $(BUILD)/tests/check_rules

# The reader threads on a real store and ZeroMQ context, without the rest of ikid.
$(BUILD)/tests/check_readers: $(BUILD)/tests/check_readers.o $(DAEMON_OBJ) $(SHARED_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CORE) $(LIBS_METRICS) $(LIBS_CHECK)
TESTS += $(BUILD)/tests/check_readers

$(BUILD)/tests/check_client: $(BUILD)/tests/check_client.o $(CLIENT_OBJ) $(SHARED_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CORE) $(LIBS_CLI) $(LIBS_CHECK) -lpthread

$(BUILD)/tests/check_e2e: $(BUILD)/tests/check_e2e.o $(BUILD)/tests/harness.o $(SHARED_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CORE) $(LIBS_CLI) $(LIBS_CHECK)

$(BUILD)/tests/check_link: $(BUILD)/tests/check_link.o $(BUILD)/tests/linkemu.o $(BUILD)/tests/harness.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CHECK)

$(BUILD)/tests/check_outbox: $(BUILD)/tests/check_outbox.o $(BUILD)/tests/harness.o $(CLIENT_OBJ) $(SHARED_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CORE) $(LIBS_CLI) $(LIBS_CHECK)

$(BUILD)/tests/check_exchange: $(BUILD)/tests/check_exchange.o $(BUILD)/tests/harness.o $(CLIENT_OBJ) $(SHARED_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CORE) $(LIBS_CLI) $(LIBS_CHECK)

$(BUILD)/tests/check_national: $(BUILD)/tests/check_national.o $(BUILD)/tests/harness.o $(CLIENT_OBJ) $(SHARED_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CORE) $(LIBS_CLI) $(LIBS_CHECK)

$(BUILD)/tests/check_dhis2: $(BUILD)/tests/check_dhis2.o $(BUILD)/tests/harness.o $(BUILD)/client/dhis2.o $(CLIENT_OBJ) $(SHARED_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CORE) $(LIBS_CLI) $(LIBS_CHECK)

$(BUILD)/tests/check_lakip: $(BUILD)/tests/check_lakip.o $(BUILD)/tests/harness.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CLI) $(LIBS_CHECK)

$(BUILD)/tests/check_year: $(BUILD)/tests/check_year.o $(BUILD)/tests/harness.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CLI) $(LIBS_CHECK) -lm

$(BUILD)/tests/check_hostile: $(BUILD)/tests/check_hostile.o $(BUILD)/tests/harness.o $(SHARED_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CORE) $(LIBS_CHECK)

$(BUILD)/tests/check_live: $(BUILD)/tests/check_live.o $(BUILD)/tests/harness.o $(CLIENT_OBJ) $(SHARED_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CORE) $(LIBS_CLI) $(LIBS_CHECK)

$(BUILD)/tests/check_wire: $(BUILD)/tests/check_wire.o $(BUILD)/tests/harness.o $(CLIENT_OBJ) $(SHARED_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CORE) $(LIBS_CLI) $(LIBS_CHECK) -lpthread

$(BUILD)/tests/check_report: $(BUILD)/tests/check_report.o $(BUILD)/tests/harness.o $(TABLES_OBJ) $(BUILD)/client/text.o $(CLIENT_OBJ) $(SHARED_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CORE) $(LIBS_CLI) $(LIBS_CHECK)

# iki report -o FILE.pdf: runs weasyprint, reads the PDF back with pdftotext (scripts/deps.sh test)
$(BUILD)/tests/check_pdf: $(BUILD)/tests/check_pdf.o $(BUILD)/tests/harness.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CHECK)

$(BUILD)/tests/check_words: $(BUILD)/tests/check_words.o $(BUILD)/tests/harness.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CHECK)

$(BUILD)/tests/check_trust: $(BUILD)/tests/check_trust.o $(BUILD)/tests/harness.o     $(BUILD)/daemon/auth.o $(BUILD)/daemon/authz.o $(CATALOG_OBJ) $(BUILD)/daemon/log.o $(SHARED_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CORE) $(LIBS_CHECK) -lpthread

# check_limits' raw CURVE client (tests/zmtp_curve.c) boxes with libsodium, as ikiweb does
$(BUILD)/tests/check_limits: $(BUILD)/tests/check_limits.o $(BUILD)/tests/harness.o $(BUILD)/tests/zmtp_curve.o $(SHARED_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CORE) $(LIBS_CHECK) $(shell $(PKG_CONFIG) --libs libsodium)

# check_metrics scrapes ikid's GET /metrics with a plain socket while libiki clients load it
$(BUILD)/tests/check_metrics: $(BUILD)/tests/check_metrics.o $(BUILD)/tests/harness.o $(CLIENT_OBJ) $(SHARED_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CORE) $(LIBS_CLI) $(LIBS_CHECK) -lpthread

$(BUILD)/tests/check_crash: $(BUILD)/tests/check_crash.o $(BUILD)/tests/harness.o $(SHARED_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CORE) $(LIBS_CHECK) -lpthread

$(BUILD)/bench/bench: $(BUILD)/bench/bench.o $(BUILD)/tests/harness.o $(SHARED_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CORE) -lpthread

$(BUILD)/bench/linkbench: $(BUILD)/bench/linkbench.o $(BUILD)/tests/linkemu.o $(BUILD)/tests/harness.o $(SHARED_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CORE)

$(BUILD)/daemon/main.o: CPPFLAGS += -DIKI_DEFAULT_CATALOG='"$(DATADIR)/sampang-2022.conf"'

deps:
	@./scripts/deps.sh

# The test runner: each Check binary runs from the top of the tree, so that tests find
# catalog/, tests/data/ and proto/PROTOCOL.md, and ikid/iki under $(BUILD)/.
test: all $(TESTS)
	@set -e; for t in $(TESTS); do echo "== $$t"; IKI_BUILD=$(BUILD) ./$$t; done

check:
	@./scripts/deps.sh test
	@$(MAKE) --no-print-directory test
	@$(MAKE) --no-print-directory fuzz-smoke

asan:
	@./scripts/deps.sh test
	@$(MAKE) --no-print-directory BUILD=build-asan SANITIZE=1 test

bench: deps
	@./scripts/deps.sh bench
	@$(MAKE) --no-print-directory all $(BUILD)/bench/bench $(BUILD)/bench/linkbench $(BUILD)/bench/peerbench
	IKI_BUILD=$(BUILD) ./$(BUILD)/bench/bench
	IKI_BUILD=$(BUILD) ./$(BUILD)/bench/linkbench
	IKI_PEER_SECONDS=$${IKI_PEER_SECONDS:-2} IKI_BUILD=$(BUILD) ./$(BUILD)/bench/peerbench

# Single events beside the Redis + Lua peer and the minimal durable path (bench/peer/README.md).
bench-peer: deps
	@./scripts/deps.sh bench
	@$(MAKE) --no-print-directory all $(BUILD)/bench/peerbench
	IKI_BUILD=$(BUILD) ./$(BUILD)/bench/peerbench

# The national shape: IKI_SCALE_EVENTS (10,000,000) events over every village of Indonesia.
bench-scale: deps
	@$(MAKE) --no-print-directory all $(BUILD)/bench/scalebench
	IKI_BUILD=$(BUILD) ./$(BUILD)/bench/scalebench

# The benchmarks of what users send: single events beside a Redis + Lua peer and a minimal
# durable path (peerbench), and the national shape (scalebench).
BENCH_LOAD_OBJ := $(BUILD)/bench/loadgen.o $(BUILD)/tests/harness.o $(CATALOG_OBJ) $(SHARED_OBJ)
LIBS_HIREDIS = $(shell $(PKG_CONFIG) --libs hiredis 2>/dev/null || echo -lhiredis)

$(BUILD)/bench/peerbench: $(BUILD)/bench/peer/peerbench.o $(BUILD)/bench/peer/minimal.o \
                          $(BUILD)/bench/peer/redispeer.o $(BENCH_LOAD_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CORE) $(LIBS_HIREDIS) -lpthread

$(BUILD)/bench/scalebench: $(BUILD)/bench/scale.o $(BENCH_LOAD_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CORE) -lpthread

# The link conditions at full scale: a 10-minute outage, 3,000 events (about 20 minutes).
field: deps
	@$(MAKE) --no-print-directory all $(BUILD)/tests/check_link $(BUILD)/bench/linkbench
	LINK_OUTAGE_SECONDS=600 LINK_EVENTS=3000 IKI_BUILD=$(BUILD) ./$(BUILD)/tests/check_link
	IKI_BUILD=$(BUILD) ./$(BUILD)/bench/linkbench

crash: deps
	@$(MAKE) --no-print-directory all $(BUILD)/tests/check_crash
	CRASH_KILLS=$${CRASH_KILLS:-200} IKI_BUILD=$(BUILD) ./$(BUILD)/tests/check_crash

STATE ?= state
CATALOG ?= catalog/sampang-2022.conf
WEB_LISTEN ?= 127.0.0.1:8080
run: deps
	@$(MAKE) --no-print-directory all
	@./scripts/first-run.sh $(STATE) $(BUILD)
	@./scripts/run.sh $(STATE) $(BUILD) $(CATALOG) $(WEB_LISTEN)

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR) \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(UNITDIR)
	install -m 755 $(BUILD)/ikid $(DESTDIR)$(SBINDIR)/ikid
	install -m 755 $(BUILD)/iki $(DESTDIR)$(BINDIR)/iki
	install -m 644 catalog/sampang-2022.conf $(DESTDIR)$(DATADIR)/sampang-2022.conf
	install -m 644 man/iki.1 $(DESTDIR)$(MANDIR)/man1/iki.1
	for m in $(MO); do l=$${m#$(BUILD)/locale/}; l=$${l%%/*}; \
	  install -d $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES; \
	  install -m 644 $$m $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/iki.mo; done
	install -m 644 man/ikid.8 $(DESTDIR)$(MANDIR)/man8/ikid.8
	sed 's|@SBINDIR@|$(SBINDIR)|g; s|@DATADIR@|$(DATADIR)|g' systemd/ikid.service.in \
	    > $(DESTDIR)$(UNITDIR)/ikid.service
	install -d $(DESTDIR)$(SYSCONFDIR)/iki
	test -e $(DESTDIR)$(SYSCONFDIR)/iki/ikid.conf || \
	    sed 's|@DATADIR@|$(DATADIR)|g' systemd/ikid.conf.in > $(DESTDIR)$(SYSCONFDIR)/iki/ikid.conf

include tests/fuzz.mk
include tests/ops/ops.mk
include lib/libiki.mk
include web/web.mk
include tests/web/web.mk

clean:
	rm -rf build build-asan build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

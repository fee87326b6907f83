# web/web.mk: ikiweb, the web gateway (included by the Makefile). See man/ikiweb.8.
PKGS_WEB  := libmicrohttpd libsodium
WEB_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS_WEB))
LIBS_WEB   = $(shell $(PKG_CONFIG) --libs $(PKGS_WEB)) -lpthread
WEB_SRC   := web/main.c web/http.c web/api.c web/api_data.c web/api_report.c web/gateway.c \
             web/live.c web/session.c web/users.c web/usercmd.c web/journal.c web/jsonout.c
WEB_OBJ   := $(WEB_SRC:%.c=$(BUILD)/%.o)

$(WEB_OBJ): CPPFLAGS += -Iweb $(WEB_CFLAGS)
$(BUILD)/web/main.o: CPPFLAGS += -DIKI_DEFAULT_WWW='"$(DATADIR)/www"'

$(BUILD)/ikiweb: $(WEB_OBJ) $(TABLES_OBJ) $(BUILD)/client/text.o $(CLIENT_OBJ) $(SHARED_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CORE) $(LIBS_CLI) $(LIBS_WEB)

all: $(BUILD)/ikiweb


# The sessions and users modules on their own (Check).
$(BUILD)/tests/check_web.o: CPPFLAGS += -Iweb $(WEB_CFLAGS)
$(BUILD)/tests/check_web: $(BUILD)/tests/check_web.o $(BUILD)/tests/harness.o $(BUILD)/web/session.o $(BUILD)/web/users.o $(BUILD)/mem/grow.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CHECK) $(LIBS_WEB)
TESTS += $(BUILD)/tests/check_web
test: $(BUILD)/tests/check_web

# The API's contract and security tests: real ikid and ikiweb on ephemeral ports, through HTTP
# only (tests/web_api.py, Python's standard library; about 20 s).
TESTS += tests/web_api.py

# make bench-web (make bench runs it first): 200 SSE streams while 8 clerks post (bench/web.md).
.PHONY: bench-web
bench-web: $(BUILD)/ikid $(BUILD)/ikiweb
	IKI_BUILD=$(BUILD) ./bench/web_bench.py
bench: bench-web

# make install also installs ikiweb, its pages, man page and unit.
.PHONY: install-web
install-web: $(BUILD)/ikiweb
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(DATADIR)/www $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(UNITDIR)
	install -m 755 $(BUILD)/ikiweb $(DESTDIR)$(SBINDIR)/ikiweb
	cp -R web/www/. $(DESTDIR)$(DATADIR)/www/
	install -m 644 man/ikiweb.8 $(DESTDIR)$(MANDIR)/man8/ikiweb.8
	sed 's|@SBINDIR@|$(SBINDIR)|g; s|@DATADIR@|$(DATADIR)|g' systemd/ikiweb.service.in \
	    > $(DESTDIR)$(UNITDIR)/ikiweb.service
install: install-web

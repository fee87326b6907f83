# lib/libiki.mk: libiki for other programs (included by the Makefile): the static library and a
# shared one with a versioned soname, both exporting only iki_ symbols, and its pkg-config file.
# A program includes <iki/iki_client.h> and links with `pkg-config --cflags --libs libiki`.
LIBIKI_MAJOR   := 1
LIBIKI_VERSION := 1.0.0
LIBIKI_OBJ      = $(CLIENT_OBJ) $(SHARED_OBJ)
LIBIKI_PIC      = $(LIBIKI_OBJ:$(BUILD)/%=$(BUILD)/pic/%)
LIBIKI_SO      := libiki.so.$(LIBIKI_VERSION)

$(BUILD)/pic/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fPIC -c $< -o $@

# The archive holds one object, linked from all of them, in which every global symbol but the
# iki_ ones is made local: a program linking it sees nothing else, and cannot clash with it.
$(BUILD)/libiki.a: $(LIBIKI_OBJ)
	rm -f $@
	$(LD) -r -o $(BUILD)/libiki-all.o $^
	objcopy --wildcard --keep-global-symbol='iki_*' $(BUILD)/libiki-all.o $(BUILD)/libiki.o
	$(AR) rcs $@ $(BUILD)/libiki.o

$(BUILD)/$(LIBIKI_SO): $(LIBIKI_PIC) lib/libiki.map
	$(CC) $(LDFLAGS) -shared -Wl,-soname,libiki.so.$(LIBIKI_MAJOR) -Wl,--version-script=lib/libiki.map \
	    -Wl,-z,defs -o $@ $(LIBIKI_PIC) $(LIBS_CORE) $(LIBS_CLI)
	ln -sf $(LIBIKI_SO) $(BUILD)/libiki.so.$(LIBIKI_MAJOR)
	ln -sf libiki.so.$(LIBIKI_MAJOR) $(BUILD)/libiki.so

all: $(BUILD)/$(LIBIKI_SO)

# Everything built with a path from PREFIX in it is rebuilt when PREFIX (or one of the
# directories) changes: the stamp holds them, rewritten only when they differ.
LIBIKI_PATHS := $(PREFIX) $(DATADIR) $(LOCALEDIR) $(LIBDIR) $(INCDIR)
$(shell mkdir -p $(BUILD); echo '$(LIBIKI_PATHS)' | cmp -s - $(BUILD)/paths.stamp || \
	echo '$(LIBIKI_PATHS)' > $(BUILD)/paths.stamp)
$(BUILD)/daemon/main.o $(BUILD)/web/main.o $(BUILD)/client/i18n.o: $(BUILD)/paths.stamp

.PHONY: install-lib
install-lib: $(BUILD)/libiki.a $(BUILD)/$(LIBIKI_SO)
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCDIR)/iki
	install -m 644 include/iki.h include/iki_client.h include/proto.h $(DESTDIR)$(INCDIR)/iki/
	install -m 644 $(BUILD)/libiki.a $(DESTDIR)$(LIBDIR)/libiki.a
	install -m 755 $(BUILD)/$(LIBIKI_SO) $(DESTDIR)$(LIBDIR)/$(LIBIKI_SO)
	ln -sf $(LIBIKI_SO) $(DESTDIR)$(LIBDIR)/libiki.so.$(LIBIKI_MAJOR)
	ln -sf libiki.so.$(LIBIKI_MAJOR) $(DESTDIR)$(LIBDIR)/libiki.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCDIR@|$(INCDIR)|' \
	    -e 's|@VERSION@|$(LIBIKI_VERSION)|' -e 's|@REQUIRES@|$(PKGS_CORE) $(PKGS_CLI)|' \
	    lib/libiki.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/libiki.pc
install: install-lib

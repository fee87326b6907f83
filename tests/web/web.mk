# tests/web/web.mk: the browser tests of ikiweb's pages (included by the Makefile).
#   make test-web    headless Chromium (Selenium) against a real ikid and ikiweb, about a minute;
#                    `make test` (and so `make check`) runs it too. SHOTS=DIR keeps the screenshots.
.PHONY: test-web
test-web: $(BUILD)/ikid $(BUILD)/iki $(BUILD)/ikiweb
	IKI_BUILD=$(BUILD) /usr/bin/python3 tests/web/test_pages.py

test: test-web

#!/bin/sh
# deps.sh: install the Debian packages iki builds with, when pkg-config cannot find them.
# Runs apt-get as root, or through sudo otherwise. A no-op when everything is present.
# "deps.sh test" also installs what the tests need beyond the build (the independent client
# of tests/independent_client.py runs on Debian's python3 with its zmq and msgpack modules).
set -eu

missing=""
need() { # need PKG_CONFIG_MODULE DEBIAN_PACKAGE
	pkg-config --exists "$1" 2>/dev/null || missing="$missing $2"
}

command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
command -v cc >/dev/null 2>&1 || missing="$missing build-essential"
need libzmq libzmq3-dev
pkg-config --exists msgpack-c 2>/dev/null || need msgpack libmsgpack-dev
need lmdb liblmdb-dev
need check check
need json-c libjson-c-dev
# the client's Indonesian catalog (po/id.po -> iki.mo): msgfmt, and xgettext for make po-check
command -v msgfmt >/dev/null 2>&1 || missing="$missing gettext"
# ikiweb (web/): HTTP(S) with libmicrohttpd and GnuTLS, Argon2id passwords with libsodium
need libmicrohttpd libmicrohttpd-dev
need libsodium libsodium-dev
need gnutls libgnutls28-dev
# iki report --format xlsx (client/xlsx.c)
need xlsxwriter libxlsxwriter-dev
if [ "${1:-}" = test ]; then
	/usr/bin/python3 -c 'import zmq, msgpack' >/dev/null 2>&1 ||
		missing="$missing python3 python3-zmq python3-msgpack"
	# the browser tests of ikiweb's pages (tests/web/): Debian's Chromium driven by Selenium
	command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
	command -v chromedriver >/dev/null 2>&1 || missing="$missing chromium-driver"
	/usr/bin/python3 -c 'import selenium' >/dev/null 2>&1 || missing="$missing python3-selenium"
	# the XLSX check reads iki's workbooks with a reader that is not libxlsxwriter
	/usr/bin/python3 -c 'import openpyxl' >/dev/null 2>&1 || missing="$missing python3-openpyxl"
	# check_metrics reads ikid's GET /metrics with Prometheus' own parser too
	/usr/bin/python3 -c 'import prometheus_client' >/dev/null 2>&1 ||
		missing="$missing python3-prometheus-client"
	# iki report -o FILE.pdf runs WeasyPrint; the PDF check reads it back with pdftotext
	command -v weasyprint >/dev/null 2>&1 || missing="$missing weasyprint"
	command -v pdftotext >/dev/null 2>&1 || missing="$missing poppler-utils"
	# the fuzz smoke run (tests/fuzz.mk) needs clang with libFuzzer's runtime
	t=$(mktemp -d)
	printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);\n%s\n' \
		'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return (int)(d && n) * 0; }' \
		>"$t/f.c"
	clang -fsanitize=fuzzer "$t/f.c" -o "$t/f" >/dev/null 2>&1 || missing="$missing clang libclang-rt-dev"
	rm -rf "$t"
fi

if [ "${1:-}" = bench ]; then
	# bench/peer: the Redis 7 + Lua peer, driven through hiredis
	need hiredis libhiredis-dev
	command -v redis-server >/dev/null 2>&1 || missing="$missing redis-server"
fi

[ -z "$missing" ] && exit 0

echo "deps: installing$missing" >&2
if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing

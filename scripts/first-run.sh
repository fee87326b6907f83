#!/bin/sh
# first-run.sh STATEDIR BUILD: what "make run" needs before ikid's first start on STATEDIR: an
# admin key pair for the operator (STATEDIR/admin.key) listed in STATEDIR/clients. ikid makes
# its own key pair (STATEDIR/server.key, server.pub) when it starts. Never overwrites anything.
set -e
state=${1:-state}
build=${2:-build}
mkdir -p "$state"
if [ ! -e "$state/clients" ]; then
	[ -e "$state/admin.key" ] || "$build/iki" keygen "$state/admin" >/dev/null
	key=$(sed -n 's/^public = //p' "$state/admin.pub")
	cat >"$state/clients" <<EOT
# ikid's authorised clients (see ikid(8)): one client a line, name role scope public-key.
# Roles: admin (scope -), viewer (scope -), clerk (scope: a village code, e.g. 35.27.03.2001),
# section (scope: a section code of the catalog's reported_by, e.g. keuangan).
# Make a key with "iki keygen NAME" and add NAME.pub's key here; then "kill -HUP" ikid.
admin	admin	-	$key
EOT
	echo "first run: made $state/admin.key and listed it in $state/clients as admin"
fi
echo "use iki with: export IKI_KEY=$state/admin.key IKI_SERVER_KEY=$state/server.pub"

#!/bin/sh
# first-run.sh STATEDIR BUILD: what "make run" needs before the first start of ikid and ikiweb on
# STATEDIR: an admin key pair for the operator (STATEDIR/admin.key) listed in STATEDIR/clients,
# and a first ikiweb user "admin" (role admin) whose password is printed once, or read from the
# terminal when ASK_PASSWORD=1. ikid makes its own key pair (STATEDIR/server.key, server.pub)
# when it starts; ikiweb lists its own key (STATEDIR/web/gateway.key) in STATEDIR/clients.
# Never overwrites anything.
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
# ikiweb user add lists each web user's own key here too.
iki-admin	admin	-	$key
EOT
	echo "first run: made $state/admin.key and listed it in $state/clients as iki-admin"
fi
# The first web user: "admin", or "webadmin" when an older clients file names the key "admin".
user=admin
grep -q '^admin[[:space:]]' "$state/clients" && user=webadmin
if ! grep -q "^$user	" "$state/web/users" 2>/dev/null; then
	if [ "${ASK_PASSWORD:-0}" = 1 ]; then
		"$build/ikiweb" -d "$state" user add "$user" --role admin --name "Administrator"
	else
		pw=$(head -c 12 /dev/urandom | base64 | tr '+/' '-_')
		if ! printf '%s\n' "$pw" | "$build/ikiweb" -d "$state" user add "$user" --role admin \
			--name "Administrator" --password-stdin 2>"$state/first-run.log"; then
			cat "$state/first-run.log" >&2
			exit 1
		fi
		echo "first run: ikiweb user '$user', password: $pw"
		echo "           (shown once; change it with $build/ikiweb -d $state user passwd $user)"
	fi
fi
echo "use iki with: export IKI_KEY=$state/admin.key IKI_SERVER_KEY=$state/server.pub"

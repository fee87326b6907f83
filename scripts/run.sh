#!/bin/sh
# run.sh STATEDIR BUILD CATALOG LISTEN: "make run": ikid and ikiweb in the foreground on STATEDIR;
# Ctrl-C (or SIGTERM) stops both cleanly.
state=${1:-state}
build=${2:-build}
catalog=${3:-catalog/sampang-2022.conf}
listen=${4:-127.0.0.1:8080}
"$build/ikid" -c "$catalog" -d "$state" &
ikid=$! # ikid writes $state/ikid.pid once it listens
# ikid makes its key pair on its first start: ikiweb needs the public half
i=0
while [ ! -s "$state/server.pub" ] && [ $i -lt 100 ] && kill -0 "$ikid" 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
"$build/ikiweb" -d "$state" -w web/www -l "$listen" --ikid-pid "$state/ikid.pid" &
web=$!
stop() {
	kill -TERM "$web" "$ikid" 2>/dev/null
	wait "$web" 2>/dev/null
	wait "$ikid" 2>/dev/null
	exit 0
}
trap stop INT TERM
sleep 1
echo "make run: open http://$listen/ in a browser (user admin); Ctrl-C stops ikid and ikiweb"
wait "$ikid"
stop

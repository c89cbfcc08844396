#!/bin/sh
# Sends a work order as the 12345 system (or SYSTEM) would:
#   deploy/interop/send-order.sh URL KEY FILE [SYSTEM]
#   e.g. send-order.sh http://127.0.0.1:8080 "$KEY" deploy/interop/order.json
#        send-order.sh http://127.0.0.1:8080 "$COURT_KEY" deploy/interop/court-delegation.json court_dc
set -eu
url=$1 key=$2 file=$3 system=${4:-12345}
ts=$(date +%s%3N)
sig=$( (printf '%s\n' "$ts"; cat "$file") | openssl dgst -sha256 -hmac "$key" -r | cut -d' ' -f1)
curl -sS -X POST "$url/api/v1/interop/orders" -H 'Content-Type: application/json' \
  -H "Authorization: JF-HMAC $system:$ts:$sig" --data-binary "@$file"
echo

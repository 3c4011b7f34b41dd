#!/usr/bin/env bash
# Creates Lanterne's database and its three retention policies on InfluxDB 1.x (1.6 to 1.11),
# through the HTTP API with curl (no `influx` CLI needed: Debian ships it in a separate package).
#
#   raw     readings as they arrive (measurements streetlight, water_pressure, waste_container...,
#           and lanterne_platform, the platform's own health); the DEFAULT policy, so that
#           unqualified InfluxQL (`FROM "streetlight"`) and Grafana read it
#   hourly  hourly rollups  (<domain>_1h, rollup_commune_1h), read as "hourly"."<measurement>"
#   daily   daily rollups   (<domain>_1d, rollup_commune_1d), read as "daily"."<measurement>"
#
# Lanterne creates or alters the same policies itself at start, with the durations taken from
# the data contracts (customProperties.retentionTiers). An InfluxDB retention policy belongs to a
# database, not to a measurement, so each tier gets the longest duration any contract asks for.
# The defaults below are those of the demo territory's contracts (the water contract is the
# longest: raw P2Y, hourly P10Y, daily P30Y), leap days included:
#
#   raw     731d    (2 years)    shard groups of 7 days
#   hourly  3653d   (10 years)   shard groups of 4 weeks
#   daily   10958d  (30 years)   shard groups of 52 weeks
#
# Run it when Lanterne's InfluxDB user is not an administrator (only an administrator may create
# a database or a retention policy in InfluxDB 1.x), or to prepare a server before the first start.
# Running it again is harmless: an existing policy is altered to the durations given.
#
# No continuous queries: the rollups are computed by Lanterne, which recomputes a bucket when a
# late reading arrives (a continuous query never looks back).
#
# Environment (all optional):
#   INFLUXDB_URL        http://127.0.0.1:8086
#   INFLUXDB_DB         lanterne
#   INFLUXDB_USER       administrator name, when authentication is enabled
#   INFLUXDB_PASSWORD   its password (read from the environment, never from the command line)
#   RP_RAW, RP_HOURLY, RP_DAILY   durations (InfluxQL duration literals: 731d, 104w, INF)
#
# Example:
#   INFLUXDB_USER=admin INFLUXDB_PASSWORD="$(cat /root/influx-admin)" infra/influxdb/setup-1x.sh
set -euo pipefail
shopt -s inherit_errexit

url=${INFLUXDB_URL:-http://127.0.0.1:8086}
url=${url%/}
db=${INFLUXDB_DB:-lanterne}
rp_raw=${RP_RAW:-731d}
rp_hourly=${RP_HOURLY:-3653d}
rp_daily=${RP_DAILY:-10958d}

for value in "$rp_raw" "$rp_hourly" "$rp_daily"; do
  [[ $value =~ ^([0-9]+(ns|u|µ|ms|s|m|h|d|w)|INF)$ ]] || {
    echo "setup-1x: '$value' is not an InfluxQL duration (e.g. 731d, 104w, INF)" >&2
    exit 2
  }
done
[[ $db =~ ^[A-Za-z0-9_.-]+$ ]] || {
  echo "setup-1x: database name '$db' has characters this script does not quote" >&2
  exit 2
}

# Waits for a server that is still starting (systemctl start returns before it listens).
curl_options=(--silent --show-error --fail --retry 10 --retry-connrefused --retry-delay 1)

# Backslashes and double quotes escaped for a double-quoted curl config value.
curl_quoted() {
  local value=${1//\\/\\\\}
  printf '%s' "${value//\"/\\\"}"
}

# POSTs one statement to /query. Credentials go through a curl config on stdin, which keeps the
# password out of the process list.
post_query() {
  if [[ -n ${INFLUXDB_USER:-} ]]; then
    printf 'user = "%s"\n' "$(curl_quoted "$INFLUXDB_USER:${INFLUXDB_PASSWORD:-}")" |
      curl "${curl_options[@]}" --config - -X POST "$url/query" --data-urlencode "q=$1"
  else
    curl "${curl_options[@]}" -X POST "$url/query" --data-urlencode "q=$1"
  fi
}

# Runs one InfluxQL statement; fails on an HTTP error or on an error inside the JSON answer
# (InfluxDB 1.x answers 200 with {"results":[{"error":...}]} for a refused statement).
influxql() {
  local answer
  answer=$(post_query "$1") || {
    echo "setup-1x: no answer from InfluxDB at $url for: $1" >&2
    return 1
  }
  if [[ $answer == *'"error"'* ]]; then
    echo "setup-1x: InfluxDB refused: $1" >&2
    echo "  $answer" >&2
    return 1
  fi
  printf '%s' "$answer"
}

# Creates the policy, or alters it when it exists (CREATE fails on an existing policy whose
# duration differs).
policy() {
  local name=$1 duration=$2 shard=$3 default=${4:-}
  local existing
  existing=$(influxql "SHOW RETENTION POLICIES ON \"$db\"")
  if [[ $existing == *"[\"$name\","* ]]; then
    influxql "ALTER RETENTION POLICY \"$name\" ON \"$db\" DURATION $duration REPLICATION 1 SHARD DURATION $shard $default" >/dev/null
    echo "altered retention policy $name: $duration${default:+ (default)}"
  else
    influxql "CREATE RETENTION POLICY \"$name\" ON \"$db\" DURATION $duration REPLICATION 1 SHARD DURATION $shard $default" >/dev/null
    echo "created retention policy $name: $duration${default:+ (default)}"
  fi
}

influxql "CREATE DATABASE \"$db\"" >/dev/null
echo "database $db ready at $url"
policy raw "$rp_raw" 7d DEFAULT
policy hourly "$rp_hourly" 4w
policy daily "$rp_daily" 52w
echo "done (see infra/README.md to point Lanterne and Grafana at $url, database $db)"

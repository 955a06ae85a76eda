#!/usr/bin/env bash
# Builds a labeled packet capture of real BitTorrent clients, a real tracker and real port
# scanners, all inside network namespaces that exist only for the run (a bridge with no
# uplink, no default route, addresses in 10.77.0.0/16). See README.md next to this file.
#
#   sudo scripts/captures/generate.sh [--name NAME] [--out DIR] [--transmission N] [--aria2 N]
#        [--ghosts N] [--duration SECONDS] [--seed N] [--variant-packets N] [--keep-work]
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
NAME=bt-lab
OUT="$REPO/test/fixtures/capture"
N_TRANSMISSION=8
N_ARIA2=4
N_GHOSTS=260
DURATION=90
SEED=1
KEEP_WORK=0
VARIANT_PACKETS=4000

usage() { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --name) NAME="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --transmission) N_TRANSMISSION="$2"; shift 2 ;;
    --aria2) N_ARIA2="$2"; shift 2 ;;
    --ghosts) N_GHOSTS="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    --variant-packets) VARIANT_PACKETS="$2"; shift 2 ;;
    --keep-work) KEEP_WORK=1; shift ;;
    -h|--help) usage 0 ;;
    *) echo "generate.sh: unknown option $1" >&2; usage 2 ;;
  esac
done

die() { echo "generate.sh: $*" >&2; exit 1; }
log() { printf '[%s] %s\n' "$(date +%T)" "$*"; }
for value in "$N_TRANSMISSION" "$N_ARIA2" "$N_GHOSTS" "$DURATION" "$SEED" "$VARIANT_PACKETS"; do
  [[ "$value" =~ ^[0-9]+$ ]] || die "expected a whole number, got '$value'"
done
[ "$DURATION" -ge 60 ] || die "--duration must be at least 60 seconds (the scanners need it)"
[ "$N_GHOSTS" -le 8000 ] || die "--ghosts: at most 8000 (the gone-peer ranges hold 16,382 addresses)"

# ---- prerequisites -----------------------------------------------------------------------
[ "$(id -u)" -eq 0 ] || die "must run as root (it creates network namespaces)"
missing=()
check() { command -v "$1" >/dev/null 2>&1 || missing+=("$1 (apt package: $2)"); }
check ip iproute2
check tcpdump tcpdump
check tshark tshark
check editcap tshark
check opentracker opentracker
check transmission-cli transmission-cli
check transmission-create transmission-cli
check transmission-show transmission-cli
check aria2c aria2
check nmap nmap
check hping3 hping3
check masscan masscan
check gzip gzip
NODE="$REPO/node_modules/.bin/node"
[ -x "$NODE" ] || missing+=("Node 24 at node_modules/.bin/node (run npm install)")
if [ ${#missing[@]} -gt 0 ]; then
  printf 'generate.sh: missing prerequisites:\n' >&2
  printf '  - %s\n' "${missing[@]}" >&2
  die "install them (apt-get install iproute2 tcpdump tshark opentracker transmission-cli" \
    "aria2 nmap hping3 masscan) and retry"
fi
HELPER=("$NODE" "$HERE/lab-helper.ts")

# ---- lab layout --------------------------------------------------------------------------
P="dcap$$"                   # namespace prefix, unique per run
ROUTER="$P-r"
TRACKER_NS="$P-t"
GHOST_NS="$P-g"
ROUTER_IP=10.77.0.1
TRACKER_IPS=(10.77.0.2 10.77.0.3 10.77.0.4 10.77.0.5)
SILENT_NET=10.77.64.0/19     # gone peers whose SYNs vanish (NAT, firewall that drops)
RESET_NET=10.77.96.0/19      # gone peers whose host answers with a reset (port closed)
TRACKER_URLS=("http://10.77.0.2:6969/announce" "udp://10.77.0.3:6969"
  "http://10.77.0.4:6969/announce" "udp://10.77.0.5:6969")
N_CLIENTS=$((N_TRANSMISSION + N_ARIA2))
[ "$N_TRANSMISSION" -ge 1 ] || die "--transmission must be at least 1 (the first one seeds)"
[ "$N_CLIENTS" -le 200 ] || die "at most 200 clients"
client_ip() { echo "10.77.1.$((10 + $1))"; }
SCANNER_IPS=(10.77.2.10 10.77.2.11 10.77.2.12 10.77.2.13)

WORK="$(mktemp -d -t dhtscope-capture.XXXXXX)"
PIDS=()
cleanup() {
  local status=$?
  set +e
  local namespaces
  namespaces="$(ip netns list | awk '{print $1}' | grep "^$P-")"
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for ns in $namespaces; do
    for pid in $(ip netns pids "$ns"); do kill "$pid" 2>/dev/null; done
  done
  sleep 1
  for ns in $namespaces; do
    for pid in $(ip netns pids "$ns"); do kill -9 "$pid" 2>/dev/null; done
  done
  { wait; } 2>/dev/null # reap quietly: no "Killed" lines from the shell
  for ns in $namespaces; do ip netns del "$ns"; done
  if [ "$KEEP_WORK" -eq 1 ] || [ $status -ne 0 ]; then
    echo "generate.sh: work directory kept: $WORK" >&2
  else
    rm -rf "$WORK"
  fi
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

in_ns() { local ns="$1"; shift; ip netns exec "$ns" "$@"; }
bg_ns() { # bg_ns NS LOGFILE CMD…: start CMD in NS in the background, remember its pid
  local ns="$1" logfile="$2"; shift 2
  ip netns exec "$ns" "$@" >"$logfile" 2>&1 &
  PIDS+=($!)
}
new_ns() {
  ip netns add "$1"
  ip -n "$1" link set lo up
  # No IPv6 on the lab links: keeps router solicitations and MLD reports out of the capture.
  in_ns "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
}
# attach NS PORTNAME ADDR…: veth from NS (eth0) to the lab bridge; first ADDR is primary
attach() {
  local ns="$1" port="$2"; shift 2
  ip link add "$port" netns "$ROUTER" type veth peer name eth0 netns "$ns"
  ip -n "$ROUTER" link set "$port" master br0 up
  ip -n "$ns" link set eth0 up
  for addr in "$@"; do ip -n "$ns" addr add "$addr/20" dev eth0; done
  # The only route off the bridge: the rest of 10.77.0.0/16 through the lab router.
  ip -n "$ns" route add 10.77.0.0/16 via "$ROUTER_IP"
}

log "work directory $WORK, namespaces $P-*"
new_ns "$ROUTER"
in_ns "$ROUTER" sysctl -qw net.ipv4.ip_forward=1
ip -n "$ROUTER" link add br0 type bridge
ip -n "$ROUTER" link set br0 up
ip -n "$ROUTER" addr add "$ROUTER_IP/20" dev br0

new_ns "$TRACKER_NS"
attach "$TRACKER_NS" trk "${TRACKER_IPS[@]}"
for i in $(seq 1 "$N_CLIENTS"); do
  ns="$P-c$i"; new_ns "$ns"; attach "$ns" "c$i" "$(client_ip "$i")"
  # Two SYN retransmissions, as desktop Windows sends: the failed attempts look the way
  # most BitTorrent hosts' do, and the capture stays small.
  in_ns "$ns" sysctl -qw net.ipv4.tcp_syn_retries=2
done
for i in "${!SCANNER_IPS[@]}"; do
  ns="$P-s$i"; new_ns "$ns"; attach "$ns" "s$i" "${SCANNER_IPS[$i]}"
done

# ---- torrent and tracker -----------------------------------------------------------------
mkdir -p "$WORK/seed" "$WORK/tracker"
head -c $((2 * 1024 * 1024)) /dev/urandom >"$WORK/seed/lab-content.bin"
tracker_args=()
for url in "${TRACKER_URLS[@]}"; do tracker_args+=(-t "$url"); done
transmission-create -o "$WORK/lab.torrent" -s 32 "${tracker_args[@]}" \
  "$WORK/seed/lab-content.bin" >/dev/null
INFO_HASH="$(transmission-show "$WORK/lab.torrent" | awk '/^  Hash:/ {print $2}')"
[ ${#INFO_HASH} -eq 40 ] || die "could not read the info hash of the new torrent"
echo "$INFO_HASH" >"$WORK/tracker/whitelist.txt"
chmod 755 "$WORK/tracker"
tracker_bind=()
# opentracker binds each -p/-P to the -i given before it.
for ip in "${TRACKER_IPS[@]}"; do tracker_bind+=(-i "$ip" -p 6969 -P 6969); done
bg_ns "$TRACKER_NS" "$WORK/tracker.log" opentracker "${tracker_bind[@]}" \
  -d "$WORK/tracker" -u nobody -w whitelist.txt
for _ in $(seq 50); do
  [ "$(in_ns "$TRACKER_NS" ss -Hlnt 'sport = :6969' | wc -l)" -eq ${#TRACKER_IPS[@]} ] && break
  sleep 0.1
done
[ "$(in_ns "$TRACKER_NS" ss -Hlnt 'sport = :6969' | wc -l)" -eq ${#TRACKER_IPS[@]} ] ||
  die "opentracker did not start (see $WORK/tracker.log)"
log "torrent $INFO_HASH, tracker on ${TRACKER_IPS[*]}"

# ---- gone peers: announce them from their own addresses, then make them vanish -----------
"${HELPER[@]}" ghosts "$N_GHOSTS" "$SILENT_NET" "$RESET_NET" "$SEED" >"$WORK/ghosts.txt"
new_ns "$GHOST_NS"
ip link add gh netns "$ROUTER" type veth peer name eth0 netns "$GHOST_NS"
ip -n "$ROUTER" addr add 10.77.250.1/30 dev gh
ip -n "$ROUTER" link set gh up
ip -n "$GHOST_NS" addr add 10.77.250.2/30 dev eth0
ip -n "$GHOST_NS" link set eth0 up
ip -n "$GHOST_NS" route add 10.77.0.0/20 via 10.77.250.1
awk '{print "addr add " $1 "/32 dev lo"}' "$WORK/ghosts.txt" | ip -n "$GHOST_NS" -batch -
ip -n "$ROUTER" route add "$SILENT_NET" via 10.77.250.2
ip -n "$ROUTER" route add "$RESET_NET" via 10.77.250.2
in_ns "$GHOST_NS" "${HELPER[@]}" announce "${TRACKER_URLS[0]}" "$INFO_HASH" "$WORK/ghosts.txt"
ip netns del "$GHOST_NS" # takes its link and the routes through it along
in_ns "$ROUTER" sysctl -qw net.ipv4.ip_forward=0
ip -n "$ROUTER" route add blackhole "$SILENT_NET"
# Every address of the reset range is local to the router, with nothing listening: the
# kernel answers each SYN with a reset, as a host whose client has quit would.
ip -n "$ROUTER" route add local "$RESET_NET" dev lo

# ---- capture -----------------------------------------------------------------------------
bg_ns "$ROUTER" "$WORK/tcpdump.log" tcpdump -i br0 -n -s 0 -U -w "$WORK/full.pcap"
TCPDUMP_PID=${PIDS[-1]}
sleep 2

# ---- BitTorrent clients ------------------------------------------------------------------
bootstrap_nodes() { # a few other clients as DHT contacts ("ip port" lines)
  local self="$1" j
  for j in 1 2 3 4; do
    [ "$j" -ne "$self" ] && [ "$j" -le "$N_TRANSMISSION" ] && echo "$(client_ip "$j") 51413"
  done
  return 0
}
start_transmission() {
  # Upload is what fills a capture: only the seeder sends pieces, slowly, so the swarm stays
  # busy (connections, PEX) for the whole run while the file stays small.
  local i="$1" dir="$WORK/c$i" up=0 utp=false
  mkdir -p "$dir/config" "$dir/download"
  [ "$i" -eq 1 ] && { cp "$WORK/seed/lab-content.bin" "$dir/download/"; up=3; }
  # Transmission tries uTP before TCP; two clients keep it on for uTP traffic in the mix.
  { [ "$i" -eq 2 ] || [ "$i" -eq 3 ]; } && utp=true
  cat >"$dir/config/settings.json" <<EOF
{
  "bind-address-ipv4": "$(client_ip "$i")",
  "blocklist-enabled": false,
  "dht-enabled": true,
  "download-dir": "$dir/download",
  "encryption": 0,
  "idle-seeding-limit-enabled": false,
  "lpd-enabled": false,
  "peer-limit-global": 1000,
  "peer-limit-per-torrent": 600,
  "peer-port": 51413,
  "peer-port-random-on-start": false,
  "pex-enabled": true,
  "port-forwarding-enabled": false,
  "ratio-limit-enabled": false,
  "rpc-enabled": false,
  "utp-enabled": $utp
}
EOF
  bootstrap_nodes "$i" >"$dir/config/dht.bootstrap"
  bg_ns "$P-c$i" "$dir/client.log" transmission-cli -g "$dir/config" -w "$dir/download" \
    -p 51413 -et -M -u "$up" -D "$WORK/lab.torrent"
}
start_aria2() {
  local i="$1" dir="$WORK/c$i"
  mkdir -p "$dir/download"
  bg_ns "$P-c$i" "$dir/client.log" aria2c --dir="$dir/download" --listen-port=6881 \
    --enable-dht=true --dht-listen-port=6881 --dht-file-path="$dir/dht.dat" \
    --dht-entry-point="$(client_ip 1):51413" --enable-peer-exchange=true --bt-enable-lpd=false \
    --bt-max-peers=0 --bt-tracker-interval=20 --max-upload-limit=256 --seed-ratio=0.0 \
    --bt-min-crypto-level=plain --bt-require-crypto=false --disable-ipv6=true \
    --file-allocation=none --summary-interval=0 --console-log-level=warn \
    --follow-torrent=false "$WORK/lab.torrent"
}
clients_json=()
for i in $(seq 1 "$N_CLIENTS"); do
  if [ "$i" -le "$N_TRANSMISSION" ]; then
    start_transmission "$i"; software=transmission-cli; port=51413
  else
    start_aria2 "$i"; software=aria2c; port=6881
  fi
  clients_json+=("{\"ip\":\"$(client_ip "$i")\",\"port\":$port,\"software\":\"$software\"}")
  sleep 0.5
done
log "started $N_TRANSMISSION transmission-cli and $N_ARIA2 aria2c clients"

# ---- scanners ----------------------------------------------------------------------------
# Each scanner sweeps at least one range horizontally (one port, many addresses) and
# probes one host vertically (many ports). Targets are lab addresses only.
run_scanners() {
  local s0="$P-s0" s1="$P-s1" s2="$P-s2" s3="$P-s3" router_mac
  router_mac="$(ip -n "$ROUTER" -o link show br0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)"
  # masscan 1.3.2 can hang after its wait; every scanner gets a deadline.
  local deadline=(timeout -k 2 $((DURATION / 4)))
  local masscan_args=(--rate 150 -e eth0 --adapter-ip "${SCANNER_IPS[3]}" --wait 3
    --router-mac "$router_mac")
  sleep $((DURATION / 6))
  # Horizontal: one port (or two), many addresses, most of them gone peers.
  in_ns "$s0" "${deadline[@]}" nmap -sS -Pn -n -T4 --max-retries 1 -p 445 \
    10.77.64.0/24 10.77.96.0/25 10.77.1.0/26 >"$WORK/scan-s0.log" 2>&1 &
  in_ns "$s1" "${deadline[@]}" nmap -sT -Pn -n -T4 --max-retries 1 -p 23 \
    10.77.65.0/24 10.77.97.0/25 >"$WORK/scan-s1.log" 2>&1 &
  in_ns "$s2" "${deadline[@]}" hping3 -I eth0 -S -p 3389 --rand-dest -c 400 -i u40000 \
    10.77.98.x >"$WORK/scan-s2.log" 2>&1 &
  in_ns "$s3" "${deadline[@]}" masscan 10.77.66.0/24,10.77.99.0/25 -p 80,8080 "${masscan_args[@]}" \
    >"$WORK/scan-s3.log" 2>&1 &
  wait
  sleep 5
  # Vertical: many ports of one lab host.
  in_ns "$s0" "${deadline[@]}" nmap -sS -Pn -n -T4 -p 1-1000 "$(client_ip 2)" \
    >>"$WORK/scan-s0.log" 2>&1 &
  in_ns "$s1" "${deadline[@]}" nmap -sT -Pn -n -T4 -p 1-1000 "${TRACKER_IPS[0]}" \
    >>"$WORK/scan-s1.log" 2>&1 &
  in_ns "$s2" "${deadline[@]}" hping3 -I eth0 -S --scan 1-600 "$(client_ip 3)" \
    >>"$WORK/scan-s2.log" 2>&1 &
  in_ns "$s3" "${deadline[@]}" masscan "$(client_ip 4)" -p 1-2000 "${masscan_args[@]}" \
    >>"$WORK/scan-s3.log" 2>&1 &
  wait
}
run_scanners &
SCAN_PID=$!
PIDS+=("$SCAN_PID")
log "scanners start in $((DURATION / 6)) s; capturing for $DURATION s"
# Sleep in the background so that a TERM or INT runs the cleanup at once, not after it.
sleep "$DURATION" &
PIDS+=($!)
wait "${PIDS[-1]}"
wait "$SCAN_PID" || log "a scanner exited with an error (see $WORK/scan-*.log)"
kill -INT "$TCPDUMP_PID"
wait "$TCPDUMP_PID" || true
log "capture done: $(du -h "$WORK/full.pcap" | cut -f1)"

# ---- outputs -----------------------------------------------------------------------------
scanners_json=()
tools=(nmap-syn nmap-connect hping3 masscan)
for i in "${!SCANNER_IPS[@]}"; do
  scanners_json+=("{\"ip\":\"${SCANNER_IPS[$i]}\",\"tools\":\"${tools[$i]}\"}")
done
others_json=("{\"ip\":\"$ROUTER_IP\",\"role\":\"router\"}")
for ip in "${TRACKER_IPS[@]}"; do others_json+=("{\"ip\":\"$ip\",\"role\":\"tracker\"}"); done
join() { local IFS=,; echo "$*"; }
trackers_quoted=()
for url in "${TRACKER_URLS[@]}"; do trackers_quoted+=("\"$url\""); done
cat >"$WORK/lab.json" <<EOF
{"infoHash":"$INFO_HASH","trackers":[$(join "${trackers_quoted[@]}")],
 "clients":[$(join "${clients_json[@]}")],
 "scanners":[$(join "${scanners_json[@]}")],
 "others":[$(join "${others_json[@]}")],
 "ghostsFile":"$WORK/ghosts.txt"}
EOF

mkdir -p "$OUT"
BASE="$OUT/$NAME"
cp "$WORK/full.pcap" "$BASE.pcap"
# Variants for the readers, of the first VARIANT_PACKETS packets (0: all of them) so that
# the committed files stay small: nanosecond classic pcap, nanosecond pcapng, and the classic
# microsecond file gzip-compressed.
VARIANT="$BASE"
if [ "$VARIANT_PACKETS" -gt 0 ]; then
  VARIANT="$BASE.head"
  tcpdump -r "$BASE.pcap" -c "$VARIANT_PACKETS" -w "$WORK/head.pcap" 2>/dev/null
else
  cp "$BASE.pcap" "$WORK/head.pcap"
fi
tcpdump -r "$WORK/head.pcap" --time-stamp-precision=nano -w "$WORK/nano.pcap" 2>/dev/null
cp "$WORK/nano.pcap" "$VARIANT.ns.pcap"
editcap -F pcapng "$WORK/nano.pcap" "$VARIANT.pcapng"
gzip -9 -n -c "$WORK/head.pcap" >"$VARIANT.pcap.gz"
"${HELPER[@]}" describe "$BASE.pcap" "$WORK/lab.json" "$BASE"
"${HELPER[@]}" summary "$BASE.pcap" "$BASE.labels.json" | tee "$BASE.summary.md"
log "wrote $BASE.{pcap,labels.json,tracker.json,summary.md}, $VARIANT.{ns.pcap,pcapng,pcap.gz}"

# Sourced by the benchmark scripts (bash): start `relais` on the embedded defaults
# (config/relais.toml) with a given data directory, on free loopback ports, and wait until it
# serves. Sets: pid, ms_to_serving, rss_kb (VmRSS 3 s after it served). The caller's EXIT trap
# kills "$pid" when set.
#   start_relais BINARY DATA_DIR WORK_DIR NAME
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
start_relais() {
  local bin=$1 data=$2 work=$3 name=$4 lan pub start ready
  lan=$(free_port); pub=$(free_port)
  sed -e "s|^lan_listen = .*|lan_listen = \"127.0.0.1:$lan\"|" \
      -e "s|^public_listen = .*|public_listen = \"127.0.0.1:$pub\"|" \
      -e "s|^data_dir = .*|data_dir = \"$data\"|" config/relais.toml > "$work/$name.toml"
  start=$(date +%s%N)
  "$bin" --config "$work/$name.toml" > "$work/$name.log" 2>&1 &
  pid=$!
  until curl -fs -o /dev/null "http://127.0.0.1:$lan/healthz"; do
    kill -0 "$pid" 2>/dev/null || { echo "relais exited:"; cat "$work/$name.log"; exit 1; }
    sleep 0.005
  done
  ready=$(date +%s%N)
  ms_to_serving=$(( (ready - start) / 1000000 ))
  sleep 3
  rss_kb=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
}
# Stops the relais start_relais started.
stop_relais() {
  kill "$pid"; wait "$pid" 2>/dev/null || true
  pid=
}

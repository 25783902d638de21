# Installs what running the test cluster and the tests needs, idempotently (sourced by
# scripts/test.sh and scripts/try-it.sh). Debian: Java 17 (runs the ZooKeeper servers), maven
# (fetches the ZooKeeper releases, scripts/lib/zookeeper.sh), netcat-openbsd, iproute2, util-linux,
# procps, jq (the README's jq line is tested). Needs root when something is missing.
install_debian_packages() {
  local debs=(openjdk-17-jre-headless maven netcat-openbsd iproute2 util-linux procps jq tmux)
  local missing=() pkg
  for pkg in "${debs[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0
  if [[ $(id -u) -ne 0 ]]; then
    echo "missing Debian packages: ${missing[*]} (run as root, or install them first)" >&2
    return 1
  fi
  echo "==> installing Debian packages: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Fetches the ZooKeeper releases the test cluster's pods run, from Maven Central, idempotently
# (sourced by scripts/test.sh and scripts/try-it.sh). Each release goes to
#   $KZK_ZOOKEEPER_CACHE/<version>/lib/   (default /var/cache/kubectl-zk/zookeeper)
# with its runtime class path (tests/testcluster/images/maven/pom.xml), and a COMPLETE file written
# last: a release with COMPLETE is never fetched again. The test cluster reads the same variable.
#
# Versions: 3.4.10 (the seeds' kubernetes-zookeeper:1.0-3.4.10), the newest 3.8 patch whose
# dependencies Maven Central serves in full, and the version of the plugin's default image
# (OFFICIAL_IMAGE in src/manifest/options.rs; bumping that constant bumps what is fetched).
# shellcheck shell=bash

zookeeper_cache_dir() {
  printf '%s\n' "${KZK_ZOOKEEPER_CACHE:-/var/cache/kubectl-zk/zookeeper}"
}

# The version of the plugin's default (official) image: the tag of OFFICIAL_IMAGE.
zookeeper_default_version() {
  sed -n -e 's/^pub const OFFICIAL_IMAGE: &str = "docker\.io\/library\/zookeeper:\([0-9.]*\)";$/\1/p' \
    src/manifest/options.rs
}

zookeeper_versions() {
  local default
  default="$(zookeeper_default_version)"
  if [[ -z "$default" ]]; then
    echo "cannot find OFFICIAL_IMAGE in src/manifest/options.rs" >&2
    return 1
  fi
  printf '%s\n' 3.4.10 3.8.3 "$default" | sort -u -V
}

# fetch_zookeeper_release VERSION: Maven's dependency:copy-dependencies into a scratch directory,
# moved into place only when complete.
fetch_zookeeper_release() {
  local version="$1" cache dest tmp legacy=()
  cache="$(zookeeper_cache_dir)"
  dest="$cache/$version"
  [[ -f "$dest/COMPLETE" ]] && return 0
  echo "==> fetching ZooKeeper $version from Maven Central into $dest" >&2
  [[ "$version" == 3.4.* ]] && legacy=(-Dzookeeper.legacy)
  mkdir -p -- "$cache"
  tmp="$(mktemp -d -- "$cache/.fetch-$version.XXXXXX")"
  if ! mvn -B -q -f tests/testcluster/images/maven/pom.xml "-Dzookeeper.version=$version" \
    "${legacy[@]}" "-DoutputDirectory=$tmp/lib" dependency:copy-dependencies >"$tmp/mvn.log" 2>&1; then
    cat -- "$tmp/mvn.log" >&2
    rm -rf -- "$tmp"
    echo "cannot fetch ZooKeeper $version from Maven Central (log above)" >&2
    return 1
  fi
  rm -f -- "$tmp/mvn.log"
  ls -- "$tmp/lib" >"$tmp/COMPLETE"
  chmod -R a+rX -- "$tmp"
  rm -rf -- "$dest"
  mv -- "$tmp" "$dest"
}

fetch_zookeeper_releases() {
  local version
  for version in $(zookeeper_versions); do
    fetch_zookeeper_release "$version" || return 1
  done
}

# shellcheck shell=bash
# Two images made without a registry (docker build would need a base image
# from one), imported with docker import: the Vault binary alone, and a
# debootstrapped Debian root file system with the LocalStack venv. Needs
# lib.sh, vault.sh, localstack.sh and docker.sh.

VAULT_IMAGE=tokenstore/vault:$VAULT_VERSION
LOCALSTACK_IMAGE=tokenstore/localstack:$LOCALSTACK_VERSION
DEBIAN_SUITE=bookworm
LS_IMAGE_TAR=$CACHE/localstack-image-$LOCALSTACK_VERSION-$LS_KEY-$DEBIAN_SUITE.tar

# The image holds only /bin/vault and a world-writable /tmp. Its environment
# records the binary's checksum, so a rebuilt binary is imported again.
ensure_vault_image() {
  local sum stage have logf=$STATE/docker-import.log t=$SECONDS
  sum=$(cat "$VAULT_DIR/vault.sha256")
  have=$(image_env "$VAULT_IMAGE" TOKENSTORE_VAULT_SHA256)
  if [[ $have == "$sum" ]]; then
    log "docker: image $VAULT_IMAGE present"
    return
  fi
  stage=$VAULT_DIR/image
  rm -rf "$stage"
  mkdir -p "$stage/bin" "$stage/tmp"
  chmod 1777 "$stage/tmp"
  ln "$VAULT_BIN" "$stage/bin/vault" 2>/dev/null || cp "$VAULT_BIN" "$stage/bin/vault"
  log "docker: importing $VAULT_IMAGE"
  tar -C "$stage" --owner=0 --group=0 --numeric-owner -cf - bin tmp |
    docker import \
      --change 'ENTRYPOINT ["/bin/vault"]' \
      --change 'ENV HOME=/tmp' \
      --change "ENV TOKENSTORE_VAULT_SHA256=$sum" \
      - "$VAULT_IMAGE" >>"$logf" 2>&1 || die_log "docker import of $VAULT_IMAGE failed" "$logf"
  rm -rf "$stage"
  log "docker: imported $VAULT_IMAGE in $((SECONDS - t))s"
}

# The LocalStack image: a minimal Debian root file system with python3 and a
# venv installed from the same locked requirements as the process.
ensure_localstack_image() {
  local key=$LS_KEY-$DEBIAN_SUITE logf=$STATE/docker-import.log t=$SECONDS
  if [[ $(image_env "$LOCALSTACK_IMAGE" TOKENSTORE_LOCALSTACK_KEY) == "$key" ]]; then
    log "docker: image $LOCALSTACK_IMAGE present"
    return
  fi
  [[ -s $LS_IMAGE_TAR ]] || build_localstack_rootfs
  log "docker: importing $LOCALSTACK_IMAGE"
  docker import \
    --change 'ENTRYPOINT ["/opt/localstack/bin/python", "-m", "localstack.runtime.main"]' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'ENV SERVICES=secretsmanager' \
    --change 'ENV DNS_ADDRESS=0' \
    --change 'ENV SKIP_SSL_CERT_DOWNLOAD=1' \
    --change 'ENV DISABLE_EVENTS=1' \
    --change "ENV TOKENSTORE_LOCALSTACK_KEY=$key" \
    "$LS_IMAGE_TAR" "$LOCALSTACK_IMAGE" >>"$logf" 2>&1 ||
    die_log "docker import of $LOCALSTACK_IMAGE failed" "$logf"
  log "docker: imported $LOCALSTACK_IMAGE in $((SECONDS - t))s"
}

build_localstack_rootfs() {
  local t=$SECONDS logf=$STATE/build-localstack-image.log work=$CACHE/localstack-image.build
  local rootfs=$CACHE/localstack-image.build/rootfs ca=${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt} mirror
  need_root "building the LocalStack image (debootstrap, chroot)"
  command -v debootstrap >/dev/null || apt_install debootstrap
  mirror=$(debian_mirror)
  log "localstack image: debootstrap $DEBIAN_SUITE from $mirror"
  rm -rf "$work"
  mkdir -p "$work"
  run_logged "debootstrap" "$logf" debootstrap --variant=minbase --include=python3,python3-venv \
    "$DEBIAN_SUITE" "$rootfs" "$mirror"
  # pip in the chroot trusts what the host trusts (there may be a TLS proxy
  # whose CA only the host's bundle holds) and resolves names like the host.
  cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
  cp "$ca" "$rootfs/etc/ssl/testenv-host-ca.crt"
  cp "$LS_REQ" "$rootfs/tmp/requirements.txt"
  log "localstack image: pip install into /opt/localstack"
  run_logged "pip install (image)" "$logf" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    LANG=C.UTF-8 PIP_CERT=/etc/ssl/testenv-host-ca.crt chroot "$rootfs" sh -c \
    'python3 -m venv /opt/localstack && /opt/localstack/bin/pip install --no-cache-dir --disable-pip-version-check --require-hashes -r /tmp/requirements.txt'
  rm -rf "$rootfs/etc/ssl/testenv-host-ca.crt" "$rootfs/tmp/requirements.txt" \
    "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
    "$rootfs/usr/share/doc" "$rootfs/usr/share/man"
  : >"$rootfs/etc/resolv.conf"
  tar -C "$rootfs" --numeric-owner -cf "$LS_IMAGE_TAR.tmp" . || die "tar of the LocalStack root file system failed"
  mv "$LS_IMAGE_TAR.tmp" "$LS_IMAGE_TAR"
  rm -rf "$work"
  log "localstack image: root file system built in $((SECONDS - t))s"
}

# debian_mirror: where debootstrap fetches from. TOKENSTORE_DEBIAN_MIRROR if
# set, else this machine's own apt configuration: the first Debian source
# listing $DEBIAN_SUITE, else the first with a release suite (not -security
# or -updates: a mirror of one release serves the others).
debian_mirror() {
  if [[ -n ${TOKENSTORE_DEBIAN_MIRROR:-} ]]; then
    echo "$TOKENSTORE_DEBIAN_MIRROR"
    return
  fi
  local m
  m=$(apt_sources | awk -v s="$DEBIAN_SUITE" '$2 == s { print $1; exit }')
  [[ -n $m ]] || m=$(apt_sources | awk '$2 !~ /-/ && $1 !~ /security/ { print $1; exit }')
  [[ -n $m ]] || die "no Debian mirror in ${APT_DIR:-/etc/apt}/sources.list{,.d/}; set TOKENSTORE_DEBIAN_MIRROR"
  echo "$m"
}

# apt_sources prints "URI SUITE" for every enabled binary (deb) source in
# one-line (.list) and deb822 (.sources) files, in apt's file order.
# APT_DIR (default /etc/apt) exists for trying it on other files.
apt_sources() {
  local d=${APT_DIR:-/etc/apt} f
  for f in "$d/sources.list" "$d"/sources.list.d/*; do
    [[ -f $f ]] || continue
    case $f in
    *.list) sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" | awk '$1 == "deb" { print $2, $3 }' ;;
    *.sources) awk '
      function flush(  n, m, i, j, u, s) {
        if (types ~ /(^|[ \t])deb([ \t]|$)/ && enabled != "no") {
          n = split(uris, u); m = split(suites, s)
          for (i = 1; i <= n; i++) for (j = 1; j <= m; j++) print u[i], s[j]
        }
        types = uris = suites = enabled = ""
      }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      /^[A-Za-z-]+:/ {
        key = tolower($1); sub(/:$/, "", key)
        val = $0; sub(/^[^:]*:[ \t]*/, "", val)
        if (key == "types") types = val
        else if (key == "uris") uris = val
        else if (key == "suites") suites = val
        else if (key == "enabled") enabled = tolower(val)
      }
      END { flush() }' "$f" ;;
    esac
  done
}

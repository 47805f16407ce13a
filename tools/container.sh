#!/bin/bash
# container.sh deps|conf|base|image|test|clean - the container image of
# verbatimd (Dockerfile at the root), built and tested with podman.
#
#   deps    install podman, buildah, runc and debootstrap (apt-get; sudo when
#           not root) or say in one line what to install
#   conf    write $BUILD/container/containers.conf (runtime runc, lowered
#           ulimits); every podman call here runs with CONTAINERS_CONF on it
#   base    make sure docker.io/library/debian:bookworm-slim exists: kept if
#           it is there, pulled when a registry answers, otherwise built with
#           debootstrap --variant=minbase from the mirror of apt's own sources
#           (MIRROR=URL overrides), imported and tagged under that name
#   image   podman build --network host --pull=never -t $IMAGE .
#   test    image, then run it (host network, a free port), wait for /readyz,
#           run tests/api against it (VERBATIM_BASE_URL), check the frontend,
#           the user, the HEALTHCHECK, SIGHUP and SIGTERM; report the size;
#           stop the container
#   clean   remove the image and $BUILD/container
#
# Environment: BUILD (build), IMAGE (verbatim), MIRROR, BASE_PULL_TIMEOUT (60).
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build}
IMAGE=${IMAGE:-verbatim}
BASE=docker.io/library/debian:bookworm-slim
WORK=$PWD/$BUILD/container
export CONTAINERS_CONF=$WORK/containers.conf

say() { printf 'container: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

sudo_cmd() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
    else return 1; fi
}

cmd_deps() {
    local missing="" c
    for c in podman buildah runc debootstrap; do
        command -v "$c" >/dev/null 2>&1 || [ -x "/usr/sbin/$c" ] || missing="$missing $c"
    done
    [ -z "$missing" ] && return 0
    command -v apt-get >/dev/null 2>&1 ||
        die "missing:$missing (not a Debian/Ubuntu system: install their equivalents)"
    say "installing$missing"
    if { sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive sudo_cmd apt-get install -y -qq $missing; } >/dev/null 2>&1; then
        return 0
    fi
    die "could not install packages; run: sudo apt-get install$missing"
}

cmd_conf() {
    mkdir -p "$WORK"
    # runc: crun fails on hybrid cgroups; the default ulimits (1048576 open
    # files) are above what these machines allow a container.
    cat > "$CONTAINERS_CONF" <<'EOF'
# Written by tools/container.sh (make container-test); CONTAINERS_CONF points here.
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]

[engine]
runtime = "runc"
EOF
}

# The first http(s) URI of apt's sources serving the bookworm suite itself
# (not -updates, not -security): one-line sources.list, then deb822 *.sources.
apt_mirror() {
    local f uri=""
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -r "$f" ] || continue
        uri=$(awk '$1 == "deb" {
                    i = 2; if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
                    if ($(i + 1) == "bookworm" && $i ~ /^https?:\/\//) { print $i; exit } }' "$f")
        [ -n "$uri" ] && { echo "$uri"; return 0; }
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -r "$f" ] || continue
        uri=$(awk 'BEGIN { RS = ""; FS = "\n" }
                   { uris = ""; suites = ""; types = ""; enabled = "yes"
                     for (i = 1; i <= NF; i++) {
                       if ($i ~ /^#/) continue
                       split($i, kv, /:[ \t]*/)
                       k = tolower(kv[1]); v = substr($i, index($i, ":") + 1); gsub(/^[ \t]+|[ \t]+$/, "", v)
                       if (k == "uris") uris = v; else if (k == "suites") suites = v
                       else if (k == "types") types = v; else if (k == "enabled") enabled = tolower(v)
                     }
                     if (enabled == "no" || (" " types " ") !~ / deb /) next
                     if ((" " suites " ") !~ / bookworm /) next
                     n = split(uris, u, /[ \t]+/)
                     for (j = 1; j <= n; j++) if (u[j] ~ /^https?:\/\//) { print u[j]; exit } }' "$f")
        [ -n "$uri" ] && { echo "$uri"; return 0; }
    done
    return 1
}

# A minbase debootstrap keeps what the real -slim image drops: the .debs it
# installed (31 MB), apt's lists and caches (49 MB), documentation, manual
# pages and translations (47 MB). Drop them as debuerreotype's slimify does,
# and keep them out of later layers with the same dpkg and apt settings.
slim_rootfs() {
    sudo_cmd sh -eu -c '
        r=$1
        rm -rf "$r"/var/cache/apt/archives/*.deb "$r"/var/cache/apt/archives/partial/* \
               "$r"/var/cache/apt/*.bin "$r"/var/lib/apt/lists/* "$r"/var/log/apt/* \
               "$r"/usr/share/man/* "$r"/usr/share/info/* "$r"/usr/share/locale/* \
               "$r"/usr/share/groff/* "$r"/usr/share/lintian/overrides/*
        find "$r"/usr/share/doc -mindepth 1 ! -type d ! -name copyright -delete
        find "$r"/usr/share/doc -mindepth 1 -depth -type d -empty -delete
        : > "$r"/var/log/dpkg.log
        : > "$r"/etc/resolv.conf
        mkdir -p "$r"/etc/dpkg/dpkg.cfg.d "$r"/etc/apt/apt.conf.d
        printf "%s\n" "path-exclude /usr/share/doc/*" "path-include /usr/share/doc/*/copyright" \
            "path-exclude /usr/share/man/*" "path-exclude /usr/share/groff/*" "path-exclude /usr/share/info/*" \
            "path-exclude /usr/share/lintian/*" "path-exclude /usr/share/linda/*" "path-exclude /usr/share/locale/*" \
            > "$r"/etc/dpkg/dpkg.cfg.d/docker
        printf "%s\n" "DPkg::Post-Invoke { \"rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true\"; };" \
            "APT::Update::Post-Invoke { \"rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true\"; };" \
            "Dir::Cache::pkgcache \"\";" "Dir::Cache::srcpkgcache \"\";" > "$r"/etc/apt/apt.conf.d/docker-clean
        echo "Acquire::GzipIndexes \"true\";" > "$r"/etc/apt/apt.conf.d/docker-gzip-indexes
        echo "Acquire::Languages \"none\";" > "$r"/etc/apt/apt.conf.d/docker-no-languages
        echo "Apt::AutoRemove::SuggestsImportant \"false\";" > "$r"/etc/apt/apt.conf.d/docker-autoremove-suggests
    ' sh "$1"
}

cmd_base() {
    cmd_conf
    if podman image exists "$BASE"; then
        say "base $BASE: present, kept"
        return 0
    fi
    say "base $BASE: trying the registry (timeout ${BASE_PULL_TIMEOUT:-60} s)"
    if timeout "${BASE_PULL_TIMEOUT:-60}" podman pull -q "$BASE" >/dev/null 2>"$WORK/pull.log"; then
        say "base $BASE: pulled"
        return 0
    fi
    say "base: no registry ($(tail -n 1 "$WORK/pull.log" | cut -c1-160)); building it with debootstrap"
    local mirror=${MIRROR:-}
    [ -n "$mirror" ] || mirror=$(apt_mirror) ||
        die "no bookworm mirror found in /etc/apt/sources.list{,.d/*.sources}: run with MIRROR=URL"
    command -v debootstrap >/dev/null 2>&1 || [ -x /usr/sbin/debootstrap ] || die "debootstrap missing: make container-deps"
    local rootfs=$WORK/rootfs
    sudo_cmd rm -rf "$rootfs"
    say "debootstrap --variant=minbase bookworm $rootfs $mirror (about 25 s)"
    local t0=$SECONDS
    if ! sudo_cmd env PATH="/usr/sbin:/sbin:$PATH" debootstrap --variant=minbase bookworm "$rootfs" "$mirror" \
            > "$WORK/debootstrap.log" 2>&1; then
        tail -n 20 "$WORK/debootstrap.log" >&2
        die "debootstrap failed (log: $WORK/debootstrap.log)"
    fi
    say "debootstrap: $((SECONDS - t0)) s"
    slim_rootfs "$rootfs"
    # What the real image sets in its config, so that both bases behave alike.
    sudo_cmd tar -C "$rootfs" -c . |
        podman import -q --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
            --change 'CMD ["bash"]' - verbatim-base >/dev/null
    podman tag verbatim-base "$BASE"
    sudo_cmd rm -rf "$rootfs"
    say "base $BASE: imported from debootstrap ($(podman image inspect --format '{{.Size}}' "$BASE" | numfmt --to=iec) )"
}

cmd_image() {
    cmd_base
    say "podman build --network host --pull=never --format docker -t $IMAGE ."
    # --format docker keeps HEALTHCHECK (the OCI format has no such field).
    podman build --network host --pull=never --format docker -t "$IMAGE" .
}

free_port() {
    /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

CONTAINER=""
LOGPID=""
stop_container() {
    if [ -n "$CONTAINER" ] && podman container exists "$CONTAINER" 2>/dev/null; then
        podman stop -t 10 "$CONTAINER" >/dev/null 2>&1 || true
    fi
    CONTAINER=""
    if [ -n "$LOGPID" ]; then wait "$LOGPID" 2>/dev/null || true; LOGPID=""; fi
}

cmd_test() {
    cmd_image
    local port base log t0 i code
    port=$(free_port)
    base=http://127.0.0.1:$port
    log=$WORK/verbatimd.log
    CONTAINER=verbatim-test-$$
    trap stop_container EXIT
    say "podman run -d --rm --network host -e VERBATIM_LISTEN=127.0.0.1:$port --name $CONTAINER $IMAGE"
    podman run -d --rm --network host -e "VERBATIM_LISTEN=127.0.0.1:$port" --name "$CONTAINER" "$IMAGE" >/dev/null
    podman logs -f "$CONTAINER" > "$log" 2>&1 &
    LOGPID=$!

    t0=$SECONDS
    until [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/readyz" || true)" = 200 ]; do
        podman container exists "$CONTAINER" || { cat "$log" >&2; die "the container exited before /readyz answered 200"; }
        [ $((SECONDS - t0)) -lt 30 ] || { cat "$log" >&2; die "/readyz not 200 after 30 s"; }
        sleep 0.2
    done
    say "ready in $((SECONDS - t0)) s at $base"

    say "tests/api against the container (VERBATIM_BASE_URL=$base)"
    VERBATIM_BASE_URL=$base /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/api -rs 2>&1 |
        tee "$WORK/pytest.log" | grep -v '^SKIPPED' || true
    [ "${PIPESTATUS[0]}" -eq 0 ] || die "tests/api failed against the container (log: $WORK/pytest.log)"
    say "skipped (they start their own verbatimd): $(grep -c '^SKIPPED' "$WORK/pytest.log" || true) lines, see $WORK/pytest.log"

    # What the API tests cannot see: the image itself.
    code=$(curl -s -o "$WORK/index.html" -w '%{http_code}' "$base/")
    [ "$code" = 200 ] && cmp -s "$WORK/index.html" web/index.html ||
        die "GET / is not web/index.html (status $code): VERBATIM_WEB_ROOT not honoured?"
    say "frontend: GET / serves web/index.html"
    [ "$(podman exec "$CONTAINER" id -u)" != 0 ] || die "verbatimd runs as root"
    say "user: $(podman exec "$CONTAINER" id)"
    podman exec "$CONTAINER" sh -c 'test -w /var/lib/verbatim/verbatim.db && ! test -w /srv/verbatim/articles' ||
        die "expected a writable database and read-only articles for the user"
    [ "$(podman image inspect --format '{{json .Config.Volumes}}' "$IMAGE")" = '{"/srv/verbatim/articles":{}}' ] ||
        die "VOLUME /srv/verbatim/articles missing"
    podman healthcheck run "$CONTAINER" || die "HEALTHCHECK failed"
    say "healthcheck: $(podman image inspect --format '{{json .Config.Healthcheck.Test}}' "$IMAGE") passed"
    podman kill --signal HUP "$CONTAINER" >/dev/null
    for i in $(seq 50); do grep -q 'SIGHUP: reloading' "$log" && grep -c '^.*loaded /srv' "$log" | grep -q '^2$' && break; sleep 0.1; done
    grep -c 'loaded /srv/verbatim/articles' "$log" | grep -q '^2$' || { cat "$log" >&2; die "SIGHUP did not reload"; }
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/readyz")" = 200 ] || die "not ready after SIGHUP"
    say "SIGHUP: reloaded, still ready"

    local size basesize
    size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
    basesize=$(podman image inspect --format '{{.Size}}' "$BASE")
    say "image $IMAGE: $size bytes ($(numfmt --to=iec "$size")); base $BASE: $(numfmt --to=iec "$basesize")"

    t0=$SECONDS
    podman stop -t 10 "$CONTAINER" >/dev/null
    CONTAINER=""
    wait "$LOGPID" 2>/dev/null || true
    LOGPID=""
    grep -q 'SIGTERM: stopping' "$log" && tail -n 1 "$log" | grep -q 'stopped' ||
        { cat "$log" >&2; die "SIGTERM did not stop verbatimd cleanly"; }
    say "SIGTERM: stopped cleanly in $((SECONDS - t0)) s; container removed"
    say "PASS"
}

cmd_clean() {
    cmd_conf
    podman rmi -f "$IMAGE" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}

case "${1:-}" in
    deps) cmd_deps ;;
    conf) cmd_conf ;;
    base) cmd_deps; cmd_base ;;
    image) cmd_deps; cmd_image ;;
    test) cmd_deps; cmd_test ;;
    clean) cmd_clean ;;
    *) echo "usage: $0 deps|conf|base|image|test|clean" >&2; exit 2 ;;
esac

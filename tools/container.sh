#!/bin/bash
# container.sh deps|conf|base|image|test|systemd|clean - the container image of
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
#           the user, the HEALTHCHECK, SIGHUP and SIGTERM; run it again as
#           `docker run -p 8080:8080 verbatim` would, and again read-only with
#           an articles folder and a database volume of ours; report the
#           image size; every container is stopped (and removed: --rm)
#   systemd deploy/verbatimd.service under systemd in a privileged container:
#           active, sandboxed, reload (SIGHUP) and stop (exit 0)
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
    if { sudo_cmd apt-get update -qq && sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing; } >/dev/null 2>&1; then
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
    say "base: no registry ($(tail -n 1 "$WORK/pull.log" | sed 's/^.*: //' | cut -c1-80)); building it with debootstrap"
    local mirror=${MIRROR:-}
    [ -n "$mirror" ] || mirror=$(apt_mirror) ||
        die "no bookworm mirror found in /etc/apt/sources.list{,.d/*.sources}: run with MIRROR=URL"
    command -v debootstrap >/dev/null 2>&1 || [ -x /usr/sbin/debootstrap ] || die "debootstrap missing: make container-deps"
    local rootfs=$WORK/rootfs
    sudo_cmd rm -rf "$rootfs"
    say "debootstrap --variant=minbase bookworm $rootfs $mirror (25 s to 2 min, once)"
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
    say "base $BASE: imported from debootstrap ($(podman image inspect --format '{{.Size}}' "$BASE" | numfmt --to=iec))"
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

# Containers started here, stopped on any exit.
CONTAINERS=()
stop_containers() {
    local c
    for c in "${CONTAINERS[@]}"; do
        podman container exists "$c" 2>/dev/null && podman stop -t 10 "$c" >/dev/null 2>&1 || true
    done
    CONTAINERS=()
}

# podman prints errors about healthcheck timers it cannot make without
# systemd (harmless: `podman healthcheck run` runs the check by hand).
podman_quiet() {
    local err=$WORK/podman.err
    if ! podman "$@" >/dev/null 2>"$err"; then cat "$err" >&2; return 1; fi
    grep -v 'systemd connection' "$err" >&2 || true
}

# start NAME LOG [podman run options...]: podman run -d --rm, the log in a
# file of ours (it outlives --rm, so the last lines after SIGTERM can be read).
start() {
    local name=$1 log=$2
    shift 2
    rm -f "$log"
    say "podman run -d --rm $* --name $name $IMAGE"
    CONTAINERS+=("$name")
    podman_quiet run -d --rm "$@" --name "$name" --log-driver k8s-file --log-opt "path=$log" \
        --health-interval disable "$IMAGE" || die "podman run failed"
}

# wait_ready NAME LOG BASE: /readyz 200 within 30 s.
wait_ready() {
    local t0=$SECONDS
    until [ "$(curl -s -o /dev/null -w '%{http_code}' "$3/readyz" || true)" = 200 ]; do
        podman container exists "$1" || { cat "$2" >&2; die "$1 exited before /readyz answered 200"; }
        [ $((SECONDS - t0)) -lt 30 ] || { tail -n 20 "$2" >&2; die "$1: /readyz not 200 after 30 s"; }
        sleep 0.2
    done
    say "$1 ready in $((SECONDS - t0)) s at $3"
}

json_field() {  # json_field URL PYTHON-EXPR-ON-d
    curl -s "$1" | /usr/bin/python3 -c "import json, sys; d = json.load(sys.stdin); print($2)"
}

cmd_test() {
    cmd_image
    local port base log name t0 code
    trap stop_containers EXIT

    # 1. Host network, VERBATIM_LISTEN on a free port: the API tests.
    port=$(free_port)
    base=http://127.0.0.1:$port
    log=$WORK/verbatimd.log
    name=verbatim-test-$$
    start "$name" "$log" --network host -e "VERBATIM_LISTEN=127.0.0.1:$port"
    wait_ready "$name" "$log" "$base"

    say "tests/api against the container (VERBATIM_BASE_URL=$base)"
    VERBATIM_BASE_URL=$base /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/api -rs 2>&1 |
        tee "$WORK/pytest.log" | grep -v '^SKIPPED' || true
    [ "${PIPESTATUS[0]}" -eq 0 ] || die "tests/api failed against the container (log: $WORK/pytest.log)"
    say "skipped: the tests that start a verbatimd of their own (reasons in $WORK/pytest.log)"

    # What the API tests cannot see: the image itself.
    code=$(curl -s -o "$WORK/index.html" -w '%{http_code}' "$base/")
    [ "$code" = 200 ] && cmp -s "$WORK/index.html" web/index.html ||
        die "GET / is not web/index.html (status $code): VERBATIM_WEB_ROOT not honoured?"
    say "frontend: GET / serves web/index.html"
    [ "$(podman exec "$name" id -u)" != 0 ] || die "verbatimd runs as root"
    say "user: $(podman exec "$name" id)"
    podman exec "$name" sh -c 'test -w /var/lib/verbatim/verbatim.db && ! test -w /srv/verbatim/articles' ||
        die "expected a writable database and read-only articles for the user"
    [ "$(podman image inspect --format '{{json .Config.Volumes}}' "$IMAGE")" = '{"/srv/verbatim/articles":{}}' ] ||
        die "VOLUME /srv/verbatim/articles missing"
    podman healthcheck run "$name" || die "HEALTHCHECK failed"
    say "healthcheck: $(podman image inspect --format '{{json .Config.Healthcheck.Test}}' "$IMAGE") passed"
    podman kill --signal HUP "$name" >/dev/null
    for _ in $(seq 50); do
        [ "$(grep -c 'loaded /srv/verbatim/articles' "$log")" -ge 2 ] && break
        sleep 0.1
    done
    grep -q 'SIGHUP: reloading' "$log" && [ "$(grep -c 'loaded /srv/verbatim/articles' "$log")" -ge 2 ] ||
        { tail -n 5 "$log" >&2; die "SIGHUP did not reload"; }
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/readyz")" = 200 ] || die "not ready after SIGHUP"
    say "SIGHUP: reloaded, still ready"

    # podman stop sends SIGTERM, then SIGKILL after 10 s: a clean stop is
    # verbatimd's own last line, well within that.
    t0=$(date +%s%N)
    podman_quiet stop -t 10 "$name" || die "podman stop failed"
    grep -q 'SIGTERM: stopping' "$log" && tail -n 1 "$log" | grep -q ' info stopped$' ||
        { tail -n 5 "$log" >&2; die "SIGTERM did not stop verbatimd cleanly"; }
    say "SIGTERM: verbatimd stopped cleanly in $(( ($(date +%s%N) - t0) / 1000000 )) ms; container removed"

    # 2. As `docker run -p 8080:8080 verbatim`: the image's defaults alone,
    # behind a published port (loopback only).
    port=$(free_port)
    base=http://127.0.0.1:$port
    name=verbatim-test-$$-published
    start "$name" "$WORK/published.log" -p "127.0.0.1:$port:8080"
    wait_ready "$name" "$WORK/published.log" "$base"
    [ "$(json_field "$base/v1" 'd["data"]["corpus"]["articles"]')" = 5 ] || die "-p 8080: not the 5 bundled articles"
    [ "$(json_field "$base/v1/articles?limit=1" 'd["links"]["self"]')" = "$base/v1/articles?limit=1" ] ||
        die "-p 8080: links do not follow the Host header"
    podman_quiet stop -t 10 "$name"
    say "-p 127.0.0.1:$port:8080 with the image's defaults: the 5 bundled articles"

    # 3. Your own corpus, mounted read-only over the VOLUME, in the shape of
    # deploy/kubernetes.yaml's pod: read-only root file system, the database
    # in a volume of its own, no capabilities, no new privileges.
    rm -rf "$WORK/articles" "$WORK/db" && mkdir -p "$WORK/articles" "$WORK/db"
    cp db/articles/000_*.txt db/articles/003_*.txt "$WORK/articles/"
    chmod -R a+rX "$WORK/articles"
    chown 10001:10001 "$WORK/db" 2>/dev/null || sudo_cmd chown 10001:10001 "$WORK/db"
    port=$(free_port)
    base=http://127.0.0.1:$port
    name=verbatim-test-$$-volume
    start "$name" "$WORK/volume.log" --network host -e "VERBATIM_LISTEN=127.0.0.1:$port" \
        --read-only --cap-drop ALL --security-opt no-new-privileges \
        -v "$WORK/articles:/srv/verbatim/articles:ro" -v "$WORK/db:/var/lib/verbatim"
    wait_ready "$name" "$WORK/volume.log" "$base"
    [ "$(json_field "$base/readyz" 'd["articles"]')" = 2 ] || die "-v DIR:/srv/verbatim/articles:ro: not 2 articles"
    [ -s "$WORK/db/verbatim.db" ] || die "no database in the mounted /var/lib/verbatim"
    podman_quiet stop -t 10 "$name"
    CONTAINERS=()
    sudo_cmd rm -rf "$WORK/db"
    say "--read-only, -v DIR:/srv/verbatim/articles:ro, -v DB:/var/lib/verbatim: serves that folder (2 articles)"

    local size basesize
    size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
    basesize=$(podman image inspect --format '{{.Size}}' "$BASE")
    say "image $IMAGE: $size bytes ($(numfmt --to=iec "$size")); base $BASE: $basesize bytes ($(numfmt --to=iec "$basesize"))"
    say "PASS"
}

# deploy/verbatimd.service under a real systemd (PID 1 of a privileged
# container: its sandboxing needs mount namespaces and seccomp), with the
# binary, frontend and articles of the image; /etc/default/verbatimd moves it
# to a free port (the host's network is shared).
cmd_systemd() {
    cmd_image
    local dir=$WORK/systemd name=verbatim-systemd-$$ port out pid
    rm -rf "$dir" && mkdir -p "$dir"
    cp deploy/verbatimd.service "$dir/"
    port=$(free_port)
    echo "VERBATIM_LISTEN=127.0.0.1:$port" > "$dir/default"
    cat > "$dir/Containerfile" <<EOF
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends systemd systemd-sysv procps curl \\
        libmicrohttpd12 libjansson4 libsqlite3-0 zlib1g && rm -rf /var/lib/apt/lists/*
COPY --from=$IMAGE /usr/local/bin/verbatimd /usr/local/bin/verbatimd
COPY --from=$IMAGE /usr/local/share/verbatim/web/ /usr/local/share/verbatim/web/
COPY --from=$IMAGE /srv/verbatim/articles/ /srv/verbatim/articles/
COPY verbatimd.service /etc/systemd/system/verbatimd.service
COPY default /etc/default/verbatimd
RUN systemctl enable verbatimd.service
CMD ["/sbin/init"]
EOF
    say "systemd: building an image with systemd and the unit"
    podman build --network host --pull=never -q -t verbatim-systemd -f "$dir/Containerfile" "$dir" >/dev/null ||
        die "podman build of the systemd image failed"
    trap stop_containers EXIT
    CONTAINERS+=("$name")
    say "systemd: podman run --privileged --systemd=always (deploy/verbatimd.service on 127.0.0.1:$port)"
    podman_quiet run -d --rm --privileged --systemd=always --network host --name "$name" verbatim-systemd ||
        die "podman run failed"
    wait_ready "$name" /dev/null "http://127.0.0.1:$port"
    podman exec "$name" systemctl is-active verbatimd >/dev/null || die "verbatimd.service not active"
    pid=$(podman exec "$name" systemctl show -p MainPID --value verbatimd)
    out=$(podman exec "$name" grep -E '^(Uid|CapEff|NoNewPrivs|Seccomp):' "/proc/$pid/status" | tr -s '\t\n' '  ')
    say "systemd: $out"
    case $out in *"Uid: 0 "*) die "runs as root" ;; esac
    case $out in *"CapEff: 0000000000000000"*"NoNewPrivs: 1"*"Seccomp: 2"*) ;; *) die "not sandboxed: $out" ;; esac
    podman exec "$name" sh -c 'test -L /var/lib/verbatim && test -s /var/lib/private/verbatim/verbatim.db' ||
        die "no database in the StateDirectory"
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/")" = 200 ] || die "GET / not 200"
    podman exec "$name" systemctl reload verbatimd || die "systemctl reload failed"
    sleep 0.5
    podman exec "$name" journalctl -u verbatimd -o cat | grep -q 'SIGHUP: reloading' || die "reload did not reach verbatimd"
    podman exec "$name" systemctl stop verbatimd
    [ "$(podman exec "$name" systemctl show -p Result --value verbatimd)" = success ] || die "stop: not a clean exit"
    podman exec "$name" journalctl -u verbatimd -o cat | tail -n 4 >&2
    podman_quiet stop -t 10 "$name"
    CONTAINERS=()
    say "systemd: unit started (dynamic user, state directory, sandbox), reloaded by SIGHUP, stopped with exit 0: PASS"
}

cmd_clean() {
    cmd_conf
    podman rmi -f "$IMAGE" verbatim-systemd >/dev/null 2>&1 || true
    rm -rf "$WORK"
}

case "${1:-}" in
    deps) cmd_deps ;;
    conf) cmd_conf ;;
    base) cmd_deps; cmd_base ;;
    image) cmd_deps; cmd_image ;;
    test) cmd_deps; cmd_test ;;
    systemd) cmd_deps; cmd_systemd ;;
    clean) cmd_clean ;;
    *) echo "usage: $0 deps|conf|base|image|test|systemd|clean" >&2; exit 2 ;;
esac

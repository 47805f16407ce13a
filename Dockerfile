# verbatimd: the HTTP JSON API over a folder of news articles.
#
#   docker build -t verbatim .
#   docker run -p 8080:8080 verbatim                       # the bundled corpus
#   docker run -p 8080:8080 -v "$PWD/articles:/srv/verbatim/articles:ro" verbatim
#   docker kill -s HUP CONTAINER                           # reload the articles
#
# Every path is set by environment variable: the binary's built-in defaults
# point into the source tree it was compiled in (/src), which is not here.
# `make container-test` builds and tests this image with podman.

# ---- build -------------------------------------------------------------------
FROM debian:bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
        build-essential pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Only what `make all` and `make install` read (see .dockerignore too).
COPY Makefile ./
COPY include/ include/
COPY server/ server/
COPY db/schema.sql db/
# The bundled corpus is also what the profile-guided build trains on.
COPY db/articles/ db/articles/
COPY docs/openapi.json docs/verbatimd.1 docs/
RUN make -j"$(nproc)" all \
 && make install DESTDIR=/out PREFIX=/usr/local \
 && strip --strip-unneeded /out/usr/local/bin/verbatimd \
 && /out/usr/local/bin/verbatimd --version

# ---- runtime -----------------------------------------------------------------
FROM debian:bookworm-slim
# The shared libraries verbatimd links (libmicrohttpd brings GnuTLS's), nothing else.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libmicrohttpd12 libjansson4 libsqlite3-0 zlib1g \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt/* /var/log/dpkg.log
# A system user with a fixed, numeric id (Kubernetes' runAsNonRoot checks it);
# only the database folder is theirs: articles and frontend stay root's, read-only.
RUN groupadd --system --gid 10001 verbatim \
 && useradd --system --uid 10001 --gid verbatim --home-dir /var/lib/verbatim --no-create-home \
        --shell /usr/sbin/nologin verbatim \
 && install -d -o verbatim -g verbatim -m 0750 /var/lib/verbatim

COPY --from=build /out/usr/local/bin/verbatimd /usr/local/bin/verbatimd
COPY web/ /usr/local/share/verbatim/web/
COPY db/articles/ /srv/verbatim/articles/
RUN chmod -R a+rX,go-w /usr/local/share/verbatim /srv/verbatim

ENV VERBATIM_LISTEN=0.0.0.0:8080 \
    VERBATIM_ARTICLES=/srv/verbatim/articles \
    VERBATIM_DB=/var/lib/verbatim/verbatim.db \
    VERBATIM_WEB_ROOT=/usr/local/share/verbatim/web \
    VERBATIM_LOG_FORMAT=text

# Replace the bundled corpus with your own folder of *.txt files, read-only.
VOLUME ["/srv/verbatim/articles"]
WORKDIR /var/lib/verbatim
USER 10001:10001
EXPOSE 8080

# Healthy once the corpus is loaded (/readyz: 503 while loading). No curl in
# the image: bash's /dev/tcp speaks the one request, on the port of
# VERBATIM_LISTEN.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${VERBATIM_LISTEN##*:} && printf 'GET /readyz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && read -r -t 4 status <&3 && [[ $status == HTTP/1.?' 200 '* ]] || exit 1"]

# SIGTERM (docker stop) finishes requests in flight and exits 0; SIGHUP reloads.
STOPSIGNAL SIGTERM
CMD ["verbatimd", "serve"]

# syntax=docker/dockerfile:1
#
# Production image of Custodian: one binary for every role (`serve`, `work`, `migrate`, `keys`).
#   docker build -t custodian:local .
#   docker run --rm -e DATABASE_URL=postgres://... -p 8080:8080 custodian:local            # API
#   docker run --rm -e DATABASE_URL=postgres://... custodian:local work                    # worker
#   docker run --rm -e DATABASE_URL=postgres://... custodian:local migrate                 # migrations

ARG SWIFT_IMAGE=swift:6.2-bookworm
ARG RUN_IMAGE=debian:bookworm-slim

# ================================
# Build stage
# ================================
FROM ${SWIFT_IMAGE} AS build

# hadolint ignore=DL3008
RUN export DEBIAN_FRONTEND=noninteractive DEBCONF_NONINTERACTIVE_SEEN=true \
    && apt-get -q update \
    && apt-get -q install -y --no-install-recommends libjemalloc-dev \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /build

# Resolve dependencies first: this layer is reused as long as Package.swift/Package.resolved don't change.
COPY ./Package.* ./
RUN swift package resolve

COPY . .

# The OpenAPI generator plugin runs as part of this build.
RUN swift build -c release --product custodian --static-swift-stdlib -Xlinker -ljemalloc

# Stage everything the run image needs in /staging.
WORKDIR /staging
RUN bin_path="$(swift build --package-path /build -c release --show-bin-path)" \
    && cp "$bin_path/custodian" ./ \
    && find -L "$bin_path/" -maxdepth 1 -regex '.*\.resources$' -exec cp -Ra {} ./ \; \
    && cp /usr/libexec/swift/linux/swift-backtrace-static ./ \
    && cp -R /build/Migrations ./Migrations

# ================================
# Run stage
# ================================
FROM ${RUN_IMAGE}

# hadolint ignore=DL3008
RUN export DEBIAN_FRONTEND=noninteractive DEBCONF_NONINTERACTIVE_SEEN=true \
    && apt-get -q update \
    && apt-get -q install -y --no-install-recommends ca-certificates tzdata libjemalloc2 \
    && rm -rf /var/lib/apt/lists/*

# A fixed numeric uid/gid so that orchestrators can verify "runs as non-root".
RUN groupadd --system --gid 10001 custodian \
    && useradd --system --uid 10001 --gid custodian --no-create-home --home-dir /app \
        --shell /usr/sbin/nologin custodian

WORKDIR /app
# Owned by root and read-only for the service user: the app writes nothing to disk.
COPY --from=build /staging /app

# Symbolicated crash backtraces via the static backtracer copied from the build image.
ENV SWIFT_BACKTRACE=enable=yes,sanitize=yes,threads=all,images=all,interactive=no,swift-backtrace=/app/swift-backtrace-static
ENV CUSTODIAN_HOST=0.0.0.0 \
    CUSTODIAN_PORT=8080 \
    CUSTODIAN_LOG_LEVEL=info

USER 10001:10001
EXPOSE 8080

# `migrate` reads Migrations/ relative to the working directory (/app).
ENTRYPOINT ["/app/custodian"]
CMD ["serve"]

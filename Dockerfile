# keyward in a container: `docker run --rm -v "$PWD:/work" IMAGE scan --snapshot /work/prod.json`.
# AWS credentials come in through the usual environment variables (or a mounted ~/.aws with
# AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE pointing at it).
#
# Built from source by default (`docker build .`): a static musl binary. The release workflow
# builds with `--build-arg KEYWARD_FROM=prebuilt` and the release's own binaries in
# prebuilt/<amd64|arm64>/keyward, so the image holds exactly what the release archives hold.
ARG KEYWARD_FROM=source

FROM rust:1.94-alpine AS source
RUN apk add --no-cache musl-dev cmake make perl
WORKDIR /src
COPY . .
RUN cargo build --release --locked && cp target/release/keyward /keyward

FROM scratch AS prebuilt
ARG TARGETARCH
COPY prebuilt/${TARGETARCH}/keyward /keyward

FROM ${KEYWARD_FROM} AS binary

# Static binaries need no libc: the distroless static image adds CA certificates (for AWS's
# HTTPS endpoints), /etc/passwd and a non-root user, and nothing else.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=binary /keyward /usr/local/bin/keyward
WORKDIR /work
ENTRYPOINT ["/usr/local/bin/keyward"]
CMD ["--help"]

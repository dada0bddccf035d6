# syntax=docker/dockerfile:1
# Build: a full Rust toolchain; run: a slim Debian with only the binary.

FROM rust:1.89-bookworm AS build
WORKDIR /src
# Dependencies first, so that a change to the code does not rebuild them.
COPY Cargo.toml Cargo.lock ./
COPY build.rs ./
RUN mkdir -p src tests/api bench migrations \
    && echo 'fn main() {}' > src/main.rs \
    && echo '' > src/lib.rs \
    && echo '' > tests/api/main.rs \
    && echo 'fn main() {}' > bench/load.rs \
    && cargo build --release --locked --bin meldeplikt \
    && rm -rf src tests bench
COPY migrations ./migrations
COPY src ./src
COPY tests ./tests
COPY bench ./bench
# Make sure cargo sees the real sources as newer than the placeholder build.
RUN touch src/main.rs src/lib.rs && cargo build --release --locked --bin meldeplikt

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home-dir /var/lib/meldeplikt --create-home meldeplikt
COPY --from=build /src/target/release/meldeplikt /usr/local/bin/meldeplikt
USER meldeplikt
WORKDIR /var/lib/meldeplikt
ENV MELDEPLIKT_LISTEN=0.0.0.0:8080 \
    MELDEPLIKT_DATA_DIR=/var/lib/meldeplikt \
    MELDEPLIKT_LOG_FORMAT=json
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/meldeplikt"]
CMD ["serve"]

# syntax=docker/dockerfile:1
# Liftoff: build in the official Rust image, run on a distroless base as a non-root user.

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
# Dependencies first, so code changes do not rebuild them.
# Cargo reads every workspace member's manifest and every declared bench target, so the
# stand-ins cover them all (tests/api/container.rs checks the lists stay in step).
COPY Cargo.toml Cargo.lock ./
COPY crates/liftoff-core/Cargo.toml crates/liftoff-core/Cargo.toml
COPY crates/slack-emulator/Cargo.toml crates/slack-emulator/Cargo.toml
RUN mkdir -p src benches crates/liftoff-core/src crates/slack-emulator/src \
    && echo 'fn main() {}' > src/main.rs && touch src/lib.rs crates/liftoff-core/src/lib.rs crates/slack-emulator/src/lib.rs \
    && for bench in parsers renderers pmo; do echo 'fn main() {}' > "benches/$bench.rs"; done \
    && cargo build --release --locked \
    && rm -rf src crates/liftoff-core/src crates/slack-emulator/src
# Compiled into the binary: the crates, the migrations and the shipped tier templates.
COPY crates ./crates
COPY src ./src
COPY migrations ./migrations
COPY config ./config
RUN touch src/main.rs src/lib.rs crates/*/src/lib.rs && cargo build --release --locked \
    && mkdir -p /data

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/liftoff /usr/local/bin/liftoff
COPY --from=build --chown=nonroot:nonroot /data /data
COPY config/liftoff.example.toml /etc/liftoff/liftoff.example.toml
ENV LIFTOFF_BIND=0.0.0.0:3000 \
    DATABASE_URL=sqlite:///data/liftoff.db
VOLUME ["/data"]
EXPOSE 3000
USER nonroot
# Ready means the database answers and every migration is applied (GET /readyz).
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD ["/usr/local/bin/liftoff", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/liftoff"]
CMD ["serve"]

# syntax=docker/dockerfile:1
# Liftoff: build in the official Rust image, run on a distroless base as a non-root user.

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
# Dependencies first, so code changes do not rebuild them.
COPY Cargo.toml Cargo.lock ./
RUN mkdir src && echo 'fn main() {}' > src/main.rs && echo '' > src/lib.rs \
    && cargo build --release --locked \
    && rm -rf src
# Compiled into the binary: the migrations and the shipped tier templates.
COPY src ./src
COPY migrations ./migrations
COPY config ./config
RUN touch src/main.rs src/lib.rs && cargo build --release --locked \
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

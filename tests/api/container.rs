//! The container files, checked where no Docker engine runs (CI builds the image when one
//! does): what the binary compiles in is copied into the build, the runtime is non-root, and
//! health checks point at `liftoff healthcheck`, which itself is tested against a live service.

use std::path::Path;

use crate::helpers::TestApp;

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

#[test]
fn the_dockerfile_builds_what_the_binary_embeds_and_runs_as_non_root() {
    let dockerfile = read("Dockerfile");
    let stages = dockerfile.lines().filter(|l| l.starts_with("FROM ")).count();
    assert!(stages >= 2, "multi-stage build");
    // Everything `include_str!` and `sqlx::migrate!` read at compile time must be in the build.
    for dir in ["crates", "src", "migrations", "config"] {
        assert!(
            dockerfile.contains(&format!("COPY {dir} ./{dir}")),
            "the build copies {dir}/"
        );
    }
    // The dependency layer is built from stand-ins: one per workspace crate and declared bench,
    // or cargo refuses the manifest before building anything.
    let manifest = read("Cargo.toml");
    for bench in manifest.split("[[bench]]").skip(1) {
        let name = bench.split('"').nth(1).unwrap();
        let stand_ins = dockerfile
            .lines()
            .find(|l| l.contains("for bench in"))
            .unwrap_or_default();
        assert!(
            stand_ins
                .split_whitespace()
                .any(|word| word.trim_end_matches(';') == name),
            "no stand-in for bench {name}"
        );
    }
    for entry in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("crates")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            dockerfile.contains(&format!("COPY crates/{name}/Cargo.toml")),
            "no manifest copied for crates/{name}"
        );
        assert!(
            dockerfile.contains(&format!("crates/{name}/src/lib.rs")),
            "no stand-in for crates/{name}"
        );
    }
    let runtime = dockerfile.rsplit("FROM ").next().unwrap();
    assert!(runtime.contains("USER nonroot"), "the runtime stage is non-root");
    assert!(runtime.contains(r#"ENTRYPOINT ["/usr/local/bin/liftoff"]"#));
    assert!(runtime.contains(r#"CMD ["serve"]"#));
    assert!(runtime.contains(r#"CMD ["/usr/local/bin/liftoff", "healthcheck"]"#));
    assert!(runtime.contains("LIFTOFF_BIND=0.0.0.0:3000"));
}

#[test]
fn compose_runs_liftoff_with_postgres_and_health_checks() {
    let compose = read("docker-compose.yml");
    for needle in [
        "image: postgres:",
        "build: .",
        "DATABASE_URL: postgres://",
        "condition: service_healthy",
        r#"test: ["CMD", "/usr/local/bin/liftoff", "healthcheck"]"#,
        "SLACK_BOT_TOKEN: ${SLACK_BOT_TOKEN:?",
    ] {
        assert!(compose.contains(needle), "docker-compose.yml lacks {needle}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthcheck_exits_0_when_ready_and_1_otherwise() {
    let app = TestApp::spawn().await;
    let url = format!("{}/readyz", app.address);
    let run = |url: String| {
        std::process::Command::new(env!("CARGO_BIN_EXE_liftoff"))
            .env_clear()
            .args(["healthcheck", "--url", &url])
            .output()
            .unwrap()
    };
    let ready = tokio::task::spawn_blocking({
        let url = url.clone();
        move || run(url)
    })
    .await
    .unwrap();
    assert_eq!(
        ready.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ready.stderr)
    );
    app.store.close().await;
    let down = tokio::task::spawn_blocking(move || run(url)).await.unwrap();
    assert_eq!(down.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&down.stderr).contains("503"),
        "{}",
        String::from_utf8_lossy(&down.stderr)
    );
    app.stop().await;
}

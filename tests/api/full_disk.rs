//! A full disk under SQLite: the database lives on a small tmpfs the test mounts, which is
//! filled while people keep working and freed again. Nothing confirmed may be lost, `/readyz`
//! must say so while writes fail, and the service must recover by itself.
//!
//! Mounting needs root (CAP_SYS_ADMIN), which CI has; elsewhere the test says it was skipped.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::helpers::{TestApp, TestDb, task_titles_after_restart};

const LEAD: &str = "U0LEAD";

/// A tmpfs of `megabytes` mounted on a fresh directory, unmounted on drop.
pub struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    pub fn mount(megabytes: u32) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().ok()?;
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(dir.path())
            .status()
            .ok()?;
        status.success().then_some(SmallDisk { dir })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file until the disk is full; returns its path.
    pub fn fill(&self) -> PathBuf {
        let path = self.path().join("filler");
        let mut file = std::fs::File::create(&path).expect("create filler");
        let chunk = vec![0_u8; 64 * 1024];
        while file.write_all(&chunk).is_ok() {}
        // The last bytes, to the very end.
        while file.write_all(&[0]).is_ok() {}
        let _ = file.sync_all();
        path
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(self.dir.path()).status();
    }
}

/// The reply says the task was added (`Task `T12` … added to *Payments Hub*`).
fn confirmed(reply: &serde_json::Value) -> bool {
    let text = reply["text"].as_str().unwrap_or_default();
    text.starts_with("Task `T") && text.contains(" added to ")
}

/// The service on a SQLite file on an 8 MB disk of its own, with the Payments Hub launch;
/// `None` where no disk can be mounted.
async fn payments_hub_on_a_small_disk() -> Option<(SmallDisk, String, TestApp)> {
    let disk = SmallDisk::mount(8)?;
    let db = TestDb::sqlite_in(disk.path()).await;
    let url = db.url.clone();
    let app = TestApp::spawn_on_db(
        db,
        "[templates]\npath = \"tests/fixtures/no-templates.toml\"\n[database]\nbusy_timeout_ms = 500\n",
    )
    .await;
    app.command(LEAD, "new Payments Hub tier:2 date:2026-12-18 lead:<@U0LEAD>")
        .await;
    Some((disk, url, app))
}

/// Once space is back, a task is added again within two seconds, without a restart: its title.
async fn a_task_is_added_again(app: &TestApp) -> String {
    for n in 0..20 {
        let title = format!("Brief the support team, round {n}");
        let reply = app
            .command(LEAD, &format!("task payments-hub ops \"{title}\" owner:<@U0BOB>"))
            .await;
        if confirmed(&reply) {
            return title;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("writes work again once space is back");
}

#[tokio::test]
async fn a_full_disk_loses_nothing_confirmed_and_the_service_recovers_by_itself() {
    let Some((disk, url, app)) = payments_hub_on_a_small_disk().await else {
        eprintln!("cannot mount a tmpfs here (not root?): full-disk test skipped");
        return;
    };
    assert_eq!(app.get("/readyz").await.status(), 200);

    let filler = disk.fill();
    let mut confirmed_titles = Vec::new();
    let mut refused = 0;
    for n in 0..40 {
        let title = format!("Localise the FAQ for market {n} with the partner team's glossary");
        let reply = app
            .command(LEAD, &format!("task payments-hub marketing \"{title}\" owner:<@U0ANN>"))
            .await;
        if confirmed(&reply) {
            confirmed_titles.push(title);
        } else {
            refused += 1;
        }
    }
    eprintln!("while full: {} confirmed, {refused} refused", confirmed_titles.len());
    assert!(refused > 0, "the disk filled up: some writes must have failed");
    assert_eq!(app.get("/readyz").await.status(), 503, "not ready while writes fail");

    // Space is back: the service recovers without a restart.
    std::fs::remove_file(&filler).unwrap();
    confirmed_titles.push(a_task_is_added_again(&app).await);
    assert_eq!(app.get("/readyz").await.status(), 200);
    app.stop().await;

    // After a restart every confirmed write is there.
    let titles = task_titles_after_restart(&url, "payments-hub").await;
    for title in &confirmed_titles {
        assert!(titles.contains(title), "confirmed but lost: {title}");
    }
}

/// The kick-off on a full disk: the team adds its tasks at the same moment, so they share
/// commits (`store::inline::writer`). A commit that fails fails every task it held, and none
/// of them may be answered as added; every task answered as added is there after a restart.
#[tokio::test]
async fn tasks_added_together_on_a_full_disk_lose_nothing_confirmed() {
    let Some((disk, url, app)) = payments_hub_on_a_small_disk().await else {
        eprintln!("cannot mount a tmpfs here (not root?): full-disk test skipped");
        return;
    };

    let mut confirmed_titles = Vec::new();
    let mut refused = 0;
    let mut filler = None;
    for round in 0..4 {
        if round == 1 {
            filler = Some(disk.fill());
        }
        let titles: Vec<String> = (0..12)
            .map(|n| format!("Localise the onboarding emails for market {round}-{n}"))
            .collect();
        let app = &app;
        let replies = futures_util::future::join_all(titles.iter().enumerate().map(|(n, title)| async move {
            let text = format!("task payments-hub marketing \"{title}\" owner:<@U0ANN>");
            app.command(&format!("U0PMM{n:02}"), &text).await
        }))
        .await;
        for (title, reply) in titles.into_iter().zip(replies) {
            if confirmed(&reply) {
                confirmed_titles.push(title);
            } else {
                refused += 1;
            }
        }
    }
    eprintln!("{} confirmed, {refused} refused", confirmed_titles.len());
    assert!(refused > 0, "the disk filled up: some writes must have failed");
    assert!(
        confirmed_titles.len() >= 12,
        "the first round, before the disk filled, was added"
    );

    std::fs::remove_file(filler.expect("filled")).unwrap();
    confirmed_titles.push(a_task_is_added_again(&app).await);
    app.stop().await;

    let titles = task_titles_after_restart(&url, "payments-hub").await;
    for title in &confirmed_titles {
        assert!(titles.contains(title), "confirmed but lost: {title}");
    }
}

//! Launch calendar exports: an iCalendar feed of launch days and metric reviews (importable
//! into Google Calendar and Outlook) and a CSV of launches and their tasks. Built with the
//! `icalendar` and `csv` crates; the content comes from the store.

use icalendar::{Calendar, Component, Event, EventLike};

use crate::store::{Store, StoreError};
use liftoff_core::{Launch, Task};

/// One launch with what the exports show of it.
pub struct LaunchExport {
    pub launch: Launch,
    pub tasks: Vec<Task>,
    pub metrics: Vec<liftoff_core::SuccessMetric>,
}

/// Every active launch, soonest first, with its tasks and metrics.
pub async fn gather(store: &Store) -> Result<Vec<LaunchExport>, StoreError> {
    let mut exports = Vec::new();
    for launch in store.list_launches(false).await? {
        let tasks = store.launch_tasks(launch.id).await?;
        let metrics = store.metrics(launch.id).await?;
        exports.push(LaunchExport { launch, tasks, metrics });
    }
    Ok(exports)
}

/// An iCalendar (RFC 5545) document: an all-day event per launch day, and one per success
/// metric review. UIDs are stable, so re-importing updates events instead of duplicating them.
pub fn ics(launches: &[LaunchExport], domain: &str, work: &liftoff_core::WorkCalendar) -> String {
    let mut calendar = Calendar::new();
    calendar.name("Launches");
    for export in launches {
        let launch = &export.launch;
        let lead = launch.lead.as_ref().map_or(String::new(), |l| format!(" Lead: {l}."));
        calendar.push(
            Event::new()
                .uid(&format!("launch-{}@{domain}", launch.id))
                .summary(&format!("Launch: {} (tier {})", launch.name, launch.tier.number()))
                .description(&format!("Liftoff launch `{}`.{lead}", launch.slug))
                .all_day(launch.launch_date)
                .done(),
        );
        for metric in &export.metrics {
            // The day the actual is asked for: never a weekend or holiday.
            let Some(review) = metric.review_date(launch.launch_date, work) else {
                continue;
            };
            calendar.push(
                Event::new()
                    .uid(&format!(
                        "launch-{}-metric-{}@{domain}",
                        launch.id,
                        slug_of(&metric.name)
                    ))
                    .summary(&format!("Metrics review: {} ({})", metric.name, launch.name))
                    .description(&format!(
                        "Target {}{}{}.",
                        metric.direction.prefix(),
                        metric.target,
                        metric.unit
                    ))
                    .all_day(review)
                    .done(),
            );
        }
    }
    calendar.done().to_string()
}

fn slug_of(name: &str) -> String {
    liftoff_core::Slug::from_name(name).map_or_else(|_| "metric".to_owned(), |s| s.to_string())
}

/// A CSV with one row per task (and one per launch without tasks), for spreadsheets.
pub fn csv(launches: &[LaunchExport]) -> Result<String, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record([
        "launch",
        "slug",
        "tier",
        "launch_date",
        "lead",
        "task",
        "function",
        "title",
        "owner",
        "due",
        "status",
    ])?;
    for export in launches {
        let launch = &export.launch;
        let lead = launch.lead.as_ref().map(|l| l.to_string()).unwrap_or_default();
        let launch_columns = [
            launch.name.clone(),
            launch.slug.to_string(),
            launch.tier.number().to_string(),
            launch.launch_date.to_string(),
            lead,
        ];
        if export.tasks.is_empty() {
            let empty = std::iter::repeat_n(String::new(), 6);
            writer.write_record(launch_columns.iter().cloned().chain(empty))?;
        }
        for task in &export.tasks {
            let task_columns = [
                task.id.to_string(),
                task.function.to_string(),
                task.title.clone(),
                task.owner.as_ref().map(|o| o.to_string()).unwrap_or_default(),
                task.due_date.to_string(),
                task.status.to_string(),
            ];
            writer.write_record(launch_columns.iter().cloned().chain(task_columns))?;
        }
    }
    let bytes = writer.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

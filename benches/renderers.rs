//! Criterion benches for the renderers: `/launch show` and `/launch list` as Block Kit, a
//! function's check-in, the digest, and the JSON payload that goes into the outbox.
//! `cargo bench --bench renderers`.

use criterion::{Criterion, criterion_group, criterion_main};
use std::collections::BTreeMap;
use std::hint::black_box;

use chrono::Weekday;
use liftoff::notify;
use liftoff::slack::render::render;
use liftoff::views::{LaunchDetail, View};
use liftoff_core::checkin::FunctionRound;
use liftoff_core::readiness::readiness;
use liftoff_core::{FunctionCatalog, FunctionName, WorkCalendar, digest};

mod common;

fn views(c: &mut Criterion) {
    let today = common::today();
    let launch = common::launch(1);
    let tasks = common::tasks(&launch, 20, 1);
    let detail = View::LaunchDetail(Box::new(LaunchDetail {
        readiness: readiness(&launch, &tasks, today),
        launch: launch.clone(),
        tasks,
        metrics: Vec::new(),
        functions: FunctionCatalog::builtin().iter().cloned().collect(),
        undelivered: Vec::new(),
        roles: BTreeMap::new(),
        gonogo: None,
        today,
    }));
    let launches: Vec<_> = (1..=200)
        .map(|id| {
            let launch = common::launch(id);
            let tasks = common::tasks(&launch, 4, id * 100);
            let overall = readiness(&launch, &tasks, today).overall;
            (launch, overall)
        })
        .collect();
    let list = View::LaunchList {
        launches,
        include_archived: false,
        today,
    };
    let mut group = c.benchmark_group("render");
    group.bench_function("launch_show_100_tasks", |b| b.iter(|| render(black_box(&detail))));
    group.bench_function("launch_list_200", |b| b.iter(|| render(black_box(&list))));
    group.bench_function("help", |b| b.iter(|| render(black_box(&View::Help { topic: None }))));
    group.finish();
}

fn pmo(c: &mut Criterion) {
    let today = common::today();
    let catalog = FunctionCatalog::builtin();
    let marketing = FunctionName::parse("marketing").expect("a function");
    let function = catalog.get(&marketing).expect("built in").clone();
    // One function's round over 50 launches × 20 open tasks (1,000 rows, ~21 messages).
    let owned: Vec<_> = (1..=50)
        .map(|id| {
            let launch = common::launch(id);
            let tasks: Vec<_> = common::tasks(&launch, 20, id * 1000)
                .into_iter()
                .filter(|t| t.function == marketing)
                .collect();
            (launch, tasks)
        })
        .collect();
    let round = FunctionRound {
        function: marketing.clone(),
        launches: owned
            .iter()
            .map(|(launch, tasks)| (launch, tasks.iter().collect()))
            .collect(),
    };
    // The digest of 200 launches × 100 tasks.
    let launches: Vec<_> = (1..=200).map(common::launch).collect();
    let tasks: Vec<_> = launches
        .iter()
        .flat_map(|l| common::tasks(l, 20, l.id.0 * 1000))
        .collect();
    let calendar = WorkCalendar::new(
        chrono_tz::Europe::Berlin,
        &[Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri],
        [],
    );
    let now = "2026-11-24T08:00:00Z".parse().expect("an instant");
    let digests = digest::build(&launches, &tasks, &[], today, now, &calendar);
    let mut group = c.benchmark_group("notify");
    group.bench_function("checkin_1000_tasks", |b| {
        b.iter(|| notify::checkin(&function, black_box(&round), "Tue 24 Nov", today).collect::<Vec<_>>())
    });
    group.bench_function("digest_build_200_launches", |b| {
        b.iter(|| digest::build(black_box(&launches), &tasks, &[], today, now, &calendar))
    });
    group.bench_function("digest_render_200_launches", |b| {
        b.iter(|| notify::digest(black_box(&digests), &[], &[], "Tue 24 Nov", today))
    });
    let rendered: Vec<_> = notify::checkin(&function, &round, "Tue 24 Nov", today)
        .map(|part| part.rendered)
        .collect();
    group.bench_function("payload_json_checkin_part", |b| {
        b.iter(|| notify::payload(black_box(&rendered[0])))
    });
    group.finish();
}

criterion_group!(benches, views, pmo);
criterion_main!(benches);

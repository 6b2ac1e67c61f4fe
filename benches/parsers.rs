//! Criterion benches for the pure parsers: slash-command text, check-in thread replies, due
//! dates and request signatures. `cargo bench --bench parsers`.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

use liftoff::slack::signature;
use liftoff_core::FunctionCatalog;
use liftoff_core::dates::{parse_due, parse_launch_date};
use liftoff_core::grammar::command_text::{ParseContext, parse};
use liftoff_core::grammar::thread_reply;
use secrecy::SecretString;

mod common;

fn command_text(c: &mut Criterion) {
    let functions = FunctionCatalog::builtin();
    let ctx = ParseContext {
        today: common::today(),
        functions: &functions,
    };
    let mut group = c.benchmark_group("command_text");
    for (name, text) in [
        (
            "task",
            "task checkout-v2 sales Battlecard for the new pricing owner:@U0123ABC due:T-14",
        ),
        ("show", "show checkout-v2"),
        ("new", "new Checkout v2 tier:1 date:2026-12-10 lead:<@U0123ABC|maria>"),
        (
            "block",
            "block T12 by T7 waiting on the API contract from the payments team",
        ),
        ("unknown", "frobnicate everything now please"),
    ] {
        group.bench_function(name, |b| b.iter(|| parse(black_box(text), &ctx)));
    }
    group.finish();
}

fn thread_replies(c: &mut Criterion) {
    let one = "T12 at risk: vendor late";
    let many: String = (1..=40)
        .map(|n| match n % 5 {
            0 => format!("T{n} done"),
            1 => format!("T{n} on track"),
            2 => format!("T{n} at risk: vendor late on the assets"),
            3 => format!("✅ T{n}"),
            _ => format!("T{n} due +2d"),
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut group = c.benchmark_group("thread_reply");
    group.bench_function("one_line", |b| {
        b.iter(|| thread_reply::parse(black_box(one), common::today()))
    });
    group.bench_function("forty_lines", |b| {
        b.iter(|| thread_reply::parse(black_box(&many), common::today()))
    });
    group.finish();
}

fn dates(c: &mut Criterion) {
    let mut group = c.benchmark_group("dates");
    for input in ["2026-12-04", "friday", "+2w", "T-14"] {
        group.bench_function(format!("due {input}"), |b| {
            b.iter(|| parse_due(black_box(input), common::today()))
        });
    }
    group.bench_function("launch_date tomorrow", |b| {
        b.iter(|| parse_launch_date(black_box("tomorrow"), common::today()))
    });
    group.finish();
}

fn signatures(c: &mut Criterion) {
    let secret = SecretString::from("8f742231b10e8888abcd99yyyzzz85a5");
    let body = b"token=x&team_id=T0TEAM&team_domain=liftoff&channel_id=C0001&user_id=U0123ABC&command=%2Flaunch\
&text=task+checkout-v2+sales+Battlecard+owner%3A%40U0123ABC+due%3AT-14&response_url=http%3A%2F%2F127.0.0.1%2Fr&trigger_id=1.2.3";
    let timestamp = "1795000000";
    let signed = signature::sign(&secret, timestamp, body);
    let now = chrono::DateTime::from_timestamp(1_795_000_010, 0).expect("an instant");
    let mut group = c.benchmark_group("signature");
    group.bench_function("sign", |b| {
        b.iter(|| signature::sign(&secret, black_box(timestamp), black_box(body)))
    });
    group.bench_function("verify", |b| {
        b.iter(|| signature::verify(&secret, Some(timestamp), Some(&signed), black_box(body), now))
    });
    group.finish();
}

criterion_group!(benches, command_text, thread_replies, dates, signatures);
criterion_main!(benches);

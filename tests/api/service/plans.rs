//! Launch plans as PMMs read and update them (#16): the calendar of the coming weeks, metric
//! targets that are better low, and "late, new date …" in one reply. On the same desk as the
//! other service tests (Tuesday 1 December 2026; Maya leads, Raj owns tasks).

use super::{Desk, MAYA, RAJ, raj_replies, raj_with_three_tasks, status_kinds};
use liftoff::outbound::OutboxMethod;
use liftoff::service::replies::ReplyOutcome;
use liftoff::views::{CalendarSpan, View};
use liftoff_core::{StatusKind, TargetDirection};

fn date(text: &str) -> chrono::NaiveDate {
    text.parse().unwrap()
}

/// The launches a calendar shows, by name, soonest first.
fn names_on(view: &View) -> Vec<String> {
    let View::Calendar { weeks, .. } = view else {
        panic!("a calendar, got {view:?}");
    };
    weeks
        .iter()
        .flat_map(|(_, launches)| launches.iter().map(|l| l.name.clone()))
        .collect()
}

#[tokio::test]
async fn the_calendar_shows_the_next_13_weeks_so_a_launch_six_weeks_out_is_always_on_it() {
    let desk = Desk::open().await;
    desk.payments_hub(1).await; // Fri 18 Dec 2026
    for launch in [
        "new Loyalty Rewards tier:2 date:2027-01-12 lead:<@U0MAYA>", // six weeks out, next quarter
        "new Spring Pricing tier:3 date:2027-04-20 lead:<@U0MAYA>",  // twenty weeks out
    ] {
        desk.type_command(MAYA, launch).await.expect("Maya plans it");
    }
    // Typed on Tuesday 1 December: this week and the twelve after it.
    let view = desk.type_command(RAJ, "calendar").await.unwrap();
    assert_eq!(names_on(&view), vec!["Payments Hub", "Loyalty Rewards"]);
    let View::Calendar { span, .. } = view else {
        unreachable!()
    };
    assert_eq!(
        span,
        CalendarSpan::Weeks {
            from: date("2026-11-30"),
            weeks: 13
        }
    );
    // A quarter on request: `Q1` typed in December is the coming one.
    let view = desk.type_command(RAJ, "calendar Q1").await.unwrap();
    assert_eq!(names_on(&view), vec!["Loyalty Rewards"]);
    let View::Calendar { span, .. } = view else {
        unreachable!()
    };
    assert_eq!(span, CalendarSpan::Quarter { year: 2027, quarter: 1 });
    desk.db.cleanup().await;
}

#[tokio::test]
async fn support_tickets_under_50_are_met_at_40_wherever_the_metric_is_judged() {
    let desk = Desk::open().await;
    desk.payments_hub(1).await;
    let View::MetricSet { metric, .. } = desk
        .type_command(MAYA, "metric payments-hub \"Support tickets\" target:<50")
        .await
        .expect("a target that is better low")
    else {
        panic!("the metric is shown");
    };
    assert_eq!((metric.direction, metric.target), (TargetDirection::LessThan, 50.0));
    desk.type_command(MAYA, "metric payments-hub \"Refund rate\" target:<2%")
        .await
        .unwrap();
    desk.type_command(MAYA, "metric payments-hub Signups target:>1k")
        .await
        .unwrap();
    // After launch the actuals come in: 40 tickets, 3% refunds, 1000 signups exactly.
    let View::MetricSet { metric, .. } = desk
        .type_command(MAYA, "actual payments-hub support tickets 40")
        .await
        .unwrap()
    else {
        panic!("the metric is shown");
    };
    assert_eq!(metric.met(), Some(true), "40 tickets is under 50: met");
    desk.type_command(MAYA, "actual payments-hub refund rate 3%")
        .await
        .unwrap();
    desk.type_command(MAYA, "actual payments-hub signups 1000")
        .await
        .unwrap();

    let View::Retro { retro, .. } = desk.type_command(MAYA, "retro payments-hub").await.unwrap() else {
        panic!("the retro is shown");
    };
    let verdicts: Vec<(&str, Option<bool>)> = retro.metrics.iter().map(|m| (m.name.as_str(), m.met())).collect();
    assert_eq!(
        verdicts,
        vec![
            ("Support tickets", Some(true)),
            ("Refund rate", Some(false)),
            ("Signups", Some(false))
        ]
    );
    // The digest lists as missed only the two that missed.
    let digest = desk
        .service
        .digest_messages("C0PMO", "digest:test", None)
        .await
        .unwrap();
    let text: String = digest.iter().map(|m| m.payload.as_str().to_owned()).collect();
    let missed = text
        .split("Missed metrics: ")
        .nth(1)
        .and_then(|rest| rest.split(" — ").next())
        .unwrap_or_else(|| panic!("a missed-metrics line: {text}"));
    assert!(missed.contains("Refund rate (3% vs target &lt; 2%)"), "{missed}");
    assert!(missed.contains("Signups (1000 vs target &gt; 1000)"), "{missed}");
    assert!(!missed.contains("Support tickets"), "met, so not missed: {missed}");
    desk.db.cleanup().await;
}

#[tokio::test]
async fn late_with_a_new_date_sets_at_risk_and_moves_the_due_date_confirmed_in_one_line() {
    let desk = Desk::open().await;
    let ids = raj_with_three_tasks(&desk).await; // due Fri 11 Dec
    // Raj answers his nudge on Tuesday 1 December.
    let text = format!("{} will be late, new date next Tuesday", ids[1]);
    let ReplyOutcome::Answered { applied, problems, .. } = raj_replies(&desk, "Ev0LATE", &text).await else {
        panic!("answered");
    };
    assert_eq!((applied, problems), (2, 0));
    let task = desk.db.store.task(ids[1]).await.unwrap().unwrap();
    assert_eq!(task.status.kind(), StatusKind::AtRisk);
    assert_eq!(task.due_date, date("2026-12-08"), "next Tuesday");
    // One confirmation, naming the task once, and no hint.
    let posts = desk.db.store.outbox_keys(OutboxMethod::PostMessage).await.unwrap();
    let answers: Vec<&String> = posts.iter().filter(|k| k.ends_with("Ev0LATE")).collect();
    assert_eq!(answers, vec!["reply:Ev0LATE"], "{posts:?}");
    let confirmation = desk
        .db
        .store
        .outbox_payload("reply:Ev0LATE")
        .await
        .unwrap()
        .expect("confirmed");
    assert!(
        confirmation.contains(&format!("`{}` at risk, due Tue 8 Dec", ids[1])),
        "{confirmation}"
    );
    desk.db.cleanup().await;
}

#[tokio::test]
async fn a_new_date_that_cannot_be_read_is_named_and_the_task_is_still_at_risk() {
    let desk = Desk::open().await;
    let ids = raj_with_three_tasks(&desk).await;
    let text = format!("{} late, new date after the offsite", ids[2]);
    let ReplyOutcome::Answered { applied, problems, .. } = raj_replies(&desk, "Ev0VAGUE", &text).await else {
        panic!("answered");
    };
    assert_eq!((applied, problems), (1, 1));
    assert_eq!(
        status_kinds(&desk, &ids).await,
        vec![StatusKind::Todo, StatusKind::Todo, StatusKind::AtRisk]
    );
    let task = desk.db.store.task(ids[2]).await.unwrap().unwrap();
    assert_eq!(task.due_date, date("2026-12-11"), "the date is unchanged");
    let hint = desk
        .db
        .store
        .outbox_payload("hint:Ev0VAGUE")
        .await
        .unwrap()
        .expect("a hint");
    assert!(
        hint.contains(&format!(
            "{}: the new date was not understood: `after the offsite` is not a date",
            ids[2]
        )),
        "{hint}"
    );
    desk.db.cleanup().await;
}

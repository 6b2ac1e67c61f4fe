//! Unit tests of the command grammar: every subcommand and its errors, through [`parse`] as a
//! caller uses it. In their own file because they cover all the command_text files together.

use crate::launch::{LaunchEdit, NewLaunchDate};
use crate::{FunctionName, LaunchDraft, LaunchRef, SlackChannelId, SlackUserId, TaskId, TaskStatus, Tier};

use super::*;
use crate::DueDate;
use crate::command::Assignee;

fn parse_at(text: &str) -> Result<Command, UsageError> {
    let functions = FunctionCatalog::builtin();
    let ctx = ParseContext {
        today: "2026-11-23".parse().unwrap(),
        functions: &functions,
    };
    parse(text, &ctx)
}

fn ok(text: &str) -> Command {
    parse_at(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn err(text: &str) -> UsageError {
    parse_at(text).expect_err(text)
}

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn slug(s: &str) -> LaunchRef {
    LaunchRef::parse(s).unwrap()
}

fn user(s: &str) -> SlackUserId {
    SlackUserId::parse(s).unwrap()
}

#[test]
fn help_and_empty_text() {
    assert_eq!(ok(""), Command::Help { topic: None });
    assert_eq!(ok("help"), Command::Help { topic: None });
    assert_eq!(
        ok("help block"),
        Command::Help {
            topic: Some(Subcommand::Block)
        }
    );
    assert_eq!(err("help nonsense").subcommand, None);
    assert_eq!(err("frobnicate").message, "unknown subcommand `frobnicate`");
}

#[test]
fn new_launch_with_every_option() {
    assert_eq!(
        ok("new Checkout v2 tier:1 date:2026-12-10 lead:<@U0LEAD|maria>"),
        Command::NewLaunch(LaunchDraft {
            name: "Checkout v2".into(),
            tier: Tier::One,
            launch_date: date("2026-12-10"),
            lead: Some(user("U0LEAD")),
        })
    );
    assert_eq!(
        ok("new \"Search: AI answers\" TIER:3 date:+2w"),
        Command::NewLaunch(LaunchDraft {
            name: "Search: AI answers".into(),
            tier: Tier::Three,
            launch_date: date("2026-12-07"),
            lead: None,
        })
    );
    assert_eq!(ok("new"), Command::NewLaunchForm);
}

#[test]
fn new_launch_errors_name_the_problem() {
    let check = |text: &str, expected: &str| {
        let e = err(text);
        assert_eq!(e.subcommand, Some(Subcommand::New), "{text}");
        assert!(e.message.contains(expected), "{text}: {}", e.message);
    };
    check("new Checkout date:2026-12-10", "`tier:` is missing");
    check("new Checkout tier:1", "`date:` is missing");
    check("new Checkout tier:4 date:2026-12-10", "`4` is not a tier");
    check("new Checkout tier:1 date:someday", "`someday` is not a date");
    check("new Checkout tier:1 date:T-3", "cannot be relative");
    check(
        "new Checkout tier:1 date:2026-12-10 lead:@maria",
        "plain text, not a mention",
    );
    check("new tier:1 date:2026-12-10", "needs a name");
    check("new Checkout tier:1 tier:2 date:2026-12-10", "given twice");
    check(
        "new Checkout tier:1 date:2026-12-10 owner:<@U1AB>",
        "`owner:` does not apply to `new`",
    );
    check("new \"Checkout tier:1 date:2026-12-10", "quote is not closed");
    check("new Checkout tier: date:2026-12-10", "`tier:` needs a value");
}

#[test]
fn list_show_archive() {
    assert_eq!(
        ok("list"),
        Command::List {
            include_archived: false
        }
    );
    assert_eq!(ok("list all"), Command::List { include_archived: true });
    assert_eq!(ok("show checkout-v2"), Command::Show(slug("checkout-v2")));
    assert_eq!(ok("show 7"), Command::Show(LaunchRef::Id(crate::LaunchId(7))));
    assert_eq!(ok("archive checkout-v2"), Command::Archive(slug("checkout-v2")));
    assert!(err("show").message.contains("name one launch"));
    // Several words are the launch's name, as it was created.
    assert_eq!(ok("show Checkout v2"), Command::Show(slug("checkout-v2")));
    assert!(err("show Checkout!").message.contains("not a launch slug"));
    assert!(err("list everything").message.contains("only `all`"));
}

#[test]
fn edit_takes_any_subset_of_fields() {
    assert_eq!(
        ok("edit checkout-v2 name:\"Checkout Three\" date:friday tier:2 lead:<@U0NEW>"),
        Command::Edit {
            launch: slug("checkout-v2"),
            edit: LaunchEdit {
                name: Some("Checkout Three".into()),
                tier: Some(Tier::Two),
                launch_date: Some(NewLaunchDate::On(date("2026-11-27"))),
                lead: Some(Some(user("U0NEW"))),
                state: None,
            },
        }
    );
    assert!(err("edit checkout-v2").message.contains("nothing to change"));
    // A week later than planned, two days earlier: from the launch's date, not today's.
    for (typed, days) in [("date:+1w", 7), ("date:+3d", 3), ("date:-2d", -2)] {
        assert_eq!(
            ok(&format!("edit checkout-v2 {typed}")),
            Command::Edit {
                launch: slug("checkout-v2"),
                edit: LaunchEdit {
                    launch_date: Some(NewLaunchDate::Shift(days)),
                    ..LaunchEdit::default()
                },
            },
            "{typed}"
        );
    }
    assert!(err("edit checkout-v2 owner:<@U1AB>").message.contains("does not apply"));
}

#[test]
fn tasks_with_options_and_aliases() {
    assert_eq!(
        ok("task checkout-v2 mktg Launch blog post owner:<@U0ANN|ann> due:T-7"),
        Command::AddTask {
            launch: slug("checkout-v2"),
            function: FunctionName::parse("marketing").unwrap(),
            title: "Launch blog post".into(),
            owner: Some(user("U0ANN")),
            due: Some(DueDate::Relative(-7)),
        }
    );
    assert_eq!(
        ok("task checkout-v2 ops Support FAQ due:2026-12-01"),
        Command::AddTask {
            launch: slug("checkout-v2"),
            function: FunctionName::parse("ops").unwrap(),
            title: "Support FAQ".into(),
            owner: None,
            due: Some(DueDate::On(date("2026-12-01"))),
        }
    );
    assert!(
        err("task checkout-v2 legal Contract")
            .message
            .contains("unknown function `legal`")
    );
    assert!(err("task checkout-v2 sales").message.contains("needs a title"));
    assert!(
        err("task checkout-v2")
            .message
            .contains("launch, the function and the task's title")
    );
    assert!(
        err("task checkout-v2 sales Deck due:yesterday")
            .message
            .contains("not a date")
    );
}

#[test]
fn task_updates() {
    assert_eq!(
        ok("assign t12 <@U0ANN>"),
        Command::Assign {
            task: TaskId(12),
            owner: Assignee::Person(user("U0ANN"))
        }
    );
    assert_eq!(
        ok("due T12 +2d"),
        Command::SetDue {
            task: TaskId(12),
            due: DueDate::On(date("2026-11-25"))
        }
    );
    assert_eq!(
        ok("done T12 shipped it"),
        Command::SetStatus {
            task: TaskId(12),
            status: TaskStatus::Done,
            note: Some("shipped it".into())
        }
    );
    assert_eq!(
        ok("ontrack 12"),
        Command::SetStatus {
            task: TaskId(12),
            status: TaskStatus::OnTrack,
            note: None
        }
    );
    assert_eq!(
        ok("risk T12 vendor is late"),
        Command::SetStatus {
            task: TaskId(12),
            status: TaskStatus::AtRisk,
            note: Some("vendor is late".into())
        }
    );
    assert_eq!(
        ok("block T12 waiting on legal"),
        Command::SetStatus {
            task: TaskId(12),
            status: TaskStatus::blocked("waiting on legal").unwrap(),
            note: None
        }
    );
    assert_eq!(
        ok("unblock T12"),
        Command::SetStatus {
            task: TaskId(12),
            status: TaskStatus::OnTrack,
            note: Some("unblocked".into())
        }
    );
    assert!(err("block T12").message.contains("needs a reason"));
    assert_eq!(
        ok("block T12 by T7 waiting on the API"),
        Command::BlockedBy {
            task: TaskId(12),
            by: TaskId(7),
            reason: "waiting on the API".into()
        }
    );
    assert!(err("block T12 by T7").message.contains("needs a reason"));
    assert!(err("block T12 by nothing").message.contains("not a task id"));
    assert_eq!(ok("escalations"), Command::Escalations(None));
    assert_eq!(ok("template 1"), Command::Template(Tier::One));
    assert_eq!(
        ok("metric checkout-v2 \"activation rate\" target:25% by:T+14"),
        Command::Metric {
            launch: slug("checkout-v2"),
            metric: crate::SuccessMetric {
                name: "activation rate".into(),
                target: 25.0,
                direction: crate::TargetDirection::AtLeast,
                unit: "%".into(),
                review_offset_days: 14,
                actual: None,
            },
        }
    );
    assert!(
        err("metric checkout-v2 signups")
            .message
            .contains("`target:` is missing")
    );
    assert!(
        err("metric checkout-v2 signups target:lots")
            .message
            .contains("is not a target like")
    );
    assert!(
        err("metric checkout-v2 signups target:5 by:T-3")
            .message
            .contains("after launch")
    );
    assert_eq!(
        ok("actual checkout-v2 activation rate 22.5%"),
        Command::Actual {
            launch: slug("checkout-v2"),
            name: "activation rate".into(),
            value: 22.5
        }
    );
    assert!(err("actual checkout-v2 22").message.contains("name before the value"));
    assert_eq!(ok("workload"), Command::Workload);
    assert_eq!(
        ok("raci T3 accountable:<@U0LEE> informed:<@U0A> informed:<@U0B>"),
        Command::Raci {
            task: TaskId(3),
            roles: Some(vec![
                crate::RoleAssignment {
                    role: crate::RaciRole::Accountable,
                    user: user("U0LEE")
                },
                crate::RoleAssignment {
                    role: crate::RaciRole::Informed,
                    user: user("U0A")
                },
                crate::RoleAssignment {
                    role: crate::RaciRole::Informed,
                    user: user("U0B")
                },
            ]),
        }
    );
    assert!(
        err("raci T3 accountable:<@U0A> accountable:<@U0B>")
            .message
            .contains("one person is accountable")
    );
    assert!(err("raci T3 owner:<@U0A>").message.contains("does not apply"));
    assert_eq!(ok("calendar"), Command::Calendar(None));
    assert_eq!(ok("calendar 2027-Q1"), Command::Calendar(Some((2027, 1))));
    assert_eq!(ok("calendar q4"), Command::Calendar(Some((2026, 4))));
    assert_eq!(ok("calendar Q2-2027"), Command::Calendar(Some((2027, 2))));
    assert!(err("calendar Q5").message.contains("not a quarter"));
    assert!(err("done").message.contains("which task"));
    assert!(err("done X12").message.contains("not a task id"));
    assert!(err("assign T12 @ann").message.contains("plain text, not a mention"));
    assert!(err("assign T12").message.contains("task and the person"));
    assert!(err("due T12").message.contains("new date"));
}

#[test]
fn channels_leads_digest_mine() {
    assert_eq!(
        ok("channel marketing <#C0MKTG|launch-mktg>"),
        Command::SetChannel {
            function: FunctionName::parse("marketing").unwrap(),
            channel: SlackChannelId::parse("C0MKTG").unwrap(),
        }
    );
    assert_eq!(
        ok("lead pm <@U0PM>"),
        Command::SetLead {
            function: FunctionName::parse("product").unwrap(),
            lead: user("U0PM")
        }
    );
    assert!(
        err("channel marketing #launch-mktg")
            .message
            .contains("not a channel link")
    );
    assert_eq!(ok("digest"), Command::Digest(None));
    assert_eq!(ok("digest checkout-v2"), Command::Digest(Some(slug("checkout-v2"))));
    assert_eq!(ok("mine"), Command::Mine);
    assert_eq!(
        ok("snooze T4"),
        Command::Snooze {
            task: TaskId(4),
            working_days: 1
        }
    );
    assert_eq!(
        ok("snooze T4 3"),
        Command::Snooze {
            task: TaskId(4),
            working_days: 3
        }
    );
    assert!(err("snooze T4 30").message.contains("1 to 10 working days"));
    assert!(err("mine please").message.contains("no arguments"));
}

#[test]
fn mentions_with_spaces_in_labels_stay_whole() {
    assert_eq!(
        ok("assign T3 <@U0ANN|ann smith>"),
        Command::Assign {
            task: TaskId(3),
            owner: Assignee::Person(user("U0ANN"))
        }
    );
}

#[test]
fn taking_giving_back_and_handing_out_a_functions_tasks() {
    assert_eq!(
        ok("assign T12 me"),
        Command::Assign {
            task: TaskId(12),
            owner: Assignee::Me
        }
    );
    assert_eq!(
        ok("unassign T12"),
        Command::Assign {
            task: TaskId(12),
            owner: Assignee::Nobody
        }
    );
    assert_eq!(ok("unassign T12").subcommand(), Subcommand::Unassign);
    assert_eq!(
        ok("assign payments-hub marketing <@U0RAJ>"),
        Command::AssignFunction {
            launch: LaunchRef::Slug(crate::Slug::parse("payments-hub").unwrap()),
            function: FunctionName::parse("marketing").unwrap(),
            owner: Assignee::Person(user("U0RAJ"))
        }
    );
    // A launch by its name, and the person typing.
    assert_eq!(
        ok("assign Payments Hub sales me"),
        Command::AssignFunction {
            launch: LaunchRef::Slug(crate::Slug::parse("payments-hub").unwrap()),
            function: FunctionName::parse("sales").unwrap(),
            owner: Assignee::Me
        }
    );
    assert!(err("assign payments-hub bakery me").message.contains("bakery"));
    assert!(err("unassign T12 T13").message.contains("one task"));
}

#[test]
fn dates_of_several_words_in_commands() {
    let functions = FunctionCatalog::builtin();
    // 2026-12-01 is a Tuesday.
    let ctx = ParseContext {
        today: "2026-12-01".parse().unwrap(),
        functions: &functions,
    };
    let due = |text: &str| match parse(text, &ctx) {
        Ok(Command::SetDue { due, .. }) => due,
        Ok(Command::AddTask { due: Some(due), .. }) => due,
        other => panic!("{text}: {other:?}"),
    };
    let on = |day: &str| crate::DueDate::On(day.parse().unwrap());
    assert_eq!(due("due T12 next friday"), on("2026-12-11"));
    assert_eq!(due("due T12 Dec 11"), on("2026-12-11"));
    assert_eq!(due("due T12 end of month"), on("2026-12-31"));
    assert_eq!(due("due T12 end of the month"), on("2026-12-31"));
    assert_eq!(
        due("task payments-hub sales Pricing FAQ due:11th of December"),
        on("2026-12-11")
    );
    assert_eq!(
        due("task payments-hub sales Pricing FAQ due:next friday"),
        on("2026-12-11")
    );
    match parse("task payments-hub sales Pricing FAQ due:Jan 15 owner:<@U0RAJ>", &ctx) {
        Ok(Command::AddTask { title, due, .. }) => {
            assert_eq!(title, "Pricing FAQ");
            assert_eq!(due, Some(on("2027-01-15")));
        }
        other => panic!("{other:?}"),
    }
    let err = parse("due T12 1/15", &ctx).unwrap_err();
    assert!(err.message.contains("15 Jan"), "{}", err.message);
}

#[test]
fn a_quarter_without_a_year_is_the_current_or_the_coming_one() {
    let december = "2026-12-01".parse().unwrap();
    assert_eq!(super::values::parse_quarter("Q1", december), Some((2027, 1)));
    assert_eq!(super::values::parse_quarter("q4", december), Some((2026, 4)));
    assert_eq!(super::values::parse_quarter("2026-Q1", december), Some((2026, 1)));
    let may = "2027-05-10".parse().unwrap();
    assert_eq!(super::values::parse_quarter("Q2", may), Some((2027, 2)));
    assert_eq!(super::values::parse_quarter("Q1", may), Some((2028, 1)));
}

#[test]
fn commands_as_people_type_them() {
    let functions = FunctionCatalog::builtin();
    let ctx = ParseContext {
        today: "2026-12-01".parse().unwrap(),
        functions: &functions,
    };
    match parse("on track T8", &ctx) {
        Ok(Command::SetStatus { task, status, .. }) => {
            assert_eq!((task, status), (crate::TaskId(8), TaskStatus::OnTrack));
        }
        other => panic!("{other:?}"),
    }
    match parse("at risk T9 vendor late", &ctx) {
        Ok(Command::SetStatus { task, status, .. }) => {
            assert_eq!((task, status), (crate::TaskId(9), TaskStatus::AtRisk));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        parse("show Payments Hub", &ctx).unwrap(),
        Command::Show(LaunchRef::Slug(crate::Slug::parse("payments-hub").unwrap()))
    );
    assert_eq!(
        parse("show payments-hub", &ctx).unwrap(),
        Command::Show(LaunchRef::Slug(crate::Slug::parse("payments-hub").unwrap()))
    );
}

#[test]
fn targets_as_pmms_write_them() {
    use super::values::parse_quantity;
    assert_eq!(parse_quantity("2.5k"), Ok((2500.0, String::new())));
    assert_eq!(parse_quantity("$2M"), Ok((2_000_000.0, "$".to_owned())));
    assert_eq!(parse_quantity("€500k"), Ok((500_000.0, "€".to_owned())));
    assert_eq!(parse_quantity("25%"), Ok((25.0, "%".to_owned())));
    assert_eq!(parse_quantity("500 signups"), Ok((500.0, "signups".to_owned())));
    assert_eq!(parse_quantity("12ms"), Ok((12.0, "ms".to_owned())));
    assert!(parse_quantity("lots").is_err());
}

#[test]
fn raci_alone_shows_the_roles_and_clearing_takes_saying_so() {
    assert_eq!(
        ok("raci T22"),
        Command::Raci {
            task: TaskId(22),
            roles: None
        }
    );
    assert_eq!(
        ok("raci T22 clear"),
        Command::Raci {
            task: TaskId(22),
            roles: Some(vec![])
        }
    );
    assert!(err("raci T22 clear accountable:<@U0LEE>").message.contains("clear"));
}

#[test]
fn show_with_a_task_id_is_one_task() {
    assert_eq!(ok("show T12"), Command::ShowTask(TaskId(12)));
    assert_eq!(ok("show t12"), Command::ShowTask(TaskId(12)));
    assert!(matches!(ok("show checkout-v2"), Command::Show(_)));
}

#[test]
fn a_metric_that_is_better_low_takes_its_direction_before_the_number() {
    let target = |text: &str| match ok(text) {
        Command::Metric { metric, .. } => (metric.direction, metric.target, metric.unit, metric.review_offset_days),
        other => panic!("{text}: {other:?}"),
    };
    use crate::TargetDirection::*;
    // "Support tickets under 50 in the first month."
    assert_eq!(
        target("metric checkout-v2 \"support tickets\" target:<50 by:T+30"),
        (LessThan, 50.0, String::new(), 30)
    );
    assert_eq!(
        target("metric checkout-v2 Churn target:<=2% by:T+60"),
        (AtMost, 2.0, "%".into(), 60)
    );
    assert_eq!(
        target("metric checkout-v2 Signups target:>1k"),
        (MoreThan, 1000.0, String::new(), 30)
    );
    assert_eq!(
        target("metric checkout-v2 Signups target:>=1000"),
        (AtLeast, 1000.0, String::new(), 30)
    );
    assert_eq!(
        target("metric checkout-v2 Pipeline target:$2M"),
        (AtLeast, 2_000_000.0, "$".into(), 30)
    );
    assert!(
        err("metric checkout-v2 Tickets target:<")
            .message
            .contains("`<` is not a target")
    );
    assert!(
        err("metric checkout-v2 Tickets target:<lots")
            .message
            .contains("<50 when lower is better")
    );
}

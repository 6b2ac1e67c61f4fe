//! Replies about who does the work: a function's check-in channel and lead once set, and the
//! open tasks per person and active launches per lead.

use super::widgets::function_facts;
use crate::slack::blocks::{Rendered, escape, packed_sections, section};
use crate::slack::markup::Markup;
use liftoff_core::{FunctionDef, SlackUserId};

pub(super) fn function_updated(function: &FunctionDef) -> Rendered {
    let text = format!("*{}*: {}", escape(&function.display_name), function_facts(function));
    Rendered::fit(text.clone(), vec![section(&text)], "")
}

pub(super) fn workload(
    people: &[(SlackUserId, usize, usize)],
    leads: &[(SlackUserId, usize)],
    max_per_lead: usize,
) -> Rendered {
    let mut lines = vec!["*Open tasks per person*".to_owned()];
    if people.is_empty() {
        lines.push("Nobody owns an open task.".to_owned());
    }
    for (user, open, overdue) in people {
        let overdue = if *overdue > 0 {
            format!(" ({overdue} overdue)")
        } else {
            String::new()
        };
        lines.push(format!("• {}: {open} open{overdue}", user.mention()));
    }
    lines.push("*Active launches per lead*".to_owned());
    for (lead, count) in leads {
        let flag = if *count > max_per_lead {
            " :warning: spread too thin"
        } else {
            ""
        };
        lines.push(format!("• {}: {count}{flag}", lead.mention()));
    }
    Rendered::fit(lines.join("\n"), packed_sections(&lines), "")
}

//! Replies about Liftoff itself rather than a launch: help, a problem with what was asked, an
//! internal error, a plain notice, and the placeholder while the launch form opens.

use crate::slack::blocks::{Rendered, context, escape, header, packed_sections, section};
use crate::slack::markup::Markup;
use liftoff_core::command::Subcommand;
use liftoff_core::{RoleAssignment, SlackChannelId, TaskId};

pub(super) fn help() -> Rendered {
    let mut lines = vec!["*Liftoff* runs the PMO side of your launches. Commands:".to_owned()];
    for sub in Subcommand::ALL {
        lines.push(format!("`{}` — {}", escape(sub.usage()), escape(sub.summary())));
    }
    lines.push(
        "Dates: `2026-12-04`, `today`, `tomorrow`, `friday`, `+3d`, `+2w`, and for tasks `T-14` / `T+7` \
         (days from launch day). Launches by slug or id, tasks as `T12`."
            .to_owned(),
    );
    let text = lines.join("\n");
    let mut blocks = vec![header("Liftoff — /launch")];
    blocks.extend(packed_sections(&lines));
    Rendered::fit(text, blocks, "")
}

pub(super) fn help_topic(sub: Subcommand) -> Rendered {
    let text = format!("`{}`\n{}", escape(sub.usage()), escape(sub.summary()));
    Rendered::fit(text.clone(), vec![section(&text)], "")
}

pub(super) fn problem(message: &str, usage: Option<Subcommand>) -> Rendered {
    let usage_line = match usage {
        Some(sub) => format!("Usage: `{}`", escape(sub.usage())),
        None => "See `/launch help` for what Liftoff understands.".to_owned(),
    };
    let text = format!(":warning: {}\n{usage_line}", escape(message));
    Rendered::fit(
        text,
        vec![section(format!(":warning: {}", escape(message))), context(&usage_line)],
        "",
    )
}

pub(super) fn internal_error() -> Rendered {
    let text = "Sorry, something went wrong on Liftoff's side. It has been logged; please try again in a moment.";
    Rendered::fit(text.to_owned(), vec![section(format!(":warning: {text}"))], "")
}

pub(super) fn new_launch_form() -> Rendered {
    let text = "Opening the launch form…";
    Rendered::fit(text.to_owned(), vec![], "")
}

/// A task's RACI roles as they stand, just changed or only looked at.
pub(super) fn roles(task: TaskId, roles: &[RoleAssignment], changed: bool) -> Rendered {
    let text = if roles.is_empty() && changed {
        format!("{task}: RACI cleared")
    } else if roles.is_empty() {
        format!(
            "{task} has no RACI roles yet. Set them with `/launch raci {task} accountable:@someone consulted:@someone informed:@someone`."
        )
    } else {
        let roles: Vec<String> = roles
            .iter()
            .map(|r| format!("{} {}", r.role.as_str(), r.user.mention()))
            .collect();
        format!("{task}: {}", roles.join(", "))
    };
    Rendered::fit(text.clone(), vec![section(&text)], "")
}

/// The digest is on its way to the PMO channel.
pub(super) fn digest_posting(channel: &SlackChannelId) -> Rendered {
    let text = format!("Posting the digest to {} now.", channel.mention());
    Rendered::fit(text.clone(), vec![section(&text)], "")
}

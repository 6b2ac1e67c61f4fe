//! What people type, parsed: the `/launch` command language and status updates written as
//! replies in a check-in thread. Pure functions from text to a [`crate::command::Command`] or
//! a list of updates, with errors worded for the person who typed the text.

pub mod command_text;
pub mod thread_reply;

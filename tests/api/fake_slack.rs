//! The fake Slack the tests talk to is the library's emulator (`liftoff demo` uses the same).

pub use slack_emulator::{
    Emulator as FakeSlack, Failure, MESSAGE_BLOCK_TEXT_CAP, SocketConn, TEAM_ID, block_kit_violations,
};

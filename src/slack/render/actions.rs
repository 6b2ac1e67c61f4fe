//! `action_id`s of the per-task buttons; the button's value is the task's number. Also every
//! other id Liftoff reads back from Slack: the escalation, metric and go/no-go buttons, the
//! modals' `callback_id`s, and the block ids a button press or a submission is matched by.

pub const DONE: &str = "task_done";
pub const ON_TRACK: &str = "task_on_track";
pub const AT_RISK: &str = "task_at_risk";
pub const BLOCKED: &str = "task_blocked";
pub const SNOOZE: &str = "task_snooze";
/// `callback_id` of the modal that asks for a blocker reason.
pub const BLOCKED_MODAL: &str = "task_blocked_reason";
/// `callback_id` of the launch creation form.
pub const NEW_LAUNCH_MODAL: &str = "new_launch";
/// Escalation actions: acknowledge (value: task), snooze for N working days (value:
/// `task:days`), snooze until a date (task from the block id).
pub const ESC_ACK: &str = "esc_ack";
/// On a missed metric: create the support-plan task (value: `launch id|metric name`).
pub const SUPPORT_PLAN: &str = "support_plan";
pub const ESC_SNOOZE: &str = "esc_snooze";
pub const ESC_SNOOZE_UNTIL: &str = "esc_snooze_until";
/// Go/no-go answers (value: `round id:function`); No-go opens the reason modal.
pub const GONOGO_GO: &str = "gonogo_go";
pub const GONOGO_NO_GO: &str = "gonogo_no_go";
/// `callback_id` of the modal asking why a function is not ready.
pub const GONOGO_MODAL: &str = "gonogo_reason";
/// Block id prefix of a task's row, so a button press can re-render just that row.
pub const TASK_BLOCK_PREFIX: &str = "task:";
/// Block and action id of a modal's written reason (blocked task, no-go answer).
pub const REASON: &str = "reason";

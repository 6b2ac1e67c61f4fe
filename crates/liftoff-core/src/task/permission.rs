//! Who may change a task: the rule every change goes through (status, due date, owner,
//! snooze, dependency, RACI), whatever carried it (a command, a button, a thread reply, a
//! modal). Kept pure so the one rule is tested on its own, and so the refusal can name exactly
//! who can make the change instead.

use crate::function::FunctionName;
use crate::ids::SlackUserId;

/// The people who answer for a task, as the permission rule needs them.
#[derive(Debug, Clone, Copy)]
pub struct TaskPeople<'a> {
    pub owner: Option<&'a SlackUserId>,
    pub function: &'a FunctionName,
    pub function_lead: Option<&'a SlackUserId>,
    pub launch_lead: Option<&'a SlackUserId>,
    pub admins: &'a [SlackUserId],
}

/// Why someone may change a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Owner,
    FunctionLead,
    LaunchLead,
    Admin,
    /// Nobody answers for the task yet (no owner, no leads, no admins): anyone may, so that
    /// someone can take it on.
    Unclaimed,
    /// Taking an unowned task for oneself ("assign me"): anyone may volunteer.
    Volunteer,
    /// Not one of the above, but the team works openly (`permissions.open`): the change goes
    /// through and the owner is told.
    Open,
}

/// Whom to name in a refusal: the people who could make the change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deciders {
    pub owner: Option<SlackUserId>,
    pub function: FunctionName,
    pub function_lead: Option<SlackUserId>,
    pub launch_lead: Option<SlackUserId>,
    /// Whether admins exist (they are not listed by name: there may be many).
    pub admins: bool,
}

/// What a change to a task asks for, as far as the rule cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change<'a> {
    /// Giving the task to `to` (`None`: unassigning it).
    Owner { to: Option<&'a SlackUserId> },
    /// Anything else: status, due date, snooze, dependency, RACI.
    Other,
}

/// Decides whether `actor` may make `change` to a task answered for by `people`. `open` is the
/// organisation's choice to let anyone change anything (the owner is told either way).
pub fn may_change(
    actor: &SlackUserId,
    people: &TaskPeople<'_>,
    change: Change<'_>,
    open: bool,
) -> Result<Standing, Deciders> {
    if people.owner == Some(actor) {
        return Ok(Standing::Owner);
    }
    if people.function_lead == Some(actor) {
        return Ok(Standing::FunctionLead);
    }
    if people.launch_lead == Some(actor) {
        return Ok(Standing::LaunchLead);
    }
    if people.admins.contains(actor) {
        return Ok(Standing::Admin);
    }
    if people.owner.is_none() && matches!(change, Change::Owner { to: Some(to) } if to == actor) {
        return Ok(Standing::Volunteer);
    }
    let nobody_answers = people.owner.is_none()
        && people.function_lead.is_none()
        && people.launch_lead.is_none()
        && people.admins.is_empty();
    if nobody_answers {
        return Ok(Standing::Unclaimed);
    }
    if open {
        return Ok(Standing::Open);
    }
    Err(Deciders {
        owner: people.owner.cloned(),
        function: people.function.clone(),
        function_lead: people.function_lead.cloned(),
        launch_lead: people.launch_lead.cloned(),
        admins: !people.admins.is_empty(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str) -> SlackUserId {
        SlackUserId::parse(id).unwrap()
    }

    struct Cast {
        raj: SlackUserId,
        maya: SlackUserId,
        lena: SlackUserId,
        admin: SlackUserId,
        function: FunctionName,
        admins: Vec<SlackUserId>,
    }

    fn cast() -> Cast {
        let admin = user("U0ADMIN");
        Cast {
            raj: user("U0RAJ"),
            maya: user("U0MAYA"),
            lena: user("U0LENA"),
            admins: vec![admin.clone()],
            admin,
            function: FunctionName::parse("marketing").unwrap(),
        }
    }

    fn people<'a>(cast: &'a Cast, owner: Option<&'a SlackUserId>) -> TaskPeople<'a> {
        TaskPeople {
            owner,
            function: &cast.function,
            function_lead: Some(&cast.maya),
            launch_lead: Some(&cast.lena),
            admins: &cast.admins,
        }
    }

    #[test]
    fn the_owner_the_leads_and_admins_may_change_a_task() {
        let cast = cast();
        let people = people(&cast, Some(&cast.raj));
        assert_eq!(
            may_change(&cast.raj, &people, Change::Other, false),
            Ok(Standing::Owner)
        );
        assert_eq!(
            may_change(&cast.maya, &people, Change::Other, false),
            Ok(Standing::FunctionLead)
        );
        assert_eq!(
            may_change(&cast.lena, &people, Change::Other, false),
            Ok(Standing::LaunchLead)
        );
        assert_eq!(
            may_change(&cast.admin, &people, Change::Other, false),
            Ok(Standing::Admin)
        );
    }

    #[test]
    fn anyone_else_is_refused_with_who_can() {
        let cast = cast();
        let people = people(&cast, Some(&cast.raj));
        let stranger = user("U0SAM");
        let refusal = may_change(&stranger, &people, Change::Other, false).unwrap_err();
        assert_eq!(refusal.owner, Some(cast.raj.clone()));
        assert_eq!(refusal.function_lead, Some(cast.maya.clone()));
        assert_eq!(refusal.launch_lead, Some(cast.lena.clone()));
        assert!(refusal.admins);
        // Taking someone's task is a change like any other.
        let take = Change::Owner { to: Some(&stranger) };
        assert!(may_change(&stranger, &people, take, false).is_err());
    }

    #[test]
    fn an_open_team_lets_anyone_change_a_task() {
        let cast = cast();
        let people = people(&cast, Some(&cast.raj));
        assert_eq!(
            may_change(&user("U0SAM"), &people, Change::Other, true),
            Ok(Standing::Open)
        );
    }

    #[test]
    fn anyone_may_take_an_unowned_task_but_not_give_it_to_someone_else() {
        let cast = cast();
        let people = people(&cast, None);
        let sam = user("U0SAM");
        assert_eq!(
            may_change(&sam, &people, Change::Owner { to: Some(&sam) }, false),
            Ok(Standing::Volunteer)
        );
        assert!(may_change(&sam, &people, Change::Owner { to: Some(&cast.raj) }, false).is_err());
        assert!(may_change(&sam, &people, Change::Other, false).is_err());
    }

    #[test]
    fn a_task_nobody_answers_for_is_anyones() {
        let cast = cast();
        let people = TaskPeople {
            owner: None,
            function: &cast.function,
            function_lead: None,
            launch_lead: None,
            admins: &[],
        };
        assert_eq!(
            may_change(&user("U0SAM"), &people, Change::Other, false),
            Ok(Standing::Unclaimed)
        );
    }
}

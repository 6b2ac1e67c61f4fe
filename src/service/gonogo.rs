//! Go/no-go rounds: starting one (the launch lead or an admin asks every function lead with
//! tasks in the launch) and recording each vote, the last of which decides the round.

use chrono::NaiveDate;

use super::{Service, ServiceError};
use crate::views::{Reply, View};
use liftoff_core::command::Subcommand;
use liftoff_core::{FunctionName, LaunchRef, SlackUserId};

impl Service {
    /// Starts a go/no-go: the launch lead (or an admin) asks the lead of every function with
    /// tasks in the launch. One open round per launch; asking again while one is open says who
    /// is still to answer instead.
    pub(super) async fn start_gonogo(
        &self,
        actor: &SlackUserId,
        reference: &LaunchRef,
        today: NaiveDate,
    ) -> Result<Reply, ServiceError> {
        let subcommand = Subcommand::GoNoGo;
        let launch = self.find_launch(reference, subcommand).await?;
        self.check_may_manage(actor, &launch, subcommand)?;
        if !launch.state.is_active() {
            return Err(ServiceError::user(subcommand, format!("{} is archived", launch.slug)));
        }
        if launch.launch_date < today {
            return Err(ServiceError::user(
                subcommand,
                format!(
                    "{} launched on {}; a go/no-go is for before launch day (`/launch retro {}` looks back)",
                    launch.slug, launch.launch_date, launch.slug
                ),
            ));
        }
        let tasks = self.store.launch_tasks(launch.id).await?;
        let involved: std::collections::BTreeSet<FunctionName> = tasks.iter().map(|t| t.function.clone()).collect();
        let functions = self.effective_functions().await?;
        let (ballots, leaderless) = liftoff_core::gonogo::ballots_for(&functions, &involved);
        if ballots.is_empty() {
            let names: Vec<String> = leaderless.iter().map(ToString::to_string).collect();
            return Err(ServiceError::user(
                subcommand,
                format!(
                    "nobody to ask: {} ha{} no lead; set one with `/launch lead <function> @user`",
                    names.join(", "),
                    if names.len() == 1 { "s" } else { "ve" }
                ),
            ));
        }
        let now = self.clock.now();
        let started_on = self.config.calendar.local_date(now, None);
        let asks = |gonogo: &liftoff_core::gonogo::GoNoGo| {
            crate::notify::ask_messages(gonogo, &launch, &tasks, &functions, today)
        };
        match self
            .store
            .start_gonogo(launch.id, actor, started_on, &ballots, now, &asks)
            .await?
        {
            Some(gonogo) => Ok(Reply::ephemeral(View::GoNoGoStarted {
                launch,
                gonogo,
                leaderless,
                pmo: self.config.channels.pmo.clone(),
            })),
            None => {
                let open = self.store.latest_gonogo(launch.id).await?;
                let waiting: Vec<String> = open
                    .iter()
                    .flat_map(|g| g.waiting_on())
                    .map(|b| format!("{} ({})", b.voter.mention(), b.function))
                    .collect();
                let since = open.map(|g| format!(" by {} on {}", g.started_by.mention(), g.started_on));
                Err(ServiceError::user(
                    subcommand,
                    format!(
                        "a go/no-go for {} is already under way (started{}); waiting on {}",
                        launch.slug,
                        since.unwrap_or_default(),
                        if waiting.is_empty() {
                            "nobody".to_owned()
                        } else {
                            waiting.join(", ")
                        }
                    ),
                ))
            }
        }
    }

    /// Records a lead's answer; the vote that completes the round also enqueues the result.
    pub(super) async fn vote_gonogo(
        &self,
        actor: &SlackUserId,
        id: i64,
        function: &FunctionName,
        vote: &liftoff_core::gonogo::Vote,
        today: NaiveDate,
    ) -> Result<Reply, ServiceError> {
        use crate::store::VoteOutcome;
        let subcommand = Subcommand::GoNoGo;
        let gone = || ServiceError::user(subcommand, "that go/no-go no longer exists");
        let round = self.store.gonogo(id).await?.ok_or_else(gone)?;
        let launch = self.store.launch_by_id(round.launch_id).await?.ok_or_else(gone)?;
        let pmo = self.config.channels.pmo.clone();
        let announce = |gonogo: &liftoff_core::gonogo::GoNoGo| {
            crate::notify::result_messages(gonogo, &launch, pmo.as_ref(), today)
        };
        let outcome = self
            .store
            .record_vote(id, function, actor, vote, self.clock.now(), &announce)
            .await?;
        match outcome {
            VoteOutcome::Unknown => Err(gone()),
            VoteOutcome::NotAsked(gonogo) => Err(ServiceError::user(
                subcommand,
                match gonogo.ballot(function) {
                    Some(ballot) => format!(
                        "this go/no-go asks {} for {function}, so only they can answer it",
                        ballot.voter.mention()
                    ),
                    None => format!("this go/no-go does not ask for {function}"),
                },
            )),
            VoteOutcome::AlreadyDecided(gonogo) => Err(ServiceError::user(
                subcommand,
                format!(
                    "the go/no-go for {} was already decided{}; `/launch gonogo {}` starts a new one",
                    launch.slug,
                    gonogo
                        .decided_at
                        .map(|at| format!(" on {}", self.config.calendar.local_date(at, None)))
                        .unwrap_or_default(),
                    launch.slug
                ),
            )),
            VoteOutcome::Recorded { gonogo, .. } => Ok(Reply::ephemeral(View::GoNoGoVoted {
                launch,
                gonogo,
                function: function.clone(),
                vote: vote.clone(),
                today,
            })),
        }
    }
}

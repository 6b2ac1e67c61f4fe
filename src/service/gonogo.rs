//! Go/no-go rounds: starting one (the launch lead or an admin asks every function lead with
//! tasks in the launch) and recording each vote, the last of which decides the round.

use chrono::NaiveDate;

use super::{Service, ServiceError};
use crate::views::{Reply, UserError, View};
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
            return Err(ServiceError::user(
                subcommand,
                UserError::LaunchArchived(launch.slug.clone()),
            ));
        }
        if launch.launch_date < today {
            return Err(ServiceError::user(
                subcommand,
                UserError::GoNoGoAfterLaunch {
                    launch: launch.slug.clone(),
                    launched_on: launch.launch_date,
                },
            ));
        }
        let tasks = self.store.launch_tasks(launch.id).await?;
        let involved: std::collections::BTreeSet<FunctionName> = tasks.iter().map(|t| t.function.clone()).collect();
        let functions = self.effective_functions().await?;
        let (ballots, leaderless) = liftoff_core::gonogo::ballots_for(&functions, &involved);
        if ballots.is_empty() {
            return Err(ServiceError::user(
                subcommand,
                UserError::NobodyToAsk {
                    functions: leaderless.clone(),
                },
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
                let waiting = open
                    .iter()
                    .flat_map(|g| g.waiting_on())
                    .map(|b| (b.voter.clone(), b.function.clone()))
                    .collect();
                let started = open.map(|g| (g.started_by, g.started_on));
                Err(ServiceError::user(
                    subcommand,
                    UserError::GoNoGoUnderWay {
                        launch: launch.slug.clone(),
                        started,
                        waiting,
                    },
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
        let gone = || ServiceError::user(subcommand, UserError::GoNoGoGone);
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
                UserError::GoNoGoNotAsked {
                    function: function.clone(),
                    voter: gonogo.ballot(function).map(|ballot| ballot.voter.clone()),
                },
            )),
            VoteOutcome::AlreadyDecided(gonogo) => Err(ServiceError::user(
                subcommand,
                UserError::GoNoGoDecided {
                    launch: launch.slug.clone(),
                    decided_on: gonogo.decided_at.map(|at| self.config.calendar.local_date(at, None)),
                },
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

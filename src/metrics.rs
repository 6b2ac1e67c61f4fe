//! Prometheus metrics, served at `/metrics` in the text exposition format. One registry per
//! application (no process globals), so every test's service has its own numbers.

use std::borrow::Cow;
use std::sync::Mutex;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// An HTTP request's labels. Borrowed where they can be (the routes' paths, the outcomes):
/// they are made for every request, and owned strings were three allocations each time.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub endpoint: Cow<'static, str>,
    pub outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct EndpointLabels {
    pub endpoint: Cow<'static, str>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ApiErrorLabels {
    pub method: String,
    pub error: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct JobLabels {
    pub job: String,
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct JobNameLabels {
    pub job: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct LevelLabels {
    pub level: String,
}

/// Every metric Liftoff exports.
pub struct Metrics {
    registry: Mutex<Registry>,
    pub requests: Family<RequestLabels, Counter>,
    pub ack_seconds: Family<EndpointLabels, Histogram>,
    pub outbox_depth: Gauge,
    pub outbox_oldest_age_seconds: Gauge,
    pub deliveries: Family<OutcomeLabels, Counter>,
    pub slack_api_errors: Family<ApiErrorLabels, Counter>,
    pub job_runs: Family<JobLabels, Counter>,
    pub job_lag_seconds: Family<JobNameLabels, Gauge>,
    pub escalations: Family<LevelLabels, Counter>,
    /// 1 while Slack refuses the bot token (`invalid_auth`, `token_revoked`, …): delivery is
    /// paused and the queue kept. Alert on it.
    pub slack_token_refused: Gauge,
    /// Messages given up for good (by kind): someone should look at `/launch show` or the logs.
    pub undeliverable: Family<KindLabels, Counter>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabels {
    pub kind: String,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("liftoff");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register("requests", "HTTP requests by endpoint and outcome", requests.clone());
        let ack_seconds = Family::<EndpointLabels, Histogram>::new_with_constructor(|| {
            // 0.5 ms to ~4 s: Slack wants an answer within 3 s.
            Histogram::new(exponential_buckets(0.0005, 2.0, 14))
        });
        registry.register("ack_seconds", "Time to acknowledge a request", ack_seconds.clone());
        let outbox_depth = Gauge::default();
        registry.register(
            "outbox_depth",
            "Outbox messages not yet delivered",
            outbox_depth.clone(),
        );
        let outbox_oldest_age_seconds = Gauge::default();
        registry.register(
            "outbox_oldest_age_seconds",
            "Age of the oldest undelivered outbox message",
            outbox_oldest_age_seconds.clone(),
        );
        let deliveries = Family::<OutcomeLabels, Counter>::default();
        registry.register("deliveries", "Outbox delivery attempts by outcome", deliveries.clone());
        let slack_api_errors = Family::<ApiErrorLabels, Counter>::default();
        registry.register(
            "slack_api_errors",
            "Slack Web API errors by method and error",
            slack_api_errors.clone(),
        );
        let job_runs = Family::<JobLabels, Counter>::default();
        registry.register(
            "scheduler_job_runs",
            "Scheduled job slots by job and outcome",
            job_runs.clone(),
        );
        let job_lag_seconds = Family::<JobNameLabels, Gauge>::default();
        registry.register(
            "scheduler_lag_seconds",
            "How late the last run of each job started after its slot",
            job_lag_seconds.clone(),
        );
        let escalations = Family::<LevelLabels, Counter>::default();
        registry.register("escalations", "Escalation levels fired", escalations.clone());
        let slack_token_refused = Gauge::default();
        registry.register(
            "slack_token_refused",
            "1 while Slack refuses the bot token and delivery is paused",
            slack_token_refused.clone(),
        );
        let undeliverable = Family::<KindLabels, Counter>::default();
        registry.register(
            "undeliverable_messages",
            "Messages Slack refused for good, by kind",
            undeliverable.clone(),
        );
        Metrics {
            registry: Mutex::new(registry),
            requests,
            ack_seconds,
            outbox_depth,
            outbox_oldest_age_seconds,
            deliveries,
            slack_api_errors,
            job_runs,
            job_lag_seconds,
            escalations,
            slack_token_refused,
            undeliverable,
        }
    }

    pub fn delivery(&self, outcome: &str) {
        self.deliveries
            .get_or_create(&OutcomeLabels {
                outcome: outcome.to_owned(),
            })
            .inc();
    }

    pub fn slack_error(&self, method: &str, error: &str) {
        self.slack_api_errors
            .get_or_create(&ApiErrorLabels {
                method: method.to_owned(),
                error: error.to_owned(),
            })
            .inc();
    }

    /// The text exposition of every metric.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let registry = self.registry.lock().unwrap_or_else(|p| p.into_inner());
        if prometheus_client::encoding::text::encode(&mut out, &registry).is_err() {
            out.clear();
        }
        out
    }
}

//! The HTTP server: Slack's request URLs plus health and readiness.

use std::borrow::Cow;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use crate::clock::SharedClock;
use crate::config::Config;
use crate::slack::context::SlackContext;
use crate::store::Store;

/// Below this much free space on the SQLite database's disk, writes fail (or soon will: a
/// write needs room in the write-ahead log first), so the service is not ready.
const MIN_FREE_BYTES: u64 = 1024 * 1024;

/// How often the delivery worker looks for due outbox messages when idle.
const DELIVERY_POLL: Duration = Duration::from_millis(200);

/// Most connections served at once; more wait to be accepted. Slack sends few at a time, and
/// a flood from elsewhere must not exhaust memory or file descriptors.
const MAX_CONNECTIONS: usize = 1024;

/// How long shutdown waits for work started after acknowledgements (Slack API calls).
const BACKGROUND_DRAIN: Duration = Duration::from_secs(10);

/// How long shutdown waits for in-flight requests before closing their connections.
const REQUEST_DRAIN: Duration = Duration::from_secs(10);

/// What every handler can reach. Cheap to clone: everything inside is shared.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: Store,
    pub clock: SharedClock,
    pub metrics: Arc<crate::metrics::Metrics>,
    pub slack: SlackContext,
}

impl AppState {
    /// A scheduler over this state's service, store, configuration, clock and metrics.
    pub fn scheduler(&self) -> crate::scheduler::Scheduler {
        crate::scheduler::Scheduler::new(
            self.slack.service.clone(),
            self.store.clone(),
            self.config.clone(),
            self.clock.clone(),
            self.metrics.clone(),
        )
    }

    /// A delivery worker over this state's store, Slack client and clock.
    pub fn delivery(&self) -> crate::delivery::Delivery {
        crate::delivery::Delivery::new(
            self.store.clone(),
            self.slack.api.clone(),
            self.clock.clone(),
            self.config.slack.post_interval,
        )
        .with_metrics(self.metrics.clone())
        .with_lease(self.config.slack.delivery_lease)
        .with_failure_watchers(
            self.config
                .admins
                .iter()
                .map(|admin| admin.as_str().to_owned())
                .collect(),
        )
    }
}

/// A bound, not yet running server. Binding is separate from running so tests can bind port
/// 0 and learn the address before the first request.
pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
}

impl Application {
    pub async fn build(state: AppState) -> std::io::Result<Application> {
        let listener = TcpListener::bind(state.config.server.bind).await?;
        Ok(Application {
            listener,
            router: router(state.clone()),
            state,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// Serves (and, with an app token, holds the Socket Mode connection) until `shutdown`
    /// completes; then lets in-flight requests finish and waits (bounded) for the work they
    /// started in the background.
    pub async fn run_until_stopped(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let stopping = CancellationToken::new();
        let socket_mode = self.state.config.slack.app_token.clone().map(|token| {
            tokio::spawn(crate::slack::socket_mode::run(
                self.state.slack.clone(),
                token,
                stopping.clone(),
            ))
        });
        let delivery = {
            let delivery = self.state.delivery();
            let stop = stopping.clone();
            tokio::spawn(async move { delivery.run(DELIVERY_POLL, stop).await })
        };
        let scheduler = self.state.config.scheduler_interval.map(|interval| {
            let scheduler = self.state.scheduler();
            let stop = stopping.clone();
            tokio::spawn(async move { scheduler.run(interval, stop).await })
        });
        let stop_everything = stopping.clone();
        let read_timeout = self.state.config.server.read_timeout;
        let service = with_request_layers(self.router);
        let served = serve_connections(self.listener, service, read_timeout, async move {
            shutdown.await;
            stop_everything.cancel();
        })
        .await;
        stopping.cancel();
        if let Some(socket_mode) = socket_mode {
            let _ = socket_mode.await;
        }
        if let Some(scheduler) = scheduler {
            let _ = scheduler.await;
        }
        // The delivery loop stops between messages, so an in-flight post completes.
        let _ = delivery.await;
        served?;
        let background = &self.state.slack.background;
        self.state.slack.home.stop();
        background.close();
        if tokio::time::timeout(BACKGROUND_DRAIN, background.wait()).await.is_err() {
            tracing::warn!(
                remaining = background.len(),
                "stopped before all background Slack calls finished"
            );
        }
        Ok(())
    }
}

/// Accepts connections until `shutdown`, serving each over HTTP/1.1 with a header-read
/// timeout (which `axum::serve` does not offer): a client must send a request's headers within
/// `read_timeout` or the connection is closed, so a slow-loris client cannot hold connections
/// open by trickling bytes. Then stops accepting and gives in-flight requests
/// [`REQUEST_DRAIN`] to finish.
async fn serve_connections<S, B>(
    listener: TcpListener,
    service: S,
    read_timeout: Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()>
where
    S: tower::Service<
            axum::http::Request<hyper::body::Incoming>,
            Response = axum::http::Response<B>,
            Error = std::convert::Infallible,
            Future: Send + 'static,
        > + Clone
        + Send
        + 'static,
    B: axum::body::HttpBody<Data = axum::body::Bytes, Error: Into<axum::BoxError>> + Send + 'static,
{
    use hyper_util::rt::{TokioIo, TokioTimer};
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    // A permit per open connection, taken before accepting (as mini-redis does): past the cap,
    // new clients wait in the kernel's backlog instead of each costing a task and buffers.
    let permits = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(err) => {
                    // Out of file descriptors and the like: wait a little rather than spin.
                    tracing::warn!(error = %err, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = hyper_util::service::TowerToHyperService::new(service.clone());
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(read_timeout)
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::debug!(error = %err, "connection closed with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    if tokio::time::timeout(REQUEST_DRAIN, graceful.shutdown()).await.is_err() {
        tracing::warn!("closed connections whose requests did not finish in time");
    }
    Ok(())
}

pub fn router(state: AppState) -> Router {
    let metrics = state.metrics.clone();
    let health = Router::new()
        .route(HEALTHZ_PATH, get(healthz))
        .route(READYZ_PATH, get(readyz))
        .route(METRICS_PATH, get(metrics_endpoint))
        .route(CALENDAR_PATH, get(calendar_feed))
        .with_state(state.clone());
    // Socket Mode has no signing secret, and so no request URLs to serve.
    let router = match state.slack.signing_secret.is_some() {
        true => health.merge(crate::slack::http::routes(state.slack)),
        false => health,
    };
    // The metrics count each answer by the route that matched (`MatchedPath`), which only
    // exists inside the router: this layer is the routes' own.
    router.layer(axum::middleware::from_fn_with_state(metrics, track_request))
}

/// `router` inside the layers every request passes, outermost first: an id (`x-request-id`,
/// kept if a proxy set one) carried back in its response, and a span naming it, with the
/// method and the path only (a query can hold the calendar feed's token).
///
/// Around the router, not inside it (`Router::layer`): inside, every route holds its own boxed
/// copy of each layer, and each request cloned them all, an allocation per layer.
fn with_request_layers(
    router: Router,
) -> impl tower::Service<
    axum::http::Request<hyper::body::Incoming>,
    Response = axum::http::Response<
        impl axum::body::HttpBody<Data = axum::body::Bytes, Error: Into<axum::BoxError>> + Send + 'static,
    >,
    Error = std::convert::Infallible,
    Future: Send + 'static,
> + Clone
+ Send
+ 'static {
    tower::ServiceBuilder::new()
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span::<hyper::body::Incoming>)
                .on_request(())
                .on_response(DefaultOnResponse::new().level(tracing::Level::DEBUG)),
        )
        .service(router)
}

/// The span of one request: its id, method and path.
fn request_span<B>(request: &axum::http::Request<B>) -> tracing::Span {
    let request_id = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    tracing::info_span!(
        "http_request",
        request_id,
        method = %request.method(),
        path = %request.uri().path(),
        // Slack's retry count on a redelivery (see `slack::http::verify_signature`).
        retry = tracing::field::Empty,
    )
}

/// The header each request's id travels in, set by `SetRequestIdLayer` unless a proxy did.
const REQUEST_ID_HEADER: &str = "x-request-id";

const HEALTHZ_PATH: &str = "/healthz";
const READYZ_PATH: &str = "/readyz";
const METRICS_PATH: &str = "/metrics";
const CALENDAR_PATH: &str = "/calendar.ics";

/// The paths the router serves, to label requests with without a copy of the path each time.
const ROUTES: [&str; 7] = [
    HEALTHZ_PATH,
    READYZ_PATH,
    METRICS_PATH,
    CALENDAR_PATH,
    crate::slack::http::COMMANDS_PATH,
    crate::slack::http::EVENTS_PATH,
    crate::slack::http::INTERACTIONS_PATH,
];

/// The metrics' label for the route `path` matched: one of [`ROUTES`], borrowed, or a copy
/// of any other.
fn endpoint_label(path: &str) -> Cow<'static, str> {
    ROUTES
        .into_iter()
        .find(|route| *route == path)
        .map_or_else(|| Cow::Owned(path.to_owned()), Cow::Borrowed)
}

/// Counts every request by endpoint and outcome, and times how long it took to answer.
async fn track_request(
    State(metrics): State<Arc<crate::metrics::Metrics>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let endpoint = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or(Cow::Borrowed("unmatched"), |path| endpoint_label(path.as_str()));
    let started = tokio::time::Instant::now();
    let response = next.run(request).await;
    let outcome = match response.status().as_u16() {
        200..=299 => "ok",
        401 | 403 => "refused",
        400..=499 => "bad_request",
        _ => "error",
    };
    metrics
        .ack_seconds
        .get_or_create(&crate::metrics::EndpointLabels {
            endpoint: endpoint.clone(),
        })
        .observe(started.elapsed().as_secs_f64());
    metrics
        .requests
        .get_or_create(&crate::metrics::RequestLabels { endpoint, outcome })
        .inc();
    response
}

#[derive(serde::Deserialize)]
struct FeedQuery {
    token: Option<String>,
}

/// The iCalendar feed, for calendars that subscribe by URL: the secret token in the query is
/// the only protection such clients support.
async fn calendar_feed(
    State(state): State<AppState>,
    axum::extract::Query(query): axum::extract::Query<FeedQuery>,
) -> Response {
    use secrecy::ExposeSecret;
    use subtle::ConstantTimeEq;
    let Some(expected) = &state.config.ics_token else {
        return (
            StatusCode::NOT_FOUND,
            "the calendar feed is off (set launches.ics_token)",
        )
            .into_response();
    };
    let given = query.token.unwrap_or_default();
    if !bool::from(given.as_bytes().ct_eq(expected.expose_secret().as_bytes())) {
        return (StatusCode::UNAUTHORIZED, "wrong or missing token").into_response();
    }
    match crate::export::gather(&state.store).await {
        Ok(launches) => (
            [("content-type", "text/calendar; charset=utf-8")],
            crate::export::ics(&launches, "liftoff", &state.config.calendar),
        )
            .into_response(),
        Err(err) => {
            tracing::error!(error = %err, "calendar feed failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Prometheus text exposition; the outbox gauges are read fresh from the store.
async fn metrics_endpoint(State(state): State<AppState>) -> Response {
    let metrics = &state.metrics;
    match state.store.outbox_backlog(state.clock.now()).await {
        Ok((depth, oldest)) => {
            metrics.outbox_depth.set(depth);
            let age = oldest.map_or(0, |at| (state.clock.now() - at).num_seconds().max(0));
            metrics.outbox_oldest_age_seconds.set(age);
        }
        Err(err) => tracing::warn!(error = %err, "metrics: cannot read the outbox"),
    }
    (
        [("content-type", "text/plain; version=0.0.4; charset=utf-8")],
        metrics.render(),
    )
        .into_response()
}

/// The process is up and answering. Says nothing about the database on purpose: a restart
/// would not fix an unreachable database, so liveness must not depend on it.
async fn healthz() -> &'static str {
    "ok"
}

/// Ready to do real work: the database answers and every migration is applied.
async fn readyz(State(state): State<AppState>) -> Response {
    if let Some(error) = state.slack.api.token_refused() {
        return not_ready(&format!(
            "Slack refuses the bot token ({error}): delivery is paused; reinstall the app or replace SLACK_BOT_TOKEN"
        ));
    }
    if let Err(err) = state.store.ping().await {
        tracing::warn!(error = %err, "readiness: database unreachable");
        return not_ready("database unreachable");
    }
    if let Some(free) = state.store.sqlite_free_bytes()
        && free < MIN_FREE_BYTES
    {
        tracing::warn!(free, "readiness: the database's disk is (nearly) full");
        return not_ready(&format!(
            "the database's disk is full ({} KiB free): writes fail until space is freed",
            free / 1024
        ));
    }
    // Before migrations the probe's table does not exist yet; that is reported below.
    if let Err(err) = state.store.probe_write(state.clock.now()).await
        && !matches!(state.store.pending_migrations().await, Ok(pending) if !pending.is_empty())
    {
        tracing::warn!(error = %err, "readiness: the database does not take writes");
        return not_ready("the database does not take writes (is the disk full?)");
    }
    match state.store.pending_migrations().await {
        Ok(pending) if pending.is_empty() => Json(json!({ "status": "ready" })).into_response(),
        Ok(pending) => not_ready(&format!(
            "{} migration(s) not applied: run `liftoff migrate`",
            pending.len()
        )),
        Err(err) => {
            tracing::warn!(error = %err, "readiness: cannot read migrations");
            not_ready("cannot read migration state")
        }
    }
}

fn not_ready(reason: &str) -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({ "status": "not ready", "reason": reason })),
    )
        .into_response()
}

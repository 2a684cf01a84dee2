//! Slow request bodies cannot hold a connection: a body must arrive within `PALISADE_BODY_TIMEOUT_SECS` (20 by
//! default) plus one second per 500 bytes received so far (the minimum-rate rule of Apache's mod_reqtimeout).
//! A large upload on a slow but honest link keeps going; a client trickling a byte a second is cut off, answered
//! 408 and the connection closed. (Request heads and idle keep-alive connections have the server's own
//! timeouts, see `main.rs`.)

use std::cell::Cell;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::{ConnectionType, header};
use actix_web::middleware::Next;
use actix_web::rt::time::{Instant, Sleep, sleep};
use actix_web::web::Bytes;
use actix_web::{Error, HttpMessage, ResponseError, web};
use std::future::Future;

use futures_util::Stream;

use crate::AppState;
use crate::error::AppError;

/// Bytes per second a body must average, beyond the base allowance.
const MIN_BYTES_PER_SEC: u64 = 500;

pub async fn body_deadline(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody + 'static>>, Error> {
    let allowance = req
        .app_data::<web::Data<AppState>>()
        .map_or(Duration::from_secs(20), |state| Duration::from_secs(state.config.body_timeout_secs));
    if !has_body(&req) {
        return Ok(next.call(req).await?.map_into_left_body());
    }
    let expired = Rc::new(Cell::new(false));
    let timed = DeadlineStream::new(req.take_payload(), allowance, expired.clone());
    req.set_payload(Payload::Stream { payload: Box::pin(timed) });
    let response = next.call(req).await?;
    if !expired.get() {
        return Ok(response.map_into_left_body());
    }
    let (request, _) = response.into_parts();
    let mut refused = AppError::RequestTimeout.error_response();
    refused.head_mut().set_connection_type(ConnectionType::Close);
    Ok(ServiceResponse::new(request, refused).map_into_right_body())
}

fn has_body(req: &ServiceRequest) -> bool {
    let headers = req.headers();
    headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .is_some_and(|len| len > 0)
}

/// The request's payload, failing with a timeout once the deadline passes between two chunks.
struct DeadlineStream {
    inner: Payload,
    started: Instant,
    allowance: Duration,
    received: u64,
    timer: Pin<Box<Sleep>>,
    expired: Rc<Cell<bool>>,
}

impl DeadlineStream {
    fn new(inner: Payload, allowance: Duration, expired: Rc<Cell<bool>>) -> DeadlineStream {
        let started = Instant::now();
        DeadlineStream { inner, started, allowance, received: 0, timer: Box::pin(sleep(allowance)), expired }
    }

    fn deadline(&self) -> Instant {
        self.started + self.allowance + Duration::from_secs(self.received / MIN_BYTES_PER_SEC)
    }
}

impl Stream for DeadlineStream {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.expired.get() {
            return Poll::Ready(None);
        }
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                this.received += chunk.len() as u64;
                let deadline = this.deadline();
                this.timer.as_mut().reset(deadline);
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(other) => Poll::Ready(other),
            Poll::Pending => match this.timer.as_mut().poll(cx) {
                Poll::Ready(()) => {
                    this.expired.set(true);
                    let timeout = std::io::Error::new(std::io::ErrorKind::TimedOut, "request body too slow");
                    Poll::Ready(Some(Err(PayloadError::Io(timeout))))
                }
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

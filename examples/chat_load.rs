//! The live chat load bench (issue 13, docs/PERFORMANCE.md "Live chat under load"): against a running server
//! seeded by `palisade demo --clients C --users U --portal-users N`, it signs in N portal end users and the
//! technicians who reach their clients, opens the technicians' consoles (so they count as available), starts N
//! chats, has each accepted by the client's technician, then for a fixed time both sides of every chat send
//! messages at a steady rate over real WebSockets. It prints how many messages were sent and received, how many
//! were lost or duplicated, and the latency from sending to receiving on the other side. At the end the
//! technicians end the chats (transcripts on new tickets), outside the measured window. docs/chat_load.sh seeds,
//! serves and runs it.
//!
//!   cargo run --release --example chat_load -- --base http://127.0.0.1:18182 --clients 100 --users 1000 \
//!       --sessions 200 --seconds 30 --every-ms 1000

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use futures_util::stream::{self, SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Mutex;
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest, http::HeaderValue};

const PASSWORD: &str = "palisade-demo-2026";
const COOKIE: &str = "palisade_session";
/// Sign-ins, chat starts, accepts and ends in flight at once (argon2 runs on the server's blocking pool).
const SETUP_PARALLEL: usize = 8;

#[derive(Parser, Clone)]
#[command(about = "Live chat load bench: N concurrent chats, messages both ways, latency and loss")]
struct Args {
    /// The running server.
    #[arg(long, default_value = "http://127.0.0.1:18182")]
    base: String,
    /// Clients seeded by `palisade demo --clients`.
    #[arg(long)]
    clients: usize,
    /// Users seeded by `palisade demo --users` (the technicians are one in a hundred).
    #[arg(long)]
    users: usize,
    /// Concurrent chats (one per portal end user portal0@load.test, ...).
    #[arg(long, default_value_t = 200)]
    sessions: usize,
    /// How long both sides send, in seconds.
    #[arg(long, default_value_t = 30)]
    seconds: u64,
    /// Each side of each chat sends a message this often, in milliseconds.
    #[arg(long, default_value_t = 1000)]
    every_ms: u64,
    /// How long to wait for the last messages after sending stops, in milliseconds.
    #[arg(long, default_value_t = 3000)]
    drain_ms: u64,
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>;

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Side {
    EndUser,
    Staff,
}

impl Side {
    /// The `author` the server puts on this side's messages.
    fn author(self) -> &'static str {
        match self {
            Side::EndUser => "end_user",
            Side::Staff => "staff",
        }
    }
}

/// What one socket heard from the other side: message numbers (to count loss and duplicates) and latencies.
#[derive(Default)]
struct Heard {
    numbers: Vec<u64>,
    latencies_us: Vec<u64>,
    /// Acknowledgments of this side's own messages (stored).
    acks: u64,
    errors: Vec<String>,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let addr: SocketAddr =
        args.base.trim_start_matches("http://").trim_end_matches('/').parse().expect("--base is http://IP:PORT");
    let technicians = (args.users / 100).max(1);
    let staff_of = |session: usize| (session % args.clients) % technicians;
    let staff_needed: Vec<usize> = {
        let mut t: Vec<usize> = (0..args.sessions).map(staff_of).collect();
        t.sort_unstable();
        t.dedup();
        t
    };

    let started = Instant::now();
    let staff: HashMap<usize, Signed> = stream::iter(staff_needed.iter().copied())
        .map(|t| async move { (t, Signed::staff(addr, &format!("tech{t}@load.test")).await) })
        .buffer_unordered(SETUP_PARALLEL)
        .collect()
        .await;
    // The consoles make the technicians available; they are read (and dropped) to the end.
    let mut consoles = Vec::new();
    for signed in staff.values() {
        let mut console = connect(addr, "/chat/ws", &signed.cookie).await;
        next_of(&mut console, "queue").await;
        consoles.push(tokio::spawn(async move { while let Some(Ok(_)) = console.next().await {} }));
    }
    let staff = Arc::new(staff);
    let chats: Vec<Chat> = stream::iter(0..args.sessions)
        .map(|s| {
            let (staff, slug) = (staff.clone(), format!("/portal/client-{:05}", s % args.clients));
            async move { Chat::open(addr, s, &slug, &staff[&staff_of(s)]).await }
        })
        .buffer_unordered(SETUP_PARALLEL)
        .collect()
        .await;
    println!(
        "{} chats open ({} technicians) in {:.1}s; each side sends every {} ms for {} s",
        chats.len(),
        staff.len(),
        started.elapsed().as_secs_f64(),
        args.every_ms,
        args.seconds
    );

    let clock = Instant::now();
    let send_for = Duration::from_secs(args.seconds);
    let every = Duration::from_millis(args.every_ms);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let sides = (args.sessions * 2) as u32;
    let mut runs = Vec::new();
    for (i, chat) in chats.iter().enumerate() {
        for (j, (side, socket)) in [(Side::EndUser, &chat.user), (Side::Staff, &chat.staff)].into_iter().enumerate() {
            let (sink, stream) = socket.lock().await.take().expect("an open socket").split();
            // Spread the senders' first messages over one interval so the rate is steady, not in bursts.
            let offset = every * (i as u32 * 2 + j as u32) / sides;
            let sender = tokio::spawn(send_steadily(sink, side, clock, offset, every, send_for));
            let reader = tokio::spawn(read_other_side(stream, side, clock, stopped.clone()));
            runs.push((side, sender, reader));
        }
    }
    let mut sent = Vec::new();
    for (side, sender, _) in &mut runs {
        sent.push((*side, sender.await.expect("a sender")));
    }
    tokio::time::sleep(Duration::from_millis(args.drain_ms)).await;
    let _ = stop.send(true);
    let mut report = Report::default();
    for ((side, (count, sink)), (_, _, reader)) in sent.into_iter().zip(runs) {
        // What this side sent is what the other side's reader heard; the pairs sit next to each other.
        report.sent.push((side, count));
        report.heard.push(reader.await.expect("a reader"));
        drop(sink);
    }
    report.print(clock.elapsed().min(send_for));

    let ended_at = Instant::now();
    let ended: usize = stream::iter(chats.iter())
        .map(|chat| chat.end(addr))
        .buffer_unordered(SETUP_PARALLEL)
        .map(usize::from)
        .fold(0, |a, b| async move { a + b })
        .await;
    println!(
        "{ended} of {} chats ended by their technician (transcripts on new tickets) in {:.1}s",
        chats.len(),
        ended_at.elapsed().as_secs_f64()
    );
    for console in consoles {
        console.abort();
    }
}

/// A signed-in person: their session cookie, a form token and, for staff, the organization their forms name.
struct Signed {
    cookie: String,
    csrf: String,
    org: String,
}

impl Signed {
    /// A staff member signed in through /login.
    async fn staff(addr: SocketAddr, email: &str) -> Signed {
        let signed = sign_in(addr, "/login", email).await;
        let console = get(addr, "/chat", &signed.cookie).await;
        // The page may have put a new form token in the session, and so set a new cookie.
        let csrf = field_in(&console.body, "_csrf").unwrap_or(signed.csrf);
        let org = field_in(&console.body, "_org").expect("the console's forms name the organization");
        Signed { cookie: console.cookie.unwrap_or(signed.cookie), csrf, org }
    }
}

/// GET the sign-in form (a session and its token), POST it; the signed-in session.
async fn sign_in(addr: SocketAddr, path: &str, email: &str) -> Signed {
    let form = get(addr, path, "").await;
    let cookie = form.cookie.expect("a session cookie with the sign-in form");
    let csrf = field_in(&form.body, "_csrf").expect("a form token on the sign-in form");
    let body = encode(&[("_csrf", &csrf), ("email", email), ("password", PASSWORD)]);
    let signed = post(addr, path, &cookie, &body).await;
    assert_eq!(signed.status, 303, "{email} signs in at {path}: {} {}", signed.status, signed.body);
    Signed { cookie: signed.cookie.unwrap_or(cookie), csrf, org: String::new() }
}

/// One chat of the run: the end user's and the staff member's sockets, both past hello.
struct Chat {
    id: String,
    staff_cookie: String,
    staff_csrf: String,
    staff_org: String,
    user: Mutex<Option<Socket>>,
    staff: Mutex<Option<Socket>>,
}

impl Chat {
    /// portal{n}@load.test signs in, starts a chat and says hello on its socket; the technician accepts it and
    /// says hello on theirs.
    async fn open(addr: SocketAddr, n: usize, portal: &str, staff: &Signed) -> Chat {
        let user = sign_in(addr, &format!("{portal}/sign-in"), &format!("portal{n}@load.test")).await;
        let page = get(addr, &format!("{portal}/chat"), &user.cookie).await;
        let csrf = field_in(&page.body, "_csrf").expect("a form token on the chat page");
        let cookie = page.cookie.unwrap_or(user.cookie);
        let started = post(addr, &format!("{portal}/chat"), &cookie, &encode(&[("_csrf", &csrf)])).await;
        assert_eq!(started.status, 303, "portal{n} starts a chat: {}", started.body);
        let mut user_socket = connect(addr, &format!("{portal}/chat/ws"), &cookie).await;
        send(&mut user_socket, json!({"type": "hello", "last_seq": 0})).await;
        let welcome = next_of(&mut user_socket, "welcome").await;
        let id = welcome["chat"].as_str().expect("the chat's id").to_string();
        let accepted = post(
            addr,
            &format!("/chat/{id}/accept"),
            &staff.cookie,
            &encode(&[("_csrf", &staff.csrf), ("_org", &staff.org)]),
        )
        .await;
        let expected = format!("/chat/{id}");
        assert_eq!(
            accepted.location.as_deref(),
            Some(expected.as_str()),
            "the technician accepts {id}: {} {}",
            accepted.status,
            accepted.body
        );
        let mut staff_socket = connect(addr, &format!("/chat/{id}/ws"), &staff.cookie).await;
        send(&mut staff_socket, json!({"type": "hello", "last_seq": 0})).await;
        let welcome = next_of(&mut staff_socket, "welcome").await;
        // Both sides start after what is already there (the "joined" message).
        let last_seq = welcome["last_seq"].as_i64().unwrap_or(0);
        skip_to(&mut staff_socket, last_seq).await;
        skip_to(&mut user_socket, last_seq).await;
        Chat {
            id,
            staff_cookie: staff.cookie.clone(),
            staff_csrf: staff.csrf.clone(),
            staff_org: staff.org.clone(),
            user: Mutex::new(Some(user_socket)),
            staff: Mutex::new(Some(staff_socket)),
        }
    }

    /// The technician ends the chat, its transcript on a new ticket; whether that worked.
    async fn end(&self, addr: SocketAddr) -> bool {
        let form = encode(&[("_csrf", &self.staff_csrf), ("_org", &self.staff_org), ("save_to", "new")]);
        let ended = post(addr, &format!("/chat/{}/end", self.id), &self.staff_cookie, &form).await;
        ended.status == 303
    }
}

/// Sends a message every `every` from `offset` until `send_for` has passed; the message says its number and
/// when it was sent. Returns how many it sent and the sink (closing it would end the socket early).
async fn send_steadily(
    mut sink: SplitSink<Socket, Message>,
    side: Side,
    clock: Instant,
    offset: Duration,
    every: Duration,
    send_for: Duration,
) -> (u64, SplitSink<Socket, Message>) {
    let mut tick = tokio::time::interval_at(tokio::time::Instant::from_std(clock + offset), every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut n = 0;
    loop {
        tick.tick().await;
        if clock.elapsed() >= send_for {
            return (n, sink);
        }
        let at = clock.elapsed().as_micros();
        let body = format!("load {} {n} {at}", side.author());
        let frame = json!({"type": "message", "body": body}).to_string();
        if sink.send(Message::text(frame)).await.is_err() {
            return (n, sink);
        }
        n += 1;
    }
}

/// Reads one socket until told to stop: the other side's messages (their number and latency), this side's acks,
/// error frames.
async fn read_other_side(
    mut stream: SplitStream<Socket>,
    side: Side,
    clock: Instant,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> Heard {
    let mut heard = Heard::default();
    let other = match side {
        Side::EndUser => Side::Staff,
        Side::Staff => Side::EndUser,
    };
    let prefix = format!("load {} ", other.author());
    loop {
        let frame = tokio::select! {
            frame = stream.next() => frame,
            _ = stop.changed() => return heard,
        };
        let text = match frame {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(_)) => continue,
            _ => {
                heard.errors.push(format!("{} socket closed", side.author()));
                return heard;
            }
        };
        let received_at = clock.elapsed().as_micros() as u64;
        let Ok(value) = serde_json::from_str::<Value>(&text) else { continue };
        match value["type"].as_str() {
            Some("message") => {
                let body = value["body"].as_str().unwrap_or_default();
                let Some(rest) = body.strip_prefix(&prefix) else { continue };
                let mut parts = rest.split(' ').map(|p| p.parse::<u64>().ok());
                if let (Some(Some(n)), Some(Some(at))) = (parts.next(), parts.next()) {
                    heard.numbers.push(n);
                    heard.latencies_us.push(received_at.saturating_sub(at));
                }
            }
            Some("ack") => heard.acks += 1,
            Some("error") => heard.errors.push(value["message"].as_str().unwrap_or_default().to_string()),
            _ => {}
        }
    }
}

/// Sent counts per side and what the other side heard, in the order the sockets were opened (user, staff of
/// chat 0, user, staff of chat 1, ...): the user's messages are heard by the staff reader and back.
#[derive(Default)]
struct Report {
    sent: Vec<(Side, u64)>,
    heard: Vec<Heard>,
}

impl Report {
    fn print(&self, window: Duration) {
        let (mut sent, mut received, mut lost, mut duplicated, mut acks) = (0u64, 0u64, 0u64, 0u64, 0u64);
        let mut latencies: Vec<u64> = Vec::new();
        let mut errors: Vec<&str> = Vec::new();
        for (pair, heard) in self.sent.chunks(2).zip(self.heard.chunks(2)) {
            // pair[0] is the end user's sending, heard by heard[1] (staff); pair[1] the staff's, heard by heard[0].
            for (count, listener) in [(pair[0].1, &heard[1]), (pair[1].1, &heard[0])] {
                let mut numbers = listener.numbers.clone();
                numbers.sort_unstable();
                let all = numbers.len() as u64;
                numbers.dedup();
                let distinct = numbers.iter().filter(|n| **n < count).count() as u64;
                sent += count;
                received += all;
                duplicated += all - numbers.len() as u64;
                lost += count - distinct;
                latencies.extend(&listener.latencies_us);
            }
            for h in heard {
                acks += h.acks;
                errors.extend(h.errors.iter().map(String::as_str));
            }
        }
        latencies.sort_unstable();
        let at = |q: f64| {
            let i = ((latencies.len() as f64 * q).ceil() as usize).saturating_sub(1);
            latencies.get(i).map_or(0.0, |us| *us as f64 / 1000.0)
        };
        println!(
            "messages: {sent} sent in {:.1}s ({:.0}/s), {received} received on the other side, {acks} acked, \
             {lost} lost, {duplicated} duplicated",
            window.as_secs_f64(),
            sent as f64 / window.as_secs_f64().max(0.001)
        );
        println!(
            "latency send -> other side (ms): p50 {:.2}  p90 {:.2}  p99 {:.2}  max {:.2}",
            at(0.50),
            at(0.90),
            at(0.99),
            at(1.0)
        );
        if !errors.is_empty() {
            println!("{} error frames, e.g. {:?}", errors.len(), &errors[..errors.len().min(5)]);
        }
    }
}

/// Reads frames until the message numbered `seq` (or later) went by.
async fn skip_to(socket: &mut Socket, seq: i64) {
    if seq == 0 {
        return;
    }
    loop {
        let frame = next_of(socket, "message").await;
        if frame["seq"].as_i64().unwrap_or(0) >= seq {
            return;
        }
    }
}

async fn connect(addr: SocketAddr, path: &str, cookie: &str) -> Socket {
    let mut request = format!("ws://{addr}{path}").into_client_request().expect("a socket address");
    let header = HeaderValue::from_str(&format!("{COOKIE}={cookie}")).expect("a cookie header");
    request.headers_mut().insert("cookie", header);
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, _)) => socket,
        Err(e) => panic!("socket {path}: {e}"),
    }
}

async fn send(socket: &mut Socket, frame: Value) {
    socket.send(Message::text(frame.to_string())).await.expect("send a frame");
}

/// The next frame of this type (others skipped); panics after 30 s or on a closed socket.
async fn next_of(socket: &mut Socket, kind: &str) -> Value {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(30), socket.next())
            .await
            .unwrap_or_else(|_| panic!("no {kind} frame in 30 s"));
        match frame {
            Some(Ok(Message::Text(text))) => {
                let value: Value = serde_json::from_str(&text).expect("a JSON frame");
                if value["type"] == kind {
                    return value;
                }
                if value["type"] == "error" {
                    panic!("error frame while waiting for {kind}: {value}");
                }
            }
            Some(Ok(_)) => continue,
            other => panic!("the socket closed while waiting for {kind}: {other:?}"),
        }
    }
}

/// An HTTP/1.1 response: status, Location, the session cookie it set, the body.
struct Response {
    status: u16,
    location: Option<String>,
    cookie: Option<String>,
    body: String,
}

async fn get(addr: SocketAddr, path: &str, cookie: &str) -> Response {
    request(addr, "GET", path, cookie, None).await
}

async fn post(addr: SocketAddr, path: &str, cookie: &str, form: &str) -> Response {
    request(addr, "POST", path, cookie, Some(form)).await
}

/// One request on its own connection (no redirects followed).
async fn request(addr: SocketAddr, method: &str, path: &str, cookie: &str, form: Option<&str>) -> Response {
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if !cookie.is_empty() {
        head.push_str(&format!("Cookie: {COOKIE}={cookie}\r\n"));
    }
    if let Some(form) = form {
        head.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
        head.push_str(&format!("Content-Length: {}\r\n", form.len()));
    }
    head.push_str("\r\n");
    head.push_str(form.unwrap_or(""));
    let mut conn = TcpStream::connect(addr).await.expect("connect to the server");
    conn.write_all(head.as_bytes()).await.expect("send the request");
    let mut raw = Vec::new();
    conn.read_to_end(&mut raw).await.expect("read the response");
    parse_response(&raw).unwrap_or_else(|| panic!("{method} {path}: unreadable response"))
}

fn parse_response(raw: &[u8]) -> Option<Response> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..split]).ok()?;
    let mut body = raw[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let (mut location, mut cookie, mut chunked) = (None, None, false);
    for line in lines {
        let Some((name, value)) = line.split_once(':') else { continue };
        let (name, value) = (name.trim().to_ascii_lowercase(), value.trim());
        match name.as_str() {
            "location" => location = Some(value.to_string()),
            "set-cookie" => {
                if let Some(rest) = value.strip_prefix(&format!("{COOKIE}=")) {
                    cookie = Some(rest.split(';').next().unwrap_or_default().to_string());
                }
            }
            "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
            _ => {}
        }
    }
    if chunked {
        body = dechunk(&body)?;
    }
    Some(Response { status, location, cookie, body: String::from_utf8_lossy(&body).into_owned() })
}

fn dechunk(mut raw: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = raw.windows(2).position(|w| w == b"\r\n")?;
        let size = usize::from_str_radix(std::str::from_utf8(&raw[..line_end]).ok()?.trim(), 16).ok()?;
        if size == 0 {
            return Some(out);
        }
        let start = line_end + 2;
        out.extend_from_slice(raw.get(start..start + size)?);
        raw = raw.get(start + size + 2..)?;
    }
}

/// The value of the first hidden field of this name on a page.
fn field_in(page: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.find(&marker)? + marker.len();
    let end = page[start..].find('"')?;
    Some(page[start..start + end].to_string())
}

fn encode(fields: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(fields).expect("form fields")
}

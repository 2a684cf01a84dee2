//! Live chat through real WebSockets against the application served on a loopback port: an end user of Tier Two
//! Legal chats with a technician who reaches that client; the transcript lands on a ticket. Also: other
//! clients' end users and staff who do not reach the client get nothing, bad frames get error frames, a
//! reconnect resumes without loss or duplicates, "leave a message" opens a ticket when nobody can chat, and on
//! PostgreSQL a message sent through one instance reaches a socket on another.

use std::net::{SocketAddr, TcpListener};
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::{HttpServer, web};
use diesel::prelude::*;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest, http::HeaderValue};

use crate::support::db;
use crate::support::fixture::{self, count};
use crate::support::{TestApp, start_time};
use palisade::AppState;
use palisade::db::ids::OrgId;

/// How long a test waits for a frame before failing (a safety net, not an assertion on speed).
const WAIT: Duration = Duration::from_secs(10);
const PORTAL: &str = "/portal/tier-two-legal";
const OFFICE: &[(&str, &str)] = &[
    ("hours_mon", "09:00-17:00"),
    ("hours_tue", "09:00-17:00"),
    ("hours_wed", "09:00-17:00"),
    ("hours_thu", "09:00-17:00"),
    ("hours_fri", "09:00-17:00"),
    ("medium_first_response", "1h"),
    ("medium_resolution", "8h"),
    ("is_default", "1"),
    ("enabled", "1"),
];

/// An instance of the application served over HTTP on a free loopback port, stopped when dropped.
struct Served {
    addr: SocketAddr,
    handle: ServerHandle,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Served {
    fn start(state: web::Data<AppState>) -> Served {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            let system = actix_web::rt::System::new();
            let _ = system.block_on(async move {
                let server = HttpServer::new(move || palisade::app(state.clone()))
                    .workers(1)
                    .disable_signals()
                    .shutdown_timeout(1)
                    .listen(listener)?
                    .run();
                let _ = tx.send(server.handle());
                server.await
            });
        });
        let handle = rx.recv_timeout(WAIT).expect("the server started");
        Served { addr, handle, thread: Some(thread) }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens a socket as the person whose session cookie is given; Err(status) when the handshake is refused.
async fn connect(addr: SocketAddr, path: &str, cookie: &str, origin: Option<&str>) -> Result<Socket, u16> {
    let mut request = format!("ws://{addr}{path}").into_client_request().unwrap();
    let header = format!("{}={cookie}", palisade::SESSION_COOKIE);
    request.headers_mut().insert("cookie", HeaderValue::from_str(&header).unwrap());
    if let Some(origin) = origin {
        request.headers_mut().insert("origin", HeaderValue::from_str(origin).unwrap());
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, _)) => Ok(socket),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => Err(response.status().as_u16()),
        Err(e) => panic!("socket failed: {e}"),
    }
}

async fn send(socket: &mut Socket, frame: Value) {
    socket.send(Message::text(frame.to_string())).await.expect("send a frame");
}

/// The next JSON frame (pings and pongs skipped).
async fn next(socket: &mut Socket) -> Value {
    loop {
        let frame = tokio::time::timeout(WAIT, socket.next()).await.expect("a frame in time").expect("socket open");
        match frame.expect("a frame") {
            Message::Text(text) => return serde_json::from_str(&text).expect("JSON"),
            Message::Close(_) => panic!("the socket closed"),
            _ => continue,
        }
    }
}

/// The next frame of this type, skipping others (typing notices, queue updates).
async fn next_of(socket: &mut Socket, kind: &str) -> Value {
    loop {
        let frame = next(socket).await;
        if frame["type"] == kind {
            return frame;
        }
    }
}

/// The next `message` frame that is not the system's.
async fn next_said(socket: &mut Socket) -> Value {
    loop {
        let frame = next_of(socket, "message").await;
        if frame["author"] != "system" {
            return frame;
        }
    }
}

struct Chat {
    app: TestApp,
    f: fixture::Msp,
    other: fixture::Other,
    contact: String,
}

/// Tier Two Legal's end user Erin (contact erin@tiertwo.test), Tom Tech assigned to Tier Two, and another MSP.
async fn setup() -> Chat {
    let (app, f, other) = TestApp::with_tenants().await;
    let contact = {
        let mut conn = app.conn();
        let contact = crate::desk::contact(&mut conn, &f.t2, "Erin Enduser", "erin@tiertwo.test");
        fixture::portal_user(&mut conn, &f.t2, "erin@tiertwo.test", "Erin Enduser", Some(&contact), false);
        let rex = fixture::portal_user(&mut conn, &other.client, "rex@bakery.test", "Rex Baker", None, false);
        let _ = rex;
        contact.to_string()
    };
    Chat { app, f, other, contact }
}

/// A staff member's session cookie, signed in through the form.
async fn cookie_of(app: &TestApp, email: &str) -> String {
    let mut c = app.client().await;
    c.sign_in(email).await;
    c.cookie(palisade::SESSION_COOKIE).expect("a session cookie")
}

/// An end user's session cookie, signed in through their portal's sign-in page.
async fn portal_cookie(app: &TestApp, portal: &str, email: &str) -> String {
    let mut c = app.client().await;
    c.portal_sign_in(portal, email).await;
    c.cookie(palisade::SESSION_COOKIE).expect("a session cookie")
}

fn chat_id(app: &TestApp) -> String {
    use palisade::schema::chat_sessions as cs;
    cs::table.select(cs::id).order(cs::started_at.desc()).first(&mut app.conn()).expect("a chat")
}

#[actix_web::test]
async fn an_end_user_chats_with_a_technician_and_the_transcript_lands_on_a_new_ticket() {
    let Chat { app, f, contact, .. } = setup().await;
    let server = Served::start(app.state.clone());
    let mut erin = app.client().await;
    erin.portal_sign_in(PORTAL, "erin@tiertwo.test").await;
    let erin_cookie = erin.cookie(palisade::SESSION_COOKIE).unwrap();

    // Nobody has the console open: the chat page offers only to leave a message.
    let page = erin.get(&format!("{PORTAL}/chat")).await;
    page.assert_status(200)
        .assert_contains("Nobody from the support team is available")
        .assert_not_contains("Start a chat");
    let home = erin.get(PORTAL).await;
    home.assert_contains("Chat with us").assert_contains(&format!("href=\"{PORTAL}/chat\""));

    // Tom opens the console: he is available, and sees the queue empty.
    let tom_cookie = cookie_of(&app, "tech@northwind.test").await;
    let mut console = connect(server.addr, "/chat/ws", &tom_cookie, None).await.expect("console socket");
    let queue = next_of(&mut console, "queue").await;
    assert_eq!(queue["waiting"], 0);

    let page = erin.get(&format!("{PORTAL}/chat")).await;
    page.assert_contains("Start a chat");
    erin.post(&format!("{PORTAL}/chat"), &[]).await.assert_redirect(&format!("{PORTAL}/chat"));
    let id = chat_id(&app);
    let queue = next_of(&mut console, "queue").await;
    assert_eq!(queue["waiting"], 1, "{queue}");
    assert_eq!(queue["chats"][0]["client"], "Tier Two Legal");
    assert_eq!(queue["chats"][0]["requester"], "Erin Enduser");

    let mut user = connect(server.addr, &format!("{PORTAL}/chat/ws"), &erin_cookie, None).await.expect("user socket");
    send(&mut user, json!({"type": "hello", "last_seq": 0})).await;
    let welcome = next_of(&mut user, "welcome").await;
    assert_eq!(welcome["status"], "waiting");
    send(&mut user, json!({"type": "message", "body": "My printer is on fire", "client_id": "c1"})).await;
    let ack = next_of(&mut user, "ack").await;
    assert_eq!((ack["seq"].as_i64(), ack["client_id"].as_str()), (Some(1), Some("c1")));
    assert_eq!(next_said(&mut user).await["body"], "My printer is on fire");

    // Tom accepts through the console's form; the chat leaves the waiting list.
    let mut tom = app.client().await;
    tom.sign_in("tech@northwind.test").await;
    let listed = tom.get("/chat").await;
    listed.assert_status(200).assert_contains("Erin Enduser").assert_contains("Tier Two Legal");
    tom.post(&format!("/chat/{id}/accept"), &[]).await.assert_redirect(&format!("/chat/{id}"));
    assert_eq!(next_of(&mut console, "queue").await["waiting"], 0);
    assert_eq!(next_of(&mut user, "status").await["status"], "active");

    let mut staff = connect(server.addr, &format!("/chat/{id}/ws"), &tom_cookie, None).await.expect("staff socket");
    send(&mut staff, json!({"type": "hello", "last_seq": 0})).await;
    assert_eq!(next_said(&mut staff).await["body"], "My printer is on fire");
    send(&mut user, json!({"type": "typing"})).await;
    assert_eq!(next_of(&mut staff, "typing").await["author"], "end_user");
    send(&mut staff, json!({"type": "message", "body": "Unplug it, please."})).await;
    let said = next_said(&mut user).await;
    assert_eq!((said["author"].as_str(), said["name"].as_str()), (Some("staff"), Some("Tom Tech")));
    assert_eq!(said["body"], "Unplug it, please.");

    // Tom ends it; the transcript becomes a new ticket of Tier Two, requested by Erin's contact.
    let ended = tom.post(&format!("/chat/{id}/end"), &[("save_to", "new")]).await;
    ended.assert_redirect(&format!("/chat/{id}"));
    let shown = tom.follow(&ended).await;
    shown.assert_contains("The transcript is on ticket #1");
    assert_eq!(next_of(&mut user, "status").await["status"], "ended");
    let mut conn = app.conn();
    let t2 = f.t2.as_str();
    assert_eq!(
        count(
            &mut conn,
            &format!(
                "SELECT COUNT(*) AS n FROM tickets WHERE org_id = '{t2}' AND requester_contact_id = '{contact}' AND source = 'portal'"
            )
        ),
        1
    );
    let transcript = count(
        &mut conn,
        "SELECT COUNT(*) AS n FROM ticket_events WHERE body LIKE '%My printer is on fire%' AND body LIKE '%Unplug it, please.%'",
    );
    assert_eq!(transcript, 1, "the transcript is on the ticket");
    let logged: Vec<String> = db::logged(&mut conn, t2, "chat.accept")
        .into_iter()
        .chain(db::logged(&mut conn, t2, "chat.end"))
        .map(|l| l.details)
        .collect();
    assert_eq!(logged, vec![String::new(), "ticket #1".to_string()]);
    // Once ended nobody writes in it.
    send(&mut staff, json!({"type": "message", "body": "Still there?"})).await;
    assert_eq!(next_of(&mut staff, "error").await["message"], "This chat has ended.");
    drop(server);
}

#[actix_web::test]
async fn the_transcript_goes_on_an_existing_ticket_chosen_by_number_and_a_bad_number_is_refused() {
    let Chat { app, f, .. } = setup().await;
    let (_, number) = crate::desk::ticket(&mut app.conn(), &f.t2, &f.tech, "VPN drops", None);
    crate::desk::ticket(&mut app.conn(), &f.t3, &f.admin, "Elsewhere", None);
    let other_client_ticket = crate::desk::ticket(&mut app.conn(), &f.t3, &f.admin, "Elsewhere too", None).1;
    open_chat_directly(&app, &f.t2, &f.msp);
    let id = chat_id(&app);
    let mut tom = app.client().await;
    tom.sign_in("tech@northwind.test").await;
    tom.get("/chat").await;
    tom.post(&format!("/chat/{id}/accept"), &[]).await.assert_status(303);
    tom.get(&format!("/chat/{id}")).await;
    let refused = tom.post(&format!("/chat/{id}/end"), &[("save_to", "existing"), ("ticket", "abc")]).await;
    refused
        .assert_status(422)
        .assert_contains("Enter the number of one of this client")
        .assert_contains("value=\"abc\"");
    // The number of another client's ticket (#2 of Tier Three; Tier Two has only #1) is not found.
    let refused = tom
        .post(&format!("/chat/{id}/end"), &[("save_to", "existing"), ("ticket", &other_client_ticket.to_string())])
        .await;
    refused.assert_status(422).assert_contains("There is no ticket with that number for this client.");
    assert_eq!(count(&mut app.conn(), "SELECT COUNT(*) AS n FROM chat_sessions WHERE status = 'ended'"), 0);
    let ended = tom.post(&format!("/chat/{id}/end"), &[("save_to", "existing"), ("ticket", &number.to_string())]).await;
    ended.assert_status(303);
    tom.follow(&ended).await.assert_contains(&format!("The transcript is on ticket #{number}"));
    assert_eq!(
        count(&mut app.conn(), "SELECT COUNT(*) AS n FROM ticket_events WHERE body LIKE '%Chat transcript%'"),
        1
    );
}

/// The access matrix's chat: a waiting chat of `client` with a message, started by `requester`.
pub fn matrix_chat(
    conn: &mut palisade::db::DbConnection,
    client: &OrgId,
    msp: &OrgId,
    requester: &palisade::db::ids::UserId,
    now: chrono::NaiveDateTime,
) -> String {
    use palisade::schema::{chat_messages as cm, chat_sessions as cs};
    let id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(cs::table)
        .values((
            cs::id.eq(&id),
            cs::org_id.eq(client.as_str()),
            cs::msp_org_id.eq(msp.as_str()),
            cs::requester_user_id.eq(requester.as_str()),
            cs::status.eq("waiting"),
            cs::last_seq.eq(1i64),
            cs::started_at.eq(now),
        ))
        .execute(conn)
        .unwrap();
    diesel::insert_into(cm::table)
        .values((
            cm::id.eq(uuid::Uuid::now_v7().to_string()),
            cm::org_id.eq(client.as_str()),
            cm::session_id.eq(&id),
            cm::seq.eq(1i64),
            cm::author_kind.eq("end_user"),
            cm::author_name.eq("Tara Target"),
            cm::body.eq("Is anyone there?"),
            cm::created_at.eq(now),
        ))
        .execute(conn)
        .unwrap();
    id
}

/// A waiting chat of Erin's, started without the pages (for tests about what others may do with it).
fn open_chat_directly(app: &TestApp, client: &OrgId, msp: &OrgId) {
    let erin: String = {
        use palisade::schema::users;
        users::table.filter(users::email.eq("erin@tiertwo.test")).select(users::id).first(&mut app.conn()).unwrap()
    };
    use palisade::schema::chat_sessions as cs;
    diesel::insert_into(cs::table)
        .values((
            cs::id.eq(uuid::Uuid::now_v7().to_string()),
            cs::org_id.eq(client.as_str()),
            cs::msp_org_id.eq(msp.as_str()),
            cs::requester_user_id.eq(erin),
            cs::status.eq("waiting"),
            cs::last_seq.eq(0i64),
            cs::started_at.eq(start_time()),
        ))
        .execute(&mut app.conn())
        .unwrap();
}

#[actix_web::test]
async fn other_clients_end_users_and_staff_who_do_not_reach_the_client_get_nothing() {
    let Chat { app, f, other, .. } = setup().await;
    let server = Served::start(app.state.clone());
    open_chat_directly(&app, &f.t2, &f.msp);
    let id = chat_id(&app);
    // Rex, an end user of another MSP's client, reaches no chat of Tier Two: not by slug, not by socket.
    let rex_cookie = portal_cookie(&app, "/portal/rival-client-bakery", "rex@bakery.test").await;
    assert_eq!(connect(server.addr, &format!("{PORTAL}/chat/ws"), &rex_cookie, None).await.err(), Some(404));
    // His own portal has no chat of his: nothing to join.
    assert_eq!(connect(server.addr, "/portal/rival-client-bakery/chat/ws", &rex_cookie, None).await.err(), Some(404));
    // Staff: a technician of this MSP assigned elsewhere, and the other MSP's admin, see and accept nothing.
    {
        let mut conn = app.conn();
        let ted = fixture::user(&mut conn, "ted@northwind.test", "Ted Other");
        fixture::member(&mut conn, &f.msp, &ted, palisade::auth::permissions::Role::MspTechnician);
        fixture::assign(&mut conn, &f.t3, &[&ted]);
    }
    for email in ["ted@northwind.test", "admin@contoso.test"] {
        let mut c = app.client().await;
        c.sign_in(email).await;
        c.get("/chat").await.assert_status(200).assert_not_contains("Erin Enduser");
        c.get(&format!("/chat/{id}")).await.assert_status(404);
        c.post(&format!("/chat/{id}/accept"), &[]).await.assert_status(404);
        let cookie = c.cookie(palisade::SESSION_COOKIE).unwrap();
        assert_eq!(connect(server.addr, &format!("/chat/{id}/ws"), &cookie, None).await.err(), Some(404));
    }
    let _ = other;
    assert_eq!(count(&mut app.conn(), "SELECT COUNT(*) AS n FROM chat_sessions WHERE status = 'waiting'"), 1);
    // An end user reaches no staff console; a client's own admin (not MSP staff) neither.
    let erin_cookie = portal_cookie(&app, PORTAL, "erin@tiertwo.test").await;
    assert!(connect(server.addr, "/chat/ws", &erin_cookie, None).await.is_err());
    // A cross-site page cannot open a socket with Erin's cookies.
    let refused = connect(server.addr, &format!("{PORTAL}/chat/ws"), &erin_cookie, Some("https://evil.example")).await;
    assert_eq!(refused.err(), Some(403));
}

#[actix_web::test]
async fn the_first_accept_wins_and_the_second_is_told_it_was_taken() {
    let Chat { app, f, .. } = setup().await;
    open_chat_directly(&app, &f.t2, &f.msp);
    let id = chat_id(&app);
    let mut tom = app.client().await;
    tom.sign_in("tech@northwind.test").await;
    let mut priya = app.client().await;
    priya.sign_in("mspadmin@northwind.test").await;
    priya.get("/chat").await.assert_contains("Erin Enduser");
    tom.get("/chat").await;
    tom.post(&format!("/chat/{id}/accept"), &[]).await.assert_redirect(&format!("/chat/{id}"));
    priya.post(&format!("/chat/{id}/accept"), &[]).await.assert_redirect("/chat");
    priya.get("/chat").await.assert_contains("Someone else already accepted this chat");
    let accepted_by: Option<String> = {
        use palisade::schema::chat_sessions as cs;
        cs::table.select(cs::accepted_by).first(&mut app.conn()).unwrap()
    };
    assert_eq!(accepted_by.as_deref(), Some(f.tech.as_str()));
    assert_eq!(db::logged(&mut app.conn(), f.t2.as_str(), "chat.accept").len(), 1);
}

#[actix_web::test]
async fn bad_frames_get_error_frames_and_the_chat_goes_on() {
    let Chat { app, f, .. } = setup().await;
    let server = Served::start(app.state.clone());
    open_chat_directly(&app, &f.t2, &f.msp);
    let cookie = portal_cookie(&app, PORTAL, "erin@tiertwo.test").await;
    let mut user = connect(server.addr, &format!("{PORTAL}/chat/ws"), &cookie, None).await.unwrap();
    let oversized = json!({"type": "message", "body": "x".repeat(5000)}).to_string();
    user.send(Message::text(oversized)).await.unwrap();
    assert!(next_of(&mut user, "error").await["message"].as_str().unwrap().contains("too large"));
    user.send(Message::text("{not json")).await.unwrap();
    assert_eq!(next_of(&mut user, "error").await["message"], "That frame is not valid JSON.");
    send(&mut user, json!({"type": "shout"})).await;
    assert_eq!(next_of(&mut user, "error").await["message"], "Unknown frame type.");
    send(&mut user, json!({"type": "message", "body": 42})).await;
    assert!(next_of(&mut user, "error").await["message"].as_str().unwrap().contains("wrong kind"));
    send(&mut user, json!({"type": "message", "body": "   "})).await;
    assert_eq!(next_of(&mut user, "error").await["message"], "Write a message first.");
    user.send(Message::binary(vec![1u8, 2, 3])).await.unwrap();
    assert_eq!(next_of(&mut user, "error").await["message"], "Frames are JSON text.");
    assert_eq!(count(&mut app.conn(), "SELECT COUNT(*) AS n FROM chat_messages"), 0);
    // The same socket still works.
    send(&mut user, json!({"type": "message", "body": "Hello?"})).await;
    assert_eq!(next_of(&mut user, "ack").await["seq"], 1);
    // Staff cannot write before accepting.
    let tom = cookie_of(&app, "tech@northwind.test").await;
    let mut staff = connect(server.addr, &format!("/chat/{}/ws", chat_id(&app)), &tom, None).await.unwrap();
    send(&mut staff, json!({"type": "message", "body": "Hi"})).await;
    assert_eq!(next_of(&mut staff, "error").await["message"], "Accept the chat before writing in it.");
    assert_eq!(count(&mut app.conn(), "SELECT COUNT(*) AS n FROM chat_messages"), 1);
}

#[actix_web::test]
async fn a_reconnecting_socket_gets_exactly_the_messages_it_missed() {
    let Chat { app, f, .. } = setup().await;
    let server = Served::start(app.state.clone());
    open_chat_directly(&app, &f.t2, &f.msp);
    let id = chat_id(&app);
    let mut tom = app.client().await;
    tom.sign_in("tech@northwind.test").await;
    tom.get("/chat").await;
    tom.post(&format!("/chat/{id}/accept"), &[]).await.assert_status(303);
    let tom_cookie = tom.cookie(palisade::SESSION_COOKIE).unwrap();
    let erin_cookie = portal_cookie(&app, PORTAL, "erin@tiertwo.test").await;
    let mut user = connect(server.addr, &format!("{PORTAL}/chat/ws"), &erin_cookie, None).await.unwrap();
    send(&mut user, json!({"type": "hello", "last_seq": 0})).await;
    // seq 1 is "Tom Tech joined the chat."
    assert_eq!(next_of(&mut user, "message").await["seq"], 1);
    send(&mut user, json!({"type": "message", "body": "one"})).await;
    assert_eq!(next_said(&mut user).await["seq"], 2);
    user.close(None).await.unwrap();
    drop(user);

    let mut staff = connect(server.addr, &format!("/chat/{id}/ws"), &tom_cookie, None).await.unwrap();
    send(&mut staff, json!({"type": "hello", "last_seq": 2})).await;
    for body in ["two", "three"] {
        send(&mut staff, json!({"type": "message", "body": body})).await;
        next_of(&mut staff, "ack").await;
    }
    let mut user = connect(server.addr, &format!("{PORTAL}/chat/ws"), &erin_cookie, None).await.unwrap();
    send(&mut user, json!({"type": "hello", "last_seq": 2})).await;
    let welcome = next_of(&mut user, "welcome").await;
    assert_eq!(welcome["last_seq"], 4);
    let (a, b) = (next_of(&mut user, "message").await, next_of(&mut user, "message").await);
    assert_eq!((a["seq"].as_i64(), a["body"].as_str()), (Some(3), Some("two")));
    assert_eq!((b["seq"].as_i64(), b["body"].as_str()), (Some(4), Some("three")));
    // Nothing else is pending: the next frame is the answer to a new message, not a duplicate.
    send(&mut user, json!({"type": "message", "body": "four"})).await;
    let after = next(&mut user).await;
    assert!(after["type"] == "ack" || (after["type"] == "message" && after["seq"] == 5), "{after}");
}

#[actix_web::test]
async fn leaving_a_message_when_nobody_can_chat_opens_a_ticket() {
    let Chat { app, f, contact, .. } = setup().await;
    let mut erin = app.client().await;
    erin.portal_sign_in(PORTAL, "erin@tiertwo.test").await;
    // Outside business hours: Tier Two's default calendar is closed on Sunday even with someone online.
    crate::desk::policy(&mut app.conn(), &f.t2, "UTC", OFFICE);
    app.clock().set(start_time() - chrono::Duration::days(1));
    let tom_online = || {
        let reach =
            palisade::psa::chat::models::StaffReach { msp: f.msp.clone(), user: f.tech.clone(), all_clients: false };
        palisade::psa::chat::presence::arrive(&mut app.conn(), &reach, app.now()).unwrap();
    };
    tom_online();
    let page = erin.get(&format!("{PORTAL}/chat")).await;
    page.assert_contains("We are outside our business hours right now.").assert_not_contains("Start a chat");
    // Starting anyway starts nothing.
    erin.post(&format!("{PORTAL}/chat"), &[]).await.assert_status(303);
    assert_eq!(count(&mut app.conn(), "SELECT COUNT(*) AS n FROM chat_sessions"), 0);

    let empty = erin.post(&format!("{PORTAL}/chat/message"), &[("message", "  ")]).await;
    empty.assert_status(422).assert_contains("Your message");
    assert_eq!(count(&mut app.conn(), "SELECT COUNT(*) AS n FROM tickets"), 0);
    let long = "y".repeat(4001);
    erin.post(&format!("{PORTAL}/chat/message"), &[("message", &long)]).await.assert_status(422).assert_contains(&long);

    let left = erin.post(&format!("{PORTAL}/chat/message"), &[("message", "Printer out of toner\nThird floor")]).await;
    left.assert_redirect(&format!("{PORTAL}/chat?left=1"));
    erin.follow(&left).await.assert_contains("We have your message as ticket #1");
    let t2 = f.t2.as_str();
    let opened = count(
        &mut app.conn(),
        &format!(
            "SELECT COUNT(*) AS n FROM tickets WHERE org_id = '{t2}' AND number = 1 AND requester_contact_id = '{contact}' AND subject = 'Chat message: Printer out of toner' AND source = 'portal'"
        ),
    );
    assert_eq!(opened, 1);
    // Monday 09:00 the client is open and Tom is online: chat is offered.
    app.clock().set(start_time());
    erin.get(&format!("{PORTAL}/chat")).await.assert_contains("Nobody from the support team is available");
    tom_online();
    erin.get(&format!("{PORTAL}/chat")).await.assert_contains("Start a chat");
}

#[actix_web::test]
async fn a_client_with_chat_turned_off_has_no_chat() {
    let Chat { app, f, .. } = setup().await;
    {
        use palisade::schema::portal_settings as ps;
        diesel::insert_into(ps::table)
            .values((ps::org_id.eq(f.t2.as_str()), ps::show_chat.eq(false), ps::updated_at.eq(start_time())))
            .execute(&mut app.conn())
            .unwrap();
    }
    let mut erin = app.client().await;
    erin.portal_sign_in(PORTAL, "erin@tiertwo.test").await;
    erin.get(PORTAL).await.assert_status(200).assert_not_contains("Chat with us");
    erin.get(&format!("{PORTAL}/chat")).await.assert_status(404);
    erin.post(&format!("{PORTAL}/chat/message"), &[("message", "hi")]).await.assert_status(404);
    assert_eq!(count(&mut app.conn(), "SELECT COUNT(*) AS n FROM tickets"), 0);
}

#[actix_web::test]
async fn on_postgresql_a_message_sent_through_one_instance_reaches_a_socket_on_another() {
    let Chat { app, f, .. } = setup().await;
    if app.conn().is_sqlite() {
        eprintln!("NOTICE: the two-instance chat test needs PostgreSQL (PALISADE_TEST_DATABASE_URL); skipped");
        return;
    }
    let (a, b) = (Served::start(app.state.clone()), Served::start(app.second_instance()));
    open_chat_directly(&app, &f.t2, &f.msp);
    let id = chat_id(&app);
    let tom_cookie = cookie_of(&app, "tech@northwind.test").await;
    let mut console_b = connect(b.addr, "/chat/ws", &tom_cookie, None).await.unwrap();
    assert_eq!(next_of(&mut console_b, "queue").await["waiting"], 1);
    let mut tom = app.client().await;
    tom.sign_in("tech@northwind.test").await;
    tom.get("/chat").await;
    tom.post(&format!("/chat/{id}/accept"), &[]).await.assert_status(303);
    assert_eq!(next_of(&mut console_b, "queue").await["waiting"], 0, "instance B hears of the accept");
    let mut staff_b = connect(b.addr, &format!("/chat/{id}/ws"), &tom_cookie, None).await.unwrap();
    send(&mut staff_b, json!({"type": "hello", "last_seq": 1})).await;
    next_of(&mut staff_b, "welcome").await;
    let erin_cookie = portal_cookie(&app, PORTAL, "erin@tiertwo.test").await;
    let mut user_a = connect(a.addr, &format!("{PORTAL}/chat/ws"), &erin_cookie, None).await.unwrap();
    send(&mut user_a, json!({"type": "hello", "last_seq": 1})).await;
    send(&mut user_a, json!({"type": "message", "body": "via A"})).await;
    let heard = next_said(&mut staff_b).await;
    assert_eq!((heard["seq"].as_i64(), heard["body"].as_str()), (Some(2), Some("via A")));
    send(&mut staff_b, json!({"type": "message", "body": "via B"})).await;
    assert_eq!(next_said(&mut user_a).await["body"], "via A");
    assert_eq!(next_said(&mut user_a).await["body"], "via B");
}

/// `palisade demo --clients 2 --portal-users 3` (the chat load bench's seed): portal end users dealt round the
/// clients, each a contact with a portal account, who sign in to their own client's portal (not another's) and
/// may chat there.
#[actix_web::test]
async fn the_load_demo_seeds_portal_end_users_who_sign_in_to_their_clients_portal() {
    let app = TestApp::new().await;
    let scale = palisade::orgs::demo::Scale { clients: 2, users: 10, portal_users: 3, ..Default::default() };
    let report = palisade::orgs::demo::seed_scale(&app.state.db, &scale).expect("the load demo");
    assert!(report.contains("3 portal end users"), "{report}");
    let linked = "SELECT COUNT(*) AS n FROM portal_accounts a JOIN contacts c ON c.id = a.contact_id AND c.org_id = a.org_id \
         JOIN users u ON u.id = a.user_id AND u.email = c.email";
    assert_eq!(count(&mut app.conn(), linked), 3, "each account links its user to the contact of the same email");
    let password = palisade::orgs::demo::DEMO_PASSWORD;
    // portal2 is the third end user: back round to the first client.
    let mut other = app.client().await;
    other
        .portal_sign_in_with("/portal/client-00001", "portal2@load.test", password)
        .await
        .assert_status(403)
        .assert_contains("Your account has no access to the Client 00001 portal.");
    let mut user = app.client().await;
    user.portal_sign_in_with("/portal/client-00000", "portal2@load.test", password).await.assert_status(303);
    user.get("/portal/client-00000/chat").await.assert_status(200).assert_contains("Portal User 2");
}

//! The portal's knowledge-base home, read from the kept shelf counts and the shelves' indexes: the client's own
//! articles and its MSP's MSP-wide ones in one order (last changed first, then by id) across pages and by
//! category, with their counts; never drafts, archived or internal articles, nor other organizations' shelves.

use chrono::{Duration, NaiveDateTime};

use super::sections::{PORTAL, article_links, world};
use crate::support::start_time;
use palisade::audit::Actor;
use palisade::db::DbConnection;
use palisade::db::ids::{ArticleId, OrgId};
use palisade::psa::kb::models::{self, ArticleInput, ArticleStatus, Audience, Reader};

/// Where an article sits and how it stands: its owner, MSP-wide or not, category, audience and status.
struct Placed<'a> {
    owner: &'a OrgId,
    msp_wide: bool,
    category: &'a str,
    audience: Audience,
    status: ArticleStatus,
}

impl<'a> Placed<'a> {
    fn public(owner: &'a OrgId, msp_wide: bool, category: &'a str) -> Placed<'a> {
        Placed { owner, msp_wide, category, audience: Audience::Public, status: ArticleStatus::Published }
    }
}

/// Writes the article as staff would, `minutes` after the start time, and moves it to its status then (the
/// time it was last changed); returns (that time, its id).
fn shelve(conn: &mut DbConnection, place: Placed, title: &str, minutes: i64) -> (NaiveDateTime, ArticleId) {
    let at = start_time() + Duration::minutes(minutes);
    let input = ArticleInput {
        title: title.into(),
        body: "Steps.".into(),
        category: place.category.into(),
        audience: Some(place.audience),
        msp_wide: place.msp_wide,
        ..Default::default()
    };
    let id = palisade::db::write_transaction(conn, |conn| {
        let id = models::insert(conn, place.owner, &input, None, &Actor::system("Seed", at))?;
        if place.status != ArticleStatus::Draft {
            let reader = Reader { org: place.owner.clone(), msp: Some(place.owner.clone()), staff: true };
            let article = models::find_visible(conn, &reader, &id)?.expect("the article");
            models::set_status(conn, &article, place.status, at)?;
        }
        Ok::<_, diesel::result::Error>(id)
    })
    .unwrap();
    (at, id)
}

#[actix_web::test]
async fn the_knowledge_base_home_lists_both_shelves_in_one_order_across_pages_and_categories() {
    let w = world().await;
    let (f, rival_msp) = (&w.f, &w.other.msp);
    // (last changed, id, category) of every article Erin may read: 16 of the client's own at even minutes, 14
    // MSP-wide at odd ones, and one of each changed at the same minute (their ids decide).
    let mut readable: Vec<(NaiveDateTime, ArticleId, &str)> = Vec::new();
    {
        let mut conn = w.app.conn();
        for i in 0..16 {
            let category = ["Email", "Network"][i % 2];
            let (at, id) =
                shelve(&mut conn, Placed::public(&f.t2, false, category), &format!("Own {i:02}"), 2 * i as i64);
            readable.push((at, id, category));
        }
        for i in 0..14 {
            let category = ["Email", "Printing"][i % 2];
            let place = Placed::public(&f.msp, true, category);
            let (at, id) = shelve(&mut conn, place, &format!("Shared {i:02}"), 2 * i as i64 + 1);
            readable.push((at, id, category));
        }
        for (owner, msp_wide, title) in [(&f.t2, false, "Own tie"), (&f.msp, true, "Shared tie")] {
            let (at, id) = shelve(&mut conn, Placed::public(owner, msp_wide, "Email"), title, 100);
            readable.push((at, id, "Email"));
        }
        // Newer still, all in Email, and none of them Erin's to read.
        let draft = Placed { status: ArticleStatus::Draft, ..Placed::public(&f.t2, false, "Email") };
        let archived = Placed { status: ArticleStatus::Archived, ..Placed::public(&f.t2, false, "Email") };
        let internal = Placed { audience: Audience::Internal, ..Placed::public(&f.t2, false, "Email") };
        let shared_internal = Placed { audience: Audience::Internal, ..Placed::public(&f.msp, true, "Email") };
        let hidden = [
            (draft, "Hidden draft"),
            (archived, "Hidden archived"),
            (internal, "Hidden internal"),
            (shared_internal, "Hidden shared internal"),
            (Placed::public(&f.msp, false, "Email"), "Hidden MSP's own"),
            (Placed::public(&f.t1, false, "Email"), "Hidden sibling client's"),
            (Placed::public(rival_msp, true, "Email"), "Hidden rival MSP article"),
        ];
        for (minutes, (place, title)) in (200..).zip(hidden) {
            shelve(&mut conn, place, title, minutes);
        }
    }
    readable.sort_by(|a, b| b.cmp(a));
    let ids = |rows: &[&(NaiveDateTime, ArticleId, &str)]| rows.iter().map(|r| r.1.to_string()).collect::<Vec<_>>();
    let all: Vec<_> = readable.iter().collect();
    let email: Vec<_> = readable.iter().filter(|r| r.2 == "Email").collect();
    assert_eq!((all.len(), email.len()), (32, 17));

    let mut erin = w.app.client().await;
    erin.portal_sign_in(PORTAL, "erin@tiertwo.test").await;
    let first = erin.get(&format!("{PORTAL}/kb")).await;
    first.assert_status(200).assert_contains("1–25 of 32").assert_contains("Page 1 of 2");
    assert_eq!(article_links(&first.body), ids(&all[..25]), "page 1, newest first");
    for (name, n) in [("Email", 17), ("Network", 8), ("Printing", 7)] {
        first.assert_contains(&format!("?category={name}\">{name}</a> <span class=\"muted small\">{n}</span>"));
    }
    let second = erin.get(&format!("{PORTAL}/kb?page=2")).await;
    second.assert_status(200).assert_contains("26–32 of 32");
    assert_eq!(article_links(&second.body), ids(&all[25..]), "page 2 goes on where page 1 stopped");
    let past_the_end = erin.get(&format!("{PORTAL}/kb?page=9")).await;
    assert_eq!(article_links(&past_the_end.body), ids(&all[25..]), "a page past the end shows the last one");
    let emails = erin.get(&format!("{PORTAL}/kb?category=Email")).await;
    emails.assert_status(200).assert_contains("1–17 of 17").assert_contains("aria-current=\"page\">Email</a>");
    assert_eq!(article_links(&emails.body), ids(&email), "one category, in the same order");
    for page in [&first, &second, &emails] {
        page.assert_not_contains("Hidden");
    }

    // Bad input: an unknown or hostile category lists nothing, a junk page number is page 1.
    let unknown = erin.get(&format!("{PORTAL}/kb?category=%22%3E%3Cscript%3Ex")).await;
    unknown.assert_status(200).assert_contains("No articles yet.").assert_not_contains("<script>x");
    assert!(article_links(&unknown.body).is_empty());
    let junk = erin.get(&format!("{PORTAL}/kb?page=abc")).await;
    assert_eq!(article_links(&junk.body), ids(&all[..25]));

    // The rival MSP's client reads its own MSP's article and nothing of Tier Two's; staff are not end users.
    let mut rex = w.app.client().await;
    rex.portal_sign_in("/portal/rival-client-bakery", "rex@bakery.test").await;
    let theirs = rex.get("/portal/rival-client-bakery/kb").await;
    theirs.assert_status(200).assert_contains("Hidden rival MSP article").assert_contains("1–1 of 1");
    theirs.assert_not_contains("Own 00").assert_not_contains("Shared 00");
    rex.get(&format!("{PORTAL}/kb")).await.assert_status(404).assert_not_contains("Own 00");
    let mut olive = w.app.signed_in("owner@tiertwo.test").await;
    olive.get(&format!("{PORTAL}/kb")).await.assert_status(303);
}

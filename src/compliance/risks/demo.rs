//! `palisade demo --clients N --risks R`: R risks in "Client 00001" (the register to measure), written in batches
//! with every category, treatment, rating and some exposure, so the heat maps and filters have data everywhere.

use chrono::NaiveDateTime;

use super::models::{self, Category, RiskInput, RiskStatus, Treatment};
use crate::db::ids::OrgId;
use crate::db::{Day, DbConnection};

/// Writes `total` risks in the second client (the first when there is one); returns how many.
pub fn seed_scale(
    conn: &mut DbConnection,
    clients: &[OrgId],
    total: usize,
    now: NaiveDateTime,
) -> diesel::QueryResult<usize> {
    let Some(org) = clients.get(1).or(clients.first()) else { return Ok(0) };
    let today = Day::from(now.date());
    let rows: Vec<RiskInput> = (0..total).map(|i| row(i, today)).collect();
    Ok(models::insert_many(conn, org, &rows, None, now)?.len())
}

fn row(i: usize, today: Day) -> RiskInput {
    let rating = |n: usize| 1 + (n % 5) as i32;
    let inherent = (rating(i / 5 + 2), rating(i + 3));
    let residual = ((inherent.0 - (i % 3) as i32).max(1), (inherent.1 - (i % 2) as i32).max(1));
    let treatment = Treatment::ALL[i % 4];
    let quantified = !i.is_multiple_of(3);
    RiskInput {
        title: format!("Load risk {i:05}"),
        description: "Seeded for load measurements.".into(),
        category: Category::ALL[i % Category::ALL.len()],
        affected_processes: ["Billing", "Scheduling", "Email", "File sharing"][i % 4].into(),
        owner_user_id: None,
        inherent,
        residual,
        treatment,
        treatment_plan: if treatment == Treatment::Accept { String::new() } else { "Planned work".into() },
        treatment_due_on: Some(today.plus_days((i % 180) as i64)),
        status: if i.is_multiple_of(2) { RiskStatus::Open } else { RiskStatus::InTreatment },
        next_review_on: Some(today.plus_days((i % 400) as i64 - 30)),
        sle_low_cents: if quantified { 500_000 + (i as i64 % 20) * 100_000 } else { 0 },
        sle_high_cents: if quantified { 5_000_000 + (i as i64 % 20) * 1_000_000 } else { 0 },
        aro_hundredths: if quantified { 10 + (i % 90) as i32 } else { 0 },
    }
}

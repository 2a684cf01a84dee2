//! `palisade demo --clients N --assets A`: A assets for load measurements, written in batches. With A >= 20,000,
//! "Client 00001" gets 20,000 of them (the big list to measure) and the rest are spread over the other clients.

use chrono::{Duration, NaiveDateTime};

use super::models::{self, AssetInput, AssetStatus, AssetType};
use crate::db::ids::OrgId;
use crate::db::{Day, DbConnection};

/// Assets of the one big client when there are enough.
const BIG_CLIENT_ASSETS: usize = 20_000;
const MAKES: [(&str, &str); 5] = [
    ("Dell", "Latitude 5440"),
    ("Lenovo", "ThinkPad T14"),
    ("HP", "EliteDesk 800"),
    ("Cisco", "Catalyst 9200"),
    ("Fortinet", "FortiGate 60F"),
];

/// Writes `total` assets over `clients`; returns how many.
pub fn seed_scale(
    conn: &mut DbConnection,
    clients: &[OrgId],
    total: usize,
    now: NaiveDateTime,
) -> diesel::QueryResult<usize> {
    if clients.is_empty() || total == 0 {
        return Ok(0);
    }
    let big = clients.get(1).unwrap_or(&clients[0]);
    let (on_big, others): (usize, Vec<&OrgId>) = if total >= BIG_CLIENT_ASSETS && clients.len() > 1 {
        (BIG_CLIENT_ASSETS, clients.iter().filter(|c| *c != big).collect())
    } else {
        (0, clients.iter().collect())
    };
    let mut written = models::insert_many(conn, big, &rows(0, on_big, now), now, 500)?;
    let rest = total - on_big;
    for (c, org) in others.iter().enumerate() {
        let share = rest / others.len() + usize::from(c < rest % others.len());
        written += models::insert_many(conn, org, &rows(c * 100_000, share, now), now, 500)?;
    }
    Ok(written)
}

/// `count` varied assets: every type and status, warranties over the next two years (some ending within 60
/// days), serial numbers and IP addresses unique within the organization.
fn rows(offset: usize, count: usize, now: NaiveDateTime) -> Vec<AssetInput> {
    let today = Day::from(now.date());
    (0..count)
        .map(|i| {
            let n = offset + i;
            let asset_type = AssetType::ALL[n % AssetType::ALL.len()];
            let (make, model) = MAKES[n % MAKES.len()];
            let licensed = asset_type.is_license();
            let warranty = today.plus_days((n % 730) as i64 - 30);
            AssetInput {
                name: format!("{} {n:05}", asset_type.label()),
                asset_type,
                status: [AssetStatus::InUse, AssetStatus::InUse, AssetStatus::InStock, AssetStatus::InRepair][n % 4],
                manufacturer: make.into(),
                model: model.into(),
                serial_number: Some(format!("SN{n:08}")),
                operating_system: if licensed { String::new() } else { "Windows 11 Pro".into() },
                ip_address: if licensed {
                    String::new()
                } else {
                    format!("10.{}.{}.{}", n / 65536 % 256, n / 256 % 256, n % 256)
                },
                mac_address: String::new(),
                location: format!("Floor {}", n % 5 + 1),
                contact_id: None,
                purchase_date: Some(Day::from((now - Duration::days(400)).date())),
                warranty_expires: (!licensed).then_some(warranty),
                seats_used: licensed.then_some((n % 40) as i32),
                seats_purchased: licensed.then_some(40),
                renewal_date: licensed.then_some(warranty),
                notes: String::new(),
            }
        })
        .collect()
}

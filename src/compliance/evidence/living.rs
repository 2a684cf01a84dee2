//! Living evidence: the organization's asset inventory (Service desk -> Assets) stands as evidence for the
//! asset-management common controls, the hardware in service for CCF-AM-01 and the software licenses and cloud
//! services for CCF-AM-02. An inventory with at least one asset counts as one approved evidence item, valid until
//! `CURRENT_DAYS` after its last update (an asset added, changed or retired), in the summary every control keeps
//! (`models::resummarize`): scores, the controls list and the control page treat it like any other evidence, and
//! an inventory left alone for longer stops counting, as an expired file would. Asset changes call
//! [`inventory_changed`], which rewrites those two summaries and, when they moved, the scores.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::compliance::program::index::CatalogIndex;
use crate::compliance::program::sync;
use crate::db::ids::OrgId;
use crate::db::{Day, DbConnection};
use crate::psa::assets::models::{self as assets, AssetStatus, AssetType};
use crate::schema::org_controls;

/// Days an inventory counts as current after its last update.
pub const CURRENT_DAYS: i64 = 90;

/// What the control page says of the rule.
pub const RULE: &str = "The inventory counts as current evidence while it was updated in the last 90 days: add, \
                        change or retire an asset to keep it current.";

/// Which part of the inventory a control takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InventoryKind {
    /// Everything but software licenses and cloud services (CCF-AM-01).
    Hardware,
    /// Software licenses and cloud services (CCF-AM-02).
    Software,
}

/// The controls the inventory is evidence for.
pub const CONTROLS: [(&str, InventoryKind); 2] =
    [("CCF-AM-01", InventoryKind::Hardware), ("CCF-AM-02", InventoryKind::Software)];

impl InventoryKind {
    pub fn of_control(control_id: &str) -> Option<InventoryKind> {
        CONTROLS.iter().find(|(id, _)| *id == control_id).map(|(_, kind)| *kind)
    }

    fn takes(self, asset_type: AssetType) -> bool {
        let software = matches!(asset_type, AssetType::SoftwareLicense | AssetType::CloudService);
        software == (self == InventoryKind::Software)
    }

    pub fn label(self) -> &'static str {
        match self {
            InventoryKind::Hardware => "Hardware inventory",
            InventoryKind::Software => "Software and license inventory",
        }
    }

    /// What the inventory lists ("hardware assets in service").
    pub fn noun(self) -> &'static str {
        match self {
            InventoryKind::Hardware => "hardware assets in service",
            InventoryKind::Software => "software licenses and cloud services in service",
        }
    }

    /// The asset list showing this part of the inventory.
    pub fn list_href(self) -> &'static str {
        match self {
            InventoryKind::Hardware => "/assets",
            InventoryKind::Software => "/assets?asset_type=software_license",
        }
    }
}

/// One part of the organization's inventory: how many assets in service, and when it last changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Inventory {
    pub kind: InventoryKind,
    pub in_service: i64,
    pub last_update: Option<NaiveDateTime>,
}

impl Inventory {
    /// The last day it counts as current evidence (None for an empty inventory: no evidence).
    pub fn valid_until(&self) -> Option<Day> {
        let last = self.last_update.filter(|_| self.in_service > 0)?;
        Some(Day::from(last.date()).plus_days(CURRENT_DAYS))
    }

    pub fn is_current(&self, today: Day) -> bool {
        self.valid_until().is_some_and(|until| until >= today)
    }
}

/// Both parts of the organization's inventory: one statement.
pub fn inventories(conn: &mut DbConnection, org_id: &OrgId) -> QueryResult<[Inventory; 2]> {
    let counts = assets::inventory_counts(conn, org_id)?;
    Ok(CONTROLS.map(|(_, kind)| {
        let rows = counts.iter().filter(|(t, ..)| kind.takes(*t));
        let in_service = rows.clone().filter(|(_, s, ..)| *s != AssetStatus::Retired).map(|(.., n, _)| *n).sum();
        let last_update = rows.filter_map(|(.., at)| *at).max();
        Inventory { kind, in_service, last_update }
    }))
}

/// The inventory of one control's kind.
pub fn inventory_of(conn: &mut DbConnection, org_id: &OrgId, kind: InventoryKind) -> QueryResult<Inventory> {
    let [hardware, software] = inventories(conn, org_id)?;
    Ok(if kind == InventoryKind::Hardware { hardware } else { software })
}

/// After the organization's assets changed (in the same transaction): the two controls' evidence summaries, then
/// the scores when a summary moved. Nothing when the organization's program does not hold those controls.
pub fn inventory_changed(
    conn: &mut DbConnection,
    index: &CatalogIndex,
    org_id: &OrgId,
    today: Day,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let ids: Vec<String> = CONTROLS.iter().map(|(id, _)| id.to_string()).collect();
    let before: Vec<(String, i32, Option<Day>)> = org_controls::table
        .filter(org_controls::org_id.eq(org_id))
        .filter(org_controls::control_id.eq_any(&ids))
        .select((org_controls::control_id, org_controls::evidence_approved, org_controls::evidence_valid_until))
        .load(conn)?;
    if before.is_empty() {
        return Ok(());
    }
    let held: Vec<String> = before.iter().map(|(id, ..)| id.clone()).collect();
    let after = super::models::resummarize(conn, org_id, &held, now)?;
    let moved = before.iter().any(|(id, approved, until)| {
        after.iter().any(|(a, summary)| a == id && (summary.0, summary.2) != (*approved, *until))
    });
    if moved {
        sync::refresh(conn, index, org_id, today, now)?;
    }
    Ok(())
}

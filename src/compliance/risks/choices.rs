//! What the risk form offers and checks a submission against: the organization's compliance team (owners), its
//! controls (mitigating controls) and its assets in service (affected assets). Three statements.

use diesel::prelude::*;

use super::forms::RiskForm;
use super::models::RiskInput;
use crate::auth::permissions::Tier;
use crate::compliance::controls::models::{Candidate, owner_candidates};
use crate::db::DbConnection;
use crate::db::ids::{AssetId, OrgId, UserId};
use crate::error::AppError;
use crate::psa::assets::models::AssetStatus;
use crate::schema::{assets, org_controls};
use crate::web::forms::FieldErrors;

/// Assets the picker offers at most (the most recently changed first).
const PICKER_ASSETS: i64 = 500;

#[derive(Clone, Debug)]
pub struct ControlChoice {
    pub id: String,
    pub title: String,
}

#[derive(Clone, Debug)]
pub struct AssetChoice {
    pub id: AssetId,
    pub name: String,
}

#[derive(Clone, Debug, Default)]
pub struct Choices {
    pub owners: Vec<Candidate>,
    pub controls: Vec<ControlChoice>,
    pub assets: Vec<AssetChoice>,
}

impl Choices {
    pub fn load(conn: &mut DbConnection, org: &OrgId, managed_by: Option<&(OrgId, Tier)>) -> Result<Choices, AppError> {
        let index = crate::compliance::program::index::embedded()?;
        let ids: Vec<String> = org_controls::table
            .filter(org_controls::org_id.eq(org))
            .order(org_controls::position.asc())
            .select(org_controls::control_id)
            .load(conn)?;
        let controls = ids
            .into_iter()
            .map(|id| {
                let title = index.control(&id).map(|i| index.controls[i].title.clone()).unwrap_or_default();
                ControlChoice { id, title }
            })
            .collect();
        let assets = assets::table
            .filter(assets::org_id.eq(org))
            .filter(assets::status.ne(AssetStatus::Retired))
            .order((assets::name.asc(), assets::id.asc()))
            .limit(PICKER_ASSETS)
            .select((assets::id, assets::name))
            .load::<(AssetId, String)>(conn)?
            .into_iter()
            .map(|(id, name)| AssetChoice { id, name })
            .collect();
        Ok(Choices { owners: owner_candidates(conn, org, managed_by)?, controls, assets })
    }

    /// "CCF-AC-01 Access control policy", or the id alone for a control the catalog no longer has.
    pub fn control_label(&self, id: &str) -> String {
        match self.controls.iter().find(|c| c.id == id) {
            Some(c) if !c.title.is_empty() => format!("{} {}", c.id, c.title),
            _ => id.to_string(),
        }
    }

    pub fn asset_name(&self, id: &AssetId) -> String {
        self.assets.iter().find(|a| &a.id == id).map(|a| a.name.clone()).unwrap_or_default()
    }

    pub fn owner_name(&self, id: &Option<UserId>) -> String {
        id.as_ref()
            .and_then(|id| self.owners.iter().find(|c| &c.user_id == id))
            .map(|c| c.name.clone())
            .unwrap_or_default()
    }

    /// The owner the form chose: one of the compliance team, or the current owner kept.
    pub fn owner(&self, errors: &mut FieldErrors, chosen: &str, current: Option<&UserId>) -> Option<UserId> {
        match chosen.trim() {
            "" => None,
            id if current.is_some_and(|c| c.as_str() == id) => current.cloned(),
            id => {
                let found = self.owners.iter().find(|c| c.user_id.as_str() == id).map(|c| c.user_id.clone());
                if found.is_none() {
                    errors.add("owner", "Choose an owner from the compliance team.");
                }
                found
            }
        }
    }

    /// The owner a CSV row names by email (one of the compliance team).
    pub fn owner_by_email(&self, email: &str) -> Option<UserId> {
        let email = email.trim().to_lowercase();
        self.owners.iter().find(|c| c.email.to_lowercase() == email).map(|c| c.user_id.clone())
    }

    fn controls_chosen(&self, errors: &mut FieldErrors, chosen: &[String]) -> Vec<String> {
        let mut picked: Vec<String> = chosen.iter().map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect();
        picked.sort();
        picked.dedup();
        if picked.iter().any(|c| !self.controls.iter().any(|k| &k.id == c)) {
            errors.add("controls", "Choose controls from this organization's controls.");
        }
        picked
    }

    fn assets_chosen(&self, errors: &mut FieldErrors, chosen: &[String]) -> Vec<AssetId> {
        let mut picked = Vec::new();
        for id in chosen.iter().map(|a| a.trim()).filter(|a| !a.is_empty()) {
            match self.assets.iter().find(|a| a.id.as_str() == id) {
                Some(a) if !picked.contains(&a.id) => picked.push(a.id.clone()),
                Some(_) => {}
                None => errors.add("assets", "Choose assets from this organization's assets in service."),
            }
        }
        picked
    }

    /// The whole form checked: the risk, its controls and its assets, or the fields at fault.
    pub fn validate(
        &self,
        form: &RiskForm,
        current: Option<&super::models::Risk>,
    ) -> Result<(RiskInput, Vec<String>, Vec<AssetId>), FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut input = super::forms::validate_fields(&mut errors, form.fields(), current.map(|r| r.status));
        input.owner_user_id = self.owner(&mut errors, &form.owner, current.and_then(|r| r.owner_user_id.as_ref()));
        let controls = self.controls_chosen(&mut errors, &form.controls);
        let assets = self.assets_chosen(&mut errors, &form.assets);
        if errors.is_empty() { Ok((input, controls, assets)) } else { Err(errors) }
    }
}

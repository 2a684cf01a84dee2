//! The policy forms: a draft's details and text, the review request, an approver's decision, and publishing;
//! each validated into what the models take, or the messages to show next to the fields.

use super::models::{Draft, PolicyKind};
use crate::compliance::controls::models::Candidate;
use crate::compliance::controls::page::REVIEW_CADENCES;
use crate::compliance::program::index::CatalogIndex;
use crate::db::ids::UserId;
use crate::web::forms::{self, FieldErrors};

pub const MAX_TITLE: usize = 200;
pub const MAX_BODY: usize = 200_000;
pub const MAX_SUMMARY: usize = 2_000;

/// A draft's form as typed.
#[derive(Clone, Debug, Default)]
pub struct DraftForm {
    pub title: String,
    pub kind: String,
    pub owner: String,
    pub review_months: String,
    pub next_review_on: String,
    pub body: String,
    pub controls: Vec<String>,
    /// When the policy was last saved, as the form read it (a save over a newer one is refused).
    pub stamp: String,
}

impl DraftForm {
    pub fn from_pairs(pairs: &[(String, String)]) -> DraftForm {
        let get = |name: &str| forms::value(pairs, name).to_string();
        DraftForm {
            title: get("title"),
            kind: get("kind"),
            owner: get("owner"),
            review_months: get("review_months"),
            next_review_on: get("next_review_on"),
            body: get("body"),
            controls: forms::values(pairs, "controls").into_iter().filter(|c| !c.trim().is_empty()).collect(),
            stamp: get("stamp"),
        }
    }

    pub fn of(p: &super::models::Policy, controls: Vec<String>) -> DraftForm {
        DraftForm {
            title: p.title.clone(),
            kind: p.kind.id().to_string(),
            owner: p.owner_user_id.as_ref().map(|u| u.to_string()).unwrap_or_default(),
            review_months: p.review_months.to_string(),
            next_review_on: p.next_review_on.map(|d| d.to_string()).unwrap_or_default(),
            body: p.body.clone(),
            controls,
            stamp: stamp(p.updated_at),
        }
    }

    pub fn has_control(&self, id: &str) -> bool {
        self.controls.iter().any(|c| c == id)
    }
}

/// The draft as submitted, or the fields at fault. A new owner must be on the compliance team (the current one
/// stays until someone chooses another); controls must be common controls of the catalog.
pub fn draft(
    form: &DraftForm,
    candidates: &[Candidate],
    current_owner: Option<&UserId>,
    catalog: &CatalogIndex,
) -> Result<Draft, FieldErrors> {
    let mut errors = FieldErrors::default();
    let title = forms::required(&mut errors, "title", &form.title, "Title", MAX_TITLE);
    let kind = PolicyKind::parse(form.kind.trim());
    if kind.is_none() {
        errors.add("kind", "Choose whether this is a security, privacy or general policy.");
    }
    let owner = match form.owner.trim() {
        "" => None,
        id if current_owner.is_some_and(|c| c.as_str() == id) => current_owner.cloned(),
        id => {
            let found = candidates.iter().find(|c| c.user_id.as_str() == id).map(|c| c.user_id.clone());
            if found.is_none() {
                errors.add("owner", "Choose an owner from the compliance team.");
            }
            found
        }
    };
    let review_months =
        form.review_months.trim().parse::<i32>().ok().filter(|m| *m > 0 && REVIEW_CADENCES.iter().any(|(c, _)| c == m));
    if review_months.is_none() {
        errors.add("review_months", "Choose how often the policy is reviewed.");
    }
    let next_review_on = forms::optional_day(&mut errors, "next_review_on", &form.next_review_on);
    let body = forms::required(&mut errors, "body", &form.body, "The policy text", MAX_BODY);
    let mut controls: Vec<String> = form.controls.iter().map(|c| c.trim().to_string()).collect();
    controls.sort();
    controls.dedup();
    if let Some(unknown) = controls.iter().find(|c| catalog.control(c).is_none()) {
        errors.add("controls", format!("{unknown} is not a common control of the catalog."));
    }
    match (kind, review_months) {
        (Some(kind), Some(review_months)) if errors.is_empty() => {
            Ok(Draft { title, kind, owner, review_months, next_review_on, body, controls })
        }
        _ => Err(errors),
    }
}

/// The change summary of a review request (required: the approver and later readers see what changed).
pub fn summary(text: &str) -> Result<String, FieldErrors> {
    let mut errors = FieldErrors::default();
    let summary = forms::required(&mut errors, "change_summary", text, "A summary of the change", MAX_SUMMARY);
    if errors.is_empty() { Ok(summary) } else { Err(errors) }
}

/// An approver's comment: required to send a policy back, optional with an approval.
pub fn comment(text: &str, required: bool) -> Result<String, FieldErrors> {
    let mut errors = FieldErrors::default();
    let comment = if required {
        forms::required(&mut errors, "comment", text, "A comment saying what to change", MAX_SUMMARY)
    } else {
        forms::optional(&mut errors, "comment", text, "The comment", MAX_SUMMARY)
    };
    if errors.is_empty() { Ok(comment) } else { Err(errors) }
}

/// Publishing: whether the change is material (people who acknowledged the previous version acknowledge this
/// one again) and why. The first version has nothing to compare with: it is material, no reason needed.
pub fn publication(material: &str, reason: &str, first: bool) -> Result<(bool, String), FieldErrors> {
    let mut errors = FieldErrors::default();
    let material = match (first, material.trim()) {
        (true, _) => Some(true),
        (false, "yes") => Some(true),
        (false, "no") => Some(false),
        _ => None,
    };
    if material.is_none() {
        errors.add("material", "Say whether the change is material (everyone acknowledges it again) or minor.");
    }
    let reason = if first {
        forms::optional(&mut errors, "reason", reason, "The reason", MAX_SUMMARY)
    } else {
        forms::required(&mut errors, "reason", reason, "The reason for this choice", MAX_SUMMARY)
    };
    match material {
        Some(material) if errors.is_empty() => Ok((material, reason)),
        _ => Err(errors),
    }
}

/// A policy's last save as the edit form carries it.
pub fn stamp(at: chrono::NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
}

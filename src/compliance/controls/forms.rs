//! The control page's forms: details (owner, due date, review cadence, next review, notes), status, and an
//! approver's decision, validated into what the models take.

use super::models::{Candidate, Details};
use super::page::{ControlForm, REVIEW_CADENCES};
use crate::compliance::program::ControlStatus;
use crate::db::ids::UserId;
use crate::web::forms::{self, FieldErrors};

pub const MAX_NOTES: usize = 20_000;
pub const MAX_JUSTIFICATION: usize = 2_000;
pub const MAX_COMMENT: usize = 2_000;

pub fn from_pairs(pairs: &[(String, String)]) -> ControlForm {
    let get = |name: &str| forms::value(pairs, name).to_string();
    ControlForm {
        owner: get("owner"),
        due_on: get("due_on"),
        review_months: get("review_months"),
        next_review_on: get("next_review_on"),
        notes: get("notes"),
        status: get("status"),
        justification: get("justification"),
        comment: get("comment"),
    }
}

/// The details as submitted, or the fields at fault. A new owner must be on the compliance team (the current
/// one stays, even after leaving it, until someone chooses another).
pub fn details(form: &ControlForm, candidates: &[Candidate], current: Option<&UserId>) -> Result<Details, FieldErrors> {
    let mut errors = FieldErrors::default();
    let owner = match form.owner.trim() {
        "" => None,
        id if current.is_some_and(|c| c.as_str() == id) => current.cloned(),
        id => {
            let found = candidates.iter().find(|c| c.user_id.as_str() == id).map(|c| c.user_id.clone());
            if found.is_none() {
                errors.add("owner", "Choose an owner from the compliance team.");
            }
            found
        }
    };
    let due_on = forms::optional_day(&mut errors, "due_on", &form.due_on);
    let review_months =
        form.review_months.trim().parse::<i32>().ok().filter(|m| REVIEW_CADENCES.iter().any(|(c, _)| c == m));
    if review_months.is_none() {
        errors.add("review_months", "Choose how often the control is reviewed.");
    }
    let next_review_on = forms::optional_day(&mut errors, "next_review_on", &form.next_review_on);
    let notes = forms::optional(&mut errors, "notes", &form.notes, "Implementation notes", MAX_NOTES);
    match review_months {
        Some(review_months) if errors.is_empty() => Ok(Details { owner, due_on, review_months, next_review_on, notes }),
        _ => Err(errors),
    }
}

/// The status someone working the control asked for, with the justification Not applicable needs.
pub fn status(form: &ControlForm) -> Result<(ControlStatus, String), FieldErrors> {
    let mut errors = FieldErrors::default();
    let status = ControlStatus::parse(form.status.trim());
    match status {
        Some(ControlStatus::Implemented) => errors.add(
            "status",
            "Only an approver marks a control implemented: choose Ready for review and another person approves it.",
        ),
        Some(_) => {}
        None => errors.add("status", "Choose a status."),
    }
    let justification = if status == Some(ControlStatus::NotApplicable) {
        forms::required(&mut errors, "justification", &form.justification, "Why it does not apply", MAX_JUSTIFICATION)
    } else {
        String::new()
    };
    match status {
        Some(status) if errors.is_empty() => Ok((status, justification)),
        _ => Err(errors),
    }
}

/// An approver's comment: required to send a control back, optional with an approval.
pub fn comment(form: &ControlForm, required: bool) -> Result<String, FieldErrors> {
    let mut errors = FieldErrors::default();
    let comment = if required {
        forms::required(&mut errors, "comment", &form.comment, "A comment saying what is missing", MAX_COMMENT)
    } else {
        forms::optional(&mut errors, "comment", &form.comment, "The comment", MAX_COMMENT)
    };
    if errors.is_empty() { Ok(comment) } else { Err(errors) }
}

/// The decision is refused to the person who asked for the review.
pub fn own_review(requested_by: Option<&UserId>, me: &UserId) -> Option<FieldErrors> {
    (requested_by == Some(me)).then(|| {
        let mut errors = FieldErrors::default();
        errors.add("decision", "You asked for this review, so another approver decides it.");
        errors
    })
}

//! The risk form: its values as typed, and their validation (shared with the CSV import's rows). The owner,
//! the mitigating controls and the affected assets are checked against the organization by the caller.

use super::models::{Category, Risk, RiskInput, RiskStatus, Treatment};
use crate::db::Day;
use crate::web::forms::{self, FieldErrors};

pub const MAX_TITLE: usize = 200;
pub const MAX_TEXT: usize = 10_000;
/// The highest annual rate of occurrence a form takes (daily).
const MAX_ARO_HUNDREDTHS: i32 = 36_500;

#[derive(Default, Clone, Debug)]
pub struct RiskForm {
    pub title: String,
    pub description: String,
    pub category: String,
    pub affected_processes: String,
    /// A user id from the picker ("" for nobody).
    pub owner: String,
    pub inherent_likelihood: String,
    pub inherent_impact: String,
    pub residual_likelihood: String,
    pub residual_impact: String,
    pub treatment: String,
    pub treatment_plan: String,
    pub treatment_due_on: String,
    pub status: String,
    pub next_review_on: String,
    pub sle_low: String,
    pub sle_high: String,
    pub aro: String,
    /// Catalog ids of the chosen controls.
    pub controls: Vec<String>,
    /// Ids of the chosen assets.
    pub assets: Vec<String>,
}

impl RiskForm {
    pub fn from_pairs(pairs: &[(String, String)]) -> RiskForm {
        let get = |name: &str| forms::value(pairs, name).to_string();
        RiskForm {
            title: get("title"),
            description: get("description"),
            category: get("category"),
            affected_processes: get("affected_processes"),
            owner: get("owner"),
            inherent_likelihood: get("inherent_likelihood"),
            inherent_impact: get("inherent_impact"),
            residual_likelihood: get("residual_likelihood"),
            residual_impact: get("residual_impact"),
            treatment: get("treatment"),
            treatment_plan: get("treatment_plan"),
            treatment_due_on: get("treatment_due_on"),
            status: get("status"),
            next_review_on: get("next_review_on"),
            sle_low: get("sle_low"),
            sle_high: get("sle_high"),
            aro: get("aro"),
            controls: forms::values(pairs, "controls"),
            assets: forms::values(pairs, "assets"),
        }
    }

    pub fn of(r: &Risk, controls: Vec<String>, assets: Vec<String>) -> RiskForm {
        let money = |cents: i64| if cents == 0 { String::new() } else { crate::billing::money::format_cents(cents) };
        RiskForm {
            title: r.title.clone(),
            description: r.description.clone(),
            category: r.category.id().into(),
            affected_processes: r.affected_processes.clone(),
            owner: r.owner_user_id.as_ref().map(|u| u.to_string()).unwrap_or_default(),
            inherent_likelihood: r.inherent_likelihood.to_string(),
            inherent_impact: r.inherent_impact.to_string(),
            residual_likelihood: r.residual_likelihood.to_string(),
            residual_impact: r.residual_impact.to_string(),
            treatment: r.treatment.id().into(),
            treatment_plan: r.treatment_plan.clone(),
            treatment_due_on: Risk::day_text(&r.treatment_due_on),
            status: r.status.id().into(),
            next_review_on: Risk::day_text(&r.next_review_on),
            sle_low: money(r.sle_low_cents),
            sle_high: money(r.sle_high_cents),
            aro: if r.aro_hundredths == 0 { String::new() } else { super::scale::rate(r.aro_hundredths) },
            controls,
            assets,
        }
    }

    pub fn fields(&self) -> RiskFields<'_> {
        RiskFields {
            title: &self.title,
            description: &self.description,
            category: &self.category,
            affected_processes: &self.affected_processes,
            inherent_likelihood: &self.inherent_likelihood,
            inherent_impact: &self.inherent_impact,
            residual_likelihood: &self.residual_likelihood,
            residual_impact: &self.residual_impact,
            treatment: &self.treatment,
            treatment_plan: &self.treatment_plan,
            treatment_due_on: &self.treatment_due_on,
            status: &self.status,
            next_review_on: &self.next_review_on,
            sle_low: &self.sle_low,
            sle_high: &self.sle_high,
            aro: &self.aro,
        }
    }

    pub fn has_control(&self, id: &str) -> bool {
        self.controls.iter().any(|c| c == id)
    }
    pub fn has_asset(&self, id: &str) -> bool {
        self.assets.iter().any(|a| a == id)
    }
}

/// A risk's fields as text (from the form or a CSV row), before checking.
#[derive(Clone, Copy, Debug, Default)]
pub struct RiskFields<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub category: &'a str,
    pub affected_processes: &'a str,
    pub inherent_likelihood: &'a str,
    pub inherent_impact: &'a str,
    pub residual_likelihood: &'a str,
    pub residual_impact: &'a str,
    pub treatment: &'a str,
    pub treatment_plan: &'a str,
    pub treatment_due_on: &'a str,
    pub status: &'a str,
    pub next_review_on: &'a str,
    pub sle_low: &'a str,
    pub sle_high: &'a str,
    pub aro: &'a str,
}

/// The fields in the order a page shows their errors (the first is what a refused CSV row says).
pub const FIELD_ORDER: [&str; 17] = [
    "title",
    "description",
    "category",
    "affected_processes",
    "owner",
    "inherent_likelihood",
    "inherent_impact",
    "residual_likelihood",
    "residual_impact",
    "treatment",
    "treatment_plan",
    "treatment_due_on",
    "status",
    "next_review_on",
    "sle_low",
    "sle_high",
    "aro",
];

/// Checks a risk's fields into `errors`. `current` is the status of the risk being edited (an accepted risk
/// keeps Accepted; None for a new one). The owner is left empty for the caller to set.
pub fn validate_fields(errors: &mut FieldErrors, f: RiskFields<'_>, current: Option<RiskStatus>) -> RiskInput {
    let title = forms::required(errors, "title", f.title, "Title", MAX_TITLE);
    let category = Category::from_text(f.category).unwrap_or_else(|| {
        errors.add("category", "Choose a category from the list.");
        Category::Cyber
    });
    let inherent = (
        rating(errors, "inherent_likelihood", f.inherent_likelihood, "likelihood"),
        rating(errors, "inherent_impact", f.inherent_impact, "impact"),
    );
    let residual = (
        rating(errors, "residual_likelihood", f.residual_likelihood, "likelihood"),
        rating(errors, "residual_impact", f.residual_impact, "impact"),
    );
    if errors.is_empty() && residual.0 * residual.1 > inherent.0 * inherent.1 {
        errors.add(
            "residual_likelihood",
            "The residual score (after the controls) cannot be higher than the inherent score.",
        );
    }
    let treatment = Treatment::from_text(f.treatment).unwrap_or_else(|| {
        errors.add("treatment", "Choose mitigate, accept, transfer or avoid.");
        Treatment::Mitigate
    });
    let treatment_plan = if treatment == Treatment::Accept {
        forms::optional(errors, "treatment_plan", f.treatment_plan, "The plan", MAX_TEXT)
    } else {
        forms::required(errors, "treatment_plan", f.treatment_plan, "A treatment plan", MAX_TEXT)
    };
    let status = status(errors, f.status, current);
    let (sle_low_cents, sle_high_cents) = sle(errors, f.sle_low, f.sle_high);
    RiskInput {
        title,
        description: forms::optional(errors, "description", f.description, "Description", MAX_TEXT),
        category,
        affected_processes: forms::optional(
            errors,
            "affected_processes",
            f.affected_processes,
            "Affected processes",
            2_000,
        ),
        owner_user_id: None,
        inherent,
        residual,
        treatment,
        treatment_plan,
        treatment_due_on: forms::optional_day(errors, "treatment_due_on", f.treatment_due_on),
        status,
        next_review_on: forms::optional_day(errors, "next_review_on", f.next_review_on),
        sle_low_cents,
        sle_high_cents,
        aro_hundredths: aro(errors, f.aro, sle_high_cents > 0),
    }
}

/// A likelihood or impact from 1 to 5 (a CSV may also say "4 Likely").
fn rating(errors: &mut FieldErrors, field: &'static str, value: &str, what: &str) -> i32 {
    let digits: String = value.trim().chars().take_while(char::is_ascii_digit).collect();
    match digits.parse::<i32>() {
        Ok(n) if (1..=5).contains(&n) => n,
        _ => {
            errors.add(field, format!("Choose a {what} from 1 to 5."));
            1
        }
    }
}

fn status(errors: &mut FieldErrors, value: &str, current: Option<RiskStatus>) -> RiskStatus {
    let kept = current.filter(|c| !RiskStatus::EDITABLE.contains(c));
    if value.trim().is_empty() {
        return kept.unwrap_or(RiskStatus::Open);
    }
    match RiskStatus::from_text(value) {
        Some(s) if RiskStatus::EDITABLE.contains(&s) || Some(s) == kept => s,
        _ => {
            errors
                .add("status", "Choose Open or In treatment (an approver accepts a risk; closing is its own button).");
            RiskStatus::Open
        }
    }
}

/// The single loss expectancy range in cents: both empty (not quantified), or low <= high.
fn sle(errors: &mut FieldErrors, low: &str, high: &str) -> (i64, i64) {
    let amount = |errors: &mut FieldErrors, field: &'static str, text: &str| {
        let text = text.trim().trim_start_matches('$');
        if text.is_empty() {
            return None;
        }
        let cents = crate::billing::money::parse_cents(text);
        if cents.is_none() {
            errors.add(field, "Enter an amount in dollars like 25,000 or 1250.50 (up to 10,000,000).");
        }
        cents
    };
    match (amount(errors, "sle_low", low), amount(errors, "sle_high", high)) {
        (Some(low), Some(high)) if low > high => {
            errors.add("sle_high", "The high estimate cannot be below the low one.");
            (low, high)
        }
        (Some(low), Some(high)) => (low, high),
        (Some(one), None) | (None, Some(one)) => (one, one),
        (None, None) => (0, 0),
    }
}

/// The annual rate of occurrence ("0.25" a year) in hundredths; required when a loss expectancy is given.
fn aro(errors: &mut FieldErrors, value: &str, required: bool) -> i32 {
    let text = value.trim();
    if text.is_empty() {
        if required {
            errors.add("aro", "Enter how many times a year it is expected, like 0.25 (once in four years).");
        }
        return 0;
    }
    match crate::billing::money::parse_cents(text).and_then(|h| i32::try_from(h).ok()) {
        Some(h) if h <= MAX_ARO_HUNDREDTHS => h,
        _ => {
            errors.add("aro", "Enter a rate from 0 to 365 times a year, with up to two decimals, like 0.25.");
            0
        }
    }
}

/// Today's date plus a year: the default next review of a new risk.
pub fn default_review(today: Day) -> Day {
    today.plus_months(12)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> RiskFields<'static> {
        RiskFields {
            title: "Ransomware",
            category: "cyber",
            inherent_likelihood: "4",
            inherent_impact: "5",
            residual_likelihood: "2",
            residual_impact: "4",
            treatment: "mitigate",
            treatment_plan: "Offline backups",
            ..Default::default()
        }
    }

    fn check(f: RiskFields<'_>) -> (RiskInput, FieldErrors) {
        let mut errors = FieldErrors::default();
        (validate_fields(&mut errors, f, None), errors)
    }

    #[test]
    fn exposure_is_sle_times_aro() {
        let (input, errors) = check(RiskFields { sle_low: "$10,000", sle_high: "50,000", aro: "0.5", ..base() });
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(input.eal(), (500_000, 2_500_000));
        let (_, errors) = check(RiskFields { sle_low: "10", sle_high: "5", aro: "", ..base() });
        assert!(errors.has("sle_high") && errors.has("aro"));
    }

    #[test]
    fn ratings_residual_and_status_are_checked() {
        let (_, errors) = check(RiskFields { inherent_likelihood: "6", residual_impact: "x", ..base() });
        assert!(errors.has("inherent_likelihood") && errors.has("residual_impact"));
        let (_, errors) = check(RiskFields { residual_likelihood: "5", residual_impact: "5", ..base() });
        assert!(errors.has("residual_likelihood"), "residual above inherent");
        let (_, errors) = check(RiskFields { status: "accepted", ..base() });
        assert!(errors.has("status"));
        let mut errors = FieldErrors::default();
        let kept =
            validate_fields(&mut errors, RiskFields { status: "accepted", ..base() }, Some(RiskStatus::Accepted));
        assert!(errors.is_empty() && kept.status == RiskStatus::Accepted);
        let (_, errors) = check(RiskFields { treatment_plan: "", ..base() });
        assert!(errors.has("treatment_plan"));
        let (input, errors) = check(RiskFields { treatment: "accept", treatment_plan: "", ..base() });
        assert!(errors.is_empty() && input.treatment == Treatment::Accept);
    }
}

//! The policy templates we ship (markdown files under `templates/`, embedded in the binary): each opens with a
//! TOML header between `+++` lines (slug, title, kind, review cadence, the common controls it supports, a
//! one-line summary), then the text with placeholders filled from the organization when a policy is made from it.

use std::sync::OnceLock;

use serde::Deserialize;

use super::models::PolicyKind;

/// The template files, by slug (the file is `templates/{slug}.md`). A unit test checks this list against the
/// directory, so a new file cannot be forgotten here.
macro_rules! template_files {
    ($($slug:literal),+ $(,)?) => {
        &[$(($slug, include_str!(concat!("templates/", $slug, ".md")))),+]
    };
}

const FILES: &[(&str, &str)] = template_files![
    "acceptable-use",
    "access-control",
    "asset-management",
    "backup",
    "business-continuity-disaster-recovery",
    "change-management",
    "data-classification-handling",
    "data-retention-disposal",
    "encryption",
    "hipaa-privacy-security",
    "incident-response",
    "information-security",
    "logging-monitoring",
    "mobile-devices-byod",
    "passwords-authentication",
    "physical-security",
    "privacy-data-subject-rights",
    "remote-work",
    "risk-management",
    "security-awareness-training",
    "vendor-management",
    "vulnerability-patch-management",
];

/// The placeholders a template may use, and what fills them.
pub const PLACEHOLDERS: [&str; 5] =
    ["organization", "security_lead", "privacy_lead", "effective_date", "next_review_date"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    slug: String,
    title: String,
    kind: String,
    review_months: i32,
    controls: Vec<String>,
    summary: String,
}

/// A parsed template.
#[derive(Clone, Debug)]
pub struct Template {
    pub slug: String,
    pub title: String,
    pub kind: PolicyKind,
    pub review_months: i32,
    pub controls: Vec<String>,
    pub summary: String,
    /// The markdown text, placeholders unfilled.
    pub body: String,
}

/// What fills the placeholders of a template for one organization.
#[derive(Clone, Debug)]
pub struct Fill {
    pub organization: String,
    pub security_lead: String,
    pub privacy_lead: String,
    pub effective_date: String,
    pub next_review_date: String,
}

impl Fill {
    fn value(&self, name: &str) -> Option<&str> {
        Some(match name {
            "organization" => &self.organization,
            "security_lead" => &self.security_lead,
            "privacy_lead" => &self.privacy_lead,
            "effective_date" => &self.effective_date,
            "next_review_date" => &self.next_review_date,
            _ => return None,
        })
    }
}

impl Template {
    /// The text with every placeholder replaced.
    pub fn filled(&self, fill: &Fill) -> String {
        let mut out = String::with_capacity(self.body.len() + 256);
        let mut rest = self.body.as_str();
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            match after.find("}}").and_then(|end| fill.value(after[..end].trim()).map(|v| (end, v))) {
                Some((end, value)) => {
                    out.push_str(value);
                    rest = &after[end + 2..];
                }
                None => {
                    out.push_str("{{");
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// The placeholder names the text uses (known or not).
    pub fn placeholders(&self) -> Vec<String> {
        let mut names = Vec::new();
        let mut rest = self.body.as_str();
        while let Some(start) = rest.find("{{") {
            let after = &rest[start + 2..];
            let Some(end) = after.find("}}") else { break };
            names.push(after[..end].trim().to_string());
            rest = &after[end + 2..];
        }
        names
    }
}

/// A template file parsed, or what is wrong with it.
pub fn parse(file: &str) -> Result<Template, String> {
    let file = file.trim_start_matches('\u{feff}');
    let rest = file.strip_prefix("+++").ok_or("the file must open with a +++ header")?;
    let end = rest.find("\n+++").ok_or("the +++ header is not closed")?;
    let header: Header = toml::from_str(&rest[..end]).map_err(|e| format!("header: {e}"))?;
    let kind = PolicyKind::parse(&header.kind).ok_or_else(|| format!("unknown kind {:?}", header.kind))?;
    let body = rest[end + 4..].trim_start_matches(['\r', '\n']).to_string();
    if header.title.trim().is_empty() || body.trim().is_empty() {
        return Err("a template needs a title and a text".into());
    }
    Ok(Template {
        slug: header.slug,
        title: header.title,
        kind,
        review_months: header.review_months,
        controls: header.controls,
        summary: header.summary,
        body,
    })
}

/// Every template, by title. The files are checked by the unit tests, so a file that does not parse is left
/// out rather than stopping the server.
pub fn all() -> &'static [Template] {
    static ALL: OnceLock<Vec<Template>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut all: Vec<Template> = FILES.iter().filter_map(|(_, text)| parse(text).ok()).collect();
        all.sort_by(|a, b| a.title.cmp(&b.title));
        all
    })
}

pub fn find(slug: &str) -> Option<&'static Template> {
    all().iter().find(|t| t.slug == slug)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_file_is_listed_and_parses_with_known_controls_and_placeholders() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/compliance/policies/templates");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().to_str()?.strip_suffix(".md").map(str::to_string))
            .collect();
        on_disk.sort();
        let mut listed: Vec<String> = FILES.iter().map(|(slug, _)| slug.to_string()).collect();
        listed.sort();
        assert_eq!(listed, on_disk, "FILES must list every template file");
        assert!(FILES.len() >= 20, "at least 20 templates, found {}", FILES.len());
        let catalog = crate::compliance::program::index::embedded().unwrap();
        for (slug, text) in FILES {
            let template = parse(text).unwrap_or_else(|e| panic!("{slug}: {e}"));
            assert_eq!(&template.slug, slug, "{slug}: the slug must match the file name");
            assert!(!template.summary.trim().is_empty(), "{slug}: summary");
            assert!(!template.controls.is_empty(), "{slug}: maps to no control");
            assert!(template.review_months > 0 && template.review_months <= 36, "{slug}: review_months");
            for control in &template.controls {
                assert!(catalog.control(control).is_some(), "{slug}: unknown control {control}");
            }
            for name in template.placeholders() {
                assert!(PLACEHOLDERS.contains(&name.as_str()), "{slug}: unknown placeholder {{{{{name}}}}}");
            }
        }
        assert_eq!(all().len(), FILES.len());
    }

    #[test]
    fn placeholders_are_filled_and_unknown_braces_left_alone() {
        let template = parse(
            "+++\nslug = \"x\"\ntitle = \"X\"\nkind = \"privacy\"\nreview_months = 12\ncontrols = []\nsummary = \"s\"\n+++\n# X\n{{organization}} / {{ security_lead }} / {{privacy_lead}} from {{effective_date}} to {{next_review_date}} {{other}}\n",
        )
        .unwrap();
        let fill = Fill {
            organization: "Acme".into(),
            security_lead: "Sam".into(),
            privacy_lead: "Pat".into(),
            effective_date: "Jan 1, 2027".into(),
            next_review_date: "Jan 1, 2028".into(),
        };
        assert_eq!(template.kind, PolicyKind::Privacy);
        assert_eq!(template.filled(&fill), "# X\nAcme / Sam / Pat from Jan 1, 2027 to Jan 1, 2028 {{other}}\n");
        assert!(parse("# no header").is_err());
        assert!(parse("+++\nslug = \"x\"\n").is_err());
    }
}

//! The article form: its values as typed, and their validation.

use serde::Deserialize;

use super::models::{Article, ArticleInput, Audience};
use crate::web::forms::{self, FieldErrors};

pub const MAX_BODY: usize = 100_000;

#[derive(Deserialize, Default, Clone, Debug)]
pub struct ArticleForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub tags: String,
    /// "internal" or "public".
    #[serde(default)]
    pub audience: String,
    /// "msp" for every client of the MSP, anything else for this organization only (new articles).
    #[serde(default)]
    pub place: String,
}

impl ArticleForm {
    pub fn of(a: &Article) -> ArticleForm {
        ArticleForm {
            title: a.title.clone(),
            body: a.body.clone(),
            category: a.category.clone(),
            tags: a.tags.clone(),
            audience: a.audience.id().to_string(),
            place: if a.msp_wide { "msp".into() } else { "org".into() },
        }
    }

    pub fn is_public(&self) -> bool {
        self.audience == Audience::Public.id()
    }

    pub fn is_msp_wide(&self) -> bool {
        self.place == "msp"
    }

    /// The article's fields, or the messages to show next to them. `may_share` says whether "every client of
    /// the MSP" is a choice this person has.
    pub fn validate(&self, may_share: bool) -> Result<ArticleInput, FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = forms::required(&mut errors, "title", &self.title, "Title", 200);
        let body = self.body.trim().to_string();
        if body.is_empty() {
            errors.add("body", "Write the article's text.");
        } else if body.chars().count() > MAX_BODY {
            errors.add("body", format!("The text must be at most {MAX_BODY} characters."));
        }
        let category = forms::optional(&mut errors, "category", &self.category, "Category", 60);
        let tags = tags(&mut errors, &self.tags);
        let audience = Audience::parse(self.audience.trim());
        if audience.is_none() {
            errors.add("audience", "Choose who may read the article.");
        }
        if self.is_msp_wide() && !may_share {
            errors.add("place", "Only the MSP's staff can share an article with every client.");
        }
        let input = ArticleInput { title, body, category, tags, audience, msp_wide: self.is_msp_wide() };
        if errors.is_empty() { Ok(input) } else { Err(errors) }
    }
}

/// Tags as typed ("vpn, Remote access") normalised to "vpn, remote access": at most 10 of at most 30 characters.
fn tags(errors: &mut FieldErrors, text: &str) -> String {
    let mut tags: Vec<String> = Vec::new();
    for tag in text.split(',').map(|t| t.trim().to_lowercase()).filter(|t| !t.is_empty()) {
        if tag.chars().count() > 30 {
            errors.add("tags", "Each tag must be at most 30 characters.");
        }
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    if tags.len() > 10 {
        errors.add("tags", "Use at most 10 tags.");
    }
    tags.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_fields_and_normalises_tags() {
        let form = ArticleForm {
            title: " Reset a VPN token ".into(),
            body: "Steps".into(),
            tags: "VPN, remote, vpn,".into(),
            audience: "public".into(),
            ..Default::default()
        };
        let input = form.validate(false).unwrap();
        assert_eq!((input.title.as_str(), input.tags.as_str()), ("Reset a VPN token", "vpn, remote"));
        let bad = ArticleForm { place: "msp".into(), audience: "everyone".into(), ..Default::default() };
        let errors = bad.validate(false).unwrap_err();
        for field in ["title", "body", "audience", "place"] {
            assert!(errors.has(field), "{field}");
        }
    }
}

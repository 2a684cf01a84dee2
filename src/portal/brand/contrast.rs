//! WCAG 2.x contrast between the portal's colors and what is drawn on or around them: the text on the primary
//! color (white or dark, whichever reads better) and the primary and accent colors against the page.

/// The portal's page background.
pub const PAGE_BACKGROUND: &str = "#ffffff";
/// The dark text offered on a light primary color.
pub const DARK_TEXT: &str = "#111827";
/// WCAG AA for normal text.
pub const AA: f64 = 4.5;

/// A `#rrggbb` color, lower-cased; None for anything else.
pub fn parse_hex(text: &str) -> Option<String> {
    let hex = text.trim().strip_prefix('#')?;
    (hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then(|| format!("#{}", hex.to_ascii_lowercase()))
}

/// The relative luminance of a `#rrggbb` color (0 black .. 1 white).
fn luminance(color: &str) -> f64 {
    let channel = |i: usize| {
        let value = u8::from_str_radix(color.get(1 + 2 * i..3 + 2 * i).unwrap_or("00"), 16).unwrap_or(0);
        let c = f64::from(value) / 255.0;
        if c <= 0.039_28 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
    };
    0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2)
}

/// The contrast ratio of two `#rrggbb` colors (1 .. 21).
pub fn ratio(a: &str, b: &str) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    let (light, dark) = if la >= lb { (la, lb) } else { (lb, la) };
    (light + 0.05) / (dark + 0.05)
}

/// The text color that reads better on `background`: white or dark.
pub fn text_on(background: &str) -> &'static str {
    if ratio("#ffffff", background) >= ratio(DARK_TEXT, background) { "#ffffff" } else { DARK_TEXT }
}

/// One pair of colors the portal draws together, with its ratio.
#[derive(Clone, Debug)]
pub struct Check {
    pub what: &'static str,
    pub ratio: f64,
}

impl Check {
    pub fn passes(&self) -> bool {
        self.ratio >= AA
    }

    /// "4.52:1", rounded down so that a ratio shown as 4.50 never fails.
    pub fn shown(&self) -> String {
        format!("{:.2}:1", (self.ratio * 100.0).floor() / 100.0)
    }
}

/// The checks of a pair of portal colors (both `#rrggbb`).
pub fn checks(primary: &str, accent: &str) -> Vec<Check> {
    vec![
        Check { what: "Text on the primary color", ratio: ratio(text_on(primary), primary) },
        Check { what: "Primary color on the page", ratio: ratio(primary, PAGE_BACKGROUND) },
        Check { what: "Accent color on the page", ratio: ratio(accent, PAGE_BACKGROUND) },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_match_the_wcag_reference_values() {
        assert!((ratio("#000000", "#ffffff") - 21.0).abs() < 1e-9);
        assert!((ratio("#ffffff", "#ffffff") - 1.0).abs() < 1e-9);
        // #767676 on white is the classic 4.54:1 grey.
        assert_eq!(Check { what: "", ratio: ratio("#767676", "#ffffff") }.shown(), "4.54:1");
        assert!(ratio("#777777", "#ffffff") < AA);
    }

    #[test]
    fn text_on_a_color_is_the_better_of_white_and_dark() {
        assert_eq!(text_on("#1d4ed8"), "#ffffff");
        assert_eq!(text_on("#fde047"), DARK_TEXT);
        let yellow = checks("#fde047", "#0f766e");
        assert!(yellow[0].passes(), "dark text on yellow reads");
        assert!(!yellow[1].passes(), "yellow on white does not");
        assert!(yellow[2].passes());
    }

    #[test]
    fn only_six_digit_hex_colors_parse() {
        assert_eq!(parse_hex(" #1D4ED8 ").as_deref(), Some("#1d4ed8"));
        for bad in ["1d4ed8", "#1d4ed", "#1d4ed8ff", "#gggggg", "blue", "", "#1d4e\u{e9}8"] {
            assert_eq!(parse_hex(bad), None, "{bad}");
        }
    }
}

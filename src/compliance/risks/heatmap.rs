//! The register's 5x5 heat maps (inherent and residual), drawn as server-side SVG: each cell's count, its level
//! colour, a title for assistive technology and a link to the register filtered on that cell; and the totals
//! (open risks, annualized exposure, the organization's level) from the same grouped figures.

use super::models::CellCount;
use super::scale::{IMPACT, LIKELIHOOD, Level};

/// Size of a cell and of the margin for the axis labels, in the SVG's units.
pub const CELL: i32 = 56;
pub const LEFT: i32 = 40;
pub const TOP: i32 = 8;

#[derive(Clone, Debug)]
pub struct HeatCell {
    pub likelihood: i32,
    pub impact: i32,
    pub risks: i64,
    pub level: Level,
    pub x: i32,
    pub y: i32,
    pub href: String,
    /// "Likelihood 4 Likely, impact 5 Severe: 3 risks (Critical)".
    pub title: String,
}

impl HeatCell {
    pub fn text_x(&self) -> i32 {
        self.x + CELL / 2
    }
    pub fn text_y(&self) -> i32 {
        self.y + CELL / 2 + 6
    }
}

#[derive(Clone, Debug)]
pub struct HeatMap {
    pub title: String,
    /// "inherent" or "residual": the register's filter parameter.
    pub kind: &'static str,
    /// Rows from likelihood 5 (top) to 1, each with impact 1 to 5 left to right.
    pub rows: Vec<Vec<HeatCell>>,
}

impl HeatMap {
    pub fn new(kind: &'static str, title: &str, counts: &[CellCount]) -> HeatMap {
        let cell_of = |c: &CellCount| if kind == "inherent" { c.inherent } else { c.residual };
        let rows = (1..=5)
            .rev()
            .map(|likelihood| {
                (1..=5)
                    .map(|impact| {
                        let risks: i64 =
                            counts.iter().filter(|c| cell_of(c) == (likelihood, impact)).map(|c| c.risks).sum();
                        let level = Level::of(likelihood * impact);
                        let noun = if risks == 1 { "risk" } else { "risks" };
                        HeatCell {
                            likelihood,
                            impact,
                            risks,
                            level,
                            x: LEFT + (impact - 1) * CELL,
                            y: TOP + (5 - likelihood) * CELL,
                            href: format!("/compliance/risks?{kind}={likelihood}x{impact}"),
                            title: format!(
                                "Likelihood {}, impact {}: {risks} {noun} ({})",
                                super::scale::likelihood_label(likelihood),
                                super::scale::impact_label(impact),
                                level.label()
                            ),
                        }
                    })
                    .collect()
            })
            .collect();
        HeatMap { title: title.to_string(), kind, rows }
    }

    pub fn width(&self) -> i32 {
        LEFT + 5 * CELL + 4
    }
    pub fn height(&self) -> i32 {
        TOP + 5 * CELL + 36
    }
    /// Where the axis labels go.
    pub fn axis_y(&self) -> i32 {
        TOP + 5 * CELL + 18
    }
    pub fn axis_title_y(&self) -> i32 {
        TOP + 5 * CELL + 34
    }
    pub fn mid_x(&self) -> i32 {
        LEFT + 5 * CELL / 2
    }
    /// The number labels under the columns: (x, impact).
    pub fn impact_ticks(&self) -> Vec<(i32, i32)> {
        (1..=5).map(|i| (LEFT + (i - 1) * CELL + CELL / 2, i)).collect()
    }
    /// The number labels left of the rows: (y, likelihood).
    pub fn likelihood_ticks(&self) -> Vec<(i32, i32)> {
        (1..=5).map(|l| (TOP + (5 - l) * CELL + CELL / 2 + 5, l)).collect()
    }
    pub fn summary(&self) -> String {
        let filled: Vec<String> = self
            .rows
            .iter()
            .flatten()
            .filter(|c| c.risks > 0)
            .map(|c| format!("likelihood {} impact {}: {}", c.likelihood, c.impact, c.risks))
            .collect();
        if filled.is_empty() {
            format!("{}: no open risks.", self.title)
        } else {
            format!("{}. {}", self.title, filled.join("; "))
        }
    }
    pub fn likelihood_names(&self) -> Vec<(i32, &'static str)> {
        LIKELIHOOD.iter().rev().map(|l| (l.value, l.name)).collect()
    }
    pub fn impact_names(&self) -> Vec<(i32, &'static str)> {
        IMPACT.iter().map(|l| (l.value, l.name)).collect()
    }
}

/// The organization's figures over its risks that are not closed.
#[derive(Clone, Debug)]
pub struct Totals {
    pub open: i64,
    pub eal_low_cents: i64,
    pub eal_high_cents: i64,
    /// None without open risks.
    pub level: Option<Level>,
    pub per_level: [(Level, i64); 4],
}

impl Totals {
    pub fn of(counts: &[CellCount]) -> Totals {
        let highest = counts.iter().map(|c| c.residual.0 * c.residual.1).max();
        let per_level = Level::ALL.map(|level| {
            let n = counts.iter().filter(|c| Level::of(c.residual.0 * c.residual.1) == level).map(|c| c.risks).sum();
            (level, n)
        });
        Totals {
            open: counts.iter().map(|c| c.risks).sum(),
            eal_low_cents: counts.iter().map(|c| c.eal_low_cents).sum(),
            eal_high_cents: counts.iter().map(|c| c.eal_high_cents).sum(),
            level: highest.map(Level::of),
            per_level,
        }
    }

    pub fn eal_text(&self) -> String {
        super::models::exposure_text(self.eal_low_cents, self.eal_high_cents)
    }
    pub fn level_label(&self) -> &'static str {
        self.level.map(Level::label).unwrap_or("None")
    }
    pub fn level_tone(&self) -> &'static str {
        self.level.map(Level::tone).unwrap_or("muted")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_count_and_link_to_the_register() {
        let counts = [
            CellCount { inherent: (5, 5), residual: (2, 3), risks: 2, eal_low_cents: 100, eal_high_cents: 300 },
            CellCount { inherent: (5, 5), residual: (1, 1), risks: 1, eal_low_cents: 0, eal_high_cents: 0 },
        ];
        let map = HeatMap::new("residual", "Residual", &counts);
        let cell = &map.rows[3][2];
        assert_eq!((cell.likelihood, cell.impact, cell.risks), (2, 3, 2));
        assert_eq!(cell.href, "/compliance/risks?residual=2x3");
        assert_eq!(HeatMap::new("inherent", "Inherent", &counts).rows[0][4].risks, 3);
        let totals = Totals::of(&counts);
        assert_eq!((totals.open, totals.eal_high_cents, totals.level), (3, 300, Some(Level::Medium)));
        assert_eq!(Totals::of(&[]).level_label(), "None");
    }
}

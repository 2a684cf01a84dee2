//! The register's 5x5 heat maps (inherent and residual), drawn as server-side SVG: each cell's count, its level
//! colour, a title for assistive technology and a link to the register filtered on that cell; and the totals
//! (open risks, annualized exposure, the organization's level) from the same grouped figures.

use super::cells::{CellCount, MapKind};
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
    pub fn new(map: MapKind, title: &str, counts: &[CellCount]) -> HeatMap {
        let kind = map.id();
        let rows = (1..=5)
            .rev()
            .map(|likelihood| {
                (1..=5)
                    .map(|impact| {
                        let risks = counts
                            .iter()
                            .find(|c| c.map == map && (c.likelihood, c.impact) == (likelihood, impact))
                            .map_or(0, |c| c.risks);
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
    /// From the residual map's cells (every open risk sits in exactly one).
    pub fn of(counts: &[CellCount]) -> Totals {
        let residual = || counts.iter().filter(|c| c.map == MapKind::Residual && c.risks > 0);
        let highest = residual().map(|c| c.likelihood * c.impact).max();
        let per_level = Level::ALL.map(|level| {
            let n = residual().filter(|c| Level::of(c.likelihood * c.impact) == level).map(|c| c.risks).sum();
            (level, n)
        });
        Totals {
            open: residual().map(|c| c.risks).sum(),
            eal_low_cents: residual().map(|c| c.eal_low_cents).sum(),
            eal_high_cents: residual().map(|c| c.eal_high_cents).sum(),
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
        let cell = |map, likelihood, impact, risks, eal_high_cents| CellCount {
            map,
            likelihood,
            impact,
            risks,
            eal_low_cents: eal_high_cents / 3,
            eal_high_cents,
        };
        let counts = [
            cell(MapKind::Inherent, 5, 5, 3, 300),
            cell(MapKind::Residual, 1, 1, 1, 0),
            cell(MapKind::Residual, 2, 3, 2, 300),
        ];
        let map = HeatMap::new(MapKind::Residual, "Residual", &counts);
        let cell = &map.rows[3][2];
        assert_eq!((cell.likelihood, cell.impact, cell.risks), (2, 3, 2));
        assert_eq!(cell.href, "/compliance/risks?residual=2x3");
        assert_eq!(HeatMap::new(MapKind::Inherent, "Inherent", &counts).rows[0][4].risks, 3);
        assert_eq!(map.rows[0][4].risks, 0, "the inherent cell is not on the residual map");
        let totals = Totals::of(&counts);
        assert_eq!((totals.open, totals.eal_high_cents, totals.level), (3, 300, Some(Level::Medium)));
        assert_eq!(Totals::of(&[]).level_label(), "None");
    }
}

//! Server-side SVG charts: the figures are computed here, the template draws them (escaped like any text).

/// A horizontal bar chart of labelled counts.
#[derive(Clone, Debug)]
pub struct BarChart {
    pub title: String,
    pub bars: Vec<Bar>,
    pub height: u32,
    pub total: i64,
}

#[derive(Clone, Debug)]
pub struct Bar {
    pub label: String,
    pub value: i64,
    /// The value as printed beside the bar ("12", "72%").
    pub text: String,
    /// Bar length in the chart's 0..=260 drawing units.
    pub width: u32,
    pub y: u32,
    pub text_y: u32,
    pub value_x: u32,
}

const ROW: u32 = 34;
const MAX_WIDTH: i64 = 260;

impl BarChart {
    pub fn new(title: &str, data: Vec<(String, i64)>) -> BarChart {
        let max = data.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
        BarChart::scaled(title, data, max, "")
    }

    /// Percentages (0 to 100), each bar against the full 100.
    pub fn percent(title: &str, data: Vec<(String, i64)>) -> BarChart {
        BarChart::scaled(title, data, 100, "%")
    }

    fn scaled(title: &str, data: Vec<(String, i64)>, max: i64, suffix: &str) -> BarChart {
        let bars: Vec<Bar> = data
            .into_iter()
            .enumerate()
            .map(|(i, (label, value))| {
                let width = if value > 0 { ((value.min(max) * MAX_WIDTH) / max).max(2) as u32 } else { 0 };
                let y = 8 + i as u32 * ROW;
                let text = format!("{value}{suffix}");
                Bar { label, value, text, width, y, text_y: y + 16, value_x: 130 + width + 8 }
            })
            .collect();
        let total = bars.iter().map(|b| b.value).sum();
        let height = 16 + bars.len() as u32 * ROW;
        BarChart { title: title.to_string(), bars, height, total }
    }

    /// A text description for screen readers.
    pub fn summary(&self) -> String {
        let parts: Vec<String> = self.bars.iter().map(|b| format!("{}: {}", b.label, b.text)).collect();
        format!("{}. {}", self.title, parts.join(", "))
    }
}

/// A line chart of percentages over days (the compliance trend): x is the day, y 0 to 100.
#[derive(Clone, Debug)]
pub struct TrendChart {
    pub title: String,
    pub lines: Vec<TrendLine>,
    /// (x, label) under the axis.
    pub x_ticks: Vec<(u32, String)>,
    /// (y, label) of the horizontal grid lines.
    pub y_ticks: Vec<(u32, String)>,
}

#[derive(Clone, Debug)]
pub struct TrendLine {
    pub label: String,
    /// The SVG path ("M x y L x y ...").
    pub path: String,
    /// Where the line ends, and its last value.
    pub end: Option<(u32, u32, i64)>,
    /// Style index (the stylesheet colours series 0 to 7).
    pub tone: usize,
}

/// Drawing area of the trend chart (in its viewBox units).
pub const TREND_LEFT: u32 = 44;
pub const TREND_WIDTH: u32 = 560;
pub const TREND_TOP: u32 = 10;
pub const TREND_HEIGHT: u32 = 180;

impl TrendChart {
    /// `days` days ending with `last_day` (oldest first: day 0 is `days - 1` days before it); each series is
    /// (label, [(day index, percent)]) with the days it has a value for, joined by straight lines.
    pub fn new(
        title: &str,
        days: u32,
        labels: [(u32, String); 3],
        series: Vec<(String, Vec<(u32, i64)>)>,
    ) -> TrendChart {
        let span = days.saturating_sub(1).max(1);
        let x = |d: u32| TREND_LEFT + d.min(span) * TREND_WIDTH / span;
        let y = |v: i64| TREND_TOP + TREND_HEIGHT - (v.clamp(0, 100) as u32 * TREND_HEIGHT / 100);
        let lines = series
            .into_iter()
            .enumerate()
            .map(|(i, (label, points))| {
                let path = points
                    .iter()
                    .enumerate()
                    .map(|(n, (d, v))| format!("{} {} {}", if n == 0 { "M" } else { "L" }, x(*d), y(*v)))
                    .collect::<Vec<_>>()
                    .join(" ");
                let end = points.last().map(|(d, v)| (x(*d), y(*v), *v));
                TrendLine { label, path, end, tone: i % 8 }
            })
            .collect();
        TrendChart {
            title: title.to_string(),
            lines,
            x_ticks: labels.into_iter().map(|(d, label)| (x(d), label)).collect(),
            y_ticks: [0, 25, 50, 75, 100].into_iter().map(|v| (y(v), format!("{v}%"))).collect(),
        }
    }

    pub fn has_data(&self) -> bool {
        self.lines.iter().any(|l| l.end.is_some())
    }

    /// A text description for screen readers.
    pub fn summary(&self) -> String {
        let parts: Vec<String> =
            self.lines.iter().filter_map(|l| l.end.map(|(_, _, v)| format!("{} now {v}%", l.label))).collect();
        format!("{}. {}", self.title, parts.join(", "))
    }

    pub fn bottom(&self) -> u32 {
        TREND_TOP + TREND_HEIGHT
    }
    pub fn right(&self) -> u32 {
        TREND_LEFT + TREND_WIDTH
    }
    pub fn left(&self) -> u32 {
        TREND_LEFT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_value() {
        let chart = BarChart::new("t", vec![("a".into(), 10), ("b".into(), 5), ("c".into(), 0)]);
        assert_eq!(chart.bars[0].width, 260);
        assert_eq!(chart.bars[1].width, 130);
        assert_eq!(chart.bars[2].width, 0);
        assert_eq!(chart.total, 15);
        let percent = BarChart::percent("p", vec![("a".into(), 50), ("b".into(), 100)]);
        assert_eq!((percent.bars[0].width, percent.bars[0].text.as_str()), (130, "50%"));
    }

    #[test]
    fn trend_lines_span_the_days_and_the_percent_range() {
        let labels = [(0, "a".to_string()), (45, "b".to_string()), (90, "c".to_string())];
        let chart = TrendChart::new("t", 91, labels, vec![("Overall".into(), vec![(0, 0), (90, 100)])]);
        assert_eq!(chart.lines[0].path, "M 44 190 L 604 10");
        assert_eq!(chart.lines[0].end, Some((604, 10, 100)));
        assert!(chart.has_data() && chart.summary().contains("Overall now 100%"));
    }
}

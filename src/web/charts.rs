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
        let bars: Vec<Bar> = data
            .into_iter()
            .enumerate()
            .map(|(i, (label, value))| {
                let width = if value > 0 { ((value * MAX_WIDTH) / max).max(2) as u32 } else { 0 };
                let y = 8 + i as u32 * ROW;
                Bar { label, value, width, y, text_y: y + 16, value_x: 130 + width + 8 }
            })
            .collect();
        let total = bars.iter().map(|b| b.value).sum();
        let height = 16 + bars.len() as u32 * ROW;
        BarChart { title: title.to_string(), bars, height, total }
    }

    /// A text description for screen readers.
    pub fn summary(&self) -> String {
        let parts: Vec<String> = self.bars.iter().map(|b| format!("{}: {}", b.label, b.value)).collect();
        format!("{}. {}", self.title, parts.join(", "))
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
    }
}

//! The agreement report's bar chart of α per document and coder pair, laid out on the
//! server as SVG. The table beside it holds the same figures (the chart is never the only
//! place a value is shown).

/// Where the bars start and how wide α = 1 is, in SVG user units.
const LABEL_WIDTH: f64 = 240.0;
const HALF_WIDTH: f64 = 180.0;
const ROW_HEIGHT: f64 = 22.0;
const TOP: f64 = 24.0;
const LONGEST_LABEL: usize = 34;

/// One bar: α from the zero line, leftwards when negative.
pub struct Bar {
    pub label: String,
    pub value: String,
    /// Top of the row.
    pub y: f64,
    pub x: f64,
    pub width: f64,
    pub negative: bool,
    /// The bar's colour class, by Krippendorff's reading (as the code table's bars).
    pub band: &'static str,
}

pub struct Chart {
    pub bars: Vec<Bar>,
    pub width: f64,
    pub height: f64,
    /// x of α = 0, −1 and 1.
    pub zero: f64,
    pub minus_one: f64,
    pub one: f64,
}

fn short(label: &str) -> String {
    if label.chars().count() <= LONGEST_LABEL {
        return label.to_owned();
    }
    let kept: String = label.chars().take(LONGEST_LABEL - 1).collect();
    format!("{kept}…")
}

/// Lays out one bar per `(label, α)`, in the order given.
pub fn layout(rows: &[(String, Option<f64>)]) -> Chart {
    let zero = LABEL_WIDTH + HALF_WIDTH;
    let bars = rows
        .iter()
        .enumerate()
        .map(|(i, (label, alpha))| {
            let value = alpha.map(|a| a.clamp(-1.0, 1.0)).unwrap_or(0.0);
            Bar {
                label: short(label),
                value: alpha.map_or("undefined".to_owned(), |a| format!("{a:.3}")),
                y: TOP + i as f64 * ROW_HEIGHT,
                x: zero + value.min(0.0) * HALF_WIDTH,
                width: value.abs() * HALF_WIDTH,
                negative: value < 0.0,
                band: match alpha {
                    Some(a) if *a >= 0.8 => "reliable",
                    Some(a) if *a >= 0.667 => "tentative",
                    _ => "",
                },
            }
        })
        .collect::<Vec<_>>();
    Chart {
        height: TOP + bars.len() as f64 * ROW_HEIGHT + 8.0,
        bars,
        width: zero + HALF_WIDTH + 60.0,
        zero,
        minus_one: zero - HALF_WIDTH,
        one: zero + HALF_WIDTH,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_grow_from_zero_both_ways_and_undefined_has_none() {
        let chart = layout(&[
            ("A".into(), Some(0.5)),
            ("B".into(), Some(-0.25)),
            ("C".into(), None),
            ("D".into(), Some(0.9)),
        ]);
        let [a, b, c, d] = &chart.bars[..] else {
            panic!("four bars")
        };
        assert_eq!((a.x, a.width), (chart.zero, HALF_WIDTH / 2.0));
        assert_eq!(
            (b.x, b.width),
            (chart.zero - HALF_WIDTH / 4.0, HALF_WIDTH / 4.0)
        );
        assert!(b.negative && !a.negative);
        assert_eq!((c.width, c.value.as_str()), (0.0, "undefined"));
        assert_eq!((a.band, d.band), ("", "reliable"));
        assert!(d.y > c.y && chart.height > d.y + ROW_HEIGHT - 1.0);
    }

    #[test]
    fn long_labels_are_shortened() {
        let chart = layout(&[("x".repeat(80), Some(1.0))]);
        assert_eq!(chart.bars[0].label.chars().count(), LONGEST_LABEL);
        assert!(chart.bars[0].label.ends_with('…'));
    }
}

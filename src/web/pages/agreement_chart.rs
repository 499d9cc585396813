//! The agreement report's bar charts of Krippendorff's α (per code, and per document and
//! coder pair), laid out on the server as SVG. The table beside each holds the same
//! figures, and the chart reads without colour: every bar prints its value, an undefined
//! α shows "—" and no bar, and the 0.667 and 0.800 readings are labelled lines.

use std::fmt::Write;

use crate::domain::chart::escape;

/// Where the bars start and how wide α = 1 is, in SVG user units.
/// Room for a 34-character code path and its unit count ("… (1614275 units)").
const LABEL_WIDTH: f64 = 380.0;
const HALF_WIDTH: f64 = 180.0;
const ROW_HEIGHT: f64 = 22.0;
const TOP: f64 = 24.0;
/// Room under the bars for the threshold labels.
const BOTTOM: f64 = 24.0;
const LONGEST_LABEL: usize = 34;
/// Krippendorff's (2004) readings: tentative from 0.667, reliable from 0.800.
const THRESHOLDS: [(f64, &str); 2] = [(0.667, "0.667 tentative"), (0.8, "0.800 reliable")];

/// One bar: α from the zero line, leftwards when negative.
pub struct Bar {
    /// What the bar is about, shortened, with the number of units behind it.
    pub label: String,
    /// α with three decimals, or "—" when undefined.
    pub value: String,
    /// The tooltip: the full label and the value.
    pub tip: String,
    /// Top of the row.
    pub y: f64,
    pub x: f64,
    pub width: f64,
    pub defined: bool,
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

/// One row of the data behind a chart: a label, its number of units, and α.
pub struct Row {
    pub label: String,
    pub units: u64,
    pub alpha: Option<f64>,
}

fn short(label: &str) -> String {
    if label.chars().count() <= LONGEST_LABEL {
        return label.to_owned();
    }
    let kept: String = label.chars().take(LONGEST_LABEL - 1).collect();
    format!("{kept}…")
}

fn units(n: u64) -> String {
    format!("{n} unit{}", if n == 1 { "" } else { "s" })
}

fn band(alpha: Option<f64>) -> &'static str {
    match alpha {
        Some(a) if a >= 0.8 => "reliable",
        Some(a) if a >= 0.667 => "tentative",
        _ => "",
    }
}

/// Lays out one bar per row, in the order given.
pub fn layout(rows: &[Row]) -> Chart {
    let zero = LABEL_WIDTH + HALF_WIDTH;
    let bars = rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let value = row.alpha.map(|a| a.clamp(-1.0, 1.0)).unwrap_or(0.0);
            let shown = row.alpha.map_or("—".to_owned(), |a| format!("{a:.3}"));
            let tip = match row.alpha {
                Some(_) => format!("{} ({}): α = {shown}", row.label, units(row.units)),
                None => format!("{} ({}): α undefined", row.label, units(row.units)),
            };
            Bar {
                label: format!("{} ({})", short(&row.label), units(row.units)),
                value: shown,
                tip,
                y: TOP + i as f64 * ROW_HEIGHT,
                x: zero + value.min(0.0) * HALF_WIDTH,
                width: value.abs() * HALF_WIDTH,
                defined: row.alpha.is_some(),
                negative: value < 0.0,
                band: band(row.alpha),
            }
        })
        .collect::<Vec<_>>();
    Chart {
        height: TOP + bars.len() as f64 * ROW_HEIGHT + BOTTOM,
        bars,
        width: zero + HALF_WIDTH + 60.0,
        zero,
        minus_one: zero - HALF_WIDTH,
        one: zero + HALF_WIDTH,
    }
}

/// The chart of α per code, from `(code path, units, α)` (`None` without codes).
pub fn per_code(rows: impl Iterator<Item = (String, u64, Option<f64>)>) -> Option<String> {
    chart(
        rows,
        "Krippendorff's α per code",
        "One bar per code of the table, from 0 (the solid line) to α, with the number of units behind it; bars to the left are negative, and an undefined α shows — and no bar. Dashed lines mark 0.667 (tentative) and 0.800 (reliable). The table holds the same figures.",
    )
}

/// The chart of α per document and coder pair, from `(document · pair, units, α)`.
pub fn per_document(rows: impl Iterator<Item = (String, u64, Option<f64>)>) -> Option<String> {
    chart(
        rows,
        "Krippendorff's α per document and coder pair",
        "One bar per row of the table below, from 0 (the solid line) to α; bars to the left are negative. Dashed lines mark 0.667 and 0.800. The table holds the same figures.",
    )
}

fn chart(
    rows: impl Iterator<Item = (String, u64, Option<f64>)>,
    title: &str,
    desc: &str,
) -> Option<String> {
    let rows: Vec<Row> = rows
        .map(|(label, units, alpha)| Row {
            label,
            units,
            alpha,
        })
        .collect();
    (!rows.is_empty()).then(|| layout(&rows).svg(title, desc))
}

impl Chart {
    /// x of an α value.
    fn at(&self, alpha: f64) -> f64 {
        self.zero + alpha * HALF_WIDTH
    }

    /// The chart as inline SVG, named by `title` for screen readers (`role="img"`).
    pub fn svg(&self, title: &str, desc: &str) -> String {
        let (w, h) = (self.width, self.height);
        let mut out = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"{t}\" \
             width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" class=\"bar-chart\">\
             <title>{t}</title><desc>{}</desc>",
            escape(desc),
            t = escape(title),
        );
        for (x, text) in [(self.minus_one, "−1"), (self.zero, "0"), (self.one, "1")] {
            let _ = write!(
                out,
                "<text x=\"{x}\" y=\"14\" text-anchor=\"middle\" class=\"axis\">{text}</text>"
            );
        }
        for bar in &self.bars {
            self.row(&mut out, bar);
        }
        let bottom = h - BOTTOM;
        for (i, (alpha, text)) in THRESHOLDS.iter().enumerate() {
            let x = self.at(*alpha);
            // The lower threshold's label ends at its line, the upper one's starts at it.
            let (anchor, dx) = if i == 0 {
                ("end", -3.0)
            } else {
                ("start", 3.0)
            };
            let _ = write!(
                out,
                "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"18\" y2=\"{}\" class=\"threshold\" \
                 stroke=\"#333\" stroke-dasharray=\"4 3\"></line>\
                 <text x=\"{:.1}\" y=\"{}\" text-anchor=\"{anchor}\" class=\"axis\">{text}</text>",
                bottom + 4.0,
                x + dx,
                bottom + 16.0,
            );
        }
        let _ = write!(
            out,
            "<line x1=\"{z}\" x2=\"{z}\" y1=\"18\" y2=\"{bottom}\" class=\"zero-line\" stroke=\"#333\"></line></svg>",
            z = self.zero
        );
        out
    }

    fn row(&self, out: &mut String, bar: &Bar) {
        let text_y = bar.y + 15.0;
        let _ = write!(
            out,
            "<g><title>{}</title><text x=\"{}\" y=\"{text_y}\" text-anchor=\"end\" class=\"bar-label\">{}</text>",
            escape(&bar.tip),
            self.minus_one - 8.0,
            escape(&bar.label)
        );
        if bar.defined {
            let _ = write!(
                out,
                "<rect x=\"{:.1}\" y=\"{}\" width=\"{:.1}\" height=\"14\" class=\"bar {}{}\"></rect>",
                bar.x,
                bar.y + 4.0,
                bar.width,
                bar.band,
                if bar.negative { " negative" } else { "" }
            );
        }
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{text_y}\" class=\"bar-value\">{}</text></g>",
            self.one + 6.0,
            escape(&bar.value)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(label: &str, units: u64, alpha: Option<f64>) -> Row {
        Row {
            label: label.into(),
            units,
            alpha,
        }
    }

    #[test]
    fn bars_grow_from_zero_both_ways_and_undefined_has_none() {
        let chart = layout(&[
            row("A", 10, Some(0.5)),
            row("B", 1, Some(-0.25)),
            row("C", 0, None),
            row("D", 7, Some(0.9)),
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
        assert_eq!((c.width, c.value.as_str(), c.defined), (0.0, "—", false));
        assert_eq!((a.band, d.band), ("", "reliable"));
        assert_eq!(
            (a.label.as_str(), b.label.as_str()),
            ("A (10 units)", "B (1 unit)")
        );
        assert!(d.y > c.y && chart.height > d.y + ROW_HEIGHT - 1.0);
    }

    #[test]
    fn long_labels_are_shortened_but_keep_their_units() {
        let chart = layout(&[row(&"x".repeat(80), 3, Some(1.0))]);
        let label = &chart.bars[0].label;
        assert!(label.starts_with(&format!("{}…", "x".repeat(LONGEST_LABEL - 1))));
        assert!(label.ends_with(" (3 units)"), "{label}");
        assert!(chart.bars[0].tip.starts_with(&"x".repeat(80)));
    }

    #[test]
    fn the_svg_prints_every_value_draws_the_thresholds_and_skips_undefined_bars() {
        let chart = layout(&[row("Trust <T>", 12, Some(0.812)), row("Hope", 4, None)]);
        let svg = chart.svg("α per code", "desc");
        assert!(svg.starts_with(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"α per code\""
        ));
        assert_eq!(
            svg.matches("<rect").count(),
            1,
            "no bar for undefined α: {svg}"
        );
        assert!(svg.contains("class=\"bar reliable\""));
        assert!(svg.contains(">Trust &lt;T&gt; (12 units)</text>"));
        assert!(svg.contains("<title>Trust &lt;T&gt; (12 units): α = 0.812</title>"));
        assert!(svg.contains("class=\"bar-value\">0.812</text>"));
        assert!(svg.contains("<title>Hope (4 units): α undefined</title>"));
        assert!(svg.contains("class=\"bar-value\">—</text>"));
        assert_eq!(svg.matches("class=\"threshold\"").count(), 2);
        assert!(svg.contains(">0.667 tentative</text>") && svg.contains(">0.800 reliable</text>"));
        let x = |alpha: f64| format!("x1=\"{:.1}\"", chart.zero + alpha * HALF_WIDTH);
        assert!(svg.contains(&x(0.667)) && svg.contains(&x(0.8)), "{svg}");
    }
}

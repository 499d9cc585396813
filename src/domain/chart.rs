//! Charts as standalone SVG documents, laid out from the same figures as the tables they
//! stand beside (no chart framework). Every chart is readable without colour: each mark
//! carries its number as text, series differ by pattern as well as by shade, and every
//! mark has a `<title>` for a tooltip and screen readers. Styling is inline, so the
//! downloaded file looks the same as the page.

use std::fmt::Write;

/// Escapes text for XML content and attribute values.
pub fn escape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

const LONGEST_LABEL: usize = 28;

fn short(label: &str) -> String {
    if label.chars().count() <= LONGEST_LABEL {
        return label.to_owned();
    }
    let kept: String = label.chars().take(LONGEST_LABEL - 1).collect();
    format!("{kept}…")
}

fn open(out: &mut String, width: f64, height: f64, title: &str, desc: &str) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"12\">\
         <title>{}</title><desc>{}</desc>",
        escape(title),
        escape(desc)
    );
}

/// One heat-map cell: its shade (0 to 1), the number printed in it, and its tooltip.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatCell {
    pub intensity: f64,
    pub text: String,
    pub title: String,
}

const CELL: f64 = 44.0;
const LABEL_WIDTH: f64 = 200.0;

/// A matrix of cells, `rows × columns`, rows labelled on the left and columns on top
/// (written diagonally). A missing cell (`None`) is left blank, e.g. the diagonal.
pub fn heat_map(
    title: &str,
    desc: &str,
    rows: &[String],
    columns: &[String],
    cells: &[Vec<Option<HeatCell>>],
) -> String {
    let top = 150.0;
    let width = LABEL_WIDTH + columns.len() as f64 * CELL + 20.0;
    let height = top + rows.len() as f64 * CELL + 10.0;
    let mut out = String::new();
    open(&mut out, width, height, title, desc);
    for (j, column) in columns.iter().enumerate() {
        let x = LABEL_WIDTH + j as f64 * CELL + CELL / 2.0;
        let _ = write!(
            out,
            "<text x=\"{x}\" y=\"{}\" transform=\"rotate(-45 {x} {})\" fill=\"#222\">{}</text>",
            top - 6.0,
            top - 6.0,
            escape(&short(column))
        );
    }
    for (i, row) in rows.iter().enumerate() {
        let y = top + i as f64 * CELL;
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#222\">{}</text>",
            LABEL_WIDTH - 8.0,
            y + CELL / 2.0 + 4.0,
            escape(&short(row))
        );
        for (j, cell) in cells.get(i).into_iter().flatten().enumerate() {
            let x = LABEL_WIDTH + j as f64 * CELL;
            let Some(cell) = cell else { continue };
            let t = cell.intensity.clamp(0.0, 1.0);
            // From near-white to dark blue; the text flips to white on dark cells.
            let shade = |light: f64, dark: f64| (light + (dark - light) * t).round() as u8;
            let fill = format!(
                "#{:02x}{:02x}{:02x}",
                shade(247.0, 8.0),
                shade(251.0, 48.0),
                shade(255.0, 107.0)
            );
            let ink = if t > 0.55 { "#fff" } else { "#222" };
            let _ = write!(
                out,
                "<g><title>{}</title><rect x=\"{x}\" y=\"{y}\" width=\"{CELL}\" height=\"{CELL}\" \
                 fill=\"{fill}\" stroke=\"#999\" stroke-width=\"0.5\"></rect>\
                 <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{ink}\">{}</text></g>",
                escape(&cell.title),
                x + CELL / 2.0,
                y + CELL / 2.0 + 4.0,
                escape(&cell.text)
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// One group of bars: a label, and one value per series (`None`: no bar, shown as "—").
#[derive(Debug, Clone, PartialEq)]
pub struct BarGroup {
    pub label: String,
    /// `(value, the text printed after the bar)` per series.
    pub values: Vec<Option<(f64, String)>>,
}

const BAR: f64 = 14.0;
const BAR_WIDTH: f64 = 320.0;
/// Per series: a fill and a pattern, so series differ without colour.
const SERIES: [(&str, &str); 4] = [
    ("#1f4e79", "solid"),
    ("#c55a11", "stripes"),
    ("#548235", "dots"),
    ("#7030a0", "cross"),
];

fn patterns(out: &mut String, series: usize) {
    out.push_str("<defs>");
    for (i, (colour, kind)) in SERIES.iter().enumerate().take(series.max(1)) {
        let mark = match *kind {
            "stripes" => {
                "<path d=\"M0,6 L6,0\" stroke=\"#fff\" stroke-width=\"2\"></path>".to_owned()
            }
            "dots" => "<circle cx=\"3\" cy=\"3\" r=\"1.3\" fill=\"#fff\"></circle>".to_owned(),
            "cross" => "<path d=\"M0,3 H6 M3,0 V6\" stroke=\"#fff\" stroke-width=\"1.2\"></path>"
                .to_owned(),
            _ => String::new(),
        };
        let _ = write!(
            out,
            "<pattern id=\"series-{i}\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\">\
             <rect width=\"6\" height=\"6\" fill=\"{colour}\"></rect>{mark}</pattern>"
        );
    }
    out.push_str("</defs>");
}

/// Horizontal bars, one group per row, one bar per series in it; bars are scaled to
/// `max` (the largest value when `None`). A legend names the series when there are
/// several; past four series the patterns repeat (the legend and the tooltips still tell).
pub fn bar_chart(
    title: &str,
    desc: &str,
    series: &[String],
    groups: &[BarGroup],
    max: Option<f64>,
) -> String {
    let lanes = series.len().max(1);
    let group_height = lanes as f64 * (BAR + 2.0) + 10.0;
    let legend = if series.len() > 1 { 22.0 } else { 0.0 };
    let top = 10.0 + legend;
    let width = LABEL_WIDTH + BAR_WIDTH + 150.0;
    let height = top + groups.len() as f64 * group_height + 10.0;
    let largest = max.unwrap_or_else(|| {
        groups
            .iter()
            .flat_map(|g| g.values.iter().flatten().map(|(v, _)| *v))
            .fold(0.0, f64::max)
    });
    let mut out = String::new();
    open(&mut out, width, height, title, desc);
    patterns(&mut out, lanes.min(SERIES.len()));
    if series.len() > 1 {
        let mut x = LABEL_WIDTH;
        for (i, name) in series.iter().enumerate() {
            let _ = write!(
                out,
                "<rect x=\"{x}\" y=\"6\" width=\"14\" height=\"12\" fill=\"url(#series-{})\"></rect>\
                 <text x=\"{}\" y=\"16\" fill=\"#222\">{}</text>",
                i % SERIES.len(),
                x + 18.0,
                escape(&short(name))
            );
            x += 24.0 + short(name).chars().count() as f64 * 7.0;
        }
    }
    for (g, group) in groups.iter().enumerate() {
        let y0 = top + g as f64 * group_height;
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#222\">{}</text>",
            LABEL_WIDTH - 8.0,
            y0 + BAR,
            escape(&short(&group.label))
        );
        for (s, value) in group.values.iter().enumerate() {
            let y = y0 + s as f64 * (BAR + 2.0) + 3.0;
            let name = series.get(s).map(String::as_str).unwrap_or_default();
            let Some((value, text)) = value else {
                let _ = write!(
                    out,
                    "<text x=\"{}\" y=\"{}\" fill=\"#444\">—<title>{}</title></text>",
                    LABEL_WIDTH + 4.0,
                    y + BAR - 3.0,
                    escape(&format!("{} · {name}: none", group.label))
                );
                continue;
            };
            let length = if largest > 0.0 {
                (value.max(0.0) / largest).min(1.0) * BAR_WIDTH
            } else {
                0.0
            };
            let tip = match name {
                "" => format!("{}: {text}", group.label),
                name => format!("{} · {name}: {text}", group.label),
            };
            let _ = write!(
                out,
                "<g><title>{}</title><rect x=\"{LABEL_WIDTH}\" y=\"{y}\" width=\"{length:.1}\" height=\"{BAR}\" \
                 fill=\"url(#series-{})\"></rect><text x=\"{:.1}\" y=\"{}\" fill=\"#222\">{}</text></g>",
                escape(&tip),
                s % SERIES.len(),
                LABEL_WIDTH + length + 4.0,
                y + BAR - 3.0,
                escape(text)
            );
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(intensity: f64, text: &str) -> Option<HeatCell> {
        Some(HeatCell {
            intensity,
            text: text.into(),
            title: format!("tip {text}"),
        })
    }

    #[test]
    fn labels_are_escaped_and_shortened() {
        assert_eq!(escape("a<b & \"c\"'"), "a&lt;b &amp; &quot;c&quot;&#39;");
        assert_eq!(short("short"), "short");
        assert_eq!(short(&"x".repeat(40)).chars().count(), LONGEST_LABEL);
    }

    #[test]
    fn a_heat_map_prints_every_number_with_a_title_and_skips_blank_cells() {
        let names = vec!["Trust <T>".to_owned(), "Doubt".to_owned()];
        let cells = vec![vec![None, cell(1.0, "3")], vec![cell(0.0, "0"), None]];
        let svg = heat_map("Co-occurrence", "desc", &names, &names, &cells);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains("<title>Co-occurrence</title>"));
        assert!(svg.contains("Trust &lt;T&gt;"));
        assert_eq!(svg.matches("<rect").count(), 2, "the diagonal is blank");
        assert!(svg.contains("<title>tip 3</title>"));
        // The darkest cell is dark blue with white text; the empty one near-white.
        assert!(svg.contains("fill=\"#08306b\""), "{svg}");
        assert!(svg.contains("fill=\"#f7fbff\""));
        assert!(svg.contains("fill=\"#fff\">3</text>"));
    }

    #[test]
    fn bars_scale_to_the_largest_value_and_series_get_patterns_and_a_legend() {
        let groups = vec![
            BarGroup {
                label: "Trust".into(),
                values: vec![Some((4.0, "4".into())), Some((2.0, "2".into()))],
            },
            BarGroup {
                label: "Doubt".into(),
                values: vec![None, Some((0.0, "0".into()))],
            },
        ];
        let series = vec!["alice".to_owned(), "bob".to_owned()];
        let svg = bar_chart("Frequencies", "desc", &series, &groups, None);
        assert!(
            svg.contains(&format!("width=\"{:.1}\"", BAR_WIDTH)),
            "the largest bar is full width"
        );
        assert!(svg.contains(&format!("width=\"{:.1}\"", BAR_WIDTH / 2.0)));
        assert!(svg.contains("<title>Trust · bob: 2</title>"));
        assert!(svg.contains("Doubt · alice: none"));
        assert!(svg.contains("id=\"series-1\"") && svg.contains(">alice</text>"));
        let single = bar_chart("α", "d", &[], &groups[..1], Some(1.0));
        assert!(
            !single.contains(">alice</text>"),
            "no legend for one series"
        );
        assert!(
            single.contains("width=\"320.0\""),
            "values past max are capped: {single}"
        );
    }
}

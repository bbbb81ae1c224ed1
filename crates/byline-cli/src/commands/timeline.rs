//! `byline timeline`: how many articles match per day, week, month or year,
//! as a bar chart, JSON lines, CSV or an SVG file.

use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{Context, Result};
use byline_search::{ArticleSearcher, Interval, PeriodCount};
use plotters::prelude::*;
use serde::Serialize;

use crate::cli::{By, Filters, TimelineArgs};
use crate::commands::search::request_for;
use crate::output::{bar_chart, thousands, Style};

/// One JSON line per period.
#[derive(Serialize)]
struct JsonPeriod<'a> {
    period: &'a str,
    start: String,
    count: u64,
}

pub fn run(index_dir: &Path, args: TimelineArgs, style: &Style) -> Result<()> {
    let searcher = ArticleSearcher::open(index_dir)?;
    let request = request_for(&args.query, &args.filters);
    let query = searcher.build_query(&request)?;
    let total = searcher.count(&request)?;
    let interval = match args.by {
        Some(by) => by.into(),
        // As `byline stats` does: months for matches spanning up to five years, years beyond.
        None => match searcher.date_span(&*query)? {
            Some((first, last)) if (last - first).num_days() > 5 * 366 => Interval::Year,
            _ => Interval::Month,
        },
    };
    let periods = searcher.histogram(&*query, interval)?;
    let title = describe(&args.query, &args.filters);

    if let Some(file) = &args.svg {
        write_svg(file, &title, interval, &periods)
            .with_context(|| format!("writing the chart to {}", file.display()))?;
        eprintln!("byline: chart written to {}", file.display());
    }

    let mut out = BufWriter::new(std::io::stdout().lock());
    if args.json {
        for p in &periods {
            serde_json::to_writer(
                &mut out,
                &JsonPeriod {
                    period: &p.label,
                    start: rfc3339(p),
                    count: p.count,
                },
            )?;
            writeln!(out)?;
        }
        return Ok(out.flush()?);
    }
    if args.csv {
        writeln!(out, "period,start,count")?;
        for p in &periods {
            writeln!(out, "{},{},{}", p.label, rfc3339(p), p.count)?;
        }
        return Ok(out.flush()?);
    }

    let dated: u64 = periods.iter().map(|p| p.count).sum();
    writeln!(out, "{}", style.bold(&title))?;
    let undated = total - dated.min(total);
    let mut summary = format!(
        "{} {} in all, per {}",
        thousands(total),
        if total == 1 { "article" } else { "articles" },
        interval_name(interval)
    );
    if undated > 0 {
        summary.push_str(&format!(
            " ({} without a date, not shown)",
            thousands(undated)
        ));
    }
    writeln!(out, "{}", style.dim(&summary))?;
    if periods.is_empty() {
        return Ok(out.flush()?);
    }
    writeln!(out)?;
    let rows: Vec<(String, u64)> = periods.iter().map(|p| (p.label.clone(), p.count)).collect();
    for line in bar_chart(&rows, 50) {
        writeln!(out, "{line}")?;
    }
    Ok(out.flush()?)
}

impl From<By> for Interval {
    fn from(by: By) -> Interval {
        match by {
            By::Day => Interval::Day,
            By::Week => Interval::Week,
            By::Month => Interval::Month,
            By::Year => Interval::Year,
        }
    }
}

fn interval_name(interval: Interval) -> &'static str {
    match interval {
        Interval::Day => "day",
        Interval::Week => "week",
        Interval::Month => "month",
        Interval::Year => "year",
    }
}

fn rfc3339(p: &PeriodCount) -> String {
    p.start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// `Articles matching "oil" · place Syria · 1987-03 to 1987-04`.
fn describe(query: &str, filters: &Filters) -> String {
    let query = query.trim();
    let mut parts = vec![if query.is_empty() || query == "*" {
        "All articles".to_string()
    } else {
        format!("Articles matching \"{query}\"")
    }];
    for (label, values) in [
        ("person", &filters.person),
        ("place", &filters.place),
        ("org", &filters.org),
    ] {
        for value in values {
            parts.push(format!("{label} {value}"));
        }
    }
    match (&filters.from, &filters.to) {
        (Some(from), Some(to)) => parts.push(format!("{from} to {to}")),
        (Some(from), None) => parts.push(format!("from {from}")),
        (None, Some(to)) => parts.push(format!("to {to}")),
        (None, None) => {}
    }
    parts.join(" · ")
}

/// A bar chart, one bar per non-empty period, as an SVG file: plotters'
/// SVG backend writes `<text>` elements, so no font is needed to draw it.
fn write_svg(file: &Path, title: &str, interval: Interval, periods: &[PeriodCount]) -> Result<()> {
    let width = (160 + periods.len() as u32 * 14).clamp(800, 2400);
    let root = SVGBackend::new(file, (width, 480)).into_drawing_area();
    root.fill(&WHITE)?;
    let max = periods.iter().map(|p| p.count).max().unwrap_or(0).max(1);
    let n = periods.len().max(1) as u32;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 22))
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(64)
        .build_cartesian_2d((0u32..n).into_segmented(), 0u64..max + max / 10 + 1)?;
    let label_of = |v: &SegmentValue<u32>| match v {
        SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => periods
            .get(*i as usize)
            .map(|p| p.label.clone())
            .unwrap_or_default(),
        SegmentValue::Last => String::new(),
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(periods.len().clamp(1, 12))
        .x_label_formatter(&label_of)
        .x_desc(format!("period ({})", interval_name(interval)))
        .y_desc("articles")
        .axis_desc_style(("sans-serif", 16))
        .draw()?;
    let bars = RGBColor(0x2b, 0x6c, 0xb0);
    chart.draw_series(
        Histogram::vertical(&chart)
            .style(bars.filled())
            .margin(1)
            .data(
                periods
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| p.count > 0)
                    .map(|(i, p)| (i as u32, p.count)),
            ),
    )?;
    root.present()?;
    Ok(())
}

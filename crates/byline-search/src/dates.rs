//! Date bounds as users type them: `2016`, `2016-08`, `2016-08-27`.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};

/// A whole year, month or day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DatePeriod {
    /// First instant of the period.
    pub start: DateTime<Utc>,
    /// First instant after the period.
    pub end: DateTime<Utc>,
}

/// The formats `--from`, `--to` and `date:` accept, for error messages.
pub const DATE_FORMATS: &str =
    "YYYY, YYYY-MM or YYYY-MM-DD (for example 2016, 2016-08 or 2016-08-27)";

impl DatePeriod {
    /// Reads `YYYY`, `YYYY-MM` or `YYYY-MM-DD` as the whole period it names.
    pub fn parse(text: &str) -> Option<DatePeriod> {
        let text = text.trim();
        let parts: Vec<&str> = text.split('-').collect();
        let number = |s: &str, len: usize| -> Option<u32> {
            (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse().ok())
                .flatten()
        };
        let (start, end) = match parts.as_slice() {
            [y] => {
                let y = number(y, 4)? as i32;
                (
                    NaiveDate::from_ymd_opt(y, 1, 1)?,
                    NaiveDate::from_ymd_opt(y + 1, 1, 1)?,
                )
            }
            [y, m] => {
                let (y, m) = (number(y, 4)? as i32, number(m, 2)?);
                let start = NaiveDate::from_ymd_opt(y, m, 1)?;
                let end = if m == 12 {
                    NaiveDate::from_ymd_opt(y + 1, 1, 1)?
                } else {
                    NaiveDate::from_ymd_opt(y, m + 1, 1)?
                };
                (start, end)
            }
            [y, m, d] => {
                let day =
                    NaiveDate::from_ymd_opt(number(y, 4)? as i32, number(m, 2)?, number(d, 2)?)?;
                (day, day.succ_opt()?)
            }
            _ => return None,
        };
        let at_midnight = |d: NaiveDate| {
            Utc.with_ymd_and_hms(d.year(), d.month(), d.day(), 0, 0, 0)
                .single()
        };
        Some(DatePeriod {
            start: at_midnight(start)?,
            end: at_midnight(end)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_cover_the_whole_year_month_or_day() {
        let p = DatePeriod::parse("1987-03").unwrap();
        assert_eq!(p.start.to_rfc3339(), "1987-03-01T00:00:00+00:00");
        assert_eq!(p.end.to_rfc3339(), "1987-04-01T00:00:00+00:00");
        assert_eq!(
            DatePeriod::parse("2016").unwrap().end.to_rfc3339(),
            "2017-01-01T00:00:00+00:00"
        );
        assert_eq!(
            DatePeriod::parse("2016-12").unwrap().end.to_rfc3339(),
            "2017-01-01T00:00:00+00:00"
        );
        assert_eq!(
            DatePeriod::parse("2016-02-29").unwrap().end.to_rfc3339(),
            "2016-03-01T00:00:00+00:00"
        );
    }

    #[test]
    fn rejects_other_shapes() {
        for bad in [
            "",
            "87",
            "2016-8",
            "2016-13",
            "2015-02-29",
            "27/08/2016",
            "2016-08-27T00:00",
        ] {
            assert_eq!(DatePeriod::parse(bad), None, "{bad}");
        }
    }
}

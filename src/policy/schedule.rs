//! Rotation schedules: the longest gap between two runs of a Secrets Manager schedule
//! expression, `rate(N hours|days)` or `cron(minutes hours day-of-month month day-of-week year)`.
//!
//! The rotation rules judge a secret against the longest gap its schedule can leave, so the
//! gap is worked out from the calendar rather than guessed from the fields' shape: the days a
//! schedule runs on are listed over 29 years (weekdays and leap years repeat every 28 in this
//! century), and the longest distance between two consecutive runs is the answer. Every field
//! form AWS accepts is read: lists, ranges, steps (`1/7`, `*/3`, `JAN-JUN/2`), month and weekday
//! names, `L` (last day of the month; `6L`, the last Friday), `W` (nearest weekday: `15W`, `LW`)
//! and `#` (`MON#1`, the first Monday). A year field that ends the schedule leaves a gap to the
//! end of the calendar AWS knows (2199), and the label says so.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::Serialize;

/// What the rules read for one schedule expression (`input.schedules[expression]`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Schedule {
    /// The longest gap between two runs, in days (fractions for schedules within a day).
    pub days: serde_json::Number,
    /// How a message names the schedule.
    pub label: String,
}

/// The schedule of an expression, `None` when AWS would not accept it.
pub fn parse(expression: &str) -> Option<Schedule> {
    let text = expression.trim();
    let lower = text.to_ascii_lowercase();
    if let Some(inner) = lower
        .strip_prefix("rate(")
        .and_then(|r| r.strip_suffix(')'))
    {
        return Some(Schedule {
            days: number(rate_days(inner)?),
            label: text.to_owned(),
        });
    }
    let inner = lower.strip_prefix("cron(")?.strip_suffix(')')?;
    let gap = Cron::parse(inner)?.longest_gap()?;
    let days = round2(gap.minutes as f64 / MINUTES_PER_DAY as f64);
    let label = match gap.ends_after {
        Some(year) => format!("{text}, which does not run after {year}"),
        None => format!("{text}, at most about {} days apart", number(days)),
    };
    Some(Schedule {
        days: number(days),
        label,
    })
}

const MINUTES_PER_DAY: i64 = 24 * 60;

/// `N hours` or `N days` (AWS also writes `1 day`, `1 hour`).
fn rate_days(inner: &str) -> Option<f64> {
    let mut words = inner.split_whitespace();
    let (n, unit) = (words.next()?, words.next()?);
    if words.next().is_some() || n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: f64 = n.parse().ok().filter(|&n: &f64| n > 0.0)?;
    match unit {
        "day" | "days" => Some(n),
        "hour" | "hours" => Some(n / 24.0),
        _ => None,
    }
}

/// Whole numbers as integers, others as decimals: `92`, `0.5`.
fn number(days: f64) -> serde_json::Number {
    if days.fract() == 0.0 && days.abs() < 1e15 {
        serde_json::Number::from(days as i64)
    } else {
        serde_json::Number::from_f64(days).unwrap_or_else(|| serde_json::Number::from(0))
    }
}

fn round2(days: f64) -> f64 {
    (days * 100.0).round() / 100.0
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
/// AWS numbers weekdays from Sunday: SUN is 1, SAT is 7.
const WEEKDAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/// A field of plain values: lists, ranges, steps, names.
struct Field {
    allowed: Vec<bool>,
    min: u32,
}

impl Field {
    fn parse(text: &str, min: u32, max: u32, names: &[&str]) -> Option<Field> {
        let mut allowed = vec![false; (max - min + 1) as usize];
        for item in text.split(',') {
            for value in values(item, min, max, names)? {
                allowed[(value - min) as usize] = true;
            }
        }
        Some(Field { allowed, min })
    }

    fn contains(&self, value: u32) -> bool {
        value
            .checked_sub(self.min)
            .and_then(|i| self.allowed.get(i as usize))
            .copied()
            .unwrap_or(false)
    }

    fn values(&self) -> impl Iterator<Item = u32> + '_ {
        self.allowed
            .iter()
            .enumerate()
            .filter(|(_, on)| **on)
            .map(|(i, _)| i as u32 + self.min)
    }

    fn is_everything(&self) -> bool {
        self.allowed.iter().all(|&on| on)
    }
}

/// The values of one list item: `*`, `5`, `MON`, `1-5`, `*/3`, `1/7`, `JAN-JUN/2`.
fn values(item: &str, min: u32, max: u32, names: &[&str]) -> Option<Vec<u32>> {
    let (range, step) = match item.split_once('/') {
        Some((range, step)) => (range, Some(step.parse::<u32>().ok().filter(|&s| s > 0)?)),
        None => (item, None),
    };
    let (start, end) = match range {
        "*" => (min, max),
        _ => match range.split_once('-') {
            Some((a, b)) => (value(a, min, max, names)?, value(b, min, max, names)?),
            // `5/10`: from 5 to the end, every 10.
            None if step.is_some() => (value(range, min, max, names)?, max),
            None => {
                let v = value(range, min, max, names)?;
                (v, v)
            }
        },
    };
    if start > end {
        return None;
    }
    Some((start..=end).step_by(step.unwrap_or(1) as usize).collect())
}

fn value(text: &str, min: u32, max: u32, names: &[&str]) -> Option<u32> {
    let v = match names.iter().position(|n| *n == text) {
        Some(i) => i as u32 + 1,
        None => text.parse().ok()?,
    };
    (min..=max).contains(&v).then_some(v)
}

/// Which days of a month a schedule runs on: AWS takes the day of the month or the day of the
/// week, the other being `?`.
enum Days {
    OfMonth(Vec<MonthDay>),
    OfWeek(Vec<WeekDay>),
}

enum MonthDay {
    Plain(Field),
    /// `L`
    Last,
    /// `LW`
    LastWeekday,
    /// `15W`: the weekday nearest the 15th, within the month.
    NearestWeekday(u32),
}

enum WeekDay {
    Plain(Field),
    /// `6L`: the last Friday of the month (`L` alone: the last Saturday).
    Last(u32),
    /// `MON#1`: the first Monday.
    Nth(u32, u32),
}

impl Days {
    fn parse(dom: &str, dow: &str) -> Option<Days> {
        match (dom, dow) {
            (_, "?") if dom != "?" => dom
                .split(',')
                .map(MonthDay::parse)
                .collect::<Option<_>>()
                .map(Days::OfMonth),
            ("?", _) => dow
                .split(',')
                .map(WeekDay::parse)
                .collect::<Option<_>>()
                .map(Days::OfWeek),
            // AWS requires `?` in one of the two.
            _ => None,
        }
    }

    fn matches(&self, day: NaiveDate) -> bool {
        match self {
            Days::OfMonth(items) => items.iter().any(|i| i.matches(day)),
            Days::OfWeek(items) => items.iter().any(|i| i.matches(day)),
        }
    }
}

impl MonthDay {
    fn parse(item: &str) -> Option<MonthDay> {
        Some(match item {
            "l" => MonthDay::Last,
            "lw" => MonthDay::LastWeekday,
            _ => match item.strip_suffix('w') {
                Some(n) => MonthDay::NearestWeekday(value(n, 1, 31, &[])?),
                None => MonthDay::Plain(Field::parse(item, 1, 31, &[])?),
            },
        })
    }

    fn matches(&self, day: NaiveDate) -> bool {
        let last = last_day(day);
        match self {
            MonthDay::Plain(field) => field.contains(day.day()),
            MonthDay::Last => day.day() == last,
            MonthDay::LastWeekday => day.day() == nearest_weekday(day, last),
            MonthDay::NearestWeekday(n) => *n <= last && day.day() == nearest_weekday(day, *n),
        }
    }
}

impl WeekDay {
    fn parse(item: &str) -> Option<WeekDay> {
        if item == "l" {
            return Some(WeekDay::Last(7));
        }
        if let Some((day, nth)) = item.split_once('#') {
            let nth = nth.parse().ok().filter(|n| (1..=5).contains(n))?;
            return Some(WeekDay::Nth(value(day, 1, 7, &WEEKDAYS)?, nth));
        }
        if let Some(day) = item.strip_suffix('l') {
            return Some(WeekDay::Last(value(day, 1, 7, &WEEKDAYS)?));
        }
        Some(WeekDay::Plain(Field::parse(item, 1, 7, &WEEKDAYS)?))
    }

    fn matches(&self, day: NaiveDate) -> bool {
        let weekday = day.weekday().number_from_sunday();
        match self {
            WeekDay::Plain(field) => field.contains(weekday),
            WeekDay::Last(d) => weekday == *d && day.day() + 7 > last_day(day),
            WeekDay::Nth(d, n) => weekday == *d && (day.day() - 1) / 7 + 1 == *n,
        }
    }
}

/// The last day of `day`'s month.
fn last_day(day: NaiveDate) -> u32 {
    let (y, m) = if day.month() == 12 {
        (day.year() + 1, 1)
    } else {
        (day.year(), day.month() + 1)
    };
    date(y, m, 1).pred_opt().map_or(28, |d| d.day())
}

/// The weekday nearest the `n`th of `day`'s month, never leaving the month.
fn nearest_weekday(day: NaiveDate, n: u32) -> u32 {
    let target = date(day.year(), day.month(), n);
    let last = last_day(day);
    match target.weekday() {
        Weekday::Sat if n == 1 => 3,
        Weekday::Sat => n - 1,
        Weekday::Sun if n == last => n - 2,
        Weekday::Sun => n + 1,
        _ => n,
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

struct Cron {
    minutes: Field,
    hours: Field,
    days: Days,
    months: Field,
    years: Field,
}

struct Gap {
    minutes: i64,
    /// The last year with a run, when the year field ends the schedule.
    ends_after: Option<i32>,
}

impl Cron {
    fn parse(inner: &str) -> Option<Cron> {
        let fields: Vec<&str> = inner.split_whitespace().collect();
        let [minutes, hours, dom, month, dow, year] = fields.as_slice() else {
            return None;
        };
        Some(Cron {
            minutes: Field::parse(minutes, 0, 59, &[])?,
            hours: Field::parse(hours, 0, 23, &[])?,
            days: Days::parse(dom, dow)?,
            months: Field::parse(month, 1, 12, &MONTHS)?,
            years: Field::parse(if *year == "?" { "*" } else { year }, 1970, 2199, &[])?,
        })
    }

    /// The longest gap between consecutive runs; `None` when it never runs.
    fn longest_gap(&self) -> Option<Gap> {
        let times: Vec<i64> = self
            .hours
            .values()
            .flat_map(|h| {
                self.minutes
                    .values()
                    .map(move |m| i64::from(h) * 60 + i64::from(m))
            })
            .collect();
        let (first, last) = (*times.first()?, *times.last()?);
        let within_a_day = times.windows(2).map(|w| w[1] - w[0]).max();
        let every_year = self.years.is_everything();
        let (start, end) = if every_year {
            (date(2001, 1, 1), date(2030, 1, 1))
        } else {
            (date(1970, 1, 1), date(2200, 1, 1))
        };
        let mut longest = within_a_day.unwrap_or(0);
        let mut previous: Option<NaiveDate> = None;
        let mut day = start;
        while day < end {
            if self.runs_on(day) {
                if let Some(p) = previous {
                    longest = longest.max((day - p).num_days() * MINUTES_PER_DAY + first - last);
                }
                previous = Some(day);
            }
            day += Duration::days(1);
        }
        let last_run = previous?;
        if every_year {
            return Some(Gap {
                minutes: longest,
                ends_after: None,
            });
        }
        // The year field ends it: the last run leaves a gap to the end of AWS's calendar.
        longest = longest.max((end - last_run).num_days() * MINUTES_PER_DAY - last);
        Some(Gap {
            minutes: longest,
            ends_after: (last_run.year() < 2199).then_some(last_run.year()),
        })
    }

    fn runs_on(&self, day: NaiveDate) -> bool {
        self.years.contains(day.year() as u32)
            && self.months.contains(day.month())
            && self.days.matches(day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn days(expression: &str) -> f64 {
        parse(expression)
            .unwrap_or_else(|| panic!("{expression} parses"))
            .days
            .as_f64()
            .unwrap()
    }

    #[test]
    fn rates_in_days_and_hours() {
        assert_eq!(days("rate(30 days)"), 30.0);
        assert_eq!(days("rate(1 day)"), 1.0);
        assert_eq!(days("rate(12 hours)"), 0.5);
        assert_eq!(days("RATE(48 Hours)"), 2.0);
        assert_eq!(parse("rate(10 days)").unwrap().label, "rate(10 days)");
        for bad in [
            "rate(ten days)",
            "rate(10 weeks)",
            "rate(30)",
            "rate(30 days",
            "rate()",
            "rate(-5 days)",
            "rate(0 days)",
        ] {
            assert!(parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn minute_and_hour_fields_give_gaps_within_a_day() {
        assert_eq!(days("cron(0 3 * * ? *)"), 1.0);
        assert_eq!(days("cron(0 3 ? * * *)"), 1.0);
        // Every 4 hours: 0, 4, …, 20, then 0 the next day.
        assert_eq!(days("cron(0 */4 * * ? *)"), 0.17);
        // 08:00 and 20:00: twelve hours.
        assert_eq!(days("cron(0 8,20 * * ? *)"), 0.5);
        // 01:00-03:00 hourly: the long gap is 03:00 to the next day's 01:00.
        assert_eq!(days("cron(0 1-3 * * ? *)"), 0.92);
    }

    #[test]
    fn day_of_month_lists_ranges_and_steps() {
        assert_eq!(days("cron(0 3 1 * ? *)"), 31.0);
        assert_eq!(days("cron(0 3 1,15 * ? *)"), 17.0);
        assert_eq!(
            days("cron(0 3 1/7 * ? *)"),
            7.0,
            "1, 8, 15, 22, 29, then the 1st"
        );
        assert_eq!(
            days("cron(0 3 */5 * ? *)"),
            5.0,
            "1, 6, …, 26, 31; in a 30-day month the 26th to the 1st"
        );
        assert_eq!(days("cron(0 3 1-5 * ? *)"), 27.0);
        assert_eq!(days("cron(0 3 L * ? *)"), 31.0);
        assert_eq!(
            days("cron(0 3 31 * ? *)"),
            61.0,
            "months without a 31st are skipped"
        );
    }

    #[test]
    fn month_lists_and_ranges() {
        // AWS's own example: quarterly, Oct 1 to Jan 1 is the longest stretch.
        assert_eq!(days("cron(0 0 1 JAN,APR,JUL,OCT ? *)"), 92.0);
        assert_eq!(days("cron(0 0 1 1,3,5,7,9,11 ? *)"), 62.0, "bimonthly");
        assert_eq!(days("cron(0 3 1 */3 ? *)"), 92.0);
        assert_eq!(days("cron(0 3 1 1/6 ? *)"), 184.0);
        assert_eq!(days("cron(0 3 1 JAN-MAR ? *)"), 306.0);
        assert_eq!(
            days("cron(0 3 1 6 ? *)"),
            366.0,
            "once a year, across a leap day"
        );
        assert_eq!(days("cron(0  3  1  */2  ?  *)"), 62.0);
    }

    #[test]
    fn days_of_the_week_last_nearest_and_nth() {
        assert_eq!(days("cron(0 3 ? * MON *)"), 7.0);
        assert_eq!(days("cron(0 3 ? * MON-FRI *)"), 3.0, "Friday to Monday");
        assert_eq!(days("cron(0 3 ? * 2,5 *)"), 4.0, "Thursday to Monday");
        assert_eq!(days("cron(0 3 ? * MON#1 *)"), 35.0);
        assert_eq!(days("cron(0 3 ? * 6L *)"), 35.0, "the last Friday");
        assert_eq!(days("cron(0 3 ? * L *)"), 35.0, "the last Saturday");
        assert_eq!(
            days("cron(0 3 15W * ? *)"),
            32.0,
            "the 14th (a Saturday 15th) to the next 16th"
        );
        assert_eq!(days("cron(0 3 LW * ? *)"), 33.0);
    }

    #[test]
    fn a_year_field_that_ends_the_schedule_says_so() {
        let once = parse("cron(0 3 1 6 ? 2027)").unwrap();
        assert!(
            once.label.ends_with("which does not run after 2027"),
            "{}",
            once.label
        );
        assert!(once.days.as_f64().unwrap() > 60_000.0);
        assert_eq!(days("cron(0 3 1 6 ? 2020-2199)"), 366.0);
    }

    #[test]
    fn labels_name_the_longest_gap() {
        assert_eq!(
            parse("cron(0 0 1 JAN,APR,JUL,OCT ? *)").unwrap().label,
            "cron(0 0 1 JAN,APR,JUL,OCT ? *), at most about 92 days apart"
        );
    }

    /// The Rego tests read `input.schedules` from a table of their own (`test_input.schedules`):
    /// every entry must be what this module works out, or the rule tests would test fiction.
    #[test]
    fn the_rego_tests_schedule_table_agrees_with_this_module() {
        let mut engine = crate::policy::source::engine_with_builtin_sources();
        let table = engine
            .eval_rule("data.keyward.lib.test_input.schedules".to_owned())
            .unwrap();
        let entries = table.as_object().unwrap();
        assert!(entries.len() >= 10);
        for (expression, entry) in entries.iter() {
            let expression = expression.as_string().unwrap();
            let expected = parse(expression).unwrap_or_else(|| panic!("{expression} parses"));
            let days = entry["days"].as_f64().unwrap();
            assert_eq!(days, expected.days.as_f64().unwrap(), "{expression}");
            assert_eq!(
                entry["label"].as_string().unwrap().as_ref(),
                expected.label,
                "{expression}"
            );
        }
    }

    #[test]
    fn expressions_aws_would_reject_have_no_schedule() {
        for bad in [
            "cron(0 3 1 * ?)",
            "cron(0 3 1 */x ? *)",
            "cron(0 3 1 /3 ? *)",
            "cron()",
            "cron 0 3 1 * ? *",
            "cron(0 3 1 * MON *)",
            "cron(0 3 ? * MON#6 *)",
            "cron(0 3 32 * ? *)",
            "cron(0 3 5-1 * ? *)",
            "cron(61 3 1 * ? *)",
        ] {
            assert!(parse(bad).is_none(), "{bad}");
        }
    }
}

//! Launch saturation: customers hear about too much at once when launches pile into one week.
//! These rules warn (they never refuse) when a launch lands in a crowded week or a freeze.

use chrono::{Datelike, Duration, NaiveDate};

use super::launch::{Launch, Tier};

/// A period when nothing should launch (e.g. the holiday freeze).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Freeze {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub reason: String,
}

/// The Monday of `date`'s ISO week.
pub fn week_of(date: NaiveDate) -> NaiveDate {
    date - Duration::days(date.weekday().num_days_from_monday() as i64)
}

/// Warnings for a launch of `tier` on `date` among `others` (active launches, excluding itself).
pub fn warnings(
    tier: Tier,
    date: NaiveDate,
    others: &[Launch],
    max_per_week: usize,
    freezes: &[Freeze],
) -> Vec<String> {
    let week = week_of(date);
    let same_week: Vec<&Launch> = others
        .iter()
        .filter(|l| l.state.is_active() && week_of(l.launch_date) == week)
        .collect();
    let mut warnings = Vec::new();
    // Dates as people read them, around the launch's own date.
    let show = |day: NaiveDate| crate::dates::human(day, date);
    let names = |launches: &[&Launch]| {
        launches
            .iter()
            .map(|l| {
                format!(
                    "{} (`{}`, tier {}, {})",
                    l.name,
                    l.slug,
                    l.tier.number(),
                    show(l.launch_date)
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let tier1: Vec<&Launch> = same_week.iter().copied().filter(|l| l.tier == Tier::One).collect();
    if !tier1.is_empty() {
        warnings.push(format!(
            "the week of {} already has a tier-1 launch: {}",
            show(week),
            names(&tier1)
        ));
    }
    if same_week.len() + 1 > max_per_week {
        warnings.push(format!(
            "the week of {} would have {} launches (the limit is {max_per_week}): {}",
            show(week),
            same_week.len() + 1,
            names(&same_week)
        ));
    }
    for freeze in freezes.iter().filter(|f| f.from <= date && date <= f.to) {
        warnings.push(format!(
            "{} falls in a freeze ({} to {}): {}",
            show(date),
            show(freeze.from),
            show(freeze.to),
            freeze.reason
        ));
    }
    if !warnings.is_empty() && tier != Tier::One && same_week.iter().any(|l| l.tier != Tier::One) {
        warnings.push("consider bundling the smaller launches of that week into one announcement".to_owned());
    }
    warnings
}

/// A launch day that is not a working day (a Saturday typed by mistake, a `date:+1w` from a
/// Friday that lands on a holiday) is allowed, but worth a word: nobody is there to launch, and
/// tasks due on launch day itself fall due the working day before.
pub fn non_working_launch_day(date: NaiveDate, calendar: &crate::WorkCalendar) -> Option<String> {
    if calendar.is_working_day(date) {
        return None;
    }
    let show = |day: NaiveDate| crate::dates::human(day, date);
    Some(format!(
        "{} is not a working day; tasks due on launch day are due {}",
        show(date),
        show(calendar.working_day_on_or_before(date))
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{date, launch};

    #[test]
    fn each_rule_warns_with_the_clashing_launches() {
        let others = [launch(1, Tier::One, "2026-12-09"), launch(2, Tier::Three, "2026-12-10")];
        let freeze = Freeze {
            from: date("2026-12-21"),
            to: date("2027-01-03"),
            reason: "holiday freeze".into(),
        };
        let w = warnings(Tier::Two, date("2026-12-11"), &others, 2, &[]);
        assert!(
            w[0].contains("the week of Mon 7 Dec already has a tier-1 launch: L1 (`l1`, tier 1, Wed 9 Dec)"),
            "{w:?}"
        );
        assert!(w[1].contains("would have 3 launches (the limit is 2)"), "{w:?}");
        assert!(w[2].contains("bundling"), "{w:?}");
        assert!(
            warnings(Tier::Two, date("2026-12-16"), &others, 2, &[]).is_empty(),
            "next week is free"
        );
        let w = warnings(Tier::Three, date("2026-12-22"), &[], 2, std::slice::from_ref(&freeze));
        assert_eq!(
            w,
            vec!["Tue 22 Dec falls in a freeze (Mon 21 Dec to Sun 3 Jan): holiday freeze"]
        );
        assert_eq!(week_of(date("2026-12-13")), date("2026-12-07"));
    }

    #[test]
    fn a_launch_on_a_saturday_is_worth_a_word() {
        let calendar = crate::WorkCalendar::weekdays(chrono_tz::UTC);
        assert_eq!(
            non_working_launch_day(date("2026-12-12"), &calendar).as_deref(),
            Some("Sat 12 Dec is not a working day; tasks due on launch day are due Fri 11 Dec")
        );
        assert_eq!(non_working_launch_day(date("2026-12-11"), &calendar), None);
    }
}

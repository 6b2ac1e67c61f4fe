//! Argument values: Slack user and channel mentions, numbers with units, and quarters. Pure
//! string-to-value parsers with messages that say what to type instead; separate because they
//! do not depend on which subcommand asked.

use chrono::NaiveDate;

use crate::{SlackChannelId, SlackUserId};

/// `2027-Q1`, `2027Q1`, `Q1-2027` or `Q1` (this year).
pub(super) fn parse_quarter(text: &str, today: NaiveDate) -> Option<(i32, u32)> {
    use chrono::Datelike;
    let upper = text.to_ascii_uppercase();
    let (year, quarter) = upper.split_once('Q')?;
    let year = year.trim_end_matches('-');
    let (quarter, trailing_year) = match quarter.split_once('-') {
        Some((q, y)) => (q, Some(y)),
        None => (quarter, None),
    };
    let quarter_now = today.month0() / 3 + 1;
    let year: i32 = match (year, trailing_year) {
        // A quarter without a year is the current one or the next one of that number: `Q1`
        // typed in December means the coming January to March, not the one long past.
        ("", None) => match quarter.parse::<u32>() {
            Ok(q) if q < quarter_now => today.year() + 1,
            _ => today.year(),
        },
        ("", Some(y)) => y.parse().ok()?,
        (y, None) => y.parse().ok()?,
        _ => return None,
    };
    let quarter: u32 = quarter.parse().ok()?;
    ((1..=4).contains(&quarter) && (2000..=2100).contains(&year)).then_some((year, quarter))
}

/// A number with an optional unit after it: `25%`, `500`, `1500 signups`.
///
/// As PMMs write targets: a currency sign before the number (`$2M`, `€500k`) is kept as the
/// unit, and `k`, `M`, `B` right after it multiply (`2.5k` is 2,500, `$2M` is 2,000,000).
pub fn parse_quantity(text: &str) -> Result<(f64, String), String> {
    let trimmed = text.trim();
    let (currency, rest) = match trimmed.chars().next() {
        Some(sign @ ('$' | '€' | '£' | '¥')) => (Some(sign), &trimmed[sign.len_utf8()..]),
        _ => (None, trimmed),
    };
    let split = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .unwrap_or(rest.len());
    let (number, unit) = rest.split_at(split);
    let (multiplier, unit) = match unit.chars().next() {
        Some('k' | 'K') if unit.len() == 1 || !unit[1..].starts_with(|c: char| c.is_alphabetic()) => (1e3, &unit[1..]),
        Some('m' | 'M') if unit.len() == 1 => (1e6, &unit[1..]),
        Some('b' | 'B') if unit.len() == 1 => (1e9, &unit[1..]),
        _ => (1.0, unit),
    };
    let unit = match currency {
        Some(sign) => format!("{sign}{}", unit.trim()),
        None => unit.trim().to_owned(),
    };
    match number.parse::<f64>() {
        Ok(value) if value.is_finite() && unit.len() <= 12 => Ok((value * multiplier, unit)),
        _ => Err(format!("`{text}` is not a number like 25, 25%, 1500, 2.5k or $2M")),
    }
}

/// `<@U123|name>` or `<@U123>`, as Slack sends mentions with `should_escape`.
pub fn parse_user_mention(word: &str) -> Result<SlackUserId, String> {
    if let Some(inner) = word.strip_prefix("<@").and_then(|w| w.strip_suffix('>')) {
        let id = inner.split('|').next().unwrap_or_default();
        return SlackUserId::parse(id).map_err(|e| e.to_string());
    }
    if word.starts_with('@') {
        return Err(format!(
            "`{word}` is plain text, not a mention: type @ and pick the person from Slack's list so the name turns blue"
        ));
    }
    Err(format!("`{word}` is not a person: mention them with @"))
}

/// `<#C123|name>` or `<#C123>`.
pub fn parse_channel_mention(word: &str) -> Result<SlackChannelId, String> {
    if let Some(inner) = word.strip_prefix("<#").and_then(|w| w.strip_suffix('>')) {
        let id = inner.split('|').next().unwrap_or_default();
        return SlackChannelId::parse(id).map_err(|e| e.to_string());
    }
    if word.starts_with('#') {
        return Err(format!(
            "`{word}` is plain text, not a channel link: type # and pick the channel from Slack's list"
        ));
    }
    Err(format!("`{word}` is not a channel: link it with #"))
}

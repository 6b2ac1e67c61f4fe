//! The tokenizer: command text split into words and `key:value` options, keeping quoted text
//! and Slack's escaped mentions and links (which may contain spaces) whole. Separate because
//! it knows nothing of subcommands, only of how Slack sends text.

/// `key:value` options a subcommand may take.
const OPTION_KEYS: [&str; 11] = [
    "tier",
    "date",
    "lead",
    "name",
    "owner",
    "due",
    "target",
    "by",
    "accountable",
    "consulted",
    "informed",
];

/// A word or an option, borrowed from the command text: a command is parsed once, while
/// its text is at hand, and only what it becomes is copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Token<'a> {
    Word(&'a str),
    /// `key` is the option's name as [`OPTION_KEYS`] spells it, whatever case was typed.
    Option {
        key: &'static str,
        value: &'a str,
    },
}

fn is_open_quote(c: char) -> bool {
    matches!(c, '"' | '“' | '”' | '„')
}

fn is_close_quote(c: char) -> bool {
    matches!(c, '"' | '”' | '“')
}

/// The option `word` names, if any: `due`, `Due` and `DUE` are all `due`.
fn option_key(word: &str) -> Option<&'static str> {
    OPTION_KEYS.iter().copied().find(|key| key.eq_ignore_ascii_case(word))
}

/// Whether `text` starts with Slack's escape for a mention or a link (`<@U1|a b>`,
/// `<#C1|launches>`, `<!here>`, `<https://…|a b>`), whose label may hold spaces.
fn starts_slack_escape(text: &str) -> bool {
    ["<@", "<#", "<!", "<http"]
        .iter()
        .any(|prefix| text.starts_with(prefix))
}

/// Splits on whitespace, keeping `"quoted text"`, `key:"quoted value"` and `<@U1|a b>` whole.
pub(super) fn tokenize(text: &str) -> Result<Vec<Token<'_>>, String> {
    let mut tokens = Vec::new();
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        let Some(first) = rest.chars().next() else { break };
        if is_open_quote(first) {
            let (quoted, after) = read_quoted(&rest[first.len_utf8()..])?;
            tokens.push(Token::Word(quoted));
            rest = after;
            continue;
        }
        if starts_slack_escape(rest) {
            let (word, after) = through_closing_angle(rest);
            tokens.push(Token::Word(word));
            rest = after;
            continue;
        }
        let word_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let word = &rest[..word_end];
        // An option's key ends at its colon (`due:friday`, `owner:<@U1|a b>`); a colon after
        // anything else is part of the word (`10:30`, `https://…`).
        let option = word
            .match_indices(':')
            .find_map(|(colon, _)| option_key(&word[..colon]).map(|key| (key, colon)));
        match option {
            Some((key, colon)) => {
                let (value, after) = read_value(&rest[colon + 1..])?;
                tokens.push(Token::Option { key, value });
                rest = after;
            }
            None => {
                tokens.push(Token::Word(word));
                rest = &rest[word_end..];
            }
        }
    }
    Ok(tokens)
}

/// An option's value at the start of `text`, and what follows it: quoted text, a Slack escape
/// (`lead:<@U1|a b>` is a mention that may hold spaces; `target:<50` is not), or a word.
fn read_value(text: &str) -> Result<(&str, &str), String> {
    match text.chars().next() {
        Some(quote) if is_open_quote(quote) => read_quoted(&text[quote.len_utf8()..]),
        _ if starts_slack_escape(text) => Ok(through_closing_angle(text)),
        _ => {
            let end = text.find(char::is_whitespace).unwrap_or(text.len());
            Ok(text.split_at(end))
        }
    }
}

/// `text` up to and including its first `>` (all of it if there is none), and what follows.
fn through_closing_angle(text: &str) -> (&str, &str) {
    match text.find('>') {
        Some(end) => text.split_at(end + 1),
        None => (text, ""),
    }
}

/// The text before the closing quote that ends a quotation opened just before `text`, and
/// what follows that quote.
fn read_quoted(text: &str) -> Result<(&str, &str), String> {
    let (end, quote) = text
        .char_indices()
        .find(|&(_, c)| is_close_quote(c))
        .ok_or_else(|| "a quote is not closed".to_owned())?;
    Ok((&text[..end], &text[end + quote.len_utf8()..]))
}

#[cfg(test)]
mod tests {
    use super::Token::{Option as Opt, Word};
    use super::*;

    /// Commands as people type them, and as Slack escapes mentions and links in them.
    #[test]
    fn words_options_quotes_and_slack_escapes_split_as_typed() {
        let cases: [(&str, &[Token<'_>]); 7] = [
            (
                "payments-hub sales Battlecard for Q1 OWNER:<@U0BOB|bob lee> due:next friday",
                &[
                    Word("payments-hub"),
                    Word("sales"),
                    Word("Battlecard"),
                    Word("for"),
                    Word("Q1"),
                    Opt {
                        key: "owner",
                        value: "<@U0BOB|bob lee>",
                    },
                    Opt {
                        key: "due",
                        value: "next",
                    },
                    Word("friday"),
                ],
            ),
            (
                "  “Pricing page — v2”  name:\"Checkout v2\"  ",
                &[
                    Word("Pricing page — v2"),
                    Opt {
                        key: "name",
                        value: "Checkout v2",
                    },
                ],
            ),
            (
                "T12 waiting on <https://example.com/a b|the spec> at 10:30",
                &[
                    Word("T12"),
                    Word("waiting"),
                    Word("on"),
                    Word("<https://example.com/a b|the spec>"),
                    Word("at"),
                    Word("10:30"),
                ],
            ),
            // `target:<50` is a number that is better low, not a Slack escape.
            (
                "target:<50 by:T+30",
                &[
                    Opt {
                        key: "target",
                        value: "<50",
                    },
                    Opt {
                        key: "by",
                        value: "T+30",
                    },
                ],
            ),
            // Only a colon ending an option's name splits: `note:due:friday` is one word.
            (
                "note:due:friday due:",
                &[Word("note:due:friday"), Opt { key: "due", value: "" }],
            ),
            (
                "<#C0LAUNCH|launch room> <!here",
                &[Word("<#C0LAUNCH|launch room>"), Word("<!here")],
            ),
            ("", &[]),
        ];
        for (text, expected) in cases {
            assert_eq!(tokenize(text).as_deref(), Ok(expected), "{text:?}");
        }
    }

    #[test]
    fn a_quote_left_open_is_an_error() {
        assert_eq!(
            tokenize("payments-hub \"Pricing page"),
            Err("a quote is not closed".to_owned())
        );
        assert_eq!(tokenize("name:“Checkout"), Err("a quote is not closed".to_owned()));
    }
}

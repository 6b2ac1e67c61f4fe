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

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Token {
    Word(String),
    Option { key: String, value: String },
}

fn is_open_quote(c: char) -> bool {
    matches!(c, '"' | '“' | '”' | '„')
}

fn is_close_quote(c: char) -> bool {
    matches!(c, '"' | '”' | '“')
}

/// Splits on whitespace, keeping `"quoted text"`, `key:"quoted value"` and `<@U1|a b>` whole.
pub(super) fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let Some(&first) = chars.peek() else { break };
        if is_open_quote(first) {
            chars.next();
            tokens.push(Token::Word(read_quoted(&mut chars)?));
            continue;
        }
        let mut word = String::new();
        let rest_of_text: String = chars.clone().take(5).collect();
        let slack_escape = rest_of_text.starts_with("<@")
            || rest_of_text.starts_with("<#")
            || rest_of_text.starts_with("<!")
            || rest_of_text.starts_with("<http");
        if slack_escape {
            // Slack's escaped mentions and links may contain spaces in their label.
            for c in chars.by_ref() {
                word.push(c);
                if c == '>' {
                    break;
                }
            }
            tokens.push(Token::Word(word));
            continue;
        }
        while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
            word.push(c);
            if c == ':' && OPTION_KEYS.contains(&word[..word.len() - 1].to_ascii_lowercase().as_str()) {
                break;
            }
        }
        match word.strip_suffix(':') {
            Some(key) if OPTION_KEYS.contains(&key.to_ascii_lowercase().as_str()) => {
                let value = match chars.peek() {
                    Some(&q) if is_open_quote(q) => {
                        chars.next();
                        read_quoted(&mut chars)?
                    }
                    _ => {
                        let mut value = String::new();
                        // `lead:<@U1|a b>` is a mention that may hold spaces; `target:<50` is not.
                        let ahead: String = chars.clone().take(5).collect();
                        let escaped = ["<@", "<#", "<!", "<http"].iter().any(|p| ahead.starts_with(p));
                        if escaped {
                            for c in chars.by_ref() {
                                value.push(c);
                                if c == '>' {
                                    break;
                                }
                            }
                        } else {
                            while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                                value.push(c);
                            }
                        }
                        value
                    }
                };
                tokens.push(Token::Option {
                    key: key.to_ascii_lowercase(),
                    value,
                });
            }
            _ => tokens.push(Token::Word(word)),
        }
    }
    Ok(tokens)
}

fn read_quoted(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Result<String, String> {
    let mut value = String::new();
    for c in chars.by_ref() {
        if is_close_quote(c) {
            return Ok(value);
        }
        value.push(c);
    }
    Err("a quote is not closed".to_owned())
}

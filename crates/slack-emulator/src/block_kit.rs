//! The Block Kit limits Slack enforces on what an app sends (docs.slack.dev "Block Kit"
//! reference; SLACK-NOTES): counted here independently of how the service counts them.

use serde_json::Value;

/// Block Kit limits Slack enforces (SLACK-NOTES); returns each broken one.
pub fn block_kit_violations(blocks: &Value, max_blocks: usize) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(blocks) = blocks.as_array() else {
        return problems;
    };
    if blocks.len() > max_blocks {
        problems.push(format!("{} blocks (max {max_blocks})", blocks.len()));
    }
    let chars = |v: &Value| v.as_str().map_or(0, |s| s.chars().count());
    for (i, block) in blocks.iter().enumerate() {
        let kind = block["type"].as_str().unwrap_or("");
        if let Some(id) = block["block_id"].as_str()
            && id.chars().count() > 255
        {
            problems.push(format!("block {i}: block_id too long"));
        }
        match kind {
            "section" => {
                if chars(&block["text"]["text"]) > 3000 {
                    problems.push(format!(
                        "block {i}: section text {} chars",
                        chars(&block["text"]["text"])
                    ));
                }
                if let Some(fields) = block["fields"].as_array() {
                    if fields.len() > 10 {
                        problems.push(format!("block {i}: {} fields", fields.len()));
                    }
                    for field in fields {
                        if chars(&field["text"]) > 2000 {
                            problems.push(format!("block {i}: field over 2000 chars"));
                        }
                    }
                }
                if block.get("text").is_none() && block.get("fields").is_none() {
                    problems.push(format!("block {i}: section without text or fields"));
                }
            }
            "header" if chars(&block["text"]["text"]) > 150 => {
                problems.push(format!("block {i}: header {} chars", chars(&block["text"]["text"])));
            }
            "context" if block["elements"].as_array().map_or(0, Vec::len) > 10 => {
                problems.push(format!("block {i}: more than 10 context elements"));
            }
            "actions" => {
                let elements = block["elements"].as_array().cloned().unwrap_or_default();
                if elements.len() > 25 {
                    problems.push(format!("block {i}: {} actions", elements.len()));
                }
                for element in elements {
                    if chars(&element["text"]["text"]) > 75 {
                        problems.push(format!("block {i}: button text over 75"));
                    }
                    if chars(&element["action_id"]) > 255 {
                        problems.push(format!("block {i}: action_id over 255"));
                    }
                    if chars(&element["value"]) > 2000 {
                        problems.push(format!("block {i}: value over 2000"));
                    }
                }
            }
            _ => {}
        }
    }
    problems
}

/// Characters of text in `blocks`, counted as Slack counts them for its message cap: every
/// `text` string at any depth.
pub fn block_text_chars(blocks: &Value) -> usize {
    match blocks {
        Value::Object(map) => map
            .iter()
            .map(|(key, value)| match value {
                Value::String(text) if key == "text" => text.chars().count(),
                other => block_text_chars(other),
            })
            .sum(),
        Value::Array(items) => items.iter().map(block_text_chars).sum(),
        _ => 0,
    }
}

/// Slack's cap on the text a message's blocks carry: past it `chat.postMessage` (and
/// `chat.update`, `chat.postEphemeral`, `response_url`) answer `msg_blocks_too_long`,
/// whatever the block count. Slack does not publish the number; reports in bolt-js issues
/// #2509 and #2867 put it between 12,000 and 13,300, so the emulator refuses from the low end.
pub const MESSAGE_BLOCK_TEXT_CAP: usize = 12_000;

/// Limits of a modal or Home view.
pub fn view_violations(view: &Value) -> Vec<String> {
    let mut problems = block_kit_violations(&view["blocks"], 100);
    let chars = |v: &Value| v.as_str().map_or(0, |s| s.chars().count());
    for key in ["title", "submit", "close"] {
        if chars(&view[key]["text"]) > 24 {
            problems.push(format!("view {key} over 24 chars"));
        }
    }
    if chars(&view["private_metadata"]) > 3000 {
        problems.push("private_metadata over 3000".to_owned());
    }
    problems
}

//! Small text helpers shared by the grammars and the renderers.

/// `text` cut to at most `max` characters (not bytes), with `…` where it was cut, so an echo of
/// what someone typed stays short and never splits a character.
pub fn clip(text: &str, max: usize) -> String {
    match cut_at(text, max) {
        None => text.to_owned(),
        Some(cut) => {
            let mut clipped = String::with_capacity(cut + '…'.len_utf8());
            clipped.push_str(&text[..cut]);
            clipped.push('…');
            clipped
        }
    }
}

/// [`clip`] of a string that is not needed afterwards: cut in place, without a copy. A
/// launch's page has several kilobytes of fallback text to clip.
pub fn clip_owned(mut text: String, max: usize) -> String {
    if let Some(cut) = cut_at(&text, max) {
        text.truncate(cut);
        text.push('…');
    }
    text
}

/// Where [`clip`] cuts `text` (a byte index, before the ellipsis), or `None` if it fits.
fn cut_at(text: &str, max: usize) -> Option<usize> {
    // No text has more characters than bytes: most are within `max` without counting.
    if text.len() <= max || text.char_indices().nth(max).is_none() {
        return None;
    }
    Some(
        text.char_indices()
            .nth(max.saturating_sub(1))
            .map_or(text.len(), |(at, _)| at),
    )
}

#[cfg(test)]
mod tests {
    use super::{clip, clip_owned};

    #[test]
    fn clips_by_characters_with_an_ellipsis() {
        assert_eq!(clip("launch", 10), "launch");
        assert_eq!(clip("ééééé", 3), "éé…");
        assert_eq!(clip("ééé", 3), "ééé");
        assert_eq!(clip("launch", 6), "launch");
        assert_eq!(clip("launch", 5), "laun…");
        assert_eq!(clip("launch", 1), "…");
        assert_eq!(clip("launch", 0), "…");
        assert_eq!(clip("", 0), "");
        for (text, max) in [
            ("ééééé", 3),
            ("ééé", 3),
            ("launch", 5),
            ("launch", 0),
            ("", 0),
            ("a🚀b", 2),
        ] {
            assert_eq!(clip_owned(text.to_owned(), max), clip(text, max), "{text} {max}");
        }
    }
}

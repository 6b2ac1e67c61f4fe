//! Small text helpers shared by the grammars and the renderers.

/// `text` cut to at most `max` characters (not bytes), with `…` where it was cut, so an echo of
/// what someone typed stays short and never splits a character.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut clipped: String = text.chars().take(max.saturating_sub(1)).collect();
        clipped.push('…');
        clipped
    }
}

#[cfg(test)]
mod tests {
    use super::clip;

    #[test]
    fn clips_by_characters_with_an_ellipsis() {
        assert_eq!(clip("launch", 10), "launch");
        assert_eq!(clip("ééééé", 3), "éé…");
    }
}

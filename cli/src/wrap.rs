//! Word wrapping for text output.

/// The width text output wraps at.
pub const WIDTH: usize = 100;

/// Wraps `text` at word boundaries so no line exceeds `width` (unless one word does);
/// the first line starts with `first`, the others with `rest`.
pub fn wrap(text: &str, width: usize, first: &str, rest: &str) -> String {
    let mut out = String::from(first);
    let mut line_len = first.chars().count();
    let mut line_empty = true;
    for word in text.split_whitespace() {
        let word_len = word.chars().count();
        if !line_empty && line_len + 1 + word_len > width {
            out.push('\n');
            out.push_str(rest);
            line_len = rest.chars().count();
            line_empty = true;
        }
        if !line_empty {
            out.push(' ');
            line_len += 1;
        }
        out.push_str(word);
        line_len += word_len;
        line_empty = false;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_with_indents() {
        assert_eq!(wrap("aa bb cc dd", 8, "1. ", "   "), "1. aa bb\n   cc dd");
        assert_eq!(
            wrap("averyverylongword x", 5, "", ""),
            "averyverylongword\nx"
        );
    }
}

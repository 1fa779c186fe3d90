//! Markdown of sek's generated pages (`sek checks show`) as plain text for a terminal: headings
//! underlined, the metadata table as aligned `key: value` lines, code blocks indented, links
//! written out, paragraphs wrapped. Only the constructs `docs::page` writes are handled; anything
//! else passes through unchanged.

/// `markdown` as text, paragraphs wrapped to `width` columns.
pub fn to_text(markdown: &str, width: usize) -> String {
    let mut out = String::new();
    let mut in_code = false;
    let mut rows: Vec<(String, String)> = Vec::new();
    for line in markdown.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            out.push_str("    ");
            out.push_str(line);
            out.push('\n');
            continue;
        }
        if let Some(row) = line.strip_prefix('|') {
            let cells: Vec<&str> = row
                .trim_end_matches('|')
                .split('|')
                .map(str::trim)
                .collect();
            if let [key, value] = cells.as_slice()
                && !key.is_empty()
                && !key.starts_with("---")
            {
                rows.push((inline(key), inline(value)));
            }
            continue;
        }
        flush_table(&mut rows, width, &mut out);
        if line.starts_with("<!--") {
            continue;
        }
        if let Some(title) = line.strip_prefix("# ") {
            out.push_str(&format!("{title}\n{}\n", "=".repeat(title.chars().count())));
        } else if let Some(heading) = line.strip_prefix("## ") {
            out.push_str(&format!(
                "{heading}\n{}\n",
                "-".repeat(heading.chars().count())
            ));
        } else if let Some(item) = line.strip_prefix("- ") {
            out.push_str(&wrap(&inline(item), width, "  - ", "    "));
        } else if line.trim().is_empty() {
            if !out.ends_with("\n\n") && !out.is_empty() {
                out.push('\n');
            }
        } else {
            out.push_str(&wrap(&inline(line), width, "", ""));
        }
    }
    flush_table(&mut rows, width, &mut out);
    out
}

/// The pending `key | value` rows as aligned `key: value` lines, values wrapped.
fn flush_table(rows: &mut Vec<(String, String)>, width: usize, out: &mut String) {
    let key_width = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0)
        + 2;
    for (key, value) in rows.drain(..) {
        let first = format!("{key}:{}", " ".repeat(key_width - key.chars().count() - 1));
        out.push_str(&wrap(&value, width, &first, &" ".repeat(key_width)));
    }
}

/// Inline Markdown as text: code spans unquoted, `[text](url)` as `text (url)`, `<url>` as url.
fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '['
            && let Some((label, after)) = rest[1..].split_once("](")
            && let Some((url, tail)) = after.split_once(')')
        {
            out.push_str(&format!("{label} ({url})"));
            rest = tail;
            continue;
        }
        if c == '<'
            && let Some((url, tail)) = rest[1..].split_once('>')
            && url.starts_with("http")
        {
            out.push_str(url);
            rest = tail;
            continue;
        }
        if c != '`' {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// `text` wrapped at `width` columns, the first line after `first`, the others after `rest`.
fn wrap(text: &str, width: usize, first: &str, rest: &str) -> String {
    let mut out = String::new();
    let mut line = first.to_string();
    let mut empty = true;
    for word in text.split_whitespace() {
        if !empty && line.chars().count() + 1 + word.chars().count() > width {
            out.push_str(line.trim_end());
            out.push('\n');
            line = rest.to_string();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_check_page_reads_as_text() {
        let check = sek_core::checks::find("node-imds").unwrap();
        let text = to_text(&sek_core::docs::page(check), 80);
        assert!(text.starts_with("node-imds\n=========\n"), "{text}");
        assert!(!text.contains("<!--") && !text.contains("|---") && !text.contains("```"));
        assert!(text.contains("\nSeverity:"), "{text}");
        assert!(text.contains("Why it matters\n--------------\n"));
        assert!(text.contains("\n    aws ec2 modify-instance-metadata-options"));
        assert!(text.contains("  - https://docs.aws.amazon.com/"));
        assert!(text.contains("(https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html)"));
        assert!(!text.contains("]("), "links are written out");
        for line in text
            .lines()
            .filter(|l| !l.starts_with("    ") && !l.contains("https://"))
        {
            assert!(line.chars().count() <= 80, "{line}");
        }
    }

    #[test]
    fn table_values_wrap_under_their_column() {
        let text = to_text("| | |\n|---|---|\n| Key | one two three four |\n", 16);
        assert_eq!(text, "Key: one two\n     three four\n");
    }
}

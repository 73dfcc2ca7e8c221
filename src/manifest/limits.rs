//! Bounded loading: the limits on what kbmc reads (file size, total bytes, documents per
//! file or List, nesting depth) and the checks that enforce them before the YAML parser sees
//! the text. Owns only sizes and shapes of the input; what the documents mean is `ir`'s.
//! Documented in docs/spec.md and docs/cli.md ("Limits").
//!
//! Why: a YAML parser's work on deeply nested flow collections (`[[[[...`) is not bounded by
//! the recursion limit of the decoder behind it, and a file that never ends (a FIFO, a device)
//! or a directory tree that loops would keep the loader busy for ever; a real cluster dump
//! stays far below every limit here.

use std::io::Read;
use std::path::Path;

/// The deepest nesting of flow collections (`[` and `{`) in a file. Kubernetes objects nest
/// a few dozen levels at most.
pub const MAX_DEPTH: usize = 100;

/// The most YAML documents in one file, and the most items in one `kind: List`.
pub const MAX_DOCUMENTS: usize = 100_000;

/// The largest file kbmc reads.
pub const MAX_FILE_BYTES: u64 = 64 << 20;

/// The most bytes kbmc reads over all input files together.
pub const MAX_TOTAL_BYTES: u64 = 256 << 20;

/// Fails with the line of the first flow collection nested deeper than [`MAX_DEPTH`]. A cheap
/// scan, not a parser: brackets inside quoted scalars (which open after a space, `[`, `{`,
/// `,` or `:`) and comments do not count; an unbalanced bracket inside a block scalar does,
/// which only matters past [`MAX_DEPTH`] of them.
pub fn nesting(text: &str) -> Result<(), String> {
    let bytes = text.as_bytes();
    let (mut depth, mut line, mut i) = (0usize, 1usize, 0usize);
    let mut prev = b'\n';
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\n' => line += 1,
            b'#' if prev.is_ascii_whitespace() => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'\'' | b'"' if matches!(prev, b' ' | b'\t' | b'\n' | b'[' | b'{' | b',' | b':' | b'-') => {
                // Skip the quoted scalar: '' escapes a single quote, \ escapes in double quotes.
                i += 1;
                while i < bytes.len() {
                    match bytes[i] {
                        b'\n' => line += 1,
                        b'\\' if c == b'"' => i += 1,
                        b'\'' if c == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 1,
                        q if q == c => break,
                        _ => {}
                    }
                    i += 1;
                }
            }
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(format!(
                        "line {line}: flow collections ([ or {{) nested more than {MAX_DEPTH} deep; kbmc reads at most that depth"
                    ));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        prev = bytes.get(i).copied().unwrap_or(b'\n');
        i += 1;
    }
    Ok(())
}

/// Reads one input file, which must be a regular file (a FIFO or device could block or never
/// end) of at most [`MAX_FILE_BYTES`] and at most `budget` bytes (what is left of
/// [`MAX_TOTAL_BYTES`]).
pub fn read(path: &Path, budget: u64) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read file: {e}"))?;
    if !meta.is_file() {
        return Err("not a regular file; kbmc reads regular files and directories only".into());
    }
    let limit = MAX_FILE_BYTES.min(budget);
    let too_big = |size: u64| {
        if limit < MAX_FILE_BYTES {
            format!("{size} bytes would take the input past {MAX_TOTAL_BYTES} bytes in all, the most kbmc reads")
        } else {
            format!("{size} bytes is above {MAX_FILE_BYTES}, the largest file kbmc reads")
        }
    };
    if meta.len() > limit {
        return Err(too_big(meta.len()));
    }
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read file: {e}"))?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // The file may grow after its metadata was read: never read past the limit.
    file.take(limit + 1).read_to_end(&mut bytes).map_err(|e| format!("cannot read file: {e}"))?;
    if bytes.len() as u64 > limit {
        return Err(too_big(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|e| format!("cannot read file: not UTF-8 text ({e})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_counts_flow_collections_outside_quotes_and_comments() {
        let deep = |n: usize| format!("a: {}{}\n", "[".repeat(n), "]".repeat(n));
        assert!(nesting(&deep(MAX_DEPTH)).is_ok());
        let e = nesting(&format!("x: 1\n{}", deep(MAX_DEPTH + 1))).unwrap_err();
        assert!(e.starts_with("line 2:"), "{e}");
        let quoted = format!("a: '{0}'\nb: \"{0}\"\nc: 1 # {0}\nd: don't {{\n", "[".repeat(1000));
        assert!(nesting(&quoted).is_ok());
        assert!(nesting(&format!("a: \"\\\"{}\"\n", "{".repeat(1000))).is_ok());
        assert!(nesting(&format!("a: 'it''s {}'\n", "{".repeat(1000))).is_ok());
    }

    #[test]
    fn only_regular_files_are_read() {
        let e = read(Path::new("/dev/null"), MAX_TOTAL_BYTES).unwrap_err();
        assert!(e.starts_with("not a regular file"), "{e}");
        let e = read(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml").as_path(), 10).unwrap_err();
        assert!(e.contains("in all"), "{e}");
    }
}

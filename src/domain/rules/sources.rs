//! What people read for a rule's source: the article or guidance by its title (RULES.md),
//! never the short names code uses.

/// Short name → title, as RULES.md lists them.
pub const TITLES: &[(&str, &str)] = &[
    (
        "seed 000",
        "“Can Deep Tissue Massage Cause Muscle Spasms?” (Breeze Academy, 2023)",
    ),
    (
        "seed 001",
        "“Can Massage Cause Muscle Spasms? What do Scientific Facts Say About It?”",
    ),
    ("seed 002", "“Massage to Treat Muscle Spasms” (guide, 2022)"),
    (
        "seed 003",
        "“Massage Therapy Benefits for Muscle Spasms: Relief, Recovery & Prevention”",
    ),
    ("seed 004", "“Muscle Spasm Massage” (treatment guide)"),
    (
        "clinical guidance",
        "NHS, Mayo Clinic and Merck Manual guidance on muscle cramps",
    ),
];

/// A rule's source in words: every short name replaced by its title; the notes in brackets
/// (which part of the article) stay.
pub fn in_words(short: &str) -> String {
    // Separate the sources first: titles have commas of their own.
    let mut out = short.replace(", ", "; ");
    for (name, title) in TITLES {
        out = out.replace(name, title);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_short_name_becomes_its_title() {
        let words = in_words("seed 003, seed 000 (weekly or every other week)");
        assert_eq!(
            words,
            "“Massage Therapy Benefits for Muscle Spasms: Relief, Recovery & Prevention”; “Can Deep Tissue Massage Cause Muscle Spasms?” (Breeze Academy, 2023) (weekly or every other week)"
        );
        for r in crate::domain::rules::catalogue() {
            let w = in_words(r.source);
            assert!(
                !w.contains("seed 0") && !w.contains("clinical guidance"),
                "{}: {w}",
                r.id
            );
        }
    }
}

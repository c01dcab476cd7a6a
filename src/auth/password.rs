//! Password hashing with argon2id at OWASP's recommended parameters (19 MiB, 2 passes, 1 lane).

use crate::error::AppError;
use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::LazyLock;

fn params() -> Params {
    Params::new(19 * 1024, 2, 1, None).expect("OWASP argon2 parameters are valid")
}

/// Working memory for one hash. It reserves past 32 MiB, the most glibc ever serves from its
/// heap, so that it is always a mapping of its own, handed back whole when freed. Left to
/// argon2, the 19 MiB came from the heap once a first hash had been freed, and stayed there:
/// one more 19 MiB resident with each sign-in, 137 MB after eight. Only the blocks used are
/// touched, so the reservation beyond them costs no memory.
fn memory(blocks: usize) -> Vec<Block> {
    const MAPPED_BLOCKS: usize = (32 << 20) / Block::SIZE + 1;
    let mut m = Vec::with_capacity(blocks.max(MAPPED_BLOCKS));
    m.resize(blocks, Block::new());
    m
}

/// The argon2 output of `password` with `salt`, or None when the inputs are out of bounds.
fn output(
    (algorithm, version, params): (Algorithm, Version, Params),
    password: &[u8],
    salt: &[u8],
) -> Option<Output> {
    let len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let mut buffer = [0u8; Output::MAX_LENGTH];
    let out = buffer.get_mut(..len)?;
    let blocks = memory(params.block_count());
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password, salt, out, blocks)
        .ok()?;
    Output::new(out).ok()
}

/// A hash of a password nobody has, verified when an email is unknown so that the answer
/// takes as long as for a known one.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash("unknot-dummy-password-for-timing").unwrap_or_default());

/// Hashes a password into a PHC string (argon2id, random salt).
pub fn hash(password: &str) -> Result<String, AppError> {
    let failed = |what: &str| AppError::Unexpected(anyhow::anyhow!("hashing failed: {what}"));
    let (algorithm, version, params) = (Algorithm::Argon2id, Version::V0x13, params());
    let salt = Salt::generate();
    let phc = PasswordHash {
        algorithm: algorithm.ident(),
        version: Some(version.into()),
        params: ParamsString::try_from(&params).map_err(|e| failed(&e.to_string()))?,
        hash: Some(
            output((algorithm, version, params), password.as_bytes(), &salt)
                .ok_or_else(|| failed("argon2 refused its input"))?,
        ),
        salt: Some(salt),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `stored` (compared in constant time).
pub fn verify(password: &str, stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return false;
    };
    let algorithm = Algorithm::try_from(parsed.algorithm.as_str());
    let version = parsed
        .version
        .map_or(Ok(Version::default()), Version::try_from);
    let (Ok(algorithm), Ok(version), Ok(params)) = (algorithm, version, Params::try_from(&parsed))
    else {
        return false;
    };
    output((algorithm, version, params), password.as_bytes(), salt)
        .is_some_and(|out| out == *expected)
}

/// Spends the same work as a real verification, for unknown accounts.
pub fn verify_dummy(password: &str) {
    let _ = verify(password, &DUMMY_HASH);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_salted_and_verify_only_the_right_password() {
        let a = hash("correct horse battery").unwrap();
        let b = hash("correct horse battery").unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert_ne!(a, b, "salts differ");
        assert!(verify("correct horse battery", &a));
        assert!(!verify("correct horse batterY", &a));
        assert!(!verify("anything", "not a hash"));
    }

    #[test]
    fn hashes_agree_with_the_argon2_crates_own_phc_hashing_both_ways() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let theirs = Argon2::new(Algorithm::Argon2id, Version::V0x13, params());
        // Stored before: made by the crate's hasher, with its own memory.
        let old = theirs
            .hash_password(b"correct horse battery")
            .unwrap()
            .to_string();
        assert!(verify("correct horse battery", &old));
        assert!(!verify("correct horse batterY", &old));
        // Made here: the crate's verifier accepts it, and only with the right password.
        let new = PasswordHash::new(&hash("correct horse battery").unwrap()).unwrap();
        assert!(
            theirs
                .verify_password(b"correct horse battery", &new)
                .is_ok()
        );
        assert!(
            theirs
                .verify_password(b"correct horse batterY", &new)
                .is_err()
        );
        // Other parameters stored in the hash are honoured.
        let light = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8, 1, 1, None).unwrap(),
        )
        .hash_password(b"pw-light")
        .unwrap()
        .to_string();
        assert!(verify("pw-light", &light) && !verify("pw-heavy", &light));
    }
}

//! Request validation shared by the RPCs: scope and idempotency key.

use super::model::County;

/// Why a request field is invalid (message without the submitted value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid {
    pub field: &'static str,
    pub description: &'static str,
}

/// The county of a request scope: at least one of code / name; a code is "01".."58".
pub fn county(code: &str, name: &str) -> Result<County, Invalid> {
    if code.is_empty() && name.is_empty() {
        return Err(Invalid {
            field: "scope",
            description: "scope needs county_code or county_name",
        });
    }
    if !code.is_empty() {
        let valid = code.len() == 2
            && code.bytes().all(|b| b.is_ascii_digit())
            && matches!(code.parse::<u8>(), Ok(1..=58));
        if !valid {
            return Err(Invalid {
                field: "scope.county_code",
                description: "county_code must be two digits 01..58",
            });
        }
    }
    if name.len() > 64 || name.trim() != name {
        return Err(Invalid {
            field: "scope.county_name",
            description: "county_name must be the DOJ county name, at most 64 characters",
        });
    }
    Ok(County {
        code: code.to_owned(),
        name: name.to_owned(),
    })
}

/// An idempotency key: 1-128 characters of `[A-Za-z0-9._:-]`.
pub fn idempotency_key(key: &str) -> Result<String, Invalid> {
    let valid = (1..=128).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'));
    if valid {
        Ok(key.to_owned())
    } else {
        Err(Invalid {
            field: "idempotency_key.key",
            description: "idempotency key must be 1-128 characters of [A-Za-z0-9._:-]",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_rules() {
        assert!(county("34", "SACRAMENTO").is_ok());
        assert!(county("", "SACRAMENTO").is_ok());
        assert!(county("", "").is_err());
        assert!(county("59", "").is_err());
        assert!(county("3", "").is_err());
    }

    #[test]
    fn key_rules() {
        assert!(idempotency_key("a-b_c.d:1").is_ok());
        assert!(idempotency_key("").is_err());
        assert!(idempotency_key("a b").is_err());
        assert!(idempotency_key(&"k".repeat(129)).is_err());
    }
}

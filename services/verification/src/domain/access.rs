//! Who may do what: bearer-token principals, the roles of `cmr.common.v1.Role`, and the one
//! decision function [`authorize`]. Pure: the store finds the principal, this decides.

use sha2::{Digest, Sha256};

use super::model::County;

/// A caller's role (the numbers are the proto `cmr.common.v1.Role` values).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Reviewer = 1,
    Supervisor = 2,
    ReadOnly = 3,
    Service = 4,
}

impl Role {
    /// The role stored or written as `value` (`reviewer`, `supervisor`, `read-only`, `service`
    /// or the proto number).
    #[must_use]
    pub fn parse(value: &str) -> Option<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "reviewer" | "1" => Some(Self::Reviewer),
            "supervisor" | "2" => Some(Self::Supervisor),
            "read-only" | "read_only" | "readonly" | "3" => Some(Self::ReadOnly),
            "service" | "4" => Some(Self::Service),
            _ => None,
        }
    }

    #[must_use]
    pub fn from_i16(value: i16) -> Option<Self> {
        Self::parse(&value.to_string())
    }
}

/// The caller of one request, as its token says (never as the request body says).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub principal_id: String,
    pub county: County,
    /// Empty = county-wide.
    pub agency_id: String,
    pub role: Role,
    /// Open (development) mode: no token is configured, so every call is this county-wide
    /// principal and nothing is refused for role or agency.
    pub open: bool,
}

/// Principal id recorded for calls in open mode.
pub const OPEN_PRINCIPAL: &str = "open-mode";
/// Principal id of decisions the service makes itself (ApplyDeadline).
pub const SYSTEM_PRINCIPAL: &str = "system";

impl Principal {
    /// The open-mode principal acting in `county`.
    #[must_use]
    pub fn open(county: County) -> Self {
        Self {
            principal_id: OPEN_PRINCIPAL.to_owned(),
            county,
            agency_id: String::new(),
            role: Role::Service,
            open: true,
        }
    }

    /// Whether the principal acts county-wide (supervisors, open mode, county-wide tokens).
    #[must_use]
    pub fn county_wide(&self) -> bool {
        self.open || self.role == Role::Supervisor || self.agency_id.is_empty()
    }
}

/// What an RPC needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// SubmitDeterminations: service role.
    Submit,
    /// Reading items, notices, deadlines, agencies, rules: every person role.
    Read,
    /// Concur, challenge, resolve, bulk, comment: reviewers and supervisors.
    Decide,
    /// Reassign, deadlines, agencies, routing rules: supervisors.
    Administer,
    /// Audit trail: supervisors and read-only auditors.
    Audit,
}

/// Why a call is refused (the proto `ErrorReason` names).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Denial {
    ScopeNotPermitted,
    RoleNotPermitted,
}

impl Denial {
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::ScopeNotPermitted => "SCOPE_NOT_PERMITTED",
            Self::RoleNotPermitted => "ROLE_NOT_PERMITTED",
        }
    }
}

/// Whether `principal` may do `need` in the requested county (and, when the request names
/// one, agency), on an entity of `entity_agency` when it has one.
pub fn authorize(
    principal: &Principal,
    requested: &County,
    requested_agency: &str,
    need: Need,
    entity_agency: Option<&str>,
) -> Result<(), Denial> {
    if !same_county(&principal.county, requested) {
        return Err(Denial::ScopeNotPermitted);
    }
    if principal.open {
        return Ok(());
    }
    let role_ok = match need {
        Need::Submit => principal.role == Role::Service,
        Need::Read => matches!(
            principal.role,
            Role::Reviewer | Role::Supervisor | Role::ReadOnly
        ),
        Need::Decide => matches!(principal.role, Role::Reviewer | Role::Supervisor),
        Need::Administer => principal.role == Role::Supervisor,
        Need::Audit => matches!(principal.role, Role::Supervisor | Role::ReadOnly),
    };
    if !role_ok {
        return Err(Denial::RoleNotPermitted);
    }
    if principal.county_wide() {
        return Ok(());
    }
    if !requested_agency.is_empty() && requested_agency != principal.agency_id {
        return Err(Denial::ScopeNotPermitted);
    }
    match entity_agency {
        Some(agency) if agency != principal.agency_id => Err(Denial::ScopeNotPermitted),
        _ => Ok(()),
    }
}

/// Whether a request's county (the parts it gives) is the token's county.
#[must_use]
pub fn same_county(token: &County, requested: &County) -> bool {
    let code_ok = requested.code.is_empty() || requested.code == token.code;
    let name_ok = requested.name.is_empty() || requested.name == token.name;
    let named = !requested.code.is_empty() || !requested.name.is_empty();
    code_ok && name_ok && named
}

/// Lower-case hex SHA-256 of a bearer token: the only form in which tokens are stored.
#[must_use]
pub fn token_sha256(token: &str) -> String {
    super::hex(&Sha256::digest(token.as_bytes()))
}

/// One stored token: its hash and the principal it stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenGrant {
    pub token_sha256: String,
    pub principal: Principal,
}

/// Why a line of the tokens file is refused (line number only, never the line).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("tokens file line {line}: {problem}")]
pub struct BadTokenLine {
    pub line: usize,
    pub problem: &'static str,
}

/// Parses the tokens file: one grant per line,
/// `sha256hex|principal_id|role|county_code|county_name|agency_id` (agency empty =
/// county-wide); blank lines and lines starting with `#` are skipped.
pub fn parse_tokens_file(text: &str) -> Result<Vec<TokenGrant>, BadTokenLine> {
    let mut grants = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = |problem| BadTokenLine {
            line: index + 1,
            problem,
        };
        let fields: Vec<&str> = line.split('|').map(str::trim).collect();
        let [hash, principal_id, role, code, name, agency] = fields.as_slice() else {
            return Err(bad("expected 6 fields separated by |"));
        };
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad("the first field must be a hex SHA-256 of the token"));
        }
        if principal_id.is_empty() || principal_id.len() > 128 {
            return Err(bad("principal id is required, at most 128 characters"));
        }
        let role = Role::parse(role).ok_or_else(|| bad("unknown role"))?;
        if code.len() != 2 || name.is_empty() {
            return Err(bad("county code (two digits) and county name are required"));
        }
        if matches!(role, Role::Reviewer | Role::ReadOnly) && agency.is_empty() {
            return Err(bad("reviewer and read-only tokens need an agency"));
        }
        grants.push(TokenGrant {
            token_sha256: hash.to_ascii_lowercase(),
            principal: Principal {
                principal_id: (*principal_id).to_owned(),
                county: County {
                    code: (*code).to_owned(),
                    name: (*name).to_owned(),
                },
                agency_id: (*agency).to_owned(),
                role,
                open: false,
            },
        });
    }
    Ok(grants)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn county(code: &str, name: &str) -> County {
        County {
            code: code.into(),
            name: name.into(),
        }
    }

    fn principal(role: Role, agency: &str) -> Principal {
        Principal {
            principal_id: "p1".into(),
            county: county("19", "LOS ANGELES"),
            agency_id: agency.into(),
            role,
            open: false,
        }
    }

    #[test]
    fn county_must_match_the_token() {
        let p = principal(Role::Supervisor, "");
        let la = county("19", "");
        assert!(authorize(&p, &la, "", Need::Read, None).is_ok());
        let sac = county("34", "SACRAMENTO");
        assert_eq!(
            authorize(&p, &sac, "", Need::Read, None),
            Err(Denial::ScopeNotPermitted)
        );
        assert_eq!(
            authorize(&p, &county("", "SACRAMENTO"), "", Need::Read, None),
            Err(Denial::ScopeNotPermitted)
        );
    }

    #[test]
    fn roles_and_agencies() {
        let la = county("19", "LOS ANGELES");
        let reviewer = principal(Role::Reviewer, "city-pasadena");
        assert!(authorize(&reviewer, &la, "", Need::Decide, Some("city-pasadena")).is_ok());
        assert_eq!(
            authorize(&reviewer, &la, "", Need::Decide, Some("da-19")),
            Err(Denial::ScopeNotPermitted)
        );
        assert_eq!(
            authorize(&reviewer, &la, "da-19", Need::Read, None),
            Err(Denial::ScopeNotPermitted)
        );
        assert_eq!(
            authorize(&reviewer, &la, "", Need::Administer, None),
            Err(Denial::RoleNotPermitted)
        );
        let read_only = principal(Role::ReadOnly, "da-19");
        assert!(authorize(&read_only, &la, "", Need::Read, Some("da-19")).is_ok());
        assert_eq!(
            authorize(&read_only, &la, "", Need::Decide, Some("da-19")),
            Err(Denial::RoleNotPermitted)
        );
        let supervisor = principal(Role::Supervisor, "da-19");
        assert!(authorize(&supervisor, &la, "", Need::Decide, Some("city-pasadena")).is_ok());
        let service = principal(Role::Service, "");
        assert!(authorize(&service, &la, "", Need::Submit, None).is_ok());
        assert_eq!(
            authorize(&service, &la, "", Need::Read, None),
            Err(Denial::RoleNotPermitted)
        );
        assert_eq!(
            authorize(&supervisor, &la, "", Need::Submit, None),
            Err(Denial::RoleNotPermitted)
        );
    }

    #[test]
    fn open_mode_allows_everything_in_the_requested_county() {
        let open = Principal::open(county("34", "SACRAMENTO"));
        assert!(authorize(&open, &county("34", ""), "", Need::Administer, Some("x")).is_ok());
    }

    #[test]
    fn tokens_file() {
        let hash = token_sha256("secret");
        assert_eq!(hash.len(), 64);
        let text = format!(
            "# comment\n\n{hash}|alice|reviewer|19|LOS ANGELES|city-pasadena\n{hash}|svc|service|19|LOS ANGELES|\n"
        );
        let grants = parse_tokens_file(&text).expect("parse");
        assert_eq!(grants.len(), 2);
        assert_eq!(grants[0].principal.role, Role::Reviewer);
        assert_eq!(grants[1].principal.agency_id, "");
        let bad = parse_tokens_file("abc|x|reviewer|19|LA|a").expect_err("bad hash");
        assert_eq!(bad.line, 1);
        assert!(parse_tokens_file(&format!("{hash}|x|reviewer|19|LA|")).is_err());
    }
}

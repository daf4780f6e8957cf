//! Template sets as data: per county, the wording (court caption, agency names and signature
//! blocks, each document's title and paragraphs) in JSON, and the layout in typst files.
//!
//! `default.json` holds wording for any county, written with placeholders (`{county}`,
//! `{agency}`, `{count}`, ...); a county file (`34.json`) overrides any part of it, so a county
//! changes its wording without a release by pointing `--filing-templates-dir` at a directory
//! of its own files (see docs/FILING.md).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use crate::model::DocumentError;

/// The typst layouts compiled in, by name.
const BUILTIN_LAYOUTS: [(&str, &str); 7] = [
    ("common", include_str!("../templates/common.typ")),
    ("bulk-motion", include_str!("../templates/bulk-motion.typ")),
    (
        "proposed-order",
        include_str!("../templates/proposed-order.typ"),
    ),
    (
        "court-notice",
        include_str!("../templates/court-notice.typ"),
    ),
    (
        "defender-notice",
        include_str!("../templates/defender-notice.typ"),
    ),
    ("cr400-order", include_str!("../templates/cr400-order.typ")),
    ("impact", include_str!("../templates/impact.typ")),
];

/// The wording compiled in: the default and the pilot counties, by county code.
const BUILTIN_COUNTIES: [(&str, &str); 5] = [
    (
        "default",
        include_str!("../templates/counties/default.json"),
    ),
    ("07", include_str!("../templates/counties/07.json")),
    ("19", include_str!("../templates/counties/19.json")),
    ("34", include_str!("../templates/counties/34.json")),
    ("39", include_str!("../templates/counties/39.json")),
];

/// An agency's printed name and signature block.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Agency {
    pub name: String,
    /// Lines under the signature line; `{signer}`, `{title}` and `{agency}` are filled in.
    pub signature_block: Vec<String>,
}

/// The public defender's office that receives the challenge notice.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Defender {
    pub name: String,
    pub address_lines: Vec<String>,
}

/// One document's wording.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct DocumentWording {
    pub title: String,
    pub body: Vec<String>,
    /// The order's numbered orders (orders only).
    #[serde(default)]
    pub orders: Vec<String>,
    /// Whether the orders are printed already marked (a county's choice for its bulk order);
    /// otherwise each has an empty box for the judge.
    #[serde(default)]
    pub orders_prechecked: bool,
    /// The judge's signature caption; empty for documents the judge does not sign.
    #[serde(default)]
    pub judge_line: String,
    /// What the list says when it is empty.
    #[serde(default)]
    pub empty_list: String,
}

/// A county's complete wording: `default.json` with the county's file laid over it.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Wording {
    /// Bumped by the county whenever it changes its wording; part of every template id.
    pub version: u32,
    /// The DOJ county name the file is for (informational).
    #[serde(default)]
    pub county_name: String,
    pub court_name: String,
    pub court_address_lines: Vec<String>,
    pub people_caption: String,
    pub defendants_caption: String,
    pub agency_default: Agency,
    /// Agencies by verification `agency_id`.
    pub agencies: BTreeMap<String, Agency>,
    /// "Attorney for ..." in the filer block and on the CR-400.
    pub attorney_for: String,
    pub defender: Defender,
    /// Case-list rows per attachment page.
    pub rows_per_page: usize,
    /// The mark printed before each order the court makes, when pre-marked.
    pub order_mark: String,
    pub bulk_motion: DocumentWording,
    pub proposed_order: DocumentWording,
    pub court_notice: DocumentWording,
    pub defender_notice: DocumentWording,
    pub cr400_order: DocumentWording,
}

/// A county's resolved template set.
#[derive(Clone, Debug)]
pub struct CountyTemplate {
    /// The county's own file's code, or "default" when it has none.
    pub set: String,
    pub wording: Wording,
}

/// Every county's template set: layouts and wording.
#[derive(Clone, Debug)]
pub struct Templates {
    /// Layouts by name; a county's own layout is keyed "CC/name".
    layouts: BTreeMap<String, String>,
    /// Wording files by county code ("default" for the base), parsed but not merged.
    counties: BTreeMap<String, Value>,
}

impl Templates {
    /// The template sets compiled into the binary.
    #[must_use]
    pub fn builtin() -> Self {
        let layouts = BUILTIN_LAYOUTS
            .iter()
            .map(|(name, text)| ((*name).to_owned(), (*text).to_owned()))
            .collect();
        let counties = BUILTIN_COUNTIES
            .iter()
            .map(|(code, text)| {
                let value = serde_json::from_str(text).expect("built-in county wording is JSON");
                ((*code).to_owned(), value)
            })
            .collect();
        Self { layouts, counties }
    }

    /// The built-in sets overlaid with the files of `dir`: `default.json` and `CC.json`
    /// replace the built-in wording file of that name, `NAME.typ` replaces a layout for every
    /// county, and `CC/NAME.typ` for county CC only. Every county is checked on load, so a
    /// mistake is reported at start-up, naming the file.
    pub fn load_dir(dir: &Path) -> Result<Self, DocumentError> {
        let mut templates = Self::builtin();
        let problem = |path: &Path, message: String| DocumentError::Template {
            file: path.display().to_string(),
            message,
        };
        let entries = std::fs::read_dir(dir).map_err(|e| problem(dir, e.to_string()))?;
        let mut paths: Vec<_> = entries
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()
            .map_err(|e| problem(dir, e.to_string()))?;
        paths.sort();
        for path in paths {
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_owned();
            if path.is_dir() {
                let mut inner: Vec<_> = std::fs::read_dir(&path)
                    .map_err(|e| problem(&path, e.to_string()))?
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .collect();
                inner.sort();
                for file in inner.iter().filter(|p| has_extension(p, "typ")) {
                    let name = layout_name(file, &templates).map_err(|m| problem(file, m))?;
                    let text =
                        std::fs::read_to_string(file).map_err(|e| problem(file, e.to_string()))?;
                    templates.layouts.insert(format!("{stem}/{name}"), text);
                }
            } else if has_extension(&path, "typ") {
                let name = layout_name(&path, &templates).map_err(|m| problem(&path, m))?;
                let text =
                    std::fs::read_to_string(&path).map_err(|e| problem(&path, e.to_string()))?;
                templates.layouts.insert(name, text);
            } else if has_extension(&path, "json") {
                let text =
                    std::fs::read_to_string(&path).map_err(|e| problem(&path, e.to_string()))?;
                let value: Value =
                    serde_json::from_str(&text).map_err(|e| problem(&path, e.to_string()))?;
                if !value.is_object() {
                    return Err(problem(&path, "expected a JSON object".to_owned()));
                }
                templates.counties.insert(stem, value);
            }
        }
        let codes: Vec<String> = templates.counties.keys().cloned().collect();
        for code in codes {
            templates.county(&code).map_err(|e| match e {
                DocumentError::Template { message, .. } => {
                    problem(&dir.join(format!("{code}.json")), message)
                }
                other => other,
            })?;
        }
        Ok(templates)
    }

    /// The wording for county `code`: the default with the county's file, if any, over it.
    pub fn county(&self, code: &str) -> Result<CountyTemplate, DocumentError> {
        let mut merged = self.counties.get("default").cloned().unwrap_or(Value::Null);
        let set = match self.counties.get(code) {
            Some(own) if code != "default" => {
                overlay(&mut merged, own);
                code.to_owned()
            }
            _ => "default".to_owned(),
        };
        let wording = serde_json::from_value(merged).map_err(|e| DocumentError::Template {
            file: format!("{set}.json"),
            message: e.to_string(),
        })?;
        Ok(CountyTemplate { set, wording })
    }

    /// The layout `name` for county `code`: the county's own, else the common one.
    #[must_use]
    pub fn layout(&self, code: &str, name: &str) -> &str {
        self.layouts
            .get(&format!("{code}/{name}"))
            .or_else(|| self.layouts.get(name))
            .map_or("", String::as_str)
    }
}

fn has_extension(path: &Path, extension: &str) -> bool {
    path.extension().is_some_and(|e| e == extension)
}

/// A layout file must replace a known layout; a typo would otherwise be silently ignored.
fn layout_name(path: &Path, templates: &Templates) -> Result<String, String> {
    let name = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    if templates.layouts.contains_key(name) {
        Ok(name.to_owned())
    } else {
        let known: Vec<&str> = BUILTIN_LAYOUTS.iter().map(|(n, _)| *n).collect();
        Err(format!(
            "unknown layout {name:?}; layouts are {}",
            known.join(", ")
        ))
    }
}

/// Lays `over` onto `base`: objects merge key by key, anything else replaces.
fn overlay(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Object(base), Value::Object(over)) => {
            for (key, value) in over {
                match base.get_mut(key) {
                    Some(slot) => overlay(slot, value),
                    None => {
                        base.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (slot, value) => *slot = value.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_county_resolves() {
        let templates = Templates::builtin();
        for (code, _) in BUILTIN_COUNTIES {
            let county = templates.county(code).unwrap();
            assert!(county.wording.rows_per_page > 0, "{code}");
        }
    }

    #[test]
    fn a_county_file_overrides_only_what_it_names() {
        let templates = Templates::builtin();
        let sacramento = templates.county("34").unwrap();
        assert_eq!(sacramento.set, "34");
        assert_eq!(
            sacramento.wording.court_address_lines,
            ["720 Ninth Street, Sacramento, CA 95814"]
        );
        assert_eq!(
            sacramento.wording.court_name,
            "Superior Court of California, County of {county}"
        );
        let alpine = templates.county("02").unwrap();
        assert_eq!(alpine.set, "default");
        assert!(alpine.wording.agencies.is_empty());
    }

    #[test]
    fn a_directory_replaces_wording_and_layouts() {
        let dir = std::env::temp_dir().join(format!("cmr-templates-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("02")).unwrap();
        std::fs::write(
            dir.join("02.json"),
            r#"{"version": 7, "bulk_motion": {"title": "ALPINE MOTION", "body": ["Text."]}}"#,
        )
        .unwrap();
        std::fs::write(dir.join("02/bulk-motion.typ"), "Alpine layout").unwrap();
        let templates = Templates::load_dir(&dir).unwrap();
        let alpine = templates.county("02").unwrap();
        assert_eq!(alpine.wording.version, 7);
        assert_eq!(alpine.wording.bulk_motion.title, "ALPINE MOTION");
        assert_eq!(templates.layout("02", "bulk-motion"), "Alpine layout");
        assert_ne!(templates.layout("34", "bulk-motion"), "Alpine layout");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_bad_county_file_is_refused_naming_the_file_and_field() {
        let dir = std::env::temp_dir().join(format!("cmr-templates-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("05.json"), r#"{"rows_per_paeg": 3}"#).unwrap();
        let err = Templates::load_dir(&dir).unwrap_err().to_string();
        assert!(err.contains("05.json"), "{err}");
        assert!(err.contains("rows_per_paeg"), "{err}");
        std::fs::write(dir.join("05.json"), "{}").unwrap();
        std::fs::write(dir.join("bulk-moton.typ"), "x").unwrap();
        let err = Templates::load_dir(&dir).unwrap_err().to_string();
        assert!(
            err.contains("bulk-moton.typ") && err.contains("unknown layout"),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

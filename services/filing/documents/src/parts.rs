//! Long case lists typeset in parts and joined, so memory stays bounded.
//!
//! typst holds a document's whole layout until its PDF is written: about 110 KiB a case, so
//! a 10,000-case bulk motion peaked at 1.1 GiB. A list of more than [`PAGES_PER_PART`] pages
//! is therefore typeset as the pleading without its list, then the list
//! [`PAGES_PER_PART`] pages at a time, each part compiled on its own with typst's memory
//! dropped in between, and the parts' PDFs joined (`join.rs`).
//!
//! Nothing on the page changes: each list page already gets its rows and running counts from
//! our data, and each part is told where it sits so "Page N of T" stays global. That needs
//! the total before the list parts are typeset, which is known only if every list page is
//! exactly one page; each part's page count is checked, and if a row was so tall that a page
//! overflowed, the document is typeset whole instead (correct, just more memory).

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::join::Joiner;
use crate::model::DocumentError;
use crate::typeset;

/// List pages per part. 40 pages of 18 rows (720 cases) keep a part's layout to a few tens of
/// MiB; fewer parts barely save time, as typesetting a part costs the same either way.
pub(crate) const PAGES_PER_PART: usize = 40;

/// A common layout that understands the `part`, `page_offset`, `total_pages` and
/// `pages_after` data says so with this marker; a county's own older layout without it is
/// always typeset whole, as splitting would repeat its pleading on every part.
const PARTS_MARKER: &str = "cmr:parts";

/// The layout a document is typeset with.
pub(crate) struct Layout<'a> {
    pub name: &'a str,
    pub main: &'a str,
    pub common: &'a str,
    pub date: (i32, u32, u32),
}

impl Layout<'_> {
    fn job(&self, data: Vec<u8>, ident: String) -> typeset::Job<'_> {
        typeset::Job {
            name: self.name,
            main: self.main,
            common: self.common,
            data,
            date: self.date,
            ident,
        }
    }

    fn failed(&self, message: String) -> DocumentError {
        DocumentError::Typeset {
            template: self.name.to_owned(),
            message,
        }
    }

    fn to_json(&self, data: &Value) -> Result<Vec<u8>, DocumentError> {
        serde_json::to_vec(data).map_err(|e| self.failed(e.to_string()))
    }
}

/// Typesets a pleading's `data` (see `batch.rs`), in parts of `pages_per_part` list pages
/// when its list is longer than that.
pub(crate) fn pdf(
    layout: &Layout<'_>,
    data: &Value,
    pages_per_part: usize,
) -> Result<Vec<u8>, DocumentError> {
    let bytes = layout.to_json(data)?;
    // The whole document's content hash: typst's PDF /ID, and the joined PDF's.
    let digest = Sha256::new()
        .chain_update(layout.name)
        .chain_update(&bytes)
        .finalize();
    let ident = hex(&digest);
    let list = data.get("pages").and_then(Value::as_array);
    let splits = pages_per_part > 0 && layout.common.contains(PARTS_MARKER);
    if let (Some(list), true) = (list, splits)
        && list.len() > pages_per_part
    {
        drop(bytes);
        let mut file_id = [0; 16];
        file_id.copy_from_slice(&digest[..16]);
        if let Some(pdf) = in_parts(layout, data, list, pages_per_part, &ident, file_id)? {
            return Ok(pdf);
        }
        return typeset::pdf(layout.job(layout.to_json(data)?, ident));
    }
    typeset::pdf(layout.job(bytes, ident))
}

/// The document in parts, joined; `None` when a list part overflowed its pages.
fn in_parts(
    layout: &Layout<'_>,
    data: &Value,
    list: &[Value],
    pages_per_part: usize,
    ident: &str,
    file_id: [u8; 16],
) -> Result<Option<Vec<u8>>, DocumentError> {
    // Everything but the list, shared by every part (a few KiB).
    let base: Map<String, Value> = data
        .as_object()
        .map(|o| {
            o.iter()
                .filter(|(k, _)| *k != "pages")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    let with = |extra: Value| -> Result<Vec<u8>, DocumentError> {
        let mut part = base.clone();
        if let Value::Object(extra) = extra {
            part.extend(extra);
        }
        layout.to_json(&Value::Object(part))
    };
    let join_failed = |e: lopdf::Error| layout.failed(format!("joining the parts: {e}"));
    let mut joiner = Joiner::default();
    // The pleading first: its length is whatever the wording makes it, so it is told only
    // how many pages follow it.
    let first = with(json!({ "part": "pleading", "pages": [], "pages_after": list.len() }))?;
    let Some((pdf, pleading_pages)) =
        typeset::part(layout.job(first, format!("{ident}/pleading")), None)?
    else {
        return Ok(None);
    };
    joiner.push(&pdf).map_err(join_failed)?;
    drop(pdf);
    let total = pleading_pages + list.len();
    for (i, pages) in list.chunks(pages_per_part).enumerate() {
        let part = with(json!({
            "part": "list",
            "pages": pages,
            "page_offset": pleading_pages + i * pages_per_part,
            "total_pages": total,
        }))?;
        let job = layout.job(part, format!("{ident}/list-{}", i + 1));
        let Some((pdf, _)) = typeset::part(job, Some(pages.len()))? else {
            return Ok(None);
        };
        joiner.push(&pdf).map_err(join_failed)?;
    }
    joiner.finish(file_id).map(Some).map_err(join_failed)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

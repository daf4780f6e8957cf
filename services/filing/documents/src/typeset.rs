//! Typesetting with `typst`: a closed world with no file system, no network and no clock.
//!
//! A document is one main template, the shared `common.typ` and one `data.json` holding
//! everything it prints. Fonts are typst's bundled ones (Libertinus Serif, New Computer
//! Modern, DejaVu Sans Mono), compiled into the binary and embedded (subset) in every PDF,
//! so output never depends on the machine's fonts. The PDF's identifier and date come from
//! the caller, so the same input gives the same bytes.

use std::sync::LazyLock;

use typst::diag::{FileError, FileResult, Severity};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

use super::model::DocumentError;

/// The bundled fonts, parsed once per process.
static FONTS: LazyLock<(LazyHash<FontBook>, Vec<Font>)> = LazyLock::new(|| {
    let fonts: Vec<Font> = typst_assets::fonts()
        .flat_map(|data| Font::iter(Bytes::new(data)))
        .collect();
    (LazyHash::new(FontBook::from_fonts(&fonts)), fonts)
});

/// The standard library, built once per process.
static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

/// One typesetting job: the template sources and the data it reads.
pub struct Job<'a> {
    /// Names the template in errors and in the template id, e.g. "bulk-motion".
    pub name: &'a str,
    /// The main template's typst source.
    pub main: &'a str,
    /// `common.typ`, which every template imports.
    pub common: &'a str,
    /// `data.json`: what the document prints.
    pub data: Vec<u8>,
    /// The date printed and stamped as the PDF's creation date.
    pub date: (i32, u32, u32),
    /// A stable identifier of the document (hashed into the PDF's /ID).
    pub ident: String,
}

struct JobWorld {
    main: Source,
    common: Source,
    common_id: FileId,
    data_id: FileId,
    data: Bytes,
    today: Option<Datetime>,
}

fn file_id(path: &str) -> FileId {
    let vpath = VirtualPath::new(path).expect("template file names are valid virtual paths");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

impl World for JobWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.0
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else if id == self.common_id {
            Ok(self.common.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            Ok(self.data.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.1.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        self.today
    }
}

fn civil(date: (i32, u32, u32)) -> Option<Datetime> {
    Datetime::from_ymd(
        date.0,
        u8::try_from(date.1).ok()?,
        u8::try_from(date.2).ok()?,
    )
}

/// Typesets `job` into PDF bytes. Errors carry typst's messages, which quote the template,
/// never the data.
pub fn pdf(job: Job<'_>) -> Result<Vec<u8>, DocumentError> {
    let bytes = compile(job, None)?.map(|(bytes, _)| bytes);
    // typst memoizes across compilations; keep only what the last few jobs used so a long
    // batch of documents does not grow the process.
    typst::comemo::evict(2);
    Ok(bytes.unwrap_or_default())
}

/// Typesets one part of a document split by `parts.rs`: its PDF and page count, or `None`
/// (without writing a PDF) when `pages` is given and the part did not come to that many.
/// Afterwards everything typst memoized is dropped: a part's layout is never reused, and
/// keeping it is exactly the memory that splitting is meant to save.
pub(crate) fn part(
    job: Job<'_>,
    pages: Option<usize>,
) -> Result<Option<(Vec<u8>, usize)>, DocumentError> {
    let result = compile(job, pages);
    typst::comemo::evict(0);
    result
}

fn compile(job: Job<'_>, pages: Option<usize>) -> Result<Option<(Vec<u8>, usize)>, DocumentError> {
    let failed = |message: String| DocumentError::Typeset {
        template: job.name.to_owned(),
        message,
    };
    let today = civil(job.date);
    let world = JobWorld {
        main: Source::new(file_id("/main.typ"), job.main.to_owned()),
        common: Source::new(file_id("/common.typ"), job.common.to_owned()),
        common_id: file_id("/common.typ"),
        data_id: file_id("/data.json"),
        data: Bytes::new(job.data),
        today,
    };
    let document: PagedDocument = typst::compile(&world)
        .output
        .map_err(|errors| failed(messages(&errors)))?;
    let count = document.pages().len();
    if pages.is_some_and(|pages| pages != count) {
        return Ok(None);
    }
    let options = PdfOptions {
        ident: Smart::Custom(job.ident.clone()),
        creator: Smart::Custom(Some("cmr".to_owned())),
        timestamp: today.map(Timestamp::new_utc),
        ..PdfOptions::default()
    };
    let bytes = typst_pdf::pdf(&document, &options).map_err(|errors| failed(messages(&errors)))?;
    Ok(Some((bytes, count)))
}

fn messages(errors: &[typst::diag::SourceDiagnostic]) -> String {
    errors
        .iter()
        .filter(|e| e.severity == Severity::Error)
        .map(|e| e.message.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(main: &str) -> Job<'_> {
        Job {
            name: "test",
            main,
            common: "#let greet(who) = [Hello, #who.]",
            data: "{\"who\": \"Zoë\"}".as_bytes().to_vec(),
            date: (2026, 11, 30),
            ident: "test-1".to_owned(),
        }
    }

    #[test]
    fn the_same_job_gives_the_same_bytes() {
        let main =
            "#import \"common.typ\": greet\n#let data = json(\"data.json\")\n#greet(data.who)";
        let first = pdf(job(main)).unwrap();
        let second = pdf(job(main)).unwrap();
        assert!(first.starts_with(b"%PDF-"));
        assert_eq!(first, second);
    }

    #[test]
    fn a_template_error_names_the_template_and_the_problem() {
        let err = pdf(job("#let x = (")).unwrap_err().to_string();
        assert!(err.starts_with("typesetting test failed: "), "{err}");
    }

    #[test]
    fn templates_cannot_read_other_files() {
        let err = pdf(job("#read(\"/etc/passwd\")")).unwrap_err().to_string();
        assert!(err.contains("typesetting test failed"), "{err}");
    }
}

//! Joins PDFs that typst wrote in parts (see `parts.rs`) into one document with `lopdf`.
//!
//! Each part is a whole PDF: its own catalog, page tree, fonts (subset per part, which costs a
//! little size but keeps every part's text extractable) and structure tree (typst tags its
//! PDFs for screen readers). Joining keeps each part's pages, content and structure elements
//! under new object numbers, drops its catalog and trees, and ends with one page tree, one
//! structure tree and one catalog (the first part's: title, language, metadata).
//!
//! The output is written as the parts come: only one part is parsed at a time, because a
//! parsed PDF is large (lopdf holds a few hundred bytes per object, and a tagged list has an
//! object per table cell; holding the whole document parsed cost ~350 MiB for 10,000 cases).
//! Object numbers are given in order (1–3 are kept for the page tree, structure tree root and
//! catalog, written last), so the same parts give the same bytes.

use std::collections::BTreeMap;
use std::io::Write;

use lopdf::{Dictionary, Document, Object, ObjectId, StringFormat, Writer};

/// Page attributes a page may inherit from its page-tree ancestors (PDF 32000-1, 7.7.3.4):
/// copied onto the page before its old tree is dropped.
const INHERITED: [&[u8]; 4] = [b"Resources", b"MediaBox", b"CropBox", b"Rotate"];

const PAGES_ID: ObjectId = (1, 0);
const STRUCT_ROOT_ID: ObjectId = (2, 0);
const CATALOG_ID: ObjectId = (3, 0);
const FIRST_FREE: u32 = 4;

/// The joined PDF so far.
pub(crate) struct Joiner {
    out: Vec<u8>,
    /// Byte offset of every object written, by number.
    offsets: BTreeMap<u32, usize>,
    next_id: u32,
    /// The first part's catalog (title, language, metadata, viewer preferences).
    catalog: Option<Dictionary>,
    /// The first part's document information dictionary.
    info: Option<Object>,
    pages: Vec<Object>,
    /// The structure tree's parent tree entries, keys already moved past earlier parts'.
    parent_tree: Vec<(i64, Object)>,
    next_key: i64,
    /// The first part's top structure element (typst's Document), written last because every
    /// later part's elements are added to it: a tagged PDF has one root element.
    document: Option<(ObjectId, Dictionary)>,
    /// Top-level structure elements that could not go under `document`.
    kids: Vec<Object>,
    /// Structure element ids (table header cells), renamed apart per part.
    ids: Vec<(Vec<u8>, Object)>,
    role_map: Dictionary,
    parts: usize,
}

impl Default for Joiner {
    fn default() -> Self {
        Self {
            out: b"%PDF-1.7\n%\xBB\xAD\xC0\xDE\n".to_vec(),
            offsets: BTreeMap::new(),
            next_id: FIRST_FREE,
            catalog: None,
            info: None,
            pages: Vec::new(),
            parent_tree: Vec::new(),
            next_key: 0,
            document: None,
            kids: Vec::new(),
            ids: Vec::new(),
            role_map: Dictionary::new(),
            parts: 0,
        }
    }
}

/// What a part's structure tree brings, still under the part's own object numbers.
#[derive(Default)]
struct Structure {
    parent_tree: Vec<(i64, Object)>,
    next_key: i64,
    kids: Vec<ObjectId>,
    ids: Vec<(Vec<u8>, Object)>,
    dropped: Vec<ObjectId>,
}

impl Joiner {
    /// Appends the pages of one part's PDF.
    pub(crate) fn push(&mut self, pdf: &[u8]) -> Result<(), lopdf::Error> {
        let mut part = Document::load_mem(pdf)?;
        let first = self.parts == 0;
        self.parts += 1;
        let catalog_id = part.trailer.get(b"Root")?.as_reference()?;
        let mut catalog = part.get_dictionary(catalog_id)?.clone();
        let pages: Vec<ObjectId> = part.page_iter().collect();
        for &page in &pages {
            inherit(&mut part, page)?;
        }
        // What goes: the catalog, the page tree's nodes, the structure tree's root and
        // number and name tree nodes, and after the first part the info and XMP (the first
        // part's say it all).
        let mut dropped = vec![catalog_id];
        let mut nodes = vec![catalog.get(b"Pages")?.as_reference()?];
        while let Some(node) = nodes.pop() {
            let dict = part.get_dictionary(node)?;
            if dict.has_type(b"Pages") && !dropped.contains(&node) {
                dropped.push(node);
                if let Ok(kids) = dict.get(b"Kids").and_then(Object::as_array) {
                    nodes.extend(kids.iter().filter_map(|k| k.as_reference().ok()));
                }
            }
        }
        let mut structure = match catalog
            .get(b"StructTreeRoot")
            .and_then(Object::as_reference)
        {
            Ok(root) => self.structure(&part, root)?,
            Err(_) => Structure::default(),
        };
        dropped.append(&mut structure.dropped);
        if !first {
            for id in [part.trailer.get(b"Info"), catalog.get(b"Metadata")] {
                if let Ok(id) = id.and_then(Object::as_reference) {
                    dropped.push(id);
                }
            }
        }
        // typst's single Document element: the first part's is kept back; a later part's
        // is dropped and its children go under the first's.
        let mut document = None;
        let mut children = Vec::new();
        if first {
            if let [kid] = structure.kids[..] {
                document = Some(kid);
            }
        } else if let (Some((_, keep)), [kid]) = (&self.document, &structure.kids[..]) {
            let element = part.get_dictionary(*kid)?;
            let own = match element.get(b"K") {
                Ok(Object::Array(k)) => k.clone(),
                Ok(k) => vec![k.clone()],
                Err(_) => Vec::new(),
            };
            let refs: Option<Vec<ObjectId>> = own.iter().map(|k| k.as_reference().ok()).collect();
            if let Some(refs) = refs
                && element.get(b"S").ok() == keep.get(b"S").ok()
            {
                children = refs;
                dropped.push(*kid);
            }
        }
        for id in &dropped {
            part.objects.remove(id);
        }

        // New numbers, in the part's own order, and every reference moved to them; a
        // reference to a dropped object becomes null until it is set below.
        let map: BTreeMap<ObjectId, ObjectId> = part
            .objects
            .keys()
            .zip(self.next_id..)
            .map(|(&old, new)| (old, (new, 0)))
            .collect();
        self.next_id += u32::try_from(map.len()).map_err(|_| lopdf::Error::ObjectIdOverflow)?;
        let mut objects: BTreeMap<ObjectId, Object> = std::mem::take(&mut part.objects)
            .into_iter()
            .filter_map(|(old, mut object)| {
                renumber(&mut object, &map);
                Some((*map.get(&old)?, object))
            })
            .collect();
        let fix = |id: ObjectId| map.get(&id).copied();
        let kept_document = document
            .and_then(fix)
            .and_then(|id| match objects.remove(&id) {
                Some(Object::Dictionary(dict)) => Some((id, dict)),
                _ => None,
            });
        let document_id = kept_document
            .as_ref()
            .map(|(id, _)| *id)
            .or_else(|| self.document.as_ref().map(|(id, _)| *id));

        let offset = self.next_key;
        for page in pages.iter().filter_map(|&p| fix(p)) {
            if let Some(Object::Dictionary(dict)) = objects.get_mut(&page) {
                dict.set("Parent", PAGES_ID);
            }
            // Marked content finds its structure element through the parent tree key in
            // /StructParents (annotations: /StructParent); keys move past earlier parts'.
            shift_struct_parents(&mut objects, page, offset);
            self.pages.push(page.into());
        }
        for (key, mut value) in structure.parent_tree {
            renumber(&mut value, &map);
            self.parent_tree.push((key + offset, value));
        }
        self.next_key = offset + structure.next_key;
        let prefix = (!first).then(|| format!("p{}.", self.parts).into_bytes());
        for (mut key, mut value) in structure.ids {
            renumber(&mut value, &map);
            if let Some(prefix) = &prefix {
                key.splice(0..0, prefix.iter().copied());
            }
            self.ids.push((key, value));
        }
        if let Some(prefix) = &prefix {
            // typst numbers table cells' ids per document, so every part starts again at
            // U1: later parts' ids get the part's number in front, on the elements and in
            // the /Headers lists of cells that point at them.
            for object in objects.values_mut() {
                if let Object::Dictionary(dict) = object
                    && dict.has_type(b"StructElem")
                {
                    rename_ids(dict, prefix);
                }
            }
        }
        // Top elements: under the Document element when there is one, else the root.
        let tops: Vec<ObjectId> = if kept_document.is_some() {
            Vec::new()
        } else if children.is_empty() {
            structure.kids.iter().filter_map(|&k| fix(k)).collect()
        } else {
            children.iter().filter_map(|&k| fix(k)).collect()
        };
        let parent = match document_id {
            Some(id) if !children.is_empty() => id,
            _ => STRUCT_ROOT_ID,
        };
        for &top in &tops {
            if let Some(Object::Dictionary(dict)) = objects.get_mut(&top) {
                dict.set("P", parent);
            }
        }
        match (&mut self.document, parent == STRUCT_ROOT_ID) {
            (Some((_, doc)), false) => {
                let mut k = match doc.remove(b"K") {
                    Some(Object::Array(k)) => k,
                    Some(k) => vec![k],
                    None => Vec::new(),
                };
                k.extend(tops.into_iter().map(Object::from));
                doc.set("K", k);
            }
            _ => self.kids.extend(tops.into_iter().map(Object::from)),
        }
        if let Some((id, mut dict)) = kept_document {
            dict.set("P", STRUCT_ROOT_ID);
            self.kids.push(id.into());
            self.document = Some((id, dict));
        }
        if first {
            catalog.iter_mut().for_each(|(_, v)| renumber(v, &map));
            self.catalog = Some(catalog);
            self.info = part.trailer.get(b"Info").ok().cloned().map(|mut info| {
                renumber(&mut info, &map);
                info
            });
        }
        for (id, object) in objects {
            self.write(id, &object)?;
        }
        Ok(())
    }

    /// Reads a part's structure tree (under the part's own numbers): parent tree entries,
    /// top elements, element ids and role map; its root and tree nodes are to be dropped.
    fn structure(&mut self, part: &Document, root_id: ObjectId) -> Result<Structure, lopdf::Error> {
        let root = part.get_dictionary(root_id)?;
        let mut found = Structure {
            dropped: vec![root_id],
            ..Structure::default()
        };
        let mut entries = Vec::new();
        if let Ok(tree) = root.get(b"ParentTree") {
            leaves(part, tree, b"Nums", &mut entries, &mut found.dropped)?;
        }
        for (key, value) in entries {
            found.parent_tree.push((key.as_i64()?, value));
        }
        found.next_key = match root.get(b"ParentTreeNextKey").and_then(Object::as_i64) {
            Ok(next) => next,
            Err(_) => found
                .parent_tree
                .iter()
                .map(|(k, _)| k + 1)
                .max()
                .unwrap_or(0),
        };
        match root.get(b"K") {
            Ok(Object::Array(kids)) => found
                .kids
                .extend(kids.iter().filter_map(|k| k.as_reference().ok())),
            Ok(Object::Reference(kid)) => found.kids.push(*kid),
            _ => {}
        }
        let mut names = Vec::new();
        if let Ok(tree) = root.get(b"IDTree") {
            leaves(part, tree, b"Names", &mut names, &mut found.dropped)?;
        }
        for (key, value) in names {
            found.ids.push((key.as_str()?.to_vec(), value));
        }
        if let Ok(map) = root.get(b"RoleMap").and_then(|m| deref(part, m)?.as_dict()) {
            for (role, standard) in map {
                if !self.role_map.has(role) {
                    self.role_map.set(role.clone(), standard.clone());
                }
            }
        }
        Ok(found)
    }

    fn write(&mut self, id: ObjectId, object: &Object) -> Result<(), lopdf::Error> {
        self.offsets.insert(id.0, self.out.len());
        writeln!(self.out, "{} {} obj", id.0, id.1)?;
        Writer::write_object(&mut self.out, object)?;
        self.out.extend_from_slice(b"\nendobj\n");
        Ok(())
    }

    /// The joined PDF, with `file_id` as its /ID (both halves, as nothing updates it).
    pub(crate) fn finish(mut self, file_id: [u8; 16]) -> Result<Vec<u8>, lopdf::Error> {
        let Some(mut catalog) = self.catalog.take() else {
            return Err(lopdf::Error::Unimplemented("joining no parts"));
        };
        if let Some((id, dict)) = self.document.take() {
            self.write(id, &dict.into())?;
        }
        let count = i64::try_from(self.pages.len()).map_err(|_| lopdf::Error::ObjectIdOverflow)?;
        let pages = Dictionary::from_iter([
            ("Type", Object::Name(b"Pages".to_vec())),
            ("Count", count.into()),
            ("Kids", std::mem::take(&mut self.pages).into()),
        ]);
        self.write(PAGES_ID, &pages.into())?;
        catalog.set("Pages", PAGES_ID);
        if self.kids.is_empty() {
            catalog.remove(b"StructTreeRoot");
            self.write(STRUCT_ROOT_ID, &Object::Null)?;
        } else {
            let mut parent_tree = std::mem::take(&mut self.parent_tree);
            parent_tree.sort_by_key(|(k, _)| *k);
            let nums: Vec<Object> = parent_tree
                .into_iter()
                .flat_map(|(k, v)| [Object::Integer(k), v])
                .collect();
            let mut root = Dictionary::new();
            root.set("Type", Object::Name(b"StructTreeRoot".to_vec()));
            if !self.role_map.is_empty() {
                root.set("RoleMap", std::mem::take(&mut self.role_map));
            }
            root.set("K", std::mem::take(&mut self.kids));
            root.set(
                "ParentTree",
                Dictionary::from_iter([("Nums", Object::Array(nums))]),
            );
            if !self.ids.is_empty() {
                // A name tree's keys are in byte order.
                let mut ids = std::mem::take(&mut self.ids);
                ids.sort_by(|a, b| a.0.cmp(&b.0));
                let names: Vec<Object> = ids
                    .into_iter()
                    .flat_map(|(k, v)| [Object::String(k, StringFormat::Literal), v])
                    .collect();
                root.set(
                    "IDTree",
                    Dictionary::from_iter([("Names", Object::Array(names))]),
                );
            }
            root.set("ParentTreeNextKey", self.next_key);
            self.write(STRUCT_ROOT_ID, &root.into())?;
            catalog.set("StructTreeRoot", STRUCT_ROOT_ID);
        }
        self.write(CATALOG_ID, &catalog.into())?;

        // Cross-reference table: every number from 1 to the last was written.
        let xref = self.out.len();
        let size = self.next_id;
        write!(self.out, "xref\n0 {size}\n0000000000 65535 f\r\n")?;
        for id in 1..size {
            let offset = self.offsets.get(&id).copied().unwrap_or_default();
            write!(self.out, "{offset:010} 00000 n\r\n")?;
        }
        let mut trailer = Dictionary::new();
        trailer.set("Size", i64::from(size));
        trailer.set("Root", CATALOG_ID);
        if let Some(info) = self.info.take() {
            trailer.set("Info", info);
        }
        let id = Object::String(file_id.to_vec(), StringFormat::Hexadecimal);
        trailer.set("ID", vec![id.clone(), id]);
        self.out.extend_from_slice(b"trailer\n");
        Writer::write_object(&mut self.out, &trailer.into())?;
        write!(self.out, "\nstartxref\n{xref}\n%%EOF")?;
        Ok(self.out)
    }
}

/// Moves every reference in `object` to its new number; one to an object not kept becomes
/// null (the caller sets the few that matter: a page's /Parent, a top element's /P).
fn renumber(object: &mut Object, map: &BTreeMap<ObjectId, ObjectId>) {
    match object {
        Object::Reference(id) => match map.get(id) {
            Some(new) => *id = *new,
            None => *object = Object::Null,
        },
        Object::Array(items) => items.iter_mut().for_each(|o| renumber(o, map)),
        Object::Dictionary(dict) => dict.iter_mut().for_each(|(_, v)| renumber(v, map)),
        Object::Stream(stream) => stream.dict.iter_mut().for_each(|(_, v)| renumber(v, map)),
        _ => {}
    }
}

/// `object`, or the object it refers to.
fn deref<'a>(doc: &'a Document, object: &'a Object) -> Result<&'a Object, lopdf::Error> {
    match object {
        Object::Reference(id) => doc.get_object(*id),
        other => Ok(other),
    }
}

/// Copies inheritable attributes from `page`'s ancestors onto the page.
fn inherit(doc: &mut Document, page: ObjectId) -> Result<(), lopdf::Error> {
    let mut found = Vec::new();
    let dict = doc.get_dictionary(page)?;
    let mut parent = dict.get(b"Parent").and_then(Object::as_reference).ok();
    let mut depth = 0;
    while let Some(node) = parent
        && depth < 64
    {
        let node = doc.get_dictionary(node)?;
        for key in INHERITED {
            if !dict.has(key)
                && !found.iter().any(|(k, _)| *k == key)
                && let Ok(value) = node.get(key)
            {
                found.push((key, value.clone()));
            }
        }
        parent = node.get(b"Parent").and_then(Object::as_reference).ok();
        depth += 1;
    }
    let dict = doc.get_dictionary_mut(page)?;
    for (key, value) in found {
        dict.set(key.to_vec(), value);
    }
    Ok(())
}

/// Moves the parent tree keys of a page and of its annotations by `offset`.
fn shift_struct_parents(objects: &mut BTreeMap<ObjectId, Object>, page: ObjectId, offset: i64) {
    if offset == 0 {
        return;
    }
    let mut annots = Vec::new();
    if let Some(Object::Dictionary(dict)) = objects.get_mut(&page) {
        shift_key(dict, b"StructParents", offset);
        match dict.get_mut(b"Annots") {
            Ok(Object::Array(list)) => {
                for annot in list {
                    match annot {
                        Object::Dictionary(a) => shift_key(a, b"StructParent", offset),
                        Object::Reference(id) => annots.push(*id),
                        _ => {}
                    }
                }
            }
            Ok(Object::Reference(id)) => {
                let id = *id;
                if let Some(Object::Array(list)) = objects.get(&id) {
                    annots.extend(list.iter().filter_map(|a| a.as_reference().ok()));
                }
            }
            _ => {}
        }
    }
    for id in annots {
        if let Some(Object::Dictionary(a)) = objects.get_mut(&id) {
            shift_key(a, b"StructParent", offset);
        }
    }
}

fn shift_key(dict: &mut Dictionary, key: &[u8], offset: i64) {
    if let Ok(value) = dict.get(key).and_then(Object::as_i64) {
        dict.set(key.to_vec(), value + offset);
    }
}

/// The (key, value) pairs of a number or name tree (`kind` is "Nums" or "Names"); its
/// indirect nodes go to `nodes`, to be dropped, as the joined tree replaces them.
fn leaves(
    doc: &Document,
    node: &Object,
    kind: &[u8],
    out: &mut Vec<(Object, Object)>,
    nodes: &mut Vec<ObjectId>,
) -> Result<(), lopdf::Error> {
    if let Object::Reference(id) = node {
        if nodes.contains(id) {
            return Ok(());
        }
        nodes.push(*id);
    }
    let dict = deref(doc, node)?.as_dict()?;
    if let Ok(pairs) = dict.get(kind).and_then(Object::as_array) {
        for pair in pairs.chunks_exact(2) {
            out.push((pair[0].clone(), pair[1].clone()));
        }
    }
    if let Ok(kids) = dict.get(b"Kids").and_then(Object::as_array) {
        for kid in kids {
            leaves(doc, kid, kind, out, nodes)?;
        }
    }
    Ok(())
}

/// Puts `prefix` before a structure element's /ID and the ids in its /Headers attributes.
fn rename_ids(element: &mut Dictionary, prefix: &[u8]) {
    let rename = |object: &mut Object| {
        if let Object::String(s, _) = object {
            s.splice(0..0, prefix.iter().copied());
        }
    };
    if let Ok(id) = element.get_mut(b"ID") {
        rename(id);
    }
    let headers = |attrs: &mut Dictionary| {
        if let Ok(Object::Array(list)) = attrs.get_mut(b"Headers") {
            list.iter_mut().for_each(rename);
        }
    };
    match element.get_mut(b"A") {
        Ok(Object::Dictionary(attrs)) => headers(attrs),
        Ok(Object::Array(list)) => {
            for attrs in list {
                if let Object::Dictionary(attrs) = attrs {
                    headers(attrs);
                }
            }
        }
        _ => {}
    }
}

//! The impact report as pure aggregation: outcomes in, cells with small-cell suppression out.
//! No personal data: a subject id only counts distinct people and never leaves.
//!
//! Suppression: a cell with fewer people than the threshold (never below [`FLOOR`]) has its
//! counts withheld. So that a withheld cell cannot be derived by subtraction, complementary
//! suppression follows: within each group of cells that share every grouped dimension but the
//! last, and then over the whole report (whose total is published), when exactly one cell
//! is withheld the next-smallest cell (fewest people, then convictions, then key order) is
//! withheld too. The total is withheld when it is itself below the threshold.

use std::collections::{BTreeMap, HashSet};

/// The smallest threshold the service applies, whatever the request asks.
pub const FLOOR: i32 = 11;

/// A dimension cells can be grouped by (proto `ImpactDimension` values); nesting order is
/// the declaration order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dimension {
    ReliefType = 1,
    CodeSection = 2,
    Race = 3,
}

impl Dimension {
    #[must_use]
    pub fn from_i32(value: i32) -> Option<Self> {
        match value {
            1 => Some(Self::ReliefType),
            2 => Some(Self::CodeSection),
            3 => Some(Self::Race),
            _ => None,
        }
    }
}

/// One counted conviction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImpactRow {
    pub subject_id: String,
    /// Proto `ReliefType` value (the granted relief, or the requested one for denials).
    pub relief_type: i32,
    /// Prop 64 section, e.g. "11357".
    pub code_section: String,
    /// DOJ RACE_DESCR; empty is reported as "UNKNOWN".
    pub race: String,
}

/// One cell; only grouped dimensions are set (0 / empty otherwise).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cell {
    pub relief_type: i32,
    pub code_section: String,
    pub race: String,
    pub people: i64,
    pub convictions: i64,
    pub suppressed: bool,
}

/// The report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub cells: Vec<Cell>,
    pub total: Cell,
    pub min_cell_size: i32,
    pub suppressed_cells: i32,
}

type Key = (i32, String, String);

/// The threshold applied for a requested one.
#[must_use]
pub fn threshold(requested: i32) -> i32 {
    requested.max(FLOOR)
}

/// Groups `rows` by `group_by` (empty = relief type only; repeats ignored) and suppresses.
#[must_use]
pub fn report(rows: &[ImpactRow], group_by: &[Dimension], min_cell_size: i32) -> Report {
    let mut dims: Vec<Dimension> = if group_by.is_empty() {
        vec![Dimension::ReliefType]
    } else {
        group_by.to_vec()
    };
    dims.sort();
    dims.dedup();
    let limit = i64::from(threshold(min_cell_size));
    let has = |d| dims.contains(&d);

    let mut groups: BTreeMap<Key, (HashSet<&str>, i64)> = BTreeMap::new();
    let mut everyone: HashSet<&str> = HashSet::new();
    for row in rows {
        let race = if row.race.trim().is_empty() {
            "UNKNOWN".to_owned()
        } else {
            row.race.clone()
        };
        let key = (
            if has(Dimension::ReliefType) {
                row.relief_type
            } else {
                0
            },
            if has(Dimension::CodeSection) {
                row.code_section.clone()
            } else {
                String::new()
            },
            if has(Dimension::Race) {
                race
            } else {
                String::new()
            },
        );
        let entry = groups.entry(key).or_default();
        entry.0.insert(&row.subject_id);
        entry.1 += 1;
        everyone.insert(&row.subject_id);
    }
    let mut cells: Vec<(Key, Cell)> = groups
        .into_iter()
        .map(|(key, (people, convictions))| {
            let people = i64::try_from(people.len()).unwrap_or(i64::MAX);
            let cell = Cell {
                relief_type: key.0,
                code_section: key.1.clone(),
                race: key.2.clone(),
                people,
                convictions,
                suppressed: people < limit,
            };
            (key, cell)
        })
        .collect();

    // Complementary suppression within each group sharing all but the last dimension.
    let last = *dims.last().unwrap_or(&Dimension::ReliefType);
    let parent = |key: &Key| -> Key {
        match last {
            Dimension::ReliefType => (0, key.1.clone(), key.2.clone()),
            Dimension::CodeSection => (key.0, String::new(), key.2.clone()),
            Dimension::Race => (key.0, key.1.clone(), String::new()),
        }
    };
    let parents: Vec<Key> = {
        let mut p: Vec<Key> = cells.iter().map(|(k, _)| parent(k)).collect();
        p.dedup();
        p
    };
    for group in parents {
        let members: Vec<usize> = (0..cells.len())
            .filter(|&i| parent(&cells[i].0) == group)
            .collect();
        complement(&mut cells, &members);
    }
    let total_people = i64::try_from(everyone.len()).unwrap_or(i64::MAX);
    let total_suppressed = total_people < limit;
    if !total_suppressed {
        let all: Vec<usize> = (0..cells.len()).collect();
        complement(&mut cells, &all);
    }

    let mut suppressed_cells = 0;
    let cells = cells
        .into_iter()
        .map(|(_, mut cell)| {
            if cell.suppressed {
                suppressed_cells += 1;
                cell.people = 0;
                cell.convictions = 0;
            }
            cell
        })
        .collect();
    let total = Cell {
        people: if total_suppressed { 0 } else { total_people },
        convictions: if total_suppressed {
            0
        } else {
            i64::try_from(rows.len()).unwrap_or(i64::MAX)
        },
        suppressed: total_suppressed,
        ..Cell::default()
    };
    Report {
        cells,
        total,
        min_cell_size: threshold(min_cell_size),
        suppressed_cells,
    }
}

/// When exactly one of `members` is suppressed (and there are others), suppresses the
/// smallest of the rest.
fn complement(cells: &mut [(Key, Cell)], members: &[usize]) {
    if members.len() < 2 {
        return;
    }
    let suppressed = members.iter().filter(|&&i| cells[i].1.suppressed).count();
    if suppressed != 1 {
        return;
    }
    if let Some(&next) = members
        .iter()
        .filter(|&&i| !cells[i].1.suppressed)
        .min_by_key(|&&i| {
            (
                cells[i].1.people,
                cells[i].1.convictions,
                cells[i].0.clone(),
            )
        })
    {
        cells[next].1.suppressed = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `people` people with one conviction each (plus `extra` second convictions for the
    /// first people), subject ids `prefix-N`.
    fn people(
        prefix: &str,
        people: usize,
        extra: usize,
        relief: i32,
        section: &str,
        race: &str,
    ) -> Vec<ImpactRow> {
        let mut rows: Vec<ImpactRow> = (0..people)
            .map(|i| ImpactRow {
                subject_id: format!("{prefix}-{i}"),
                relief_type: relief,
                code_section: section.into(),
                race: race.into(),
            })
            .collect();
        rows.extend(rows.clone().into_iter().take(extra));
        rows
    }

    fn cell(relief: i32, section: &str, race: &str, people: i64, convictions: i64) -> Cell {
        Cell {
            relief_type: relief,
            code_section: section.into(),
            race: race.into(),
            people,
            convictions,
            suppressed: false,
        }
    }

    fn withheld(relief: i32, section: &str, race: &str) -> Cell {
        Cell {
            suppressed: true,
            ..cell(relief, section, race, 0, 0)
        }
    }

    #[test]
    fn one_small_cell_takes_the_next_smallest_with_it() {
        // Dismissals: 20 people, 21 convictions; misdemeanors 12; infractions 3.
        let mut rows = people("d", 20, 1, 1, "11357", "BLACK");
        rows.extend(people("m", 12, 0, 2, "11359", "WHITE"));
        rows.extend(people("i", 3, 0, 3, "11357", ""));
        let report = report(&rows, &[], 0);
        assert_eq!(report.min_cell_size, 11);
        assert_eq!(
            report.cells,
            vec![
                cell(1, "", "", 20, 21),
                withheld(2, "", ""),
                withheld(3, "", "")
            ]
        );
        assert_eq!(report.total, cell(0, "", "", 35, 36));
        assert_eq!(report.suppressed_cells, 2);
    }

    #[test]
    fn nothing_withheld_at_or_above_the_threshold_and_the_floor_holds() {
        let mut rows = people("d", 11, 0, 1, "11357", "");
        rows.extend(people("m", 12, 2, 2, "11357", ""));
        let at_floor = report(&rows, &[Dimension::ReliefType], 5);
        assert_eq!(at_floor.min_cell_size, 11);
        assert_eq!(
            at_floor.cells,
            vec![cell(1, "", "", 11, 11), cell(2, "", "", 12, 14)]
        );
        assert_eq!(at_floor.suppressed_cells, 0);
        // Asking for 12: the 11-person cell is withheld, and with it the only other one.
        let higher = report(&rows, &[Dimension::ReliefType], 12);
        assert_eq!(higher.min_cell_size, 12);
        assert_eq!(higher.cells, vec![withheld(1, "", ""), withheld(2, "", "")]);
        assert_eq!(higher.total, cell(0, "", "", 23, 25));
    }

    #[test]
    fn a_small_total_is_withheld() {
        let rows = people("d", 5, 1, 1, "11357", "");
        let report = report(&rows, &[], 11);
        assert_eq!(report.cells, vec![withheld(1, "", "")]);
        assert_eq!(report.total, withheld(0, "", ""));
        assert_eq!(report.suppressed_cells, 1);
    }

    #[test]
    fn complementary_suppression_within_each_group() {
        // Relief × race. Dismissals: BLACK 15, WHITE 30, UNKNOWN 2 (empty race);
        // misdemeanors: BLACK 11, WHITE 11. Only dismissals have one small cell: BLACK (the
        // next smallest of that group) goes with it; overall two are withheld, so no more.
        let mut rows = people("db", 15, 0, 1, "11357", "BLACK");
        rows.extend(people("dw", 30, 3, 1, "11357", "WHITE"));
        rows.extend(people("du", 2, 0, 1, "11358", " "));
        rows.extend(people("mb", 11, 0, 2, "11359", "BLACK"));
        rows.extend(people("mw", 11, 0, 2, "11359", "WHITE"));
        let report = report(&rows, &[Dimension::Race, Dimension::ReliefType], 0);
        assert_eq!(
            report.cells,
            vec![
                withheld(1, "", "BLACK"),
                withheld(1, "", "UNKNOWN"),
                cell(1, "", "WHITE", 30, 33),
                cell(2, "", "BLACK", 11, 11),
                cell(2, "", "WHITE", 11, 11),
            ]
        );
        assert_eq!(report.total, cell(0, "", "", 69, 72));
        assert_eq!(report.suppressed_cells, 2);
    }

    #[test]
    fn people_are_distinct_within_a_cell_and_the_total() {
        // One person with convictions under two sections counts once in the total.
        let mut rows = people("p", 12, 0, 1, "11357", "");
        rows.extend(people("p", 12, 0, 1, "11359", ""));
        let report = report(&rows, &[Dimension::CodeSection], 11);
        assert_eq!(
            report.cells,
            vec![cell(0, "11357", "", 12, 12), cell(0, "11359", "", 12, 12)]
        );
        assert_eq!(report.total, cell(0, "", "", 12, 24));
    }
}

//! Subject-level values every flow and output column uses (spec §2.2), computed once per
//! subject over *all* of its convictions, in every county.

use cmr_record::{Instant, SectionId, SectionTable, Subject};

pub struct SubjectFacts {
    pub conviction_count: usize,
    /// Prop 64 convictions by leftmost section (11357, 11358, 11359, 11360).
    pub prop64_by_section: [usize; 4],
    pub prop64_count: usize,
    /// Latest conviction date; the zero time when there is none or all are zero.
    pub most_recent: Instant,
    /// Super-strike code sections in conviction order, duplicates kept.
    pub superstrikes: Vec<SectionId>,
    /// PC 290 code sections in conviction order, duplicates kept.
    pub pc290_sections: Vec<SectionId>,
}

impl SubjectFacts {
    pub fn of(subject: &Subject, sections: &SectionTable) -> SubjectFacts {
        let mut f = SubjectFacts {
            conviction_count: subject.convictions.len(),
            prop64_by_section: [0; 4],
            prop64_count: 0,
            most_recent: Instant::ZERO,
            superstrikes: vec![],
            pc290_sections: vec![],
        };
        for c in &subject.convictions {
            let info = sections.get(c.section);
            if let Some(s) = info.prop64 {
                f.prop64_by_section[s.index()] += 1;
                f.prop64_count += 1;
            }
            if c.date > f.most_recent {
                f.most_recent = c.date;
            }
            if info.superstrike {
                f.superstrikes.push(c.section);
            }
            if info.pc290 {
                f.pc290_sections.push(c.section);
            }
        }
        f
    }

    /// Only Prop 64 convictions on record (all counties).
    pub fn only_prop64(&self) -> bool {
        self.conviction_count == self.prop64_count
    }
}

/// Joins section texts with `;`, or `-` when there are none (the report columns).
pub fn join_sections(ids: &[SectionId], sections: &SectionTable) -> String {
    if ids.is_empty() {
        return "-".to_string();
    }
    ids.iter()
        .map(|&id| sections.get(id).text_lossy())
        .collect::<Vec<_>>()
        .join(";")
}

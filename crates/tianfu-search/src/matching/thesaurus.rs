//! The domain thesaurus (`data/thesaurus.tsv`): concepts with their synonyms, broader terms
//! and the colloquial ways farmers and small firms say them. It turns "鸡下蛋少" and
//! "蛋鸡产蛋率" into the same concept, which is how a need finds an expert who writes
//! differently. It is reviewed data: staff extend it by adding lines in the same format.

use std::collections::HashMap;

pub const BUILT_IN: &str = include_str!("../../data/thesaurus.tsv");

/// Prefixes of the pseudo-terms the index stores for concepts.
pub const CONCEPT_PREFIX: &str = "c:";
pub const BROADER_PREFIX: &str = "b:";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Concept {
    /// The expert's word, shown in reasons.
    pub name: String,
    pub broader: Vec<String>,
}

/// One place where a text names a concept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    pub concept: usize,
    /// The words as written in the text ("下蛋少").
    pub surface: String,
}

#[derive(Debug, Default)]
pub struct Thesaurus {
    concepts: Vec<Concept>,
    /// Every surface form → the concepts it names, grouped by first character so that a text
    /// is scanned once, position by position.
    by_first_char: HashMap<char, Vec<(String, usize)>>,
}

impl Thesaurus {
    pub fn built_in() -> Thesaurus {
        Thesaurus::parse(BUILT_IN).expect("the committed thesaurus is well formed (tested)")
    }

    /// Parses the TSV format; a bad line is reported with its number.
    pub fn parse(text: &str) -> Result<Thesaurus, String> {
        let mut thesaurus = Thesaurus::default();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let columns: Vec<&str> = line.split('\t').collect();
            if columns.len() != 4 {
                return Err(format!(
                    "第{}行应有4列（以TAB分隔），现有{}列",
                    number + 1,
                    columns.len()
                ));
            }
            let list = |column: &str| -> Vec<String> {
                column
                    .split(',')
                    .map(|w| w.trim().to_ascii_lowercase())
                    .filter(|w| !w.is_empty())
                    .collect()
            };
            let name = columns[0].trim().to_ascii_lowercase();
            if name.is_empty() {
                return Err(format!("第{}行缺少概念", number + 1));
            }
            let id = thesaurus.concepts.len();
            let mut surfaces = vec![name.clone()];
            surfaces.extend(list(columns[1]));
            surfaces.extend(list(columns[3]));
            for surface in surfaces {
                let first = surface.chars().next().expect("not empty");
                let forms = thesaurus.by_first_char.entry(first).or_default();
                if !forms.contains(&(surface.clone(), id)) {
                    forms.push((surface, id));
                }
            }
            thesaurus.concepts.push(Concept {
                name,
                broader: list(columns[2]),
            });
        }
        for forms in thesaurus.by_first_char.values_mut() {
            // Longest first, so 柑橘裂果 wins over 柑橘 at the same place.
            forms.sort_by_key(|(surface, _)| std::cmp::Reverse(surface.chars().count()));
        }
        Ok(thesaurus)
    }

    pub fn len(&self) -> usize {
        self.concepts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.concepts.is_empty()
    }

    pub fn concept(&self, id: usize) -> &Concept {
        &self.concepts[id]
    }

    /// The concepts a text names, in order of appearance, each once. At each position the
    /// longest surface form wins and the scan moves past it, so 柑橘裂果 is not also 柑橘.
    pub fn mentions(&self, text: &str) -> Vec<Mention> {
        let text = text.to_ascii_lowercase();
        let mut out: Vec<Mention> = Vec::new();
        let mut skip_until = 0;
        for (at, c) in text.char_indices() {
            if at < skip_until {
                continue;
            }
            let Some(forms) = self.by_first_char.get(&c) else {
                continue;
            };
            let rest = &text[at..];
            let mut longest = 0;
            for (surface, concept) in forms {
                if surface.len() < longest {
                    break;
                }
                if rest.starts_with(surface.as_str()) {
                    longest = surface.len();
                    if !out.iter().any(|m| m.concept == *concept) {
                        out.push(Mention {
                            concept: *concept,
                            surface: surface.clone(),
                        });
                    }
                }
            }
            if longest > 0 {
                skip_until = at + longest;
            }
        }
        out
    }

    /// The pseudo-terms the index stores for a text: every concept it names, and their
    /// broader terms.
    pub fn features(&self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        for mention in self.mentions(text) {
            let concept = self.concept(mention.concept);
            out.push(format!("{CONCEPT_PREFIX}{}", concept.name));
            for broader in &concept.broader {
                let feature = format!("{BROADER_PREFIX}{broader}");
                if !out.contains(&feature) {
                    out.push(feature);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_file_is_well_formed_and_large() {
        let thesaurus = Thesaurus::parse(BUILT_IN).unwrap();
        assert!(thesaurus.len() >= 250, "{}", thesaurus.len());
    }

    #[test]
    fn colloquial_words_name_the_expert_concept() {
        let t = Thesaurus::built_in();
        let names = |text: &str| -> Vec<String> {
            t.mentions(text)
                .into_iter()
                .map(|m| t.concept(m.concept).name.clone())
                .collect()
        };
        assert!(names("我家鸡下蛋少、饲料浪费").contains(&"蛋鸡产蛋率".to_string()));
        assert!(names("橙子裂口严重").contains(&"柑橘裂果".to_string()));
        assert!(names("蛋鸡产蛋率与料蛋比").contains(&"料蛋比".to_string()));
    }

    #[test]
    fn the_longest_form_wins_and_bad_lines_are_named() {
        let t = Thesaurus::parse("柑橘裂果\t裂果\t果树栽培\t橙子裂口\n柑橘\t\t水果\t\n").unwrap();
        let m = t.mentions("柑橘裂果怎么办");
        assert_eq!(m.len(), 1);
        assert_eq!(t.concept(m[0].concept).name, "柑橘裂果");
        assert_eq!(t.features("橙子裂口"), ["c:柑橘裂果", "b:果树栽培"]);
        assert!(
            Thesaurus::parse("只有一列\n")
                .unwrap_err()
                .contains("第1行")
        );
    }
}

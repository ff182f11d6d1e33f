//! Official place names (四川省, 凉山彝族自治州, 邻水县…) are taken out of a text before it is
//! matched: where a listing is says nothing about what it offers or needs, and the region has
//! its own signal (同一区县). Left in, "凉山彝族自治州" made every listing titled with it "share"
//! 凉山, 彝族 and 自治州 with every need of that prefecture, whatever either was about. Only full
//! names with their suffix are taken out: a short name is often an ordinary word (石棉, 南部).

use std::collections::HashMap;

#[derive(Debug, Default)]
pub struct PlaceNames {
    /// Names by their first character, longest first.
    by_first_char: HashMap<char, Vec<String>>,
}

impl PlaceNames {
    pub fn new(names: impl IntoIterator<Item = String>) -> Self {
        let mut by_first_char: HashMap<char, Vec<String>> = HashMap::new();
        for name in names {
            let name = name.trim().to_owned();
            // Two characters or more, so that a stray one-character name takes nothing out.
            if name.chars().count() < 3 {
                continue;
            }
            if let Some(first) = name.chars().next() {
                by_first_char.entry(first).or_default().push(name);
            }
        }
        for names in by_first_char.values_mut() {
            names.sort_by_key(|n| std::cmp::Reverse(n.len()));
            names.dedup();
        }
        PlaceNames { by_first_char }
    }

    pub fn is_empty(&self) -> bool {
        self.by_first_char.is_empty()
    }

    /// The text with every place name replaced by a space (the longest name at each point).
    pub fn strip(&self, text: &str) -> String {
        if self.is_empty() {
            return text.to_owned();
        }
        let mut out = String::with_capacity(text.len());
        let mut skip_until = 0;
        for (at, c) in text.char_indices() {
            if at < skip_until {
                continue;
            }
            let found = self.by_first_char.get(&c).and_then(|names| {
                names
                    .iter()
                    .find(|name| text[at..].starts_with(name.as_str()))
            });
            match found {
                Some(name) => {
                    skip_until = at + name.len();
                    out.push(' ');
                }
                None => out.push(c),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_place_names_leave_the_text() {
        let places = PlaceNames::new(
            ["四川省", "凉山彝族自治州", "邻水县", "内江市", "市中区"]
                .into_iter()
                .map(String::from),
        );
        assert_eq!(
            places.strip("凉山彝族自治州·老旧产线设备联网"),
            " ·老旧产线设备联网"
        );
        assert_eq!(places.strip("四川省邻水县柑橘裂果"), "  柑橘裂果");
        // Short names and ordinary words stay.
        assert_eq!(places.strip("内江的蛋鸡场"), "内江的蛋鸡场");
        assert_eq!(PlaceNames::default().strip("凉山"), "凉山");
    }
}

use std::fmt;

use serde::Serialize;

/// A GB/T 2260 division code in its hierarchical short form: `51` (province), `5116` (city or
/// prefecture), `511623` (county), and the statistics bureau's 9-digit township code
/// `511623100` (乡镇/街道: the county's six digits and three of its own). A region contains
/// another exactly when its code is a prefix, so a subtree is one index range scan and never a
/// recursive walk.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct RegionCode(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RegionLevel {
    Province = 1,
    City = 2,
    County = 3,
    /// 乡镇/街道, inside its county.
    Township = 4,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionCodeError {
    #[error("请选择所在地区")]
    Empty,
    #[error("地区代码应为2、4、6或9位数字")]
    Malformed,
}

impl RegionCode {
    /// Checks the shape only; whether the region exists is the region table's answer.
    pub fn parse(input: &str) -> Result<Self, RegionCodeError> {
        let code = input.trim();
        if code.is_empty() {
            return Err(RegionCodeError::Empty);
        }
        if matches!(code.len(), 2 | 4 | 6 | 9) && code.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(code.to_owned()))
        } else {
            Err(RegionCodeError::Malformed)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn level(&self) -> RegionLevel {
        match self.0.len() {
            2 => RegionLevel::Province,
            4 => RegionLevel::City,
            6 => RegionLevel::County,
            _ => RegionLevel::Township,
        }
    }

    pub fn parent(&self) -> Option<RegionCode> {
        let len = self.prefix_lengths().rev().nth(1)?;
        Some(Self(self.0[..len].to_owned()))
    }

    /// The province code, the city code (if any), the county code (if any) and the township
    /// code (if any), top down.
    pub fn ancestors_and_self(&self) -> Vec<RegionCode> {
        self.prefix_lengths()
            .map(|len| Self(self.0[..len].to_owned()))
            .collect()
    }

    /// The lengths of this code's prefixes that are codes, top down: 2, 4, 6, then 9 (a
    /// township adds three digits to its county, not two).
    fn prefix_lengths(&self) -> impl DoubleEndedIterator<Item = usize> + use<> {
        let len = self.0.len();
        [2, 4, 6, 9].into_iter().filter(move |&n| n <= len)
    }

    /// The county of a county or township code; `None` for a province or city.
    pub fn county(&self) -> Option<RegionCode> {
        (self.0.len() >= 6).then(|| Self(self.0[..6].to_owned()))
    }

    /// This code, or its county for a township. Service centres (and so staff) stop at the
    /// county, so whatever looks for staff or for a local crowd starts here.
    pub fn up_to_county(&self) -> RegionCode {
        self.county().unwrap_or_else(|| self.clone())
    }

    /// True when `other` is this region or lies inside it.
    pub fn contains(&self, other: &RegionCode) -> bool {
        other.0.starts_with(&self.0)
    }

    /// Half-open bounds `[low, high)` of every code inside this region under bytewise order:
    /// the prefix itself, and the prefix with its last digit raised by one (`'9' + 1` is `':'`,
    /// which still sorts after every digit).
    pub fn subtree_bounds(&self) -> (String, String) {
        let mut high = self.0.clone().into_bytes();
        if let Some(last) = high.last_mut() {
            *last += 1;
        }
        (
            self.0.clone(),
            String::from_utf8(high).expect("digits stay ASCII"),
        )
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    #[test]
    fn levels_and_parents_follow_the_code_length() {
        assert_eq!(code("51").level(), RegionLevel::Province);
        assert_eq!(code("5116").level(), RegionLevel::City);
        assert_eq!(code("511623").level(), RegionLevel::County);
        assert_eq!(code("511623").parent(), Some(code("5116")));
        assert_eq!(code("51").parent(), None);
        assert_eq!(
            code("511623").ancestors_and_self(),
            vec![code("51"), code("5116"), code("511623")]
        );
    }

    #[test]
    fn a_township_sits_inside_its_county() {
        let township = code("511623100");
        assert_eq!(township.level(), RegionLevel::Township);
        assert_eq!(RegionLevel::Township as i64, 4);
        assert_eq!(township.parent(), Some(code("511623")));
        assert_eq!(
            township.ancestors_and_self(),
            vec![code("51"), code("5116"), code("511623"), township.clone()]
        );
        for above in ["51", "5116", "511623"] {
            assert!(code(above).contains(&township), "{above}");
        }
        assert!(!code("511622").contains(&township));
        assert!(!township.contains(&code("511623")));
    }

    #[test]
    fn the_county_of_a_code() {
        assert_eq!(code("511623100").county(), Some(code("511623")));
        assert_eq!(code("511623").county(), Some(code("511623")));
        assert_eq!(code("5116").county(), None);
        assert_eq!(code("511623100").up_to_county(), code("511623"));
        assert_eq!(code("5116").up_to_county(), code("5116"));
        assert_eq!(code("51").up_to_county(), code("51"));
    }

    #[test]
    fn containment_is_a_prefix() {
        assert!(code("51").contains(&code("511623")));
        assert!(code("5116").contains(&code("5116")));
        assert!(!code("5116").contains(&code("5117")));
        assert!(!code("511623").contains(&code("5116")));
    }

    #[test]
    fn subtree_bounds_cover_exactly_the_subtree() {
        let (low, high) = code("5119").subtree_bounds();
        assert_eq!((low.as_str(), high.as_str()), ("5119", "511:"));
        for inside in ["5119", "511902", "511999"] {
            assert!(low.as_str() <= inside && inside < high.as_str(), "{inside}");
        }
        for outside in ["5118", "511899", "5120", "512001", "52"] {
            assert!(
                !(low.as_str() <= outside && outside < high.as_str()),
                "{outside}"
            );
        }
    }

    #[test]
    fn a_countys_subtree_bounds_hold_its_townships_and_no_others() {
        let (low, high) = code("511623").subtree_bounds();
        for inside in ["511623", "511623100", "511623999"] {
            assert!(low.as_str() <= inside && inside < high.as_str(), "{inside}");
        }
        for outside in ["511622", "511622999", "511624", "511624100", "5116"] {
            assert!(
                !(low.as_str() <= outside && outside < high.as_str()),
                "{outside}"
            );
        }
        let (low, high) = code("511623100").subtree_bounds();
        assert_eq!((low.as_str(), high.as_str()), ("511623100", "511623101"));
    }

    #[test]
    fn the_malformed_message_names_every_length() {
        assert_eq!(
            RegionCodeError::Malformed.to_string(),
            "地区代码应为2、4、6或9位数字"
        );
        assert_eq!(code(" 511623100 ").as_str(), "511623100");
    }

    #[test]
    fn rejects_malformed_codes() {
        assert_eq!(RegionCode::parse(""), Err(RegionCodeError::Empty));
        for bad in [
            "5",
            "511",
            "51162a",
            "5116231",
            "51162300",
            "51162310a",
            "5116231000",
        ] {
            assert_eq!(
                RegionCode::parse(bad),
                Err(RegionCodeError::Malformed),
                "{bad}"
            );
        }
    }
}

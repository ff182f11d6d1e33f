use std::fmt;

/// The 18-character unified social credit code (统一社会信用代码) of GB 32100-2015.
///
/// Layout: registration authority (1) · organisation category (1) · administrative division (6) ·
/// organisation code of GB 11714 (8 body + 1 check) · overall check character (1).
/// Both check characters are verified, so a single mistyped character is always caught.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CreditCode(String);

/// The 31 characters GB 32100 allows: digits and capitals without I, O, S, V, Z.
const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const OVERALL_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];
const ORG_CODE_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    #[error("请填写统一社会信用代码")]
    Empty,
    #[error("统一社会信用代码应为18位")]
    WrongLength,
    #[error("统一社会信用代码含有不允许的字符（只能是数字和除I、O、S、V、Z以外的大写字母）")]
    BadCharacter,
    #[error("统一社会信用代码第9至17位（组织机构代码）校验不通过，请核对")]
    OrgCodeCheck,
    #[error("统一社会信用代码校验位不正确，请核对")]
    OverallCheck,
}

impl CreditCode {
    pub fn parse(input: &str) -> Result<Self, CreditCodeError> {
        let code = input.trim().to_ascii_uppercase();
        if code.is_empty() {
            return Err(CreditCodeError::Empty);
        }
        if code.chars().count() != 18 {
            return Err(CreditCodeError::WrongLength);
        }
        let values: Vec<u32> = code
            .chars()
            .map(alphabet_value)
            .collect::<Option<_>>()
            .ok_or(CreditCodeError::BadCharacter)?;
        let bytes = code.as_bytes();
        if org_code_check(&bytes[8..16]) != bytes[16] {
            return Err(CreditCodeError::OrgCodeCheck);
        }
        if overall_check(&values[..17]) != bytes[17] {
            return Err(CreditCodeError::OverallCheck);
        }
        Ok(Self(code))
    }

    /// Completes 17 leading characters with the overall check character. The organisation-code
    /// check (position 17) must already be right. Used to make valid demo and test data.
    pub fn complete(first_seventeen: &str) -> Option<Self> {
        let values: Vec<u32> = first_seventeen
            .chars()
            .map(alphabet_value)
            .collect::<Option<_>>()?;
        if values.len() != 17 {
            return None;
        }
        let mut code = first_seventeen.to_owned();
        code.push(overall_check(&values) as char);
        Self::parse(&code).ok()
    }

    /// The GB 11714 check character for an 8-character organisation code body.
    pub fn org_code_check_for(body: &str) -> Option<char> {
        (body.len() == 8 && body.chars().all(|c| alphabet_value(c).is_some()))
            .then(|| org_code_check(body.as_bytes()) as char)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn alphabet_value(c: char) -> Option<u32> {
    ALPHABET.find(c).map(|i| i as u32)
}

fn overall_check(values: &[u32]) -> u8 {
    let sum: u32 = values.iter().zip(OVERALL_WEIGHTS).map(|(v, w)| v * w).sum();
    ALPHABET.as_bytes()[((31 - sum % 31) % 31) as usize]
}

/// GB 11714 values letters by their place in the full Latin alphabet (A = 10 … Z = 35),
/// unlike GB 32100's 31-character alphabet.
fn org_code_check(body: &[u8]) -> u8 {
    let sum: u32 = body
        .iter()
        .zip(ORG_CODE_WEIGHTS)
        .map(|(&b, w)| {
            let value = if b.is_ascii_digit() {
                b - b'0'
            } else {
                b - b'A' + 10
            };
            u32::from(value) * w
        })
        .sum();
    match 11 - sum % 11 {
        10 => b'X',
        11 => b'0',
        digit => b'0' + digit as u8,
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_real_published_codes() {
        for code in [
            "91350100M000100Y43",
            "91440300708461136T",
            "91110108551385082Q",
        ] {
            assert_eq!(CreditCode::parse(code).unwrap().as_str(), code);
        }
        assert!(
            CreditCode::parse(" 91350100m000100y43 ").is_ok(),
            "trims and upper-cases"
        );
    }

    #[test]
    fn every_single_character_change_is_caught() {
        let valid = "91440300708461136T";
        for position in 0..18 {
            for replacement in ALPHABET.chars() {
                let mut chars: Vec<char> = valid.chars().collect();
                if chars[position] == replacement {
                    continue;
                }
                chars[position] = replacement;
                let mutated: String = chars.into_iter().collect();
                assert!(
                    CreditCode::parse(&mutated).is_err(),
                    "{mutated} should fail"
                );
            }
        }
    }

    #[test]
    fn names_the_problem() {
        assert_eq!(CreditCode::parse(""), Err(CreditCodeError::Empty));
        assert_eq!(
            CreditCode::parse("9144030070846113"),
            Err(CreditCodeError::WrongLength)
        );
        assert_eq!(
            CreditCode::parse("9144030070846113IT"),
            Err(CreditCodeError::BadCharacter)
        );
        assert_eq!(
            CreditCode::parse("91440300708461135T"),
            Err(CreditCodeError::OrgCodeCheck)
        );
        assert_eq!(
            CreditCode::parse("91440300708461136U"),
            Err(CreditCodeError::OverallCheck)
        );
    }

    #[test]
    fn completes_codes_for_generated_data() {
        let body = "MA61R9XX";
        let check = CreditCode::org_code_check_for(body).unwrap();
        let code = CreditCode::complete(&format!("91510100{body}{check}")).unwrap();
        assert!(CreditCode::parse(code.as_str()).is_ok());
    }
}

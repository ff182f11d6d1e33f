//! Keys for "sounds like": toneless pinyin through the `pinyin` crate (mozillazg/rust-pinyin).

use pinyin::ToPinyin;

/// 柑橘 → "ganju", ü written as v (绿 → "lv") as people type it; `None` when a character has
/// no reading. Each character takes its most common reading.
pub fn toneless(word: &str) -> Option<String> {
    let mut key = String::with_capacity(word.len() * 2);
    for c in word.chars() {
        if c.is_ascii_alphabetic() {
            key.push(c.to_ascii_lowercase());
            continue;
        }
        for p in c.to_pinyin()?.plain().chars() {
            key.push(if p == 'ü' { 'v' } else { p });
        }
    }
    Some(key)
}

/// The looser key: retroflex and flat initials, n and l, front and back nasals fall together
/// (the sounds Sichuanese merges), so "niangshi" meets 粮食 ("liangshi").
pub fn fuzzy(key: &str) -> String {
    key.replace("zh", "z")
        .replace("ch", "c")
        .replace("sh", "s")
        .replace("ng", "n")
        .replace('l', "n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert_eq!(toneless("柑橘").as_deref(), Some("ganju"));
        assert_eq!(toneless("甘橘").as_deref(), Some("ganju"));
        assert_eq!(toneless("绿色").as_deref(), Some("lvse"));
        assert_eq!(fuzzy("liangshi"), fuzzy("niangsi"));
        assert_eq!(toneless("，"), None);
    }
}

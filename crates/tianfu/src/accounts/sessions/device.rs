//! A short Chinese description of a browser from its User-Agent, for the list of sessions: enough
//! for a person to recognise "that is my phone", not a fingerprint.

pub fn summary(user_agent: Option<&str>) -> String {
    let Some(ua) = user_agent.map(str::trim).filter(|ua| !ua.is_empty()) else {
        return "未知设备".into();
    };
    let browser = if ua.contains("MicroMessenger") {
        "微信"
    } else if ua.contains("Edg/") {
        "Edge"
    } else if ua.contains("Firefox/") {
        "Firefox"
    } else if ua.contains("Chrome/") {
        "Chrome"
    } else if ua.contains("Safari/") {
        "Safari"
    } else if ua.starts_with("curl/") || ua.starts_with("reqwest") || ua.contains("python") {
        "程序接口"
    } else {
        "其他浏览器"
    };
    let system = if ua.contains("Android") {
        "Android"
    } else if ua.contains("iPhone") || ua.contains("iPad") {
        "iOS"
    } else if ua.contains("Windows") {
        "Windows"
    } else if ua.contains("Mac OS X") {
        "macOS"
    } else if ua.contains("Linux") {
        "Linux"
    } else {
        ""
    };
    if system.is_empty() {
        browser.into()
    } else {
        format!("{browser} · {system}")
    }
}

#[cfg(test)]
mod tests {
    use super::summary;

    #[test]
    fn names_browser_and_system() {
        let chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";
        assert_eq!(summary(Some(chrome)), "Chrome · Windows");
        let wechat = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 MicroMessenger/8.0";
        assert_eq!(summary(Some(wechat)), "微信 · iOS");
        assert_eq!(summary(Some("curl/8.5.0")), "程序接口");
        assert_eq!(summary(None), "未知设备");
        assert_eq!(summary(Some("  ")), "未知设备");
    }
}

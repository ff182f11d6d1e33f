//! The filtered audit rows as a file: CSV in UTF-8 with a byte-order mark (Excel opens Chinese
//! correctly only with it), or an xlsx workbook. Cells that a spreadsheet would run as a formula
//! (`=`, `+`, `-`, `@` first) are prefixed with `'`: subjects and details carry text that
//! visitors typed, such as a phone number tried at login.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::filter::{action_label, outcome_label};
use super::store::AuditLine;

/// The largest export: beyond it the administrator is asked to narrow the search.
pub const MAX_ROWS: i64 = 50_000;

const HEADERS: [&str; 10] = [
    "编号",
    "时间",
    "操作人",
    "手机号",
    "操作",
    "操作代码",
    "结果",
    "对象",
    "来源地址",
    "详情",
];

fn cells(line: &AuditLine) -> [String; 10] {
    [
        line.id.to_string(),
        shanghai_seconds(line),
        line.actor_name.clone().unwrap_or_default(),
        line.actor_phone.clone().unwrap_or_default(),
        action_label(&line.action),
        line.action.clone(),
        outcome_label(&line.outcome).to_owned(),
        line.subject.clone(),
        line.ip.clone().unwrap_or_default(),
        line.detail.clone(),
    ]
}

/// Asia/Shanghai time to the second (the console shows minutes; a record for review keeps more).
fn shanghai_seconds(line: &AuditLine) -> String {
    let offset = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    line.at
        .with_timezone(&offset)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// A cell a spreadsheet will show as text, never run as a formula.
fn inert(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

fn csv_field(text: &str) -> String {
    let text = inert(text);
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

pub fn to_csv(lines: &[AuditLine]) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    out.push_str(&HEADERS.join(","));
    out.push_str("\r\n");
    for line in lines {
        let row: Vec<String> = cells(line).iter().map(|c| csv_field(c)).collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

pub fn to_xlsx(lines: &[AuditLine]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name("审计日志")?;
    for (col, name) in HEADERS.iter().enumerate() {
        sheet.write_with_format(0, col as u16, *name, &bold)?;
        sheet.set_column_width(col as u16, if col == 1 { 20 } else { 14 })?;
    }
    for (i, line) in lines.iter().enumerate() {
        let row = i as u32 + 1;
        for (col, cell) in cells(line).iter().enumerate() {
            if col == 0 {
                sheet.write_number(row, 0, line.id as f64)?;
            } else {
                // rust_xlsxwriter writes strings as strings, never formulas; `inert` keeps the
                // two exports alike for whoever compares them.
                sheet.write(row, col as u16, inert(cell))?;
            }
        }
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(subject: &str, detail: &str) -> AuditLine {
        AuditLine {
            id: 7,
            at: chrono::DateTime::parse_from_rfc3339("2026-11-30T01:02:03Z")
                .unwrap()
                .to_utc(),
            actor_id: Some(1),
            actor_name: Some("管理员".into()),
            actor_phone: Some("13700000001".into()),
            action: "login.failure".into(),
            subject: subject.into(),
            ip: Some("127.0.0.1".into()),
            outcome: "failure".into(),
            detail: detail.into(),
        }
    }

    #[test]
    fn csv_has_a_bom_quotes_and_no_formulas() {
        let text = String::from_utf8(to_csv(&[line("=HYPERLINK(\"x\")", "a,b")])).unwrap();
        assert!(text.starts_with("\u{feff}编号,时间,操作人"));
        let row = text.lines().nth(1).unwrap();
        assert_eq!(
            row,
            "7,2026-11-30 09:02:03,管理员,13700000001,登录失败,login.failure,失败,\"'=HYPERLINK(\"\"x\"\")\",127.0.0.1,\"a,b\""
        );
    }
}

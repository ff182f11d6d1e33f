//! A report as an Excel workbook: its figures, its ranking, and the nanny report's two sheets
//! (written by the nanny report itself).

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::model::MonthlyReport;
use crate::App;

fn optional(value: Option<f64>) -> String {
    value.map_or("—".to_owned(), |v| format!("{v:.1}"))
}

pub fn to_xlsx(app: &App, report: &MonthlyReport) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let percent = Format::new().set_num_format("0.0\"%\"");
    let sheet = book.add_worksheet();
    sheet.set_name("数据")?;
    sheet.write_with_format(
        0,
        0,
        format!(
            "{} {} 月研月报（第{}版）",
            report.region_name, report.month_label, report.version
        ),
        &bold,
    )?;
    sheet.write(1, 0, report.summary.as_str())?;
    let headers = [
        "指标",
        "本月",
        "上月",
        "环比变化",
        "环比（%）",
        "去年同月",
        "同比（%）",
    ];
    for (col, header) in headers.iter().enumerate() {
        sheet.write_with_format(3, col as u16, *header, &bold)?;
        sheet.set_column_width(col as u16, if col == 0 { 24 } else { 14 })?;
    }
    for (i, f) in report.figures.iter().enumerate() {
        let row = 4 + i as u32;
        sheet.write(row, 0, f.label.as_str())?;
        sheet.write(row, 1, f.shown.as_str())?;
        sheet.write(row, 2, f.previous_shown.as_str())?;
        sheet.write_number(row, 3, f.change)?;
        match f.change_percent {
            Some(p) => sheet.write_number_with_format(row, 4, p, &percent)?,
            None => sheet.write(row, 4, "—")?,
        };
        sheet.write(row, 5, f.last_year_shown.as_deref().unwrap_or("—"))?;
        match f.year_change_percent {
            Some(p) => sheet.write_number_with_format(row, 6, p, &percent)?,
            None => sheet.write(row, 6, "—")?,
        };
    }
    let ranking = book.add_worksheet();
    ranking.set_name("排名")?;
    match &report.score {
        Some(card) => {
            ranking.write_with_format(0, 0, "本地区综合得分", &bold)?;
            ranking.write(0, 1, optional(card.total))?;
            ranking.write_with_format(1, 0, "排名", &bold)?;
            ranking.write(
                1,
                1,
                card.rank
                    .map_or("—".to_owned(), |r| format!("{r}/{}", card.rank_of)),
            )?;
            ranking.write_with_format(2, 0, "通报", &bold)?;
            ranking.write(2, 1, if card.alert { "列入通报" } else { "否" })?;
        }
        None => {
            ranking.write(0, 0, "本年度尚未制定指标体系，本月不作排名")?;
        }
    }
    if let Some(title) = &report.ranking_title {
        ranking.write_with_format(4, 0, title.as_str(), &bold)?;
        for (col, header) in ["名次", "地区", "综合得分", "名次变化", "通报"]
            .iter()
            .enumerate()
        {
            ranking.write_with_format(5, col as u16, *header, &bold)?;
            ranking.set_column_width(col as u16, if col == 1 { 24 } else { 12 })?;
        }
        for (i, line) in report.ranking.iter().enumerate() {
            let row = 6 + i as u32;
            ranking.write(row, 0, line.rank.map_or("—".to_owned(), |r| r.to_string()))?;
            ranking.write(row, 1, line.name.as_str())?;
            ranking.write(row, 2, optional(line.total))?;
            ranking.write(
                row,
                3,
                line.rank_change
                    .map_or("—".to_owned(), |c| format!("{c:+}")),
            )?;
            ranking.write(row, 4, if line.alert { "列入通报" } else { "" })?;
        }
    }
    crate::nanny::report::add_sheets(app, &report.nanny, &mut book, ("保姆式服务", "服务人员"))?;
    book.save_to_buffer()
}

/// `Content-Disposition` for a download with a Chinese name: an ASCII fallback and the name
/// itself percent-encoded as RFC 5987 says (`filename*=UTF-8''…`).
pub fn disposition(ascii: &str, name: &str) -> String {
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_file_name_is_encoded_for_every_browser() {
        assert_eq!(
            super::disposition("report-5110-2026-04.xlsx", "内江市 2026-04.xlsx"),
            "attachment; filename=\"report-5110-2026-04.xlsx\"; \
             filename*=UTF-8''%E5%86%85%E6%B1%9F%E5%B8%82%202026-04.xlsx"
        );
    }
}

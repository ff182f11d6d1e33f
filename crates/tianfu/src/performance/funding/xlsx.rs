//! A saved allocation as an Excel workbook: what was decided (scope, pool, formula, who and
//! when, status) above a line per unit with its score, parts, amount and why, and the total.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::rules::yuan;
use super::service::Allocation;

fn status_label(allocation: &Allocation) -> String {
    match allocation.superseded_by {
        Some(by) => format!("已被方案 #{by} 取代"),
        None if allocation.saved_id.is_some() => "现行".to_owned(),
        None => "试算（未保存）".to_owned(),
    }
}

pub fn to_xlsx(allocation: &Allocation) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0.00");
    let score = Format::new().set_num_format("0.00");
    let sheet = book.add_worksheet();
    sheet.set_name("资金分配方案")?;
    sheet.write_with_format(0, 0, "精准资金分配方案", &bold)?;
    let facts = [
        (
            "方案编号",
            allocation
                .saved_id
                .map_or("—".to_owned(), |id| format!("#{id}")),
        ),
        ("年度", format!("{}年", allocation.year)),
        (
            "分配范围",
            format!("{}（{}）", allocation.parent_name, allocation.parent),
        ),
        ("得分依据", allocation.period_label.clone()),
        (
            "资金总额",
            format!(
                "{} 元（{} 分）",
                yuan(allocation.pool_fen),
                allocation.pool_fen
            ),
        ),
        ("分配公式", allocation.formula_text.clone()),
        ("状态", status_label(allocation)),
        ("保存人", allocation.author.clone().unwrap_or_default()),
        (
            "保存时间",
            allocation
                .created_at
                .map(|t| {
                    (t + chrono::Duration::hours(8))
                        .format("%Y-%m-%d %H:%M（北京时间）")
                        .to_string()
                })
                .unwrap_or_default(),
        ),
    ];
    for (i, (label, value)) in facts.iter().enumerate() {
        sheet.write(1 + i as u32, 0, *label)?;
        sheet.write(1 + i as u32, 1, value.as_str())?;
    }
    let top = 2 + facts.len() as u32;
    let headers = [
        "地区代码",
        "地区",
        "综合得分",
        "基础额（元）",
        "按得分（元）",
        "分配金额（元）",
        "分配金额（分）",
        "说明",
    ];
    let widths = [12.0, 24.0, 10.0, 16.0, 16.0, 16.0, 16.0, 80.0];
    for (col, (header, width)) in headers.iter().zip(widths).enumerate() {
        sheet.write_with_format(top, col as u16, *header, &bold)?;
        sheet.set_column_width(col as u16, width)?;
    }
    for (i, item) in allocation.items.iter().enumerate() {
        let row = top + 1 + i as u32;
        sheet.write(row, 0, item.region_code.as_str())?;
        sheet.write(row, 1, item.name.as_str())?;
        match item.score {
            Some(s) => sheet.write_number_with_format(row, 2, s, &score)?,
            None => sheet.write(row, 2, "暂无")?,
        };
        sheet.write_number_with_format(row, 3, item.base_fen as f64 / 100.0, &money)?;
        sheet.write_number_with_format(row, 4, item.by_score_fen as f64 / 100.0, &money)?;
        sheet.write_number_with_format(row, 5, item.amount_fen as f64 / 100.0, &money)?;
        sheet.write_number(row, 6, item.amount_fen as f64)?;
        sheet.write(row, 7, item.why.as_str())?;
    }
    let row = top + 1 + allocation.items.len() as u32;
    sheet.write_with_format(row, 1, "合计", &bold)?;
    sheet.write_number_with_format(row, 5, allocation.total_fen as f64 / 100.0, &money)?;
    sheet.write_number(row, 6, allocation.total_fen as f64)?;
    book.save_to_buffer()
}

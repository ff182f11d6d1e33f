//! QR images as SVG text, black on white with a quiet zone: the venue's check-in code, a
//! 科普员's share link, an authenticator's enrolment. `None` when the text is too long for a
//! QR code.

pub fn svg(text: &str, min_size: u32) -> Option<String> {
    use qrcode::render::svg;
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    Some(
        code.render::<svg::Color>()
            .min_dimensions(min_size, min_size)
            .dark_color(svg::Color("#000000"))
            .light_color(svg::Color("#ffffff"))
            .quiet_zone(true)
            .build(),
    )
}

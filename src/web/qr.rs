//! QR codes of links, as SVG with a name for screen readers.

/// A QR code of `link`, labelled `label`; empty if the link is too long for one.
pub fn svg(link: &str, label: &str) -> String {
    match qrcode::QrCode::new(link.as_bytes()) {
        Ok(qr) => {
            let svg = qr
                .render::<qrcode::render::svg::Color>()
                .min_dimensions(200, 200)
                .build();
            let start = svg.find("<svg").unwrap_or(0);
            let label = label.replace('"', "");
            svg[start..].replacen(
                "<svg ",
                &format!("<svg role=\"img\" aria-label=\"{label}\" "),
                1,
            )
        }
        Err(_) => String::new(),
    }
}

//! A form that carries a contract file, read the same way wherever one is chosen: the 签订交易
//! form of a conversation (`propose`) and the contract form of a deal's page
//! (`pages::upload_contract`). One reader, so both apply the same checks: the size
//! (`contracts::MAX_BYTES`), the kind read from the file's first bytes (PDF, or a PNG/JPEG scan),
//! and the text fields beside it.

use std::collections::HashMap;

use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header;

use crate::AppState;
use crate::market::integrity::contracts;
use crate::platform::error::AppError;

/// The form field that carries the file.
pub const FIELD: &str = "contract";

/// What was submitted: the text fields, and the file's bytes when one was chosen.
#[derive(Debug, Default)]
pub struct ContractForm {
    fields: HashMap<String, String>,
    file: Option<Vec<u8>>,
}

fn too_large() -> AppError {
    AppError::TooLarge(format!(
        "合同文件过大：最大 {} MB",
        contracts::MAX_BYTES / (1024 * 1024)
    ))
}

impl ContractForm {
    /// Reads the request: a browser sends the form as multipart (it has a file field); a form
    /// without a file may come url-encoded. The route's body limit bounds what is read.
    pub async fn read(request: Request, app: &AppState) -> Result<Self, AppError> {
        let multipart = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/"));
        if !multipart {
            let bytes = axum::body::to_bytes(request.into_body(), 64 * 1024)
                .await
                .map_err(|_| too_large())?;
            let fields = form_urlencoded::parse(&bytes).into_owned().collect();
            return Ok(ContractForm { fields, file: None });
        }
        let mut multipart = Multipart::from_request(request, app)
            .await
            .map_err(|_| AppError::validation(FIELD, "表单无法读取，请重新提交"))?;
        let mut form = ContractForm::default();
        while let Some(field) = multipart.next_field().await.map_err(|_| too_large())? {
            let name = field.name().unwrap_or_default().to_owned();
            if name == FIELD {
                let bytes = field.bytes().await.map_err(|_| too_large())?;
                // A file input left empty still sends its part, with no bytes.
                if !bytes.is_empty() {
                    form.file = Some(bytes.to_vec());
                }
            } else {
                let text = field.text().await.map_err(|_| too_large())?;
                form.fields.insert(name, text);
            }
        }
        Ok(form)
    }

    /// A text field as typed ("" when absent).
    pub fn field(&self, name: &str) -> String {
        self.fields.get(name).cloned().unwrap_or_default()
    }

    /// The chosen file, if any, once it is known to be a contract we keep: checked here, before
    /// anything is stored, so a refused form changes nothing.
    pub fn contract(&self) -> Result<Option<&[u8]>, AppError> {
        match self.file.as_deref() {
            Some(bytes) if contracts::sniff(bytes).is_none() => Err(AppError::validation(
                FIELD,
                "合同文件请上传 PDF，或 PNG/JPEG 扫描件",
            )),
            file => Ok(file),
        }
    }

    /// The file a form for the file alone must carry.
    pub fn required_contract(&self) -> Result<&[u8], AppError> {
        self.contract()?
            .ok_or_else(|| AppError::validation(FIELD, "请选择合同文件"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_file(bytes: &[u8]) -> ContractForm {
        ContractForm {
            fields: HashMap::new(),
            file: Some(bytes.to_vec()),
        }
    }

    #[test]
    fn only_pdf_png_and_jpeg_pass_and_a_missing_file_is_named() {
        assert!(with_file(b"%PDF-1.7 ...").contract().is_ok());
        assert!(with_file(&[0xFF, 0xD8, 0xFF, 0xE0]).contract().is_ok());
        let refused = with_file(b"MZ\x90\x00").contract().unwrap_err();
        assert!(refused.fields()[FIELD].contains("PDF"));
        assert_eq!(ContractForm::default().contract().unwrap(), None);
        let missing = ContractForm::default().required_contract().unwrap_err();
        assert_eq!(missing.fields()[FIELD], "请选择合同文件");
    }
}

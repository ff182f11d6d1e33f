//! Text messages to phones (短信), behind one trait so that a real SMS gateway (阿里云短信、腾讯云
//! 短信、an operator's CMPP gateway) plugs in without touching the features that send.
//!
//! Like Django's console and file e-mail backends, the embedded setup does not send anything: it
//! writes each message to the log and appends it to `sms-outbox.log` in the data directory, where
//! whoever runs the site (or a test script) reads the codes. Tests use [`MemorySms`].

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use tokio::io::AsyncWriteExt;

/// One message as handed to the gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsMessage {
    pub phone: String,
    pub text: String,
    pub at: DateTime<Utc>,
}

/// What [`SmsSender::send`] returns: a boxed future, so that the trait stays object-safe
/// (`Arc<dyn SmsSender>` in the application state).
pub type Sending<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = anyhow::Result<()>> + Send + 'a>>;

/// Something that delivers a text message. Implementations must not log the text anywhere an
/// operator would not expect codes (the outbox backend does, on purpose, for the embedded setup).
pub trait SmsSender: Send + Sync {
    fn send(&self, message: SmsMessage) -> Sending<'_>;
}

/// The embedded default: the log and an outbox file (one line per message: time, phone, text).
pub struct OutboxSms {
    path: PathBuf,
    /// Lines from concurrent sends must not interleave.
    lock: tokio::sync::Mutex<()>,
}

impl OutboxSms {
    pub const FILE_NAME: &'static str = "sms-outbox.log";

    pub fn in_dir(data_dir: &std::path::Path) -> Self {
        OutboxSms {
            path: data_dir.join(Self::FILE_NAME),
            lock: Default::default(),
        }
    }
}

impl SmsSender for OutboxSms {
    fn send(&self, message: SmsMessage) -> Sending<'_> {
        Box::pin(self.append(message))
    }
}

impl OutboxSms {
    async fn append(&self, message: SmsMessage) -> anyhow::Result<()> {
        tracing::info!(phone = %message.phone, text = %message.text, "SMS (outbox, not sent)");
        let _guard = self.lock.lock().await;
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .await?;
        let line = format!(
            "{}\t{}\t{}\n",
            message.at.to_rfc3339(),
            message.phone,
            message.text.replace(['\n', '\t'], " ")
        );
        file.write_all(line.as_bytes()).await?;
        Ok(())
    }
}

/// Keeps every message, for tests to read (and, when made `with_outbox`, also writes the outbox
/// file, for browser tests that run in another process).
#[derive(Default)]
pub struct MemorySms {
    sent: Mutex<Vec<SmsMessage>>,
    arrived: tokio::sync::Notify,
    outbox: Option<OutboxSms>,
}

impl SmsSender for MemorySms {
    fn send(&self, message: SmsMessage) -> Sending<'_> {
        self.sent
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(message.clone());
        self.arrived.notify_waiters();
        match &self.outbox {
            Some(outbox) => Box::pin(outbox.append(message)),
            None => Box::pin(std::future::ready(Ok(()))),
        }
    }
}

impl MemorySms {
    pub fn new() -> Arc<Self> {
        Arc::default()
    }

    pub fn with_outbox(data_dir: &std::path::Path) -> Arc<Self> {
        Arc::new(MemorySms {
            outbox: Some(OutboxSms::in_dir(data_dir)),
            ..Default::default()
        })
    }

    /// Every message sent to `phone`, oldest first.
    pub fn to(&self, phone: &str) -> Vec<SmsMessage> {
        self.sent
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .filter(|m| m.phone == phone)
            .cloned()
            .collect()
    }

    /// Waits (at most ten seconds) until `phone` has received more than `seen` messages and
    /// returns the newest. Messages are sent after the answer, so a test waits for them.
    pub async fn next_to(&self, phone: &str, seen: usize) -> Option<SmsMessage> {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let arrived = self.arrived.notified();
            let messages = self.to(phone);
            if messages.len() > seen {
                return messages.last().cloned();
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                return None;
            }
        }
    }
}

/// The six digits of a code message, if it holds one.
pub fn code_in(text: &str) -> Option<String> {
    let digits: Vec<char> = text.chars().collect();
    digits
        .windows(6)
        .enumerate()
        .find(|(i, w)| {
            w.iter().all(char::is_ascii_digit)
                && digits.get(i + 6).is_none_or(|c| !c.is_ascii_digit())
                && (*i == 0 || !digits[i - 1].is_ascii_digit())
        })
        .map(|(_, w)| w.iter().collect())
}

#[cfg(test)]
mod tests {
    use super::code_in;

    #[test]
    fn the_code_is_found_in_its_message() {
        assert_eq!(
            code_in("【天府科技云】验证码 042917，10分钟内有效。").as_deref(),
            Some("042917")
        );
        assert_eq!(code_in("13700000001 无验证码"), None);
    }
}

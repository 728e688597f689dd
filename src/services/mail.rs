//! Outgoing e-mail over SMTP (lettre). A mail is sent in the background: the visitor's
//! answer never waits on the mail server, so neither its delay nor its failure can tell
//! one kind of mail from another. Failures are logged with the recipient's domain only.
//! One connection per mail (no pool): sign-up mail is rare, and a pool's background task
//! would tie building the mailer to a running runtime (the CLI opens the app before its
//! runtime starts).

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sr360_core::MailConfig;

/// One plain-text message.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("mail is not set up (mail.smtp_url)")]
    NotConfigured,
    #[error("address: {0}")]
    Address(String),
    #[error("message: {0}")]
    Message(String),
    #[error("smtp: {0}")]
    Smtp(String),
}

#[derive(Clone)]
pub struct Mailer {
    transport: Option<(AsyncSmtpTransport<Tokio1Executor>, Mailbox)>,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("configured", &self.transport.is_some())
            .finish()
    }
}

impl Mailer {
    /// From `[mail]`; no `smtp_url`, no mail (and sign-up cannot be "confirmed").
    pub fn from_config(c: &MailConfig) -> Result<Self, MailError> {
        let Some(url) = &c.smtp_url else {
            return Ok(Self { transport: None });
        };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
            .map_err(|e| MailError::Smtp(e.to_string()))?
            .build();
        let from: Mailbox = c
            .from
            .parse()
            .map_err(|e: lettre::address::AddressError| MailError::Address(e.to_string()))?;
        Ok(Self {
            transport: Some((transport, from)),
        })
    }

    pub fn is_configured(&self) -> bool {
        self.transport.is_some()
    }

    pub async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        let (transport, from) = self.transport.as_ref().ok_or(MailError::NotConfigured)?;
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|e: lettre::address::AddressError| MailError::Address(e.to_string()))?;
        let msg = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .header(lettre::message::header::ContentType::TEXT_PLAIN)
            .body(mail.body.clone())
            .map_err(|e| MailError::Message(e.to_string()))?;
        transport
            .send(msg)
            .await
            .map(|_| ())
            .map_err(|e| MailError::Smtp(e.to_string()))
    }

    /// Send without waiting; a failure is logged (never shown to the visitor).
    pub fn send_later(&self, mail: Mail) {
        let me = self.clone();
        tokio::spawn(async move {
            let domain = mail.to.rsplit('@').next().unwrap_or("").to_string();
            match me.send(&mail).await {
                Ok(()) => tracing::info!(to_domain = %domain, "mail sent"),
                Err(e) => tracing::warn!(to_domain = %domain, error = %e, "mail not sent"),
            }
        });
    }

    /// Whether the SMTP server answers (start-up check and `sr360 doctor`).
    pub async fn check(&self) -> Result<(), MailError> {
        let (transport, _) = self.transport.as_ref().ok_or(MailError::NotConfigured)?;
        match transport.test_connection().await {
            Ok(true) => Ok(()),
            Ok(false) => Err(MailError::Smtp("the server did not answer".into())),
            Err(e) => Err(MailError::Smtp(e.to_string())),
        }
    }
}

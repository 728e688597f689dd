//! View models: what a page needs to know, in plain types.

#[derive(Debug, Clone, Default)]
pub struct UserVm {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub is_operator: bool,
}

#[derive(Debug, Clone, Default)]
pub struct TenantVm {
    pub id: String,
    pub name: String,
    pub role: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlashKind {
    Ok,
    Error,
    Info,
}

#[derive(Debug, Clone)]
pub struct Flash {
    pub kind: FlashKind,
    pub text: String,
}

impl Flash {
    pub fn ok(t: impl Into<String>) -> Self {
        Self {
            kind: FlashKind::Ok,
            text: t.into(),
        }
    }
    pub fn error(t: impl Into<String>) -> Self {
        Self {
            kind: FlashKind::Error,
            text: t.into(),
        }
    }
    pub fn info(t: impl Into<String>) -> Self {
        Self {
            kind: FlashKind::Info,
            text: t.into(),
        }
    }
}

/// Everything the page frame needs.
#[derive(Debug, Clone)]
pub struct PageCtx {
    pub locale: &'static str,
    /// "light", "dark" or "system"
    pub theme: String,
    pub csrf: String,
    pub user: Option<UserVm>,
    pub tenant: Option<TenantVm>,
    pub tenants: Vec<TenantVm>,
    /// Path of the current page, to mark the navigation.
    pub path: String,
    pub flash: Option<Flash>,
    /// Unread notifications of the signed-in user in this shop (the sidebar's count).
    pub unread: u32,
}

impl PageCtx {
    pub fn anonymous(locale: &'static str, csrf: String, path: &str) -> Self {
        Self {
            locale,
            theme: "system".into(),
            csrf,
            user: None,
            tenant: None,
            tenants: vec![],
            path: path.into(),
            flash: None,
            unread: 0,
        }
    }
    pub fn t(&self, key: &str) -> String {
        crate::tr(self.locale, key)
    }
}

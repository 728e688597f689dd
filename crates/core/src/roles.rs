//! Roles per tenant and what each may do. One table, so the route × role matrix in the tests
//! and the permissions page read from the same source.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Viewer,
    Analyst,
    Admin,
    Owner,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Owner, Role::Admin, Role::Analyst, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Analyst => "analyst",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim().to_ascii_lowercase())
    }

    pub fn allows(self, p: Permission) -> bool {
        self >= p.min_role()
    }
}

/// Actions gated by role. Adding one forces a decision about who may do it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Dashboards, charts, search (aggregate data).
    ViewAnalytics,
    /// Customer names, e-mails and addresses.
    ViewPii,
    /// Upload data, run models, export reports, read-only SQL.
    Analyze,
    /// Members, roles, settings, audit log.
    ManageTenant,
    /// Change or remove owners, delete the tenant, billing.
    OwnTenant,
}

impl Permission {
    pub fn min_role(self) -> Role {
        match self {
            Permission::ViewAnalytics => Role::Viewer,
            Permission::ViewPii | Permission::Analyze => Role::Analyst,
            Permission::ManageTenant => Role::Admin,
            Permission::OwnTenant => Role::Owner,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn order_and_parse() {
        assert!(Role::Owner.allows(Permission::ManageTenant));
        assert!(!Role::Viewer.allows(Permission::ViewPii));
        assert!(!Role::Analyst.allows(Permission::ManageTenant));
        assert_eq!(Role::parse(" Admin "), Some(Role::Admin));
        assert_eq!(Role::parse("root"), None);
    }
}

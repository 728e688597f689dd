//! The authentication service: the flows (sign-up, login, second factor, tokens, logout)
//! built from the pieces in this crate and the records in `sr360-meta`.

use crate::{
    AuthError, CsrfKey, PasswordHasher, RateLimits, Totp, check_password_policy, device_label,
    hash_secret, ip_prefix, new_api_token, new_session_token,
};
use sr360_core::{Clock, Entropy, Permission, Role, SignupPolicy, TenantId, UserId};
use sr360_meta::{
    ApiTokenRecord, AuditAction, AuditEvent, LoginOutcome, MetaError, MetaStore, MfaState,
    PendingSignup, SessionState, TenantScope, User,
};
use std::net::IpAddr;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct AuthConfig {
    pub session_ttl_secs: i64,
    pub lockout_threshold: u32,
    pub lockout_secs: i64,
    pub signup: SignupPolicy,
}

/// How long a sign-up link sent by e-mail works.
pub const SIGNUP_LINK_SECS: i64 = 24 * 3600;

pub struct Auth {
    meta: Arc<MetaStore>,
    clock: Arc<dyn Clock>,
    entropy: Arc<dyn Entropy>,
    hasher: PasswordHasher,
    limits: RateLimits,
    csrf: CsrfKey,
    cfg: AuthConfig,
    /// Failed sign-ins for e-mails without an account, and until when each is "locked": an
    /// unknown e-mail answers exactly as a real account would (wrong, then locked), so the
    /// answers do not tell which e-mails have accounts. In memory; bounded.
    phantoms: std::sync::Mutex<std::collections::HashMap<String, (u32, i64)>>,
}

/// E-mails without an account whose failures are remembered at most.
const MAX_PHANTOMS: usize = 10_000;

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field("cfg", &self.cfg)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone)]
pub struct Signup {
    pub shop_name: String,
    pub email: String,
    pub display_name: String,
    pub password: String,
}

/// What became of a sign-up form.
#[derive(Debug)]
pub enum SignupOutcome {
    /// The shop exists and its owner is signed in.
    Created {
        tenant: TenantId,
        login: LoginResult,
    },
    /// Nothing exists yet: `mail` goes to `email`. The visitor sees the same answer whatever
    /// the mail says, so the answer does not tell whether the address has an account.
    Mail { email: String, mail: SignupMail },
}

/// The e-mail a confirmed sign-up sends.
pub enum SignupMail {
    /// A link (carrying `token`) that creates the shop.
    Confirm { token: String },
    /// The address already has an account: a note saying so, with no link.
    AlreadyRegistered,
}

impl std::fmt::Debug for SignupMail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SignupMail::Confirm { .. } => "Confirm",
            SignupMail::AlreadyRegistered => "AlreadyRegistered",
        })
    }
}

#[derive(Debug)]
pub enum LoginResult {
    /// Signed in; `token` goes into the session cookie.
    Active {
        token: String,
        user: User,
        new_prefix: bool,
        new_device: bool,
    },
    /// Password accepted; the session reaches only the second-factor prompt.
    MfaRequired { token: String },
}

/// Who is behind a session cookie.
#[derive(Debug, Clone)]
pub struct SessionPrincipal {
    pub session_hash: String,
    pub user: User,
    pub state: SessionState,
    /// The tenant the session works in, when the user belongs to any.
    pub scope: Option<TenantScope>,
}

/// Who is behind an API token: always exactly one tenant.
#[derive(Debug, Clone)]
pub struct BearerPrincipal {
    pub token_id: i64,
    pub user: User,
    pub scope: TenantScope,
}

#[derive(Debug, Clone)]
pub struct TotpEnrolment {
    pub secret_base32: String,
    pub otpauth_url: String,
    pub qr_svg: String,
}

impl Auth {
    pub fn new(
        meta: Arc<MetaStore>,
        clock: Arc<dyn Clock>,
        entropy: Arc<dyn Entropy>,
        hasher: PasswordHasher,
        limits: RateLimits,
        csrf: CsrfKey,
        cfg: AuthConfig,
    ) -> Self {
        Self {
            meta,
            clock,
            entropy,
            hasher,
            limits,
            csrf,
            cfg,
            phantoms: Default::default(),
        }
    }

    pub fn meta(&self) -> &Arc<MetaStore> {
        &self.meta
    }

    pub fn csrf(&self) -> &CsrfKey {
        &self.csrf
    }

    /// Whether `/signup` takes a new shop now (a "first_shop" server stops once it has one).
    pub fn open_signup(&self) -> bool {
        match self.cfg.signup {
            SignupPolicy::Open | SignupPolicy::Confirmed => true,
            SignupPolicy::FirstShop => !self.meta.has_tenants().unwrap_or(true),
            SignupPolicy::Closed => false,
        }
    }

    pub fn signup_policy(&self) -> SignupPolicy {
        self.cfg.signup
    }

    pub fn session_ttl_secs(&self) -> i64 {
        self.cfg.session_ttl_secs
    }

    pub fn password_verifications(&self) -> u64 {
        self.hasher.verifications()
    }

    pub fn rate_limits(&self) -> &RateLimits {
        &self.limits
    }

    fn now_unix(&self) -> i64 {
        self.clock.now().unix_timestamp()
    }

    /// Hash a password on the blocking pool.
    pub async fn hash_password(&self, password: &str) -> Result<String, AuthError> {
        let hasher = self.hasher.clone();
        let pw = password.to_string();
        let salt_source: Arc<dyn Entropy> = self.entropy.clone();
        tokio::task::spawn_blocking(move || hasher.hash(&pw, &*salt_source))
            .await
            .map_err(|e| AuthError::Internal(e.to_string()))?
    }

    async fn verify_password(
        &self,
        stored: Option<String>,
        password: &str,
    ) -> Result<bool, AuthError> {
        let hasher = self.hasher.clone();
        let pw = password.to_string();
        tokio::task::spawn_blocking(move || hasher.verify(stored.as_deref(), &pw))
            .await
            .map_err(|e| AuthError::Internal(e.to_string()))
    }

    /// Pick a free tenant id derived from the shop name.
    #[expect(clippy::unreachable, reason = "\"shop\" is a valid tenant id")]
    fn free_tenant_id(&self, shop_name: &str) -> Result<TenantId, AuthError> {
        let base = TenantId::slugify(shop_name)
            .unwrap_or_else(|_| TenantId::parse("shop").unwrap_or_else(|_| unreachable!()));
        if self.meta.tenant(&base)?.is_none() {
            return Ok(base);
        }
        let stem: String = base
            .as_str()
            .chars()
            .take(30)
            .collect::<String>()
            .trim_end_matches('-')
            .to_string();
        for n in 2..1000 {
            if let Ok(id) = TenantId::parse(&format!("{stem}-{n}"))
                && self.meta.tenant(&id)?.is_none()
            {
                return Ok(id);
            }
        }
        Err(AuthError::Conflict("a shop with this name"))
    }

    /// A sign-up form: create the shop and sign its owner in ("first_shop", "open"), or keep
    /// it until the address is confirmed and say which e-mail to send ("confirmed").
    pub async fn signup(
        &self,
        s: &Signup,
        ip: IpAddr,
        user_agent: &str,
    ) -> Result<SignupOutcome, AuthError> {
        let policy = self.cfg.signup;
        if !self.open_signup() {
            return Err(AuthError::SignupClosed);
        }
        let email = sr360_meta_email(&s.email)?;
        let account = (policy == SignupPolicy::Confirmed).then_some(email.as_str());
        self.limits.check(&ip.to_string(), account)?;
        let (shop_name, display_name) =
            sr360_meta::check_signup_names(&s.shop_name, &s.display_name)?;
        check_password_policy(&s.password, &email)?;
        // The hash first: a taken e-mail costs as long to refuse as a free one to accept.
        let hash = self.hash_password(&s.password).await?;
        let taken = self.meta.user_by_email(&email)?.is_some();
        if policy == SignupPolicy::Confirmed {
            if taken {
                return Ok(SignupOutcome::Mail {
                    email,
                    mail: SignupMail::AlreadyRegistered,
                });
            }
            let (token, token_hash) = new_session_token(&*self.entropy);
            let pending = PendingSignup {
                email: email.clone(),
                shop_name,
                display_name,
                password_hash: hash,
                ip: ip.to_string(),
            };
            self.meta.put_signup_request(
                &token_hash,
                &pending,
                self.now_unix() + SIGNUP_LINK_SECS,
            )?;
            return Ok(SignupOutcome::Mail {
                email,
                mail: SignupMail::Confirm { token },
            });
        }
        // Signed in at once, so the answer cannot hide a taken address ("open" is for
        // trusted networks; a "first_shop" server has no accounts to reveal).
        if taken {
            return Err(AuthError::Conflict("an account with this e-mail"));
        }
        let pending = PendingSignup {
            email,
            shop_name,
            display_name,
            password_hash: hash,
            ip: ip.to_string(),
        };
        let first_only = policy == SignupPolicy::FirstShop;
        self.create_shop(&pending, first_only, ip, user_agent)
    }

    /// Follow a sign-up link: the shop is created and its owner signed in. A link that is
    /// unknown, used, expired, or whose address got an account meanwhile answers the same.
    pub fn confirm_signup(
        &self,
        token: &str,
        ip: IpAddr,
        user_agent: &str,
    ) -> Result<SignupOutcome, AuthError> {
        if self.cfg.signup != SignupPolicy::Confirmed {
            return Err(AuthError::SignupClosed);
        }
        self.limits.check(&ip.to_string(), None)?;
        let pending = self
            .meta
            .take_signup_request(&hash_secret(token))?
            .ok_or(AuthError::LinkExpired)?;
        match self.create_shop(&pending, false, ip, user_agent) {
            Err(AuthError::Conflict(_)) => Err(AuthError::LinkExpired),
            r => r,
        }
    }

    fn create_shop(
        &self,
        p: &PendingSignup,
        first_only: bool,
        ip: IpAddr,
        user_agent: &str,
    ) -> Result<SignupOutcome, AuthError> {
        let tenant = self.free_tenant_id(&p.shop_name)?;
        let uid = self
            .meta
            .signup(
                &tenant,
                &p.shop_name,
                &p.email,
                &p.display_name,
                &p.password_hash,
                &ip.to_string(),
                first_only,
            )
            .map_err(|e| match e {
                MetaError::SignupClosed => AuthError::SignupClosed,
                e => e.into(),
            })?;
        let user = self.meta.user(uid)?.ok_or(AuthError::NotFound("user"))?;
        let login = self.start_session(user, ip, user_agent, SessionState::Active)?;
        Ok(SignupOutcome::Created { tenant, login })
    }

    fn first_tenant(&self, user: UserId) -> Result<Option<TenantId>, AuthError> {
        Ok(self
            .meta
            .memberships_of(user)?
            .into_iter()
            .next()
            .map(|m| m.tenant_id))
    }

    fn start_session(
        &self,
        user: User,
        ip: IpAddr,
        user_agent: &str,
        state: SessionState,
    ) -> Result<LoginResult, AuthError> {
        let (token, hash) = new_session_token(&*self.entropy);
        let tenant = self.first_tenant(user.id)?;
        self.meta.create_session(
            &hash,
            user.id,
            tenant.as_ref(),
            state,
            self.cfg.session_ttl_secs,
            &ip.to_string(),
            user_agent,
        )?;
        let device = device_label(user_agent);
        let prefix = ip_prefix(ip);
        match state {
            SessionState::MfaPending => {
                self.meta.record_login(
                    user.id,
                    &ip.to_string(),
                    &prefix,
                    user_agent,
                    &device,
                    LoginOutcome::MfaRequired,
                )?;
                Ok(LoginResult::MfaRequired { token })
            }
            SessionState::Active => {
                let (new_prefix, new_device) = self.meta.record_login(
                    user.id,
                    &ip.to_string(),
                    &prefix,
                    user_agent,
                    &device,
                    LoginOutcome::Success,
                )?;
                let mut ev = AuditEvent::by_user(user.id, &user.email, &ip.to_string()).action(AuditAction::Login).detail(serde_json::json!({"device": device, "new_ip_prefix": new_prefix, "new_device": new_device}));
                if let Some(t) = &tenant {
                    ev = ev.tenant(t);
                }
                self.meta.audit(&ev)?;
                Ok(LoginResult::Active {
                    token,
                    user,
                    new_prefix,
                    new_device,
                })
            }
        }
    }

    /// Check e-mail and password (rate limit, lockout, constant cost). On success returns
    /// the user; every failure is recorded.
    async fn check_credentials(
        &self,
        email: &str,
        password: &str,
        ip: IpAddr,
        user_agent: &str,
    ) -> Result<User, AuthError> {
        let ip_s = ip.to_string();
        self.limits.check(&ip_s, Some(email.trim()))?;
        if password.chars().count() > 256 {
            return Err(AuthError::InvalidCredentials);
        }
        let user = self.meta.user_by_email(email)?;
        let stored = match &user {
            Some(u) => self.meta.password_hash(u.id)?,
            None => None,
        };
        let ok = self.verify_password(stored, password).await?;
        let Some(user) = user else {
            self.meta.audit(
                &AuditEvent::anonymous(&ip_s)
                    .action(AuditAction::LoginFailed)
                    .detail(serde_json::json!({"reason": "unknown_account"})),
            )?;
            return Err(self.phantom_failure(email));
        };
        let now = self.now_unix();
        let device = device_label(user_agent);
        let prefix = ip_prefix(ip);
        let tenant = self.first_tenant(user.id)?;
        let failed = |reason: &str| {
            let mut ev = AuditEvent::by_user(user.id, &user.email, &ip_s)
                .action(AuditAction::LoginFailed)
                .target(format!("user:{}", user.id))
                .detail(serde_json::json!({"reason": reason}));
            if let Some(t) = &tenant {
                ev = ev.tenant(t);
            }
            ev
        };
        if user.locked_until > now {
            self.meta.record_login(
                user.id,
                &ip_s,
                &prefix,
                user_agent,
                &device,
                LoginOutcome::Locked,
            )?;
            self.meta.audit(&failed("locked"))?;
            return Err(AuthError::Locked {
                minutes: ((user.locked_until - now) + 59) / 60,
            });
        }
        if !ok {
            self.meta.record_failed_login(
                user.id,
                self.cfg.lockout_threshold,
                self.cfg.lockout_secs,
                &ip_s,
            )?;
            self.meta.record_login(
                user.id,
                &ip_s,
                &prefix,
                user_agent,
                &device,
                LoginOutcome::BadPassword,
            )?;
            self.meta.audit(&failed("bad_password"))?;
            return Err(AuthError::InvalidCredentials);
        }
        // With a second factor, the password alone clears nothing: only a whole sign-in does
        // (else someone holding the password could guess codes without end).
        if user.mfa != MfaState::On {
            self.meta.clear_failed_logins(user.id)?;
        }
        Ok(user)
    }

    /// A failed sign-in for an e-mail without an account, answered as an account's would be:
    /// "wrong" until the lockout threshold, then "locked" for the lockout time.
    fn phantom_failure(&self, email: &str) -> AuthError {
        let now = self.now_unix();
        let key = email.trim().to_lowercase();
        let mut m = self.phantoms.lock().unwrap_or_else(|p| p.into_inner());
        if m.len() >= MAX_PHANTOMS {
            m.retain(|_, (_, until)| *until > now);
            if m.len() >= MAX_PHANTOMS {
                m.clear();
            }
        }
        let e = m.entry(key).or_insert((0, 0));
        if e.1 > now {
            return AuthError::Locked {
                minutes: ((e.1 - now) + 59) / 60,
            };
        }
        e.0 += 1;
        if e.0 >= self.cfg.lockout_threshold {
            *e = (0, now + self.cfg.lockout_secs);
        }
        AuthError::InvalidCredentials
    }

    /// A wrong second factor, wherever it was given (sign-in page or token endpoint): one
    /// failure on the same count as a wrong password. True when it locked the account.
    fn second_factor_failed(
        &self,
        user: &User,
        ip: IpAddr,
        user_agent: &str,
    ) -> Result<bool, AuthError> {
        let ip_s = ip.to_string();
        self.meta.record_login(
            user.id,
            &ip_s,
            &ip_prefix(ip),
            user_agent,
            &device_label(user_agent),
            LoginOutcome::BadTotp,
        )?;
        self.meta.audit(
            &AuditEvent::by_user(user.id, &user.email, &ip_s)
                .action(AuditAction::MfaFailed)
                .target(format!("user:{}", user.id)),
        )?;
        Ok(self.meta.record_failed_login(
            user.id,
            self.cfg.lockout_threshold,
            self.cfg.lockout_secs,
            &ip_s,
        )?)
    }

    pub async fn login(
        &self,
        email: &str,
        password: &str,
        ip: IpAddr,
        user_agent: &str,
    ) -> Result<LoginResult, AuthError> {
        let user = self
            .check_credentials(email, password, ip, user_agent)
            .await?;
        let state = if user.mfa == MfaState::On {
            SessionState::MfaPending
        } else {
            SessionState::Active
        };
        self.start_session(user, ip, user_agent, state)
    }

    /// Check a TOTP code (single use) or a recovery code for `user`.
    fn check_second_factor(&self, user: &User, code: &str, ip: &str) -> Result<bool, AuthError> {
        let Some(secret) = self.meta.totp_secret(user.id)? else {
            return Ok(false);
        };
        let now = self.now_unix().max(0) as u64;
        if let Some(step) = Totp::matching_step(&secret, code, now)? {
            return Ok(self.meta.consume_totp_step(user.id, step)?);
        }
        let norm = Totp::normalize_recovery(code);
        if norm.len() == 12
            && self
                .meta
                .consume_recovery_code(user.id, &hash_secret(&norm))?
        {
            self.meta.audit(
                &AuditEvent::by_user(user.id, &user.email, ip)
                    .action(AuditAction::RecoveryCodeUsed)
                    .target(format!("user:{}", user.id)),
            )?;
            return Ok(true);
        }
        Ok(false)
    }

    /// Complete a login with the second factor: the pending session is replaced by an
    /// active one under a new id.
    pub async fn verify_mfa(
        &self,
        session_token: &str,
        code: &str,
        ip: IpAddr,
        user_agent: &str,
    ) -> Result<LoginResult, AuthError> {
        let old = hash_secret(session_token);
        let s = self.meta.session(&old)?.ok_or(AuthError::Unauthenticated)?;
        if s.state != SessionState::MfaPending {
            return Err(AuthError::Invalid(
                "this session has no pending two-factor check".into(),
            ));
        }
        let user = self
            .meta
            .user(s.user_id)?
            .ok_or(AuthError::Unauthenticated)?;
        let ip_s = ip.to_string();
        self.limits.check(&ip_s, Some(&user.email))?;
        if !self.check_second_factor(&user, code, &ip_s)? {
            if self.second_factor_failed(&user, ip, user_agent)? {
                self.meta.delete_session(&old)?;
            }
            return Err(AuthError::BadCode);
        }
        self.meta.clear_failed_logins(user.id)?;
        let (token, new_hash) = new_session_token(&*self.entropy);
        if !self.meta.rotate_session(
            &old,
            &new_hash,
            SessionState::Active,
            self.cfg.session_ttl_secs,
        )? {
            return Err(AuthError::Unauthenticated);
        }
        let device = device_label(user_agent);
        let (new_prefix, new_device) = self.meta.record_login(
            user.id,
            &ip_s,
            &ip_prefix(ip),
            user_agent,
            &device,
            LoginOutcome::Success,
        )?;
        let mut ev = AuditEvent::by_user(user.id, &user.email, &ip_s).action(AuditAction::Login).detail(serde_json::json!({"device": device, "mfa": true, "new_ip_prefix": new_prefix, "new_device": new_device}));
        if let Some(t) = &s.tenant_id {
            ev = ev.tenant(t);
        }
        self.meta.audit(&ev)?;
        Ok(LoginResult::Active {
            token,
            user,
            new_prefix,
            new_device,
        })
    }

    /// Resolve a session cookie.
    pub fn session(&self, token: &str) -> Result<Option<SessionPrincipal>, AuthError> {
        let h = hash_secret(token);
        let Some(s) = self.meta.session(&h)? else {
            return Ok(None);
        };
        let Some(user) = self.meta.user(s.user_id)? else {
            return Ok(None);
        };
        let mut scope = match &s.tenant_id {
            Some(t) => self.meta.scope_for(user.id, t)?,
            None => None,
        };
        if scope.is_none()
            && let Some(t) = self.first_tenant(user.id)?
        {
            self.meta.set_session_tenant(&h, &t)?;
            scope = self.meta.scope_for(user.id, &t)?;
        }
        Ok(Some(SessionPrincipal {
            session_hash: h,
            user,
            state: s.state,
            scope,
        }))
    }

    /// Move a session to another tenant the user belongs to.
    pub fn switch_tenant(
        &self,
        p: &SessionPrincipal,
        tenant: &TenantId,
    ) -> Result<TenantScope, AuthError> {
        let scope = self
            .meta
            .scope_for(p.user.id, tenant)?
            .ok_or(AuthError::NotFound("shop"))?;
        self.meta.set_session_tenant(&p.session_hash, tenant)?;
        Ok(scope)
    }

    pub fn logout(&self, p: &SessionPrincipal, ip: &str) -> Result<(), AuthError> {
        self.meta.delete_session(&p.session_hash)?;
        let mut ev = AuditEvent::by_user(p.user.id, &p.user.email, ip).action(AuditAction::Logout);
        if let Some(s) = &p.scope {
            ev = ev.tenant(s.tenant());
        }
        self.meta.audit(&ev)?;
        Ok(())
    }

    /// Exchange credentials (and a TOTP code when MFA is on) for an API token.
    #[allow(clippy::too_many_arguments)]
    pub async fn issue_api_token(
        &self,
        email: &str,
        password: &str,
        totp: Option<&str>,
        tenant: Option<&TenantId>,
        name: &str,
        ttl_secs: Option<i64>,
        ip: IpAddr,
        user_agent: &str,
    ) -> Result<(String, ApiTokenRecord), AuthError> {
        let user = self
            .check_credentials(email, password, ip, user_agent)
            .await?;
        let ip_s = ip.to_string();
        if user.mfa == MfaState::On {
            let code = totp.ok_or(AuthError::MfaRequired)?;
            if !self.check_second_factor(&user, code, &ip_s)? {
                self.second_factor_failed(&user, ip, user_agent)?;
                return Err(AuthError::BadCode);
            }
            self.meta.clear_failed_logins(user.id)?;
        }
        let tenant = match tenant {
            Some(t) => t.clone(),
            None => {
                let ms = self.meta.memberships_of(user.id)?;
                match ms.as_slice() {
                    [one] => one.tenant_id.clone(),
                    [] => return Err(AuthError::NotFound("shop")),
                    _ => {
                        return Err(AuthError::Invalid(
                            "you belong to several shops: name one with \"tenant\"".into(),
                        ));
                    }
                }
            }
        };
        let scope = self
            .meta
            .scope_for(user.id, &tenant)?
            .ok_or(AuthError::NotFound("shop"))?;
        self.create_api_token(&scope, &user, name, ttl_secs, &ip_s)
    }

    /// Create a token for a signed-in user (settings page).
    pub fn create_api_token(
        &self,
        scope: &TenantScope,
        user: &User,
        name: &str,
        ttl_secs: Option<i64>,
        ip: &str,
    ) -> Result<(String, ApiTokenRecord), AuthError> {
        let (token, hash, prefix) = new_api_token(&*self.entropy);
        let rec = self.meta.create_api_token(
            scope,
            &hash,
            &prefix,
            name,
            ttl_secs,
            &AuditEvent::by_user(user.id, &user.email, ip),
        )?;
        Ok((token, rec))
    }

    /// Resolve `Authorization: Bearer <token>`.
    pub fn bearer(&self, token: &str) -> Result<Option<BearerPrincipal>, AuthError> {
        let token = token.trim();
        if !token.starts_with("sr360_") || token.len() > 100 {
            return Ok(None);
        }
        let Some(rec) = self.meta.api_token_by_hash(&hash_secret(token))? else {
            return Ok(None);
        };
        let Some(user) = self.meta.user(rec.user_id)? else {
            return Ok(None);
        };
        let Some(scope) = self.meta.scope_for(user.id, &rec.tenant_id)? else {
            return Ok(None);
        };
        Ok(Some(BearerPrincipal {
            token_id: rec.id,
            user,
            scope,
        }))
    }

    // ---- MFA management (signed-in user) ----

    pub fn begin_totp(&self, user: &User) -> Result<TotpEnrolment, AuthError> {
        if user.mfa == MfaState::On {
            return Err(AuthError::Invalid(
                "two-factor authentication is already on".into(),
            ));
        }
        let secret = Totp::new_secret(&*self.entropy);
        self.meta.begin_totp(user.id, &secret)?;
        self.enrolment(user)
    }

    /// The pending enrolment (to show the QR code again).
    pub fn enrolment(&self, user: &User) -> Result<TotpEnrolment, AuthError> {
        let secret = self.meta.totp_secret(user.id)?.ok_or(AuthError::Invalid(
            "start two-factor enrolment first".into(),
        ))?;
        Ok(TotpEnrolment {
            secret_base32: Totp::secret_base32(&secret),
            otpauth_url: Totp::otpauth_url(&secret, &user.email)?,
            qr_svg: Totp::qr_svg(&secret, &user.email)?,
        })
    }

    /// Confirm enrolment with a first code; returns the recovery codes (shown once).
    pub fn confirm_totp(
        &self,
        user: &User,
        code: &str,
        ip: &str,
    ) -> Result<Vec<String>, AuthError> {
        self.limits.check(ip, Some(&user.email))?;
        let secret = self.meta.totp_secret(user.id)?.ok_or(AuthError::Invalid(
            "start two-factor enrolment first".into(),
        ))?;
        let now = self.now_unix().max(0) as u64;
        let step = Totp::matching_step(&secret, code, now)?.ok_or(AuthError::BadCode)?;
        if !self.meta.consume_totp_step(user.id, step)? {
            return Err(AuthError::BadCode);
        }
        let codes = Totp::recovery_codes(&*self.entropy);
        let hashes: Vec<String> = codes
            .iter()
            .map(|c| hash_secret(&Totp::normalize_recovery(c)))
            .collect();
        self.meta.enable_totp(
            user.id,
            &hashes,
            &AuditEvent::by_user(user.id, &user.email, ip),
        )?;
        Ok(codes)
    }

    /// Turn MFA off; needs a current code (or a recovery code).
    pub fn disable_totp(&self, user: &User, code: &str, ip: &str) -> Result<(), AuthError> {
        self.limits.check(ip, Some(&user.email))?;
        if user.mfa != MfaState::On {
            // Abandoning an unfinished enrolment needs no code.
            return Ok(self
                .meta
                .disable_totp(user.id, &AuditEvent::by_user(user.id, &user.email, ip))?);
        }
        if !self.check_second_factor(user, code, ip)? {
            return Err(AuthError::BadCode);
        }
        Ok(self
            .meta
            .disable_totp(user.id, &AuditEvent::by_user(user.id, &user.email, ip))?)
    }

    pub fn regenerate_recovery_codes(
        &self,
        user: &User,
        code: &str,
        ip: &str,
    ) -> Result<Vec<String>, AuthError> {
        self.limits.check(ip, Some(&user.email))?;
        if user.mfa != MfaState::On || !self.check_second_factor(user, code, ip)? {
            return Err(AuthError::BadCode);
        }
        let codes = Totp::recovery_codes(&*self.entropy);
        let hashes: Vec<String> = codes
            .iter()
            .map(|c| hash_secret(&Totp::normalize_recovery(c)))
            .collect();
        self.meta.replace_recovery_codes(
            user.id,
            &hashes,
            &AuditEvent::by_user(user.id, &user.email, ip),
        )?;
        Ok(codes)
    }

    /// Change one's own password (signs out every session, revokes tokens).
    pub async fn change_password(
        &self,
        user: &User,
        current: &str,
        new: &str,
        ip: IpAddr,
        user_agent: &str,
    ) -> Result<(), AuthError> {
        self.check_credentials(&user.email, current, ip, user_agent)
            .await?;
        check_password_policy(new, &user.email)?;
        let hash = self.hash_password(new).await?;
        Ok(self.meta.set_password_hash(
            user.id,
            &hash,
            &AuditEvent::by_user(user.id, &user.email, &ip.to_string()),
            AuditAction::PasswordChanged,
        )?)
    }

    /// Set a password from the operator's command line.
    pub async fn reset_password(
        &self,
        user: UserId,
        new: &str,
        actor: &AuditEvent,
    ) -> Result<(), AuthError> {
        let u = self.meta.user(user)?.ok_or(AuthError::NotFound("user"))?;
        check_password_policy(new, &u.email)?;
        let hash = self.hash_password(new).await?;
        Ok(self
            .meta
            .set_password_hash(user, &hash, actor, AuditAction::PasswordReset)?)
    }

    /// Require a permission of a scope: the one check every tenant action goes through.
    pub fn require(scope: &TenantScope, p: Permission) -> Result<(), AuthError> {
        if scope.can(p) {
            Ok(())
        } else {
            Err(AuthError::Forbidden)
        }
    }

    /// Roles the scope may hand out.
    pub fn grantable_roles(scope: &TenantScope) -> Vec<Role> {
        Role::ALL
            .into_iter()
            .filter(|r| {
                if *r == Role::Owner {
                    scope.can(Permission::OwnTenant)
                } else {
                    scope.can(Permission::ManageTenant)
                }
            })
            .collect()
    }
}

fn sr360_meta_email(e: &str) -> Result<String, AuthError> {
    sr360_meta::normalize_email(e).map_err(AuthError::from)
}

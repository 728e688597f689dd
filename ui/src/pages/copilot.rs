//! The copilot page: a question box (a plain GET form, so it works without JavaScript), the
//! answer in words with the chart and table it rests on, where to look further, how it was
//! answered (the plan and the SQL), and follow-up questions as links.

use super::charts::{ChartCardVm, chart_card};
use crate::{PageCtx, render_document};
use leptos::prelude::*;

#[derive(Debug, Clone, Default)]
pub struct CopilotAnswerVm {
    pub text: String,
    pub card: Option<ChartCardVm>,
    /// (title, url)
    pub sources: Vec<(String, String)>,
    /// (question, url)
    pub followups: Vec<(String, String)>,
    /// The plan as JSON, for those who want to see it.
    pub plan: String,
    pub sql: Option<String>,
    /// `high`, `medium` or `low`.
    pub confidence: String,
    /// The export form's action (keep the answer's chart or table as a report), for roles
    /// that may export.
    pub export: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct CopilotVm {
    pub question: String,
    pub conversation: String,
    pub answer: Option<CopilotAnswerVm>,
    /// Why the question could not be asked (no data yet, a bad question).
    pub notice: Option<String>,
    /// (question, url)
    pub examples: Vec<(String, String)>,
    /// The user's latest questions in this shop (question, url), newest first.
    pub history: Vec<(String, String)>,
    /// The local language model is missing or broken: the parser answers alone.
    pub model_off: bool,
}

pub fn copilot(ctx: &PageCtx, vm: &CopilotVm) -> String {
    let links = |v: &[(String, String)], id: &'static str| {
        let items = v
            .iter()
            .map(|(t, u)| view! { <li><a href=u.clone()>{t.clone()}</a></li> })
            .collect_view();
        view! { <ul class="plain-list" id=id>{items}</ul> }
    };
    let answer = vm.answer.as_ref().map(|a| {
        let card = a
            .card
            .as_ref()
            .map(|c| chart_card(ctx, c, true, a.export.as_deref()));
        let sources = (!a.sources.is_empty()).then(|| {
            view! { <h3>{ctx.t("copilot.sources")}</h3>{links(&a.sources, "copilot-sources")} }
        });
        let followups = (!a.followups.is_empty()).then(|| {
            view! { <h3>{ctx.t("copilot.followups")}</h3>{links(&a.followups, "copilot-followups")} }
        });
        let sql = a.sql.clone().map(|q| view! { <h4>"SQL"</h4><pre class="code">{q}</pre> });
        let badge = format!("badge confidence-{}", a.confidence);
        view! {
            <section class="card copilot-answer" id="copilot-answer" aria-live="polite">
                <p class="answer-text">{a.text.clone()}</p>
                <p><span class=badge>{ctx.t(&format!("copilot.confidence_{}", a.confidence))}</span></p>
                {sources}
                {followups}
                <details id="copilot-how">
                    <summary>{ctx.t("copilot.how")}</summary>
                    <h4>{ctx.t("copilot.plan")}</h4>
                    <pre class="code">{a.plan.clone()}</pre>
                    {sql}
                </details>
            </section>
            {card}
        }
    });
    let notice = vm
        .notice
        .clone()
        .map(|n| view! { <p class="notice" id="copilot-notice">{n}</p> });
    let examples = (vm.answer.is_none()).then(|| {
        view! {
            <section class="card" id="copilot-examples">
                <h2>{ctx.t("copilot.examples_title")}</h2>
                {links(&vm.examples, "copilot-example-list")}
            </section>
        }
    });
    let history = (!vm.history.is_empty()).then(|| {
        view! {
            <section class="card" id="copilot-history">
                <h2>{ctx.t("copilot.history")}</h2>
                {links(&vm.history, "copilot-history-list")}
                <form method="post" action="/copilot/history/clear">
                    {super::csrf_field(&ctx.csrf)}
                    <button class="btn small secondary" type="submit">{ctx.t("copilot.history_clear")}</button>
                </form>
            </section>
        }
    });
    let body = view! {
        <h1>{ctx.t("nav.copilot")}</h1>
        <p class="lede">{ctx.t("copilot.lede")}</p>
        {vm.model_off.then(|| view! { <p class="muted small" id="copilot-model-off">{ctx.t("copilot.model_off")}</p> })}
        <form method="get" action="/copilot" class="search-page-form copilot-form" role="search">
            <label class="sr-only" for="copilot-q">{ctx.t("copilot.ask_label")}</label>
            <input id="copilot-q" type="search" name="q" value=vm.question.clone() placeholder=ctx.t("copilot.placeholder") autocomplete="off" maxlength="500"/>
            <input type="hidden" name="c" value=vm.conversation.clone()/>
            <button class="btn" type="submit">{ctx.t("copilot.ask")}</button>
        </form>
        {notice}
        {answer}
        {examples}
        {history}
    };
    render_document(ctx, &ctx.t("nav.copilot"), body)
}

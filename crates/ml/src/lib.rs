//! The shop's models: forecasts with backtests, unusual days, promotion uplift, customer
//! segments with what decides them, and recommendations with their offline evaluation. The models are pure computation on plain series and
//! tables handed in by the caller (who asks the query layer for them), so each is tested on
//! data whose answer is known; `store` alone knows the warehouse's `ml.*` tables the results
//! live in. Nothing here knows about HTTP.

pub mod anomaly;
pub mod forecast;
pub mod ranker;
pub mod rec_eval;
pub mod recommend;
pub mod segments;
pub mod store;
pub mod suggestions;
pub mod uplift;

pub use forecast::{
    Accuracy, Backtest, ForecastError, Method, Prediction, backtest, drivers, forecast,
    is_seasonal, mase, seasonal_naive, smape,
};

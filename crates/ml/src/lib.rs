//! The shop's models: forecasts (later here too: segments, anomalies, promotion uplift and
//! their explanations). Pure computation on plain series and tables handed in by the caller,
//! so every model is tested on data whose answer is known, and none knows about HTTP or the
//! warehouse's layout.

pub mod anomaly;
pub mod forecast;
pub mod segments;
pub mod store;
pub mod uplift;

pub use forecast::{
    Accuracy, Backtest, ForecastError, Method, Prediction, backtest, forecast, is_seasonal, mase,
    seasonal_naive, smape,
};

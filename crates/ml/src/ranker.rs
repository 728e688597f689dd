//! Logistic regression with a prior, for learning how a shop's signals add up.
//!
//! The recommender's signals (a re-buy rate, a co-purchase lift, a category affinity, a
//! brand affinity, popularity) are on different scales and their exchange rate differs from
//! shop to shop: a coffee roaster's customers re-buy, a bookshop's never do. Each run learns
//! the weights from the shop's own latest orders. The penalty pulls toward prior weights
//! rather than toward zero, so a shop with little history gets sensible weights and one with
//! plenty gets its own. Newton's method: a handful of features, each step an exact solve.

use nalgebra::{DMatrix, DVector};

/// One example: its features and whether it happened.
#[derive(Debug, Clone)]
pub struct Example<const F: usize> {
    pub x: [f64; F],
    pub y: bool,
}

/// Fitted weights: a bias and one weight per feature; the score is their logit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights<const F: usize> {
    pub bias: f64,
    pub w: [f64; F],
}

impl<const F: usize> Weights<F> {
    /// The log-odds of an example with features `x`.
    pub fn logit(&self, x: &[f64; F]) -> f64 {
        self.bias + self.w.iter().zip(x).map(|(w, x)| w * x).sum::<f64>()
    }
}

/// Weights maximising the likelihood of `examples` less `strength / 2` times the squared
/// distance to `prior` (a Gaussian prior of variance `1 / strength` on each weight).
pub fn fit<const F: usize>(
    examples: &[Example<F>],
    prior: &Weights<F>,
    strength: f64,
) -> Weights<F> {
    let d = F + 1;
    let as_vec = |w: &Weights<F>| {
        let mut v = DVector::zeros(d);
        v[0] = w.bias;
        for k in 0..F {
            v[k + 1] = w.w[k];
        }
        v
    };
    let p0 = as_vec(prior);
    let lambda = strength.max(1e-9);
    let row = |e: &Example<F>| {
        let mut r = DVector::zeros(d);
        r[0] = 1.0;
        for k in 0..F {
            r[k + 1] = e.x[k];
        }
        r
    };
    // The penalised negative log-likelihood, which each step must lower.
    let loss = |beta: &DVector<f64>| {
        let fit: f64 = examples
            .iter()
            .map(|e| {
                let z = row(e).dot(beta);
                // ln(1 + e^z) - y z, written to stay finite for large |z|.
                z.max(0.0) + (-z.abs()).exp().ln_1p() - if e.y { z } else { 0.0 }
            })
            .sum();
        fit + 0.5 * lambda * (beta - &p0).norm_squared()
    };
    let mut beta = p0.clone();
    let mut current = loss(&beta);
    if !current.is_finite() {
        return *prior;
    }
    for _ in 0..50 {
        let mut grad = (&beta - &p0) * lambda;
        let mut hess = DMatrix::identity(d, d) * lambda;
        for e in examples {
            let r = row(e);
            let p = 1.0 / (1.0 + (-r.dot(&beta)).exp());
            grad.axpy(p - f64::from(u8::from(e.y)), &r, 1.0);
            hess.ger(p * (1.0 - p), &r, &r, 1.0);
        }
        // The penalty keeps the Hessian positive definite.
        let Some(chol) = hess.cholesky() else {
            return *prior;
        };
        let step = chol.solve(&grad);
        // Newton's full step can overshoot far from the optimum: halve it until the loss
        // goes down.
        let mut t = 1.0;
        let mut next = &beta - &step * t;
        let mut value = loss(&next);
        // `lowered` is false for NaN too.
        let lowered = |v: f64| v.partial_cmp(&current).is_some_and(|o| o.is_le());
        while !lowered(value) && t > 1e-6 {
            t /= 2.0;
            next = &beta - &step * t;
            value = loss(&next);
        }
        if !lowered(value) {
            break;
        }
        let moved = (&step * t).amax();
        beta = next;
        current = value;
        if moved < 1e-7 {
            break;
        }
    }
    let mut w = [0.0; F];
    for k in 0..F {
        w[k] = beta[k + 1];
    }
    Weights { bias: beta[0], w }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// Examples drawn from a known logistic model.
    fn draw(n: usize, truth: &Weights<2>, seed: u64) -> Vec<Example<2>> {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        (0..n)
            .map(|_| {
                let x = [rng.random_range(-2.0..2.0), rng.random_range(-2.0..2.0)];
                let p = 1.0 / (1.0 + (-truth.logit(&x)).exp());
                Example {
                    x,
                    y: rng.random_bool(p),
                }
            })
            .collect()
    }

    #[test]
    fn recovers_the_weights_that_made_the_data() {
        let truth = Weights {
            bias: -1.0,
            w: [2.0, -0.5],
        };
        let prior = Weights {
            bias: 0.0,
            w: [0.0, 0.0],
        };
        let w = fit(&draw(20_000, &truth, 7), &prior, 1.0);
        assert!((w.bias - truth.bias).abs() < 0.1, "{w:?}");
        assert!((w.w[0] - truth.w[0]).abs() < 0.1, "{w:?}");
        assert!((w.w[1] - truth.w[1]).abs() < 0.1, "{w:?}");
    }

    #[test]
    fn little_data_stays_near_the_prior() {
        let truth = Weights {
            bias: -1.0,
            w: [2.0, -0.5],
        };
        let prior = Weights {
            bias: -0.5,
            w: [1.0, 0.0],
        };
        assert_eq!(fit(&[], &prior, 20.0), prior);
        let few = fit(&draw(10, &truth, 3), &prior, 20.0);
        let many = fit(&draw(20_000, &truth, 3), &prior, 20.0);
        let dist = |a: &Weights<2>| (a.w[0] - prior.w[0]).abs() + (a.w[1] - prior.w[1]).abs();
        assert!(dist(&few) < 0.5, "{few:?}");
        assert!((many.w[0] - truth.w[0]).abs() < 0.15, "{many:?}");
        // Non-finite features do not poison the weights.
        let bad = [Example {
            x: [f64::NAN, 1.0],
            y: true,
        }];
        assert_eq!(fit(&bad, &prior, 1.0), prior);
    }
}

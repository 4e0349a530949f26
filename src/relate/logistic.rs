//! A small logistic regression, fitted by Newton's method with an L2 penalty:
//! enough for the merger's dozen features and a few thousand examples, with no
//! dependency to pull in.

use serde::{Deserialize, Serialize};

/// A fitted model: `p(y = 1 | x) = σ(bias + weights · x)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Logistic {
    /// The intercept.
    pub bias: f64,
    /// One weight per feature.
    pub weights: Vec<f64>,
}

impl Logistic {
    /// The probability of the positive class for `x`.
    pub fn probability(&self, x: &[f64]) -> f64 {
        let z = self.bias + self.weights.iter().zip(x).map(|(w, v)| w * v).sum::<f64>();
        1.0 / (1.0 + (-z).exp())
    }

    /// Fits to examples `(x, y)` minimising the log loss plus `l2 / 2 · |w|²`
    /// (the bias is not penalised). Deterministic; at most `iterations` Newton
    /// steps, stopping when the step is below 1e-8.
    pub fn fit(examples: &[(Vec<f64>, bool)], l2: f64, iterations: usize) -> Logistic {
        let dims = examples.first().map_or(0, |(x, _)| x.len());
        let n = dims + 1; // the bias is parameter 0
        let mut theta = vec![0.0; n];
        for _ in 0..iterations {
            let mut gradient = vec![0.0; n];
            let mut hessian = vec![vec![0.0; n]; n];
            for (x, y) in examples {
                let row: Vec<f64> = std::iter::once(1.0).chain(x.iter().copied()).collect();
                let z: f64 = row.iter().zip(&theta).map(|(a, b)| a * b).sum();
                let p = 1.0 / (1.0 + (-z).exp());
                let residual = p - f64::from(u8::from(*y));
                let weight = (p * (1.0 - p)).max(1e-9);
                for i in 0..n {
                    gradient[i] += residual * row[i];
                    for j in 0..n {
                        hessian[i][j] += weight * row[i] * row[j];
                    }
                }
            }
            for i in 1..n {
                gradient[i] += l2 * theta[i];
                hessian[i][i] += l2;
            }
            hessian[0][0] += 1e-9;
            let Some(step) = solve(hessian, gradient) else { break };
            let size: f64 = step.iter().map(|s| s * s).sum::<f64>().sqrt();
            theta.iter_mut().zip(&step).for_each(|(t, s)| *t -= s);
            if size < 1e-8 {
                break;
            }
        }
        Logistic { bias: theta[0], weights: theta[1..].to_vec() }
    }
}

/// Solves `a · x = b` by Gaussian elimination with partial pivoting; `None` when singular.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        let (upper, lower) = a.split_at_mut(col + 1);
        let pivot_row = &upper[col];
        for (row, target) in lower.iter_mut().enumerate() {
            let factor = target[col] / pivot_row[col];
            for (t, p) in target[col..].iter_mut().zip(&pivot_row[col..]) {
                *t -= factor * p;
            }
            b[col + 1 + row] -= factor * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let sum: f64 = (row + 1..n).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - sum) / a[row][row];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_the_direction_of_a_separating_feature() {
        // y is true when the first feature is large; the second is noise.
        let examples: Vec<(Vec<f64>, bool)> = (0..200)
            .map(|i| {
                let a = (i % 20) as f64 / 10.0 - 1.0;
                let noise = ((i * 7919) % 13) as f64 / 13.0 - 0.5;
                (vec![a, noise], a + 0.3 * noise > 0.1)
            })
            .collect();
        let model = Logistic::fit(&examples, 1.0, 50);
        assert!(model.weights[0] > 2.0, "{model:?}");
        assert!(model.weights[0] > 3.0 * model.weights[1].abs(), "{model:?}");
        assert!(model.probability(&[0.9, 0.0]) > 0.9 && model.probability(&[-0.9, 0.0]) < 0.1);
        let right = examples.iter().filter(|(x, y)| (model.probability(x) > 0.5) == *y).count();
        assert!(right >= 180, "{right} of 200 right");
    }

    #[test]
    fn the_penalty_shrinks_weights_and_the_bias_gives_the_base_rate() {
        let examples: Vec<(Vec<f64>, bool)> = (0..100).map(|i| (vec![(i % 2) as f64], i % 4 == 0)).collect();
        let loose = Logistic::fit(&examples, 0.01, 50);
        let tight = Logistic::fit(&examples, 100.0, 50);
        assert!(tight.weights[0].abs() < loose.weights[0].abs());
        // Without features the model is the base rate: a quarter are positive.
        let base: Vec<(Vec<f64>, bool)> = examples.iter().map(|(_, y)| (vec![], *y)).collect();
        let rate = Logistic::fit(&base, 1.0, 50).probability(&[]);
        assert!((rate - 0.25).abs() < 1e-6, "{rate}");
    }

    #[test]
    fn no_examples_give_one_half() {
        let model = Logistic::fit(&[], 1.0, 10);
        assert_eq!(model.probability(&[]), 0.5);
    }
}

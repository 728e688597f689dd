//! Customers: names, addresses by region, acquisition channel, sign-up date, and the hidden
//! behaviour that drives their orders (how often they buy, when they stop).

use rand::Rng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Gamma};

const FIRST: &[&str] = &[
    "Emma", "Liam", "Olivia", "Noah", "Ava", "Lucas", "Mia", "Mateo", "Sofia", "Elijah", "Amelia",
    "James", "Isabella", "Leo", "Chloe", "Hugo", "Yuki", "Wei", "Aisha", "Omar", "Fatima", "Ravi",
    "Priya", "Lena", "Jonas", "Clara", "Diego", "Lucia", "Chen", "Mei", "Kofi", "Amara", "Sven",
    "Ingrid", "Paolo", "Giulia", "Nora", "Felix", "Zara", "Hannah", "Daniel", "Grace", "Samuel",
    "Layla", "Ethan", "Maya", "Adam", "Sara",
];
const LAST: &[&str] = &[
    "Smith",
    "Johnson",
    "Garcia",
    "Müller",
    "Rossi",
    "Dubois",
    "Nguyen",
    "Kim",
    "Tanaka",
    "Wang",
    "Li",
    "Patel",
    "Khan",
    "Silva",
    "Santos",
    "Kowalski",
    "Novak",
    "Andersen",
    "Larsen",
    "Murphy",
    "O'Brien",
    "Fischer",
    "Weber",
    "Martin",
    "Bernard",
    "López",
    "Hernández",
    "Costa",
    "Mensah",
    "Okafor",
    "Haddad",
    "Cohen",
    "Jensen",
    "Brown",
    "Taylor",
    "Wilson",
    "Clarke",
    "Evans",
    "Schmidt",
    "Moreau",
];

/// (country, province code, city, weight)
pub const REGIONS: &[(&str, &str, &str, f64)] = &[
    ("US", "CA", "Los Angeles", 9.0),
    ("US", "NY", "New York", 8.0),
    ("US", "TX", "Austin", 6.0),
    ("US", "WA", "Seattle", 4.0),
    ("US", "IL", "Chicago", 4.0),
    ("US", "FL", "Miami", 4.0),
    ("CA", "ON", "Toronto", 4.0),
    ("CA", "BC", "Vancouver", 2.5),
    ("GB", "ENG", "London", 6.0),
    ("GB", "SCT", "Edinburgh", 1.5),
    ("DE", "BE", "Berlin", 4.0),
    ("DE", "BY", "Munich", 3.0),
    ("FR", "IDF", "Paris", 3.5),
    ("ES", "MD", "Madrid", 2.5),
    ("NL", "NH", "Amsterdam", 2.0),
    ("AU", "NSW", "Sydney", 3.0),
    ("AE", "DU", "Dubai", 1.5),
    ("SG", "SG", "Singapore", 1.5),
];

/// (acquisition channel, weight, propensity multiplier)
pub const CHANNELS: &[(&str, f64, f64)] = &[
    ("organic", 30.0, 1.1),
    ("paid_search", 22.0, 0.8),
    ("social", 18.0, 0.85),
    ("email", 10.0, 1.4),
    ("referral", 10.0, 1.2),
    ("marketplace", 10.0, 0.7),
];

pub struct Customer {
    pub id: String,
    pub first: &'static str,
    pub last: &'static str,
    pub email: String,
    pub phone: String,
    pub region: usize,
    pub channel: usize,
    pub accepts_marketing: bool,
    pub signup_day: u32,
    /// relative purchase frequency (gamma distributed)
    pub propensity: f64,
    /// last day they may buy (churn)
    pub churn_day: u32,
    /// the two categories they like best (drawn by the categories' weights)
    pub favourites: [usize; 2],
}

fn weighted<T>(rng: &mut ChaCha8Rng, items: &[T], w: impl Fn(&T) -> f64) -> usize {
    let total: f64 = items.iter().map(&w).sum();
    let mut x = rng.random::<f64>() * total;
    for (i, it) in items.iter().enumerate() {
        x -= w(it);
        if x <= 0.0 {
            return i;
        }
    }
    items.len() - 1
}

#[expect(
    clippy::unreachable,
    reason = "Gamma::new fails only for non-positive parameters"
)]
pub fn customers(rng: &mut ChaCha8Rng, n: usize, days: u32) -> Vec<Customer> {
    let gamma = Gamma::new(0.8, 1.25).unwrap_or_else(|_| unreachable!());
    let mut v: Vec<Customer> = (0..n)
        .map(|i| {
            let first = *FIRST.choose(rng).unwrap_or(&"Alex");
            let last = *LAST.choose(rng).unwrap_or(&"Lee");
            let region = weighted(rng, REGIONS, |r| r.3);
            let channel = weighted(rng, CHANNELS, |c| c.1);
            // More sign-ups later: the shop grows. A fifth signed up before the window.
            let u: f64 = rng.random();
            let signup_day = if rng.random_bool(0.2) {
                0
            } else {
                ((u.sqrt()) * f64::from(days - 1)) as u32
            };
            let propensity = gamma.sample(rng) * CHANNELS[channel].2;
            let churn_day = if rng.random_bool(0.45) {
                signup_day + rng.random_range(30..400)
            } else {
                u32::MAX
            };
            let fav =
                |rng: &mut ChaCha8Rng| weighted(rng, crate::catalog::CATEGORIES, |c| c.weight);
            let favourites = [fav(rng), fav(rng)];
            let local: String = format!("{}.{}", ascii(first), ascii(last)).to_lowercase();
            let domain = ["example.com", "example.net", "example.org"][i % 3];
            Customer {
                id: format!("C{:07}", i + 1),
                first,
                last,
                email: format!("{local}{}@{domain}", i + 1),
                phone: format!(
                    "+1-555-{:03}-{:04}",
                    rng.random_range(100..1000),
                    rng.random_range(0..10000)
                ),
                region,
                channel,
                accepts_marketing: rng.random_bool(0.55),
                signup_day,
                propensity,
                churn_day,
                favourites,
            }
        })
        .collect();
    v.sort_by_key(|c| c.signup_day);
    v
}

fn ascii(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            'ü' => Some('u'),
            'é' | 'è' => Some('e'),
            'á' => Some('a'),
            'ó' => Some('o'),
            'ñ' => Some('n'),
            c if c.is_ascii_alphabetic() => Some(c),
            _ => None,
        })
        .collect()
}

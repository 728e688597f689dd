//! What a recommendation request answers: items with the reason each is offered (naming the
//! products a reason refers to), for a customer or for a product. The server fills them from
//! the stored recommender; the page, the API and the copilot read them.

use serde::Serialize;

/// The product a reason refers to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProductRef {
    pub sku: String,
    pub name: String,
}

/// Why an item is recommended.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Why {
    BuyAgain { times: u32 },
    BoughtWith { with: ProductRef },
    FavouriteCategory { category: String },
    FavouriteBrand { brand: String, category: String },
    Popular,
    Similar { to: ProductRef },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    pub sku: String,
    pub name: String,
    pub category: String,
    pub score: f64,
    pub reason: Why,
}

#[derive(Debug, Clone, Serialize)]
pub struct ForCustomer {
    pub customer: String,
    /// Distinct products the customer bought.
    pub bought: usize,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ForProduct {
    pub sku: String,
    pub name: String,
    pub bought_together: Vec<Item>,
    pub similar: Vec<Item>,
}

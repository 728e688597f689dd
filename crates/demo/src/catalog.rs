//! The product catalogue: twelve categories with their own price ranges, margins, return
//! rates and yearly seasonality, and about 500 products with titles and descriptions written
//! from word lists (so search has real text to work on).

use rand::Rng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;

pub struct Category {
    pub name: &'static str,
    pub weight: f64,
    pub price: (f64, f64),
    /// cost as a share of price
    pub cost_ratio: (f64, f64),
    pub return_rate: f64,
    /// chance that a customer who bought in the category before re-buys one of the same
    /// products (consumables high, durables low)
    pub repeat_rate: f64,
    /// demand multiplier per month, January first
    pub season: [f64; 12],
    pub nouns: &'static [&'static str],
    pub adjectives: &'static [&'static str],
    pub materials: &'static [&'static str],
    pub uses: &'static [&'static str],
    pub brands: &'static [&'static str],
}

const FLAT: [f64; 12] = [1.0; 12];

pub static CATEGORIES: &[Category] = &[
    Category {
        name: "Apparel",
        weight: 1.6,
        price: (12.0, 90.0),
        cost_ratio: (0.35, 0.5),
        return_rate: 0.12,
        repeat_rate: 0.2,
        season: [
            0.9, 0.85, 1.0, 1.05, 1.05, 0.95, 0.9, 0.95, 1.05, 1.1, 1.2, 1.3,
        ],
        nouns: &[
            "T-Shirt",
            "Hoodie",
            "Linen Shirt",
            "Rain Jacket",
            "Chino Trousers",
            "Wool Sweater",
            "Denim Jacket",
            "Summer Dress",
            "Fleece Vest",
            "Polo Shirt",
        ],
        adjectives: &[
            "Classic",
            "Relaxed",
            "Slim-Fit",
            "Organic",
            "Lightweight",
            "Heavyweight",
            "Everyday",
            "Vintage",
        ],
        materials: &[
            "organic cotton",
            "merino wool",
            "recycled polyester",
            "linen",
            "brushed fleece",
            "stretch denim",
        ],
        uses: &[
            "weekend wear",
            "the office",
            "travel",
            "layering in cold weather",
            "warm summer days",
        ],
        brands: &["Northwind", "Fjordline", "Urban Loom", "Kestrel"],
    },
    Category {
        name: "Footwear",
        weight: 1.0,
        price: (35.0, 160.0),
        cost_ratio: (0.4, 0.55),
        return_rate: 0.18,
        repeat_rate: 0.15,
        season: [
            0.85, 0.85, 1.0, 1.1, 1.1, 1.0, 0.95, 1.0, 1.1, 1.05, 1.05, 1.1,
        ],
        nouns: &[
            "Running Shoe",
            "Hiking Boot",
            "Leather Sneaker",
            "Trail Runner",
            "Chelsea Boot",
            "Sandal",
            "Slip-On Loafer",
            "Winter Boot",
        ],
        adjectives: &[
            "Waterproof",
            "Cushioned",
            "Lightweight",
            "All-Terrain",
            "Breathable",
            "Handmade",
        ],
        materials: &[
            "full-grain leather",
            "recycled mesh",
            "suede",
            "vegan leather",
            "Gore-Tex lining",
        ],
        uses: &[
            "long runs",
            "mountain trails",
            "city walking",
            "rainy commutes",
            "everyday comfort",
        ],
        brands: &["Stridewell", "Granite Peak", "Solemate"],
    },
    Category {
        name: "Accessories",
        weight: 0.8,
        price: (8.0, 70.0),
        cost_ratio: (0.25, 0.45),
        return_rate: 0.08,
        repeat_rate: 0.15,
        season: [
            0.8, 0.95, 0.9, 0.9, 0.95, 0.9, 0.9, 0.9, 0.95, 1.0, 1.3, 1.6,
        ],
        nouns: &[
            "Leather Wallet",
            "Canvas Tote",
            "Beanie",
            "Sunglasses",
            "Wool Scarf",
            "Belt",
            "Backpack",
            "Watch Strap",
        ],
        adjectives: &[
            "Minimalist",
            "Handcrafted",
            "Polarized",
            "Foldable",
            "Classic",
            "Rugged",
        ],
        materials: &[
            "vegetable-tanned leather",
            "waxed canvas",
            "acetate",
            "merino wool",
            "ripstop nylon",
        ],
        uses: &[
            "daily carry",
            "gifting",
            "sunny days",
            "commuting",
            "travel",
        ],
        brands: &["Atlas & Co", "Brightside", "Kestrel"],
    },
    Category {
        name: "Home & Kitchen",
        weight: 1.3,
        price: (9.0, 140.0),
        cost_ratio: (0.4, 0.6),
        return_rate: 0.06,
        repeat_rate: 0.25,
        season: [
            1.05, 0.95, 0.95, 0.95, 0.95, 0.9, 0.9, 0.95, 1.0, 1.05, 1.25, 1.35,
        ],
        nouns: &[
            "Chef's Knife",
            "Cast Iron Skillet",
            "French Press",
            "Ceramic Mug Set",
            "Linen Tablecloth",
            "Cutting Board",
            "Espresso Cups",
            "Dutch Oven",
            "Spice Rack",
            "Tea Kettle",
        ],
        adjectives: &[
            "Pre-Seasoned",
            "Hand-Glazed",
            "Non-Stick",
            "Stackable",
            "Professional",
            "Compact",
        ],
        materials: &[
            "stainless steel",
            "cast iron",
            "stoneware",
            "acacia wood",
            "borosilicate glass",
            "enamel",
        ],
        uses: &[
            "weeknight cooking",
            "slow Sunday breakfasts",
            "entertaining guests",
            "small kitchens",
        ],
        brands: &["Hearth & Table", "Copperleaf", "Maison Rue"],
    },
    Category {
        name: "Beauty",
        weight: 1.0,
        price: (6.0, 60.0),
        cost_ratio: (0.2, 0.4),
        return_rate: 0.04,
        repeat_rate: 0.65,
        season: [
            0.95, 1.15, 1.0, 1.0, 1.1, 0.95, 0.9, 0.9, 0.95, 1.0, 1.15, 1.3,
        ],
        nouns: &[
            "Face Serum",
            "Night Cream",
            "Lip Balm",
            "Shampoo Bar",
            "Body Lotion",
            "Sunscreen SPF 50",
            "Clay Mask",
            "Hand Cream",
        ],
        adjectives: &[
            "Fragrance-Free",
            "Hydrating",
            "Vegan",
            "Gentle",
            "Revitalizing",
            "Mineral",
        ],
        materials: &[
            "hyaluronic acid",
            "shea butter",
            "vitamin C",
            "aloe vera",
            "zinc oxide",
            "kaolin clay",
        ],
        uses: &[
            "sensitive skin",
            "dry winter skin",
            "daily protection",
            "a calming evening routine",
        ],
        brands: &["Petal & Pine", "Lumen Skin", "Bare Botanics"],
    },
    Category {
        name: "Electronics",
        weight: 0.9,
        price: (15.0, 250.0),
        cost_ratio: (0.55, 0.75),
        return_rate: 0.09,
        repeat_rate: 0.08,
        season: [
            0.85, 0.8, 0.85, 0.85, 0.9, 0.9, 0.95, 1.0, 1.0, 1.05, 1.45, 1.6,
        ],
        nouns: &[
            "Wireless Earbuds",
            "Bluetooth Speaker",
            "Power Bank",
            "USB-C Charger",
            "Smart Plug",
            "Desk Lamp",
            "Noise-Cancelling Headphones",
            "E-Reader Cover",
        ],
        adjectives: &[
            "Portable",
            "Fast-Charging",
            "Waterproof",
            "Compact",
            "Long-Battery",
            "Smart",
        ],
        materials: &[
            "aluminium housing",
            "recycled plastics",
            "braided cable",
            "soft-touch finish",
        ],
        uses: &[
            "travel",
            "home office",
            "outdoor adventures",
            "late-night reading",
        ],
        brands: &["Voltiq", "Sonara", "Brightside"],
    },
    Category {
        name: "Sports & Outdoors",
        weight: 1.0,
        price: (10.0, 220.0),
        cost_ratio: (0.4, 0.6),
        return_rate: 0.07,
        repeat_rate: 0.15,
        season: [
            0.75, 0.8, 1.0, 1.2, 1.35, 1.35, 1.25, 1.1, 0.95, 0.85, 0.85, 0.95,
        ],
        nouns: &[
            "Yoga Mat",
            "Camping Tent",
            "Sleeping Bag",
            "Water Bottle",
            "Trekking Poles",
            "Resistance Bands",
            "Cycling Gloves",
            "Headlamp",
        ],
        adjectives: &[
            "Ultralight",
            "Insulated",
            "Non-Slip",
            "Collapsible",
            "Four-Season",
            "Reflective",
        ],
        materials: &[
            "natural rubber",
            "ripstop nylon",
            "stainless steel",
            "down fill",
            "carbon fibre",
        ],
        uses: &[
            "weekend camping",
            "home workouts",
            "alpine hikes",
            "cycling commutes",
        ],
        brands: &["Granite Peak", "Trailhead", "Northwind"],
    },
    Category {
        name: "Toys & Games",
        weight: 0.7,
        price: (8.0, 80.0),
        cost_ratio: (0.35, 0.55),
        return_rate: 0.05,
        repeat_rate: 0.1,
        season: [
            0.6, 0.6, 0.65, 0.7, 0.7, 0.7, 0.75, 0.8, 0.85, 1.0, 1.9, 2.6,
        ],
        nouns: &[
            "Wooden Puzzle",
            "Board Game",
            "Building Blocks",
            "Plush Bear",
            "Card Game",
            "Marble Run",
            "Kite",
            "Science Kit",
        ],
        adjectives: &[
            "Educational",
            "Family",
            "Handmade",
            "Award-Winning",
            "Colourful",
            "Cooperative",
        ],
        materials: &[
            "FSC beech wood",
            "recycled cardboard",
            "organic cotton plush",
            "non-toxic paints",
        ],
        uses: &[
            "ages 3 and up",
            "family game nights",
            "rainy afternoons",
            "curious minds",
        ],
        brands: &["Little Oak", "Playwise", "Meadow Games"],
    },
    Category {
        name: "Books",
        weight: 0.6,
        price: (8.0, 45.0),
        cost_ratio: (0.5, 0.65),
        return_rate: 0.03,
        repeat_rate: 0.05,
        season: [
            1.0, 0.9, 0.9, 0.9, 0.9, 1.0, 1.1, 1.05, 0.95, 0.95, 1.1, 1.35,
        ],
        nouns: &[
            "Cookbook",
            "Field Guide",
            "Travel Journal",
            "Novel",
            "Photography Book",
            "Gardening Handbook",
            "Children's Picture Book",
        ],
        adjectives: &[
            "Illustrated",
            "Bestselling",
            "Hardcover",
            "Pocket",
            "Collector's",
        ],
        materials: &["recycled paper", "linen hardcover", "lay-flat binding"],
        uses: &[
            "beach reading",
            "home cooks",
            "bird watchers",
            "bedtime stories",
        ],
        brands: &["Inkwell Press", "Quill & Fern"],
    },
    Category {
        name: "Grocery & Gourmet",
        weight: 0.9,
        price: (4.0, 40.0),
        cost_ratio: (0.5, 0.7),
        return_rate: 0.02,
        repeat_rate: 0.8,
        season: [
            1.0, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 1.0, 1.05, 1.15, 1.3,
        ],
        nouns: &[
            "Single-Origin Coffee",
            "Loose Leaf Tea",
            "Olive Oil",
            "Dark Chocolate",
            "Hot Sauce",
            "Honey",
            "Granola",
            "Sea Salt Flakes",
        ],
        adjectives: &[
            "Organic",
            "Fair-Trade",
            "Small-Batch",
            "Cold-Pressed",
            "Raw",
            "Smoked",
        ],
        materials: &[
            "Ethiopian beans",
            "Darjeeling leaves",
            "Koroneiki olives",
            "70% cacao",
            "wildflower nectar",
        ],
        uses: &[
            "slow mornings",
            "gift baskets",
            "home baristas",
            "weeknight dinners",
        ],
        brands: &["Copperleaf", "Harvest Row", "Maison Rue"],
    },
    Category {
        name: "Pet Supplies",
        weight: 0.7,
        price: (5.0, 90.0),
        cost_ratio: (0.4, 0.6),
        return_rate: 0.05,
        repeat_rate: 0.75,
        season: FLAT,
        nouns: &[
            "Dog Harness",
            "Cat Tree",
            "Chew Toy",
            "Pet Bed",
            "Grooming Brush",
            "Travel Bowl",
            "Leash",
        ],
        adjectives: &[
            "Reflective",
            "Orthopedic",
            "Durable",
            "Washable",
            "Adjustable",
        ],
        materials: &[
            "memory foam",
            "natural rubber",
            "recycled nylon",
            "sisal rope",
        ],
        uses: &["large dogs", "indoor cats", "long walks", "puppies"],
        brands: &["Pawsome", "Tail & Trail"],
    },
    Category {
        name: "Garden",
        weight: 0.6,
        price: (6.0, 120.0),
        cost_ratio: (0.4, 0.6),
        return_rate: 0.06,
        repeat_rate: 0.3,
        season: [0.45, 0.6, 1.2, 1.8, 1.9, 1.5, 1.2, 1.0, 0.8, 0.6, 0.5, 0.45],
        nouns: &[
            "Pruning Shears",
            "Raised Bed Kit",
            "Watering Can",
            "Seed Starter Tray",
            "Garden Gloves",
            "Hose Reel",
            "Compost Bin",
            "Herb Planter",
        ],
        adjectives: &[
            "Ergonomic",
            "Galvanized",
            "Self-Watering",
            "Heavy-Duty",
            "Biodegradable",
        ],
        materials: &[
            "carbon steel",
            "cedar wood",
            "galvanized steel",
            "recycled plastic",
            "bamboo fibre",
        ],
        uses: &[
            "balcony gardens",
            "vegetable beds",
            "spring planting",
            "small patios",
        ],
        brands: &["Harvest Row", "Greenthumb", "Trailhead"],
    },
];

pub struct Product {
    pub id: u32,
    pub sku: String,
    pub name: String,
    pub category: usize,
    pub brand: &'static str,
    pub description: String,
    pub tags: Vec<&'static str>,
    pub price: f64,
    pub cost: f64,
    /// relative sales popularity within its category
    pub popularity: f64,
    /// how often it is looked at relative to its popularity (underperformers look good)
    pub attractiveness: f64,
    /// probability scale of add-to-cart after a view
    pub quality: f64,
    /// day index from which it is sold
    pub launch_day: u32,
}

fn round_price(p: f64) -> f64 {
    // Shop prices end in .99 or .49
    let whole = p.floor();
    if p - whole < 0.5 {
        whole - 0.01 + 0.5
    } else {
        whole + 0.99
    }
}

pub fn products(rng: &mut ChaCha8Rng, days: u32, target: usize) -> Vec<Product> {
    let total_w: f64 = CATEGORIES.iter().map(|c| c.weight).sum();
    let mut out = Vec::with_capacity(target);
    for (ci, c) in CATEGORIES.iter().enumerate() {
        let n = ((target as f64) * c.weight / total_w).round().max(8.0) as usize;
        for k in 0..n {
            let noun = c.nouns[k % c.nouns.len()];
            let adj = *c.adjectives.choose(rng).unwrap_or(&"Classic");
            let brand = *c.brands.choose(rng).unwrap_or(&"Northwind");
            let material = *c.materials.choose(rng).unwrap_or(&"");
            let usage = *c.uses.choose(rng).unwrap_or(&"");
            let variant =
                ["", " II", " Pro", " Mini", " Plus", " XL", " Lite"][rng.random_range(0..7)];
            let name = format!("{brand} {adj} {noun}{variant}");
            let (lo, hi) = c.price;
            let u: f64 = rng.random();
            let price = round_price(lo * (hi / lo).powf(u * u.sqrt()).max(1.0));
            let cost = ((price * rng.random_range(c.cost_ratio.0..c.cost_ratio.1)) * 100.0).round()
                / 100.0;
            let description = format!(
                "{adj} {} from {brand}, made of {material}. Designed for {usage}, it is built to last and easy to care for.",
                noun.to_lowercase()
            );
            let id = out.len() as u32 + 1;
            let underperformer = rng.random_bool(0.05);
            let late_launch = rng.random_bool(0.08);
            out.push(Product {
                id,
                sku: format!("{}-{:04}", &c.name[..3].to_uppercase(), id),
                name,
                category: ci,
                brand,
                description,
                tags: vec![adj, material],
                price,
                cost,
                popularity: 1.0 / ((k as f64) + 1.5).powf(0.85) * rng.random_range(0.6..1.4),
                attractiveness: if underperformer {
                    3.0
                } else {
                    rng.random_range(0.7..1.3)
                },
                quality: if underperformer {
                    0.25
                } else {
                    rng.random_range(0.8..1.2)
                },
                launch_day: if late_launch {
                    rng.random_range(days / 3..days - 60)
                } else {
                    0
                },
            });
        }
    }
    out
}

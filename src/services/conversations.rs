//! The copilot's conversations in memory: the last plan of each (user, conversation), so a
//! follow-up ("and the month before?") continues it. Bounded: the oldest conversations are
//! forgotten first; a restart forgets them all (the stored history comes with the page).

use sr360_ai::Plan;
use std::collections::HashMap;
use std::sync::Mutex;

const MAX: usize = 10_000;

/// (user, conversation) → (when last used, its last plan).
type Turns = HashMap<(i64, String), (u64, Plan)>;

#[derive(Debug, Default)]
pub struct Conversations {
    /// A use counter and the turns.
    turns: Mutex<(u64, Turns)>,
}

impl Conversations {
    /// The last plan of this user's conversation.
    pub fn last(&self, user: i64, id: &str) -> Option<Plan> {
        let g = self.turns.lock().unwrap_or_else(|e| e.into_inner());
        g.1.get(&(user, id.to_string())).map(|(_, p)| p.clone())
    }

    pub fn remember(&self, user: i64, id: &str, plan: Plan) {
        let mut g = self.turns.lock().unwrap_or_else(|e| e.into_inner());
        g.0 += 1;
        let tick = g.0;
        if g.1.len() >= MAX && !g.1.contains_key(&(user, id.to_string())) {
            let oldest =
                g.1.iter()
                    .min_by_key(|(_, (t, _))| *t)
                    .map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                g.1.remove(&k);
            }
        }
        g.1.insert((user, id.to_string()), (tick, plan));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_conversation_belongs_to_its_user() {
        let c = Conversations::default();
        c.remember(1, "a", Plan::Alerts);
        assert_eq!(c.last(1, "a"), Some(Plan::Alerts));
        assert_eq!(c.last(2, "a"), None);
        c.remember(1, "a", Plan::Churn);
        assert_eq!(c.last(1, "a"), Some(Plan::Churn));
    }
}

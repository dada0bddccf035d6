//! Answers to searches of the register, kept while the register has not
//! changed. A search that matches thousands of entries costs the database
//! milliseconds to rank; the same search asked again (a popular word, the
//! first letters typed into a search box) costs a lookup.
//!
//! Exact, not merely fresh: each answer is kept with the sequence number of
//! the register's last change when it was read, and is used only while that
//! is still the last change. The sequence is read before the search, so an
//! answer is never older than the sequence it is kept under.

use std::collections::HashMap;
use std::sync::Mutex;

use actix_web::web::Bytes;

/// How many answers are kept; when full, all are dropped and it fills again.
const CAPACITY: usize = 2048;
/// Answers larger than this are not kept (a page of 100 is about 70 KB).
const MAX_BODY: usize = 128 * 1024;

#[derive(Default)]
pub struct SearchCache {
    answers: Mutex<HashMap<String, (i64, Bytes)>>,
}

impl SearchCache {
    /// The answer kept for `key` as of the change `sequence`.
    pub fn get(&self, key: &str, sequence: i64) -> Option<Bytes> {
        let answers = self.answers.lock().unwrap_or_else(|e| e.into_inner());
        answers
            .get(key)
            .filter(|(seq, _)| *seq == sequence)
            .map(|(_, body)| body.clone())
    }

    /// Keeps `body` for `key` as of the change `sequence`.
    pub fn put(&self, key: String, sequence: i64, body: Bytes) {
        if body.len() > MAX_BODY {
            return;
        }
        let mut answers = self.answers.lock().unwrap_or_else(|e| e.into_inner());
        if answers.len() >= CAPACITY && !answers.contains_key(&key) {
            answers.clear();
        }
        answers.insert(key, (sequence, body));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_used_only_while_the_register_is_unchanged() {
        let cache = SearchCache::default();
        cache.put("q=a".into(), 7, Bytes::from_static(b"one"));
        assert_eq!(cache.get("q=a", 7).as_deref(), Some(&b"one"[..]));
        assert_eq!(cache.get("q=a", 8), None, "a change since: not used");
        assert_eq!(cache.get("q=b", 7), None);
        cache.put("big".into(), 7, Bytes::from(vec![0; MAX_BODY + 1]));
        assert_eq!(cache.get("big", 7), None, "too large to keep");
        for i in 0..CAPACITY {
            cache.put(format!("k{i}"), 7, Bytes::from_static(b"x"));
        }
        assert!(cache.answers.lock().unwrap().len() <= CAPACITY);
    }
}

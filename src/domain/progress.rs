//! The progress message a feed writes on its account after every batch.

/// What one batch of a feed saw, in the terms of the message Osclass owners know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Users the source serves in total.
    pub total: u64,
    /// Users after the new cursor.
    pub remaining: u64,
    /// Users in the last page.
    pub last_retrieved: u64,
    /// The effective limit of the last request.
    pub limit: u64,
    /// The cursor the last request started from.
    pub from_user_id: u64,
}

impl Progress {
    pub fn retrieved(&self) -> u64 {
        self.total.saturating_sub(self.remaining)
    }

    pub fn percent(&self) -> f64 {
        if self.total == 0 {
            return 100.0;
        }
        self.retrieved() as f64 * 100.0 / self.total as f64
    }

    pub fn message(&self) -> String {
        format!(
            "Progress: {:.2}% (Total stats - Retrieved: {}, Remaining: {}, Total: {} / Last request stats - Retrieved : {}, Limit: {}, From user ID: {})",
            self.percent(),
            self.retrieved(),
            self.remaining,
            self.total,
            self.last_retrieved,
            self.limit,
            self.from_user_id
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_has_the_known_form() {
        let p = Progress {
            total: 21,
            remaining: 16,
            last_retrieved: 5,
            limit: 5,
            from_user_id: 0,
        };
        assert_eq!(
            p.message(),
            "Progress: 23.81% (Total stats - Retrieved: 5, Remaining: 16, Total: 21 / Last request stats - Retrieved : 5, Limit: 5, From user ID: 0)"
        );
    }

    #[test]
    fn empty_source_is_complete() {
        let p = Progress {
            total: 0,
            remaining: 0,
            last_retrieved: 0,
            limit: 5,
            from_user_id: 0,
        };
        assert!(p.message().starts_with("Progress: 100.00%"));
    }
}

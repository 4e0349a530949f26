//! The temporal tagger: finds date expressions and normalises them (stub).

mod timex;

pub use timex::{ParseTimexError, Season, Timex};

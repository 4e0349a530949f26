//! The role rules as one table: each rule's name (shown with `--explain`), its
//! base confidences and the word windows it searches, one row each. What each
//! rule reads is in `roles.rs`; its words are in `lexicon/roles.tsv`.

/// One role rule. A window of 0 is one the rule does not search.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    /// The name shown with `--explain`.
    pub name: &'static str,
    /// Base confidence when the sentence gives both roles.
    pub both: f32,
    /// Base confidence when it gives only the attacker.
    pub attacker_only: f32,
    /// Base confidence when it gives only the victim.
    pub victim_only: f32,
    /// Words before the cue it looks back over: for the auxiliary or "have" of
    /// a passive ("was also hacked", "had its systems hacked"), the "have" of a
    /// perfect ("has this year broken into"), the end of a reduced passive's
    /// victim, the "of" of "accused X of (attempting to) hack".
    pub before: usize,
    /// Words after the cue in which the attacker's "by" (a noun's "by" or "from") may come.
    pub by: usize,
    /// Words after that "by" in which the attacker starts.
    pub agent: usize,
    /// Words after the cue in which an argument without a preposition starts:
    /// the object (up to the next boundary), the one paid, the attacker phrase,
    /// the one asked.
    pub bare: usize,
    /// Words after the cue in which the word the rule needs comes: the attack
    /// noun, the message (and its "to" after it), the ransom word (and the "from").
    pub marker: usize,
    /// Words after the victim's preposition ("on", "to", "from") in which the victim starts.
    pub victim: usize,
}

impl Rule {
    /// The base confidence of a reading that found the attacker, the victim or both.
    pub fn confidence(&self, attacker: bool, victim: bool) -> f32 {
        match (attacker, victim) {
            (true, true) => self.both,
            (true, false) => self.attacker_only,
            _ => self.victim_only,
        }
    }
}

#[allow(clippy::too_many_arguments)]
const fn rule(
    name: &'static str,
    both: f32,
    attacker_only: f32,
    victim_only: f32,
    before: usize,
    by: usize,
    agent: usize,
    bare: usize,
    marker: usize,
    victim: usize,
) -> Rule {
    Rule { name, both, attacker_only, victim_only, before, by, agent, bare, marker, victim }
}

/// The rules (the patterns they read are in the table of `roles.rs`).
#[rustfmt::skip]
pub const RULES: [Rule; 10] = [
    //                          confidence: attacker  victim  before  by  agent  bare  marker  victim
    //   name                   both        only      only
    rule("active",              0.85,       0.65,     0.65,   4,      0,  0,     12,   0,      0),
    rule("passive",             0.9,        0.9,      0.7,    4,      8,  3,     0,    0,      0),
    rule("passive-reduced",     0.8,        0.8,      0.8,    4,      1,  3,     0,    0,      0),
    rule("nominal",             0.75,       0.5,      0.6,    0,      8,  3,     0,    0,      4),
    rule("suffer",              0.8,        0.8,      0.8,    0,      8,  3,     5,    6,      0),
    rule("claim",               0.85,       0.85,     0.85,   0,      0,  0,     0,    6,      0),
    rule("accused",             0.8,        0.8,      0.8,    3,      0,  0,     0,    0,      0),
    rule("pay",                 0.75,       0.75,     0.75,   0,      0,  0,     10,   0,      0),
    rule("send",                0.7,        0.7,      0.7,    0,      0,  0,     0,    6,      4),
    rule("demand",              0.75,       0.75,     0.75,   0,      0,  0,     1,    10,     4),
];

/// "X hacked Y".
pub const ACTIVE: &Rule = &RULES[0];
/// "Y was hacked (by X)".
pub const PASSIVE: &Rule = &RULES[1];
/// "Y, hit by X,".
pub const PASSIVE_REDUCED: &Rule = &RULES[2];
/// "X's attack on Y".
pub const NOMINAL: &Rule = &RULES[3];
/// "Y suffered an attack (by X)".
pub const SUFFER: &Rule = &RULES[4];
/// "X claimed responsibility for the attack on Y".
pub const CLAIM: &Rule = &RULES[5];
/// "Z accused X of hacking Y".
pub const ACCUSED: &Rule = &RULES[6];
/// "Y paid a ransom to X".
pub const PAY: &Rule = &RULES[7];
/// "X sent fake emails to Y".
pub const SEND: &Rule = &RULES[8];
/// "X demanded $75,000 from Y".
pub const DEMAND: &Rule = &RULES[9];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_name_is_its_row() {
        let named = [ACTIVE, PASSIVE, PASSIVE_REDUCED, NOMINAL, SUFFER, CLAIM, ACCUSED, PAY, SEND, DEMAND];
        let names: Vec<&str> = named.iter().map(|r| r.name).collect();
        let rows: Vec<&str> = RULES.iter().map(|r| r.name).collect();
        assert_eq!(names, rows);
        assert_eq!(
            names,
            ["active", "passive", "passive-reduced", "nominal", "suffer", "claim", "accused", "pay", "send", "demand"]
        );
    }

    #[test]
    fn confidences_are_probabilities() {
        for r in &RULES {
            for c in [r.both, r.attacker_only, r.victim_only] {
                assert!(c > 0.0 && c <= 1.0, "{}: {c}", r.name);
            }
        }
    }
}

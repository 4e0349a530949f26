//! The relation stage's rule tables, parsed once from `src/lexicon/`:
//! attack cues, participant words, hedges, threat actors and countries.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use crate::lexicon::rows;

/// How a cue's arguments are read (see `lexicon/cues.tsv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CueClass {
    /// A transitive attack verb.
    Verb,
    /// An attack noun.
    Noun,
    /// A verb whose subject is the victim of the attack that follows.
    Suffer,
    /// A verb whose subject is the attacker of the attack that follows.
    Claim,
    /// "pay": the subject is the victim, the attacker is who is paid.
    Pay,
    /// "send": the subject is the attacker, the victim who is sent messages.
    Send,
    /// "demand": the subject is the attacker, the victim who is asked to pay.
    Demand,
}

/// One form of a cue.
#[derive(Debug, Clone)]
pub struct CueForm {
    /// The words of the form, lowercase.
    pub words: Vec<String>,
    /// The cue's class.
    pub class: CueClass,
    /// The cue's base name.
    pub name: &'static str,
    /// True for past/participle forms (which may be passive).
    pub participle: bool,
    /// Words that must follow within [`GAP_WORDS`] words, after the object
    /// ("held ... hostage"); empty for most forms.
    pub then: Vec<String>,
}

/// How many words a cue form's `...` may stand for ("held the county's files hostage").
pub const GAP_WORDS: usize = 8;

/// The word classes of `roles.tsv` (its header says what each holds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WordClass {
    /// `attacker-noun`: heads of unnamed attacker phrases ("the hackers").
    AttackerNoun,
    /// `actor-suffix`: nouns after a threat actor's name that belong to it ("Lapsus$ group").
    ActorSuffix,
    /// `victim-noun`: heads of unnamed victim phrases ("customers").
    VictimNoun,
    /// `attacker-pronoun`: pronouns and descriptions of an earlier attacker ("they").
    AttackerPronoun,
    /// `victim-pronoun`: pronouns and descriptions of an earlier victim ("the company").
    VictimPronoun,
    /// `determiner`: words that may open an unnamed phrase ("the", "its").
    Determiner,
    /// `modifier`: words between the determiner and the head ("ransomware").
    Modifier,
    /// `auxiliary`: be/get forms that make a following participle passive.
    Auxiliary,
    /// `boundary`: words that end the clause before them.
    Boundary,
    /// `report`: reporting verbs ("said").
    Report,
    /// `source`: words that mark who reports ("researchers", "told").
    Source,
    /// `asset`: victim nouns that someone owns ("the servers of X").
    Asset,
    /// `naming`: what gives an unnamed attacker its name ("known as").
    Naming,
    /// `title`: what a cited person does ("researcher").
    Title,
    /// `participle-only`: participles that are not also past tenses ("stolen").
    ParticipleOnly,
    /// `accuse`: verbs whose object did what follows ("accused").
    Accuse,
    /// `skip-after`: prepositions whose object is never a subject or object of the cue.
    SkipAfter,
    /// `discovery`: words of discovery or report before a date ("discovered").
    Discovery,
    /// `message-noun`: what a phishing "send" sends ("emails").
    MessageNoun,
    /// `ransom-noun`: what a "demand" asks for ("bitcoin").
    RansomNoun,
    /// `anaphor`: phrases that carry the story of an attack on ("the breach").
    Anaphor,
    /// `either-pronoun`: pronouns that may stand for either role ("they").
    EitherPronoun,
    /// `personal-pronoun`: pronouns of people only ("he", "she").
    PersonalPronoun,
    /// `bare-pronoun`: pronouns without a content word ("it").
    BarePronoun,
    /// `group-possessive`: possessives of an earlier victim ("its systems").
    GroupPossessive,
    /// `state-noun`: heads that make a demonym an attacker ("Russian intelligence").
    StateNoun,
    /// `told`: verbs whose object is neither attacker nor victim ("told Reuters").
    Told,
    /// `source-preposition`: what joins a source word to its name ("researchers at").
    SourcePreposition,
    /// `citation`: what a cited source follows ("according to").
    Citation,
    /// `modifier-suffix`: endings that make a name a modifier ("-linked").
    ModifierSuffix,
    /// `demonym-suffix`: endings of demonyms ("-ian").
    DemonymSuffix,
    /// `relative`: relative pronouns ("who").
    Relative,
    /// `have`: forms of "have".
    Have,
    /// `possessive`: possessives of "had its systems hacked".
    Possessive,
    /// `passive-adverb`: words between an auxiliary and its participle ("also").
    PassiveAdverb,
    /// `not-object-after`: prepositions before a mention that is no object ("with").
    NotObjectAfter,
    /// `ends-noun-phrase`: function words that end a noun phrase ("and").
    EndsNounPhrase,
    /// `victim-preposition`: what introduces an attack noun's victim ("on").
    VictimPreposition,
    /// `agent-preposition`: what introduces an attack noun's attacker ("by").
    AgentPreposition,
    /// `accused-of`: what joins "accused X" to its attack ("of").
    AccusedOf,
    /// `owner-of`: what joins an asset to its owner ("of").
    OwnerOf,
    /// `owner-belonging`: the same, with the owner after the next word ("belonging").
    OwnerBelonging,
    /// `joiner`: what joins assets ("and").
    Joiner,
    /// `needs-attack-noun`: names of suffer cues that need an attack noun ("suffer").
    NeedsAttackNoun,
    /// `no-object`: words after a cue form that make it the noun ("was").
    NoObject,
    /// `noun-preposition`: prepositions after a cue form that make it the noun ("on").
    NounPreposition,
    /// `adjective-before`: words before a verb form that make it an adjective ("the").
    AdjectiveBefore,
    /// `adjective-preposition`: prepositions before a participle that make it an adjective ("from").
    AdjectivePreposition,
    /// `amount`: words of amounts ("million").
    Amount,
    /// `currency`: signs that open an amount ("$").
    Currency,
    /// `attribution`: what joins an unnamed attacker to whom it works for ("working for").
    Attribution,
    /// `not-name-part`: capitalised words that neither start nor continue a name ("The", "May").
    NotNamePart,
}

impl WordClass {
    /// Every class with its name in `roles.tsv`.
    const NAMES: &[(&str, WordClass)] = &[
        ("attacker-noun", WordClass::AttackerNoun),
        ("actor-suffix", WordClass::ActorSuffix),
        ("victim-noun", WordClass::VictimNoun),
        ("attacker-pronoun", WordClass::AttackerPronoun),
        ("victim-pronoun", WordClass::VictimPronoun),
        ("determiner", WordClass::Determiner),
        ("modifier", WordClass::Modifier),
        ("auxiliary", WordClass::Auxiliary),
        ("boundary", WordClass::Boundary),
        ("report", WordClass::Report),
        ("source", WordClass::Source),
        ("asset", WordClass::Asset),
        ("naming", WordClass::Naming),
        ("title", WordClass::Title),
        ("participle-only", WordClass::ParticipleOnly),
        ("accuse", WordClass::Accuse),
        ("skip-after", WordClass::SkipAfter),
        ("discovery", WordClass::Discovery),
        ("message-noun", WordClass::MessageNoun),
        ("ransom-noun", WordClass::RansomNoun),
        ("anaphor", WordClass::Anaphor),
        ("either-pronoun", WordClass::EitherPronoun),
        ("personal-pronoun", WordClass::PersonalPronoun),
        ("bare-pronoun", WordClass::BarePronoun),
        ("group-possessive", WordClass::GroupPossessive),
        ("state-noun", WordClass::StateNoun),
        ("told", WordClass::Told),
        ("source-preposition", WordClass::SourcePreposition),
        ("citation", WordClass::Citation),
        ("modifier-suffix", WordClass::ModifierSuffix),
        ("demonym-suffix", WordClass::DemonymSuffix),
        ("relative", WordClass::Relative),
        ("have", WordClass::Have),
        ("possessive", WordClass::Possessive),
        ("passive-adverb", WordClass::PassiveAdverb),
        ("not-object-after", WordClass::NotObjectAfter),
        ("ends-noun-phrase", WordClass::EndsNounPhrase),
        ("victim-preposition", WordClass::VictimPreposition),
        ("agent-preposition", WordClass::AgentPreposition),
        ("accused-of", WordClass::AccusedOf),
        ("owner-of", WordClass::OwnerOf),
        ("owner-belonging", WordClass::OwnerBelonging),
        ("joiner", WordClass::Joiner),
        ("needs-attack-noun", WordClass::NeedsAttackNoun),
        ("no-object", WordClass::NoObject),
        ("noun-preposition", WordClass::NounPreposition),
        ("adjective-before", WordClass::AdjectiveBefore),
        ("adjective-preposition", WordClass::AdjectivePreposition),
        ("amount", WordClass::Amount),
        ("currency", WordClass::Currency),
        ("attribution", WordClass::Attribution),
        ("not-name-part", WordClass::NotNamePart),
    ];

    /// The class a `roles.tsv` row names, `None` for an unknown name.
    fn parse(name: &str) -> Option<WordClass> {
        WordClass::NAMES.iter().find(|(n, _)| *n == name).map(|(_, class)| *class)
    }
}

/// What a hedge says about a cue (`hedges.tsv`, column 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HedgeKind {
    /// The attack did not happen ("not", "never").
    Negation,
    /// Someone denies it ("denied", "no evidence").
    Denial,
    /// It may happen or may have happened ("could", "tried to").
    Speculation,
    /// It is reported at second hand ("allegedly").
    Report,
}

impl HedgeKind {
    /// Every kind.
    const ALL: [HedgeKind; 4] = [HedgeKind::Negation, HedgeKind::Denial, HedgeKind::Speculation, HedgeKind::Report];

    /// The name in `hedges.tsv`, also shown with `--explain`.
    pub fn as_str(&self) -> &'static str {
        match self {
            HedgeKind::Negation => "negation",
            HedgeKind::Denial => "denial",
            HedgeKind::Speculation => "speculation",
            HedgeKind::Report => "report",
        }
    }
}

/// A hedge: words that lower the confidence of a nearby cue.
#[derive(Debug, Clone)]
pub struct Hedge {
    /// The words of the phrase, lowercase.
    pub words: Vec<String>,
    /// What it says.
    pub kind: HedgeKind,
    /// Factor applied to the confidence.
    pub factor: f32,
    /// Whether the phrase counts anywhere in the sentence or only before the cue.
    pub sentence_wide: bool,
}

/// A named participant from the gazetteers.
#[derive(Debug, Clone)]
pub struct Named {
    /// The canonical name written to the output.
    pub canonical: &'static str,
    /// Threat actor or country.
    pub is_actor: bool,
    /// For a country: whether this form is a capital or other metonym.
    pub metonym: bool,
}

/// All the tables.
pub struct Tables {
    /// Cue forms, longest first.
    pub cues: Vec<CueForm>,
    /// Phrases that start like a cue but do not report an attack ("hit back").
    pub not_cues: Vec<Vec<String>>,
    /// Word lists of `roles.tsv` by class.
    pub roles: HashMap<WordClass, Vec<Vec<String>>>,
    /// Hedge phrases.
    pub hedges: Vec<Hedge>,
    /// Gazetteer forms (case-sensitive) and what they name.
    pub named: Vec<(&'static str, Named)>,
    /// Country canonical names (for NER locations that are countries).
    pub countries: HashSet<&'static str>,
    /// Malware, products and technical terms (`tools.tsv`): never attackers.
    pub tools: HashMap<&'static str, ToolKind>,
}

/// What a `tools.tsv` name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToolKind {
    /// Malware or an exploit: neither attacker nor victim.
    Malware,
    /// A software product or platform: may be a victim.
    Product,
    /// A technical term a NER model mistakes for a name.
    Term,
}

impl Tables {
    /// What the gazetteer form `form` (exactly as written) names, if it is one.
    pub fn named_form(&self, form: &str) -> Option<&Named> {
        self.named.iter().find(|(f, _)| *f == form).map(|(_, named)| named)
    }

    /// True when `words` (lowercase) start with a phrase of `class` in `roles.tsv`; returns its length.
    pub fn role_phrase_at(&self, class: WordClass, words: &[String]) -> Option<usize> {
        self.roles.get(&class)?.iter().filter(|p| words.starts_with(p)).map(Vec::len).max()
    }

    /// True when the word alone is a cue form ("hacking").
    pub fn is_cue_word(&self, word: &str) -> bool {
        self.cues.iter().any(|c| c.words.len() == 1 && c.words[0] == word)
    }

    /// The single words of `class` in `roles.tsv` (word endings for the suffix classes).
    pub fn role_words(&self, class: WordClass) -> impl Iterator<Item = &str> {
        self.roles.get(&class).into_iter().flatten().filter(|p| p.len() == 1).map(|p| p[0].as_str())
    }

    /// True when the single word belongs to `class` in `roles.tsv`.
    pub fn is_role_word(&self, class: WordClass, word: &str) -> bool {
        self.role_words(class).any(|w| w == word)
    }
}

fn split_forms(field: &str) -> impl Iterator<Item = &str> {
    field.split(", ").map(str::trim).filter(|f| !f.is_empty())
}

fn words_of(phrase: &str) -> Vec<String> {
    phrase.split_whitespace().map(str::to_lowercase).collect()
}

/// The tables, parsed on first use.
pub static TABLES: LazyLock<Tables> = LazyLock::new(|| {
    let (named, countries) = named_participants();
    let (cues, not_cues) = cues();
    let roles = roles(include_str!("../lexicon/roles.tsv"));
    let hedges = hedges(include_str!("../lexicon/hedges.tsv"));
    Tables { cues, not_cues, roles, hedges, named, countries, tools: tools() }
});

/// Field `i` of a row, empty when the row is shorter.
fn field<'r>(row: &[&'r str], i: usize) -> &'r str {
    row.get(i).copied().unwrap_or("")
}

/// `cues.tsv`: every form of every cue, longest first, and the phrases that are not cues.
fn cues() -> (Vec<CueForm>, Vec<Vec<String>>) {
    let mut cues = Vec::new();
    let mut not_cues = Vec::new();
    for row in rows(include_str!("../lexicon/cues.tsv")) {
        if row[0] == "not" {
            not_cues.extend(split_forms(field(&row, 2)).map(words_of));
            continue;
        }
        let class = match row[0] {
            "verb" => CueClass::Verb,
            "noun" => CueClass::Noun,
            "suffer" => CueClass::Suffer,
            "claim" => CueClass::Claim,
            "pay" => CueClass::Pay,
            "send" => CueClass::Send,
            "demand" => CueClass::Demand,
            other => panic!("cues.tsv: unknown class {other:?}"),
        };
        let name: &'static str = field(&row, 1);
        for (column, participle) in [(2, false), (3, true)] {
            for form in split_forms(field(&row, column)) {
                let (words, then) = form.split_once("...").unwrap_or((form, ""));
                cues.push(CueForm { words: words_of(words), class, name, participle, then: words_of(then) });
            }
        }
    }
    cues.sort_by_key(|c| std::cmp::Reverse(c.words.len()));
    (cues, not_cues)
}

/// `roles.tsv`: the word lists by class (punctuation such as ";" is a word of its own).
fn roles(data: &'static str) -> HashMap<WordClass, Vec<Vec<String>>> {
    let mut roles: HashMap<WordClass, Vec<Vec<String>>> = HashMap::new();
    for row in rows(data) {
        let class = WordClass::parse(row[0]).unwrap_or_else(|| panic!("roles.tsv: unknown class {:?}", row[0]));
        roles.entry(class).or_default().extend(split_forms(field(&row, 1)).map(words_of));
    }
    roles
}

/// `hedges.tsv`: every hedge phrase with its factor.
fn hedges(data: &'static str) -> Vec<Hedge> {
    let mut hedges = Vec::new();
    for row in rows(data) {
        let kind = HedgeKind::ALL
            .into_iter()
            .find(|k| k.as_str() == row[0])
            .unwrap_or_else(|| panic!("hedges.tsv: unknown kind {:?}", row[0]));
        let factor: f32 = field(&row, 1).parse().unwrap_or_else(|_| panic!("hedges.tsv: bad factor {:?}", row[1]));
        let sentence_wide = match field(&row, 2) {
            "before" => false,
            "sentence" => true,
            other => panic!("hedges.tsv: unknown place {other:?}"),
        };
        for phrase in split_forms(field(&row, 3)) {
            hedges.push(Hedge { words: words_of(phrase), kind, factor, sentence_wide });
        }
    }
    hedges
}

/// `threat_actors.tsv` and `countries.tsv`: every form with what it names, and
/// the canonical country names.
fn named_participants() -> (Vec<(&'static str, Named)>, HashSet<&'static str>) {
    let mut named = Vec::new();
    let mut countries = HashSet::new();
    for row in rows(include_str!("../lexicon/threat_actors.tsv")) {
        let canonical: &'static str = row[0];
        for form in std::iter::once(canonical).chain(split_forms(field(&row, 1))) {
            named.push((form, Named { canonical, is_actor: true, metonym: false }));
        }
    }
    for row in rows(include_str!("../lexicon/countries.tsv")) {
        let canonical: &'static str = row[0];
        countries.insert(canonical);
        named.push((canonical, Named { canonical, is_actor: false, metonym: false }));
        // Columns: demonyms, capitals and metonyms, other names.
        for (column, metonym) in [(1, false), (2, true), (3, false)] {
            for form in split_forms(field(&row, column)) {
                named.push((form, Named { canonical, is_actor: false, metonym }));
            }
        }
    }
    (named, countries)
}

/// `tools.tsv`: malware, products and technical terms.
fn tools() -> HashMap<&'static str, ToolKind> {
    let mut tools = HashMap::new();
    for row in rows(include_str!("../lexicon/tools.tsv")) {
        let kind = match row[0] {
            "malware" => ToolKind::Malware,
            "product" => ToolKind::Product,
            "term" => ToolKind::Term,
            other => panic!("tools.tsv: unknown kind {other:?}"),
        };
        for form in split_forms(field(&row, 1)) {
            tools.insert(form, kind);
        }
    }
    tools
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_parse_and_hold_the_documented_entries() {
        let t = &*TABLES;
        let hacked = t.cues.iter().find(|c| c.words == ["hacked"]).unwrap();
        assert!(hacked.participle && hacked.class == CueClass::Verb);
        assert!(t.cues.iter().any(|c| c.words == ["claimed", "responsibility", "for"] && c.class == CueClass::Claim));
        assert!(t.is_role_word(WordClass::AttackerNoun, "hackers"));
        assert!(t.is_role_word(WordClass::VictimNoun, "customers"));
        let lazarus = t.named.iter().find(|(form, _)| *form == "Hidden Cobra").unwrap();
        assert_eq!(lazarus.1.canonical, "Lazarus Group");
        let pyongyang = t.named.iter().find(|(form, _)| *form == "Pyongyang").unwrap();
        assert_eq!((pyongyang.1.canonical, pyongyang.1.metonym), ("North Korea", true));
        assert!(t.countries.contains("Japan"));
    }

    #[test]
    fn every_word_class_has_words() {
        for (name, class) in WordClass::NAMES {
            assert!(TABLES.roles.get(class).is_some_and(|words| !words.is_empty()), "roles.tsv has no {name}");
        }
    }

    #[test]
    #[should_panic(expected = "roles.tsv: unknown class \"attacker-nouns\"")]
    fn an_unknown_word_class_stops_the_load() {
        roles("attacker-nouns\thackers\n");
    }

    #[test]
    #[should_panic(expected = "hedges.tsv: unknown kind \"negative\"")]
    fn an_unknown_hedge_kind_stops_the_load() {
        hedges("negative\t0\tbefore\tnot\n");
    }

    #[test]
    #[should_panic(expected = "hedges.tsv: unknown place \"after\"")]
    fn an_unknown_hedge_place_stops_the_load() {
        hedges("negation\t0\tafter\tnot\n");
    }
}

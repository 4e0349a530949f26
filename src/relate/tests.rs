//! Behaviour of the relation stage on small original sentences, with the
//! entities a NER model would give written out by hand.

use chrono::NaiveDate;

use crate::dates::tag_dates;
use crate::doc::{Article, Doc, Entity, Label, Span};

use super::extract;

/// A document with `entities` given as (surface, label), found in order.
fn doc(text: &str, published: Option<&str>, entities: &[(&str, Label)]) -> Doc {
    let published = published.map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap());
    let mut doc = Doc::new(Article { id: "t".into(), title: None, text: text.into(), published });
    doc.segment();
    doc.dates = tag_dates(text, published);
    let mut from = 0;
    for (surface, label) in entities {
        let start = from + text[from..].find(surface).unwrap_or_else(|| panic!("{surface} not in text"));
        let span = Span::new(start, start + surface.len());
        doc.entities.push(Entity { span, label: *label, score: 0.95, text: surface.to_string() });
        from = start + surface.len();
    }
    doc
}

/// (attacker, victim, date_iso) of each triple.
fn triples(doc: &Doc) -> Vec<(String, String, String)> {
    extract(doc)
        .into_iter()
        .map(|t| {
            (t.attacker.text, t.victim.text, t.date.and_then(|d| d.value).map(|v| v.to_string()).unwrap_or_default())
        })
        .collect()
}

fn has(found: &[(String, String, String)], attacker: &str, victim: &str) -> bool {
    found.iter().any(|(a, v, _)| a == attacker && v == victim)
}

use Label::{Location as LOC, Misc as MISC, Organization as ORG, Person as PER};

#[test]
fn active_voice() {
    let d = doc(
        "Fancy Bear hacked the Democratic National Committee in 2016.",
        None,
        &[("Democratic National Committee", ORG)],
    );
    assert_eq!(triples(&d), [("Fancy Bear".into(), "Democratic National Committee".into(), "2016".into())]);
}

#[test]
fn passive_voice_with_agent() {
    let d = doc("Acme Bank was breached by Lazarus Group last week.", Some("2024-03-14"), &[("Acme Bank", ORG)]);
    assert_eq!(triples(&d), [("Lazarus Group".into(), "Acme Bank".into(), "2024-W10".into())]);
}

#[test]
fn reduced_passive() {
    let d = doc(
        "Colonial Pipeline, hit by DarkSide in May 2021, paid a ransom.",
        None,
        &[("Colonial Pipeline", ORG), ("DarkSide", ORG)],
    );
    assert!(has(&triples(&d), "DarkSide", "Colonial Pipeline"), "{:?}", triples(&d));
}

#[test]
fn nominal_forms() {
    let d = doc("APT29's attack on SolarWinds went unnoticed for months.", None, &[("SolarWinds", ORG)]);
    assert!(has(&triples(&d), "Cozy Bear", "SolarWinds"), "{:?}", triples(&d));
    let d =
        doc("The breach of Equifax by Chinese military hackers exposed 147 million people.", None, &[("Equifax", ORG)]);
    assert!(has(&triples(&d), "China", "Equifax"), "{:?}", triples(&d));
}

#[test]
fn suffer_and_claim() {
    let d = doc(
        "Royal Mail suffered a ransomware attack by LockBit in January.",
        Some("2023-02-10"),
        &[("Royal Mail", ORG)],
    );
    assert_eq!(triples(&d), [("LockBit".into(), "Royal Mail".into(), "2023-01".into())]);
    let d =
        doc("Rhysida claimed responsibility for the attack on the British Library.", None, &[("British Library", ORG)]);
    assert!(has(&triples(&d), "Rhysida", "British Library"), "{:?}", triples(&d));
}

#[test]
fn a_capital_attacked_is_itself_and_an_attribution_phrase_names_the_country() {
    let d = doc("Hackers knocked the Kremlin's website offline in February 2022.", None, &[("Kremlin", LOC)]);
    assert!(has(&triples(&d), "Hackers", "Kremlin"), "{:?}", triples(&d));
    let d = doc("Hackers working for China stole data from Equifax in May 2017.", None, &[("Equifax", ORG)]);
    assert_eq!(triples(&d), [("China".into(), "Equifax".into(), "2017-05".into())]);
}

#[test]
fn nationality_and_capital_attackers_map_to_countries() {
    let d = doc("North Korean hackers infiltrated Sony Pictures.", None, &[("Sony Pictures", ORG)]);
    assert!(has(&triples(&d), "North Korea", "Sony Pictures"));
    let d = doc(
        "Analysts say Beijing targeted the Philippine foreign ministry.",
        None,
        &[("Beijing", LOC), ("Philippine", MISC)],
    );
    assert!(
        has(&triples(&d), "China", "Philippine foreign ministry") || triples(&d).iter().any(|t| t.0 == "China"),
        "{:?}",
        triples(&d)
    );
}

#[test]
fn negation_and_denial_drop_speculation_lowers() {
    let d = doc("Contoso said it was not hacked by Sandworm.", None, &[("Contoso", ORG)]);
    assert!(triples(&d).is_empty(), "{:?}", triples(&d));
    let d = doc("Fabrikam denied being breached by LockBit.", None, &[("Fabrikam", ORG)]);
    assert!(triples(&d).is_empty(), "{:?}", triples(&d));
    let confident = extract(&doc("Sandworm attacked Ukrenergo.", None, &[("Ukrenergo", ORG)]));
    let hedged = extract(&doc("Sandworm could attack Ukrenergo.", None, &[("Ukrenergo", ORG)]));
    assert!(hedged.iter().all(|t| t.confidence < confident[0].confidence));
}

#[test]
fn unnamed_attacker_when_nobody_is_named() {
    let d =
        doc("Cybercriminals breached Northwind Traders on Tuesday.", Some("2024-05-09"), &[("Northwind Traders", ORG)]);
    let found = extract(&d);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].attacker.text, "Cybercriminals");
    assert_eq!(found[0].attacker.kind, crate::doc::ArgKind::Unnamed);
    assert_eq!(found[0].date.as_ref().unwrap().value.unwrap().to_string(), "2024-05-07");
}

#[test]
fn across_sentences_aliases_and_coreference() {
    let text = "North Korea broke into a Russian rocket maker's network. \
                Hackers breached NPO Mashinostroyeniya, commonly known as NPO Mash, in late 2021. \
                They remained on NPO Mash's system for months.";
    let d = doc(
        text,
        None,
        &[
            ("North Korea", LOC),
            ("Russian", MISC),
            ("NPO Mashinostroyeniya", ORG),
            ("NPO Mash", ORG),
            ("NPO Mash", ORG),
        ],
    );
    let found = triples(&d);
    assert!(found.contains(&("North Korea".into(), "NPO Mashinostroyeniya".into(), "2021-H2".into())), "{found:?}");
}

#[test]
fn company_pronoun_resolves_to_the_named_victim() {
    let text = "Contoso is a logistics firm. Last month the company was hit by ransomware from LockBit.";
    let d = doc(text, Some("2024-02-01"), &[("Contoso", ORG)]);
    assert!(has(&triples(&d), "LockBit", "Contoso"), "{:?}", triples(&d));
}

#[test]
fn several_attacks_in_one_article() {
    let text = "Fancy Bear hacked the World Anti-Doping Agency in 2016. \
                Separately, Sandworm attacked Ukraine's power grid in December 2015. \
                Microsoft said it was not affected.";
    let d = doc(text, None, &[("World Anti-Doping Agency", ORG), ("Ukraine", LOC), ("Microsoft", ORG)]);
    let found = triples(&d);
    assert!(found.contains(&("Fancy Bear".into(), "World Anti-Doping Agency".into(), "2016".into())), "{found:?}");
    assert!(found.contains(&("Sandworm".into(), "Ukraine".into(), "2015-12".into())), "{found:?}");
    assert!(!found.iter().any(|t| t.1 == "Microsoft"), "{found:?}");
}

#[test]
fn no_attack_no_triple() {
    let d = doc(
        "Microsoft released a patch for Exchange Server on Tuesday.",
        None,
        &[("Microsoft", ORG), ("Exchange Server", MISC)],
    );
    assert!(triples(&d).is_empty());
    let d = doc(
        "Satya Nadella met Olaf Scholz in Berlin.",
        None,
        &[("Satya Nadella", PER), ("Olaf Scholz", PER), ("Berlin", LOC)],
    );
    assert!(triples(&d).is_empty());
}

#[test]
fn attack_date_is_preferred_over_discovery_date() {
    let d =
        doc("Hackers breached Contoso in March 2022, the company disclosed in June 2022.", None, &[("Contoso", ORG)]);
    assert_eq!(triples(&d)[0].2, "2022-03");
}

#[test]
fn cited_sources_are_not_attackers() {
    let d = doc(
        "Symantec said the gang breached Contoso last week.",
        Some("2024-03-14"),
        &[("Symantec", ORG), ("Contoso", ORG)],
    );
    let found = triples(&d);
    assert!(!found.iter().any(|t| t.0 == "Symantec"), "{found:?}");
    assert!(found.iter().any(|t| t.0 == "gang" && t.1 == "Contoso"), "{found:?}");
}

#[test]
fn malware_and_products_are_not_attackers() {
    let d = doc("WannaCry infected Windows computers at the hospital.", None, &[("WannaCry", MISC), ("Windows", MISC)]);
    assert!(!triples(&d).iter().any(|t| t.0 == "WannaCry"), "{:?}", triples(&d));
}

#[test]
fn possessor_is_not_the_subject() {
    let d = doc(
        "Stuart Kettell's company Kettell Video was targeted by hackers.",
        None,
        &[("Stuart Kettell", PER), ("Kettell Video", ORG)],
    );
    assert!(has(&triples(&d), "hackers", "Kettell Video"), "{:?}", triples(&d));
}

#[test]
fn target_of_makes_the_subject_the_victim() {
    let d = doc("Saudi Arabia has been the target of attacks by Iranian hackers.", None, &[("Saudi Arabia", LOC)]);
    assert!(has(&triples(&d), "Iran", "Saudi Arabia"), "{:?}", triples(&d));
}

#[test]
fn a_participant_does_not_attack_itself() {
    let d = doc("ABCD Pediatrics said ransomware hit ABCD servers.", None, &[("ABCD Pediatrics", ORG), ("ABCD", ORG)]);
    assert!(!triples(&d).iter().any(|t| t.0.contains("ABCD") && t.1.contains("ABCD")), "{:?}", triples(&d));
}

#[test]
fn an_appositive_attacker_gives_way_to_the_subject() {
    let d = doc(
        "The Fancy Bear hackers, believed to work for the GRU, breached the World Anti-Doping Agency.",
        None,
        &[("World Anti-Doping Agency", ORG)],
    );
    assert!(has(&triples(&d), "Fancy Bear", "World Anti-Doping Agency"), "{:?}", triples(&d));
}

#[test]
fn researchers_at_a_company_are_its_sources() {
    let d = doc(
        "Researchers at security company Contoso found that the malware targets Fabrikam users.",
        None,
        &[("Contoso", ORG), ("Fabrikam", ORG)],
    );
    assert!(!triples(&d).iter().any(|t| t.0 == "Contoso"), "{:?}", triples(&d));
}

#[test]
fn capitalised_it_is_not_the_pronoun() {
    // "IT" is information technology: it does not stand for Contoso.
    let text = "Contoso makes garden tools. Hackers breached IT systems at a regional utility.";
    let d = doc(text, None, &[("Contoso", ORG)]);
    assert!(!triples(&d).iter().any(|t| t.1 == "Contoso"), "{:?}", triples(&d));
    let text = "Contoso makes garden tools. Hackers breached it last week.";
    let d = doc(text, Some("2024-02-01"), &[("Contoso", ORG)]);
    assert!(has(&triples(&d), "Hackers", "Contoso"), "{:?}", triples(&d));
}

#[test]
fn he_and_she_stand_for_people_only() {
    // No person before "He": neither the company nor the city is phished.
    let text = "Contoso is based in Oslo. He was phished by hackers last year.";
    let d = doc(text, None, &[("Contoso", ORG), ("Oslo", LOC)]);
    assert!(triples(&d).is_empty(), "{:?}", triples(&d));
    let text = "Contoso hired Maria Lopez in May. Hackers targeted Contoso. She was phished by the hackers later.";
    let d = doc(text, None, &[("Contoso", ORG), ("Maria Lopez", PER), ("Contoso", ORG)]);
    let found = triples(&d);
    assert!(has(&found, "Hackers", "Maria Lopez") || has(&found, "hackers", "Maria Lopez"), "{found:?}");
    assert!(!found.iter().any(|t| t.1 == "Contoso" && t.0 != "Hackers"), "{found:?}");
}

#[test]
fn organisation_attackers_and_product_victims_weigh_less() {
    let confidence = |text: &str, entities: &[(&str, Label)]| extract(&doc(text, None, entities))[0].confidence;
    let by_actor = confidence("Lazarus Group hacked Contoso.", &[("Contoso", ORG)]);
    let by_company = confidence("Fabrikam hacked Contoso.", &[("Fabrikam", ORG), ("Contoso", ORG)]);
    assert!(by_company < by_actor, "{by_company} vs {by_actor}");
    let on_company = confidence("Lazarus Group hacked Contoso.", &[("Contoso", ORG)]);
    let on_product = confidence("Lazarus Group hacked Windows.", &[("Windows", MISC)]);
    assert!(on_product < on_company, "{on_product} vs {on_company}");
}

#[test]
fn an_unnamed_attacker_may_be_named_in_the_next_sentences() {
    let text = "A hacker is trying to extort Contoso. The hackers, who call themselves Lazarus Group, want $75,000.";
    let d = doc(text, None, &[("Contoso", ORG)]);
    assert!(has(&triples(&d), "Lazarus Group", "Contoso"), "{:?}", triples(&d));
}

#[test]
fn who_pays_whom_a_ransom() {
    let d = doc(
        "Northwind Hospital paid a $17,000 ransom in bitcoin to the hackers.",
        None,
        &[("Northwind Hospital", ORG)],
    );
    assert!(has(&triples(&d), "hackers", "Northwind Hospital"), "{:?}", triples(&d));
    // Paying a supplier is not an attack.
    let d = doc(
        "Northwind Hospital paid $17,000 to Contoso for new scanners.",
        None,
        &[("Northwind Hospital", ORG), ("Contoso", ORG)],
    );
    assert!(triples(&d).is_empty(), "{:?}", triples(&d));
}

#[test]
fn the_group_may_be_the_attacker() {
    // "the group" is both an attacker and a victim description.
    let d = doc("The group broke into Contoso's network in March 2024.", None, &[("Contoso", ORG)]);
    assert!(has(&triples(&d), "group", "Contoso"), "{:?}", triples(&d));
}

#[test]
fn only_a_known_actor_fills_a_missing_attacker_from_another_sentence() {
    let text = "Cybercriminals are busy this season. Contoso was breached on Monday.";
    let d = doc(text, None, &[("Contoso", ORG)]);
    assert!(triples(&d).is_empty(), "{:?}", triples(&d));
    let text = "Lazarus Group is busy this season. Contoso was breached on Monday.";
    let d = doc(text, None, &[("Contoso", ORG)]);
    assert!(has(&triples(&d), "Lazarus Group", "Contoso"), "{:?}", triples(&d));
}

#[test]
fn had_its_systems_hacked_makes_the_subject_the_victim() {
    let d = doc("Contoso had its payroll systems hacked by Lazarus Group.", None, &[("Contoso", ORG)]);
    assert_eq!(triples(&d), [("Lazarus Group".into(), "Contoso".into(), "".into())]);
}

#[test]
fn what_is_taken_is_not_the_victim() {
    let d = doc("Hackers stole 2,000 accounts from Contoso in May 2023.", None, &[("Contoso", ORG)]);
    assert_eq!(triples(&d), [("Hackers".into(), "Contoso".into(), "2023-05".into())]);
}

#[test]
fn phishers_send_messages_to_their_victims() {
    let d =
        doc("Scammers sent fake tax emails to Contoso employees last week.", Some("2024-03-14"), &[("Contoso", ORG)]);
    assert!(has(&triples(&d), "Scammers", "Contoso"), "{:?}", triples(&d));
    // Sending something that is not a message is not phishing.
    let d = doc("Scammers sent a parcel to Contoso.", None, &[("Contoso", ORG)]);
    assert!(triples(&d).is_empty(), "{:?}", triples(&d));
}

#[test]
fn a_ransom_demand_names_who_asks_and_who_is_asked() {
    let d =
        doc("The hackers demanded $75,000 in bitcoin from Northwind Hospital.", None, &[("Northwind Hospital", ORG)]);
    assert!(has(&triples(&d), "hackers", "Northwind Hospital"), "{:?}", triples(&d));
    let d = doc("Scammers asked Contoso for a payment in gift cards.", None, &[("Contoso", ORG)]);
    assert!(has(&triples(&d), "Scammers", "Contoso"), "{:?}", triples(&d));
    // Asking for something else is not a ransom demand.
    let d = doc("Regulators asked Contoso for its audit records.", None, &[("Contoso", ORG)]);
    assert!(triples(&d).is_empty(), "{:?}", triples(&d));
}

#[test]
fn the_owner_of_attacked_systems_is_the_victim() {
    let d = doc(
        "Hackers are targeting networks and systems of North American companies.",
        None,
        &[("North American", MISC)],
    );
    assert!(has(&triples(&d), "Hackers", "North American companies"), "{:?}", triples(&d));
    let d = doc("Hackers broke into the servers at Contoso last week.", Some("2024-03-14"), &[("Contoso", ORG)]);
    assert!(has(&triples(&d), "Hackers", "Contoso"), "{:?}", triples(&d));
}

#[test]
fn an_unnamed_attacker_takes_the_name_it_goes_by() {
    let text = "Contoso's customer data was leaked by a hacker going by the pseudonym Blackbird.";
    let d = doc(text, None, &[("Contoso", ORG), ("Blackbird", PER)]);
    assert!(has(&triples(&d), "Blackbird", "Contoso"), "{:?}", triples(&d));
}

#[test]
fn the_antecedent_of_the_same_group_comes_before_it() {
    // "the same group" is Lazarus Group of the first sentence, not the
    // Japanese attacker read later in its own sentence.
    let text = "Lazarus Group breached Contoso in May. Fabrikam was also targeted by the same group, \
                and Japanese spies later breached its network.";
    let d = doc(text, None, &[("Contoso", ORG), ("Fabrikam", ORG)]);
    let found = triples(&d);
    assert!(has(&found, "Lazarus Group", "Fabrikam"), "{found:?}");
    assert!(!found.iter().any(|t| t.0 == "Japan" && t.1 == "Fabrikam"), "{found:?}");
}

#[test]
fn researchers_and_consultants_named_with_their_title_are_sources() {
    let text = "Researchers Jane Roe and John Doe, who monitor ransomware, said attackers hit Contoso. \
                Jane Roe attacked the problem. Mark Stone, a security consultant, attacked Fabrikam's story.";
    let d = doc(
        text,
        None,
        &[
            ("Jane Roe", PER),
            ("John Doe", PER),
            ("Contoso", ORG),
            ("Jane Roe", PER),
            ("Mark Stone", PER),
            ("Fabrikam", ORG),
        ],
    );
    let found = triples(&d);
    assert!(!found.iter().any(|t| ["Jane Roe", "John Doe", "Mark Stone"].contains(&t.0.as_str())), "{found:?}");
}

#[test]
fn a_participle_that_is_not_a_past_tense_needs_have() {
    // "accounts stolen in March": nobody stole Fabrikam.
    let text = "1,780 Contoso accounts stolen in March 2014 and 28,298 Fabrikam accounts were leaked.";
    let d = doc(text, None, &[("Contoso", ORG), ("Fabrikam", ORG)]);
    assert!(!triples(&d).iter().any(|t| t.0 == "Contoso"), "{:?}", triples(&d));
    let d = doc("Lazarus Group has this year broken into Contoso.", None, &[("Contoso", ORG)]);
    assert!(has(&triples(&d), "Lazarus Group", "Contoso"), "{:?}", triples(&d));
}

#[test]
fn a_description_followed_by_of_and_a_name_is_that_name() {
    let d = doc("Ransomware gangs attacked the city of Springfield on Tuesday.", None, &[("Springfield", LOC)]);
    let extracted = extract(&d);
    let springfield = extracted.iter().find(|t| t.victim.text == "Springfield");
    // The victim is named; its mention stays the phrase the rule read.
    assert_eq!(springfield.map(|t| d.text(t.victim.span)), Some("the city"), "{extracted:?}");
}

#[test]
fn he_as_attacker_is_the_person_named_before() {
    let text = "Police arrested John Smith in Leeds on Monday. Last year he bilked Contoso out of $2 million.";
    let d = doc(text, None, &[("John Smith", PER), ("Leeds", LOC), ("Contoso", ORG)]);
    assert!(has(&triples(&d), "John Smith", "Contoso"), "{:?}", triples(&d));
}

#[test]
fn an_attacker_who_made_off_with_data() {
    let d = doc("Hackers made off with the records of 4,000 Contoso customers.", None, &[("Contoso", ORG)]);
    let found = triples(&d);
    assert!(found.iter().any(|t| t.0 == "Hackers" && t.1.contains("Contoso")), "{found:?}");
}

#[test]
fn the_name_a_possessor_owns_is_the_object() {
    let d = doc("Hackers attacked France's TV5Monde in 2015.", None, &[("France", LOC), ("TV5Monde", ORG)]);
    assert!(has(&triples(&d), "Hackers", "TV5Monde"), "{:?}", triples(&d));
    // A name that modifies what follows is not owned: Contoso was hacked.
    let d = doc("REvil hacked Contoso's VSA software.", None, &[("REvil", ORG), ("Contoso", ORG), ("VSA", ORG)]);
    assert!(has(&triples(&d), "REvil", "Contoso"), "{:?}", triples(&d));
    // An unnamed asset stands for its possessor.
    let d = doc("Hackers attacked Japan's defence networks.", None, &[("Japan", LOC)]);
    assert!(has(&triples(&d), "Hackers", "Japan"), "{:?}", triples(&d));
}

#[test]
fn the_one_accused_of_an_attack_is_the_attacker() {
    let d = doc(
        "German intelligence in 2015 accused Russia of hacking computers at Contoso.",
        None,
        &[("German", MISC), ("Russia", LOC), ("Contoso", ORG)],
    );
    assert!(has(&triples(&d), "Russia", "Contoso"), "{:?}", triples(&d));
    let d =
        doc("John Smith was charged with breaching Contoso's network.", None, &[("John Smith", PER), ("Contoso", ORG)]);
    assert!(has(&triples(&d), "John Smith", "Contoso"), "{:?}", triples(&d));
}

#[test]
fn a_bare_suffer_needs_its_attack_noun() {
    let d = doc("Lazarus Group is active. Contoso has long experience with customers.", None, &[("Contoso", ORG)]);
    assert!(triples(&d).is_empty(), "{:?}", triples(&d));
    let d = doc("Lazarus Group struck again. Contoso suffered a breach in May.", None, &[("Contoso", ORG)]);
    assert!(has(&triples(&d), "Lazarus Group", "Contoso"), "{:?}", triples(&d));
}

#[test]
fn held_hostage_with_the_object_in_between() {
    let d = doc("Ukrainian hackers held Contoso's computer files hostage last month.", None, &[("Contoso", ORG)]);
    assert!(has(&triples(&d), "Ukraine", "Contoso"), "{:?}", triples(&d));
}

#[test]
fn who_is_told_is_no_participant() {
    let text = "Contoso told Fabrikam News on Monday that the criminals who gained access to its systems used a flaw.";
    let d = doc(text, Some("2024-03-14"), &[("Contoso", ORG), ("Fabrikam News", ORG)]);
    let found = triples(&d);
    assert!(!found.iter().any(|t| t.1 == "Fabrikam News"), "{found:?}");
    assert!(has(&found, "criminals", "Contoso"), "{found:?}");
}

#[test]
fn a_name_the_uncased_model_cut_short_takes_in_the_capitalised_words_after_it() {
    let d = doc(
        "The Conti gang crippled Ireland's Health Service Executive in May 2021.",
        None,
        &[("Conti", ORG), ("Ireland", LOC), ("Health Service", ORG)],
    );
    assert_eq!(triples(&d), [("Conti".into(), "Health Service Executive".into(), "2021-05".into())]);
    let d = doc("APT28 breached the German Parliament in May 2015.", None, &[("APT28", ORG), ("German", MISC)]);
    assert_eq!(triples(&d), [("Fancy Bear".into(), "German Parliament".into(), "2015-05".into())]);
    // A name the model starts at "of" takes in the word before it.
    let d = doc("China breached the Office of Personnel Management in 2015.", None, &[("of", ORG)]);
    assert_eq!(triples(&d), [("China".into(), "Office of Personnel Management".into(), "2015".into())]);
    // A run of capitals no entity covers is a name.
    let d = doc("Fancy Bear infiltrated the World Anti-Doping Agency in 2016.", None, &[]);
    assert_eq!(triples(&d), [("Fancy Bear".into(), "World Anti-Doping Agency".into(), "2016".into())]);
    // Not in a headline in title case.
    let d = doc("Hackers Hit Acme Bank Systems Overnight", None, &[("Acme", ORG)]);
    assert!(triples(&d).iter().all(|(_, v, _)| v != "Acme Bank Systems Overnight"), "{:?}", triples(&d));
}

//! The people of a synthetic extract: households in real communes, names
//! drawn from the frequency tables by sex (or from the pools of minority
//! groups by region), IDs consistent with birth province, sex and year.

use std::collections::HashMap;

use super::config::{GeneratorConfig, NamePool};
use crate::rng::{Rng, Weighted};
use crate::rules::Rules;

/// A person as they really are; rows are rendered from this.
#[derive(Clone, Debug)]
pub struct Person {
    pub id: u64,
    pub surname: String,
    pub middle: String,
    pub given: String,
    /// `order = "ede"` names put the surname last.
    pub surname_last: bool,
    pub male: bool,
    pub birth: (u16, u8, u8),
    pub citizen_id: String,
    pub old_id: String,
    pub ethnicity: String,
    pub religion: String,
    pub phone: String,
    pub father: String,
    pub mother: String,
    pub relation: &'static str,
}

impl Person {
    pub fn full_name(&self) -> String {
        let parts: Vec<&str> = if self.surname_last {
            vec![self.middle.as_str(), self.given.as_str(), self.surname.as_str()]
        } else {
            vec![self.surname.as_str(), self.middle.as_str(), self.given.as_str()]
        };
        parts.into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" ")
    }
}

/// Where a household lives: a pre-2025 commune and, through the mapping,
/// its post-2025 commune.
#[derive(Clone, Debug)]
pub struct Place {
    pub old_unit: usize,
    /// The post-2025 commune (the mapping's default target for a split
    /// commune).
    pub new_commune: usize,
    pub street: String,
    pub urban: bool,
}

pub struct Household {
    pub code: String,
    pub place: Place,
    pub members: Vec<Person>,
    /// Index pairs of members who are twins / a father and son of one name
    /// / siblings born years apart given one name.
    pub twins: Vec<(usize, usize)>,
    pub father_son: Vec<(usize, usize)>,
    pub siblings: Vec<(usize, usize)>,
}

struct KinhNames {
    surnames: Vec<String>,
    surname_weights: Weighted,
    middles: [(Vec<String>, Weighted); 2],
    givens: [(Vec<String>, Weighted); 2],
}

pub struct Population<'a> {
    rules: &'a Rules,
    config: &'a GeneratorConfig,
    communes: Weighted,
    new_commune_by_code: HashMap<&'a str, usize>,
    provinces: Vec<String>,
    /// Pre-2025 province codes and names.
    province_names: Vec<(String, String)>,
    kinh: KinhNames,
    mobile_prefixes: Vec<String>,
    /// Next serial per (4-digit ID prefix, 2-digit year).
    serials: HashMap<(String, u16), u32>,
    religion_weights: Weighted,
    next_person: u64,
    next_household: u64,
    next_old_id: u64,
    next_phone: u64,
    seed_offset: u64,
}

const RELIGIONS: [(&str, f64); 6] = [
    ("Không", 0.80),
    ("Phật giáo", 0.10),
    ("Công giáo", 0.065),
    ("Tin lành", 0.015),
    ("Cao Đài", 0.012),
    ("Phật giáo Hòa Hảo", 0.008),
];

impl<'a> Population<'a> {
    pub fn new(rules: &'a Rules, config: &'a GeneratorConfig, seed: u64) -> Population<'a> {
        let admin = &rules.admin;
        // Wards are denser than rural communes: weight people by unit type.
        let communes = Weighted::new(admin.old_units.iter().map(|u| {
            if u.commune_code.is_empty() {
                0.0
            } else if u.commune_name.starts_with("Phường") {
                3.0
            } else if u.commune_name.starts_with("Thị trấn") {
                2.0
            } else {
                1.0
            }
        }));
        let new_commune_by_code =
            admin.new_communes.iter().enumerate().map(|(i, c)| (c.commune_code.as_str(), i)).collect();
        let provinces = rules.cccd_provinces.iter().map(|(prefix, _)| prefix[1..].to_string()).collect();
        let mut province_names: Vec<(String, String)> =
            admin.old_units.iter().map(|u| (u.province_code.clone(), u.province_name.clone())).collect();
        province_names.sort();
        province_names.dedup();
        Population {
            rules,
            config,
            communes,
            new_commune_by_code,
            provinces,
            province_names,
            kinh: kinh_names(rules),
            mobile_prefixes: rules.mobile_prefixes.clone(),
            serials: HashMap::new(),
            religion_weights: Weighted::new(RELIGIONS.iter().map(|(_, w)| *w)),
            next_person: 1,
            next_household: 1,
            next_old_id: 0,
            next_phone: 0,
            seed_offset: seed % 1_000_000,
        }
    }

    pub fn random_place(&self, rng: &mut Rng) -> Place {
        let old_unit = self.communes.sample(rng);
        self.place_at(old_unit, rng)
    }

    /// Whether the office of a commune typed in TCVN3: a fixed share of
    /// communes, chosen by code and seed.
    pub fn typed_in_tcvn3(&self, old_unit: usize) -> bool {
        let share = self.config.households.legacy_office;
        if share <= 0.0 {
            return false;
        }
        let code: u64 = self.rules.admin.old_units[old_unit].commune_code.parse().unwrap_or(0);
        let mixed = (code ^ self.seed_offset).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
        (mixed % 10_000) < (share * 10_000.0) as u64
    }

    /// The name of a pre-2025 province other than the commune's.
    pub fn other_province_name(&self, old_unit: usize, rng: &mut Rng) -> String {
        let admin = &self.rules.admin;
        let own = &admin.old_units[old_unit].province_code;
        loop {
            let (code, name) = rng.pick(&self.province_names);
            if code != own {
                return name.clone();
            }
        }
    }

    /// Another commune of the same pre-2025 province (a person who moved).
    pub fn nearby_place(&self, place: &Place, rng: &mut Rng) -> Place {
        let province = &self.rules.admin.old_units[place.old_unit].province_code;
        for _ in 0..64 {
            let candidate = self.communes.sample(rng);
            let unit = &self.rules.admin.old_units[candidate];
            if &unit.province_code == province && candidate != place.old_unit {
                return self.place_at(candidate, rng);
            }
        }
        self.random_place(rng)
    }

    fn place_at(&self, old_unit: usize, rng: &mut Rng) -> Place {
        let unit = &self.rules.admin.old_units[old_unit];
        let target = &self.rules.admin.old_to_new[&unit.commune_code].targets[0];
        let new_commune = self.new_commune_by_code[target.as_str()];
        let urban = !unit.commune_name.starts_with("Xã");
        let street = if rng.chance(self.config.households.street_detail) {
            self.detailed_street(urban, rng)
        } else if urban {
            if rng.chance(0.6) {
                format!("Số {} {}", rng.between(1, 250), rng.pick(&self.config.streets.urban))
            } else {
                format!("Tổ {}", rng.between(1, 30))
            }
        } else {
            let kind = match unit.province_code.as_str() {
                "79" | "80" | "82" | "83" | "84" | "86" | "87" | "89" | "91" | "92" | "93" | "94" | "95" | "96" => "Ấp",
                "02" | "10" | "11" | "12" | "14" | "15" | "17" => "Bản",
                _ => {
                    if rng.chance(0.5) {
                        "Thôn"
                    } else {
                        "Xóm"
                    }
                }
            };
            format!("{kind} {}", rng.between(1, 15))
        };
        Place { old_unit, new_commune, street, urban }
    }

    /// A street part as most real addresses write it, detailed enough that
    /// few households share it: a house number in an alley off a street,
    /// or a group in a named hamlet.
    fn detailed_street(&self, urban: bool, rng: &mut Rng) -> String {
        let streets = &self.config.streets;
        if urban {
            let street = rng.pick(&streets.urban);
            match rng.below(4) {
                0 => format!("Số {} ngõ {} {street}", rng.between(1, 120), rng.between(1, 400)),
                1 => format!("{}/{} {street}", rng.between(1, 600), rng.between(1, 80)),
                2 => format!("Số {}, {street}, Tổ {}", rng.between(1, 400), rng.between(1, 40)),
                _ => format!(
                    "Số nhà {} hẻm {} {street}, Khu phố {}",
                    rng.between(1, 300),
                    rng.between(1, 200),
                    rng.between(1, 12)
                ),
            }
        } else {
            let hamlet = rng.pick(&streets.hamlets);
            match rng.below(3) {
                0 => format!("Tổ {}, Thôn {hamlet}", rng.between(1, 20)),
                1 => format!("Xóm {}, {hamlet}", rng.between(1, 15)),
                _ => format!("Số {} Ấp {hamlet}", rng.between(1, 200)),
            }
        }
    }

    /// The ethnic mix of a place: the first region naming its district,
    /// then the first naming its province, else Kinh.
    fn ethnicity_at(&self, place: &Place, rng: &mut Rng) -> String {
        let unit = &self.rules.admin.old_units[place.old_unit];
        let regions = &self.config.regions;
        let region = regions
            .iter()
            .find(|r| r.districts.contains(&unit.district_code))
            .or_else(|| regions.iter().find(|r| r.provinces.contains(&unit.province_code)));
        match region {
            Some(region) => {
                let names: Vec<&String> = region.mix.keys().collect();
                let weights = Weighted::new(region.mix.values().copied());
                names[weights.sample(rng)].clone()
            }
            None => "Kinh".to_string(),
        }
    }

    /// A household at a new random place.
    pub fn household(&mut self, rng: &mut Rng, reference_year: u16) -> Household {
        let place = self.random_place(rng);
        let code = format!("HK{:09}", self.next_household);
        self.next_household += 1;
        let ethnicity = self.ethnicity_at(&place, rng);
        let province = self.rules.admin.old_units[place.old_unit].province_code.clone();
        let rates = &self.config.households;

        let mut members = Vec::new();
        let head_male = rng.chance(0.75);
        let head_year = reference_year - rng.between(22, 80) as u16;
        let head = self.person(rng, &ethnicity, head_male, head_year, &province, "Chủ hộ", None);
        let family_surname = head.surname.clone();
        members.push(head);
        let mut father = (head_male).then_some(0usize);
        let mut mother = (!head_male).then_some(0usize);
        if rng.chance(rates.spouse) {
            let year = (i64::from(head_year) + rng.between(-6, 6)).min(i64::from(reference_year) - 18) as u16;
            let relation = if head_male { "Vợ" } else { "Chồng" };
            let spouse = self.person(rng, &ethnicity, !head_male, year, &province, relation, None);
            members.push(spouse);
            if head_male {
                mother = Some(members.len() - 1);
            } else {
                father = Some(members.len() - 1);
            }
        }
        let surname = match father {
            Some(f) => members[f].surname.clone(),
            None => family_surname,
        };
        let (father_name, mother_name) = (
            father.map(|f| members[f].full_name()).unwrap_or_default(),
            mother.map(|m| members[m].full_name()).unwrap_or_default(),
        );
        let mut twins = Vec::new();
        let mut father_son = Vec::new();
        let mut siblings = Vec::new();
        let children = Weighted::new(rates.children.iter().copied()).sample(rng);
        let youngest_parent_year = members.iter().map(|m| m.birth.0).max().unwrap_or(head_year);
        let mut born = 0;
        while born < children {
            let year = youngest_parent_year + rng.between(20, 40) as u16;
            if year > reference_year {
                break;
            }
            let male = rng.chance(0.51);
            let parents = Some((father_name.as_str(), mother_name.as_str(), surname.as_str()));
            let mut child = self.person(rng, &ethnicity, male, year, &province, "Con", parents);
            if let Some(f) = father.filter(|_| male && rng.chance(rates.father_son_same_name)) {
                child.middle = members[f].middle.clone();
                child.given = members[f].given.clone();
                father_son.push((f, members.len()));
            } else if rng.chance(rates.sibling_same_given) {
                // An older child of the same sex, born in another year,
                // whose given name (and sometimes middle name) this one
                // takes: two people of one name in one household.
                let older = members
                    .iter()
                    .position(|m| m.relation == "Con" && m.male == child.male && m.birth.0 != child.birth.0);
                if let Some(older) = older {
                    child.given = members[older].given.clone();
                    if rng.chance(0.5) {
                        child.middle = members[older].middle.clone();
                    }
                    siblings.push((older, members.len()));
                }
            }
            members.push(child);
            born += 1;
            if rng.chance(rates.twins) {
                let first = members.len() - 1;
                let twin_male = rng.chance(0.5);
                let mut twin = self.person(rng, &ethnicity, twin_male, year, &province, "Con", parents);
                twin.birth = members[first].birth;
                // Twins never share a given name: that is what tells them apart.
                while twin.given == members[first].given {
                    twin.given = self.given_name(rng, &ethnicity, twin.male);
                }
                self.reissue_citizen_id(&mut twin, &province, rng);
                members.push(twin);
                twins.push((first, members.len() - 1));
                born += 1;
            }
        }
        if rng.chance(rates.parents) && head_year > 1950 {
            let year = head_year - rng.between(20, 32) as u16;
            if year >= reference_year - 100 {
                let relation = if rng.chance(0.5) { "Mẹ" } else { "Cha" };
                let male = relation == "Cha";
                let mut parent = self.person(rng, &ethnicity, male, year, &province, relation, None);
                if male && head_male {
                    parent.surname = members[0].surname.clone();
                }
                members.push(parent);
            }
        }
        Household { code, place, members, twins, father_son, siblings }
    }

    #[allow(clippy::too_many_arguments)]
    fn person(
        &mut self,
        rng: &mut Rng,
        ethnicity: &str,
        male: bool,
        year: u16,
        province: &str,
        relation: &'static str,
        parents: Option<(&str, &str, &str)>,
    ) -> Person {
        let id = self.next_person;
        self.next_person += 1;
        let (surname, middle, given, surname_last) = self.name(rng, ethnicity, male);
        let surname = match parents {
            Some((_, _, family)) if !surname_last && ethnicity == "Kinh" => family.to_string(),
            _ => surname,
        };
        let month = rng.between(1, 12) as u8;
        let day = rng.between(1, i64::from(crate::normalize::date::days_in_month(year, u32::from(month)))) as u8;
        let people = &self.config.people;
        let old_id = if year < 2000 && rng.chance(people.old_id) {
            self.next_old_id += 1;
            format!("{:09}", (self.next_old_id * 387_017 + self.seed_offset) % 1_000_000_000)
        } else {
            String::new()
        };
        let phone = if year <= 2010 && rng.chance(people.phone) {
            self.next_phone += 1;
            let prefix = rng.pick(&self.mobile_prefixes).clone();
            format!("{prefix}{:07}", (self.next_phone * 7_919 + self.seed_offset) % 10_000_000)
        } else {
            String::new()
        };
        let (father, mother) = match parents {
            Some((f, m, _)) => (f.to_string(), m.to_string()),
            None if rng.chance(people.parent_names) => {
                let (fs, fm, fg, last) = self.name(rng, ethnicity, true);
                let (_, mm, mg, _) = self.name(rng, ethnicity, false);
                let (ms, _, _, _) = self.name(rng, ethnicity, false);
                let join = |s: &str, m: &str, g: &str| {
                    let parts = if last { [m, g, s] } else { [s, m, g] };
                    parts.iter().filter(|p| !p.is_empty()).copied().collect::<Vec<_>>().join(" ")
                };
                (join(&surname_for_parent(&surname, &fs, ethnicity), &fm, &fg), join(&ms, &mm, &mg))
            }
            None => (String::new(), String::new()),
        };
        let religion = { RELIGIONS[self.religion_weights.sample(rng)].0.to_string() };
        let mut person = Person {
            id,
            surname,
            middle,
            given,
            surname_last,
            male,
            birth: (year, month, day),
            citizen_id: String::new(),
            old_id,
            ethnicity: ethnicity.to_string(),
            religion,
            phone,
            father,
            mother,
            relation,
        };
        self.reissue_citizen_id(&mut person, province, rng);
        person
    }

    /// A citizen ID consistent with sex and birth year, its prefix the
    /// province of birth registration (usually, not always, the province
    /// of residence), its serial unique within prefix and year.
    pub fn reissue_citizen_id(&mut self, person: &mut Person, province: &str, rng: &mut Rng) {
        let birth_province = if rng.chance(0.85) { province.to_string() } else { rng.pick(&self.provinces).clone() };
        let year = person.birth.0;
        let digit4 = (year / 100 - 19) * 2 + u16::from(!person.male);
        let prefix = format!("0{birth_province}{digit4}");
        let key = (prefix.clone(), year % 100);
        // Each (prefix, year) bucket starts its serials at its own place.
        let bucket_start = (u64::from(digit4) * 104_729
            + birth_province.parse::<u64>().unwrap_or(0) * 7_919
            + u64::from(year % 100) * 15_485_863)
            % 1_000_000;
        let counter = self.serials.entry(key).or_insert(0);
        *counter += 1;
        let serial = (u64::from(*counter) * 387_017 + bucket_start + self.seed_offset) % 1_000_000;
        person.citizen_id = format!("{prefix}{:02}{serial:06}", year % 100);
    }

    fn name(&self, rng: &mut Rng, ethnicity: &str, male: bool) -> (String, String, String, bool) {
        match self.config.names.get(ethnicity) {
            Some(pool) => pool_name(pool, rng, male),
            None => {
                let k = &self.kinh;
                let surname = k.surnames[k.surname_weights.sample(rng)].clone();
                let (middles, weights) = &k.middles[usize::from(!male)];
                let middle = middles[weights.sample(rng)].clone();
                (surname, middle, self.given_name(rng, ethnicity, male), false)
            }
        }
    }

    fn given_name(&self, rng: &mut Rng, ethnicity: &str, male: bool) -> String {
        match self.config.names.get(ethnicity) {
            Some(pool) => rng.pick(&pool.given).clone(),
            None => {
                let (givens, weights) = &self.kinh.givens[usize::from(!male)];
                if rng.chance(self.config.people.rare_given) {
                    return rng.pick(givens).clone();
                }
                givens[weights.sample(rng)].clone()
            }
        }
    }
}

fn surname_for_parent(child_surname: &str, drawn: &str, ethnicity: &str) -> String {
    if ethnicity == "Kinh" {
        child_surname.to_string()
    } else {
        drawn.to_string()
    }
}

fn pool_name(pool: &NamePool, rng: &mut Rng, male: bool) -> (String, String, String, bool) {
    let surname = rng.pick(&pool.surnames).clone();
    let given = rng.pick(&pool.given).clone();
    if pool.order == "ede" {
        let prefix = if male { &pool.male_prefix } else { &pool.female_prefix };
        // `H'` joins the given name: `H'Hen`.
        if prefix.ends_with('\'') {
            return (surname, String::new(), format!("{prefix}{given}"), true);
        }
        return (surname, prefix.clone(), given, true);
    }
    let middles = if male { &pool.male_middle } else { &pool.female_middle };
    let middle = if middles.is_empty() { String::new() } else { rng.pick(middles).clone() };
    if middle.ends_with('\'') {
        return (surname, String::new(), format!("{middle}{given}"), false);
    }
    (surname, middle, given, false)
}

/// Kinh names: surnames by the published population shares, topped up from
/// the sample counts; middle and given names by sex from the sample counts.
fn kinh_names(rules: &Rules) -> KinhNames {
    let mut surnames: Vec<String> = Vec::new();
    let mut weights: Vec<f64> = Vec::new();
    for row in rules.surname_shares.rows() {
        let share: f64 = row.get("estimated_share_percent").parse().unwrap_or(0.0);
        // "Hoàng / Huỳnh": the share of the pair, split evenly.
        let names: Vec<&str> = row.get("surname").split('/').map(str::trim).collect();
        for name in &names {
            surnames.push(name.to_string());
            weights.push(share / names.len() as f64);
        }
    }
    let listed: f64 = weights.iter().sum();
    let tail: Vec<(String, f64)> = rules
        .name_components
        .rows()
        .filter(|r| r.get("component") == "surname" && !surnames.iter().any(|s| s == r.get("token")))
        .map(|r| {
            let count: f64 =
                r.get("count_male").parse::<f64>().unwrap_or(0.0) + r.get("count_female").parse::<f64>().unwrap_or(0.0);
            (r.get("token").to_string(), count)
        })
        .filter(|(_, c)| *c > 0.0)
        .collect();
    let tail_total: f64 = tail.iter().map(|(_, c)| c).sum();
    for (name, count) in tail {
        surnames.push(name);
        weights.push((100.0 - listed).max(0.0) * count / tail_total.max(1.0));
    }
    let by_sex = |rows: Vec<(String, f64, f64)>| -> [(Vec<String>, Weighted); 2] {
        let male: Vec<(String, f64)> = rows.iter().filter(|r| r.1 > 0.0).map(|r| (r.0.clone(), r.1)).collect();
        let female: Vec<(String, f64)> = rows.iter().filter(|r| r.2 > 0.0).map(|r| (r.0.clone(), r.2)).collect();
        [
            (male.iter().map(|r| r.0.clone()).collect(), Weighted::new(male.iter().map(|r| r.1))),
            (female.iter().map(|r| r.0.clone()).collect(), Weighted::new(female.iter().map(|r| r.1))),
        ]
    };
    let counts = |r: &crate::rules::TableRow| -> (f64, f64) {
        (r.get("count_male").parse().unwrap_or(0.0), r.get("count_female").parse().unwrap_or(0.0))
    };
    let middles = by_sex(
        rules
            .name_middles
            .rows()
            .map(|r| {
                let (m, f) = counts(&r);
                (r.get("middle_name").to_string(), m, f)
            })
            .collect(),
    );
    let givens = by_sex(
        rules
            .name_components
            .rows()
            .filter(|r| r.get("component") == "given")
            .map(|r| {
                let (m, f) = counts(&r);
                (r.get("token").to_string(), m, f)
            })
            .collect(),
    );
    KinhNames { surname_weights: Weighted::new(weights), surnames, middles, givens }
}

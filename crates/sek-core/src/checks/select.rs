//! Choosing checks by name, as `--checks`, `--skip` and `sek.toml` write them: an id or alias
//! (`node-imds`), a glob over ids and aliases (`node-*`, `kubelet-?ead-only-port`), an area
//! (`rbac`) or a framework version (`cis-eks-1.8.0`: every check that evaluates one of its
//! requirements). Unknown names are errors that suggest the closest known one.

use super::frameworks::Framework;
use super::{ALL, Area, Check};

/// The checks `names` select together, in report order, each once; `Err` says which name is
/// unknown (or a glob that matches nothing) and what was probably meant.
pub fn select<S: AsRef<str>>(names: &[S]) -> Result<Vec<&'static Check>, String> {
    let mut chosen = Vec::new();
    for name in names {
        chosen.extend(select_one(name.as_ref().trim())?);
    }
    Ok(in_report_order(chosen))
}

/// `checks` in report order, each once.
pub fn in_report_order(checks: impl IntoIterator<Item = &'static Check>) -> Vec<&'static Check> {
    let mut chosen = vec![false; ALL.len()];
    for check in checks {
        if let Some(index) = ALL.iter().position(|c| std::ptr::eq(*c, check)) {
            chosen[index] = true;
        }
    }
    ALL.iter()
        .zip(chosen)
        .filter_map(|(check, chosen)| chosen.then_some(*check))
        .collect()
}

/// The checks one name selects.
pub fn select_one(name: &str) -> Result<Vec<&'static Check>, String> {
    if name.is_empty() {
        return Err(
            "an empty check name; write an id, a glob (node-*), an area or a framework".into(),
        );
    }
    if let Some(check) = super::find(name) {
        return Ok(vec![check]);
    }
    if let Some(area) = Area::ALL.iter().find(|a| a.as_str() == name) {
        return Ok(ALL.iter().copied().filter(|c| c.area == *area).collect());
    }
    if let Some(framework) = Framework::from_slug(name) {
        return Ok(ALL
            .iter()
            .copied()
            .filter(|c| !c.refs_for(framework).is_empty())
            .collect());
    }
    if name.contains(['*', '?']) {
        let matched: Vec<&'static Check> = ALL
            .iter()
            .copied()
            .filter(|c| {
                std::iter::once(c.id)
                    .chain(c.aliases.iter().copied())
                    .any(|id| glob_matches(name, id))
            })
            .collect();
        if matched.is_empty() {
            return Err(format!(
                "`{name}` matches no check id (`sek checks list` shows every id)"
            ));
        }
        return Ok(matched);
    }
    Err(match closest_name(name) {
        Some(close) => format!(
            "unknown check, area or framework `{name}`; did you mean `{close}`? (`sek checks list` shows every id)"
        ),
        None => format!(
            "unknown check, area or framework `{name}` (`sek checks list` shows every id; areas: {}; frameworks: {})",
            Area::ALL.map(Area::as_str).join(", "),
            Framework::ALL.map(Framework::slug).join(", ")
        ),
    })
}

/// The known id, alias, area or framework closest to `name`, when one is close enough to be a
/// typo of it.
fn closest_name(name: &str) -> Option<&'static str> {
    let ids = ALL
        .iter()
        .flat_map(|c| std::iter::once(c.id).chain(c.aliases.iter().copied()));
    let known = ids
        .chain(Area::ALL.map(Area::as_str))
        .chain(Framework::ALL.map(Framework::slug));
    super::closest(name, known).map(|known| super::find(known).map_or(known, |c| c.id))
}

/// Whether `text` matches `pattern`, where `*` is any run of characters and `?` one character.
fn glob_matches(pattern: &str, text: &str) -> bool {
    let (pattern, text): (Vec<char>, Vec<char>) =
        (pattern.chars().collect(), text.chars().collect());
    // Iterative matching with backtracking to the last `*`.
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == '?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((star_p, star_t)) => {
                    p = star_p + 1;
                    t = star_t + 1;
                    star = Some((star_p, star_t + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(names: &[&str]) -> Vec<&'static str> {
        select(names).unwrap().iter().map(|c| c.id).collect()
    }

    #[test]
    fn an_id_or_alias_selects_that_check() {
        assert_eq!(ids(&["node-imds"]), ["node-imds"]);
        let aliased = ALL.iter().find(|c| !c.aliases.is_empty()).unwrap();
        assert_eq!(ids(&[aliased.aliases[0]]), [aliased.id]);
    }

    #[test]
    fn a_glob_selects_every_matching_id_in_report_order() {
        let nodes = ids(&["node-*"]);
        assert!(nodes.contains(&"node-imds") && nodes.contains(&"node-role"));
        assert!(nodes.iter().all(|id| id.starts_with("node-")));
        assert_eq!(ids(&["*-imds"]), ["node-imds"]);
        assert_eq!(ids(&["kubelet-?ead-only-port"]), ["kubelet-read-only-port"]);
    }

    #[test]
    fn every_checks_area_can_be_selected() {
        for check in ALL {
            assert!(Area::ALL.contains(&check.area), "{}", check.id);
        }
    }

    #[test]
    fn an_area_selects_its_checks() {
        let rbac = ids(&["rbac"]);
        assert_eq!(
            rbac.len(),
            ALL.iter().filter(|c| c.area == Area::Rbac).count()
        );
        assert!(rbac.iter().all(|id| id.starts_with("rbac-")));
    }

    #[test]
    fn a_framework_selects_the_checks_that_evaluate_its_requirements() {
        let cis = select(&["cis-eks-1.8.0"]).unwrap();
        assert!(!cis.is_empty());
        assert!(
            cis.iter()
                .all(|c| !c.refs_for(Framework::CisEks1_8_0).is_empty())
        );
        let uncovered = ALL
            .iter()
            .filter(|c| c.refs_for(Framework::CisEks1_8_0).is_empty())
            .count();
        assert_eq!(cis.len() + uncovered, ALL.len());
    }

    #[test]
    fn names_combine_without_duplicates_in_report_order() {
        assert_eq!(
            ids(&["node-role", "service-logging", "node-role"]),
            ["service-logging", "node-role"]
        );
    }

    #[test]
    fn unknown_names_suggest_the_closest() {
        let err = select(&["node-imsd"]).unwrap_err();
        assert!(err.contains("did you mean `node-imds`"), "{err}");
        let err = select(&["rbca"]).unwrap_err();
        assert!(err.contains("did you mean `rbac`"), "{err}");
        let err = select(&["cis-eks-1.8"]).unwrap_err();
        assert!(err.contains("did you mean `cis-eks-1.8.0`"), "{err}");
        let err = select(&["zz-nothing-like-it"]).unwrap_err();
        assert!(err.contains("areas: risk, service, node"), "{err}");
    }

    #[test]
    fn a_glob_that_matches_nothing_is_an_error() {
        let err = select(&["nodes-*"]).unwrap_err();
        assert!(err.contains("matches no check"), "{err}");
        assert!(select(&[""]).is_err());
    }

    #[test]
    fn globs_match_stars_and_single_characters() {
        assert!(glob_matches("*", "anything"));
        assert!(glob_matches("a*b*c", "aXXbYc"));
        assert!(!glob_matches("a*b*c", "aXXbY"));
        assert!(glob_matches("a?c", "abc"));
        assert!(!glob_matches("a?c", "ac"));
        assert!(glob_matches("**x", "x"));
    }
}

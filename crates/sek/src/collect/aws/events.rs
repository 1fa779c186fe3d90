//! EventBridge reads: the default bus's rules, and the targets of those that match EKS events.

use futures::future::join_all;
use sek_core::inventory::{CollectError, EventRule, Read};

use super::Aws;

/// ListRules, then ListTargetsByRule for the enabled rules matching EKS events (the others'
/// targets do not matter to any check, and stay not collected). A failed target list is
/// recorded in that rule's `targets`.
pub async fn rules(aws: &Aws) -> Result<Vec<EventRule>, CollectError> {
    let pages = aws
        .paginate(
            "events:ListRules",
            &[],
            |token| aws.events.list_rules().set_next_token(token).send(),
            |page| page.next_token(),
        )
        .await;
    let mut rules: Vec<EventRule> = pages?
        .into_iter()
        .flat_map(|p| p.rules.unwrap_or_default())
        .filter_map(|rule| {
            Some(EventRule {
                name: rule.name?,
                arn: rule.arn,
                state: rule.state.map(|s| s.as_str().to_string()),
                event_pattern: rule.event_pattern,
                targets: Read::NotCollected,
            })
        })
        .collect();
    let wanted: Vec<usize> = rules
        .iter()
        .enumerate()
        .filter(|(_, r)| r.is_enabled() && r.matches_eks_events())
        .map(|(i, _)| i)
        .collect();
    let rules_ref = &rules;
    let counts = join_all(wanted.iter().map(|&index| async move {
        let name = &rules_ref[index].name;
        let resources = [name.clone()];
        let pages = aws
            .paginate(
                "events:ListTargetsByRule",
                &resources,
                |token| {
                    aws.events
                        .list_targets_by_rule()
                        .rule(name)
                        .set_next_token(token)
                        .send()
                },
                |page| page.next_token(),
            )
            .await;
        let count = pages.map(|pages| {
            pages
                .into_iter()
                .map(|p| p.targets.map_or(0, |t| t.len()))
                .sum::<usize>()
        });
        (index, count)
    }))
    .await;
    for (index, count) in counts {
        rules[index].targets = count.into();
    }
    Ok(rules)
}

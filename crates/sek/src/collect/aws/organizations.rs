//! AWS Organizations: the member accounts `--org-role` scans.

use sek_core::inventory::CollectError;

use super::Aws;

/// A member account of the organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberAccount {
    /// The account id.
    pub id: String,
    /// The account's name.
    pub name: Option<String>,
}

/// The organization's ACTIVE accounts (suspended and closing ones cannot be scanned), sorted by id.
pub async fn active_accounts(aws: &Aws) -> Result<Vec<MemberAccount>, CollectError> {
    let pages = aws
        .paginate(
            "organizations:ListAccounts",
            &[],
            |token| {
                aws.organizations
                    .list_accounts()
                    .set_next_token(token)
                    .send()
            },
            |page| page.next_token(),
        )
        .await?;
    let mut accounts: Vec<MemberAccount> = pages
        .iter()
        .flat_map(|page| page.accounts())
        // `State` replaced `Status` in 2026; an older endpoint (or emulator) may send only the
        // latter.
        .filter(|a| match (a.state(), a.status()) {
            (Some(state), _) => state.as_str() == "ACTIVE",
            (None, Some(status)) => status.as_str() == "ACTIVE",
            (None, None) => true,
        })
        .filter_map(|a| {
            Some(MemberAccount {
                id: a.id()?.to_string(),
                name: a.name().map(String::from),
            })
        })
        .collect();
    accounts.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(accounts)
}

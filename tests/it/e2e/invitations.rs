//! Inviting a colleague end to end: the invitation goes out through the file outbox, the emailed link opens in
//! another browser, and the colleague sets a name and password and lands signed in in the right organization.

use super::{E2e, TestResult};
use crate::mail::{invitation_link, read_message};
use crate::support::fixture::{MSP_NAME, count};

const INVITEE: &str = "casey@northwind.test";

#[tokio::test]
async fn an_invited_colleague_joins_from_the_emailed_link_in_a_fresh_browser() -> TestResult {
    let Some(e2e) = E2e::start() else { return Ok(()) };
    let (f, admin) = e2e.msp_admin().await?;
    admin.click_link("Team Members").await?;
    admin.wait_for_path("/settings/team").await?;
    admin.fill("#invite-email", INVITEE).await?;
    admin.select("#invite-role", "MSP Technician").await?;
    admin.click_button("Send invitation").await?;
    admin.wait_for_text("[role=status]", "Invitation sent to casey@northwind.test as MSP Technician").await?;
    admin.wait_for_text("[data-testid=invitations]", INVITEE).await?;

    let outbox = e2e.outbox().await;
    assert_eq!(outbox.len(), 1, "one message in the outbox");
    let message = read_message(&outbox[0]);
    assert_eq!(message.to, INVITEE);
    assert_eq!(message.subject, "Morgan Admin invited you to Northwind Managed IT on Palisade");
    let link = invitation_link(&message.text);
    assert!(link.starts_with(&format!("{}/invitations/", e2e.app.base)), "the link points at this server: {link}");
    assert!(message.html.is_some_and(|html| html.contains(&link)), "the HTML part carries the same link");

    // The colleague opens the link in their own browser (no cookies shared with the admin's).
    let colleague = e2e.browser().await;
    colleague.open(&link).await?;
    colleague.wait_for_text("h1", "Join Northwind Managed IT").await?;
    colleague.wait_for_text("main", "You are invited as MSP Technician with the email casey@northwind.test").await?;
    colleague.assert_accessible().await?;
    colleague.fill("#name", "Casey Newhire").await?;
    colleague.fill("#password", "harbor-lights-at-dusk").await?;
    colleague.fill("#confirm", "harbor-lights-at-dusk").await?;
    colleague.click_button("Create my account and join").await?;
    let banner = colleague.wait_for_banner(MSP_NAME).await?;
    assert!(banner.contains("MSP Technician"), "signed in with the invited role: {banner}");
    colleague.wait_for_text("[role=status]", "Welcome to Northwind Managed IT.").await?;
    colleague.wait_for_text(".user-menu summary", "Casey Newhire").await?;

    let joined = format!(
        "SELECT COUNT(*) AS n FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = '{}' \
         AND u.email = '{INVITEE}' AND u.name = 'Casey Newhire' AND m.role = 'MSP_TECHNICIAN' \
         AND m.deactivated_at IS NULL",
        f.msp
    );
    assert_eq!(count(&mut e2e.conn(), &joined), 1);
    let accepted = "SELECT COUNT(*) AS n FROM invitations WHERE email = 'casey@northwind.test' \
                    AND accepted_at IS NOT NULL";
    assert_eq!(count(&mut e2e.conn(), accepted), 1);

    // The link worked once.
    admin.open(&link).await?;
    admin.wait_for_text("main", "This invitation link has expired, was revoked, or was already used").await?;
    admin.assert_accessible().await?;

    // The admin's team list now shows the colleague as a member and no open invitation.
    admin.open("/settings/team").await?;
    admin.wait_for_text("[data-testid=members]", "Casey Newhire").await?;
    admin.wait_for_text("main", "No open invitations.").await?;
    for browser in [admin, colleague] {
        browser.close().await?;
    }
    Ok(())
}

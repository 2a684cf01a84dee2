//! A new client's first user: the MSP admin adds the client with its contact as the first Admin, the invitation
//! goes out through the file outbox, and the contact accepts it in their own browser and lands in the client's
//! workspace as its Admin, able to invite their own team (although the client is at T1, where the MSP cannot).

use super::{E2e, TestResult};
use crate::mail::{invitation_link, read_message};
use crate::support::fixture::count;

const CLIENT: &str = "Lighthouse Orthodontics";
const CONTACT: &str = "dr.reyes@lighthouse-ortho.test";

#[tokio::test]
async fn a_new_clients_first_admin_is_invited_from_the_add_client_form_and_accepts_from_the_outbox() -> TestResult {
    let Some(e2e) = E2e::start() else { return Ok(()) };
    let (_, admin) = e2e.msp_admin().await?;

    admin.click_link("Clients").await?;
    admin.wait_for_path("/msp/clients").await?;
    admin.click_link("Add client").await?;
    admin.wait_for_path("/msp/clients/new").await?;
    admin.fill("#name", CLIENT).await?;
    admin.click("input[name=tier][value=T1]").await?;
    assert!(admin.find("input[name=invite_admin]").await?.is_selected().await?, "inviting is the default");
    // Without the email to invite, the form comes back saying so, with what was typed.
    admin.click_button("Add client").await?;
    admin.wait_for_text(".field-error", "Enter the email of the person to invite as the first Admin").await?;
    assert_eq!(admin.find("#name").await?.value().await?.as_deref(), Some(CLIENT));
    admin.assert_accessible().await?;
    admin.fill("#contact_email", CONTACT).await?;
    admin.click_button("Add client").await?;
    admin.wait_for_text("[role=status]", &format!("Invitation sent to {CONTACT} as Admin.")).await?;
    admin.wait_for_text("[data-testid=client-invitations]", CONTACT).await?;
    admin.assert_accessible().await?;
    let invited = format!(
        "SELECT COUNT(*) AS n FROM invitations i JOIN organizations o ON o.id = i.org_id WHERE o.name = '{CLIENT}' \
         AND i.email = '{CONTACT}' AND i.role = 'ADMIN' AND i.accepted_at IS NULL"
    );
    assert_eq!(count(&mut e2e.conn(), &invited), 1);

    let outbox = e2e.outbox().await;
    assert_eq!(outbox.len(), 1, "one message in the outbox");
    let message = read_message(&outbox[0]);
    assert_eq!(message.to, CONTACT);
    let link = invitation_link(&message.text);

    let contact = e2e.browser().await;
    contact.open(&link).await?;
    contact.wait_for_text("h1", &format!("Join {CLIENT}")).await?;
    contact.wait_for_text("main", &format!("You are invited as Admin with the email {CONTACT}")).await?;
    contact.assert_accessible().await?;
    contact.fill("#name", "Ana Reyes").await?;
    contact.fill("#password", "braces-and-bright-smiles").await?;
    contact.fill("#confirm", "braces-and-bright-smiles").await?;
    contact.click_button("Create my account and join").await?;
    let banner = contact.wait_for_banner(CLIENT).await?;
    assert!(banner.contains("Admin"), "the client's Admin: {banner}");
    contact.assert_accessible().await?;
    contact.click_link("Team Members").await?;
    contact.wait_for_path("/settings/team").await?;
    contact.find("#invite-email").await?;

    let joined = format!(
        "SELECT COUNT(*) AS n FROM memberships m JOIN users u ON u.id = m.user_id JOIN organizations o \
         ON o.id = m.org_id WHERE o.name = '{CLIENT}' AND u.email = '{CONTACT}' AND m.role = 'ADMIN'"
    );
    assert_eq!(count(&mut e2e.conn(), &joined), 1);
    for browser in [admin, contact] {
        browser.close().await?;
    }
    Ok(())
}

//! Phones (390 x 844): every page starts with its content (the navigation waits behind a Menu button that works
//! without JavaScript), nothing scrolls sideways (wide tables scroll inside their cards), and menus close on
//! Escape and on a tap outside them. Measured in the browser, not eyeballed: the document's width against the
//! window's, where the first heading starts, and the size of the screenshot.

use thirtyfour::prelude::*;

use super::{Browser, E2e, PHONE, TestResult};
use crate::support::PASSWORD;
use crate::support::fixture;

/// The page fits a phone: no sideways scrolling, the first heading on the first screen, a phone-sized screenshot.
pub(super) async fn assert_fits_phone(browser: &Browser) -> TestResult {
    let layout = browser.layout().await?;
    let path = browser.path().await?;
    assert_eq!(layout.inner_width, f64::from(PHONE.0), "{path}: the window is a phone's width: {layout:?}");
    assert!(layout.scroll_width <= layout.inner_width, "{path} scrolls sideways: {layout:?}");
    assert!(
        layout.main_top >= 0.0 && layout.main_top < layout.inner_height / 2.0,
        "{path}: the content starts in the top half of the first screen: {layout:?}"
    );
    assert_eq!(browser.screenshot_size().await?, PHONE, "{path}: the screenshot is the phone's screen");
    browser.assert_accessible().await?;
    Ok(())
}

async fn nav_link_shown(browser: &Browser, href: &str) -> WebDriverResult<bool> {
    browser.driver.find(By::Css(format!(".nav-panel nav a[href='{href}']"))).await?.is_displayed().await
}

#[tokio::test]
async fn the_sign_in_page_fits_a_phone() -> TestResult {
    let Some(e2e) = E2e::start() else { return Ok(()) };
    fixture::msp(&mut e2e.conn());
    let phone = e2e.phone().await;
    phone.open("/login").await?;
    phone.wait_for_text("h1", "Sign in").await?;
    assert_fits_phone(&phone).await?;
    // The dark band is painted once, at the top, however short the page: the bottom of the window is the page
    // colour, not a second band.
    let bottom = phone
        .driver
        .execute("return getComputedStyle(document.body).backgroundRepeat;", Vec::new())
        .await?
        .json()
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(bottom, "no-repeat", "the public background does not tile");
    phone.close().await?;
    Ok(())
}

#[tokio::test]
async fn on_a_phone_the_content_comes_first_and_the_menu_opens_closes_and_navigates() -> TestResult {
    let Some(e2e) = E2e::start() else { return Ok(()) };
    fixture::msp(&mut e2e.conn());
    let phone = e2e.phone().await;
    phone.sign_in("admin@northwind.test", PASSWORD).await?;
    phone.wait_for_path("/msp/dashboard").await?;
    assert_fits_phone(&phone).await?;
    assert!(!nav_link_shown(&phone, "/msp/clients").await?, "the navigation waits behind the Menu button");

    // Menu opens; Escape closes it and gives the focus back to the button.
    phone.click(".nav-toggle").await?;
    assert!(nav_link_shown(&phone, "/msp/clients").await?, "Menu shows the navigation");
    phone.assert_accessible().await?;
    phone.driver.active_element().await?.send_keys(Key::Escape).await?;
    assert!(!nav_link_shown(&phone, "/msp/clients").await?, "Escape closes the menu");
    let focused = phone.driver.active_element().await?.class_name().await?.unwrap_or_default();
    assert!(focused.contains("nav-toggle"), "the focus is back on the Menu button: {focused}");
    // A tap outside closes it too: on the bar between the brand and the Menu button (the open menu may fill the
    // screen below the bar).
    phone.click(".nav-toggle").await?;
    phone.driver.action_chain().move_to(i64::from(PHONE.0) / 2, 26).click().perform().await?;
    assert!(!nav_link_shown(&phone, "/msp/clients").await?, "a tap outside closes the menu");
    // The user menu as well.
    phone.click(".user-menu summary").await?;
    assert!(phone.find(".menu-panel a[href='/profile']").await?.is_displayed().await?);
    phone.driver.active_element().await?.send_keys(Key::Escape).await?;
    assert!(!phone.find(".menu-panel a[href='/profile']").await?.is_displayed().await?, "Escape closes it");

    // A list page and a form page through the menu.
    phone.click(".nav-toggle").await?;
    phone.click(".nav-panel nav a[href='/msp/clients']").await?;
    phone.wait_for_path("/msp/clients").await?;
    assert_fits_phone(&phone).await?;
    phone.click_link("Add client").await?;
    phone.wait_for_path("/msp/clients/new").await?;
    assert_fits_phone(&phone).await?;
    // The widest tables: the team (actions in every row) and the roles matrix scroll inside their cards.
    for path in ["/settings/activity", "/settings/team", "/settings/roles"] {
        phone.open(path).await?;
        phone.wait_for_path(path).await?;
        assert_fits_phone(&phone).await?;
    }
    let script = "const m = document.querySelector(\"[aria-label='Permissions by role']\"); return [m.scrollWidth, m.clientWidth];";
    let widths = phone.driver.execute(script, Vec::new()).await?.json().clone();
    let (scroll, client) = (widths[0].as_f64().unwrap_or(0.0), widths[1].as_f64().unwrap_or(0.0));
    assert!(scroll > client, "the matrix scrolls inside its region ({scroll} > {client})");
    phone.close().await?;
    Ok(())
}

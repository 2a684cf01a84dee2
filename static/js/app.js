// Progressive enhancements only: every page works without this file.
(function () {
  "use strict";

  // Ask before destructive actions marked with data-confirm.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = button && button.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  // Menus (<details data-menu>: the user menu, the phone navigation) close on Escape, giving focus back to
  // their button, and on a click or tap outside them. A menu whose button is hidden (the navigation on wide
  // screens, which is always shown) is left alone.
  function openMenus() {
    return Array.prototype.filter.call(document.querySelectorAll("details[data-menu][open]"), function (menu) {
      var summary = menu.querySelector("summary");
      return summary && summary.offsetParent !== null;
    });
  }
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    openMenus().forEach(function (menu) {
      var hadFocus = menu.contains(document.activeElement);
      menu.open = false;
      if (hadFocus) menu.querySelector("summary").focus();
    });
  });
  document.addEventListener("click", function (event) {
    openMenus().forEach(function (menu) {
      if (!menu.contains(event.target)) menu.open = false;
    });
  });

  // The navigation is a <details> whose Menu button only phones show; on wide screens CSS shows its content
  // even while closed. Keep it really open there (for browsers without ::details-content and for tools that
  // treat a closed <details> as hidden), and closed when the window narrows to phone size.
  var navMenu = document.querySelector(".nav-menu");
  var wide = window.matchMedia("(min-width: 901px)");
  function fitNavigation() {
    if (navMenu) navMenu.open = wide.matches;
  }
  fitNavigation();
  if (wide.addEventListener) wide.addEventListener("change", fitNavigation);

  // Live filter for the sidebar organization switcher (the form still submits to /switch without it).
  var input = document.querySelector("[data-switcher-filter]");
  var list = document.querySelector("[data-switcher-list]");
  if (!input || !list) return;
  var timer = null;
  var original = list.innerHTML;

  function render(options) {
    list.textContent = "";
    if (options.length === 0) {
      var empty = document.createElement("li");
      empty.className = "switcher-empty";
      empty.textContent = "No organization matches.";
      list.appendChild(empty);
      return;
    }
    options.forEach(function (option) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "submit";
      button.name = "org_id";
      button.value = option.id;
      var name = document.createElement("span");
      name.className = "switcher-name";
      name.textContent = option.name;
      var tag = document.createElement("span");
      tag.className = "tag";
      tag.textContent = option.kind;
      button.appendChild(name);
      if (option.slug) {
        var slug = document.createElement("span");
        slug.className = "switcher-slug";
        slug.textContent = option.slug;
        name.appendChild(document.createTextNode(" "));
        name.appendChild(slug);
      }
      button.appendChild(document.createTextNode(" "));
      button.appendChild(tag);
      item.appendChild(button);
      list.appendChild(item);
    });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    var query = input.value.trim();
    if (query === "") {
      list.innerHTML = original;
      return;
    }
    timer = setTimeout(function () {
      fetch("/switch/options?q=" + encodeURIComponent(query), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(render)
        .catch(function () { /* keep the current list */ });
    }, 150);
  });

  // The sign page: its button waits until the policy text was scrolled to its end (without JavaScript it is
  // always enabled; the typed name and the consent box are what the server checks).
  Array.prototype.forEach.call(document.querySelectorAll("form[data-read-gate]"), function (form) {
    var text = document.querySelector("[data-read-text]");
    var end = text && text.querySelector("[data-read-end]");
    var button = form.querySelector("button[type=submit]");
    var hint = form.querySelector("[data-read-hint]");
    if (!end || !button || !("IntersectionObserver" in window)) return;
    button.disabled = true;
    if (hint) hint.hidden = false;
    var observer = new IntersectionObserver(function (entries) {
      if (entries.some(function (e) { return e.isIntersecting; })) {
        button.disabled = false;
        if (hint) hint.hidden = true;
        observer.disconnect();
      }
    }, { root: text });
    observer.observe(end);
  });
})();

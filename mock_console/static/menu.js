// The language switch applies on change (the page's CSP allows no inline handlers).
(function () {
  var select = document.getElementById("lang-switch");
  if (select) { select.addEventListener("change", function () { select.form.submit(); }); }
})();

// The user menu is a disclosure: either toggle button (desktop: the user's name; phone: "Menu")
// shows or hides the list, and Escape closes it.
(function () {
  var toggles = document.querySelectorAll(".menu-toggle");
  var menu = document.getElementById("user-menu");
  if (!menu) { return; }
  function setOpen(open) {
    menu.hidden = !open;
    toggles.forEach(function (t) { t.setAttribute("aria-expanded", String(open)); });
  }
  toggles.forEach(function (toggle) {
    toggle.addEventListener("click", function () { setOpen(menu.hidden); });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { setOpen(false); }
  });
})();

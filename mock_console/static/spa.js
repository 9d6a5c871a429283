// The console as a single-page app (python -m mock_console --ui spa). Every screen is rendered
// here from the JSON API under /api/, with the same words (the catalogue /api/session sends) and
// the same roles as the server-rendered pages. No build step and no library: plain DOM calls, so
// the page's strict CSP (no inline script) holds. Secrets (the setup key, Recovery Codes) live
// only in the DOM of the screen that shows them and in a variable until the next screen.
(function () {
  "use strict";

  var S = null;            // the last /api/session answer: user, words, CSRF token, ...
  var busy = 0;            // API calls in flight (the spinner shows while > 0)
  var shownCode = "";      // a Recovery Code the next screen shows once
  var justDisabled = false;
  var TOAST_MS = 8000;
  var main = document.getElementById("content");
  var nav = document.getElementById("topnav");
  var spinner = document.getElementById("spinner");
  var toasts = document.getElementById("toasts");

  function t(key) { return (S && S.messages[key]) || key; }

  // h("p", {class: "x"}, "text", child): a small element builder.
  function h(tag, attrs) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) { return; }
      if (name === "on") {
        Object.keys(value).forEach(function (ev) { el.addEventListener(ev, value[ev]); });
      } else {
        el.setAttribute(name, value === true ? "" : String(value));
      }
    });
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === false) { continue; }
      if (Array.isArray(child)) { child.forEach(function (c) { el.appendChild(c); }); continue; }
      el.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return el;
  }

  function setBusy(delta) {
    busy += delta;
    spinner.hidden = busy <= 0;
    main.setAttribute("aria-busy", String(busy > 0));
  }

  // -- the API -----------------------------------------------------------------------------

  // --latency-ms: the page waits this long before each request, as over a slow network, so the
  // spinner shows; the wait is the browser's, the server answers at once.
  var LATENCY_MS = Number(document.body.getAttribute("data-latency-ms")) || 0;

  function slowNetwork() {
    return new Promise(function (resolve) { setTimeout(resolve, LATENCY_MS); });
  }

  function api(method, path, body) {
    var init = {method: method, credentials: "same-origin",
                headers: {"Accept": "application/json"}};
    if (method !== "GET") {
      init.headers["Content-Type"] = "application/json";
      init.headers["X-CSRFToken"] = S ? S.csrf_token : "";
      init.body = JSON.stringify(body || {});
    }
    setBusy(1);
    return slowNetwork().then(function () {
      return fetch("/api" + path, init);
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (data && data.csrf_token) {
          S.csrf_token = data.csrf_token;
          S.user = data.user;
          S.code_owed = data.code_owed;
        }
        return {ok: response.ok, status: response.status, data: data || {}};
      });
    }).finally(function () { setBusy(-1); });
  }

  function loadSession(query) {
    setBusy(1);
    return slowNetwork()
      .then(function () {
        return fetch("/api/session" + (query || ""), {credentials: "same-origin"});
      })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        S = data;
        document.documentElement.lang = S.lang;
        renderHeader();
        if (S.notice) { toast(t(S.notice), false); }
      }).finally(function () { setBusy(-1); });
  }

  // -- messages: toasts that go away -------------------------------------------------------

  function clearToasts() { toasts.textContent = ""; }

  function toast(text, isError) {
    var el = h("p", {"class": "message toast " + (isError ? "error" : "notice"),
                     role: isError ? "alert" : "status"}, text);
    toasts.appendChild(el);
    window.setTimeout(function () { el.remove(); }, TOAST_MS);
  }

  function refused(answer) {
    var error = answer.data.error || {};
    if (answer.status === 401 && error.key === "signin_required") {
      go("/signin", true).then(function () { toast(error.message, false); });
      return;
    }
    if (error.key === "signin_expired") {
      go("/signin", true).then(function () { toast(error.message, false); });
      return;
    }
    toast(error.message || t("error_server"), true);
  }

  // -- routing -----------------------------------------------------------------------------

  function go(path, replace) {
    if (replace) { history.replaceState(null, "", path); } else { history.pushState(null, "", path); }
    return route();
  }

  function route() {
    clearToasts();
    closeMenu();
    var path = location.pathname.replace(/\/+$/, "") || "/";
    var screen = SCREENS[path];
    if (!screen) { return Promise.resolve(showError(t("error_not_found"))); }
    return Promise.resolve(screen());
  }

  function show(title, section) {
    document.title = title + " | " + t("product") + " " + t("console");
    closeDialog();
    main.textContent = "";
    main.appendChild(section);
  }

  function link(path, text, cls) {
    return h("a", {href: path, "class": cls}, text);
  }

  function card(narrow) {
    var parts = Array.prototype.slice.call(arguments, 1);
    return h.apply(null, ["section", {"class": narrow ? "card narrow" : "card"}].concat(parts));
  }

  function form(onSubmit) {
    var parts = Array.prototype.slice.call(arguments, 1);
    var el = h.apply(null, ["form", {novalidate: true}].concat(parts));
    el.addEventListener("submit", function (event) {
      event.preventDefault();
      clearToasts();
      onSubmit(el);
    });
    return el;
  }

  function field(id, label, attrs, hint) {
    var input = h("input", Object.assign({id: id, name: id, type: "text", required: true,
                                          "aria-describedby": hint ? id + "-hint" : null},
                                         attrs));
    return h("div", {"class": "field"}, h("label", {"for": id}, label), input,
             hint ? h("p", {id: id + "-hint", "class": "hint"}, hint) : null);
  }

  function codeField() {
    return field("code", t("code_label"), {inputmode: "numeric", autocomplete: "one-time-code",
                                           autocapitalize: "off", spellcheck: "false"},
                 t("code_hint"));
  }

  function valueOf(formEl, name) { return formEl.elements[name].value; }

  function statusTable(rows) {
    return h("table", {"class": "settings"}, h("tbody", null, rows));
  }

  function row(name, value, action) {
    return h("tr", null, h("th", {scope: "row"}, name), h("td", null, value),
             action ? h("td", {"class": "action"}, action) : null);
  }

  function recoveryGroup(intro, code) {
    return h("div", {"class": "recovery", role: "group", "aria-labelledby": "recovery-heading"},
             h("h2", {id: "recovery-heading"}, t("recovery_code_heading")),
             h("p", null, intro),
             h("p", {"class": "secret"}, h("code", null, code)),
             h("p", {"class": "keep-safe"}, h("strong", null, t("keep_safe"))));
  }

  function needsUser(then) {
    return function () {
      if (!S.user) {
        return go("/signin", true).then(function () { toast(t("signin_required"), false); });
      }
      return then();
    };
  }

  // -- screens -----------------------------------------------------------------------------

  function signin() {
    if (S.user) { return go("/", true); }
    show(t("signin_title"), card(true,
      h("h1", null, t("signin_title")),
      h("p", null, t("signin_intro")),
      form(function (f) {
        api("POST", "/signin", {username: valueOf(f, "username"),
                                password: valueOf(f, "password")}).then(function (answer) {
          if (!answer.ok) { f.elements.password.value = ""; return refused(answer); }
          renderHeader();
          go(answer.data.user ? "/" : "/signin/code");
        });
      },
        field("username", t("username"), {autocomplete: "username"}),
        field("password", t("password"), {type: "password", autocomplete: "current-password"}),
        h("button", {type: "submit", "class": "primary"}, t("signin_button")))));
  }

  function owedCode(then) {
    return function () {
      if (S.user) { return go("/", true); }
      if (!S.code_owed) {
        return go("/signin", true).then(function () { toast(t("signin_expired"), false); });
      }
      return then();
    };
  }

  function signedIn(answer) {
    renderHeader();
    if (answer.data.recovery_code) {
      shownCode = answer.data.recovery_code;
      return go("/signin/new-recovery-code");
    }
    return go("/");
  }

  function challenge() {
    show(t("challenge_title"), card(true,
      h("h1", null, t("challenge_title")),
      h("p", null, t("challenge_intro")),
      form(function (f) {
        api("POST", "/signin/code", {code: valueOf(f, "code")}).then(function (answer) {
          if (!answer.ok) { f.elements.code.value = ""; return refused(answer); }
          signedIn(answer);
        });
      }, codeField(), h("button", {type: "submit", "class": "primary"}, t("verify_button"))),
      h("p", null, link("/signin/recovery", t("use_recovery_link"))),
      h("p", null, link("/signin", t("cancel_signin")))));
  }

  function recovery() {
    show(t("recovery_title"), card(true,
      h("h1", null, t("recovery_title")),
      h("p", null, t("recovery_intro")),
      form(function (f) {
        api("POST", "/signin/recovery", {recovery_code: valueOf(f, "recovery_code")})
          .then(function (answer) {
            if (!answer.ok) { f.elements.recovery_code.value = ""; return refused(answer); }
            signedIn(answer);
          });
      },
        field("recovery_code", t("recovery_label"), {autocomplete: "off",
              autocapitalize: "characters", spellcheck: "false"}),
        h("button", {type: "submit", "class": "primary"}, t("verify_button"))),
      h("p", null, link("/signin/code", t("use_app_link")))));
  }

  function newRecoveryCode() {
    var code = shownCode;
    shownCode = "";
    if (!code || !S.user) { return go("/", true); }
    show(t("new_recovery_title"), card(true,
      h("h1", null, t("new_recovery_title")),
      recoveryGroup(t("new_recovery_intro"), code),
      h("p", null, link("/", t("continue"), "button primary"))));
  }

  function home() {
    if (!S.user) { return go("/signin", true); }
    show(t("home_title"), card(false, h("h1", null, t("home_title")),
                               h("p", null, t("home_intro"))));
  }

  function withAccount(then) {
    return needsUser(function () {
      return api("GET", "/account").then(function (answer) {
        if (!answer.ok) { return refused(answer); }
        return then(answer.data);
      });
    });
  }

  function information(data) {
    var on = data.two_step_on;
    show(t("account_title"), card(false,
      h("h1", null, t("account_title")),
      h("p", null, t("account_intro")),
      statusTable([row(t("username"), data.user),
                   row(t("two_step_row"), on ? t("status_on") : t("status_off"))]),
      h("p", null, link("/account/security", on ? t("disable_link") : t("set_up_link"),
                        "button"))));
  }

  function security(data) {
    var change = h("button", {type: "button", on: {click: function () {
      go("/account/security/2sv");
    }}}, t("change_button"));
    show(t("security_title"), card(false,
      h("h1", null, t("security_title")),
      h("p", null, t("security_intro")),
      h("table", {"class": "settings"},
        h("thead", null, h("tr", null, h("th", {scope: "col"}, t("setting")),
                           h("th", {scope: "col"}, t("status")),
                           h("th", {scope: "col"}, h("span", {"class": "visually-hidden"},
                                                     t("action"))))),
        h("tbody", null, row(t("two_step_row"),
                             data.two_step_on ? t("status_on") : t("status_off"), change))),
      h("p", null, link("/account", t("back_to_account")))));
  }

  function change(data) {
    if (data.two_step_enabled) { return statusScreen(data); }
    show(t("turn_on_title"), card(true,
      h("h1", null, t("turn_on_title")),
      h("p", null, t("turn_on_intro")),
      form(function () { setUp(); },
           h("button", {type: "submit", "class": "primary"}, t("set_up_button"))),
      h("p", null, link("/account/security", t("cancel")))));
  }

  var CONFIRM = "/account/security/2sv/confirm";

  // A change the server refuses until access is confirmed (--reauth): ask, then make it.
  function needsConfirming(answer, action) {
    var error = answer.data.error || {};
    if (error.key !== "reauth_required") { return false; }
    go(CONFIRM + "?next=" + action).then(function () { toast(error.message, false); });
    return true;
  }

  function setUp() {
    return api("POST", "/2sv/setup").then(function (answer) {
      if (!answer.ok) { return needsConfirming(answer, "setup") || refused(answer); }
      go("/account/security/2sv/setup");
    });
  }

  function turnOff() {
    return api("POST", "/2sv/disable").then(function (answer) {
      if (!answer.ok) { return needsConfirming(answer, "turn_off") || refused(answer); }
      justDisabled = true;
      go("/account/security/2sv/disabled");
    });
  }

  function statusScreen(data) {
    var button = h("button", {type: "button", on: {click: function () {
      if (data.confirm_turn_off) { go("/account/security/2sv/turn-off"); } else { turnOff(); }
    }}}, t("turn_off_button"));
    show(t("status_title"), card(false,
      h("h1", null, t("status_title")),
      statusTable([row(t("status_row"), t("status_on"), button)]),
      h("p", null, link("/account/security", t("back_to_security")))));
  }

  function drawQr(rows) {
    var scale = 5, border = 4, size = (rows.length + 2 * border) * scale;
    var canvas = h("canvas", {width: size, height: size, role: "img", "aria-label": t("qr_alt")});
    var ctx = canvas.getContext("2d");
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, size, size);
    ctx.fillStyle = "#000";
    rows.forEach(function (line, y) {
      for (var x = 0; x < line.length; x++) {
        if (line.charAt(x) === "1") {
          ctx.fillRect((x + border) * scale, (y + border) * scale, scale, scale);
        }
      }
    });
    return canvas;
  }

  function setup() {
    return api("GET", "/2sv/setup").then(function (answer) {
      if (!answer.ok) { return refused(answer); }
      var data = answer.data.setup;
      if (!data) { return go("/account/security/2sv", true); }
      show(t("turn_on_title"), card(true,
        h("h1", null, t("turn_on_title")),
        h("h2", null, t("setup_title")),
        h("p", null, t("setup_step_scan")),
        h("p", {"class": "qr"}, drawQr(data.qr)),
        h("div", {"class": "manual-key", role: "group", "aria-labelledby": "key-label"},
          h("p", null, t("setup_key_intro")),
          h("p", {"class": "secret"}, h("span", {id: "key-label", "class": "visually-hidden"},
                                        t("setup_key_label")), h("code", null, data.text_key))),
        h("p", null, t("setup_step_code")),
        form(function (f) {
          api("POST", "/2sv/enable", {code: valueOf(f, "code")}).then(function (result) {
            if (!result.ok) {
              return go(location.pathname, true).then(function () { refused(result); });
            }
            shownCode = result.data.recovery_code || "";
            go("/account/security/2sv/enabled");
          });
        }, codeField(), h("button", {type: "submit", "class": "primary"}, t("turn_on_button"))),
        h("p", null, link("/account/security", t("cancel")))));
    });
  }

  function confirmation(right, wrongTitle, wrongMessage, title, message) {
    var ok = S.correct_confirmation_messages !== false;
    return [h("h1", null, ok ? t(title) : t(wrongTitle)),
            h("p", {"class": ok ? "message success" : "message", role: "status"},
              ok ? t(message) : t(wrongMessage))];
  }

  function enabled() {
    var code = shownCode;
    shownCode = "";
    if (!code) { return go("/account", true); }
    var parts = confirmation(true, "error_title", "wrong_enabled_message", "enabled_title",
                             "enabled_message");
    show(t("enabled_title"), card(true, parts[0], parts[1],
      recoveryGroup(t("recovery_code_intro"), code),
      h("p", null, link("/account", t("back_to_account"), "button primary"))));
  }

  function disabled() {
    if (!justDisabled) { return go("/account", true); }
    justDisabled = false;
    var parts = confirmation(true, "enabled_title", "wrong_disabled_message", "disabled_title",
                             "disabled_message");
    show(t("disabled_title"), card(true, parts[0], parts[1],
      h("p", null, link("/account", t("back_to_account"), "button primary"))));
  }

  // "Turn off 2-Step Verification": a modal dialog over the status screen (3.4).
  function turnOffDialog(data) {
    if (!data.two_step_enabled) { return go("/account/security/2sv", true); }
    statusScreen(data);
    var dialog = h("div", {"class": "dialog", role: "dialog", "aria-modal": "true",
                           "aria-labelledby": "dialog-title", id: "dialog"},
      h("section", {"class": "card narrow"},
        h("h1", {id: "dialog-title"}, t("turn_off_title")),
        h("p", {"class": "message warning"}, t("turn_off_warning")),
        h("div", {"class": "actions"},
          h("button", {type: "button", "class": "danger", on: {click: turnOff}},
            t("turn_off_button")),
          link("/account/security/2sv", t("cancel"), "button"))));
    document.body.appendChild(dialog);
    [main, document.querySelector(".topbar")].forEach(function (el) {
      el.setAttribute("aria-hidden", "true");
      el.inert = true;
    });
    dialog.querySelector("button").focus();
  }

  // "Confirm access" (--reauth): the password, or before Turn off a code too; then the change.
  function reauth(data) {
    var action = new URLSearchParams(location.search).get("next");
    if (action !== "setup" && action !== "turn_off") { return showError(t("error_bad_request")); }
    if ((action === "setup") === Boolean(data.two_step_enabled)) {
      return go("/account/security/2sv", true);
    }
    var codeAllowed = action === "turn_off";
    show(t("reauth_title"), card(true,
      h("h1", null, t("reauth_title")),
      h("p", null, t("reauth_intro_" + action)),
      form(function (f) {
        var body = {next: action, password: valueOf(f, "password"),
                    code: codeAllowed ? valueOf(f, "code") : ""};
        api("POST", "/2sv/reauth", body).then(function (answer) {
          if (!answer.ok) {
            f.elements.password.value = "";
            if (codeAllowed) { f.elements.code.value = ""; }
            return refused(answer);
          }
          return action === "setup" ? setUp() : turnOff();
        });
      },
        field("password", t("password"), {type: "password", autocomplete: "current-password",
                                           required: false}),
        codeAllowed ? field("code", t("reauth_code_label"),
                            {inputmode: "numeric", autocomplete: "one-time-code",
                             autocapitalize: "off", spellcheck: "false", required: false},
                            t("code_hint")) : null,
        h("button", {type: "submit", "class": "primary"}, t("reauth_button"))),
      h("p", null, link("/account/security/2sv", t("cancel")))));
  }

  function closeDialog() {
    var dialog = document.getElementById("dialog");
    if (dialog) { dialog.remove(); }
    [main, document.querySelector(".topbar")].forEach(function (el) {
      el.removeAttribute("aria-hidden");
      el.inert = false;
    });
  }

  function showError(message) {
    show(t("error_title"), card(true,
      h("h1", null, t("error_title")),
      h("p", {"class": "message error", role: "alert"}, message),
      h("p", null, link("/", t("go_home")))));
  }

  var SCREENS = {
    "/": home,
    "/signin": signin,
    "/signin/code": owedCode(challenge),
    "/signin/recovery": owedCode(recovery),
    "/signin/new-recovery-code": newRecoveryCode,
    "/account": withAccount(information),
    "/account/security": withAccount(security),
    "/account/security/2sv": withAccount(change),
    "/account/security/2sv/setup": needsUser(setup),
    "/account/security/2sv/enabled": needsUser(enabled),
    "/account/security/2sv/turn-off": withAccount(turnOffDialog),
    "/account/security/2sv/disabled": needsUser(disabled),
    "/account/security/2sv/confirm": withAccount(reauth)
  };

  // -- the header: language switch and user menu -------------------------------------------

  function closeMenu() {
    var menu = document.getElementById("user-menu");
    if (!menu) { return; }
    menu.hidden = true;
    nav.querySelectorAll(".menu-toggle").forEach(function (b) {
      b.setAttribute("aria-expanded", "false");
    });
  }

  function renderHeader() {
    nav.textContent = "";
    var codes = Object.keys(S.languages);
    if (codes.length > 1) {
      var label = h("label", {"for": "lang-switch"}, S.language_labels[S.lang]);
      codes.forEach(function (code) {
        if (code !== S.lang) {
          label.appendChild(document.createTextNode(" / "));
          label.appendChild(h("span", {lang: code}, S.language_labels[code]));
        }
      });
      var select = h("select", {id: "lang-switch", name: "lang"});
      codes.forEach(function (code) {
        select.appendChild(h("option", {value: code, lang: code, selected: code === S.lang},
                             S.languages[code]));
      });
      select.addEventListener("change", function () {
        api("POST", "/language", {lang: select.value}).then(function () {
          return loadSession();
        }).then(route);
      });
      nav.appendChild(h("form", {"class": "language"}, label, select));
    }
    if (!S.user) { return; }
    var menu = h("ul", {id: "user-menu", "class": "user-menu", hidden: true},
      h("li", {"class": "menu-user"}, S.user),
      h("li", null, link("/account", t("account_setting"))),
      h("li", null, h("button", {type: "button", "class": "link-button", on: {click: signOut}},
                      t("sign_out"))));
    function toggle(cls, text) {
      return h("button", {type: "button", "class": "menu-toggle " + cls, "aria-expanded": "false",
                          "aria-controls": "user-menu", on: {click: function () {
                            var open = menu.hidden;
                            menu.hidden = !open;
                            nav.querySelectorAll(".menu-toggle").forEach(function (b) {
                              b.setAttribute("aria-expanded", String(open));
                            });
                          }}}, text);
    }
    nav.appendChild(toggle("user-button", S.user));
    nav.appendChild(toggle("phone-button", t("menu_button")));
    nav.appendChild(menu);
  }

  function signOut() {
    api("POST", "/signout").then(function () {
      renderHeader();
      go("/signin").then(function () { toast(t("signed_out"), false); });
    });
  }

  // -- start -------------------------------------------------------------------------------

  document.addEventListener("click", function (event) {
    var a = event.target.closest && event.target.closest("a[href]");
    if (!a || a.origin !== location.origin || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    event.preventDefault();
    go(a.pathname);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    if (document.getElementById("dialog")) { go("/account/security/2sv"); } else { closeMenu(); }
  });
  window.addEventListener("popstate", function () { route(); });

  var lang = new URLSearchParams(location.search).get("lang");
  var pageError = document.body.getAttribute("data-error");
  loadSession(lang ? "?lang=" + encodeURIComponent(lang) : "").then(function () {
    if (pageError) { showError(pageError); } else { route(); }
  }).finally(function () { setBusy(0); });
})();

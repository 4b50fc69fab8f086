/* handoutkit studio: shared helpers. Plain JavaScript, no library, nothing fetched from elsewhere. */
(function () {
  "use strict";
  var token = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  function post(url, data) {
    // Every change is a POST carrying the page's token in a header, which another site cannot send.
    return fetch(url, {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": token},
      body: JSON.stringify(data || {})
    }).then(function (r) {
      if (r.status === 403) { throw new Error("The studio refused this request. Reload the page from the address the studio printed."); }
      if (!(r.headers.get("Content-Type") || "").startsWith("application/json")) {
        throw new Error("The studio hit an internal error, which is a bug (status " + r.status + "). Reload the page to go on.");
      }
      return r.json();
    });
  }
  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments, self = this;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(self, args); }, ms);
    };
  }
  function say(text) {
    var s = document.getElementById("status");
    if (s) { s.textContent = text || ""; s.className = text ? "status shown" : "status"; }
    if (text) { clearTimeout(say.timer); say.timer = setTimeout(function () { say(""); }, 6000); }
  }
  function list(el, items, code) {
    el.textContent = "";
    (items || []).forEach(function (m) {
      var li = document.createElement("li");
      if (code) { var c = document.createElement("code"); c.textContent = m; li.appendChild(c); } else { li.textContent = m; }
      el.appendChild(li);
    });
  }
  function stopped(err) { say(err && err.message ? err.message : "The studio has stopped. Start it again, then reload this page."); }
  window.Studio = {post: post, debounce: debounce, say: say, list: list, stopped: stopped};
})();

/* Practice settings: saved to the same file as `handouts config`. */
(function () {
  "use strict";
  var formEl = document.getElementById("practice");
  formEl.addEventListener("submit", function (e) {
    e.preventDefault();
    var data = {};
    Array.prototype.forEach.call(formEl.querySelectorAll("input, select"), function (el) { data[el.name] = el.value; });
    Studio.post("settings", data).then(function (r) {
      Array.prototype.forEach.call(formEl.querySelectorAll(".field-error"), function (p) { p.textContent = ""; });
      Object.keys(r.errors.fields || {}).forEach(function (k) {
        var p = document.getElementById("e-" + k); if (p) { p.textContent = r.errors.fields[k].join(" "); }
      });
      Studio.say(r.ok ? r.message : "Some settings were not saved: see the messages by each.");
    }).catch(Studio.stopped);
  });
})();

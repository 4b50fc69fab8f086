/* The library page: search as you type, filter by topic, kind and audience. */
(function () {
  "use strict";
  var q = document.getElementById("q"), topic = document.getElementById("topic"),
      kind = document.getElementById("kind"), audience = document.getElementById("audience");
  var cards = Array.prototype.slice.call(document.querySelectorAll("#cards > li"));
  var count = document.getElementById("count"), none = document.getElementById("none");
  function apply() {
    var words = q.value.toLowerCase().split(/\s+/).filter(Boolean), shown = 0;
    cards.forEach(function (c) {
      var ok = c.classList.contains("broken") ? !(topic.value || kind.value || audience.value) :
        (!topic.value || c.dataset.topics.split("|").indexOf(topic.value) >= 0) &&
        (!kind.value || c.dataset.kind === kind.value) &&
        (!audience.value || c.dataset.audience === audience.value);
      ok = ok && words.every(function (w) { return c.dataset.text.indexOf(w) >= 0; });
      c.hidden = !ok;
      if (ok) { shown++; }
    });
    count.textContent = shown + (shown === 1 ? " handout" : " handouts");
    none.hidden = shown > 0;
  }
  [q, topic, kind, audience].forEach(function (el) { el.addEventListener("input", apply); el.addEventListener("change", apply); });
  document.getElementById("filters").addEventListener("submit", function (e) { e.preventDefault(); });
  // A picture not made yet (pdftoppm missing, or a broken handout): the card goes without.
  Array.prototype.forEach.call(document.querySelectorAll("img[data-thumb]"), function (img) {
    img.addEventListener("error", function () { img.parentNode.classList.add("nothumb"); img.remove(); });
  });
  apply();
})();

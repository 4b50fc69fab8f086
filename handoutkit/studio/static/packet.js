/* The packet builder: choose and order handouts, fill the settings, see the PDF follow. */
(function () {
  "use strict";
  var library = {};
  JSON.parse(document.getElementById("library-data").textContent).forEach(function (h) { library[h.id] = h; });
  var chosen = [];  // handout ids, in order
  var itemErrors = {};
  var seq = 0, shownSeq = 0, token = null;
  var listEl = document.getElementById("chosen"), empty = document.getElementById("empty");
  var settings = document.getElementById("settings"), titleEl = document.getElementById("f-title");
  var nameEl = document.getElementById("f-name"), frame = document.getElementById("pdf");
  var download = document.getElementById("download"), printBtn = document.getElementById("print");
  var state = document.getElementById("state"), general = document.getElementById("general");
  var VIEW = "#view=FitH&navpanes=0";  // the whole width of the page, no thumbnails (viewers that honour it)

  function titleOf(id) { return library[id] ? library[id].title : id; }

  function button(text, label, onClick, disabled) {
    var b = document.createElement("button");
    b.type = "button"; b.className = "small quiet"; b.textContent = text;
    b.setAttribute("aria-label", label); b.disabled = !!disabled;
    b.addEventListener("click", onClick);
    return b;
  }

  function drawList(focus) {
    listEl.textContent = "";
    chosen.forEach(function (id, i) {
      var li = document.createElement("li");
      li.draggable = true; li.dataset.index = i; li.dataset.id = id;
      var name = document.createElement("span"); name.className = "chosen-title"; name.textContent = titleOf(id);
      li.appendChild(name);
      var tools = document.createElement("span"); tools.className = "tools";
      tools.appendChild(button("Up", "Move up: " + titleOf(id), function () { move(i, -1, "up"); }, i === 0));
      tools.appendChild(button("Down", "Move down: " + titleOf(id), function () { move(i, 1, "down"); }, i === chosen.length - 1));
      tools.appendChild(button("Remove", "Remove: " + titleOf(id), function () { remove(i); }));
      li.appendChild(tools);
      if (itemErrors[i]) {
        var p = document.createElement("p"); p.className = "field-error"; p.textContent = itemErrors[i].join(" ");
        li.appendChild(p);
      }
      li.addEventListener("dragstart", function (e) { e.dataTransfer.setData("text/plain", String(i)); li.classList.add("dragging"); });
      li.addEventListener("dragend", function () { li.classList.remove("dragging"); });
      li.addEventListener("dragover", function (e) { e.preventDefault(); li.classList.add("over"); });
      li.addEventListener("dragleave", function () { li.classList.remove("over"); });
      li.addEventListener("drop", function (e) {
        e.preventDefault(); li.classList.remove("over");
        var from = parseInt(e.dataTransfer.getData("text/plain"), 10);
        if (isNaN(from) || from === i) { return; }
        var moved = chosen.splice(from, 1)[0]; chosen.splice(i, 0, moved);
        changed(); Studio.say(titleOf(moved) + " moved to place " + (i + 1));
      });
      listEl.appendChild(li);
    });
    empty.hidden = chosen.length > 0;
    if (focus) {
      var target = listEl.querySelector('li[data-index="' + focus.index + '"] button[aria-label^="' + focus.which + '"]')
        || listEl.querySelector('li[data-index="' + focus.index + '"] button:not([disabled])');
      if (target && !target.disabled) { target.focus(); } else if (target) { var other = listEl.querySelector('li[data-index="' + focus.index + '"] button:not([disabled])'); if (other) { other.focus(); } }
    }
  }

  function add(id) {
    if (!library[id] && !id) { return; }
    chosen.push(id); itemErrors = {};
    changed(); Studio.say(titleOf(id) + " added, place " + chosen.length);
  }
  function remove(i) {
    var id = chosen.splice(i, 1)[0]; itemErrors = {};
    changed(chosen.length ? {index: Math.min(i, chosen.length - 1), which: "Remove"} : null);
    if (!chosen.length) { document.getElementById("pick-q").focus(); }
    Studio.say(titleOf(id) + " removed");
  }
  function move(i, delta, word) {
    var j = i + delta;
    if (j < 0 || j >= chosen.length) { return; }
    var id = chosen[i]; chosen[i] = chosen[j]; chosen[j] = id; itemErrors = {};
    changed({index: j, which: word === "up" ? "Move up" : "Move down"});
    Studio.say(titleOf(id) + " moved to place " + (j + 1) + " of " + chosen.length);
  }

  function values() {
    var out = {};
    Array.prototype.forEach.call(settings.querySelectorAll("input, select"), function (el) {
      out[el.name] = el.type === "checkbox" ? el.checked : el.value;
    });
    return out;
  }
  function packet() { return {title: titleEl.value, handouts: chosen.slice(), values: values(), name: nameEl.value}; }

  function showErrors(errors) {
    Array.prototype.forEach.call(document.querySelectorAll(".field-error"), function (p) { p.textContent = ""; });
    Array.prototype.forEach.call(document.querySelectorAll("[aria-invalid]"), function (el) { el.removeAttribute("aria-invalid"); });
    errors = errors || {fields: {}, items: {}, general: []};
    Object.keys(errors.fields || {}).forEach(function (k) {
      var p = document.getElementById("e-" + k), input = document.getElementById("f-" + k);
      if (p) { p.textContent = errors.fields[k].join(" "); } else { (errors.general = errors.general || []).push(k + ": " + errors.fields[k].join(" ")); }
      if (input) { input.setAttribute("aria-invalid", "true"); }
    });
    itemErrors = errors.items || {};
    general.hidden = !(errors.general && errors.general.length);
    Studio.list(general, errors.general, true);
  }

  function changed(focus) {
    drawList(focus);
    schedule();
  }

  // body[data-pending] is "1" from a change until the answer for the latest one arrives
  // (for people using assistive technology, #state says the same in words; tests wait on it).
  var later = Studio.debounce(renderNow, 300);
  function schedule() { document.body.dataset.pending = "1"; later(); }
  var leaving = false;  // "Start a new packet": no render still waiting may bring the old one back
  function renderNow() {
    if (leaving) { return; }
    if (!chosen.length) {
      showErrors(null); state.textContent = "Add a handout to see the preview."; frame.removeAttribute("src");
      document.body.dataset.pending = "0";
      download.removeAttribute("href"); download.setAttribute("aria-disabled", "true"); if (printBtn) { printBtn.disabled = true; }
      return;
    }
    var mine = ++seq;
    state.textContent = "Updating the preview…";
    Studio.post("packet/render", packet()).then(function (r) {
      if (mine < shownSeq) { return; }  // an older answer arriving late
      shownSeq = mine;
      if (mine === seq) { document.body.dataset.pending = "0"; }
      if (r.ok) {
        showErrors(null);
        token = r.token;
        frame.src = r.pdf + VIEW;
        download.href = r.pdf + "?download=1"; download.removeAttribute("aria-disabled");
        if (printBtn) { printBtn.disabled = false; }
        state.textContent = "Up to date: " + r.pages + (r.pages === 1 ? " page." : " pages.");
        document.body.dataset.rendered = String(mine);
      } else {
        showErrors(r.errors); drawList();
        state.textContent = "Not updated: fix what is marked.";
        document.body.dataset.rendered = String(mine);
      }
    }).catch(Studio.stopped);
  }

  document.getElementById("pick").addEventListener("click", function (e) {
    var b = e.target.closest("button[data-add]");
    if (b) { add(b.dataset.add); }
  });
  document.getElementById("pick-q").addEventListener("input", function () {
    var words = this.value.toLowerCase().split(/\s+/).filter(Boolean);
    Array.prototype.forEach.call(document.querySelectorAll("#pick > li"), function (li) {
      li.hidden = !words.every(function (w) { return li.dataset.text.indexOf(w) >= 0; });
    });
  });
  settings.addEventListener("input", function () { schedule(); });
  settings.addEventListener("change", function () { schedule(); });
  settings.addEventListener("submit", function (e) { e.preventDefault(); });
  titleEl.addEventListener("input", function () { schedule(); });

  if (printBtn) {
    printBtn.addEventListener("click", function () {
      if (!token) { return; }
      Studio.post("packet/print", {token: token}).then(function (r) { Studio.say(r.message); }).catch(Studio.stopped);
    });
  }
  document.getElementById("save").addEventListener("click", function () {
    Studio.post("packet/save", packet()).then(function (r) {
      if (r.ok) { showErrors(null); drawList(); nameEl.value = r.name; Studio.say(r.message); state.textContent = r.message; }
      else { showErrors(r.errors); drawList(); Studio.say("Not saved: fix what is marked."); }
    }).catch(Studio.stopped);
  });

  function fill(p, forNextClient, quiet) {
    chosen = p.handouts.slice();
    titleEl.value = p.title || "";
    nameEl.value = forNextClient ? "" : p.name;
    Array.prototype.forEach.call(settings.querySelectorAll("input, select"), function (el) {
      var v = p.values[el.name];
      if (forNextClient && (el.name === "client" || el.name === "date")) { v = undefined; }
      if (el.type === "checkbox") { el.checked = v === true; }
      else { el.value = v === undefined || v === null ? "" : (typeof v === "boolean" ? String(v) : v); }
    });
    changed();
    if (quiet) { return; }
    Studio.say(forNextClient ? "A copy of " + p.name + " without the client's name and date: fill them in, then save under a new name."
                             : "Opened " + p.name);
  }
  var params = new URLSearchParams(window.location.search);
  // What the address asked for is done once: a reload must not add or open it again.
  if (window.location.search) { history.replaceState(null, "", "packet"); }
  var which = params.get("open") || params.get("duplicate");
  if (which) {
    fetch("packets/" + encodeURIComponent(which.replace(/\.ya?ml$/, "")) + ".json", {cache: "no-store"})
      .then(function (r) { return r.json(); })
      .then(function (r) { if (r.ok) { fill(r, !!params.get("duplicate")); } else { showErrors({general: r.messages}); } })
      .catch(Studio.stopped);
  } else {
    // The packet being built when the page was left (kept by the studio in memory), then
    // what the library's "Add to packet" asked for.
    var current = JSON.parse(document.getElementById("current-data").textContent);
    if (current) {
      current.handouts = current.handouts.filter(function (id) { return library[id]; });
      fill(current, false, true);
    }
    var added = params.getAll("add").filter(function (id) { return library[id]; });
    added.forEach(function (id) { chosen.push(id); });
    changed();
    if (added.length) { Studio.say(added.map(titleOf).join(", ") + " added, place " + chosen.length); }
  }
  document.getElementById("new").addEventListener("click", function () {
    leaving = true;
    Studio.post("packet/forget").then(function () { window.location.href = "packet"; }).catch(Studio.stopped);
  });
})();

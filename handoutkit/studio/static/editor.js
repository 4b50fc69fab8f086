/* Adapting a handout: common fields and the YAML kept in step, check's findings at their line,
   the preview beside them, a draft kept on every change. */
(function () {
  "use strict";
  var dup = document.getElementById("duplicate");
  if (dup) {
    dup.addEventListener("click", function () {
      Studio.post("edit/" + dup.dataset.id + "/duplicate").then(function (r) {
        if (r.ok) { window.location.href = r.url; return; }
        var m = document.getElementById("messages"); m.hidden = false; Studio.list(m, r.messages, true);
      }).catch(Studio.stopped);
    });
    return;
  }
  var root = document.querySelector(".editor"), id = root.dataset.id;
  var yaml = document.getElementById("yaml"), gutter = document.getElementById("gutter");
  var findingsEl = document.getElementById("findings"), frame = document.getElementById("pdf");
  var state = document.getElementById("state"), messages = document.getElementById("messages");
  var fields = Array.prototype.slice.call(document.querySelectorAll("#common [data-key]"));
  var marks = {}, seq = 0, shown = 0;

  // ---- the common fields, read from and written to top-level one-line keys of the YAML ----
  function lineOf(key) {
    var lines = yaml.value.split("\n");
    for (var i = 0; i < lines.length; i++) {
      if (new RegExp("^" + key + ":(\\s|$)").test(lines[i])) { return i; }
    }
    return -1;
  }
  function unquote(v) {
    v = v.replace(/\s+#.*$/, "").trim();
    if (/^".*"$/.test(v)) { try { return JSON.parse(v); } catch (e) { return v.slice(1, -1); } }
    if (/^'.*'$/.test(v)) { return v.slice(1, -1).replace(/''/g, "'"); }
    return v;
  }
  function readFields() {
    var lines = yaml.value.split("\n");
    fields.forEach(function (el) {
      var i = lineOf(el.dataset.key), note = document.getElementById("n-" + el.dataset.key);
      if (i < 0) { el.value = ""; el.disabled = false; note.textContent = ""; return; }
      var raw = lines[i].slice(el.dataset.key.length + 1).trim();
      var multi = raw === "" || raw === "|" || raw === ">" || /^[|>]/.test(raw);
      if (el.dataset.list) {
        multi = multi || !/^\[.*\]$/.test(raw.replace(/\s+#.*$/, ""));
        if (!multi) { el.value = raw.replace(/\s+#.*$/, "").slice(1, -1).split(",").map(function (s) { return unquote(s.trim()); }).join(", "); }
      } else if (!multi) { el.value = unquote(raw); }
      el.disabled = multi;
      note.textContent = multi ? "This one spans several lines: change it in the YAML below." : "";
    });
  }
  function writeField(el) {
    var key = el.dataset.key, value = el.value.trim(), lines = yaml.value.split("\n"), i = lineOf(key), text;
    if (el.dataset.list) {
      text = "[" + value.split(",").map(function (s) { return s.trim(); }).filter(Boolean).join(", ") + "]";
    } else if (el.type === "number" || el.tagName === "SELECT") {
      text = value;
    } else {
      text = JSON.stringify(value);  // a JSON string is a YAML string: quotes, colons and all
    }
    var line = key + ": " + text;
    if (i >= 0) {
      if (!value) { lines.splice(i, 1); } else { lines[i] = line; }
    } else if (value) {
      var after = Math.max(lineOf("title"), lineOf("id"), 0);
      lines.splice(after + 1, 0, line);
    }
    yaml.value = lines.join("\n");
    drawGutter(); changed();
  }
  fields.forEach(function (el) { el.addEventListener("change", function () { writeField(el); }); });

  // ---- line numbers and marks ----
  function drawGutter() {
    var n = yaml.value.split("\n").length;
    gutter.textContent = "";
    for (var i = 1; i <= n; i++) {
      var span = document.createElement("span");
      span.textContent = String(i);
      if (marks[i]) { span.className = "mark " + marks[i].level; span.title = marks[i].says.join("\n"); }
      gutter.appendChild(span);
    }
    gutter.scrollTop = yaml.scrollTop;
  }
  yaml.addEventListener("scroll", function () { gutter.scrollTop = yaml.scrollTop; });
  function goTo(line, col) {
    var lines = yaml.value.split("\n"), pos = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) { pos += lines[i].length + 1; }
    pos += Math.max(0, (col || 1) - 1);
    yaml.focus(); yaml.setSelectionRange(pos, pos);
    var lh = parseFloat(getComputedStyle(yaml).lineHeight) || 20;
    yaml.scrollTop = Math.max(0, (line - 4) * lh);
  }
  function showFindings(list) {
    marks = {}; findingsEl.textContent = "";
    if (!list.length) {
      var ok = document.createElement("li"); ok.className = "ok"; ok.textContent = "No problems found."; findingsEl.appendChild(ok);
    }
    list.forEach(function (f) {
      var m = marks[f.line] = marks[f.line] || {level: f.level, says: []};
      if (f.level === "error") { m.level = "error"; }
      m.says.push(f.level + ": " + f.message);
      var li = document.createElement("li"); li.className = f.level;
      var b = document.createElement("button"); b.type = "button"; b.className = "linklike";
      b.textContent = "Line " + f.line + ", column " + f.col;
      b.addEventListener("click", function () { goTo(f.line, f.col); });
      var c = document.createElement("code"); c.textContent = f.text;
      li.dataset.line = f.line;
      li.appendChild(b); li.appendChild(document.createTextNode(" " + f.level + ": ")); li.appendChild(c);
      findingsEl.appendChild(li);
    });
    drawGutter();
  }

  // ---- keeping the draft, checking, previewing ----
  function changed() { state.textContent = "Changed: checking…"; schedule(); }
  function schedule() { document.body.dataset.pending = "1"; later(); }  // "0" once the latest change is checked
  var later = Studio.debounce(function () {
    var mine = ++seq;
    Studio.post("edit/" + id + "/draft", {text: yaml.value}).then(function (r) {
      if (mine < shown) { return; }
      shown = mine;
      if (mine === seq) { document.body.dataset.pending = "0"; }
      messages.hidden = !(r.messages && r.messages.length);
      Studio.list(messages, r.messages || [], true);
      showFindings(r.findings || []);
      if (r.pdf) {
        frame.src = r.pdf + "#view=FitH&navpanes=0";
        state.textContent = "Draft kept. Preview up to date: " + r.pages + (r.pages === 1 ? " page" : " pages") +
          (r.pages > r.budget ? " (over its budget of " + r.budget + ")." : ".");
      } else {
        state.textContent = "Draft kept. The preview shows the last version that worked: fix the errors to update it.";
      }
      document.body.dataset.checked = String(mine);
    }).catch(Studio.stopped);
  }, 400);
  yaml.addEventListener("input", function () { drawGutter(); readFields(); changed(); });
  yaml.addEventListener("keydown", function (e) {
    // Tab indents in the YAML (two spaces); Escape then Tab leaves it, as in other code editors.
    if (e.key === "Tab" && !e.shiftKey && !yaml.dataset.escaped) {
      e.preventDefault();
      var s = yaml.selectionStart;
      yaml.setRangeText("  ", s, yaml.selectionEnd, "end");
      yaml.dispatchEvent(new Event("input"));
    }
    yaml.dataset.escaped = e.key === "Escape" ? "1" : "";
  });
  document.getElementById("save").addEventListener("click", function () {
    Studio.post("edit/" + id + "/draft", {text: yaml.value}).then(function () {
      return Studio.post("edit/" + id + "/save");
    }).then(function (r) {
      messages.hidden = r.ok; Studio.list(messages, r.messages || [], true);
      Studio.say(r.ok ? r.message : "Not saved: fix the errors first. Your draft is kept.");
      state.textContent = r.ok ? r.message : "Not saved: fix the errors first. Your draft is kept.";
    }).catch(Studio.stopped);
  });
  var discard = document.getElementById("discard");
  if (discard) {
    discard.addEventListener("click", function () {
      Studio.post("edit/" + id + "/discard").then(function (r) { if (r.ok) { window.location.reload(); } }).catch(Studio.stopped);
    });
  }
  readFields(); drawGutter(); schedule();
})();

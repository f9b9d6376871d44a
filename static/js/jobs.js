// Jobs pages: live job table, batch selection, SQL editor and template picker, field toggles,
// JAR upload with progress. No inline scripts: everything is wired from data attributes here.
(function () {
  "use strict";

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function fieldBox(name, root) { return $("#field-" + name, root); }
  function show(name, visible, root) {
    var box = fieldBox(name, root);
    if (box) { box.classList.toggle("is-hidden", !visible); }
  }

  // ------------------------------------------------------------------ live job table
  // A refresh replaces the table: whatever had the keyboard focus in it (a job's checkbox or link, a
  // sort link, a pager link) gets it back in the new table, so keyboard users keep their place.
  function focusKey(rows) {
    var el = document.activeElement;
    if (!el || el === document.body || !rows.contains(el)) { return null; }
    var row = el.closest("tr[data-job]");
    return {
      job: row ? row.getAttribute("data-job") : null,
      tag: el.tagName,
      name: el.getAttribute("name"),
      href: el.getAttribute("href"),
      index: row ? $all("a, input, button", row).indexOf(el) : -1
    };
  }

  function restoreFocus(rows, key) {
    if (!key) { return; }
    var target = null;
    if (key.job) {
      var row = $all("tr[data-job]", rows).filter(function (r) { return r.getAttribute("data-job") === key.job; })[0];
      var controls = row ? $all("a, input, button", row) : [];
      target = controls[key.index] || null;
    } else if (key.href) {
      target = $all("a", rows).filter(function (a) { return a.getAttribute("href") === key.href; })[0] || null;
    }
    if (target) { target.focus({ preventScroll: true }); }
  }

  function setupLive(region) {
    if (!region || !window.htmx) { return; }
    var interval = parseInt(region.getAttribute("data-interval") || "5000", 10);
    var checked = [];
    var focused = null;
    window.setInterval(function () {
      if (window.liveEnabled ? window.liveEnabled() : document.visibilityState === "visible") {
        window.htmx.trigger(region, "live-refresh");
      }
    }, interval);
    region.addEventListener("htmx:beforeSwap", function (event) {
      var xhr = event.detail.xhr;
      var version = xhr.getResponseHeader("X-Rows-Version");
      if (xhr.status === 304 || (version && version === region.getAttribute("data-version"))) {
        event.detail.shouldSwap = false;  // nothing changed: keep what is shown (and the selection)
        return;
      }
      if (xhr.status >= 400) { event.detail.shouldSwap = false; return; }
      var active = document.activeElement;
      if (active && region.contains(active) && !active.closest("tr[data-job]") &&
          active.matches("input, select, textarea")) {
        event.detail.shouldSwap = false;  // someone is filling in a form in it: refresh on the next round
        return;
      }
      checked = $all("input[name=jobs]:checked", region).map(function (box) { return box.value; });
      focused = focusKey(region);
      if (version) { region.setAttribute("data-version", version); }
    });
    region.addEventListener("htmx:afterSwap", function () {
      $all("input[name=jobs]", region).forEach(function (box) {
        if (checked.indexOf(box.value) >= 0) { box.checked = true; }
      });
      updateSelection();
      restoreFocus(region, focused);
      focused = null;
    });
  }

  function setupLiveRows() {
    $all("[data-live][data-interval]").forEach(setupLive);
  }

  // ------------------------------------------------------------------ batch selection
  function updateSelection() {
    var label = $("[data-selected-count]");
    if (!label) { return; }
    var n = $all("input[name=jobs]:checked").length;
    label.textContent = n ? n + " job" + (n === 1 ? "" : "s") + " selected:" : "Select jobs for a batch action:";
  }

  function setupBatch() {
    document.addEventListener("change", function (event) {
      var target = event.target;
      if (target.matches && target.matches("[data-select-all]")) {
        $all("input[name=jobs]").forEach(function (box) { box.checked = target.checked; });
      }
      if (target.matches && (target.matches("input[name=jobs]") || target.matches("[data-select-all]"))) {
        updateSelection();
      }
    });
    var form = $("#batch-form");
    if (form) {
      form.addEventListener("submit", function (event) {
        if (!$all("input[name=jobs]:checked").length) {
          event.preventDefault();
          window.alert("Select at least one job first.");
        }
      });
    }
  }

  // ------------------------------------------------------------------ SQL editor (ACE when available)
  var editors = [];

  function loadAce(base, done) {
    if (window.ace) { done(); return; }
    var script = document.createElement("script");
    script.src = base + "ace.js";
    script.onload = done;
    script.onerror = function () { /* no editor assets: the plain textarea stays */ };
    document.head.appendChild(script);
  }

  function setupEditors() {
    var form = $("[data-ace-base]");
    var areas = $all("textarea[data-sql-editor]");
    if (!form || !areas.length) { return; }
    var base = form.getAttribute("data-ace-base");
    if (!base) { return; }
    loadAce(base, function () {
      if (!window.ace) { return; }
      window.ace.config.set("basePath", base);
      areas.forEach(function (area) {
        var host = document.createElement("div");
        host.className = "ace-host";
        area.parentNode.insertBefore(host, area.nextSibling);
        // Keyboard users can leave the editor: Tab reaches it as one stop, Enter starts editing (where
        // Tab indents), Esc stops editing so that Tab moves on (ACE's keyboard accessibility mode).
        var editor = window.ace.edit(host, {
          mode: "ace/mode/sql", showGutter: true, showPrintMargin: false, useWorker: false,
          wrap: true, fontSize: "13px", tabSize: 2, enableKeyboardAccessibility: true
        });
        var hintText = area.getAttribute("data-editor-hint");
        if (hintText) {
          var hint = document.createElement("p");
          hint.className = "help editor-hint";
          hint.id = (area.id || "sql") + "_editorhint";
          hint.textContent = hintText;
          host.parentNode.insertBefore(hint, host.nextSibling);
          [editor.textInput.getElement(), editor.renderer.scroller].forEach(function (el) {
            var described = (area.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
            described.push(hint.id);
            el.setAttribute("aria-describedby", described.join(" "));
          });
          editor.on("focus", function () { host.classList.add("is-editing"); });
          editor.on("blur", function () { host.classList.remove("is-editing"); });
        }
        var label = area.id && document.querySelector('label[for="' + area.id + '"]');
        if (label) {
          editor.textInput.getElement().setAttribute("aria-label", label.textContent.replace("*", "").trim());
          label.addEventListener("click", function () { editor.focus(); });
        }
        editor.session.setValue(area.value);
        editor.session.on("change", function () { area.value = editor.session.getValue(); });
        area.style.display = "none";
        area.setAttribute("data-ace-active", "1");
        editors.push({ area: area, editor: editor });
      });
    });
  }

  function setSql(area, text) {
    area.value = text;
    editors.forEach(function (pair) {
      if (pair.area === area) { pair.editor.session.setValue(text); }
    });
  }

  // ------------------------------------------------------------------ template picker
  function setupTemplatePicker() {
    var form = $("#sql-job-form");
    if (!form) { return; }
    var select = $("select[name=template]", form);
    var area = $("textarea[name=sql_body]", form);
    var base = form.getAttribute("data-template-base");
    if (!select || !area || !base) { return; }
    select.addEventListener("change", function () {
      var key = select.value;
      if (!key) { return; }
      var parts = key.split(":");
      var credential = $("select[name=credential]", form);
      if (credential && !credential.disabled) { credential.value = parts[0]; }
      fetch(base + parts[0] + "/" + parts[1] + "/sql/", { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data) { setSql(area, data.sql_body || ""); } });
    });
  }

  // ------------------------------------------------------------------ field toggles
  function sqlToggles(root) {
    var form = $("#sql-job-form", root) || (root && root.id === "sql-job-form" ? root : null);
    if (!form) { return; }
    var mode = $("select[name=run_mode]", form);
    var checkpoint = $("input[name=checkpoint_enabled]", form);
    var dirty = $("select[name=dirty_data_kind]", form);
    var jobType = $("select[name=job_type]", form);
    function apply() {
      var m = mode ? mode.value : "";
      show("cluster_id", m === "exclusive_cluster", form);
      show("edge_group_ids", m === "edge_node", form);
      show("udf_jar_url", m !== "shared_cluster", form);
      if (jobType) {
        $all("option", jobType).forEach(function (opt) {
          if (!opt.value) { return; }
          var edge = opt.value === "flink_sql_edge_job";
          opt.disabled = (m === "edge_node") ? !edge : edge;
        });
        if (jobType.selectedOptions.length && jobType.selectedOptions[0].disabled) { jobType.value = ""; }
      }
      var on = checkpoint && checkpoint.checked;
      show("checkpoint_mode", on, form);
      show("checkpoint_interval", on, form);
      show("dirty_data_path", dirty && dirty.value === "2", form);
    }
    [mode, checkpoint, dirty].forEach(function (el) { if (el) { el.addEventListener("change", apply); } });
    apply();
  }

  function jarToggles(root) {
    var form = root || $("#jar-job-form");
    if (!form) { return; }
    var type = $("select[name=job_type]", form);
    if (!type) { return; }
    function apply() {
      var spark = type.value === "spark_streaming_jar_job";
      show("spu_number", !spark, form);
      show("parallel_number", !spark, form);
      show("executor_number", spark, form);
      show("executor_spu", spark, form);
    }
    type.addEventListener("change", apply);
    apply();
  }

  // ------------------------------------------------------------------ JAR upload with progress
  function setupUpload() {
    var form = $("form[data-upload]");
    if (!form || !window.FormData || !window.XMLHttpRequest) { return; }
    var box = $("[data-upload-progress]", form);
    var bar = box && $("progress", box);
    var percent = box && $("[data-upload-percent]", box);
    var cancel = box && $("[data-upload-cancel]", box);
    var xhr = null;
    function buttons(disabled) {
      $all("button[type=submit]", form).forEach(function (b) { b.disabled = disabled; });
    }
    function done() { xhr = null; buttons(false); }
    if (cancel) {
      cancel.addEventListener("click", function () {
        if (xhr) { xhr.abort(); }
      });
    }
    function sizeError(input) {
      var limit = parseInt(input.getAttribute("data-max-bytes") || "0", 10);
      var file = input.files && input.files[0];
      if (!limit || !file || file.size <= limit) { return ""; }
      return file.name + " is " + (file.size / 1048576).toFixed(1) + " MB; at most " +
        Math.floor(limit / 1048576) + " MB can be uploaded (CS.11031).";
    }
    function showSizeError(input, text) {
      var id = input.id + "-size-error";
      var note = document.getElementById(id);
      if (!text) { if (note) { note.remove(); } input.removeAttribute("aria-invalid"); return; }
      if (!note) {
        note = document.createElement("p");
        note.id = id;
        note.className = "field-error";
        note.setAttribute("role", "alert");
        input.insertAdjacentElement("afterend", note);
      }
      note.textContent = text;
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", id);
    }
    function checkSizes() {
      var ok = true;
      $all("input[type=file][data-max-bytes]", form).forEach(function (input) {
        var text = sizeError(input);
        showSizeError(input, text);
        if (text) { ok = false; }
      });
      return ok;
    }
    form.addEventListener("change", function (event) {
      if (event.target.matches && event.target.matches("input[type=file][data-max-bytes]")) { checkSizes(); }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (xhr) { return; }
      if (!checkSizes()) { return; }  // refused here, before a byte is sent
      var data = new FormData(form);
      var submitter = event.submitter;
      if (submitter && submitter.name) { data.append(submitter.name, submitter.value); }
      xhr = new XMLHttpRequest();
      xhr.open("POST", form.getAttribute("action") || window.location.href);
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.setRequestHeader("Accept", "application/json");
      if (box) { box.hidden = false; bar.value = 0; percent.textContent = "0 %"; }
      buttons(true);
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable || !bar) { return; }
        var p = Math.round((e.loaded / e.total) * 100);
        bar.value = p;
        percent.textContent = p + " %";
      });
      xhr.upload.addEventListener("load", function () {
        if (bar) { bar.value = 100; percent.textContent = "100 % — sending to CS…"; }
      });
      xhr.addEventListener("abort", function () {
        if (percent) { percent.textContent = "Upload cancelled."; }
        done();
      });
      xhr.addEventListener("error", function () {
        if (percent) { percent.textContent = "The upload failed: check the connection and try again."; }
        done();
      });
      xhr.addEventListener("load", function () {
        var answer = null;
        try { answer = JSON.parse(xhr.responseText); } catch (e) { answer = null; }
        if (answer && answer.ok && answer.redirect) {
          window.location.assign(answer.redirect);
          return;
        }
        if (answer && answer.form_html) {
          var body = $("#jar-form-body", form);
          // the chosen files stay chosen: the new form body gets the same file inputs back
          var chosen = $all("input[type=file]", body).filter(function (i) { return i.files && i.files.length; });
          body.innerHTML = answer.form_html;
          chosen.forEach(function (input) {
            var fresh = $("input[type=file][name='" + input.name + "']", body);
            if (fresh) { fresh.replaceWith(input); }
          });
          jarToggles(form);
          if (percent) { percent.textContent = "100 % — not saved: see the errors above."; }
        } else if (percent) {
          percent.textContent = "The server answered " + xhr.status + ".";
        }
        done();
      });
      xhr.send(data);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupLiveRows();
    setupBatch();
    setupEditors();
    setupTemplatePicker();
    sqlToggles(document);
    jarToggles();
    setupUpload();
  });
})();

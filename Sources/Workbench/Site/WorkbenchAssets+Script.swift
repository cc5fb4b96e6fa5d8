extension WorkbenchAssets {
    /// The pages' script: plain JavaScript, no build step, no library. It filters the model
    /// table, keeps the what-if form's defaults in step with the chosen configuration, sends a
    /// what-if and shows its errors next to their fields, follows the run's progress by
    /// server-sent events, shows the result, saves it, and makes charts' lines switchable with
    /// their values shown on hover.
    static let script = #"""
"use strict";
(function () {
  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));

  // ---- Model page: filter rows ----
  function setupModelFilter() {
    const input = $("#parameter-filter");
    if (!input) return;
    const differing = $("#only-differing"), assumptions = $("#only-assumptions");
    const apply = () => {
      const q = input.value.trim().toLowerCase();
      $$("#parameter-table tbody").forEach(group => {
        let shown = 0;
        $$("tr.parameter", group).forEach(row => {
          const ok = (!q || row.textContent.toLowerCase().includes(q))
            && (!differing.checked || row.dataset.differs === "true")
            && (!assumptions.checked || row.dataset.label === "assumption");
          row.hidden = !ok;
          if (ok) shown++;
        });
        group.hidden = shown === 0;
      });
    };
    [input, differing, assumptions].forEach(el => el.addEventListener("input", apply));
  }

  // ---- What-if form ----
  const form = $("#whatif-form");
  let current = null;      // the what-if being followed: {id, source}

  function configurationIndex() {
    const select = $("#field-configuration");
    return select ? select.selectedIndex : 0;
  }

  function paramDefault(el) {
    try { return JSON.parse(el.dataset.values)[configurationIndex()]; } catch (e) { return el.value; }
  }

  function refreshChanged() {
    let n = 0;
    $$(".param", form).forEach(el => {
      const changed = el.value !== paramDefault(el);
      el.closest("tr").classList.toggle("changed", changed);
      if (changed) n++;
    });
    const extra = ($("#field-overrides").value || "").split("\n").filter(l => l.trim()).length;
    const count = $("#changed-count");
    if (count) count.textContent = (n + extra) === 0 ? "no parameter changed" : `${n + extra} parameter${n + extra === 1 ? "" : "s"} changed`;
    filterParams();
  }

  function filterParams() {
    const q = ($("#parameter-search").value || "").trim().toLowerCase();
    const onlyChanged = $("#show-changed").checked;
    $$("details.section", form).forEach(section => {
      let shown = 0;
      $$("tr.param-row", section).forEach(row => {
        const ok = (!q || row.dataset.path.toLowerCase().includes(q) || row.textContent.toLowerCase().includes(q))
          && (!onlyChanged || row.classList.contains("changed") || row.classList.contains("has-error"));
        row.hidden = !ok;
        if (ok) shown++;
      });
      section.hidden = shown === 0;
      if ((q || onlyChanged) && shown > 0) section.open = true;
    });
  }

  function setupWhatIf() {
    if (!form) return;
    let previous = configurationIndex();
    $("#field-configuration").addEventListener("change", () => {
      // Fields left at the old configuration's value take the new one's; edited ones stay.
      $$(".param", form).forEach(el => {
        let values;
        try { values = JSON.parse(el.dataset.values); } catch (e) { return; }
        if (el.value === values[previous]) el.value = values[configurationIndex()];
      });
      previous = configurationIndex();
      refreshChanged();
    });
    form.addEventListener("input", e => { if (e.target.classList.contains("param") || e.target.id === "field-overrides") refreshChanged(); });
    form.addEventListener("change", e => { if (e.target.classList.contains("param")) refreshChanged(); });
    $("#parameter-search").addEventListener("input", filterParams);
    $("#show-changed").addEventListener("change", filterParams);
    form.addEventListener("submit", e => { e.preventDefault(); submit(); });
    // The baseline does not depend on the parameters: the server starts making it as soon as
    // the run fields are known, so that Run has only the changed side left to simulate.
    let timer = null;
    const ahead = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        fetch("/api/baseline", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(collect()) }).catch(() => {});
      }, 600);
    };
    ["configuration", "users", "replications", "warmUpS", "durationS", "startHour", "seed"].forEach(name => {
      form.elements[name].addEventListener("change", ahead);
    });
    if (!window.workbenchResume) ahead();
    $("#cancel-button").addEventListener("click", cancel);
    refreshChanged();
    if (window.workbenchResume) follow(window.workbenchResume);
  }

  function clearErrors() {
    $$(".field-error").forEach(el => { el.hidden = true; el.textContent = ""; });
    $$(".has-error").forEach(el => el.classList.remove("has-error"));
    const top = $("#form-errors");
    top.hidden = true;
    top.innerHTML = "";
  }

  function showErrors(errors) {
    clearErrors();
    const top = $("#form-errors");
    let first = null;
    errors.forEach(err => {
      let box = err.field ? $$(".field-error").find(el => el.dataset.for === err.field) : null;
      if (err.field && !box) box = $$(".field-error").find(el => el.dataset.for === "overrides");
      if (box) {
        box.hidden = false;
        box.textContent = box.textContent ? box.textContent + "\n" + err.line : err.line;
        const holder = box.closest("tr") || box.closest(".field") || box.parentElement;
        holder.classList.add("has-error");
        const details = box.closest("details");
        if (details) { details.open = true; details.hidden = false; }
        if (holder.hidden) holder.hidden = false;
        first = first || holder;
      } else {
        const p = document.createElement("p");
        p.textContent = err.line;
        top.appendChild(p);
        top.hidden = false;
        first = first || top;
      }
    });
    if (first) first.scrollIntoView({ block: "center" });
  }

  function collect() {
    const v = name => (form.elements[name].value || "").trim();
    const overrides = [];
    $$(".param", form).forEach(el => { if (el.value !== paramDefault(el)) overrides.push(`${el.name}=${el.value}`); });
    v("overrides").split("\n").map(l => l.trim()).filter(l => l).forEach(l => overrides.push(l));
    // Numbers go as typed: the server parses them as the command line does, with its errors.
    return {
      configuration: v("configuration"), users: v("users"), replications: v("replications"),
      warmUpS: v("warmUpS"), durationS: v("durationS"), startHour: v("startHour"), seed: v("seed"),
      slo: v("slo"), overrides: overrides,
    };
  }

  async function submit() {
    const body = collect();
    clearErrors();
    const button = $("#run-button");
    button.disabled = true;
    $("#result").hidden = true;
    $("#result").innerHTML = "";
    try {
      const response = await fetch("/api/whatif", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
      const answer = await response.json();
      if (!response.ok) { showErrors(answer.errors || [{ line: "error: the server refused the what-if" }]); button.disabled = false; return; }
      const analytic = $("#analytic");
      analytic.innerHTML = answer.analytic;
      analytic.hidden = false;
      history.replaceState(null, "", answer.page);
      follow(answer.id);
    } catch (e) {
      showErrors([{ line: "error: the server could not be reached: " + e }]);
      button.disabled = false;
    }
  }

  function follow(id) {
    if (current && current.source) current.source.close();
    const progress = $("#progress");
    progress.hidden = false;
    $("#run-button").disabled = true;
    $("#cancel-button").hidden = false;
    const source = new EventSource(`/api/whatif/${encodeURIComponent(id)}/events`);
    current = { id: id, source: source };
    const show = status => {
      $("#progress-bar").style.width = (100 * status.fraction).toFixed(1) + "%";
      let text;
      if (status.phase === "queued") text = `Waiting in the queue (position ${status.position || "?"}).`;
      else if (status.phase === "running") {
        text = `Simulating: ${status.runsDone} of ${status.runs} runs done, ${(100 * status.fraction).toFixed(0)}%, ${status.wallSeconds.toFixed(1)} s`;
        if (status.secondsLeft != null) text += `, about ${Math.ceil(status.secondsLeft)} s left`;
        text += ".";
      } else if (status.phase === "finished") text = `Done in ${status.wallSeconds.toFixed(1)} s.`;
      else text = status.message || status.phase;
      $("#progress-text").textContent = text;
      progress.dataset.phase = status.phase;
    };
    source.addEventListener("status", e => show(JSON.parse(e.data)));
    source.addEventListener("done", async e => {
      const status = JSON.parse(e.data);
      show(status);
      source.close();
      $("#cancel-button").hidden = true;
      $("#run-button").disabled = false;
      if (status.phase === "finished") {
        const response = await fetch(`/whatif/${encodeURIComponent(id)}/result`);
        const result = $("#result");
        result.innerHTML = await response.text();
        result.hidden = false;
        setupSave();
        result.scrollIntoView({ block: "start" });
      }
    });
  }

  async function cancel() {
    if (!current) return;
    await fetch(`/api/whatif/${encodeURIComponent(current.id)}/cancel`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
  }

  function setupSave() {
    const save = $("#save-form");
    if (!save || save.dataset.ready) return;
    save.dataset.ready = "1";
    save.addEventListener("submit", async e => {
      e.preventDefault();
      const status = $("#save-status");
      status.textContent = "Saving…";
      const response = await fetch(`/api/whatif/${encodeURIComponent(save.dataset.job)}/save`, {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name: save.elements.name.value.trim() }),
      });
      const answer = await response.json();
      if (response.ok) {
        status.innerHTML = "";
        const a = document.createElement("a");
        a.href = answer.page;
        a.textContent = `Saved as ${answer.experiment}: open it under Results`;
        status.appendChild(a);
      } else {
        status.textContent = (answer.errors || []).map(x => x.line).join(" ");
        status.classList.add("error");
      }
    });
  }

  // ---- Charts: switchable lines, values on hover ----
  function setupCharts() {
    const tip = document.createElement("div");
    tip.className = "chart-tip";
    tip.hidden = true;
    document.body.appendChild(tip);
    $$("figure.chart").forEach(figure => {
      const svg = $("svg", figure);
      if (!svg) return;
      const lines = $$("g.line[data-name]", svg).filter(g => g.dataset.name);
      if (lines.length > 1) {
        const bar = document.createElement("div");
        bar.className = "series-toggles";
        lines.forEach(g => {
          const label = document.createElement("label");
          const box = document.createElement("input");
          box.type = "checkbox";
          box.checked = true;
          box.addEventListener("change", () => { g.style.display = box.checked ? "" : "none"; });
          const path = $("path", g);
          const swatch = document.createElement("span");
          swatch.className = "swatch";
          if (path) swatch.style.background = path.getAttribute("stroke");
          label.append(box, swatch, document.createTextNode(g.dataset.name));
          bar.appendChild(label);
        });
        figure.insertBefore(bar, svg);
      }
      $$("circle, rect, path", svg).forEach(mark => {
        const title = $("title", mark);
        if (!title) return;
        const text = title.textContent;
        mark.dataset.value = text;
        mark.addEventListener("mouseenter", e => { tip.textContent = text; tip.hidden = false; move(e); });
        mark.addEventListener("mousemove", move);
        mark.addEventListener("mouseleave", () => { tip.hidden = true; });
      });
    });
    function move(e) {
      tip.style.left = (e.pageX + 12) + "px";
      tip.style.top = (e.pageY - 28) + "px";
    }
  }

  // ---- Results filter: apply on change ----
  function setupResultsFilter() {
    const f = $("#results-filter");
    if (!f) return;
    $$("select", f).forEach(s => s.addEventListener("change", () => f.submit()));
  }

  document.addEventListener("DOMContentLoaded", () => {
    setupModelFilter();
    setupWhatIf();
    setupSave();
    setupCharts();
    setupResultsFilter();
  });
})();
"""#
}
